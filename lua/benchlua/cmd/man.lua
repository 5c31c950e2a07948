-- cmd/man.lua: `benchlua --man`: the man page (roff, lua/benchlua/manpage.lua)
-- from the option specs of the commands and the shipped benchmarks.
local runner = require("benchlua.runner")
local manpage = require("benchlua.manpage")
local M = {
  name = "--man",
  summary = { { "--man", "the man page (roff), from the option specs" } },
  usage = "benchlua --man   the man page (roff), from the option specs",
  options = {},
}

-- the commands in the man page's COMMANDS section, in its order
local COMMANDS = { "sweep", "results", "merge", "leaderboard", "compare", "report", "list", "fetch", "test" }

function M.command()
  local commands = {}
  for i, name in ipairs(COMMANDS) do
    local c = require("benchlua.cmd." .. name)
    commands[i] = { name = c.name, usage = c.usage:match("^(.-)\n\n") or c.usage, spec = c.options }
  end
  local benchmarks = {}
  for _, name in ipairs(runner.shipped(true)) do
    local spec = runner.load(runner.find(name))
    if spec then benchmarks[#benchmarks + 1] = spec end
  end
  io.stdout:write(manpage.render(bench.version, runner.host_options, require("benchlua.cmd.run").options, commands, benchmarks))
  return 0
end

return M
