-- The layering of lua/benchlua: no require loop (a require inside a
-- function counts: it runs at the call, but still ties the two modules in
-- a loop), and the library below the command wing (lua/benchlua/cmd/)
-- requires no command.
local T = {}

-- module name -> {file =, requires = {module names}}, from every
-- `require("benchlua.X")` in lua/benchlua/*.lua and lua/benchlua/cmd/*.lua
local function graph()
  local g = {}
  for _, dir in ipairs({ "lua/benchlua", "lua/benchlua/cmd" }) do
    for _, f in ipairs(assert(bench.fs.list(dir))) do
      if f:match("%.lua$") then
        local file = dir .. "/" .. f
        local name = (file:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/", "."))
        local src = assert(bench.fs.read(file)):gsub("%-%-%[(=*)%[.-%]%1%]", ""):gsub("%-%-[^\n]*", "")
        local req, seen = {}, {}
        for m in src:gmatch("require%s*%(?%s*[\"'](benchlua%.[%w_%.]+)[\"']") do
          if not seen[m] then seen[m] = true; req[#req + 1] = m end
        end
        table.sort(req)
        g[name] = { file = file, requires = req }
      end
    end
  end
  return g
end

-- the first require loop found, as "a -> b -> a" | nil
local function cycle(g)
  local state, stack = {}, {}
  local function visit(n)
    state[n] = "open"
    stack[#stack + 1] = n
    for _, m in ipairs(g[n] and g[n].requires or {}) do
      if state[m] == "open" then
        local i = #stack
        while stack[i] ~= m do i = i - 1 end
        return table.concat(stack, " -> ", i) .. " -> " .. m
      end
      if not state[m] and g[m] then
        local c = visit(m)
        if c then return c end
      end
    end
    stack[#stack] = nil
    state[n] = "done"
  end
  local names = {}
  for n in pairs(g) do names[#names + 1] = n end
  table.sort(names)
  for _, n in ipairs(names) do
    if not state[n] then
      local c = visit(n)
      if c then return c end
    end
  end
end

T[#T + 1] = { "no require loop among the modules of lua/benchlua (requires inside functions count)", function()
  local g = graph()
  assert(g["benchlua.runner"] and g["benchlua.cmd.run"], "the modules were not found (run from the source tree)")
  local c = cycle(g)
  assert(not c, "a require loop: " .. tostring(c))
  -- the check itself finds one
  g["benchlua.path"].requires = { "benchlua.runner" }
  assert(cycle(g), "a loop added through path.lua was not found")
end }

T[#T + 1] = { "the library requires no command: only main.lua and cmd/ do", function()
  local bad = {}
  for name, m in pairs(graph()) do
    if name ~= "benchlua.main" and not name:match("^benchlua%.cmd%.") and name ~= "benchlua.cmd" then
      for _, r in ipairs(m.requires) do
        if r == "benchlua.cmd" or r:match("^benchlua%.cmd%.") then bad[#bad + 1] = m.file .. " requires " .. r end
      end
    end
  end
  table.sort(bad)
  assert(#bad == 0, table.concat(bad, "; "))
end }

T[#T + 1] = { "every command of lua/benchlua/cmd/ gives its name, summary, usage, options and command", function()
  local bad = {}
  for _, f in ipairs(assert(bench.fs.list("lua/benchlua/cmd"))) do
    local name = f:match("^(.-)%.lua$")
    if name then
      local c = require("benchlua.cmd." .. name)
      for k, t in pairs({ name = "string", summary = "table", usage = "string", options = "table", command = "function" }) do
        if type(c[k]) ~= t then bad[#bad + 1] = string.format("cmd/%s.lua: %s is a %s, not a %s", name, k, type(c[k]), t) end
      end
    end
  end
  table.sort(bad)
  assert(#bad == 0, table.concat(bad, "; "))
end }

return T
