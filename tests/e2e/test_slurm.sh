#!/usr/bin/env bash
# End-to-end: `benchlua sweep FILE --slurm` on a real single-node Slurm
# cluster (Debian's slurm-wlm and munge, started by tests/slurm/cluster.sh
# under this test's temporary directory and stopped at the end, even on
# failure), with the real llama-server and the tiny model.
. "$(dirname "$0")/lib.sh"
need_data HumanEval.jsonl.gz
CLUSTER="$WORK/cluster"
trap '"$SRC/tests/slurm/cluster.sh" stop "$CLUSTER"; rm -rf "$WORK"' EXIT
if ! "$SRC/tests/slurm/cluster.sh" start "$CLUSTER" > cluster.txt 2>&1; then
  fail "slurm: a single-node cluster starts" "$(cat cluster.txt)"
  exit 0
fi
pass "slurm: a single-node cluster starts (munged, slurmctld, slurmd)"
. "$CLUSTER/env"
cp "$MODEL" a.gguf
cp "$MODEL" b.gguf
jobs_left() { squeue -h -o %i 2>/dev/null; }
# start_wait FILE: `sweep FILE --slurm --wait` in the background ($pid);
# its job id, as soon as it is printed ($job)
start_wait() {
  "$BENCHLUA" sweep "$1" --slurm --wait >out.txt 2>err.txt &
  pid=$!
  for _ in $(seq 200); do grep -q '^submitted' out.txt && break; sleep 0.05; done
  job=$(sed -n 's/^submitted job array \([0-9]*\):.*/\1/p' out.txt)
}

# 1. two models x one setting x two benchmarks through --slurm --wait
cat > sweep.lua <<EOF
return {
  models = { "a.gguf", "b.gguf" },
  settings = { { parallel = 2, ctx = 4096 } },
  benchmarks = { { "throughput", requests = 8, max_tokens = 8 },
                 { "human_eval", limit = 2, max_tokens = 16, dataset = "$BENCHLUA_DATA/HumanEval.jsonl.gz" } },
  options = { quiet = true },
  results = "results.json",
}
EOF
"$BENCHLUA" sweep sweep.lua --slurm --wait --slurm-arg=--time=10 >out.txt 2>err.txt
rc=$?
job=$(sed -n 's/^submitted job array \([0-9]*\): 2 tasks (cells 1-2) of .*sweep.lua$/\1/p' out.txt)
got=$(runs results.json "sorted((r['sweep']['cell'], r['benchmark'], r['model'], r['status'], r['slurm']['array_job_id'], r['slurm']['array_task_id']) for r in rs)")
want="[(1, 'human_eval', 'a.gguf', 'ok', '$job', '1'), (1, 'throughput', 'a.gguf', 'ok', '$job', '1'), (2, 'human_eval', 'b.gguf', 'ok', '$job', '2'), (2, 'throughput', 'b.gguf', 'ok', '$job', '2')]"
if [ $rc -eq 0 ] && [ -n "$job" ] && [ "$got" = "$want" ]; then
  pass "slurm --wait: one array of two tasks, four runs recorded with the job and array task"
else fail "slurm --wait" "rc=$rc job=$job got $got $(cat out.txt err.txt) $(cat benchlua-runs/slurm-*.out 2>/dev/null | tail -20)"; fi
check "slurm --wait: each run records the job step and the node" \
  test "$(runs results.json "all(r['slurm']['job_id'] and r['slurm']['node'] for r in rs)")" = True
check "slurm --wait: the summary is the leaderboard of the four runs" \
  test "$(grep -cE '^model +throughput +human_eval +tok/s$' out.txt) $(grep -cE '^[ab]\.gguf +[0-9.]+ 1x +(best|[-+][0-9.]+) +[0-9.]+ \[' out.txt) $(tail -n 1 out.txt)" = "1 2 4 of 4 runs ok"
check "slurm --wait: no job left" test -z "$(jobs_left)"
check "slurm --wait: no llama-server left" no_server_left 2

# 2. --results-dir (one file per cell) and results merge; without --wait,
#    the job id and how to follow it
"$BENCHLUA" sweep sweep.lua --slurm --results-dir per-cell >out.txt 2>err.txt
rc=$?
job=$(sed -n 's/^submitted job array \([0-9]*\):.*/\1/p' out.txt)
if [ $rc -eq 0 ] && [ -n "$job" ] && grep -q "^follow it with: squeue -j $job" out.txt; then
  pass "slurm without --wait: prints the job id and how to follow it"
else fail "slurm without --wait" "rc=$rc $(cat out.txt err.txt)"; fi
for _ in $(seq 600); do [ -z "$(jobs_left)" ] && break; sleep 0.1; done
check "results-dir: one results file per cell" test "$(cd per-cell && ls *.json)" = "cell-1.json
cell-2.json"
"$BENCHLUA" results merge per-cell -o merged.json >out.txt 2>err.txt
check "results merge: the four runs in one file" \
  test "$?:$(runs merged.json "sorted((r['sweep']['cell'], r['benchmark'], r['status'], r['slurm']['array_job_id']) for r in rs)")" \
  = "0:[(1, 'human_eval', 'ok', '$job'), (1, 'throughput', 'ok', '$job'), (2, 'human_eval', 'ok', '$job'), (2, 'throughput', 'ok', '$job')]"
