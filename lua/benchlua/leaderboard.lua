-- leaderboard.lua: `benchlua leaderboard [FILE]`: the table a user chooses a
-- model from. Rows are (model, server setting), columns are benchmarks; a
-- cell is the score of that row's latest ok run of the benchmark (or, with
-- --all, every ok run pooled) with its 95% interval and the number of runs
-- behind it; the best score of each column is marked and every other cell
-- shows its difference from the best with compare's p-value (paired over the
-- problems the two share, from the runs' sample logs). Then the row's
-- generation tokens/s.
--
-- A row's setting is what the server was started with (GPU layers, context,
-- slots, server arguments, endpoint, build); a benchmark's own options
-- (limit, n, max tokens, chat, sampling) belong to its cells, not to the row.
-- Only the settings that differ between the rows shown are named.
local runs_mod = require("benchlua.runs")
local samplelog = require("benchlua.samplelog")
local stats = require("benchlua.stats")
local compare = require("benchlua.compare")
local json = require("benchlua.json")
local M = {}

local val = runs_mod.val

-- What the leaderboard reads of a run (json.pick): what `results` shows,
-- and `speed`'s figures
M.FIELDS = { runs = {} }
for k, v in pairs(runs_mod.VIEW_FIELDS.runs) do M.FIELDS.runs[k] = v end
M.FIELDS.runs.results = {}
for k, v in pairs(runs_mod.VIEW_FIELDS.runs.results) do M.FIELDS.runs.results[k] = v end
M.FIELDS.runs.results.speed = true

-- config keys that make a row (setting name as `results` shows it)
local ROW_KEYS = { gpu_layers = "ngl", ctx = "ctx", parallel = "np", server_args = "server_args",
  endpoint = "endpoint" }

