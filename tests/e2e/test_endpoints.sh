#!/usr/bin/env bash
# End-to-end: one run over several running llama-servers (--endpoint given
# more than once). Two real servers with two slots each, each behind a
# counting proxy (tests/count_proxy.py) that says how many generation
# requests it was forwarding at once and when each began and ended.
#   1. one endpoint: as before (its slot count, the record lists it)
#   2. two endpoints: the throughput run keeps four requests in flight, never
#      more than two on either (even with --concurrency 8); the record lists
#      both; results and compare show the endpoints as a setting
#   3. an endpoint that is not there: one line naming it, status 1, nothing
#      left running; endpoints serving different models are refused
#   4. one server under two URLs is refused, naming both
#   5. an endpoint killed mid-run is dropped and the run ends ok; with every
#      endpoint killed it fails
. "$(dirname "$0")/lib.sh"
free_port() { /usr/bin/python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
cp "$MODEL" other.gguf
pids=()
trap 'kill ${pids[*]} 2>/dev/null; wait ${pids[*]} 2>/dev/null; rm -rf "$WORK"' EXIT
# serve MODEL NAME: a llama-server with two slots behind a proxy; sets
# url_NAME (the proxy) and sport_NAME (the server itself)
serve() {
  local sport pport
  sport=$(free_port)
  "$BENCHLUA_SERVER_BIN" -m "$1" --host 127.0.0.1 --port "$sport" -np 2 -c 2048 > "server-$2.log" 2>&1 &
  pids+=($!)
  pport=$(free_port)
  /usr/bin/python3 "$SRC/tests/count_proxy.py" --port "$pport" --upstream "http://127.0.0.1:$sport" \
    --log "requests-$2.jsonl" --spans "spans-$2.jsonl" > "proxy-$2.out" 2>&1 &
  pids+=($!)
  printf -v "url_$2" '%s' "http://127.0.0.1:$pport"
  printf -v "sport_$2" '%s' "$sport"
}
serve "$MODEL" a
serve "$MODEL" b
for n in a b; do
  port=sport_$n
  for _ in $(seq 400); do
    curl -sf "http://127.0.0.1:${!port}/health" >/dev/null 2>&1 && grep -q ready "proxy-$n.out" && break
    sleep 0.05
  done
done
# the most requests a proxy had in flight at once
most() { /usr/bin/python3 -c "import json; print(max([json.loads(l)['inflight'] for l in open('requests-$1.jsonl')] or [0]))"; }
count() { [ -e "requests-$1.jsonl" ] && wc -l < "requests-$1.jsonl" || echo 0; }

# 1. one endpoint: unchanged
"$BENCHLUA" throughput --endpoint "$url_a" --requests 8 --max-tokens 8 --quiet > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(most a)" = 2 ] && [ "$(count a)" = 8 ] && \
   [ "$(last_run benchmark_results.json "r['config']['concurrency'], r['config']['endpoint'], [(e['url'], e['slots']) for e in r['config']['endpoints']]")" = "2 $url_a [('$url_a', 2)]" ]; then
  pass "one --endpoint: its two slots in flight, the record lists it"
else fail "one --endpoint" "rc=$rc most=$(most a) count=$(count a) $(cat err.txt)"; fi
rm -f requests-a.jsonl spans-a.jsonl

# 2. two endpoints, two slots each
"$BENCHLUA" throughput --endpoint "$url_a" --endpoint "$url_b" --requests 40 --max-tokens 16 --quiet > out.txt 2> err.txt
rc=$?
overall=$(/usr/bin/python3 -c "
import json
ev = []
for n in 'ab':
    for l in open('spans-%s.jsonl' % n):
        s = json.loads(l)
        ev += [(s['start'], 1), (s['end'], -1)]
cur = top = 0
for _, d in sorted(ev, key=lambda e: (e[0], e[1])):
    cur += d
    top = max(top, cur)
print(top)")
if [ $rc -eq 0 ] && [ "$overall" = 4 ] && [ "$(most a)" = 2 ] && [ "$(most b)" = 2 ] && \
   [ $(( $(count a) + $(count b) )) = 40 ]; then
  pass "two endpoints of two slots: four requests in flight, two on each ($(count a) + $(count b) requests)"
else fail "two endpoints in flight" "rc=$rc overall=$overall most a=$(most a) b=$(most b) counts $(count a)+$(count b) $(cat err.txt)"; fi
rec=$(last_run benchmark_results.json "r['status'], r['config']['concurrency'], r['config']['server']['slots'], r['config']['endpoint'] == ['$url_a', '$url_b'], [(e['url'], e['slots'], e['model'].endswith('.gguf'), bool(e['build'])) for e in r['config']['endpoints']]")
if [ "$rec" = "ok 4 4 True [('$url_a', 2, True, True), ('$url_b', 2, True, True)]" ]; then
  pass "two endpoints: the record lists both, with their slots, model and build"
else fail "two endpoints: record" "$rec"; fi
"$BENCHLUA" results > res.txt 2> rerr.txt
rc=$?
if [ $rc -eq 0 ] && grep -q -- "$url_a $url_b" res.txt && ! grep -q "table:" res.txt; then
  pass "results: the endpoints are a setting (their URLs)"
else fail "results with endpoints" "rc=$rc $(cat res.txt rerr.txt)"; fi
"$BENCHLUA" compare 1 2 > cmp.txt 2> cerr.txt
rc=$?
# (their sampling differs, --max-tokens 8 and 16: compare says they are not comparable, exit 1)
if [ $rc -eq 1 ] && grep -q "NOT COMPARABLE: different sampling" cmp.txt && grep -q "endpoint: $url_a -> $url_a $url_b" cmp.txt; then
  pass "compare: names the endpoints among the settings that differ"
else fail "compare with endpoints" "rc=$rc $(cat cmp.txt cerr.txt)"; fi

rm -f requests-[ab].jsonl spans-[ab].jsonl
"$BENCHLUA" throughput --endpoint "$url_a" --endpoint "$url_b" --concurrency 8 --requests 24 --max-tokens 8 --quiet > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(most a)" = 2 ] && [ "$(most b)" = 2 ] && [ $(( $(count a) + $(count b) )) = 24 ]; then
  pass "--concurrency 8 over two endpoints of two slots: still two in flight on each (the rest wait in benchlua)"
else fail "--concurrency past the slots" "rc=$rc most a=$(most a) b=$(most b) $(cat err.txt)"; fi

# 3. an endpoint that is not there
dead=http://127.0.0.1:$(free_port)
t0=$(now_ms)
"$BENCHLUA" throughput --endpoint "$url_a" --endpoint "$dead" --requests 4 --ready-timeout 2 --quiet > out.txt 2> err.txt
rc=$?
dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q "^benchlua: endpoint $dead: server not ready after 2s" err.txt && \
   [ -z "$(pgrep -f -- "--endpoint $url_a")" ] && [ "$(servers | wc -l)" = 2 ] && [ $dt -lt 10000 ]; then
  pass "an endpoint not there: one line naming it, status 1, nothing left running"
else fail "an endpoint not there" "rc=$rc dt=${dt}ms $(cat err.txt)"; fi
check "an endpoint not there: the other servers are left up" kill -0 "${pids[@]}"

serve other.gguf c
for _ in $(seq 400); do curl -sf "http://127.0.0.1:$sport_c/health" >/dev/null 2>&1 && grep -q ready proxy-c.out && break; sleep 0.05; done
"$BENCHLUA" throughput --endpoint "$url_a" --endpoint "$url_c" --requests 4 --quiet > out.txt 2> err.txt
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q "^benchlua: the endpoints serve different models: $url_a serves .*$(basename "$MODEL"), $url_c serves .*other.gguf$" err.txt && \
   [ "$(count c)" = 0 ]; then
  pass "endpoints serving different models: refused before any request, naming both"
else fail "different models" "rc=$rc count=$(count c) $(cat err.txt)"; fi

# 4. one server under two URLs (through its proxy and directly, and as
# 127.0.0.1 and localhost) is refused naming both: its slots are not counted twice
for other in "http://127.0.0.1:$sport_a" "http://localhost:$sport_a"; do
  rm -f requests-a.jsonl
  "$BENCHLUA" throughput --endpoint "$url_a" --endpoint "$url_b" --endpoint "$other" --requests 4 --quiet > out.txt 2> err.txt
  rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l < err.txt)" = 1 ] && \
     grep -q "^benchlua: the endpoints $url_a and $other are the same server (their /props give the same media_marker" err.txt && \
     [ "$(count a)" = 0 ]; then
    pass "one llama-server as $url_a and $other: refused in one line naming both, no request sent"
  else fail "one server under two URLs ($other)" "rc=$rc count=$(count a) $(cat err.txt)"; fi
done

# 5. an endpoint that dies mid-run: its requests go to the other, it is
# dropped (said once, recorded), the run is ok with every request answered;
# with every endpoint killed the run fails, naming them
serve "$MODEL" d; pid_d=${pids[-2]}
serve "$MODEL" e; pid_e=${pids[-2]}
serve "$MODEL" f; pid_f=${pids[-2]}
for n in d e f; do
  port=sport_$n
  for _ in $(seq 400); do curl -sf "http://127.0.0.1:${!port}/health" >/dev/null 2>&1 && grep -q ready "proxy-$n.out" && break; sleep 0.05; done
done
# kill_after NAME N PID...: kill the servers once NAME's proxy has seen N requests
kill_after() {
  local n=$1 k=$2; shift 2
  for _ in $(seq 600); do [ "$(count "$n")" -ge "$k" ] && break; sleep 0.02; done
  kill -9 "$@"
  { wait "$@"; } 2>/dev/null # no "Killed" job notices
}
"$BENCHLUA" throughput --endpoint "$url_d" --endpoint "$url_e" --requests 40 --max-tokens 64 --quiet > out.txt 2> err.txt &
bl=$!
kill_after e 4 "$pid_e"
wait $bl
rc=$?
rec=$(last_run benchmark_results.json "r['status'], r['results']['metrics']['completions'], r['results']['failed_requests'], 'dropped' in r['config']['endpoints'][0], bool(r['config']['endpoints'][1].get('dropped'))")
said=$(grep -c "^benchlua: endpoint $url_e stopped answering (.*); dropped it, its requests go to the other 1$" err.txt)
if [ $rc -eq 0 ] && [ "$rec" = "ok 40 0 False True" ] && [ "$said" = 1 ] && [ "$(wc -l < err.txt)" = 1 ] && [ "$(count e)" -lt 40 ]; then
  pass "an endpoint killed mid-run: dropped (said once, recorded), all 40 requests answered by the other ($(count d) + $(count e) sent)"
else fail "an endpoint killed mid-run" "rc=$rc rec=$rec said=$said counts $(count d)+$(count e) $(cat err.txt)"; fi

rm -f requests-[df].jsonl
"$BENCHLUA" throughput --endpoint "$url_d" --endpoint "$url_f" --requests 40 --max-tokens 64 --quiet > out.txt 2> err.txt &
bl=$!
kill_after f 3 "$pid_d" "$pid_f"
wait $bl
rc=$?
rec=$(last_run benchmark_results.json "r['status'], r['error'].startswith('no endpoint left, each stopped answering: $url_d ('), all(e.get('dropped') for e in r['config']['endpoints'])")
if [ $rc -eq 1 ] && [ "$rec" = "failed True True" ] && [ "$(grep -c "stopped answering (.*); dropped it" err.txt)" = 2 ] && \
   grep -q "^benchlua: run failed: no endpoint left" err.txt && ! grep -qi traceback err.txt; then
  pass "every endpoint killed mid-run: the run fails, naming each"
else fail "every endpoint killed mid-run" "rc=$rc rec=$rec $(cat err.txt)"; fi
