#!/usr/bin/env bash
# bench/samples_grading.sh [BENCHLUA]: what the whole `benchlua gsm8k --samples FILE` command costs
# for 10,000 responses (the tests' fixtures cycled, as bench/answer_grading.lua grades them) against
# the grader alone on the same responses, in the same run: CPU seconds (user + sys; the machine is
# shared, wall time is not a measure here), the median of ROUNDS (BENCHLUA_BENCH_ROUNDS, 3).
#   whole command: reading the data and the samples, grading, the sample log, FILE_results.jsonl,
#                  the record (a fresh process each time, in a scratch directory);
#   fixed part:    the same command on a one-response file (start, data, record);
#   grader alone:  grade_gsm8k's G.grade in process (bench/answer_grading.lua's "BENCH gsm8k" line).
# Prints RATIO lines: the whole command / the grader alone, and (whole - fixed) / the grader alone.
set -eu
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}")
DATA=${BENCHLUA_DATA:-../shared/data}
DATA=$(realpath "$DATA")
ROUNDS=${BENCHLUA_BENCH_ROUNDS:-3}
N=${BENCHLUA_BENCH_N:-10000}
OUT=$(mktemp -d /tmp/benchlua-samples-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
/usr/bin/python3 - "$N" tests/fixtures/gsm8k/cases.jsonl "$OUT" <<'EOF'
import json, sys
n, cases, out = int(sys.argv[1]), [json.loads(l) for l in open(sys.argv[2])], sys.argv[3]
reps = {}
with open(out + "/many.jsonl", "w") as f:
    for i in range(n):
        c = cases[i % len(cases)]
        t = str(c["task_id"])
        reps[t] = reps.get(t, -1) + 1
        line = json.dumps({"task_id": t, "repeat": reps[t], "response": c["response"]}) + "\n"
        f.write(line)
        if i == 0:
            open(out + "/one.jsonl", "w").write(line)
EOF
# CPU seconds of one command (user + sys of it and its children)
cpu() {
  local t
  rm -rf "$OUT/run" && mkdir "$OUT/run"
  t=$( { cd "$OUT/run" && TIMEFORMAT='%U %S' && time "$BIN" gsm8k --samples "$OUT/$1.jsonl" --dataset "$DATA/gsm8k_test.jsonl" \
    >/dev/null 2>"$OUT/err"; } 2>&1 ) || { cat "$OUT/err" >&2; exit 1; }
  echo "$t" | awk '{ printf "%.3f\n", $1 + $2 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$OUT/whole"; : >"$OUT/fixed"; : >"$OUT/grader"
for _ in $(seq "$ROUNDS"); do
  cpu many >>"$OUT/whole"
  cpu one >>"$OUT/fixed"
  BENCHLUA_DATA=$DATA BENCHLUA_BENCH_N=$N BENCHLUA_TEST_FILTER=gsm8k "$BIN" test bench/answer_grading.lua \
    | awk '$1 == "BENCH" && $2 == "gsm8k" && $3 != "--chat" { print $6; exit }' >>"$OUT/grader"
done
W=$(median <"$OUT/whole"); F=$(median <"$OUT/fixed"); G=$(median <"$OUT/grader")
L=$(cut -d' ' -f1-3 /proc/loadavg)
echo "gsm8k --samples, $N responses, CPU seconds, median of $ROUNDS (load average $L):"
echo "  whole command $W s (rounds: $(paste -sd' ' "$OUT/whole")), fixed part $F s, grader alone $G s"
awk -v w="$W" -v f="$F" -v g="$G" 'BEGIN {
  printf "RATIO whole command / grader alone = %.2fx\n", w / g
  printf "RATIO (whole - fixed) / grader alone = %.2fx\n", (w - f) / g }'
