-- cmd/merge.lua: `benchlua results merge DIR... -o FILE`: the per-cell files
-- of `sweep --results-dir` into one results file. Runs already in FILE are
-- not added twice.
local cmd = require("benchlua.cmd")
local options = require("benchlua.options")
local results = require("benchlua.results")
local json = require("benchlua.json")
local sweep = require("benchlua.sweep")
local M = {
  name = "results merge",
  summary = {},
  usage = "benchlua results merge DIR... -o FILE   the runs of every DIR/*.json added to FILE",
  options = { { name = "output", type = "string", metavar = "FILE", help = "the results file to add the runs to (-o)" } },
}

local function run_id(r)
  if type(r) ~= "table" then return nil end
  return table.concat({ tostring(r.timestamp), tostring(r.benchmark), tostring(r.run_dir),
    type(r.sweep) == "table" and tostring(r.sweep.cell) or "" }, "\0")
end

-- Why r (a decoded entry of a runs list) cannot be merged -> a phrase | nil
local function not_a_run(r)
  if type(r) ~= "table" or getmetatable(r) == json.array_mt then return "is not an object" end
  if type(r.benchmark) ~= "string" then return "has no benchmark name" end
  for _, k in ipairs({ "results", "config", "reproducibility" }) do
    if r[k] ~= nil and type(r[k]) ~= "table" then return string.format("has %s that is not an object", k) end
  end
  return nil
end

--- -> exit code
function M.command(argv)
  local args = {}
  for i = 3, #argv do args[#args + 1] = argv[i] == "-o" and "--output" or argv[i] end
  local values, positional = options.parse(args, 1, { M.options, { cmd.HELP_OPT } })
  if not values then io.stderr:write("benchlua: " .. positional .. "\n") return 2 end
  if values.help then
    io.stdout:write("usage: benchlua results merge DIR... -o FILE\n  adds the runs of every DIR/*.json (one file per cell, from sweep --results-dir) to FILE\n")
    return 0
  end
  if not values.output then io.stderr:write("benchlua: results merge: -o FILE is required\n") return 2 end
  if #positional == 0 then io.stderr:write("benchlua: results merge: a DIR (or results files) to merge is required\n") return 2 end
  local files = {}
  for _, p in ipairs(positional) do
    local st = bench.fs.stat(p)
    if not st then io.stderr:write(string.format("benchlua: results merge: '%s' not found\n", p)) return 2 end
    if st.type == "dir" or st.type == "directory" then
      for _, f in ipairs(sweep.list_json(p)) do files[#files + 1] = f end
    else
      files[#files + 1] = p
    end
  end
  local seen = {}
  local existing, eerr = results.load(values.output)
  if existing == nil then io.stderr:write("benchlua: " .. eerr .. "\n") return 1 end
  if existing then
    for _, r in ipairs(json.decode(existing).runs) do
      local id = run_id(r)
      if id then seen[id] = true end
    end
  end
  local new = {}
  for _, f in ipairs(files) do
    if sweep.abspath(f) ~= sweep.abspath(values.output) then
      local text, err = results.load(f)
      if text == nil then io.stderr:write("benchlua: " .. err .. "\n") return 1 end
      for i, r in ipairs(text and json.decode(text).runs or {}) do
        local why = not_a_run(r)
        if why then -- refused before anything is added
          io.stderr:write(string.format("benchlua: results merge: %s: runs[%d] %s; nothing merged\n", f, i, why))
          return 1
        end
        local id = run_id(r)
        if not seen[id] then seen[id] = true new[#new + 1] = r end
      end
    end
  end
  table.sort(new, function(a, b) return tostring(a.timestamp) < tostring(b.timestamp) end)
  for _, r in ipairs(new) do
    local rok, ok, err = pcall(results.record, r, { results = values.output })
    if not rok then ok, err = nil, tostring(ok):gsub("\n.*", "") end
    if not ok then io.stderr:write("benchlua: " .. err .. "\n") return 1 end
  end
  io.stdout:write(string.format("merged %d run%s from %d file%s into %s\n", #new, #new == 1 and "" or "s",
    #files, #files == 1 and "" or "s", values.output))
  return 0
end

return M
