-- Requests that fail or come back malformed, and OpenAI-compatible
-- endpoints, against tests/fake_server.py (a real llama-server cannot be made
-- to misbehave on demand): a failed or malformed answer is a server_error for
-- its sample, never a traceback; a run with more of them than
-- --max-server-errors is recorded failed with what it completed.
local cjson = require("cjson")
local llm = require("benchlua.llm")
local T = {}

local FAKE = "tests/fake_server.py"
local KEY = "sk-benchlua-test-9f8e7d6c"

local testing = require("benchlua.testing")
local eq, tmpdir, benchlua = testing.eq, testing.tmpdir, testing.benchlua

local function last_run(path)
  local d = cjson.decode(assert(bench.fs.read(path)))
  return d.runs[#d.runs]
end

local function lines(path)
  local out = {}
  for l in (bench.fs.read(path) or ""):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(l) end
  return out
end

-- A fake server that benchlua does not manage (as an --endpoint is): started
-- here, ready when /v1/models answers.
local function external(args)
  local port = assert(bench.net.free_port())
  local argv = { FAKE, "--port", tostring(port) }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local p = assert(bench.proc.spawn{ argv = argv, stdout = "null", stderr = "null" })
  local url = "http://127.0.0.1:" .. port
  local deadline = bench.now() + 20
  while bench.now() < deadline do
    local r = bench.http.request{ url = url .. "/v1/models", timeout = 1, connect_timeout = 1,
      headers = { Authorization = "Bearer " .. KEY } }
    if r then break end
    bench.sleep(0.05)
  end
  return setmetatable({ url = url, p = p }, { __close = function(s) s.p:kill("KILL") s.p:wait() s.p:close() end })
end

local KINDS = { "content-null", "content-object", "content-number", "predicted-ms-string", "nan-tokens",
  "not-object", "string-body", "no-content" }

T[#T + 1] = { "a malformed answer is a failed request (EBADANSWER), never an error raised", function()
  local s <close> = external{ "--malformed", "content-null" }
  for _, kind in ipairs(KINDS) do
    local f <close> = external{ "--malformed", kind }
    for _, fn in ipairs({ llm.completion, llm.chat }) do
      if not (fn == llm.chat and kind == "predicted-ms-string") then -- a /completion field
        local r, err, code = fn(f.url, { prompt = "x", messages = { { role = "user", content = "x" } } }, { retries = 0 })
        eq(r, nil, kind .. ": result")
        eq(code, "EBADANSWER", kind .. ": code (" .. tostring(err) .. ")")
        assert(type(err) == "string" and #err > 0, kind)
      end
    end
  end
end }

-- human_eval against a fake server whose every 2nd answer is malformed
local function he_run(d, extra, env)
  local args = { "human_eval", "--model", "README.md", "--server-bin", FAKE, "--dataset", testing.data("HumanEval.jsonl.gz"), "--limit", "4",
    "--results", d .. "/r.json", "--quiet" }
  for _, a in ipairs(extra) do args[#args + 1] = a end
  return benchlua(args, env)
end

T[#T + 1] = { "malformed answers are server_error samples; past --max-server-errors the run is failed with them all", function()
  local d <close> = tmpdir("endpoint-test")
  for _, mode in ipairs({ {}, { "--chat" } }) do
    for _, kind in ipairs({ "content-null", "nan-tokens", "not-object", "no-content" }) do
      local args = { "--server-arg", "--malformed", "--server-arg", kind, "--server-arg", "--malformed-every", "--server-arg", "2" }
      for _, a in ipairs(mode) do args[#args + 1] = a end
      local r = he_run(d.path, args)
      local what = kind .. (mode[1] or "")
      eq(r.code, 1, what .. ": exit code; stderr: " .. r.stderr)
      assert(not r.stderr:find("traceback"), what .. ": " .. r.stderr)
      local run = last_run(d.path .. "/r.json")
      eq(run.status, "failed", what)
      assert(run.error:find("^2 request%(s%) failed %(more than %-%-max%-server%-errors 0%); the first: malformed answer"), what .. ": " .. run.error)
      eq(run.results.outcomes.server_error, 2, what .. ": server errors")
      eq(run.results.failed_requests, 2, what .. ": failed requests")
      assert(type(run.results.score) == "number", what .. ": the partial score is kept")
      local samples = lines(run.run_dir .. "/samples.jsonl")
      eq(#samples, 4, what .. ": every sample logged")
      local bad = 0
      for _, s in ipairs(samples) do if s.outcome == "server_error" then bad = bad + 1 end end
      eq(bad, 2, what .. ": server_error samples (never no_code)")
    end
  end
  local r = he_run(d.path, { "--server-arg", "--malformed", "--server-arg", "content-object",
    "--server-arg", "--malformed-every", "--server-arg", "2", "--max-server-errors", "2" })
  eq(r.code, 0, "within --max-server-errors: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").status, "ok", "status within the limit")
end }

T[#T + 1] = { "requests that fail after their retries fail the run, naming the first error", function()
  local d <close> = tmpdir("endpoint-test")
  local r = he_run(d.path, { "--server-arg", "--status-500-every", "--server-arg", "1" })
  eq(r.code, 1, "exit code: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "failed", "status")
  assert(run.error:find("4 request(s) failed (more than --max-server-errors 0); the first: HTTP 500: internal failure", 1, true), run.error)
  assert(r.stderr:find("run failed: 4 request(s) failed", 1, true), r.stderr)
  eq(run.results.outcomes.server_error, 4, "server errors")
end }

T[#T + 1] = { "throughput: failed requests are judged by --max-server-errors too", function()
  local d <close> = tmpdir("endpoint-test")
  local args = { "throughput", "--model", "README.md", "--server-bin", FAKE, "--requests", "6", "--server-arg", "--status-500-every",
    "--server-arg", "3", "--results", d.path .. "/r.json", "--quiet" }
  local r = benchlua(args)
  eq(r.code, 1, "exit code: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "failed", "status")
  assert(run.error:find("^2 request%(s%) failed"), run.error)
  eq(run.results.metrics.failed, 2, "failed requests in the metrics")
  args[#args + 1] = "--max-server-errors"; args[#args + 1] = "2"
  r = benchlua(args)
  eq(r.code, 0, "within the limit: " .. r.stderr)
end }

T[#T + 1] = { "an endpoint with only /v1/models and /v1/chat/completions runs chat benchmarks; the key is sent, never kept", function()
  local d <close> = tmpdir("endpoint-test")
  local s <close> = external{ "--openai-only", "--api-key", KEY, "--expect-model", "fake.gguf" }
  local args = { "human_eval", "--chat", "--limit", "3", "--endpoint", s.url, "--dataset", testing.data("HumanEval.jsonl.gz"),
    "--results", d.path .. "/r.json", "--quiet" }
  local r = benchlua(args, { BENCHLUA_API_KEY = KEY, OPENAI_API_KEY = "" })
  eq(r.code, 0, "exit code: " .. r.stderr)
  local _, said = r.stderr:gsub("does not say how many requests it serves at once", "")
  eq(said, 1, "the concurrency default is said once: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "ok", "status")
  eq(run.results.outcomes.passed + run.results.outcomes.wrong + run.results.outcomes.error, 3, "3 samples scored")
  eq(run.model, "fake.gguf", "model"); eq(run.config.path, "fake.gguf", "config.path")
  eq(run.config.concurrency, 8, "concurrency")
  -- the key is nowhere: results file, sample log, run directory
  local where = { d.path .. "/r.json" }
  local p = io.popen("find '" .. run.run_dir .. "' -type f")
  for f in p:lines() do where[#where + 1] = f end
  p:close()
  assert(#where >= 2, "run directory files")
  for _, f in ipairs(where) do
    assert(not (bench.fs.read(f) or ""):find(KEY, 1, true), "the API key is in " .. f)
  end
  -- OPENAI_API_KEY works too; without a key the endpoint refuses
  r = benchlua(args, { OPENAI_API_KEY = KEY, BENCHLUA_API_KEY = "" })
  eq(r.code, 0, "OPENAI_API_KEY: " .. r.stderr)
  args[#args + 1] = "--ready-timeout"; args[#args + 1] = "0.5"
  r = benchlua(args, { OPENAI_API_KEY = "", BENCHLUA_API_KEY = "" })
  eq(r.code, 1, "no key: " .. r.stderr)
  assert(r.stderr:find("HTTP 401", 1, true), r.stderr)
end }

T[#T + 1] = { "script mode against an endpoint: the script gets its key as OPENAI_API_KEY", function()
  local d <close> = tmpdir("endpoint-test")
  local s <close> = external{ "--openai-only", "--api-key", KEY }
  local script = d.path .. "/s.py"
  assert(bench.fs.write_atomic(script, "import os\nprint('score:', 1 if os.environ.get('OPENAI_API_KEY') == '" .. KEY .. "' else 0)\n"))
  local r = benchlua({ "run", "--benchmark", "tests/fixtures/script_bench.lua", "--script", script, "--endpoint", s.url,
    "--results", d.path .. "/r.json", "--quiet" }, { BENCHLUA_API_KEY = KEY, OPENAI_API_KEY = "" })
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").results.score, 1, "the script saw the key")
end }

T[#T + 1] = { "--model-name is the model id sent; the model is recorded the same way when benchlua starts the server", function()
  local d <close> = tmpdir("endpoint-test")
  local s <close> = external{ "--openai-only", "--api-key", KEY, "--expect-model", "org/other-model" }
  local r = benchlua({ "human_eval", "--chat", "--limit", "2", "--endpoint", s.url, "--dataset", testing.data("HumanEval.jsonl.gz"),
    "--model-name", "org/other-model", "--results", d.path .. "/r.json", "--quiet" }, { BENCHLUA_API_KEY = KEY })
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").config.model_name, "org/other-model", "model_name")
  r = he_run(d.path, { "--chat", "--server-arg", "--expect-model", "--server-arg", "fake.gguf" })
  eq(r.code, 0, "spawned: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.model, "README.md", "model: the file name")
  assert(run.config.path:sub(1, 1) == "/" and run.config.path:find("/README.md$"), "config.path: the full path, " .. run.config.path)
end }

T[#T + 1] = { "an endpoint that refuses every connection fails after the refused window, not the ready timeout, naming it", function()
  local d <close> = tmpdir("endpoint-test")
  local url = "http://127.0.0.1:" .. assert(bench.net.free_port())
  local t0 = bench.now()
  local r = benchlua({ "throughput", "--endpoint", url, "--requests", "2", "--results", d.path .. "/r.json", "--quiet" },
    { BENCHLUA_ENDPOINT_REFUSED_S = "1" })
  local dt = bench.now() - t0
  eq(r.code, 1, "exit code: " .. r.stderr)
  eq(r.stderr, "benchlua: endpoint " .. url .. " refused every connection for 1s (nothing listens there: is the port right?)\n", "one line naming it")
  assert(dt < 10, string.format("took %.1fs (the ready timeout is 300s)", dt))
  -- in a pool, the member is named once
  local a <close> = external{}
  r = benchlua({ "throughput", "--endpoint", a.url, "--endpoint", url, "--requests", "2", "--results", d.path .. "/r.json", "--quiet" },
    { BENCHLUA_ENDPOINT_REFUSED_S = "1" })
  eq(r.code, 1, "pool: exit code: " .. r.stderr)
  eq(r.stderr, "benchlua: endpoint " .. url .. " refused every connection for 1s (nothing listens there: is the port right?)\n", "pool: one line naming it")
  -- a server that answers (not ready yet) is waited for: refusals are counted in a row
  local port = assert(bench.net.free_port())
  local late = assert(bench.proc.spawn{ argv = { "/bin/sh", "-c", "sleep 0.6; exec " .. FAKE .. " --port " .. port },
    stdout = "null", stderr = "null" })
  local _ <close> = setmetatable({}, { __close = function() late:kill("KILL") late:wait() end })
  r = benchlua({ "throughput", "--endpoint", "http://127.0.0.1:" .. port, "--requests", "2", "--results", d.path .. "/r.json", "--quiet" },
    { BENCHLUA_ENDPOINT_REFUSED_S = "5" }) -- (its Python may take seconds to start on a loaded machine)
  eq(r.code, 0, "a server that comes up within the window: " .. r.stderr)
end }

-- several endpoints (--endpoint given more than once) ---------------------------

local server = require("benchlua.server")
local runner = require("benchlua.runner")
local resume = require("benchlua.resume")
local runs = require("benchlua.runs")
local json = require("benchlua.json")

T[#T + 1] = { "a pool sends each request to the member with the most free slots, never past its slots, waiting when all are full", function()
  local pool = server.pool{ "http://127.0.0.1:1", "http://127.0.0.1:2/v1/" }
  eq(pool.members[2].url, "http://127.0.0.1:2", "the member's base URL")
  pool.members[1].info, pool.members[2].info = { slots = 2 }, { slots = 1 }
  local now, most, total, most_total, served = {}, {}, 0, 0, {}
  bench.map({ 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 9, function()
    local m = pool:acquire()
    now[m] = (now[m] or 0) + 1
    total = total + 1
    most[m] = math.max(most[m] or 0, now[m])
    most_total = math.max(most_total, total)
    served[m] = (served[m] or 0) + 1
    bench.sleep(0.02)
    now[m], total = now[m] - 1, total - 1
    pool:release(m)
  end)
  local a, b = pool.members[1], pool.members[2]
  eq(most[a], 2, "the first member's most in flight")
  eq(most[b], 1, "the second member's most in flight")
  eq(most_total, 3, "all in flight")
  eq(served[a] + served[b], 9, "every request served")
  eq(a.inflight + b.inflight, 0, "all given back")
end }

T[#T + 1] = { "normalize: --endpoint once is the URL, several are a list, the same server twice is refused", function()
  eq(runner.normalize({ endpoint = {} }).endpoints, nil, "none")
  local o = runner.normalize({ endpoint = { "http://a" } })
  eq(o.endpoint, "http://a", "one: the URL"); eq(#o.endpoints, 1, "one: the list")
  o = runner.normalize({ endpoint = "http://a" })
  eq(o.endpoint, "http://a", "a string (a caller's opts)")
  o = runner.normalize({ endpoint = { "http://a", "http://b" } })
  eq(getmetatable(o.endpoint), json.array_mt, "several: a list, recorded as one")
  eq(table.concat(o.endpoint, " "), "http://a http://b", "several")
  eq(runner.normalize(o), o, "twice is the same")
  eq(table.concat(o.endpoint, " "), "http://a http://b", "twice is the same")
  local ok, err = runner.normalize({ endpoint = { "http://a:1", "http://b", "http://a:1/v1/" } })
  eq(ok, nil, "the same server twice")
  eq(err, "--endpoint http://a:1/v1/ given twice", "the message")
end }

T[#T + 1] = { "several endpoints: results show their URLs as one setting; --resume finds the run by all of them", function()
  local d <close> = tmpdir("endpoint-test")
  local cfg = { endpoint = json.array{ "http://a", "http://b" },
    endpoints = json.array{ { url = "http://a", slots = 2 }, { url = "http://b", slots = 2 } },
    options = { endpoint = json.array{ "http://a", "http://b" }, requests = 4 } }
  local s = runs.settings{ config = cfg }
  eq(s.endpoint, "http://a http://b", "the endpoint setting")
  eq(s.endpoints, nil, "what the servers said is not a setting")
  local path = d.path .. "/r.json"
  assert(bench.fs.write_atomic(path, json.encode({ runs = json.array{ { benchmark = "throughput", status = "interrupted", config = cfg } } })))
  local spec = { name = "throughput", options = { { name = "requests", default = 164 } } }
  local opts = runner.normalize({ endpoint = { "http://a", "http://b" }, requests = 4 })
  local found, err = resume.find(path, spec, resume.identity(spec, opts, runner.host_options))
  assert(found, err)
  eq(found.run.num, 1, "the run found")
  opts = runner.normalize({ endpoint = { "http://a", "http://c" }, requests = 4 })
  found, err = resume.find(path, spec, resume.identity(spec, opts, runner.host_options))
  eq(found, nil, "other endpoints")
  assert(err:find("no interrupted or failed throughput run of [http://a http://c]", 1, true), err)
end }

T[#T + 1] = { "one server under two URLs (127.0.0.1 and localhost) is refused naming both; two servers alike are not", function()
  local d <close> = tmpdir("endpoint-test")
  local a <close> = external{}
  local b <close> = external{}
  local other = a.url:gsub("127%.0%.0%.1", "localhost")
  local r = benchlua({ "throughput", "--endpoint", a.url, "--endpoint", b.url, "--endpoint", other, "--requests", "2",
    "--results", d.path .. "/r.json", "--quiet" })
  eq(r.code, 1, "exit code: " .. r.stderr)
  eq(r.stderr, "benchlua: the endpoints " .. a.url .. " and " .. other .. " are the same server (their /props give the same media_marker, which each llama-server draws at random when it starts); give it once\n", "one line naming both")
  local counts = cjson.decode(bench.http.request{ url = a.url .. "/fake/counts" }.body)
  eq(counts.gen, 0, "no request sent")
  -- two servers of the same build, model and settings
  r = benchlua({ "throughput", "--endpoint", a.url, "--endpoint", b.url, "--requests", "4", "--results", d.path .. "/r.json", "--quiet" })
  eq(r.code, 0, "two servers alike: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").config.concurrency, 8, "their slots counted once each")
end }

T[#T + 1] = { "an endpoint that dies mid-run is dropped, its requests served by the others; with none left the run fails", function()
  local d <close> = tmpdir("endpoint-test")
  local a <close> = external{ "--delay", "0.05" }
  local b <close> = external{ "--delay", "0.05", "--exit-after-requests", "3" }
  local args = { "throughput", "--endpoint", a.url, "--endpoint", b.url, "--requests", "30", "--results", d.path .. "/r.json", "--quiet" }
  local r = benchlua(args)
  eq(r.code, 0, "exit code: " .. r.stderr)
  local _, said = r.stderr:gsub("benchlua: endpoint " .. b.url:gsub("%p", "%%%0") .. " stopped answering %([^\n]*%); dropped it, its requests go to the other 1\n", "")
  eq(said, 1, "said once: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "ok", "status")
  eq(run.results.metrics.completions, 30, "every request answered")
  eq(run.results.failed_requests, 0, "no failed request")
  eq(run.config.endpoints[1].dropped, nil, "the live one is not dropped")
  assert(type(run.config.endpoints[2].dropped) == "string", "the dead one is recorded dropped")
  -- every member dies: the run fails at once, naming them
  local c <close> = external{ "--delay", "0.05", "--exit-after-requests", "3" }
  local e <close> = external{ "--delay", "0.05", "--exit-after-requests", "3" }
  args[3], args[5] = c.url, e.url
  r = benchlua(args)
  eq(r.code, 1, "none left: exit code: " .. r.stderr)
  local _, drops = r.stderr:gsub("benchlua: endpoint [^\n]* stopped answering", "")
  eq(drops, 2, "each said once: " .. r.stderr)
  assert(r.stderr:find("no endpoint is left", 1, true), r.stderr)
  assert(not r.stderr:find("traceback"), r.stderr)
  run = last_run(d.path .. "/r.json")
  eq(run.status, "failed", "none left: status")
  assert(run.error:find("^no endpoint left, each stopped answering: " .. c.url:gsub("%p", "%%%0") .. " %("), run.error)
  assert(run.error:find("; " .. e.url, 1, true), run.error)
  assert(run.config.endpoints[1].dropped and run.config.endpoints[2].dropped, "both recorded dropped")
end }

T[#T + 1] = { "one --endpoint that dies mid-run ends the run at once, failed, naming it", function()
  local d <close> = tmpdir("endpoint-test")
  local a <close> = external{ "--delay", "0.05", "--exit-after-requests", "3" }
  local r = benchlua({ "throughput", "--endpoint", a.url, "--requests", "60", "--concurrency", "2", "--results", d.path .. "/r.json", "--quiet" })
  eq(r.code, 1, "exit code: " .. r.stderr)
  assert(r.stderr:find("^benchlua: run failed: the endpoint " .. a.url:gsub("%p", "%%%0") .. " stopped answering %("), r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "failed", "status")
  assert(run.results.requests < 10, "the requests after it died were not sent: " .. run.results.requests)
end }

T[#T + 1] = { "several endpoints without /props: the requests are spread, the concurrency guessed once for all", function()
  local d <close> = tmpdir("endpoint-test")
  local a <close> = external{ "--openai-only", "--api-key", KEY }
  local b <close> = external{ "--openai-only", "--api-key", KEY }
  local r = benchlua({ "human_eval", "--chat", "--limit", "6", "--endpoint", a.url, "--endpoint", b.url, "--dataset", testing.data("HumanEval.jsonl.gz"),
    "--results", d.path .. "/r.json", "--quiet" }, { BENCHLUA_API_KEY = KEY })
  eq(r.code, 0, "exit code: " .. r.stderr)
  local _, said = r.stderr:gsub("an endpoint does not say how many requests it serves at once %(no /props%); sending 16 at a time", "")
  eq(said, 1, "said once: " .. r.stderr)
  local run = last_run(d.path .. "/r.json")
  eq(run.config.concurrency, 16, "concurrency: 8 for each")
  eq(#run.config.endpoints, 2, "both recorded")
  eq(run.config.endpoints[2].url, b.url, "the second")
  eq(run.config.endpoints[2].slots, nil, "slots unknown")
end }

return T
