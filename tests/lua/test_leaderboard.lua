-- benchlua leaderboard: rows are (model, server setting), columns benchmarks;
-- the latest ok run of a cell (or every ok run pooled with --all), the best
-- of each column marked, the others with their difference and compare's
-- p-value; failed, interrupted and superseded runs never make a cell; the
-- terminal table fits a width without cutting a number.
local cjson = require("cjson")
local testing = require("benchlua.testing")
local json = require("benchlua.json")
local runs_mod = require("benchlua.runs")
local lb = require("benchlua.leaderboard")
local compare = require("benchlua.compare")
local eq = testing.eq
local T = {}

local function close(a, b, what)
  if type(a) ~= "number" or math.abs(a - b) > 1e-9 then error(string.format("%s: expected %s, got %s", what, b, tostring(a)), 2) end
end

-- a run of `bench` on `model` (np = parallel) whose sample log passes the
-- problems for which pass(i) is true (10 problems, one sample each)
local function add_run(dir, runs, model, np, benchmark, pass, status, extra)
  local n = #runs + 1
  local rd = dir .. "/r" .. n
  assert(bench.fs.mkdir_p(rd))
  local lines, k = {}, 0
  for i = 0, 9 do
    local ok = pass(i)
    if ok then k = k + 1 end
    lines[#lines + 1] = cjson.encode({ task_id = "P/" .. i, sample = 0, passed = ok })
  end
  assert(bench.fs.write_atomic(rd .. "/samples.jsonl", table.concat(lines, "\n") .. "\n"))
  local run = { benchmark = benchmark, model = model:match("[^/]+$"), status = status or "ok", run_dir = rd,
    timestamp = string.format("2026-12-06T00:%02d:00Z", n),
    config = { path = model, parallel = np, gpu_layers = 99, server_args = json.array(),
      options = { limit = 10 }, sampling = { temperature = 0 } },
    reproducibility = { server_build = "b1", dataset_sha256 = "d-" .. benchmark, seed = 1234 },
    results = { score = k / 10, problems = 10, samples = 10, outcomes = { passed = k }, tokens_per_s = 100 * np } }
  for key, v in pairs(extra or {}) do run[key] = v end
  runs[n] = run
  return run
end

local function write(dir, runs)
  local path = dir .. "/results.json"
  assert(bench.fs.write_atomic(path, json.encode({ runs = runs }, "  ")))
  return path
end

local function board_of(path, o)
  o = o or {}
  o.results = path
  return lb.build(assert(runs_mod.load(path, lb.FIELDS)), o) -- (what the command reads)
end

local function row(board, name, np)
  for _, r in ipairs(board.rows) do
    if r.name == name and r.setting.np == np then return r end
  end
  error("no row " .. name .. " np=" .. tostring(np), 2)
end

local function first_n(k) return function(i) return i < k end end

T[#T + 1] = { "rows are models x server settings, cells the latest ok run, the best marked", function()
  local t <close> = testing.tmpdir("lb-test")
  local runs = {}
  add_run(t.path, runs, "/m/a-Q4_K_M.gguf", 1, "human_eval", first_n(3))
  add_run(t.path, runs, "/m/a-Q4_K_M.gguf", 1, "human_eval", first_n(5)) -- latest: 0.5
  add_run(t.path, runs, "/m/a-Q4_K_M.gguf", 1, "gsm8k", first_n(9))
  add_run(t.path, runs, "/m/a-Q4_K_M.gguf", 4, "human_eval", first_n(7))
  add_run(t.path, runs, "/m/b-Q8_0.gguf", 1, "human_eval", first_n(10), "failed")
  add_run(t.path, runs, "/m/b-Q8_0.gguf", 1, "human_eval", first_n(2))
  add_run(t.path, runs, "/m/b-Q8_0.gguf", 1, "gsm8k", first_n(10), "interrupted")
  local board = board_of(write(t.path, runs))
  eq(#board.rows, 3, "rows")
  eq(table.concat(board.benchmarks, ","), "human_eval,gsm8k", "benchmarks")
  eq(table.concat(board.differing, ","), "np", "differing settings")
  local a1, a4, b1 = row(board, "a-Q4_K_M.gguf", 1), row(board, "a-Q4_K_M.gguf", 4), row(board, "b-Q8_0.gguf", 1)
  close(a1.cells.human_eval.score, 0.5, "a np=1 human_eval (latest run)")
  eq(#a1.cells.human_eval.runs, 1, "runs behind the cell")
  close(b1.cells.human_eval.score, 0.2, "b: the failed run is not its cell")
  eq(b1.cells.gsm8k, nil, "b: an interrupted run makes no cell")
  assert(a4.cells.human_eval.best and not a1.cells.human_eval.best and not b1.cells.human_eval.best, "best of human_eval")
  close(a1.cells.human_eval.delta_to_best, -0.2, "delta to best")
  -- the p-value is compare's (exact McNemar over the 10 shared problems)
  local want = compare.compare(runs[4], runs[2], t.path .. "/results.json").p_value
  close(a1.cells.human_eval.p_value, want, "p-value")
  close(a1.cells.human_eval.p_value, 0.5, "McNemar: 2 discordant pairs, both one way") -- 2 * (1/2)^2
  assert(a1.cells.gsm8k.best, "the only gsm8k cell is the best")
  close(a4.tokens_per_second, 400, "tokens/s")
end }

T[#T + 1] = { "--all pools every ok run of a cell over the problems", function()
  local t <close> = testing.tmpdir("lb-test")
  local runs = {}
  add_run(t.path, runs, "/m/a.gguf", 1, "human_eval", first_n(4))
  add_run(t.path, runs, "/m/a.gguf", 1, "human_eval", first_n(6))
  add_run(t.path, runs, "/m/a.gguf", 2, "human_eval", first_n(8))
  local path = write(t.path, runs)
  local latest = board_of(path)
  close(row(latest, "a.gguf", 1).cells.human_eval.score, 0.6, "latest")
  local pooled = board_of(path, { all = true })
  local c = row(pooled, "a.gguf", 1).cells.human_eval
  eq(#c.runs, 2, "runs pooled")
  close(c.score, 0.5, "pooled score") -- (4 + 6) / 20
  assert(c.ci95 and c.ci95[1] < 0.5 and c.ci95[2] > 0.5, "pooled interval")
  assert(c.p_value and c.p_value > 0 and c.p_value < 1, "pooled p-value: " .. tostring(c.p_value))
end }

T[#T + 1] = { "json has the documented keys", function()
  local t <close> = testing.tmpdir("lb-test")
  local runs = {}
  add_run(t.path, runs, "/m/a.gguf", 1, "human_eval", first_n(4))
  add_run(t.path, runs, "/m/a.gguf", 2, "human_eval", first_n(6))
  local v = cjson.decode(lb.render(board_of(write(t.path, runs)), "json"))
  eq(v.benchmarks[1], "human_eval", "benchmarks")
  eq(#v.rows, 2, "rows")
  for _, r in ipairs(v.rows) do
    assert(r.model and r.setting and r.cells and r.tokens_per_second, "row keys")
    local c = r.cells.human_eval
    for _, k in ipairs({ "score", "ci95", "runs", "delta_to_best", "p_value" }) do assert(c[k] ~= nil, "cell key " .. k) end
    eq(type(c.ci95), "table", "ci95 is [lo, hi]")
  end
end }

T[#T + 1] = { "the table fits the width: names shortened, then blocks; numbers never cut", function()
  local t <close> = testing.tmpdir("lb-test")
  local runs = {}
  local long = "/m/" .. string.rep("very-long-model-name-", 4) .. "Q4_K_M.gguf"
  for _, b in ipairs({ "human_eval", "humaneval_plus", "mbpp", "gsm8k", "ifeval" }) do
    add_run(t.path, runs, long, 1, b, first_n(3))
    add_run(t.path, runs, "/m/short.gguf", 2, b, first_n(7))
  end
  local board = board_of(write(t.path, runs))
  local wide = lb.render(board, "table")
  for _, w in ipairs({ 60, 80, 120 }) do
    local text = lb.render(board, "table", w)
    for line in text:gmatch("[^\n]+") do
      assert(utf8.len(line) <= w, string.format("width %d: line of %d: %s", w, utf8.len(line), line))
    end
    -- every score, interval and delta of the unlimited table is still there
    for num in wide:gmatch("%-?%d+%.%d+") do
      assert(text:find(num, 1, true), string.format("width %d lost %s", w, num))
    end
    for _, b in ipairs(board.benchmarks) do assert(text:find(b, 1, true), "benchmark " .. b .. " shown") end
  end
end }

T[#T + 1] = { "benchlua leaderboard: the command, its formats and one-line errors", function()
  local t <close> = testing.tmpdir("lb-test")
  local runs = {}
  add_run(t.path, runs, "/m/a.gguf", 1, "human_eval", first_n(4))
  add_run(t.path, runs, "/m/a.gguf", 2, "human_eval", first_n(6))
  local path = write(t.path, runs)
  local r = testing.benchlua({ "leaderboard", path, "--format", "md" })
  eq(r.code, 0, "exit code")
  assert(r.stdout:find("| model | setting | human_eval | tok/s |", 1, true), r.stdout)
  assert(r.stdout:find("**0.600**", 1, true), "best marked in md: " .. r.stdout)
  r = testing.benchlua({ "leaderboard", t.path .. "/nope.json" })
  eq(r.code, 1, "missing file exit code")
  eq(select(2, r.stderr:gsub("\n", "")), 1, "one line: " .. r.stderr)
  r = testing.benchlua({ "leaderboard", path, "--format", "xml" })
  eq(r.code, 2, "bad format exit code")
end }

-- a `speed` run: tg tokens/s at concurrency 1 (and 4), requests each
local function add_speed(runs, model, np, tg, sd, requests)
  local n = #runs + 1
  runs[n] = { benchmark = "speed", model = model:match("[^/]+$"), status = "ok", timestamp = "2026-12-06T01:00:00Z",
    config = { path = model, parallel = np, gpu_layers = 99, server_args = json.array() },
    reproducibility = { server_build = "b1", seed = 1234 },
    results = { score = tg, tokens_per_s = tg, speed = {
      { concurrency = 1, requests = requests, tg_tokens_per_second = { mean = tg, sd = sd }, pp_tokens_per_second = { mean = 900, sd = 5 } },
      { concurrency = 4, requests = requests * 4, tg_tokens_per_second = { mean = tg * 3, sd = sd }, pp_tokens_per_second = { mean = 950, sd = 5 } } } } }
  return runs[n]
end

T[#T + 1] = { "the speed column is speed's tg t/s at concurrency 1; compare says when speeds are within noise", function()
  local t <close> = testing.tmpdir("lb-test")
  local runs = {}
  add_run(t.path, runs, "/m/a.gguf", 1, "human_eval", first_n(4))
  add_speed(runs, "/m/a.gguf", 1, 45.0, 0.5, 5)
  add_run(t.path, runs, "/m/b.gguf", 1, "human_eval", first_n(6))
  add_speed(runs, "/m/b.gguf", 1, 45.3, 0.5, 5)
  add_speed(runs, "/m/b.gguf", 1, 52.0, 0.5, 5) -- (the latest speed run of b counts)
  local path = write(t.path, runs)
  local board = board_of(path)
  eq(table.concat(board.benchmarks, ","), "human_eval", "speed is not a score column")
  close(row(board, "a.gguf", 1).tokens_per_second, 45.0, "a's speed")
  close(row(board, "b.gguf", 1).tokens_per_second, 52.0, "b's speed")
  local all = assert(runs_mod.load(path))
  local close_pair = compare.compare(all[2], all[4], path)
  assert(close_pair.speed and close_pair.speed.within_noise == true, "45.0 and 45.3 (sd 0.5, 5 requests) are within noise")
  local far = compare.compare(all[2], all[5], path)
  assert(far.speed and far.speed.within_noise == false, "45.0 and 52.0 are not")
  close(far.speed.ratio, 52 / 45, "speed ratio")
  assert(compare.text(far):find("a difference beyond noise", 1, true), compare.text(far))
end }

return T
