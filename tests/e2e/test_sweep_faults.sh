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
  check "SIG$sig in a sweep: the summary shows what did not run" test "$(grep -cE '^not run: cell [12] \([ab]\.gguf\) ' out.txt) $(grep -c '^not ok: cell 1 (a\.gguf) .*: interrupted' out.txt) $(tail -n 1 out.txt)" = "3 1 0 of 4 runs ok"
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

# 5. --slurm with fake sbatch and squeue on PATH (no cluster). The fake
#    sbatch keeps the batch script (fake/last.sbatch) and prints a job id,
#    or hangs (FAKE_HANG); the fake squeue runs the kept script as array
#    task 1 of job 4242 once $WORK/go exists (a task that starts late), then
#    says the job has left the queue, or hangs (FAKE_HANG).
mkdir -p fake
cat > fake/sbatch <<EOS
#!/bin/sh
echo "\$@" >> "$WORK/fake/sbatch.calls"
[ -n "\${FAKE_HANG:-}" ] && exec sleep 30
for a; do script=\$a; done
cp "\$script" "$WORK/fake/last.sbatch"
echo 4242
EOS
cat > fake/squeue <<EOS
#!/bin/sh
[ -n "\${FAKE_HANG:-}" ] && exec sleep 30
while [ ! -e "$WORK/go" ]; do sleep 0.05; done
if [ ! -e "$WORK/fake/ran" ]; then
  touch "$WORK/fake/ran"
  SLURM_JOB_ID=4243 SLURM_ARRAY_JOB_ID=4242 SLURM_ARRAY_TASK_ID=1 sh "$WORK/fake/last.sbatch" > "$WORK/fake/task.out" 2>&1
fi
EOS
chmod +x fake/sbatch fake/squeue
FAKE_PATH="$WORK/fake:$PATH"
cat > sl.lua <<'EOF'
return {
  models = { "a.gguf" },
  benchmarks = { { "throughput", requests = 2, max_tokens = 4 } },
  options = { quiet = true },
  results = "sl.json",
}
EOF

# 5a. the sweep file edited while its job waits in the queue: the task runs
#     the file as submitted, --wait summarises that, and says the file changed
rm -f go fake/ran
PATH="$FAKE_PATH" "$BENCHLUA" sweep sl.lua --slurm --wait >out.txt 2>err.txt &
pid=$!
for _ in $(seq 200); do grep -q '^submitted' out.txt && break; sleep 0.05; done
sed -i 's/"a.gguf" }/"a.gguf", "b.gguf" }/; s/requests = 2/requests = 3/' sl.lua
touch go
wait $pid; rc=$?
digest=$(sed -n 's/^the tasks run the sweep as submitted: .* (digest \([0-9a-f]*\))$/\1/p' out.txt)
got=$(runs sl.json "[(r['sweep']['cell'], r['sweep']['digest'], r['sweep']['file'], r['status']) for r in rs]" 2>&1)
if [ $rc -eq 0 ] && [ -n "$digest" ] && [ "$got" = "[(1, '$digest', '$WORK/sl.lua', 'ok')]" ]; then
  pass "slurm: a sweep file edited after submission: the task runs what was submitted (its digest), exit 0"
else fail "slurm: sweep file edited after submission" "rc=$rc digest=$digest got $got $(cat out.txt err.txt fake/task.out | tail -8)"; fi
check "slurm: the run records the snapshot it ran" \
  test "$(runs sl.json "rs[0]['sweep']['snapshot'].startswith('$WORK/benchlua-runs/') and open(rs[0]['sweep']['snapshot']).read().count('requests = 2')")" = 1
check "slurm: --wait summarises the submitted sweep (one cell)" test "$(grep -cE '^[ab]\.gguf +[0-9.]+ 1x' out.txt) $(tail -n 1 out.txt)" = "1 1 of 1 run ok"
check "slurm: --wait says the file changed since it was submitted" \
  grep -q "^sweep: $WORK/sl.lua changed since it was submitted; job 4242 ran" err.txt
#     the next submission runs the edited file: two cells, the new digest
rm -f go fake/ran
PATH="$FAKE_PATH" "$BENCHLUA" sweep sl.lua --slurm --wait >out.txt 2>err.txt &
pid=$!
for _ in $(seq 200); do grep -q '^submitted' out.txt && break; sleep 0.05; done
touch go
wait $pid; rc=$?
check "slurm: runs of the earlier version do not count for the edited sweep" \
  test "$rc $(tail -n 1 out.txt) $(grep -c '^not run: ' out.txt)" = "1 1 of 2 runs ok 1"

