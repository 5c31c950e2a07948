-- samplelog.lua: reads a run's sample log (RUN_DIR/samples.jsonl, one JSON
-- object per sample) back into per-problem counts, for compare, report,
-- resume and the score interval. A sample counts when it has a `task_id` and
-- a boolean `passed`; other verdicts beside it (evalplus's base and plus
-- tests: a field `X = {passed = bool}`, or a boolean `X_passed`) are counted
-- as channels of their own. Lines that are not JSON (a write cut by kill -9)
-- are skipped.
local cjson = require("cjson.safe")
local M = {}

--- key(task_id, sample) -> the done_samples key: task_id .. "\0" .. index
function M.key(task_id, sample)
  return task_id .. "\0" .. string.format("%d", sample)
end

local function channel_of(k)
  return k:match("^(.+)_passed$")
end

local find, byte, match = string.find, string.byte, string.match

-- The verdict of the line text[a..b-1] without decoding it, when that is
-- safe: cjson writes keys as "key": with no space, and inside a JSON string
-- every quote is escaped, so '"passed":' can only be a key. A line with
-- more than one 'passed":' (nested or channel verdicts) or an escaped
-- task_id returns nil and is decoded. read() decodes a line with an object
-- inside without asking: the keys found could be its, not the record's
-- (cjson writes keys in any order). -> task_id, passed | nil
local function quick(text, a, b)
  local p = find(text, 'passed":', a, true)
  if not p or p >= b or byte(text, p - 1) ~= 34 then return nil end -- '"passed":'
  local q = find(text, 'passed":', p + 8, true)
  if q and q < b then return nil end
  local v = byte(text, p + 8)
  if v == 32 then v = byte(text, p + 9) end -- '": ' as other encoders write it
  if v ~= 116 and v ~= 102 then return nil end -- t(rue) or f(alse)
  local t, te = find(text, '"task_id": ?"', a)
  if not t or t >= b then return nil end
  local id = match(text, '^([^"\\]*)"', te + 1)
  if not id then return nil end
  return id, v == 116
end

--- read(path, [fn]) -> per | nil, err
-- per = { ids = {task ids in first-seen order}, n = {id -> samples},
--   c = {id -> passed}, channels = {name -> {id -> passed}}, lines = count,
--   records = count of verdict records }. fn(rec, line), when given, sees
-- every decoded record (then every line is decoded).
function M.read(path, fn)
  local text, err = bench.fs.read(path)
  if not text then return nil, err end
  local per = { ids = {}, n = {}, c = {}, channels = {}, lines = 0, records = 0 }
  local ids, n, c, channels = per.ids, per.n, per.c, per.channels
  local decode = cjson.decode
  local function count(id, passed)
    per.records = per.records + 1
    local seen = n[id]
    if not seen then ids[#ids + 1] = id; seen = 0; c[id] = 0 end
    n[id] = seen + 1
    if passed then c[id] = c[id] + 1 end
  end
  local pos, len = 1, #text
  local brace = 0 -- the next '{' after the one that opens the line
  while pos <= len do
    local e = find(text, "\n", pos, true)
    local b = e or len + 1
    if b > pos then
      per.lines = per.lines + 1
      local id, passed
      if not fn and e then
        -- an object inside the record (a '{' after ':' or '['; one in a
        -- string is not, or only seems so, and costs a decode): its keys
        -- could be the ones quick() finds, so the line is decoded
        local inner = false
        if brace <= pos then brace = find(text, "{", pos + 1, true) or len + 1 end
        while brace < b do
          local c = byte(text, brace - 1)
          if c == 58 or c == 91 then inner = true break end -- ':' or '['
          brace = find(text, "{", brace + 1, true) or len + 1
        end
        if not inner then id, passed = quick(text, pos, b) end
      end
      if id then
        count(id, passed)
      else
        local line = text:sub(pos, b - 1)
        local rec = decode(line)
        if type(rec) == "table" then
          if fn then fn(rec, line) end
          id, passed = rec.task_id, rec.passed
          if type(id) == "string" and type(passed) == "boolean" then
            count(id, passed)
            for k, v in pairs(rec) do
              local ch
              if type(v) == "boolean" and k ~= "passed" then ch = channel_of(k)
              elseif type(v) == "table" and type(v.passed) == "boolean" then ch, v = k, v.passed end
              if ch then
                local t = channels[ch]
                if not t then t = {}; channels[ch] = t end
                t[id] = (t[id] or 0) + (v and 1 or 0)
              end
            end
          end
        end
      end
    end
    pos = b + 1
  end
  return per
end

--- rates(per, [channel]) -> list of per-problem pass rates in `per.ids` order
function M.rates(per, channel)
  local out, c = {}, channel and per.channels[channel] or per.c
  for i, id in ipairs(per.ids) do out[i] = (c[id] or 0) / per.n[id] end
  return out
end

return M
