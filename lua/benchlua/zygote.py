# zygote.py: the core of benchlua's Python executors and grading helpers,
# embedded in the benchlua binary and installed as module `zygote` before the
# front end that lua/benchlua/codeexec.lua runs (`python3 -I -c <modules +
# front end> --zygote [--pidns] [--once]`), normally inside the namespace
# sandbox. Front ends: humaneval_exec.py (HumanEval programs), lcb_exec.py
# (LiveCodeBench), evalplus_exec.py (HumanEval+/MBPP+), pygrade_serve.py
# (the answer benchmarks' grading helpers). Each gives serve() its handlers.
#
# It provides:
#   * the reference harnesses' common pieces: human-eval's reliability_guard
#     (applied once to the zygote, so each child starts guarded; the zygote's
#     own clean-ups put the guarded functions back while they run), its
#     swallowed IO, and call_at_depth (recursion limits hit where they do in
#     the reference's child);
#   * Zygote: one warm interpreter that forks a child per sample (fork_run),
#     reads the child's one report through a FIFO it opens after the program
#     ran (Reporter: a program that closes or rewrites its descriptors, fd 1
#     included, cannot fake or lose a verdict), enforces the wall-clock
#     budget, kills the child's process group and, when it owns a PID
#     namespace (--pidns and pid 2 there), every other process in it (else,
#     as a child subreaper, everything the sample started), then empties the
#     samples' working directory (made once; a new one when a sample tampered
#     with it) and, in the namespace, the private /tmp and /dev/shm (listed
#     only, when nothing but ours is there), so nothing of one sample reaches
#     the next;
#   * warm_up() (imports every fork shares, then gc.freeze()), send();
#   * serve(handlers): THE request loop, with the one framing of every
#     executor and helper. The process first says one ready line:
#       {"ready": true, "pid": N, "pidns": BOOL, "python": "3.x.y", "cpus": N,
#        "ops": [the handlers' names], ...what the front end adds}
#     then reads requests: one JSON line {"op": NAME, "bytes": N, ...} and,
#     when "bytes" is there, N raw bytes (the payload: a program, a test
#     blob). handlers[NAME](request, payload or None) answers one JSON line,
#     returned (a dict) or sent by itself (then it returns None: an answer
#     goes out as soon as it is known, before the clean-up after a sample;
#     evalplus's ground truth sends chunk lines before its last one). A bad
#     request or an unknown op is {"error": ...}; an exception out of a
#     handler is {"error": "Type: message (at FILE:LINE)"} (Refused: its
#     message alone). With --once, one request, then exit.

import contextlib
import faulthandler
import io
import json
import os
import select
import signal
import stat
import sys
import operator
import time

# Python frames below the program's <module> frame in the reference's child
# (thread pool worker -> check_correctness -> Process.start -> fork -> ... ->

MAX_VERDICT = 1 << 20  # bytes of a verdict string that we pass on
QUIET_NS = 100_000_000  # see Zygote.note_quiet


# ---- the reference's execution semantics (openai/human-eval execution.py) ----

class TimeoutException(Exception):
    pass


class WriteOnlyStringIO(io.StringIO):
    """StringIO that throws an exception when it's read from"""

    def read(self, *args, **kwargs):
        raise IOError

    def readline(self, *args, **kwargs):
        raise IOError

    def readlines(self, *args, **kwargs):
        raise IOError

    def readable(self, *args, **kwargs):
        return False


class redirect_stdin(contextlib._RedirectStream):  # type: ignore
    _stream = "stdin"


@contextlib.contextmanager
def swallow_io():
    stream = WriteOnlyStringIO()
    with contextlib.redirect_stdout(stream):
        with contextlib.redirect_stderr(stream):
            with redirect_stdin(stream):
                yield


GUARDED_OS = ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid",
              "fork", "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink",
              "fchmod", "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown",
              "getcwd", "chdir")


GUARDED_MODULES = {"shutil": ("rmtree", "move", "chown"), "subprocess": ("Popen",)}


