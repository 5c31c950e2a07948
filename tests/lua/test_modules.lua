-- The Lua library's hygiene: every module requires what it uses instead of
-- relying on api.lua having filled `bench` first (the C primitives, bench.fs,
-- bench.proc, bench.http, tasks, are the host's and always there).
local T = {}

-- what api.lua adds to `bench`, and the module each comes from
local FILLED = {
  ["bench%.map%("] = "benchlua.tasks", ["bench%.llm%."] = "benchlua.llm", ["bench%.json%."] = "benchlua.json",
  ["bench%.record%("] = "benchlua.results", ["bench%.run_script%("] = "benchlua.script",
  ["bench%.spawn_server%("] = "benchlua.server", ["bench%.wait_ready%("] = "benchlua.server",
}

T[#T + 1] = { "modules require what they use; the runner learns of the sandbox only through ctx", function()
  local p = io.popen("ls lua/benchlua/*.lua")
  local bad = {}
  for path in p:lines() do
    if not path:find("/api%.lua$") then
      local n = 0
      for line in io.lines(path) do
        n = n + 1
        local code = line:gsub("%-%-.*$", "")
        for pat, mod in pairs(FILLED) do
          if code:find(pat) then bad[#bad + 1] = string.format("%s:%d uses %s (require %s)", path, n, pat:gsub("%%", ""), mod) end
        end
      end
    end
  end
  p:close()
  assert(#bad == 0, table.concat(bad, "\n"))
  local runner = assert(bench.fs.read("lua/benchlua/runner.lua"))
  assert(not runner:find("sandbox_used", 1, true), "runner.lua asks script.lua which sandbox was used")
end }

return T
