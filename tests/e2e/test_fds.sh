#!/usr/bin/env bash
# End-to-end: no descriptor of benchlua reaches llama-server, and every
# descriptor benchlua opens is close-on-exec (issue 7, item 11).
. "$(dirname "$0")/lib.sh"

# 1. the server: a wrapper that records its descriptors, then becomes the real one
cat > fd-server <<EOS
#!/usr/bin/python3
import os, sys
fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))  # 3: the listing itself
with open('$WORK/server-fds', 'w') as f:
    f.write(' '.join(map(str, fds)))
os.execv('$BENCHLUA_SERVER_BIN', ['llama-server'] + sys.argv[1:])
EOS
chmod +x fd-server
"$BENCHLUA" throughput --model "$MODEL" --server-bin ./fd-server --parallel 2 --ctx 2048 \
  --requests 4 --max-tokens 4 --quiet >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && [ "$(cat server-fds 2>/dev/null)" = "0 1 2 3" ]; then
  pass "the server gets only 0, 1 and 2"
else fail "the server gets only 0, 1 and 2" "rc=$rc saw '$(cat server-fds 2>/dev/null)' $(tail -3 err.txt)"; fi

# 2. benchlua's own descriptors, started with nothing but 0, 1 and 2
/usr/bin/python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)" > port.txt &
holder=$!
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.05; done
printf 'hello\n' | gzip > data.gz
HOLD_PORT=$(cat port.txt) PROBE_DIR=$WORK /usr/bin/python3 -c '
import subprocess, sys
sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)' \
  "$BENCHLUA" test "$SRC/tests/e2e/fds_probe.lua"
kill $holder 2>/dev/null; wait $holder 2>/dev/null || true
