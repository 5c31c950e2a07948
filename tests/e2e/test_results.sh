#!/usr/bin/env bash
# End-to-end: the results file under concurrent writers and kill -9, and the
# original plan's script mode against the real server.
. "$(dirname "$0")/lib.sh"
NOSRV="$SRC/tests/fixtures/no_server.lua"

# ten benchlua processes recording at once lose nothing
for i in $(seq 10); do "$BENCHLUA" "$NOSRV" --value $i --results shared.json --quiet >/dev/null 2>&1 & done
wait
got=$(/usr/bin/python3 -c "import json; print(sorted(r['results']['score'] for r in json.load(open('shared.json'))['runs']))")
if [ "$got" = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]" ]; then pass "10 concurrent writers: all 10 runs recorded"
else fail "10 concurrent writers" "got $got"; fi

# kill -9 at random moments while writing never leaves a corrupt file: the
# file holds one run before, and after every kill it must exist and parse
"$BENCHLUA" "$NOSRV" --value 0 --results killed.json --quiet >/dev/null 2>&1
bad=0 states=""
for i in $(seq 40); do
  "$BENCHLUA" "$NOSRV" --value $i --results killed.json --quiet >/dev/null 2>&1 &
  pid=$!
  sleep 0.0$((RANDOM % 10))
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  if ! /usr/bin/python3 -c "import json; d=json.load(open('killed.json')); assert isinstance(d['runs'], list) and d['runs'][0]['results']['score'] == 0" 2>/dev/null; then
    bad=$((bad + 1)); states="$states $i"
  fi
done
n=$(/usr/bin/python3 -c "import json; print(len(json.load(open('killed.json'))['runs']))" 2>/dev/null || echo 0)
if [ $bad -eq 0 ] && [ "$n" -ge 1 ]; then pass "kill -9 during 40 runs: the file always exists and parses ($n runs kept)"
else fail "kill -9 mid-write" "$bad missing or corrupt states (after kills$states), $n runs"; fi

# script mode: benchlua run --benchmark NAME --script SCRIPT --model M
cat > eval_ok.py <<'EOS'
import os, sys, json, urllib.request
url = os.environ["BENCHLUA_SERVER_URL"]
assert sys.argv[1:5] == ["--url", url, "--port", os.environ["BENCHLUA_SERVER_PORT"]], sys.argv
body = json.dumps({"prompt": "def f():", "n_predict": 4}).encode()
r = json.load(urllib.request.urlopen(urllib.request.Request(url + "/completion", body)))
print("generated", r["tokens_predicted"], "tokens")
print({'pass@1': 0.4375})
EOS
"$BENCHLUA" run --benchmark human_eval --script eval_ok.py --model "$MODEL" --gpu-layers 0 >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(last_run benchmark_results.json "r['results']['score'], 'generated 4 tokens' in r['results']['raw_output'], r['config']['gpu_layers'], r['config']['script']")" = "0.4375 True 0 eval_ok.py" ]; then
  pass "script mode: the script reaches the server, its score is parsed and recorded"
else fail "script mode" "rc=$rc $(cat err.txt) $(tail -c 300 benchmark_results.json)"; fi
check "script mode: no llama-server left" no_server_left 2

printf 'print("all done, no numbers here")\n' > eval_noscore.py
"$BENCHLUA" run --benchmark human_eval --script eval_noscore.py --model "$MODEL" >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && [ "$(last_run benchmark_results.json "r['status'], 'score' in r['results'], 'no numbers here' in r['results']['raw_output']")" = "failed False True" ]; then
  pass "script mode: output without a score is a failed run with the output kept"
else fail "script mode, no score" "rc=$rc $(cat err.txt)"; fi

printf 'import sys\nprint("score: 12.5")\nsys.exit(3)\n' > eval_crash.py
"$BENCHLUA" run --benchmark "$SRC/tests/fixtures/script_bench.lua" --script eval_crash.py --model "$MODEL" >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && grep -q "the script exited with status 3" err.txt; then
  pass "script mode: a script that fails is a failed run, whatever it printed"
else fail "script mode, crash" "rc=$rc $(cat err.txt)"; fi
check "script mode: no llama-server left at the end" no_server_left 2
