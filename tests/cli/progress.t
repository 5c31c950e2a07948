Progress on stderr: on a terminal one line redrawn in place (carriage return,
clear to the end of the line) with done/total, rate, ETA, passed so far and
tokens/s; plain lines at most every 2 s when stderr is not a terminal.

Data: HumanEval.jsonl.gz

  $ cp "$BENCHLUA_DATA/HumanEval.jsonl.gz" he.jsonl.gz
  $ python3 "$SRC/tests/fixtures/results/make_samples.py" he.jsonl.gz
  $ benchlua human_eval --samples a.jsonl --dataset he.jsonl.gz --limit 40 2>&1 >/dev/null | sed -n '1p;$p'
  human_eval: 1/40
  human_eval: 40/40

On a terminal (a pty from script(1); stdout goes to /dev/null, stderr stays on
the pty): every update starts with \r and ends with ESC [K, on one line.

  $ script -qec "benchlua human_eval --samples a.jsonl --dataset he.jsonl.gz --limit 40 >/dev/null" /dev/null > tty.txt
  $ tr '\r' '\n' < tty.txt | grep -c 'human_eval: '
  0
  [1]
  $ tr '\r' '\n' < tty.txt | grep -v '^$' | head -n 1 | cat -v
  human_eval 1/40   2%  passed [01]\^\[\[K (re)
  $ tr '\r' '\n' < tty.txt | grep -v '^$' | tail -n 1 | cat -v
  human_eval 40/40 100%  (\d+\.\d/s  )?passed 20\^\[\[K (re)

No rate and no ETA before there is one to tell (two samples, a second):

  $ tr '\r' '\n' < tty.txt | grep -v '^$' | awk '/ETA/ { split($2, a, "/"); if (a[1] < 3) print "early ETA: " $0 }' 
  $ script -qec "benchlua human_eval --samples a.jsonl --dataset he.jsonl.gz --limit 40 --quiet >/dev/null" /dev/null | wc -c
  0

Against the real server, tokens per second join the line (scoring with
generation, --overlap on; after it, the generation line has them).

  $ script -qec "benchlua human_eval --model \"$BENCHLUA_TEST_MODEL\" --dataset he.jsonl.gz --limit 8 --max-tokens 8 --parallel 2 --ctx 2048 --overlap on >/dev/null" /dev/null | tr '\r' '\n' | grep -v '^$' | tail -n 1 | cat -v
  human_eval 8/8 100%  (\d+\.\d/s  )?passed 0  \d+ tok/s\^\[\[K (re)
  $ script -qec "benchlua human_eval --model \"$BENCHLUA_TEST_MODEL\" --dataset he.jsonl.gz --limit 8 --max-tokens 8 --parallel 2 --ctx 2048 --overlap off >/dev/null" /dev/null | tr '\r' '\n' | grep 'generation' | tail -n 1 | cat -v
  human_eval generation 8/8 100%  (\d+\.\d/s  )?\d+ tok/s\^\[\[K (re)

When scoring waits for generation (--overlap off, the default on a CPU-only
machine), generation has its own line, then scoring has its own.

  $ benchlua human_eval --model "$BENCHLUA_TEST_MODEL" --dataset he.jsonl.gz --limit 6 --max-tokens 8 --parallel 2 --ctx 2048 --overlap off 2>&1 >/dev/null | sed -n '1p;$p'
  human_eval generation: 1/6
  human_eval: 6/6  passed 0
  $ benchlua human_eval --model "$BENCHLUA_TEST_MODEL" --dataset he.jsonl.gz --limit 6 --max-tokens 8 --parallel 2 --ctx 2048 --overlap off 2>&1 >/dev/null | grep -c 'generation: 6/6'
  1
