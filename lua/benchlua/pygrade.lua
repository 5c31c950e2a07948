-- pygrade.lua: Python grading helpers (IFEval's checker, MATH-500's sympy
-- equivalence). A pool of warm Pythons (lua/benchlua/pygrade_serve.py, a
-- front end of zygote.py, run through codeexec's pool: the code executors'
-- sandbox, environment, framing and restart rules), each with the grading
-- module loaded and its setup(config) called once; grade(item) per request.
-- A helper that crashes, hangs past the timeout or raises is a grading error
-- for that item (it is restarted and set up again for the next), never a
-- dead run.
--
--   local g <close> = assert(pygrade.pool{ module = "grade_math", config = {} })
--   local r, why = g:grade({ extracted = "1/2", answer = "\\frac12" })
--   g.versions -- the module's versions(), plus python
--
-- module: the name of an embedded lua/benchlua/NAME.py, or a path to a .py
-- file (tests). The module's contract: setup(config), grade(item) -> dict,
-- versions() -> dict.
local codeexec = require("benchlua.codeexec")
local M = {}

M.TIMEOUT = 60         -- seconds for one grade request
M.SETUP_TIMEOUT = 120  -- seconds for setup (imports, tokenizer parameters)

local Grader = {}
Grader.__index = Grader

local function module_source(module)
  if module:find("/", 1, true) then
    local src, err = bench.fs.read(module)
    if not src then return nil, nil, err end
    return module:match("([^/]+)%.py$") or module:match("[^/]+$"), src
  end
  local src = bench.embedded("benchlua/" .. module .. ".py")
  if not src then return nil, nil, "pygrade: benchlua/" .. module .. ".py is not embedded in this benchlua" end
  return module, src
end

-- executor z with the module set up. -> true | nil, why
local function ready(self, z)
  if z.p and z.state.setup then return true end
  local r, why = self.pool:request(z, { op = "setup", module = self.name, source = self.source, config = self.config },
    nil, self.setup_timeout)
  if not r then return nil, why end
  if r.error then
    z.state.failed = true
    return nil, tostring(r.error)
  end
  z.state.setup = true
  return true
end

--- pygrade.pool{module =, config = {}, size = N (CPUs), sandbox =, python =,
--   timeout = seconds per item (60)} -> grader | nil, err. Starts and sets
-- up every helper now (a module whose setup fails is err, one line). Yields.
function M.pool(o)
  local name, source, serr = module_source(o.module)
  if not name then return nil, serr end
  local pool, err = codeexec.pool{ size = o.size, sandbox = o.sandbox, python = o.python,
    harness = "benchlua/pygrade_serve.py" }
  if not pool then return nil, err end
  local self = setmetatable({ pool = pool, name = name, source = source, config = o.config or {},
    timeout = o.timeout or M.TIMEOUT, setup_timeout = o.setup_timeout or M.SETUP_TIMEOUT, errors = 0 }, Grader)
  local first
  for _, z in ipairs(pool.all) do
    local ok, why = ready(self, z)
    if not ok then first = first or why end
  end
  if first then
    pool:close()
    return nil, string.format("the grading helper %s did not start: %s", name, first)
  end
  local z = pool:acquire()
  local r, why = pool:request(z, { op = "versions" }, nil, self.setup_timeout)
  pool:release(z)
  if not r or r.error then
    pool:close()
    return nil, string.format("the grading helper %s: versions() failed: %s", name, tostring(why or r.error))
  end
  self.versions = type(r.result) == "table" and r.result or {}
  self.versions.python = self.versions.python or pool.info.python
  return self
end

--- grader:grade(item) -> result | nil, why (a grading error: the helper
-- raised, died or did not answer within the timeout). Waits for an idle
-- helper. Raises only when a helper cannot be restarted.
function Grader:grade(item)
  local z = self.pool:acquire()
  local _ <close> = setmetatable({}, { __close = function() self.pool:release(z) end })
  local ok, why = ready(self, z)
  if not ok then
    self.errors = self.errors + 1
    return nil, "setup: " .. why
  end
  local r
  r, why = self.pool:request(z, { op = "grade", item = item }, nil, self.timeout)
  if r and r.error == nil and r.result ~= nil then return r.result end
  self.errors = self.errors + 1
  return nil, why or tostring(r.error or "no result")
end

--- grader:close(): stops every helper. Idempotent.
function Grader:close() self.pool:close() end
Grader.__close = Grader.close

return M
