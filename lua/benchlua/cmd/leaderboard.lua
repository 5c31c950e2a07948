-- cmd/leaderboard.lua: `benchlua leaderboard [FILE...]`: models x settings
-- against benchmarks (lua/benchlua/leaderboard.lua builds and renders it).
local cmd = require("benchlua.cmd")
local readback = require("benchlua.readback")
local lb = require("benchlua.leaderboard")
local M = {
  name = "leaderboard",
  summary = { { "leaderboard [FILE]", "models x settings against benchmarks, the best marked" } },
  usage = "usage: benchlua leaderboard [FILE] [options]   models x settings against benchmarks: scores, intervals, the best marked",
  fast_exit = true,
}

M.options = {
  cmd.FILE_OPT,
  { name = "format", default = "table", choices = { "table", "md", "csv", "json" }, help = "output format" },
  { name = "all", default = false, help = "pool every ok run of a cell (default: its latest ok run)" },
  { name = "benchmark", type = "string", metavar = "NAME", help = "only this benchmark" },
  { name = "model", type = "string", metavar = "GLOB", help = "only models whose file name matches (shell glob)" },
  { name = "width", type = "int", min = 20, max = 100000, metavar = "N",
    help = "fit the table into N columns (default: the terminal's width; no limit when not a terminal)" },
  cmd.HELP_OPT,
}

function M.command(argv)
  local o, code = cmd.parse(M, argv, true)
  if not o then return code end
  local all, err = readback.load(o.files or o.results, lb.FIELDS)
  if not all then return cmd.fail(err, 1) end
  local board = lb.build(all, o)
  if #board.rows == 0 then
    io.stderr:write(string.format("benchlua: no ok runs%s in %s\n", (o.benchmark or o.model) and " match" or "", o.results))
    return 0
  end
  local w = o.width or (o.format == "table" and bench.fs.term_width(1)) or nil
  io.stdout:write(readback.visible_lines(lb.render(board, o.format, w)), "\n")
  return 0
end

return M
