# evalplus_exec.py: benchlua's executor for HumanEval+ and MBPP+ with evalplus's
# verdicts, the front end of zygote.py (killing a child's whole tree, wiping
# the per-sample directories, the one framing) that lua/benchlua/evalplus.lua
# runs through codeexec's pool, normally inside the namespace sandbox.
#
# Requests ("op"; "bytes": N raw bytes follow when it says so):
#   {"op": "truth", "dataset": "humaneval"|"mbpp", "bytes": N} + a dataset line
#       -> {"chunk": BASE64} ... {"done": true, "size": N} | {"error": ...}
#     The canonical solution is run on every input (deep-copied, timed) as
#     evalplus's ground truth is; the reply is the task's "truth blob" (inputs
#     as the candidate gets them, expected outputs, canonical times), zlib'd
#     marshal, which benchlua caches and hands back with "eval".
#   {"op": "eval", "key": K, "solution": S, "sets": ["base", "plus"],
#    "min_time_limit": 4, "gt_factor": 4, "cap": 60, "bytes": N (the blob of K,
#    when this executor does not hold it)}
#       -> {"base": {"status": "pass"|"fail"|"timeout", "progress": n,
#           "fail_input": JSON TEXT | null, "time": S}, "plus": {...}}
#     Each set runs in its own child, all its inputs in order, as evalplus's
#     untrusted_check does: its guard (open and exit disabled, 4 GiB), module
#     code run once with no time limit, a per-input alarm of max(min_time_limit,
#     gt_factor x canonical time), the process deadline min(cap, sum) + 2 s,
#     its comparison (exact, special oracles, the atol rule) and its
#     first-failure stop. "fail_input" is the input evalplus names in
#     *_fail_tests (the last one it got to), as it writes it.
#   {"op": "md5", "bytes": N} + bytes -> {"md5": HEX}
#   {"op": "sanitize", "code": TEXT, "entry_point": NAME}
#       -> {"code": TEXT}: evalplus's sanitizer (code_extract, then the kept
#     top-level definitions), written on Python's ast instead of tree-sitter.
import ast
import base64
import copy
import gc
import hashlib
import json
import marshal
import mmap
import os
import pickle
import re
import select
import signal
import struct
import tempfile
import time
import zlib

import zygote as zy

# Frames below the candidate's calls, so the recursion limit falls where it
# does in evalplus's child: a recursion 966 deep passes and 967 fails in both
# (Python 3.11; the recursion samples of tests/fixtures/evalplus).
REF_CALL_DEPTH = 32
CHUNK = 1 << 20

# ---- evalplus's data conventions (facts from evalplus/data/mbpp.py and
# evalplus/eval/_special_oracle.py, restated) ----

# MBPP+ inputs are stored as JSON; these tasks get tuples, sets and complex
# numbers back before a call. The shape of each conversion, by task number:
MBPP_ARGS_TUPLES = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579,
                    596, 616, 630, 726, 740, 744, 809}          # every argument -> tuple
MBPP_NESTED_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
MBPP_FIRST_NESTED = {75, 413, 444, 753}                         # arg 0's items -> tuples
MBPP_SECOND_TUPLE = {106, 750}                                  # arg 1 -> tuple
MBPP_FIRST_TUPLE = {250, 405, 446, 617, 720, 763, 808}          # arg 0 -> tuple
MBPP_NESTED_THEN_ARGS = {259, 401, 445}
MBPP_ALL_TUPLES = {580, 615, 791}                               # every list, deeply

NOT_NONE_TASKS = {"check_str", "text_match_three", "text_starta_endb"}
SET_EQ_TASKS = {"similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
                "larg_nnum", "intersection_array", "find_dissimilar", "Diff"}


def _deep_tuple(x):
    return tuple(_deep_tuple(i) for i in x) if isinstance(x, list) else x


