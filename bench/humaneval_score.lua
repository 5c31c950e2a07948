-- bench/humaneval_score.lua: how fast HumanEval scoring is (not a test).
--
--   ./benchlua bench/humaneval_score.lua --results /tmp/bench.json
--   ./benchlua bench/humaneval_score.lua --results /tmp/bench.json \
--       --model /tmp/tiny.gguf --server-bin tests/server/llama-server --parallel 4 --ctx 16384
--
-- 1. Scores the 164 canonical solutions with the sandbox on through the warm
--    executors (lua/benchlua/codeexec.lua), wall time including their start,
--    alternating --rounds times with the floor of a process per program
--    (bench/fork_floor.py: one warm Python per CPU, common modules imported,
--    gc.freeze(), forking once per program, no sandbox; timed like the
--    executors, from before its process starts until it has exited):
--    best and median of each and the ratio of the medians (goal: 1.3x).
--    Then, once, one fresh sandboxed python3 per sample (--once) for scale.
-- 2. With --model: full human_eval runs (164 completions of --max-tokens,
--    scored) against generation alone (--generate-only) and scoring alone
--    (--samples on what was generated), each the best of --full-rounds:
--    a. shared cores, as a plain run decides (--overlap auto, which scores
--       after generation here): full against generation + scoring (goal 1.0x);
--       and --overlap on, scoring beside the server, for contrast;
--    b. the server pinned to CPU 0 with --threads 1 (taskset) and benchlua
--       with its scorers on CPU 1 (--overlap auto then overlaps): full against
--       max(generation, scoring) measured with the same pinning (goal 1.1x).
local dataset = require("benchlua.dataset")
local codeexec = require("benchlua.codeexec")
local cjson = require("cjson.safe")

