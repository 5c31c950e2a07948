-- Reading runs back: sample logs with several verdicts (evalplus's base and
-- plus tests) are compared side by side; the quick verdict reader agrees with
-- full decoding, and a truncated last line (kill -9) is skipped.
local cjson = require("cjson")
local samplelog = require("benchlua.samplelog")
local T = {}

local function write_log(path, recs)
  local lines = {}
  for i, r in ipairs(recs) do lines[i] = cjson.encode(r) end
  assert(bench.fs.write_atomic(path, table.concat(lines, "\n") .. "\n"))
end

-- run a: base passes on 0-3, plus on 0-1; run b: base on 0-4, plus on 2-4
local function recs(base_ok, plus_ok)
  local out = {}
  for i = 0, 5 do
    local id = "HumanEval/" .. i
    out[#out + 1] = { task_id = id, sample = 0, prompt = 'say "passed": true', passed = plus_ok(i),
      base = { passed = base_ok(i) }, plus = { passed = plus_ok(i) }, outcome = plus_ok(i) and "passed" or "wrong" }
  end
  return out
end

T[#T + 1] = { "compare shows base and plus verdicts side by side", function()
  local dir = assert(bench.fs.mkdtemp("readback-test"))
  local runs = {}
  for i, spec in ipairs({ { function(i) return i <= 3 end, function(i) return i <= 1 end },
                          { function(i) return i <= 4 end, function(i) return i >= 2 and i <= 4 end } }) do
    bench.fs.mkdir_p(dir .. "/r" .. i)
    write_log(dir .. "/r" .. i .. "/samples.jsonl", recs(spec[1], spec[2]))
    runs[i] = { benchmark = "humaneval_plus", num = i, status = "ok", run_dir = dir .. "/r" .. i,
      results = { score = i == 1 and 2 / 6 or 3 / 6 } }
  end
  local r = require("benchlua.compare").compare(runs[1], runs[2])
  bench.fs.rmtree(dir)
  assert(r.test == "exact McNemar", r.test)
  assert(r.channels and r.channels.base and r.channels.plus, "no channels")
  assert(math.abs(r.channels.base.score_a - 4 / 6) < 1e-12 and math.abs(r.channels.base.score_b - 5 / 6) < 1e-12)
  assert(math.abs(r.channels.plus.score_a - 2 / 6) < 1e-12 and math.abs(r.channels.plus.score_b - 3 / 6) < 1e-12)
  -- plus: passed in a only {0, 1}, in b only {2, 3, 4}; exact McNemar p = 2 * P(X <= 2 | n = 5) = 1
  assert(table.concat(r.channels.plus.flips.passed_in_a_only, ",") == "HumanEval/0,HumanEval/1")
  assert(table.concat(r.flips.passed_in_b_only, ",") == "HumanEval/2,HumanEval/3,HumanEval/4")
  assert(math.abs(r.channels.base.p_value - 1) < 1e-12 and math.abs(r.channels.plus.p_value - 1) < 1e-12, r.channels.plus.p_value)
  local text = require("benchlua.compare").text(r)
  assert(text:find("\n  base      0.667 %-> 0.833") and text:find("\n  plus      0.333 %-> 0.500"), text)
end }

