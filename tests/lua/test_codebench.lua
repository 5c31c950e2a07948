-- lua/benchlua/codebench.lua (the library under code benchmarks) and
-- lua/benchlua/overlap.lua, driven directly with a stand-in ctx: canned
-- completions and a judge in Lua, so every count below is known in advance.
-- human_eval on the library is tested end to end in test_human_eval.lua.
local code = require("benchlua.codebench")
local testing = require("benchlua.testing")
local overlap = require("benchlua.overlap")
local codeexec = require("benchlua.codeexec")
local T = {}

local eq = testing.eq

local function near(a, b, what)
  if type(a) ~= "number" or math.abs(a - b) > 1e-12 then error(string.format("%s: expected %s, got %s", what, b, tostring(a)), 2) end
end

-- Problems t1..t4; difficulty easy for t1, t2.
local function problems()
  local ps = {}
  for i = 1, 4 do ps[i] = { task_id = "t" .. i, prompt = "P" .. i .. ":", level = i <= 2 and "easy" or "hard" } end
  return ps
end

-- The answer the stand-in server gives for a prompt: PASS, BASEONLY or FAIL
local ANSWER = { ["P1:"] = "PASS\ndef extra", ["P2:"] = "BASEONLY", ["P3:"] = "FAIL", ["P4:"] = "PASS" }

