-- report.lua: `benchlua report [FILE] -o report.html`: one self-contained
-- HTML page (no network: inline CSS, inline JS, charts as inline SVG) with
--   the runs table (sortable),
--   per benchmark: the score of each run with its 95% interval bar, score
--   against tokens/s, and a problems-by-runs heatmap of pass rates,
--   per run, its per-sample detail (prompt, extracted code, verdict) on demand:
--   embedded as JSON (prompts stored once) and rendered when asked for.
-- The SVG is written here, so the charts show without JavaScript too.
local runs_mod = require("benchlua.runs")
local samplelog = require("benchlua.samplelog")
local readback = require("benchlua.readback")
local leaderboard = require("benchlua.leaderboard")
local cjson = require("cjson.safe")
local M = {}

local MAX_CHART_RUNS = 40     -- the last N runs of a benchmark in its charts
local MAX_CODE = 20000        -- bytes of one sample's code kept in the page

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }))
end

local function f(x, d) return string.format("%." .. (d or 1) .. "f", x) end

-- JSON inside <script type="application/json">: no "</script" may close the
-- tag and no "<!--" open an HTML comment, so every "<" (only ever inside a
-- string) is written as the JSON escape \u003c, which JSON.parse reads back
local function script_json(v)
  local s = assert(cjson.encode(v))
  return (s:gsub("<", "\\u003c"))
end

local function short_model(v)
  return (v.model:gsub("%.gguf$", ""))
end

