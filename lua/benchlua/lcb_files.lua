-- lcb_files.lua: LiveCodeBench's files, in lcb_runner's formats: its custom
-- evaluator's input (read: the samples to grade; written by --generate-only)
-- and its eval_all file (Python's json.dump(indent=4), through pyfmt).
local cjson = require("cjson.safe")
local dataset = require("benchlua.dataset")
local grade = require("benchlua.lcb_grade")
local pyfmt = require("benchlua.pyfmt")
local M = {}

-- Python's json.dump(v, indent=4) for the eval_all shape: lists, string
-- keys in the given order, strings, booleans, numbers.
local function pyjson(v, depth, out)
  local pad = string.rep("    ", depth + 1)
  if type(v) == "string" then out[#out + 1] = dataset.py_string(v)
  elseif type(v) == "boolean" then out[#out + 1] = tostring(v)
  elseif type(v) == "number" then out[#out + 1] = pyfmt.json_number(v)
  elseif v.keys then
    out[#out + 1] = "{"
    for i, k in ipairs(v.keys) do
      out[#out + 1] = (i > 1 and ",\n" or "\n") .. pad .. dataset.py_string(k) .. ": "
      pyjson(v.values[k], depth + 1, out)
    end
    out[#out + 1] = "\n" .. string.rep("    ", depth) .. "}"
  elseif #v == 0 then out[#out + 1] = "[]"
  else
    out[#out + 1] = "["
    for i, x in ipairs(v) do
      out[#out + 1] = (i > 1 and ",\n" or "\n") .. pad
      pyjson(x, depth + 1, out)
    end
    out[#out + 1] = "\n" .. string.rep("    ", depth) .. "]"
  end
  return out
end

-- The order samples are graded in (verdicts do not depend on it): the
-- problems in the file's order, taken grade.WINDOW at a time (the tests of that
-- many stay decoded, and kept in every executor), and within a window one
-- sample of each problem in turn, so that every problem starts early: a
-- problem whose samples wait out their alarms or the whole-sample budget
-- does not leave those waits for the end of the run, where nothing else
-- would overlap them.
local function interleaved(list)
  local by, ids = {}, {}
  for _, s in ipairs(list) do
    if not by[s.task_id] then by[s.task_id], ids[#ids + 1] = {}, s.task_id end
    table.insert(by[s.task_id], s)
  end
  local out = {}
  for w = 1, #ids, grade.WINDOW do
    local i, more = 1, true
    while more do
      more = false
      for k = w, math.min(w + grade.WINDOW - 1, #ids) do
        local s = by[ids[k]][i]
        if s then out[#out + 1], more = s, true end
      end
      i = i + 1
    end
  end
  return out
end

--- lcb_files.read(path, problems): lcb_runner's custom-evaluator input, a JSON
-- list of {question_id, code_list}; every problem needs one entry. The
-- samples come in the order they are graded in (see interleaved).
function M.read(path, problems)
  local list = cjson.decode(assert(bench.fs.read(path)))
  if type(list) ~= "table" or (next(list) ~= nil and list[1] == nil) then
    error(path .. ": expected a JSON list of {question_id, code_list}", 0)
  end
  local out, seen = {}, {}
  for i, e in ipairs(list) do
    local qid = type(e) == "table" and (math.tointeger(e.question_id) and string.format("%d", e.question_id) or e.question_id)
    local codes = type(e) == "table" and e.code_list
    if type(qid) ~= "string" or type(codes) ~= "table" or (next(codes) ~= nil and codes[1] == nil) then
      error(string.format("%s: entry %d needs question_id and code_list", path, i), 0)
    end
    if seen[qid] then error(string.format("%s: entry %d: question_id '%s' appears twice", path, i, qid), 0) end
    seen[qid] = true
    if problems.by_id[qid] then
      for k, c in ipairs(e.code_list) do
        if type(c) ~= "string" then error(string.format("%s: entry %d: code_list[%d] is not a string", path, i, k), 0) end
        out[#out + 1] = { task_id = qid, index = k - 1, solution = c, fields = {}, no_code = c == "" }
      end
    elseif not problems.dropped[qid] then
      error(string.format("%s: entry %d: question_id '%s' is not among the problems", path, i, qid), 0)
    end
  end
  local missing = {}
  for _, p in ipairs(problems) do if not seen[p.task_id] then missing[#missing + 1] = p.task_id end end
  if #missing > 0 then
    error(string.format("%s: %d of %d problems have no entry (%s%s); lcb_runner refuses this too",
      path, #missing, #problems, missing[1], #missing > 1 and ", ..." or ""), 0)
  end
  return interleaved(out)
end

local function eval_row(p, codes, verdicts)
  local graded, meta, passed = {}, {}, 0
  for i, v in ipairs(verdicts) do
    graded[i], meta[i] = v.passed == true, v.metadata_json or "{}"
    if graded[i] then passed = passed + 1 end
  end
  local keys = { "question_title", "question_content", "platform", "question_id", "contest_id", "contest_date",
    "starter_code", "difficulty", "output_list", "code_list", "graded_list", "pass@1", "metadata" }
  local values = {}
  for _, k in ipairs(keys) do values[k] = p[k] end
  values.output_list, values.code_list, values.graded_list = codes, codes, graded
  values["pass@1"], values.metadata = #graded > 0 and passed / #graded or 0.0, meta
  return { keys = keys, values = values }
end

--- lcb_files.write(path, scored, problems) -> the file written:
-- FILE_codegeneration_output_eval_all.json (FILE = path without .json), in
-- lcb_runner's shape: per problem (sorted by question_id) its fields,
-- output_list and code_list (the codes), graded_list, pass@1, metadata.
function M.write(path, scored, problems)
  local codes, verdicts = {}, {}
  for _, s in ipairs(scored) do
    codes[s.task_id] = codes[s.task_id] or {}
    verdicts[s.task_id] = verdicts[s.task_id] or {}
    codes[s.task_id][s.index + 1], verdicts[s.task_id][s.index + 1] = s.solution, s.verdict
  end
  local rows = {}
  for _, p in ipairs(problems) do rows[#rows + 1] = eval_row(p, codes[p.task_id] or {}, verdicts[p.task_id] or {}) end
  local file = path:gsub("%.json$", "") .. "_codegeneration_output_eval_all.json"
  local ok, err = bench.fs.write_atomic(file, table.concat(pyjson(rows, 0, {})))
  if not ok then error(err, 0) end
  return file
end

--- lcb_files.generated(path, items): --generate-only, the custom evaluator's
-- input: per problem {question_id, code_list, output_list (the answers)}.
function M.generated(path, items)
  local by, order = {}, {}
  for _, it in ipairs(items) do
    local qid = it.p.task_id
    if not by[qid] then
      by[qid] = { keys = { "question_id", "code_list", "output_list" }, values = { question_id = qid, code_list = {}, output_list = {} } }
      order[#order + 1] = by[qid]
    end
    by[qid].values.code_list[it.index + 1] = it.solution or ""
    by[qid].values.output_list[it.index + 1] = it.g.raw or ""
  end
  local ok, err = bench.fs.write_atomic(path, table.concat(pyjson(order, 0, {})) .. "\n")
  if not ok then error(err, 0) end
end

return M