def reliability_guard(lazy=False):
    """The reference's guard. With lazy, shutil and subprocess, when not
    imported yet, are left to _GuardOnImport: the first import of either
    gets it as the guard leaves it."""
    faulthandler.disable()

    import builtins

    builtins.exit = None
    builtins.quit = None

    os.environ["OMP_NUM_THREADS"] = "1"

    for name in GUARDED_OS:
        setattr(os, name, None)

    later = {}
    for mod, names in GUARDED_MODULES.items():
        if lazy and mod not in sys.modules:
            later[mod] = names
            continue
        m = __import__(mod)
        for n in names:
            if not any(um is m and un == n for um, un, _ in _UNGUARDED):
                _UNGUARDED.append((m, n, getattr(m, n)))
            setattr(m, n, None)
    if later:
        sys.meta_path.insert(0, _GuardOnImport(later))

    builtins.help = None

    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


class _GuardOnImport:
    """sys.meta_path's first finder in a zygote guarded with lazy=True.
    shutil and subprocess each import threading (shutil through bz2), whose
    at-fork hook costs every forked child about 0.6 ms of CPU and 120 copied
    pages here; HumanEval programs almost never use them, so the zygote does
    not import them, and a child that does gets the module as the
    reference's guard leaves it (the attributes set to None once, after its
    first execution; reload() gives the originals back, as there)."""

    def __init__(self, later):
        self.later = later  # module name -> attributes to set to None

    def find_spec(self, name, path=None, target=None):
        names = self.later.get(name)
        if names is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = _NullAfterExec(self, name, spec.loader, names)
                return spec
        return None


class _NullAfterExec:
    """A module's own loader, and the guard's assignments after it ran."""

    def __init__(self, hook, name, loader, names):
        self.hook, self.name, self.loader, self.names = hook, name, loader, names

    def __getattr__(self, attr):
        return getattr(self.loader, attr)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        if self.hook.later.pop(self.name, None) is not None:
            for n in self.names:
                setattr(module, n, None)


# The functions the guard takes away, as they were before any guard ran: the
# zygote itself keeps using them after it applied the guard to itself
# (shutil's and subprocess's are added when the guard takes them).
_MISSING = object()
_UNGUARDED = [(os, n, getattr(os, n, _MISSING)) for n in GUARDED_OS]
_fork, _kill, _killpg, _chdir = os.fork, os.kill, os.killpg, os.chdir
# True once the zygote applied reliability_guard() to itself, so that its
# children (forked copies) start guarded and do not redo it each time.
PARENT_GUARDED = False
# True when shutil and subprocess are left to _GuardOnImport (the zygote
# must then not import them: its wipes run in a forked cleaner).
LAZY_GUARD = False


def guard_parent(lazy=False):
    """Apply the HumanEval guard once, in the zygote: each child is a copy of
    a guarded interpreter, exactly the state the guard leaves in the
    reference's child, without paying for it (the assignments and the
    reference counts they touch cost a copied page each) per sample.
    lazy: see reliability_guard()."""
    global PARENT_GUARDED, LAZY_GUARD
    reliability_guard(lazy)
    PARENT_GUARDED = True
    LAZY_GUARD = lazy and any(isinstance(f, _GuardOnImport) for f in sys.meta_path)


@contextlib.contextmanager
def unguarded():
    """The zygote's rare clean-ups (shutil.rmtree and friends) with the
    functions the guard took away put back for the duration."""
    saved = [(m, n, getattr(m, n, _MISSING)) for m, n, _ in _UNGUARDED] if PARENT_GUARDED else []
    for m, n, v in (_UNGUARDED if PARENT_GUARDED else []):
        if v is _MISSING:
            if hasattr(m, n):
                delattr(m, n)
        else:
            setattr(m, n, v)
    try:
        yield
    finally:
        for m, n, v in saved:
            if v is _MISSING:
                if hasattr(m, n):
                    delattr(m, n)
            else:
                setattr(m, n, v)


# ---- the child: one program, one verdict ----

