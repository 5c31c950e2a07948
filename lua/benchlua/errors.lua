-- errors.lua: expected failures against bugs. An error raised on purpose
-- (error("message", 0), a misused primitive's "file:line: what is wrong",
-- a cancelled or interrupted task) is an expected failure: the user sees its
-- message, one line (a server's log tail may follow). An error the Lua VM
-- raises (attempt to index a nil value, ...) or a bare failed assert is a
-- bug: the user sees the same one line with a pointer to the traceback,
-- which goes to the run directory's error.log.
local M = {}

-- What the Lua VM says when code is wrong, after the "file:line: " prefix.
local BUGS = {
  "^attempt to ", "^stack overflow", "^not enough memory", "^table index is ", "^invalid key to 'next'",
  "^number has no integer representation", "^'for' %a+ ", "^assertion failed!$", "^C stack overflow",
  "^string length overflow", "^invalid value %(at index", "^wrong number of arguments",
}

--- errors.message(e) -> the message without any traceback appended to it
-- (tasks and bench.map append their own), and that traceback or nil.
function M.message(e)
  local s
  if type(e) == "string" then
    s = e
  elseif type(e) == "table" and getmetatable(e) and getmetatable(e).__tostring then
    s = tostring(e)
  else
    s = string.format("(error object is a %s value)", type(e))
  end
  local msg, tb = s:match("^(.-)\n(stack traceback:\n.*)$")
  return msg or s, tb
end

--- errors.is_bug(message) -> true when the message is one the Lua VM raises
function M.is_bug(msg)
  local body = msg:gsub("^[^\n]-:%d+: ", "", 1)
  for _, p in ipairs(BUGS) do
    if body:find(p) then return true end
  end
  return false
end

--- errors.handler(e) -> {msg=, bug=, trace=}: a message handler for xpcall
-- that keeps what the user needs and what a developer needs apart.
function M.handler(e)
  local msg, inner = M.message(e)
  local outer = debug.traceback("", 2)
  return { msg = msg, bug = M.is_bug(msg), trace = msg .. "\n" .. (inner and (inner .. "\n(re-raised)\n") or "") .. outer:gsub("^\n", "") }
end

--- errors.log(run_dir, info) -> path | nil: the traceback in RUN_DIR/error.log
function M.log(run_dir, info)
  local path = run_dir .. "/error.log"
  if bench.fs.append(path, info.trace .. "\n") then return path end
end

return M
