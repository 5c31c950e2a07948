-- lcb_prompt.lua: LiveCodeBench's prompts, byte for byte as lcb_runner
-- makes them (the generic chat prompt, the GenericBase few-shot prompt of
-- lcb_fewshot.lua), and its code extraction.
local extract = require("benchlua.extract")
local M = {}

M.SYSTEM = "You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests."
local WITH_STARTER = "You will use the following starter code to write the solution to the problem and enclose your code within delimiters."
local WITHOUT_STARTER = "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT."

--- lcb_prompt.chat_messages(p) -> {system, user}: the generic chat
-- prompt (LMStyle.OpenAIChat), byte for byte.
function M.chat_messages(p)
  local user = "### Question:\n" .. p.question_content .. "\n\n"
  if p.starter_code ~= "" then
    user = user .. "### Format: " .. WITH_STARTER .. "\n```python\n" .. p.starter_code .. "\n```\n\n"
  else
    user = user .. "### Format: " .. WITHOUT_STARTER .. "\n```python\n# YOUR CODE HERE\n```\n\n"
  end
  user = user .. "### Answer: (use the provided format with backticks)\n\n"
  return { { role = "system", content = M.SYSTEM }, { role = "user", content = user } }
end

--- lcb_prompt.base_prompt(p) -> the GenericBase few-shot prompt (one
-- worked example, then the problem with an empty answer); stop at "###".
function M.base_prompt(p)
  local shots = require("benchlua.lcb_fewshot")
  local starter = p.starter_code ~= ""
  local function one(q, code, answer)
    local s = "### Question\n" .. q .. "\n\n"
    if starter then s = s .. "### Starter Code\n" .. code .. "\n\n" end
    s = s .. "### Answer\n\n" .. answer
    return answer ~= "" and (s .. "\n\n") or s
  end
  local ex = starter and shots.func or shots.stdin
  return one(ex.question, ex.sample_code, ex.answer) .. one(p.question_content, p.starter_code, "")
end

M.STOPS = { "###" }

--- lcb_prompt.extract(answer) -> code | nil, info: lcb_runner's rule on
-- the answer without its reasoning: the lines strictly between the last
-- two lines that contain ``` (nil when there are fewer than two, or
-- nothing between). info.unclosed_think as extract.strip_think says.
function M.extract(answer)
  local text, unclosed = extract.strip_think(answer or "")
  local lines, marks = {}, {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    lines[#lines + 1] = line
    if line:find("```", 1, true) then marks[#marks + 1] = #lines end
  end
  local info = { unclosed_think = unclosed }
  if #marks < 2 then return nil, info end
  local code = table.concat(lines, "\n", marks[#marks - 1] + 1, marks[#marks] - 1)
  return code ~= "" and code or nil, info
end

return M
