#!/usr/bin/env bash
# bench/results_read.sh [BENCHLUA]: `benchlua results` on a file of 10,000 runs
# against `python3 -c 'import json; json.load(open(F))'` on the same file (the
# baseline: only parsing it, in C), and `benchlua leaderboard` on it. Goal:
# at most 1.5x each. The file is 10,000
# copies of a run benchlua records itself (HumanEval scored from a samples
# file), with scores, dates, models and settings varied as a real file's are.
set -u
BIN=$(realpath "${1:-./benchlua}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/benchlua-bench-results-XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
export BENCHLUA_PATH="$SRC/benchmarks${BENCHLUA_PATH:+:$BENCHLUA_PATH}"
cp "${BENCHLUA_DATA:-$SRC/../shared/data}/HumanEval.jsonl.gz" he.jsonl.gz
/usr/bin/python3 "$SRC/tests/fixtures/results/make_samples.py" he.jsonl.gz
"$BIN" human_eval --samples a.jsonl --dataset he.jsonl.gz --limit 40 --quiet --results one.json > /dev/null || { echo "results_read: the seed run failed"; exit 1; }
/usr/bin/python3 - <<'PY'
import json, random
random.seed(1)
base = json.load(open("one.json"))["runs"][0]
runs = []
for i in range(10000):
    r = json.loads(json.dumps(base))
    r["timestamp"] = "2026-%02d-%02dT%02d:%02d:00.000Z" % (1 + i % 12, 1 + i % 28, i % 24, i % 60)
    r["model"] = "model-%d-%s.gguf" % (i % 7, random.choice(["Q4_K_M", "Q8_0", "F16"]))
    r["config"]["gpu_layers"] = random.choice([40, 80, 99])
    r["config"]["server"] = {"slots": 4, "ctx_per_slot": 4096, "n_params": 7615616512, "model_size": 4683073536}
    r["results"]["score"] = random.random()
    r["results"]["ci95"] = [r["results"]["score"] * 0.9, min(1, r["results"]["score"] * 1.1)]
    r["results"]["tokens_per_s"] = random.uniform(50, 900)
    r["run_dir"] = "benchlua-runs/%d" % i
    runs.append(r)
with open("big.json", "w") as f:
    f.write(json.dumps({"runs": runs}, indent=2, sort_keys=True) + "\n")
PY
T="$SRC/bench/median_time.py"
read pyw pyc < <(/usr/bin/python3 "$T" 7 /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' big.json)
read tw tc < <(/usr/bin/python3 "$T" 7 "$BIN" results big.json)
read cw cc < <(/usr/bin/python3 "$T" 7 "$BIN" results big.json --format csv)
read lw lc < <(/usr/bin/python3 "$T" 7 "$BIN" leaderboard big.json)
echo "file: 10000 runs, $(stat -c %s big.json) bytes; median of 7, wall and CPU (user+sys)"
echo "python3 json.load (baseline):   wall ${pyw} ms, CPU ${pyc} ms"
awk -v bw="$pyw" -v bc="$pyc" -v w="$tw" -v c="$tc" 'BEGIN { printf "benchlua results (table):       wall %s ms (%.2fx), CPU %s ms (%.2fx); goal: at most 1.5x\n", w, w / bw, c, c / bc }'
awk -v bw="$pyw" -v bc="$pyc" -v w="$cw" -v c="$cc" 'BEGIN { printf "benchlua results --format csv:  wall %s ms (%.2fx), CPU %s ms (%.2fx)\n", w, w / bw, c, c / bc }'
awk -v bw="$pyw" -v bc="$pyc" -v w="$lw" -v c="$lc" 'BEGIN { printf "benchlua leaderboard:           wall %s ms (%.2fx), CPU %s ms (%.2fx); goal: at most 1.5x\n", w, w / bw, c, c / bc }'
# instructions, which load does not move (callgrind; only when valgrind is there)
if command -v valgrind > /dev/null; then
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -1; }
  pyi=$(ir /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' big.json)
  bli=$(ir "$BIN" results big.json)
  awk -v p="$pyi" -v b="$bli" 'BEGIN { printf "instructions (callgrind): python3 %.2f G, benchlua results %.2f G (%.2fx)\n", p / 1e9, b / 1e9, b / p }'
fi
