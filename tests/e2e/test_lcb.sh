#!/usr/bin/env bash
# End-to-end: LiveCodeBench (benchmarks/lcb.lua) against the real llama-server
# and the tiny model, chat and base modes: the run completes, is recorded
# with a verdict for every sample, and leaves no server behind. (The tiny
# model writes nonsense: what is checked is the path, not the score.)
. "$(dirname "$0")/lib.sh"
need_data lcb_sample_1873_A.jsonl
DATA="$BENCHLUA_DATA/lcb_sample_1873_A.jsonl"

for mode in chat base; do
  flag=(); [ $mode = chat ] && flag=(--chat)
  "$BENCHLUA" lcb "${flag[@]}" --n 2 --dataset "$DATA" --model "$MODEL" --ctx 16384 --parallel 2 \
    --max-tokens 24 --results r.json --quiet >out.txt 2>err.txt
  rc=$?
  if [ $rc -ne 0 ]; then fail "lcb $mode run" "exit $rc: $(tail -3 err.txt)"; continue; fi
  got=$(last_run r.json "r['status'], r['results']['samples'], sum(r['results']['outcomes'].values()), r['results']['outcomes']['server_error'], r['results']['tokens_generated'] > 0, r['config']['sampling']['mode']")
  want="ok 2 2 0 True $( [ $mode = chat ] && echo chat || echo completion)"
  if [ "$got" = "$want" ]; then pass "lcb $mode run against the real server: recorded, every sample graded"
  else fail "lcb $mode run" "got '$got', want '$want'"; fi
  logs=$(last_run r.json "sum(1 for l in open(r['run_dir'] + '/samples.jsonl') if '\"results\"' in l)")
  if [ "$logs" = 2 ]; then pass "lcb $mode run: per-test results in the sample log"
  else fail "lcb $mode sample log" "$logs lines with results"; fi
done
if no_server_left 5; then pass "lcb runs leave no server behind"; else fail "lcb server left" "$(servers)"; fi
