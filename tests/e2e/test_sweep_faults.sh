#!/usr/bin/env bash
# End-to-end: a sweep when things go wrong, against the real llama-server and
# the tiny model. A server that dies in the middle of a cell, servers that do
# not start (an argument the server rejects, a taken port), Ctrl-C and
# SIGTERM: every failure is named per run, the other runs are kept, no
# server is left, the exit status says so, and --resume finishes the rest.
. "$(dirname "$0")/lib.sh"
cp "$MODEL" a.gguf
cp "$MODEL" b.gguf
counting_server
# the servers of this test's models, and whether none is left
ours() { pgrep -f -- "llama-server.*$WORK/" || true; }
none_left() {
  local deadline=$((SECONDS + ${1:-5}))
  while [ -n "$(ours)" ]; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.05; done
}
# wait until the first sample of the run of a benchmark is logged (its runs
# directory: $1, default benchlua-runs)
first_sample() {
  for _ in $(seq 600); do
    [ -n "$(cat "${1:-benchlua-runs}"/*-throughput-*/samples.jsonl 2>/dev/null | head -c 1)" ] && return 0
    sleep 0.05
  done
  return 1
}

# a long benchmark, then a short one, in each of two cells
cat > sweep.lua <<'EOF'
return {
  models = { "a.gguf", "b.gguf" },
  benchmarks = { { "throughput", requests = 120, max_tokens = 32 }, { "throughput", requests = 4, max_tokens = 4 } },
  options = { server_bin = "./counting-server", quiet = true, parallel = 2 },
  results = "r.json",
}
EOF

# 1. the server is killed in the middle of cell 1's first benchmark: that run
#    is interrupted, the server is started again for the second, cell 2 runs
rm -rf benchlua-runs starts
"$BENCHLUA" sweep sweep.lua >out.txt 2>err.txt &
pid=$!
first_sample
kill -9 $(ours)
wait $pid; rc=$?
got=$(runs r.json "[(r['sweep']['cell'], r['sweep']['index'], r['status']) for r in rs]")
if [ $rc -eq 1 ] && [ "$got" = "[(1, 1, 'interrupted'), (1, 2, 'ok'), (2, 1, 'ok'), (2, 2, 'ok')]" ]; then
  pass "server killed mid-cell: that run is interrupted, the cell's next benchmark and the next cell run, exit 1"
else fail "server killed mid-cell" "rc=$rc got $got $(grep -v '^[0-9]' err.txt | tail -5)"; fi
check "server killed mid-cell: the run names the death" \
  test "$(runs r.json "'killed by signal 9 during the run' in rs[0]['error']")" = True
check "server killed mid-cell: started again once (three starts for two cells)" test "$(starts)" = 3
check "server killed mid-cell: stderr says it is started again" grep -q '^sweep: cell 1: the server was killed by signal 9; starting it again$' err.txt
check "server killed mid-cell: no server left" none_left 3
rm -f starts
"$BENCHLUA" sweep sweep.lua --resume >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(starts)" = 1 ] && [ "$(runs r.json "[(r['sweep']['cell'], r['sweep']['index'], r['status']) for r in rs[4:]]")" = "[(1, 1, 'ok')]" ]; then
  pass "server killed mid-cell: --resume runs only the interrupted benchmark"
else fail "server killed mid-cell, --resume" "rc=$rc starts=$(starts) $(tail -3 err.txt)"; fi

# 2. Ctrl-C and SIGTERM in cell 1's first benchmark: the sweep stops there
#    (the cell's second benchmark and cell 2 do not run), the summary is
#    printed, 130 / 143, no server left; --resume runs the rest
for sig in INT TERM; do
  want=$([ $sig = INT ] && echo 130 || echo 143)
  rm -rf benchlua-runs starts r.json
  "$BENCHLUA" sweep sweep.lua >out.txt 2>err.txt &
  pid=$!
  first_sample
  kill -$sig $pid
  wait $pid; rc=$?
  got=$(runs r.json "[(r['sweep']['cell'], r['sweep']['index'], r['status']) for r in rs]")
  if [ $rc -eq $want ] && [ "$got" = "[(1, 1, 'interrupted')]" ] && [ "$(starts)" = 1 ]; then
    pass "SIG$sig in a sweep: the run is recorded interrupted, nothing more runs, exit $rc"
  else fail "SIG$sig in a sweep" "rc=$rc (want $want) starts=$(starts) got $got $(tail -3 err.txt)"; fi
  check "SIG$sig in a sweep: the summary shows what did not run" test "$(grep -c ' not run$' out.txt)" = 3
  check "SIG$sig in a sweep: stderr says how to continue" grep -q "sweep: .*continue with: benchlua sweep $WORK/sweep.lua --resume" err.txt
  check "SIG$sig in a sweep: no server left" none_left 3
