-- samplelog.lua: reads a run's sample log (RUN_DIR/samples.jsonl, one JSON
-- object per sample) back into per-problem counts, for compare, report,
-- resume and the score interval. A sample counts when it has a `task_id` and
-- a boolean `passed`; other verdicts beside it (evalplus's base and plus
-- tests: a field `X = {passed = bool}`, or a boolean `X_passed` or
-- `passed_X`) are counted as channels of their own. Lines that are not JSON (a write cut by kill -9) are skipped.
local cjson = require("cjson.safe")
local M = {}

--- key(task_id, sample) -> the done_samples key: task_id .. "\0" .. index
function M.key(task_id, sample)
  return task_id .. "\0" .. string.format("%d", sample)
end

local function channel_of(k)
  return k:match("^(.+)_passed$") or k:match("^passed_(.+)$")
end

--- read(path, [fn]) -> per | nil, err
-- per = { ids = {task ids in first-seen order}, n = {id -> samples},
--   c = {id -> passed}, channels = {name -> {id -> passed}}, lines = count,
--   records = count of verdict records }. fn(rec, line), when given, sees
-- every decoded record.
function M.read(path, fn)
  local text, err = bench.fs.read(path)
  if not text then return nil, err end
  local per = { ids = {}, n = {}, c = {}, channels = {}, lines = 0, records = 0 }
  local ids, n, c, channels = per.ids, per.n, per.c, per.channels
  local decode = cjson.decode
  for line in text:gmatch("[^\n]+") do
    per.lines = per.lines + 1
    local rec = decode(line)
    if type(rec) == "table" then
      if fn then fn(rec, line) end
      local id, passed = rec.task_id, rec.passed
      if type(id) == "string" and type(passed) == "boolean" then
        per.records = per.records + 1
        local seen = n[id]
        if not seen then ids[#ids + 1] = id; seen = 0; c[id] = 0 end
        n[id] = seen + 1
        if passed then c[id] = c[id] + 1 end
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
  return per
end

--- rates(per, [channel]) -> list of per-problem pass rates in `per.ids` order
function M.rates(per, channel)
  local out, c = {}, channel and per.channels[channel] or per.c
  for i, id in ipairs(per.ids) do out[i] = (c[id] or 0) / per.n[id] end
  return out
end

return M
