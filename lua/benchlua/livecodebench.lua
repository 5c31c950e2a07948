-- livecodebench.lua: LiveCodeBench (code generation) for benchmarks/lcb.lua,
-- with lcb_runner's semantics (LiveCodeBench @ 28fef95; ../docs/lcb.md):
-- the code_generation_lite files read as streams (an index of rows, private
-- tests decoded only when a problem is scored, through a decoder that
-- accepts one pickle layout and runs no unpickler), release shards fetched
-- once into the cache, date/platform/difficulty filters, the prompts, the
-- code extraction, grading in warm executors (lua/benchlua/lcb_exec.py) and
-- samples files in the custom evaluator's format.
local cjson = require("cjson.safe")
local dataset = require("benchlua.dataset")
local extract = require("benchlua.extract")
local codeexec = require("benchlua.codeexec")
local passk = require("benchlua.passk")
local pyfmt = require("benchlua.pyfmt")
local M = {}

M.URL = "https://huggingface.co/datasets/livecodebench/code_generation_lite/resolve/main/"
M.SHARDS = { "test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl" }
M.SHARD_PROBLEMS = { 400, 111, 101, 101, 167, 175 } -- per shard, from the release notes
M.HARNESS = "benchlua/lcb_exec.py" -- a front end of zygote.py

local PLATFORMS = { leetcode = true, codeforces = true, atcoder = true }
local DIFFICULTIES = { easy = true, medium = true, hard = true }
local FIELDS = { "question_title", "question_content", "platform", "question_id", "contest_id", "contest_date",
  "starter_code", "difficulty", "public_test_cases", "private_test_cases", "metadata" }

--- livecodebench.release(tag) -> list of shard numbers | nil, err
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

--- livecodebench.pickled_string(bytes) -> str | nil, err
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

-- The most the private tests of one row may inflate to (1 GiB)
M.MAX_TESTS_BYTES = 1 << 30

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
  return true
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

--- livecodebench.decode_tests(field) -> tests | nil, err
-- private_test_cases as lcb_runner reads it: a JSON list, else
-- base64 -> zlib -> pickled str -> JSON list.
function M.decode_tests(field)
  local v = cjson.decode(field)
  if v ~= nil then return check_tests(v, "private_test_cases") end
  local raw, err = bench.fs.base64_decode(field)
  if not raw then return nil, "private_test_cases: neither JSON nor base64 (" .. tostring(err) .. ")" end
  local bytes, ierr, code = bench.fs.inflate(raw, M.MAX_TESTS_BYTES + 64, pickle_start)
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

