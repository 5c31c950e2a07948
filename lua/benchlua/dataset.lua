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

--- dataset.read_jsonl(path) -> records, lines | nil, err
-- records[i] is the decoded object of the i-th non-blank line, lines[i]
-- its text and lines.lineno[i] its line number. Blank lines are skipped, as
-- the reference harnesses do. err reads "PATH:LINE: ...".
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
      lines[#lines + 1] = line:gsub("%s+$", "")
      lines.lineno[#lines] = lineno
    end
  end
  return records, lines
end

--- dataset.human_eval(path) -> problems, digest | nil, err
-- problems: the list in file order, each {task_id, prompt, test,
-- entry_point, canonical_solution?}, plus problems.by_id. digest: sha256 of
-- the (decompressed) content.
function M.human_eval(path)
  local recs, lines = M.read_jsonl(path)
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
  return problems, bench.fs.sha256(assert(bench.fs.read(path)))
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
  return data and bench.fs.sha256(data)
end

-- Does the file have the expected digest? A server that sent the .gz with
-- Content-Encoding: gzip gets it decoded by libcurl: then the content digest.
local function verified(path, o)
  local got = file_sha256(path)
  if got == o.sha256 then return true end
  if o.content_sha256 and bench.fs.sha256(bench.fs.read(path) or "") == o.content_sha256 then return true end
  return false, got
end

--- dataset.fetch{url=, sha256=, content_sha256=, file=NAME, dir=DIR
--   (default cache_dir()), timeout=SECONDS} -> path | nil, err
-- The cached copy when its digest matches; else downloads the file (to a
-- temporary name, renamed once the digest is right). Yields.
function M.fetch(o)
  local dir = o.dir or M.cache_dir()
  local path = dir .. "/" .. o.file
  if bench.fs.stat(path) and verified(path, o) then return path end
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
    local ok, got = verified(part, o)
    if not ok then why = string.format("sha256 %s, expected %s", tostring(got), o.sha256) end
  end
  if why then
    bench.fs.remove(part)
    return nil, string.format("cannot fetch %s (%s); download it yourself and pass --dataset PATH", o.url, why)
  end
  local rok, rerr = os.rename(part, path)
  if not rok then
    bench.fs.remove(part)
    return nil, rerr
  end
  return path
end

return M