"$BENCHLUA" results merge per-cell -o merged.json >out.txt 2>err.txt
check "results merge twice: no run added twice" test "$(runs merged.json "len(rs)")" = 4

# 3. a failed cell under Slurm: the exit status says so; --resume submits only it
printf 'GGUF-but-not-really' > bad.gguf
sed -e 's/"b.gguf"/"bad.gguf"/' -e 's/results.json/failing.json/' sweep.lua > failing.lua
"$BENCHLUA" sweep failing.lua --slurm --wait >out.txt 2>err.txt
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -cE '^not ok: cell 2 \(bad\.gguf ctx=4096 parallel=2\) (throughput|human_eval).*: failed \(' out.txt)" = 2 ] \
   && [ "$(grep -cE '^a\.gguf +[0-9.]+ 1x' out.txt) $(tail -n 1 out.txt)" = "1 2 of 4 runs ok" ]; then
  pass "slurm: a failed cell is recorded, the other cell runs, exit status 1"
else fail "slurm failed cell" "rc=$rc $(cat out.txt err.txt)"; fi
cp "$MODEL" bad.gguf
"$BENCHLUA" sweep failing.lua --slurm --wait --resume >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && grep -q '^submitted job array [0-9]*: 1 task (cells 2) of' out.txt && [ "$(tail -n 1 out.txt)" = "4 of 4 runs ok" ]; then
  pass "slurm --resume: only the failed cell is submitted again"
else fail "slurm --resume" "rc=$rc $(cat out.txt err.txt)"; fi
check "slurm: no job left at the end" test -z "$(jobs_left)"
check "slurm: no llama-server left at the end" no_server_left 2

# 4. scancel of a running task under --wait: the job id is printed at once;
#    the cancelled cell's run is recorded interrupted and the cancellation is
#    named; the other cell's runs are kept; exit 1
cat > long.lua <<'EOF'
return {
  models = { "a.gguf", "b.gguf" },
  benchmarks = { { "throughput", requests = 200, max_tokens = 32 } },
  options = { quiet = true, parallel = 2 },
  results = "long.json",
}
EOF
rm -rf benchlua-runs
start_wait long.lua
check "slurm --wait: the job id is printed before the job ends" test -n "$job"
# cell 1's first sample: its run directory carries the host and pid of its task's benchlua
for _ in $(seq 600); do
  p1=$(ls -d benchlua-runs/*-sweep-cell1-* 2>/dev/null | sed 's/.*-sweep-cell1-//')
  [ -n "$p1" ] && [ -s "$(ls benchlua-runs/*-throughput-"$p1"/samples.jsonl 2>/dev/null)" ] && break
  sleep 0.1
done
scancel "${job}_1"
wait $pid; rc=$?
got=$(runs long.json "sorted((r['sweep']['cell'], r['status']) for r in rs if r['slurm']['array_job_id'] == '$job')")
if [ $rc -eq 1 ] && [ "$got" = "[(1, 'interrupted'), (2, 'ok')]" ]; then
  pass "slurm scancel: the cancelled cell's run is interrupted, the other cell's kept, exit 1"
else fail "slurm scancel" "rc=$rc got $got $(cat out.txt err.txt)"; fi
check "slurm scancel: the cancellation is named for its cell" grep -q "^sweep: cell 1 (task ${job}_1): JOB [0-9]* ON .* CANCELLED AT " err.txt
check "slurm scancel: no job left" test -z "$(jobs_left)"
check "slurm scancel: no llama-server left" no_server_left 5

# 5. the node fails in the middle of a task (3,000 requests: the task must
#    outlast --wait's first "running" line and scontrol on a quiet machine,
#    where 600 could end first): Slurm requeues it; the task
#    runs again without what it had recorded ok, and --wait reports the
#    states it saw
cat > node.lua <<'EOF'
return {
  models = { "a.gguf" },
  benchmarks = { { "throughput", requests = 4, max_tokens = 4 }, { "throughput", requests = 3000, max_tokens = 16 } },
  options = { quiet = true, parallel = 2 },
  results = "node.json",
}
EOF
rm -rf benchlua-runs
start_wait node.lua
# the first benchmark recorded, the second's first sample logged, and
# --wait has seen the task running
for _ in $(seq 600); do
  [ -e node.json ] && [ -n "$(cat benchlua-runs/*-throughput-*/samples.jsonl 2>/dev/null | sed -n 5p)" ] \
    && grep -q "^sweep: job $job: 1 running" err.txt && break
  sleep 0.1
