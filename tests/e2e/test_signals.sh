#!/usr/bin/env bash
# End-to-end: a signal stops busy Lua code (issue 7, item 13). A benchmark
# whose run is `while true do end`, with the real server up: SIGINT and
# SIGTERM end benchlua within 2 s with 130 / 143, and no server is left.
. "$(dirname "$0")/lib.sh"

cat > busy.lua <<'EOS'
return {
  name = "busy", description = "spins in run",
  run = function(ctx)
    io.stderr:write("spinning\n")
    while true do end
  end,
}
EOS
cat > busy_map.lua <<'EOS'
return {
  name = "busy_map", description = "spins in a task of bench.map",
  run = function(ctx)
    bench.map({ 1, 2 }, 2, function(_, i)
      if i == 1 then io.stderr:write("spinning\n"); local x = 0; while true do x = x + 1 end end
      bench.sleep(100)
    end)
  end,
}
EOS

# start FILE: benchlua on FILE in the background; waits until its run spins
start() {
  "$BENCHLUA" "$1" --model "$MODEL" --ctx 2048 --parallel 1 --quiet >out.txt 2>err.txt &
  pid=$!
  for _ in $(seq 400); do grep -q spinning err.txt 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

# stopped PID: wait up to 3 s for it to exit (then SIGKILL it); its status in rc
stopped() {
  local deadline=$((SECONDS + 3))
  while kill -0 "$1" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null; rc=$?
}

for f in busy.lua busy_map.lua; do
  for sig in INT TERM; do
    want=$([ $sig = INT ] && echo 130 || echo 143)
    if ! start $f; then fail "$f SIG$sig" "the run never started: $(tail -3 err.txt)"; kill -9 $pid; continue; fi
    sleep 0.3
    t0=$(now_ms); kill -$sig $pid; stopped $pid; dt=$(( $(now_ms) - t0 ))
    if [ $rc -eq $want ] && [ $dt -lt 2000 ] && no_server_left 2; then
      pass "$f: SIG$sig stops a busy run in ${dt} ms, exit $rc, no server left"
    else fail "$f SIG$sig" "rc=$rc (want $want) after ${dt} ms; servers: $(servers); $(tail -3 err.txt)"; fi
  done
done

# a second Ctrl-C right after the first still ends it at once
start busy.lua
t0=$(now_ms); kill -INT $pid; kill -INT $pid; stopped $pid; dt=$(( $(now_ms) - t0 ))
if [ $rc -eq 130 ] && [ $dt -lt 2000 ] && no_server_left 3; then pass "two Ctrl-C: exit 130 in ${dt} ms, no server left"
else fail "two Ctrl-C" "rc=$rc after ${dt} ms; servers: $(servers)"; fi

# Ctrl-C while the server loads (a real llama-server behind a wrapper that is
# slow to start it): one line, no traceback, the run recorded interrupted by
# this benchlua at once (not left for the next command), nothing left running
cat > slow-server.sh <<EOS
#!/bin/sh
echo "slow-server: loading"
sleep 30
exec "$BENCHLUA_SERVER_BIN" "\$@"
EOS
chmod +x slow-server.sh
rm -rf benchlua-runs benchmark_results.json
"$BENCHLUA" throughput --model "$MODEL" --server-bin "$PWD/slow-server.sh" --quiet > out.txt 2> err.txt &
pid=$!
for _ in $(seq 200); do grep -q loading benchlua-runs/*/server.log 2>/dev/null && break; sleep 0.05; done
sleep 0.2
t0=$(now_ms); kill -INT $pid; stopped $pid; dt=$(( $(now_ms) - t0 ))
lines=$(grep -vc "Interrupt: stopping" err.txt)
if [ $rc -eq 130 ] && [ $dt -lt 2000 ] && [ "$lines" = 1 ] && ! grep -q traceback err.txt &&
   [ "$(last_run benchmark_results.json "r['status'], r['error']")" = "interrupted the run was interrupted while the server loaded" ] &&
   [ -z "$(ls benchlua-runs/*/state.json 2>/dev/null)" ] && ! pgrep -f "$PWD/slow-server.sh" > /dev/null; then
  pass "Ctrl-C while the server loads: one line, exit 130 in ${dt} ms, recorded interrupted at once, nothing left"
else fail "Ctrl-C while the server loads" "rc=$rc after ${dt} ms; $(cat err.txt); $(cat benchmark_results.json 2>/dev/null | head -c 300); left: $(pgrep -af "$PWD/slow-server.sh")"; fi
for p in $(pgrep -f "$PWD/slow-server.sh"); do kill "$p"; done; true