def frame_depth():
    f, d = sys._getframe(1), 0
    while f is not None:
        d += 1
        f = f.f_back
    return d


def call_at_depth(depth, fn, *args):
    """Call fn(*args) so that its frame is at `depth` (1 = outermost). The
    last call goes through C (operator.call), which counts once more towards
    the recursion limit, as the C boundaries in the reference's stack do:
    with it, a recursion 982 deep passes and 983 fails in both harnesses."""
    here = frame_depth()
    if here + 1 < depth:
        return _descend(depth - here - 1, fn, args)
    return c_call(fn, *args)


def _descend(n, fn, args):
    """n more frames (this one included), then fn(*args) below them."""
    if n > 1:
        return _descend(n - 1, fn, args)
    return c_call(fn, *args)


# operator.call is new in 3.11 (the Python the calibration was done with)
c_call = getattr(operator, "call", None) or (lambda fn, *args: fn(*args))


# Captured before any program runs: a program (or a guard) may rebind os.*.
_write, _open, _fstat, _exit, _WRONLY = os.write, os.open, os.fstat, os._exit, os.O_WRONLY


def child_prelude(tmpdir):
    """What multiprocessing does in the reference's child, then its tempdir:
    stdin from /dev/null, output discarded, cwd the per-sample directory.
    Descriptor 0 becomes /dev/null too (in the reference it stays whatever
    the harness was started with; here it is the zygote's request pipe)."""
    try:
        sys.stdin.close()
        sys.stdin = _NULL_STDIN[0] if _NULL_STDIN else open(os.devnull)
    except (OSError, ValueError):
        pass
    null = _NULL_STDIN[1] if _NULL_STDIN else os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    _chdir(tmpdir)


# Made once by the zygote (each child gets its own unused copy): the child's
# new sys.stdin, open(os.devnull) as multiprocessing makes it, and a /dev/null
# descriptor for 0, 1 and 2.
_NULL_STDIN = []


class Reporter:
    """The child's one report to the zygote, through the FIFO."""

    def __init__(self, token, fifo, fifo_fd, fifo_id):
        self.token, self.fifo, self.fifo_fd, self.fifo_id = token, fifo, fifo_fd, fifo_id

    def __call__(self, name, data):
        msg = b"BLV1 %s %d %d\n" % (self.token, len(name), len(data)) + name + data
        fd = self.fifo_fd
        try:
            st = _fstat(fd)
            if (st.st_dev, st.st_ino) != self.fifo_id:
                raise OSError
        except OSError:  # the program closed or reused our descriptor: reopen the FIFO
            fd = _open(self.fifo, _WRONLY)  # the zygote holds the read end: no blocking
        while msg:
            msg = msg[_write(fd, msg):]
        _exit(0)


# ---- the zygote ----

def mkdtemp(prefix="tmp", dir=None):
    """tempfile.mkdtemp() without tempfile (it imports shutil)."""
    base = dir or os.environ.get("TMPDIR") or "/tmp"
    while True:
        path = os.path.join(base, prefix + os.urandom(6).hex())
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return os.path.abspath(path)


