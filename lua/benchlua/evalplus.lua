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
local passk = require("benchlua.passk")
local pyfmt = require("benchlua.pyfmt")
local tasks = require("benchlua.tasks")
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
-- sha256 of each release file and of its decompressed content
M.SHA256 = {
  ["HumanEvalPlus.jsonl.gz"] = { "272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101",
    "42526ec0e7d5f3ee0b06d6ced98f8c8bae3d76519151bfb3d36f79010645bd7f" },
  ["HumanEvalPlus-Mini.jsonl.gz"] = { "91486741f1627101021fbe50523df08eebb5b0bf5e804b633dcd5ca3c14dbd2f",
    "78fbba8865b20c5a979cda6e02fd72538e1762e65980af7d1a6e93c3e87e93af" },
  ["HumanEvalPlus-NoExtreme.jsonl.gz"] = { "298f79977b2663b8b8ab6b5fa50b17d6f23a92603d24f39e26203fe58c37eeda",
    "3c5aa88735e442f327030f7097f9443ee173419e0db2a75b1c12730415398e88" },
  ["MbppPlus.jsonl.gz"] = { "af43697e8791c4c149bdfd6b489d8b5412507551ac20e28a439f650b8225db63",
    "b54e762755248ca411b523c917fa9f93c07b5ff2966bf60b3917b853926a3dad" },
  ["MbppPlus-NoExtreme.jsonl.gz"] = { "72d32acaea73d5606cb97041b30d45bbda9435a675369d3e31965513ee94e564",
    "2682a29850fb17185106b2f40e72d1ebe7091b7393c576cff71b60e83c42ed33" },
}

-- evalplus's stop strings for base models (provider/utility.py), by dataset
M.EOS = { "<|endoftext|>", "<|endofmask|>", "</s>", "\nif __name__", "\ndef main(", "\nprint(" }
M.EXTRA_EOS = { humaneval = { "\ndef ", "\nclass ", "\nimport ", "\nfrom ", "\nassert " }, mbpp = { '\n"""', "\nassert" } }

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
  data.digest = bench.codec.sha256(data.content)
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
    harness = "benchlua/evalplus_exec.py" }
  if not pool then return nil, err end
  local dir = (o.cache_dir or (dataset.cache_dir() .. "/evalplus")) .. "/" .. o.data.digest
  local ok, derr = bench.fs.mkdir_p(dir)
  if not ok then pool:close() return nil, derr end
  return setmetatable({ pool = pool, data = o.data, dir = dir, busy = {}, digests = {},
    min_time_limit = o.min_time_limit or M.MIN_TIME_LIMIT, gt_factor = o.gt_factor or M.GT_TIME_LIMIT_FACTOR,
    cap = o.cap or M.TIMEOUT_PER_TASK, truth_time = 0, truth_computed = 0 }, Judge)
end


-- The truth blob of task t: from the cache when it matches its digest (in
-- N.truth.sha256 beside it, written when it was computed, and the first
-- one this judge read: a sample that rewrites the file, with --sandbox off
-- or the rlimit fallback, does not change the verdicts of later samples or
-- runs), else computed on executor z (one computation per task at a time;
-- others wait for it).
function Judge:truth_path(t)
  return string.format("%s/%d.truth", self.dir, t.index)
end

