/* test_sandbox.c - run hostile programs through "benchlua --exec-helper
 * --sandbox ..." as real subprocesses and check that the host is unharmed.
 *
 * usage: test_sandbox /path/to/benchlua
 * Prints "PASS name", "FAIL name: detail" or "SKIP name: why" per check and
 * exits 1 if any check failed. Namespace checks are skipped (not failed)
 * where bl_sandbox_probe() says the sandbox cannot work, unless
 * BENCHLUA_REQUIRE_SANDBOX=1 is set.
 */
#include "sandbox.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>

#define PY "/usr/bin/python3"

static const char *bl;
static int nfail, npass, nskip;
static int have_ns, have_py, is_root;
static int netns_fd = -1, userns_fd = -1;
static char workdir[PATH_MAX];
static char cwd[PATH_MAX];
static int marker_seq;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void pass(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void pass(const char *name, const char *fmt, ...)
{
    npass++;
    printf("PASS %s", name);
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf(" (");
        vprintf(fmt, ap);
        printf(")");
        va_end(ap);
    }
    printf("\n");
    fflush(stdout);
}

static void failf(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void failf(const char *name, const char *fmt, ...)
{
    va_list ap;
    nfail++;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static void skip(const char *name, const char *why)
{
    nskip++;
    printf("SKIP %s: %s\n", name, why);
    fflush(stdout);
}

/* ---- running the helper ---- */

typedef struct {
    /* inputs */
    const char *sandbox;   /* "strict", "auto", "fallback" or NULL */
    const char *extra[12]; /* more helper options */
    const char *prog[16];  /* PROGRAM and its arguments */
    double timeout;        /* wall-clock limit, then SIGKILL to the group */
    int hold_stdin;        /* stdin: a pipe we keep open (else /dev/null) */
    int no_netns;          /* do not pass the shared network namespace */
    int no_workdir;
    /* outputs */
    pid_t pid;
    int wstatus;
    int timed_out;
    double elapsed;
    char out[65536];
    size_t outlen;
    long long outtotal;
    char err[8192];
    size_t errlen;
    char status[512];
    size_t statuslen;
    /* internal */
    int fd_out, fd_err, fd_st, fd_in;
    double t0;
} run_t;

static int move_high(int fd)
{
    int n = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    close(fd);
    return n;
}

static void start_helper(run_t *r)
{
    int po[2], pe[2], ps[2], pi[2] = {-1, -1};
    const char *argv[64];
    int n = 0;
    char ppid[32];

    if (pipe(po) || pipe(pe) || pipe(ps) || (r->hold_stdin && pipe(pi))) {
        perror("pipe");
        exit(2);
    }
    po[0] = move_high(po[0]), po[1] = move_high(po[1]);
    pe[0] = move_high(pe[0]), pe[1] = move_high(pe[1]);
    ps[0] = move_high(ps[0]), ps[1] = move_high(ps[1]);
    if (r->hold_stdin)
        pi[0] = move_high(pi[0]), pi[1] = move_high(pi[1]);

    snprintf(ppid, sizeof ppid, "%d", (int)getpid());
    argv[n++] = bl;
    argv[n++] = "--exec-helper";
    argv[n++] = "--setpgid";
    argv[n++] = "--pdeathsig";
    argv[n++] = "--ppid";
    argv[n++] = ppid;
    argv[n++] = "--status-fd";
    argv[n++] = "3";
    if (r->sandbox) {
        argv[n++] = "--sandbox";
        argv[n++] = r->sandbox;
        if (!r->no_workdir) {
            argv[n++] = "--workdir";
            argv[n++] = workdir;
        }
        if (!r->no_netns && netns_fd >= 0) {
            argv[n++] = "--netns-fd=4";
            if (userns_fd >= 0)
                argv[n++] = "--userns-fd=5";
        }
    }
    for (int i = 0; r->extra[i]; i++)
        argv[n++] = r->extra[i];
    argv[n++] = "--";
    for (int i = 0; r->prog[i]; i++)
        argv[n++] = r->prog[i];
    argv[n] = NULL;

    r->t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        setpgid(0, 0);
        int in = r->hold_stdin ? pi[0] : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        dup2(ps[1], 3);
        if (netns_fd >= 0)
            dup2(netns_fd, 4);
        if (userns_fd >= 0)
            dup2(userns_fd, 5);
        execv(bl, (char **)argv);
        _exit(99);
    }
    setpgid(pid, pid);
    r->pid = pid;
    close(po[1]), close(pe[1]), close(ps[1]);
    if (r->hold_stdin)
        close(pi[0]);
    r->fd_out = po[0];
    r->fd_err = pe[0];
    r->fd_st = ps[0];
    r->fd_in = pi[1];
    r->outlen = r->errlen = r->statuslen = 0;
    r->outtotal = 0;
    r->timed_out = 0;
}

static void finish_helper(run_t *r)
{
    static char sink[1 << 16];
    struct pollfd pf[3];
    int open_fds = 3;
    double deadline = r->t0 + r->timeout, hard = deadline + 5.0;
    int killed = 0;

    pf[0].fd = r->fd_out, pf[1].fd = r->fd_err, pf[2].fd = r->fd_st;
    for (int i = 0; i < 3; i++)
        pf[i].events = POLLIN;
    while (open_fds > 0) {
        double t = now();
        if (!killed && t >= deadline) {
            kill(-r->pid, SIGKILL);
            killed = r->timed_out = 1;
        }
        if (t >= hard)
            break;
        int ms = (int)(((killed ? hard : deadline) - t) * 1000) + 1;
        int k = poll(pf, 3, ms);
        if (k < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < 3; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = read(pf[i].fd, sink, sizeof sink);
            if (got <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
                continue;
            }
            char *dst = i == 0 ? r->out : i == 1 ? r->err : r->status;
            size_t cap = i == 0   ? sizeof r->out
                         : i == 1 ? sizeof r->err
                                  : sizeof r->status;
            size_t *len = i == 0   ? &r->outlen
                          : i == 1 ? &r->errlen
                                   : &r->statuslen;
            size_t c = (size_t)got;
            if (c > cap - 1 - *len)
                c = cap - 1 - *len;
            memcpy(dst + *len, sink, c);
            *len += c;
            dst[*len] = 0;
            if (i == 0)
                r->outtotal += got;
        }
    }
    for (int i = 0; i < 3; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    if (open_fds > 0) /* output still open long after the kill: leak */
        kill(-r->pid, SIGKILL);
    while (waitpid(r->pid, &r->wstatus, 0) < 0 && errno == EINTR)
        ;
    r->elapsed = now() - r->t0;
    if (r->fd_in >= 0)
        close(r->fd_in);
    r->fd_in = -1;
}

static void run_helper(run_t *r)
{
    start_helper(r);
    finish_helper(r);
}

static void init_run(run_t *r, const char *sandbox, double timeout)
{
    memset(r, 0, sizeof *r);
    r->sandbox = sandbox;
    r->timeout = timeout;
    r->fd_in = -1;
}

static void new_marker(char *buf, size_t n)
{
    snprintf(buf, n, "blsbxmark_%d_%d", (int)getpid(), ++marker_seq);
}

/* Number of processes whose command line contains marker. */
static int count_marker(const char *marker)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int count = 0;
    char path[64], buf[4096];
    if (!d)
        return -1;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%.20s/cmdline", de->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        for (ssize_t i = 0; i < n; i++)
            if (!buf[i])
                buf[i] = ' ';
        buf[n] = 0;
        if (strstr(buf, marker))
            count++;
    }
    closedir(d);
    return count;
}

