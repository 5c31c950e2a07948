#!/usr/bin/env bash
# End-to-end: `benchlua sweep` against the real llama-server and the tiny model
# (a copy of it is the second model). The product, one server start per cell,
# a failed cell, --resume (of a failed and of a killed sweep), --dry-run and
# the command-line form.
. "$(dirname "$0")/lib.sh"
cp "$MODEL" a.gguf
cp "$MODEL" b.gguf
# the server binary through a wrapper that counts the starts (one line each)
counting_server
need_data HumanEval.jsonl.gz
DATA="$BENCHLUA_DATA/HumanEval.jsonl.gz"

# 1. the product: 2 models x 1 setting x 2 benchmarks, one server start per cell
cat > sweep.lua <<EOF
return {
  models = { "a.gguf", "b.gguf" },
  settings = { { parallel = 2, ctx = 4096 } },
  benchmarks = { { "throughput", requests = 8, max_tokens = 8 },
                 { "human_eval", limit = 2, max_tokens = 16, dataset = "$DATA" } },
  options = { server_bin = "./counting-server", quiet = true },
  results = "out/sweep_results.json",
}
EOF
mkdir -p out
rm -f starts
"$BENCHLUA" sweep sweep.lua >out.txt 2>err.txt
rc=$?
got=$(runs out/sweep_results.json "[(r['sweep']['cell'], r['benchmark'], r['model'], r['config']['parallel'], r['status']) for r in rs]")
want="[(1, 'throughput', 'a.gguf', 2, 'ok'), (1, 'human_eval', 'a.gguf', 2, 'ok'), (2, 'throughput', 'b.gguf', 2, 'ok'), (2, 'human_eval', 'b.gguf', 2, 'ok')]"
if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then pass "sweep file: 2 models x 2 benchmarks, four runs recorded in order"
else fail "sweep file product" "rc=$rc got $got $(tail -5 err.txt)"; fi
check "sweep file: one server start per (model, setting)" test "$(starts)" = 2
check "sweep file: the two runs of a cell share its server" \
  test "$(runs out/sweep_results.json "len(set(r['server_log'] for r in rs[:2])), len(set(r['server_log'] for r in rs))")" = "1 2"
check "sweep file: a run's config reads as a normal run's (model path, no endpoint)" \
  test "$(runs out/sweep_results.json "rs[2]['config']['path'] == '$WORK/b.gguf', 'endpoint' in rs[2]['config'], rs[2]['config']['server']['slots']")" = "True False 2"
check "sweep file: the summary is the leaderboard: a row per model, a column per benchmark" \
  test "$(grep -E '^model +throughput +human_eval +tok/s$' out.txt | wc -l) $(grep -cE '^[ab]\.gguf +[0-9.]+ 1x +(best|[-+][0-9.]+) +[0-9.]+ \[' out.txt)" = "1 2"
check "sweep file: the summary counts the four runs ok" test "$(tail -n 1 out.txt)" = "4 of 4 runs ok"
check "sweep file: no llama-server left" no_server_left 2

# 2. --dry-run lists the cells and starts nothing
rm -f starts
"$BENCHLUA" sweep sweep.lua --dry-run >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(starts)" = 0 ] && grep -q '^cell 2: b.gguf ctx=4096 parallel=2: throughput max_tokens=8 requests=8, human_eval' out.txt \
   && grep -q '2 models x 1 setting = 2 cells, 2 benchmarks each (4 runs)' out.txt; then
  pass "--dry-run: lists the cells, starts no server"
else fail "--dry-run" "rc=$rc starts=$(starts) $(cat out.txt err.txt)"; fi
"$BENCHLUA" sweep sweep.lua --dry-run --resume >out.txt 2>err.txt
check "--dry-run --resume: says which cells are done" test "$(grep -c '(done)$' out.txt)" = 2

