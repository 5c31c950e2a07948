Reading runs back: `benchlua results`, `benchlua compare`. Every run here is
made by benchlua itself: HumanEval samples files scored without a server
(one sample per problem, and four), a run against the real llama-server, a
script-mode run, a failed run; plus one run in an earlier version's shape.

Data: HumanEval.jsonl.gz

  $ cp "$BENCHLUA_DATA/HumanEval.jsonl.gz" he.jsonl.gz
  $ python3 "$SRC/tests/fixtures/results/make_samples.py" he.jsonl.gz
  $ for s in a b a4 b4; do benchlua human_eval --samples $s.jsonl --dataset he.jsonl.gz --limit 40 --quiet > /dev/null || echo "run $s failed"; done
  $ cp "$BENCHLUA_TEST_MODEL" tiny-Q8_0.gguf
  $ benchlua human_eval --model tiny-Q8_0.gguf --dataset he.jsonl.gz --limit 4 --max-tokens 8 --parallel 2 --ctx 2048 --quiet > /dev/null
  $ printf 'print("pass@1: 0.25")\n' > eval.py
  $ benchlua run --benchmark human_eval --script eval.py --model tiny-Q8_0.gguf --gpu-layers 0 --quiet
  human_eval: score 0.250  \(\d+\.\ds\)  recorded in benchmark_results.json (re)
  $ printf 'return { name = "boom", server = false, run = function() error("no luck", 0) end }\n' > boom.lua
  $ benchlua boom.lua --quiet 2> /dev/null
  [1]
  $ python3 -c "
  > import json; d = json.load(open('benchmark_results.json'))
  > d['runs'].append({'timestamp': '2025-01-02T03:04:05Z', 'benchmark': 'human_eval', 'model': 'old-q4_k_m.gguf',
  >   'config': {'path': '/m/old-q4_k_m.gguf', 'gpu_layers': 80}, 'results': {'score': 0.61, 'time_taken': 3725.0}})
  > json.dump(d, open('benchmark_results.json', 'w'))"

The table: runs numbered from 1 in file order, the settings that differ
between the runs shown, the score with its 95% interval, tokens/s, duration.

  $ benchlua results --benchmark human_eval --last 5 | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5}/YYYY-MM-DD hh:mm/'
  #  date              benchmark   model            score       95% CI\s+tok/s  status\s+time  quant   size     params  ngl   ctx  np  conc  mode        chat   n  temp  top_p  max_tok  seed  build (re)
  3  YYYY-MM-DD hh:mm  human_eval  -                0.519  0.393-0.645\s+-  ok\s+\d+\.\ds  -       -        -         -     -   -     -  -           false  1     -   0.95      768  1234  - (re)
  4  YYYY-MM-DD hh:mm  human_eval  -                0.625  0.504-0.746\s+-  ok\s+\d+\.\ds  -       -        -         -     -   -     -  -           false  1     -   0.95      768  1234  - (re)
  5  YYYY-MM-DD hh:mm  human_eval  tiny-Q8_0.gguf   0.000  0.000-0.490\s+\d+\.\d  ok\s+\d+\.\ds  Q8_0    551.7kB  137.9k    -  2048   2     2  completion  false  1     0   0.95        8  1234  b11669-Debian (re)
  6  YYYY-MM-DD hh:mm  human_eval  tiny-Q8_0.gguf   0.250            -\s+-  ok\s+\d+\.\ds  Q8_0    551.7kB  137.9k    0     -   -     4  -           -      -     -      -        -  1234  b11669-Debian (re)
  8  YYYY-MM-DD hh:mm  human_eval  old-q4_k_m.gguf  0.610            -\s+-  ok\s+1h02m  Q4_K_M  -        -        80     -   -     -  -           -      -     -      -        -     -  - (re)