/* Leftovers right after the helper returned (the kernel may still be
 * finishing the last exits: allow 200 ms). */
static int leftovers(const char *marker)
{
    int c = 0;
    for (int i = 0; i < 20; i++) {
        c = count_marker(marker);
        if (c == 0)
            return 0;
        usleep(10000);
    }
    return c;
}

static const char *describe(const run_t *r)
{
    static char buf[1024];
    char st[64];
    if (WIFEXITED(r->wstatus))
        snprintf(st, sizeof st, "exit %d", WEXITSTATUS(r->wstatus));
    else if (WIFSIGNALED(r->wstatus))
        snprintf(st, sizeof st, "signal %d", WTERMSIG(r->wstatus));
    else
        snprintf(st, sizeof st, "status 0x%x", r->wstatus);
    snprintf(buf, sizeof buf,
             "%s%s, %.2fs, status-fd '%.*s', stdout '%.80s', stderr '%.200s'",
             st, r->timed_out ? " (timed out)" : "", r->elapsed,
             (int)(r->statuslen && r->status[r->statuslen - 1] == '\n'
                       ? r->statuslen - 1
                       : r->statuslen),
             r->status, r->out, r->err);
    return buf;
}

static int exited(const run_t *r, int code)
{
    return !r->timed_out && WIFEXITED(r->wstatus) &&
           WEXITSTATUS(r->wstatus) == code;
}

static int failed_or_timed_out(const run_t *r)
{
    return r->timed_out || !WIFEXITED(r->wstatus) ||
           WEXITSTATUS(r->wstatus) != 0;
}

static int file_exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static int rm_cb(const char *p, const struct stat *sb, int t, struct FTW *f)
{
    (void)sb, (void)t, (void)f;
    return remove(p);
}

static void reset_workdir(void)
{
    char p[PATH_MAX + 32];
    FILE *f;
    nftw(workdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(workdir, 0700) != 0) {
        perror("mkdir workdir");
        exit(2);
    }
    snprintf(p, sizeof p, "%s/input.txt", workdir);
    f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs("hello from the host\n", f);
    fclose(f);
}

/* A hostile program: run, then check failure/timeout, timing, leftovers. */
static void hostile(const char *name, run_t *r, const char *marker,
                    int must_fail)
{
    run_helper(r);
    int left = leftovers(marker);
    if (strstr(r->status, "error=") || strstr(r->err, "benchlua: exec-helper"))
        failf(name, "the helper failed: %s", describe(r));
    else if (r->elapsed > r->timeout + 0.5)
        failf(name, "took %.2fs > timeout %.1fs + 0.5s: %s", r->elapsed,
              r->timeout, describe(r));
    else if (left)
        failf(name, "%d process(es) left behind: %s", left, describe(r));
    else if (must_fail && !failed_or_timed_out(r))
        failf(name, "expected failure or timeout: %s", describe(r));
    else
        pass(name, "%s", describe(r));
}

