#!/usr/bin/env bash
# bench/evalplus_score.sh [BENCHLUA]: scoring the 164 HumanEval+ canonical
# solutions (every base and plus input: 1,570 + 122,683 calls) with
# `benchlua humaneval_plus --samples` against evalplus's own
# `evalplus.evaluate` on the same samples file, same machine, same run; both
# with their ground-truth caches warm (each is warmed first, untimed) and their
# default parallelism (evalplus: cpu_count / 2 workers; benchlua: one
# executor per CPU). Prints both wall times and benchlua / evalplus (goal:
# at most 0.5). The evalplus checkout is $EVALPLUS_REF (default
# /work/refs/evalplus, evalplus/evalplus @ 26d6d00); without one: SKIP.
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}")
REF=${EVALPLUS_REF:-/work/refs/evalplus}
PY=/usr/bin/python3
DATA=$(realpath "${BENCHLUA_DATA:-../shared/data}")
if [ ! -f "$REF/evalplus/evaluate.py" ]; then echo "SKIP: no evalplus checkout at $REF (set EVALPLUS_REF)"; exit 0; fi
if ! "$PY" -c "import numpy, tqdm, fire, termcolor, psutil, appdirs, wget, rich" 2>/dev/null; then
  echo "SKIP: evalplus's Python dependencies are missing (python3-numpy, -tqdm, -fire, -termcolor, -psutil, -appdirs, -wget, -rich)"
  exit 0
fi
W=$(mktemp -d /tmp/benchlua-evalplus-XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/stub" "$W/ep" "$W/bl"
printf 'def load_dataset(*a, **k):\n    raise RuntimeError("stub")\n' > "$W/stub/datasets.py"
printf 'import tempfile\nclass TempDir(tempfile.TemporaryDirectory):\n    pass\n' > "$W/stub/tempdir.py"
printf 'class Language:\n    pass\nclass Parser:\n    pass\nclass Node:\n    pass\n' > "$W/stub/tree_sitter.py"
printf 'def language():\n    raise RuntimeError("stub")\n' > "$W/stub/tree_sitter_python.py"
gzip -dc "$DATA/HumanEvalPlus.jsonl.gz" > "$W/HumanEvalPlus.jsonl"
"$PY" - "$W" <<'PY'
import json, sys
w = sys.argv[1]
with open(w + "/HumanEvalPlus.jsonl") as f, open(w + "/canonical.jsonl", "w") as o:
    for line in f:
        t = json.loads(line)
        o.write(json.dumps({"task_id": t["task_id"], "solution": t["prompt"] + t["canonical_solution"]}) + "\n")
PY
export HUMANEVAL_OVERRIDE_PATH="$W/HumanEvalPlus.jsonl"
ep() { # evalplus on samples file $1
  ( cd "$W" && XDG_CACHE_HOME="$W/ep-cache" PYTHONPATH="$W/stub:$REF" "$PY" -m evalplus.evaluate \
      --dataset humaneval --samples "$1" 2>&1 | grep -E "^.{0,12}pass@1" | head -2 | tr -d '\033' | sed 's/\[[0-9]*m//g' | tr '\n\t' '  ' )
}
bl() { # benchlua on samples file $1
  XDG_CACHE_HOME="$W/bl-cache" "$BIN" humaneval_plus --samples "$1" --dataset "$W/HumanEvalPlus.jsonl" \
    --results "$W/results.json" --quiet 2>&1 | grep -E "^humaneval_plus: base" | sed 's/  passed.*//'
}
t() { local s e; s=$(date +%s.%N); "$@" >"$W/out"; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "warming the ground-truth caches (untimed)..."
( cd "$W" && XDG_CACHE_HOME="$W/ep-cache" PYTHONPATH="$W/stub:$REF" "$PY" -c "
from evalplus.evaluate import get_groundtruth
from evalplus.data import get_human_eval_plus, get_human_eval_plus_hash
get_groundtruth(get_human_eval_plus(), get_human_eval_plus_hash(), [])" >/dev/null 2>&1 )
cp "$W/canonical.jsonl" "$W/bl/warm.jsonl"
bl "$W/bl/warm.jsonl" >/dev/null
cp "$W/canonical.jsonl" "$W/ep/canonical.jsonl"
cp "$W/canonical.jsonl" "$W/bl/canonical.jsonl"
te=$(t ep "$W/ep/canonical.jsonl"); oe=$(cat "$W/out")
tb=$(t bl "$W/bl/canonical.jsonl"); ob=$(cat "$W/out")
printf "evalplus.evaluate : %6.1f s   %s\n" "$te" "$oe"
printf "benchlua          : %6.1f s   %s\n" "$tb" "$ob"
printf "benchlua / evalplus = %.2f (goal: at most 0.5)\n" "$(echo "$tb / $te" | bc -l)"