With --wide, the dataset, its digest and the benchmark's own options too;
failed and superseded runs only with --all (or --status).

  $ benchlua results --benchmark human_eval --wide | head -n 1 | tr -s ' ' '\n' | grep -n -x -e dataset -e dataset_sha -e samples -e script -e limit
  25:limit
  27:dataset
  28:dataset_sha
  30:samples
  32:script
  $ benchlua results --benchmark human_eval | head -n 1 | tr -s ' ' '\n' | grep -c -x -e dataset -e dataset_sha -e samples -e script -e limit
  0
  [1]
  $ benchlua results | cut -d ' ' -f 1 | tr '\n' ' '
  # 1 2 3 4 5 6 8 
  $ benchlua results --all | cut -d ' ' -f 1 | tr '\n' ' '
  # 1 2 3 4 5 6 7 8 
  $ benchlua results --model '*q4*' --format csv
  run,timestamp,benchmark,model,quant,model_size,n_params,score,ci95_lo,ci95_hi,tokens_per_s,duration_s,status
  8,2025-01-02T03:04:05Z,human_eval,old-q4_k_m.gguf,Q4_K_M,,,0.61,,,,3725,ok
  $ benchlua results --status failed --format csv | cut -d, -f1,3-10,13
  run,benchmark,model,quant,model_size,n_params,score,ci95_lo,ci95_hi,status
  7,boom,-,,,,,,,failed
  $ benchlua results --benchmark human_eval --last 2 --format md | sed -E 's/2026-[0-9]{2}-[0-9]{2} [0-9:]{5}/YYYY-MM-DD hh:mm/'
  | # | date | benchmark | model | score | 95% CI | tok/s | status | time | quant | size | params | ngl | conc | seed | build |
  | ---: | --- | --- | --- | ---: | ---: | ---: | --- | ---: | --- | --- | --- | ---: | ---: | ---: | --- |
  \| 6 \| YYYY-MM-DD hh:mm \| human_eval \| tiny-Q8_0.gguf \| 0.250 \| - \| - \| ok \| \d+\.\ds \| Q8_0 \| 551.7kB \| 137.9k \| 0 \| 4 \| 1234 \| b11669-Debian \| (re)
  | 8 | 2025-01-02 03:04 | human_eval | old-q4_k_m.gguf | 0.610 | - | - | ok | 1h02m | Q4_K_M | - | - | 80 | - | - | - |
  $ benchlua results --benchmark human_eval --last 3 --format csv | cut -d, -f1,3-27,31
  run,benchmark,model,quant,model_size,n_params,ngl,ctx,np,conc,mode,chat,n,temp,top_p,max_tok,seed,limit,build,dataset,dataset_sha,exec_timeout,sandbox,script,score,ci95_lo,status
  5,human_eval,tiny-Q8_0.gguf,Q8_0,551680,137920,,2048,2,2,completion,false,1,0,0.95,8,1234,4,b11669-Debian,he.jsonl.gz,1d49078ba3e2,3,auto,,0,0,ok
  6,human_eval,tiny-Q8_0.gguf,Q8_0,551680,137920,0,,,4,,,,,,,1234,,b11669-Debian,,,,auto,eval.py,0.25,,ok
  8,human_eval,old-q4_k_m.gguf,Q4_K_M,,,80,,,,,,,,,,,,,,,,,,0.61,,ok
  $ benchlua results --last 1 --format json
  [
    {
      "benchmark": "human_eval",
      "ci95": null,
      "ci_method": null,
      "duration_s": 3725,
      "model": "old-q4_k_m.gguf",
      "model_size": null,
      "n_params": null,
      "quant": "Q4_K_M",
      "run": 8,
      "score": 0.61,
      "settings": {
        "ngl": 80
      },
      "status": "ok",
      "timestamp": "2025-01-02T03:04:05Z",
      "tokens_per_s": null
    }
  ]
  $ benchlua results --format jsonl --benchmark human_eval | python3 -c "import sys, json; [print(r['run'], r['status'], r['score'], r['ci95'], r['settings'].get('samples')) for r in map(json.loads, sys.stdin)]"
  1 ok 0.5 [0.3519952693346538, 0.6480047306653463] a.jsonl
  2 ok 0.85 [0.709276756335103, 0.9293881228267964] b.jsonl
  3 ok 0.51875 [0.3928027107214981, 0.644697289278502] a4.jsonl
  4 ok 0.625 [0.5035413388671379, 0.7464586611328621] b4.jsonl
  5 ok 0 [0, 0.4898908364545973] None
  6 ok 0.25 None None
  8 ok 0.61 None None

