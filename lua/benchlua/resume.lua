-- resume.lua: interrupted runs, found and continued.
--
-- While a run is going, its directory holds state.json (the run as it would
-- be recorded, with the results file it belongs to) and state.lock, which the
-- running benchlua holds locked. When the run is recorded (whatever its
-- status) state.json is removed. A state.json whose lock can be taken belongs
-- to a benchlua that was killed (kill -9, a second Ctrl-C): the next command
-- that touches the results file (a run, results, compare, report) records it
-- as "interrupted" with what its sample log holds (recover_orphans).
--
-- `--resume` (find) picks the latest interrupted run of the same benchmark
-- and model that no later run superseded, refuses it when a setting or the
-- dataset differs (naming the difference), and loads its sample log: the
-- completed samples go to ctx.done_samples (key task_id .. "\0" .. index,
-- value the sample-log record) and are copied into the new run's log, so the
-- benchmark generates only the missing ones. The new run is recorded once,
-- complete, with `resumed_from` naming the interrupted one; readers show the
-- interrupted record as "superseded" (the results file stays append-only).
local json = require("benchlua.json")
local samplelog = require("benchlua.samplelog")
local runs_mod = require("benchlua.runs")
local path = require("benchlua.path")
local M = {}

local dirname, abspath = path.dirname, path.abspath

-- options that do not change what a run computes (so --resume ignores them)
local NOT_IDENTITY = {
  results = true, runs_dir = true, quiet = true, help = true, timeout = true, ready_timeout = true,
  concurrency = true, port = true, host = true, server_bin = true, resume = true, workers = true,
  generate_only = false,
}