done
#    with --results-dir and --cell, the way to continue names them too
"$BENCHLUA" sweep sweep.lua --cell 2 --results-dir per-cell >out.txt 2>err.txt &
pid=$!
first_sample per-cell/benchlua-runs
kill -INT $pid
wait $pid
check "SIGINT in a sweep: how to continue names --cell and --results-dir" \
  grep -q "continue with: benchlua sweep $WORK/sweep.lua --cell 2 --results-dir $WORK/per-cell --resume$" err.txt
rm -f starts
"$BENCHLUA" sweep sweep.lua --resume >out.txt 2>err.txt
rc=$?
got=$(runs r.json "[(r['sweep']['cell'], r['sweep']['index'], r['status']) for r in rs[1:]]")
if [ $rc -eq 0 ] && [ "$(starts)" = 2 ] && [ "$got" = "[(1, 1, 'ok'), (1, 2, 'ok'), (2, 1, 'ok'), (2, 2, 'ok')]" ]; then
  pass "--resume after SIGTERM: runs the four, exit 0"
else fail "--resume after SIGTERM" "rc=$rc starts=$(starts) got $got $(tail -3 err.txt)"; fi

# 3. SIGINT while a cell's server loads (a wrapper that sleeps before it
#    execs the server): no wrapper, sleep or server left, nothing recorded
cat > slow-server <<EOS
#!/bin/sh
sleep 3
exec "$BENCHLUA_SERVER_BIN" "\$@"
EOS
chmod +x slow-server
sed 's|./counting-server|./slow-server|; s|"r.json"|"slow.json"|' sweep.lua > slow.lua
"$BENCHLUA" sweep slow.lua >out.txt 2>err.txt &
pid=$!
sleep 1
kill -INT $pid
wait $pid; rc=$?
if [ $rc -eq 130 ] && none_left 5 && ! pgrep -f "$WORK/slow-server" >/dev/null && [ ! -e slow.json ]; then
  pass "SIGINT while a cell's server loads: exit 130, nothing left, nothing recorded"
else fail "SIGINT while loading" "rc=$rc left: $(ours) $(pgrep -af slow-server) $(tail -3 err.txt)"; fi

# 4. servers that do not start: an argument the server rejects, a taken
#    port; each cell's failure is named, the good cell runs
/usr/bin/python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)" > port.txt &
holder=$!
for _ in $(seq 100); do [ -s port.txt ] && break; sleep 0.05; done
port=$(cat port.txt)
cat > nostart.lua <<EOF
return {
  models = { "a.gguf" },
  settings = { { server_arg = { "--no-such-flag" } }, { port = $port }, { parallel = 2 } },
  benchmarks = { { "throughput", requests = 4, max_tokens = 4 } },
  options = { quiet = true },
  results = "nostart.json",
}
EOF
"$BENCHLUA" sweep nostart.lua >out.txt 2>err.txt
rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
got=$(runs nostart.json "[(r['sweep']['cell'], r['status']) for r in rs]")
if [ $rc -eq 1 ] && [ "$got" = "[(1, 'failed'), (2, 'failed'), (3, 'ok')]" ]; then
  pass "servers that do not start: both cells failed, the third ok, exit 1"
else fail "servers that do not start" "rc=$rc got $got $(tail -5 err.txt)"; fi
check "a rejected argument: the run's error has the server's complaint" \
  test "$(runs nostart.json "'exited with status' in rs[0]['error'] and 'no-such-flag' in rs[0]['error']")" = True
check "a rejected argument: the failed run records the server's log" \
  test "$(runs nostart.json "open(rs[0]['server_log']).read().count('no-such-flag') > 0")" = True
check "a taken port: the run's error names it" \
  test "$(runs nostart.json "'port $port on 127.0.0.1 is already in use' in rs[1]['error']")" = True
check "servers that do not start: no server left" none_left 3