def set_child_subreaper():
    """prctl(PR_SET_CHILD_SUBREAPER): -> True when it took."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except Exception:
        return False


def kill_children():
    """SIGKILL every child of ours (and reap them) until none is left: as a
    child subreaper, everything a sample started is one of them once its
    parent died, however it detached itself."""
    for _ in range(2000):
        kids = []
        try:
            for tid in os.listdir("/proc/self/task"):
                with open("/proc/self/task/%s/children" % tid) as f:
                    kids += f.read().split()
        except OSError:
            return
        if not kids:
            return
        for k in kids:
            try:
                _kill(int(k), signal.SIGKILL)
            except OSError:
                pass
        reap()
        time.sleep(0.0005)


def reap():
    """Wait for every child that has ended, without blocking."""
    while True:
        try:
            p, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if p == 0:
            return


def remove_deep(path):
    """What shutil.rmtree left of directory path (it recurses, a descriptor
    per level: a tree a few thousand levels deep stops it), removed without
    recursion: one descriptor, and one name per level. Best effort."""
    try:
        os.chmod(path, 0o700)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    names, stuck = [], set()  # the way down; inodes that cannot be entered or removed
    try:
        while True:
            sub = None
            with os.scandir(fd) as it:
                for e in it:
                    if not e.is_dir(follow_symlinks=False):
                        try:
                            os.unlink(e.name, dir_fd=fd)
                        except OSError:
                            pass
                    elif sub is None and e.inode() not in stuck:
                        sub = e
            if sub is not None:
                try:
                    os.chmod(sub.name, 0o700, dir_fd=fd)
                    down = os.open(sub.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError:
                    stuck.add(sub.inode())
                    continue
                names.append(sub.name)
                os.close(fd)
                fd = down
                continue
            if not names:
                break
            up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            ino = os.fstat(fd).st_ino
            os.close(fd)
            fd = up
            try:
                os.rmdir(names.pop(), dir_fd=fd)
            except OSError:
                stuck.add(ino)
    except OSError:
        pass
    finally:
        os.close(fd)
    try:
        os.rmdir(path)
    except OSError:
        pass


class Zygote:
    def __init__(self, pidns):
        self.pidns = pidns
        self.poller = select.poll()  # the FIFO, and each child's pidfd while it runs
        if not _NULL_STDIN:
            _NULL_STDIN[:] = [open(os.devnull), os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)]
        self.keep = {os.path.realpath(os.getcwd())}
        self.make_fifo()
        # The samples' working directory: one per zygote, made once, checked
        # empty (and ours) after each sample and only then wiped or made anew,
        # instead of a mkdtemp and an rmtree per sample.
        self.work = None
        self.sweep_dirs = ("/tmp", "/dev/shm", os.getcwd()) if pidns else ()
        # directory -> its lstat key when it was last found clean and quiet
        # (see unchanged()); empty = list them all after the next sample
        self.quiet = {}
        # Without a PID namespace: orphans of what a sample started (setsid
        # daemons, double forks) become our children, so kill_all finds them.
        self.subreaper = not pidns and set_child_subreaper()
        self.new_work()

    def make_fifo(self):
        """The verdict FIFO, in a directory of its own, open both ways."""
        self.home = mkdtemp(prefix=".zygote-", dir=os.getcwd())
        self.fifo = os.path.join(self.home, "verdicts")
        os.mkfifo(self.fifo, 0o600)
        self.rfd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.wfd = os.open(self.fifo, os.O_WRONLY)  # keeps the FIFO from reporting EOF
        st = os.fstat(self.wfd)
        self.fifo_id = (st.st_dev, st.st_ino)
        self.poller.register(self.rfd, select.POLLIN)
        self.keep.add(os.path.realpath(self.home))

    def check_fifo(self):
        """Before a sample: the FIFO's path still names our FIFO (a child
        that closed its descriptor reopens it by that path; a sample may
        have unlinked or replaced it), else a new FIFO in a new directory."""
        try:
            st = os.lstat(self.fifo)
            if (st.st_dev, st.st_ino) == self.fifo_id:
                return
        except OSError:
            pass
        self.poller.unregister(self.rfd)
        os.close(self.rfd)
        os.close(self.wfd)
        self.keep.discard(os.path.realpath(self.home))
        with unguarded():
            self.make_fifo()
            self.plan_sweeps()

    def new_work(self):
        with unguarded():
            self._new_work()

    def _new_work(self):
        if self.work is not None:
            self.keep.discard(os.path.realpath(self.work))
        self.work = mkdtemp()
        st = os.lstat(self.work)
        self.work_id = (st.st_dev, st.st_ino, stat.S_IMODE(st.st_mode))
        self.keep.add(os.path.realpath(self.work))
        self.plan_sweeps()

    @staticmethod
    def dir_key(st):
        return (st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid, st.st_mtime_ns, st.st_ctime_ns)

    def note_quiet(self, d):
        """d was just found clean (or cleaned): remember its lstat, so that
        after the next sample one lstat tells whether anything was created,
        removed or renamed in it (each of those sets the directory's mtime
        and ctime to the current time; a program can set the mtime back with
        utime, but not the ctime). File timestamps come from a clock that
        only advances every tick (a few ms): a change in the same tick as
        the last one could leave both times as they were, so a directory
        changed less than QUIET_NS ago is not remembered and gets listed
        after the next sample, as before."""
        try:
            st = os.lstat(d)
        except OSError:
            self.quiet.pop(d, None)
            return
        now = time.time_ns()
        if now - st.st_ctime_ns > QUIET_NS and now - st.st_mtime_ns > QUIET_NS:
            self.quiet[d] = self.dir_key(st)
        else:
            self.quiet.pop(d, None)

    def unchanged(self, d):
        """Is d exactly as note_quiet() last saw it (nothing created in it)?"""
        key = self.quiet.get(d)
        if key is None:
            return False
        try:
            return self.dir_key(os.lstat(d)) == key
        except OSError:
            return False

    def plan_sweeps(self):
        """For each directory wiped after a sample in the namespace: the names
        of ours in it (name -> (dev, ino)), or None when one of ours lies
        deeper than one level there (then the full wipe runs every time)."""
        tops = {os.path.realpath(d) for d in self.sweep_dirs}
        self.sweep_names = {}
        for d in self.sweep_dirs:
            rd, names = os.path.realpath(d), {}
            for k in self.keep:
                if not k.startswith(rd + "/"):
                    continue
                first = rd + "/" + k[len(rd) + 1:].split("/")[0]
                if first not in self.keep and first not in tops:
                    names = None
                    break
                try:
                    st = os.lstat(first)
                except OSError:
                    names = None
                    break
                names[os.path.basename(first)] = (st.st_dev, st.st_ino)
            self.sweep_names[d] = names

    def only_ours(self, d, names):
        """Does directory d hold nothing but our own entries?"""
        try:
            with os.scandir(d) as it:
                for e in it:
                    want = names.get(e.name)
                    if want is None:
                        return False
                    st = e.stat(follow_symlinks=False)
                    if (st.st_dev, st.st_ino) != want:
                        return False
        except OSError:
            return False
        return True

    def clean_work(self):
        """After a sample: the working directory empty and ours again."""
        if self.unchanged(self.work):
            return
        self._clean_work()
        self.note_quiet(self.work)

    def _clean_work(self):
        try:
            st = os.lstat(self.work)
            if (st.st_dev, st.st_ino, stat.S_IMODE(st.st_mode)) == self.work_id and stat.S_ISDIR(st.st_mode):
                with os.scandir(self.work) as it:
                    if next(it, None) is None:
                        return
                self.wipe(self.work, keep_top=True)
                with os.scandir(self.work) as it:
                    if next(it, None) is None:
                        return
        except OSError:
            pass
        with unguarded():  # tampered with, or not emptied: a fresh one
            try:
                if os.path.isdir(self.work) and not os.path.islink(self.work):
                    self._wipe(self.work)
                else:
                    os.unlink(self.work)
            except OSError:
                pass
            self._new_work()

    def sweep(self):
        """In the namespace: /tmp, /dev/shm and the directory we run in
        emptied of everything that is not ours (a full wipe only when
        something else is there)."""
        for d in self.sweep_dirs:
            if self.unchanged(d):
                continue
            names = self.sweep_names.get(d)
            if names is None or not self.only_ours(d, names):
                self.wipe(d, keep_top=True)
            self.note_quiet(d)

    def read_verdict(self, token, pid, deadline):
        """Wait for the child's report, its death or the deadline."""
        buf = b""
        poller = self.poller
        try:
            pfd = os.pidfd_open(pid)
            poller.register(pfd, select.POLLIN)
        except OSError:
            pfd = None
        dead = False
        try:
            while True:
                msg, buf = self.parse(buf, token)
                if msg is not None:
                    return msg, "reported"
                if dead:
                    return None, "died"
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, "deadline"
                for fd, _ in poller.poll(left * 1000):
                    if fd == self.rfd:
                        try:
                            chunk = os.read(self.rfd, 1 << 16)
                        except BlockingIOError:
                            chunk = b""
                        buf += chunk
                        if len(buf) > 2 * MAX_VERDICT + 4096:
                            buf = b""  # garbage: a real report never gets this big
                    else:
                        dead = True  # drain what it wrote before dying, then decide
                        try:
                            while True:
                                chunk = os.read(self.rfd, 1 << 16)
                                if not chunk:
                                    break
                                buf += chunk
                        except BlockingIOError:
                            pass
        finally:
            if pfd is not None:
                poller.unregister(pfd)
                os.close(pfd)

    @staticmethod
    def parse(buf, token):
        """The first report with this sample's token in buf -> (message |
        None, what to keep). Only a header with the token counts: anything
        else in the FIFO (what an earlier sample wrote after its report, so
        that the executor read it only now) is skipped, never waited for."""
        head = b"BLV1 " + token + b" "
        while True:
            i = buf.find(head)
            if i < 0:
                return None, buf[-(len(head) - 1):]
            buf = buf[i:]
            nl = buf.find(b"\n")
            if nl < 0:
                return None, buf
            try:
                ln, ld = (int(x) for x in buf[len(head):nl].split(b" "))
                if ln < 0 or ld < 0:
                    raise ValueError
            except ValueError:
                buf = buf[len(head):]
                continue
            end = nl + 1 + ln + ld
            if len(buf) < end:
                return None, buf
            name = buf[nl + 1:nl + 1 + ln].decode("utf-8", "replace")
            verdict = buf[nl + 1 + ln:end].decode("utf-8", "surrogatepass")
            return (verdict, name or None), buf[end:]

    def kill_all(self, pid):
        try:
            _killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            _kill(pid, signal.SIGKILL)
        except OSError:
            pass
        status = None
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        if self.pidns:
            # pid 2 of our own namespace: kill(-1) reaches everything but us and
            # init, and fails with ESRCH once nothing else is left (init reaps).
            for _ in range(2000):
                try:
                    _kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
                except OSError:
                    pass
                time.sleep(0.0005)
        elif self.subreaper:
            kill_children()
        reap()  # anything else we fathered
        return status

    def wipe(self, path, keep_top=False):
        with unguarded():
            self._wipe(path, keep_top)

    def _wipe(self, path, keep_top=False):
        """Without shutil in the zygote (LAZY_GUARD), in a forked cleaner
        that imports it."""
        if not LAZY_GUARD:
            return self._wipe_here(path, keep_top)
        pid = _fork()
        if pid == 0:
            try:
                sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _GuardOnImport)]
                self._wipe_here(path, keep_top)
            finally:
                _exit(0)
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
            except ChildProcessError:
                break

    def _wipe_here(self, path, keep_top=False):
        import shutil
        def onerror(fn, p, exc):
            try:
                os.chmod(os.path.dirname(p), 0o700)
                os.chmod(p, 0o700)
            except OSError:
                pass
            try:
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)
            except OSError:
                pass
        def rmtree(p):
            try:
                shutil.rmtree(p, onerror=onerror)
            except RecursionError:  # deeper than the recursion limit
                pass
            remove_deep(p)
        if not keep_top:
            rmtree(path)
            return
        try:
            names = os.listdir(path)
        except OSError:
            return
        for n in names:
            p = os.path.join(path, n)
            if os.path.realpath(p) in self.keep:
                continue
            if any(k.startswith(os.path.realpath(p) + "/") for k in self.keep):
                self._wipe_here(p, keep_top=True)
                continue
            if os.path.isdir(p) and not os.path.islink(p):
                rmtree(p)
            else:
                try:
                    os.unlink(p)
                except OSError:
                    pass

    def fork_run(self, work, budget, answer=None):
        """Run work(report, tmpdir) in a forked child with `budget` seconds
        of wall clock; then kill everything it started and wipe what it
        wrote. -> (message | None, how, wait status, elapsed); message is
        (data, name) as the child reported it. With answer, answer(message,
        how, status, elapsed) is called as soon as that much is known: as
        soon as the child reported (status None), else once it is dead;
        before the clean-up in both cases, so that benchlua gets the verdict
        while the child's exit and the clean-up run (the next request is
        read only after them)."""
        self.check_fifo()
        token = os.urandom(8).hex().encode()
        tmpdir = self.work
        t0 = time.monotonic()
        pid = _fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                os.close(self.rfd)
                work(Reporter(token, self.fifo, self.wfd, self.fifo_id), tmpdir)
            finally:
                os._exit(1)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        msg, how = self.read_verdict(token, pid, t0 + budget)
        elapsed = time.monotonic() - t0
        if answer is not None and msg is not None:
            answer(msg, how, None, elapsed)
        status = self.kill_all(pid)
        if answer is not None and msg is None:
            answer(msg, how, status, elapsed)
        self.clean_work()
        self.sweep()
        return msg, how, status, elapsed

    @staticmethod
    def no_report(how, budget, status):
        """Why a child left no report, in words."""
        if how == "deadline":
            return "killed after %.1f s" % budget
        if status is not None and os.WIFSIGNALED(status):
            return "died of signal %d without a verdict" % os.WTERMSIG(status)
        if status is not None and os.WIFEXITED(status):
            return "exited with status %d without a verdict" % os.WEXITSTATUS(status)
        return "ended without a verdict"


