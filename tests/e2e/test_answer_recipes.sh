#!/usr/bin/env bash
# End-to-end: the answer-graded benchmarks (lua/benchlua/answerbench.lua).
#  1. chat runs of the toy benchmark (tests/fixtures/answer/toy.lua) against
#     tests/fake_server.py answering known texts: passed, wrong, no_answer,
#     truncated (finish "length", an unclosed <think>) end to end, in Lua and
#     through the Python grading helper (pygrade.lua); --generate-only then
#     --samples of that file gives the same verdicts; the record's fields.
#  2. full runs of gsm8k, gpqa_diamond, aime, math500, mmlu_pro and ifeval
#     against the real llama-server and the tiny model on two problems each.
#  2b. math500 --samples of answers only sympy decides (graded by the one helper that imports it).
#  3. a data file that is nowhere: one line naming it, before any server starts.
. "$(dirname "$0")/lib.sh"
FAKE="$SRC/tests/fake_server.py"
TOY="$SRC/tests/fixtures/answer/toy.lua"
export XDG_CACHE_HOME="$WORK/cache"
cat > answers.json <<'JSON'
[{"match": "one plus one", "content": "<think>easy</think>One and one. The answer is 2."},
 {"match": "two plus two", "content": "The answer is 5.", "reasoning": "The answer is 4."},
 {"match": "ten minus one", "content": "I would say nine", "finish_reason": "stop"},
 {"match": "three times three", "content": "The answer is 9 and then some more", "finish_reason": "length"},
 {"match": "zero plus zero", "content": "<think>The answer is 0"}]
JSON
cp "$SRC/tests/fixtures/answer/toy.jsonl" toy.jsonl; printf GGUF > nope.gguf
printf '%s\n' '{"id": "d", "question": "three times three", "answer": "9"}' '{"id": "e", "question": "zero plus zero", "answer": "0"}' >> toy.jsonl
WANT='a passed 2 True|b wrong 5 False|c no_answer None False|d truncated None False|e truncated None False'

verdicts() { # RESULTS: the sample log's task outcome extracted passed, by task
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][-1]
recs = sorted((json.loads(l) for l in open(r["run_dir"] + "/samples.jsonl")), key=lambda x: x["task_id"])
print("|".join("%s %s %s %s" % (x["task_id"], x["outcome"], x.get("extracted"), x["passed"]) for x in recs))
PY
}