T[#T + 1] = { "the quick verdict reader agrees with decoding every line", function()
  local dir = assert(bench.fs.mkdtemp("readback-test"))
  local recs2 = {}
  for i = 1, 50 do
    recs2[i] = { task_id = "T/" .. (i % 7), sample = i, passed = i % 3 == 0,
      code = 'x = "\\"passed\\": true"', prompt = i % 5 == 0 and 'a "task_id":"fake"' or "p" }
  end
  write_log(dir .. "/s.jsonl", recs2)
  local quick = assert(samplelog.read(dir .. "/s.jsonl"))
  local slow = assert(samplelog.read(dir .. "/s.jsonl", function() end))
  -- a line cut by kill -9 at the end is not counted
  assert(bench.fs.append(dir .. "/s.jsonl", '{"task_id":"T/1","sample":99,"passed":tr'))
  local cut = assert(samplelog.read(dir .. "/s.jsonl"))
  bench.fs.rmtree(dir)
  for _, per in ipairs({ quick, cut }) do
    assert(#per.ids == #slow.ids and per.records == slow.records, "records differ")
    for _, id in ipairs(slow.ids) do
      assert(per.n[id] == slow.n[id] and per.c[id] == slow.c[id], id)
    end
  end
end }

T[#T + 1] = { "the quick verdict reader leaves nested task_id and passed keys to the decoder", function()
  local dir = assert(bench.fs.mkdtemp("readback-test"))
  -- as cjson may order them: a nested object's keys before the record's own
  local lines = {
    '{"detail":{"passed":true},"task_id":"A"}', -- no verdict of its own
    '{"sub":{"task_id":"G"},"task_id":"H","passed":true}',
    '{"ids":["x"],"task_id":"I","passed":false}',
    '{"task_id":"J","passed":true}',
  }
  assert(bench.fs.write_atomic(dir .. "/s.jsonl", table.concat(lines, "\n") .. "\n"))
  local quick = assert(samplelog.read(dir .. "/s.jsonl"))
  local slow = assert(samplelog.read(dir .. "/s.jsonl", function() end))
  bench.fs.rmtree(dir)
  local function show(per)
    local out = {}
    for i, id in ipairs(per.ids) do out[i] = string.format("%s=%d/%d", id, per.c[id], per.n[id]) end
    return table.concat(out, " ")
  end
  assert(show(slow) == "H=1/1 I=0/1 J=1/1", show(slow))
  assert(show(quick) == show(slow), show(quick))
end }

-- a private directory with a results file's path and a run directory in it
local function scratch()
  local dir = assert(bench.fs.mkdtemp("readback-test"))
  local run_dir = dir .. "/benchlua-runs/20260101T000000Z-t-1"
  assert(bench.fs.mkdir_p(run_dir))
  return dir, dir .. "/r.json", run_dir
end

T[#T + 1] = { "a run killed after it was recorded, before it removed state.json, is not recorded again", function()
  local resume, results = require("benchlua.resume"), require("benchlua.results")
  local dir, path, run_dir = scratch()
  local run = { benchmark = "t", status = "failed", error = "no luck", run_dir = run_dir, results = {} }
  local state = resume.begin(run, path)
  assert(results.record(run, { results = path }))
  state.lock:close() -- the kill -9: the lock goes, state.json stays
  state.lock = nil
  local n = resume.recover_orphans(path)
  local left = bench.fs.stat(run_dir .. "/state.json")
  local runs = assert(require("benchlua.runs").load(path))
  bench.fs.rmtree(dir)
  assert(n == 0 and #runs == 1, string.format("recorded %d again; the file has %d runs", n, #runs))
  assert(runs[1].status == "failed")
  assert(not left, "state.json left behind")
end }

T[#T + 1] = { "two --resume of one run at once: the second is refused; one that waited sees it resumed", function()
  local resume, results, runs_mod = require("benchlua.resume"), require("benchlua.results"), require("benchlua.runs")
  local dir, path, run_dir = scratch()
  local identity = { model = "/m/x.gguf", n = 1 }
  assert(results.record({ benchmark = "t", status = "interrupted", run_dir = run_dir,
    config = { options = identity }, results = {} }, { results = path }))
  local spec = { name = "t" }
  local first, err1 = resume.find(path, spec, identity)
  local second, err2 = resume.find(path, spec, identity)
  local ok1 = first and first.lock and first.run.num == 1
  if first and first.lock then first.lock:close() end
  -- a --resume that read the file before the first recorded its run, and
  -- claims the run after: it reads the file again under the lock
  local stale = assert(runs_mod.load(path))[1]
  assert(results.record({ benchmark = "t", status = "ok", run_dir = dir .. "/benchlua-runs/2",
    resumed_from = { run = 1, run_dir = run_dir }, results = {} }, { results = path }))
  local late, err3 = resume.claim(stale, path)
  bench.fs.rmtree(dir)
  assert(ok1, "the first --resume: " .. tostring(err1))
  assert(not second and err2 == "--resume: run #1 is being resumed by another benchlua", tostring(err2))
  assert(late == nil and err3 == "--resume: run #1 was resumed meanwhile, by run #2", tostring(err3))
end }

return T