local function median(xs)
  local s = { table.unpack(xs) }
  table.sort(s)
  return s[(#s + 1) // 2]
end

local function loadavg()
  local f = io.open("/proc/loadavg")
  local s = f and f:read("l") or "?"
  if f then f:close() end
  return s:match("^(%S+ %S+ %S+)") or s
end

-- CPU seconds and minor page faults of benchlua and of its children that
-- were waited for (the executors with their samples, fork_floor.py with its
-- workers), from /proc/self/stat: counters that move less with other load
-- on the machine than wall time does.
local TICK = 100 -- USER_HZ, clock ticks per second in /proc's times
local function usage()
  local f = assert(io.open("/proc/self/stat"))
  local s = f:read("a")
  f:close()
  local v = {}
  for x in s:match("%) (.*)"):gmatch("%S+") do v[#v + 1] = tonumber(x) end
  -- after the command: state ppid pgrp session tty tpgid flags minflt cminflt
  -- majflt cmajflt utime stime cutime cstime
  return (v[12] + v[13] + v[14] + v[15]) / TICK, v[8] + v[9]
end

local function programs(path)
  local problems = assert(dataset.human_eval(path))
  local out = {}
  for i, p in ipairs(problems) do
    out[i] = p.prompt .. p.canonical_solution .. "\n" .. p.test .. "\n" .. "check(" .. p.entry_point .. ")"
  end
  return out
end

local function zygote_round(progs, workers, sandbox)
  local t0 = bench.now()
  local pool = assert(codeexec.pool{ size = workers, sandbox = sandbox })
  local passed = 0
  bench.map(progs, workers, function(prog)
    if pool:run(prog, 3.0).result == "passed" then passed = passed + 1 end
  end)
  local pidns = pool.info.pidns
  pool:close()
  return bench.now() - t0, passed, pidns
end

-- The floor's wall time as the executors' is taken: from before its process
-- starts to after it exited (its Python's start and exit included); and, for
-- comparison with earlier figures, fork_floor.py's own (from after its start).
local function floor_round(progs, workers)
  local t0 = bench.now()
  local r = assert(bench.run_script{ argv = { codeexec.python(), "-I", "bench/fork_floor.py", tostring(workers) },
    stdin = cjson.encode(progs), timeout = 600 })
  local outer = bench.now() - t0
  local v = cjson.decode(r.stdout:match("([^\n]*)\n?$") or "")
  if type(v) ~= "table" then error("bench/fork_floor.py failed: " .. r.stderr, 0) end
  return outer, v.passed, v.wall
end

local function baseline_round(progs, workers, sandbox)
  local harness = codeexec.program(assert(bench.embedded("benchlua/humaneval_exec.py")))
  local argv = { codeexec.python(), "-I", "-c", harness, "--zygote", "--once", "--pidns" }
  local t0, passed = bench.now(), 0
  bench.map(progs, workers, function(prog)
    local req = cjson.encode({ op = "run", timeout = 3.0, bytes = #prog }) .. "\n" .. prog
    local r = assert(bench.run_script{ argv = argv, stdin = req,
      sandbox = sandbox, env = { TMPDIR = "/tmp" }, timeout = 10 })
    local last = r.stdout:match("([^\n]*)\n$")
    local v = last and cjson.decode(last)
    if type(v) == "table" and v.result == "passed" then passed = passed + 1 end
  end)
  return bench.now() - t0, passed
end

-- Run `[PREFIX...] benchlua human_eval ARGS` and return its recorded results.
local function human_eval(args, results, prefix)
  local argv = {}
  for _, a in ipairs(prefix or {}) do argv[#argv + 1] = a end
  for _, a in ipairs({ bench.exe, "human_eval", "--results", results, "--quiet" }) do argv[#argv + 1] = a end
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local r = assert(bench.run_script{ argv = argv, timeout = 3600 })
  if not r.ok then error("human_eval failed: " .. r.stderr, 0) end
  local d = assert(cjson.decode(assert(bench.fs.read(results))))
  return d.runs[#d.runs]
end

local function join(...)
  local out = {}
  for _, t in ipairs({ ... }) do for _, a in ipairs(t) do out[#out + 1] = a end end
  return out
end

-- One case: generation alone, scoring alone, full runs (one per overlap
-- mode), alternated --full-rounds times, the best of each kept (other load
-- on the machine moves times by several percent from run to run).
local function measure_case(o, ds, dir, server, prefix, modes)
  local gen_file = dir .. "/generated.jsonl"
  local gen, score, full, cfg = math.huge, math.huge, {}, {}
  for _ = 1, o.full_rounds do
    gen = math.min(gen, human_eval(join(server, { "--generate-only", gen_file }), dir .. "/r.json", prefix).results.generation_time)
    score = math.min(score, human_eval({ "--samples", gen_file, "--dataset", ds }, dir .. "/r.json", prefix).results.scoring_time)
    for _, m in ipairs(modes) do
      local run = human_eval(join(server, { "--overlap", m }), dir .. "/r.json", prefix)
      full[m] = math.min(full[m] or math.huge, run.results.overlap_wall)
      cfg[m] = run.config.overlap
    end
  end
  return { generation_alone = gen, scoring_alone = score, full = full, overlap = cfg }
end

local function full_runs(o, ds, dir)
  local server = { "--model", o.model, "--dataset", ds, "--max-tokens", tostring(o.max_tokens) }
  for _, k in ipairs({ "parallel", "ctx", "gpu_layers" }) do
    if o[k] then
      server[#server + 1] = "--" .. k:gsub("_", "-")
      server[#server + 1] = tostring(o[k])
    end
  end
  local bin = o.server_bin or os.getenv("BENCHLUA_SERVER_BIN") or "tests/server/llama-server"
  if not bin:find("^/") then bin = assert(io.popen("realpath " .. bin)):read("l") end
  local shared = measure_case(o, ds, dir, join(server, { "--server-bin", bin }), nil, { "auto", "on" })
  local res = { shared = shared }
  if codeexec.cpus() >= 2 then
    -- the server on CPU 0, one thread; benchlua and its scorers on CPU 1
    local wrapper = dir .. "/pinned-server"
    assert(bench.fs.write_atomic(wrapper, "#!/bin/sh\nexec taskset -c 0 " .. bin .. ' "$@"\n'))
    assert(os.execute("chmod +x " .. wrapper))
    res.pinned = measure_case(o, ds, dir, join(server, { "--server-bin", wrapper, "--server-arg", "--threads", "--server-arg", "1" }),
      { "taskset", "-c", "1" }, { "auto" })
  end
  return res
end

return {
  name = "humaneval_score",
  description = "HumanEval scoring speed: warm executors against a fork per program; full runs against generation and scoring",
  options = {
    { name = "dataset", type = "string", metavar = "PATH", help = "HumanEval .jsonl.gz (default: $BENCHLUA_DATA's or ../shared/data's, else the cached official file)" },
    { name = "rounds", default = 5, min = 1, help = "alternating rounds of the warm executors and the floor" },
    { name = "workers", type = "int", min = 1, metavar = "N", help = "programs at once (default: CPUs)" },
    { name = "no-baseline", default = false, help = "skip the fresh-python-per-sample baseline" },
    { name = "max-tokens", default = 128, min = 1, help = "for the full runs (with --model)" },
    { name = "full-rounds", default = 2, min = 1, help = "repetitions of each full-run measurement (best kept)" },
  },
  server = false,

  run = function(ctx)
    local o = ctx.opts
    local here = (os.getenv("BENCHLUA_DATA") or "../shared/data") .. "/HumanEval.jsonl.gz"
    local ds = o.dataset or (bench.fs.stat(here) and here) or assert(dataset.fetch(dataset.HUMAN_EVAL))
    local progs = programs(ds)
    local workers = o.workers or codeexec.cpus()
    local sandbox = ctx.sandbox
    local walls, floors, inner, passed, fpassed, pidns = {}, {}, {}, 0, 0, false
    local zcpu, zflt, fcpu, fflt = 0, 0, 0, 0
    for i = 1, o.rounds do -- alternated, so both see the same load
      local c0, f0 = usage()
      walls[i], passed, pidns = zygote_round(progs, workers, sandbox)
      local c1, f1 = usage()
      floors[i], fpassed, inner[i] = floor_round(progs, workers)
      local c2, f2 = usage()
      zcpu, zflt, fcpu, fflt = zcpu + c1 - c0, zflt + f1 - f0, fcpu + c2 - c1, fflt + f2 - f1
    end
    local best, med = math.min(table.unpack(walls)), median(walls)
    local fbest, fmed = math.min(table.unpack(floors)), median(floors)
    print(string.format("scoring %d canonical solutions, sandbox %s%s, %d workers, %d alternating rounds (load average %s):",
      #progs, tostring(sandbox), pidns and " (namespaces)" or " (no namespaces)", workers, o.rounds, loadavg()))
    print(string.format("  warm executors (zygotes), start included: best %.3f s, median %.3f s; %d/%d passed", best, med, passed, #progs))
    local ibest, imed = math.min(table.unpack(inner)), median(inner)
    print(string.format("  floor, a fork per program (fork_floor.py), start included: best %.3f s, median %.3f s; %d/%d passed", fbest, fmed, fpassed, #progs))
    print(string.format("  zygotes / floor: %.2fx (medians), %.2fx (bests)  [goal: at most 1.3x]", med / fmed, best / fbest))
    print(string.format("  (the floor timed by itself, without its Python's start and exit: median %.3f s, %.2fx)", imed, med / imed))
    print(string.format("  per round, all processes: CPU %.3f s against %.3f s (%.2fx), minor faults %d against %d (%.2fx)",
      zcpu / o.rounds, fcpu / o.rounds, zcpu / fcpu, zflt // o.rounds, fflt // o.rounds, zflt / fflt))
    local res = { score = med / fmed, metrics = { canonical = #progs, passed = passed, zygote_best = best, zygote_median = med,
      floor_best = fbest, floor_median = fmed, floor_ratio = med / fmed, floor_inner_median = imed,
      zygote_cpu = zcpu / o.rounds, floor_cpu = fcpu / o.rounds, zygote_faults = zflt // o.rounds, floor_faults = fflt // o.rounds,
      workers = workers, sandbox = tostring(sandbox), pid_namespace = pidns } }
    if not o.no_baseline then
      local bwall, bpassed = baseline_round(progs, workers, sandbox)
      print(string.format("  fresh sandboxed python per sample:   %.3f s; %d/%d passed", bwall, bpassed, #progs))
      print(string.format("  baseline / zygote: %.1fx", bwall / best))
      res.metrics.baseline = bwall
      res.metrics.baseline_passed = bpassed
      res.metrics.speedup = bwall / best
    end
    if o.model then
      local dir = assert(bench.fs.mkdtemp("humaneval-bench"))
      local ok, f = pcall(full_runs, o, ds, dir)
      bench.fs.rmtree(dir)
      if not ok then error(f, 0) end
      local sh = f.shared
      print(string.format("full runs, %d completions of %d tokens, best of %d each (load average %s):", #progs, o.max_tokens,
        o.full_rounds, loadavg()))
      print(string.format("  shared cores: generation alone %.2f s, scoring alone %.2f s, sum %.2f s", sh.generation_alone,
        sh.scoring_alone, sh.generation_alone + sh.scoring_alone))
      print(string.format("    --overlap auto (%s: %s): %.2f s = %.2fx the sum  [goal: at most 1.0x]", sh.overlap.auto.overlap and "overlapped" or "not overlapped",
        sh.overlap.auto.why, sh.full.auto, sh.full.auto / (sh.generation_alone + sh.scoring_alone)))
      print(string.format("    --overlap on (for contrast): %.2f s = %.2fx the sum", sh.full.on, sh.full.on / (sh.generation_alone + sh.scoring_alone)))
      if f.pinned then
        local pn = f.pinned
        local mx = math.max(pn.generation_alone, pn.scoring_alone)
        print(string.format("  server on CPU 0 (--threads 1), scorers on CPU 1: generation alone %.2f s, scoring alone %.2f s", pn.generation_alone, pn.scoring_alone))
        print(string.format("    --overlap auto (%s: %s): %.2f s = %.2fx max(generation, scoring)  [goal: at most 1.1x]",
          pn.overlap.auto.overlap and "overlapped" or "not overlapped", pn.overlap.auto.why, pn.full.auto, pn.full.auto / mx))
      end
      res.metrics.full = f
    end
    return res
  end,
}