The intervals and the paired tests, against values computed independently
(Python's math and fractions, from the sample logs).

  $ python3 "$SRC/tests/cli/stats_check.py" benchmark_results.json 1 2
  ok   run 1 interval: Wilson 20/40 [0.351995, 0.648005], benchlua [0.351995, 0.648005]
  ok   run 2 interval: Wilson 34/40 [0.709277, 0.929388], benchlua [0.709277, 0.929388]
  ok   flips: 3 passed in 1 only, 17 in 2 only
  ok   delta interval: +0.350000 [+0.150999, +0.549001], benchlua +0.350000 [+0.150999, +0.549001]
  ok   McNemar: b=3 c=17 exact p=1351/524288=0.0025768280, benchlua exact McNemar p=0.0025768280
  $ python3 "$SRC/tests/cli/stats_check.py" benchmark_results.json 3 4
  ok   run 3 interval: t interval over 40 problems [0.392803, 0.644697], benchlua [0.392803, 0.644697]
  ok   run 4 interval: t interval over 40 problems [0.503541, 0.746459], benchlua [0.503541, 0.746459]
  ok   flips: 6 passed in 3 only, 10 in 4 only
  ok   delta interval: +0.106250 [-0.082684, +0.295184], benchlua +0.106250 [-0.082684, +0.295184]
  ok   paired t-test: t=1.137489 df=39 p=0.26227426, benchlua paired t-test over problems p=0.26227426

`compare A B`: the difference, its interval, the test, the flips, the settings.

  $ benchlua compare 1 2
  compare: run 1 (human_eval, -) -> run 2 (human_eval, -)
    score     0.500 [0.352-0.648] -> 0.850 [0.709-0.929]
    delta     +0.350, 95% CI [+0.151, +0.549] (paired, 40 problems)
    test      exact McNemar: p = 0.0026
    verdict   run 2 is better than run 1 (+0.350, significant at the 5% level)
    flips     passed in 1 only (3): HumanEval/21, HumanEval/35, HumanEval/7
              passed in 2 only (17): HumanEval/10, HumanEval/12, HumanEval/16, HumanEval/18, HumanEval/2, HumanEval/20, HumanEval/22, HumanEval/24, HumanEval/26, HumanEval/30, ... (7 more)
    settings  samples: a.jsonl -> b.jsonl
  $ benchlua compare 3 4 --format json
  {
    "a": 3,
    "b": 4,
    "benchmark_a": "human_eval",
    "benchmark_b": "human_eval",
    "better": null,
    "ci95": [
      -0.08268449014468589,
      0.2951844901446859
    ],
    "comparable": true,
    "delta": 0.10625,
    "differences": {
      "samples": [
        "a4.jsonl",
        "b4.jsonl"
      ]
    },
    "flips": {
      "passed_in_a_only": [
        "HumanEval/16",
        "HumanEval/20",
        "HumanEval/28",
        "HumanEval/32",
        "HumanEval/4",
        "HumanEval/8"
      ],
      "passed_in_b_only": [
        "HumanEval/15",
        "HumanEval/18",
        "HumanEval/21",
        "HumanEval/27",
        "HumanEval/3",
        "HumanEval/30",
        "HumanEval/33",
        "HumanEval/39",
        "HumanEval/6",
        "HumanEval/9"
      ]
    },
    "model_a": "-",
    "model_b": "-",
    "not_comparable": [],
    "only_in_a": 0,
    "only_in_b": 0,
    "p_value": 0.262274261951422,
    "problems": 40,
    "score_a": 0.51875,
    "score_a_ci95": [
      0.3928027107214981,
      0.644697289278502
    ],
    "score_b": 0.625,
    "score_b_ci95": [
      0.5035413388671379,
      0.7464586611328621
    ],
    "significant": false,
    "test": "paired t-test over problems"
  }
  $ benchlua compare
  compare: run 6 (human_eval, tiny-Q8_0.gguf) -> run 8 (human_eval, old-q4_k_m.gguf)
    score     0.250 [-] -> 0.610 [-]
    delta     +0.360, 95% CI [-, -]
    test      none (no per-problem data in the runs' sample logs)
    settings  build: b11669-Debian -> null
              conc: 4 -> null
              model: tiny-Q8_0.gguf -> old-q4_k_m.gguf
              ngl: 0 -> 80
              sandbox: auto -> null
              script: eval.py -> null
              seed: 1234 -> null
  $ benchlua compare 5 6
  compare: run 5 (human_eval, tiny-Q8_0.gguf) -> run 6 (human_eval, tiny-Q8_0.gguf)
    NOT COMPARABLE: different sampling (max_tokens 8, null; mode completion, null; n 1, null; stop differs; temperature 0, null; top_p 0.95, null)
    score     0.000 [0.000-0.490] -> 0.250 [-]
    delta     +0.250, 95% CI [-, -]
    test      none (no per-problem data in the runs' sample logs)
    settings  chat: false -> null
              conc: 2 -> 4
              ctx: 2048 -> null
              dataset: he.jsonl.gz -> null
              dataset_sha: 1d49078ba3e2 -> null
              exec_timeout: 3 -> null
              limit: 4 -> null
              max_tok: 8 -> null
              mode: completion -> null
              n: 1 -> null
              ngl: null -> 0
              np: 2 -> null
              script: null -> eval.py
              temp: 0 -> null
              top_p: 0.95 -> null
  [1]

A negative run number counts from the end.

  $ benchlua compare -4 -3 | head -1
  compare: run 5 (human_eval, tiny-Q8_0.gguf) -> run 6 (human_eval, tiny-Q8_0.gguf)
  [1]
  $ benchlua compare -99 1
  benchlua: compare: no run -99 (the file has 8)
  [2]
  $ benchlua results -x
  benchlua: unknown option '-x' (options start with --)
  [2]

Errors: one line, exit 2 for usage, 1 for a file that cannot be used.

  $ benchlua results nosuch.json
  benchlua: no results file 'nosuch.json' (run a benchmark first, or give --results FILE)
  [1]
  $ benchlua results --format xml
  benchlua: --format must be one of table, md, csv, json, jsonl, got 'xml'
  [2]
  $ benchlua results --last 2 --last 3
  benchlua: option '--last' given twice; it takes one value
  [2]
  $ benchlua results nosuch.json benchmark_results.json
  benchlua: no results file 'nosuch.json' (run a benchmark first, or give --results FILE)
  [1]

Several files are read in order, their runs numbered on, each with its file.

  $ python3 -c "
  > import json; d = json.load(open('benchmark_results.json')); d['runs'] = d['runs'][-1:]
  > json.dump(d, open('other.json', 'w'))"
  $ benchlua results benchmark_results.json other.json --format csv | cut -d, -f1,3,4 | tail -n 3
  7,boom,-
  8,human_eval,old-q4_k_m.gguf
  9,human_eval,old-q4_k_m.gguf
  $ benchlua results benchmark_results.json other.json --last 2 | cut -c 1-27
  #  file                    
  8  benchmark_results.json  
  9  other.json              
  $ benchlua report benchmark_results.json other.json -o two.html
  report: 9 runs from benchmark_results.json, other.json written to two.html \(\d+ KB\) (re)
  $ benchlua compare 1
  benchlua: compare: give two run numbers (A B), or none for the last two runs of a benchmark
  [2]
  $ benchlua compare 1 99
  benchlua: compare: no run 99 (the file has 8)
  [2]
  $ echo '{"runs": {}}' > bad.json
  $ benchlua results bad.json
  benchlua: results file 'bad.json' is not a benchlua results file (no "runs" list)
  [1]
  $ benchlua throughput --model a.gguf --model b.gguf
  benchlua: option '--model' given twice; it takes one value
  [2]

`report`: one HTML file (checked in Chromium by tests/e2e/test_report.sh).

  $ benchlua report -o out.html
  report: 8 runs from benchmark_results.json written to out.html \(\d+ KB\) (re)
  $ grep -c '<svg class="chart' out.html; grep -Eo '(src|href)="[^"#][^"]*"' out.html
  3
  href="data:,"
  $ benchlua report benchmark_results.json --output /nonexistent/r.html
  benchlua: cannot create '/nonexistent/r.html.tmp.\d+': No such file or directory (re)
  [1]
  $ benchlua report a.json b.json
  benchlua: no results file 'a.json' (run a benchmark first, or give --results FILE)
  [1]
