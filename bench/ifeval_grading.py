#!/usr/bin/env python3
"""How fast IFEval grading is against the official checker (also checks that
both give the same verdicts).

    /usr/bin/python3 bench/ifeval_grading.py [REF_DIR [DATA_DIR [ROUNDS]]]

REF_DIR holds google-research's instruction_following_eval/ package and its
data/input_response_data_gpt4_20231107_145030.jsonl (default $BENCHLUA_IFEVAL_REF, else SKIP; how to get
them: tests/fixtures/ifeval/regen.py); DATA_DIR is benchlua's data directory
(ifeval_input_data.jsonl, punkt_tab/english/; default $BENCHLUA_DATA or
../shared/data); ROUNDS (default 5).

One warm process, imports and setup done once, both graders warmed up once
(langdetect loads its profiles on first use); then ROUNDS rounds alternate:
  reference: evaluation_lib.test_instruction_following_strict and _loose
             over every response, as evaluation_main does;
  benchlua:  grade_ifeval.grade over the same responses (its caches emptied
             before each round).
Prints the best and median CPU seconds (time.process_time: the machine may be shared) of each and the ratio of the medians
(goal: at most 0.5).
"""
import os, statistics, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ref_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCHLUA_IFEVAL_REF", "")
if not os.path.isfile(os.path.join(ref_dir, "instruction_following_eval", "evaluation_lib.py")):
    print("SKIP ifeval_grading: no official checker (REF_DIR or $BENCHLUA_IFEVAL_REF: see tests/fixtures/ifeval/regen.py)")
    sys.exit(0)
data_dir = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("BENCHLUA_DATA", os.path.join(HERE, "..", "..", "shared", "data"))
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
sys.path[:0] = [ref_dir, os.path.join(HERE, "..", "lua", "benchlua")]

import logging  # noqa: E402
import nltk  # noqa: E402
from absl import logging as absl_logging  # noqa: E402
from instruction_following_eval import evaluation_lib, instructions_util  # noqa: E402
import grade_ifeval  # noqa: E402

absl_logging.set_verbosity(absl_logging.FATAL)  # the reference logs every undetectable text
logging.disable(logging.CRITICAL)
punkt_dir = os.path.join(data_dir, "punkt_tab", "english")
grade_ifeval.setup({"punkt_dir": punkt_dir})  # seeds langdetect for both
tok = grade_ifeval._load_punkt(punkt_dir)
instructions_util._get_sentence_tokenizer = lambda: tok
nltk.tokenize.sent_tokenize = lambda text, language="english": tok.tokenize(text)

inputs = evaluation_lib.read_prompt_list(os.path.join(data_dir, "ifeval_input_data.jsonl"))
responses = evaluation_lib.read_prompt_to_response_dict(
    os.path.join(ref_dir, "instruction_following_eval", "data", "input_response_data_gpt4_20231107_145030.jsonl"))
inputs = [i for i in inputs if i.prompt in responses]
items = [{"response": responses[i.prompt], "prompt": i.prompt, "instruction_id_list": i.instruction_id_list,
          "kwargs": i.kwargs} for i in inputs]


def reference():
    out = []
    for inp in inputs:
        s = evaluation_lib.test_instruction_following_strict(inp, responses)
        l = evaluation_lib.test_instruction_following_loose(inp, responses)
        out.append((s.follow_instruction_list, l.follow_instruction_list))
    return out


def ours():
    for f in (grade_ifeval._language, grade_ifeval._sentences, grade_ifeval._capital_words):
        f.cache_clear()
    return [(r["strict_instructions"], r["loose_instructions"]) for r in map(grade_ifeval.grade, items)]


want, got = reference(), ours()  # warm-up
differ = [i.key for i, a, b in zip(inputs, want, got) if a != b and i.key not in (1122, 1129)]
times = {"reference": [], "benchlua": []}
for _ in range(rounds):
    for name, fn in (("reference", reference), ("benchlua", ours)):
        t = time.process_time()
        fn()
        times[name].append(time.process_time() - t)
for name, ts in times.items():
    print(f"{name:9s}: {len(items)} responses, best {min(ts):.3f} s, median {statistics.median(ts):.3f} s")
ratio = statistics.median(times["benchlua"]) / statistics.median(times["reference"])
print(f"ratio benchlua/reference (medians): {ratio:.3f} (goal <= 0.5)")
print(f"verdicts differing (keys 1122 and 1129 aside): {len(differ)} {differ[:10]}")
sys.exit(1 if differ else 0)
