#!/usr/bin/env bash
# bench/compare.sh [BENCHLUA]: `benchlua compare` of two runs of 1,000 problems
# with 20 samples each (two sample logs of 20,000 records, ~1 KB a record as
# codebench writes them). Goal: under 1 s. Baseline, measured in the same run:
# python3 reading the same two logs line by line with json.loads (no statistics).
set -u
BIN=$(realpath "${1:-./benchlua}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/benchlua-bench-compare-XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
/usr/bin/python3 - <<'PY'
import json, os, random
random.seed(2)
runs = []
for name, p in (("a", 0.45), ("b", 0.5)):
    d = "benchlua-runs/" + name
    os.makedirs(d)
    with open(d + "/samples.jsonl", "w") as f:
        for t in range(1000):
            for s in range(20):
                passed = random.random() < p + (t % 10) / 40
                f.write(json.dumps({"task_id": "Bench/%d" % t, "sample": s, "seed": random.randrange(1 << 31),
                    "prompt": "def f%d(x):\n    \"\"\"%s\"\"\"\n" % (t, "docstring " * 30),
                    "raw": "    return x + %d\n" % s * 8, "code": "    return x + %d\n" % s * 8,
                    "completion": "    return x + %d\n" % s * 8, "finish": "stop", "tokens": 40, "gen_time": 0.31,
                    "outcome": "passed" if passed else "wrong", "passed": passed,
                    "result": "passed" if passed else "failed: AssertionError", "exec_time": 0.012}, separators=(",", ":")) + "\n")
    runs.append({"benchmark": "bench", "model": name + ".gguf", "status": "ok", "timestamp": "2026-11-27T00:00:00Z",
                 "config": {"sampling": {"n": 20, "temperature": 0.8}}, "reproducibility": {"dataset_sha256": "x"},
                 "results": {"score": p, "tokens_per_s": 100.0}, "run_dir": d})
json.dump({"runs": runs}, open("r.json", "w"), indent=2)
PY
T="$SRC/bench/median_time.py"
read pyw pyc < <(/usr/bin/python3 "$T" 5 /usr/bin/python3 -c '
import json, sys
for p in sys.argv[1:]:
    for line in open(p): json.loads(line)' benchlua-runs/a/samples.jsonl benchlua-runs/b/samples.jsonl)
read cw cc < <(/usr/bin/python3 "$T" 5 "$BIN" compare 1 2 --results r.json)
echo "two sample logs of 20,000 records, $(( $(stat -c %s benchlua-runs/a/samples.jsonl) / 1048576 )) MiB each; median of 5, wall and CPU (user+sys)"
echo "python3 json.loads of both logs (baseline): wall ${pyw} ms, CPU ${pyc} ms"
awk -v bw="$pyw" -v bc="$pyc" -v w="$cw" -v c="$cc" 'BEGIN { printf "benchlua compare 1 2:  wall %s ms (%.2fx), CPU %s ms (%.2fx); goal: under 1000 ms\n", w, w / bw, c, c / bc }'
"$BIN" compare 1 2 --results r.json | sed -n 3,4p
