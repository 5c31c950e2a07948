-- Score parsers of the script mode.
local testing = require("benchlua.testing")
local parsers = require("benchlua.parsers")
local T = {}
local eq = testing.eq

T[#T + 1] = { "the usual outputs", function()
  eq(parsers.pass_at_1("Reading samples...\n{'pass@1': 0.8902439024390244}\n"), 0.8902439024390244, "human-eval")
  eq(parsers.pass_at_1('{"pass@1": 0.5, "pass@10": 0.9}'), 0.5, "json")
  eq(parsers.pass_at_1("humaneval (base tests)\npass@1:\t0.890\nhumaneval+ (base + extra tests)\npass@1:\t0.823\n"), 0.890, "evalplus: the first (base tests)")
  eq(parsers.pass_at_1("Pass@1: 45.3\n"), 45.3, "lcb")
  eq(parsers.pass_at_1("pass@1 = 0.45"), 0.45, "equals")
  eq(parsers.pass_at_1("final score: 89.0\n"), 89.0, "bare score")
  eq(parsers.pass_at_1("Score=7"), 7, "Score=")
end }

T[#T + 1] = { "no score is nil, never 0", function()
  eq(parsers.pass_at_1(""), nil, "empty")
  eq(parsers.pass_at_1("Traceback (most recent call last):\n  ...\nValueError: boom\n"), nil, "traceback")
  eq(parsers.pass_at_1("underscore: 5"), nil, "not a word boundary")
end }

T[#T + 1] = { "lcb: lcb_runner's runner prints pass@1 bare after Evaluating; compute_scores labels it", function()
  local out = assert(bench.fs.read("tests/fixtures/lcb/runner_evaluate.out"))
  eq(parsers.lcb(out), 0.5, "the runner's own output (tests/fixtures/lcb)")
  eq(parsers.pass_at_1(out), nil, "the generic parser misses it")
  local runner = require("benchlua.runner")
  eq(assert(runner.load(assert(runner.find("lcb")))).parse(out), 0.5, "benchmarks/lcb.lua's parse")
  eq(parsers.lcb("Loaded 400 problems\nEvaluating 400...\ntimeout occured: alarm went off\n0.4125\n"), 0.4125, "with the grader's chatter")
  eq(parsers.lcb("Found 3 existing generations, continuing with 2 remaining\nEvaluating 10...\n1.0\n"), 1.0, "all passed")
  eq(parsers.lcb("400\nPass@1 =  0.45\nEasy Pass@1 =  0.8\nPass@5 =  0.6\nPass@1: 0.45\n"), 0.45, "compute_scores: not its problem count")
  eq(parsers.lcb("Evaluating 4...\n"), nil, "no number after Evaluating")
  eq(parsers.lcb("0.5\n"), nil, "a bare number without Evaluating")
  eq(parsers.lcb(""), nil, "empty")
end }

T[#T + 1] = { "human_eval and lcb benchmark files use them", function()
  local runner = require("benchlua.runner")
  for _, name in ipairs({ "human_eval", "lcb" }) do
    local spec = assert(runner.load(assert(runner.find(name))))
    eq(spec.parse("{'pass@1': 0.25}"), 0.25, name)
    eq(spec.parse("nothing"), nil, name .. " nothing")
  end
end }

return T