def mbpp_inputs(num, inputs):
    """The inputs as evalplus hands them to the MBPP+ task number num."""
    if num in MBPP_ARGS_TUPLES:
        return [[tuple(a) for a in inp] for inp in inputs]
    if num in MBPP_NESTED_TUPLES:
        return [[[tuple(x) for x in a] for a in inp] for inp in inputs]
    if num in MBPP_FIRST_NESTED:
        return [[[tuple(x) for x in inp[0]]] + [inp[1]] for inp in inputs]
    if num in MBPP_SECOND_TUPLE:
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if num == 115:
        return [[[set(x) if isinstance(x, list) and len(x) else {} for x in inp[0]]] for inp in inputs]
    if num == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if num in MBPP_FIRST_TUPLE:
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if num in MBPP_NESTED_THEN_ARGS:
        return [[tuple(tuple(x) for x in a) for a in inp] for inp in inputs]
    if num == 278:
        return [[tuple(tuple(x) if isinstance(x, list) else x for x in inp[0])] for inp in inputs]
    if num == 307:
        return [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]
    if num == 722:
        return [[{k: tuple(v) for k, v in inp[0].items()}] + inp[1:] for inp in inputs]
    if num == 252:
        return [[complex(inp[0])] for inp in inputs]
    if num in MBPP_ALL_TUPLES:
        return [_deep_tuple(inp) for inp in inputs]
    return inputs


def mbpp_fail_input(num, inp):
    """A failing input as evalplus writes it in *_fail_tests (three tasks
    turn theirs back into JSON-able values)."""
    if num == 115:
        return [[list(x) for x in inp[0]]]
    if num == 124:
        return (str(inp[0]), str(inp[1]))
    if num == 252:
        return [str(inp[0])]
    return inp


def _surface_area(base_edge, height):  # Mbpp/581's oracle: evalplus's formula
    import math
    slant = math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant) / 2)


def _digit_distance(a, b):  # Mbpp/558's oracle: digits compared after zero-padding
    sa, sb = str(a), str(b)
    width = max(len(sa), len(sb))
    return sum(abs(int(x) - int(y)) for x, y in zip(sa.zfill(width), sb.zfill(width)))


def _poly(xs, x):  # HumanEval/32's oracle
    import math
    return sum([c * math.pow(x, i) for i, c in enumerate(xs)])


# ---- the ground truth ----

def truth_blob(dataset, line):
    """Run the canonical solution on every input; -> (zlib'd marshal blob, md5 of the line)."""
    task = json.loads(line)
    tid, ep = task["task_id"], task["entry_point"]
    base, plus = task["base_input"], task["plus_input"]
    if dataset == "mbpp":
        num = int(tid.split("/")[-1])
        base, plus = mbpp_inputs(num, base), mbpp_inputs(num, plus)
    g = {}
    exec(task["prompt"] + task["canonical_solution"], g)
    fn = g[ep]
    out = {}
    for name, inputs in (("base", base), ("plus", plus)):
        res, times = [], []
        for inp in inputs:
            arg = copy.deepcopy(inp)
            t0 = time.time()
            res.append(fn(*arg))
            times.append(time.time() - t0)
        if dataset == "mbpp" and ep in NOT_NONE_TASKS:
            res = [r is not None for r in res]
        out[name], out[name + "_time"] = res, times
    blob = {"task_id": tid, "entry_point": ep, "atol": task["atol"], "dataset": dataset,
            "base_input": base, "plus_input": plus}
    blob.update(out)
    try:
        data = b"M" + marshal.dumps(blob)
    except ValueError:  # an output marshal cannot carry
        data = b"P" + pickle.dumps(blob, protocol=4)
    return zlib.compress(data, 6)


def load_blob(data):
    raw = zlib.decompress(data)
    return marshal.loads(raw[1:]) if raw[:1] == b"M" else pickle.loads(raw[1:])