# 5b. a newline in the sweep file's path would end a line of the batch
#     script: refused in one line before anything is written or submitted
#     (the old script had it in a comment line: the next line ran as a command)
mkdir -p inj
bad="$WORK/inj/x
touch pwned
.lua"
cp sl.lua "$bad"
cp a.gguf b.gguf inj/
rm -f fake/sbatch.calls fake/ran
touch go
PATH="$FAKE_PATH" "$BENCHLUA" sweep "$bad" --slurm --wait >out.txt 2>err.txt
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q "^benchlua: --slurm: the sweep file's path has a control character ('$WORK/inj/x\\\\010touch" err.txt \
  && [ ! -e fake/sbatch.calls ] && [ ! -e pwned ]; then
  pass "slurm: a control character in the sweep file's path is one line, exit 2, nothing submitted"
else fail "slurm: control character in the path" "rc=$rc $(cat err.txt) calls: $(cat fake/sbatch.calls 2>/dev/null) pwned: $(ls pwned 2>&1)"; fi
#     quotes, spaces and $ in a path reach the task as they are
odd="$WORK/it's a \$HOME \`x\`"
mkdir -p "$odd"
sed 's/"sl.json"/"odd.json"/; s/, "b.gguf"//' sl.lua > "$odd/s.lua"
cp a.gguf "$odd/a.gguf"
rm -f go fake/ran
PATH="$FAKE_PATH" "$BENCHLUA" sweep "$odd/s.lua" --slurm --wait >out.txt 2>err.txt &
pid=$!
touch go
wait $pid; rc=$?
got=$(/usr/bin/python3 -c "import json,sys; print([(r['sweep']['file'], r['status']) for r in json.load(open(sys.argv[1]))['runs']])" "$odd/odd.json" 2>&1)
want=$(/usr/bin/python3 -c "import sys; print([(sys.argv[1] + '/s.lua', 'ok')])" "$odd")
if [ $rc -eq 0 ] && [ "$got" = "$want" ] && [ ! -e "$WORK/x" ]; then
  pass "slurm: quotes, spaces, \$ and backquotes in the sweep file's path reach the task intact"
else fail "slurm: an odd path" "rc=$rc got $got want $want $(cat err.txt fake/task.out | tail -5)"; fi

# 5c. a hung sbatch or squeue is given up after the timeout (60 s;
#     BENCHLUA_SLURM_TIMEOUT here); Ctrl-C while one hangs is one line
t0=$SECONDS
FAKE_HANG=1 BENCHLUA_SLURM_TIMEOUT=1 PATH="$FAKE_PATH" "$BENCHLUA" sweep sl.lua --slurm >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && [ $((SECONDS - t0)) -lt 10 ] && [ "$(cat err.txt)" = "benchlua: sbatch failed (no answer in 1 s)" ]; then
  pass "slurm: a hung sbatch fails after the timeout in one line"
else fail "slurm: a hung sbatch" "rc=$rc $((SECONDS - t0)) s $(cat err.txt)"; fi
FAKE_HANG=1 PATH="$FAKE_PATH" "$BENCHLUA" sweep sl.lua --slurm >out.txt 2>err.txt &
pid=$!
for _ in $(seq 100); do pgrep -f "sleep 30" -P "$(pgrep -P $pid | tr '\n' ',')$pid" >/dev/null && break; sleep 0.05; done
kill -INT $pid
wait $pid; rc=$?
if [ $rc -eq 130 ] && ! grep -q traceback err.txt && [ "$(grep -v 'Interrupt: stopping' err.txt)" = "benchlua: interrupted while sbatch ran; the job may have been submitted (squeue --me)" ]; then
  pass "slurm: Ctrl-C while sbatch hangs: one line, exit 130"
else fail "slurm: Ctrl-C while sbatch hangs" "rc=$rc $(cat err.txt)"; fi
cat > fake/sbatch <<'EOS'
#!/bin/sh
echo 4242
EOS
t0=$SECONDS
FAKE_HANG=1 BENCHLUA_SLURM_TIMEOUT=1 PATH="$FAKE_PATH" "$BENCHLUA" sweep sl.lua --slurm --wait >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && [ $((SECONDS - t0)) -lt 10 ] && grep -q "^sweep: stopped waiting for job 4242 (squeue failed (no answer in 1 s)); the job goes on$" err.txt \
  && ! grep -q traceback err.txt; then
  pass "slurm --wait: a hung squeue ends the wait after the timeout, not the job"
else fail "slurm --wait: a hung squeue" "rc=$rc $((SECONDS - t0)) s $(cat err.txt)"; fi
