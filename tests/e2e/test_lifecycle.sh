#!/usr/bin/env bash
# End-to-end: every server-lifecycle promise, against the real llama-server.
. "$(dirname "$0")/lib.sh"
RUN=("$BENCHLUA" throughput --model "$MODEL" --parallel 4 --ctx 8192 --quiet)

# 1. a full run: spawn, ready, a few hundred concurrent completions, record, stop
"${RUN[@]}" --requests 300 --max-tokens 16 >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(last_run benchmark_results.json "r['status'], r['results']['metrics']['completions']")" = "ok 300" ]; then
  pass "full run: 300 concurrent completions recorded"
else fail "full run" "rc=$rc $(cat err.txt)"; fi
check "full run: the server's build is recorded" \
  test "$(last_run benchmark_results.json "r['reproducibility']['server_build'] != None and r['config']['server']['slots']")" = 4
check "full run: no llama-server left" no_server_left 2
dir=$(last_run benchmark_results.json "r['run_dir']")
check "full run: the server log is kept with the run" grep -q "model loaded" "$dir/server.log"
check "full run: one sample line per request" test "$(wc -l < "$dir/samples.jsonl")" = 300

# 2. the server exits while loading (a file that is not a model): fail at once with status and log
printf 'GGUF-but-not-really' > bad.gguf
t0=$(now_ms)
"$BENCHLUA" throughput --model bad.gguf --ready-timeout 120 >out.txt 2>err.txt
rc=$?; dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 1 ] && grep -q "exited with status" err.txt && grep -qi "gguf\|model" err.txt && [ $dt -lt 10000 ]; then
  pass "bad model: fails at once (${dt} ms) with the exit status and the log's last lines"
else fail "bad model" "rc=$rc dt=${dt}ms $(head -c 600 err.txt)"; fi
check "bad model: no llama-server left" no_server_left 2

# 3. an explicit port that is taken
/usr/bin/python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)" > port.txt &
holder=$!
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.05; done
port=$(cat port.txt)
"${RUN[@]}" --port "$port" >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && grep -q "port $port on 127.0.0.1 is already in use" err.txt; then pass "taken port: a clear error"
else fail "taken port" "rc=$rc $(cat err.txt)"; fi
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# 4. signals and errors at every phase leave no server behind
#    loading: a server binary that takes 2 s before exec'ing the real one
cat > slow-server <<EOS
#!/bin/sh
sleep 2
exec "$BENCHLUA_SERVER_BIN" "\$@"
EOS
chmod +x slow-server
for sig in INT TERM KILL; do
  "${RUN[@]}" --server-bin ./slow-server >out.txt 2>err.txt &
  pid=$!
  sleep 0.7   # benchlua is waiting for the server to load
  kill -$sig $pid; wait $pid 2>/dev/null
  # the slow wrapper is still "sleep 2" here: look for it and the server it becomes
  if no_server_left 5 && ! pgrep -f "$WORK/slow-server" >/dev/null; then pass "SIG$sig while loading: no server left"
  else fail "SIG$sig while loading" "left: $(servers) $(pgrep -af slow-server)"; fi
done
#    Ctrl-C or SIGTERM while loading: one line after "Interrupt: stopping", the
#    run recorded interrupted by this process (error names the signal), exit
#    128+signal, nothing left, and no later command records it again as killed
for sig in INT TERM; do
  rm -f loading.json
  "${RUN[@]}" --server-bin ./slow-server --results loading.json >out.txt 2>err.txt &
  pid=$!
  sleep 0.7
  kill -$sig $pid; wait $pid; rc=$?
  want=$([ $sig = INT ] && echo "130 interrupted" || echo "143 terminated")
  set -- $want
  rec=$( [ -s loading.json ] && runs loading.json "len(rs), rs[-1]['status'], rs[-1]['error']")
  if [ $rc = "$1" ] && [ "$(wc -l < err.txt)" = 2 ] && grep -q "stopping (again to force)" err.txt \
     && [ "$(sed -n 2p err.txt)" = "benchlua: the run was $2 while the server loaded; recorded the interrupted run in loading.json" ] \
     && [ "$rec" = "1 interrupted the run was $2 while the server loaded" ] && ! grep -qi "malloc\|traceback" err.txt; then
    pass "SIG$sig while loading: one line, recorded $2, exit $rc"
  else fail "SIG$sig while loading: one line and the record" "rc=$rc record=[$rec] $(cat err.txt)"; fi
  "$BENCHLUA" results --results loading.json >out.txt 2>err.txt
  if [ "$(runs loading.json "len(rs)")" = 1 ] && ! grep -q "was killed" err.txt loading.json; then
    pass "SIG$sig while loading: a later command does not record it again as killed"
  else fail "SIG$sig while loading: recorded again" "$(cat err.txt)"; fi
  if no_server_left 5 && ! pgrep -f "$WORK/slow-server" >/dev/null; then pass "SIG$sig while loading (recorded): no server left"
  else fail "SIG$sig while loading (recorded)" "left: $(servers) $(pgrep -af slow-server)"; fi