function Judge:blob(z, t)
  local path = self:truth_path(t)
  while self.busy[t.task_id] do bench.sleep(0.02) end
  local blob = dataset.read_raw(path)
  if blob then
    local want = self.digests[t.index] or (dataset.read_raw(path .. ".sha256") or ""):match("^%x+")
    if want and bench.codec.sha256(blob) == want then
      self.digests[t.index] = want
      return blob
    end
    if want then
      io.stderr:write(string.format("evalplus: the cached ground truth of %s (%s) does not match its digest; computing it again\n",
        t.task_id, path))
    end
  end
  self.busy[t.task_id] = true
  local _ <close> = setmetatable({}, { __close = function() self.busy[t.task_id] = nil end })
  local t0 = bench.now()
  local r, why = self.pool:request(z, { op = "truth", dataset = self.data.kind }, t.line, 3600)
  local parts = {}
  while r and r.chunk do
    parts[#parts + 1] = assert(bench.codec.base64_decode(r.chunk))
    r, why = self.pool:readline(z, 3600)
  end
  if not r or not r.done then
    error(string.format("%s: the ground truth of %s could not be computed: %s", self.data.path, t.task_id,
      r and r.error or why), 0)
  end
  blob = table.concat(parts)
  local digest = bench.codec.sha256(blob)
  local ok, err = bench.fs.write_atomic(path, blob)
  if ok then ok, err = bench.fs.write_atomic(path .. ".sha256", digest .. "\n") end
  if not ok then error(err, 0) end
  self.digests[t.index] = digest
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
        min_time_limit = self.min_time_limit, gt_factor = self.gt_factor, cap = self.cap }
      local r, why = pool:request(z, req, blob, 2 * (self.cap + 3) + 60)
      if r and r.base then
        z.state.key = task_id
        return r
      end
      if r and r.bad_truth then
        bench.fs.remove(self:truth_path(t)) -- damaged: computed again on the next turn
      elseif r and r.error then
        error(string.format("%s: %s", task_id, r.error), 0)
      end
      if r == nil then -- the executor died under this program: evalplus's verdict when no status came
        return { base = { status = "timeout", detail = why }, plus = { status = "timeout", detail = why } }
      end
      z.state.key = nil -- "need" (it lost the task) or a damaged truth: send it again
    end
    error(task_id .. ": the executor keeps refusing the task's ground truth", 0)
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
  local r = self.pool:request(z, { op = "md5" }, self.data.content, 60)
  self.pool:release(z)
  self.hash = r and r.md5
  return self.hash
end

function Judge:close()
  self.pool:close()
  if self.private_dir then bench.fs.rmtree(self.private_dir) self.private_dir = nil end
end
Judge.__close = Judge.close