/* ---- the checks ---- */

static void t_python_ok(const char *mode)
{
    char name[64];
    run_t r;
    snprintf(name, sizeof name, "python_ok_%s", mode);
    init_run(&r, mode, 5);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "print(sum(range(10)))";
    run_helper(&r);
    if (exited(&r, 0) && strcmp(r.out, "45\n") == 0 &&
        strstr(r.status, "exit=0"))
        pass(name, "%.1f ms, status '%.*s'", r.elapsed * 1000,
             (int)r.statuslen - 1, r.status);
    else
        failf(name, "%s", describe(&r));
}

static void t_workdir(const char *mode)
{
    char name[64], p[PATH_MAX + 32], buf[64] = "";
    run_t r;
    snprintf(name, sizeof name, "workdir_rw_%s", mode);
    reset_workdir();
    init_run(&r, mode, 5);
    r.prog[0] = "/bin/sh";
    r.prog[1] = "-c";
    r.prog[2] = "cat input.txt && echo written > new.txt && "
                "echo more >> input.txt && mkdir sub && echo x > sub/f && "
                "cat new.txt";
    run_helper(&r);
    snprintf(p, sizeof p, "%s/new.txt", workdir);
    FILE *f = fopen(p, "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    }
    if (exited(&r, 0) && strcmp(r.out, "hello from the host\nwritten\n") == 0 &&
        strcmp(buf, "written\n") == 0)
        pass(name, "%s",
             "reads input.txt, writes new files visible on the host");
    else
        failf(name, "host new.txt '%s': %s", buf, describe(&r));
}

/* As root, a workdir that is not a private directory is refused and left
 * as it was: one given /tmp once handed the whole of /tmp to nobody. */
static void t_workdir_refused(void)
{
    if (!is_root) {
        skip("workdir_refused", "not root: the helper chowns nothing");
        return;
    }
    static const mode_t modes[] = {01777, 0755, 0770};
    char saved[PATH_MAX], p[PATH_MAX + 32];
    snprintf(saved, sizeof saved, "%s", workdir);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "workdir_refused_%04o", (unsigned)modes[i]);
        int fd = -1;
        if (snprintf(workdir, sizeof workdir, "%s.shared%zu", saved, i) >=
                (int)sizeof workdir ||
            snprintf(p, sizeof p, "%s/f", workdir) >= (int)sizeof p ||
            mkdir(workdir, 0700) != 0 || chmod(workdir, modes[i]) != 0 ||
            (fd = open(p, O_CREAT | O_WRONLY, 0644)) < 0) {
            failf(name, "setup: %s", strerror(errno));
            continue;
        }
        close(fd);
        run_t r;
        init_run(&r, "strict", 5);
        r.prog[0] = "/bin/true";
        run_helper(&r);
        struct stat d, f;
        int owned = stat(workdir, &d) == 0 && stat(p, &f) == 0 &&
                    d.st_uid == 0 && f.st_uid == 0;
        if (!exited(&r, 0) && strstr(r.err, "private directory") && owned)
            pass(name, "%s", "refused, owner unchanged");
        else
            failf(name, "owner still root: %d; %s", owned, describe(&r));
        unlink(p);
        rmdir(workdir);
    }
    snprintf(workdir, sizeof workdir, "%s", saved);
}

static void t_identity(void)
{
    run_t r;
    init_run(&r, "strict", 5);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] =
        "import os,socket\n"
        "st=dict(l.split(':',1) for l in open('/proc/self/status'))\n"
        "pids=[p for p in os.listdir('/proc') if p.isdigit()]\n"
        "print(os.getuid(), os.geteuid(), int(st['CapEff'],16), "
        "int(st['CapPrm'],16), int(st['NoNewPrivs']), len(pids), "
        "os.getpid(), socket.gethostname(), os.readlink('/proc/self/ns/net'))";
    run_helper(&r);
    int uid = -1, euid = -1, npids = -1, pid = -1, nnp = -1;
    long long capeff = -1, capprm = -1;
    char host[64] = "", net[64] = "", want_net[64] = "";
    int n = sscanf(r.out, "%d %d %lld %lld %d %d %d %63s %63s", &uid, &euid,
                   &capeff, &capprm, &nnp, &npids, &pid, host, net);
    struct stat nst;
    if (netns_fd >= 0 && fstat(netns_fd, &nst) == 0)
        snprintf(want_net, sizeof want_net, "net:[%llu]",
                 (unsigned long long)nst.st_ino);
    int want_uid = is_root ? BL_SANDBOX_UID : (int)getuid();
    if (exited(&r, 0) && n == 9 && uid == want_uid &&
        (!want_net[0] || strcmp(net, want_net) == 0) && euid == want_uid &&
        capeff == 0 && capprm == 0 && nnp == 1 && npids <= 3 && pid == 2 &&
        strcmp(host, "sandbox") == 0)
        pass("identity",
             "uid %d, no capabilities, NO_NEW_PRIVS, sees %d pids, "
             "is pid %d, hostname %s, %s%s",
             uid, npids, pid, host, net,
             want_net[0] ? " = the shared netns" : "");
    else
        failf("identity", "%s", describe(&r));
}

