-- benchmarks/human_eval.lua end to end (through the CLI), its data loading,
-- and the executor pool (lua/benchlua/codeexec.lua). Reference verdicts come
-- from openai/human-eval's harness run on the same files (see
-- tests/fixtures/humaneval/README.md).
local dataset = require("benchlua.dataset")
local testing = require("benchlua.testing")
local codeexec = require("benchlua.codeexec")
local runner = require("benchlua.runner")
local cjson = require("cjson")
local T = {}

local FIX = "tests/fixtures/humaneval/"
local ORACLE = FIX .. "oracle_server.py"

local eq = testing.eq

local tmpdir = testing.tmpdir

local function copy(from, to) -- byte for byte (bench.fs.read would gunzip)
  local f = assert(io.open(from, "rb"))
  assert(bench.fs.write_atomic(to, f:read("a")))
  f:close()
  return to
end

-- Run benchlua with args; -> result of run_script (code, stdout, stderr)
local function benchlua(args, env)
  local argv = { bench.exe }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return assert(bench.run_script{ argv = argv, env = env, timeout = 120 })
end

local function read_lines(path)
  local out = {}
  for line in assert(bench.fs.read(path)):gmatch("[^\n]+") do out[#out + 1] = line end
  return out
end

local function last_run(results)
  local d = cjson.decode(assert(bench.fs.read(results)))
  return d.runs[#d.runs]
end

local function canonical_samples(path)
  local problems = assert(dataset.human_eval(testing.data("HumanEval.jsonl.gz")))
  local lines = {}
  for i, p in ipairs(problems) do
    lines[i] = string.format('{"task_id": %s, "completion": %s}', dataset.py_string(p.task_id), dataset.py_string(p.canonical_solution))
  end
  assert(bench.fs.write_atomic(path, table.concat(lines, "\n") .. "\n"))
  return path
end

local function no_process_matching(needle)
  local p = io.popen("ps -eo args")
  local out = p:read("a")
  p:close()
  for line in out:gmatch("[^\n]+") do
    if line:find(needle, 1, true) and not line:find("ps -eo", 1, true) then return false, line end
  end
  return true
end

T[#T + 1] = { "the canonical solutions as a samples file score 164/164", function()
  local d <close> = tmpdir()
  local samples = canonical_samples(d.path .. "/canonical.jsonl")
  local r = benchlua{ "human_eval", "--samples", samples, "--dataset", testing.data("HumanEval.jsonl.gz"), "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  assert(r.stdout:find("pass@1 1.0000  passed 164, wrong 0", 1, true), r.stdout)
  local lines = read_lines(samples .. "_results.jsonl")
  eq(#lines, 164, "result lines")
  for i, l in ipairs(lines) do
    assert(l:find(', "result": "passed", "passed": true}$'), "line " .. i .. ": " .. l)
  end
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "ok", "status"); eq(run.results.score, 1, "score"); eq(run.results.outcomes.passed, 164, "passed")
  eq(run.results.pass_at_k["pass@1"], 1, "pass@1"); eq(run.results.pass_at_k["pass@10"], nil, "no pass@10 with n = 1")
  eq(run.reproducibility.dataset_sha256, "1d49078ba3e2b196b9344535bef34a43021f038fad9561d6ee7c53450609a6a2", "content digest")
  eq(#read_lines(run.run_dir .. "/samples.jsonl"), 164, "sample log lines")
end }

T[#T + 1] = { "the reference self-test: six verdicts, pass@1 = 0.5, the reference's results file", function()
  local d <close> = tmpdir()
  local samples = copy(testing.data("example_samples.jsonl"), d.path .. "/example_samples.jsonl")
  local r = benchlua{ "human_eval", "--samples", samples, "--dataset", testing.data("example_problem.jsonl"),
    "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  assert(r.stdout:find("pass@1 0.5000  passed 3,", 1, true), r.stdout)
  -- the record keeps the reference's own float (human-eval prints 0.4999999999999999)
  eq(string.format("%.17g", last_run(d.path .. "/r.json").results.pass_at_k["pass@1"]), "0.49999999999999989", "pass@1 as human-eval computes it")
  local want = { "failed: 'NoneType' object is not callable", "timed out", "failed: ", "passed", "passed", "passed" }
  local src, got = read_lines(samples), read_lines(samples .. "_results.jsonl")
  eq(#got, 6, "lines")
  for i, v in ipairs(want) do
    local line = src[i]:sub(1, -2) .. string.format(', "result": "%s", "passed": %s}', v, tostring(v == "passed"))
    eq(got[i], line, "line " .. i)
  end
  local run = last_run(d.path .. "/r.json")
  assert(math.abs(run.results.score - 0.5) < 1e-12, "score " .. run.results.score)
  local oc = run.results.outcomes
  eq(oc.passed, 3, "passed"); eq(oc.timed_out, 1, "timed out"); eq(oc.error, 2, "error")
end }

T[#T + 1] = { "wrong, slow, crashing, exiting and hostile samples get the reference's verdict on every one", function()
  local d <close> = tmpdir()
  local samples = copy(FIX .. "hostile_samples.jsonl", d.path .. "/hostile.jsonl")
  local r = benchlua{ "human_eval", "--samples", samples, "--dataset", FIX .. "hostile_problems.jsonl",
    "--exec-timeout", "1.0", "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local expected, got = read_lines(FIX .. "hostile_expected.jsonl"), read_lines(samples .. "_results.jsonl")
  eq(#got, #expected, "samples")
  local bad = {}
  for i, line in ipairs(expected) do
    local e, g = cjson.decode(line), cjson.decode(got[i])
    if e.result ~= g.result then bad[#bad + 1] = string.format("%s: reference %q, got %q", e.name, e.result, g.result) end
  end
  assert(#bad == 0, table.concat(bad, "\n"))
  assert(#expected >= 60, "the set has " .. #expected .. " samples")
end }

T[#T + 1] = { "malformed data: errors name the file and line", function()
  local d <close> = tmpdir()
  local bad = d.path .. "/bad.jsonl"
  assert(bench.fs.write_atomic(bad, '{"task_id": "a", "prompt": "", "test": "", "entry_point": "f"}\n\n{"task_id": "b",\n'))
  local recs, err = dataset.read_jsonl(bad)
  eq(recs, nil, "records"); assert(err:find(bad .. ":3: not valid JSON", 1, true), err)
  assert(bench.fs.write_atomic(bad, '{"task_id": "a", "prompt": "", "test": ""}\n'))
  local p, perr = dataset.human_eval(bad)
  eq(p, nil, "problems"); assert(perr:find(bad .. ":1: field 'entry_point' is missing", 1, true), perr)
  assert(bench.fs.write_atomic(bad, '[1, 2]\n'))
  recs, err = dataset.read_jsonl(bad)
  assert(err:find(":1: expected a JSON object", 1, true), err)
  -- through the CLI: a sample line naming an unknown task, then a broken line
  local samples = d.path .. "/s.jsonl"
  assert(bench.fs.write_atomic(samples, '{"task_id": "test/0", "completion": "    return 1"}\n{"task_id": "nope", "completion": ""}\n'))
  local r = benchlua{ "human_eval", "--samples", samples, "--dataset", testing.data("example_problem.jsonl"), "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 1, "exit code")
  assert(r.stderr:find(samples .. ":2: task 'nope' is not in", 1, true), r.stderr)
  assert(bench.fs.write_atomic(samples, '{"task_id": "test/0", "completion": "    return 1"}\n{"task_id": \n'))
  r = benchlua{ "human_eval", "--samples", samples, "--dataset", testing.data("example_problem.jsonl"), "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 1, "exit code"); assert(r.stderr:find(samples .. ":2: not valid JSON", 1, true), r.stderr)
  -- a problem without any sample is refused, as the reference does
  assert(bench.fs.write_atomic(samples, '{"task_id": "HumanEval/0", "completion": "    return True"}\n'))
  r = benchlua{ "human_eval", "--samples", samples, "--dataset", testing.data("HumanEval.jsonl.gz"), "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 1, "exit code"); assert(r.stderr:find("163 of 164 problems have no sample", 1, true), r.stderr)
end }

-- A local HTTP server standing in for GitHub (this machine cannot reach it).
local function http_server(dir)
  local port = assert(bench.net.free_port())
  local p = assert(bench.proc.spawn{ argv = { "/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
    "--directory", dir, tostring(port) }, stdout = "null", stderr = "null" })
  local url = "http://127.0.0.1:" .. port
  for _ = 1, 200 do
    if bench.http.request{ url = url .. "/", timeout = 1 } then break end
    bench.sleep(0.02)
  end
  return setmetatable({ url = url }, { __close = function()
    p:kill("KILL")
    p:wait()
    p:close()
  end })
end

T[#T + 1] = { "the official file is downloaded once into the cache and checked by digest", function()
  local d <close> = tmpdir()
  local www, cache = d.path .. "/www", d.path .. "/cache/benchlua"
  assert(bench.fs.mkdir_p(www))
  copy(testing.data("HumanEval.jsonl.gz"), www .. "/HumanEval.jsonl.gz")
  local spec = { sha256 = dataset.HUMAN_EVAL.sha256, file = "HumanEval.jsonl.gz", dir = cache, data_dir = false }
  do
    local srv <close> = http_server(www)
    spec.url = srv.url .. "/HumanEval.jsonl.gz"
    local path = assert(dataset.fetch(spec))
    eq(path, cache .. "/HumanEval.jsonl.gz", "path")
    eq(#assert(dataset.human_eval(path)), 164, "problems")
    -- a wrong digest: refused, nothing left behind, the good copy untouched
    local bad = { url = spec.url, sha256 = string.rep("0", 64), file = "Other.jsonl.gz", dir = cache, data_dir = false }
    local p2, err = dataset.fetch(bad)
    eq(p2, nil, "mismatch"); assert(err:find("sha256 " .. dataset.HUMAN_EVAL.sha256 .. ", expected 000", 1, true), err)
    eq(bench.fs.stat(cache .. "/Other.jsonl.gz"), nil, "no file on mismatch")
    local p3, err3 = dataset.fetch{ url = srv.url .. "/missing.gz", sha256 = spec.sha256, file = "M.gz", dir = cache, data_dir = false }
    eq(p3, nil, "404"); assert(err3:find("HTTP 404", 1, true) and err3:find("--dataset PATH", 1, true), err3)
  end
  -- the server is gone: the cached copy is used
  eq(assert(dataset.fetch(spec)), cache .. "/HumanEval.jsonl.gz", "cached")
  -- a corrupt cached copy is fetched again (and here, with no server, refused)
  assert(bench.fs.write_atomic(cache .. "/HumanEval.jsonl.gz", "garbage"))
  local p4, err4 = dataset.fetch(spec)
  eq(p4, nil, "corrupt cache"); assert(err4:find("cannot fetch", 1, true), err4)
  -- without --dataset, human_eval uses $XDG_CACHE_HOME/benchlua/HumanEval.jsonl.gz
  copy(testing.data("HumanEval.jsonl.gz"), cache .. "/HumanEval.jsonl.gz")
  local samples = canonical_samples(d.path .. "/canonical.jsonl")
  local r = benchlua({ "human_eval", "--samples", samples, "--results", d.path .. "/r.json", "--quiet" },
    { XDG_CACHE_HOME = d.path .. "/cache", BENCHLUA_DATA = "" })
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").config.dataset, cache .. "/HumanEval.jsonl.gz", "dataset used")
  -- $BENCHLUA_DATA comes first: the file there, by its published name
  local data = d.path .. "/data"
  assert(bench.fs.mkdir_p(data))
  copy(testing.data("HumanEval.jsonl.gz"), data .. "/HumanEval.jsonl.gz")
  r = benchlua({ "human_eval", "--samples", samples, "--results", d.path .. "/r.json", "--quiet" },
    { XDG_CACHE_HOME = d.path .. "/cache", BENCHLUA_DATA = data })
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").config.dataset, data .. "/HumanEval.jsonl.gz", "dataset from BENCHLUA_DATA")
  -- one there that is not the pinned file is refused in one line, naming it
  assert(bench.fs.write_atomic(data .. "/HumanEval.jsonl.gz", "{}\n"))
  r = benchlua({ "human_eval", "--samples", samples, "--results", d.path .. "/r.json", "--quiet" },
    { XDG_CACHE_HOME = d.path .. "/cache", BENCHLUA_DATA = data })
  eq(r.code, 2, "a wrong file in BENCHLUA_DATA (a usage error, before anything starts)")
  assert(r.stderr:find(data .. "/HumanEval.jsonl.gz is not the pinned file (sha256 ", 1, true), r.stderr)
end }

T[#T + 1] = { "a base-model run: every slot busy, stop sequences cut client-side, records and sample log", function()
  local d <close> = tmpdir()
  local r = benchlua{ "human_eval", "--model", testing.data("HumanEval.jsonl.gz"), "--server-bin", ORACLE, "--dataset", testing.data("HumanEval.jsonl.gz"), "--parallel", "4", "--limit", "12",
    "--n", "2", "--temperature", "0.5", "--server-arg", "--fail-task", "--server-arg", "HumanEval/3",
    "--max-server-errors", "2", "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  local res = run.results
  eq(res.outcomes.passed, 22, "passed"); eq(res.outcomes.server_error, 2, "server errors")
  assert(math.abs(res.score - 11 / 12) < 1e-12, "score " .. res.score)
  eq(res.samples, 24, "samples"); eq(res.problems, 12, "problems")
  assert(res.generation_time > 0 and res.scoring_time > 0 and res.tokens_per_s > 0, "times")
  eq(run.config.sampling.n, 2, "n"); eq(run.config.sampling.temperature, 0.5, "temperature")
  eq(run.config.sampling.mode, "completion", "mode"); eq(run.config.sampling.seed, 1234, "seed")
  local log, seeds = read_lines(run.run_dir .. "/samples.jsonl"), {}
  eq(#log, 24, "sample log")
  for _, line in ipairs(log) do
    local s = cjson.decode(line)
    assert(type(s.seed) == "number" and not seeds[s.seed], "distinct seeds")
    seeds[s.seed] = true
    if s.task_id == "HumanEval/3" then
      eq(s.outcome, "server_error", "outcome"); assert(s.error:find("oracle failure"), s.error)
    else
      eq(s.outcome, "passed", s.task_id)
      assert(s.raw:find("\ndef extra", 1, true) and not s.code:find("extra", 1, true), "cut at the stop sequence")
      assert(s.prompt and s.completion == s.code and s.result == "passed" and s.exec_time and s.gen_time, "fields")
    end
  end
  local ok, line = no_process_matching(ORACLE)
  assert(ok, "left behind: " .. tostring(line))
end }

T[#T + 1] = { "a chat run: fences, <think>, reasoning_content, truncation counted apart", function()
  local d <close> = tmpdir()
  local r = benchlua{ "human_eval", "--chat", "--model", testing.data("HumanEval.jsonl.gz"), "--server-bin", ORACLE, "--dataset", testing.data("HumanEval.jsonl.gz"), "--limit", "10",
    "--server-arg", "--fail-task", "--server-arg", "HumanEval/9", "--max-server-errors", "1", "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  local oc = run.results.outcomes
  eq(oc.passed, 7, "passed"); eq(oc.truncated, 2, "truncated"); eq(oc.server_error, 1, "server error")
  eq(oc.wrong + oc.error + oc.timed_out + oc.no_code, 0, "nothing else")
  eq(run.config.sampling.mode, "chat", "mode")
  local by = {}
  for _, line in ipairs(read_lines(run.run_dir .. "/samples.jsonl")) do
    local s = cjson.decode(line)
    by[s.task_id] = s
  end
  assert(by["HumanEval/0"].solution and by["HumanEval/0"].solution:find("^from typing import List"), "full function kept the imports")
  eq(by["HumanEval/1"].outcome, "passed", "after </think>")
  eq(by["HumanEval/2"].reasoning, "Let me think about truncate_number", "reasoning recorded")
  eq(by["HumanEval/2"].completion, by["HumanEval/2"].code, "a body is appended to the prompt")
  eq(by["HumanEval/3"].outcome, "truncated", "unclosed think"); eq(by["HumanEval/3"].code, nil, "no code")
  eq(by["HumanEval/4"].finish, "length", "finish"); eq(by["HumanEval/4"].outcome, "passed", "a truncated answer that passes is a pass")
  eq(by["HumanEval/8"].outcome, "truncated", "unclosed think")
  assert(by["HumanEval/0"].prompt:find("^Please provide a self%-contained Python script"), "evalplus instruction")
end }

T[#T + 1] = { "a run against the real llama-server and the tiny model records and leaves no process", function()
  local d <close> = tmpdir()
  -- tests/run.sh prepares both before the Lua tier
  local model = assert(os.getenv("BENCHLUA_TEST_MODEL"), "BENCHLUA_TEST_MODEL is not set (run through tests/run.sh)")
  local server = assert(os.getenv("BENCHLUA_SERVER_BIN"), "BENCHLUA_SERVER_BIN is not set (run through tests/run.sh)")
  local r = benchlua{ "human_eval", "--model", model, "--server-bin", server, "--parallel", "4",
    "--ctx", "4096", "--dataset", testing.data("HumanEval.jsonl.gz"), "--limit", "8", "--max-tokens", "24", "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "ok", "status"); eq(run.results.samples, 8, "samples")
  local oc, total = run.results.outcomes, 0
  for _, v in pairs(oc) do total = total + v end
  eq(total, 8, "every sample has an outcome"); eq(oc.server_error, 0, "server errors")
  assert(run.results.tokens_generated > 0 and run.reproducibility.server_build, "tokens and server build recorded")
  eq(#read_lines(run.run_dir .. "/samples.jsonl"), 8, "sample log")
  local ok, line = no_process_matching(model)
  assert(ok, "left behind: " .. tostring(line))
end }

T[#T + 1] = { "--generate-only writes reference samples that --samples scores the same", function()
  local d <close> = tmpdir()
  local samples = d.path .. "/gen.jsonl"
  local r = benchlua{ "human_eval", "--chat", "--model", testing.data("HumanEval.jsonl.gz"), "--server-bin", ORACLE, "--dataset", testing.data("HumanEval.jsonl.gz"), "--limit", "5",
    "--generate-only", samples, "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(#read_lines(samples), 5, "samples written")
  local sub = d.path .. "/sub.jsonl.gz"
  local problems = assert(dataset.human_eval(testing.data("HumanEval.jsonl.gz")))
  local lines = {}
  for i = 1, 5 do lines[i] = cjson.encode(problems[i]) end
  assert(bench.fs.write_atomic(sub, table.concat(lines, "\n")))
  r = benchlua{ "human_eval", "--samples", samples, "--dataset", sub, "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local got = {}
  for _, l in ipairs(read_lines(samples .. "_results.jsonl")) do got[#got + 1] = cjson.decode(l).passed end
  eq(table.concat({ tostring(got[1]), tostring(got[2]), tostring(got[3]), tostring(got[4]), tostring(got[5]) }, " "),
    "true true true false true", "styles 0..4 scored from the file")
end }

T[#T + 1] = { "parse finds human-eval's, evalplus's and a bare score; nil otherwise", function()
  local spec = assert(runner.load("benchmarks/human_eval.lua"))
  eq(spec.parse("Reading samples...\n{'pass@1': 0.89}\n"), 0.89, "human-eval")
  eq(spec.parse("{'pass@1': 0.5, 'pass@10': 0.75}"), 0.5, "human-eval, several ks")
  eq(spec.parse('{"pass@1": 0.25}'), 0.25, "JSON")
  eq(spec.parse("humaneval (base tests)\npass@1:\t0.890\nhumaneval+ (base + extra tests)\npass@1:\t0.850\n"), 0.89, "evalplus: base")
  eq(spec.parse("done\nscore: 89.0\n"), 89.0, "bare score")
  eq(spec.parse("Score = 12.5"), 12.5, "Score =")
  eq(spec.parse("no numbers here"), nil, "none")
  eq(spec.parse(""), nil, "empty")
  eq(spec.server({ samples = "x" }), false, "no server for --samples")
  eq(spec.server({}), true, "a server otherwise")
  local ok, err = spec.validate({ samples = "/nonexistent.jsonl", top_p = 0.95 })
  eq(ok, false, "validate"); assert(err:find("no file '/nonexistent.jsonl'", 1, true), err)
  ok, err = spec.validate({ top_p = 1.5 })
  eq(ok, false, "top_p"); assert(err:find("top%-p"), err)
end }

-- The executor pool: what one sample can do to the next, and to the executor.
local function run1(pool, body, timeout)
  return pool:run("def f():\n" .. body .. "\n\ndef check(candidate):\n    assert candidate() == 1\n\ncheck(f)", timeout or 2.0)
end

T[#T + 1] = { "executor: no process, file or /tmp entry of one sample survives into the next", function()
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local r = run1(pool, table.concat({
    "    import os",
    "    os.posix_spawn('/bin/sleep', ['sleep', '4242'], {})",
    "    open('/tmp/left-behind', 'w').write('x')",
    "    open('here.txt', 'w').write('x')",
    "    return 1" }, "\n"))
  eq(r.result, "passed", "first")
  r = run1(pool, table.concat({
    "    import os",
    "    assert not os.path.exists('here.txt'), 'cwd file survived'",
    "    return 1" }, "\n"))
  eq(r.result, "passed", "second: " .. tostring(r.result))
  if not pool.info.pidns then
    error(require("benchlua.testing").skip("no PID namespace here: only the per-sample directory was checked"))
  end
  r = run1(pool, table.concat({
    "    import os",
    "    assert not os.path.exists('/tmp/left-behind'), '/tmp file survived'",
    "    for p in os.listdir('/proc'):",
    "        if p.isdigit():",
    "            try:",
    "                assert b'4242' not in open('/proc/%s/cmdline' % p, 'rb').read(), 'daemon survived'",
    "            except OSError:",
    "                pass",
    "    return 1" }, "\n"))
  eq(r.result, "passed", "third: " .. tostring(r.result))
end }

T[#T + 1] = { "executor without a PID namespace (fallback, --sandbox off): a detached daemon of one sample is gone before the next", function()
  -- There the executor kills the child's process group; a daemon that left
  -- it (setsid) survived into the next samples (it could kill them or
  -- change their directory). The executor is a child subreaper now.
  for _, mode in ipairs({ "fallback", false }) do
    local pool <close> = assert(codeexec.pool{ size = 1, sandbox = mode })
    local mark = tostring(math.random(100000, 999999))
    local r = run1(pool, table.concat({
      "    import os",
      "    os.posix_spawn('/bin/sleep', ['sleep', '" .. mark .. "'], {}, setsid=True)",
      "    pid = os.posix_spawn('/bin/sh', ['sh', '-c', '(setsid sleep " .. mark .. ".5 &) ; exit 0'], {})",
      "    os.waitpid(pid, 0)",
      "    return 1" }, "\n"))
    eq(r.result, "passed", tostring(mode) .. ": first")
    r = run1(pool, table.concat({
      "    import os",
      "    for p in os.listdir('/proc'):",
      "        if p.isdigit():",
      "            try:",
      "                assert b'" .. mark .. "' not in open('/proc/%s/cmdline' % p, 'rb').read(), 'daemon survived'",
      "            except OSError:",
      "                pass",
      "    return 1" }, "\n"))
    eq(r.result, "passed", tostring(mode) .. ": second")
  end
end }

T[#T + 1] = { "executor: clean-up still happens after the directories were quiet for a while (one lstat each then)", function()
  -- After a sample the executor lists /tmp, /dev/shm, its own directory and
  -- the samples' directory only when one of them changed since it last found
  -- them clean (their lstat, mtime and ctime included, taken once they were
  -- quiet for 0.1 s). Here they are quiet before each writing sample, and a
  -- writer also puts the directories' times back with utime.
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local writes = {
    tmp = "    import os\n    open('/tmp/left', 'w').write('x')\n    return 1",
    shm = "    import os\n    open('/dev/shm/left', 'w').write('x')\n    return 1",
    cwd = "    import os\n    open('left', 'w').write('x')\n    return 1",
    home = "    import os\n    open(os.environ['HOME'] + '/left', 'w').write('x')\n    return 1",
    utime = table.concat({
      "    import os",
      "    ds = [d for d in ('/tmp', '/dev/shm', '.', os.environ['HOME']) if os.access(d, os.W_OK)]",
      "    st = [os.stat(d) for d in ds]",
      "    for d in ds:",
      "        open(os.path.join(d, 'left'), 'w').write('x')",
      "    for d, s in zip(ds, st):",
      "        os.utime(d, ns=(s.st_atime_ns, s.st_mtime_ns))",
      "    return 1" }, "\n"),
  }
  local check = table.concat({
    "    import os",
    "    for p in ('/tmp/left', '/dev/shm/left', 'left', os.environ['HOME'] + '/left'):",
    "        assert not os.path.exists(p), p + ' survived'",
    "    return 1" }, "\n")
  local pidns
  for _, name in ipairs({ "tmp", "shm", "cwd", "home", "utime" }) do
    eq(run1(pool, "    return 1").result, "passed", "before " .. name)
    bench.sleep(0.25) -- everything quiet: the next clean-up remembers the directories
    eq(run1(pool, "    return 1").result, "passed", "quiet before " .. name)
    bench.sleep(0.25)
    eq(run1(pool, writes[name]).result, "passed", name)
    eq(run1(pool, check).result, "passed", "after " .. name)
    pidns = pool.info.pidns
  end
  if not pidns then
    error(require("benchlua.testing").skip("no PID namespace here: only the per-sample directory was checked"))
  end
end }

T[#T + 1] = { "executor: every sample starts in an empty, writable working directory, whatever the last one did to it", function()
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local fresh = "    import os\n    assert os.listdir('.') == [], os.listdir('.')\n    open('mine', 'w').write('x')\n    return 1"
  local libc = "    import ctypes, os\n    c = ctypes.CDLL(None, use_errno=True)\n"
  local attacks = {
    left = "    os.mkdir('d'); open('d/f', 'w').write('x'); open('.hidden', 'w').write('x')\n    return 1",
    chmod = "    open('f', 'w').write('x')\n    c.chmod(b'.', 0o500)\n    return 1",
    removed = "    c.rmdir(os.readlink('/proc/self/cwd').encode())\n    return 1",
    replaced = "    d = os.readlink('/proc/self/cwd').encode()\n    c.rmdir(d)\n    open(d, 'w').write('x')\n    return 1",
    locked = "    os.mkdir('d'); open('d/f', 'w').write('x'); c.chmod(b'd', 0)\n    return 1",
  }
  for _, name in ipairs({ "left", "chmod", "removed", "replaced", "locked" }) do
    eq(run1(pool, libc .. attacks[name]).result, "passed", name)
    eq(run1(pool, fresh).result, "passed", "after " .. name)
  end
end }

T[#T + 1] = { "executor: a directory tree thousands of levels deep (one level locked) in /tmp or the working directory is gone before the next sample", function()
  -- shutil.rmtree recurses with a descriptor per level: such a tree stopped
  -- the clean-up, and what it held stayed for every later sample (a full
  -- /tmp among it); the LiveCodeBench and evalplus executors, which wipe in
  -- their own process, died of the RecursionError.
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  run1(pool, "    return 1")
  local tops = pool.info.pidns and "('/tmp', '.')" or "('.',)" -- without a PID namespace /tmp is the host's
  local deep = table.concat({
    "    import ctypes, os",
    "    for top in TOPS:",
    "        fd = os.open(top, os.O_RDONLY)",
    "        os.mkdir('deepdir', dir_fd=fd)",
    "        for i in range(3000):",
    "            nfd = os.open('deepdir' if i == 0 else 'd', os.O_RDONLY, dir_fd=fd)",
    "            os.close(fd); fd = nfd",
    "            os.mkdir('d', dir_fd=fd)",
    "            open('f', 'w', opener=lambda p, fl: os.open(p, fl, dir_fd=fd)).write('x')",
    "            if i == 1500:",
    "                lock = os.dup(fd)",
    "        os.close(fd)",
    "        ctypes.CDLL(None).fchmod(lock, 0)",
    "    return 1" }, "\n"):gsub("TOPS", tops)
  local check = "    import os\n    assert not os.path.exists('/tmp/deepdir'), '/tmp'\n"
    .. "    assert os.listdir('.') == [], os.listdir('.')\n    return 1"
  for i = 1, 2 do
    eq(run1(pool, deep, 10).result, "passed", "deep, round " .. i)
    eq(run1(pool, check).result, "passed", "the next sample, round " .. i)
  end
  eq(pool.restarts, 0, "executor restarts")
end }

T[#T + 1] = { "executor: shutil and subprocess, imported on first use, come as the guard leaves them; the zygote has neither, nor threading or random", function()
  -- Each pulls in threading, whose at-fork hook costs every child about
  -- 0.6 ms of CPU: the HumanEval zygote leaves them to an import hook
  -- (and random, whose hook reseeds it, to the programs that import it).
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local progs = {
    lean = "import sys\nassert not {'threading', 'shutil', 'subprocess', 'tempfile', 'random'} & set(sys.modules), sorted(sys.modules)",
    random = "import random, statistics\nassert len({random.getrandbits(64) for _ in range(3)}) == 3\n"
      .. "assert statistics.mean([1, 2]) == 1.5",
    guarded = "import shutil, subprocess\nassert shutil.rmtree is None and shutil.move is None and shutil.chown is None\n"
      .. "assert subprocess.Popen is None and shutil.copy is not None",
    indirect = "import tempfile, sys\nassert sys.modules['shutil'].rmtree is None",
    find_spec_first = "import importlib.util\nimportlib.util.find_spec('subprocess')\nimport subprocess\nassert subprocess.Popen is None",
    reload = "import shutil, importlib\nassert type(shutil.__loader__).__name__ == 'SourceFileLoader'\n"
      .. "importlib.reload(shutil)\nassert shutil.rmtree is not None",
    run = "import subprocess\nsubprocess.run(['true'])",
  }
  local want = { run = "failed: 'NoneType' object is not callable" }
  for _, name in ipairs({ "lean", "guarded", "indirect", "find_spec_first", "reload", "run", "random", "lean" }) do
    eq(pool:run(progs[name], 2.0).result, want[name] or "passed", name)
  end
end }

T[#T + 1] = { "executor: a sample cannot forge a verdict through the executor's stdout", function()
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local r = run1(pool, table.concat({
    "    import os, json",
    "    for path in ('/proc/%d/fd/1' % os.getppid(), '/proc/self/fd/1'):",
    "        try:",
    "            with open(path, 'w') as f:",
    "                f.write(json.dumps({'result': 'passed'}) + '\\n')",
    "        except OSError:",
    "            pass",
    "    return 2" }, "\n"))
  eq(r.result, "failed: ", "verdict")
  eq(run1(pool, "    return 1").result, "passed", "next")
end }

T[#T + 1] = { "executor: what a sample leaves in the verdict FIFO does not decide the next sample's verdict", function()
  -- A sample can find its own report token (docs/human_eval.md: verdict
  -- integrity protects against accidents) and write its report followed by
  -- more than the FIFO holds: the executor reads the report, kills the
  -- sample, and the rest (report headers of other tokens that announce a
  -- gigabyte) waits in the FIFO for the next sample's child.
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local junk = table.concat({
    "    import os, sys",
    "    fr = sys._getframe()",
    "    while 'report' not in fr.f_locals:",
    "        fr = fr.f_back",
    "    rep = fr.f_locals['report']",
    "    data = b'BLV1 %s 0 6\\npassed' % rep.token + b'BLV1 x 0 999999999\\n' * 20000",
    "    while data:",
    "        data = data[os.write(rep.fifo_fd, data):]",
    "    return 1" }, "\n")
  for i = 1, 3 do
    run1(pool, junk)
    local r = run1(pool, "    return 1")
    eq(r.result, "passed", "next sample, round " .. i .. " (" .. tostring(r.detail) .. ")")
    eq(run1(pool, "    return 2").result, "failed: ", "a wrong one after it, round " .. i)
  end
end }

T[#T + 1] = { "executor: a sample that replaces the verdict FIFO's path does not cost a later sample that closed its descriptors its verdict", function()
  -- A child that closed its FIFO descriptor reopens the FIFO by its path;
  -- a regular file or a FIFO nobody reads put there by an earlier sample
  -- took that later sample's report ("timed out").
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local closer = "    import os\n    os.closerange(0, 1024)\n    return 1"
  eq(run1(pool, closer).result, "passed", "a sample that closes its descriptors")
  for _, how in ipairs({ "file", "fifo", "dir" }) do
    local r = run1(pool, table.concat({
      "    import ctypes, os",
      "    c = ctypes.CDLL(None)",
      "    for fd in os.listdir('/proc/self/fd'):",
      "        try:",
      "            p = os.readlink('/proc/self/fd/' + fd)",
      "        except OSError:",
      "            continue",
      "        if p.endswith('/verdicts'):",
      "            break",
      how == "dir" and "    c.rename(os.path.dirname(p).encode(), (os.path.dirname(p) + '.old').encode())"
        or "    c.unlink(p.encode())",
      how == "file" and "    open(p, 'w').close()" or how == "fifo" and "    os.mkfifo(p)" or "    os.makedirs(p)",
      "    return 1" }, "\n"))
    eq(r.result, "passed", how .. ": the replacing sample")
    r = run1(pool, closer)
    eq(r.result, "passed", how .. ": the next sample that closes its descriptors (" .. tostring(r.detail) .. ")")
  end
end }

T[#T + 1] = { "executor: a sample that kills or stops its executor gets 'timed out'; the executor is replaced", function()
  local pool <close> = assert(codeexec.pool{ size = 1, sandbox = "auto" })
  local r = run1(pool, "    import ctypes, os\n    ctypes.CDLL(None).kill(os.getppid(), 9)\n    return 1")
  eq(r.result, "timed out", "killed executor"); assert(r.detail:find("died"), r.detail)
  eq(run1(pool, "    return 1").result, "passed", "after a restart")
  local t0 = bench.now()
  r = run1(pool, "    import ctypes, os\n    ctypes.CDLL(None).kill(os.getppid(), 19)\n    return 1", 0.2)
  eq(r.result, "timed out", "stopped executor"); assert(r.detail:find("did not answer"), r.detail)
  assert(bench.now() - t0 < 0.2 + 1 + 3 + 1, "outer timeout")
  eq(run1(pool, "    return 1").result, "passed", "after the second restart")
  eq(pool.restarts, 2, "restarts")
end }

T[#T + 1] = { "sandboxed programs are the OOM killer's first choice (oom_score_adj 1000), benchlua is not", function()
  -- RLIMIT_AS is per process: a sample that forks and fills memory can
  -- exhaust the machine, and the kernel then kills the process with the
  -- highest score, which must not be llama-server or benchlua.
  local own = assert(bench.fs.read("/proc/self/oom_score_adj")):match("%-?%d+")
  assert(own ~= "1000", "benchlua itself has " .. own)
  local show = "print(open('/proc/self/oom_score_adj').read().strip())"
  for _, mode in ipairs({ "auto", "fallback" }) do
    local pool <close> = assert(codeexec.pool{ size = 1, sandbox = mode })
    local r = pool:run("assert open('/proc/self/oom_score_adj').read().strip() == '1000'", 2)
    eq(r.result, "passed", mode .. ": executor child")
  end
  local r = assert(bench.run_script{ argv = { "/usr/bin/python3", "-c", show }, sandbox = true })
  eq(r.stdout, "1000\n", "run_script with the sandbox")
end }

T[#T + 1] = { "executor: programs run in parallel up to the pool size, waiting callers are served", function()
  local pool <close> = assert(codeexec.pool{ size = 2, sandbox = "auto" })
  local items = {}
  for i = 1, 6 do items[i] = i end
  local t0 = bench.now()
  local out = bench.map(items, 6, function() return run1(pool, "    import time\n    time.sleep(0.3)\n    return 1") end)
  local dt = bench.now() - t0
  for i = 1, 6 do eq(out[i].result, "passed", "sample " .. i) end
  assert(dt > 0.85 and dt < 2.5, "6 x 0.3 s on 2 executors took " .. dt)
end }

return T
