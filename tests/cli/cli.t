The command line: help, exit codes and one-line errors that name the file,
line or option. Run by tests/cram.py; $BENCHLUA is the binary under test.

  $ benchlua --version
  benchlua 0.1.0 \(Lua 5.4\) (re)

No arguments: usage on stdout, exit status 2.

  $ benchlua | head -n 3
  usage: benchlua BENCHMARK [options]          run a benchmark (a .lua file or a shipped name)
         benchlua BENCHMARK --help             its options
         benchlua run --benchmark NAME --script SCRIPT [options]
  [2]
The man page is generated from the option specs; docs/benchlua.1 is its
current output (regenerate with make man).

  $ benchlua --man | cmp - "$SRC/docs/benchlua.1" && echo same
  same
  $ benchlua --help | grep -E -- '^  --(model|gpu-layers|server-arg|endpoint|results|sandbox) '
    --model PATH                GGUF model for the server
    --gpu-layers N              layers to offload to the GPU (-ngl)
    --server-arg ARG            extra argument passed to the server (repeatable)
    --endpoint URL              use this running OpenAI-compatible server instead of starting one; given again, requests are spread over all, each up to its slots (API key: $BENCHLUA_API_KEY or $OPENAI_API_KEY) (repeatable)
    --results FILE              results file (default: benchmark_results.json)
    --sandbox auto|strict|off   how model-written code is isolated (auto, strict, off) (default: auto)
  $ for c in sweep results "results merge" leaderboard compare report list fetch test; do benchlua --man | grep -q "^\.SS benchlua $c\$" || echo "no section: $c"; done
  $ benchlua list | while read b rest; do benchlua --man | grep -q "^\.SS $b\$" || echo "no section: $b"; done
  $ benchlua --man | grep -c '^\.BI \\-p, \\-\\-prompt\\-tokens'
  1

