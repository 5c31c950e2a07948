#!/usr/bin/env bash
# bench/answer_grading.sh [BENCHLUA]: grading 10,000 responses per answer-graded benchmark (gsm8k,
# gpqa_diamond, aime, mmlu_pro) with benchlua's graders (bench/answer_grading.lua) and with the
# reference Python graders on the same responses in the same run (bench/answer_grading_ref.py;
# checkouts from LM_EVAL_REF, SIMPLE_EVALS_REF, MMLU_PRO_REF, default /work/refs/<name>; a missing
# one is a SKIP). Prints CPU seconds per benchmark and the ratio benchlua / reference.
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}")
DATA=${BENCHLUA_DATA:-../shared/data}
OUT=$(mktemp -d /tmp/benchlua-grading-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
BENCHLUA_DATA=$DATA "$BIN" test bench/answer_grading.lua | tee "$OUT/lua"
/usr/bin/python3 bench/answer_grading_ref.py "${LM_EVAL_REF:-/work/refs/lm-evaluation-harness}" \
  "${SIMPLE_EVALS_REF:-/work/refs/simple-evals}" "${MMLU_PRO_REF:-/work/refs/MMLU-Pro}" "$DATA" | tee "$OUT/ref"
for b in gsm8k gpqa_diamond aime mmlu_pro; do
  l=$(awk -v b="$b" '$1 == "BENCH" && $2 == b { print $6; exit }' "$OUT/lua")
  r=$(awk -v b="$b" '$1 == "REF" && $2 == b { print $6; exit }' "$OUT/ref")
  if [ -n "$l" ] && [ -n "$r" ]; then
    awk -v b="$b" -v l="$l" -v r="$r" 'BEGIN { printf "RATIO %-14s benchlua %.3f s / reference %.3f s = %.3fx\n", b, l, r, l / r }'
  fi
done