-- the label of a run in the charts: number, model, the settings that differ
local function labels(views)
  local diff = readback.differing(views)
  local out = {}
  for _, v in ipairs(views) do
    local parts = {}
    for _, k in ipairs(diff) do
      if k ~= "samples" and k ~= "dataset" and k ~= "build" and v.settings[k] ~= nil and #parts < 3 then
        parts[#parts + 1] = k .. " " .. tostring(v.settings[k])
      end
    end
    out[v.num] = string.format("#%d %s%s", v.num, short_model(v), #parts > 0 and (" · " .. table.concat(parts, " ")) or "")
  end
  return out
end

-- a value the charts can scale (a file benchlua did not write may hold 1e308:
-- such a run is in the table, not in the charts)
local function plottable(x) return type(x) == "number" and x > -1e15 and x < 1e15 end
local function plottable_ci(v)
  local ci = v.ci95
  return ci and plottable(ci[1]) and plottable(ci[2]) and ci or nil
end

local function nice_max(x)
  if x <= 0 then return 1 end
  local p = 10 ^ math.floor(math.log(x, 10))
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    if m * p >= x then return m * p end
  end
  return 10 * p
end

-- score bars with interval whiskers, one row per run
local function score_chart(views, label, bench_name)
  local rows = {}
  for _, v in ipairs(views) do if plottable(v.score) then rows[#rows + 1] = v end end
  if #rows == 0 then return "" end
  local max = 1
  for _, v in ipairs(rows) do
    local hi = plottable_ci(v) and v.ci95[2] or v.score
    if hi > max then max = nice_max(hi) end
  end
  local W, L, R, H, top = 720, 8, 60, 36, 24
  local plot = W - L - R
  local h = top + #rows * H + 6
  local out = { string.format('<svg class="chart score-chart" data-benchmark="%s" viewBox="0 0 %d %d" style="max-width:%dpx" role="img" aria-label="score of each %s run with its 95%% interval">',
    esc(bench_name), W, h, W, esc(bench_name)) }
  for i = 0, 4 do
    local x = L + plot * i / 4
    out[#out + 1] = string.format('<line class="grid" x1="%s" y1="%d" x2="%s" y2="%d"/><text class="tick" x="%s" y="14" text-anchor="%s">%s</text>',
      f(x), top - 4, f(x), h - 6, f(x), i == 0 and "start" or "middle", max <= 1 and f(max * i / 4, 2) or string.format("%g", max * i / 4))
  end
  for i, v in ipairs(rows) do
    local y = top + (i - 1) * H
    local sx = function(val) return L + plot * math.max(0, math.min(val, max)) / max end
    local ci = plottable_ci(v)
    out[#out + 1] = string.format('<g class="bar" data-run="%d"><title>%s: score %s%s</title>', v.num, esc(label[v.num]),
      readback.fmt_score(v.score), ci and (", 95% CI " .. readback.fmt_ci(ci)) or "")
    out[#out + 1] = string.format('<text class="label" x="%d" y="%d">%s</text>', L, y + 12, esc(label[v.num]))
    out[#out + 1] = string.format('<rect x="%d" y="%d" width="%s" height="%d" rx="2"/>', L, y + 17, f(sx(v.score) - L), 14)
    if ci then
      local a, b, c = sx(ci[1]), sx(ci[2]), y + 24
      out[#out + 1] = string.format('<path class="ci" d="M%s %sH%sM%s %sV%sM%s %sV%s"/>', f(a), f(c), f(b), f(a), f(c - 5), f(c + 5), f(b), f(c - 5), f(c + 5))
    end
    out[#out + 1] = string.format('<text class="value" x="%s" y="%d">%s</text></g>', f(math.max(sx(ci and ci[2] or v.score), sx(v.score)) + 6), y + 28, readback.fmt_score(v.score))
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

-- quality against speed: score (y, with its interval) against tokens/s (x)
local function scatter(views, label, bench_name)
  local pts = {}
  for _, v in ipairs(views) do if plottable(v.score) and plottable(v.tokens_per_s) then pts[#pts + 1] = v end end
  if #pts == 0 then return '<p class="note">No run of this benchmark recorded tokens per second.</p>' end
  local xmax, ymax = 0, 1
  for _, v in ipairs(pts) do
    xmax = math.max(xmax, v.tokens_per_s)
    ymax = math.max(ymax, plottable_ci(v) and v.ci95[2] or v.score)
  end
  xmax, ymax = nice_max(xmax * 1.05), nice_max(ymax)
  local W, H, L, B, T, R = 720, 360, 56, 40, 14, 20
  local pw, ph = W - L - R, H - T - B
  local function sx(x) return L + pw * x / xmax end
  local function sy(y) return T + ph * (1 - math.max(0, math.min(y, ymax)) / ymax) end
  local out = { string.format('<svg class="chart scatter" data-benchmark="%s" viewBox="0 0 %d %d" style="max-width:%dpx" role="img" aria-label="score against tokens per second, %s">',
    esc(bench_name), W, H, W, esc(bench_name)) }
  for i = 0, 4 do
    local x, y = sx(xmax * i / 4), sy(ymax * i / 4)
    out[#out + 1] = string.format('<line class="grid" x1="%s" y1="%d" x2="%s" y2="%d"/><text class="tick" x="%s" y="%d" text-anchor="middle">%s</text>',
      f(x), T, f(x), T + ph, f(x), T + ph + 16, string.format("%g", xmax * i / 4))
    out[#out + 1] = string.format('<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/><text class="tick" x="%d" y="%s" text-anchor="end">%s</text>',
      L, f(y), L + pw, f(y), L - 6, f(y + 4), ymax <= 1 and f(ymax * i / 4, 2) or f(ymax * i / 4, 0))
  end
  out[#out + 1] = string.format('<text class="axis" x="%s" y="%d" text-anchor="middle">tokens per second</text>', f(L + pw / 2), H - 4)
  out[#out + 1] = string.format('<text class="axis" x="12" y="%s" text-anchor="middle" transform="rotate(-90 12 %s)">score</text>', f(T + ph / 2), f(T + ph / 2))
  for _, v in ipairs(pts) do
    local x, y = sx(v.tokens_per_s), sy(v.score)
    out[#out + 1] = string.format('<g class="point" data-run="%d"><title>%s: score %s, %.1f tokens/s</title>', v.num, esc(label[v.num]), readback.fmt_score(v.score), v.tokens_per_s)
    local ci = plottable_ci(v)
    if ci then out[#out + 1] = string.format('<path class="ci" d="M%s %sV%s"/>', f(x), f(sy(ci[1])), f(sy(ci[2]))) end
    out[#out + 1] = string.format('<circle cx="%s" cy="%s" r="5"/><text class="plabel" x="%s" y="%s">#%d</text></g>', f(x), f(y), f(x + 7), f(y - 6), v.num)
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

local function cell_color(r)
  -- pass rate 0 -> red, 1 -> green, through a pale yellow
  local function mix(a, b, t) return math.floor(a + (b - a) * t + 0.5) end
  local lo, mid, hi = { 214, 69, 65 }, { 247, 236, 180 }, { 46, 157, 76 }
  local c1, c2, t = lo, mid, r * 2
  if r > 0.5 then c1, c2, t = mid, hi, (r - 0.5) * 2 end
  return string.format("#%02x%02x%02x", mix(c1[1], c2[1], t), mix(c1[2], c2[2], t), mix(c1[3], c2[3], t))
end

-- problems (rows, easiest first) by runs (columns), coloured by pass rate
local function heatmap(cols, per, bench_name)
  if #cols == 0 then return '<p class="note">No run of this benchmark has a sample log.</p>' end
  local ids, seen, order = {}, {}, {}
  for _, v in ipairs(cols) do
    for _, id in ipairs(per[v.num].ids) do
      if not seen[id] then seen[id] = true; ids[#ids + 1] = id; order[id] = #ids end
    end
  end
  local mean = {}
  for _, id in ipairs(ids) do
    local s, n = 0, 0
    for _, v in ipairs(cols) do
      local p = per[v.num]
      if p.n[id] then s = s + p.c[id] / p.n[id]; n = n + 1 end
    end
    mean[id] = n > 0 and s / n or 0
  end
  table.sort(ids, function(a, b)
    if mean[a] ~= mean[b] then return mean[a] > mean[b] end
    return order[a] < order[b]
  end)
  local CW, CH, L, T = math.max(10, math.min(48, math.floor(560 / #cols))), #ids > 400 and 3 or 5, 4, 22
  local W, H = L + CW * #cols + 4, T + CH * #ids + 4
  local out = { string.format('<p class="legend">rows: the %d problems, easiest first; columns: runs. Pass rate<span style="background:%s"></span>0<span style="background:%s"></span>0.5<span style="background:%s"></span>1<span style="background:#dddddd"></span>not run</p>',
    #ids, cell_color(0), cell_color(0.5), cell_color(1)) }
  out[#out + 1] = string.format('<svg class="chart heatmap" data-benchmark="%s" data-problems="%d" data-runs="%d" viewBox="0 0 %d %d" style="max-width:%dpx" role="img" aria-label="pass rate of each problem in each run, %s">',
    esc(bench_name), #ids, #cols, W, H, W, esc(bench_name))
  for j, v in ipairs(cols) do
    out[#out + 1] = string.format('<text class="tick" x="%s" y="%d" text-anchor="middle">#%d</text>', f(L + (j - 0.5) * CW), T - 8, v.num)
  end
  for i, id in ipairs(ids) do
    local y = T + (i - 1) * CH
    for j, v in ipairs(cols) do
      local p = per[v.num]
      local n = p.n[id]
      local fill = n and cell_color(p.c[id] / n) or "#dddddd"
      out[#out + 1] = string.format('<rect class="cell" x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s, run %d: %s</title></rect>',
        L + (j - 1) * CW, y, CW - 1, CH, fill, esc(id), v.num, n and string.format("%d/%d passed", p.c[id], n) or "not run")
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

-- a cell's sort key as JavaScript's parseFloat reads it ("inf" is NaN there)
local function sort_key(x)
  if x == math.huge then return "Infinity" elseif x == -math.huge then return "-Infinity" end
  return esc(x)
end

-- A chart keeps at least 11/14 of its drawn width, so that its text (14
-- units on a narrow screen) is at least 11 px: on a phone it scrolls
-- sideways in its own box rather than shrink.
local function chartbox(svg)
  if svg:sub(1, 4) ~= "<svg" then return svg end
  local w = tonumber(svg:match('viewBox="0 0 (%d+)')) or 720
  return string.format('<div class="chartbox">%s</div>', svg:gsub('style="max%-width:(%d+)px"',
    string.format('style="max-width:%%1px;min-width:%dpx"', math.ceil(w * 11 / 14)), 1))
end

-- the leaderboard: models x settings against benchmarks (leaderboard.lua)
local function leaderboard_table(board)
  local out = { '<div class="scroll"><table id="leaderboard" class="runs leaderboard"><thead><tr><th>model</th>' }
  if #board.differing > 0 then out[#out + 1] = "<th>setting</th>" end
  for _, b in ipairs(board.benchmarks) do out[#out + 1] = "<th>" .. esc(b) .. "</th>" end
  out[#out + 1] = "<th>tok/s</th></tr></thead><tbody>"
  local sig = leaderboard.sig
  for _, row in ipairs(board.rows) do
    out[#out + 1] = string.format('<tr><td title="%s">%s</td>', esc(row.model), esc(row.name))
    if #board.differing > 0 then
      local parts = {}
      for _, k in ipairs(board.differing) do parts[#parts + 1] = k .. "=" .. tostring(row.setting[k] == nil and "-" or row.setting[k]) end
      out[#out + 1] = "<td>" .. esc(table.concat(parts, " ")) .. "</td>"
    end
    for _, b in ipairs(board.benchmarks) do
      local c = row.cells[b]
      if not c then out[#out + 1] = '<td class="cell">-</td>'
      else
        local nums = {}
        for i, r in ipairs(c.runs) do nums[i] = "#" .. r.num end
        local ci = c.ci95 and string.format(' <span class="ci">[%s-%s]</span>', sig(c.ci95[1]), sig(c.ci95[2])) or ""
        local cmp = c.best and ' <span class="best">best</span>'
          or string.format(' <span class="delta">%s%s</span>', (c.delta_to_best >= 0 and "+" or "") .. sig(c.delta_to_best),
            c.p_value and string.format(", p=%s", c.p_value < 0.001 and "&lt;0.001" or string.format("%.3f", c.p_value)) or "")
        out[#out + 1] = string.format('<td class="cell%s" data-v="%s" title="run%s %s">%s%s %s%s</td>', c.best and " top" or "",
          esc(c.score), #nums > 1 and "s" or "", table.concat(nums, ", "), c.best and "<b>" .. sig(c.score) .. "</b>" or sig(c.score),
          ci, #c.runs .. "x", cmp)
      end
    end
    out[#out + 1] = "<td data-v=\"" .. esc(row.tokens_per_second or -1) .. "\">" .. sig(row.tokens_per_second) .. "</td></tr>"
  end
  out[#out + 1] = "</tbody></table></div>"
  return table.concat(out, "")
end

-- the runs table (all runs): sortable by a click on a header
local function runs_table(views, has_detail)
  local diff = readback.differing(views)
  local heads = { { "#", "n" }, { "date", "s" }, { "benchmark", "s" }, { "model", "s" }, { "quant", "s" } }
  for _, k in ipairs(diff) do heads[#heads + 1] = { k, "s" } end
  for _, h in ipairs({ { "score", "n" }, { "95% CI", "n" }, { "tok/s", "n" }, { "time", "n" }, { "status", "s" }, { "samples", "s" } }) do heads[#heads + 1] = h end
  local out = { '<div class="scroll"><table id="runs" class="runs"><thead><tr>' }
  for i, h in ipairs(heads) do
    out[#out + 1] = string.format('<th data-type="%s" data-col="%d" tabindex="0">%s</th>', h[2], i - 1, esc(h[1]))
  end
  out[#out + 1] = "</tr></thead><tbody>"
  for _, v in ipairs(views) do
    local cells = {
      { v.num, v.num }, { v.date, v.timestamp or "" }, { v.benchmark }, { v.model }, { v.quant or "-" },
    }
    for _, k in ipairs(diff) do
      local s = v.settings[k]
      cells[#cells + 1] = { s == nil and "-" or tostring(s), type(s) == "number" and s or nil }
    end
    cells[#cells + 1] = { readback.fmt_score(v.score), v.score or -1 }
    cells[#cells + 1] = { readback.fmt_ci(v.ci95), v.ci95 and v.ci95[1] or -1 }
    cells[#cells + 1] = { readback.num(v.tokens_per_s, 1), v.tokens_per_s or -1 }
    cells[#cells + 1] = { readback.fmt_duration(v.duration), v.duration or -1 }
    cells[#cells + 1] = { v.status .. (v.superseded_by and (" by #" .. v.superseded_by) or "") }
    cells[#cells + 1] = { has_detail[v.num] and string.format('<button type="button" class="show" data-run="%d">show</button>', v.num) or "-", nil, true }
    out[#out + 1] = string.format('<tr data-run="%d" class="st-%s">', v.num, esc(v.status))
    for _, c in ipairs(cells) do
      local text = c[3] and c[1] or esc(c[1])
      out[#out + 1] = c[2] ~= nil and string.format('<td data-v="%s">%s</td>', sort_key(c[2]), text) or string.format("<td>%s</td>", text)
    end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</tbody></table></div>"
  return table.concat(out, "")
end

local CSS = [[
:root { --fg: #1d2430; --muted: #5d6675; --line: #d9dee6; --bar: #4c78a8; --bg: #ffffff; --alt: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main { margin: 0 auto; padding: 12px 16px; }
header h1 { margin: 8px 0 2px; font-size: 1.5em; }
header p { margin: 0; color: var(--muted); }
h2 { margin: 28px 0 8px; font-size: 1.25em; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 18px 0 6px; font-size: 1.05em; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; border: 1px solid var(--line); border-radius: 6px; }
table.runs { border-collapse: collapse; width: 100%; font-size: 13px; white-space: nowrap; }
table.runs th, table.runs td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; }
table.runs th { position: sticky; top: 0; background: var(--alt); cursor: pointer; user-select: none; }
table.runs th[aria-sort="ascending"]::after { content: " \25B2"; }
table.runs th[aria-sort="descending"]::after { content: " \25BC"; }
table.runs td[data-v] { text-align: right; font-variant-numeric: tabular-nums; }
table.runs tr.st-failed td, table.runs tr.st-superseded td { color: var(--muted); }
table.runs tr.st-interrupted td:nth-last-child(2) { color: #b35c00; }
svg.chart { width: 100%; height: auto; display: block; margin: 6px 0 10px; }
.chartbox { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table.leaderboard td.cell { font-variant-numeric: tabular-nums; white-space: normal; }
table.leaderboard td.cell span, table.leaderboard td.cell b { white-space: nowrap; }
table.leaderboard td.top { background: #eaf5ec; }
table.leaderboard .ci, table.leaderboard .delta { color: var(--muted); }
table.leaderboard .best { color: #2e7d32; font-weight: 600; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .tick, svg .axis, svg .plabel { font-size: 12px; fill: var(--muted); }
svg .label { font-size: 13px; fill: var(--fg); }
svg .value { font-size: 12px; fill: var(--fg); }
svg .bar rect { fill: var(--bar); }
svg .ci { stroke: var(--fg); stroke-width: 1.5; fill: none; }
svg .point circle { fill: var(--bar); stroke: #fff; stroke-width: 1; }
.pair { display: grid; grid-template-columns: 1fr; gap: 8px; }
.note { color: var(--muted); font-size: 0.9em; }
button.show { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
#detail { margin-top: 16px; }
#detail .sample { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 6px 10px; }
#detail .sample.pass { border-left: 4px solid #2e9d4c; }
#detail .sample.fail { border-left: 4px solid #d64541; }
#detail .head { font-weight: 600; }
#detail pre { background: var(--alt); padding: 8px; overflow-x: auto; font-size: 12px; margin: 6px 0; white-space: pre; }
#detail input { font: inherit; padding: 4px 8px; width: 100%; max-width: 320px; margin: 4px 0; }
.legend { font-size: 12px; color: var(--muted); }
.legend span { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin: 0 2px 0 10px; }
@media (max-width: 700px) {
  body { font-size: 14px; }
  header, main { padding: 8px 10px; }
  svg .label { font-size: 15px; }
  svg .tick, svg .value, svg .plabel, svg .axis { font-size: 14px; }
}
]]

local JS = [==[
(function () {
  "use strict";
  // sortable runs table
  var table = document.getElementById("runs");
  if (table) {
    var heads = table.querySelectorAll("th");
    heads.forEach(function (th) {
      function sort() {
        var col = +th.getAttribute("data-col"), numeric = th.getAttribute("data-type") === "n";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var u = x.hasAttribute("data-v") ? x.getAttribute("data-v") : x.textContent;
          var v = y.hasAttribute("data-v") ? y.getAttribute("data-v") : y.textContent;
          var r = numeric ? (parseFloat(u) || 0) - (parseFloat(v) || 0) : u.localeCompare(v);
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }
  // per-sample detail, rendered on demand from the embedded JSON
  var prompts = null;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(run) {
    var data = document.getElementById("samples-" + run);
    if (!data) return;
    if (!prompts) prompts = JSON.parse(document.getElementById("prompts").textContent);
    var d = JSON.parse(data.textContent), box = document.getElementById("detail");
    box.textContent = "";
    box.appendChild(el("h2", null, "Run #" + run + ": " + d.title));
    var close = el("button", "show", "close");
    close.type = "button";
    close.addEventListener("click", function () { box.textContent = ""; });
    box.appendChild(close);
    var passed = 0;
    d.samples.forEach(function (s) { if (s[3]) passed++; });
    box.appendChild(el("p", "note", d.samples.length + " samples, " + passed + " passed" + (d.truncated ? " (the first " + d.samples.length + " of " + d.truncated + ")" : "")));
    var filter = el("input");
    filter.type = "search";
    filter.placeholder = "filter: problem id or verdict";
    filter.setAttribute("aria-label", "filter the samples");
    box.appendChild(filter);
    var list = el("div", "samples");
    box.appendChild(list);
    var shown = 0;
    function render(more) {
      var q = filter.value.toLowerCase();
      if (!more) { list.textContent = ""; shown = 0; }
      var n = 0;
      for (var i = 0; i < d.samples.length && n < 100; i++) {
        var s = d.samples[i];
        if (q && (s[0] + " " + s[2]).toLowerCase().indexOf(q) < 0) continue;
        if (more && i < shown) continue;
        var item = el("div", "sample " + (s[3] ? "pass" : "fail"));
        item.setAttribute("data-task", s[0]);
        item.appendChild(el("div", "head", s[0] + " · sample " + s[1] + " · " + s[2] + (s[6] ? " (" + s[6] + ")" : "")));
        var det = el("details");
        det.appendChild(el("summary", null, "prompt"));
        det.appendChild(el("pre", null, s[5] >= 0 ? prompts[s[5]] : "(not logged)"));
        item.appendChild(det);
        item.appendChild(el("pre", "code", s[4] === null ? "(no code)" : s[4]));
        list.appendChild(item);
        n++;
        shown = i + 1;
      }
      if (shown < d.samples.length && n === 100) {
        var b = el("button", "show", "more");
        b.type = "button";
        b.addEventListener("click", function () { b.remove(); render(true); });
        list.appendChild(b);
      }
    }
    filter.addEventListener("input", function () { render(false); });
    render(false);
    box.scrollIntoView();
  }
  document.querySelectorAll("button.show[data-run]").forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-run")); });
  });
  if (location.hash.indexOf("#run-") === 0) show(location.hash.slice(5));
})();
]==]

local MAX_SAMPLES = 5000 -- per run, in the page

--- build(all, o) -> html text
function M.build(all, o)
  local views, by_bench, bench_order = {}, {}, {}
  for i, r in ipairs(all) do
    local v = runs_mod.view(r)
    views[i] = v
    if not by_bench[v.benchmark] then by_bench[v.benchmark] = {}; bench_order[#bench_order + 1] = v.benchmark end
    table.insert(by_bench[v.benchmark], v)
  end
  -- sample logs: per-problem counts for the heatmap, records for the detail
  local per, detail, prompts, prompt_idx, has_detail = {}, {}, {}, {}, {}
  for _, v in ipairs(views) do
    if v.run_dir and v.status ~= "superseded" then
      local recs, total = {}, 0
      local p = samplelog.read(runs_mod.run_dir(all[v.num], o.results) .. "/samples.jsonl", o.samples and function(rec)
        if type(rec.task_id) ~= "string" or type(rec.passed) ~= "boolean" then return end
        total = total + 1
        if #recs >= MAX_SAMPLES then return end
        local pi = -1
        local prompt = runs_mod.val(rec.prompt)
        if type(prompt) == "string" then
          pi = prompt_idx[prompt]
          if not pi then prompts[#prompts + 1] = prompt; pi = #prompts - 1; prompt_idx[prompt] = pi end
        end
        local code = runs_mod.val(rec.code) or runs_mod.val(rec.solution) or runs_mod.val(rec.completion)
        if type(code) == "string" and #code > MAX_CODE then code = code:sub(1, MAX_CODE) .. "\n... (cut)" end
        local exc = runs_mod.val(rec.exception)
        recs[#recs + 1] = { rec.task_id, math.tointeger(rec.sample) or 0, tostring(runs_mod.val(rec.outcome) or (rec.passed and "passed" or "failed")),
          rec.passed and 1 or 0, type(code) == "string" and code or cjson.null, pi, type(exc) == "string" and exc or cjson.null }
      end or nil)
      if p and #p.ids > 0 then
        per[v.num] = p
        if #recs > 0 then
          detail[v.num] = { title = v.benchmark .. ", " .. v.model, samples = recs, truncated = total > #recs and total or nil }
          has_detail[v.num] = true
        end
      end
    end
  end

  local out = {}
  local function w(s) out[#out + 1] = s end
  w('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
  w('<meta name="viewport" content="width=device-width, initial-scale=1">')
  w('<link rel="icon" href="data:,">')
  local from = o.files and table.concat(o.files, ", ") or o.results
  w("<title>benchlua report: " .. esc(from) .. "</title>")
  w("<style>" .. CSS .. "</style></head><body>")
  w(string.format('<header><h1>benchlua report</h1><p>%d runs from <code>%s</code>, %s. Scores with 95%% intervals (Wilson for one sample per problem, t over problems for several).</p></header><main>',
    #views, esc(from), os.date("!%Y-%m-%d %H:%M UTC")))
  local board = leaderboard.build(all, o)
  if #board.rows > 0 then
    w('<h2 id="leaderboard-h">Leaderboard</h2><p class="note">Each model and server setting against each benchmark: the latest ok run\'s score with its 95% interval and the runs behind it; the best of each column in bold, the others with their difference from it and the p-value of the paired test.</p>')
    w(leaderboard_table(board))
  end
  w('<h2 id="runs-h">Runs</h2><p class="note">Click a column to sort; "show" opens a run\'s samples.</p>')
  w(runs_table(views, has_detail))
  w('<section id="detail" aria-live="polite"></section>')
  for _, name in ipairs(bench_order) do
    local bv = by_bench[name]
    local charted = {}
    for _, v in ipairs(bv) do
      if v.status == "ok" then charted[#charted + 1] = v end
    end
    if #charted > MAX_CHART_RUNS then charted = table.move(charted, #charted - MAX_CHART_RUNS + 1, #charted, 1, {}) end
    local label = labels(#charted > 0 and charted or bv)
    w(string.format('<section class="benchmark" data-benchmark="%s"><h2>%s</h2>', esc(name), esc(name)))
    if #charted == 0 then
      w('<p class="note">No successful run of this benchmark yet.</p>')
    else
      w("<h3>Score with 95% interval</h3>")
      w(chartbox(score_chart(charted, label, name)))
      w("<h3>Quality against speed</h3>")
      w(chartbox(scatter(charted, label, name)))
      local cols = {}
      for _, v in ipairs(charted) do if per[v.num] then cols[#cols + 1] = v end end
      w("<h3>Problems by runs</h3>")
      w(chartbox(heatmap(cols, per, name)))
    end
    w("</section>")
  end
  w("</main>")
  w('<script type="application/json" id="prompts">' .. (#prompts > 0 and script_json(prompts) or "[]") .. "</script>")
  for _, v in ipairs(views) do
    if detail[v.num] then
      w(string.format('<script type="application/json" id="samples-%d">%s</script>', v.num, script_json(detail[v.num])))
    end
  end
  w("<script>" .. JS .. "</script></body></html>\n")
  return table.concat(out, "\n")
end

return M
