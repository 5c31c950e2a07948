Reading back results files benchlua did not write (tests/fixtures/results/make_odd.py):
odd values give a correct view or one line on stderr naming the file, never a
traceback.

  $ python3 "$SRC/tests/fixtures/results/make_odd.py"

--model takes a shell glob: [!...] negates a class, and an unclosed "[" is a
character like any other (it made a malformed Lua pattern, with a traceback).

  $ benchlua results models.json --model '[!a]*' --format csv | cut -d, -f1,4
  run,model
  2,b-Q8_0.gguf
  3,[x]-F16.gguf
  $ benchlua results models.json --model '[[]x]*' --format csv | cut -d, -f1,4
  run,model
  3,[x]-F16.gguf
  $ benchlua results models.json --model '*[q4*'
  benchlua: no runs match in models.json

Sizes that are not whole numbers, and numbers past any real run's.

  $ benchlua results sizes.json
  #  date              benchmark   model  score  95% CI  tok/s  status   time  size  params
  1  2026-01-02 03:04  human_eval  -      0.500       -      -  ok      10.0s  2B    2.5k
  $ benchlua results huge.json
  #  date              benchmark   model   score         95% CI   tok/s  status         time
  1  2026-01-02 03:04  human_eval  -      1e+300  1e+300-1e+301  1e+300  ok      2.778e+296h
  $ benchlua compare 1 1 --results huge.json | grep tokens
    tokens/s  1e+300 -> 1e+300 (x1.00)
  $ benchlua results inf.json --format csv | cut -d, -f1,8
  run,score
  1,inf

Control characters in the file are shown, not sent to the terminal; a
benchmark name that is not a string shows as "?".

  $ benchlua results control.json
  #  date              benchmark  model                     score  95% CI  tok/s  status   time
  1  2026-01-02 03:04  ?          a\x1b[31mred\x07\nb.gguf  0.500       -      -  ok      10.0s
  $ benchlua results control.json --format md | tail -1
  | 1 | 2026-01-02 03:04 | ? | a\x1b[31mred\x07\nb.gguf | 0.500 | - | - | ok | 10.0s |
  $ benchlua compare 1 1 --results control.json | head -1
  compare: run 1 (?, a\x1b[31mred\x07\nb.gguf) -> run 1 (?, a\x1b[31mred\x07\nb.gguf)

"superseded_by" is benchlua's to work out (from resumed_from), not the file's to
say: compare and report took it (report with a traceback for an object).

  $ benchlua compare 1 2 --results forged.json | head -2
  compare: run 1 (human_eval, -) -> run 2 (human_eval, -)
    score     0.500 [-] -> 0.500 [-]
  $ benchlua report forged.json -o forged.html
  report: 2 runs from forged.json written to forged.html \(\d+ KB\) (re)

Not strict JSON (NaN, which lua-cjson would read), nested past the limit, a
FIFO, a directory: the same one line from every command, and no run is
recorded into the NaN file.

  $ benchlua results nan.json
  benchlua: results file 'nan.json' is not valid JSON (line 1 column 60: invalid value)
  [1]
  $ benchlua compare --results nan.json
  benchlua: results file 'nan.json' is not valid JSON (line 1 column 60: invalid value)
  [1]
  $ benchlua report nan.json -o r.html
  benchlua: results file 'nan.json' is not valid JSON (line 1 column 60: invalid value)
  [1]
  $ printf 'return { name = "t", server = false, run = function() return { score = 1 } end }\n' > t.lua
  $ benchlua t.lua --results nan.json --quiet
  benchlua: results file 'nan.json' is not valid JSON (line 1 column 60: unexpected character); not touching it
  [2]
  $ benchlua compare --results deep.json
  benchlua: results file 'deep.json' is not valid JSON (line 1 column 1009: nested too deeply)
  [1]
  $ mkfifo fifo.json && mkdir dir.json
  $ benchlua results fifo.json
  benchlua: results file 'fifo.json' is not a regular file
  [1]
  $ benchlua compare --results dir.json
  benchlua: results file 'dir.json' is a directory
  [1]

One problem in common: a paired t-test and its interval need two, so there
are none (not a zero-width interval and p = 1); read from another directory,
the run directories are found beside the results file.

  $ benchlua compare 1 2 --results one.json
  compare: run 1 (human_eval, -) -> run 2 (human_eval, -)
    score     0.750 [-] -> 0.250 [-]
    delta     -0.500, 95% CI [-, -] (paired, 1 problem)
    test      none (one problem in both runs; a paired t-test needs two)
    flips     passed in 1 only (0): none
              passed in 2 only (0): none
    settings  the same
  $ mkdir sub && cd sub && benchlua compare 1 2 --results ../one.json --format json | python3 -c "import json, sys; d = json.load(sys.stdin); print(d['problems'], d['delta'], d['ci95'], 'p_value' in d)"
  1 -0.5 [] False

The report: "<!--" and "</script>" in the sample log keep the embedded JSON
valid (every "<" escaped), and numbers too large to chart stay out of the
charts (no "inf" in an SVG attribute).

  $ benchlua report one.json -o one.html > /dev/null
  $ python3 -c "
  > import json, re
  > blocks = re.findall(r'<script type=\"application/json\"[^>]*>(.*?)</script>', open('one.html').read(), re.S)
  > print(len(blocks), all('<' not in b for b in blocks), json.loads(blocks[1])['samples'][0][4])"
  3 True x = '</script><!--'
  $ benchlua report huge.json -o huge.html > /dev/null && grep -c '="[^"]*inf' huge.html
  0
  [1]