local function recipe(log)
  return code.benchmark{
    name = "toy", description = "a toy code benchmark",
    dataset = function() return problems(), "memory", "digest-1" end,
    stops = { "\ndef" },
    verdicts = { "base", "plus" },
    groups = function(p) return { difficulty = p.level } end,
    executor = function() return { close = function() log.closed = (log.closed or 0) + 1 end } end,
    judge = function(jctx, p, solution)
      log.judged[#log.judged + 1] = { task_id = p.task_id, solution = solution, at = bench.now() }
      assert(jctx.executor and jctx.opts, "jctx")
      local base = solution ~= "FAIL"
      local plus = solution == "PASS"
      return { base = { passed = base }, plus = { passed = plus, fail_tests = plus and {} or { 3 } },
        outcome = plus and "passed" or "wrong", exec_time = 0.001 }
    end,
  }
end

local function opts(o)
  local d = { n = 1, top_p = 0.95, max_tokens = 16, exec_timeout = 1.0, chat = false, overlap = "on", workers = 2 }
  for k, v in pairs(o or {}) do d[k] = v end
  return d
end

local function fake_ctx(o, log, delay)
  local ctx = { opts = opts(o), name = "toy", seed = 7, concurrency = 2, sandbox = false, run_dir = "/nonexistent",
    stats = { tokens = 0 }, done_samples = o and o.done }
  ctx.opts.done = nil
  function ctx.completion(params)
    log.requests[#log.requests + 1] = params
    if delay then bench.sleep(delay) end
    log.gen_end = bench.now()
    ctx.stats.tokens = ctx.stats.tokens + 2
    return { text = ANSWER[params.prompt], finish = "stop", tokens = 2, time = 0.01 }
  end
  function ctx.chat(params)
    log.requests[#log.requests + 1] = params
    return { text = "```python\nPASS\n```", finish = "stop", tokens = 2, time = 0.01 }
  end
  function ctx.log_sample(t) log.samples[#log.samples + 1] = t end
  function ctx.check_fit() return true end
  function ctx.progress() end
  return ctx
end

local function new_log() return { requests = {}, samples = {}, judged = {} } end

local function quiet(fn) -- the report line goes to stdout
  local out = io.stdout
  local buf = {}
  io.stdout = { write = function(_, s) buf[#buf + 1] = s end } -- luacheck: ignore
  local ok, r = pcall(fn)
  io.stdout = out
  if not ok then error(r, 0) end
  return r, table.concat(buf)
end

T[#T + 1] = { "two verdict sets: pass@k for each, score from plus, the samples passing base but failing plus", function()
  local log = new_log()
  local bm = recipe(log)
  local res, out = quiet(function() return bm.run(fake_ctx({ n = 2, temperature = 0.5 }, log)) end)
  eq(#log.requests, 8, "requests"); eq(#log.samples, 8, "sample log"); eq(log.closed, 1, "executor closed")
  eq(log.judged[1].solution == "PASS" or log.judged[1].solution == "BASEONLY" or log.judged[1].solution == "FAIL", true, "cut at the stop")
  near(res.pass_at_k_by_set.base["pass@1"], 0.75, "base pass@1")
  near(res.pass_at_k_by_set.plus["pass@1"], 0.5, "plus pass@1")
  near(res.score, 0.5, "score is plus"); eq(res.pass_at_k["pass@10"], nil, "no pass@10 with n = 2")
  eq(table.concat(res.passed_base_failed_plus, ","), "t2#0,t2#1", "base-only samples")
  eq(res.outcomes.passed, 4, "passed"); eq(res.outcomes.wrong, 4, "wrong")
  near(res.by_difficulty.easy.pass_at_k["pass@1"], 0.5, "easy"); eq(res.by_difficulty.hard.problems, 2, "hard problems")
  eq(res.reproducibility.dataset_sha256, "digest-1", "digest"); eq(res.config.overlap.overlap, true, "overlap recorded")
  assert(out:find("base pass@1 0.7500  plus pass@1 0.5000  passed 4, wrong 4", 1, true), out)
  for _, s in ipairs(log.samples) do
    assert(s.seed and s.task_id and s.sample and s.outcome and s.passed ~= nil and s.base and s.plus, "record fields")
    eq(s.passed, s.plus.passed, "passed is the primary set")
  end
end }

T[#T + 1] = { "resume: done samples are not generated, judged or logged again, and count in the tally", function()
  local log = new_log()
  local done = {
    ["t1\0" .. 0] = { task_id = "t1", sample = 0, outcome = "passed", passed = true, base = { passed = true }, plus = { passed = true } },
    ["t3\0" .. 1] = { task_id = "t3", sample = 1, outcome = "passed", passed = true, base = { passed = true }, plus = { passed = true } },
  }
  local res = quiet(function() return recipe(log).run(fake_ctx({ n = 2, temperature = 0.5, done = done }, log)) end)
  eq(#log.requests, 6, "requests"); eq(#log.judged, 6, "judged"); eq(#log.samples, 6, "logged")
  for _, s in ipairs(log.samples) do
    assert(not (s.task_id == "t1" and s.sample == 0) and not (s.task_id == "t3" and s.sample == 1), "re-logged")
  end
  eq(res.resumed_samples, 2, "resumed"); eq(res.samples, 8, "samples")
  -- t3 sample 1 recorded as passed: t3 is 1/2 now, the rest as before
  near(res.pass_at_k_by_set.plus["pass@1"], (1 + 0 + 0.5 + 1) / 4, "plus pass@1")
  eq(res.outcomes.passed, 5, "passed")
end }

T[#T + 1] = { "--overlap off judges nothing before generation ends; on judges while generating", function()
  local log = new_log()
  quiet(function() return recipe(log).run(fake_ctx({ overlap = "off" }, log, 0.05)) end)
  for _, j in ipairs(log.judged) do assert(j.at >= log.gen_end, "judged during generation") end
  local log2 = new_log()
  local res = quiet(function() return recipe(log2).run(fake_ctx({ overlap = "on" }, log2, 0.05)) end)
  assert(log2.judged[1].at < log2.gen_end, "nothing judged during generation")
  eq(res.config.overlap.why, "--overlap on", "why")
end }

T[#T + 1] = { "every sample of a long run is judged once, overlapped or not", function()
  for _, mode in ipairs({ "off", "on" }) do
    local judged, log = {}, new_log()
    local many = {}
    for i = 1, 300 do many[i] = { task_id = "m" .. i, prompt = "P1:" } end
    local bm = code.benchmark{
      name = "many", description = "many", dataset = function() return many, "memory", "d" end,
      executor = function() return { close = function() end } end,
      judge = function(_, p)
        judged[p.task_id] = (judged[p.task_id] or 0) + 1
        if #p.task_id % 2 == 0 then bench.sleep(0.001) end
        return { passed = true }
      end,
    }
    local res = quiet(function() return bm.run(fake_ctx({ overlap = mode }, log, 0.002)) end) -- the queue drains between arrivals
    local n = 0
    for _, c in pairs(judged) do eq(c, 1, "judged once"); n = n + 1 end
    eq(n, 300, mode .. ": samples judged"); eq(#log.samples, 300, "logged"); near(res.score, 1, mode .. ": score")
  end
end }

T[#T + 1] = { "chat: a recipe's message list is sent as it is and logged", function()
  local log = new_log()
  local bm = code.benchmark{
    name = "toychat", description = "chat",
    dataset = function() return problems(), "memory", "d" end,
    chat = function(p) return { { role = "system", content = "S" }, { role = "user", content = "Q " .. p.prompt } } end,
    executor = function() return { close = function() end } end,
    judge = function(_, _, solution) return { passed = solution == "PASS\n", outcome = "wrong" } end,
  }
  local res = quiet(function() return bm.run(fake_ctx({ chat = true }, log)) end)
  eq(#log.requests[1].messages, 2, "messages"); eq(log.requests[1].messages[1].content, "S", "system")
  eq(log.samples[1].prompt, "Q " .. log.samples[1].task_id:gsub("t", "P") .. ":", "prompt logged")
  eq(#log.samples[1].messages, 2, "messages logged")
  near(res.score, 1, "score")
end }

T[#T + 1] = { "a recipe's samples format: read, judged in parallel, written", function()
  local log, wrote = new_log(), nil
  local bm = code.benchmark{
    name = "toyfile", description = "file", dataset = function() return problems(), "memory", "d" end,
    verdicts = { "base", "plus" }, executor = function() return { close = function() end } end,
    judge = function(_, _, solution)
      if solution == "PASS" then return { base = { passed = true }, plus = { passed = true } } end
      return { base = { passed = true }, plus = { passed = false }, outcome = "wrong" }
    end,
    samples = {
      read = function(path, ps)
        eq(path, "in.json", "path"); eq(#ps, 4, "problems")
        return { { task_id = "t1", index = 0, solution = "PASS" }, { task_id = "t2", index = 0, solution = "X" },
          { task_id = "t3", index = 0, solution = "PASS" }, { task_id = "t4", index = 0, solution = "PASS" } }
      end,
      write = function(path, scored) wrote = { path = path, n = #scored, v = scored[2].verdict } return "out.json" end,
    },
  }
  eq(bm.server({ samples = "x" }), false, "no server for --samples")
  local res = quiet(function() return bm.run(fake_ctx({ samples = "in.json" }, log)) end)
  eq(wrote.n, 4, "written"); eq(wrote.v.plus.passed, false, "verdict handed to write")
  near(res.score, 0.75, "score"); eq(#res.passed_base_failed_plus, 1, "split"); eq(res.samples, 4, "samples")
end }

T[#T + 1] = { "overlap auto: on for another host or a GPU, off for a local endpoint, on the cores the server's threads leave", function()
  local function decide(o, server, workers)
    o.overlap = o.overlap or "auto"
    return overlap.decide({ opts = o, server = server }, workers or 2)
  end
  local p = decide({}, { external = true, url = "http://10.1.2.3:8080" })
  eq(p.overlap, true, "remote"); eq(p.config.why, "the server is on another host", "why")
  eq(decide({}, { external = true, url = "http://127.0.0.1:8080" }).overlap, false, "local endpoint")
  eq(decide({}, { external = true, url = "http://localhost:8080" }).overlap, false, "localhost")
  eq(decide({ gpu_layers = 20 }, { log = "/nonexistent" }).config.why, "the server computes on a GPU", "-ngl")
  eq(decide({ server_arg = { "-ngl", "99" } }, { log = "/nonexistent" }).overlap, true, "-ngl as a server arg")
  eq(decide({ server_arg = { "-ngl", "0" } }, { log = "/nonexistent" }).overlap, false, "-ngl 0")
  eq(decide({ overlap = "off", gpu_layers = 20 }, {}).overlap, false, "off wins")
  local d = assert(bench.fs.mkdtemp("overlap-test"))
  local _ <close> = setmetatable({}, { __close = function() bench.fs.rmtree(d) end })
  assert(bench.fs.write_atomic(d .. "/gpu.log", "load_tensors: offloaded 25/25 layers to GPU\n"))
  eq(decide({}, { log = d .. "/gpu.log" }).overlap, true, "the log says GPU")
  local ncpu = codeexec.cpus()
  assert(bench.fs.write_atomic(d .. "/cpu.log", "init: llama threadpool init, n_threads = " .. ncpu .. "\n"))
  p = decide({}, { log = d .. "/cpu.log" })
  eq(p.overlap, false, "all cores"); assert(p.config.why:find("scoring after generation", 1, true), p.config.why)
  if ncpu >= 2 then
    assert(bench.fs.write_atomic(d .. "/one.log", "init: llama threadpool init, n_threads = 1\n"))
    p = decide({}, { log = d .. "/one.log" }, 8)
    eq(p.overlap, true, "free cores"); eq(p.workers, ncpu - 1, "workers on the free cores")
  else
    print("  (one CPU here: the free-cores case is not checked)")
  end
end }

-- The README's example recipe, run as it is printed there.
T[#T + 1] = { "the README's code benchmark example scores MBPP's reference code", function()
  local readme = assert(bench.fs.read("README.md"))
  local src = assert(readme:match("```lua\n(%-%- benchmarks/mini_mbpp%.lua.-)```"), "no example in the README")
  local d = assert(bench.fs.mkdtemp("mini-mbpp"))
  local _ <close> = setmetatable({}, { __close = function() bench.fs.rmtree(d) end })
  assert(bench.fs.write_atomic(d .. "/mini_mbpp.lua", src))
  local rows, samples, n = {}, {}, 0
  for line in assert(bench.fs.read(testing.data("mbpp.jsonl"))):gmatch("[^\n]+") do
    local r = require("cjson").decode(line)
    n = n + 1
    rows[n] = line
    local completion = n == 5 and "def nothing(): pass\n" or r.code:gsub("\r", "")
    samples[n] = require("cjson").encode({ task_id = string.format("%d", r.task_id), completion = completion })
    if n == 6 then break end
  end
  assert(bench.fs.write_atomic(d .. "/data.jsonl", table.concat(rows, "\n") .. "\n"))
  assert(bench.fs.write_atomic(d .. "/s.jsonl", table.concat(samples, "\n") .. "\n"))
  local r = assert(bench.run_script{ argv = { bench.exe, d .. "/mini_mbpp.lua", "--samples", d .. "/s.jsonl", "--dataset",
    d .. "/data.jsonl", "--results", d .. "/r.json", "--quiet" }, timeout = 120 })
  eq(r.code, 0, "exit code: " .. r.stderr)
  assert(r.stdout:find("mini_mbpp: pass@1 0.8333  passed 5, wrong 0, timed out 0, error 1", 1, true), r.stdout)
  local run = assert(bench.json.decode(assert(bench.fs.read(d .. "/r.json")))).runs[1]
  local log = assert(bench.fs.read((run.run_dir:sub(1, 1) == "/" and "" or d .. "/") .. run.run_dir .. "/samples.jsonl"))
  assert(log:find('"task_id": ?"1"'), "task ids as the data has them (1, not 1.0): " .. log:sub(1, 200))
  r = assert(bench.run_script{ argv = { bench.exe, d .. "/mini_mbpp.lua", "--samples", d .. "/s.jsonl",
    "--results", d .. "/r.json", "--quiet" }, timeout = 60 })
  eq(r.code, 2, "no --dataset (a usage error, before anything starts)"); assert(r.stderr:find("--dataset PATH is required", 1, true), r.stderr)
end }

return T
