-- The results file's write side (lua/benchlua/results.lua): any JSON object
-- with a "runs" array is accepted, every other byte is kept, the run lands in
-- the top-level "runs"; the fast append is used only for {"runs": [...]}.
local results = require("benchlua.results")
local cjson = require("cjson")
local T = {}

local testing = require("benchlua.testing")
local eq, tmpdir = testing.eq, testing.tmpdir

local function record_into(dir, text, value)
  local path = dir .. "/r.json"
  assert(bench.fs.write_atomic(path, text))
  assert(results.record({ benchmark = "t", results = { score = value or 1 } }, { results = path }))
  return assert(bench.fs.read(path)), path
end

-- Files with other keys: the run goes into the top-level runs, the rest of
-- the text is byte for byte what it was (checked by cutting the run out).
local CASES = {
  '{"runs": [], "notes": ["keep me"]}',
  '{"runs": [], "f": 0.1}',
  '{"notes": {"runs": [1]}, "runs": []}',
  '{"runs": [{"a": 1}], "z": {"runs": []}}  \n',
  '{\n  "x": 1e400,\n  "runs": [ ],\n  "y": "]}"\n}',
  '{"runs":[{"old":true}],"tail":[1,2,{"runs":[]}]}',
  '{"runs": [], "runs": [{"dup": 1}]}',
  '{"meta": {"s": "a \\"quoted\\" ] } string"}, "runs": [{"k": [1]}]}',
}

T[#T + 1] = { "a file with other keys keeps them byte for byte; the run is appended to runs", function()
  local d <close> = tmpdir("results-test")
  for _, text in ipairs(CASES) do
    local before = cjson.decode(text)
    local n0 = #before.runs
    local after_text = record_into(d.path, text, 42)
    local after = cjson.decode(after_text)
    eq(#after.runs, n0 + 1, "runs after recording into " .. text)
    eq(after.runs[n0 + 1].results.score, 42, "the new run is last in runs of " .. text)
    eq(after.runs[n0 + 1].benchmark, "t", "benchmark")
    -- cut the inserted run out: what is left is the old text, byte for byte
    local a, b = after_text:find("\n    {\n      \"benchmark\": \"t\",", 1, true)
    assert(a, after_text)
    local stop = after_text:find("\n    }", b, true) + #"\n    }"
    local cut = after_text:sub(1, a - 1) .. after_text:sub(stop)
    local norm = function(s) return (s:gsub(",%s*$", ""):gsub("%s+", "")) end
    eq(norm(cut:gsub(",(%s*%])", "%1")), norm(text), "the rest of " .. text)
    for k, v in pairs(before) do
      if k ~= "runs" then
        local show = function(x) return type(x) == "table" and cjson.encode(x) or tostring(x) end
        eq(show(after[k]), show(v), "key " .. k .. " of " .. text)
      end
    end
  end
end }

T[#T + 1] = { "the fast append is chosen only for exactly {\"runs\": [...]}", function()
  local d <close> = tmpdir("results-test")
  local path = d.path .. "/r.json"
  local want = {
    ['{"runs": []}'] = true, ['{ "runs" : [ {"a": 1} ] }\n'] = true, ['{"runs":[1,2,3]}'] = true,
    ['{"runs": [], "notes": ["keep me"]}'] = false, ['{"runs": [], "f": 0.1}'] = false,
    ['{"notes": {"runs": [1]}, "runs": []}'] = false, ['{"ru\\u006es": []}'] = false,
    ['{"runs": [], "x": {"y": []}}'] = false,
  }
  for text, fast in pairs(want) do
    assert(bench.fs.write_atomic(path, text))
    local t, layout = results.load(path)
    assert(t, tostring(layout))
    eq(layout.fast == true, fast, "fast layout for " .. text)
    record_into(d.path, text)
    eq(#cjson.decode(assert(bench.fs.read(path))).runs, #cjson.decode(text).runs + 1, "runs after " .. text)
  end
end }

T[#T + 1] = { "files that are not a JSON object with a runs array are refused and untouched", function()
  local d <close> = tmpdir("results-test")
  local path = d.path .. "/r.json"
  local bad = {
    ['{"not": "ours"}'] = 'no "runs" list', ['{"runs": {}}'] = 'no "runs" list', ['{"runs": 3}'] = 'no "runs" list',
    ["[]"] = "is not a JSON object", ['"runs"'] = "is not a JSON object",
    ['{"runs": [}'] = "is not valid JSON", ['{"runs": []} x'] = "is not valid JSON",
  }
  for text, why in pairs(bad) do
    assert(bench.fs.write_atomic(path, text))
    local ok, err = results.record({ benchmark = "t" }, { results = path })
    eq(ok, nil, text)
    assert(err:find(why, 1, true), text .. ": " .. tostring(err))
    assert(err:find("not touching it", 1, true), err)
    eq(assert(bench.fs.read(path)), text, "untouched")
    local cok, cerr = results.check(path)
    eq(cok, nil, "check " .. text); eq(cerr, err, "check's message")
  end
end }

T[#T + 1] = { "results.check refuses a directory, a device, an empty name and an unreadable path", function()
  local d <close> = tmpdir("results-test")
  local ok, err = results.check(d.path)
  eq(ok, nil, "dir"); assert(err:find("is a directory", 1, true), err)
  ok, err = results.check("/dev/full")
  eq(ok, nil, "/dev/full"); assert(err:find("is not a regular file", 1, true), err)
  ok, err = results.check("/dev/zero")
  eq(ok, nil, "/dev/zero"); assert(err:find("is not a regular file", 1, true), err)
  ok, err = results.check("")
  eq(ok, nil, "empty"); assert(err:find("empty", 1, true), err)
  ok, err = results.check(d.path .. "/no/such/dir/r.json")
  eq(ok, nil, "missing dir"); assert(err:find("cannot use results file", 1, true), err)
  eq(results.check(d.path .. "/new.json"), true, "a new file is fine")
end }

return T
