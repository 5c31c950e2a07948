#!/usr/bin/env bash
# End-to-end: a server that daemonizes (fork, setsid, fork again, while its
# first process stays and becomes the real llama-server) leaves nothing
# behind when benchlua stops, on every exit path where benchlua still runs
# (issue 7, item 10).
. "$(dirname "$0")/lib.sh"
MARK=benchlua-daemon-$$-$RANDOM

cat > daemon-server <<EOS
#!/usr/bin/python3
import os, sys
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["$MARK", "1000"])
    os._exit(0)
os.waitpid(pid, 0)
os.execv("$BENCHLUA_SERVER_BIN", ["llama-server"] + sys.argv[1:])
EOS
chmod +x daemon-server
daemons() { pgrep -f -- "^$MARK" || true; }
no_daemon_left() {
  local deadline=$((SECONDS + ${1:-3}))
  while [ -n "$(daemons)" ]; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.05; done
}
RUN=("$BENCHLUA" throughput --model "$MODEL" --server-bin ./daemon-server --parallel 2 --ctx 2048 --quiet)

# 1. a run that ends normally
"${RUN[@]}" --requests 4 --max-tokens 4 >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && no_daemon_left 3 && no_server_left 3; then pass "normal end: the daemonized process is gone"
else fail "normal end" "rc=$rc left: $(daemons) $(servers) $(tail -2 err.txt)"; pkill -9 -f -- "^$MARK"; fi

# 2. signals mid-run, and an error (the benchmark raises)
for sig in INT TERM; do
  "${RUN[@]}" --requests 100000 --max-tokens 64 >out.txt 2>err.txt &
  pid=$!
  for _ in $(seq 200); do [ -n "$(daemons)" ] && wait_server_ready 1 >/dev/null && break; sleep 0.05; done
  sleep 0.5
  kill -$sig $pid; wait $pid; rc=$?
  if [ -n "$rc" ] && no_daemon_left 3 && no_server_left 3; then pass "SIG$sig mid-run: the daemonized process is gone (exit $rc)"
  else fail "SIG$sig mid-run" "left: $(daemons) $(servers)"; pkill -9 -f -- "^$MARK"; fi
done

cat > raises.lua <<'EOS'
return { name = "raises", description = "fails in run", run = function() error("boom") end }
EOS
"$BENCHLUA" raises.lua --model "$MODEL" --server-bin ./daemon-server --ctx 2048 --quiet >out.txt 2>err.txt
rc=$?
if [ $rc -ne 0 ] && no_daemon_left 3 && no_server_left 3; then pass "a failing run: the daemonized process is gone (exit $rc)"
else fail "a failing run" "rc=$rc left: $(daemons) $(servers)"; pkill -9 -f -- "^$MARK"; fi
pkill -9 -f -- "^$MARK" 2>/dev/null || true