def fork_collect(work):
    """Run work() -> bytes in a child (a trusted canonical solution may print
    or change global state); -> bytes | raise RuntimeError."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(r)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(null, 2)
            try:
                data = b"+" + work()
            except BaseException as e:
                data = b"-" + ("%s: %s" % (type(e).__name__, e)).encode("utf-8", "replace")
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        except BaseException:
            code = 1
        os._exit(code)
    os.close(w)
    parts = []
    while True:
        chunk = os.read(r, 1 << 20)
        if not chunk:
            break
        parts.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    data = b"".join(parts)
    if data[:1] != b"+":
        raise zy.Refused(data[1:].decode("utf-8", "replace") or "the child died")
    return data[1:]


# ---- one set of inputs, judged as evalplus's unsafe_execute does ----

SUCCESS, FAILED, UNKNOWN = 0, 1, 3


def is_floats(x):
    import numpy as np
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    if isinstance(x, np.ndarray):
        return x.dtype == np.float64 or x.dtype == np.float32
    return False


def guard():
    """evalplus's reliability_guard: humaneval's, plus its memory limit and open."""
    import builtins
    import resource
    limit = min(4 << 30, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    for what in (resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_STACK):
        try:
            resource.setrlimit(what, (limit, limit))
        except (ValueError, OSError):  # the sandbox's own limit is lower
            pass
    zy.reliability_guard()
    builtins.open = None


def judge(shm, dataset, entry_point, code, inputs, expected, limits, atol):
    """The child's work: stat, progress and per-input results go to shm, as
    evalplus's shared Value/Array do, so a killed child leaves them."""
    import numpy as np
    exec_globals = {}
    try:
        with zy.swallow_io():
            exec(code, exec_globals)
            fn = exec_globals[entry_point]
        for i, inp in enumerate(inputs):
            try:
                with time_limit(limits[i]):
                    with zy.swallow_io():
                        out = fn(*inp)
                exp = expected[i]
                exact = out == exp
                if dataset == "mbpp":
                    if entry_point == "are_equivalent":
                        exact = exact or True
                    elif entry_point == "sum_div":
                        exact = exact or out == 0
                    elif entry_point == "surface_Area":
                        exact = exact or abs(out - _surface_area(*inp)) <= atol
                    elif entry_point == "digit_distance_nums":
                        exact = exact or out == _digit_distance(*inp)
                    elif entry_point in SET_EQ_TASKS:
                        exact = set(out) == set(exp)
                    elif entry_point in NOT_NONE_TASKS:
                        exact = out == exp if isinstance(out, bool) else exp == (out is not None)
                if dataset == "humaneval" and entry_point == "find_zero":
                    assert abs(_poly(*inp, out)) <= atol
                    shm_mark(shm, i, True)
                    continue
                if atol == 0 and is_floats(exp):
                    atol = 1e-6  # from here on, for every later input too (as evalplus)
                if not exact and atol != 0:
                    assert type(out) == type(exp)
                    if isinstance(exp, (list, tuple)):
                        assert len(out) == len(exp)
                    assert np.allclose(out, exp, rtol=1e-07, atol=atol)
                else:
                    assert exact
            except BaseException:
                shm_mark(shm, i, False)
                raise
            shm_mark(shm, i, True)
        shm[0] = SUCCESS
    except BaseException:
        shm[0] = FAILED


class TimeoutException(Exception):
    pass


