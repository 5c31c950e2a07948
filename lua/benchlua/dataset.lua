-- dataset.lua: benchmark data. JSON Lines files (plain or gzip), read whole
-- with errors that name the file and line; official files downloaded once
-- into the user's cache directory (XDG) and checked against their sha256.
local cjson = require("cjson.safe")
local pyfmt = require("benchlua.pyfmt")
local M = {}

M.HUMAN_EVAL = {
  url = "https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz",
  sha256 = "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
  content_sha256 = "1d49078ba3e2b196b9344535bef34a43021f038fad9561d6ee7c53450609a6a2", -- decompressed
  file = "HumanEval.jsonl.gz",
}

--- dataset.read_jsonl(path) -> records, lines, content | nil, err
-- records[i] is the decoded object of the i-th non-blank line, lines[i]
-- its text and lines.lineno[i] its line number; content: the file's
-- (decompressed) text, for its digest. Blank lines are skipped, as the
-- reference harnesses do. err reads "PATH:LINE: ...".
local BLANK, byte = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }, string.byte
function M.read_jsonl(path)
  local data, err = bench.fs.read(path)
  if not data then return nil, err end
  local records, lines, lineno = {}, { lineno = {} }, 0
  for line in data:gmatch("([^\n]*)\n?") do
    lineno = lineno + 1
    if line:find("%S") then
      local v, jerr = cjson.decode(line)
      if v == nil then
        return nil, string.format("%s:%d: not valid JSON (%s)", path, lineno, tostring(jerr))
      elseif type(v) ~= "table" or not line:match("^%s*{") then
        return nil, string.format("%s:%d: expected a JSON object", path, lineno)
      end
      records[#records + 1] = v
      local e = #line -- (the trailing blanks cut without scanning the line: MMLU-Pro's lines are long)
      while e > 0 and BLANK[byte(line, e)] do e = e - 1 end
      lines[#lines + 1] = e < #line and line:sub(1, e) or line
      lines.lineno[#lines] = lineno
    end
  end
  return records, lines, data
end

--- dataset.human_eval(path) -> problems, digest | nil, err
-- problems: the list in file order, each {task_id, prompt, test,
-- entry_point, canonical_solution?}, plus problems.by_id. digest: sha256 of
-- the (decompressed) content.
function M.human_eval(path)
  local recs, lines, data = M.read_jsonl(path)
  if not recs then return nil, lines end
  local problems = { by_id = {} }
  for i, r in ipairs(recs) do
    if r.plus_input ~= nil or r.base_input ~= nil then -- scoring it here would judge the base tests only
      return nil, string.format("%s:%d: an evalplus file (base_input, plus_input): score it with `benchlua %s --dataset %s`",
        path, lines.lineno[i], tostring(r.task_id):find("^Mbpp/") and "mbpp_plus" or "humaneval_plus", path)
    end
    for _, f in ipairs({ "task_id", "prompt", "test", "entry_point" }) do
      if type(r[f]) ~= "string" then
        return nil, string.format("%s:%d: field '%s' is missing or not a string", path, lines.lineno[i], f)
      end
    end
    if problems.by_id[r.task_id] then
      return nil, string.format("%s:%d: task '%s' appears twice", path, lines.lineno[i], r.task_id)
    end
    problems[#problems + 1] = r
    problems.by_id[r.task_id] = r
  end
  if #problems == 0 then return nil, path .. ": no problems in the file" end
  return problems, bench.codec.sha256(data)
end

--- dataset.py_string(s) -> s as a JSON string the way Python's json.dumps
-- writes it (pyfmt.json_string).
local py_string = pyfmt.json_string
M.py_string = py_string

--- dataset.add_result(line, result, passed) -> the samples-file line with
-- "result" and "passed" appended, as human-eval writes FILE_results.jsonl.
function M.add_result(line, result, passed)
  local body = assert(line:match("^(.-)%s*}%s*$"), "not a JSON object line")
  local sep = body:match("{%s*$") and "" or ", "
  return string.format('%s%s"result": %s, "passed": %s}', body, sep, py_string(result), tostring(passed))
end

--- dataset.cache_dir() -> $XDG_CACHE_HOME/benchlua, else ~/.cache/benchlua
function M.cache_dir()
  local xdg = os.getenv("XDG_CACHE_HOME")
  if xdg and xdg:sub(1, 1) == "/" then return xdg .. "/benchlua" end
  return (os.getenv("HOME") or "/tmp") .. "/.cache/benchlua"
end

--- dataset.read_raw(path) -> the file's bytes as they are (no gzip
-- decoding) | nil
function M.read_raw(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read("a")
  f:close()
  return data
end

local function file_sha256(path)
  local data = M.read_raw(path)
  return data and bench.codec.sha256(data)
end

-- Does the file have the expected digest? A server that sent the .gz with
-- Content-Encoding: gzip gets it decoded by libcurl: then the content digest.
local function verified(path, o)
  local got = file_sha256(path)
  if got == o.sha256 then return true end
  if o.content_sha256 and bench.codec.sha256(bench.fs.read(path) or "") == o.content_sha256 then return true end
  return false, got
end

-- What a data file's first record (or CSV header) says it is: the fields
-- each benchmark's data has, checked in order -> benchmark name
local KINDS = {
  { "humaneval_plus", function(r) return r.plus_input ~= nil and tostring(r.task_id):find("^HumanEval/") end },
  { "mbpp_plus", function(r) return r.plus_input ~= nil and tostring(r.task_id):find("^Mbpp/") end },
  { "human_eval", function(r) return r.prompt and r.test and r.entry_point end },
  { "mbpp", function(r) return r.test_list and (r.text or r.prompt) end },
  { "lcb", function(r) return r.question_id and r.question_content and r.platform end },
  { "mmlu_pro", function(r) return r.question_id and r.options and r.category end },
  { "ifeval", function(r) return r.key and r.instruction_id_list end },
  { "math500", function(r) return r.problem and r.answer and (r.unique_id or r.subject) end },
  { "aime", function(r) return r.problem and r.answer and r.id end },
  { "gsm8k", function(r) return type(r.question) == "string" and type(r.answer) == "string" and r.answer:find("####", 1, true) end },
}

--- dataset.sniff(path) -> the name of the benchmark whose data the file
-- looks like | nil (for "this looks like a GSM8K file" messages)
function M.sniff(path)
  local text = bench.fs.read(path, 256 * 1024 * 1024)
  if not text then return nil end
  local first = text:match("^%s*([^\n]*)")
  if first:find("Correct Answer", 1, true) and first:find("Incorrect Answer 1", 1, true) then return "gpqa_diamond" end
  local r = cjson.decode(first)
  if type(r) ~= "table" then
    local all = first:match("^%[") and cjson.decode(text) -- (sanitized-mbpp.json: one list)
    r = type(all) == "table" and all[1]
    if type(r) == "table" and r.test_list and r.prompt then return "mbpp", "--sanitized " end
  end
  if type(r) ~= "table" then return nil end
  for _, k in ipairs(KINDS) do
    local ok, yes = pcall(k[2], r)
    if ok and yes then return k[1] end
  end
end

--- dataset.kind_hint(path, name) -> "; it looks like X's data (benchlua X
-- --dataset PATH)" when the file looks like another benchmark's, else ""
function M.kind_hint(path, name, msg)
  if not path then return "" end
  local kind, flags = M.sniff(path)
  if not kind or (kind == name and not flags) or (msg and msg:find("benchlua " .. kind, 1, true)) then return "" end
  return string.format("; it looks like %s%s's data (benchlua %s %s--dataset %s)", kind, flags and (" " .. flags:gsub("%s+$", "")) or "",
    kind, flags or "", path)
end

--- dataset.data_dir() -> $BENCHLUA_DATA (a directory of data files by
-- their published names, for machines without the network) | nil
function M.data_dir()
  local d = os.getenv("BENCHLUA_DATA")
  if d and d ~= "" then return (d:gsub("/+$", "")) end
end

--- dataset.fetch{url=, sha256=, content_sha256=, file=NAME, dir=DIR
--   (default cache_dir()), timeout=SECONDS, data_dir=DIR|false} -> path,
-- where | nil, err. The file from $BENCHLUA_DATA (data_dir; false: not
-- there) when it has it with the right digest (where = "data"; with another
-- digest: an error naming it); else the cached copy when its digest matches
-- ("cache"); else downloads it into the cache (to a temporary name, renamed
-- once the digest is right: "downloaded"). A file with no url (no public
-- download) is taken as it is from $BENCHLUA_DATA or the cache, else err
-- says so. Yields.
function M.fetch(o)
  local data = o.data_dir
  if data == nil then data = M.data_dir() end
  if not o.url then
    for _, d in ipairs({ data and { data, "data" } or false, { o.dir or M.cache_dir(), "cache" } }) do
      if d and bench.fs.stat(d[1] .. "/" .. o.file) then return d[1] .. "/" .. o.file, d[2] end
    end
    return nil, string.format("no public download for %s: put it in $BENCHLUA_DATA or pass --dataset", o.file)
  end
  if data then
    local here = data .. "/" .. o.file
    if bench.fs.stat(here) then
      local ok, got = verified(here, o)
      if ok then return here, "data" end
      return nil, string.format("%s is not the pinned file (sha256 %s, expected %s): remove it from BENCHLUA_DATA, or pass it with --dataset PATH to use it anyway",
        here, tostring(got), o.sha256)
    end
  end
  local dir = o.dir or M.cache_dir()
  local path = dir .. "/" .. o.file
  if bench.fs.stat(path) and verified(path, o) then return path, "cache" end
  local ok, err = bench.fs.mkdir_p(dir)
  if not ok then return nil, err end
  local part = string.format("%s.part-%d", path, bench.fs.getpid())
  local r, herr = bench.http.request{ url = o.url, output = part, timeout = o.timeout or 300 }
  local why
  if not r then
    why = herr
  elseif r.status ~= 200 then
    why = "HTTP " .. r.status
  else
    local vok, got = verified(part, o)
    if not vok then why = string.format("sha256 %s, expected %s", tostring(got), o.sha256) end
  end
  if why then
    bench.fs.remove(part)
    return nil, string.format("cannot fetch %s (%s); download it yourself and pass --dataset PATH%s", o.url, why,
      data and "" or string.format(", or put %s in a directory named by BENCHLUA_DATA", o.file))
  end
  local rok, rerr = os.rename(part, path)
  if not rok then
    bench.fs.remove(part)
    return nil, rerr
  end
  return path, "downloaded"
end

return M