# 3. a failed cell is recorded and the sweep goes on; the exit status says so
printf 'GGUF-but-not-really' > bad.gguf
cat > failing.lua <<'EOF'
return {
  models = { "bad.gguf", "a.gguf" },
  benchmarks = { { "throughput", requests = 4, max_tokens = 4 }, { "throughput", requests = 2, max_tokens = 2 } },
  options = { server_bin = "./counting-server", quiet = true, parallel = 2 },
  results = "failing.json",
}
EOF
rm -f starts
"$BENCHLUA" sweep failing.lua >out.txt 2>err.txt
rc=$?
got=$(runs failing.json "[(r['sweep']['cell'], r['sweep']['index'], r['status']) for r in rs]")
if [ $rc -eq 1 ] && [ "$got" = "[(1, 1, 'failed'), (1, 2, 'failed'), (2, 1, 'ok'), (2, 2, 'ok')]" ]; then
  pass "failed cell: recorded as failed, the next cell runs, exit status 1"
else fail "failed cell" "rc=$rc got $got $(tail -5 err.txt)"; fi
check "failed cell: the error says why, with the server's log" \
  test "$(runs failing.json "'the server did not start' in rs[0]['error'] and 'exited with status' in rs[0]['error'] and 'gguf' in rs[0]['error'].lower()")" = True
check "failed cell: the summary names its runs, each with the first line of its error" \
  test "$(grep -cE '^not ok: cell 1 \(bad\.gguf\) throughput max_tokens=[24] requests=[24]: failed \(the server did not start: [^\n]*\)$' out.txt) $(tail -n 1 out.txt)" = "2 2 of 4 runs ok"
check "failed cell: the leaderboard has the cell that ran, the same benchmark with other options a column each" \
  test "$(grep -cE '^model +throughput max_tokens=4 requests=4 +throughput max_tokens=2 requests=2 +tok/s$' out.txt) $(grep -cE '^a\.gguf ' out.txt) $(grep -c '^bad\.gguf ' out.txt)" = "1 1 0"
check "failed cell: no llama-server left" no_server_left 2

# 4. --resume after fixing the model: only the failed cell runs again
cp "$MODEL" bad.gguf
rm -f starts
"$BENCHLUA" sweep failing.lua --resume >out.txt 2>err.txt
rc=$?
got=$(runs failing.json "[(r['sweep']['cell'], r['sweep']['index'], r['status']) for r in rs[4:]]")
if [ $rc -eq 0 ] && [ "$(starts)" = 1 ] && [ "$got" = "[(1, 1, 'ok'), (1, 2, 'ok')]" ] \
   && [ "$(tail -n 1 out.txt)" = "4 of 4 runs ok" ] && [ "$(grep -cE '^(bad|a)\.gguf ' out.txt)" = 2 ]; then
  pass "--resume: only the failed cell runs again (one server start), then all four ok"
else fail "--resume after a failure" "rc=$rc starts=$(starts) got $got $(cat out.txt) $(tail -3 err.txt)"; fi
"$BENCHLUA" sweep failing.lua --resume >out.txt 2>err.txt
rc=$?
check "--resume of a complete sweep: nothing runs, exit 0" test "$rc $(starts) $(runs failing.json "len(rs)")" = "0 1 6"

# 5. --resume of an interrupted sweep: kill -9 in the middle of cell 2's
#    second benchmark; only that benchmark runs again
cat > long.lua <<'EOF'
return {
  models = { "a.gguf", "b.gguf" },
  benchmarks = { { "throughput", requests = 4, max_tokens = 4 }, { "throughput", requests = 120, max_tokens = 64 } },
  options = { server_bin = "./counting-server", quiet = true, parallel = 2 },
  results = "long.json",
}
EOF
rm -f starts
"$BENCHLUA" sweep long.lua >out.txt 2>err.txt &
pid=$!
for _ in $(seq 600); do
  [ "$(runs long.json "len(rs)" 2>/dev/null)" = 3 ] && break
  sleep 0.05
done
sleep 0.5
kill -9 $pid; wait $pid 2>/dev/null
check "interrupted sweep: killed in cell 2's second benchmark" \
  test "$(runs long.json "[(r['sweep']['cell'], r['sweep']['index']) for r in rs if r['status'] == 'ok']")" = "[(1, 1), (1, 2), (2, 1)]"
