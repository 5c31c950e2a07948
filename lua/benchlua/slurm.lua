-- slurm.lua: `benchlua sweep FILE --slurm`: the sweep as one Slurm job array,
-- one array task per cell, each running `benchlua sweep FILE --cell N` on its
-- node. Runs record their job (runrecord.slurm_env); nodes write to the one
-- results file under its lock (a shared filesystem with working flock), or
-- one file per cell with --results-dir. --wait polls squeue until the array
-- has left the queue, then prints the sweep's summary.
local sweep = require("benchlua.sweep")
local dirname = require("benchlua.path").dirname
local M = {}

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- how long sbatch and squeue may take (a hung slurmctld): 60 s, or
-- $BENCHLUA_SLURM_TIMEOUT seconds
local function timeout()
  local t = tonumber(os.getenv("BENCHLUA_SLURM_TIMEOUT") or "")
  return t and t > 0 and t or 60
end

-- sbatch or squeue -> stdout | nil, err (one line). A Ctrl-C or SIGTERM
-- while it runs is raised on as "interrupted" / "terminated".
local function run(argv)
  local t = timeout()
  local ok, r, err = pcall(bench.run_script, { argv = argv, timeout = t })
  if not ok then
    local e = tostring(r)
    local sig = e:match("^(interrupted)") or e:match("^(terminated)")
    if sig then error(sig, 0) end
    return nil, string.format("%s: %s", argv[1], (e:gsub("\n.*", "")))
  end
  if not r then return nil, argv[1] .. ": " .. tostring(err) end
  if not r.ok then
    local why = (r.stderr ~= "" and r.stderr or r.stdout):gsub("%s+$", ""):gsub("\n", "; ")
    return nil, string.format("%s failed (%s)%s", argv[1],
      r.timed_out and string.format("no answer in %g s", t) or r.signal and ("signal " .. r.signal)
      or ("status " .. tostring(r.code)), why ~= "" and (": " .. why) or "")
  end
  return r.stdout
end

-- a path with a control character (a newline ends a line of the batch
-- script) -> the path shown on one line | nil
function M.control_char(p)
  if not tostring(p):find("%c") then return nil end
  return (tostring(p):gsub("%c", function(c) return string.format("\\%03d", c:byte()) end))
end

-- "1-4", or "2,4" when only some cells are left (--resume)
local function array_spec(cells)
  if #cells > 1 and cells[#cells] - cells[1] + 1 == #cells then
    return cells[1] .. "-" .. cells[#cells]
  end
  return table.concat(cells, ",")
end

--- The batch script each array task runs: the snapshot of the sweep file
-- (what was submitted), as the sweep file. Every path in it is quoted.
function M.script(sw, flags, snapshot)
  local argv = { quote(bench.exe), "sweep", quote(snapshot), "--snapshot-of", quote(sw.file),
    "--cell", '"$SLURM_ARRAY_TASK_ID"' }
  if flags.resume then argv[#argv + 1] = "--resume" end
  if flags.results_dir then argv[#argv + 1] = "--results-dir " .. quote(flags.results_dir) end
  if flags.max_cells and flags.max_cells ~= 10000 then argv[#argv + 1] = "--max-cells " .. flags.max_cells end
  return "#!/bin/sh\n# written by benchlua sweep --slurm: one cell of the sweep per array task\n"
    .. "exec " .. table.concat(argv, " ") .. "\n"
end

--- Submit the sweep. -> exit code
function M.submit(sw, flags)
  local function fail(msg, code) io.stderr:write("benchlua: " .. msg .. "\n") return code or 1 end
  if not sw.file then return fail("--slurm needs a sweep FILE (array tasks read it on their nodes)", 2) end
  local fok, ferr = sweep.check_files(sw, true)
  if not fok then return fail(ferr, 2) end
  if flags.results_dir then flags.results_dir = sweep.abspath(flags.results_dir) end
  local dir = sw.options.runs_dir or (dirname(sw.results) .. "/benchlua-runs")
  for _, p in ipairs({ { "the sweep file's path", sw.file }, { "benchlua's path", bench.exe },
    { "the runs directory", dir }, { "--results-dir", flags.results_dir } }) do
    local shown = p[2] and M.control_char(p[2])
    if shown then
      return fail(string.format("--slurm: %s has a control character ('%s'); it would go into the batch script", p[1], shown), 2)
    end
  end
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
  local ok, merr = bench.fs.mkdir_p(dir)
  if not ok then return fail(merr) end
  local stamp = os.date("!%Y%m%dT%H%M%SZ")
  local script = string.format("%s/%s-sweep-%d.sbatch", dir, stamp, bench.fs.getpid())
  -- the tasks run a copy of the sweep file as it is now, not as it is when
  -- they start (it may be edited while they wait in the queue)
  local snapshot = string.format("%s/%s-sweep-%d.lua", dir, stamp, bench.fs.getpid())
  local sok, serr = bench.fs.write_atomic(snapshot, sw.text)
  if not sok then return fail(serr) end
  local wok, werr = bench.fs.write_atomic(script, M.script(sw, flags, snapshot))
  if not wok then return fail(werr) end
  -- (a requeued task appends to its log: what the first attempt said stays)
  local argv = { "sbatch", "--parsable", "--array=" .. array_spec(cells), "--job-name=benchlua-sweep",
    "--output=" .. dir .. "/slurm-%A_%a.out", "--open-mode=append" }
  for _, a in ipairs(flags.slurm_arg) do argv[#argv + 1] = a end
  argv[#argv + 1] = script
  local rok, out, err = pcall(run, argv)
  if not rok then -- Ctrl-C or SIGTERM while sbatch ran
    io.stderr:write(string.format("benchlua: %s while sbatch ran; the job may have been submitted (squeue --me)\n", tostring(out)))
    return 1 -- the exit status becomes 128 + the signal
  end
  if not out then return fail(err) end
  local job = out:match("^%s*(%d+)")
  if not job then return fail("sbatch printed no job id: " .. out) end
  io.stdout:write(string.format("submitted job array %s: %d task%s (cells %s) of %s\n", job, #cells,
    #cells == 1 and "" or "s", array_spec(cells), sw.file))
  io.stdout:write(string.format("the tasks run the sweep as submitted: %s (digest %s)\n", snapshot, sw.digest))
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
    if r.sweep.digest ~= sw.digest then return false end -- another version of the file
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
  -- the file edited since: what the job ran is the submitted version
  local lok, now = pcall(sweep.load, sw.file, flags)
  if not lok or not now or now.digest ~= sw.digest then
    io.stderr:write(string.format("sweep: %s changed since it was submitted; job %s ran (and this summary shows) the submitted version, %s\n",
      sw.file, job, snapshot))
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
  local runs = sweep.recorded(sw, flags) or {}
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
