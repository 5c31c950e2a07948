#!/usr/bin/env bash
# End-to-end: `benchlua sweep FILE --slurm` on a real single-node Slurm
# cluster (Debian's slurm-wlm and munge, started by tests/slurm/cluster.sh
# under this test's temporary directory and stopped at the end, even on
# failure), with the real llama-server and the tiny model.
. "$(dirname "$0")/lib.sh"
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

# 1. two models x one setting x two benchmarks through --slurm --wait
cat > sweep.lua <<EOF
return {
  models = { "a.gguf", "b.gguf" },
  settings = { { parallel = 2, ctx = 4096 } },
  benchmarks = { { "throughput", requests = 8, max_tokens = 8 },
                 { "human_eval", limit = 2, max_tokens = 16, dataset = "$SRC/../shared/data/HumanEval.jsonl.gz" } },
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
check "slurm --wait: the summary lists the four runs" test "$(grep -cE '^[12] +[ab]\.gguf .* ok$' out.txt)" = 4
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
if [ $rc -eq 1 ] && [ "$(grep -cE '^2 +bad\.gguf .* failed$' out.txt)" = 2 ] && [ "$(grep -cE '^1 +a\.gguf .* ok$' out.txt)" = 2 ]; then
  pass "slurm: a failed cell is recorded, the other cell runs, exit status 1"
else fail "slurm failed cell" "rc=$rc $(cat out.txt err.txt)"; fi
cp "$MODEL" bad.gguf
"$BENCHLUA" sweep failing.lua --slurm --wait --resume >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && grep -q '^submitted job array [0-9]*: 1 task (cells 2) of' out.txt && [ "$(grep -cE ' ok$' out.txt)" = 4 ]; then
  pass "slurm --resume: only the failed cell is submitted again"
else fail "slurm --resume" "rc=$rc $(cat out.txt err.txt)"; fi
check "slurm: no job left at the end" test -z "$(jobs_left)"
check "slurm: no llama-server left at the end" no_server_left 2
