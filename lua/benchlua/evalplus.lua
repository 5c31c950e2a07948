-- evalplus.lua: HumanEval+ and MBPP+ judged as evalplus (evalplus/evalplus,
-- `evalplus.evaluate`) judges them, for benchmarks/humaneval_plus.lua and
-- benchmarks/mbpp_plus.lua. The work is done by lua/benchlua/evalplus_exec.py
-- in codeexec's sandboxed warm executors; this module loads the data, keeps
-- the ground truth (the canonical solutions' outputs and times) cached per
-- dataset digest in the user's cache directory, and hands each executor the
-- truth of the task it judges.
--
--   local data = assert(evalplus.load(path, "humaneval"))
--   local judge <close> = assert(evalplus.judge{ data = data, sandbox = "auto" })
--   local r = judge:check("HumanEval/0", solution)
--   -- r.base.status, r.plus.status: "pass" | "fail" | "timeout";
--   -- r.base.fail_input: the input evalplus names in base_fail_tests (JSON text)
--   local code = judge:sanitize(raw_answer, entry_point) -- evalplus's sanitizer
local dataset = require("benchlua.dataset")
local codeexec = require("benchlua.codeexec")
local cjson = require("cjson.safe")
local M = {}

-- evalplus's defaults (evalplus/config.py, evaluate.py)
M.MIN_TIME_LIMIT = 4.0
M.GT_TIME_LIMIT_FACTOR = 4.0
M.TIMEOUT_PER_TASK = 60

-- The shipped data files, by benchmark and variant (../shared/data; the
-- release assets of evalplus/humanevalplus_release and mbppplus_release).
M.FILES = {
  humaneval = { default = "HumanEvalPlus.jsonl.gz", mini = "HumanEvalPlus-Mini.jsonl.gz",
    noextreme = "HumanEvalPlus-NoExtreme.jsonl.gz" },
  mbpp = { default = "MbppPlus.jsonl.gz", noextreme = "MbppPlus-NoExtreme.jsonl.gz" },
}
M.RELEASES = {
  humaneval = "https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10/",
  mbpp = "https://github.com/evalplus/mbppplus_release/releases/download/v0.2.0/",
}

local REQUIRED = { "task_id", "prompt", "entry_point", "canonical_solution", "base_input", "plus_input", "atol" }

--- evalplus.is_plus(record) -> true when a dataset record has evalplus's fields
function M.is_plus(r)
  return type(r) == "table" and (r.plus_input ~= nil or r.base_input ~= nil or r.atol ~= nil)
end

--- evalplus.load(path, kind) -> data | nil, err
-- kind: "humaneval" | "mbpp". data: {kind, path, digest (sha256 of the
-- content), tasks (file order: {task_id, prompt, entry_point,
-- canonical_solution, line = the raw JSON line}), by_id}. The inputs are
-- never decoded here (big integers, Infinity): Python reads the raw line.
function M.load(path, kind)
  local recs, lines = dataset.read_jsonl(path)
  if not recs then return nil, lines end
  local data = { kind = kind, path = path, tasks = {}, by_id = {} }
  for i, r in ipairs(recs) do
    for _, f in ipairs(REQUIRED) do
      if r[f] == nil then
        return nil, string.format("%s:%d: field '%s' is missing: not an evalplus %s file", path,
          lines.lineno[i], f, kind == "mbpp" and "MBPP+" or "HumanEval+")
      end
    end
    if data.by_id[r.task_id] then
      return nil, string.format("%s:%d: task '%s' appears twice", path, lines.lineno[i], r.task_id)
    end
    local t = { task_id = r.task_id, prompt = r.prompt, entry_point = r.entry_point,
      canonical_solution = r.canonical_solution, line = lines[i], index = #data.tasks + 1 }
    data.tasks[t.index], data.by_id[t.task_id] = t, t
  end
  if #data.tasks == 0 then return nil, path .. ": no problems in the file" end
  data.content = assert(bench.fs.read(path))
  data.digest = bench.fs.sha256(data.content)
  return data
end

local Judge = {}
Judge.__index = Judge

--- evalplus.judge{data =, sandbox =, workers =, python =, cache_dir =,
--   min_time_limit = 4, gt_factor = 4, cap = 60} -> judge | nil, err. Yields.
-- cache_dir: where the ground truth is kept (default: the user's cache
-- directory, benchlua/evalplus/DIGEST/).
function M.judge(o)
  local pool, err = codeexec.pool{ size = o.workers, sandbox = o.sandbox, python = o.python,
    harness = "benchlua/evalplus_exec.py", modules = { "benchlua/humaneval_exec.py" } }
  if not pool then return nil, err end
  local dir = (o.cache_dir or (dataset.cache_dir() .. "/evalplus")) .. "/" .. o.data.digest
  local ok, derr = bench.fs.mkdir_p(dir)
  if not ok then pool:close() return nil, derr end
  return setmetatable({ pool = pool, data = o.data, dir = dir, busy = {},
    min_time_limit = o.min_time_limit or M.MIN_TIME_LIMIT, gt_factor = o.gt_factor or M.GT_TIME_LIMIT_FACTOR,
    cap = o.cap or M.TIMEOUT_PER_TASK, truth_time = 0, truth_computed = 0 }, Judge)
end

local function read_raw(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- The truth blob of task t: from the cache, else computed on executor z
-- (one computation per task at a time; others wait for it).
function Judge:blob(z, t)
  local path = string.format("%s/%d.truth", self.dir, t.index)
  while self.busy[t.task_id] do bench.sleep(0.02) end
  local blob = read_raw(path)
  if blob then return blob end
  self.busy[t.task_id] = true
  local _ <close> = setmetatable({}, { __close = function() self.busy[t.task_id] = nil end })
  local t0 = bench.now()
  local r, why = self.pool:request(z, { op = "truth", dataset = self.data.kind, bytes = #t.line }, t.line, 3600)
  local parts = {}
  while r and r.chunk do
    parts[#parts + 1] = assert(bench.fs.base64_decode(r.chunk))
    r, why = self.pool:readline(z, 3600)
  end
  if not r or not r.done then
    error(string.format("%s: the ground truth of %s could not be computed: %s", self.data.path, t.task_id,
      r and r.error or why), 0)
  end
  blob = table.concat(parts)
  local ok, err = bench.fs.write_atomic(path, blob)
  if not ok then error(err, 0) end
  self.truth_time, self.truth_computed = self.truth_time + bench.now() - t0, self.truth_computed + 1
  return blob
end

--- judge:check(task_id, solution) -> {base = SET, plus = SET}, SET =
-- {status = "pass"|"fail"|"timeout", progress = inputs run, fail_input =
-- JSON text | nil, time = seconds}. Yields; raises only when an executor
-- cannot be started or the ground truth cannot be computed.
function Judge:check(task_id, solution)
  local t = assert(self.data.by_id[task_id], "judge:check: unknown task")
  local pool = self.pool
  local z = pool:acquire(function(e) return e.state.key == task_id end)
  local ok, res = pcall(function()
    for _ = 1, 2 do
      local blob = z.state and z.state.key == task_id and nil or self:blob(z, t)
      local req = { op = "eval", key = task_id, solution = solution, sets = { "base", "plus" },
        min_time_limit = self.min_time_limit, gt_factor = self.gt_factor, cap = self.cap,
        bytes = blob and #blob or nil }
      local r, why = pool:request(z, req, blob, 2 * (self.cap + 3) + 60)
      if r and r.base then
        z.state.key = task_id
        return r
      end
      if r and r.error then error(string.format("%s: %s", task_id, r.error), 0) end
      if r == nil then -- the executor died under this program: evalplus's verdict when no status came
        return { base = { status = "timeout", detail = why }, plus = { status = "timeout", detail = why } }
      end
      z.state.key = nil -- "need": it lost the task; send it again
    end
    error(task_id .. ": the executor keeps refusing the task", 0)
  end)
  pool:release(z)
  if not ok then error(res, 0) end
  for _, set in pairs(res) do
    if set.fail_input == cjson.null then set.fail_input = nil end
  end
  return res
end

--- judge:sanitize(text, entry_point) -> evalplus's sanitized code. Yields.
function Judge:sanitize(text, entry_point)
  local z = self.pool:acquire()
  local r, why = self.pool:request(z, { op = "sanitize", code = text, entry_point = entry_point }, nil, 600)
  self.pool:release(z)
  if not r or not r.code then return text, (r and r.error) or why end
  return r.code
end

--- judge:md5() -> the md5 of the dataset's content: evalplus's "hash". Yields.
function Judge:md5()
  if self.hash then return self.hash end
  local z = self.pool:acquire()
  local r = self.pool:request(z, { op = "md5", bytes = #self.data.content }, self.data.content, 60)
  self.pool:release(z)
  self.hash = r and r.md5
  return self.hash
end

function Judge:close()
  self.pool:close()
end
Judge.__close = Judge.close

return M