no_server_left 5 >/dev/null
"$BENCHLUA" sweep long.lua --resume --dry-run >out.txt 2>err.txt
check "--resume --dry-run of a killed sweep: cell 2 is half done" grep -q '^cell 2: b.gguf: .*(1 of 2 done)$' out.txt
sed 's/requests = 120/requests = 6/' long.lua > long2.lua && cp long2.lua long.lua
"$BENCHLUA" sweep long.lua --resume >out.txt 2>err.txt
rc=$?
if [ $rc -eq 2 ] && grep -q "long.lua: the sweep changed since its runs were recorded" err.txt; then
  pass "--resume of a changed sweep file is refused"
else fail "--resume, changed file" "rc=$rc $(cat err.txt)"; fi
sed 's/requests = 6/requests = 120/' long.lua > long2.lua && cp long2.lua long.lua
rm -f starts
"$BENCHLUA" sweep long.lua --resume >out.txt 2>err.txt
rc=$?
got=$(runs long.json "[(r['sweep']['cell'], r['sweep']['index']) for r in rs if r['status'] == 'ok']")
if [ $rc -eq 0 ] && [ "$(starts)" = 1 ] && [ "$got" = "[(1, 1), (1, 2), (2, 1), (2, 2)]" ]; then
  pass "--resume of a killed sweep: only the interrupted benchmark runs again"
else fail "--resume, killed" "rc=$rc starts=$(starts) got $got $(tail -3 err.txt)"; fi
check "interrupted sweep: no llama-server left" no_server_left 2

# 6. the command-line form: repeated options and comma lists form the product
rm -f starts
"$BENCHLUA" sweep --model a.gguf --model b.gguf --parallel 1,2 --benchmark throughput --requests 4 --max-tokens 4 \
  --server-bin ./counting-server --results cli.json --quiet --dry-run >out.txt 2>err.txt
rc=$?
want="cell 1: a.gguf parallel=1: throughput max_tokens=4 requests=4
cell 2: a.gguf parallel=2: throughput max_tokens=4 requests=4
cell 3: b.gguf parallel=1: throughput max_tokens=4 requests=4
cell 4: b.gguf parallel=2: throughput max_tokens=4 requests=4"
if [ $rc -eq 0 ] && [ "$(grep '^cell' out.txt)" = "$want" ]; then pass "command line: --model twice x --parallel 1,2 is four cells"
else fail "command line dry run" "rc=$rc $(cat out.txt err.txt)"; fi
"$BENCHLUA" sweep --model a.gguf --model b.gguf --parallel 1,2 --benchmark throughput --requests 4 --max-tokens 4 \
  --server-bin ./counting-server --results cli.json --quiet >out.txt 2>err.txt
rc=$?
got=$(runs cli.json "[(r['model'], r['config']['parallel'], r['config']['server']['slots'], r['results']['metrics']['completions'], r['status']) for r in rs]")
want="[('a.gguf', 1, 1, 4, 'ok'), ('a.gguf', 2, 2, 4, 'ok'), ('b.gguf', 1, 1, 4, 'ok'), ('b.gguf', 2, 2, 4, 'ok')]"
if [ $rc -eq 0 ] && [ "$got" = "$want" ] && [ "$(starts)" = 4 ]; then pass "command line: four cells run, each with its setting"
else fail "command line run" "rc=$rc starts=$(starts) got $got $(tail -5 err.txt)"; fi
"$BENCHLUA" sweep --model a.gguf --model b.gguf --parallel 1,2 --benchmark throughput --requests 4 --max-tokens 4 \
  --server-bin ./counting-server --results cli.json --quiet --resume >out.txt 2>err.txt
check "command line: --resume finds the same sweep" test "$? $(starts) $(runs cli.json "len(rs)")" = "0 4 4"
check "command line: no llama-server left" no_server_left 2
