-- compare.lua: `benchlua compare [A B]`: run B against run A.
-- The score difference with its 95% interval (the paired t interval of the
-- per-problem differences in pass rate, over the problems both runs have), a
-- paired significance test (exact McNemar when both runs have one sample per
-- problem, else a paired t-test over problems), the tokens/s ratio, the
-- problems that flipped each way (read from the runs' sample logs), the
-- settings that differ, and whether the runs can be compared at all
-- (same benchmark, dataset digest and sampling).
local runs_mod = require("benchlua.runs")
local samplelog = require("benchlua.samplelog")
local stats = require("benchlua.stats")
local json = require("benchlua.json")
local readback = require("benchlua.readback")
local M = {}

local val = runs_mod.val

--- pick(all, pos) -> run A, run B | nil, err: the runs numbered in pos (A B),
-- or with none, the last two ok runs of the last ok run's benchmark
function M.pick(all, pos)
  if #pos == 1 or #pos > 2 then return nil, "compare: give two run numbers (A B), or none for the last two runs of a benchmark" end
  if #pos == 2 then
    local out = {}
    for i = 1, 2 do
      local n = math.tointeger(tonumber(pos[i]))
      if not n then return nil, string.format("compare: '%s' is not a run number", pos[i]) end
      if n < 0 then n = #all + 1 + n end
      if n < 1 or n > #all then return nil, string.format("compare: no run %s (the file has %d)", pos[i], #all) end
      out[i] = all[n]
    end
    return out[1], out[2]
  end
  local b
  for i = #all, 1, -1 do
    if runs_mod.status(all[i]) == "ok" then b = all[i] break end
  end
  if b then
    for i = b.num - 1, 1, -1 do
      local a = all[i]
      if a.benchmark == b.benchmark and runs_mod.status(a) == "ok" then return a, b end
    end
  end
  return nil, "compare: the file has no two successful runs of one benchmark; give two run numbers"
end

local function canon(v)
  v = val(v)
  if v == nil then return "null" end
  if type(v) == "table" then
    local ok, s = pcall(json.encode, v)
    return ok and s or "?"
  end
  if type(v) == "number" and v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
  return tostring(v)
end

-- why the two runs cannot be compared (a list of reasons; empty when they can)
local function not_comparable(a, b)
  local why = {}
  if a.benchmark ~= b.benchmark then
    why[#why + 1] = string.format("different benchmarks (%s, %s)", tostring(a.benchmark), tostring(b.benchmark))
  end
  local ra = type(a.reproducibility) == "table" and a.reproducibility or {}
  local rb = type(b.reproducibility) == "table" and b.reproducibility or {}
  local da, db = val(ra.dataset_sha256), val(rb.dataset_sha256)
  if da and db and da ~= db then
    why[#why + 1] = string.format("different dataset digests (%s, %s)", tostring(da):sub(1, 12), tostring(db):sub(1, 12))
  end
  local sa = type(a.config) == "table" and type(a.config.sampling) == "table" and a.config.sampling or {}
  local sb = type(b.config) == "table" and type(b.config.sampling) == "table" and b.config.sampling or {}
  local keys, seen = {}, {}
  for _, t in ipairs({ sa, sb }) do
    for k in pairs(t) do if not seen[k] and k ~= "seed" then seen[k] = true; keys[#keys + 1] = k end end
  end
  table.sort(keys)
  local diff = {}
  for _, k in ipairs(keys) do
    local x, y = canon(sa[k]), canon(sb[k])
    if x ~= y then
      if #x > 24 or #y > 24 then diff[#diff + 1] = k .. " differs"
      else diff[#diff + 1] = string.format("%s %s, %s", k, x, y) end
    end
  end
  if #diff > 0 then why[#why + 1] = "different sampling (" .. table.concat(diff, "; ") .. ")" end
  for _, r in ipairs({ a, b }) do
    local st = runs_mod.status(r)
    if st ~= "ok" then why[#why + 1] = string.format("run %d is %s", r.num, st) end
  end
  return why
end

local function differences(va, vb, a, b)
  local out, names = {}, {}
  local function add(k, x, y)
    if canon(x) ~= canon(y) then out[k] = json.array({ x == nil and json.null or x, y == nil and json.null or y }); names[#names + 1] = k end
  end
  add("model", va.model, vb.model)
  add("benchmark", va.benchmark, vb.benchmark)
  local seen = {}
  for _, s in ipairs({ va.settings, vb.settings }) do
    for k in pairs(s) do
      if not seen[k] then seen[k] = true; add(k, va.settings[k], vb.settings[k]) end
    end
  end
  table.sort(names)
  return out, names
end

-- per-problem comparison of one verdict channel (nil: the main `passed`)
local function paired(pa, pb, channel)
  local ca = channel and pa.channels[channel] or pa.c
  local cb = channel and pb.channels[channel] or pb.c
  local ds, a_only, b_only, single = {}, {}, {}, true
  local in_b = {}
  for _, id in ipairs(pb.ids) do in_b[id] = true end
  local common, only_a = 0, 0
  for _, id in ipairs(pa.ids) do
    if in_b[id] then
      common = common + 1
      local na, nb = pa.n[id], pb.n[id]
      if na ~= 1 or nb ~= 1 then single = false end
      local xa, xb = (ca[id] or 0), (cb[id] or 0)
      ds[#ds + 1] = xb / nb - xa / na
      if xa > 0 and xb == 0 then a_only[#a_only + 1] = id
      elseif xb > 0 and xa == 0 then b_only[#b_only + 1] = id end
    else
      only_a = only_a + 1
    end
  end
  table.sort(a_only)
  table.sort(b_only)
  local r = { problems = common, only_in_a = only_a, only_in_b = #pb.ids - common,
    passed_in_a_only = json.array(a_only), passed_in_b_only = json.array(b_only) }
  if common == 0 then return r end
  local _, _, p, mean, lo, hi = stats.paired_t(ds)
  r.delta, r.ci95 = mean, json.array({ lo, hi }) -- (none for one problem)
  if single then
    r.test, r.p_value = "exact McNemar", stats.mcnemar_exact(#a_only, #b_only)
  elseif p then
    r.test, r.p_value = "paired t-test over problems", p
  else
    r.test = "none (one problem in both runs; a paired t-test needs two)"
  end
  local sa, sb = 0, 0
  for _, id in ipairs(pa.ids) do if in_b[id] then sa = sa + (ca[id] or 0) / pa.n[id]; sb = sb + (cb[id] or 0) / pb.n[id] end end
  r.score_a, r.score_b = sa / common, sb / common
  return r
end
M.paired = paired

local function samples_of(run, results_path)
  local dir = results_path and runs_mod.run_dir(run, results_path) or val(run.run_dir)
  if type(dir) ~= "string" then return nil end
  local per = samplelog.read(dir .. "/samples.jsonl")
  if not per or #per.ids == 0 then return nil end
  return per
end

-- tg tokens/s at concurrency 1 of a `speed` run, with its 95% interval
-- (t interval of the mean over the requests) | nil
local function speed_of(run)
  local res = type(run.results) == "table" and run.results or {}
  for _, s in ipairs(type(res.speed) == "table" and res.speed or {}) do
    local tg = type(s) == "table" and s.concurrency == 1 and s.tg_tokens_per_second
    if type(tg) == "table" and type(tg.mean) == "number" and type(tg.sd) == "number" then
      local n = math.tointeger(s.requests) or 1
      local half = n > 1 and stats.t_quantile(0.975, n - 1) * tg.sd / math.sqrt(n) or 0
      return { mean = tg.mean, sd = tg.sd, requests = n, ci95 = json.array({ tg.mean - half, tg.mean + half }) }
    end
  end
end

--- compare(a, b [, results_path]) -> the result object (the --format json
-- output); the runs' directories are found as runs.run_dir finds them
function M.compare(a, b, results_path)
  local va, vb = runs_mod.view(a), runs_mod.view(b)
  local res = { a = a.num, b = b.num, benchmark_a = va.benchmark, benchmark_b = vb.benchmark,
    model_a = va.model, model_b = vb.model, score_a = va.score, score_b = vb.score }
  local why = not_comparable(a, b)
  res.comparable = #why == 0
  res.not_comparable = json.array(why)
  res.differences, res.difference_names = differences(va, vb, a, b)
  if va.tokens_per_s and vb.tokens_per_s and va.tokens_per_s > 0 then
    res.tokens_per_s_a, res.tokens_per_s_b = va.tokens_per_s, vb.tokens_per_s
    res.tokens_per_s_ratio = vb.tokens_per_s / va.tokens_per_s
  end
  local sa, sb = speed_of(a), speed_of(b)
  if sa and sb then
    res.speed = { tg_a = sa, tg_b = sb, ratio = sa.mean > 0 and sb.mean / sa.mean or nil,
      within_noise = sa.ci95[1] <= sb.ci95[2] and sb.ci95[1] <= sa.ci95[2] }
  end
  local pa, pb = samples_of(a, results_path), samples_of(b, results_path)
  if pa and pb then
    local p = paired(pa, pb)
    res.delta, res.ci95, res.test, res.p_value = p.delta, p.ci95, p.test, p.p_value
    res.problems, res.only_in_a, res.only_in_b = p.problems, p.only_in_a, p.only_in_b
    res.flips = { passed_in_a_only = p.passed_in_a_only, passed_in_b_only = p.passed_in_b_only }
    res.score_a = res.score_a or p.score_a
    res.score_b = res.score_b or p.score_b
    -- verdicts beside the main one (evalplus: base and plus tests), side by side
    local chans = {}
    for ch in pairs(pa.channels) do if pb.channels[ch] then chans[#chans + 1] = ch end end
    table.sort(chans)
    if #chans > 0 then
      res.channels = {}
      for _, ch in ipairs(chans) do
        local q = paired(pa, pb, ch)
        res.channels[ch] = { score_a = q.score_a, score_b = q.score_b, delta = q.delta, ci95 = q.ci95,
          test = q.test, p_value = q.p_value,
          flips = { passed_in_a_only = q.passed_in_a_only, passed_in_b_only = q.passed_in_b_only } }
      end
    end
  else
    -- no per-problem data (script mode, an older benchlua, a deleted run
    -- directory): the difference of the scores, intervals taken as independent
    res.test = "none (no per-problem data in the runs' sample logs)"
    res.flips = { passed_in_a_only = json.array(), passed_in_b_only = json.array() }
    if va.score and vb.score then
      res.delta = vb.score - va.score
      if va.ci95 and vb.ci95 then
        local sa = (va.ci95[2] - va.ci95[1]) / (2 * stats.Z975)
        local sb = (vb.ci95[2] - vb.ci95[1]) / (2 * stats.Z975)
        local half = stats.Z975 * math.sqrt(sa * sa + sb * sb)
        res.ci95 = json.array({ res.delta - half, res.delta + half })
      end
    end
  end
  -- in words: which run is better, when the paired test says so (5%)
  if type(res.p_value) == "number" and type(res.delta) == "number" then
    res.significant = res.p_value < 0.05 and res.delta ~= 0
    res.better = res.significant and (res.delta > 0 and b.num or a.num) or json.null
  end
  res.ci95 = res.ci95 or json.array()
  res.score_a_ci95 = va.ci95 and json.array(va.ci95) or nil
  res.score_b_ci95 = vb.ci95 and json.array(vb.ci95) or nil
  return res
end

local function signed(x, fmt)
  if type(x) ~= "number" then return "-" end
  return (x >= 0 and "+" or "") .. string.format(fmt or "%.3f", x)
end

local function pval(p)
  if type(p) ~= "number" then return "-" end
  if p < 1e-4 then return string.format("%.2e", p) end
  return string.format("%.4f", p)
end

local function list_ids(ids, max)
  if #ids == 0 then return "none" end
  local shown = table.concat(ids, ", ", 1, math.min(#ids, max))
  return shown .. (#ids > max and string.format(", ... (%d more)", #ids - max) or "")
end

function M.text(r)
  local fs, ci = readback.fmt_score, readback.fmt_ci
  local out = {}
  local function say(fmt, ...) out[#out + 1] = readback.visible(string.format(fmt, ...)) end
  say("compare: run %d (%s, %s) -> run %d (%s, %s)", r.a, r.benchmark_a, r.model_a, r.b, r.benchmark_b, r.model_b)
  if not r.comparable then say("  NOT COMPARABLE: %s", table.concat(r.not_comparable, "; ")) end
  say("  score     %s [%s] -> %s [%s]", fs(r.score_a), ci(r.score_a_ci95), fs(r.score_b), ci(r.score_b_ci95))
  if r.delta then
    say("  delta     %s, 95%% CI [%s, %s]%s", signed(r.delta), signed(r.ci95[1]), signed(r.ci95[2]),
      r.problems and string.format(" (paired, %d problem%s)", r.problems, r.problems == 1 and "" or "s") or "")
  end
  say("  test      %s%s", r.test, r.p_value and (": p = " .. pval(r.p_value)) or "")
  if r.significant == true then
    local other = r.better == r.b and r.a or r.b
    say("  verdict   run %d is better than run %d (%s, significant at the 5%% level)", r.better, other, signed(r.delta))
  elseif r.significant == false then
    say("  verdict   no significant difference at the 5%% level (p = %s)", pval(r.p_value))
  end
  if r.channels then
    local names = {}
    for ch in pairs(r.channels) do names[#names + 1] = ch end
    table.sort(names)
    for _, ch in ipairs(names) do
      local c = r.channels[ch]
      say("  %-9s %s -> %s, delta %s [%s, %s], %s: p = %s", ch, fs(c.score_a), fs(c.score_b), signed(c.delta),
        signed(c.ci95 and c.ci95[1]), signed(c.ci95 and c.ci95[2]), c.test or "-", pval(c.p_value))
    end
  end
  if r.tokens_per_s_ratio then
    local num = readback.num
    say("  tokens/s  %s -> %s (x%s)", num(r.tokens_per_s_a, 1), num(r.tokens_per_s_b, 1), num(r.tokens_per_s_ratio, 2))
  end
  if r.speed then
    local sp = r.speed
    say("  speed     tg %s ± %s -> %s ± %s t/s at concurrency 1 (x%s): %s", readback.num(sp.tg_a.mean, 1), readback.num(sp.tg_a.sd, 1),
      readback.num(sp.tg_b.mean, 1), readback.num(sp.tg_b.sd, 1), readback.num(sp.ratio, 2),
      sp.within_noise and "within noise (the 95% intervals overlap)" or "a difference beyond noise (the 95% intervals do not overlap)")
  end
  if r.problems then
    say("  flips     passed in %d only (%d): %s", r.a, #r.flips.passed_in_a_only, list_ids(r.flips.passed_in_a_only, 10))
    say("            passed in %d only (%d): %s", r.b, #r.flips.passed_in_b_only, list_ids(r.flips.passed_in_b_only, 10))
    if r.only_in_a > 0 or r.only_in_b > 0 then
      say("  problems  %d in both; %d only in run %d, %d only in run %d (not compared)", r.problems, r.only_in_a, r.a, r.only_in_b, r.b)
    end
  end
  if #r.difference_names == 0 then
    say("  settings  the same")
  else
    for i, k in ipairs(r.difference_names) do
      local d = r.differences[k]
      say("  %s %s: %s -> %s", i == 1 and "settings " or "         ", k, canon(d[1]), canon(d[2]))
    end
  end
  return table.concat(out, "\n") .. "\n"
end

return M
