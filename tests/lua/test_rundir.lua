-- Run directories (runrecord.make_run_dir): each run gets one of its own,
-- created exclusively, never shared: not by runs of one process in one
-- second (a sweep cell's entries), nor by Slurm tasks on two nodes that
-- have the same pid and write to one shared benchlua-runs/.
local runrecord = require("benchlua.runrecord")
local testing = require("benchlua.testing")
local T = {}

T[#T + 1] = { "make_run_dir: runs of one benchmark in one process and one second get directories of their own", function()
  local tmp <close> = testing.tmpdir("rundir")
  local opts = { results = tmp.path .. "/r.json" }
  local seen, list = {}, {}
  local t0 = os.time()
  for _ = 1, 5 do
    local dir = assert(runrecord.make_run_dir(opts, "human_eval"))
    assert(not seen[dir], "a run directory was given twice: " .. dir)
    seen[dir], list[#list + 1] = true, dir
  end
  if os.time() - t0 > 0 then
    -- (the clock turned a second: the stamps may differ; what counts is that none is shared)
    io.stderr:write("test_rundir: the clock moved a second during the test\n")
  end
  testing.eq(#assert(bench.fs.list(tmp.path .. "/benchlua-runs")), 5, "directories in benchlua-runs")
  for _, d in ipairs(list) do
    assert(d:find("^" .. tmp.path:gsub("%p", "%%%0") .. "/benchlua%-runs/%d+T%d+Z%-human_eval%-"), "where it was made: " .. d)
  end
end }

T[#T + 1] = { "make_run_dir: a directory another node made under the same name (same pid) is not taken", function()
  local tmp <close> = testing.tmpdir("rundir")
  local opts = { runs_dir = tmp.path .. "/shared-runs" }
  local first = assert(runrecord.make_run_dir(opts, "lcb"))
  -- another node with this pid and host name made the next second's names
  -- (and this second's) first: what make_run_dir would pick is taken
  local stem = first:match("^(.*)%-%d+$")
  local pid = first:match("%-(%d+)$")
  local stamp = first:match("/(%d+T%d+Z)%-")
  local taken = {}
  for dt = 0, 2 do
    local s = os.date("!%Y%m%dT%H%M%SZ", os.time() + dt)
    local d = stem:gsub(stamp, s, 1) .. "-" .. pid
    if not bench.fs.stat(d) then
      assert(bench.fs.mkdir_p(d))
      assert(bench.fs.write_atomic(d .. "/samples.jsonl", "theirs\n"))
      taken[d] = true
    end
  end
  local mine = assert(runrecord.make_run_dir(opts, "lcb"))
  assert(not taken[mine] and mine ~= first, "took a directory that was already there: " .. mine)
  assert(not bench.fs.stat(mine .. "/samples.jsonl"), "the new run directory holds another run's log")
end }

T[#T + 1] = { "make_run_dir: the directory name carries the host name; a runs dir that cannot be made is one error", function()
  local tmp <close> = testing.tmpdir("rundir")
  local f = io.open("/proc/sys/kernel/hostname")
  local host = f and f:read("l"):match("^[^.]*"):gsub("[^%w_-]", "_"):sub(1, 40)
  if f then f:close() end
  local dir = assert(runrecord.make_run_dir({ runs_dir = tmp.path .. "/r" }, "t"))
  if host and host ~= "" then
    assert(dir:find("%-t%-" .. host:gsub("%p", "%%%0") .. "%-%d+$"), "no host name in " .. dir)
  end
  assert(bench.fs.write_atomic(tmp.path .. "/file", "x"))
  local d, err = runrecord.make_run_dir({ runs_dir = tmp.path .. "/file/runs" }, "t")
  assert(d == nil and type(err) == "string" and err:find("cannot create directory", 1, true), tostring(err))
end }

return T
