-- Code extraction from model answers: stop sequences, <think>, fenced
-- blocks, full functions versus bodies.
local testing = require("benchlua.testing")
local extract = require("benchlua.extract")
local T = {}
local eq = testing.eq

local STOPS = { "\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif", "\n```", "<|endoftext|>" }

T[#T + 1] = { "truncate cuts at the earliest stop sequence", function()
  eq(extract.truncate("    return 1\ndef g():\n    pass\n", STOPS), "    return 1", "def")
  eq(extract.truncate("    x = 1\n    # keep\n    return x\n#done\nprint(x)", STOPS), "    x = 1\n    # keep\n    return x", "# at column 0 only")
  eq(extract.truncate("    return 1\nprint(2)\ndef f(): pass", STOPS), "    return 1", "earliest of two")
  eq(extract.truncate("    return 1\n", STOPS), "    return 1\n", "nothing to cut")
  eq(extract.truncate("    return 1<|endoftext|>junk", STOPS), "    return 1", "eos text")
  eq(extract.truncate("abc", {}), "abc", "no stops")
end }

T[#T + 1] = { "strip_think: closed, lone closing tag, unclosed", function()
  local a, open = extract.strip_think("<think>plan</think>\nanswer")
  eq(a, "\nanswer", "closed"); eq(open, false, "closed flag")
  a, open = extract.strip_think("plan only in the template</think>answer")
  eq(a, "answer", "lone closing tag"); eq(open, false, "lone flag")
  a, open = extract.strip_think("<think>a</think>b<think>c</think>d")
  eq(a, "d", "the last closing tag wins")
  a, open = extract.strip_think("intro <think>still going ```python\nx\n```")
  eq(a, "intro ", "unclosed keeps what precedes"); eq(open, true, "unclosed flag")
  a, open = extract.strip_think("no tags")
  eq(a, "no tags", "plain"); eq(open, false, "plain flag")
end }

T[#T + 1] = { "code: the last python block; think blocks ignored", function()
  local ans = "<think>\n```python\ndef wrong(): pass\n```\n</think>\nFirst:\n```python\ndef a():\n    return 1\n```\nBetter:\n```py\ndef a():\n    return 2\n```\nDone."
  local code, info = extract.code(ans)
  eq(code, "def a():\n    return 2\n", "last block")
  eq(info.fenced, true, "fenced"); eq(info.unclosed_think, false, "think closed")
  code = extract.code("```python\ndef f():\n    return 1\n```\nOutput:\n```text\n1\n```")
  eq(code, "def f():\n    return 1\n", "a later non-python block does not win")
  code = extract.code("```\ndef f():\n    return 3\n```")
  eq(code, "def f():\n    return 3\n", "untagged block")
  code = extract.code("```bash\nls\n```")
  eq(code, "ls\n", "only a non-python block: it is the code")
  code = extract.code("  ```python\r\n  def f():\r\n      return 4\r\n  ```\r\n")
  eq(code, "  def f():\n      return 4\n", "indented fences, CRLF")
end }

T[#T + 1] = { "code: unclosed fence, unclosed think, no fence, nothing", function()
  local code, info = extract.code("Sure:\n```python\ndef f():\n    return 1")
  eq(code, "def f():\n    return 1\n", "unclosed fence runs to the end"); eq(info.unclosed_fence, true, "flag")
  code, info = extract.code("<think>\nlet me write ```python\ndef f(): pass\n")
  eq(code, nil, "unclosed think: no code"); eq(info.unclosed_think, true, "flag")
  code, info = extract.code("Use this:\nimport math\ndef f(x):\n    return math.sqrt(x)\nThat is all.")
  eq(code, "import math\ndef f(x):\n    return math.sqrt(x)\nThat is all.\n", "from the first top-level def/import")
  eq(info.fenced, false, "not fenced")
  eq(extract.code("I cannot help with that."), nil, "prose only")
  eq(extract.code("```python\n\n```"), nil, "empty block")
  eq(extract.code(""), nil, "empty answer")
end }

T[#T + 1] = { "full function or body", function()
  eq(extract.is_full_function("def add(a, b):\n    return a + b\n", "add"), true, "def")
  eq(extract.is_full_function("import x\n\nasync def add(a):\n    pass\n", "add"), true, "async def")
  eq(extract.is_full_function("def add_two(a):\n    pass\n", "add"), false, "other name")
  eq(extract.is_full_function("    def add(a):\n        pass\n", "add"), false, "nested")
  eq(extract.is_full_function("    return a + b\n", "add"), false, "body")
end }

T[#T + 1] = { "solution: a full function replaces the stub, keeps the prompt's imports and helpers", function()
  local prompt = "from typing import List\n\n\ndef helper(x):\n    return x\n\n\ndef add(a: List[int]) -> int:\n    \"\"\"Sum.\"\"\"\n"
  local head, kind = extract.solution(prompt, "def add(a):\n    return sum(a)\n", "add")
  eq(kind, "function", "kind")
  eq(head, "from typing import List\n\n\ndef helper(x):\n    return x\n\n\ndef add(a):\n    return sum(a)\n", "head")
  head, kind = extract.solution(prompt, "    return sum(a)\n", "add")
  eq(kind, "body", "body kind"); eq(head, prompt .. "    return sum(a)\n", "appended")
  head, kind = extract.solution("def f():\n", "def f():\n    return 1\n", "f")
  eq(head, "def f():\n    return 1\n", "stub on the first line")
end }

return T
