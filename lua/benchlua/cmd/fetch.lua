-- cmd/fetch.lua: `benchlua fetch [BENCHMARK...]`: every dataset the
-- benchmarks use (default: all shipped), into the cache, digest-checked;
-- says where each is.
local cmd = require("benchlua.cmd")
local runner = require("benchlua.runner")
local dataset = require("benchlua.dataset")
local M = {
  name = "fetch",
  summary = { { "fetch [BENCHMARK...]", "download their datasets ahead of time (default: all)" } },
  usage = "benchlua fetch [BENCHMARK...]   their datasets into the cache ahead of time (default: every shipped one),\n" ..
    "digest-checked; files in $BENCHLUA_DATA or the cache are used as they are",
  options = {},
}

local WHERE = { data = "in BENCHLUA_DATA", cache = "cached", downloaded = "downloaded" }

function M.command(argv)
  local names = {}
  for i = 2, #argv do
    if argv[i] == "--help" or argv[i] == "-h" then
      io.stdout:write("usage: benchlua fetch [BENCHMARK...]   download the datasets of these benchmarks (default: every shipped one)\n",
        "  into the cache (", dataset.cache_dir(), "), checked by digest; files already in $BENCHLUA_DATA or the cache are used as they are\n")
      return 0
    end
    if argv[i]:match("^%-") then return cmd.fail(string.format("fetch: unknown option '%s'", argv[i])) end
    names[#names + 1] = argv[i]
  end
  if #names == 0 then names = runner.shipped(true) end
  local specs = {}
  for _, name in ipairs(names) do
    local path, ferr = runner.find(name)
    if not path then return cmd.fail("fetch: " .. ferr) end
    local spec, lerr = runner.load(path)
    if not spec then return cmd.fail(lerr) end
    specs[#specs + 1] = spec
  end
  local ready, failed = 0, 0
  for _, spec in ipairs(specs) do
    local list = spec.datasets
    if type(list) == "function" then list = list() end
    for _, d in ipairs(list or {}) do
      local got, where = (d.fetch or dataset.fetch)(d)
      if got then
        ready = ready + 1
        io.stdout:write(string.format("%s: %s  %s (%s)\n", spec.name, d.file, got, WHERE[where] or where or "ready"))
        io.stdout:flush()
      else
        failed = failed + 1
        io.stderr:write(string.format("benchlua: fetch: %s: %s\n", spec.name, where))
      end
    end
  end
  io.stdout:write(string.format("fetch: %d file%s ready%s\n", ready, ready == 1 and "" or "s",
    failed > 0 and string.format(", %d could not be fetched (offline? put them in a directory named by BENCHLUA_DATA)", failed) or ""))
  return failed > 0 and 1 or 0
end

return M