def send(obj):
    send_bytes((json.dumps(obj, default=str) + "\n").encode())


def send_bytes(data):
    while data:
        data = data[os.write(1, data):]


def warm_up(extension=None, lean=False):
    """Import what programs and tests use, so every fork has it.
    lean (the HumanEval zygote): not the modules that register at-fork hooks,
    which every child would run: threading (see _GuardOnImport) and random
    (its reseeding, about 40 copied pages; statistics imports it). A child
    that imports random gets it freshly seeded, as the reference's is
    reseeded after its fork; 4 of the 164 HumanEval programs do."""
    import collections, copy, functools, hashlib, heapq, itertools, math, re, string, typing  # noqa
    import bisect, decimal, fractions  # noqa
    if not lean:
        import random, statistics, threading  # noqa
    if extension:
        extension()
    try:  # non-dumpable: a child cannot open our pipes through /proc/PID/fd
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass
    import gc
    gc.collect()
    gc.freeze()


# benchlua says the namespace sandbox is on; pid 2 = the first process there
PIDNS = "--pidns" in sys.argv and os.getpid() <= 2


class Refused(Exception):
    """Raised by a handler: the answer is {"error": its message}."""


def serve(handlers, **ready):
    """The request loop (the header says the framing); returns at end of
    input, or after one request with --once."""
    send(dict({"ready": True, "pid": os.getpid(), "pidns": PIDNS, "python": sys.version.split()[0],
               "cpus": len(os.sched_getaffinity(0)), "ops": sorted(handlers)}, **ready))
    stdin, once = sys.stdin.buffer, "--once" in sys.argv
    while True:
        line = stdin.readline()
        if not line:
            return
        try:
            req = json.loads(line.decode("utf-8", "replace"))
            n = int(req.get("bytes") or 0)
            handler = handlers.get(req.get("op"))
        except (ValueError, TypeError, AttributeError) as e:
            send({"error": "bad request: %s" % e})
            continue
        payload = stdin.read(n) if n > 0 else None
        if n > 0 and len(payload) < n:
            return
        if handler is None:
            send({"error": "unknown op %r" % (req.get("op"),)})
            continue
        try:
            answer = handler(req, payload)
        except Refused as e:
            answer = {"error": str(e)}
        except Exception as e:
            tb = e.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = "%s:%d" % (tb.tb_frame.f_code.co_filename, tb.tb_lineno) if tb else "?"
            answer = {"error": "%s: %s (at %s)" % (type(e).__name__, e, where)}
        if answer is not None:
            send(answer)
        if once:
            return
