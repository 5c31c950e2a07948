#!/usr/bin/env bash
# bench/run.sh [BENCHLUA]: every performance benchmark, each printing its
# figures as ratios against a baseline measured in the same run (see
# bench/README.md). Not tests: nothing here passes or fails on time.
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}")
export BENCHLUA_SERVER_BIN=${BENCHLUA_SERVER_BIN:-$PWD/tests/server/llama-server}
export BENCHLUA_TEST_MODEL=${BENCHLUA_TEST_MODEL:-$PWD/build/tiny.gguf}
tests/server/setup-root.sh >/dev/null
tests/server/tiny-model.sh "$BENCHLUA_TEST_MODEL"
OUT=$(mktemp -d /tmp/benchlua-bench-XXXXXX)
trap 'rm -rf "$OUT"' EXIT

echo "== host: ready -> first request, peak memory, wall time against curl"
bench/host.sh "$BIN"
echo "== results file: the cost of recording as it grows"
bench/record.sh "$BIN"
echo "== sandbox: cost per program"
"$BIN" test bench/sandbox_cost.lua
echo "== human_eval: 164 canonical solutions against a fork per program; full runs (shared cores, pinned server) against generation and scoring alone"
"$BIN" bench/humaneval_score.lua --results "$OUT/r.json" --model "$BENCHLUA_TEST_MODEL" \
  --server-bin "$BENCHLUA_SERVER_BIN" --parallel 4 --ctx 16384
echo "== results: benchlua results on 10,000 runs against python3 json.load"
bench/results_read.sh "$BIN"
echo "== compare: two runs of 1,000 problems x 20 samples"
bench/compare.sh "$BIN"
echo "== humaneval_plus: scoring 164 canonical solutions against evalplus.evaluate"
bench/evalplus_score.sh "$BIN"
echo "== lcb: grading the LiveCodeBench sample set against lcb_runner; memory over a 1 GB shard"
bench/lcb.sh "$BIN"
echo "== math500: grading 500 responses against lm-eval + prm800k (SKIP without BENCHLUA_PRM800K and BENCHLUA_LMEVAL_UTILS)"
"$BIN" test bench/math500_grading.lua
echo "== ifeval: grading 541 GPT-4 responses against the official checker (SKIP without BENCHLUA_IFEVAL_REF)"
/usr/bin/python3 bench/ifeval_grading.py
