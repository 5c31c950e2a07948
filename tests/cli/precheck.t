Everything that can be checked before the server starts is: the model file
(there, a file, a .gguf starting with the GGUF magic), the server binary (there,
executable), the dataset (there, of the benchmark's format, or fetched), and
in a sweep every benchmark's options and data. A failure is a usage error:
one line, exit 2, nothing recorded, no server started (the server here is a
script that leaves `started` behind before it runs tests/fake_server.py).

  $ printf '#!/bin/sh\ntouch started\nexec "%s" "$@"\n' "$SRC/tests/fake_server.py" > server; chmod +x server
  $ printf 'GGUF' > m.gguf

A model that is not a GGUF file, one that is not there, a directory:

  $ printf 'PK\003\004 a zip' > zip.gguf
  $ benchlua throughput --model zip.gguf --server-bin ./server --quiet
  benchlua: model file 'zip.gguf' is not a GGUF file (it does not start with the GGUF magic)
  [2]
  $ benchlua throughput --model nope.gguf --server-bin ./server --quiet
  benchlua: model file 'nope.gguf' not found
  [2]
  $ mkdir dir.gguf; benchlua throughput --model dir.gguf --server-bin ./server --quiet
  benchlua: model file 'dir.gguf' is not a file
  [2]

A server binary that is not executable:

  $ cp server noexec; chmod -x noexec
  $ benchlua throughput --model m.gguf --server-bin ./noexec --quiet
  benchlua: server binary './noexec' is not executable
  [2]

A dataset of another format, and one that cannot be fetched (no network: a
proxy that refuses, no BENCHLUA_DATA, an empty cache):

  $ printf '{"x": 1}\n' > wrong.jsonl
  $ benchlua human_eval --model m.gguf --server-bin ./server --dataset wrong.jsonl --quiet
  benchlua: wrong.jsonl:1: field 'task_id' is missing or not a string
  [2]
  $ mkdir cache
  $ https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 XDG_CACHE_HOME="$PWD/cache" BENCHLUA_DATA= benchlua human_eval --model m.gguf --server-bin ./server --quiet
  benchlua: cannot fetch https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz \(.*\); download it yourself and pass --dataset PATH, or put HumanEval.jsonl.gz in a directory named by BENCHLUA_DATA (re)
  [2]

A sweep checks every benchmark entry before its first cell: a dataset that
cannot be fetched for its second benchmark, a model in its second cell that is
not GGUF, a benchmark option refused:

  $ printf 'return { models = { "m.gguf" }, options = { server_bin = "./server" }, benchmarks = { "throughput", "human_eval" } }\n' > s1.lua
  $ https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 XDG_CACHE_HOME="$PWD/cache" BENCHLUA_DATA= benchlua sweep s1.lua
  benchlua: human_eval: cannot fetch https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz \(.*\); download it yourself and pass --dataset PATH, or put HumanEval.jsonl.gz in a directory named by BENCHLUA_DATA (re)
  [2]
  $ printf 'return { models = { "m.gguf", "zip.gguf" }, options = { server_bin = "./server" }, benchmarks = { "throughput" } }\n' > s2.lua
  $ benchlua sweep s2.lua
  benchlua: s2.lua: models\[2\]: model file '.*/zip.gguf' is not a GGUF file \(it does not start with the GGUF magic\) (re)
  [2]
  $ printf 'return { models = { "m.gguf" }, options = { server_bin = "./server" }, benchmarks = { "throughput", { "human_eval", dataset = "wrong.jsonl", top_p = 0.5 }, { "human_eval", dataset = "nope.jsonl" } } }\n' > s3.lua
  $ benchlua sweep s3.lua
  benchlua: human_eval: wrong.jsonl:1: field 'task_id' is missing or not a string
  [2]

Nothing was recorded and no server was started:

  $ ls started benchmark_results.json benchlua-runs 2>&1 | sort
  ls: cannot access 'benchlua-runs': No such file or directory
  ls: cannot access 'benchmark_results.json': No such file or directory
  ls: cannot access 'started': No such file or directory
  [2]
