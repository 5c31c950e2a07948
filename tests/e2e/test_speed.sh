#!/usr/bin/env bash
# End-to-end: `benchlua speed` against the real llama-server (tiny model):
# llama-bench's options (-p -n -r), a list of concurrencies, every figure of
# the record (pp and tg tokens/s from the server's timings, time to first
# token and inter-token latency from the streamed tokens), exactly -n tokens
# per request (end of text ignored), and one-line errors for bad options.
. "$(dirname "$0")/lib.sh"

"$BENCHLUA" speed --model "$MODEL" -p 48 -n 8 -r 2 --concurrency 1,2 --parallel 2 --ctx 512 --quiet > out.txt 2> err.txt
rc=$?
check "speed: a run records ok" test $rc -eq 0
got=$(last_run benchmark_results.json "'%s %s %s' % (r['status'], [s['concurrency'] for s in r['results']['speed']], r['results']['tokens_generated'])")
# the warm-up (min(n, 16) = 8 tokens) and (1 + 2) x 2 requests of 8 tokens
check "speed: concurrencies 1 and 2, 8 tokens a request ($got)" test "$got" = "ok [1, 2] 56"
shape=$(last_run benchmark_results.json "all(
  s['pp_tokens_per_second']['mean'] > 0 and s['pp_tokens_per_second']['sd'] >= 0 and
  s['tg_tokens_per_second']['mean'] > 0 and s['tg_tokens_per_second']['sd'] >= 0 and
  0 < s['ttft_ms']['p50'] <= s['ttft_ms']['p90'] <= s['ttft_ms']['p99'] and
  0 <= s['itl_ms']['p50'] <= s['itl_ms']['p90'] <= s['itl_ms']['p99'] and
  s['requests'] == 2 * s['concurrency'] for s in r['results']['speed'])")
check "speed: every figure of every concurrency is there and ordered" test "$shape" = True
same=$(last_run benchmark_results.json "r['results']['score'] == r['results']['speed'][0]['tg_tokens_per_second']['mean'] == r['results']['tokens_per_s']")
check "speed: the score is tg tokens/s at the first concurrency" test "$same" = True
check "speed: the summary line names pp, tg, ttft and itl" grep -q "^speed: concurrency 2: pp [0-9.]* ± [0-9.]* t/s, tg [0-9.]* ± [0-9.]* t/s, ttft p50 [0-9.]* ms, itl p50 [0-9.]* ms$" err.txt

"$BENCHLUA" speed --help > help.txt
check "speed --help: llama-bench's short options" grep -q -- "-p, --prompt-tokens N" help.txt
out=$("$BENCHLUA" speed --model "$MODEL" --concurrency 1,0 2>&1); rc=$?
check "speed: a bad concurrency list is one line, exit 2 ($out)" test $rc -eq 2 -a "$(printf '%s\n' "$out" | wc -l)" -eq 1
out=$("$BENCHLUA" speed --model "$MODEL" -p 4000 -n 200 --ctx 1024 --quiet 2>&1); rc=$?
check "speed: a prompt that does not fit the slot fails in one line ($out)" grep -q "4000 prompt + 200 generated tokens do not fit the server's context per slot" <<< "$out"
check "speed: no llama-server left" no_server_left 2
