#!/usr/bin/env bash
# bench/speed.sh [BENCHLUA] [-p N] [-n N] [-r N]: `benchlua speed` beside
# llama-bench on the same model and settings (the sid root's llama-bench,
# through tests/server/llama-bench), each with its spread, and their ratio.
# On the tiny test model the server's per-token overhead (HTTP, JSON, the
# slot loop) dominates and the ratio is low; on a real model on a GPU the
# server's single-stream pp and tg should be within a few percent of
# llama-bench's (docs/benchmarks.md: "Speed").
# Env: BENCHLUA_TEST_MODEL (the model), BENCHLUA_SERVER_BIN, LLAMA_BENCH
# (default tests/server/llama-bench), BENCH_GPU_LAYERS (0).
set -eu
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}"); shift || true
P=512 N=128 R=5
while [ $# -gt 0 ]; do
  case "$1" in -p) P=$2; shift 2 ;; -n) N=$2; shift 2 ;; -r) R=$2; shift 2 ;; *) echo "usage: bench/speed.sh [BENCHLUA] [-p N] [-n N] [-r N]" >&2; exit 2 ;; esac
done
MODEL=${BENCHLUA_TEST_MODEL:-$PWD/build/tiny.gguf}
export BENCHLUA_SERVER_BIN=${BENCHLUA_SERVER_BIN:-$PWD/tests/server/llama-server}
LLAMA_BENCH=${LLAMA_BENCH:-$PWD/tests/server/llama-bench}
NGL=${BENCH_GPU_LAYERS:-0}
OUT=$(mktemp -d /tmp/benchlua-speed-XXXXXX)
trap 'rm -rf "$OUT"' EXIT

"$LLAMA_BENCH" -m "$MODEL" -p "$P" -n "$N" -r "$R" -ngl "$NGL" -o json > "$OUT/llama-bench.json" 2> "$OUT/llama-bench.err" \
  || { echo "llama-bench failed: $(tail -n 3 "$OUT/llama-bench.err")" >&2; exit 1; }
"$BIN" speed --model "$MODEL" --gpu-layers "$NGL" --parallel 1 --ctx $(( (P + N) * 2 )) -p "$P" -n "$N" -r "$R" \
  --concurrency 1 --results "$OUT/r.json" --runs-dir "$OUT/runs" --quiet > /dev/null 2> "$OUT/speed.err" \
  || { echo "benchlua speed failed: $(tail -n 3 "$OUT/speed.err")" >&2; exit 1; }

/usr/bin/python3 - "$OUT/llama-bench.json" "$OUT/r.json" "$P" "$N" "$R" "$MODEL" <<'PY'
import json, sys
lb = json.load(open(sys.argv[1]))
run = json.load(open(sys.argv[2]))["runs"][-1]
p, n, r, model = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
s = run["results"]["speed"][0]
ref = {("pp" if x["n_prompt"] else "tg"): (x["avg_ts"], x["stddev_ts"]) for x in lb}
ours = {"pp": (s["pp_tokens_per_second"]["mean"], s["pp_tokens_per_second"]["sd"]),
        "tg": (s["tg_tokens_per_second"]["mean"], s["tg_tokens_per_second"]["sd"])}
print("model %s, %s repetitions, llama-bench %s (build %s, %d threads) against benchlua speed (concurrency 1)"
      % (model.rsplit("/", 1)[-1], r, lb[0]["backends"], lb[0]["build_number"], lb[0]["n_threads"]))
print("%-8s %24s %24s %8s" % ("test", "llama-bench t/s", "benchlua speed t/s", "ratio"))
for k, label in (("pp", "pp" + p), ("tg", "tg" + n)):
    (a, sa), (b, sb) = ref[k], ours[k]
    print("%-8s %15.1f ± %-7.1f %15.1f ± %-7.1f %7.2fx" % (label, a, sa, b, sb, b / a))
print("server only: ttft p50 %.1f ms (p90 %.1f, p99 %.1f), inter-token p50 %.2f ms (p90 %.2f, p99 %.2f)"
      % (s["ttft_ms"]["p50"], s["ttft_ms"]["p90"], s["ttft_ms"]["p99"], s["itl_ms"]["p50"], s["itl_ms"]["p90"], s["itl_ms"]["p99"]))
PY