static void t_exit_and_signal(const char *mode)
{
    char name[64];
    run_t r;
    snprintf(name, sizeof name, "exit_code_%s", mode);
    init_run(&r, mode, 5);
    r.prog[0] = "/bin/sh";
    r.prog[1] = "-c";
    r.prog[2] = "exit 3";
    run_helper(&r);
    if (exited(&r, 3) && strstr(r.status, "exit=3"))
        pass(name, "%s", "");
    else
        failf(name, "%s", describe(&r));

    snprintf(name, sizeof name, "signal_relay_%s", mode);
    init_run(&r, mode, 5);
    r.prog[0] = "/bin/sh";
    r.prog[1] = "-c";
    r.prog[2] = "kill -TERM $$; sleep 5";
    run_helper(&r);
    if (!r.timed_out && WIFSIGNALED(r.wstatus) &&
        WTERMSIG(r.wstatus) == SIGTERM && strstr(r.status, "signal=15"))
        pass(name, "helper died of SIGTERM like the program, %.0f ms",
             r.elapsed * 1000);
    else
        failf(name, "%s", describe(&r));
}

static void t_exec_errors(void)
{
    run_t r;
    init_run(&r, have_ns ? "strict" : "fallback", 5);
    r.prog[0] = "/nonexistent/program";
    run_helper(&r);
    int lines = 0;
    for (char *p = r.err; *p; p++)
        lines += *p == '\n';
    if (exited(&r, 127) && lines == 1 &&
        strncmp(r.err, "benchlua: exec-helper: ", 23) == 0 &&
        strstr(r.status, "error=exec errno=2"))
        pass("exec_missing", "%s", describe(&r));
    else
        failf("exec_missing", "%s", describe(&r));

    init_run(&r, NULL, 5);
    r.prog[0] = "/nonexistent/program";
    run_helper(&r);
    if (exited(&r, 127) && strstr(r.status, "sandbox=off error=exec"))
        pass("exec_missing_nosandbox", "%s", "");
    else
        failf("exec_missing_nosandbox", "%s", describe(&r));

    init_run(&r, NULL, 5);
    r.extra[0] = "--bogus-option";
    r.prog[0] = "/bin/true";
    run_helper(&r);
    if (exited(&r, 125) && strstr(r.err, "unknown option"))
        pass("usage_error", "%s", "");
    else
        failf("usage_error", "%s", describe(&r));

    /* plain (non-sandbox) mode applies rlimits and execs */
    init_run(&r, NULL, 5);
    r.extra[0] = "--rlimit-nofile";
    r.extra[1] = "77";
    r.extra[2] = "--rlimit-as=1g";
    r.prog[0] = "/bin/sh";
    r.prog[1] = "-c";
    r.prog[2] = "ulimit -n; ulimit -v";
    run_helper(&r);
    if (exited(&r, 0) && strcmp(r.out, "77\n1048576\n") == 0 &&
        r.statuslen == 0)
        pass("plain_exec_rlimits", "%s", "");
    else
        failf("plain_exec_rlimits", "%s", describe(&r));
}

static void py_hostile(const char *name, const char *sandbox, double timeout,
                       const char *code, int must_fail, const char *opt1,
                       const char *opt2)
{
    char marker[64];
    run_t r;
    new_marker(marker, sizeof marker);
    init_run(&r, sandbox, timeout);
    r.extra[0] = opt1;
    r.extra[1] = opt1 ? opt2 : NULL;
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = code;
    r.prog[3] = marker;
    hostile(name, &r, marker, must_fail);
}

static const char fork_bomb[] = "import os\n"
                                "while True:\n"
                                "    try: os.fork()\n"
                                "    except OSError: pass\n";

static void t_hostile(void)
{
    py_hostile("fork_bomb", "strict", 1.5, fork_bomb, 1, NULL, NULL);
    py_hostile("infinite_loop", "strict", 1.0, "while True: pass", 1, NULL,
               NULL);
    py_hostile("ignore_sigterm", "strict", 1.0,
               "import signal\n"
               "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
               "    signal.signal(s, signal.SIG_IGN)\n"
               "while True: pass",
               1, NULL, NULL);
    /* The daemon outlives its parent, which exits 0 at once: the helper
     * must still return promptly, and nothing may survive. */
    py_hostile("daemon_after_exit", "strict", 2.0,
               "import os,time,sys\n"
               "if os.fork(): sys.exit(0)\n"
               "os.setsid()\n"
               "if os.fork(): os._exit(0)\n"
               "os.closerange(0, 1000)\n"
               "time.sleep(100)\n",
               0, NULL, NULL);
    py_hostile("daemon_and_timeout", "strict", 1.0,
               "import os,time\n"
               "if os.fork() == 0:\n"
               "    os.setsid()\n"
               "    if os.fork(): os._exit(0)\n"
               "    os.closerange(0, 1000)\n"
               "    time.sleep(100)\n"
               "time.sleep(100)\n",
               1, NULL, NULL);
    py_hostile("memory_huge", "strict", 2.0, "x = bytearray(16 << 30)", 1, NULL,
               NULL);
    py_hostile("memory_grow", "strict", 2.0,
               "l = []\n"
               "while True: l.append(bytearray(32 << 20))\n",
               1, "--rlimit-as", "512M");
    /* without a held-open pipe, stdin is /dev/null: EOF at once */
    py_hostile("stdin_devnull", "strict", 1.0,
               "import sys; sys.exit(len(sys.stdin.read()))", 0, NULL, NULL);
}

