--resume without a server: a benchmark (slow.lua) that logs six samples, one
per problem, and with --stop-at N waits before problem N, so that kill -9
lands at a known point. Each kill leaves an orphan that the next command
records as interrupted.

  $ cat > slow.lua <<'LUA'
  > return { name = "slow", server = false,
  >   options = { { name = "stop-at", default = 0, identity = false, help = "wait before this problem" } },
  >   run = function(ctx)
  >     local done, passed = ctx.done_samples or {}, 0
  >     for i = 1, 6 do
  >       local id = "P/" .. i
  >       local rec = done[id .. "\0" .. "0"]
  >       if not rec then
  >         if i == ctx.opts.stop_at then bench.sleep(60) end
  >         rec = { task_id = id, sample = 0, passed = i % 2 == 0 }
  >         ctx.log_sample(rec)
  >       end
  >       if rec.passed then passed = passed + 1 end
  >     end
  >     return { score = passed / 6 }
  >   end }
  > LUA
  $ cat > killat.sh <<'SH'
  > # killat.sh N ARGS...: run slow.lua ARGS, kill -9 it once the newest run directory's log has N lines
  > n=$1; shift
  > benchlua slow.lua --quiet "$@" > /dev/null 2>&1 & pid=$!
  > for _ in $(seq 200); do
  >   d=$(ls -d benchlua-runs/*/ 2>/dev/null | tail -n 1)
  >   [ -n "$d" ] && [ "$(cat "$d/samples.jsonl" 2>/dev/null | wc -l)" -ge "$n" ] && break
  >   sleep 0.05
  > done
  > sleep 0.2; kill -9 $pid; wait $pid 2>/dev/null; true
  > SH

Killed at problem 3; resumed and killed again at problem 5; resumed to the
end. The second kill's orphan names the run it continued, so both
interrupted runs show as superseded and a further --resume finds nothing to do.

  $ bash killat.sh 2 --stop-at 3
  $ echo 'import json, sys; [print(r["run"], r["status"], r["score"]) for r in map(json.loads, sys.stdin)]' > show.py
  $ benchlua results --format jsonl 2> err | python3 show.py; cat err
  1 interrupted None
  benchlua: recorded an interrupted slow run from ./benchlua-runs/\S+ \(its benchlua was killed\) (re)
  $ sleep 1; bash killat.sh 4 --stop-at 5 --resume
  $ sleep 1; benchlua slow.lua --quiet --resume 2>&1
  benchlua: recorded an interrupted slow run from ./benchlua-runs/\S+ \(its benchlua was killed\) (re)
  benchlua: resuming run #2: 4 samples kept from ./benchlua-runs/\S+ (re)
  slow: score 0.500  \(\d+\.\ds\)  recorded in benchmark_results.json (re)
  $ benchlua results --format jsonl | python3 show.py
  1 superseded None
  2 superseded None
  3 ok 0.5
  $ benchlua slow.lua --quiet --resume
  benchlua: --resume: no interrupted or failed slow run in benchmark_results.json
  [2]
  $ wc -l < $(ls -d benchlua-runs/*/ | tail -n 1)/samples.jsonl
  6

`--resume N` continues run N (its number in `benchlua results --all`), any
interrupted or failed one, not only the latest; plain --resume also takes a
failed run. Each refusal is one line, exit 2.

  $ benchlua slow.lua --quiet --resume 3
  benchlua: --resume 3: run #3 is ok: there is nothing to continue
  [2]
  $ benchlua slow.lua --quiet --resume 1
  benchlua: --resume 1: run #1 was resumed already, by run #2
  [2]
  $ benchlua slow.lua --quiet --resume 9
  benchlua: --resume 9: no run 9 in benchmark_results.json (it has 3)
  [2]
  $ benchlua slow.lua --quiet --resume 0
  benchlua: --resume: a run number is 1 or more, got '0'
  [2]

Two interrupted runs with other settings: the earlier one is continued by
its number (the latest is the one plain --resume finds).

  $ rm -rf benchlua-runs benchmark_results.json
  $ cat > fail.lua <<'LUA'
  > return { name = "slow", server = false,
  >   options = { { name = "stop-at", default = 0, identity = false, help = "wait before this problem" },
  >               { name = "tag", default = "a", help = "a setting" },
  >               { name = "fail-at", default = 0, identity = false, help = "fail at this problem" } },
  >   run = function(ctx)
  >     local done, passed = ctx.done_samples or {}, 0
  >     for i = 1, 6 do
  >       local id = "P/" .. i
  >       local rec = done[id .. "\0" .. "0"]
  >       if not rec then
  >         if i == ctx.opts.stop_at then bench.sleep(60) end
  >         if i == ctx.opts.fail_at then error("the server went away", 0) end
  >         rec = { task_id = id, sample = 0, passed = i % 2 == 0 }
  >         ctx.log_sample(rec)
  >       end
  >       if rec.passed then passed = passed + 1 end
  >     end
  >     return { score = passed / 6 }
  >   end }
  > LUA
  $ sed -i 's/benchlua slow.lua/benchlua fail.lua/' killat.sh
  $ bash killat.sh 2 --stop-at 3 --tag a
  $ benchlua results > /dev/null 2>&1; bash killat.sh 3 --stop-at 4 --tag b
  $ benchlua fail.lua --quiet --tag a --resume 2>&1
  benchlua: recorded an interrupted slow run from ./benchlua-runs/\S+ \(its benchlua was killed\) (re)
  benchlua: --resume: run #2 (the latest interrupted slow run) had different settings: --tag b (now a)
  [2]
  $ benchlua fail.lua --quiet --tag a --resume 1 2>&1
  benchlua: resuming run #1: 2 samples kept from ./benchlua-runs/\S+ (re)
  slow: score 0.500  \(\d+\.\ds\)  recorded in benchmark_results.json (re)
  $ benchlua results --format jsonl | python3 show.py
  1 superseded None
  2 interrupted None
  3 ok 0.5

A failed run (an error at problem 5, 4 samples logged) is resumed by plain
--resume: the 4 are kept, the rest asked for.

  $ benchlua fail.lua --quiet --tag c --fail-at 5 2>&1 | head -n 1
  benchlua: run failed: the server went away
  [1]
  $ benchlua fail.lua --quiet --tag c --resume 2>&1
  benchlua: resuming run #4: 4 samples kept from ./benchlua-runs/\S+ (re)
  slow: score 0.500  \(\d+\.\ds\)  recorded in benchmark_results.json (re)
  $ benchlua results --all --format jsonl | python3 show.py | tail -n 2
  4 superseded None
  5 ok 0.5