for mode in lua python; do
  [ $mode = python ] && export TOY_PY=1 TOY_TAG=e2e
  "$BENCHLUA" "$TOY" --model nope.gguf --server-bin "$FAKE" --server-arg=--answers --server-arg="$WORK/answers.json" \
    --chat --dataset toy.jsonl --results chat-$mode.json --quiet >chat-$mode.out 2>chat-$mode.err
  rc=$?
  got=$(verdicts chat-$mode.json 2>&1)
  if [ $rc -eq 0 ] && [ "$got" = "$WANT" ]; then pass "answer chat ($mode grader): passed, wrong, no_answer, truncated (length, unclosed think) from a fake server"
  else fail "answer chat ($mode grader)" "rc $rc: $got $(tail -2 chat-$mode.err)"; fi
  got=$(last_run chat-$mode.json "r['results']['score'], r['results']['outcomes']['truncated'], r['results']['grader'], r['results']['metric'], len(r['reproducibility']['prompt_sha256']), len(r['reproducibility']['dataset_sha256']), r['results']['prompt_tokens_evaluated'], r['results']['prompt_tokens_cached'], r['config']['prompt_mode'], 'ci95' in r['results']")
  if [ "$got" = "0.2 2 toy last-answer chat avg@1 64 64 35 15 chat True" ]; then pass "answer chat ($mode grader): the record names the grader, the prompt and dataset digests, avg@1, prompt tokens evaluated and cached"
  else fail "answer chat record ($mode)" "$got"; fi
  # the reasoning is kept apart: task b's reasoning says 4, its answer 5
  got=$(last_run chat-$mode.json "[l for l in open(r['run_dir'] + '/samples.jsonl') if '\"b\"' in l][0].count('The answer is 4')")
  [ "$got" = 1 ] && pass "answer chat ($mode grader): reasoning logged apart, not graded" || fail "answer reasoning ($mode)" "$got"
  # generate-only, then --samples of that file: the same verdicts, without a server
  "$BENCHLUA" "$TOY" --model nope.gguf --server-bin "$FAKE" --server-arg=--answers --server-arg="$WORK/answers.json" \
    --chat --dataset toy.jsonl --generate-only gen-$mode.jsonl --results gen-$mode.json --quiet >gen.out 2>gen.err
  "$BENCHLUA" "$TOY" --chat --dataset toy.jsonl --samples gen-$mode.jsonl --results samples-$mode.json --quiet >s.out 2>s.err
  rc=$?
  got=$(/usr/bin/python3 -c "
import json
print('|'.join('%s %s %s %s' % (x['task_id'], x['outcome'], x['extracted'], x['passed']) for x in sorted((json.loads(l) for l in open('gen-$mode""_results.jsonl')), key=lambda x: x['task_id'])))" 2>&1)
  if [ $rc -eq 0 ] && [ "$got" = "$WANT" ]; then pass "answer --generate-only then --samples ($mode grader): the same verdicts in FILE_results.jsonl"
  else fail "answer samples round trip ($mode)" "rc $rc: $got $(tail -2 s.err)"; fi
  got=$(/usr/bin/python3 -c "
import json
print([sorted(json.loads(l)) for l in open('gen-$mode.jsonl')][3])")
  [ "$got" = "['finish', 'repeat', 'response', 'task_id']" ] && pass "answer --generate-only ($mode): task_id, repeat, response (and finish when cut)" || fail "answer generate-only format ($mode)" "$got"
done
unset TOY_PY TOY_TAG
got=$(last_run chat-python.json "sorted(r['results']['grader_versions']), r['results']['grader_versions']['toy']")
[ "$got" = "['python', 'toy'] 1.0" ] && pass "answer (python grader): the helper's versions() recorded" || fail "answer grader_versions" "$got"

# 2. every recipe, a full run against llama-server and the tiny model
run_recipe() { # NAME DATAFILE ARGS...
  local name=$1 file=$2; shift 2
  if [ ! -e "$SRC/lua/benchlua/grade_${name%_diamond}.lua" ]; then echo "SKIP $name full run: its grader module is not here yet"; return; fi
  if [ ! -e "$BENCHLUA_DATA/$file" ]; then echo "SKIP $name full run: no $file in $BENCHLUA_DATA"; return; fi
  "$BENCHLUA" "$name" --model "$MODEL" --parallel 2 --ctx 8192 --limit 2 --n 1 --max-tokens 16 \
    --results "$name.json" --quiet "$@" >"$name.out" 2>"$name.err"
  local rc=$? got
  got=$(last_run "$name.json" "r['status'], r['results']['samples'], sum(r['results']['outcomes'].values()), bool(r['results']['grader']), len(r['reproducibility']['prompt_sha256']), len(open(r['run_dir'] + '/samples.jsonl').read().splitlines())" 2>&1)
  if [ $rc -eq 0 ] && [ "$got" = "ok 2 2 True 64 2" ]; then pass "$name: full run against llama-server recorded (2 samples, grader, digests)"
  else fail "$name full run" "rc $rc: $got $(tail -3 "$name.err")"; fi
  no_server_left 5 || fail "$name: server left" "$(servers)"
}
run_recipe gsm8k gsm8k_test.jsonl
run_recipe gsm8k gsm8k_test.jsonl --chat
run_recipe gpqa_diamond gpqa_diamond.csv.gz
run_recipe aime aime_2024.jsonl --year 2024
run_recipe math500 math500.jsonl --chat
run_recipe mmlu_pro mmlu_pro_test.jsonl.gz
run_recipe ifeval ifeval_input_data.jsonl

# 2b. math500 --samples of answers only sympy decides: the helpers put sympy off to one helper of
# its own (grade_math.py's setup{"defer"}); the verdicts are still prm800k's (True True False True)
if [ -e "$BENCHLUA_DATA/math500.jsonl" ]; then
  cat > sym.jsonl <<'JSON'
{"task_id": "test/precalculus/697.json", "response": "so $\\boxed{1 \\cdot (-\\sqrt{3})}$"}
{"task_id": "test/precalculus/697.json", "repeat": 1, "response": "$\\boxed{\\frac{\\sqrt{3}}{-1}}$"}
{"task_id": "test/precalculus/697.json", "repeat": 2, "response": "$\\boxed{\\frac{3}{\\sqrt{3}}}$"}
{"task_id": "test/prealgebra/1558.json", "response": "\\boxed{1 \\cdot (1.25)}"}
JSON
  "$BENCHLUA" math500 --samples sym.jsonl --dataset "$BENCHLUA_DATA/math500.jsonl" --workers 2 --results sym.json --quiet >sym.out 2>sym.err
  rc=$?
  got=$(/usr/bin/python3 -c 'import json, sys; print(" ".join(json.loads(l)["outcome"] for l in open("sym_results.jsonl")), sorted(json.load(open("sym.json"))["runs"][-1]["results"]["grader_versions"]))' 2>&1)
  if [ $rc -eq 0 ] && [ "$got" = "passed passed wrong passed ['pylatexenc', 'python', 'sympy']" ]; then
    pass "math500 --samples: answers only sympy decides are graded by the helper that imports it (prm800k's verdicts)"
  else fail "math500 sympy answers" "rc $rc: $got $(tail -3 sym.err)"; fi
else echo "SKIP math500 sympy answers: no math500.jsonl in $BENCHLUA_DATA"; fi

# 3. a data file nowhere: one line, exit 2, no server started
BENCHLUA_DATA="$WORK/empty" "$BENCHLUA" "$TOY" --model "$MODEL" --results miss.json >miss.out 2>miss.err
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l < miss.err)" = 1 ] && grep -q "toy.jsonl: not found" miss.err && grep -q -- "--dataset PATH" miss.err && [ ! -e miss.json ]; then
  pass "answer: a data file nowhere is one line naming it and how to provide it, before any server"
else fail "answer missing data" "rc $rc: $(cat miss.err)"; fi