class time_limit:
    """evalplus's alarm: the timer first, then the handler (left installed)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        def handler(signum, frame):
            raise TimeoutException("Timed out!")
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        signal.signal(signal.SIGALRM, handler)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return False


HEADER = 8  # stat (1 byte), pad, progress (uint32 at 4)


def shm_mark(shm, i, ok):
    shm[HEADER + i] = 1 if ok else 0
    n = struct.unpack_from("<I", shm, 4)[0]
    struct.pack_into("<I", shm, 4, n + 1)


def wait_child(pid, deadline):
    """Wait for the child to end, or the deadline; -> True if it ended."""
    try:
        pfd = os.pidfd_open(pid)
    except OSError:
        pfd = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if pfd is not None:
                if select.select([pfd], [], [], left)[0]:
                    return True
            else:
                p, _ = os.waitpid(pid, os.WNOHANG)
                if p:
                    return True
                time.sleep(min(left, 0.005))
    finally:
        if pfd is not None:
            os.close(pfd)


class Executor:
    def __init__(self, pidns):
        self.z = zy.Zygote(pidns)
        self.key, self.blob, self.fail_cache = None, None, {}

    def run_set(self, req, which):
        b = self.blob
        inputs, expected, ref = b[which + "_input"], b[which], b[which + "_time"]
        limits = [max(req["min_time_limit"], req["gt_factor"] * t) for t in ref]
        budget = min(req["cap"], sum(limits)) + 1  # evalplus's `timeout` (fast check)
        shm = mmap.mmap(-1, HEADER + max(1, len(inputs)))
        shm[0] = UNKNOWN
        tmpdir = tempfile.mkdtemp()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                os.close(self.z.rfd)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.close(null)
                os.chdir(tmpdir)
                guard()
                zy.call_at_depth(REF_CALL_DEPTH - 1, judge, shm, b["dataset"], b["entry_point"],
                                 req["solution"], inputs, expected, limits, b["atol"])
            finally:
                os._exit(0)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        ended = wait_child(pid, t0 + budget + 1)  # p.join(timeout + 1)
        elapsed = time.monotonic() - t0
        self.z.kill_all(pid)
        self.z.wipe(tmpdir)
        if self.z.pidns:
            for d in ("/tmp", "/dev/shm", os.getcwd()):
                self.z.wipe(d, keep_top=True)
        stat = shm[0]
        progress = min(struct.unpack_from("<I", shm, 4)[0], len(inputs))
        details = shm[HEADER:HEADER + progress]
        shm.close()
        status = {SUCCESS: "pass", FAILED: "fail"}.get(stat, "timeout")
        if status == "pass" and (progress != len(inputs) or not all(details)):
            status = "fail"
        fail = None
        if status != "pass" and progress > 0:
            fail = self.fail_json(which, progress - 1)
        return {"status": status, "progress": progress, "fail_input": fail, "time": elapsed,
                "ended": ended}

    def fail_json(self, which, i):
        b = self.blob
        inp = b[which + "_input"][i]
        if b["dataset"] == "mbpp":
            inp = mbpp_fail_input(int(b["task_id"].split("/")[-1]), inp)
        return json.dumps(inp)

    def evaluate(self, req, payload):
        if payload is not None:
            self.key, self.blob = None, None
            try:
                self.blob = load_blob(payload)
            except Exception as e:  # a damaged cache file: benchlua computes it again
                return {"error": "the ground truth does not load (%s: %s)" % (type(e).__name__, e), "bad_truth": True}
            self.key = req["key"]
            gc.freeze()  # the children need not scan (nor copy) the blob
        elif req.get("key") != self.key:
            return {"need": req.get("key")}
        out = {}
        for which in req.get("sets", ("base", "plus")):
            out[which] = self.run_set(req, which)
        return out


# ---- evalplus's sanitizer, on ast ----

def syntax_ok(code):
    try:
        ast.parse(code)
        return True
    except (SyntaxError, MemoryError, ValueError, RecursionError):
        return False


ANSI = re.compile(r"\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])")


def code_extract(text):
    """The longest run of two or more lines that parses (most non-blank lines,
    the first such run on ties), as evalplus's code_extract finds it; pruned,
    same answer."""
    lines = ANSI.sub("", text).split("\n")
    n = len(lines)
    nonblank = [0]
    for line in lines:
        nonblank.append(nonblank[-1] + (1 if line.strip() else 0))
    best, pair = 0, (0, 0)
    for i in range(n):
        if nonblank[n] - nonblank[i] <= best:
            break
        for j in range(n - 1, i, -1):
            c = nonblank[j + 1] - nonblank[i]
            if c <= best:
                break
            if syntax_ok("\n".join(lines[i:j + 1])):
                first = j
                for k in range(i + 1, j):
                    if nonblank[k + 1] - nonblank[i] == c and syntax_ok("\n".join(lines[i:k + 1])):
                        first = k
                        break
                best, pair = c, (i, first)
                break
    return "\n".join(lines[pair[0]:pair[1] + 1])


def _names(node):
    """Every identifier in node, as tree-sitter names them (names, attribute
    names, parameters, keywords, defined names, import aliases)."""
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
        elif isinstance(n, ast.arg):
            out.add(n.arg)
        elif isinstance(n, ast.keyword) and n.arg:
            out.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            out.update(n.names)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.add(n.name)
        elif isinstance(n, ast.alias):
            out.update((n.asname or n.name).split("."))
    return out


def _assign_name(node):
    """tree-sitter's get_definition_name on an assignment: its first direct
    child that is a plain identifier (the target, else a bare-name value)."""
    if isinstance(node, ast.Assign):
        parts = [node.targets[0], node.value] if len(node.targets) == 1 else [node.targets[0]]
    elif isinstance(node, ast.AnnAssign):  # the annotation is a `type` node there
        parts = [node.target] + ([node.value] if node.value else [])
    else:
        return None
    for p in parts:
        if isinstance(p, ast.Name):
            return p.id
    return None


def _segment(lines_b, node):
    start, end = node.lineno - 1, node.end_lineno - 1
    if start == end:
        return lines_b[start][node.col_offset:node.end_col_offset]
    return b"\n".join([lines_b[start][node.col_offset:]] + lines_b[start + 1:end]
                      + [lines_b[end][:node.end_col_offset]])


def sanitize(text, entry_point):
    code = code_extract(text)
    try:
        tree = ast.parse(code)
    except (SyntaxError, MemoryError, ValueError, RecursionError):
        tree = ast.Module(body=[], type_ignores=[])
    lines_b = code.encode("utf-8").split(b"\n")
    imports, defs, taken = [], [], set()
    for node in tree.body:
        if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.module != "__future__"):
            imports.append(node)
        elif isinstance(node, ast.ClassDef):
            if node.name not in taken and not node.decorator_list:
                defs.append((node.name, node))
                taken.add(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.decorator_list:  # tree-sitter: a decorated_definition, not kept
                continue
            if node.name not in taken and any(isinstance(n, ast.Return) for n in ast.walk(node)):
                defs.append((node.name, node))
                taken.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            name = _assign_name(node)
            if name not in taken:
                defs.append((name, node))
                taken.add(name)
    if entry_point:
        deps = {name: _names(node) for name, node in defs}
        reach, queue = {entry_point}, [entry_point]
        while queue:
            cur = queue.pop(0)
            for d in deps.get(cur, ()):
                if d not in reach:
                    reach.add(d)
                    queue.append(d)
    out = b""
    for node in imports:
        out += _segment(lines_b, node) + b"\n"
    for name, node in defs:
        if entry_point and name not in reach:
            continue
        out += _segment(lines_b, node) + b"\n"
    result = out[:-1].decode("utf-8", "replace").strip()
    return result if result else code


# ---- the handlers ----

def truth(req, payload):
    data = fork_collect(lambda: truth_blob(req["dataset"], payload))
    for i in range(0, len(data), CHUNK):
        zy.send({"chunk": base64.b64encode(data[i:i + CHUNK]).decode()})
    return {"done": True, "size": len(data)}


def main():
    import numpy  # noqa: the comparison needs it; every child inherits it
    zy.warm_up()
    ex = Executor(zy.PIDNS)
    zy.serve({"truth": truth, "eval": ex.evaluate,
              "md5": lambda req, payload: {"md5": hashlib.md5(payload or b"").hexdigest()},
              "sanitize": lambda req, payload: {"code": sanitize(req["code"], req.get("entry_point"))}},
             numpy=numpy.__version__)


if __name__ == "__main__":
    main()
