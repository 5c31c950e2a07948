-- cmd.lua: what the commands of lua/benchlua/cmd/ share. A command is a
-- module returning {name=, summary= {{synopsis, what}...} (its lines in
-- `benchlua --help`), usage= (its own help and the man page's), options=
-- (option specs), command = function(argv, usage) -> exit code}; main.lua
-- dispatches to it. Only commands print outcomes and choose exit codes.
local options = require("benchlua.options")
local M = {}

--- fail(msg, [code]) -> code (default 2): "benchlua: msg" on stderr
function M.fail(msg, code)
  io.stderr:write("benchlua: " .. msg .. "\n")
  return code or 2
end

M.FILE_OPT = { name = "results", default = "benchmark_results.json", metavar = "FILE", help = "results file" }
M.HELP_OPT = { name = "help", default = false, help = "show this help" }

--- parse(c, argv, [files]) -> opts, positional | nil, exit code: command c's
-- options from argv[2]; `-o` is `--output`; --help prints c's usage. With
-- files, positional FILEs are the results files read (results, leaderboard,
-- report): opts.results the first, opts.files all when several.
function M.parse(c, argv, files)
  local args = {}
  for i = 2, #argv do args[#args + 1] = argv[i] == "-o" and "--output" or argv[i] end
  local opts, pos = options.parse(args, 1, { c.options })
  if not opts then return nil, M.fail(pos, 2) end
  if opts.help then
    io.stdout:write(c.usage, "\n\noptions:\n", options.help(c.options), "\n")
    return nil, 0
  end
  if files then
    if pos[1] then
      if opts.results ~= "benchmark_results.json" and opts.results ~= pos[1] then
        return nil, M.fail(string.format("%s: the results file is given twice ('%s' and --results %s)", c.name, pos[1], opts.results), 2)
      end
      opts.results = pos[1]
    end
    opts.files = #pos > 1 and pos or nil
  end
  return opts, pos
end

return M
