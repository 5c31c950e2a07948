-- json.lua: a JSON codec that keeps the difference between [] and {}.
-- Used for files people read and merge (the results file): decode marks
-- arrays with json.array_mt, encode honours it and writes sorted, indented
-- output so files diff well. Hot paths (request bodies) use cjson instead.
local json = {}

json.array_mt = { __name = "json.array" }
json.null = setmetatable({}, { __name = "json.null", __tostring = function() return "null" end })

function json.array(t)
  return setmetatable(t or {}, json.array_mt)
end

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function number(n)
  if n ~= n or n == math.huge or n == -math.huge then
    return "null"
  end
  if math.type(n) == "integer" then
    return tostring(n)
  end
  if n == math.floor(n) and math.abs(n) < 2^53 then
    -- cjson decodes every number as a float; print whole ones as integers
    return string.format("%d", n)
  end
  for _, fmt in ipairs({ "%.15g", "%.16g", "%.17g" }) do
    local s = string.format(fmt, n)
    if tonumber(s) == n then return s end
  end
end

local function is_array(t)
  if getmetatable(t) == json.array_mt then return true end
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

local function encode(v, indent, depth, out)
  local tv = type(v)
  if v == nil or v == json.null then
    out[#out + 1] = "null"
  elseif tv == "boolean" then
    out[#out + 1] = tostring(v)
  elseif tv == "number" then
    out[#out + 1] = number(v)
  elseif tv == "string" then
    out[#out + 1] = quote(v)
  elseif tv == "table" then
    if depth > 64 then error("json.encode: nesting too deep (a cycle?)", 0) end
    local nl = indent and ("\n" .. string.rep(indent, depth + 1)) or ""
    local close = indent and ("\n" .. string.rep(indent, depth)) or ""
    local sep = indent and ": " or ":"
    if is_array(v) then
      if #v == 0 then out[#out + 1] = "[]" return end
      out[#out + 1] = "["
      for i = 1, #v do
        out[#out + 1] = (i > 1 and "," or "") .. nl
        encode(v[i], indent, depth + 1, out)
      end
      out[#out + 1] = close .. "]"
    else
      local keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" and type(k) ~= "number" then
          error("json.encode: object keys must be strings, not " .. type(k), 0)
        end
        keys[#keys + 1] = tostring(k)
      end
      if #keys == 0 then out[#out + 1] = "{}" return end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        local val = v[k]
        if val == nil then val = v[tonumber(k)] end
        out[#out + 1] = (i > 1 and "," or "") .. nl .. quote(k) .. sep
        encode(val, indent, depth + 1, out)
      end
      out[#out + 1] = close .. "}"
    end
  else
    error("json.encode: cannot encode a " .. tv, 0)
  end
end

--- json.encode(value, [indent], [depth]) -> string. indent: e.g. "  " for
-- pretty output; depth: the nesting level the value will sit at.
function json.encode(v, indent, depth)
  local out = {}
  encode(v, indent, depth or 0, out)
  return table.concat(out)
end

-- Decoder: a small recursive descent parser over the string.
local decode_value

local function skip(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local function err(s, i, msg)
  local line, col = 1, 1
  for nl in s:sub(1, i - 1):gmatch("\n") do line = line + 1 end
  col = i - (s:sub(1, i - 1):match(".*\n()") or 1) + 1
  error(string.format("line %d column %d: %s", line, col, msg), 0)
end

local function decode_string(s, i)
  local parts, j = {}, i + 1
  while true do
    local a, b = s:find('["\\]', j)
    if not a then err(s, i, "unterminated string") end
    parts[#parts + 1] = s:sub(j, a - 1)
    if s:sub(a, a) == '"' then return table.concat(parts), b + 1 end
    local c = s:sub(a + 1, a + 1)
    local simple = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
    if simple[c] then
      parts[#parts + 1] = simple[c]
      j = a + 2
    elseif c == "u" then
      local hex = s:sub(a + 2, a + 5)
      local cp = tonumber(hex, 16)
      if not cp or #hex ~= 4 then err(s, a, "bad \\u escape") end
      j = a + 6
      if cp >= 0xD800 and cp <= 0xDBFF and s:sub(j, j + 1) == "\\u" then
        local lo = tonumber(s:sub(j + 2, j + 5), 16)
        if lo and lo >= 0xDC00 and lo <= 0xDFFF then
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
          j = j + 6
        end
      end
      parts[#parts + 1] = utf8.char(cp)
    else
      err(s, a, "bad escape")
    end
  end
end

function decode_value(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local t = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return t, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then err(s, i, "expected a string key") end
      local k
      k, i = decode_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then err(s, i, "expected ':'") end
      t[k], i = decode_value(s, i + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "}" then return t, i + 1 end
      if d ~= "," then err(s, i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == "[" then
    local t = json.array()
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return t, i + 1 end
    while true do
      local v
      v, i = decode_value(s, i)
      t[#t + 1] = v == nil and json.null or v
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "]" then return t, i + 1 end
      if d ~= "," then err(s, i, "expected ',' or ']'") end
      i = i + 1
    end
  elseif c == '"' then
    return decode_string(s, i)
  elseif s:sub(i, i + 3) == "true" then
    return true, i + 4
  elseif s:sub(i, i + 4) == "false" then
    return false, i + 5
  elseif s:sub(i, i + 3) == "null" then
    return json.null, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not num or num == "" or num == "-" then err(s, i, "unexpected character") end
    local v = math.tointeger(tonumber(num)) or tonumber(num)
    if not v then err(s, i, "bad number") end
    return v, i + #num
  end
end

--- json.members(text) -> the top-level object's members, in file order:
-- {{key=, kstart=, vstart=, vend=}...} (byte positions: the key's opening
-- quote, the value's first byte, one past its last), plus .close, the
-- position of the closing "}" | nil, err when text is not one JSON object.
-- Lets a file be edited in place, every other byte kept.
function json.members(s)
  local ok, res = pcall(function()
    local i = skip(s, 1)
    if s:sub(i, i) ~= "{" then err(s, i, "expected a JSON object") end
    local out = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then
      out.close = i
    else
      while true do
        if s:sub(i, i) ~= '"' then err(s, i, "expected a string key") end
        local m = { kstart = i }
        m.key, i = decode_string(s, i)
        i = skip(s, i)
        if s:sub(i, i) ~= ":" then err(s, i, "expected ':'") end
        m.vstart = skip(s, i + 1)
        local _
        _, m.vend = decode_value(s, m.vstart)
        out[#out + 1] = m
        i = skip(s, m.vend)
        local d = s:sub(i, i)
        if d == "}" then out.close = i break end
        if d ~= "," then err(s, i, "expected ',' or '}'") end
        i = skip(s, i + 1)
      end
    end
    if skip(s, out.close + 1) <= #s then err(s, skip(s, out.close + 1), "trailing characters") end
    return out
  end)
  if not ok then return nil, res end
  return res
end

--- json.decode(text) -> value | nil, "line L column C: message"
function json.decode(s)
  local ok, v, i = pcall(decode_value, s, 1)
  if not ok then return nil, v end
  i = skip(s, i)
  if i <= #s then
    local ok2, msg = pcall(err, s, i, "trailing characters")
    return nil, ok2 and "" or msg
  end
  return v
end

--- json.pick(text [, keep]) -> value | nil, "line L column C: why": decode
-- in C, building only what keep names (src/ljson.c): keep maps a key to true
-- (keep the member whole) or to a table (pick from it in turn; for a list,
-- from each element). Members keep does not name are checked, not built.
-- Values are as cjson.decode gives them (null is cjson.null), except that
-- whole numbers are integers.
json.pick = require("benchlua.jsonpick")

return json
