-- bench/math500_grading.lua: how fast MATH-500 grading is against the
-- reference graders (not a test of correctness; it also checks that both
-- give the same verdicts).
--
--   BENCHLUA_PRM800K=DIR BENCHLUA_LMEVAL_UTILS=FILE ./benchlua test bench/math500_grading.lua
--
-- DIR holds openai/prm800k@7ecc7947's prm800k/grading/ as a package `grading`
-- and FILE is lm-eval@4e7e0d47's lm_eval/tasks/hendrycks_math/utils.py (how to
-- get them: tests/fixtures/math500/regen.py). Without them it is a SKIP.
-- Env: BENCHLUA_DATA (math500.jsonl's directory, ../shared/data),
-- BENCHLUA_BENCH_ROUNDS (5), BENCHLUA_BENCH_COPIES (1: 500 responses; K:
-- K x 500, each copy with other wrong answers).
--
-- The responses, one or more per problem, mimic a model's: 40% correct as
-- the data writes them (the reference solution, "The final answer is
-- $\boxed{A}$", \dfrac, x = A, (A) or 1 \cdot (A), A^\circ), 40% wrong (A+1 for an integer,
-- 2(A) otherwise, another problem's answer or solution), 10% without a box,
-- each after 500 bytes of reasoning.
-- Timed, alternating ROUNDS times (the machine is shared), each from before
-- its processes start until they exit, imports included:
--   reference: one python3 running bench/math500_reference.py (lm-eval's
--              extraction and prm800k's grade_answer, imported from the
--              fetched code), all responses;
--   benchlua:  extraction in Lua (grade_math500.extract, in this process),
--              then lua/benchlua/grade_math.py over the extracted answers,
--              in one process, and in 2 processes at once (half each), the
--              shape of the library's warm graders;
--   command:   the whole `benchlua math500 --samples FILE` (this benchlua;
--              its sandboxed helpers, --workers 1 and 2), on these responses
--              and on the same with the one form that only sympy decides
--              written plainly (a set none of whose answers needs sympy);
--   floor:     `python3 -c "import sympy"`: what any grading that needs
--              sympy pays, once per process.
-- Prints the best and median of each and the ratio of the medians (goal:
-- at most 0.5x the reference), wall time and, for the processes run, CPU
-- time (the machine may be shared).
local G = require("benchlua.grade_math500")
local cjson = require("cjson")
local testing = require("benchlua.testing")

local ROUNDS = tonumber(os.getenv("BENCHLUA_BENCH_ROUNDS")) or 5
local COPIES = tonumber(os.getenv("BENCHLUA_BENCH_COPIES")) or 1
local DATA = (os.getenv("BENCHLUA_DATA") or "../shared/data") .. "/math500.jsonl"

local function python()
  return bench.fs.stat("/usr/bin/python3") and "/usr/bin/python3" or "python3"
end

local function median(xs)
  local s = { table.unpack(xs) }
  table.sort(s)
  return s[(#s + 1) // 2]
end

local function responses(rows)
  local out, n = {}, #rows
  local think = string.rep("Let me think step by step. ", 19)
  for c = 0, COPIES - 1 do
    for i, r in ipairs(rows) do
      local a, k = r.answer, (i - 1) % 10
      local resp
      if k == 0 then resp = r.solution
      elseif k == 1 then resp = "The final answer is $\\boxed{" .. a .. "}$."
      elseif k == 2 then resp = "Therefore $\\boxed{" .. a:gsub("\\frac", "\\dfrac") .. "}$."
      elseif k == 3 then resp = "\\boxed{x = " .. a .. "}"
      elseif k == 4 then -- 1 in 4 in a form only sympy decides
        resp = ((i - 1) // 10 % 4 == 0 and "\\boxed{1 \\cdot (" or "\\boxed{(") .. a .. ")}"
      elseif k == 5 then resp = "so $\\boxed{" .. a .. "^\\circ}$"
      elseif k == 6 then
        local int = a:match("^%-?%d+$") and math.tointeger(tonumber(a))
        resp = "\\boxed{" .. (int and tostring(int + 1 + c) or ("2(" .. a .. ")")) .. "}"
      elseif k == 7 then resp = "\\boxed{" .. rows[(i + 6 + c) % n + 1].answer .. "}"
      elseif k == 8 then resp = "The answer is " .. a .. "."
      else resp = rows[(i + c) % n + 1].solution
      end
      out[#out + 1] = { response = think .. resp, answer = a }
    end
  end
  return out
end

-- -> wall seconds, stdout's JSON lines, stderr, CPU seconds (user + sys, by
-- bash's `time`: the process and its children)
local CPU_FILE = os.tmpname()
local function run(argv, stdin, cwd)
  local t0 = bench.now()
  local r = assert(require("benchlua.script").run_script{ stdin = stdin, timeout = 600, cwd = cwd,
    argv = { "bash", "-c", 'TIMEFORMAT="CPU %U %S"; { time "$@" 2>&4; } 4>&2 2>"$0"', CPU_FILE, table.unpack(argv) },
    max_output = 64 * 1024 * 1024 })
  local wall = bench.now() - t0
  if not r.ok then error(argv[2] .. " failed: " .. tostring(r.stderr), 0) end
  local out = {}
  if not cwd then for line in r.stdout:gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end end
  local u, s = (bench.fs.read(CPU_FILE) or ""):match("CPU (%S+) (%S+)")
  return wall, out, r.stderr, (tonumber(u) or 0) + (tonumber(s) or 0)
end

-- the samples file of these responses: task_id = unique_id, repeat = the copy
local function samples_file(path, rows, cases, plain)
  local out = {}
  for i, c in ipairs(cases) do
    local resp = plain and c.response:gsub("1 \\cdot %(", "(") or c.response
    out[i] = cjson.encode({ task_id = rows[(i - 1) % #rows + 1].unique_id, ["repeat"] = (i - 1) // #rows, response = resp })
  end
  assert(bench.fs.write_atomic(path, table.concat(out, "\n") .. "\n"))
end

return {
  { "MATH-500 grading: benchlua against lm-eval + prm800k", function()
    local prm, utils = os.getenv("BENCHLUA_PRM800K"), os.getenv("BENCHLUA_LMEVAL_UTILS")
    if not (prm and utils) then error(testing.skip("set BENCHLUA_PRM800K and BENCHLUA_LMEVAL_UTILS (see the top of this file)")) end
    if not bench.fs.stat(DATA) then error(testing.skip(DATA .. " is missing")) end
    local rows = {}
    for line in assert(bench.fs.read(DATA)):gmatch("[^\n]+") do rows[#rows + 1] = cjson.decode(line) end
    local cases = responses(rows)
    local ref_in = {}
    for i, c in ipairs(cases) do ref_in[i] = cjson.encode(c) end
    ref_in = table.concat(ref_in, "\n") .. "\n"

    local stats = {}
    local function ours(workers)
      local t0 = bench.now()
      local parts = {}
      for w = 1, workers do parts[w] = {} end
      for i, c in ipairs(cases) do
        local it = G.item(c.response, c)
        local p = parts[(i - 1) % workers + 1]
        p[#p + 1] = cjson.encode({ extracted = it.extracted == nil and cjson.null or it.extracted, answer = it.answer })
      end
      local extract = bench.now() - t0
      local outs = {}
      bench.map(parts, workers, function(p, w)
        local _, out, stderr = run({ python(), "lua/benchlua/grade_math.py", "--stats" }, table.concat(p, "\n") .. "\n")
        outs[w] = out
        local last
        for line in stderr:gmatch("[^\n]+") do last = line end
        stats[w] = cjson.decode(last)
      end)
      local verdicts = {}
      for i = 1, #cases do verdicts[i] = outs[(i - 1) % workers + 1][(i - 1) // workers + 1] end
      return bench.now() - t0, verdicts, extract
    end

    local dir <close> = testing.tmpdir("math500-bench")
    samples_file(dir.path .. "/s.jsonl", rows, cases)
    samples_file(dir.path .. "/plain.jsonl", rows, cases, true)
    local function command(file, workers)
      return run({ bench.exe, "math500", "--samples", dir.path .. "/" .. file, "--dataset", assert(bench.fs.realpath(DATA)), "--workers", tostring(workers),
        "--quiet", "--results", dir.path .. "/r.json" }, nil, dir.path)
    end
    local ref_t, one_t, two_t, ext_t, ref_c = {}, {}, {}, {}, {}
    local cmd = { t = {}, c = {} }
    local ref_v, one_v, two_v
    local function timed(key, t, c)
      cmd.t[key], cmd.c[key] = cmd.t[key] or {}, cmd.c[key] or {}
      table.insert(cmd.t[key], t); table.insert(cmd.c[key], c)
    end
    for r = 1, ROUNDS do
      ref_t[r], ref_v, _, ref_c[r] = run({ python(), "bench/math500_reference.py", prm, utils }, ref_in)
      one_t[r], one_v, ext_t[r] = ours(1)
      two_t[r], two_v = ours(2)
      for _, k in ipairs({ { "s.jsonl", 1 }, { "s.jsonl", 2 }, { "plain.jsonl", 1 }, { "plain.jsonl", 2 } }) do
        local t, _, _, c = command(k[1], k[2])
        timed(k[1] .. k[2], t, c)
      end
      local t, _, _, c = run({ python(), "-c", "import sympy" })
      timed("floor", t, c)
    end
    local differ, passed = 0, 0
    for i = 1, #cases do
      if ref_v[i].passed ~= one_v[i].passed or ref_v[i].passed ~= two_v[i].passed then differ = differ + 1 end
      if ref_v[i].passed then passed = passed + 1 end
    end
    local rm = median(ref_t)
    print(string.format("MATH-500 grading, %d responses (%d passed), %d alternating rounds, load average %s:", #cases, passed,
      ROUNDS, (assert(io.open("/proc/loadavg")):read("l"):match("^(%S+ %S+ %S+)"))))
    print(string.format("  reference (lm-eval + prm800k, 1 process): best %.3f s, median %.3f s", math.min(table.unpack(ref_t)), rm))
    print(string.format("  benchlua, 1 process:   best %.3f s, median %.3f s = %.2fx the reference  [goal: at most 0.5x]",
      math.min(table.unpack(one_t)), median(one_t), median(one_t) / rm))
    print(string.format("  benchlua, 2 processes: best %.3f s, median %.3f s = %.2fx the reference",
      math.min(table.unpack(two_t)), median(two_t), median(two_t) / rm))
    print(string.format("  (of which the Lua extraction: median %.4f s; in 2 processes sympy was imported by %d, used for %d + %d responses)",
      median(ext_t), (stats[1].sympy_imported and 1 or 0) + (stats[2].sympy_imported and 1 or 0), stats[1].sympy_uses, stats[2].sympy_uses))
    local rc = median(ref_c)
    print(string.format("  reference CPU: median %.3f s", rc))
    local function line(label, key)
      print(string.format("  %-44s median %.3f s = %.2fx, CPU %.3f s = %.2fx the reference", label, median(cmd.t[key]),
        median(cmd.t[key]) / rm, median(cmd.c[key]), median(cmd.c[key]) / rc))
    end
    line("whole command, --workers 1:", "s.jsonl1")
    line("whole command, --workers 2:", "s.jsonl2")
    line("whole command, no answer needing sympy, 1:", "plain.jsonl1")
    line("whole command, no answer needing sympy, 2:", "plain.jsonl2")
    line("floor: python3 -c 'import sympy':", "floor")
    os.remove(CPU_FILE)
    testing.eq(differ, 0, "responses whose verdicts differ from the reference's")
  end },
}
