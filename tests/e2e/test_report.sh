#!/usr/bin/env bash
# End-to-end: `benchlua report` on runs made by benchlua (HumanEval against the
# real llama-server at two settings, samples files scored without a server, a
# throughput run, a failed run), opened in headless Chromium over the DevTools
# protocol (tests/report_check.py): no console error, no request leaving the
# file, the expected rows and charts in the DOM, a run's samples on demand, at
# a desktop and a phone width. The checker itself must fail on a page that
# loads a script from the network and logs an error.
. "$(dirname "$0")/lib.sh"
CHECK="$SRC/tests/report_check.py"
need_data HumanEval.jsonl.gz
DATA="$BENCHLUA_DATA/HumanEval.jsonl.gz"
if ! command -v chromium >/dev/null && [ ! -x /usr/lib/chromium/chromium ]; then
  fail "report: chromium" "not installed (make deps installs it)"; exit 0
fi

cp "$DATA" he.jsonl.gz
/usr/bin/python3 "$SRC/tests/fixtures/results/make_samples.py" he.jsonl.gz
for s in a b; do "$BENCHLUA" human_eval --samples $s.jsonl --dataset he.jsonl.gz --limit 10 --quiet >/dev/null 2>&1; done
for np in 2 4; do
  "$BENCHLUA" human_eval --model "$MODEL" --dataset he.jsonl.gz --limit 10 --max-tokens 16 --parallel $np --ctx 4096 --quiet >/dev/null 2>&1
done
"$BENCHLUA" throughput --model "$MODEL" --requests 16 --max-tokens 8 --parallel 2 --quiet >/dev/null 2>&1
printf 'return { name = "boom", server = false, run = function() error("no luck", 0) end }\n' > boom.lua
"$BENCHLUA" boom.lua --quiet >/dev/null 2>&1
n=$(/usr/bin/python3 -c "import json; print(len(json.load(open('benchmark_results.json'))['runs']))")
check "report: 6 runs made by benchlua" test "$n" = 6

"$BENCHLUA" report -o report.html > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ] && grep -q "report: 6 runs from benchmark_results.json written to report.html" out.txt; then pass "report: written"
else fail "report: written" "rc=$rc $(cat out.txt err.txt)"; fi

# 6 rows; charts for human_eval (4 runs: score bars with intervals, 2 points
# with tokens/s, a 10-problem x 4-run heatmap) and throughput (1 run, no heatmap)
# The leaderboard opens the page: one row per (model, setting) with an ok
# run (the samples files' runs have no model: one row; np 2 and np 4: two
# more; throughput at np 2 with the default context: a fourth), the best of
# human_eval and of throughput marked.
expect='{"rows": 6, "score_charts": 2, "bars": 5, "interval_bars": 4, "scatters": 2, "points": 3, "heatmaps": 1, "cells": 40, "show_buttons": 4, "leaderboard_rows": 4, "leaderboard_best": 2}'
for size in "1280 900 --leaderboard-fits" "390 844 --mobile"; do
  set -- $size
  out=$(/usr/bin/python3 "$CHECK" report.html --width $1 --height $2 ${3:-} --expect "$expect" --click-run 3 2>&1)
  rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) pass "report at ${1}px: ${line#ok   }" ;;
      "FAIL "*) fail "report at ${1}px" "${line#FAIL }" ;;
    esac
  done <<< "$out"
  [ $rc -eq 0 ] || [ -n "$(grep '^FAIL' <<< "$out")" ] || fail "report at ${1}px" "the checker failed: $out"
done

# the checker can fail: a page that fetches a script and logs an error
printf '<!DOCTYPE html><html><head><script src="http://127.0.0.1:9/x.js"></script></head><body><script>console.error("boom")</script></body></html>' > bad.html
out=$(/usr/bin/python3 "$CHECK" bad.html 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "^FAIL no request leaves the file (http://127.0.0.1:9/x.js)" <<< "$out" && grep -q "^FAIL no console errors (.*boom" <<< "$out"; then
  pass "report checker: fails on a network request and a console error"
else fail "report checker on a bad page" "rc=$rc $out"; fi
check "report: no llama-server left" no_server_left 2
