-- readback.lua: reading results files back (orphaned runs recorded first,
-- several files numbered as one list) and the text formats of their runs:
-- numbers, scores, intervals, durations, control characters made visible,
-- and the runs as an aligned table, markdown, csv or json objects. The
-- commands results, compare, leaderboard and report (lua/benchlua/cmd/) use it.
local runs_mod = require("benchlua.runs")
local json = require("benchlua.json")
local M = {}

-- formatting ---------------------------------------------------------------

-- (numbers past BIG, which benchlua never writes, are shown as 1.234e+300,
-- not in 300 digits)
local FIXED = { [0] = "%.0f", "%.1f", "%.2f", "%.3f", "%.4f" }
local BIG = 1e15
local function num(x, digits)
  if type(x) ~= "number" then return "-" end
  if x ~= x then return "nan" end
  if digits and -BIG < x and x < BIG then return string.format(FIXED[digits] or ("%." .. digits .. "f"), x) end
  if math.type(x) == "integer" then return tostring(x) end
  return string.format("%.4g", x)
end
M.num = num

--- sig(x) -> x with 3-4 significant digits, never in e-notation below 1e15:
-- 0.612, 0.004, 1.23, 12.3, 3997
function M.sig(x)
  if type(x) ~= "number" then return "-" end
  if x ~= x then return "nan" end
  local a = math.abs(x)
  if math.type(x) == "integer" and a >= 1 then return tostring(x) end -- (0 is 0.000, as a score)
  if a >= BIG then return string.format("%.3g", x) end
  local f = a < 1 and "%.3f" or a < 10 and "%.2f" or a < 100 and "%.1f" or "%.0f"
  return string.format(f, x)
end

function M.fmt_score(x)
  if type(x) ~= "number" then return "-" end
  if x >= 0 and x <= 1 then return string.format("%.3f", x) end
  if -BIG < x and x < BIG then return string.format("%.1f", x) end
  return num(x)
end

function M.fmt_ci(ci)
  if not ci then return "-" end
  local lo, hi = ci[1], ci[2]
  if -BIG < lo and hi < BIG then return string.format("%.3f-%.3f", lo, hi) end
  return num(lo) .. "-" .. num(hi)
end