done
#    never ready in time: one message with the (empty) log, nothing left
t0=$(now_ms)
"${RUN[@]}" --server-bin ./slow-server --ready-timeout 0.5 >out.txt 2>err.txt
rc=$?; dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 1 ] && grep -q "^benchlua: server not ready after 0.5s (last health check: .*connect" err.txt \
   && [ "$(sed -n '/^--- last lines of /{n;p}' err.txt)" = "(empty)" ] && [ $dt -lt 5000 ] && no_server_left 5 \
   && ! pgrep -f "$WORK/slow-server" >/dev/null; then
  pass "--ready-timeout: one message, the empty log said so, nothing left (${dt} ms)"
else fail "--ready-timeout" "rc=$rc dt=${dt}ms $(cat err.txt) left: $(servers) $(pgrep -af slow-server)"; fi
#    running: many long completions in flight
for sig in INT TERM KILL; do
  "${RUN[@]}" --requests 100000 --max-tokens 64 >out.txt 2>err.txt &
  pid=$!
  if wait_server_ready 20 >/dev/null; then sleep 0.5; fi
  kill -$sig $pid; wait $pid 2>/dev/null; rc=$?
  if no_server_left 5; then pass "SIG$sig while running: no server left (exit $rc)"
  else fail "SIG$sig while running" "left: $(servers)"; fi
done
check "SIGINT while running: the exit status is 130" bash -c '
  "$0" throughput --model "$1" --quiet --requests 100000 --max-tokens 64 >/dev/null 2>&1 & p=$!
  sleep 1.5; kill -INT $p; wait $p; test $? = 130' "$BENCHLUA" "$MODEL"
#    recording: the results file's lock is held by someone else, benchlua waits on it
/usr/bin/python3 -c "import fcntl,time; f=open('benchmark_results.json.lock','w'); fcntl.flock(f, fcntl.LOCK_EX); open('locked','w').close(); time.sleep(20)" &
locker=$!
for _ in $(seq 100); do [ -e locked ] && break; sleep 0.05; done
for sig in INT KILL; do
  "$BENCHLUA" "$SRC/tests/fixtures/slow_record.lua" --model "$MODEL" --hold 0 --quiet >out.txt 2>err.txt &
  pid=$!
  sleep 1.5   # the run is done, the record waits for the lock
  kill -$sig $pid; wait $pid 2>/dev/null
  if no_server_left 5; then pass "SIG$sig while recording: no server left"
  else fail "SIG$sig while recording" "left: $(servers)"; fi
done
kill $locker 2>/dev/null; wait $locker 2>/dev/null
#    a Lua error in the benchmark
"$BENCHLUA" "$SRC/tests/fixtures/slow_record.lua" --model "$MODEL" --fail --quiet >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && grep -q "slow_record.lua:10: attempt to index a nil value" err.txt && no_server_left 3; then
  pass "Lua error: names file:line, records a failed run, no server left"
else fail "Lua error" "rc=$rc $(cat err.txt)"; fi
check "Lua error: the failed run is in the results file" \
  test "$(last_run benchmark_results.json "r['status'], r['benchmark']")" = "failed slow_record"

# 5. the server dies mid-run: noticed at once, a failed run is recorded with what was done
"${RUN[@]}" --requests 100000 --max-tokens 64 >out.txt 2>err.txt &
pid=$!
rm -rf benchlua-runs
# wait until some completions are done (their lines are in the sample log)
for _ in $(seq 400); do
  [ -n "$(cat benchlua-runs/*/samples.jsonl 2>/dev/null | head -c 1)" ] && break
  sleep 0.05
done
t0=$(now_ms)
kill -9 $(servers)
wait $pid; rc=$?; dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 1 ] && [ $dt -lt 3000 ] && grep -q "killed by signal 9 during the run" err.txt; then
  pass "server killed mid-run: benchlua stops in ${dt} ms"
else fail "server killed mid-run" "rc=$rc dt=${dt}ms $(head -c 400 err.txt)"; fi
check "server killed mid-run: an interrupted run with the completed requests is recorded" \
  test "$(last_run benchmark_results.json "r['status']=='interrupted' and r['results']['requests']>0 and r['results']['samples_done']>0")" = True

# 6. --endpoint: use a running server and leave it running
port=$(/usr/bin/python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$BENCHLUA_SERVER_BIN" -m "$MODEL" --host 127.0.0.1 --port "$port" -np 2 >ext.log 2>&1 &
ext=$!
wait_server_ready 20 >/dev/null
"$BENCHLUA" throughput --endpoint "http://127.0.0.1:$port" --requests 20 --ready-timeout 20 --quiet >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && kill -0 $ext 2>/dev/null && [ "$(last_run benchmark_results.json "r['config']['concurrency']")" = 2 ]; then
  pass "--endpoint: runs against the running server at its slot count, leaves it up"
else fail "--endpoint" "rc=$rc $(cat err.txt)"; fi
kill $ext; wait $ext 2>/dev/null

# 7. a prompt that cannot fit a slot's context is reported before the run
long=$(printf 'word %.0s' $(seq 3000))
"$BENCHLUA" throughput --model "$MODEL" --parallel 4 --ctx 4096 --prompt "$long" --quiet >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && grep -q "do not fit the server's context per slot (1024 tokens)" err.txt && \
   [ "$(last_run benchmark_results.json "r['results']['requests']")" = 0 ]; then
  pass "context check: reported before any completion"
else fail "context check" "rc=$rc $(cat err.txt)"; fi
check "all checks: no llama-server left" no_server_left 2
