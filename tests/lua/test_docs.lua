-- The README is the API reference: every function in the bench table has a
-- "### bench.NAME" heading (a check in the manner of luv's docs test).
local T = {}

T[#T + 1] = { "every bench function has a README heading", function()
  local f <close> = assert(io.open("README.md"))
  local readme = f:read("a")
  local missing = {}
  local function walk(t, prefix)
    for k, v in pairs(t) do
      local name = prefix .. k
      if type(v) == "function" then
        if not readme:find("\n### " .. name:gsub("%.", "%%.") .. "[%(%s%-{]") then missing[#missing + 1] = name end
      elseif type(v) == "table" and prefix == "bench." and k ~= "json" then
        walk(v, name .. ".")
      end
    end
  end
  walk(bench, "bench.")
  table.sort(missing)
  assert(#missing == 0, "no README heading for: " .. table.concat(missing, ", "))
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
