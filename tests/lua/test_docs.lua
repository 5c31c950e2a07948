-- docs/api.md is the API reference: every function in the bench table and in
-- its sub-tables has a "### bench.NAME" heading there, and every such heading
-- names something that exists (luv's docs coverage check, both ways).
local T = {}

-- The names of the "### bench.NAME..." headings of docs/api.md, in order.
local function headings()
  local f <close> = assert(io.open("docs/api.md"))
  local names = {}
  for line in f:lines() do
    local name = line:match("^### (bench%.[%w_%.]*[%w_])")
    if name then names[#names + 1] = name end
  end
  assert(#names > 0, "docs/api.md has no ### bench. headings")
  return names
end

-- Every function reachable from bench through tables that hold functions
-- (bench.fs, bench.http, bench.llm, bench.json, ...), by its dotted name.
local function primitives()
  local found, seen = {}, {}
  local function walk(t, prefix)
    seen[t] = true
    for k, v in pairs(t) do
      if type(k) == "string" then
        if type(v) == "function" then
          found[#found + 1] = prefix .. k
        elseif type(v) == "table" and not seen[v] then
          for _, x in pairs(v) do
            if type(x) == "function" then walk(v, prefix .. k .. ".") break end
          end
        end
      end
    end
  end
  walk(bench, "bench.")
  table.sort(found)
  return found
end

T[#T + 1] = { "every bench function has a docs/api.md heading", function()
  local have = {}
  for _, name in ipairs(headings()) do have[name] = true end
  local missing, n = {}, 0
  for _, name in ipairs(primitives()) do
    n = n + 1
    if not have[name] then missing[#missing + 1] = name end
  end
  assert(n > 50, "only " .. n .. " functions found in bench")
  assert(#missing == 0, "no docs/api.md heading for: " .. table.concat(missing, ", "))
end }

T[#T + 1] = { "every docs/api.md heading names something in bench", function()
  local stale, seen, twice = {}, {}, {}
  for _, name in ipairs(headings()) do
    local v = _ENV
    for part in name:gmatch("[^.]+") do
      v = type(v) == "table" and v[part] or nil
    end
    if v == nil then stale[#stale + 1] = name end
    if seen[name] then twice[#twice + 1] = name end
    seen[name] = true
  end
  assert(#stale == 0, "docs/api.md documents what bench does not have: " .. table.concat(stale, ", "))
  assert(#twice == 0, "docs/api.md has two headings for: " .. table.concat(twice, ", "))
end }

T[#T + 1] = { "every shipped benchmark loads and says what it is", function()
  local runner = require("benchlua.runner")
  local p = assert(io.popen("ls benchmarks"))
  local n = 0
  for f in p:lines() do
    local spec = assert(runner.load("benchmarks/" .. f))
    assert(type(spec.description) == "string" and #spec.description > 10, f .. ": no description")
    assert(spec.run or spec.parse, f .. ": neither run nor parse")
    n = n + 1
  end
  p:close()
  assert(n >= 3, "only " .. n .. " benchmarks")
end }

return T
