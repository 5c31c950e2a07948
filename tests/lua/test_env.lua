-- Model-written code does not see benchlua's environment (issue 7, item 9):
-- run_script with the sandbox and the code executors, in every mode
-- (namespaces, the fallback, --sandbox off for the executors), get PATH,
-- LANG, HOME, TMPDIR and what the benchmark adds, nothing else.
local T = {}

-- run by a second benchlua whose environment holds the secrets
local INNER = [=[
local codeexec = require("benchlua.codeexec")
local SHOW = "import os\nprint(' '.join(sorted(os.environ)))\n"
  .. "assert 'OPENAI_API_KEY' not in os.environ and 'HF_TOKEN' not in os.environ, os.environ\n"
return {
  { "run_script with the sandbox", function()
    local r = assert(bench.run_script{ argv = { "/usr/bin/python3", "-c", SHOW }, sandbox = true, env = { EXTRA = "1" } })
    assert(r.ok, r.stdout .. r.stderr)
    print("KEYS " .. r.stdout)
  end },
  { "the code executors", function()
    for _, sb in ipairs{ "auto", false } do
      local pool <close> = assert(codeexec.pool{ size = 1, sandbox = sb })
      local r = pool:run(SHOW, 10)
      assert(r.result == "passed", tostring(sb) .. ": " .. tostring(r.result) .. " " .. tostring(r.detail))
    end
  end },
}
]=]

local function inner(extra_env)
  local env = { OPENAI_API_KEY = "sk-secret-123", HF_TOKEN = "hf_secret_456" }
  for k, v in pairs(extra_env) do env[k] = v end
  local r = assert(bench.run_script{ argv = { bench.exe, "test", "inner.lua" }, env = env,
    files = { ["inner.lua"] = INNER }, timeout = 60 })
  assert(r.code == 0 and r.stdout:find("PASS inner: the code executors"), r.stdout .. r.stderr)
  assert(not r.stdout:find("secret"), "a secret reached the output: " .. r.stdout)
  local keys = r.stdout:match("KEYS ([^\n]*)")
  assert(keys == "EXTRA HOME LANG PATH TMPDIR", "the program's environment: " .. tostring(keys))
end

T[#T + 1] = { "programs see a fixed environment in the namespace sandbox", function()
  inner({})
end }

T[#T + 1] = { "programs see a fixed environment in the fallback", function()
  inner({ BENCHLUA_NO_NAMESPACES = "1" })
end }

return T
