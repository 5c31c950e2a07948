-- answerbench.lua: the library under answer-graded benchmarks (gsm8k,
-- gpqa_diamond, aime, math500, mmlu_pro, ifeval). A grader module
-- (lua/benchlua/grade_<bench>.lua: data reader, prompts, grade; see
-- /work/contract19.md's shape, restated below) becomes a codebench recipe:
-- generation in completion and --chat modes with per-sample seeds and --n
-- repeats (avg@n is the score, pass@k beside it, the interval over problems),
-- resume, the sample log and progress come from lua/benchlua/codebench.lua;
-- this file adds what text answers need:
--   * the answer is message.content with the reasoning kept apart (a
--     <think> block dropped); a response cut by the token limit, or with an
--     unclosed <think>, is `truncated` and not graded; an empty one, or one
--     the grader finds no answer in, is `no_answer`;
--   * the judge: G.grade in Lua, or a Python grading helper (G.python,
--     lua/benchlua/pygrade.lua) fed G.item and read back by G.verdict;
--   * the samples format: `--samples FILE.jsonl` of {"task_id", "repeat"
--     (optional, 0), "response"} grades without a server and writes
--     FILE_results.jsonl (one line per input line, in order: task_id, repeat,
--     outcome, extracted, passed, then the grader's fields, sorted);
--     `--generate-only FILE.jsonl` writes the same format ("finish":
--     "length" on a response the token limit cut);
--   * where the data come from: --dataset PATH (repeatable), else
--     $BENCHLUA_DATA/FILE, else the pinned download in the cache (fetched
--     once), else one line naming the file and how to provide it, said before
--     the server starts;
--   * the record: results.grader (G.grader(opts)), results.grader_versions
--     (the Python helper's versions()), reproducibility.prompt_sha256 (every
--     problem's repeat-0 prompt in the run's mode) and dataset_sha256.
--
--   return require("benchlua.answerbench").benchmark(require("benchlua.grade_gsm8k"), {
--     name = "gsm8k", description = "...",
--     data = { file = "gsm8k_test.jsonl", url = "...", sha256 = "..." },  -- or a list of them,
--     -- or files = function(opts) -> such a list (aime's --year)
--     parse = ..., config = function(opts, paths) -> Python setup config | nil, err
--     (called before the server starts), options, validate(opts)
--   })
--
-- The grader module G: read(path, opts) -> problems, digest | nil, err;
-- grader(opts) -> name; prompt(p, opts, rep); chat(p, opts, rep) -> messages;
-- stops(opts); grade(response, p, opts, rep) -> verdict {outcome = "passed"
-- | "wrong" | "no_answer", passed, extracted, ...}, or python = MODULE,
-- item(response, p, opts, rep) -> request, verdict(result, response, p,
-- opts, rep) -> verdict; optional options, defaults, groups(p), result(res,
-- scored, problems, opts) (scored: every sample's logged record), defer
-- (true: the Python helper may answer {defer = true}, graded again by one
-- helper set up without config.defer; see the executor below).
local code = require("benchlua.codebench")
local dataset = require("benchlua.dataset")
local extract = require("benchlua.extract")
local pygrade = require("benchlua.pygrade")
local json = require("benchlua.json")
local cjson = require("cjson.safe")
local M = {}

-- The outcomes every answer benchmark reports, in report order.
M.OUTCOMES = { "passed", "wrong", "no_answer", "truncated", "error", "server_error" }

---------------------------------------------------------------- data

--- answer.locate(spec, given) -> path | nil, err: one data file
-- spec = {file = NAME, url =, sha256 = (dataset.fetch's descriptor), how =
-- "why there is no download"}. given: the --dataset path, if any. Then
-- $BENCHLUA_DATA/NAME, the cache, the pinned download. Yields.
function M.locate(spec, given)
  if given then return given end
  local path, err = dataset.fetch(spec)
  if path then return path end
  if spec.url then return nil, spec.file .. ": " .. err end
  local dir = dataset.data_dir()
  return nil, string.format("%s: not found and not downloadable (%s); pass --dataset PATH, or put it in a directory named by BENCHLUA_DATA%s",
    spec.file, spec.how or "no pinned source", dir and (" (now " .. dir .. ")") or "")
end

--- answer.locate_dir(spec, beside) -> dir | nil, err: a directory of
-- auxiliary files (IFEval's punkt_tab/english). spec = {sub = "punkt_tab/english",
-- files = {dataset.fetch descriptors without dir}}. Looked for under
-- $BENCHLUA_DATA/SUB, beside the dataset (DIR/SUB), the cache's SUB
-- (fetched there once). Yields.
function M.locate_dir(spec, beside)
  local function complete(d)
    for _, f in ipairs(spec.files) do if not bench.fs.stat(d .. "/" .. f.file) then return false end end
    return true
  end
  local data = dataset.data_dir()
  for _, d in ipairs({ data and (data .. "/" .. spec.sub) or false, beside and (beside .. "/" .. spec.sub) or false }) do
    if d and complete(d) then return d end
  end
  local dir = dataset.cache_dir() .. "/" .. spec.sub
  for _, f in ipairs(spec.files) do
    local fo = { data_dir = false, dir = dir }
    for k, v in pairs(f) do fo[k] = v end
    local path, err = dataset.fetch(fo)
    if not path then return nil, string.format("%s/%s: %s (or put %s under BENCHLUA_DATA or beside the dataset)", spec.sub, f.file, err, spec.sub) end
  end
  return dir
end

-- the data files of this run: a list of {file, url, sha256}
local function data_files(recipe, o)
  local d = recipe.files and recipe.files(o) or recipe.data
  if d.file then d = { d } end
  return d
end

-- paths of every data file, from --dataset or located. -> paths | nil, err
local function resolve(recipe, o)
  local files, given = data_files(recipe, o), o.dataset or {}
  if #given > 0 and #given ~= #files then
    return nil, string.format("--dataset: %d file(s) given, this run reads %d (%s)", #given, #files,
      table.concat((function() local t = {} for i, f in ipairs(files) do t[i] = f.file end return t end)(), ", "))
  end
  local paths = {}
  for i, f in ipairs(files) do
    local p, err = M.locate(f, given[i])
    if not p then return nil, err end
    paths[i] = p
  end
  return paths
end

---------------------------------------------------------------- the judge

-- The text graded: the answer without its reasoning; truncated when the
-- token limit cut it or a <think> never closed.
local function answer_of(text, finish)
  local body, unclosed = extract.strip_think(text or "")
  return body, unclosed or finish == "length"
end

local function denull(v)
  if v == cjson.null then return nil end
  if type(v) == "table" then for k, x in pairs(v) do v[k] = denull(x) end end
  return v
end

local function judge(G)
  return function(jctx, p, sol)
    local o = jctx.opts
    if sol.error then return { outcome = "server_error", passed = false, error = sol.error } end
    if sol.truncated then return { outcome = "truncated", passed = false } end
    local v
    if G.python then
      local r, why = jctx.executor:grade(G.item(sol.response, p, o, sol.rep))
      if not r then return { outcome = "error", passed = false, grading_error = why } end
      v = G.verdict(denull(r), sol.response, p, o, sol.rep)
    else
      v = G.grade(sol.response, p, o, sol.rep)
    end
    v.passed = v.passed == true
    v.outcome = v.passed and "passed" or (v.outcome ~= "passed" and v.outcome) or "wrong"
    return v
  end
end

---------------------------------------------------------------- samples files

local function field_json(v)
  if v == nil then return "null" end
  if type(v) == "string" then return dataset.py_string(v) end
  if type(v) == "boolean" then return tostring(v) end
  return json.encode(v)
end

local FIXED = { task_id = true, ["repeat"] = true, outcome = true, extracted = true, passed = true,
  exec_time = true, error = true }

-- '"key": ' of a grader's field, made once per key (10,000 lines name the same few)
local key_json = setmetatable({}, { __index = function(t, k)
  local j = dataset.py_string(k) .. ": "
  t[k] = j
  return j
end })

local function result_line(task_id, rep, v)
  local parts = { '"task_id": ' .. dataset.py_string(task_id), '"repeat": ' .. rep,
    '"outcome": ' .. field_json(v.outcome), '"extracted": ' .. field_json(v.extracted),
    '"passed": ' .. tostring(v.passed == true) }
  local keys = {}
  for k in pairs(v) do if not FIXED[k] then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = key_json[k] .. field_json(v[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

M.format = {}

--- read: a jsonl of {task_id, repeat (optional, 0), response (, finish)}.
-- Problems the file has no response for are left out of the score (said
-- on stderr, results.problems_without_samples).
function M.format.read(path, problems)
  local all, lines = dataset.read_jsonl(path)
  if not all then error(lines, 0) end
  local out, seen, has = {}, {}, {}
  for i, s in ipairs(all) do
    local function where() return string.format("%s:%d", path, lines.lineno[i]) end -- (only for an error)
    local id = type(s.task_id) == "number" and math.tointeger(s.task_id) and tostring(math.tointeger(s.task_id)) or s.task_id
    local rep = s["repeat"] == nil and 0 or (type(s["repeat"]) == "number" and math.tointeger(s["repeat"]))
    if type(id) ~= "string" or type(s.response) ~= "string" then
      error(where() .. ": a sample needs a task_id and a response string", 0)
    end
    if not rep or rep < 0 then error(where() .. ": repeat must be a whole number >= 0", 0) end
    local key = id .. "\0" .. rep
    if seen[key] then error(string.format("%s: task '%s' repeat %d appears twice", where(), id, rep), 0) end
    seen[key] = true
    if problems.by_id[id] then
      local body, truncated = answer_of(s.response, s.finish)
      has[id] = true
      out[#out + 1] = { task_id = id, index = rep, line = i,
        solution = { response = body, truncated = truncated, rep = rep, error = type(s.error) == "string" and s.error or nil } }
    elseif not problems.dropped[id] then -- (--limit drops the others)
      error(where() .. ": task '" .. id .. "' is not in " .. problems.source, 0)
    end
  end
  local kept, missing = {}, 0
  for _, p in ipairs(problems) do
    if has[p.task_id] then kept[#kept + 1] = p else missing = missing + 1 end
  end
  if missing > 0 then
    io.stderr:write(string.format("benchlua: %s: %d of %d problems have no response; scored over the other %d\n",
      path, missing, #problems, #kept))
    for i = 1, #problems do problems[i] = kept[i] end
    problems.missing = missing
  end
  return out
end

function M.format.write(path, scored)
  local out = {}
  for i, s in ipairs(scored) do out[i] = result_line(s.task_id, s.index, s.verdict) end
  local file = path:gsub("%.jsonl$", "") .. "_results.jsonl"
  local ok, err = bench.fs.write_atomic(file, table.concat(out, "\n") .. (#out > 0 and "\n" or ""))
  if not ok then error(err, 0) end
  return file
end

function M.format.generated(path, items)
  local out = {}
  for i, it in ipairs(items) do
    local g = it.g
    out[i] = string.format('{"task_id": %s, "repeat": %d, "response": %s%s%s}', dataset.py_string(it.p.task_id),
      it.index, dataset.py_string(g.raw or ""), g.finish == "length" and ', "finish": "length"' or "",
      g.error and (', "error": ' .. dataset.py_string(tostring(g.error))) or "")
  end
  local ok, err = bench.fs.write_atomic(path, table.concat(out, "\n") .. (#out > 0 and "\n" or ""))
  if not ok then error(err, 0) end
end

---------------------------------------------------------------- options

local function options(G, recipe)
  local d = G.defaults or {}
  local opts = {
    { name = "dataset", type = "list", metavar = "PATH", help = "the data file(s) (default: $BENCHLUA_DATA/FILE, else the pinned download in ~/.cache/benchlua)" },
    { name = "samples", type = "string", metavar = "FILE.jsonl", help = "grade responses ({task_id, repeat, response} per line) without a server; writes FILE_results.jsonl" },
    { name = "generate-only", type = "string", metavar = "FILE.jsonl", help = "only generate: write {task_id, repeat, response} per line and grade nothing" },
    { name = "chat", default = false, help = "instruct model: /v1/chat/completions, the answer is message.content" },
    { name = "n", default = d.n or 1, min = 1, max = 100000, help = "samples per problem (the score is avg@N)" },
    { name = "max-tokens", default = d.max_tokens or 2048, min = 1, max = 1 << 24, help = "tokens to generate per sample (a response cut there is 'truncated')" },
    { name = "exec-timeout", default = pygrade.TIMEOUT, min = 0.01, max = 3600, metavar = "SECONDS", help = "time limit per response for a Python grading helper" },
  }
  local at = {}
  for i, o in ipairs(opts) do at[o.name] = i end
  for _, list in ipairs({ G.options or {}, recipe.options or {} }) do
    for _, o in ipairs(list) do -- a later one with the same name replaces the earlier
      if at[o.name] then opts[at[o.name]] = o else opts[#opts + 1] = o at[o.name] = #opts end
    end
  end
  return opts
end

---------------------------------------------------------------- the benchmark

local function sha256_of_prompts(G, problems, o)
  local parts = {}
  for i, p in ipairs(problems) do
    if o.chat then parts[i] = assert(cjson.encode(G.chat(p, o, 0)))
    else parts[i] = G.prompt(p, o, 0) end
  end
  return bench.codec.sha256(table.concat(parts, "\0"))
end

--- answer.benchmark(G, recipe) -> a benchmark table (see the header)
-- G: the grader module, or its name ("grade_gsm8k": benchlua.grade_gsm8k;
-- a build without it gives a benchmark that says so in one line).
function M.benchmark(G, recipe)
  if type(G) == "string" then
    local ok, mod = pcall(require, "benchlua." .. G)
    if not ok and tostring(mod):find("module 'benchlua." .. G .. "' not found", 1, true) then
      local why = string.format("%s: its grader (lua/benchlua/%s.lua) is not in this benchlua", recipe.name, G)
      return { name = recipe.name, description = recipe.description, options = options({}, recipe),
        validate = function() return false, why end, run = function() error(why, 0) end }
    elseif not ok then
      error(mod, 0)
    end
    G = mod
  end
  assert(type(G) == "table" and type(recipe) == "table", "answer.benchmark(G, recipe)")
  for _, f in ipairs({ "read", "grader", "prompt", "chat" }) do
    if type(G[f]) ~= "function" then error("answer.benchmark: the grader has no " .. f .. "()", 2) end
  end
  if not G.python and type(G.grade) ~= "function" then error("answer.benchmark: the grader has no grade() and no python", 2) end
  local resolved = setmetatable({}, { __mode = "k" }) -- opts -> data paths (validate, then run)
  local run = {}                                      -- this run's state: problems, prompt digest, helper, records
  local prepared = setmetatable({}, { __mode = "k" })  -- what the data step found, by the run's opts
  local b = code.benchmark{
    name = recipe.name, description = recipe.description, parse = recipe.parse,
    options = options(G, recipe), outcomes = M.OUTCOMES, no_code = "no_answer",
    datasets = function() -- what `benchlua fetch` gets (one without a url: found, or said to have no download)
      return recipe.files and recipe.files({}) or (recipe.data.file and { recipe.data } or recipe.data)
    end,
    validate = function(o)
      if o.samples and not o.samples:find("%.jsonl$") then return false, "--samples: expected a .jsonl file" end
      for _, path in ipairs(o.dataset) do
        if not bench.fs.stat(path) then return false, "--dataset: no file '" .. path .. "'" end
      end
      if recipe.validate then
        local ok, err = recipe.validate(o)
        if not ok then return false, err end
      end
      local paths, err = resolve(recipe, o)
      if not paths then return false, err end
      local config
      if recipe.config then
        config, err = recipe.config(o, paths)
        if not config then return false, err end
      end
      resolved[o] = { paths = paths, config = config }
      return true
    end,
    dataset = function(o)
      local r = resolved[o] or { paths = assert(resolve(recipe, o)) }
      local paths = r.paths
      run.config = r.config
      local all, digests = { by_id = {} }, {}
      for i, path in ipairs(paths) do
        local ps, digest = G.read(path, o)
        if not ps then error(digest, 0) end
        digests[i] = digest
        for _, p in ipairs(ps) do
          if all.by_id[p.task_id] then error(string.format("%s: task '%s' appears twice", path, p.task_id), 0) end
          all[#all + 1], all.by_id[p.task_id] = p, p
        end
      end
      run.paths, run.problems = paths, all
      run.prompt_sha256 = sha256_of_prompts(G, all, o)
      -- (read before the server starts, by prepare: kept for this run's opts)
      prepared[o] = { config = run.config, paths = paths, problems = all, prompt_sha256 = run.prompt_sha256 }
      return all, table.concat(paths, " "), #digests == 1 and digests[1] or bench.codec.sha256(table.concat(digests, " "))
    end,
    prompt = function(p, o, rep) return G.prompt(p, o, rep) end,
    chat = function(p, o, rep) return G.chat(p, o, rep) end,
    stops = G.stops and G.stops({}) or nil,
    extract = function(text) local body, unclosed = extract.strip_think(text or "") return body, { unclosed_think = unclosed } end,
    solution = function(_, g, _, rep) return { response = g.code or "", truncated = g.truncated, rep = rep or 0 } end,
    executor = function(jctx)
      if not G.python then return { close = function() end } end
      local config = run.config or (recipe.config and assert(recipe.config(jctx.opts, run.paths))) or {}
      local function pool_of(size, cfg)
        local pool, err = pygrade.pool{ module = G.python, config = cfg, size = size, sandbox = jctx.sandbox,
          python = jctx.opts.python, timeout = jctx.opts.exec_timeout }
        if not pool then error(err, 0) end
        return pool
      end
      if not G.defer then
        local pool = pool_of(jctx.workers, config)
        run.versions = pool.versions
        return pool
      end
      -- G.defer: the helpers, set up with config.defer, answer {defer = true}
      -- rather than import what is slow to import (MATH-500's sympy); one more
      -- helper, set up without it, grades those items: one import, not one
      -- per helper that meets such an answer
      local deferring = { defer = true }
      for k, v in pairs(config) do deferring[k] = v end
      local pool = pool_of(jctx.workers, deferring)
      local ok, last = pcall(pool_of, 1, config)
      if not ok then pool:close() error(last, 0) end
      run.versions = pool.versions
      return {
        grade = function(_, item)
          local r, why = pool:grade(item)
          if r and r.defer == true then return last:grade(item) end
          return r, why
        end,
        close = function() pool:close() last:close() end,
      }
    end,
    judge = judge(G),
    groups = G.groups,
    samples = M.format,
    result = function(res, tally, _, ctx)
      local o = ctx.opts
      res.grader = G.grader(o)
      res.grader_versions = run.versions
      local lo, hi = math.huge, 0
      for _, k in pairs(tally.sets[""].n) do lo, hi = math.min(lo, k), math.max(hi, k) end
      res.metric = lo == hi and string.format("avg@%d", hi) or string.format("avg of %d to %d samples per problem", lo, hi)
      res.problems_without_samples = run.problems.missing
      res.reproducibility.prompt_sha256 = run.prompt_sha256
      res.config.prompt_mode = o.chat and "chat" or "completion"
      res.config.exec_timeout = G.python and o.exec_timeout or nil
      if G.result then G.result(res, run.records, run.problems, o) end
    end,
  }
  local inner = b.run
  b.run = function(ctx)
    run = prepared[ctx.opts] or {}
    prepared[ctx.opts] = nil
    run.records = {}
    local log = ctx.log_sample
    ctx.log_sample = function(rec)
      run.records[#run.records + 1] = rec
      return log(rec)
    end
    for _, rec in pairs(ctx.done_samples or {}) do run.records[#run.records + 1] = rec end
    return inner(ctx)
  end
  return b
end

return M