static void t_stdin_pipe(void)
{
    char marker[64];
    run_t r;
    new_marker(marker, sizeof marker);
    init_run(&r, "strict", 1.0);
    r.hold_stdin = 1;
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "import sys; print(len(sys.stdin.read()))";
    r.prog[3] = marker;
    hostile("stdin_pipe_held_open", &r, marker, 1);
}

static void t_fsize(void)
{
    char marker[64], p[PATH_MAX + 32];
    struct stat st;
    run_t r;
    reset_workdir();
    new_marker(marker, sizeof marker);
    init_run(&r, "strict", 3.0);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "b = b'x' * (1 << 20)\n"
                "with open('big.bin', 'wb') as f:\n"
                "    for i in range(200): f.write(b)\n";
    r.prog[3] = marker;
    run_helper(&r);
    snprintf(p, sizeof p, "%s/big.bin", workdir);
    long long sz = stat(p, &st) == 0 ? (long long)st.st_size : -1;
    if (failed_or_timed_out(&r) && sz >= 0 && sz <= BL_SB_DEFAULT_FSIZE &&
        !leftovers(marker))
        pass("fsize_default", "file stopped at %lld bytes: %s", sz,
             describe(&r));
    else
        failf("fsize_default", "file %lld bytes: %s", sz, describe(&r));

    /* A program that does not ignore SIGXFSZ dies of it; status-fd says so */
    init_run(&r, "strict", 3.0);
    r.extra[0] = "--rlimit-fsize";
    r.extra[1] = "1M";
    r.prog[0] = "/bin/sh";
    r.prog[1] = "-c";
    r.prog[2] = "exec head -c 100000000 /dev/zero > big2.bin";
    run_helper(&r);
    snprintf(p, sizeof p, "%s/big2.bin", workdir);
    sz = stat(p, &st) == 0 ? (long long)st.st_size : -1;
    if (!r.timed_out && WIFSIGNALED(r.wstatus) &&
        WTERMSIG(r.wstatus) == SIGXFSZ && strstr(r.status, "limit=fsize") &&
        sz == (1 << 20))
        pass("fsize_signal", "%s", describe(&r));
    else
        failf("fsize_signal", "file %lld bytes: %s", sz, describe(&r));
}

static void t_cpu_limit(void)
{
    char marker[64];
    run_t r;
    new_marker(marker, sizeof marker);
    init_run(&r, "strict", 3.0);
    r.extra[0] = "--rlimit-cpu";
    r.extra[1] = "1";
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "while True: pass";
    r.prog[3] = marker;
    run_helper(&r);
    if (!r.timed_out && WIFSIGNALED(r.wstatus) &&
        WTERMSIG(r.wstatus) == SIGKILL && strstr(r.status, "limit=cpu") &&
        !leftovers(marker))
        pass("cpu_limit", "%s", describe(&r));
    else
        failf("cpu_limit", "%s", describe(&r));
}

static void t_write_outside(void)
{
    char marker[64], code[4096], paths[6][PATH_MAX + 80];
    const char *home = getenv("HOME");
    run_t r;
    new_marker(marker, sizeof marker);
    snprintf(paths[0], sizeof paths[0], "%s/%s", home ? home : "/root", marker);
    snprintf(paths[1], sizeof paths[1], "/tmp/%s", marker);
    snprintf(paths[2], sizeof paths[2], "/var/tmp/%s", marker);
    snprintf(paths[3], sizeof paths[3], "/dev/shm/%s", marker);
    snprintf(paths[4], sizeof paths[4], "%s/%s", cwd, marker);
    snprintf(paths[5], sizeof paths[5], "%s/../%s", workdir, marker);
    snprintf(code, sizeof code,
             "import sys\n"
             "ok = 0\n"
             "for p in sys.argv[2:]:\n"
             "    try:\n"
             "        open(p, 'w').write('pwned')\n"
             "        ok += 1\n"
             "    except OSError as e:\n"
             "        pass\n"
             "print(ok)\n");
    init_run(&r, "strict", 3.0);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = code;
    r.prog[3] = marker;
    for (int i = 0; i < 6; i++)
        r.prog[4 + i] = paths[i];
    run_helper(&r);
    int bad = 0;
    char which[256] = "";
    for (int i = 0; i < 6; i++) {
        if (file_exists(paths[i])) {
            bad++;
            strncat(which, paths[i], sizeof which - strlen(which) - 2);
            strcat(which, " ");
            unlink(paths[i]);
        }
    }
    if (exited(&r, 0) && !bad)
        pass("write_outside_workdir",
             "$HOME, /tmp, /var/tmp, /dev/shm, cwd, workdir/..: nothing on "
             "the host (%d writes landed in private tmpfs)",
             atoi(r.out));
    else
        failf("write_outside_workdir", "host files written: %s: %s", which,
              describe(&r));
}

