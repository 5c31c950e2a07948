#!/usr/bin/python3
"""CLI transcripts, in the style of cram/sysbench's tests/t: a .t file holds
commands ("  $ cmd", continued by "  > more") with their exact expected output
(two-space indented lines, "(re)" at the end for a regular expression) and
"[N]" for a non-zero exit status. Each command runs in bash with pipefail
(a pipeline's status is its first failing command's) in a fresh directory
shared by the file, with $BENCHLUA naming the binary, $SRC the repository,
and the binary's directory first on PATH. A command that expects no output
and status 0 is setup: it is not counted as a pass, only as a failure when
it prints something or fails. A prose line "Data: FILE..." says that the
commands after it (up to the next "Data:" line; "Data:" alone ends it) need
these files in $BENCHLUA_DATA (default ../shared/data): where one is missing,
each of their checks is a SKIP naming it.

usage: cram.py BENCHLUA FILE.t...   prints "PASS file:line cmd" / "FAIL ...".
"""
import os, re, subprocess, sys, tempfile

def parse(path):
    items, cmd, out, line_no, data, cmd_data = [], None, [], 0, [], []
    for i, raw in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        if raw.startswith("Data:"):
            data = raw[5:].split()
        if raw.startswith("  $ "):
            if cmd is not None:
                items.append((line_no, cmd, out, cmd_data))
            cmd, out, line_no, cmd_data = raw[4:], [], i, data
        elif raw.startswith("  > ") and cmd is not None and not out:
            cmd += "\n" + raw[4:]
        elif raw.startswith("  ") and cmd is not None:
            out.append(raw[2:])
        else:
            if cmd is not None:
                items.append((line_no, cmd, out, cmd_data))
            cmd, out = None, []
    if cmd is not None:
        items.append((line_no, cmd, out, cmd_data))
    return items

def matches(expected, actual):
    if expected.endswith(" (re)"):
        return re.fullmatch(expected[:-5], actual) is not None
    return expected == actual

def main():
    binary = os.path.abspath(sys.argv[1])
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    failed = 0
    data_dir = os.environ.get("BENCHLUA_DATA") or os.path.join(os.path.dirname(src), "shared", "data")
    for path in sys.argv[2:]:
        env = dict(os.environ, BENCHLUA=binary, SRC=src, BENCHLUA_DATA=data_dir,
                   PATH=os.path.dirname(binary) + ":" + os.environ.get("PATH", ""))
        with tempfile.TemporaryDirectory(prefix="benchlua-cram-") as d:
            for line_no, cmd, expected, needs in parse(path):
                missing = [f for f in needs if not os.path.exists(os.path.join(data_dir, f))]
                if missing:
                    if expected:
                        print("SKIP %s:%d %s: no data file %s in %s (set BENCHLUA_DATA)"
                              % (os.path.basename(path), line_no, cmd.split("\n")[0][:60], missing[0], data_dir))
                    continue
                p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=d, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
                actual = p.stdout.decode("utf-8", "replace").split("\n")
                if actual and actual[-1] == "":
                    actual.pop()
                if p.returncode != 0:
                    actual.append("[%d]" % p.returncode)
                ok = len(actual) == len(expected) and all(matches(e, a) for e, a in zip(expected, actual))
                name = "%s:%d %s" % (os.path.basename(path), line_no, cmd.split("\n")[0][:60])
                if ok and not expected:
                    pass  # setup, not a check
                elif ok:
                    print("PASS " + name)
                else:
                    failed += 1
                    print("FAIL " + name)
                    print("  expected:\n" + "".join("    | %s\n" % l for l in expected) +
                          "  actual:\n" + "".join("    | %s\n" % l for l in actual), end="")
    sys.exit(1 if failed else 0)

main()
