#!/usr/bin/env bash
# End-to-end: humaneval_plus, mbpp_plus and mbpp, full runs (generate with the
# real llama-server and the tiny model, sanitize, judge, record) on a few
# problems; each completes, records base and plus side by side (the plus
# recipes), logs every sample and leaves no server behind.
. "$(dirname "$0")/lib.sh"
need_data HumanEvalPlus.jsonl.gz MbppPlus.jsonl.gz mbpp.jsonl
DATA="$BENCHLUA_DATA"
export XDG_CACHE_HOME="$WORK/cache"   # the ground truth of these problems, not the user's cache

run_recipe() { # NAME ARGS...: one full run; checks the record and the sample log
  local name=$1; shift
  "$BENCHLUA" "$name" --model "$MODEL" --parallel 4 --ctx 8192 --limit 3 --max-tokens 24 \
    --results "$name.json" --quiet "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  if [ $rc -ne 0 ]; then fail "$name full run" "exit $rc: $(tail -3 "$name.err")"; return; fi
  local got
  got=$(last_run "$name.json" "r['status'], r['results']['samples'], sum(r['results']['outcomes'].values()), r['results']['tokens_generated'] > 0, len(open(r['run_dir'] + '/samples.jsonl').read().splitlines())")
  if [ "$got" = "ok 3 3 True 3" ]; then pass "$name: full run against llama-server recorded (3 samples, logged)"
  else fail "$name full run" "status, samples, outcomes, tokens, log lines = $got"; fi
  no_server_left 5 && pass "$name: no server left" || fail "$name: server left" "$(servers)"
}

run_recipe humaneval_plus --dataset "$DATA/HumanEvalPlus.jsonl.gz"
got=$(last_run humaneval_plus.json "sorted(r['results']['pass_at_k_by_set']), 'pass@1' in r['results']['base_pass_at_k'], 'pass@1' in r['results']['plus_pass_at_k'], type(r['results'].get('passed_base_failed_plus', [])).__name__, r['reproducibility']['evalplus_hash']")
if [ "$got" = "['base', 'plus'] True True list fe585eb4df8c88d844eeb463ea4d0302" ]; then
  pass "humaneval_plus: base and plus pass@k side by side, evalplus's hash of the data"
else fail "humaneval_plus record" "$got"; fi
# the prompt a sample was generated from, against the dataset's (python reads both)
prompt_is() { # RESULTS TASK_ID DATASET EXPR(p = the dataset record)
  /usr/bin/python3 - "$@" <<'PY'
import gzip, json, sys
res, tid, data, expr = sys.argv[1:5]
run = json.load(open(res))["runs"][-1]
got = [json.loads(l) for l in open(run["run_dir"] + "/samples.jsonl")]
got = [g for g in got if g["task_id"] == tid][0]["prompt"]
op = gzip.open if data.endswith(".gz") else open
p = [json.loads(l) for l in op(data, "rt") if json.loads(l)["task_id"] in (tid, int(tid) if tid.isdigit() else None)][0]
sys.exit(0 if got == eval(expr) else 1)
PY
}
prompt_is humaneval_plus.json HumanEval/0 "$DATA/HumanEvalPlus.jsonl.gz" 'p["prompt"].strip() + "\n"' &&
  pass "humaneval_plus: the prompt is stripped + newline, as evalplus sends it" || fail "humaneval_plus prompt" "differs"
run_recipe mbpp_plus --dataset "$DATA/MbppPlus.jsonl.gz"
run_recipe mbpp --dataset "$DATA/mbpp.jsonl"
prompt_is mbpp.json 11 "$DATA/mbpp.jsonl" "'\"\"\"\\n' + p['text'] + '\\n' + p['test_list'][0] + '\\n\"\"\"\\n'" &&
  pass "mbpp: bigcode's docstring prompt" || fail "mbpp prompt" "differs"