static void t_network(int shared)
{
    const char *name = shared ? "network_shared_netns" : "network_own_netns";
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    char port[16], marker[64];
    run_t r;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(ls, 8) != 0 || getsockname(ls, (struct sockaddr *)&a, &al)) {
        failf(name, "cannot listen on 127.0.0.1: %s", strerror(errno));
        return;
    }
    snprintf(port, sizeof port, "%d", ntohs(a.sin_port));
    new_marker(marker, sizeof marker);
    init_run(&r, "strict", 3.0);
    r.no_netns = !shared;
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "import socket, sys\n"
                "res = []\n"
                "for host in ('127.0.0.1', '1.1.1.1'):\n"
                "    s = socket.socket()\n"
                "    s.settimeout(0.5)\n"
                "    try:\n"
                "        s.connect((host, int(sys.argv[2])))\n"
                "        res.append('connected')\n"
                "    except OSError as e:\n"
                "        res.append(type(e).__name__)\n"
                "print(' '.join(res))\n";
    r.prog[3] = marker;
    r.prog[4] = port;
    run_helper(&r);
    struct pollfd pf = {ls, POLLIN, 0};
    int pending = poll(&pf, 1, 0);
    close(ls);
    if (exited(&r, 0) && !strstr(r.out, "connected") && pending == 0)
        pass(name, "connect: %.*s", (int)(r.outlen ? r.outlen - 1 : 0), r.out);
    else
        failf(name, "pending connections %d: %s", pending, describe(&r));
}

static pid_t spawn_decoy(void)
{
    pid_t d = fork();
    if (d == 0) {
        if (is_root) {
            if (setgid(BL_SANDBOX_GID) || setuid(BL_SANDBOX_UID))
                _exit(1);
        }
        for (;;)
            pause();
    }
    usleep(20000);
    return d;
}

static int decoy_alive(pid_t d)
{
    int st;
    return waitpid(d, &st, WNOHANG) == 0;
}

static void t_kill(void)
{
    char marker[64], dp[32];
    run_t r;
    pid_t decoy = spawn_decoy();
    snprintf(dp, sizeof dp, "%d", (int)decoy);
    new_marker(marker, sizeof marker);
    init_run(&r, "strict", 3.0);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "import os, signal, sys, time\n"
                "out = []\n"
                "for pid in (os.getppid(), -1, int(sys.argv[2]), 1):\n"
                "    try:\n"
                "        os.kill(pid, signal.SIGKILL); out.append('sent')\n"
                "    except OSError as e: out.append(type(e).__name__)\n"
                "time.sleep(0.2)\n"
                "print(' '.join(out), flush=True)\n"
                "os.killpg(0, signal.SIGKILL)\n";
    r.prog[3] = marker;
    r.prog[4] = dp;
    run_helper(&r);
    int alive = decoy_alive(decoy);
    kill(decoy, SIGKILL);
    waitpid(decoy, NULL, 0);
    if (alive && !r.timed_out && r.outlen > 0 && !leftovers(marker) &&
        WIFSIGNALED(r.wstatus) && WTERMSIG(r.wstatus) == SIGKILL)
        pass("kill_parent_and_all",
             "kill(getppid|-1|host pid|1) -> '%.*s'; same-uid host process "
             "and the test survive; killpg(0) only killed the sandbox",
             (int)(r.outlen - 1), r.out);
    else
        failf("kill_parent_and_all", "decoy alive %d: %s", alive, describe(&r));
}

static void t_stdout_flood(void)
{
    char marker[64];
    run_t r;
    new_marker(marker, sizeof marker);
    init_run(&r, "strict", 2.0);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "import sys\n"
                "b = b'y' * (1 << 20)\n"
                "for i in range(300): sys.stdout.buffer.write(b)\n";
    r.prog[3] = marker;
    run_helper(&r);
    int left = leftovers(marker);
    if (r.elapsed <= r.timeout + 0.5 && !left &&
        (r.timed_out || (exited(&r, 0) && r.outtotal == 300LL << 20)))
        pass("stdout_flood", "%lld MiB read in %.2fs%s", r.outtotal >> 20,
             r.elapsed, r.timed_out ? " (killed on time)" : "");
    else
        failf("stdout_flood", "%lld bytes, %d left: %s", r.outtotal, left,
              describe(&r));
}

/* A fork bomb in one sandbox must not starve a concurrent one: the process
 * limit counts per sandbox (per user namespace), not per host uid. */
static void t_concurrent(void)
{
    char marker[64];
    run_t bomb, ok;
    new_marker(marker, sizeof marker);
    init_run(&bomb, "strict", 2.5);
    bomb.prog[0] = PY;
    bomb.prog[1] = "-c";
    bomb.prog[2] = fork_bomb;
    bomb.prog[3] = marker;
    start_helper(&bomb);
    usleep(700000);
    int during = count_marker(marker);
    init_run(&ok, "strict", 2.0);
    ok.prog[0] = PY;
    ok.prog[1] = "-c";
    ok.prog[2] = "import subprocess; print(subprocess.run(['/bin/echo', "
                 "'45'], capture_output=True).stdout.decode().strip())";
    run_helper(&ok);
    finish_helper(&bomb);
    int left = leftovers(marker);
    if (exited(&ok, 0) && strcmp(ok.out, "45\n") == 0 && !left &&
        bomb.elapsed <= bomb.timeout + 0.5)
        pass("concurrent_fork_bomb",
             "bomb had %d processes; a concurrent sandbox still forked: %s",
             during, describe(&ok));
    else
        failf("concurrent_fork_bomb", "bomb procs %d, left %d, ok: %s", during,
              left, describe(&ok));
}

