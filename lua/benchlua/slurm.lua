-- slurm.lua: `benchlua sweep FILE --slurm`: the sweep as one Slurm job array,
-- one array task per cell, each running `benchlua sweep FILE --cell N` on its
-- node. Runs record their job (runner.slurm_env); nodes write to the one
-- results file under its lock (a shared filesystem with working flock), or
-- one file per cell with --results-dir. --wait polls squeue until the array
-- has left the queue, then prints the sweep's summary.
local M = {}

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function run(argv)
  local r, err = bench.run_script{ argv = argv, timeout = 120 }
  if not r then return nil, err end
  if not r.ok then
    local why = (r.stderr ~= "" and r.stderr or r.stdout):gsub("%s+$", "")
    return nil, string.format("%s failed (%s): %s", argv[1],
      r.timed_out and "timed out" or r.signal and ("signal " .. r.signal) or ("status " .. tostring(r.code)), why)
  end
  return r.stdout
end

-- "1-4", or "2,4" when only some cells are left (--resume)
local function array_spec(cells)
  if #cells > 1 and cells[#cells] - cells[1] + 1 == #cells then
    return cells[1] .. "-" .. cells[#cells]
  end
  return table.concat(cells, ",")
end

--- The batch script each array task runs.
function M.script(sw, flags)
  local argv = { quote(bench.exe), "sweep", quote(sw.file), "--cell", '"$SLURM_ARRAY_TASK_ID"' }
  if flags.resume then argv[#argv + 1] = "--resume" end
  if flags.results_dir then argv[#argv + 1] = "--results-dir " .. quote(flags.results_dir) end
  return "#!/bin/sh\n# written by benchlua sweep --slurm: one cell of " .. sw.file .. " per array task\n"
    .. "exec " .. table.concat(argv, " ") .. "\n"
end

--- Submit the sweep. -> exit code
function M.submit(sw, flags)
  local sweep = require("benchlua.sweep")
  local function fail(msg, code) io.stderr:write("benchlua: " .. msg .. "\n") return code or 1 end
  if not sw.file then return fail("--slurm needs a sweep FILE (array tasks read it on their nodes)", 2) end
  local fok, ferr = sweep.check_files(sw, true)
  if not fok then return fail(ferr, 2) end
  if flags.results_dir then flags.results_dir = sweep.abspath(flags.results_dir) end
  local done = {}
  if flags.resume then
    local d, err = sweep.done_set(sw, flags)
    if not d then return fail(err, 2) end
    done = d
  end
  local cells = {}
  for _, cell in ipairs(sw.cells) do
    for bi = 1, #sw.benchmarks do
      if not done[cell.n .. ":" .. bi] then cells[#cells + 1] = cell.n break end
    end
  end
  if #cells == 0 then
    io.stderr:write("sweep: every run is already recorded\n")
    return sweep.summary(sw, flags) and 0 or 1
  end
  local dir = sw.options.runs_dir or ((sw.results:match("^(.*)/[^/]*$") or ".") .. "/benchlua-runs")
  local ok, merr = bench.fs.mkdir_p(dir)
  if not ok then return fail(merr) end
  local stamp = os.date("!%Y%m%dT%H%M%SZ")
  local script = string.format("%s/%s-sweep-%d.sbatch", dir, stamp, bench.fs.getpid())
  local wok, werr = bench.fs.write_atomic(script, M.script(sw, flags))
  if not wok then return fail(werr) end
  -- (a requeued task appends to its log: what the first attempt said stays)
  local argv = { "sbatch", "--parsable", "--array=" .. array_spec(cells), "--job-name=benchlua-sweep",
    "--output=" .. dir .. "/slurm-%A_%a.out", "--open-mode=append" }
  for _, a in ipairs(flags.slurm_arg) do argv[#argv + 1] = a end
  argv[#argv + 1] = script
  local out, err = run(argv)
  if not out then return fail(err) end
  local job = out:match("^%s*(%d+)")
  if not job then return fail("sbatch printed no job id: " .. out) end
  io.stdout:write(string.format("submitted job array %s: %d task%s (cells %s) of %s\n", job, #cells,
    #cells == 1 and "" or "s", array_spec(cells), sw.file))
  io.stdout:flush() -- the job id now, not when --wait ends
  local function follow(out)
    out:write(string.format("follow it with: squeue -j %s; logs: %s/slurm-%s_N.out\n", job, dir, job))
    out:write(string.format("when it has ended: benchlua sweep %s --dry-run --resume (what is done), %s\n",
      quote(sw.file), flags.results_dir and ("benchlua results merge " .. quote(flags.results_dir) .. " -o FILE")
      or ("benchlua results " .. quote(sw.results))))
  end
  if not flags.wait then
    follow(io.stdout)
    return 0
  end
  -- --wait: until no task of the array is queued or running; a line each
  -- time the tasks' states change ("1 running, 1 pending (ReqNodeNotAvail)").
  -- Ctrl-C, or squeue failing, ends the wait, not the job.
  io.stderr:write(string.format("sweep: waiting for job %s (squeue -j %s)\n", job, job))
  local wok, werr = pcall(function()
    local interval, said = 0.5, nil
    while true do
      local q, qerr = run({ "squeue", "-h", "-j", job, "-o", "%t %r" })
      if not q then
        if not qerr:find("Invalid job id") then error(qerr, 0) end
        return
      end
      if q:match("^%s*$") then return end
      local states = M.states(q)
      if states ~= said then
        io.stderr:write(string.format("sweep: job %s: %s\n", job, states))
        said = states
      end
      bench.sleep(interval)
      interval = math.min(interval * 1.5, 5)
    end
  end)
  if not wok then
    io.stderr:write(string.format("sweep: stopped waiting for job %s (%s); the job goes on\n", job, tostring(werr)))
    follow(io.stderr)
    return 1
  end
  io.stdout:write("\n")
  local submitted = {}
  for _, n in ipairs(cells) do submitted[n] = true end
  -- for the cells of this job, the runs this job recorded count, and those
  -- that were ok before (--resume: the task skipped them)
  local function counts(r)
    if not submitted[math.tointeger(r.sweep.cell)] then return true end
    if type(r.slurm) == "table" and tostring(r.slurm.array_job_id) == job then return true end
    return r.status == "ok" and done[math.tointeger(r.sweep.cell) .. ":" .. math.tointeger(r.sweep.index)]
  end
  local all_ok = sweep.summary(sw, flags, counts)
  if not all_ok then
    local latest = {}
    for _, r in ipairs(sweep.recorded(sw, flags) or {}) do
      if counts(r) then latest[math.tointeger(r.sweep.cell) .. ":" .. math.tointeger(r.sweep.index)] = r end
    end
    for _, n in ipairs(cells) do
      local cell_ok = true
      for bi = 1, #sw.benchmarks do
        local r = latest[n .. ":" .. bi]
        cell_ok = cell_ok and r ~= nil and r.status == "ok"
      end
      local why = not cell_ok and M.task_trouble(sw, flags, job, n, dir)
      if why then io.stderr:write(string.format("sweep: cell %d (task %s_%d): %s\n", n, job, n, why)) end
    end
    io.stderr:write(string.format("sweep: not every run succeeded; the tasks' logs are %s/slurm-%s_N.out\n", dir, job))
  end
  return all_ok and 0 or 1
end

local STATE = { PD = "pending", R = "running", CG = "completing", CF = "configuring", S = "suspended", RQ = "requeued" }

--- squeue's "%t %r" lines -> "1 running, 2 pending (BeginTime)"
function M.states(text)
  local count, order = {}, {}
  for st, reason in text:gmatch("(%S+) *([^\n]*)") do
    local k = (STATE[st] or st) .. ((reason ~= "" and reason ~= "None") and (" (" .. reason .. ")") or "")
    if not count[k] then order[#order + 1] = k count[k] = 0 end
    count[k] = count[k] + 1
  end
  for i, k in ipairs(order) do order[i] = count[k] .. " " .. k end
  return table.concat(order, ", ")
end

--- Why cell n of the array job did not end with every run ok, from its
-- task's log -> a line, or nil when its runs say it (a failed run).
-- slurmstepd writes "*** JOB 12 ON node CANCELLED AT ... ***" (scancel, time
-- limit, node failure) there; a task that recorded nothing ended on its
-- log's last line.
function M.task_trouble(sw, flags, job, n, dir)
  local runs = require("benchlua.sweep").recorded(sw, flags) or {}
  local recorded = false
  for _, r in ipairs(runs) do
    if math.tointeger(r.sweep.cell) == n and type(r.slurm) == "table" and tostring(r.slurm.array_job_id) == job then
      recorded = true
    end
  end
  local log = string.format("%s/slurm-%s_%d.out", dir, job, n)
  local text = bench.fs.read(log)
  if not text then return recorded and nil or "its task did not run (no " .. log .. ")" end
  local slurm_line
  for line in text:gmatch("[^\n]+") do
    if line:find("%*%*%* .* %*%*%*") then slurm_line = line end
  end
  if slurm_line then return (slurm_line:gsub("^.-%*%*%* *", ""):gsub(" *%*%*%*.*$", "")) end
  if recorded then return nil end
  return "it recorded no run; its log ends: " .. (text:match("([^\n]+)\n*$") or "")
end

return M
