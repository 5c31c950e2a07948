-- lcb.lua: LiveCodeBench (code generation). For now the script mode only:
--   benchlua run --benchmark lcb --script run_lcb.py --model m.gguf
-- runs LiveCodeBench's own runner against the started server and reads the
-- pass@1 it prints. The native mode (stdin and functional problems,
-- compressed private tests, release/date filters) is a later issue.
return {
  name = "lcb",
  description = "LiveCodeBench code generation (script mode: parses the runner's pass@1)",
  parse = require("benchlua.parsers").lcb,
}
