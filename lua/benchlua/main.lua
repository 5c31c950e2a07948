-- main.lua: the command line. Returns the function main.c runs as the main
-- task with the argument list; its return value is the exit code. A
-- dispatch table: each command is a module of lua/benchlua/cmd/ (see cmd.lua).
require("benchlua.api")
local options = require("benchlua.options")

local version = {
  name = "--version", summary = { { "--version" } },
  command = function()
    print("benchlua " .. bench.version .. " (" .. _VERSION .. ")")
    return 0
  end,
}

-- the commands, in the order `benchlua --help` lists them: a module name
-- under benchlua.cmd, or the command itself
local ORDER = { "run", "sweep", "results", "compare", "leaderboard", "report", "list", "fetch", "test", version, "man" }
local function load(c) return type(c) == "table" and c or require("benchlua.cmd." .. c) end

-- benchlua's usage, from the commands' summaries
local function usage()
  local lines = {}
  for _, c in ipairs(ORDER) do
    for _, s in ipairs(load(c).summary) do
      local left = "benchlua " .. s[1]
      if s[2] and #left <= 37 then left = string.format("%-37s %s", left, s[2])
      elseif s[2] then left = left .. "\n" .. string.rep(" ", 45) .. s[2] end
      lines[#lines + 1] = (#lines == 0 and "usage: " or "       ") .. left
    end
  end
  return table.concat(lines, "\n") .. [[


examples:
  benchlua human_eval --model m.gguf --gpu-layers 80
  benchlua benchmarks/human_eval.lua --endpoint http://127.0.0.1:8080
  benchlua run --benchmark human_eval --script run_eval.py --model m.gguf --gpu-layers 80
]]
end

-- argv[1] -> the command (any other word is a benchmark: run)
local COMMANDS = { sweep = "sweep", results = "results", compare = "compare", leaderboard = "leaderboard",
  report = "report", list = "list", fetch = "fetch", test = "test", ["--version"] = version, ["--man"] = "man" }

return function(argv)
  local first = argv[1]
  if first == nil or first == "--help" or first == "-h" or first == "help" then
    io.stdout:write(usage(), "\ncommon options:\n", options.help(require("benchlua.runner").host_options), "\n")
    return first == nil and 2 or 0
  end
  local c = load(first == "results" and argv[2] == "merge" and "merge" or COMMANDS[first] or "run")
  local code = c.command(argv, usage)
  if c.fast_exit then
    -- It only read and started nothing: exit now rather than free every
    -- decoded run one at a time in lua_close (a tenth of `results` on a
    -- large file).
    io.stdout:flush()
    os.exit(code)
  end
  return code
end
