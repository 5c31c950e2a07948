-- The sweep's final summary: the leaderboard of the sweep's runs (a row per
-- model and setting, a column per benchmark entry), then a line per run that
-- is not ok or did not run, then the count; true only when every run is ok.
-- From a results file written here (no server).
local testing = require("benchlua.testing")
local json = require("benchlua.json")
local sweep = require("benchlua.sweep")
local eq = testing.eq
local T = {}

-- the sweep of t (validated in dir), with a run recorded for every (cell,
-- benchmark) but those skip leaves out; fail: {"cell:index" = error text}
local function recorded_sweep(dir, t, skip, fail)
  t.results = "r.json"
  local sw = assert(sweep.validate(t, "t.lua", dir))
  local runs, n = json.array(), 0
  for _, cell in ipairs(sw.cells) do
    for bi, b in ipairs(sw.benchmarks) do
      local key = cell.n .. ":" .. bi
      if not (skip or {})[key] then
        n = n + 1
        local err = (fail or {})[key]
        runs[#runs + 1] = { benchmark = b.name, model = cell.model:match("[^/]+$"), status = err and "failed" or "ok",
          error = err, timestamp = string.format("2026-12-06T00:%02d:00Z", n),
          config = { path = cell.model, parallel = 1, gpu_layers = cell.setting.gpu_layers,
            server_args = json.array(cell.setting.server_arg or {}) },
          reproducibility = { seed = cell.setting.seed or 1234 },
          results = err and {} or { score = (cell.n * 10 + bi) / 100, tokens_per_s = 10 * cell.n },
          sweep = sweep.identity(sw, cell, b, bi) }
      end
    end
  end
  assert(bench.fs.write_atomic(sw.results, json.encode({ runs = runs })))
  return sw
end

-- what summary prints -> lines, its result
local function summary_of(sw, flags)
  local path = sw.results .. ".out"
  local f = assert(io.open(path, "w"))
  local saved = io.stdout
  io.stdout = f
  local ok, r = pcall(sweep.summary, sw, flags or {})
  io.stdout = saved
  f:close()
  assert(ok, r)
  local lines = {}
  for l in io.lines(path) do lines[#lines + 1] = l end
  return lines, r
end

local function find(lines, pat)
  local n = 0
  for _, l in ipairs(lines) do if l:find(pat) then n = n + 1 end end
  return n
end

T[#T + 1] = { "every run ok: the leaderboard (settings that differ as a column), the count, true", function()
  local t <close> = testing.tmpdir("sweep-sum")
  local sw = recorded_sweep(t.path, { models = { "a.gguf", "b.gguf" }, settings = { { gpu_layers = 40 }, { gpu_layers = 99 } },
    benchmarks = { "throughput", "human_eval" } })
  local lines, ok = summary_of(sw)
  local all = table.concat(lines, "\n")
  eq(ok, true, "all ok")
  eq(find(lines, "^model +setting +throughput +human_eval +tok/s$"), 1, "header: " .. all)
  eq(find(lines, "^[ab]%.gguf +ngl=[49][09] +0%.%d+ 1x"), 4, "four rows: " .. all)
  eq(find(lines, "^not "), 0, "no run listed as not ok")
  eq(lines[#lines], "8 of 8 runs ok", "the count")
end }

T[#T + 1] = { "runs not ok and not run: a line each after the table; the same benchmark twice is two columns; false", function()
  local t <close> = testing.tmpdir("sweep-sum")
  local sw = recorded_sweep(t.path, { models = { "a.gguf", "b.gguf" }, settings = { { gpu_layers = 40 } },
    benchmarks = { { "throughput", requests = 4 }, { "throughput", requests = 8 }, "human_eval" } },
    { ["2:2"] = true }, { ["2:3"] = "the server did not start: exited with status 1\nits log: ..." })
  local lines, ok = summary_of(sw)
  local all = table.concat(lines, "\n")
  eq(ok, false, "not all ok")
  eq(find(lines, "^model +throughput requests=4 +throughput requests=8 +human_eval +tok/s$"), 1, "header: " .. all)
  eq(find(lines, "^a%.gguf "), 1, "a's row: " .. all)
  eq(find(lines, "^b%.gguf +0%.210 1x +best +%- +%- +20%.0$"), 1, "b's row, with only its ok run: " .. all)
  eq(find(lines, "^not run: cell 2 %(b%.gguf gpu_layers=40%) throughput requests=8$"), 1, "not run: " .. all)
  eq(find(lines, "^not ok: cell 2 %(b%.gguf gpu_layers=40%) human_eval: failed %(the server did not start: exited with status 1%)$"), 1,
    "not ok, the first line of the error: " .. all)
  eq(lines[#lines], "4 of 6 runs ok", "the count")
end }

T[#T + 1] = { "cells told apart by a setting the leaderboard does not show (a seed): a row each, named with it", function()
  local t <close> = testing.tmpdir("sweep-sum")
  local sw = recorded_sweep(t.path, { models = { "a.gguf" }, settings = { { seed = 1 }, { seed = 2 } },
    benchmarks = { "throughput" } })
  local lines, ok = summary_of(sw)
  local all = table.concat(lines, "\n")
  eq(ok, true, "all ok")
  eq(find(lines, "^a%.gguf seed=1 +0%.110 1x"), 1, "seed 1's row: " .. all)
  eq(find(lines, "^a%.gguf seed=2 +0%.210 1x"), 1, "seed 2's row: " .. all)
  eq(lines[#lines], "2 of 2 runs ok", "the count")
end }

T[#T + 1] = { "--cell N: only that cell's runs", function()
  local t <close> = testing.tmpdir("sweep-sum")
  local sw = recorded_sweep(t.path, { models = { "a.gguf", "b.gguf" }, benchmarks = { "throughput" } }, { ["1:1"] = true })
  local lines, ok = summary_of(sw, { cell = 2 })
  eq(ok, true, "cell 2 is ok")
  eq(find(lines, "^b%.gguf "), 1, "b's row")
  eq(find(lines, "^a%.gguf "), 0, "no row of cell 1")
  eq(lines[#lines], "1 of 1 run ok", "the count")
end }

return T
