#!/usr/bin/env bash
# End-to-end: the disk of the run directory fills up during a run (a small
# tmpfs, mounted by this test when it runs as root; else a counted SKIP). The
# run stops in one line, no traceback, and is recorded as interrupted in the
# results file (elsewhere), resumable once there is room; with the real
# llama-server, nothing is left running.
. "$(dirname "$0")/lib.sh"
need_data HumanEval.jsonl.gz
FULL="$WORK/full"
mkdir -p "$FULL"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=64k tmpfs "$FULL" 2>/dev/null; then
  echo "SKIP disk full: mounting a tmpfs needs root"; exit 0
fi
trap 'umount "$FULL" 2>/dev/null; rm -rf "$WORK"' EXIT
cp "$BENCHLUA_DATA/HumanEval.jsonl.gz" he.jsonl.gz
/usr/bin/python3 "$SRC/tests/fixtures/results/make_samples.py" he.jsonl.gz
# fill it up to its last page or so
head -c $((60 * 1024)) /dev/zero > "$FULL/fill" 2>/dev/null

# 1. scoring a samples file: the sample log cannot grow
"$BENCHLUA" human_eval --samples a.jsonl --dataset he.jsonl.gz --limit 40 --runs-dir "$FULL/runs" --results r.json --quiet > out.txt 2> err.txt
rc=$?
got=$(last_run r.json "r['status'], 'No space left on device' in r['error']")
if [ $rc -eq 1 ] && [ "$got" = "interrupted True" ] && ! grep -q "traceback\|task failed" err.txt && \
   grep -q "^benchlua: run interrupted: .*No space left on device" err.txt && [ "$(wc -l < err.txt)" = 2 ]; then
  pass "disk full (samples file): one line, recorded interrupted in the results file"
else fail "disk full (samples file)" "rc=$rc $got $(cat err.txt)"; fi
rm -f "$FULL/fill"
"$BENCHLUA" human_eval --samples a.jsonl --dataset he.jsonl.gz --limit 40 --runs-dir "$FULL/runs" --results r.json --quiet --resume > out.txt 2> err.txt
check "disk full, then room: --resume finishes the run ($(tail -n 1 err.txt))" test "$(last_run r.json "r['status'], r['results']['samples']")" = "ok 40"

# 2. against the real llama-server: generation stops, the server is stopped
rm -rf "$FULL/runs"; head -c $((56 * 1024)) /dev/zero > "$FULL/fill" 2>/dev/null
"$BENCHLUA" human_eval --model "$MODEL" --dataset he.jsonl.gz --limit 40 --max-tokens 32 --parallel 2 --ctx 4096 \
  --runs-dir "$FULL/runs" --results s.json --quiet > out.txt 2> err.txt
rc=$?
got=$(last_run s.json "r['status'], 'No space left on device' in r['error']")
if [ $rc -eq 1 ] && [ "$got" = "interrupted True" ] && ! grep -q "traceback\|task failed" err.txt; then
  pass "disk full (real server): recorded interrupted, no traceback"
else fail "disk full (real server)" "rc=$rc $got $(cat err.txt)"; fi
check "disk full (real server): no llama-server left" no_server_left 3
