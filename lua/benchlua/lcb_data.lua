-- lcb_data.lua: LiveCodeBench's data (lcb_runner @ 28fef95; ../../docs/lcb.md)
-- for benchmarks/lcb.lua: the code_generation_lite files read as streams (an
-- index of rows, private tests decoded only when a problem is scored, through
-- a decoder that accepts one pickle layout and runs no unpickler), release
-- shards fetched once into the cache, the date/platform/difficulty filters.
-- The prompts are lcb_prompt.lua, the grading lcb_grade.lua, the samples
-- files lcb_files.lua.
local cjson = require("cjson.safe")
local dataset = require("benchlua.dataset")
local M = {}

M.URL = "https://huggingface.co/datasets/livecodebench/code_generation_lite/resolve/main/"
M.SHARDS = { "test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl" }
M.SHARD_PROBLEMS = { 400, 111, 101, 101, 167, 175 } -- per shard, from the release notes

local PLATFORMS = { leetcode = true, codeforces = true, atcoder = true }
local DIFFICULTIES = { easy = true, medium = true, hard = true }
local FIELDS = { "question_title", "question_content", "platform", "question_id", "contest_id", "contest_date",
  "starter_code", "difficulty", "public_test_cases", "private_test_cases", "metadata" }

--- lcb_data.release(tag) -> list of shard numbers | nil, err
-- release_v1 .. release_v6 (cumulative), release_latest (all), vN (shard
-- N alone), vA_vB (shards A to B), as the dataset's loading script maps them.
function M.release(tag)
  local n = tag:match("^release_v(%d)$")
  local a, b = tag:match("^v(%d)_v(%d)$")
  if tag == "release_latest" then a, b = 1, #M.SHARDS
  elseif n then a, b = 1, tonumber(n)
  elseif tag:match("^v%d$") then a, b = tonumber(tag:sub(2)), tonumber(tag:sub(2)) end
  a, b = tonumber(a), tonumber(b)
  if not a or a < 1 or b > #M.SHARDS or a > b then
    return nil, "unknown release '" .. tag .. "' (release_v1 .. release_v6, release_latest, v1 .. v6, vA_vB)"
  end
  local out = {}
  for i = a, b do out[#out + 1] = i end
  return out
end

---------------------------------------------------------------- private tests

local function uint_le(s, i, n)
  local v = 0
  for k = n - 1, 0, -1 do v = v * 256 + s:byte(i + k) end
  return v
end

--- lcb_data.pickled_string(bytes) -> str | nil, err
-- The one pickle layout of the dataset's private tests: PROTO 2..5, an
-- optional FRAME, one SHORT_BINUNICODE / BINUNICODE / BINUNICODE8, an
-- optional MEMOIZE, STOP, nothing after. Anything else is refused: the
-- bytes are never given to an unpickler.
function M.pickled_string(b)
  if #b < 4 or b:byte(1) ~= 0x80 or b:byte(2) < 2 or b:byte(2) > 5 then
    return nil, "not a pickle of protocol 2 to 5"
  end
  local i = 3
  if b:byte(i) == 0x95 then -- FRAME + 8-byte length of what follows
    if uint_le(b, i + 1, 8) ~= #b - (i + 8) then return nil, "pickle frame length does not match" end
    i = i + 9
  end
  local op, len = b:byte(i), nil
  if op == 0x8C then len, i = b:byte(i + 1), i + 2
  elseif op == 0x58 then len, i = uint_le(b, i + 1, 4), i + 5
  elseif op == 0x8D then len, i = uint_le(b, i + 1, 8), i + 9
  else return nil, string.format("pickle holds something other than one string (opcode 0x%02x)", op or 0) end
  if not len or i + len - 1 > #b then return nil, "pickle string runs past the end" end
  local s = b:sub(i, i + len - 1)
  i = i + len
  local memo = b:byte(i) -- MEMOIZE (protocol 4, 5), BINPUT or LONG_BINPUT (2, 3): store in the memo
  if memo == 0x94 then i = i + 1 elseif memo == 0x71 then i = i + 2 elseif memo == 0x72 then i = i + 5 end
  if b:byte(i) ~= 0x2E or i ~= #b then return nil, "pickle does not end after its string" end
  if not utf8.len(s) then return nil, "pickled string is not UTF-8" end
  return s
end

-- The most the private tests of one row may inflate to (256 MiB): a row at
-- the cap costs about three times the cap at its peak (the inflated bytes,
-- the pickled string, the decoded tests), so any row stays under 1 GB
M.MAX_TESTS_BYTES = 256 << 20

-- inflate's check of the first bytes: the start of the one pickle layout
-- (as pickled_string reads it) holding a string of at most MAX_TESTS_BYTES,
-- so that anything else (a zip bomb of zeros) stops after 64 KiB.
local function pickle_start(b)
  if #b < 2 then return true end
  if b:byte(1) ~= 0x80 or b:byte(2) < 2 or b:byte(2) > 5 then return nil, "not a pickle of protocol 2 to 5" end
  local i = b:byte(3) == 0x95 and 12 or 3
  local op, len = b:byte(i), nil
  if op == nil then return true end
  if op == 0x8C then len = b:byte(i + 1)
  elseif op == 0x58 and #b >= i + 4 then len = uint_le(b, i + 1, 4)
  elseif op == 0x8D and #b >= i + 8 then len = uint_le(b, i + 1, 8)
  elseif op ~= 0x58 and op ~= 0x8D then
    return nil, string.format("pickle holds something other than one string (opcode 0x%02x)", op)
  end
  if len and len > M.MAX_TESTS_BYTES then
    return nil, string.format("the pickled string claims %d bytes, more than the limit of %d", len, M.MAX_TESTS_BYTES)
  end
  -- inflate stops at what the header claims (the framing around the string
  -- is at most 18 bytes): a valid header does not buy a bomb 1 GiB
  return true, len and len + 32
end

-- A test list: {{input=, output=, testtype=}...}
local function check_tests(v, what)
  if type(v) ~= "table" or (next(v) ~= nil and v[1] == nil) then return nil, what .. " is not a JSON list" end
  for k, t in ipairs(v) do
    if type(t) ~= "table" or type(t.input) ~= "string" or type(t.output) ~= "string"
      or (t.testtype ~= "stdin" and t.testtype ~= "functional") then
      return nil, string.format("%s: test %d needs input and output strings and testtype stdin or functional", what, k)
    end
  end
  return v
end

--- lcb_data.decode_tests(field) -> tests | nil, err
-- private_test_cases as lcb_runner reads it: a JSON list, else
-- base64 -> zlib -> pickled str -> JSON list.
function M.decode_tests(field)
  local v = cjson.decode(field)
  if v ~= nil then return check_tests(v, "private_test_cases") end
  local raw, err = bench.codec.base64_decode(field)
  if not raw then return nil, "private_test_cases: neither JSON nor base64 (" .. tostring(err) .. ")" end
  local bytes, ierr, code = bench.codec.inflate(raw, M.MAX_TESTS_BYTES + 64, pickle_start)
  if code == "EREFUSED" or code == "ETOOBIG" then return nil, "private_test_cases refused: " .. tostring(ierr) end
  if not bytes then return nil, "private_test_cases: not zlib data (" .. tostring(ierr) .. ")" end
  local s, perr = M.pickled_string(bytes)
  if not s then return nil, "private_test_cases: " .. perr end
  local list, jerr = cjson.decode(s)
  if list == nil then return nil, "private_test_cases: the pickled string is not JSON (" .. tostring(jerr) .. ")" end
  return check_tests(list, "private_test_cases")
end

---------------------------------------------------------------- the index

-- "YYYY-MM-DDTHH:MM:SS[.ffffff]" as datetime.isoformat() writes it | nil
local function iso(s)
  local d, rest = s:match("^(%d%d%d%d%-%d%d%-%d%d)(.*)$")
  if not d then return nil end
  if rest == "" then return d .. "T00:00:00" end
  local t = rest:match("^[T ](%d%d:%d%d:%d%d[.%d]*)$") or rest:match("^[T ](%d%d:%d%d)$")
  if not t then return nil end
  return d .. "T" .. (#t == 5 and (t .. ":00") or t)
end

-- One row's line -> the index entry (no tests) | nil, err. The private
-- field (the bulk of the line) is cut out before the JSON is decoded.
local function entry_of(line)
  local s, e = nil, 0
  repeat
    s, e = line:find('"private_test_cases"%s*:%s*"', e + 1)
  until not s or line:sub(s - 1, s - 1) ~= "\\"
  local cut = line
  if s then
    local close = line:find('"', e + 1, true)
    while close and line:sub(close - 1, close - 1) == "\\" do close = line:find('"', close + 1, true) end
    if not close then return nil, "not valid JSON (unterminated private_test_cases)" end
    cut = line:sub(1, e) .. line:sub(close)
  end
  local r, err = cjson.decode(cut)
  cut = nil
  if r == nil then return nil, "not valid JSON (" .. tostring(err) .. ")" end
  if type(r) ~= "table" or not line:match("^%s*{") then return nil, "expected a JSON object" end
  for _, f in ipairs(FIELDS) do
    if type(r[f]) ~= "string" then return nil, "field '" .. f .. "' is missing or not a string" end
  end
  if not PLATFORMS[r.platform] then return nil, "unknown platform '" .. r.platform .. "'" end
  if not DIFFICULTIES[r.difficulty] then return nil, "unknown difficulty '" .. r.difficulty .. "'" end
  local date = iso(r.contest_date)
  if not date then return nil, "contest_date '" .. r.contest_date .. "' is not an ISO date" end
  local meta = cjson.decode(r.metadata)
  if type(meta) ~= "table" or meta[1] ~= nil then return nil, "metadata is not a JSON object" end
  local public = cjson.decode(r.public_test_cases)
  local _, terr = check_tests(public, "public_test_cases")
  if terr then return nil, terr end
  return { task_id = r.question_id, question_id = r.question_id, question_title = r.question_title,
    question_content = r.question_content, platform = r.platform, contest_id = r.contest_id,
    contest_date = date, starter_code = r.starter_code, difficulty = r.difficulty,
    fn_name = type(meta.func_name) == "string" and meta.func_name or nil }
end

--- lcb_data.index(path, into) -> into | nil, err. Reads a
-- code_generation_lite .jsonl file line by line (memory: about one row at
-- a time) and appends one entry per row: its fields without the tests,
-- fn_name, and where the row is (file, offset, length, lineno). into.digest
-- collects the sha256 of every row. err names the file and line.
function M.index(path, into)
  into = into or {}
  into.digests = into.digests or {}
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local head = f:read(2)
  if head == "\31\139" then
    f:close()
    return nil, path .. ": gzip files are not read as streams; decompress it first"
  end
  f:seek("set", 0)
  local offset, lineno = 0, 0
  for line in f:lines("L") do
    lineno = lineno + 1
    if line:find("%S") then
      local p, perr = entry_of(line)
      if not p then
        f:close()
        return nil, string.format("%s:%d: %s", path, lineno, perr)
      end
      p.file, p.offset, p.length, p.lineno = path, offset, #line, lineno
      into[#into + 1] = p
      into.digests[#into.digests + 1] = bench.codec.sha256(line)
    end
    offset = offset + #line
  end
  f:close()
  return into
end

--- lcb_data.tests(p) -> {inputs = {...}, outputs = {...}, fn_name =}
-- Public tests, then private, read again from the row's place in its
-- file. Raises "FILE:LINE: ..." for a malformed row or private field.
function M.tests(p)
  local f = assert(io.open(p.file, "rb"))
  f:seek("set", p.offset)
  local line = f:read(p.length)
  f:close()
  local where = string.format("%s:%d: ", p.file, p.lineno)
  local r = line and cjson.decode(line)
  if type(r) ~= "table" or r.question_id ~= p.question_id then error(where .. "the row changed since it was read", 0) end
  local private, err = M.decode_tests(r.private_test_cases)
  if not private then error(where .. err, 0) end
  local t = { inputs = {}, outputs = {}, fn_name = p.fn_name }
  for _, list in ipairs({ cjson.decode(r.public_test_cases), private }) do
    for _, c in ipairs(list) do
      t.inputs[#t.inputs + 1] = c.input
      t.outputs[#t.outputs + 1] = c.output
    end
  end
  return t
end

---------------------------------------------------------------- loading

-- Why the cached shard at path cannot be used as its .verified mark says
-- (missing, no readable mark, another size or problem count) | nil
local function unverified(path, i)
  local st, mark = bench.fs.stat(path), cjson.decode(bench.fs.read(path .. ".verified") or "")
  if not st then return "not there" end
  if type(mark) ~= "table" or type(mark.size) ~= "number" or type(mark.problems) ~= "number" then
    return "no readable " .. path .. ".verified"
  end
  if mark.problems ~= M.SHARD_PROBLEMS[i] then
    return string.format("marked with %d problems, the release has %d", mark.problems, M.SHARD_PROBLEMS[i])
  end
  if st.size ~= mark.size then return string.format("%d bytes, marked %d", st.size, mark.size) end
end

-- Indexes release shard i into `all`, fetching it when the cache does not
-- hold it as its mark says (size, then the count of problems it reads).
local function index_shard(i, all)
  local path = dataset.cache_dir() .. "/livecodebench/" .. M.SHARDS[i]
  local why = unverified(path, i)
  for attempt = 1, 2 do
    if why then
      if why ~= "not there" then
        io.stderr:write(string.format("lcb: the cached %s does not match its mark (%s); fetching it again\n", path, why))
      end
      local got, ferr = M.fetch_shard(i, path)
      if not got then error(ferr, 0) end
    end
    local n = #all
    local ok, err = M.index(path, all)
    if not ok then why = err
    elseif #all - n ~= M.SHARD_PROBLEMS[i] then
      why = string.format("%d problems, marked %d", #all - n, M.SHARD_PROBLEMS[i])
    else return path end
    for k = #all, n + 1, -1 do all[k], all.digests[k] = nil, nil end
    if attempt == 2 then error(string.format("lcb: %s does not match its mark (%s)", path, why), 0) end
  end
end

--- lcb_data.datasets(tag) -> the shards of a release as `benchlua
-- fetch` takes them: {file=, fetch=function() -> path, where | nil, err}
function M.datasets(tag)
  local shards = M.release(tag or "release_latest") or {}
  local out = {}
  for _, i in ipairs(shards) do
    out[#out + 1] = { file = M.SHARDS[i], fetch = function()
      local ok, path = pcall(index_shard, i, { digests = {} })
      if not ok then return nil, tostring(path) end
      return path, "cache"
    end }
  end
  return out
end

--- lcb_data.fetch_shard(i, path) -> path | nil, err. Downloads shard i
-- with libcurl to a temporary name; it becomes `path` once every row reads
-- and the count of problems is the release's; PATH.verified records that.
function M.fetch_shard(i, path)
  local dir = path:match("^(.*)/[^/]*$")
  local ok, err = bench.fs.mkdir_p(dir)
  if not ok then return nil, err end
  local url = M.URL .. M.SHARDS[i]
  local part = string.format("%s.part-%d", path, bench.fs.getpid())
  io.stderr:write(string.format("lcb: fetching %s into %s (once)\n", url, dir))
  local r, herr = bench.http.request{ url = url, output = part, timeout = 3600, headers = { "Accept-Encoding: identity" } }
  local why = not r and herr or (r.status ~= 200 and ("HTTP " .. r.status)) or nil
  if not why then
    local idx, ierr = M.index(part)
    if not idx then why = ierr
    elseif #idx ~= M.SHARD_PROBLEMS[i] then
      why = string.format("%d problems, the release has %d", #idx, M.SHARD_PROBLEMS[i])
    end
  end
  if why then
    bench.fs.remove(part)
    return nil, string.format("cannot fetch %s (%s); download it yourself and pass --dataset PATH", url, why)
  end
  local rok, rerr = os.rename(part, path)
  if not rok then return nil, rerr end
  local st = bench.fs.stat(path)
  bench.fs.write_atomic(path .. ".verified", string.format('{"url": %s, "size": %d, "problems": %d}\n',
    dataset.py_string(url), st.size, M.SHARD_PROBLEMS[i]))
  return path
end

local function keep(p, o)
  if o.start_date and p.contest_date < o.start_date .. "T00:00:00" then return false end
  if o.end_date and p.contest_date > o.end_date .. "T00:00:00" then return false end
  if o.platform and p.platform ~= o.platform then return false end
  if o.difficulty and p.difficulty ~= o.difficulty then return false end
  return true
end

--- lcb_data.load(o) -> problems, source, digest. o.dataset (a list
-- of files) or o.release; the filters o.start_date, o.end_date (kept: start
-- <= contest_date <= end, at midnight, as lcb_runner compares), o.platform,
-- o.difficulty. Problems are sorted by question_id. Raises user errors.
function M.load(o)
  local all, paths = { digests = {} }, {}
  if o.dataset and #o.dataset > 0 then
    paths = o.dataset
    for _, path in ipairs(paths) do
      local ok, err = M.index(path, all)
      if not ok then error(err, 0) end
    end
  else
    local shards, err = M.release(o.release)
    if not shards then error("--release: " .. err, 0) end
    for _, i in ipairs(shards) do paths[#paths + 1] = index_shard(i, all) end
  end
  local problems, seen = { by_id = {} }, {}
  for _, p in ipairs(all) do
    if seen[p.question_id] then
      error(string.format("%s:%d: question_id '%s' is also at %s", p.file, p.lineno, p.question_id, seen[p.question_id]), 0)
    end
    seen[p.question_id] = string.format("%s:%d", p.file, p.lineno)
    if keep(p, o) then
      problems[#problems + 1] = p
      problems.by_id[p.task_id] = p
    end
  end
  table.sort(problems, function(a, b) return a.question_id < b.question_id end)
  problems.total = #all
  if #problems == 0 then error(table.concat(paths, ", ") .. ": no problem is left after the filters", 0) end
  return problems, table.concat(paths, ","), bench.codec.sha256(table.concat(all.digests, "\n"))
end

return M
