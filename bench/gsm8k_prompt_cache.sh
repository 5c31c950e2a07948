#!/usr/bin/env bash
# bench/gsm8k_prompt_cache.sh: does the server's prompt cache carry GSM8K's
# 8-shot prefix? Runs `benchlua gsm8k` (completion mode, --generate-only,
# one token per problem) against the real llama-server and the tiny model
# on every problem (or --limit N), and compares the prompt tokens the server
# evaluated (results.prompt_tokens_evaluated, from its timings) with the
# ideal: each prompt's tokens past the prefix all prompts share, plus that
# prefix once per slot. Goal: at most 1.2x.
#   BENCHLUA_DATA=../shared/data bench/gsm8k_prompt_cache.sh [SLOTS] [LIMIT]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BENCHLUA:-$SRC/benchlua}
SERVER=${BENCHLUA_SERVER_BIN:-$SRC/tests/server/llama-server}
MODEL=${BENCHLUA_TEST_MODEL:-$SRC/build/tiny.gguf}
SLOTS=${1:-4}
LIMIT=${2:-}
W=$(mktemp -d /tmp/gsm8k-cache-XXXXXX)
trap 'kill $SPID 2>/dev/null || true; rm -rf "$W"' EXIT
SPID=
"$BIN" gsm8k --model "$MODEL" --server-bin "$SERVER" --parallel "$SLOTS" --ctx $((SLOTS * 4096)) --max-tokens 1 \
  ${LIMIT:+--limit $LIMIT} --generate-only "$W/gen.jsonl" --results "$W/r.json" --quiet >/dev/null
# the ideal, from the logged prompts tokenized by a server of the same model
PORT=$((20000 + RANDOM % 20000))
"$SERVER" -m "$MODEL" --port $PORT -c 4096 -np 1 >"$W/tok.log" 2>&1 &
SPID=$!
for _ in $(seq 200); do curl -sf localhost:$PORT/health >/dev/null 2>&1 && break; sleep 0.1; done
/usr/bin/python3 - "$W/r.json" "$PORT" "$SLOTS" <<'PY'
import json, sys, urllib.request
run = json.load(open(sys.argv[1]))["runs"][-1]
port, slots = sys.argv[2], int(sys.argv[3])
res = run["results"]
prompts = [json.loads(l)["prompt"] for l in open(run["run_dir"] + "/samples.jsonl")]
def tok(text):
    req = urllib.request.Request("http://127.0.0.1:%s/tokenize" % port, json.dumps({"content": text, "add_special": True}).encode(),
                                 {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["tokens"]
toks = [tok(p) for p in prompts]
lcp = len(toks[0])
for t in toks[1:]:
    n = 0
    while n < min(lcp, len(t)) and t[n] == toks[0][n]:
        n += 1
    lcp = n
total = sum(len(t) for t in toks)
ideal = sum(len(t) - lcp for t in toks) + slots * lcp
ev, ca = res["prompt_tokens_evaluated"], res["prompt_tokens_cached"]
print("gsm8k prompt cache: %d prompts, %d slots, shared prefix %d tokens, %d prompt tokens in all" % (len(toks), slots, lcp, total))
print("evaluated %d, cached %d; ideal %d (suffixes + one prefix per slot): %.3fx the ideal (goal <= 1.2x); without the cache %.2fx"
      % (ev, ca, ideal, ev / ideal, total / ideal))
PY