--- livecodebench.index(path, into) -> into | nil, err. Reads a
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
      into.digests[#into.digests + 1] = bench.fs.sha256(line)
    end
    offset = offset + #line
  end
  f:close()
  return into
end

--- livecodebench.tests(p) -> {inputs = {...}, outputs = {...}, fn_name =}
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

--- livecodebench.datasets(tag) -> the shards of a release as `benchlua
-- fetch` takes them: {file=, fetch=function() -> path, where | nil, err}
function M.datasets(tag)
  local shards = M.release(tag or "release_latest") or {}
  local out = {}
  for _, i in ipairs(shards) do
    out[#out + 1] = { file = M.SHARDS[i], fetch = function()
      local ok, paths = pcall(shard_paths, { release = "v" .. i })
      if not ok then return nil, tostring(paths) end
      return paths[1], "cache"
    end }
  end
  return out
end

--- livecodebench.fetch_shard(i, path) -> path | nil, err. Downloads shard i
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

--- livecodebench.load(o) -> problems, source, digest. o.dataset (a list
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
  return problems, table.concat(paths, ","), bench.fs.sha256(table.concat(all.digests, "\n"))
end

---------------------------------------------------------------- prompts

M.SYSTEM = "You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests."
local WITH_STARTER = "You will use the following starter code to write the solution to the problem and enclose your code within delimiters."
local WITHOUT_STARTER = "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT."

--- livecodebench.chat_messages(p) -> {system, user}: the generic chat
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

--- livecodebench.base_prompt(p) -> the GenericBase few-shot prompt (one
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

--- livecodebench.extract(answer) -> code | nil, info: lcb_runner's rule on
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

---------------------------------------------------------------- grading

--- livecodebench.pool{size=, sandbox=, python=} -> a codeexec pool whose
-- executors grade LiveCodeBench samples. Yields.
function M.pool(o)
  return codeexec.pool{ size = o.size, sandbox = o.sandbox, python = o.python, harness = M.HARNESS }
end

-- decoded tests of the last few problems scored (samples are read in
-- windows of M.WINDOW problems): at most CACHE problems, and never more
-- than CACHE_BYTES. Each is kept as the executors take it: {n = tests,
-- fn_name =, blob = input 1 .. output 1 .. input 2 ..., lens = their sizes}.
M.WINDOW = 4
local CACHE, CACHE_BYTES = M.WINDOW, 256 << 20
local cache, order = {}, {}

local function tests_of(p)
  local t = cache[p]
  if t then return t end
  local d = M.tests(p)
  local parts, lens = {}, {}
  for i, s in ipairs(d.inputs) do
    parts[#parts + 1], parts[#parts + 2] = s, d.outputs[i]
    lens[#lens + 1], lens[#lens + 2] = #s, #d.outputs[i]
  end
  t = { n = #d.inputs, fn_name = d.fn_name, blob = table.concat(parts), lens = lens }
  t.bytes = #t.blob
  cache[p], order[#order + 1] = t, p
  local total = 0
  for _, q in ipairs(order) do total = total + cache[q].bytes end
  while #order > 1 and (#order > CACHE or total > CACHE_BYTES) do
    local q = table.remove(order, 1)
    total = total - cache[q].bytes
    cache[q] = nil
  end
  return t
end

-- An executor keeps the tests of up to SLOTS problems (at most
-- M.SLOT_BYTES in all, or one problem's, however big): z.state.lcb =
-- {[slot] = {p =, bytes =, used =}} says which.
local SLOTS = M.WINDOW
M.SLOT_BYTES = 32 << 20
local uses = 0

local function slot_of(z, p)
  for k, s in pairs(z.state and z.state.lcb or {}) do if s.p == p then return k end end
end

-- The request for p on z: its header, and the payload (code, and the tests
-- when z does not keep them yet); -> header, payload, the slot's new record
local function request_for(z, p, t, code, timeout)
  uses = uses + 1
  local slots = z.state and z.state.lcb or {}
  local h = { op = "lcb", code = #code, timeout = timeout, fn_name = t.fn_name, slot = slot_of(z, p) }
  if h.slot then
    slots[h.slot].used = uses
    return h, code
  end
  local total, lru = t.bytes, nil
  for k = 1, SLOTS do
    local s = slots[k]
    if not s then h.slot = h.slot or k
    else
      total = total + s.bytes
      if not lru or s.used < slots[lru].used then lru = k end
    end
  end
  if not h.slot then
    h.slot = lru
    total = total - slots[lru].bytes
  end
  h.lens, h.only = t.lens, total > M.SLOT_BYTES or nil
  return h, code .. t.blob, { p = p, bytes = t.bytes, used = uses }
end

--- livecodebench.grade(pool, p, code, timeout) -> verdict {passed, results
-- = {true | false | -2 | -3 | -4 ...}, metadata = table, metadata_json =
-- lcb_runner's text of it, outcome, exec_time, detail}. The executor that
-- already keeps p's tests is preferred. Yields.
function M.grade(pool, p, code, timeout)
  local t = tests_of(p)
  local wait = (timeout + 1) * t.n + 5 + 10
  local z = pool:acquire(function(e) return slot_of(e, p) ~= nil end)
  local h, payload, kept = request_for(z, p, t, code, timeout)
  local ok, r, why = pcall(pool.request, pool, z, h, payload, wait)
  if ok and r and not r.error and kept and z.state then -- (a restarted executor has a new state)
    if h.only or not z.state.lcb then z.state.lcb = {} end
    z.state.lcb[h.slot] = kept
  end
  pool:release(z)
  if not ok then error(r, 0) end
  if r and r.error then error("lcb executor: " .. tostring(r.error), 0) end
  if not r then
    r = { results = { -2 }, metadata = { error_code = -5, error_message = "TestRunnerError" }, passed = false, detail = why,
      metadata_json = [[{"error": "IndexError('list index out of range')", "error_code": -5, "error_message": "TestRunnerError"}]] }
  end
  for i, x in ipairs(r.results) do r.results[i] = math.tointeger(x) or x end
  local last = r.results[#r.results]
  local v = { passed = r.passed == true, results = r.results, metadata = r.metadata,
    metadata_json = r.metadata_json, exec_time = r.time, detail = r.detail }
  if v.passed then v.outcome = "passed"
  elseif last == -3 then v.outcome = "timed_out"
  elseif last == -2 or last == false then v.outcome = r.metadata.error_code == -5 and "error" or "wrong"
  else v.outcome = "error" end
  return v
end

---------------------------------------------------------------- scores

-- lcb_runner's k list; a k is reported where every problem has k samples
M.KS = { 1, 5, 10, 20, 40, 50, 75, 100, 125, 150, 200, 500, 1000 }

--- livecodebench.add_ks(res, tally, problems): pass@k for lcb_runner's k
-- list (so pass@5 with n >= 5), overall and in res.by_difficulty and
-- res.by_platform, from the code-benchmark library's tally (sets[""].n/.c
-- per task_id).
function M.add_ks(res, tally, problems)
  local st = tally.sets[""]
  local function pak(key, value)
    local counts = {}
    for _, p in ipairs(problems) do
      if not key or p[key] == value then counts[#counts + 1] = { n = st.n[p.task_id] or 0, c = st.c[p.task_id] or 0 } end
    end
    return (passk.compute(counts, M.KS))
  end
  res.pass_at_k = pak()
  for _, key in ipairs({ "difficulty", "platform" }) do
    for value, g in pairs(res["by_" .. key] or {}) do g.pass_at_k = pak(key, value) end
  end
end

---------------------------------------------------------------- samples files

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

M.samples = {}

-- The order samples are graded in (verdicts do not depend on it): the
-- problems in the file's order, taken M.WINDOW at a time (the tests of that
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
  for w = 1, #ids, M.WINDOW do
    local i, more = 1, true
    while more do
      more = false
      for k = w, math.min(w + M.WINDOW - 1, #ids) do
        local s = by[ids[k]][i]
        if s then out[#out + 1], more = s, true end
      end
      i = i + 1
    end
  end
  return out
end

--- samples.read(path, problems): lcb_runner's custom-evaluator input, a JSON
-- list of {question_id, code_list}; every problem needs one entry. The
-- samples come in the order they are graded in (see interleaved).
function M.samples.read(path, problems)
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

--- samples.write(path, scored, problems) -> the file written:
-- FILE_codegeneration_output_eval_all.json (FILE = path without .json), in
-- lcb_runner's shape: per problem (sorted by question_id) its fields,
-- output_list and code_list (the codes), graded_list, pass@1, metadata.
function M.samples.write(path, scored, problems)
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

--- samples.generated(path, items): --generate-only, the custom evaluator's
-- input: per problem {question_id, code_list, output_list (the answers)}.
function M.samples.generated(path, items)
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