static void t_fallback(void)
{
    char marker[64];
    run_t r;
    t_python_ok("fallback");
    t_exit_and_signal("fallback");
    /* the subreaper kills a daemon left behind on normal exit */
    new_marker(marker, sizeof marker);
    init_run(&r, "fallback", 2.0);
    r.prog[0] = PY;
    r.prog[1] = "-c";
    r.prog[2] = "import os,time,sys\n"
                "if os.fork(): sys.exit(0)\n"
                "os.setsid()\n"
                "if os.fork(): os._exit(0)\n"
                "os.closerange(0, 1000)\n"
                "time.sleep(100)\n";
    r.prog[3] = marker;
    run_helper(&r);
    int left = leftovers(marker);
    if (exited(&r, 0) && !left && strstr(r.status, "sandbox=fallback"))
        pass("fallback_daemon_reaped", "%s", describe(&r));
    else
        failf("fallback_daemon_reaped", "%d left: %s", left, describe(&r));
    if (is_root) {
        init_run(&r, "fallback", 2.0);
        r.prog[0] = "/usr/bin/id";
        r.prog[1] = "-u";
        run_helper(&r);
        if (exited(&r, 0) && atoi(r.out) == BL_SANDBOX_UID)
            pass("fallback_drops_root", "uid %d", atoi(r.out));
        else
            failf("fallback_drops_root", "%s", describe(&r));
    }
}

/* Make the namespaces unavailable for real (max_user_namespaces = 0 in a
 * user namespace of our own), then check strict (126) and auto (falls
 * back). Needs root for the full-range identity map. */
static void t_unavailable(void)
{
    if (!is_root) {
        skip("strict_unavailable", "needs root");
        skip("auto_falls_back", "needs root");
        return;
    }
    int sync_pipe[2];
    reset_workdir();
    if (pipe(sync_pipe)) {
        failf("strict_unavailable", "pipe: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    pid_t x = fork();
    if (x == 0) {
        close(sync_pipe[0]);
        if (unshare(CLONE_NEWUSER) != 0)
            _exit(3);
        if (write(sync_pipe[1], "u", 1) != 1)
            _exit(3);
        close(sync_pipe[1]);
        /* wait for the maps: poll until our uid is 0 */
        for (int i = 0; i < 200 && getuid() != 0; i++)
            usleep(5000);
        int fd = open("/proc/sys/user/max_user_namespaces", O_WRONLY);
        if (getuid() != 0 || fd < 0 || write(fd, "0", 1) != 1)
            _exit(4);
        close(fd);
        netns_fd = userns_fd = -1; /* not usable in here */
        int before = nfail;
        char why[256];
        if (bl_sandbox_probe(why, sizeof why) == 0)
            pass("probe_reports_unavailable", "%s", why);
        else
            failf("probe_reports_unavailable", "probe said ok");
        run_t r;
        init_run(&r, "strict", 3.0);
        r.prog[0] = "/bin/echo";
        r.prog[1] = "hi";
        run_helper(&r);
        int lines = 0;
        for (char *p = r.err; *p; p++)
            lines += *p == '\n';
        if (exited(&r, 126) && lines == 1 && r.outlen == 0 &&
            strstr(r.err, "sandbox unavailable") &&
            strstr(r.status, "error=unavailable"))
            pass("strict_unavailable", "%.*s", (int)r.errlen - 1, r.err);
        else
            failf("strict_unavailable", "%s", describe(&r));
        init_run(&r, "auto", 3.0);
        r.prog[0] = "/bin/sh";
        r.prog[1] = "-c";
        r.prog[2] = "id -u; cat input.txt; echo ok > auto.txt";
        run_helper(&r);
        if (exited(&r, 0) && r.errlen == 0 &&
            strcmp(r.out, "65534\nhello from the host\n") == 0 &&
            strstr(r.status, "sandbox=fallback exit=0"))
            pass("auto_falls_back", "%s", describe(&r));
        else
            failf("auto_falls_back", "%s", describe(&r));
        fflush(stdout);
        _exit(nfail > before ? 1 : 0);
    }
    close(sync_pipe[1]);
    char c, path[64];
    int ok = read(sync_pipe[0], &c, 1) == 1;
    close(sync_pipe[0]);
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)x);
    int fd1 = open(path, O_WRONLY);
    ok = ok && fd1 >= 0 && write(fd1, "0 0 4294967295", 14) == 14;
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)x);
    int fd2 = open(path, O_WRONLY);
    ok = ok && fd2 >= 0 && write(fd2, "0 0 4294967295", 14) == 14;
    if (fd1 >= 0)
        close(fd1);
    if (fd2 >= 0)
        close(fd2);
    int st;
    waitpid(x, &st, 0);
    if (!ok || (WIFEXITED(st) && WEXITSTATUS(st) >= 3)) {
        skip("strict_unavailable", "cannot set up a user namespace with "
                                   "max_user_namespaces=0 here");
        return;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        nfail++;
        printf("FAIL unavailable_checks: child status 0x%x\n", st);
    }
}

