-- cmd/report.lua: `benchlua report [FILE...] -o report.html`: one
-- self-contained HTML page of the runs (lua/benchlua/report.lua builds it).
local cmd = require("benchlua.cmd")
local readback = require("benchlua.readback")
local report = require("benchlua.report")
local M = {
  name = "report",
  summary = { { "report [FILE] -o report.html", "one self-contained HTML page of the runs" } },
  usage = "usage: benchlua report [FILE] -o report.html   one self-contained HTML page of every run",
  fast_exit = true,
}

M.options = {
  cmd.FILE_OPT,
  { name = "output", default = "report.html", metavar = "FILE", help = "the HTML file to write (-o)" },
  { name = "samples", default = true, help = "embed every run's per-sample detail (--no-samples: scores only)" },
  cmd.HELP_OPT,
}

function M.command(argv)
  local o, code = cmd.parse(M, argv, true)
  if not o then return code end
  local all, err = readback.load(o.files or o.results)
  if not all then return cmd.fail(err, 1) end
  local html = report.build(all, o)
  local ok, werr = bench.fs.write_atomic(o.output, html)
  if not ok then return cmd.fail(werr, 1) end
  io.stdout:write(string.format("report: %d runs from %s written to %s (%d KB)\n", #all,
    o.files and table.concat(o.files, ", ") or o.results, o.output, (#html + 1023) // 1024))
  return 0
end

return M
