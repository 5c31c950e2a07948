Script mode's output and score, and expected failures as one line, against
tests/fake_server.py as the server (a script here needs no real model).

  $ FAKE="$SRC/tests/fake_server.py"
  $ echo 'return { name = "str", parse = function(out) return out:match("score: (%S+)") end }' > str.lua

Tools print the score last: the tail of a long output is kept (16 MiB), and
the record says the head was cut. A parse() that returns "0.9" gives 0.9.

  $ printf 'import sys\nsys.stdout.write(("x" * 1023 + "\\n") * (17 * 1024))\nprint("score: 0.75")\n' > long.py
  $ benchlua run --benchmark "$SRC/tests/fixtures/script_bench.lua" --script long.py --model "$SRC/README.md" --server-bin "$SRC/tests/fake_server.py" --quiet
  script_bench: score 0.750  \(\d+\.\ds\)  recorded in benchmark_results.json (re)
  $ python3 -c "import json; r=json.load(open('benchmark_results.json'))['runs'][-1]['results']; print(r['raw_output'][:60]); print(len(r['raw_output']) < 17 << 20, r['output_cut'])"
  [benchlua: the first 1048588 bytes of the script's output we
  True 1048588
  $ printf 'print("score: 0.9")\n' > short.py
  $ benchlua run --benchmark str.lua --script short.py --model "$SRC/README.md" --server-bin "$SRC/tests/fake_server.py" --quiet
  str: score 0.900  \(\d+\.\ds\)  recorded in benchmark_results.json (re)
  $ python3 -c "import json; r=json.load(open('benchmark_results.json'))['runs'][-1]['results']; print(repr(r['score']), 'output_cut' in r)"
  0.9 False

Expected failures: one line on the terminal and in the record, no traceback.
A samples file that misses problems:

Data: HumanEval.jsonl.gz

  $ printf '{"task_id": "HumanEval/0", "completion": "    pass\\n"}\n' > partial.jsonl
  $ benchlua human_eval --samples partial.jsonl --dataset "$BENCHLUA_DATA/HumanEval.jsonl.gz" --limit 3 --quiet --results e.json
  benchlua: run failed: partial.jsonl: 2 of 3 problems have no sample (HumanEval/1, ...); the reference harness refuses this too
  benchlua: recorded the failed run in e.json \(logs in .*\) (re)
  [1]

Prompts that do not fit the server's context:

  $ benchlua human_eval --model "$SRC/README.md" --server-bin "$SRC/tests/fake_server.py" --server-arg --n-ctx --server-arg 100 --dataset "$BENCHLUA_DATA/HumanEval.jsonl.gz" --limit 2 --quiet --results e.json
  benchlua: run failed: 2 prompt\(s\) do not fit the server's context per slot \(100 tokens\) with 768 tokens to generate: HumanEval/0 \(\d+ \+ 768\), HumanEval/1 \(\d+ \+ 768\); raise --ctx or lower the generation limit (re)
  benchlua: recorded the failed run in e.json \(logs in .*\) (re)
  [1]
  $ python3 -c "import json; [print('traceback' in r['error'], r['error'][:28]) for r in json.load(open('e.json'))['runs']]"
  False partial.jsonl: 2 of 3 proble
  False 2 prompt(s) do not fit the s

Data:

A dataset that cannot be fetched (no network: a proxy that refuses) is found
before the server starts: one line, exit 2, nothing recorded, no server
started (the server here would leave a mark).

  $ printf '#!/bin/sh\ntouch "%s/server-started"\nexec "%s" "$@"\n' "$PWD" "$SRC/tests/fake_server.py" > marked-server.sh; chmod +x marked-server.sh
  $ https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 XDG_CACHE_HOME="$PWD/cache" BENCHLUA_DATA= benchlua human_eval --model "$SRC/README.md" --server-bin ./marked-server.sh --quiet --results net.json
  benchlua: cannot fetch https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz \(.*\); download it yourself and pass --dataset PATH, or put HumanEval.jsonl.gz in a directory named by BENCHLUA_DATA (re)
  [2]
  $ ls net.json server-started 2>&1 | sed 's/.*cannot access //'
  'net.json': No such file or directory
  'server-started': No such file or directory
  [2]

So is a dataset in the wrong format, or one that cannot be read.

  $ echo 'not json' > bad.jsonl
  $ benchlua human_eval --model "$SRC/README.md" --server-bin ./marked-server.sh --dataset bad.jsonl --quiet --results net.json
  benchlua: bad.jsonl:1: .* (re)
  [2]
  $ mkdir adir.jsonl
  $ benchlua mbpp --model "$SRC/README.md" --server-bin ./marked-server.sh --dataset adir.jsonl --quiet --results net.json
  benchlua: .*adir.jsonl.* (re)
  [2]
  $ ls net.json server-started 2>&1 | sed 's/.*cannot access //'
  'net.json': No such file or directory
  'server-started': No such file or directory
  [2]
