-- progress.lua: ctx.progress(done, total, extra). On a terminal, one line
-- redrawn in place (\r, clear to the end of the line) with done/total, rate,
-- ETA, passed so far and tokens/s, at most ten times a second; otherwise a
-- plain line at most every 2 s ("name: done/total  extra"), as log files want.
local M = {}

local tty_cache
--- stderr_is_tty() -> boolean (asked once, of `test -t 2`)
function M.stderr_is_tty()
  if tty_cache == nil then
    local force = os.getenv("BENCHLUA_PROGRESS")
    if force == "tty" then tty_cache = true
    elseif force == "plain" then tty_cache = false
    else tty_cache = os.execute("test -t 2") == true end
  end
  return tty_cache
end

local function clock(s)
  if s ~= s or s == math.huge then return "?" end
  s = math.floor(s + 0.5)
  if s >= 3600 then return string.format("%d:%02d:%02d", s // 3600, s % 3600 // 60, s % 60) end
  return string.format("%d:%02d", s // 60, s % 60)
end

--- new{name=, quiet=, stats=, live=} -> progress function, with .finish()
-- stats: the run's request counters (tokens); live: a table the runner keeps
-- current: passed (count or nil), start (bench.now() when generation began), base (samples done before this
-- process started: a resumed run's).
function M.new(o)
  local last, pending = -math.huge, false
  local tty = not o.quiet and M.stderr_is_tty()
  local live = o.live or {}
  local p = {}
  function p.finish()
    if pending then io.stderr:write("\n") pending = false end
  end
  setmetatable(p, { __call = function(_, done, total, extra)
    if o.quiet then return end
    local now = bench.now()
    if not tty then
      if done < total and now - last < 2 then return end
      last = now
      io.stderr:write(string.format("%s: %d/%d%s\n", o.name, done, total, extra and ("  " .. extra) or ""))
      return
    end
    if done < total and now - last < 0.1 then return end
    last = now
    local el = now - (live.start or now)
    local new = done - (live.base or 0)
    -- a rate (and an ETA) once there is one to tell: two items and a second
    local rate = el >= 1 and new >= 2 and new / el or 0
    local parts = { string.format("%s %d/%d %3d%%", o.name, done, total, total > 0 and math.floor(100 * done / total) or 0) }
    if rate > 0 then
      parts[#parts + 1] = string.format("%.1f/s", rate)
      if done < total then parts[#parts + 1] = "ETA " .. clock((total - done) / rate) end
    end
    if live.passed then parts[#parts + 1] = "passed " .. live.passed
    elseif type(extra) == "string" then parts[#parts + 1] = extra end
    local tokens = o.stats and o.stats.tokens or 0
    if tokens > 0 and el > 0 then parts[#parts + 1] = string.format("%.0f tok/s", tokens / el) end
    io.stderr:write("\r", table.concat(parts, "  "), "\27[K")
    pending = true
    if done >= total then p.finish() end
  end })
  return p
end

return M