-- ---- samples files (evalplus's format) and its results file ----

--- evalplus.results_path(samples) -> where evalplus writes the results of
-- samples file FILE.jsonl: FILE_eval_results.json when that (legacy name)
-- exists, else FILE.eval_results.json (every ".jsonl" replaced, as Python's
-- str.replace does).
function M.results_path(samples)
  local legacy = samples:gsub("%.jsonl", "_eval_results.json")
  if bench.fs.stat(legacy) then return legacy end
  return (samples:gsub("%.jsonl", ".eval_results.json"))
end

--- evalplus.read_samples(path, data, dropped) -> samples | nil, err
-- Each {task_id, solution (a sample's solution, or the prompt + its
-- completion), sample (index within its task)}, in file order. Samples of
-- tasks not in data are skipped with a warning, as evalplus does (silently
-- for those in dropped: --limit); a task with no sample is an error, as in
-- evalplus.
function M.read_samples(path, data, dropped)
  local recs, lines = dataset.read_jsonl(path)
  if not recs then return nil, lines end
  local out, seen, skipped = {}, {}, 0
  for i, s in ipairs(recs) do
    local where = string.format("%s:%d", path, lines.lineno[i])
    if type(s.task_id) ~= "string" then return nil, where .. ": a sample needs a task_id string" end
    local sol, comp = s.solution, s.completion
    if sol ~= nil and type(sol) ~= "string" or comp ~= nil and type(comp) ~= "string" then
      return nil, where .. ": solution and completion must be strings (repeat the task_id for more samples)"
    end
    if sol == nil and comp == nil then return nil, where .. ": a sample needs a solution or a completion" end
    local t = data.by_id[s.task_id]
    if t then
      out[#out + 1] = { task_id = s.task_id, solution = sol or (t.prompt .. comp), sample = seen[s.task_id] or 0 }
      seen[s.task_id] = (seen[s.task_id] or 0) + 1
    elseif not (dropped and dropped[s.task_id]) then
      skipped = skipped + 1
    end
  end
  if skipped > 0 then
    io.stderr:write(string.format("benchlua: %s: %d sample(s) of tasks not in %s skipped (as evalplus does)\n",
      path, skipped, data.path))
  end
  local missing = {}
  for _, t in ipairs(data.tasks) do if not seen[t.task_id] then missing[#missing + 1] = t.task_id end end
  if #missing > 0 then
    return nil, string.format("%s: %d of %d problems have no sample (%s%s); evalplus refuses this too",
      path, #missing, #data.tasks, missing[1], #missing > 1 and ", ..." or "")
  end
  return out
end

--- evalplus.judge_all(judge, samples, fn) -> results (in samples' order).
-- Judges every sample, as many at once as the pool has executors, a task's
-- samples one after the other so an executor keeps the task it holds;
-- fn(i, sample, result) is called as each finishes. Yields.
function M.judge_all(judge, samples, fn)
  local out = {}
  tasks.map(samples, judge.pool.size, function(s, i)
    out[i] = judge:check(s.task_id, s.solution)
    if fn then fn(i, s, out[i]) end
  end)
  return out
end

--- evalplus.tally(samples, results, tasks) -> {base = pass@k, plus = pass@k},
-- outcomes {base = {pass =, fail =, timeout =}, plus = ...}, and the samples
-- that pass the base tests but fail the plus ones ({task_id, sample}).
-- As evalplus: plus counts a sample whose base and plus both pass.
function M.tally(samples, results, tasks)
  local n, cb, cp = {}, {}, {}
  local outcomes = { base = { pass = 0, fail = 0, timeout = 0 }, plus = { pass = 0, fail = 0, timeout = 0 } }
  local base_only = {}
  for i, s in ipairs(samples) do
    local r = results[i]
    local b, p = r.base.status == "pass", r.base.status == "pass" and r.plus.status == "pass"
    n[s.task_id] = (n[s.task_id] or 0) + 1
    cb[s.task_id] = (cb[s.task_id] or 0) + (b and 1 or 0)
    cp[s.task_id] = (cp[s.task_id] or 0) + (p and 1 or 0)
    for _, set in ipairs({ "base", "plus" }) do
      local o = outcomes[set]
      o[r[set].status] = (o[r[set].status] or 0) + 1
    end
    if b and not p then base_only[#base_only + 1] = { task_id = s.task_id, sample = s.sample } end
  end
  local counts_b, counts_p = {}, {}
  for _, t in ipairs(tasks) do
    if n[t.task_id] then
      counts_b[#counts_b + 1] = { n = n[t.task_id], c = cb[t.task_id] }
      counts_p[#counts_p + 1] = { n = n[t.task_id], c = cp[t.task_id] }
    end
  end
  return { base = passk.compute(counts_b), plus = passk.compute(counts_p) }, outcomes, base_only
end

local function pak_json(pak)
  local parts = {}
  for _, k in ipairs(passk.ks(pak)) do
    parts[#parts + 1] = string.format('"pass@%d": %s', k, pyfmt.json_number(pak["pass@" .. k]))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

--- evalplus.results_json{hash =, samples =, results =, tasks =, pass_at_k =, date =}
-- -> the text evalplus writes to FILE.eval_results.json: {"date", "hash",
-- "eval": {task_id: [one entry per sample, in the file's order]},
-- "pass_at_k": {"base": {...}, "plus": {...}}}, written as Python's json.dump
-- writes it (tasks in dataset order; evalplus's own order is the order its
-- workers finished in).
function M.results_json(o)
  local py = dataset.py_string
  local per = {}
  for i, s in ipairs(o.samples) do
    local r = o.results[i]
    local function fails(set)
      return r[set].fail_input and ("[" .. r[set].fail_input .. "]") or "[]"
    end
    per[s.task_id] = per[s.task_id] or {}
    table.insert(per[s.task_id], string.format(
      '{"task_id": %s, "solution": %s, "base_status": %s, "plus_status": %s, "base_fail_tests": %s, "plus_fail_tests": %s}',
      py(s.task_id), py(s.solution), py(r.base.status), py(r.plus.status), fails("base"), fails("plus")))
  end
  local tasks = {}
  for _, t in ipairs(o.tasks) do
    if per[t.task_id] then tasks[#tasks + 1] = py(t.task_id) .. ": [" .. table.concat(per[t.task_id], ", ") .. "]" end
  end
  return string.format('{"date": %s, "hash": %s, "eval": {%s}, "pass_at_k": {"base": %s, "plus": %s}}',
    py(o.date or os.date("%Y-%m-%d %H:%M")), py(o.hash), table.concat(tasks, ", "),
    pak_json(o.pass_at_k.base), pak_json(o.pass_at_k.plus))
end

-- ---- the recipe parts shared by humaneval_plus and mbpp_plus ----

local function strip(s) return (s:match("^%s*(.-)%s*$")) end

--- evalplus.recipe(kind) -> the fields of a code.benchmark recipe
-- (lua/benchlua/codebench.lua) for kind "humaneval" (HumanEval+) or "mbpp"
-- (MBPP+): data and variants, evalplus's prompts, stops and sanitizer, its
-- verdicts (sets "base" and "plus"; plus passes when base and plus both do,
-- as evalplus counts it), its samples files and results file.
function M.recipe(kind)
  local extract = require("benchlua.extract")
  local run = {} -- this run's data and judge (one benchmark run per process)
  local stops = {}
  for _, l in ipairs({ M.EOS, M.EXTRA_EOS[kind] }) do for _, x in ipairs(l) do stops[#stops + 1] = x end end
  local r = { verdicts = { "base", "plus" }, stops = stops }
  r.options = {
    { name = "dataset", type = "string", metavar = "PATH", help = "an evalplus " .. (kind == "mbpp" and "MbppPlus" or "HumanEvalPlus")
      .. " .jsonl[.gz] (default: the release file, fetched once into ~/.cache/benchlua)" },
    { name = "samples", type = "string", metavar = "FILE.jsonl", help = "score evalplus samples (task_id with solution or completion); writes FILE.eval_results.json" },
    { name = "noextreme", default = false, help = "the release without extreme inputs" },
    { name = "min-time-limit", default = M.MIN_TIME_LIMIT, min = 0.001, metavar = "SECONDS", help = "least time limit per input" },
    { name = "gt-time-limit-factor", default = M.GT_TIME_LIMIT_FACTOR, min = 0.001, metavar = "X", help = "time limit per input: this times the canonical solution's time" },
    { name = "exec-timeout", default = 3.0, min = 0.01, metavar = "SECONDS", help = "not used: evalplus's limits are per input" },
  }
  if kind == "humaneval" then
    table.insert(r.options, 3, { name = "mini", default = false, help = "HumanEval+ Mini (fewer plus inputs)" })
  end
  r.validate = function(o)
    if o.mini and o.noextreme then return false, "--mini and --noextreme do not go together" end
    if o.samples and not o.samples:find("%.jsonl$") then return false, "--samples: evalplus reads a .jsonl file" end
    return true
  end
  r.datasets = {}
  for _, v in ipairs({ "default", "mini", "noextreme" }) do
    local file = M.FILES[kind][v]
    if file then
      r.datasets[#r.datasets + 1] = { url = M.RELEASES[kind] .. file, sha256 = M.SHA256[file][1],
        content_sha256 = M.SHA256[file][2], file = file }
    end
  end
  r.dataset = function(o)
    local file = M.FILES[kind][o.mini and "mini" or o.noextreme and "noextreme" or "default"]
    local path = o.dataset
    if not path then
      local err
      path, err = dataset.fetch{ url = M.RELEASES[kind] .. file, sha256 = M.SHA256[file][1],
        content_sha256 = M.SHA256[file][2], file = file }
      if not path then error(err, 0) end
    end
    local data, err = M.load(path, kind)
    if not data then error(err, 0) end
    run.data = data
    local problems = {}
    for i, t in ipairs(data.tasks) do problems[i] = t end
    return problems, path, data.digest
  end
  r.prompt = function(p) return strip(p.prompt) .. "\n" end
  r.instruction = require("benchlua.codebench").instructions.evalplus
  -- chat: the answer as it is (evalplus sanitizes it whole); reasoning in <think> is not the answer
  r.extract = function(answer)
    local text, unclosed = extract.strip_think(answer or "")
    if not text:find("%S") then return nil, { unclosed_think = unclosed } end
    return text, { unclosed_think = unclosed }
  end
  -- what evalplus's codegen writes: prompt + output (base; tabs as 4 spaces,
  -- as its vLLM backend does) or the answer (chat), then sanitized (in judge)
  r.solution = function(p, g, o)
    local raw = o.chat and g.code or (strip(p.prompt) .. "\n" .. (g.code or ""):gsub("\t", "    "))
    return { raw = raw }, { raw_solution = raw }
  end
  r.executor = function(jctx)
    local o = jctx.opts
    -- Without the namespace sandbox (--sandbox off, the rlimit fallback) a
    -- sample runs as the user and could rewrite the shared cache and the
    -- digests beside it for every later run: the ground truth is then
    -- computed for this run alone, in a directory of its own
    local private
    if not jctx.sandbox or not require("benchlua.script").sandbox_status().ok then
      private = assert(bench.fs.mkdtemp("benchlua-evalplus-truth"))
      io.stderr:write(string.format("%s: samples run without the namespace sandbox: the ground truth is computed for this run, not read from the shared cache\n", jctx.name or "evalplus"))
    end
    local j, err = M.judge{ data = run.data, sandbox = jctx.sandbox, workers = jctx.workers, python = o.python,
      min_time_limit = o.min_time_limit, gt_factor = o.gt_time_limit_factor, cache_dir = private }
    if not j then
      if private then bench.fs.rmtree(private) end
      error(err, 0)
    end
    j.private_dir = private
    run.judge = j
    return j
  end
  r.judge = function(jctx, p, solution)
    local j = jctx.executor
    local code = solution
    if type(solution) == "table" then code = j:sanitize(solution.raw, p.entry_point) end
    local v = j:check(p.task_id, code)
    local base = v.base.status == "pass"
    local plus = base and v.plus.status == "pass"
    return { solution = code, exec_time = (v.base.time or 0) + (v.plus.time or 0),
      base = { passed = base, status = v.base.status, fail_input = v.base.fail_input },
      plus = { passed = plus, status = v.plus.status, fail_input = v.plus.fail_input },
      outcome = plus and "passed" or (v.base.status == "timeout" or v.plus.status == "timeout") and "timed_out" or "wrong" }
  end
  r.samples = {
    read = function(path, problems)
      local view = { by_id = problems.by_id, tasks = problems, path = problems.source }
      local samples, err = M.read_samples(path, view, problems.dropped)
      if not samples then error(err, 0) end
      for _, s in ipairs(samples) do s.index, s.fields = s.sample, { solution = s.solution } end
      return samples
    end,
    write = function(path, scored, problems)
      local results = {}
      for i, s in ipairs(scored) do results[i] = s.verdict end
      local pak = M.tally(scored, results, problems)
      local file = M.results_path(path)
      local ok, err = bench.fs.write_atomic(file, M.results_json{ hash = run.judge:md5(), samples = scored,
        results = results, tasks = problems, pass_at_k = pak })
      if not ok then error(err, 0) end
      return file
    end,
    -- --generate-only: evalplus's samples file (raw solutions: evalplus's
    -- codegen sanitizes; run the scoring on it, which sanitizes nothing, or
    -- sanitize it with evalplus.sanitize first)
    generated = function(path, items)
      local out = {}
      for i, it in ipairs(items) do
        local raw = it.fields and it.fields.raw_solution or ""
        out[i] = string.format('{"task_id": %s, "solution": %s}', dataset.py_string(it.p.task_id), dataset.py_string(raw))
      end
      local ok, err = bench.fs.write_atomic(path, table.concat(out, "\n") .. "\n")
      if not ok then error(err, 0) end
    end,
  }
  r.result = function(res)
    local by = res.pass_at_k_by_set or {}
    res.base_pass_at_k, res.plus_pass_at_k = by.base, by.plus
    res.base_score = by.base and by.base["pass@1"]
    res.config.min_time_limit = run.judge and run.judge.min_time_limit
    res.config.gt_time_limit_factor = run.judge and run.judge.gt_factor
    res.reproducibility.evalplus_hash = run.judge and run.judge:md5()
    res.truth_time = run.judge and run.judge.truth_time
  end
  r.parse = require("benchlua.parsers").pass_at_1
  return r
end

return M
