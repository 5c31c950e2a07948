-- cmd/sweep.lua: `benchlua sweep FILE | --model A --model B --benchmark NAME...`:
-- every benchmark on every (model, setting) (lua/benchlua/sweep.lua), or
-- the sweep submitted as a Slurm job array (lua/benchlua/slurm.lua).
local options = require("benchlua.options")
local sweep = require("benchlua.sweep")
local slurm = require("benchlua.slurm")
local run = require("benchlua.cmd.run")
local M = {
  name = "sweep",
  summary = { { "sweep FILE | --model A --model B --benchmark NAME...", "every benchmark on every (model, setting)" } },
  options = sweep.options,
}

M.usage = [[
usage: benchlua sweep FILE [--resume] [--dry-run] [--cell N] [--results-dir DIR]
       benchlua sweep FILE --slurm [--slurm-arg ARG]... [--wait]
       benchlua sweep --model A --model B --gpu-layers 40,99 --benchmark NAME... [options]
       benchlua sweep --model A --server-arg-set "-fa on" --server-arg-set "-fa off" --benchmark NAME:opt=val,...

Runs every benchmark on every (model, setting): one server start per cell;
ends with the leaderboard of its runs and a line for each run not ok.
A sweep FILE is a Lua file returning
  { models = {...}, settings = {{gpu_layers = 40}, ...}, benchmarks = {"throughput", {"human_eval", limit = 20}},
    options = {server_bin = "..."}, results = "sweep_results.json" }
]]

--- `benchlua sweep ...` -> exit code
function M.command(argv)
  local parsed, perr = sweep.parse_argv(argv, 2)
  if not parsed then io.stderr:write("benchlua: " .. perr .. "\n") return 2 end
  if parsed.help then
    io.stdout:write(M.usage, "\nsweep options:\n", options.help(sweep.options), "\n\nsettings and options: the common options (benchlua --help)\n")
    return 0
  end
  local sw, err
  local shown = parsed.flags.slurm and parsed.file and slurm.control_char(sweep.abspath(parsed.file))
  if shown then -- (before any message names it: they are one line)
    io.stderr:write(string.format("benchlua: --slurm: the sweep file's path has a control character ('%s'); it would go into the batch script\n", shown))
    return 2
  end
  if parsed.file then
    sw, err = sweep.load(parsed.file, parsed.flags, parsed.flags.snapshot_of)
  elseif parsed.flags.snapshot_of then
    io.stderr:write("benchlua: --snapshot-of goes with a sweep FILE\n") return 2
  else
    sw, err = sweep.validate(parsed.table, "command line", nil, parsed.flags)
  end
  if not sw then io.stderr:write("benchlua: " .. err .. "\n") return 2 end
  if parsed.quiet then sw.options.quiet = true end
  local flags = parsed.flags
  if flags.wait and not flags.slurm then io.stderr:write("benchlua: --wait goes with --slurm\n") return 2 end
  if #flags.slurm_arg > 0 and not flags.slurm then io.stderr:write("benchlua: --slurm-arg goes with --slurm\n") return 2 end
  if flags.dry_run then
    local done
    if flags.resume then
      local d, derr = sweep.done_set(sw, flags)
      if not d then io.stderr:write("benchlua: " .. derr .. "\n") return 2 end
      done = d
    end
    sweep.list(sw, done)
    return 0
  end
  if flags.slurm then
    if flags.cell then io.stderr:write("benchlua: --cell and --slurm do not go together\n") return 2 end
    return slurm.submit(sw, flags)
  end
  return sweep.run(sw, flags, run.exit_code)
end

return M
