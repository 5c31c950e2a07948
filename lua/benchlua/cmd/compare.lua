-- cmd/compare.lua: `benchlua compare [A B]`: run B against run A
-- (lua/benchlua/compare.lua computes and writes the comparison).
local cmd = require("benchlua.cmd")
local readback = require("benchlua.readback")
local compare = require("benchlua.compare")
local json = require("benchlua.json")
local M = {
  name = "compare",
  summary = { { "compare [A B]", "run B against run A: delta, interval, paired test, flips" } },
  usage = "usage: benchlua compare [A B] [options]    run B against run A (numbers as `benchlua results` shows them;\n" ..
          "                                          default: the last two runs of the last run's benchmark)",
  fast_exit = true,
}

M.options = {
  cmd.FILE_OPT,
  { name = "format", default = "text", choices = { "text", "json" }, help = "output format" },
  cmd.HELP_OPT,
}

function M.command(argv)
  local o, pos = cmd.parse(M, argv)
  if not o then return pos end
  local all, err = readback.load(o.results)
  if not all then return cmd.fail(err, 1) end
  local a, b = compare.pick(all, pos)
  if not a then return cmd.fail(b, 2) end
  local r = compare.compare(a, b, o.results)
  if o.format == "json" then
    local names = r.difference_names
    r.difference_names = nil
    io.stdout:write(json.encode(r, "  "), "\n")
    r.difference_names = names
  else
    io.stdout:write(compare.text(r))
  end
  -- (why is in the text's NOT COMPARABLE line, and in json's not_comparable)
  return r.comparable and 0 or 1
end

return M
