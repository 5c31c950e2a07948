-- cmd/test.lua: `benchlua test FILE...`: Lua test files (tests/lua), a leak
-- check after each (lua/benchlua/testing.lua). BENCHLUA_TEST_FILTER picks checks.
local testing = require("benchlua.testing")
local M = {
  name = "test",
  summary = { { "test FILE...", "run Lua test files (see tests/lua)" } },
  usage = "benchlua test FILE...   run Lua test files (tests/lua), a leak check after each",
  options = {},
}

function M.command(argv)
  local files, filter = {}, os.getenv("BENCHLUA_TEST_FILTER")
  for i = 2, #argv do files[#files + 1] = argv[i] end
  local failed = testing.run_files(files, filter)
  return failed > 0 and 1 or 0
end

return M
