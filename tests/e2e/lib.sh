# lib.sh: helpers for the end-to-end tests (sourced). They run the real
# benchlua against a real llama-server (tests/server/) and the tiny model.
# Each check prints "PASS name" or "FAIL name: why".
set -u
BENCHLUA=${BENCHLUA:?set BENCHLUA to the benchlua binary}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MODEL=${BENCHLUA_TEST_MODEL:?set BENCHLUA_TEST_MODEL to the tiny model}
export BENCHLUA_SERVER_BIN=${BENCHLUA_SERVER_BIN:-$SRC/tests/server/llama-server}
# benchmark data files (tests/run.sh sets it; .ci/run to ../shared/data)
export BENCHLUA_DATA=${BENCHLUA_DATA:-$SRC/../shared/data}
# need_data FILE...: the script needs these data files; when one is missing
# the script is one counted SKIP naming it, not a failure
need_data() {
  local f
  for f in "$@"; do
    if [ ! -e "$BENCHLUA_DATA/$f" ]; then
      echo "SKIP $(basename "$0"): no data file $f in $BENCHLUA_DATA (set BENCHLUA_DATA)"
      exit 0
    fi
  done
}
WORK=$(mktemp -d /tmp/benchlua-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

pass() { echo "PASS $*"; }
fail() { echo "FAIL $1: ${*:2}"; }
check() { # check NAME COMMAND... : PASS if the command succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}

# llama-server processes started for MODEL (ours), as pids
servers() { pgrep -f -- "llama-server.*$MODEL" || true; }
# wait up to $1 seconds for no server to be left; true if none is
no_server_left() {
  local deadline=$((SECONDS + ${1:-5}))
  while [ -n "$(servers)" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
  return 0
}
# wait until a server for MODEL answers /health 200 (port read from its argv)
wait_server_ready() {
  local deadline=$((SECONDS + ${1:-20})) pid port
  while [ $SECONDS -lt $deadline ]; do
    pid=$(servers | head -n1)
    if [ -n "$pid" ]; then
      port=$(tr '\0' '\n' < /proc/$pid/cmdline 2>/dev/null | grep -A1 -- '^--port$' | tail -n1)
      if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
        echo "$port"
        return 0
      fi
    fi
    sleep 0.02
  done
  return 1
}
# last run's field from a results file: jq-less, via python3
last_run() { # last_run FILE EXPR  (EXPR is python on `r`, the last run)
  /usr/bin/python3 -c "import json,sys; r=json.load(open('$1'))['runs'][-1]; print($2)"
}
now_ms() { date +%s%3N; }
# the runs of a results file: runs FILE EXPR (EXPR is python on `rs`)
runs() { /usr/bin/python3 -c "import json,sys; rs=json.load(open('$1'))['runs']; print($2)"; }
# ./counting-server: the server through a wrapper that counts its starts
# (one line each in $WORK/starts); starts prints the count
counting_server() {
  cat > counting-server <<EOS
#!/bin/sh
echo "\$@" >> "$WORK/starts"
exec "$BENCHLUA_SERVER_BIN" "\$@"
EOS
  chmod +x counting-server
}
starts() { if [ -e "$WORK/starts" ]; then wc -l < "$WORK/starts"; else echo 0; fi; }
