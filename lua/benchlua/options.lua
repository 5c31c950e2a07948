-- options.lua: command-line options declared as data. The host's options
-- and each benchmark's `options` list share one format:
--   { name = "gpu-layers", default = 0, help = "...", type = "int"|"number"|
--     "string"|"bool"|"list", metavar = "N", min = 0, max = 1000,
--     choices = {...}, check = function(value) -> true | false, why,
--     short = "p" (also -p), run_number = true (a bool that may be followed
--     by a run number: --resume, --resume 3) }
-- The type defaults from `default`. Numbers are finite and within [min, max];
-- an int without a declared range stays within a C int. Parsing gives
-- one-line errors that name the option.
local M = {}

local function typeof(o)
  if o.type then return o.type end
  local d = o.default
  if math.type(d) == "integer" then return "int" end
  if type(d) == "number" then return "number" end
  if type(d) == "boolean" then return "bool" end
  return "string"
end
M.typeof = typeof

local function key(name) return (name:gsub("-", "_")) end
M.key = key

--- Validate a declared options list (from a benchmark file). Raises with the
-- offending entry named.
function M.check_spec(spec, where)
  if spec == nil then return {} end
  if type(spec) ~= "table" then error(where .. ": options must be a list of tables", 0) end
  for i, o in ipairs(spec) do
    if type(o) ~= "table" or type(o.name) ~= "string" or not o.name:match("^[%w][%w%-_]*$") then
      error(string.format("%s: options[%d] needs a name (letters, digits, '-')", where, i), 0)
    end
    local t = typeof(o)
    if not ({ int = 1, number = 1, string = 1, bool = 1, list = 1 })[t] then
      error(string.format("%s: option '%s' has unknown type '%s'", where, o.name, tostring(t)), 0)
    end
    for _, f in ipairs({ "min", "max" }) do
      if o[f] ~= nil and (type(o[f]) ~= "number" or o[f] ~= o[f]) then
        error(string.format("%s: option '%s': %s must be a number", where, o.name, f), 0)
      end
    end
    if o.min and o.max and o.min > o.max then
      error(string.format("%s: option '%s': min is above max", where, o.name), 0)
    end
    if o.check ~= nil and type(o.check) ~= "function" then
      error(string.format("%s: option '%s': check must be a function", where, o.name), 0)
    end
  end
  return spec
end

local INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1

local function fmt(n)
  return math.type(n) == "integer" and tostring(n) or string.format("%g", n)
end

-- n within the option's range? -> n | nil, err
local function in_range(o, n, flag)
  local lo, hi = o.min, o.max
  if typeof(o) == "int" then
    lo, hi = lo or INT_MIN, hi or INT_MAX
  end
  if n ~= n or n == math.huge or n == -math.huge then
    return nil, string.format("%s must be a finite number, got %s", flag, fmt(n))
  end
  if (lo and n < lo) or (hi and n > hi) then
    if o.min and o.max then
      return nil, string.format("%s must be between %s and %s, got %s", flag, fmt(lo), fmt(hi), fmt(n))
    elseif lo and n < lo then
      return nil, string.format("%s must be at least %s, got %s", flag, fmt(lo), fmt(n))
    end
    return nil, string.format("%s must be at most %s, got %s", flag, fmt(hi), fmt(n))
  end
  return n
end
M.in_range = in_range -- (option, number, flag) -> n | nil, err

local function convert(o, v, flag)
  local t = typeof(o)
  local out, err
  if t == "int" then
    local n = math.tointeger(tonumber(v))
    if not n then return nil, string.format("%s expects an integer, got '%s'", flag, v) end
    out, err = in_range(o, n, flag)
  elseif t == "number" then
    local n = tonumber(v)
    if not n then return nil, string.format("%s expects a number, got '%s'", flag, v) end
    out, err = in_range(o, n, flag)
  elseif o.choices then
    for _, c in ipairs(o.choices) do if c == v then out = v end end
    if out == nil then
      return nil, string.format("%s must be one of %s, got '%s'", flag, table.concat(o.choices, ", "), v)
    end
  else
    out = v
  end
  if out ~= nil and o.check then
    local ok, why = o.check(out)
    if not ok then return nil, string.format("%s %s, got '%s'", flag, why or "is not allowed", v) end
  end
  return out, err
end
M.convert = convert -- (option, text, flag) -> value | nil, err

