#!/usr/bin/env python3
"""The reference graders timed on the same 10,000 responses as bench/answer_grading.lua (the tests'
fixtures cycled): lm-eval's RegexFilter + exact_match (gsm8k_cot), simple-evals' ANSWER_PATTERN_MULTICHOICE
search, lm-eval aime process_results, MMLU-Pro extract_answer. Each reference is loaded from its checkout
as the fixtures' regen.py scripts load it. A missing checkout prints SKIP for that benchmark.
usage: answer_grading_ref.py LM_EVAL_DIR SIMPLE_EVALS_DIR MMLU_PRO_DIR DATA_DIR"""
import ast, contextlib, gzip, importlib.util, io, json, os, re, sys, time, types

lm, se, mp, data = sys.argv[1:5]
N = int(os.environ.get("BENCHLUA_BENCH_N", "10000"))
def lines(p):
    op = gzip.open if p.endswith(".gz") else open
    return [json.loads(l) for l in op(p, "rt", encoding="utf-8") if l.strip()]
def run(name, cases, fn):
    t0 = time.process_time()
    for i in range(N): fn(cases[i % len(cases)])
    dt = time.process_time() - t0
    print("REF %-16s %d responses in %.3f s (%.1f us each)" % (name, N, dt, dt / N * 1e6))
def fn_from(path, names, ns):
    tree = ast.parse(open(path).read())
    exec(compile(ast.Module(body=[n for n in tree.body if getattr(n, "name", None) in names], type_ignores=[]), path, "exec"), ns)
    return ns

if os.path.isdir(lm):
    import numpy as np, yaml
    for name in ["lm_eval", "lm_eval.api", "lm_eval.api.filter", "lm_eval.api.registry"]:
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["lm_eval.api.filter"].Filter = object
    sys.modules["lm_eval.api.registry"].register_filter = lambda name: (lambda cls: cls)
    ext = {}
    exec(compile(open(f"{lm}/lm_eval/filters/extraction.py").read(), "extraction.py", "exec"), ext)
    em = fn_from(f"{lm}/lm_eval/api/metrics.py", {"exact_match_hf_evaluate"}, {"re": re, "np": np})["exact_match_hf_evaluate"]
    cfg = yaml.safe_load(open(f"{lm}/lm_eval/tasks/gsm8k/gsm8k-cot.yaml"))
    rows = [json.loads(l) for l in open(f"{data}/gsm8k_test.jsonl")]
    golds = [r["answer"].split("####")[-1].strip() for r in rows]
    filters = [ext["RegexFilter"](regex_pattern=f["filter"][0]["regex_pattern"], group_select=f["filter"][0].get("group_select", 0))
               for f in cfg["filter_list"]]
    m = cfg["metric_list"][0]
    def g(c):
        for flt in filters:
            got = list(flt.apply([[c["response"]]], [None]))[0][0]
            em(predictions=[got], references=[golds[int(c["task_id"])]], regexes_to_ignore=m["regexes_to_ignore"], ignore_case=True)
    run("gsm8k", lines("tests/fixtures/gsm8k/cases.jsonl"), g)
    spec = importlib.util.spec_from_file_location("aime_utils", f"{lm}/lm_eval/tasks/aime/utils.py")
    u = importlib.util.module_from_spec(spec); spec.loader.exec_module(u)
    docs = {str(d["id"]): d for p in ("aime_2024.jsonl", "aime_2025.jsonl") for d in lines(f"{data}/{p}")}
    run("aime", lines("tests/fixtures/aime/cases.jsonl.gz"), lambda c: u.process_results(docs[c["task_id"]], [c["response"]]))
else:
    print("SKIP gsm8k, aime: no lm-evaluation-harness checkout at", lm)
if os.path.isdir(se):
    src = open(f"{se}/common.py").read()
    pat = re.search(r'ANSWER_PATTERN_MULTICHOICE = r"(.*)"', src).group(1)
    perm = json.load(open(f"{data}/gpqa_diamond_perm.json"))
    def g(c):
        mt = re.search(pat, c["response"])
        x = mt.group(1) if mt else None
        return x == "ABCD"[perm[c["repeat"]][c["row"]].index(0)]
    run("gpqa_diamond", lines("tests/fixtures/gpqa/cases.jsonl.gz"), g)
else:
    print("SKIP gpqa_diamond: no simple-evals checkout at", se)
if os.path.isdir(mp):
    api = fn_from(f"{mp}/evaluate_from_api.py", {"extract_answer", "extract_again", "extract_final"}, {"re": re})
    def g(c):
        with contextlib.redirect_stdout(io.StringIO()):
            api["extract_answer"](c["response"])
    run("mmlu_pro", lines("tests/fixtures/mmlu_pro/cases.jsonl.gz"), g)
else:
    print("SKIP mmlu_pro: no MMLU-Pro checkout at", mp)
