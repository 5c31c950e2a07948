#!/usr/bin/env bash
# End-to-end: interrupted runs and --resume against the real llama-server.
# benchlua talks to the server through a counting proxy (tests/count_proxy.py)
# that logs every completion request, so the test knows exactly what the
# resumed run asked for.
#   1. kill -9 of benchlua mid-run; the next command records the orphan as
#      interrupted; --resume with other settings is refused, naming them;
#      --resume requests only the completions the sample log lacks, and the
#      final record covers every problem once (the interrupted one superseded).
#   2. Ctrl-C: back within a second, recorded as interrupted; --resume finishes.
#   3. Two Ctrl-C at once: benchlua leaves at once, the server with it.
. "$(dirname "$0")/lib.sh"
need_data HumanEval.jsonl.gz
cp "$BENCHLUA_DATA/HumanEval.jsonl.gz" he.jsonl.gz
N=24
free_port() { /usr/bin/python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
sport=$(free_port)
"$BENCHLUA_SERVER_BIN" -m "$MODEL" --host 127.0.0.1 --port "$sport" -np 2 -c 4096 > server.log 2>&1 &
srv=$!
pport=$(free_port)
/usr/bin/python3 "$SRC/tests/count_proxy.py" --port "$pport" --upstream "http://127.0.0.1:$sport" --log requests.jsonl > proxy.out 2>&1 &
proxy=$!
trap 'kill $proxy $srv 2>/dev/null; wait $proxy $srv 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$sport/health" >/dev/null 2>&1 && grep -q ready proxy.out && break; sleep 0.05; done
RUN=("$BENCHLUA" human_eval --endpoint "http://127.0.0.1:$pport" --dataset he.jsonl.gz --limit $N --overlap on)
samples() { cat benchlua-runs/*/samples.jsonl 2>/dev/null | wc -l; }
requests() { [ -e requests.jsonl ] && wc -l < requests.jsonl || echo 0; }

# 1. kill -9 mid-run
"${RUN[@]}" --max-tokens 48 --quiet > out.txt 2> err.txt &
pid=$!
for _ in $(seq 3000); do [ "$(samples)" -ge 6 ] && break; sleep 0.02; done
kill -9 $pid; wait $pid 2>/dev/null
dir=$(ls -d benchlua-runs/*/ | head -n1)
done1=$(/usr/bin/python3 -c "
import json
print(sum(1 for l in open('${dir}samples.jsonl') if l.endswith('\n') and json.loads(l).get('outcome') not in (None, 'server_error')))")
before=$(requests)
check "kill -9: the run directory keeps its state ($done1 samples done)" test -e "${dir}state.json" -a "$done1" -gt 0 -a "$done1" -lt $N
"$BENCHLUA" results > res.txt 2> rerr.txt
if grep -q "recorded an interrupted human_eval run from" rerr.txt && [ "$(last_run benchmark_results.json "r['status'], r['results']['samples_done'] >= $done1")" = "interrupted True" ] && [ ! -e "${dir}state.json" ]; then
  pass "kill -9: the next command (results) records the orphaned run as interrupted"
else fail "kill -9: orphan recorded" "$(cat rerr.txt res.txt)"; fi
"$BENCHLUA" results > /dev/null 2> rerr.txt
check "kill -9: the orphan is recorded once" test "$(/usr/bin/python3 -c "import json; print(len(json.load(open('benchmark_results.json'))['runs']))")" = 1

"${RUN[@]}" --quiet --resume --max-tokens 32 > out.txt 2> err.txt && true
rc=$?
if [ $rc -eq 2 ] && grep -q -- "--resume: run #1 .* had different settings: --max-tokens 48 (now 32)" err.txt && [ "$(requests)" = "$before" ]; then
  pass "--resume with other settings: refused, naming the difference"
else fail "--resume, other settings" "rc=$rc $(cat err.txt)"; fi

"${RUN[@]}" --max-tokens 48 --quiet --resume > out.txt 2> err.txt
rc=$?
second=$(( $(requests) - before ))
if [ $rc -eq 0 ] && [ $second -eq $((N - done1)) ]; then
  pass "--resume: requests only the $second missing completions ($done1 of $N kept)"
else fail "--resume: only the missing ones" "rc=$rc requested $second, expected $((N - done1)) $(cat err.txt)"; fi
# the prompts requested the second time are exactly the problems the log lacked
/usr/bin/python3 - "$dir" "$before" "$N" > check.txt <<'PY'
import gzip, json, sys
d, before = sys.argv[1], int(sys.argv[2])
by_prompt = {p["prompt"]: p["task_id"] for p in map(json.loads, gzip.open("he.jsonl.gz"))}
kept = {json.loads(l)["task_id"] for l in open(d + "samples.jsonl") if l.endswith("\n") and json.loads(l).get("outcome") not in (None, "server_error")}
asked = [by_prompt.get(json.loads(l)["prompt"]) for l in open("requests.jsonl").readlines()[before:]]
runs = json.load(open("benchmark_results.json"))["runs"]
last = runs[-1]
final = [json.loads(l)["task_id"] for l in open(last["run_dir"] + "/samples.jsonl")]
print("asked-kept overlap:", sorted(set(asked) & kept))
print("asked twice:", sorted(t for t in set(asked) if asked.count(t) > 1))
print("final log covers every problem once:", len(final) == len(set(final)) == last["results"]["problems"] == int(sys.argv[3]) or (len(final), len(set(final)), last["results"]["problems"]))
print("record:", last["status"], last["results"]["samples"], last["results"].get("resumed_samples"), last["resumed_from"]["run"])
PY
if [ "$(sed -n 1,3p check.txt)" = "$(printf 'asked-kept overlap: []\nasked twice: []\nfinal log covers every problem once: True')" ] &&
   [ "$(sed -n 4p check.txt)" = "record: ok $N $done1 1" ]; then
  pass "--resume: nothing kept is asked again, the final record covers all $N problems once"
else fail "--resume: final record" "$(cat check.txt)"; fi
check "--resume: the interrupted run shows as superseded" \
  test "$("$BENCHLUA" results --format jsonl | /usr/bin/python3 -c "import json, sys; print(' '.join('%d,%s' % (r['run'], r['status']) for r in map(json.loads, sys.stdin)))")" = "1,superseded 2,ok"

# 2. Ctrl-C: back within a second; then --resume finishes it
rm -rf benchlua-runs benchmark_results.json requests.jsonl
"${RUN[@]}" --max-tokens 64 --quiet > out.txt 2> err.txt &
pid=$!
for _ in $(seq 3000); do [ "$(samples)" -ge 4 ] && break; sleep 0.02; done
t0=$(now_ms); kill -INT $pid; wait $pid; rc=$?; dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 130 ] && [ $dt -lt 1000 ] && [ "$(last_run benchmark_results.json "r['status']")" = interrupted ]; then
  pass "Ctrl-C: back in ${dt} ms, recorded as interrupted"
else fail "Ctrl-C" "rc=$rc dt=${dt}ms $(cat err.txt)"; fi
"${RUN[@]}" --max-tokens 64 --quiet --resume > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(last_run benchmark_results.json "r['status'], r['results']['samples'], r['resumed_from']['run']")" = "ok $N 1" ]; then
  pass "Ctrl-C then --resume: the run completes"
else fail "Ctrl-C then --resume" "rc=$rc $(cat err.txt)"; fi

# 2b. scoring after generation (--overlap off, the CPU-only default): every
# completion is kept as it arrives (generated.jsonl), so kill -9 or Ctrl-C
# mid-generation loses none, and --resume scores them without asking again
generated() { cat benchlua-runs/*/generated.jsonl 2>/dev/null | wc -l; }
RUNOFF=("${RUN[@]:0:${#RUN[@]}-2}" --overlap off)
for how in KILL INT; do
  rm -rf benchlua-runs benchmark_results.json requests.jsonl
  "${RUNOFF[@]}" --max-tokens 48 --quiet > out.txt 2> err.txt &
  pid=$!
  for _ in $(seq 3000); do [ "$(generated)" -ge 6 ] && break; sleep 0.02; done
  kill -$how $pid; wait $pid 2>/dev/null
  "$BENCHLUA" results > /dev/null 2>&1 # (records the run a kill -9 left)
  gen=$(/usr/bin/python3 -c "
import glob, json
print(sum(1 for f in glob.glob('benchlua-runs/*/generated.jsonl') for l in open(f) if l.endswith('\n')))")
  got=$(last_run benchmark_results.json "r['status'], r['results'].get('samples_unscored'), r['results'].get('samples_done', 0)")
  check "$how mid-generation (overlap off): recorded interrupted with the $gen completions generated, unscored ($got)" \
    test "$got" = "interrupted $gen 0" -a "$gen" -gt 0 -a "$gen" -lt $N
  before=$(requests)
  "${RUNOFF[@]}" --max-tokens 48 --quiet --resume > out.txt 2> err.txt
  rc=$?
  asked=$(( $(requests) - before ))
  rec=$(last_run benchmark_results.json "r['status'], r['results']['samples'], r['resumed_from'].get('generated_kept')")
  if [ $rc -eq 0 ] && [ $asked -eq $((N - gen)) ] && [ "$rec" = "ok $N $gen" ]; then
    pass "$how, then --resume: the $gen kept completions are scored, only the $asked others asked for"
  else fail "$how then --resume (overlap off)" "rc=$rc asked $asked, expected $((N - gen)); $rec $(cat err.txt)"; fi
done

# 3. a second Ctrl-C leaves at once, with the server benchlua started
kill $proxy $srv 2>/dev/null; wait $proxy $srv 2>/dev/null
no_server_left 5 || fail "the test's own server" "still up"
rm -rf benchlua-runs
"$BENCHLUA" human_eval --model "$MODEL" --dataset he.jsonl.gz --limit $N --max-tokens 64 --parallel 2 --ctx 4096 --overlap on --quiet > out.txt 2> err.txt &
pid=$!
for _ in $(seq 3000); do [ "$(samples)" -ge 2 ] && break; sleep 0.02; done
t0=$(now_ms); kill -INT $pid; kill -INT $pid; wait $pid; rc=$?; dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 130 ] && [ $dt -lt 500 ] && no_server_left 3; then pass "two Ctrl-C: gone in ${dt} ms, no server left"
else fail "two Ctrl-C" "rc=$rc dt=${dt}ms $(cat err.txt)"; fi