--- distance(a, b) -> edits from a to b (insertions, deletions,
-- substitutions, and swaps of two neighbours: "modle" is 1 from "model"),
-- for "did you mean"
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[#a][#b]
end
M.distance = distance

--- closest(word, names) -> the name nearest to word when it is near enough
-- (a third of its length, at least 1, at most 3 edits; or word is its prefix)
function M.closest(word, names)
  local best, bd = nil, math.huge
  for _, n in ipairs(names) do
    local d = distance(word, n)
    if d < bd then best, bd = n, d end
  end
  if best and bd <= math.max(1, math.min(3, #word // 3)) then return best end
  for _, n in ipairs(names) do
    if #word >= 3 and n:sub(1, #word) == word then return n end
  end
  return nil
end

-- llama.cpp's (llama-server's, llama-cli's) spellings of benchlua's options
local LLAMA = { ngl = "gpu-layers", ["n-gpu-layers"] = "gpu-layers", ["gpu-layers-draft"] = nil,
  c = "ctx", ["ctx-size"] = "ctx", np = "parallel", m = "model", temp = "temperature",
  n = "max-tokens", ["n-predict"] = "max-tokens", ["predict"] = "max-tokens", s = "seed",
  t = "server-arg", threads = "server-arg", fa = "server-arg", ["flash-attn"] = "server-arg",
  ctk = "server-arg", ctv = "server-arg", ["cache-type-k"] = "server-arg", ["cache-type-v"] = "server-arg" }

-- the hint for an unknown option ("-ngl", "--ngl", "--gpu-layer")
local function did_you_mean(name, byname)
  local want = LLAMA[name]
  if want and byname[want] then
    if want == "server-arg" then
      return string.format("; pass llama-server's own flags with --server-arg (--server-arg=-%s --server-arg=VALUE)", name)
    end
    return string.format("; did you mean --%s? (llama.cpp's -%s)", want, name)
  end
  local names = {}
  for n in pairs(byname) do names[#names + 1] = n end
  table.sort(names)
  local near = M.closest(name, names)
  return near and string.format("; did you mean --%s?", near) or " (see --help)"
end

--- Parse argv (a list, from index `first`) against one or more specs.
-- -> values (keys with '_' for '-'), positional list | nil, err
function M.parse(argv, first, specs)
  local byname, short = {}, {}
  for _, spec in ipairs(specs) do
    for _, o in ipairs(spec) do
      byname[o.name] = o
      if o.short then short["-" .. o.short] = o.name end
    end
  end
  local values, positional, given = {}, {}, {}
  for _, o in pairs(byname) do
    if typeof(o) == "list" then values[key(o.name)] = {} else values[key(o.name)] = o.default end
  end
  local i = first or 1
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      for j = i + 1, #argv do positional[#positional + 1] = argv[j] end
      break
    end
    local name, val = a:match("^%-%-([^=]+)=(.*)$")
    if not name then name = a:match("^%-%-(.+)$") end
    if not name and short[a] then name = short[a] end -- (-p for --prompt-tokens, as llama-bench spells it)
    if not name then
      if a:match("^%-.") and not a:match("^%-%d+$") then -- a negative number is an argument (compare -2 -1)
        local flag = a:match("^%-(%a[%w%-]*)$")
        if flag and LLAMA[flag] and byname[LLAMA[flag]] then
          return nil, string.format("unknown option '%s'%s", a, did_you_mean(flag, byname))
        end
        return nil, string.format("unknown option '%s' (options start with --)", a)
      end
      positional[#positional + 1] = a
    else
      local o, neg = byname[name], false
      if not o and name:match("^no%-") and byname[name:sub(4)] and typeof(byname[name:sub(4)]) == "bool" then
        o, neg = byname[name:sub(4)], true
      end
      if not o then return nil, string.format("unknown option '--%s'%s", name, did_you_mean(name, byname)) end
      local t = typeof(o)
      if t ~= "list" then -- a single-valued option given twice is a mistake, not last-one-wins
        local as = a:match("^[^=]*")
        if given[o.name] then
          return nil, string.format("option '--%s' given twice%s; it takes one value", o.name,
            given[o.name] ~= as and string.format(" (%s and %s)", given[o.name], as) or "")
        end
        given[o.name] = as
      end
      if t == "bool" and o.run_number and not neg and (val or argv[i + 1] or ""):match("^%d+$") then
        -- (--resume N: a bool that may name a run by its number)
        if val == nil then i = i + 1; val = argv[i] end
        local n = math.tointeger(tonumber(val))
        if not n or n < 1 then return nil, string.format("--%s: a run number is 1 or more, got '%s'", name, val) end
        values[key(o.name)] = n
      elseif t == "bool" then
        if val ~= nil then
          if val == "true" or val == "1" or val == "yes" then values[key(o.name)] = not neg
          elseif val == "false" or val == "0" or val == "no" then values[key(o.name)] = neg
          else return nil, string.format("--%s expects true or false, got '%s'", name, val) end
        else
          values[key(o.name)] = not neg
        end
      else
        if val == nil then
          i = i + 1
          val = argv[i]
          if val == nil then return nil, string.format("option '--%s' needs a value", name) end
        end
        local v, err = convert(o, val, "--" .. name)
        if v == nil then return nil, err end
        if t == "list" then
          local l = values[key(o.name)]
          l[#l + 1] = v
        else
          values[key(o.name)] = v
        end
      end
    end
    i = i + 1
  end
  return values, positional
end

--- Help text for a spec.
function M.help(spec)
  local lines = {}
  for _, o in ipairs(spec) do
    local t = typeof(o)
    local left = (o.short and ("  -" .. o.short .. ", --") or "  --") .. o.name
    if t ~= "bool" then
      left = left .. " " .. (o.metavar or (o.choices and table.concat(o.choices, "|"))
        or (t == "int" and "N" or t == "number" and "X" or "VALUE"))
    end
    local help = o.help or ""
    if o.default ~= nil and o.default ~= "" and o.default ~= false then
      local d = type(o.default) == "string" and o.default:find("[\n\"]") and string.format("%q", o.default):gsub("\\\n", "\\n") or tostring(o.default)
      help = help .. string.format(" (default: %s)", d)
    end
    if t == "list" then help = help .. " (repeatable)" end
    if #left < 30 then
      lines[#lines + 1] = left .. string.rep(" ", 30 - #left) .. help
    else
      lines[#lines + 1] = left .. "\n" .. string.rep(" ", 30) .. help
    end
  end
  return table.concat(lines, "\n")
end

return M
