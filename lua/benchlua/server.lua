-- server.lua: bench.spawn_server and bench.wait_ready, the model server's
-- lifecycle on top of bench.proc and bench.http. The server runs in its own
-- process group, dies with benchlua (PR_SET_PDEATHSIG via the exec helper),
-- and logs to a file whose tail goes into every error message.
local cjson = require("cjson.safe")
local llm = require("benchlua.llm")
local tasks = require("benchlua.tasks")
local json = require("benchlua.json")
local M = {}

local Server = {}
Server.__index = Server
Server.__name = "bench.Server"

local function exists(path)
  local st = bench.fs.stat(path)
  return st and st.type == "file"
end

local function executable(path)
  local st = bench.fs.stat(path)
  return st and st.type == "file" and (st.mode or 0x49) & 0x49 ~= 0 -- any x bit (0111)
end

local function which(name)
  if name:find("/") then return executable(name) and name or nil end
  for dir in (os.getenv("PATH") or "/usr/bin:/bin"):gmatch("[^:]+") do
    local p = dir .. "/" .. name
    if executable(p) then return p end
  end
end

--- Resolve the server binary: option, $BENCHLUA_SERVER_BIN,
-- ./build/bin/llama-server, then llama-server on PATH.
function M.find_binary(opt)
  local tried = {}
  local cands = { opt or false, os.getenv("BENCHLUA_SERVER_BIN") or false, "./build/bin/llama-server", "llama-server" }
  for _, cand in ipairs(cands) do
    if cand and cand ~= "" then
      local p = which(cand)
      if p then return p end
      tried[#tried + 1] = cand
      if cand == opt then
        if exists(opt) then return nil, string.format("server binary '%s' is not executable", opt) end
        return nil, string.format("server binary '%s' not found", opt)
      end
    end
  end
  return nil, "llama-server not found (tried " .. table.concat(tried, ", ")
    .. "); pass --server-bin PATH or set BENCHLUA_SERVER_BIN"
end

local TAIL_WINDOW = 64 * 1024 -- bytes at the end of the log that tail reads
local TAIL_LINE = 400 -- a longer line keeps its first and last 200 bytes

--- The last n lines of a file (the server log), from its last 64 KiB, each
-- cut in the middle past 400 bytes: they go into one-line error messages.
function M.tail(path, n)
  local f = path and io.open(path, "rb")
  if not f then return "" end
  -- only the end of the file: a server log can be gigabytes
  local size = f:seek("end") or 0
  local from = math.max(0, size - TAIL_WINDOW)
  f:seek("set", from)
  local data = f:read(TAIL_WINDOW) or ""
  f:close()
  if from > 0 then data = data:gsub("^[^\n]*\n", "", 1) end -- a partial first line (unless it is the last)
  local lines = {}
  for line in data:gmatch("[^\n]*") do
    if #line > TAIL_LINE then
      local keep = TAIL_LINE // 2
      line = string.format("%s [... %d bytes ...] %s", line:sub(1, keep), #line - 2 * keep, line:sub(-keep))
    end
    lines[#lines + 1] = line
  end
  while #lines > 0 and lines[#lines] == "" do lines[#lines] = nil end
  local first = math.max(1, #lines - (n or 15) + 1)
  return table.concat(lines, "\n", first)
end

--- bench.spawn_server{bin=, model=, host="127.0.0.1", port=0, gpu_layers=,
--   ctx=, parallel=, args={...}, log=PATH, env={...}} -> Server | nil, err
function M.spawn_server(o)
  if type(o) ~= "table" then error("spawn_server: expected an options table", 2) end
  if o.model ~= nil and type(o.model) ~= "string" then error("spawn_server: model option must be a path", 2) end
  for _, k in ipairs({ "port", "gpu_layers", "ctx", "parallel" }) do
    if o[k] ~= nil and math.type(o[k]) ~= "integer" then
      error("spawn_server: " .. k .. " option must be an integer", 2)
    end
  end
  if o.args ~= nil and type(o.args) ~= "table" then error("spawn_server: args option must be a list", 2) end
  local bin, err = M.find_binary(o.bin)
  if not bin then return nil, err end
  if o.model and not exists(o.model) then
    return nil, string.format("model file '%s' not found", o.model)
  end
  local host = o.host or "127.0.0.1"
  local port = o.port or 0
  if port == 0 then
    port, err = bench.net.free_port(host)
    if not port then return nil, err end
  elseif bench.net.port_in_use(host, port) then
    return nil, string.format("port %d on %s is already in use (pick another --port, or 0 for a free one)", port, host)
  end
  local argv = { bin }
  local function add(...) for _, a in ipairs({ ... }) do argv[#argv + 1] = tostring(a) end end
  if o.model then add("-m", o.model) end
  add("--host", host, "--port", port)
  if o.parallel then add("-np", o.parallel) end
  if o.ctx then add("-c", o.ctx) end
  if o.gpu_layers then add("-ngl", o.gpu_layers) end
  for _, a in ipairs(o.args or {}) do add(a) end
  local log = o.log or bench.fs.mkdtemp("benchlua-server") .. "/server.log"
  local proc, perr = bench.proc.spawn{
    argv = argv, env = o.env, stdout = { file = log, append = true }, stderr = "stdout",
  }
  if not proc then return nil, perr end
  local s = setmetatable({
    proc = proc, host = host, port = port, bin = bin, argv = argv, log = log,
    url = string.format("http://%s:%d", host:find(":") and ("[" .. host .. "]") or host, port),
    started = bench.now(), model = o.model,
  }, Server)
  return s
end

--- base_url(url) -> the URL without trailing slashes and /v1
function M.base_url(url)
  return (url:gsub("/+$", ""):gsub("/v1$", ""))
end

--- A handle for a server benchlua did not start (--endpoint URL). Requests
-- to it carry the API key from $BENCHLUA_API_KEY or $OPENAI_API_KEY, if set.
function M.endpoint(url)
  url = M.base_url(url)
  return setmetatable({ url = url, external = true, started = bench.now(), api_key = llm.api_key() }, Server)
end

--- A handle over several running servers (--endpoint given more than once).
-- Each request goes to the member with the most free slots (its slots from
-- /props less its requests in flight) and waits while every member is full:
-- pool:acquire() -> member (yields), pool:release(member). pool.url is the
-- first member's; wait_ready readies every member. pool:send() sends one
-- request and drops a member that died (its requests go to the others). A
-- request waiting for a slot parks on pool.turns (a tasks.semaphore) until a
-- release wakes it.
function M.pool(urls)
  local members = {}
  for i, u in ipairs(urls) do
    members[i] = M.endpoint(u)
    members[i].inflight, members[i].index = 0, i
  end
  return setmetatable({ url = members[1].url, external = true, started = bench.now(), members = members,
    api_key = members[1].api_key, turns = tasks.semaphore(0) }, Server)
end

M.UNKNOWN_SLOTS = 8 -- the slots of an endpoint without /props (vLLM, a proxy)

-- -> the live member with the most free slots (yields while all are full) |
-- nil when every member was dropped
function Server:acquire()
  while true do
    local best, best_free, live = nil, 0, false
    for _, m in ipairs(self.members) do
      if not m.dropped then
        live = true
        local free = (m.info and m.info.slots or M.UNKNOWN_SLOTS) - m.inflight
        if free > best_free then best, best_free = m, free end
      end
    end
    if best then
      best.inflight = best.inflight + 1
      return best
    end
    if not live then
      self.turns:wake() -- the next waiter finds none either
      return nil
    end
    self.turns:wait() -- more requests than slots: until one ends
  end
end

function Server:release(member)
  member.inflight = member.inflight - 1
  self.turns:wake()
end

-- Failures after which a member is asked whether it is still there: no
-- answer at all, or a proxy's "bad gateway" / "gateway timeout".
M.SUSPECT = { ECONNREFUSED = true, ECONNRESET = true, EEMPTY = true, EPARTIAL = true, ETIMEDOUT = true,
  ENOTFOUND = true, EHTTP = true, [502] = true, [504] = true }

--- Is a member still there? One /health request: any answer but a proxy's
-- 502/504 is yes (a server without /health says 404). -> true | false, why
function M.answers(member)
  local r, err = bench.http.request{ url = member.url .. "/health", timeout = 5, connect_timeout = 2,
    headers = llm.headers(member) }
  if r and r.status ~= 502 and r.status ~= 504 then return true end
  return false, r and ("HTTP " .. r.status) or err
end

--- pool:send(fn, params, opts, on_drop) -> fn's r | nil, err, code
-- fn(member, params, opts) on the member with the most free slots. A
-- request that fails as a dead server does (M.SUSPECT) on a member that then
-- does not answer /health drops that member (m.dropped = why; on_drop(m, why)
-- once) and goes to another; so do the requests queued for it. When no
-- member is left: nil, err naming each, "ENOENDPOINT".
function Server:send(fn, params, o, on_drop)
  while true do
    local m = self:acquire()
    if not m then
      local why = {}
      for _, x in ipairs(self.members) do why[#why + 1] = string.format("%s (%s)", x.url, x.dropped) end
      return nil, "no endpoint left, each stopped answering: " .. table.concat(why, "; "), "ENOENDPOINT"
    end
    local r, err, code
    do -- given back however the request ends (an error, a cancelled task)
      local _ <close> = setmetatable({}, { __close = function() self:release(m) end })
      r, err, code = fn(m, params, o)
    end
    if r or not M.SUSPECT[code] then return r, err, code end
    if not m.dropped then
      local alive, why = M.answers(m)
      if alive then return r, err, code end
      if not m.dropped then
        m.dropped = tostring(err) .. (why ~= err and ("; /health: " .. tostring(why)) or "")
        if on_drop then on_drop(m, m.dropped) end
      end
    end
  end
end

function Server:running()
  if self.external then return true end
  return self.proc:running()
end

--- server:exit_message() -> "exited with status N" / "killed by signal N"
function Server:exit_message(r)
  r = r or (self.proc and not self.proc:running() and self.proc:wait(0))
  if not r then return "is running" end
  if r.status == "signaled" then return "was killed by signal " .. r.signal end
  return "exited with status " .. r.code
end

--- server:log_tail([n]) -> the last n lines of the server's log (for
-- messages: "(empty)" when it has none)
function Server:log_tail(n)
  local t = M.tail(self.log, n)
  return t ~= "" and t or "(empty)"
end

--- server:wait_exit() -> process result (yields until the server exits)
function Server:wait_exit()
  if self.external then return nil end
  return self.proc:wait()
end

--- server:stop([grace]) politely (SIGTERM), then SIGKILL after grace
-- seconds (default 5). Idempotent. Yields when called from a task; in a
-- <close> handler it only signals and benchlua's shutdown finishes the job.
function Server:stop(grace)
  if self.external or self.stopped then return end
  self.stopping = true
  if not self.proc:running() then
    bench.proc.kill_orphans()
    self.stopped = true
    return
  end
  self.proc:kill("TERM")
  if bench.in_task() and coroutine.isyieldable() then
    local r = self.proc:wait(grace or 5)
    if not r then
      self.proc:kill("KILL")
      self.proc:wait()
    end
    bench.proc.kill_orphans() -- what it daemonized (re-parented to benchlua)
    self.stopped = true
  end
end
Server.__close = function(self) self:stop() end

local function get_json(server, path, timeout)
  local url = server.url .. path
  local r, err, code = bench.http.request{ url = url, timeout = timeout or 10, connect_timeout = timeout or 10,
    headers = llm.headers(server) }
  if not r then return nil, err, code end
  if r.status ~= 200 then return nil, "HTTP " .. r.status .. " from " .. url, r.status end
  local v, jerr = cjson.decode(r.body)
  if v == nil then return nil, "bad JSON from " .. url .. ": " .. tostring(jerr) end
  return v
end

--- server:describe() -> info: what the server says of itself (/props,
-- /v1/models): build, model, slots, context per slot, size, parameters.
function Server:describe()
  local info = { url = self.url }
  local props = get_json(self, "/props", 10)
  if type(props) == "table" then
    local function str(v) return type(v) == "string" and v or nil end
    info.build = str(props.build_info)
    info.slots = tonumber(props.total_slots)
    local dgs = type(props.default_generation_settings) == "table" and props.default_generation_settings or {}
    info.ctx_per_slot = tonumber(dgs.n_ctx) or tonumber(props.n_ctx)
    info.model_path = str(props.model_path)
    info.chat_template = str(props.chat_template) and #props.chat_template > 0 or nil
    if type(props.modalities) == "table" then info.modalities = props.modalities end
    -- a random string each llama-server process draws at start: the same one
    -- from two URLs is one server (not recorded)
    info.instance = str(props.media_marker)
  end
  local models = get_json(self, "/v1/models", 10)
  if models and type(models.data) == "table" and type(models.data[1]) == "table" then
    local m = models.data[1]
    info.model = type(m.id) == "string" and m.id or nil
    if type(m.meta) == "table" then
      info.n_params = tonumber(m.meta.n_params)
      info.model_size = tonumber(m.meta.size)
      info.n_ctx_train = tonumber(m.meta.n_ctx_train)
      info.n_vocab = tonumber(m.meta.n_vocab)
    end
  end
  self.info = info
  return info
end

-- Seconds of refused connections in a row after which an endpoint that
-- benchlua did not start is taken as not there (a wrong port), rather than
-- waited for until --ready-timeout. $BENCHLUA_ENDPOINT_REFUSED_S sets it (tests).
M.REFUSED_WINDOW = tonumber(os.getenv("BENCHLUA_ENDPOINT_REFUSED_S") or "") or 10

--- bench.wait_ready(server, {timeout = 300, interval = 0.02, refused_window = 10}) -> info | nil, err
-- Polls the health endpoint; returns as soon as it answers 200, then reads
-- /props and /v1/models. Fails at once when the server process exits, with
-- its status and the last lines of its log; fails on timeout, and (an
-- endpoint benchlua did not start) after refused_window seconds of refused
-- connections in a row.
function M.wait_ready(server, o)
  if getmetatable(server) ~= Server then error("wait_ready: expected a server from spawn_server", 2) end
  if server.members then return M.wait_pool(server, o) end
  o = o or {}
  local timeout = o.timeout or 300
  local interval = o.interval or 0.02
  local deadline = bench.now() + timeout
  local last = "no answer yet"
  local health = server.url .. "/health"
  local window = o.refused_window or M.REFUSED_WINDOW
  local refused_since -- an endpoint refusing connections this long is not there
  while true do
    if not server:running() then
      local r = server.proc:wait()
      return nil, string.format("server %s before it was ready\n--- last lines of %s ---\n%s",
        server:exit_message(r), server.log, server:log_tail(15))
    end
    local r, err, code = bench.http.request{ url = health, timeout = 2, connect_timeout = 1, headers = llm.headers(server) }
    if server.external and code == "ECONNREFUSED" then
      refused_since = refused_since or bench.now()
      if bench.now() - refused_since >= window then
        return nil, string.format("endpoint %s refused every connection for %gs (nothing listens there: is the port right?)",
          server.url, window)
      end
    else
      refused_since = nil
    end
    if r and r.status == 200 then
      server.ready_at = bench.now()
      return server:describe()
    elseif r then
      last = "HTTP " .. r.status
      if server.external and r.status == 404 then
        -- an OpenAI-compatible endpoint without /health: /v1/models must answer
        local m = get_json(server, "/v1/models", 5)
        if m then server.ready_at = bench.now() return server:describe() end
      end
    else
      last = err
    end
    if bench.now() >= deadline then
      local msg = string.format("server not ready after %gs (last health check: %s)", timeout, last)
      if not server.external then
        msg = msg .. "\n--- last lines of " .. server.log .. " ---\n" .. server:log_tail(15)
      end
      return nil, msg
    end
    bench.sleep(interval)
  end
end

-- Every member of a pool ready, at once. -> info: the first member's, with
-- slots the sum (nil when a member does not say), ctx_per_slot the smallest,
-- and endpoints = {url, slots, model, build} for each | nil, err naming the
-- member that failed, the members that serve different models, or two URLs
-- of one server (the same /props media_marker).
function M.wait_pool(pool, o)
  local infos = tasks.map(pool.members, #pool.members, function(m)
    local info, err = M.wait_ready(m, o)
    return info or { err = err:find("^endpoint ") and err or ("endpoint " .. m.url .. ": " .. err) }
  end)
  local info = {}
  for k, v in pairs(infos[1]) do info[k] = v end
  info.slots, info.endpoints = 0, json.array()
  local function base(id) return type(id) == "string" and id:match("([^/]+)/*$") or id end
  for i, mi in ipairs(infos) do
    if mi.err then return nil, mi.err end
    local url = pool.members[i].url
    if base(mi.model) ~= base(infos[1].model) then
      return nil, string.format("the endpoints serve different models: %s serves %s, %s serves %s",
        pool.url, tostring(infos[1].model), url, tostring(mi.model))
    end
    for j = 1, i - 1 do
      if mi.instance and mi.instance == infos[j].instance then
        return nil, string.format("the endpoints %s and %s are the same server (their /props give the same media_marker, which each llama-server draws at random when it starts); give it once",
          pool.members[j].url, url)
      end
    end
    info.slots = mi.slots and info.slots and info.slots + mi.slots or nil
    info.ctx_per_slot = math.min(info.ctx_per_slot or math.huge, mi.ctx_per_slot or math.huge)
    info.endpoints[i] = { url = url, slots = mi.slots, model = mi.model, build = mi.build }
  end
  if info.ctx_per_slot == math.huge then info.ctx_per_slot = nil end
  pool.ready_at, pool.info = bench.now(), info
  return info
end

M.Server = Server
return M
