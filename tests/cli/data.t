Data ahead of time: `benchlua fetch` puts every dataset a benchmark uses in
the cache (digest-checked) and says where; $BENCHLUA_DATA names a directory of
data files by their published names (for machines without the network); a
dataset of the wrong kind says which benchmark it looks like.

  $ benchlua fetch nosuch
  benchlua: fetch: no benchmark named 'nosuch' \(looked in .*\) (re)
  [2]
  $ benchlua fetch --bogus
  benchlua: fetch: unknown option '--bogus'
  [2]

Data: HumanEval.jsonl.gz mbpp.jsonl sanitized-mbpp.json gsm8k_test.jsonl gpqa_diamond.csv.gz

  $ mkdir data cache; cp "$BENCHLUA_DATA/HumanEval.jsonl.gz" "$BENCHLUA_DATA/mbpp.jsonl" data/
  $ printf 'export XDG_CACHE_HOME="%s/cache" https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1\n' "$PWD" > offline
  $ . ./offline; BENCHLUA_DATA="$PWD/data" benchlua fetch human_eval mbpp 2>&1 | sed "s|$PWD|.|g"
  human_eval: HumanEval.jsonl.gz  ./data/HumanEval.jsonl.gz (in BENCHLUA_DATA)
  mbpp: mbpp.jsonl  ./data/mbpp.jsonl (in BENCHLUA_DATA)
  benchlua: fetch: mbpp: cannot fetch https://\S+/sanitized-mbpp.json \(.*\); download it yourself and pass --dataset PATH (re)
  fetch: 2 files ready, 1 could not be fetched (offline? put them in a directory named by BENCHLUA_DATA)
  [1]

A file in the cache with its pinned digest is used as it is; one that is not
the pinned file is fetched again (here: refused, no network).

  $ mkdir -p cache/benchlua; cp "$BENCHLUA_DATA/sanitized-mbpp.json" cache/benchlua/
  $ . ./offline; BENCHLUA_DATA="$PWD/data" benchlua fetch mbpp | sed "s|$PWD|.|g"
  mbpp: mbpp.jsonl  ./data/mbpp.jsonl (in BENCHLUA_DATA)
  mbpp: sanitized-mbpp.json  ./cache/benchlua/sanitized-mbpp.json (cached)
  fetch: 2 files ready

A dataset with no public download (GPQA Diamond, MMLU-Pro, AIME 2025) is said
so, one line each, and counted as not fetched; a copy in $BENCHLUA_DATA or the
cache is used as it is.

  $ . ./offline; BENCHLUA_DATA="$PWD/data" benchlua fetch gpqa_diamond mmlu_pro 2>&1 | sed "s|$PWD|.|g"
  benchlua: fetch: gpqa_diamond: no public download for gpqa_diamond.csv.gz: put it in $BENCHLUA_DATA or pass --dataset
  benchlua: fetch: mmlu_pro: no public download for mmlu_pro_test.jsonl.gz: put it in $BENCHLUA_DATA or pass --dataset
  fetch: 0 files ready, 2 could not be fetched (offline? put them in a directory named by BENCHLUA_DATA)
  [1]
  $ cp "$BENCHLUA_DATA/gpqa_diamond.csv.gz" data/
  $ . ./offline; BENCHLUA_DATA="$PWD/data" benchlua fetch gpqa_diamond | sed "s|$PWD|.|g"
  gpqa_diamond: gpqa_diamond.csv.gz  ./data/gpqa_diamond.csv.gz (in BENCHLUA_DATA)
  fetch: 1 file ready

Without --dataset, a run takes its file from $BENCHLUA_DATA; a file there that
is not the pinned one is refused in one line, naming it, before anything
starts (exit 2, nothing recorded).

  $ printf '{"task_id": "HumanEval/0", "completion": "    return 1\\n"}\n' > s.jsonl
  $ . ./offline; BENCHLUA_DATA="$PWD/data" benchlua human_eval --samples s.jsonl --limit 1 --quiet --results r.json > /dev/null
  $ python3 -c "import json; print(json.load(open('r.json'))['runs'][-1]['config']['dataset'].replace('$PWD', '.'))"
  ./data/HumanEval.jsonl.gz
  $ printf 'not the file\n' > data/mbpp.jsonl
  $ . ./offline; BENCHLUA_DATA="$PWD/data" benchlua mbpp --samples s.jsonl --quiet --results r.json 2>&1 | head -n 1 | sed "s|$PWD|.|g"
  benchlua: ./data/mbpp.jsonl is not the pinned file \(sha256 \w+, expected ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f\): remove it from BENCHLUA_DATA, or pass it with --dataset PATH to use it anyway (re)
  [2]

A dataset of another benchmark's kind is named as such.

  $ benchlua human_eval --samples s.jsonl --dataset "$BENCHLUA_DATA/gsm8k_test.jsonl" --quiet --results r.json 2>&1 | head -n 1 | sed "s|$BENCHLUA_DATA|DATA|g"
  benchlua: DATA/gsm8k_test.jsonl:1: field 'task_id' is missing or not a string; it looks like gsm8k's data (benchlua gsm8k --dataset DATA/gsm8k_test.jsonl)
  [2]
  $ benchlua mbpp --samples s.jsonl --dataset "$BENCHLUA_DATA/sanitized-mbpp.json" --quiet --results r.json 2>&1 | head -n 1 | sed "s|$BENCHLUA_DATA|DATA|g"
  benchlua: DATA/sanitized-mbpp.json:1: not valid JSON \(.*\); it looks like mbpp --sanitized's data \(benchlua mbpp --sanitized --dataset DATA/sanitized-mbpp.json\) (re)
  [2]
