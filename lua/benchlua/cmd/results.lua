-- cmd/results.lua: `benchlua results [FILE...] [--format ...] [filters]`:
-- the runs in a results file, one per line, numbered from 1.
local cmd = require("benchlua.cmd")
local readback = require("benchlua.readback")
local runs_mod = require("benchlua.runs")
local json = require("benchlua.json")
local M = {
  name = "results",
  summary = { { "results [FILE] [--format table|md|csv|json|jsonl]", "the recorded runs, numbered from 1" } },
  usage = "usage: benchlua results [FILE] [options]   the runs in a results file, one per line",
  fast_exit = true,
}

M.options = {
  cmd.FILE_OPT,
  { name = "format", default = "table", choices = { "table", "md", "csv", "json", "jsonl" }, help = "output format" },
  { name = "benchmark", type = "string", metavar = "NAME", help = "only runs of this benchmark" },
  { name = "model", type = "string", metavar = "GLOB", help = "only runs whose model file name matches (shell glob)" },
  { name = "status", type = "string", metavar = "STATUS", help = "only runs with this status (ok, failed, interrupted, superseded)" },
  { name = "last", type = "int", min = 1, metavar = "N", help = "only the last N runs (after the other filters)" },
  { name = "wide", default = false, help = "also the dataset, its digest and the benchmarks' own options (table, md)" },
  { name = "all", default = false, help = "also failed and superseded runs (shown with --status anyway)" },
  cmd.HELP_OPT,
}

function M.command(argv)
  collectgarbage("generational") -- many small tables that all live to the end
  local o, code = cmd.parse(M, argv, true)
  if not o then return code end
  local all, err = readback.load(o.files or o.results, runs_mod.VIEW_FIELDS)
  if not all then return cmd.fail(err, 1) end
  local pat = o.model and runs_mod.glob(o.model)
  -- the table and md (for a person) leave failed and superseded runs out
  -- unless --all; csv, json and jsonl (for scripts) have every run
  local shown_all = o.all or (o.format ~= "table" and o.format ~= "md")
  local views = {}
  for _, r in ipairs(all) do
    local v = runs_mod.view(r)
    if (not o.benchmark or v.benchmark == o.benchmark) and (not pat or v.model:match(pat))
      and (o.status and v.status == o.status or not o.status and (shown_all or v.status ~= "failed" and v.status ~= "superseded")) then
      views[#views + 1] = v
    end
  end
  if o.last and #views > o.last then views = table.move(views, #views - o.last + 1, #views, 1, {}) end
  local out
  if o.format == "json" then
    local list = json.array()
    for i, v in ipairs(views) do list[i] = readback.json_view(v) end
    out = { json.encode(list, "  ") }
  elseif o.format == "jsonl" then
    out = {}
    for i, v in ipairs(views) do out[i] = json.encode(readback.json_view(v)) end
  elseif #views == 0 then
    io.stderr:write(string.format("benchlua: no runs%s in %s\n", #all > 0 and " match" or "", o.results))
    return 0
  elseif o.format == "md" then out = readback.md_text(views, o.wide)
  elseif o.format == "csv" then out = readback.csv_text(views)
  else out = readback.table_text(views, o.wide) end
  if #out > 0 then io.stdout:write(table.concat(out, "\n"), "\n") end
  return 0
end

return M
