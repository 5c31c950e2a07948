benchlua sweep: a sweep file is validated fully before anything starts; every
mistake is one line naming the file and the field. Run by tests/cram.py.

  $ printf 'return {\n  models = { "a.gguf", "b.gguf" },\n  settings = { { gpu_layers = 40, parallel = 4 }, { gpu_layers = 99, parallel = 4 } },\n  benchmarks = { { "throughput", requests = 8 }, "human_eval" },\n  options = { timeout = 60 },\n  results = "out/r.json",\n}\n' > sweep.lua
  $ benchlua sweep sweep.lua --dry-run
  sweep.lua: 2 models x 2 settings = 4 cells, 2 benchmarks each \(8 runs\); results in .*/out/r.json (re)
  cell 1: a.gguf gpu_layers=40 parallel=4: throughput requests=8, human_eval
  cell 2: a.gguf gpu_layers=99 parallel=4: throughput requests=8, human_eval
  cell 3: b.gguf gpu_layers=40 parallel=4: throughput requests=8, human_eval
  cell 4: b.gguf gpu_layers=99 parallel=4: throughput requests=8, human_eval
  $ ls out
  ls: cannot access 'out': No such file or directory
  [2]
  $ benchlua sweep missing.lua
  benchlua: sweep file 'missing.lua' not found
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "nosuch" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: benchmarks\[1\]: no benchmark named 'nosuch' \(looked in .*\) (re)
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, setings = {} }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: setings: unknown field (a sweep has models, settings, benchmarks, options, results)
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = { { gpu_layer = 40 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: settings[1].gpu_layer: unknown option
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = { {}, { gpu_layers = "40" } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: settings[2].gpu_layers: expected an integer, got string "40"
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = { { gpu_layers = 0/0 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: settings[1].gpu_layers: expected an integer, got number nan
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, options = { sandbox = "maybe" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: options.sandbox: must be one of auto, strict, off, got "maybe"
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, options = { endpoint = "http://x" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: options.endpoint: not allowed in a sweep (a sweep starts its own servers)
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { { "throughput", limit = 3 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: benchmarks[1].limit: benchmark 'throughput' has no option 'limit'
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { { "throughput", gpu_layers = 3 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: benchmarks[1].gpu_layers: a server setting cannot change per benchmark; put it in settings
  [2]
  $ printf 'return { models = {}, benchmarks = { "throughput" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: models: expected a non-empty list of model paths
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, results = 3 }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: results: expected a file name
  [2]
  $ printf 'return { models = { "a" },\n  benchmarks = { "throughput" }, options = { x = y } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua:2: undefined global 'y'
  [2]
  $ printf 'return 42\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: a sweep file must return a table (models, settings, benchmarks, options, results)
  [2]
  $ printf 'return { models = { "a", "./a" }, benchmarks = { "throughput" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: models[2]: the same as models[1]
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = { { parallel = 2 }, {}, { parallel = 2 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: settings[3]: the same as settings[1]
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { { "throughput", requests = 8 }, { "throughput", requests = 8 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: benchmarks[2]: the same as benchmarks[1] (to run it again, give it another seed)
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { { "throughput", seed = 1234 }, "throughput" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: benchmarks[2]: the same as benchmarks[1] (to run it again, give it another seed)
  [2]
  $ printf 'return { models = { "a" }, options = { seed = 7 }, benchmarks = { "throughput", { "throughput", seed = 7 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: benchmarks[2]: the same as benchmarks[1] (to run it again, give it another seed)
  [2]

A value that a setting also gives differs from cell to cell, so the entries differ.

  $ printf 'return { models = { "a" }, settings = { { seed = 5 }, {} }, benchmarks = { { "throughput", seed = 1234 }, "throughput" } }\n' > v.lua; benchlua sweep v.lua --dry-run
  v.lua: 1 model x 2 settings = 2 cells, 2 benchmarks each \(4 runs\); results in .*/benchmark_results.json (re)
  cell 1: a seed=5: throughput seed=1234, throughput
  cell 2: a: throughput seed=1234, throughput
  $ printf 'return { models = { "a", os.getenv("NO_SUCH_VARIABLE"), "b" }, benchmarks = { "throughput" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: models[2]: is nil (a list cannot have holes)
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = { { parallel = 99999 } } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: settings[1].parallel: must be between 1 and 4096, got 99999
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, options = { host = "" } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: options.host: must not be empty
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, options = { timeout = 1/0 } }\n' > v.lua; benchlua sweep v.lua
  benchlua: v.lua: options.timeout: must be a finite number, got inf
  [2]

Files are checked before anything starts (not by --dry-run, which only lists):
a missing model or server binary is one line, and nothing is recorded.

  $ printf GGUF > a.gguf; printf 'return { models = { "a.gguf", "b.gguf" }, benchmarks = { "throughput" }, results = "f.json" }\n' > f.lua; benchlua sweep f.lua
  benchlua: f.lua: models\[2\]: model file '.*/b.gguf' not found (re)
  [2]
  $ printf 'return { models = { "a.gguf" }, settings = { {}, { server_bin = "./nope" } }, options = { server_bin = "/bin/sh" },\n  benchmarks = { "throughput" }, results = "f.json" }\n' > f.lua; benchlua sweep f.lua
  benchlua: f.lua: settings\[2\].server_bin: server binary '.*/nope' not found (re)
  [2]
  $ printf 'return { models = { "a.gguf" }, options = { server_bin = "/bin/sh" }, benchmarks = { "throughput" }, results = "/proc/f.json" }\n' > f.lua; benchlua sweep f.lua
  benchlua: cannot use results file '/proc/f.json': .* (re)
  [2]
  $ ls f.json benchlua-runs
  ls: cannot access 'f.json': No such file or directory
  ls: cannot access 'benchlua-runs': No such file or directory
  [2]

The command-line form: repeated options and comma lists form the product.

  $ benchlua sweep --model a.gguf --model b.gguf --gpu-layers 40,99 --benchmark throughput --benchmark human_eval --limit 5 --dry-run
  sweep: 2 models x 2 settings = 4 cells, 2 benchmarks each \(8 runs\); results in .*/benchmark_results.json (re)
  cell 1: a.gguf gpu_layers=40: throughput, human_eval limit=5
  cell 2: a.gguf gpu_layers=99: throughput, human_eval limit=5
  cell 3: b.gguf gpu_layers=40: throughput, human_eval limit=5
  cell 4: b.gguf gpu_layers=99: throughput, human_eval limit=5
  $ benchlua sweep --model a.gguf,b.gguf --parallel 2 --ctx 4096,8192 --benchmark throughput --dry-run | tail -n 4
  cell 1: a.gguf ctx=4096: throughput
  cell 2: a.gguf ctx=8192: throughput
  cell 3: b.gguf ctx=4096: throughput
  cell 4: b.gguf ctx=8192: throughput
  $ benchlua sweep --model a.gguf --gpu-layers 40,x --benchmark throughput
  benchlua: --gpu-layers expects an integer, got 'x'
  [2]
  $ benchlua sweep --model a.gguf --benchmark throughput --limit 5
  benchlua: unknown option '--limit' (see --help)
  [2]
  $ benchlua sweep --model a.gguf
  benchlua: sweep: --benchmark NAME (repeatable) is required
  [2]
  $ benchlua sweep --benchmark throughput
  benchlua: sweep: --model PATH (repeatable) or a sweep FILE is required
  [2]
  $ benchlua sweep sweep.lua --gpu-layers 3
  benchlua: --gpu-layers: with a sweep file, models, settings, benchmarks and options come from the file
  [2]
  $ benchlua sweep sweep.lua --wait
  benchlua: --wait goes with --slurm
  [2]

A sweep file cannot end benchlua (no os.exit, no __gc that would call it
later), and what it returns is plain data: a table with a metatable is refused
before any of its metamethods runs. One line each, naming the file.

  $ printf 'os.exit(0)\nreturn { models = { "a" }, benchmarks = { "throughput" } }\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua:1: attempt to call a nil value (field 'exit')
  [2]
  $ printf 'setmetatable({}, { __gc = function() os.exit(0) end })\nreturn { models = { "a" }, benchmarks = { "throughput" } }\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua:1: a sweep file cannot set __gc
  [2]
  $ printf 'local e = require("os").exit\nreturn {}\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua:1: undefined global 'require'
  [2]
  $ printf 'string.format = nil\nreturn { models = { "a" }, benchmarks = { "throughput" } }\n' > x.lua; benchlua sweep x.lua --dry-run | head -n 1
  x.lua: 1 model x 1 setting = 1 cell, 1 benchmark each \(1 runs\); results in .* (re)
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = { setmetatable({}, { __pairs = function() error("boom") end }) } }\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua: settings[1]: a table with a metatable (a sweep file returns plain tables)
  [2]
  $ printf 'return { models = { "a" }, benchmarks = { "throughput" }, settings = setmetatable({}, { __index = function() error("boom") end }) }\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua: settings: a table with a metatable (a sweep file returns plain tables)
  [2]
  $ printf 'local t = setmetatable({}, { __tostring = function() error("boom") end, __eq = function() error("eq") end })\nreturn { models = { "a" }, benchmarks = { "throughput" }, options = { [t] = 1 } }\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua: options[table]: a table with a metatable (a sweep file returns plain tables)
  [2]
  $ printf 'return setmetatable({}, { __index = function() error("boom") end })\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua: the table it returns: a table with a metatable (a sweep file returns plain tables)
  [2]
  $ printf 'error(setmetatable({}, { __tostring = function() error("boom") end }))\n' > x.lua; benchlua sweep x.lua --dry-run
  benchlua: x.lua: (an error object of type table)
  [2]

results merge: an entry of a runs list that is not a run is one line naming
the file and the entry, and nothing is merged.

  $ mkdir m; printf '{"runs": [{"benchmark": "throughput", "timestamp": "2026-01-01T00:00:00Z"}]}' > m/cell-1.json
  $ printf '{"runs": [{"benchmark": "throughput", "timestamp": "2026-01-01T00:00:01Z"}, 42]}' > m/cell-2.json
  $ benchlua results merge m -o merged.json
  benchlua: results merge: m/cell-2.json: runs[2] is not an object; nothing merged
  [1]
  $ printf '{"runs": [{"benchmark": ["x"]}]}' > m/cell-2.json; benchlua results merge m -o merged.json
  benchlua: results merge: m/cell-2.json: runs[1] has no benchmark name; nothing merged
  [1]
  $ printf '{"runs": [{"benchmark": "x", "reproducibility": "s"}]}' > m/cell-2.json; benchlua results merge m -o merged.json
  benchlua: results merge: m/cell-2.json: runs[1] has reproducibility that is not an object; nothing merged
  [1]
  $ ls merged.json
  ls: cannot access 'merged.json': No such file or directory
  [2]
  $ printf '{"runs": ["not a run"]}' > merged.json; rm m/cell-2.json; benchlua results merge m -o merged.json
  merged 1 run from 1 file into merged.json

A comma in a model's path: a file that exists is taken whole; otherwise a
backslash before a comma keeps it in the name.

  $ touch 'c,d.gguf'; benchlua sweep --model 'c,d.gguf' --benchmark throughput --dry-run
  sweep: 1 model x 1 setting = 1 cell, 1 benchmark each \(1 runs\); results in .* (re)
  cell 1: c,d.gguf: throughput
  $ benchlua sweep --model 'x\,y.gguf,z.gguf' --benchmark throughput --dry-run
  sweep: 2 models x 1 setting = 2 cells, 1 benchmark each \(2 runs\); results in .* (re)
  cell 1: x,y.gguf: throughput
  cell 2: z.gguf: throughput

A sweep's size is bounded: more than 10000 cells is refused before anything
starts (counted, not built), naming the product; --max-cells N raises it.

  $ printf 'local m, s = {}, {}\nfor i = 1, 100 do m[i] = "m" .. i end\nfor i = 1, 10000 do s[i] = { seed = i } end\nreturn { models = m, settings = s, benchmarks = { "throughput" } }\n' > big.lua
  $ benchlua sweep big.lua --dry-run
  benchlua: big.lua: 100 models x 10000 settings = 1000000 cells, more than 10000 (--max-cells N allows more)
  [2]
  $ benchlua sweep big.lua --dry-run --max-cells 1000000 | head -n 2
  big.lua: 100 models x 10000 settings = 1000000 cells, 1 benchmark each \(1000000 runs\); results in .* (re)
  cell 1: m1 seed=1: throughput
  $ benchlua sweep --model "$(seq -s, 1 10)" --seed "$(seq -s, 1 40)" --parallel "$(seq -s, 1 50)" --benchmark throughput --dry-run
  benchlua: sweep: 10 models x 2000 settings = 20000 cells, more than 10000 (--max-cells N allows more)
  [2]
  $ benchlua sweep --model a,b --seed "$(seq -s, 1 5000)" --benchmark throughput --dry-run | head -n 1
  sweep: 2 models x 5000 settings = 10000 cells, 1 benchmark each \(10000 runs\); results in .* (re)

Speed settings on the command line: each --server-arg-set (split as a shell
would) is a setting, after the common --server-arg values; and a benchmark's
own options as NAME:option=value,... (the same benchmark twice with different
options is two entries).

  $ benchlua sweep --model a.gguf,b.gguf --server-arg --no-warmup --server-arg-set "-fa on" --server-arg-set "-fa off" --server-arg-set "-ctk q8_0 -ctv 'q8_0'" --benchmark human_eval:limit=3,max_tokens=8 --benchmark human_eval:limit=5 --benchmark throughput:requests=8 --dry-run
  sweep: 2 models x 3 settings = 6 cells, 3 benchmarks each \(18 runs\); results in .* (re)
  cell 1: a.gguf server_arg=--no-warmup -fa on: human_eval limit=3 max_tokens=8, human_eval limit=5, throughput requests=8
  cell 2: a.gguf server_arg=--no-warmup -fa off: human_eval limit=3 max_tokens=8, human_eval limit=5, throughput requests=8
  cell 3: a.gguf server_arg=--no-warmup -ctk q8_0 -ctv q8_0: human_eval limit=3 max_tokens=8, human_eval limit=5, throughput requests=8
  cell 4: b.gguf server_arg=--no-warmup -fa on: human_eval limit=3 max_tokens=8, human_eval limit=5, throughput requests=8
  cell 5: b.gguf server_arg=--no-warmup -fa off: human_eval limit=3 max_tokens=8, human_eval limit=5, throughput requests=8
  cell 6: b.gguf server_arg=--no-warmup -ctk q8_0 -ctv q8_0: human_eval limit=3 max_tokens=8, human_eval limit=5, throughput requests=8
  $ benchlua sweep --model a.gguf --gpu-layers 40,99 --server-arg-set "-fa on" --server-arg-set "" --benchmark throughput --dry-run | tail -n 4
  cell 1: a.gguf gpu_layers=40 server_arg=-fa on: throughput
  cell 2: a.gguf gpu_layers=40 server_arg=: throughput
  cell 3: a.gguf gpu_layers=99 server_arg=-fa on: throughput
  cell 4: a.gguf gpu_layers=99 server_arg=: throughput
  $ benchlua sweep --model a.gguf --benchmark human_eval --limit 5 --benchmark human_eval:limit=2,seed=7 --dry-run | tail -n 1
  cell 1: a.gguf: human_eval limit=5, human_eval limit=2 seed=7
  $ benchlua sweep --model a.gguf --benchmark throughput --server-arg-set "-fa 'on"
  benchlua: --server-arg-set '-fa 'on': an unclosed ' quote
  [2]
  $ benchlua sweep sweep.lua --server-arg-set "-fa on"
  benchlua: --server-arg-set: with a sweep file, models, settings, benchmarks and options come from the file
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:limt=3
  benchlua: --benchmark human_eval: no option 'limt' (did you mean 'limit'?)
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:limit=x
  benchlua: --benchmark human_eval: limit expects an integer, got 'x'
  [2]
  $ benchlua sweep --model a.gguf --benchmark throughput:requests=0
  benchlua: --benchmark throughput: requests must be .* (re)
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:chat=maybe
  benchlua: --benchmark human_eval: chat expects true or false, got 'maybe'
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:limit
  benchlua: --benchmark human_eval: 'limit' is not option=value (NAME:option=value,...)
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:gpu_layers=3
  benchlua: --benchmark human_eval: gpu-layers is a server setting, the same for every benchmark of a cell
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:limit=3,limit=4
  benchlua: --benchmark human_eval: limit is given twice
  [2]
  $ benchlua sweep --model a.gguf --benchmark human_eval:limit=3 --benchmark human_eval:limit=3
  benchlua: command line: benchmarks[2]: the same as benchmarks[1] (to run it again, give it another seed)
  [2]
  $ benchlua sweep --model a.gguf --benchmark nosuch:limit=3
  benchlua: --benchmark nosuch: no benchmark named 'nosuch' .* (re)
  [2]

Each benchmark entry's data is checked before the first cell, as a single run
checks it: a dataset in the wrong format is one line, exit 2, nothing started.

  $ printf '#!/bin/sh\ntouch "%s/server-started"\nexec "%s" "$@"\n' "$PWD" "$SRC/tests/fake_server.py" > marked-server.sh; chmod +x marked-server.sh
  $ echo 'not json' > bad.jsonl
  $ benchlua sweep --model "$SRC/README.md" --server-bin ./marked-server.sh --benchmark throughput --benchmark human_eval --dataset bad.jsonl --results-dir pre
  benchlua: human_eval: bad.jsonl:1: not valid JSON .* (re)
  [2]
  $ ls pre server-started 2>&1 | sed 's/.*cannot access //'
  'pre': No such file or directory
  'server-started': No such file or directory
  [2]