--- identity(spec, opts) -> the settings a resumed run must share, as they
-- were given (recorded as config.options). A benchmark option declared with
-- `identity = false` is left out.
function M.identity(spec, opts, host_options, extra_options)
  local out = {}
  local function add(o)
    local k = o.name:gsub("-", "_")
    if NOT_IDENTITY[k] or o.identity == false then return end
    local v = opts[k]
    if type(v) == "table" then v = json.array(table.move(v, 1, #v, 1, {})) end
    out[k] = v
  end
  for _, o in ipairs(host_options) do add(o) end
  for _, o in ipairs(extra_options or spec.options or {}) do add(o) end
  return out
end

local function show(v)
  v = runs_mod.val(v)
  if v == nil then return "unset" end
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = tostring(x) end
    return "[" .. table.concat(parts, " ") .. "]"
  end
  if type(v) == "number" and math.type(v) == "float" and v == math.floor(v) then return string.format("%d", v) end
  return tostring(v)
end

--- differences(old, new) -> list of "--name OLD (now NEW)", sorted
function M.differences(old, new)
  local keys, seen, out = {}, {}, {}
  for k in pairs(old) do if not seen[k] then seen[k] = true; keys[#keys + 1] = k end end
  for k in pairs(new) do if not seen[k] then seen[k] = true; keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local a, b = show(old[k]), show(new[k])
    if a ~= b then out[#out + 1] = string.format("--%s %s (now %s)", k:gsub("_", "-"), a, b) end
  end
  return out
end

-- state.json -------------------------------------------------------------------

--- begin(run, results_path) -> handle: writes RUN_DIR/state.json and holds
-- RUN_DIR/state.lock until handle:finish() (or the process dies).
function M.begin(run, results_path)
  local h = { dir = run.run_dir, results = abspath(results_path) }
  h.lock = bench.fs.trylock(run.run_dir .. "/state.lock")
  function h.update(r)
    local state = { run = r, results_file = h.results, pid = bench.fs.getpid(), started = r.timestamp }
    bench.fs.write_atomic(h.dir .. "/state.json", json.encode(state, "  ") .. "\n")
  end
  function h.finish()
    bench.fs.remove(h.dir .. "/state.json")
    bench.fs.remove(h.dir .. "/state.lock")
    if h.lock then h.lock:close() h.lock = nil end
  end
  h.update(run)
  -- as a <close> variable: the state goes once the run is recorded; a run
  -- that could not be recorded stays for a later command to record
  return setmetatable(h, { __close = function()
    if h.recorded then h.finish() elseif h.lock then h.lock:close() h.lock = nil end
  end })
end

local function key_of(rec)
  local id, s = rec.task_id, math.tointeger(rec.sample)
  if type(id) == "string" and s then return samplelog.key(id, s) end
end

--- count_generated(ctx, rec): a completion logged before it is scored
function M.count_generated(ctx, rec)
  local k = key_of(rec)
  if k then ctx.live.unscored[k] = true end
end

--- count_sample(ctx, rec): keeps ctx.live current as the sample log grows
function M.count_sample(ctx, rec)
  local live = ctx.live
  live.samples = live.samples + 1
  local id, passed = rec.task_id, rec.passed
  local k = key_of(rec)
  if k and live.unscored then live.unscored[k] = nil end
  if type(rec.outcome) == "string" then live.outcomes[rec.outcome] = (live.outcomes[rec.outcome] or 0) + 1 end
  if type(id) == "string" and type(passed) == "boolean" then
    if ctx.done_samples and math.tointeger(rec.sample) and ctx.done_samples[samplelog.key(id, math.tointeger(rec.sample))] then
      ctx.live.redone = (ctx.live.redone or 0) + 1
    end
    if not live.n[id] then live.ids[#live.ids + 1] = id; live.n[id] = 0; live.c[id] = 0 end
    live.n[id] = live.n[id] + 1
    if passed then live.c[id] = live.c[id] + 1 end
    live.passed = (live.passed or 0) + (passed and 1 or 0)
  end
end

--- attach(ctx, prev, run): a resumed run starts from prev's completed
-- samples, and its completions that were not scored (ctx.generated_samples)
-- -> nil | err (the run directory could not take them)
function M.attach(ctx, prev, run)
  ctx.done_samples = prev.done
  ctx.generated_samples = prev.generated
  local function copy(path, lines)
    if #lines == 0 then return true end
    local ok, err = bench.fs.append(path, table.concat(lines, "\n") .. "\n")
    if not ok then return nil, string.format("cannot write %s: %s", path, tostring(err)) end
    return true
  end
  local ok, err = copy(ctx.samples_path, prev.lines)
  if ok then ok, err = copy(ctx.generated_path, prev.generated_lines) end
  if not ok then return err end
  local decode = require("cjson.safe").decode
  for _, line in ipairs(prev.lines) do M.count_sample({ live = ctx.live }, decode(line)) end
  for _, line in ipairs(prev.generated_lines) do M.count_generated(ctx, decode(line)) end
  ctx.live.base = prev.count
  local r = prev.run
  run.resumed_from = { run = r.num, run_dir = r.run_dir, timestamp = r.timestamp, samples_kept = prev.count,
    generated_kept = #prev.generated_lines > 0 and #prev.generated_lines or nil }
  io.stderr:write(string.format("benchlua: resuming run #%d: %d samples kept%s from %s\n", r.num, prev.count,
    #prev.generated_lines > 0 and string.format(" and %d generated, to be scored,", #prev.generated_lines) or "",
    tostring(r.run_dir)))
end

--- complete(ctx, run): before recording. An interrupted or failed run gets
-- what its sample log holds; a complete one the 95% interval of its score.
function M.complete(ctx, run)
  local live, res = ctx.live, run.results
  if (live.redone or 0) > 0 then
    io.stderr:write(string.format("benchlua: warning: %s generated %d samples again that the resumed run had done (it ignores ctx.done_samples)\n",
      run.benchmark, live.redone))
    res.resume_redone = live.redone
  end
  if run.status ~= "ok" then
    local n = tonumber(run.config.options and run.config.options.n) or 1
    local done, passed = 0, 0
    for _, id in ipairs(live.ids) do
      if live.n[id] >= n then done = done + 1 end
      passed = passed + live.c[id]
    end
    res.samples_done = res.samples_done or live.samples
    local unscored = 0
    for _ in pairs(live.unscored or {}) do unscored = unscored + 1 end
    if unscored > 0 then res.samples_unscored = res.samples_unscored or unscored end
    if #live.ids > 0 then
      res.problems_done = res.problems_done or done
      res.problems_started = res.problems_started or #live.ids
      res.passed = res.passed or passed
    end
    if res.outcomes == nil and next(live.outcomes) then res.outcomes = live.outcomes end
    return
  end
  if type(res.score) == "number" and #live.ids > 0 and res.ci95 == nil then
    local rates, sum = {}, 0
    for i, id in ipairs(live.ids) do rates[i] = live.c[id] / live.n[id]; sum = sum + rates[i] end
    if math.abs(sum / #rates - res.score) < 1e-9 then -- the score is the mean pass rate (pass@1)
      local stats = require("benchlua.stats")
      local lo, hi, method = stats.score_interval(rates)
      res.ci95, res.ci_method = json.array({ lo, hi }), method
    end
  end
end

--- summary(run_dir, n) -> results of what the sample log holds: samples,
-- problems done (all n samples), outcomes, passed. nil when there is no log.
function M.summary(run_dir, n)
  local outcomes, any = {}, false
  local per = samplelog.read(run_dir .. "/samples.jsonl", function(rec)
    if type(rec.outcome) == "string" then
      outcomes[rec.outcome] = (outcomes[rec.outcome] or 0) + 1
      any = true
    end
  end)
  local unscored = #M.generated(run_dir, M.scored(run_dir))
  if not per then return unscored > 0 and { samples_done = 0, samples_unscored = unscored } or nil end
  local done, passed = 0, 0
  for _, id in ipairs(per.ids) do
    if per.n[id] >= (n or 1) then done = done + 1 end
    passed = passed + per.c[id]
  end
  return { samples_done = per.lines, problems_started = #per.ids, problems_done = done, passed = passed,
    outcomes = any and outcomes or nil, samples_unscored = unscored > 0 and unscored or nil }
end


--- recover_orphans(results_path, [runs_dir]) -> count recorded
-- Records every run whose benchlua died without recording it.
function M.recover_orphans(results_path, runs_dir)
  local abs = abspath(results_path)
  local dirs = { runs_dir or (dirname(results_path) .. "/benchlua-runs") }
  local count = 0
  for _, d in ipairs(dirs) do
    local st = bench.fs.stat(d)
    if st and st.type == "dir" then
      local names = bench.fs.list(d) or {}
      table.sort(names)
      for _, name in ipairs(names) do
        local run = d .. "/" .. name
        if bench.fs.stat(run .. "/state.json") and M.recover_one(run, abs) then count = count + 1 end
      end
    end
  end
  return count
end

function M.recover_one(dir, abs_results)
  local text = bench.fs.read(dir .. "/state.json")
  local state = text and require("cjson.safe").decode(text)
  if type(state) ~= "table" or type(state.run) ~= "table" or state.results_file ~= abs_results then return false end
  local lock = bench.fs.trylock(dir .. "/state.lock")
  if not lock then return false end -- its benchlua is alive
  -- re-read under the lock: another command may have recorded it meanwhile
  if not bench.fs.stat(dir .. "/state.json") then lock:close() return false end
  local run = state.run
  -- killed after it recorded the run, before it removed state.json: the run
  -- is in the file already (its benchlua is gone, so it cannot be added now)
  for _, r in ipairs(runs_mod.load(abs_results, { runs = { run_dir = true } }) or {}) do
    if r.run_dir == run.run_dir then
      bench.fs.remove(dir .. "/state.json")
      bench.fs.remove(dir .. "/state.lock")
      lock:close()
      return false
    end
  end
  local opts = type(run.config) == "table" and type(run.config.options) == "table" and run.config.options or {}
  run.status = "interrupted"
  run.error = string.format("benchlua (pid %s) was killed during the run; recorded by a later command", tostring(math.tointeger(state.pid) or state.pid))
  run.results = type(run.results) == "table" and run.results or {}
  for k, v in pairs(M.summary(dir, tonumber(opts.n)) or {}) do run.results[k] = v end
  local ok = require("benchlua.results").record(run, { results = abs_results })
  if ok then
    bench.fs.remove(dir .. "/state.json")
    bench.fs.remove(dir .. "/state.lock")
    io.stderr:write(string.format("benchlua: recorded an interrupted %s run from %s (its benchlua was killed)\n",
      tostring(run.benchmark), dir))
  end
  lock:close()
  return ok
end

-- --resume ---------------------------------------------------------------------

--- find(results_path, spec, identity [, num]) -> {run=, done=, lines=, count=, lock=} | nil, err
-- The run to continue: run `num` (its number in the file), else the latest
-- interrupted or failed run of this benchmark and model. Its settings must
-- be these.
function M.find(results_path, spec, identity, num)
  local all, err = runs_mod.load(results_path)
  if not all then return nil, "--resume: " .. err end
  -- the model, or the endpoint (several: their URLs, space-separated)
  local function who(o) return show(runs_mod.val(o.model) or runs_mod.val(o.endpoint)) end
  local model = who(identity)
  local function take(r, what)
    local cfg = type(r.config) == "table" and r.config or {}
    local old = type(cfg.options) == "table" and cfg.options or nil
    if not old then return nil, string.format("--resume: run #%d was recorded without its settings (an older benchlua); it cannot be resumed", r.num) end
    local diff = M.differences(old, identity)
    if #diff > 0 then
      return nil, string.format("--resume: run #%d (%s) had different settings: %s", r.num, what, table.concat(diff, ", "))
    end
    local lock, lerr = M.claim(r, results_path)
    if lock == nil then return nil, lerr end
    local prev, perr = M.load_done(r, results_path)
    if not prev then
      if lock then lock:close() end
      return nil, perr
    end
    prev.lock = lock or nil -- the caller holds it until the new run is recorded
    return prev
  end
  if num then
    local r = all[num]
    if not r then return nil, string.format("--resume %d: no run %d in %s (it has %d)", num, num, results_path, #all) end
    if r.benchmark ~= spec.name then
      return nil, string.format("--resume %d: run #%d is a %s run, not %s", num, num, tostring(r.benchmark), spec.name)
    end
    local st = runs_mod.status(r)
    if st == "superseded" then return nil, string.format("--resume %d: run #%d was resumed already, by run #%d", num, num, r.superseded_by) end
    if st ~= "interrupted" and st ~= "failed" then
      return nil, string.format("--resume %d: run #%d is %s: there is nothing to continue", num, num, tostring(st))
    end
    return take(r, "the run named")
  end
  local other
  for i = #all, 1, -1 do
    local r = all[i]
    local st = runs_mod.status(r)
    if r.benchmark == spec.name and (st == "interrupted" or st == "failed") then
      local cfg = type(r.config) == "table" and r.config or {}
      local old = type(cfg.options) == "table" and cfg.options or nil
      local rmodel = old and who(old) or show(cfg.path)
      if rmodel == model then
        local of = runs_mod.val(identity.model) or runs_mod.val(identity.endpoint)
        return take(r, string.format("the latest %s %s run%s", st, spec.name, of and (" of " .. tostring(model)) or ""))
      end
      other = other or r
    end
  end
  if other then
    local ocfg = type(other.config) == "table" and other.config or {}
    local of = runs_mod.val(other.model) or (type(ocfg.options) == "table" and who(ocfg.options)) or "?"
    return nil, string.format("--resume: no interrupted or failed %s run of %s in %s (the latest one, #%d, is of %s; --resume %d names it)",
      spec.name, tostring(model), results_path, other.num, tostring(of), other.num)
  end
  return nil, string.format("--resume: no interrupted or failed %s run in %s", spec.name, results_path)
end

--- claim(run, results_path) -> lock | false (no run directory to lock) | nil, err
-- One --resume of a run at a time: a second one at once would generate the
-- same samples and record the run twice. The lock (RUN_DIR/resume.lock) is
-- held until the resumed run is recorded; under it the file is read again, so
-- a --resume that waited for another sees the run superseded.
function M.claim(r, results_path)
  local dir = runs_mod.run_dir(r, results_path)
  if not dir or not bench.fs.stat(dir) then return false end
  local lock, err, code = bench.fs.trylock(dir .. "/resume.lock")
  if not lock then
    if code == "EAGAIN" then return nil, string.format("--resume: run #%d is being resumed by another benchlua", r.num) end
    return nil, "--resume: " .. tostring(err)
  end
  local now = runs_mod.load(results_path, { runs = { run_dir = true, resumed_from = { run_dir = true } } })
  local again = now and now[r.num]
  if again and again.superseded_by then
    lock:close()
    return nil, string.format("--resume: run #%d was resumed meanwhile, by run #%d", r.num, again.superseded_by)
  end
  return lock
end

--- load_done(run, results_path) -> {run=, done=, lines=, count=}: its completed samples
function M.load_done(r, results_path)
  local dir = runs_mod.run_dir(r, results_path)
  local done, lines, count = {}, {}, 0
  local opts = r.config.options
  -- the dataset must be the same bytes
  local digest = type(r.reproducibility) == "table" and runs_mod.val(r.reproducibility.dataset_sha256)
  local ds = runs_mod.val(opts.dataset)
  if type(digest) == "string" and type(ds) == "string" then
    local data = bench.fs.read(ds)
    local now = data and bench.codec.sha256(data)
    if now ~= digest then
      return nil, string.format("--resume: run #%d used dataset %s with sha256 %s; it is now %s", r.num, ds,
        digest:sub(1, 12), now and now:sub(1, 12) or "missing")
    end
  end
  local generated, glines = {}, {}
  if type(dir) == "string" then
    M.scored(dir, function(k, rec, line)
      done[k] = rec
      lines[#lines + 1] = line
      count = count + 1
    end)
    for _, g in ipairs(M.generated(dir, done)) do
      generated[g.key] = g.rec
      glines[#glines + 1] = g.line
    end
  end
  return { run = r, done = done, lines = lines, count = count, generated = generated, generated_lines = glines }
end

--- scored(dir, [fn]) -> {key -> record}: the samples of RUN_DIR/samples.jsonl
-- that a resumed run keeps: with a verdict, not a server error (those are
-- asked again), the first record of each (task_id, sample). fn(key, rec, line)
-- sees each.
function M.scored(dir, fn)
  local done = {}
  samplelog.read(dir .. "/samples.jsonl", function(rec, line)
    local k = key_of(rec)
    if k and type(rec.passed) == "boolean" and rec.outcome ~= "server_error" and runs_mod.val(rec.error) == nil
      and not done[k] then
      done[k] = rec
      if fn then fn(k, rec, line) end
    end
  end)
  return done
end

--- generated(dir, scored) -> list of {key=, rec=, line=}: the completions of
-- RUN_DIR/generated.jsonl (logged as they arrived) that `scored` lacks, the
-- first of each (a line cut by kill -9 is skipped).
function M.generated(dir, scored)
  local out, seen = {}, {}
  local text = bench.fs.read(dir .. "/generated.jsonl")
  if not text then return out end
  local decode = require("cjson.safe").decode
  for line in text:gmatch("[^\n]+") do
    local rec = decode(line)
    local k = type(rec) == "table" and key_of(rec)
    if k and not scored[k] and not seen[k] and runs_mod.val(rec.error) == nil then
      seen[k] = true
      out[#out + 1] = { key = k, rec = rec, line = line }
    end
  end
  return out
end

return M