local function scalar(v)
  v = val(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = tostring(val(x)) end
    return #parts > 0 and table.concat(parts, " ") or nil
  end
  if type(v) == "number" then return math.tointeger(v) or v end
  if type(v) == "string" and v == "" then return nil end
  return v
end

-- the row a run belongs to: model path (or name) and its server setting
local function row_of(run, v)
  local cfg = type(run.config) == "table" and run.config or {}
  local model = type(val(cfg.path)) == "string" and cfg.path or v.model
  local setting = {}
  for k, name in pairs(ROW_KEYS) do setting[name] = scalar(cfg[k]) end
  local rep = type(run.reproducibility) == "table" and run.reproducibility or {}
  setting.build = scalar(rep.server_build)
  local names = {}
  for k in pairs(setting) do names[#names + 1] = k end
  table.sort(names)
  local key = { model }
  for _, k in ipairs(names) do key[#key + 1] = k .. "=" .. tostring(setting[k]) end
  return table.concat(key, "\0"), model, setting
end

-- per-problem counts of several runs together (their sample logs merged)
local function pooled(runs, results_path)
  local per = { ids = {}, n = {}, c = {}, channels = {} }
  for _, r in ipairs(runs) do
    local dir = runs_mod.run_dir(r, results_path)
    local p = dir and samplelog.read(dir .. "/samples.jsonl")
    if not p or #p.ids == 0 then return nil end
    for _, id in ipairs(p.ids) do
      if not per.n[id] then per.ids[#per.ids + 1] = id; per.n[id] = 0; per.c[id] = 0 end
      per.n[id] = per.n[id] + p.n[id]
      per.c[id] = per.c[id] + p.c[id]
    end
  end
  return per
end

local function dataset_of(run)
  local rep = type(run.reproducibility) == "table" and run.reproducibility or {}
  return val(rep.dataset_sha256)
end

-- the speed column of a row: `speed`'s generation t/s at concurrency 1 when
-- the row has such a run, else the median tokens/s of the runs shown
local function speed_of(speed_run, cell_runs)
  if speed_run then
    local res = type(speed_run.results) == "table" and speed_run.results or {}
    for _, s in ipairs(type(res.speed) == "table" and res.speed or {}) do
      if type(s) == "table" and s.concurrency == 1 and type(s.tg_tokens_per_second) == "table" then
        local m = s.tg_tokens_per_second.mean
        if type(m) == "number" then return m end
      end
    end
  end
  local xs = {}
  for _, r in ipairs(cell_runs) do
    local t = r.view.tokens_per_s
    if t then xs[#xs + 1] = t end
  end
  if #xs == 0 then return nil end
  table.sort(xs)
  local m = (#xs + 1) // 2
  return #xs % 2 == 1 and xs[m] or (xs[m] + xs[m + 1]) / 2
end

--- build(all, o) -> board: {benchmarks = {names}, rows = {...}, differing = {setting names}}
-- all: the runs (runs.load); o: {results = path, all = bool, benchmark = name|nil,
-- model = glob|nil}. Only ok runs count; failed, interrupted and
-- superseded runs never make a cell.
function M.build(all, o)
  local pat = o.model and runs_mod.glob(o.model)
  local rows, order, benches, bseen = {}, {}, {}, {}
  for _, r in ipairs(all) do
    local v = runs_mod.view(r)
    if v.status == "ok" and v.score and (not o.benchmark or v.benchmark == o.benchmark)
      and (not pat or v.model:match(pat)) then
      r.view = v
      local key, model, setting = row_of(r, v)
      local row = rows[key]
      if not row then
        row = { model = model, name = v.model, setting = setting, cells = {}, speed_run = nil }
        rows[key] = row
        order[#order + 1] = row
      end
      if v.benchmark == "speed" then
        row.speed_run = r
      else
        local cell = row.cells[v.benchmark]
        if not cell then
          cell = { runs = {} }
          row.cells[v.benchmark] = cell
          if not bseen[v.benchmark] then bseen[v.benchmark] = true; benches[#benches + 1] = v.benchmark end
        end
        if o.all then cell.runs[#cell.runs + 1] = r else cell.runs[1] = r end -- (file order: the last is the latest)
      end
    end
  end
  -- a cell's score and interval
  for _, row in ipairs(order) do
    local cell_runs = {}
    for _, cell in pairs(row.cells) do
      for _, r in ipairs(cell.runs) do cell_runs[#cell_runs + 1] = r end
      if #cell.runs == 1 then
        local v = cell.runs[1].view
        cell.score, cell.ci95 = v.score, v.ci95
      else
        cell.per = pooled(cell.runs, o.results)
        if cell.per then
          local rates = samplelog.rates(cell.per)
          local s = 0
          for _, x in ipairs(rates) do s = s + x end
          cell.score = s / #rates
          local lo, hi = stats.score_interval(rates)
          cell.ci95 = lo and { lo, hi } or nil
        else -- some run without its sample log: the mean of the scores
          local s = 0
          for _, r in ipairs(cell.runs) do s = s + r.view.score end
          cell.score = s / #cell.runs
        end
      end
    end
    row.tokens_per_second = speed_of(row.speed_run, cell_runs)
  end
  -- the best of each column, and every other cell against it
  for _, b in ipairs(benches) do
    local best
    for _, row in ipairs(order) do
      local c = row.cells[b]
      if c and (not best or c.score > best.score) then best = c end
    end
    for _, row in ipairs(order) do
      local c = row.cells[b]
      if c then
        c.best = c == best or c.score == best.score
        c.delta_to_best = c.score - best.score
        if not c.best and dataset_of(c.runs[#c.runs]) == dataset_of(best.runs[#best.runs]) then
          if #c.runs == 1 and #best.runs == 1 then
            c.p_value = compare.compare(best.runs[1], c.runs[1], o.results).p_value
          else
            local pa = best.per or pooled(best.runs, o.results)
            local pb = c.per or pooled(c.runs, o.results)
            if pa and pb then c.p_value = compare.paired(pa, pb).p_value end
          end
        end
      end
    end
  end
  -- the settings that differ between the rows
  local differing, names = {}, {}
  for _, row in ipairs(order) do for k in pairs(row.setting) do names[k] = true end end
  for k in pairs(names) do
    local first = order[1].setting[k]
    for _, row in ipairs(order) do
      if row.setting[k] ~= first then differing[#differing + 1] = k break end
    end
  end
  table.sort(differing)
  return { benchmarks = benches, rows = order, differing = differing }
end

-- formatting -------------------------------------------------------------------

local sig = require("benchlua.readback").sig
M.sig = sig

local function pval(p)
  if type(p) ~= "number" then return nil end
  if p < 0.001 then return "p<0.001" end
  return string.format("p=%.3f", p)
end

local function setting_text(row, differing)
  local parts = {}
  for _, k in ipairs(differing) do
    local v = row.setting[k]
    parts[#parts + 1] = k .. "=" .. (v == nil and "-" or tostring(v))
  end
  return table.concat(parts, " ")
end

-- the pieces of a cell as the text formats show them
local function pieces(c)
  if not c then return { "-", "", "", "", "" } end
  local ci = c.ci95 and string.format("[%s-%s]", sig(c.ci95[1]), sig(c.ci95[2])) or ""
  local delta = c.best and "best" or (c.delta_to_best >= 0 and "+" or "") .. sig(c.delta_to_best)
  return { sig(c.score), ci, #c.runs .. "x", delta, c.best and "" or pval(c.p_value) or "" }
end

local ulen = utf8.len
local function width(s) return ulen(s) or #s end
local function shorten(s, w)
  if width(s) <= w then return s end
  if w <= 1 then return "~" end
  -- keep the end of a path-like name: the file name says more than the directory
  local out, n = {}, 0
  for _, cp in utf8.codes(s) do n = n + 1; out[n] = utf8.char(cp) end
  return table.concat(out, "", 1, w - 1) .. "~"
end

local function pad(s, w, right)
  local n = w - width(s)
  if n <= 0 then return s end
  return right and string.rep(" ", n) .. s or s .. string.rep(" ", n)
end

-- one table's lines for the benchmark columns bs (a block of the board)
local function block(board, bs, name_w, set_w, show_speed)
  local rows, differing = board.rows, board.differing
  local cols = {}
  for _, b in ipairs(bs) do
    local ps, w = {}, { 0, 0, 0, 0, 0 }
    for i, row in ipairs(rows) do
      ps[i] = pieces(row.cells[b])
      for j = 1, 5 do w[j] = math.max(w[j], width(ps[i][j])) end
    end
    local texts, tw = {}, width(b)
    for i = 1, #rows do
      local parts = {}
      for j = 1, 5 do if w[j] > 0 then parts[#parts + 1] = pad(ps[i][j], w[j], j ~= 2 and j ~= 5) end end
      texts[i] = table.concat(parts, " "):gsub("%s+$", "")
      tw = math.max(tw, width(texts[i]))
    end
    cols[#cols + 1] = { head = b, texts = texts, w = tw }
  end
  local out = {}
  local head = { pad("model", name_w) }
  if set_w > 0 then head[#head + 1] = pad("setting", set_w) end
  for _, c in ipairs(cols) do head[#head + 1] = pad(c.head, c.w) end
  if show_speed then head[#head + 1] = "tok/s" end
  out[1] = table.concat(head, "  "):gsub("%s+$", "")
  for i, row in ipairs(rows) do
    local line = { pad(shorten(row.name, name_w), name_w) }
    if set_w > 0 then line[#line + 1] = pad(shorten(setting_text(row, differing), set_w), set_w) end
    for _, c in ipairs(cols) do line[#line + 1] = pad(c.texts[i], c.w) end
    if show_speed then line[#line + 1] = pad(sig(row.tokens_per_second), 5, true) end
    out[#out + 1] = table.concat(line, "  "):gsub("%s+$", "")
  end
  return out, cols
end

--- text(board [, width]) -> lines: the aligned table. Wider than `width`
-- (the terminal's), the model and setting names are shortened (to 12 and 16
-- characters at the least), then the benchmarks are shown in blocks that fit,
-- each with the row names again: numbers are never cut.
function M.text(board, maxw)
  local name_w, set_w = 5, 0
  for _, row in ipairs(board.rows) do
    name_w = math.max(name_w, width(row.name))
    if #board.differing > 0 then set_w = math.max(set_w, 7, width(setting_text(row, board.differing))) end
  end
  local _, cols = block(board, board.benchmarks, name_w, set_w, false)
  local function total(nw, sw, from, to)
    local t = nw + (sw > 0 and sw + 2 or 0) + 7 -- ("  tok/s")
    for i = from, to do t = t + 2 + cols[i].w end
    return t
  end
  -- shorten the names by `over` columns, neither below `floor`
  local function shrink(over, floor)
    local cut = math.min(over, math.max(0, name_w - floor))
    name_w, over = name_w - cut, over - cut
    if set_w > 0 then set_w = set_w - math.min(over, math.max(0, set_w - floor)) end
  end
  if maxw and total(name_w, set_w, 1, #cols) > maxw then
    shrink(total(name_w, set_w, 1, #cols) - maxw, 12)
    -- the widest benchmark must fit alone, with names down to 4 characters
    for i = 1, #cols do
      local over = total(name_w, set_w, i, i) - maxw
      if over > 0 then shrink(over, 4) end
    end
  end
  local out, from = {}, 1
  while from <= #cols or from == 1 do
    local to = from
    while maxw and to < #cols and total(name_w, set_w, from, to + 1) <= maxw do to = to + 1 end
    if not maxw then to = #cols end
    local bs = table.move(board.benchmarks, from, to, 1, {})
    if #out > 0 then out[#out + 1] = "" end
    for _, l in ipairs((block(board, bs, name_w, set_w, to == #cols))) do out[#out + 1] = l end
    from = to + 1
    if #cols == 0 then break end
  end
  return out
end

function M.md(board)
  local head, sep = { "model" }, { "---" }
  if #board.differing > 0 then head[2], sep[2] = "setting", "---" end
  for _, b in ipairs(board.benchmarks) do head[#head + 1] = b; sep[#sep + 1] = "---:" end
  head[#head + 1], sep[#sep + 1] = "tok/s", "---:"
  local out = { "| " .. table.concat(head, " | ") .. " |", "| " .. table.concat(sep, " | ") .. " |" }
  local function esc(s) return (s:gsub("|", "\\|")) end
  for _, row in ipairs(board.rows) do
    local line = { esc(row.name) }
    if #board.differing > 0 then line[2] = esc(setting_text(row, board.differing)) end
    for _, b in ipairs(board.benchmarks) do
      local c = row.cells[b]
      if not c then line[#line + 1] = "-"
      else
        local p = pieces(c)
        local s = c.best and ("**" .. p[1] .. "**") or p[1]
        local more = { s }
        for j = 2, c.best and 3 or 5 do if p[j] ~= "" then more[#more + 1] = p[j] end end
        line[#line + 1] = table.concat(more, " ")
      end
    end
    line[#line + 1] = sig(row.tokens_per_second)
    out[#out + 1] = "| " .. table.concat(line, " | ") .. " |"
  end
  return out
end

local function csv_field(x)
  if x == nil then return "" end
  if type(x) == "number" then return math.type(x) == "integer" and tostring(x) or string.format("%.17g", x) end
  local s = tostring(x)
  if s:find('[,"\n\r]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

function M.csv(board)
  local head = { "model", "path" }
  for _, k in ipairs(board.differing) do head[#head + 1] = k end
  for _, b in ipairs(board.benchmarks) do
    for _, f in ipairs({ "score", "ci95_lo", "ci95_hi", "runs", "delta_to_best", "p_value" }) do head[#head + 1] = b .. "_" .. f end
  end
  head[#head + 1] = "tokens_per_second"
  local out = { table.concat(head, ",") }
  for _, row in ipairs(board.rows) do
    local line = { csv_field(row.name), csv_field(row.model) }
    for _, k in ipairs(board.differing) do line[#line + 1] = csv_field(row.setting[k]) end
    for _, b in ipairs(board.benchmarks) do
      local c = row.cells[b] or {}
      local xs = { c.score, c.ci95 and c.ci95[1], c.ci95 and c.ci95[2], c.runs and #c.runs, c.delta_to_best, c.p_value }
      for j = 1, 6 do line[#line + 1] = csv_field(xs[j]) end
    end
    line[#line + 1] = csv_field(row.tokens_per_second)
    out[#out + 1] = table.concat(line, ",")
  end
  return out
end

--- json_value(board) -> the object of --format json
function M.json_value(board)
  local null = json.null
  local rows = json.array()
  for i, row in ipairs(board.rows) do
    local setting = {}
    for _, k in ipairs(board.differing) do setting[k] = row.setting[k] == nil and null or row.setting[k] end
    local cells = {}
    for b, c in pairs(row.cells) do
      local nums = json.array()
      for j, r in ipairs(c.runs) do nums[j] = r.num end
      cells[b] = { score = c.score, ci95 = c.ci95 and json.array({ c.ci95[1], c.ci95[2] }) or null,
        runs = #c.runs, run_numbers = nums, delta_to_best = c.delta_to_best, p_value = c.p_value or null, best = c.best }
    end
    rows[i] = { model = row.name, path = row.model, setting = setting, cells = cells,
      tokens_per_second = row.tokens_per_second or null }
  end
  return { benchmarks = json.array(table.move(board.benchmarks, 1, #board.benchmarks, 1, {})), rows = rows }
end

--- render(board, format [, width]) -> text (no final newline)
function M.render(board, format, maxw)
  if format == "json" then return json.encode(M.json_value(board), "  ") end
  local lines = format == "md" and M.md(board) or format == "csv" and M.csv(board) or M.text(board, maxw)
  return table.concat(lines, "\n")
end

return M
