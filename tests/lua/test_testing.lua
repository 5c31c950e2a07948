-- The test tiers themselves: a skipped test is counted as skipped (never as
-- passed).
local T = {}

T[#T + 1] = { "benchlua test prints SKIP for a skipped test and counts only failures", function()
  local r = assert(bench.run_script{ argv = { bench.exe, "test", "tests/fixtures/tests_with_skip.lua" }, timeout = 60 })
  local want = "PASS tests_with_skip: passes\n"
    .. "SKIP tests_with_skip: cannot run here: no such feature here\n"
    .. "FAIL tests_with_skip: fails: wrong answer\n"
  assert(r.stdout:sub(1, #want) == want, "stdout:\n" .. r.stdout)
  assert(r.code == 1, "exit code " .. tostring(r.code))
end }

return T
