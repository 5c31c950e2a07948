# humaneval_exec.py: benchlua's executor for HumanEval-style programs, the
# front end of zygote.py (the fork server, its clean-ups and the one framing)
# that lua/benchlua/codeexec.lua runs by default: one request is
#   {"op": "run", "timeout": SECONDS, "bytes": N} and N bytes of program
# and its answer {"result": VERDICT, "exc": NAME | null, "time": S, "detail":
# why there was no verdict}. With --once (the per-sample baseline): one
# request and exit, without the warm-up imports.
#
# The child does what openai/human-eval's execution.py does in its forked
# child (the same reliability_guard, applied once to the zygote; the same
# swallowed IO, the same SIGALRM time limit, exec in fresh globals at the same
# Python stack depth) and reports the verdict through the zygote's FIFO. The
# budget is timeout + 1 s after the fork, like the reference's join; a child
# that dies without a verdict gets "timed out", as in the reference.
import signal
import _signal
import json
import sys

import zygote as zy
from zygote import TimeoutException, WriteOnlyStringIO, call_at_depth, child_prelude, reliability_guard, _exit

# Python frames below the program's <module> frame in the reference's child
# (thread pool worker -> check_correctness -> Process.start -> fork -> ... ->
# unsafe_execute), so recursion depth limits hit at the same depth.
REF_EXEC_DEPTH = 14


def _alarm(signum, frame):
    raise TimeoutException("Timed out!")


# signal.signal is a Python wrapper around _signal.signal that converts its
# arguments and result to and from enums (for a function handler, an
# exception raised and caught inside enum: tens of objects, each a page the
# child copies). Before the program runs it is the zygote's own, so
# run_program makes the call it would make, without the conversions (the
# reference drops the result).
_c_signal = _signal.signal


def run_program(program, timeout):
    """unsafe_execute's try block. Returns (verdict, exception type name).
    swallow_io() and time_limit() are written out: the same assignments to
    sys.stdout, sys.stderr, sys.stdin (in that order, undone in reverse), the
    same timer and handler around the same exec (the timer first, and only
    the timer undone: human-eval @ 6d43fb98, which never restores the
    handler, so a program that replaces signal.signal passes there), without
    the context managers' objects (each one a page the child copies)."""
    try:
        exec_globals = {}
        stream = WriteOnlyStringIO()
        saved = sys.stdout, sys.stderr, sys.stdin
        sys.stdout = stream
        sys.stderr = stream
        sys.stdin = stream
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            _c_signal(signal.SIGALRM, _alarm)  # signal.signal(...): the program has not run yet
            try:
                exec(program, exec_globals)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)  # and the handler stays, as in the reference
        finally:
            sys.stdin = saved[2]
            sys.stderr = saved[1]
            sys.stdout = saved[0]
        return "passed", None
    except TimeoutException:
        return "timed out", "TimeoutException"
    except BaseException as e:
        return f"failed: {e}", type(e).__name__


def child(program, timeout, report, tmpdir):
    child_prelude(tmpdir)
    if isinstance(program, bytes):  # a framed request: the bytes benchlua sent
        program = program.decode("utf-8", "replace")
    if not zy.PARENT_GUARDED:
        reliability_guard()
    try:
        verdict, exc = call_at_depth(REF_EXEC_DEPTH, run_program, program, timeout)
    except BaseException:  # str(e) raised: the reference records nothing either
        _exit(1)
    data = verdict[:zy.MAX_VERDICT // 4].encode("utf-8", "surrogatepass")
    name = (exc or "").encode("utf-8", "replace")[:200]
    report(name, data)


def run_raw(z, program, timeout, reply=None):
    """One HumanEval program (str, or UTF-8 bytes) -> (verdict, exception
    name | None, seconds, why there is no verdict | None). With reply,
    reply(*that) is called as soon as it is known, before the clean-up
    (and the return)."""
    answer, out = None, []
    if reply is not None:
        def answer(msg, how, status, elapsed):
            out.append(verdict(msg, how, status, elapsed, timeout))
            reply(*out[0])
    msg, how, status, elapsed = z.fork_run(
        lambda report, tmpdir: child(program, timeout, report, tmpdir), timeout + 1, answer)
    return out[0] if out else verdict(msg, how, status, elapsed, timeout)


def verdict(msg, how, status, elapsed, timeout):
    if msg is not None:
        verdict = msg[0]
        if not verdict.isascii():
            try:
                verdict.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates: benchlua's JSON cannot carry them
                verdict = verdict.encode("utf-8", "backslashreplace").decode("utf-8")
        return verdict, msg[1], elapsed, None
    return "timed out", None, elapsed, zy.Zygote.no_report(how, timeout + 1, status)

_json_str = json.encoder.encode_basestring_ascii  # json.dumps's own string encoder (C)


def answer_line(verdict, exc, elapsed, detail):
    """The JSON line json.dumps would make of run()'s answer, without
    json.dumps: the zygote touches as few objects as possible per sample
    (after each fork, every page it writes costs it a page fault)."""
    line = '{"result": %s, "exc": %s, "time": %r' % (
        _json_str(verdict), "null" if exc is None else _json_str(exc), elapsed)
    if detail is not None:
        line += ', "detail": ' + _json_str(detail)
    return (line + "}\n").encode()


def main():
    once = "--once" in sys.argv
    if not once:
        zy.warm_up(lean=True)
    z = zy.Zygote(zy.PIDNS)
    zy.guard_parent(lazy=True)  # only HumanEval's children here: they all start guarded

    def run(req, payload):  # the answer goes out before the clean-up
        run_raw(z, payload or b"", float(req["timeout"]), lambda *a: zy.send_bytes(answer_line(*a)))

    zy.serve({"run": run})
    # Exit without the interpreter's finalization (a few ms, paid each time
    # a pool closes): every answer went out through os.write, and what the
    # zygote made lies in directories its caller removes.
    _exit(0)


if __name__ == "__main__":
    main()
