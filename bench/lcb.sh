#!/usr/bin/env bash
# bench/lcb.sh [BENCHLUA]: LiveCodeBench (not a test; nothing passes or fails).
#   1. Grading benchlua's LiveCodeBench sample set (tests/fixtures/lcb: 129
#      samples, 7 problems, per-test timeout 2 s) with benchlua
#      (`benchlua lcb --samples`, whole process) against lcb_runner's grader
#      (evaluate_generations, what codegen_metrics and custom_evaluator call,
#      --num_process_evaluate 12, its default; whole process), measured in
#      the same run, best of BENCH_ROUNDS (2) alternating rounds, wall clock
#      and CPU seconds (user + sys of the whole process tree; each round also
#      its minor page faults, which load does not change); on the
#      whole set, and on the set without the samples that wait for an alarm
#      or the whole-sample budget (those seconds are the same in both: the
#      budget sample alone takes 8 s). Goal: benchlua at most 0.5x lcb_runner,
#      on the set without those samples (see bench/README.md: on the whole
#      set the budget sample's 8 s are a floor for any grader). For each set
#      it also prints the floors that benchlua's sample log sets: the longest
#      sample, and the sum of the run times over the workers. Needs the LiveCodeBench checkout:
#      LCB_REF=/path/to/LiveCodeBench (default /work/refs/LiveCodeBench);
#      says SKIP when it is absent.
#   2. Peak memory (/usr/bin/time's maximum resident set) of `benchlua lcb
#      --samples` over a synthetic 1 GB code_generation_lite shard made in
#      /tmp (BENCH_SHARD_MB, default 1024; 400 rows of ~2.5 MB and a few of
#      ~40 MB), grading one of its problems: the whole file is indexed as a
#      stream. Goal: under 300 MB. Baseline in the same run: the file size.
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}")
REF=${LCB_REF:-/work/refs/LiveCodeBench}
ROUNDS=${BENCH_ROUNDS:-2}
FIX=$PWD/tests/fixtures/lcb
OUT=$(mktemp -d /tmp/benchlua-lcb-bench-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
PY=/usr/bin/python3

echo "-- 1. grading the fixture set (timeout 2 s): benchlua against lcb_runner"
if [ ! -f "$REF/lcb_runner/evaluation/testing_util.py" ]; then
  echo "SKIP: no LiveCodeBench checkout at $REF (set LCB_REF)"
else
  mkdir -p "$OUT/stubs/datasets"
  echo 'def load_dataset(*a, **k): raise RuntimeError("not used")' > "$OUT/stubs/datasets/__init__.py"
  cat > "$OUT/ref.py" <<'EOF'
import json, sys
from lcb_runner.benchmarks.code_generation import CodeGenerationProblem
from lcb_runner.evaluation.compute_code_generation_metrics import evaluate_generations
problems = {p.question_id: p for p in (CodeGenerationProblem(**json.loads(l)) for l in open(sys.argv[1]))}
samples, gens = [], []
for s in json.load(open(sys.argv[2])):
    for code in s["code_list"]:
        samples.append(problems[s["question_id"]].get_evaluation_sample())
        gens.append([code])
results, _ = evaluate_generations(samples, gens, num_process_evaluate=12, timeout=2)
print(sum(all(x > 0 for x in r[0]) for r in results.values()))
EOF
  # the set without the samples that wait for an alarm or the budget (their
  # seconds are the same in both harnesses: 8 s for the budget sample alone)
  $PY - "$FIX" "$OUT/quick.json" <<'EOF'
import json, sys
fix, out = sys.argv[1:3]
exp = json.load(open(fix + "/expected.json"))["problems"]
keep = []
for s in json.load(open(fix + "/samples.json")):
    e = exp[s["question_id"]]
    slow = [-3 in r or m.get("error_code") == -5 or m.get("error_message") == "Error during testing: "
            or "timeout occured" in m.get("output", "") for r, m in zip(e["results"], e["metadata"])]
    keep.append({"question_id": s["question_id"], "code_list": [c for c, x in zip(s["code_list"], slow) if not x]})
json.dump(keep, open(out, "w"))
EOF
  # /usr/bin/time -o FILE: "wall user sys minor-faults" of the whole process
  # tree (the children it waited for: lcb_runner's pool and Manager
  # processes, benchlua's executors and their forks)
  timed() { local f=$1; shift; /usr/bin/time -f '%e %U %S %R' -o "$f" "$@"; }
  measure() { # measure NAME SAMPLES
    local best_ref= best_bl= ref_cpu= bl_cpu= r ref_t bl_t ref_c bl_c ref_f bl_f ref_passed bl_passed n u s
    n=$($PY -c "import json,sys; print(sum(len(s['code_list']) for s in json.load(open(sys.argv[1]))))" "$2")
    for r in $(seq "$ROUNDS"); do
      ref_passed=$(cd "$REF" && PYTHONPATH="$OUT/stubs:$REF" timed "$OUT/ref.time" $PY "$OUT/ref.py" "$FIX/problems.jsonl" "$2" 2>/dev/null </dev/null | tail -1)
      cp "$2" "$OUT/s.json"
      timed "$OUT/bl.time" "$BIN" lcb --samples "$OUT/s.json" --dataset "$FIX/problems.jsonl" --exec-timeout 2 \
        --results "$OUT/r.json" --quiet > "$OUT/bl.txt" 2>&1
      bl_passed=$(grep -o 'passed [0-9]*' "$OUT/bl.txt" | head -1 | cut -d' ' -f2)
      read -r ref_t u s ref_f < <(tail -1 "$OUT/ref.time"); ref_c=$(echo "$u + $s" | bc)
      read -r bl_t u s bl_f < <(tail -1 "$OUT/bl.time"); bl_c=$(echo "$u + $s" | bc)
      printf '%s, round %d: lcb_runner %.2f s, %.2f CPU-s, %d page faults (%s passed); benchlua %.2f s, %.2f CPU-s, %d page faults (%s passed)\n' \
        "$1" "$r" "$ref_t" "$ref_c" "$ref_f" "$ref_passed" "$bl_t" "$bl_c" "$bl_f" "$bl_passed"
      if [ -z "$best_ref" ] || [ "$(echo "$ref_t < $best_ref" | bc)" = 1 ]; then best_ref=$ref_t ref_cpu=$ref_c; fi
      if [ -z "$best_bl" ] || [ "$(echo "$bl_t < $best_bl" | bc)" = 1 ]; then best_bl=$bl_t bl_cpu=$bl_c; fi
    done
    printf '%s (%d samples), best: lcb_runner %.2f s, %.2f CPU-s (12 processes); benchlua %.2f s, %.2f CPU-s (%d workers): %.2fx (goal <= 0.5x), CPU %.2fx\n' \
      "$1" "$n" "$best_ref" "$ref_cpu" "$best_bl" "$bl_cpu" "$(nproc)" "$(echo "$best_bl / $best_ref" | bc -l)" "$(echo "$bl_cpu / $ref_cpu" | bc -l)"
    # The floors that the samples' own run times set (benchlua's sample log of
    # the last round: exec_time, from the request to the verdict). However
    # many processes a grader runs, it cannot give lcb_runner's verdicts
    # sooner than the longest sample: one that outlives its alarm runs until
    # the whole-sample budget, and its verdict depends on what it prints
    # until then. With one core per worker, as benchlua runs them, the sum
    # of the run times over the workers is a floor too.
    read -r longest total floor < <($PY -c '
import glob, json, os, sys
log = max(glob.glob(sys.argv[1] + "/benchlua-runs/*/samples.jsonl"), key=os.path.getmtime)
t = [json.loads(l).get("exec_time") or 0 for l in open(log)]
print(max(t), sum(t), max(max(t), sum(t) / int(sys.argv[2])))' "$OUT" "$(nproc)")
    printf '  floors from the run times (last round): the longest sample %.2f s = %.2fx of lcb_runner (any grader, however many processes); the sum %.2f s over %d workers with a core each: %.2f s, benchlua %.2fx of it\n' \
      "$longest" "$(echo "$longest / $best_ref" | bc -l)" "$total" "$(nproc)" "$floor" "$(echo "$best_bl / $floor" | bc -l)"
  }
  measure "whole set" "$FIX/samples.json"
  measure "without alarms and budget kills" "$OUT/quick.json"
fi

echo "-- 2. peak memory reading a synthetic shard"
MB=${BENCH_SHARD_MB:-1024}
$PY - "$OUT/shard.jsonl" "$OUT/one.json" "$MB" <<'EOF'
import base64, json, os, pickle, random, sys, zlib
path, samples, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(1)
blob = base64.b64encode(rnd.randbytes(2_000_000)).decode()  # ~2.7 MB of base64: never decoded
big = base64.b64encode(rnd.randbytes(30_000_000)).decode()  # ~40 MB rows
tests = json.dumps([{"input": "%d\n" % i, "output": "%d\n" % i, "testtype": "stdin"} for i in range(3)])
def row(i, private):
    return json.dumps({"question_title": "t%d" % i, "question_content": "Print n." * 50, "platform": "atcoder",
        "question_id": "q%05d" % i, "contest_id": "c", "contest_date": "2024-01-01T00:00:00",
        "starter_code": "", "difficulty": "easy", "metadata": "{}",
        "public_test_cases": json.dumps([{"input": "7\n", "output": "7\n", "testtype": "stdin"}]),
        "private_test_cases": private}) + "\n"
with open(path, "w") as f:
    f.write(row(0, base64.b64encode(zlib.compress(pickle.dumps(tests))).decode()))
    i = 1
    while f.tell() < mb << 20:
        f.write(row(i, big if i % 100 == 50 else blob))
        i += 1
json.dump([{"question_id": "q00000", "code_list": ["print(input())"]}], open(samples, "w"))
print("shard: %d rows, %.0f MB" % (i, os.path.getsize(path) / 2**20))
EOF
/usr/bin/time -f '%M %e' -o "$OUT/time.txt" "$BIN" lcb --samples "$OUT/one.json" --dataset "$OUT/shard.jsonl" --limit 1 \
  --results "$OUT/r2.json" --quiet > "$OUT/mem.txt" 2>&1
read -r kb secs < "$OUT/time.txt"
size=$(stat -c %s "$OUT/shard.jsonl")
printf 'benchlua lcb over the shard: max RSS %.0f MB, %.1f s (file %.0f MB: %.2fx of it; goal < 300 MB); graded: %s\n' \
  "$(echo "$kb / 1024" | bc -l)" "$secs" "$(echo "$size / 1048576" | bc -l)" "$(echo "$kb * 1024 / $size" | bc -l)" \
  "$(grep -o "{'pass@1': [0-9.]*}" "$OUT/mem.txt" || tail -2 "$OUT/mem.txt")"
