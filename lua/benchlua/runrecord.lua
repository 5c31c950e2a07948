-- runrecord.lua: the run record, as runner.run and a sweep's runs that could
-- not start write it to the results file (results.record), and the run's
-- own directory (make_run_dir).
local results = require("benchlua.results")
local json = require("benchlua.json")
local path = require("benchlua.path")
local M = {}

-- The model, recorded the same way whether benchlua started the server or
-- not: its full path (as the server reports it, for an endpoint), and its
-- file name. -> path, name
local function model_of(opts, info)
  local path = opts.model and path.abspath(opts.model) or (info and (info.model_path or info.model))
  return path, path and path:match("([^/]+)/*$") or opts.model_name or (opts.endpoints and opts.endpoints[1])
end

local function base_config(opts, info)
  local cfg = {
    path = (model_of(opts, info)), gpu_layers = opts.gpu_layers, ctx = opts.ctx, parallel = opts.parallel,
    server_args = setmetatable(opts.server_arg or {}, json.array_mt),
    endpoint = opts.endpoint, concurrency = opts.concurrency or (info and info.slots), model_name = opts.model_name,
  }
  if info then
    cfg.server = { slots = info.slots, ctx_per_slot = info.ctx_per_slot, model = info.model,
      n_params = info.n_params, model_size = info.model_size }
  end
  if info and opts.endpoints then -- each endpoint and what it said of itself
    cfg.endpoints = info.endpoints
      or json.array({ { url = info.url, slots = info.slots, model = info.model, build = info.build } })
  end
  return cfg
end

-- This machine's name, as a part of a file name ("host" when unknown)
local function hostname()
  local f = io.open("/proc/sys/kernel/hostname")
  local h = f and f:read("l")
  if f then f:close() end
  h = (h or os.getenv("HOSTNAME") or ""):match("^[^.]*"):gsub("[^%w_-]", "_"):sub(1, 40)
  return h ~= "" and h or "host"
end

--- make_run_dir(opts, name) -> a new directory of its own | nil, err:
-- RUNS/STAMP-NAME-HOST-PID, or with -2, -3 ... after it when that is taken.
-- Created exclusively, so never shared: not by two runs of one process in
-- one second, nor by Slurm tasks on two nodes writing to one shared RUNS.
function M.make_run_dir(opts, name)
  local base = opts.runs_dir or (path.dirname(opts.results) .. "/benchlua-runs")
  local ok, err = bench.fs.mkdir_p(base)
  if not ok then return nil, err end
  local stem = string.format("%s/%s-%s-%s-%d", base, os.date("!%Y%m%dT%H%M%SZ"), name, hostname(), bench.fs.getpid())
  for n = 1, 1000 do
    local dir = n == 1 and stem or (stem .. "-" .. n)
    local code
    ok, err, code = bench.fs.mkdir(dir)
    if ok then return dir end
    if code ~= "EEXIST" then return nil, err end
  end
  return nil, err
end

-- The Slurm job this process runs in, if any (recorded with every run).
function M.slurm_env()
  local job = os.getenv("SLURM_JOB_ID")
  if not job then return nil end
  return { job_id = job, array_job_id = os.getenv("SLURM_ARRAY_JOB_ID"),
    array_task_id = os.getenv("SLURM_ARRAY_TASK_ID"), node = os.getenv("SLURMD_NODENAME") }
end

--- new(name, opts, o) -> the record of a run of benchmark `name` with
-- options opts: o.run_dir its directory, o.identity the settings a resumed
-- run must share (config.options), o.sweep its place in a sweep. Its model
-- and config are opts' until server() adds what the server said.
function M.new(name, opts, o)
  local run = {
    benchmark = name, results = {}, run_dir = o.run_dir,
    reproducibility = { benchlua_version = bench.version, seed = opts.seed },
    timestamp = results.iso_time(bench.time()), slurm = M.slurm_env(), sweep = o.sweep,
  }
  M.server(run, opts, nil, o.identity)
  return run
end

--- server(run, opts, info, identity): the model and config as the ready
-- server (info, from server.wait_ready) describes them
function M.server(run, opts, info, identity)
  run.model = select(2, model_of(opts, info))
  run.config = base_config(opts, info)
  run.config.options = identity
  if info then run.reproducibility.server_build = info.build end
end

return M