/* benchlua is killed with -9: the helper (--pdeathsig) and, in sandbox
 * mode, everything in the sandbox must die with it. */
static void t_pdeathsig(int sandbox)
{
    const char *name = sandbox ? "pdeathsig_sandbox" : "pdeathsig_plain";
    char marker[64], mpid[32];
    new_marker(marker, sizeof marker);
    pid_t m = fork();
    if (m == 0) {
        snprintf(mpid, sizeof mpid, "%d", (int)getpid());
        pid_t h = fork();
        if (h == 0) {
            const char *av[24];
            int n = 0;
            av[n++] = bl;
            av[n++] = "--exec-helper";
            av[n++] = "--pdeathsig";
            av[n++] = "--ppid";
            av[n++] = mpid;
            if (sandbox) {
                av[n++] = "--sandbox=strict";
                av[n++] = "--workdir";
                av[n++] = workdir;
            }
            av[n++] = "--";
            av[n++] = PY;
            av[n++] = "-c";
            /* plain mode: the exec'd program itself dies (this is how
             * llama-server goes); in a sandbox even a setsid child does */
            av[n++] = sandbox ? "import os, time\n"
                                "if os.fork() == 0: os.setsid()\n"
                                "time.sleep(100)\n"
                              : "import time; time.sleep(100)";
            av[n++] = marker;
            av[n] = NULL;
            int dn = open("/dev/null", O_RDWR);
            dup2(dn, 0), dup2(dn, 1);
            execv(bl, (char **)av);
            _exit(99);
        }
        for (;;)
            pause();
    }
    int seen = 0, want = sandbox ? 2 : 1;
    for (int i = 0; i < 300 && seen < want; i++) {
        seen = count_marker(marker);
        usleep(10000);
    }
    double t0 = now();
    kill(m, SIGKILL);
    waitpid(m, NULL, 0);
    int left = seen;
    while (left > 0 && now() - t0 < 2.0) {
        usleep(5000);
        left = count_marker(marker);
    }
    if (seen >= want && left == 0)
        pass(name, "parent killed with -9: %d processes gone after %.0f ms",
             seen, (now() - t0) * 1000);
    else
        failf(name, "saw %d processes, %d still there after 2 s", seen, left);
}

static void t_ppid_gone(void)
{
    run_t r;
    init_run(&r, NULL, 3);
    r.extra[0] = "--ppid";
    r.extra[1] = "1";
    r.prog[0] = "/bin/echo";
    r.prog[1] = "should not run";
    run_helper(&r);
    if (!r.timed_out && WIFSIGNALED(r.wstatus) &&
        WTERMSIG(r.wstatus) == SIGKILL && r.outlen == 0)
        pass("ppid_mismatch_exits", "%s", "");
    else
        failf("ppid_mismatch_exits", "%s", describe(&r));
}

/* The helper's cost is measured in bench/sandbox_cost.lua, not here: a
 * timed test is flaky on a shared machine. */

int main(int argc, char **argv)
{
    char why[256];
    char tmpl[] = "/tmp/bl-test-sandbox-XXXXXX";
    double t0 = now();

    if (argc < 2) {
        fprintf(stderr, "usage: %s /path/to/benchlua\n", argv[0]);
        return 2;
    }
    bl = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    is_root = geteuid() == 0;
    have_py = access(PY, X_OK) == 0;
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 2;
    }
    chmod(tmpl, 0755);
    snprintf(workdir, sizeof workdir, "%s/work", tmpl);
    reset_workdir();

    have_ns = bl_sandbox_probe(why, sizeof why);
    if (have_ns) {
        pass("probe", "%s", why);
    } else if (getenv("BENCHLUA_REQUIRE_SANDBOX") &&
               atoi(getenv("BENCHLUA_REQUIRE_SANDBOX"))) {
        failf("probe", "%s", why);
    } else {
        skip("probe", why);
    }
    if (have_ns) {
        if (bl_sandbox_netns_open(&netns_fd, &userns_fd, why, sizeof why) ==
            0) {
            /* keep them clear of the fd numbers the child dup2()s onto */
            netns_fd = move_high(netns_fd);
            if (userns_fd >= 0)
                userns_fd = move_high(userns_fd);
            pass("netns_open", "netns fd %d, userns fd %d", netns_fd,
                 userns_fd);
        } else
            failf("netns_open", "%s", why);
    }

    t_exec_errors();
    if (!have_py) {
        skip("python", PY " missing: most checks skipped");
    } else if (!have_ns) {
        skip("namespace_checks", why);
        t_fallback();
    } else {
        t_python_ok("strict");
        t_python_ok("auto");
        t_workdir("strict");
        t_workdir_refused();
        t_identity();
        t_exit_and_signal("strict");
        t_hostile();
        t_stdin_pipe();
        t_fsize();
        t_cpu_limit();
        t_write_outside();
        t_network(1);
        t_network(0);
        t_kill();
        t_stdout_flood();
        t_concurrent();
        t_pdeathsig(0);
        t_pdeathsig(1);
        t_ppid_gone();
        t_fallback();
        t_workdir("fallback");
        t_unavailable();
    }

    nftw(tmpl, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    printf("%d passed, %d failed, %d skipped in %.1fs\n", npass, nfail, nskip,
           now() - t0);
    return nfail ? 1 : 0;
}
