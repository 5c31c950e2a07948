-- overlap.lua: should a code benchmark score samples while the server is
-- still generating? Only when the two do not fight for the same cores: on a
-- machine without a GPU llama-server keeps every core busy, and scorers
-- beside it slow both down (HumanEval's 164 samples with the tiny model:
-- generation 4.9 s, scoring 4.9 s, overlapped 12-14 s). Used by
-- lua/benchlua/codebench.lua; the decision and its reason go in the record.
local M = {}

-- "0-3,6" -> set of CPU numbers, count
local function cpu_set(list)
  local set, n = {}, 0
  for a, b in (list or ""):gmatch("(%d+)%-?(%d*)") do
    for c = tonumber(a), b ~= "" and tonumber(b) or tonumber(a) do
      if not set[c] then set[c], n = true, n + 1 end
    end
  end
  return set, n
end

local function allowed_cpus(pid)
  local f = io.open("/proc/" .. tostring(pid) .. "/status")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  local list = s:match("Cpus_allowed_list:%s*(%S+)")
  if not list then return nil end
  return cpu_set(list)
end

--- overlap.server_facts(server, opts) -> {gpu = bool, threads = N | nil,
-- cpus = set | nil, remote = bool, external = bool}: what benchlua can tell
-- of where the server computes: -ngl (--gpu-layers or a --server-arg), the
-- log's "offloaded N/M layers to GPU" and threads line, its CPU affinity.
function M.server_facts(server, opts)
  local f = { gpu = false, external = server and server.external or false }
  if (opts.gpu_layers or 0) > 0 then f.gpu = true end
  local args = opts.server_arg or {}
  for i, a in ipairs(args) do
    local v = args[i + 1]
    if (a == "-ngl" or a == "--gpu-layers" or a == "--n-gpu-layers") and v and v ~= "0" then f.gpu = true end
    if (a == "-t" or a == "--threads") and tonumber(v) then f.threads = tonumber(v) end
  end
  if f.external then -- remote when every endpoint is on another host
    f.remote = true
    for _, m in ipairs(server.members or { server }) do
      local host = (m.url or ""):match("^%a+://%[?([^/%]]+)") or ""
      host = host:gsub(":%d+$", "")
      if host == "localhost" or host:match("^127%.") or host == "::1" then f.remote = false end
    end
    return f
  end
  local log = server and server.log and io.open(server.log)
  if log then
    local text = log:read(1 << 20) or ""
    log:close()
    local n = tonumber(text:match("offloaded (%d+)/%d+ layers to GPU"))
    if n and n > 0 then f.gpu = true end
    f.threads = f.threads or tonumber(text:match("n_threads = (%d+)"))
  end
  if server and server.proc then f.cpus = allowed_cpus(server.proc:pid()) end
  return f
end

--- overlap.decide(ctx, workers) -> {overlap = bool, workers = N, config =
-- {mode, overlap, workers, why}}. ctx.opts.overlap: "auto" | "on" | "off".
-- auto overlaps when the server computes elsewhere (another host, a GPU,
-- CPUs of its own), or on the cores its threads leave free; else it scores
-- after generation.
function M.decide(ctx, workers)
  local mode = ctx.opts.overlap or "auto"
  local function plan(on, n, why)
    return { overlap = on, workers = n, config = { mode = mode, overlap = on, workers = n, why = why } }
  end
  if mode == "on" then return plan(true, workers, "--overlap on") end
  if mode == "off" then return plan(false, workers, "--overlap off") end
  local f = M.server_facts(ctx.server, ctx.opts)
  if f.external and f.remote then return plan(true, workers, "the server is on another host") end
  if f.gpu then return plan(true, workers, "the server computes on a GPU") end
  if f.external then
    return plan(false, workers, "a local endpoint is assumed to share the cores (--overlap on if it computes on a GPU)")
  end
  local mine, ncpu = allowed_cpus("self")
  if f.cpus and mine then
    local shared = 0
    for c in pairs(f.cpus) do if mine[c] then shared = shared + 1 end end
    if shared == 0 then return plan(true, workers, "the server runs on other CPUs than the scorers") end
  end
  if f.threads and ncpu and f.threads < ncpu then
    local free = ncpu - f.threads
    return plan(true, math.min(workers, free), string.format("the server's %d threads leave %d of %d cores free: scoring on %d while generating",
      f.threads, free, ncpu, math.min(workers, free)))
  end
  return plan(false, workers, string.format("the server computes on the CPUs the scorers use (%s threads, %d cores): scoring after generation",
    f.threads and tostring(f.threads) or "its default", ncpu or 0))
end

return M