Shipped benchmarks are found by name, wherever benchlua is started from.

  $ benchlua list
  aime             AIME 2024/2025 avg@8 with lm-eval's aime verdicts (--chat or base models, or --samples FILE.jsonl)
  gpqa_diamond     GPQA Diamond with simple-evals' verdicts, 4 permutations (--chat or base models, or --samples FILE.jsonl)
  gsm8k            GSM8K 8-shot CoT with lm-eval's strict-match verdicts (base or --chat models, or --samples FILE.jsonl)
  human_eval       .* (re)
  humaneval_plus   HumanEval+ base and plus pass@k with evalplus's verdicts (--mini, --noextreme; --chat; --samples FILE.jsonl)
  ifeval           IFEval with the official checker's strict and loose verdicts (--chat or base models, or --samples FILE.jsonl)
  lcb              LiveCodeBench code generation with lcb_runner's verdicts (--chat or base models, or --samples FILE.json)
  math500          MATH-500 with prm800k's grade_answer verdicts (--chat or base models, or --samples FILE.jsonl)
  mbpp             MBPP test split (500, or --sanitized 257) pass@k, judged as bigcode-evaluation-harness does (with the setup code)
  mbpp_plus        MBPP+ base and plus pass@k with evalplus's verdicts (--noextreme; --chat; --samples FILE.jsonl)
  mmlu_pro         MMLU-Pro zero-shot CoT with the official extract_answer verdicts (--chat or base models, or --samples FILE.jsonl)
  speed            prompt processing and generation tokens/s (llama-bench's pp and tg), time to first token and inter-token latency
  throughput       completions per second and generated tokens per second at full concurrency
  $ benchlua throughput --help | sed -n '1p;5,8p'
  throughput: completions per second and generated tokens per second at full concurrency
  benchmark options:
    --requests N                completions to send (default: 164)
    --max-tokens N              tokens to generate per completion (default: 32)
    --prompt VALUE              prompt text (default: "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n")

Bad input: one line on stderr, non-zero exit.

  $ benchlua nosuch
  benchlua: no benchmark named 'nosuch' \(looked in .*\) (re)
  [2]
  $ benchlua missing.lua
  benchlua: benchmark file 'missing.lua' not found
  [2]
  $ benchlua --bogus
  benchlua: unknown option '--bogus'; the first argument is a benchmark (see --help)
  [2]
  $ benchlua throughput --bogus
  benchlua: unknown option '--bogus' (see --help)
  [2]

"Did you mean": a benchmark name near a shipped one, llama.cpp's spellings of
options, an option name with a typo.

  $ benchlua humaneval --model m.gguf
  benchlua: no benchmark named 'humaneval'; did you mean 'human_eval'\? \(looked in .*\) (re)
  [2]
  $ benchlua throughputt
  benchlua: no benchmark named 'throughputt'; did you mean 'throughput'\? \(looked in .*\) (re)
  [2]
  $ benchlua human_eval --model m.gguf -ngl 99
  benchlua: unknown option '-ngl'; did you mean --gpu-layers? (llama.cpp's -ngl)
  [2]
  $ benchlua human_eval --model m.gguf --ngl 99
  benchlua: unknown option '--ngl'; did you mean --gpu-layers? (llama.cpp's -ngl)
  [2]
  $ benchlua human_eval --temp 0.2
  benchlua: unknown option '--temp'; did you mean --temperature? (llama.cpp's -temp)
  [2]
  $ benchlua human_eval -fa on
  benchlua: unknown option '-fa'; pass llama-server's own flags with --server-arg (--server-arg=-fa --server-arg=VALUE)
  [2]
  $ benchlua throughput --requets 3
  benchlua: unknown option '--requets'; did you mean --requests?
  [2]
  $ benchlua throughput --requests
  benchlua: option '--requests' needs a value
  [2]
  $ benchlua throughput --requests ten
  benchlua: --requests expects an integer, got 'ten'
  [2]
  $ benchlua throughput --requests 0
  benchlua: --requests must be at least 1, got 0
  [2]
  $ benchlua throughput --sandbox maybe
  benchlua: --sandbox must be one of auto, strict, off, got 'maybe'
  [2]

Every option has a range, checked before anything starts.

  $ benchlua throughput --port 70000
  benchlua: --port must be between 0 and 65535, got 70000
  [2]
  $ benchlua human_eval --workers 100000
  benchlua: --workers must be between 1 and 4096, got 100000
  [2]
  $ benchlua human_eval --exec-timeout 2200000
  benchlua: --exec-timeout must be between 0.01 and 3600, got 2200000
  [2]
  $ benchlua throughput --endpoint ''
  benchlua: --endpoint must be an http:// or https:// URL, got ''
  [2]
  $ benchlua throughput --endpoint localhost:8080
  benchlua: --endpoint must be an http:// or https:// URL, got 'localhost:8080'
  [2]

--endpoint given more than once spreads the run over several servers: a bad
URL among them is named, the same server twice is refused, and a script
(which gets one URL) takes one endpoint; nothing starts.

  $ benchlua throughput --endpoint http://127.0.0.1:1 --endpoint localhost:9
  benchlua: --endpoint must be an http:// or https:// URL, got 'localhost:9'
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --endpoint http://127.0.0.2:1 --endpoint http://127.0.0.1:1/v1
  benchlua: --endpoint http://127.0.0.1:1/v1 given twice
  [2]
  $ echo 'print("score: 1")' > s.py; benchlua run --benchmark "$SRC/tests/fixtures/script_bench.lua" --script s.py --endpoint http://127.0.0.1:1 --endpoint http://127.0.0.1:2
  benchlua: run: a script gets one server URL; give --endpoint once
  [2]

Options of a server benchlua starts are refused with --endpoint (no server is
started with them), in native and script mode; nothing starts.

  $ benchlua throughput --endpoint http://127.0.0.1:1 --gpu-layers 99
  benchlua: --gpu-layers is for a server benchlua starts; with --endpoint none is started
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --ctx 4096
  benchlua: --ctx is for a server benchlua starts; with --endpoint none is started
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --endpoint http://127.0.0.1:2 --parallel 4
  benchlua: --parallel is for a server benchlua starts; with --endpoint none is started
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --model m.gguf
  benchlua: --model is for a server benchlua starts; with --endpoint none is started (--model-name ID sets the model id sent)
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --server-arg --no-mmap
  benchlua: --server-arg is for a server benchlua starts; with --endpoint none is started
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --server-bin /bin/true
  benchlua: --server-bin is for a server benchlua starts; with --endpoint none is started
  [2]
  $ benchlua throughput --endpoint http://127.0.0.1:1 --port 8080
  benchlua: --port is for a server benchlua starts; with --endpoint none is started
  [2]
  $ benchlua run --benchmark "$SRC/tests/fixtures/script_bench.lua" --script s.py --endpoint http://127.0.0.1:1 --gpu-layers 1
  benchlua: --gpu-layers is for a server benchlua starts; with --endpoint none is started
  [2]
  $ ls
  s.py
  $ benchlua throughput --timeout 1e999
  benchlua: --timeout must be a finite number, got inf
  [2]
  $ benchlua throughput --timeout 0
  benchlua: --timeout must be between 0.001 and 604800, got 0
  [2]
  $ benchlua throughput --concurrency 0
  benchlua: --concurrency must be between 1 and 4096, got 0
  [2]
  $ benchlua throughput --parallel 100000
  benchlua: --parallel must be between 1 and 4096, got 100000
  [2]
  $ benchlua throughput --ctx -1
  benchlua: --ctx must be between 0 and 1073741824, got -1
  [2]
  $ benchlua throughput --requests 99999999999
  benchlua: --requests must be at most 2147483647, got 99999999999
  [2]
  $ benchlua throughput --max-server-errors -1
  benchlua: --max-server-errors must be at least 0, got -1
  [2]
  $ benchlua throughput --results ''
  benchlua: --results must not be empty, got ''
  [2]
  $ benchlua throughput
  benchlua: --model PATH is required (or --endpoint URL for a running server)
  [2]
  $ benchlua throughput --model nope.gguf --server-bin "$SRC/tests/fake_server.py" --quiet
  benchlua: model file 'nope.gguf' not found
  [2]
  $ benchlua throughput --model "$SRC/README.md" --server-bin /nonexistent/llama-server --quiet
  benchlua: server binary '/nonexistent/llama-server' not found
  [2]
  $ printf 'not a model' > m.gguf; printf '#!/bin/sh\ntouch started\n' > srv; chmod +x srv
  $ benchlua throughput --model m.gguf --server-bin ./srv --quiet
  benchlua: model file 'm.gguf' is not a GGUF file (it does not start with the GGUF magic)
  [2]
  $ ls started benchmark_results.json 2>&1 | sed 's/.*cannot access/cannot access/'
  cannot access 'started': No such file or directory
  cannot access 'benchmark_results.json': No such file or directory
  [2]

A benchmark file with a typo: the error names the file and line. Reading an
undefined global is an error, not a silent nil.

  $ printf 'return {\n  name = "typo",\n  run = function(ctx) return {} end,\n  parse = misspeled,\n}\n' > typo.lua
  $ benchlua typo.lua
  benchlua: typo.lua:4: undefined global 'misspeled'
  [2]
  $ printf 'return {\n  run = function(ctx) return {\nend\n' > syntax.lua
  $ benchlua syntax.lua
  benchlua: syntax.lua:3: unexpected symbol near 'end'
  [2]
  $ echo 'return 42' > number.lua
  $ benchlua number.lua
  benchlua: number.lua: a benchmark file must return a table (name, options, run, parse)
  [2]
  $ printf 'return {\n  options = { { name = "model" } },\n  run = function() end,\n}\n' > clash.lua
  $ benchlua clash.lua
  benchlua: clash.lua: option 'model' is one of benchlua's own
  [2]

An error inside run() names the file and line, and the failed run is recorded.
A bug (an error the Lua VM raises) is one line on the terminal and in the
record; its traceback goes to the run directory's error.log.

  $ printf 'return {\n  name = "boom",\n  server = false,\n  run = function(ctx)\n    local t = nil\n    return t.x\n  end,\n}\n' > boom.lua
  $ benchlua boom.lua
  benchlua: run failed: boom.lua:6: attempt to index a nil value \(local 't'\) \(traceback in ./benchlua-runs/.*-boom-\S+-\d+/error.log\) (re)
  benchlua: recorded the failed run in benchmark_results.json \(logs in ./benchlua-runs/.*-boom-\S+-\d+\) (re)
  [1]
  $ python3 -c "import json; r=json.load(open('benchmark_results.json'))['runs'][-1]; print(r['benchmark'], r['status'], repr(r['error']))"
  boom failed "boom.lua:6: attempt to index a nil value (local 't')"
  $ grep -c -e 'stack traceback' -e 'boom.lua:6: in' benchlua-runs/*-boom-*/error.log
  2

Expected failures are one line, with no traceback, on the terminal and in the
record: a misused primitive, an error raised on purpose, even through tasks.

  $ printf 'return {\n  server = false,\n  run = function(ctx)\n    bench.map({1}, 1, function() bench.run_script{ cmd = 42 } end)\n  end,\n}\n' > misuse.lua
  $ benchlua misuse.lua --results e.json
  benchlua: run failed: misuse.lua:4: run_script: cmd option must be a string
  benchlua: recorded the failed run in e.json \(logs in ./benchlua-runs/.*-misuse-\S+-\d+\) (re)
  [1]
  $ printf 'return {\n  server = false,\n  run = function(ctx)\n    local t = bench.spawn(function() error("the data is not there", 0) end)\n    bench.wait(t)\n  end,\n}\n' > expected.lua
  $ benchlua expected.lua --results e.json
  benchlua: run failed: the data is not there
  benchlua: recorded the failed run in e.json \(logs in ./benchlua-runs/.*-expected-\S+-\d+\) (re)
  [1]
  $ python3 -c "import json; print([r['error'] for r in json.load(open('e.json'))['runs']])"
  ['misuse.lua:4: run_script: cmd option must be a string', 'the data is not there']
  $ ls benchlua-runs/*-misuse-*/ benchlua-runs/*-expected-*/ | grep -c error.log
  0
  [1]

What run() returns is checked: not a table, no score, a score that is not a
finite number, or a value that cannot be written: the run is recorded failed,
naming the recipe file.

  $ for v in '"0.9"' '0/0' '1/0' 'nil'; do printf 'return { server = false, run = function() return { score = %s, n = 3 } end }\n' "$v" > ret.lua; benchlua ret.lua --results ret.json 2>&1 | head -n 1; done
  benchlua: run failed: ret.lua: run() returned score = a string; a score must be a finite number
  benchlua: run failed: ret.lua: run() returned score = nan; a score must be a finite number
  benchlua: run failed: ret.lua: run() returned score = inf; a score must be a finite number
  benchlua: run failed: ret.lua: run() returned no score (give unscored = "why" for a run that scores nothing)
  [1]
  $ printf 'return { server = false, run = function() return 0.5 end }\n' > num.lua && benchlua num.lua --results ret.json 2>&1 | head -n 1
  benchlua: run failed: num.lua: run() returned a number, not a table of results
  [1]
  $ printf 'return { server = false, run = function() local t = { score = 1 }; t.again = t; return t end }\n' > cyc.lua && benchlua cyc.lua --results ret.json 2>&1 | head -n 1
  benchlua: run failed: cyc.lua: run() returned results that cannot be recorded: results.again refers back to a table that contains it (a cycle)
  [1]
  $ printf 'return { server = false, run = function() return { score = 1, f = { print } } end }\n' > fn.lua && benchlua fn.lua --results ret.json 2>&1 | head -n 1
  benchlua: run failed: fn.lua: run() returned results that cannot be recorded: results.f[1] is a function
  [1]
  $ python3 -c "import json; [print(r['status'], 'score' in r['results'], r['results'].get('n')) for r in json.load(open('ret.json'))['runs']]"
  failed False 3
  failed False 3
  failed False 3
  failed False 3
  failed False None
  failed False None
  failed False None

The original plan's script mode.

  $ benchlua run --benchmark human_eval
  benchlua: run: --script SCRIPT is required
  [2]
  $ benchlua run --benchmark human_eval --script nope.py
  benchlua: run: script 'nope.py' not found
  [2]

A benchmark without a server records its run; the results file is refused,
untouched, when it is not ours.

  $ benchlua "$SRC/tests/fixtures/no_server.lua" --value 7 --results r.json
  no_server: score 7  \(\d+\.\ds\)  recorded in r.json (re)
  $ echo '{"not": "ours"}' > foreign.json
  $ benchlua "$SRC/tests/fixtures/no_server.lua" --results foreign.json
  benchlua: results file 'foreign.json' is not a benchlua results file (no "runs" list); not touching it
  [2]
  $ cat foreign.json
  {"not": "ours"}

Other keys beside "runs" are kept; the run goes into "runs".

  $ echo '{"runs": [], "notes": ["keep me"], "f": 0.1}' > notes.json
  $ benchlua "$SRC/tests/fixtures/no_server.lua" --value 3 --results notes.json --quiet
  no_server: score 3  \(\d+\.\ds\)  recorded in notes.json (re)
  $ python3 -c "import json; d=json.load(open('notes.json')); print(d['notes'], d['f'], [r['results']['score'] for r in d['runs']])"
  ['keep me'] 0.1 [3]

A results file the run could not be recorded in is refused before the server
starts (the server here would leave a file behind), in one line, exit 2.

  $ printf '#!/bin/sh\ntouch started\n' > server.sh && chmod +x server.sh
  $ echo '{"runs": [' > broken.json
  $ benchlua throughput --model "$SRC/README.md" --server-bin ./server.sh --results broken.json
  benchlua: results file 'broken.json' is not valid JSON (line 2 column 1: unexpected character); not touching it
  [2]
  $ echo '[1, 2]' > list.json
  $ benchlua throughput --model "$SRC/README.md" --server-bin ./server.sh --results list.json
  benchlua: results file 'list.json' is not a JSON object; not touching it
  [2]
  $ mkdir adir
  $ benchlua throughput --model "$SRC/README.md" --server-bin ./server.sh --results adir
  benchlua: results file 'adir' is a directory
  [2]
  $ benchlua throughput --model "$SRC/README.md" --server-bin ./server.sh --results /dev/full
  benchlua: results file '/dev/full' is not a regular file
  [2]
  $ benchlua throughput --model "$SRC/README.md" --server-bin ./server.sh --results /dev/zero
  benchlua: results file '/dev/zero' is not a regular file
  [2]
  $ benchlua throughput --model "$SRC/README.md" --server-bin ./server.sh --results nodir/r.json
  benchlua: cannot use results file 'nodir/r.json': cannot open lock file 'nodir/r.json.lock': No such file or directory
  [2]
  $ chmod 755 . && mkdir ro && echo '{"runs": []}' > ro/r.json && chmod 755 ro && touch ro/r.json.lock && chmod 666 ro/r.json.lock
  $ setpriv --reuid=65534 --regid=65534 --clear-groups "$BENCHLUA" throughput --model "$SRC/README.md" --server-bin ./server.sh --results ro/r.json
  benchlua: cannot write results file 'ro/r.json': Permission denied
  [2]
  $ chmod 666 ro/r.json
  $ setpriv --reuid=65534 --regid=65534 --clear-groups "$BENCHLUA" throughput --model "$SRC/README.md" --server-bin ./server.sh --results ro/r.json
  benchlua: cannot write beside results file 'ro/r.json': Permission denied
  [2]
  $ ls started
  ls: cannot access 'started': No such file or directory
  [2]

Where namespaces are refused (simulated with BENCHLUA_NO_NAMESPACES), the
sandbox falls back to rlimits, says so once on stderr and in the run's record,
and --sandbox strict refuses to run.

Data: example_samples.jsonl example_problem.jsonl

  $ cp "$BENCHLUA_DATA/example_samples.jsonl" samples.jsonl
  $ BENCHLUA_NO_NAMESPACES=1 benchlua human_eval --samples samples.jsonl --dataset "$BENCHLUA_DATA/example_problem.jsonl" --quiet --results fb.json 2>&1 | grep -c 'warning: no namespace sandbox here'
  1
  $ python3 -c "import json; r=json.load(open('fb.json'))['runs'][-1]; print(r['status'], round(r['results']['score'], 9), r['config']['isolation'])"
  ok 0.5 rlimits and process group only: disabled by BENCHLUA_NO_NAMESPACES
  $ BENCHLUA_NO_NAMESPACES=1 benchlua human_eval --samples samples.jsonl --dataset "$BENCHLUA_DATA/example_problem.jsonl" --sandbox strict --quiet --results fb.json 2>&1 | grep -o 'run failed: .*strict: the namespace sandbox is not available here.*'
  run failed: --sandbox strict: the namespace sandbox is not available here \(disabled by BENCHLUA_NO_NAMESPACES\) (re)
  [1]
  $ benchlua human_eval --samples samples.jsonl --dataset "$BENCHLUA_DATA/example_problem.jsonl" --quiet --results ns.json > /dev/null 2>&1; python3 -c "import json; print(json.load(open('ns.json'))['runs'][-1]['config']['isolation'])"
  namespaces

Data:

make install puts the binary, its exec helper, the shipped benchmarks and the
man page in place; the installed benchlua finds its benchmarks by name.

  $ make -s -C "$SRC" install PREFIX=/usr/local DESTDIR="$PWD/inst" > /dev/null && ls inst/usr/local/bin inst/usr/local/share/benchlua/benchmarks inst/usr/local/share/man/man1
  inst/usr/local/bin:
  benchlua
  benchlua-exec
  
  inst/usr/local/share/benchlua/benchmarks:
  aime.lua
  gpqa_diamond.lua
  gsm8k.lua
  human_eval.lua
  humaneval_plus.lua
  ifeval.lua
  lcb.lua
  math500.lua
  mbpp.lua
  mbpp_plus.lua
  mmlu_pro.lua
  speed.lua
  throughput.lua
  
  inst/usr/local/share/man/man1:
  benchlua.1
  $ cd / && env -u BENCHLUA_PATH "$OLDPWD/inst/usr/local/bin/benchlua" list | cut -d' ' -f1
  aime
  gpqa_diamond
  gsm8k
  human_eval
  humaneval_plus
  ifeval
  lcb
  math500
  mbpp
  mbpp_plus
  mmlu_pro
  speed
  throughput