done
node=$(sinfo -h -N -o %N | head -n1)
scontrol update nodename="$node" state=down reason=benchlua-test
# requeued, the task waits a while before it may start again: here only
# until --wait has said it is pending
again() { sed -n "/^sweep: job $job: 1 running/,\$p" err.txt | grep "^sweep: job $job: 1 pending"; }
for _ in $(seq 300); do [ -n "$(again)" ] && break; sleep 0.1; done
scontrol update jobid="$job" starttime=now
wait $pid; rc=$?
got=$(runs node.json "[(r['sweep']['index'], r['status']) for r in rs]")
if [ $rc -eq 0 ] && [ "$got" = "[(1, 'ok'), (2, 'interrupted'), (2, 'ok')]" ]; then
  pass "slurm node failure: the requeued task runs only what it had not recorded ok, exit 0"
else fail "slurm node failure" "rc=$rc got $got $(cat out.txt err.txt) $(tail -5 benchlua-runs/slurm-*.out)"; fi
check "slurm node failure: --wait says the task went back to pending" test -n "$(again)"
check "slurm node failure: the task's log keeps both attempts" \
  test "$(grep -c 'DUE TO NODE FAILURE' "benchlua-runs/slurm-${job}_1.out") $(grep -c '^sweep: cell 1/1' "benchlua-runs/slurm-${job}_1.out")" = "1 2"
check "slurm node failure: no llama-server left" no_server_left 5

# 6. --resume of a cell that was half done: the task skips the run that was
#    ok, and --wait counts it (a dataset that is missing, then there)
cat > half.lua <<EOF
return {
  models = { "a.gguf" },
  benchmarks = { { "throughput", requests = 4, max_tokens = 4 },
                 { "human_eval", limit = 2, max_tokens = 16, dataset = "$WORK/he.jsonl.gz" } },
  options = { quiet = true, parallel = 2 },
  results = "half.json",
}
EOF
"$BENCHLUA" sweep half.lua --slurm --wait >out.txt 2>err.txt
check "slurm, half a cell failed: exit 1" test $? = 1
cp "$BENCHLUA_DATA/HumanEval.jsonl.gz" he.jsonl.gz
"$BENCHLUA" sweep half.lua --slurm --wait --resume >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -cE '^a\.gguf +[0-9.]+ 1x' out.txt) $(tail -n 1 out.txt)" = "1 2 of 2 runs ok" ] && [ "$(runs half.json "len(rs)")" = 3 ]; then
  pass "slurm --resume of a half-done cell: only the failed run again, the summary counts the earlier one, exit 0"
else fail "slurm --resume, half a cell" "rc=$rc $(cat out.txt err.txt)"; fi

# 7. the sweep file edited while its job is held in the queue: the task runs
#    the file as submitted (the snapshot), --wait counts only its runs and
#    says the file changed
cat > held.lua <<'EOF'
return {
  models = { "a.gguf" },
  benchmarks = { { "throughput", requests = 2, max_tokens = 4 } },
  options = { quiet = true },
  results = "held.json",
}
EOF
"$BENCHLUA" sweep held.lua --slurm --wait --slurm-arg=--hold >out.txt 2>err.txt &
pid=$!
for _ in $(seq 200); do grep -q '^the tasks run' out.txt && break; sleep 0.05; done
job=$(sed -n 's/^submitted job array \([0-9]*\):.*/\1/p' out.txt)
sed -i 's/"a.gguf" }/"a.gguf", "b.gguf" }/; s/requests = 2/requests = 3/' held.lua
scontrol release "$job"
wait $pid; rc=$?
digest=$(sed -n 's/^the tasks run the sweep as submitted: .* (digest \([0-9a-f]*\))$/\1/p' out.txt)
got=$(runs held.json "[(r['sweep']['cell'], r['sweep']['digest'], r['status'], r['slurm']['array_job_id']) for r in rs]" 2>&1)
if [ $rc -eq 0 ] && [ -n "$digest" ] && [ "$got" = "[(1, '$digest', 'ok', '$job')]" ] \
   && grep -q "^sweep: $WORK/held.lua changed since it was submitted; job $job ran" err.txt; then
  pass "slurm: a sweep file edited while its job is held: the task runs the submitted snapshot, exit 0"
else fail "slurm: sweep file edited while held" "rc=$rc digest=$digest got $got $(cat out.txt err.txt | tail -6)"; fi

# 8. Ctrl-C of --wait ends the wait, not the job: one line and how to follow it
start_wait long.lua
for _ in $(seq 100); do grep -q "^sweep: job $job: " err.txt && break; sleep 0.1; done
kill -INT $pid
wait $pid; rc=$?
if [ $rc -eq 130 ] && grep -q "^sweep: stopped waiting for job $job (interrupted); the job goes on$" err.txt \
   && grep -q "^follow it with: squeue -j $job" err.txt && ! grep -q traceback err.txt && [ -n "$(jobs_left)" ]; then
  pass "slurm --wait, Ctrl-C: the job goes on; one line and how to follow it, exit 130"
else fail "slurm --wait, Ctrl-C" "rc=$rc $(cat err.txt) jobs: $(jobs_left)"; fi
scancel "$job"
for _ in $(seq 300); do [ -z "$(jobs_left)" ] && break; sleep 0.1; done
check "slurm: no job left after the last test" test -z "$(jobs_left)"
check "slurm: no llama-server left after the last test" no_server_left 10
