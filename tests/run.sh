#!/usr/bin/env bash
# tests/run.sh [BENCHLUA]: every test tier, one summary line at the end.
#   1. C unit tests of the plumbing (build/tests/test_*)
#   2. Lua tests run by benchlua itself, with a leak check after each (tests/lua)
#   3. CLI transcripts: help, exit codes, error text (tests/cli/*.t)
#   4. end-to-end runs against a real llama-server and the tiny model (tests/e2e)
# Each check prints "PASS ...", "FAIL ..." or "SKIP ..." (it could not run
# here); the last line is "N passed, N failed, N skipped".
# A real llama-server comes from $BENCHLUA_SERVER_BIN, else llama-server on PATH,
# else the Debian sid root that tests/server/setup-root.sh builds (cached).
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./benchlua}")
BUILD=$(dirname "$BIN")/build
[ -d "$BUILD/tests" ] || BUILD=build
[ "$(basename "$(dirname "$BIN")")" = asan ] && BUILD=$(dirname "$BIN")
LOG=$(mktemp -d /tmp/benchlua-tests-XXXXXX)
export BENCHLUA="$BIN"
# shipped benchmarks by name, whichever build runs (build/asan/benchlua too)
export BENCHLUA_PATH="$PWD/benchmarks${BENCHLUA_PATH:+:$BENCHLUA_PATH}"
passed=0 failed=0 skipped=0

# run NAME CMD...: run one tier, echo its lines, count them
run() {
  local name=$1; shift
  echo "== $name"
  "$@" > "$LOG/out" 2> "$LOG/err"
  local rc=$?
  grep -E '^(PASS|FAIL|SKIP) ' "$LOG/out"
  local p f s
  p=$(grep -c '^PASS ' "$LOG/out"); f=$(grep -c '^FAIL ' "$LOG/out"); s=$(grep -c '^SKIP ' "$LOG/out")
  if [ "$f" -gt 0 ]; then
    sed -n '/^FAIL /,/^PASS /p' "$LOG/out" | grep -v '^PASS ' | grep -v '^FAIL ' | head -40
    echo "--- stderr of $name (tail) ---"; tail -n 20 "$LOG/err"
  fi
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $name: exited with status $rc and reported no failure"
    tail -n 20 "$LOG/err"
    f=1
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# a real llama-server for the Lua and end-to-end tiers
server_ok=1
if [ -z "${BENCHLUA_SERVER_BIN:-}" ]; then
  if command -v llama-server >/dev/null 2>&1; then
    BENCHLUA_SERVER_BIN=$(command -v llama-server)
  else
    echo "== preparing the llama-server root (cached after the first time)"
    if tests/server/setup-root.sh; then
      BENCHLUA_SERVER_BIN=$PWD/tests/server/llama-server
    else
      echo "FAIL e2e: could not build the llama-server root (tests/server/setup-root.sh)"
      failed=$((failed + 1)); server_ok=0
    fi
  fi
fi
export BENCHLUA_SERVER_BIN
export BENCHLUA_TEST_MODEL=${BENCHLUA_TEST_MODEL:-$PWD/build/tiny.gguf}
# the benchmark data the tests read (HumanEval, ...): $BENCHLUA_DATA, else
# ../shared/data; a test whose data is not there is a counted SKIP
export BENCHLUA_DATA=${BENCHLUA_DATA:-$(realpath -m ../shared/data)}
[ -d "$BENCHLUA_DATA" ] || echo "== no data directory $BENCHLUA_DATA: the tests that need data are skipped (set BENCHLUA_DATA)"
if [ $server_ok = 1 ] && ! tests/server/tiny-model.sh "$BENCHLUA_TEST_MODEL"; then
  echo "FAIL e2e: could not make the tiny model"
  failed=$((failed + 1)); server_ok=0
fi
# 1. C
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] && run "c: $(basename "$t")" "$t" "$BIN"
done

# 2. Lua
run "lua" "$BIN" test tests/lua/test_*.lua

# 3. CLI
run "cli" /usr/bin/python3 tests/cram.py "$BIN" tests/cli/*.t

# 4. end to end, with a real llama-server
if [ $server_ok = 1 ]; then
  for t in tests/e2e/test_*.sh; do run "e2e: $(basename "$t")" bash "$t"; done
  for t in tests/e2e/test_*.lua; do [ -e "$t" ] && run "e2e: $(basename "$t")" "$BIN" test "$t"; done
fi

rm -rf "$LOG"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
