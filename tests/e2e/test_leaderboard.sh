#!/usr/bin/env bash
# End-to-end (issue 20, "done when"): a command-line sweep of 2 models x 2
# settings (--server-arg-set "-fa on" / "-fa off") x 3 benchmarks, each with
# options of its own (NAME:opt=val), against the real llama-server and the
# tiny model. The sweep ends with the leaderboard of its runs (speed is the
# tok/s column), and `benchlua report` of its results opens with it, checked
# in headless Chromium at 1280 px (every cell visible without sideways
# scrolling) and at 390 px.
. "$(dirname "$0")/lib.sh"
CHECK="$SRC/tests/report_check.py"
need_data HumanEval.jsonl.gz
cp "$MODEL" a.gguf
cp "$MODEL" b.gguf
counting_server

"$BENCHLUA" sweep --model a.gguf --model b.gguf --parallel 2 --server-bin ./counting-server \
  --server-arg-set "-fa on" --server-arg-set "-fa off" \
  --benchmark throughput:requests=4,max_tokens=8 --benchmark speed:p=16,n=4,r=1 \
  --benchmark human_eval:limit=3,max_tokens=8 --results sweep.json --quiet >out.txt 2>err.txt
rc=$?
got=$(runs sweep.json "[(r['sweep']['cell'], r['benchmark'], r['model'], ' '.join(r['config']['server_args']), r['status']) for r in rs]")
want="[(1, 'throughput', 'a.gguf', '-fa on', 'ok'), (1, 'speed', 'a.gguf', '-fa on', 'ok'), (1, 'human_eval', 'a.gguf', '-fa on', 'ok'), \
(2, 'throughput', 'a.gguf', '-fa off', 'ok'), (2, 'speed', 'a.gguf', '-fa off', 'ok'), (2, 'human_eval', 'a.gguf', '-fa off', 'ok'), \
(3, 'throughput', 'b.gguf', '-fa on', 'ok'), (3, 'speed', 'b.gguf', '-fa on', 'ok'), (3, 'human_eval', 'b.gguf', '-fa on', 'ok'), \
(4, 'throughput', 'b.gguf', '-fa off', 'ok'), (4, 'speed', 'b.gguf', '-fa off', 'ok'), (4, 'human_eval', 'b.gguf', '-fa off', 'ok')]"
if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then pass "sweep: 2 models x 2 server argument sets x 3 benchmarks, 12 runs ok"
else fail "sweep 2x2x3" "rc=$rc got $got $(tail -5 err.txt)"; fi
check "sweep: each cell's server was started with its set of arguments" \
  test "$(grep -c -- '-fa on$' starts) $(grep -c -- '-fa off$' starts)" = "2 2"
check "sweep: each benchmark ran with its own options" \
  test "$(runs sweep.json "sorted(set((r['benchmark'], r['results'].get('problems'), r['results']['metrics'].get('completions') if r['benchmark'] == 'throughput' else None) for r in rs if r['benchmark'] != 'speed'))")" \
  = "[('human_eval', 3, None), ('throughput', None, 4)]"
check "sweep: speed ran -p 16 -n 4 -r 1" \
  test "$(runs sweep.json "set((r['config']['options']['prompt_tokens'], r['config']['options']['gen_tokens'], r['config']['options']['repetitions']) for r in rs if r['benchmark'] == 'speed')")" = "{(16, 4, 1)}"

# the summary is the leaderboard: a row per (model, setting), the settings
# that differ named; throughput and human_eval are columns, speed's
# generation t/s at concurrency 1 the tok/s column
check "summary: the leaderboard's header: two benchmark columns and tok/s" \
  test "$(grep -cE '^model +setting +throughput +human_eval +tok/s$' out.txt)" = 1
check "summary: four rows, one per model and server argument set" \
  test "$(grep -cE '^[ab]\.gguf +server_args=-fa o(n|ff) +[0-9.]+ 1x +(best|[-+][0-9.]+) +0\.000 \[0\.000-0\.[0-9]+\] 1x best +[0-9.]+$' out.txt)" = 4
got=$(/usr/bin/python3 - <<'EOF'
import json, re
rs = json.load(open("sweep.json"))["runs"]
tg = {(r["model"], " ".join(r["config"]["server_args"])): r["results"]["speed"][0]["tg_tokens_per_second"]["mean"]
      for r in rs if r["benchmark"] == "speed"}
ok = 0
for line in open("out.txt"):
    m = re.match(r"^([ab]\.gguf) +server_args=(-fa o(?:n|ff)) .* ([0-9.]+)$", line.rstrip("\n"))
    if m and abs(float(m.group(3)) - tg[(m.group(1), m.group(2))]) <= 0.005 * tg[(m.group(1), m.group(2))]:
        ok += 1
print(ok)
EOF
)
check "summary: each row's tok/s is its speed run's tg t/s at concurrency 1" test "$got" = 4
check "summary: every run counted ok" test "$(tail -n 1 out.txt)" = "12 of 12 runs ok"
check "sweep: no llama-server left" no_server_left 2

# the report of the sweep's results opens with the same leaderboard
"$BENCHLUA" report sweep.json -o report.html >rep.txt 2>err.txt
rc=$?
check "report: written" test "$rc $(grep -c 'written to report.html' rep.txt)" = "0 1"
got=$(/usr/bin/python3 - <<'EOF'
import re
html = open("report.html").read()
first = re.search(r"<h2[^>]*>(.*?)</h2>", html).group(1)
table = re.search(r'<table id="leaderboard".*?</table>', html, re.S).group(0)
heads = [re.sub("<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
print(first, "|", ",".join(heads), "|", len(re.findall(r"<tr", table)) - 1)
EOF
)
check "report: opens with the leaderboard: model, setting, two benchmarks, tok/s; four rows" \
  test "$got" = "Leaderboard | model,setting,throughput,human_eval,tok/s | 4"
if ! command -v chromium >/dev/null && [ ! -x /usr/lib/chromium/chromium ]; then
  fail "report in chromium" "chromium not installed (make deps installs it)"; exit 0
fi
for size in "1280 900 --leaderboard-fits" "390 844 --mobile"; do
  set -- $size
  out=$(/usr/bin/python3 "$CHECK" report.html --width $1 --height $2 ${3:-} --expect '{"leaderboard_rows": 4, "leaderboard_best": 5}' 2>&1)
  rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) pass "report at ${1}px: ${line#ok   }" ;;
      "FAIL "*) fail "report at ${1}px" "${line#FAIL }" ;;
    esac
  done <<< "$out"
  [ $rc -eq 0 ] || [ -n "$(grep '^FAIL' <<< "$out")" ] || fail "report at ${1}px" "the checker failed: $out"
done
