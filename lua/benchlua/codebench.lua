-- codebench.lua: the library under code benchmarks (human_eval, lcb,
-- humaneval_plus, mbpp_plus, mbpp). A recipe says what is particular to its
-- benchmark; code.benchmark(recipe) returns the benchmark table benchlua runs
-- (name, description, options, server, validate, run, parse), and does the
-- rest: data loading (a file, or the official one fetched once into the
-- cache), --limit, generation in completion and chat modes with a seed per
-- sample, scoring while generating when the server computes elsewhere
-- (--overlap), --samples FILE scoring, --generate-only FILE, pass@k over one
-- or several verdict sets, tallies by group, the sample log, progress, and
-- resuming an interrupted run (ctx.done_samples).
--
--   local code = require("benchlua.codebench")
--   return code.benchmark{
--     name = "human_eval", description = "...",
--     dataset = { fetch = dataset.HUMAN_EVAL, read = dataset.human_eval },
--     stops = code.stops.codex,                       -- completion mode
--     instruction = code.instructions.evalplus,       -- chat mode
--     solution = code.solutions.prompt_completion,    -- what is judged
--     judge = code.judges.program(function(p, s) return s .. "\n" .. p.test .. "\n" .. "check(" .. p.entry_point .. ")" end),
--     samples = code.formats.human_eval,              -- --samples / --generate-only files
--     parse = require("benchlua.parsers").pass_at_1,  -- script mode
--   }
--
-- Recipe fields (only name, description and judge are required):
--   name, description, parse, options (extra options, appended to the common
--     ones; one with a common option's name replaces it)
--   dataset = { fetch = {url=, sha256=, file=} (default data, see
--     dataset.fetch), read = function(path, opts) -> problems, digest | nil, err }
--     or a function(opts) -> problems, source, digest (raise error(msg, 0) on
--     a user error). problems: a list of tables with a string task_id each;
--     anything else on them is the recipe's (a problem may decode its tests
--     lazily in judge).
--   prompt(p, opts, index) -> completion-mode prompt (default p.prompt);
--     index: the sample's 0-based repeat (chat and solution get it too)
--   chat(p, opts, index) -> a user message string or a messages list (default:
--     instruction .. "\n```python\n" .. stripped p.prompt .. "\n```")
--   instruction: the chat instruction for the default chat()
--   stops: completion-mode stop strings (also cut client-side)
--   extract(answer, p, opts) -> code | nil, info: chat mode (default
--     extract.code: last python fence, <think> dropped; info.unclosed_think)
--   solution(p, g, opts, index) -> solution, fields: what judge gets from a
--     generation g = {code, raw, finish, ...}; fields are logged with the
--     sample (default: g.code or "")
--   judge(jctx, p, solution) -> verdict (yields). Single verdict set:
--     {passed = bool, outcome = "wrong"|"error"|"timed_out"|..., anything
--     else logged}. With verdicts = {"base", "plus"}: verdict.base and
--     verdict.plus are each {passed = bool, ...}; verdict.outcome still
--     names what went wrong. jctx = {opts, executor, sandbox, workers, name,
--     run_dir}.
--   verdicts = {"base", "plus"}: several verdict sets; pass@k for each
--     (results.pass_at_k_by_set), the score is pass@1 of `primary` (default
--     the last set), and results.passed_<first>_failed_<other> lists the
--     samples ("task_id#index") that pass the first set but fail another.
--   executor(jctx) -> object with :close() (default: a codeexec pool of
--     --workers warm Pythons, jctx.executor)
--   groups(p) -> {difficulty = "easy", ...}: extra pass@k tallies,
--     results.by_<key>[value] = {problems = N, pass_at_k = {...}}
--   samples = { read = function(path, problems, opts) -> list of {task_id,
--     solution, index, ...}, write = function(path, scored, problems, opts),
--     generated = function(path, items, opts) } (default code.formats.human_eval)
--   result(res, tally, problems, ctx): add to the results before they are recorded
--   outcomes: the outcomes reported, in order (default code.OUTCOMES);
--     no_code: the outcome of an empty answer (default "no_code")
-- Prompt tokens the server evaluated and took from its cache (llama-server's
-- timings.prompt_n, cache_n) are summed: results.prompt_tokens_evaluated,
-- results.prompt_tokens_cached.
--   datasets: every file the benchmark may fetch (dataset.fetch descriptors,
--     or a function() returning them), for `benchlua fetch` (default: the
--     dataset's fetch)
--   validate(opts) -> true | false, msg; server(opts) -> bool
--
-- The sample log: one record per sample, {task_id, sample (0-based index),
-- seed, prompt, raw, reasoning, finish, code, tokens, gen_time, the solution
-- fields, outcome, passed, the verdict's fields (and verdict.base, .plus)}.
-- Resume: ctx.done_samples[task_id .. "\0" .. index] = a logged record; that
-- sample is neither generated, nor scored, nor logged again; its outcome,
-- passed and verdict sets count in the tally.
local dataset = require("benchlua.dataset")
local passk = require("benchlua.passk")
local extract = require("benchlua.extract")
local codeexec = require("benchlua.codeexec")
local overlap = require("benchlua.overlap")
local tasks = require("benchlua.tasks")
local cjson_null = require("cjson.safe").null
local M = { stops = {}, instructions = {}, solutions = {}, judges = {}, formats = {} }

-- Codex paper's stop sequences plus bigcode's additions (all at column 0).
M.stops.codex = { "\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif", "\n```", "<|endoftext|>" }
-- evalplus's instruction for OpenAI-compatible endpoints
M.instructions.evalplus =
  "Please provide a self-contained Python script that solves the following problem in a markdown code block:"

-- The outcomes every code benchmark reports, in report order.
M.OUTCOMES = { "passed", "wrong", "timed_out", "error", "no_code", "truncated", "server_error" }

--- code.sample_seed(seed, task_id, index) -> the first 31 bits of
-- sha256(seed, task_id, index)
function M.sample_seed(seed, task_id, index)
  local h = bench.codec.sha256(string.format("%s\0%s\0%d", tostring(seed), task_id, index))
  return tonumber(h:sub(1, 8), 16) & 0x7fffffff
end

---------------------------------------------------------------- shipped parts

--- code.solutions.prompt_completion(p, g): HumanEval's rule. Completion
-- mode: prompt .. completion. Chat mode: a code that defines p.entry_point
-- replaces the prompt's stub (the prompt's lines before it kept), else it is
-- a body appended to the prompt.
function M.solutions.prompt_completion(p, g, o)
  if not o.chat then
    return p.prompt .. g.code, { completion = g.code }
  end
  local head, kind = extract.solution(p.prompt, g.code or "", p.entry_point)
  if kind == "body" then return head, { completion = head:sub(#p.prompt + 1) } end
  return head, { solution = head }
end

--- code.judges.program(build) -> judge: runs build(p, solution) (a whole
-- Python program) in the executor pool under --exec-timeout with the
-- reference's semantics. Verdict: {passed, result ("passed" | "failed: ..." |
-- "timed out"), exception, detail, exec_time, outcome}.
function M.judges.program(build)
  return function(jctx, p, solution)
    local r = jctx.executor:run(build(p, solution), jctx.opts.exec_timeout)
    local v = { result = r.result, passed = r.result == "passed", exception = r.exc, detail = r.detail, exec_time = r.time }
    v.outcome = v.passed and "passed" or r.result == "timed out" and "timed_out"
      or r.exc == "AssertionError" and "wrong" or "error"
    return v
  end
end

--- code.formats.human_eval: samples files as human-eval reads and writes them.
-- read: jsonl of {task_id, completion}; the solution is prompt .. completion.
-- write: FILE_results.jsonl, each line with "result" and "passed" appended.
-- generated: the --generate-only file, {task_id, completion} per line.
M.formats.human_eval = {}

function M.formats.human_eval.read(path, problems)
  local all, lines = dataset.read_jsonl(path)
  if not all then error(lines, 0) end
  local out, seen, missing = {}, {}, {}
  for i, s in ipairs(all) do
    local where = string.format("%s:%d", path, lines.lineno[i])
    if type(s.task_id) ~= "string" or type(s.completion) ~= "string" then
      error(where .. ": a sample needs task_id and completion strings", 0)
    end
    local p = problems.by_id[s.task_id]
    if p then
      out[#out + 1] = { task_id = s.task_id, index = seen[s.task_id] or 0, line = lines[i],
        solution = p.prompt .. s.completion, fields = { completion = s.completion },
        no_code = not s.completion:find("%S") }
      seen[s.task_id] = (seen[s.task_id] or 0) + 1
    elseif not problems.dropped[s.task_id] then -- (--limit drops the others)
      error(where .. ": task '" .. s.task_id .. "' is not in " .. problems.source, 0)
    end
  end
  for _, p in ipairs(problems) do if not seen[p.task_id] then missing[#missing + 1] = p.task_id end end
  if #missing > 0 then
    error(string.format("%s: %d of %d problems have no sample (%s%s); the reference harness refuses this too",
      path, #missing, #problems, missing[1], #missing > 1 and ", ..." or ""), 0)
  end
  return out
end

function M.formats.human_eval.write(path, scored)
  local out = {}
  for i, s in ipairs(scored) do out[i] = dataset.add_result(s.line, s.verdict.result, s.verdict.passed) end
  local file = path .. "_results.jsonl"
  local ok, err = bench.fs.write_atomic(file, table.concat(out, "\n") .. "\n")
  if not ok then error(err, 0) end
  return file
end

function M.formats.human_eval.generated(path, items)
  local out = {}
  for i, it in ipairs(items) do
    local f = it.fields or {}
    local completion = f.completion or (f.solution and ("\n" .. it.g.code)) or "" -- a full function redefines the stub
    out[i] = string.format('{"task_id": %s, "completion": %s}', dataset.py_string(it.p.task_id), dataset.py_string(completion))
  end
  local ok, err = bench.fs.write_atomic(path, table.concat(out, "\n") .. "\n")
  if not ok then error(err, 0) end
end

---------------------------------------------------------------- options

local function common_options()
  return {
    { name = "dataset", type = "string", metavar = "PATH", help = "the problems, .jsonl or .jsonl.gz (default: the official file, fetched once into ~/.cache/benchlua)" },
    { name = "samples", type = "string", metavar = "FILE", help = "score this samples file without a server" },
    { name = "chat", default = false, help = "instruct model: /v1/chat/completions, code taken from the answer" },
    { name = "n", default = 1, min = 1, max = 100000, help = "samples per problem" },
    { name = "temperature", type = "number", min = 0, max = 100, metavar = "T", help = "sampling temperature (default: 0 for n = 1, else 0.8)" },
    { name = "top-p", default = 0.95, help = "nucleus sampling" },
    { name = "max-tokens", default = 768, min = 1, max = 1 << 24, help = "tokens to generate per sample" },
    { name = "exec-timeout", default = 3.0, min = 0.01, max = 3600, metavar = "SECONDS", help = "time limit per program" },
    { name = "generate-only", type = "string", metavar = "FILE", help = "only generate: write the samples to FILE and score nothing" },
    { name = "workers", type = "int", min = 1, max = 4096, metavar = "N", identity = false, help = "programs run at once (default: the number of CPUs)" },
    { name = "overlap", default = "auto", choices = { "auto", "on", "off" }, identity = false, help = "score while generating (auto: when the server computes on a GPU, another host or other cores)" },
    { name = "limit", type = "int", min = 1, metavar = "N", help = "only the first N problems" },
    { name = "python", type = "string", metavar = "PATH", help = "Python for the programs (default: /usr/bin/python3, else python3)" },
  }
end

local function merge_options(extra)
  local opts, at = common_options(), {}
  for i, o in ipairs(opts) do at[o.name] = i end
  for _, o in ipairs(extra or {}) do
    if at[o.name] then opts[at[o.name]] = o else opts[#opts + 1] = o end
  end
  return opts
end

local function validate(recipe, opts)
  if opts.samples and not bench.fs.stat(opts.samples) then return false, "--samples: no file '" .. opts.samples .. "'" end
  if type(opts.dataset) == "string" and not bench.fs.stat(opts.dataset) then
    return false, "--dataset: no file '" .. opts.dataset .. "'"
  end
  if opts.top_p <= 0 or opts.top_p > 1 then return false, "--top-p must be in (0, 1]" end
  if opts.python and opts.python:find("/") and not bench.fs.stat(opts.python) then
    return false, "--python: no file '" .. opts.python .. "'"
  end
  if opts.samples and opts.generate_only then return false, "--samples and --generate-only do not go together" end
  if recipe.validate then return recipe.validate(opts) end
  return true
end

---------------------------------------------------------------- data

local function load_problems(recipe, o)
  local problems, source, digest
  local ds = recipe.dataset
  if type(ds) == "function" then
    local ok, a, b, c = pcall(ds, o)
    if not ok then
      -- a file of another benchmark's kind says which
      if type(a) == "string" and o.dataset then error(a .. dataset.kind_hint(o.dataset, recipe.name, a), 0) end
      error(a, 0)
    end
    problems, source, digest = a, b, c
  else
    source = o.dataset
    if not source and not ds.fetch then error("--dataset PATH is required", 0) end
    if not source then
      local err
      source, err = dataset.fetch(ds.fetch)
      if not source then error(err, 0) end
    end
    problems, digest = ds.read(source, o)
    if not problems then error(digest .. dataset.kind_hint(o.dataset, recipe.name, digest), 0) end -- read's message
  end
  if not problems then error(source or digest, 0) end
  problems.by_id, problems.dropped, problems.source = problems.by_id or {}, {}, source
  for _, p in ipairs(problems) do problems.by_id[p.task_id] = p end
  if o.limit and o.limit < #problems then
    for i = #problems, o.limit + 1, -1 do
      problems.dropped[problems[i].task_id] = true
      problems.by_id[problems[i].task_id] = nil
      problems[i] = nil
    end
  end
  return problems, source, digest
end

---------------------------------------------------------------- the tally

local function new_tally(sets, outcomes)
  local t = { outcomes = {}, sets = {}, names = sets, exec_time = 0, split = {}, order = outcomes or M.OUTCOMES,
    prompt_evaluated = 0, prompt_cached = 0, prompt_timed = 0 }
  for _, k in ipairs(t.order) do t.outcomes[k] = 0 end
  for _, s in ipairs(sets) do t.sets[s] = { n = {}, c = {} } end
  return t
end

-- did rec pass set s? (the single set is the record's own `passed`)
local function passed_in(rec, s)
  if s == "" then return rec.passed == true end
  return type(rec[s]) == "table" and rec[s].passed == true
end

local function count(tally, rec)
  tally.outcomes[rec.outcome] = (tally.outcomes[rec.outcome] or 0) + 1
  local first = tally.names[1]
  for i, s in ipairs(tally.names) do
    local st = tally.sets[s]
    st.n[rec.task_id] = (st.n[rec.task_id] or 0) + 1
    local ok = passed_in(rec, s)
    st.c[rec.task_id] = (st.c[rec.task_id] or 0) + (ok and 1 or 0)
    if i > 1 and passed_in(rec, first) and not ok then
      local key = string.format("passed_%s_failed_%s", first, s)
      tally.split[key] = tally.split[key] or {}
      table.insert(tally.split[key], string.format("%s#%d", rec.task_id, rec.sample or 0))
    end
  end
end

local function pass_at_k(problems, st, filter)
  local counts = {}
  for _, p in ipairs(problems) do
    if not filter or filter(p) then counts[#counts + 1] = { n = st.n[p.task_id] or 0, c = st.c[p.task_id] or 0 } end
  end
  return (passk.compute(counts)), #counts
end


local function report(ctx, recipe, problems, tally, extra)
  local primary = recipe.primary or tally.names[#tally.names]
  local pak = pass_at_k(problems, tally.sets[primary])
  local oc = tally.outcomes
  local line = passk.format(pak)
  if #tally.names > 1 then
    local parts = {}
    for _, s in ipairs(tally.names) do parts[#parts + 1] = s .. " " .. passk.format(pass_at_k(problems, tally.sets[s])) end
    line = table.concat(parts, "  ")
  end
  local counts = {}
  for _, k in ipairs(tally.order) do counts[#counts + 1] = string.format("%s %d", k:gsub("_", " "), oc[k]) end
  local known = {}
  for _, k in ipairs(tally.order) do known[k] = true end
  for k, v in pairs(oc) do -- a recipe's own outcomes
    if not known[k] then counts[#counts + 1] = string.format("%s %d", k:gsub("_", " "), v) end
  end
  io.stdout:write(string.format("%s: %s  %s\n", ctx.name, line, table.concat(counts, ", ")))
  local res = {
    score = pak["pass@1"], pass_at_k = pak, outcomes = oc, problems = #problems,
    scoring_time = tally.first and (tally.last - tally.first) or 0, exec_time = tally.exec_time,
    config = { dataset = problems.source, exec_timeout = ctx.opts.exec_timeout, sandbox = ctx.sandbox or "off" },
    reproducibility = { dataset_sha256 = extra.digest },
  }
  extra.digest = nil
  if tally.prompt_timed > 0 then -- the server's timings: prompt tokens computed vs taken from its cache
    res.prompt_tokens_evaluated, res.prompt_tokens_cached = tally.prompt_evaluated, tally.prompt_cached
  end
  if #tally.names > 1 then
    res.pass_at_k_by_set = {}
    for _, s in ipairs(tally.names) do res.pass_at_k_by_set[s] = (pass_at_k(problems, tally.sets[s])) end
    for k, v in pairs(tally.split) do table.sort(v) res[k] = v end
  end
  if recipe.groups then
    local keys = {}
    for _, p in ipairs(problems) do
      for k, v in pairs(recipe.groups(p)) do
        keys[k] = keys[k] or {}
        keys[k][v] = true
      end
    end
    for k, vals in pairs(keys) do
      local by = {}
      for v in pairs(vals) do
        local pk, nprob = pass_at_k(problems, tally.sets[primary], function(p) return recipe.groups(p)[k] == v end)
        by[v] = { problems = nprob, pass_at_k = pk }
      end
      res["by_" .. k] = by
    end
  end
  for k, v in pairs(extra) do res[k] = v end
  if recipe.result then recipe.result(res, tally, problems, ctx) end
  return res
end

---------------------------------------------------------------- scoring

-- The samples to judge (a tasks.queue), drained by `workers` tasks. With
-- overlap off, the workers start only once generation is over.
local function new_queue(workers)
  return { jobs = tasks.queue(), workers = workers, tasks = {} }
end

-- (a worker's error, with its traceback as a task's carries it, stops the
-- queue and is finish()'s to return: the task does not die unjoined, which
-- would print it on the terminal)
local function with_trace(e)
  if type(e) == "string" and not e:find("\nstack traceback:\n", 1, true) then return debug.traceback(e, 2) end
  return e
end

local function start_workers(q, fn)
  for i = 1, q.workers do
    q.tasks[i] = bench.spawn(function()
      while not q.err do
        local job = q.jobs:get()
        if not job then return end
        local ok, err = xpcall(fn, with_trace, job)
        if not ok then
          q.err = q.err or err
          q.jobs:close()
        end
      end
    end)
  end
end

-- No more jobs: the workers finish the queue and end. -> first error | nil
local function finish(q)
  q.jobs:close()
  local first = q.err
  for _, t in ipairs(q.tasks) do
    local ok, err = bench.join(t)
    if not ok and not first then first = err end
  end
  return first or q.err
end

local function judge_one(recipe, jctx, tally, p, solution)
  local t0 = bench.now()
  tally.first = tally.first or t0
  local v = recipe.judge(jctx, p, solution)
  tally.last = bench.now()
  tally.exec_time = tally.exec_time + (type(v.exec_time) == "number" and v.exec_time or 0)
  return v
end

-- rec gets the verdict, its outcome and passed
local function settle(recipe, rec, v, g)
  for k, val in pairs(v) do if rec[k] == nil then rec[k] = val end end
  local primary = recipe.primary or (recipe.verdicts and recipe.verdicts[#recipe.verdicts])
  if primary then rec.passed = type(v[primary]) == "table" and v[primary].passed == true
  else rec.passed = v.passed == true end
  if rec.passed then rec.outcome = "passed"
  elseif g.truncated then rec.outcome = "truncated"
  elseif g.no_code then rec.outcome = recipe.no_code or "no_code"
  else rec.outcome = v.outcome ~= "passed" and v.outcome or "wrong" end
end

local function jctx_of(ctx, recipe)
  local o = ctx.opts
  local jctx = { opts = o, sandbox = ctx.sandbox, workers = o.workers or codeexec.cpus(), name = ctx.name, run_dir = ctx.run_dir }
  if recipe.executor then
    jctx.executor = recipe.executor(jctx)
  else
    local pool, err = codeexec.pool{ size = jctx.workers, sandbox = ctx.sandbox, python = o.python }
    if not pool then error(err, 0) end
    jctx.executor = pool
  end
  return jctx
end

---------------------------------------------------------------- modes

-- `--samples FILE`: score a samples file in the recipe's format.
local function score_file(ctx, recipe, jctx, problems, digest, fmt)
  local o = ctx.opts
  local recs = fmt.read(o.samples, problems, o)
  local tally, done = new_tally(recipe.verdicts or { "" }, recipe.outcomes), 0
  local q = new_queue(jctx.workers)
  start_workers(q, function(s)
    local p = problems.by_id[s.task_id]
    local v = judge_one(recipe, jctx, tally, p, s.solution)
    s.verdict = v
    local rec = { task_id = s.task_id, sample = s.index }
    for k, val in pairs(s.fields or {}) do rec[k] = val end
    settle(recipe, rec, v, { no_code = s.no_code })
    count(tally, rec)
    ctx.log_sample(rec)
    done = done + 1
    ctx.progress(done, #recs)
  end)
  for _, s in ipairs(recs) do q.jobs:put(s) end
  local err = finish(q)
  if err then error(err, 0) end
  local file = fmt.write(o.samples, recs, problems, o)
  if file then io.stdout:write(string.format("%s: wrote %s\n", ctx.name, file)) end
  return report(ctx, recipe, problems, tally, { digest = digest, samples = #recs, samples_file = o.samples })
end

local function chat_messages(recipe, p, o, index)
  local m
  if recipe.chat then
    m = recipe.chat(p, o, index or 0)
  else
    m = (recipe.instruction or "") .. "\n```python\n" .. p.prompt:match("^%s*(.-)%s*$") .. "\n```"
  end
  if type(m) == "string" then return { { role = "user", content = m } }, m end
  return m, m[#m].content
end

-- One sample's request and its code. -> g (never raises for a failed request)
-- The server's prompt accounting (llama-server's timings): tokens evaluated, cached.
local function prompt_timings(g, r)
  local t = type(r.raw) == "table" and r.raw.timings
  if type(t) == "table" and type(t.prompt_n) == "number" then
    g.prompt_evaluated, g.prompt_cached = t.prompt_n, type(t.cache_n) == "number" and t.cache_n or 0
  end
end

local function generate(ctx, recipe, p, seed, index)
  local o = ctx.opts
  local g = {}
  if o.chat then
    local messages, shown = chat_messages(recipe, p, o, index)
    g.prompt = shown
    if #messages > 1 then g.messages = messages end
    local r, err = ctx.chat{ messages = messages, max_tokens = o.max_tokens,
      temperature = o.temperature, top_p = o.top_p, seed = seed, cache_prompt = true }
    if not r then g.error = err return g end
    prompt_timings(g, r)
    local code, info = (recipe.extract or extract.code)(r.text, p, o)
    info = info or {}
    g.raw, g.reasoning, g.finish, g.tokens, g.gen_time = r.text, r.reasoning, r.finish, r.tokens, r.time
    g.truncated = r.finish == "length" or info.unclosed_think or false
    g.code, g.no_code = code, code == nil
  else
    g.prompt = recipe.prompt and recipe.prompt(p, o, index or 0) or p.prompt
    local r, err = ctx.completion{ prompt = g.prompt, n_predict = o.max_tokens, temperature = o.temperature,
      top_p = o.top_p, stop = recipe.stops, seed = seed, cache_prompt = true }
    if not r then g.error = err return g end
    prompt_timings(g, r)
    g.raw, g.finish, g.tokens, g.gen_time = r.text, r.finish, r.tokens, r.time
    g.code = extract.truncate(r.text, recipe.stops)
    g.truncated = r.finish == "length" and g.code == r.text
    g.no_code = not g.code:find("%S")
  end
  return g
end

-- what RUN_DIR/generated.jsonl keeps of a completion: enough to score it
-- again without asking the server (generation_of reads it back)
local GEN_FIELDS = { "prompt", "messages", "raw", "reasoning", "finish", "code", "tokens", "gen_time", "truncated", "no_code" }
function M.generated_record(it)
  local rec = { task_id = it.p.task_id, sample = it.index, seed = it.seed }
  for _, k in ipairs(GEN_FIELDS) do rec[k] = it.g[k] end
  return rec
end

function M.generation_of(rec)
  local g = {}
  for _, k in ipairs(GEN_FIELDS) do
    local v = rec[k]
    if v ~= nil and v ~= cjson_null then g[k] = v end
  end
  return g
end

local function sample_record(it, g, fields)
  local rec = { task_id = it.p.task_id, sample = it.index, seed = it.seed, prompt = g.prompt, messages = g.messages,
    raw = g.raw, reasoning = g.reasoning, finish = g.finish, code = g.code, tokens = g.tokens, gen_time = g.gen_time }
  for k, v in pairs(fields or {}) do rec[k] = v end
  return rec
end

-- `--generate-only FILE`: the samples in the recipe's format, not scored.
local function write_generated(ctx, fmt, items, gen_time, tokens)
  for _, it in ipairs(items) do
    local rec = sample_record(it, it.g, it.fields)
    rec.error = it.g.error
    ctx.log_sample(rec)
  end
  fmt.generated(ctx.opts.generate_only, items, ctx.opts)
  io.stdout:write(string.format("%s: wrote %d samples to %s\n", ctx.name, #items, ctx.opts.generate_only))
  return { unscored = "generate-only", samples = #items, samples_file = ctx.opts.generate_only, generation_time = gen_time,
    tokens_per_s = gen_time > 0 and tokens / gen_time or nil }
end

local function fit_text(recipe, p, o)
  if o.chat then
    local messages = chat_messages(recipe, p, o)
    local parts = {}
    for i, m in ipairs(messages) do parts[i] = m.content end
    return table.concat(parts, "\n")
  end
  return recipe.prompt and recipe.prompt(p, o, 0) or p.prompt
end

-- Generate every sample (all slots busy); score each as it arrives, or
-- after generation, as the overlap decision says.
local function full_run(ctx, recipe, jctx, problems, digest, fmt)
  local o = ctx.opts
  local done_samples = ctx.done_samples or {}
  local generated = not o.generate_only and ctx.generated_samples or {}
  local items, fit, todo, resumed, kept = {}, {}, {}, 0, {}
  local tally = new_tally(recipe.verdicts or { "" }, recipe.outcomes)
  for _, p in ipairs(problems) do
    local need = false
    for i = 0, o.n - 1 do
      local it = { p = p, index = i, seed = M.sample_seed(ctx.seed, p.task_id, i) }
      items[#items + 1] = it
      local key = p.task_id .. "\0" .. i
      local prev = not o.generate_only and done_samples[key]
      if prev then
        count(tally, prev)
        resumed = resumed + 1
      elseif generated[key] then
        -- generated by the run resumed, not scored: scored now, not asked again
        it.g = M.generation_of(generated[key])
        kept[#kept + 1] = it
      else
        todo[#todo + 1] = it
        need = true
      end
    end
    if need then fit[#fit + 1] = { id = p.task_id, prompt = fit_text(recipe, p, o) } end
  end
  ctx.check_fit(fit, o.max_tokens)
  local plan = o.generate_only and { overlap = false } or overlap.decide(ctx, jctx.workers)
  local done, t0, gen_end = resumed, bench.now(), nil
  local q = not o.generate_only and new_queue(plan.workers or jctx.workers)
  local score_progress = ctx.progress
  local function score(it)
    local rec = sample_record(it, it.g, it.fields)
    if it.g.error then
      rec.outcome, rec.passed, rec.error = "server_error", false, it.g.error
      if recipe.verdicts then for _, s in ipairs(recipe.verdicts) do rec[s] = { passed = false } end end
    else
      settle(recipe, rec, judge_one(recipe, jctx, tally, it.p, it.solution), it.g)
    end
    count(tally, rec)
    ctx.log_sample(rec)
    done = done + 1
    score_progress(done, #items, string.format("passed %d", tally.outcomes.passed))
  end
  if q and plan.overlap then start_workers(q, score) end
  local function solve(it)
    if not it.g.error then
      local sol, fields = (recipe.solution or function(_, g) return g.code or "" end)(it.p, it.g, o, it.index)
      it.solution, it.fields = sol, fields
    end
  end
  for _, it in ipairs(kept) do
    solve(it)
    q.jobs:put(it)
  end
  -- scoring waits for generation: generation has a progress line of its own
  local gen_progress = q and not plan.overlap and #todo > 0 and require("benchlua.progress").new{
    name = ctx.name .. " generation", quiet = o.quiet, stats = ctx.stats, live = { start = t0, base = 0 } }
  local generated_n = 0
  local ok, err = pcall(bench.map, todo, ctx.concurrency, function(it)
    it.g = generate(ctx, recipe, it.p, it.seed, it.index)
    gen_end = bench.now()
    generated_n = generated_n + 1
    if gen_progress then gen_progress(generated_n, #todo) end
    if it.g.prompt_evaluated then
      tally.prompt_timed = tally.prompt_timed + 1
      tally.prompt_evaluated = tally.prompt_evaluated + it.g.prompt_evaluated
      tally.prompt_cached = tally.prompt_cached + it.g.prompt_cached
    end
    -- kept as it arrives, scored or not: an interrupted run loses no completion
    if not it.g.error and not o.generate_only and ctx.log_generated then ctx.log_generated(M.generated_record(it)) end
    solve(it)
    if o.generate_only then
      done = done + 1
      return ctx.progress(done, #items)
    end
    q.jobs:put(it)
  end)
  local gen_time = (gen_end or bench.now()) - t0
  if gen_progress then gen_progress.finish() end
  if q then
    if not plan.overlap then
      -- scoring after generation: its rate and ETA from when it starts
      -- (the passed count is the run's), and no tokens/s
      score_progress = require("benchlua.progress").new{ name = ctx.name, quiet = o.quiet,
        live = setmetatable({ start = bench.now(), base = done }, { __index = ctx.live }) }
      if ok then start_workers(q, score) end
    end
    local serr = finish(q)
    if serr and ok then ok, err = false, serr end
  end
  if not ok then error(err, 0) end
  local tokens = ctx.stats.tokens
  if o.generate_only then
    local res = write_generated(ctx, fmt, items, gen_time, tokens)
    if tally.prompt_timed > 0 then res.prompt_tokens_evaluated, res.prompt_tokens_cached = tally.prompt_evaluated, tally.prompt_cached end
    return res
  end
  local res = report(ctx, recipe, problems, tally, {
    digest = digest, samples = #items, generation_time = gen_time,
    tokens_per_s = gen_time > 0 and tokens / gen_time or nil, overlap_wall = bench.now() - t0,
    resumed_samples = resumed > 0 and resumed or nil,
  })
  res.config.overlap = plan.config
  res.config.sampling = { mode = o.chat and "chat" or "completion", n = o.n, temperature = o.temperature,
    top_p = o.top_p, max_tokens = o.max_tokens, seed = ctx.seed, stop = not o.chat and recipe.stops or nil }
  return res
end

---------------------------------------------------------------- the benchmark

--- code.benchmark(recipe) -> a benchmark table (see the header)
function M.benchmark(recipe)
  assert(type(recipe) == "table", "code.benchmark: expected a recipe table")
  for _, f in ipairs({ "name", "description" }) do
    if type(recipe[f]) ~= "string" then error("code.benchmark: recipe." .. f .. " must be a string", 2) end
  end
  if type(recipe.judge) ~= "function" then error("code.benchmark: recipe.judge must be a function", 2) end
  if type(recipe.dataset) ~= "function" and type(recipe.dataset) ~= "table" then
    error("code.benchmark: recipe.dataset must be a table {fetch=, read=} or a function(opts)", 2)
  end
  local fmt = recipe.samples or M.formats.human_eval
  -- the data, loaded before the server starts (prepare) and kept for run
  local loaded = setmetatable({}, { __mode = "k" })
  return {
    name = recipe.name,
    description = recipe.description,
    options = merge_options(recipe.options),
    server = recipe.server or function(opts) return opts.samples == nil end,
    validate = function(opts) return validate(recipe, opts) end,
    parse = recipe.parse,
    -- what `benchlua fetch` downloads ahead of time (dataset.fetch descriptors)
    datasets = recipe.datasets or (type(recipe.dataset) == "table" and recipe.dataset.fetch and { recipe.dataset.fetch }) or nil,
    -- before the server starts: the dataset read (or fetched) and checked
    prepare = function(o)
      local problems, source, digest = load_problems(recipe, o)
      loaded[o] = { problems, source, digest }
    end,
    run = function(ctx)
      local o = ctx.opts
      o.temperature = o.temperature or (o.n == 1 and 0.0 or 0.8)
      local l = loaded[o] or { load_problems(recipe, o) }
      loaded[o] = nil
      local problems, digest = l[1], l[3]
      local jctx = not o.generate_only and jctx_of(ctx, recipe) or nil
      local _ <close> = setmetatable({}, { __close = function() if jctx then jctx.executor:close() end end })
      if o.samples then return score_file(ctx, recipe, jctx, problems, digest, fmt) end
      return full_run(ctx, recipe, jctx, problems, digest, fmt)
    end,
  }
end

return M