function M.fmt_duration(s)
  if type(s) ~= "number" then return "-" end
  if s < 60 then return string.format("%.1fs", s) end
  if s < 3600 then return string.format("%dm%02ds", s // 60, math.floor(s % 60)) end
  if s < 2^53 then return string.format("%dh%02dm", s // 3600, math.floor(s % 3600 / 60)) end
  return num(s / 3600) .. "h" -- (not written by benchlua: 1e300, inf, nan)
end

--- visible(s) -> s with its control characters written as \n, \x1b, ...: text
-- from the results file must not move the cursor or recolour a terminal
local CONTROL = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
function M.visible(s)
  if not s:find("%c") then return s end
  return (s:gsub("%c", function(c) return CONTROL[c] or string.format("\\x%02x", c:byte()) end))
end

local function fmt_setting(v)
  if v == nil then return "-" end
  if type(v) == "number" then return num(v) end
  return tostring(v)
end

-- preferred order of the settings columns; the rest alphabetically
local ORDER = { "ngl", "ctx", "np", "conc", "mode", "chat", "n", "temp", "top_p", "max_tok", "seed", "limit" }
local RANK = {}
for i, k in ipairs(ORDER) do RANK[k] = i end

--- differing(views) -> setting names whose values differ between the views
function M.differing(views)
  local names, seen, tables = {}, {}, {}
  for _, v in ipairs(views) do
    local s = v.settings -- often one table for many runs (runs.settings)
    if not tables[s] then
      tables[s] = true
      for k in pairs(s) do if not seen[k] then seen[k] = true; names[#names + 1] = k end end
    end
  end
  local out = {}
  for _, k in ipairs(names) do -- values are scalars (runs.settings): == compares them
    local first = views[1].settings[k]
    for s in pairs(tables) do
      if s[k] ~= first then out[#out + 1] = k break end
    end
  end
  table.sort(out, function(a, b)
    local ra, rb = RANK[a] or 1000, RANK[b] or 1000
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  return out
end

-- the settings the table shows without --wide: the server's and the
-- sampling's; the dataset, its digest and each benchmark's own options are
-- for --wide (csv and json have them all)
local NARROW = { server_args = true, endpoint = true, build = true }
for _, k in ipairs(ORDER) do NARROW[k] = k ~= "limit" end

-- the columns of the text formats: {header, function(view) -> text,
-- right-aligned?, may hold non-ASCII text?}: what a run scored first, then
-- what it was
local function columns(views, wide)
  local cols = {
    { "#", function(v) return tostring(v.num) end, true },
    { "date", function(v) return v.date end, false, true }, -- (a timestamp benchlua did not write is shown as it is)
    { "benchmark", function(v) return v.benchmark end, false, true },
    { "model", function(v) return v.model end, false, true },
    { "score", function(v) return M.fmt_score(v.score) end, true },
    { "95% CI", function(v) return M.fmt_ci(v.ci95) end, true },
    { "tok/s", function(v) return num(v.tokens_per_s, 1) end, true },
    { "status", function(v) return v.superseded_by and (v.status .. " by #" .. v.superseded_by) or v.status end, false, true },
    { "time", function(v) return M.fmt_duration(v.duration) end, true },
  }
  if views[1] and views[1].file then -- (several files: each run's)
    table.insert(cols, 2, { "file", function(v) return v.file end, false, true })
  end
  for _, f in ipairs({ { "quant", "quant" }, { "size", "size" }, { "params", "params" } }) do
    for _, v in ipairs(views) do
      if v[f[2]] then cols[#cols + 1] = { f[1], function(w) return w[f[2]] or "-" end } break end
    end
  end
  for _, k in ipairs(M.differing(views)) do
    if not wide and not NARROW[k] then goto next end
    local numeric = true
    for _, v in ipairs(views) do
      local x = v.settings[k]
      if x ~= nil and type(x) ~= "number" then numeric = false break end
    end
    local shown = {} -- a column holds few distinct values: format each once
    cols[#cols + 1] = { k, function(v)
      local x = v.settings[k]
      if x == nil then return "-" end
      local t = shown[x]
      if not t then t = fmt_setting(x); shown[x] = t end
      return t
    end, numeric, not numeric }
    ::next::
  end
  return cols
end

local function cells(views, cols)
  local rows, ncol = {}, #cols
  for i, v in ipairs(views) do
    local row = {}
    for j = 1, ncol do row[j] = cols[j][2](v) end
    rows[i] = row
  end
  return rows
end

local ulen = utf8.len
local pads = setmetatable({}, { __index = function(t, n) local p = string.rep(" ", n) t[n] = p return p end })

-- The aligned table as one text (no final newline). Column by column (the
-- cells and each column's width in characters), then every piece of every
-- line into one list and one concat: `results` on a file of thousands of
-- runs spends its time here.
function M.table_text(views, wide)
  local cols = columns(views, wide)
  local ncol, nrow = #cols, #views
  local cell, width, shown = {}, {}, {}
  for j = 1, ncol do
    local f, wide, c = cols[j][2], cols[j][4], {}
    local w = ulen(cols[j][1])
    for i = 1, nrow do
      local x = f(views[i])
      if wide then -- (a column holds few distinct texts: each checked once)
        local y = shown[x]
        if not y then y = M.visible(x); shown[x] = y end
        x = y
      end
      c[i] = x
      local n = wide and ulen(x) or #x
      if n > w then w = n end
    end
    cell[j], width[j] = c, w
  end
  -- one string.format per line; string.format pads bytes (and to 99 at
  -- most), so a column that may hold any text is padded here, by characters
  local spec, head = {}, {}
  for j = 1, ncol do
    local c = cols[j]
    if c[4] or width[j] > 99 then
      spec[j] = "%s"
      local x = cell[j]
      for i = 1, nrow do
        local pad = pads[width[j] - (ulen(x[i]) or #x[i])]
        if c[3] then x[i] = pad .. x[i] elseif j < ncol then x[i] = x[i] .. pad end
      end
    else
      spec[j] = c[3] and ("%" .. width[j] .. "s") or j < ncol and ("%-" .. width[j] .. "s") or "%s"
    end
    local pad = pads[width[j] - ulen(c[1])]
    head[j] = c[3] and pad .. c[1] or j < ncol and c[1] .. pad or c[1]
  end
  local fmt, format, unpack = table.concat(spec, "  "), string.format, table.unpack
  local out, row = { table.concat(head, "  ") }, {}
  for i = 1, nrow do
    for j = 1, ncol do row[j] = cell[j][i] end
    out[i + 1] = format(fmt, unpack(row, 1, ncol))
  end
  return out
end

function M.md_text(views, wide)
  local cols = columns(views, wide)
  local out, head, sep = {}, {}, {}
  for j, c in ipairs(cols) do head[j] = c[1]; sep[j] = c[3] and "---:" or "---" end
  out[1] = "| " .. table.concat(head, " | ") .. " |"
  out[2] = "| " .. table.concat(sep, " | ") .. " |"
  for _, r in ipairs(cells(views, cols)) do
    for j = 1, #r do r[j] = M.visible(r[j]):gsub("|", "\\|") end
    out[#out + 1] = "| " .. table.concat(r, " | ") .. " |"
  end
  return out
end

local function shortest(x)
  for _, f in ipairs({ "%.15g", "%.16g", "%.17g" }) do
    local t = string.format(f, x)
    if tonumber(t) == x then return t end
  end
end

local function csv_field(s)
  s = tostring(s == nil and "" or s)
  if s:find('[,"\n\r]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- csv: machine-readable, so numbers unrounded and the interval in two columns
function M.csv_text(views)
  local diff = M.differing(views)
  local head = { "run", "timestamp", "benchmark", "model", "quant", "model_size", "n_params" }
  for _, k in ipairs(diff) do head[#head + 1] = k end
  for _, k in ipairs({ "score", "ci95_lo", "ci95_hi", "tokens_per_s", "duration_s", "status" }) do head[#head + 1] = k end
  local out = { table.concat(head, ",") }
  for _, v in ipairs(views) do
    local row = { v.num, v.timestamp, v.benchmark, v.model, v.quant, v.model_size, v.n_params }
    local n = #head - #diff - 6
    for i, k in ipairs(diff) do row[n + i] = v.settings[k] end
    local base = n + #diff
    row[base + 1], row[base + 2], row[base + 3] = v.score, v.ci95 and v.ci95[1], v.ci95 and v.ci95[2]
    row[base + 4], row[base + 5], row[base + 6] = v.tokens_per_s, v.duration, v.status
    for i = 1, #head do
      local x = row[i]
      if type(x) == "number" and math.type(x) == "float" then x = shortest(x) or tostring(x) end -- (inf: 1e999 in the file)
      row[i] = csv_field(x)
    end
    out[#out + 1] = table.concat(row, ",", 1, #head)
  end
  return out
end

--- the object a run is in the json formats
function M.json_view(v)
  local null = json.null
  return {
    run = v.num, timestamp = v.timestamp or null, benchmark = v.benchmark, model = v.model, quant = v.quant or null,
    model_size = v.model_size or null, n_params = v.n_params or null, settings = v.settings, score = v.score or null,
    ci95 = v.ci95 and json.array({ v.ci95[1], v.ci95[2] }) or null, ci_method = v.ci_method or null,
    tokens_per_s = v.tokens_per_s or null, duration_s = v.duration or null, status = v.status, error = v.error,
    run_dir = v.run_dir, superseded_by = v.superseded_by, file = v.file,
  }
end

-- reading the file -------------------------------------------------------------

--- load(path | {paths}) -> runs | nil, err: records orphaned runs
-- first (their benchlua was killed), then reads the file. Several files are
-- read in order into one list, numbered on from 1, each run knowing its
-- file (run.file: where its run directory is looked for).
function M.load(path, fields)
  local paths = type(path) == "table" and path or { path }
  local all = {}
  for _, p in ipairs(paths) do
    require("benchlua.resume").recover_orphans(p)
    local runs, err = runs_mod.load(p, fields)
    if not runs then return nil, err end
    local base = #all
    for _, r in ipairs(runs) do
      r.num = base + r.num
      all[r.num] = r
      if #paths > 1 then
        r.file = p
        if r.superseded_by then r.superseded_by = base + r.superseded_by end
      end
    end
  end
  return all
end

-- control characters in a text of several lines shown as \x1b, ..., the
-- newlines kept
function M.visible_lines(text)
  return (text:gsub("[^\n]+", M.visible))
end

return M
