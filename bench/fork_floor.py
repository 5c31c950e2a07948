# bench/fork_floor.py: the floor for running many small Python programs, a
# process per program: one warm Python per CPU (the modules HumanEval programs
# use imported, gc.freeze()) that forks once per program and runs it in the
# child (stdout/stderr to /dev/null, exec in fresh globals, exit status = passed).
# No sandbox, no time limit, no verdict text: what any process-per-program
# harness must pay at least. Used by bench/humaneval_score.lua.
#
#   python3 bench/fork_floor.py WORKERS < programs.json   # a JSON list of strings
# prints {"wall": S, "passed": N} (wall from before the workers start).
import json
import os
import sys
import time


def warm():
    import collections, copy, functools, hashlib, heapq, itertools, math, random, re, string, typing  # noqa
    import bisect, decimal, fractions, statistics, threading  # noqa
    import gc
    gc.collect()
    gc.freeze()


def worker(progs, rfd, wfd):
    warm()
    passed = 0
    while True:
        rec = os.read(rfd, 4)
        if len(rec) < 4:
            break
        i = int.from_bytes(rec, "little")
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(null, 2)
            try:
                exec(progs[i], {})
            except BaseException:
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        passed += os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    os.write(wfd, passed.to_bytes(4, "little"))
    os._exit(0)


def main():
    workers = int(sys.argv[1])
    progs = json.load(sys.stdin)
    t0 = time.monotonic()
    qr, qw = os.pipe()
    rr, rw = os.pipe()
    for i in range(len(progs)):
        os.write(qw, i.to_bytes(4, "little"))
    os.close(qw)
    pids = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            os.close(rr)
            worker(progs, qr, rw)
        pids.append(pid)
    os.close(rw)
    passed = 0
    for pid in pids:
        os.waitpid(pid, 0)
    while True:
        rec = os.read(rr, 4)
        if len(rec) < 4:
            break
        passed += int.from_bytes(rec, "little")
    print(json.dumps({"wall": time.monotonic() - t0, "passed": passed}))


if __name__ == "__main__":
    main()
