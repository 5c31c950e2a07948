-- cmd/list.lua: `benchlua list`: the shipped benchmarks, one a line.
local runner = require("benchlua.runner")
local M = {
  name = "list",
  summary = { { "list", "shipped benchmarks" } },
  usage = "benchlua list   the shipped benchmarks, one a line",
  options = {},
}

function M.command()
  for _, name in ipairs(runner.shipped()) do
    local spec = runner.load(runner.find(name))
    print(string.format("%-16s %s", name, spec and spec.description or ""))
  end
  return 0
end

return M
