/* exec.c - benchlua --exec-helper [OPTIONS] -- PROGRAM [ARGS...]
 *
 * Options (docs/sandbox.md has the full description):
 *   --pdeathsig            SIGKILL this helper when its parent dies
 *   --ppid N               with --pdeathsig: exit at once if getppid() != N
 *   --setpgid              setpgid(0, 0)
 *   --rlimit-as BYTES      --rlimit-cpu SECONDS  --rlimit-nproc N
 *   --rlimit-fsize BYTES   --rlimit-nofile N     (soft = hard; BYTES take an
 *                          optional k/m/g suffix; "unlimited" is accepted)
 *   --sandbox strict|auto|fallback
 *   --workdir DIR          the program's cwd and only writable directory
 *   --status-fd N          write one "key=value ..." line to fd N at the end
 *   --netns-fd N           share this empty network namespace (see
 *   --userns-fd N          bl_sandbox_netns_open) instead of creating one
 * Each option also accepts the --opt=VALUE form.
 */
#include "exec.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int pdeathsig, setpgid;
    long long ppid;
    bl_rlimits lim;
    int sandbox; /* 0 or enum bl_sb_mode */
    const char *workdir;
    int status_fd;
    int netns_fd, userns_fd;
} exec_opts;

static int status_fd = -1;
static const char *sandbox_word = "off";

static void status_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void status_line(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;
    if (status_fd < 0)
        return;
    n = snprintf(buf, sizeof buf, "sandbox=%s ", sandbox_word);
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    signal(SIGPIPE, SIG_IGN);
    while (write(status_fd, buf, (size_t)n) < 0 && errno == EINTR)
        ;
    signal(SIGPIPE, SIG_DFL);
    close(status_fd);
    status_fd = -1;
}

static int fail(int code, const char *kind, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One line on stderr, one line on the status fd, and the exit code. */
static int fail(int code, const char *kind, int err, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (err)
        fprintf(stderr, "benchlua: exec-helper: %s: %s\n", what, strerror(err));
    else
        fprintf(stderr, "benchlua: exec-helper: %s\n", what);
    fflush(stderr);
    status_line("error=%s errno=%d", kind, err);
    return code;
}

/* Parse a non-negative number; with bytes, accept a k/m/g suffix (1024^n).
 * "unlimited"/"infinity" give LLONG_MAX (RLIM_INFINITY). */
static int parse_num(const char *s, long long *out, int bytes)
{
    char *end;
    long long v;
    if (!s || !*s)
        return -1;
    if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
        *out = LLONG_MAX;
        return 0;
    }
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno)
        return -1;
    if (bytes && *end) {
        int shift = 0;
        switch (*end) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        default:
            return -1;
        }
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
        if (v > (LLONG_MAX >> shift))
            return -1;
        v <<= shift;
    }
    if (*end)
        return -1;
    *out = v;
    return 0;
}

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Mark every descriptor >= 3 close-on-exec, so that PROGRAM gets only
 * 0, 1 and 2, whatever benchlua, its libraries (curl's resolver and wakeup
 * socketpairs) or benchlua's own parent left open. The helper still uses
 * its status and namespace descriptors until it execs. */
static void cloexec_from_3(void)
{
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    DIR *d = opendir("/proc/self/fd"); /* kernels before 5.11 */
    if (!d) {
        for (int fd = 3; fd < 65536; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (fd >= 3 && fd != dirfd(d))
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(d);
}

/* Die of sig like PROGRAM did, so our caller sees the same wait status. */
static void die_of_signal(int sig)
{
    struct rlimit core = {0, 0};
    sigset_t set;
    setrlimit(RLIMIT_CORE, &core); /* do not dump the helper's core */
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    kill(getpid(), sig);
    _exit(128 + sig);
}

int bl_exec_main(int argc, char **argv)
{
    exec_opts o;
    int i;

    cloexec_from_3();
    memset(&o, 0, sizeof o);
    o.ppid = -1;
    o.status_fd = o.netns_fd = o.userns_fd = -1;
    bl_rlimits_unset(&o.lim);

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        char name[32];
        const char *eq;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strncmp(a, "--", 2) != 0)
            return fail(BL_EXEC_EXIT_USAGE, "usage", 0,
                        "expected an option or '--', got '%s'", a);
        eq = strchr(a, '=');
        if (eq) {
            size_t n = (size_t)(eq - a);
            if (n >= sizeof name)
                n = sizeof name - 1;
            memcpy(name, a, n);
            name[n] = 0;
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        if (strcmp(name, "--pdeathsig") == 0 ||
            strcmp(name, "--setpgid") == 0) {
            if (val)
                return fail(BL_EXEC_EXIT_USAGE, "usage", 0,
                            "option %s takes no value", name);
            if (name[2] == 'p')
                o.pdeathsig = 1;
            else
                o.setpgid = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc)
                return fail(BL_EXEC_EXIT_USAGE, "usage", 0,
                            "option %s needs a value", name);
            val = argv[++i];
        }
        long long v = 0;
        int bad = 0;
        if (strcmp(name, "--ppid") == 0) {
            bad = parse_num(val, &o.ppid, 0) != 0;
        } else if (strcmp(name, "--rlimit-as") == 0) {
            bad = parse_num(val, &o.lim.as, 1) != 0;
        } else if (strcmp(name, "--rlimit-cpu") == 0) {
            bad = parse_num(val, &o.lim.cpu, 0) != 0;
        } else if (strcmp(name, "--rlimit-nproc") == 0) {
            bad = parse_num(val, &o.lim.nproc, 0) != 0;
        } else if (strcmp(name, "--rlimit-fsize") == 0) {
            bad = parse_num(val, &o.lim.fsize, 1) != 0;
        } else if (strcmp(name, "--rlimit-nofile") == 0) {
            bad = parse_num(val, &o.lim.nofile, 0) != 0;
        } else if (strcmp(name, "--sandbox") == 0) {
            if (strcmp(val, "strict") == 0)
                o.sandbox = BL_SB_STRICT;
            else if (strcmp(val, "auto") == 0)
                o.sandbox = BL_SB_AUTO;
            else if (strcmp(val, "fallback") == 0)
                o.sandbox = BL_SB_FALLBACK;
            else
                bad = 1;
        } else if (strcmp(name, "--workdir") == 0) {
            o.workdir = val;
            bad = !*val;
        } else if (strcmp(name, "--status-fd") == 0 ||
                   strcmp(name, "--netns-fd") == 0 ||
                   strcmp(name, "--userns-fd") == 0) {
            bad = parse_num(val, &v, 0) != 0 || v > INT_MAX;
            if (name[2] == 's')
                o.status_fd = (int)v;
            else if (name[2] == 'n')
                o.netns_fd = (int)v;
            else
                o.userns_fd = (int)v;
        } else {
            return fail(BL_EXEC_EXIT_USAGE, "usage", 0, "unknown option '%s'",
                        name);
        }
        if (bad)
            return fail(BL_EXEC_EXIT_USAGE, "usage", 0, "bad value '%s' for %s",
                        val, name);
    }

    if (o.status_fd >= 0) {
        if (fcntl(o.status_fd, F_SETFD, FD_CLOEXEC) != 0)
            return fail(BL_EXEC_EXIT_USAGE, "usage", errno, "--status-fd %d",
                        o.status_fd);
        status_fd = o.status_fd;
    }
    if ((o.netns_fd >= 0 && fcntl(o.netns_fd, F_SETFD, FD_CLOEXEC) != 0) ||
        (o.userns_fd >= 0 && fcntl(o.userns_fd, F_SETFD, FD_CLOEXEC) != 0))
        return fail(BL_EXEC_EXIT_USAGE, "usage", errno,
                    "--netns-fd/--userns-fd");
    if (o.sandbox)
        sandbox_word = "ns";
    if (i >= argc)
        return fail(BL_EXEC_EXIT_USAGE, "usage", 0,
                    "usage: --exec-helper [OPTIONS] -- PROGRAM [ARGS...]");

    /* (already a group leader, e.g. UV_PROCESS_DETACHED made us a session
     * leader: nothing to do) */
    if (o.setpgid && getpgrp() != getpid() && setpgid(0, 0) != 0)
        return fail(BL_EXEC_EXIT_SETUP, "setup", errno, "setpgid");
    if (o.pdeathsig) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            return fail(BL_EXEC_EXIT_SETUP, "setup", errno,
                        "prctl(PR_SET_PDEATHSIG)");
    }
    if (o.ppid >= 0 && (long long)getppid() != o.ppid) {
        /* The parent is already gone: behave as if PDEATHSIG had fired. */
        die_of_signal(SIGKILL);
    }

    char **prog = argv + i;
    if (!o.sandbox) {
        const char *which = "?";
        if (bl_rlimits_apply(&o.lim, &which) != 0)
            return fail(BL_EXEC_EXIT_SETUP, "setup", errno, "setrlimit(%s)",
                        which);
        if (o.workdir && chdir(o.workdir) != 0)
            return fail(BL_EXEC_EXIT_SETUP, "setup", errno, "chdir '%s'",
                        o.workdir);
        execvp(prog[0], prog);
        return fail(BL_EXEC_EXIT_SETUP, "exec", errno, "cannot execute '%s'",
                    prog[0]);
    }

    bl_sandbox_opts so;
    bl_sandbox_result r;
    char *wd = NULL;
    memset(&so, 0, sizeof so);
    so.mode = o.sandbox;
    so.lim = o.lim;
    so.netns_fd = o.netns_fd;
    so.userns_fd = o.userns_fd;
    bl_rlimits_fill_defaults(&so.lim);
    if (o.workdir) {
        wd = realpath(o.workdir, NULL);
        if (!wd)
            return fail(BL_EXEC_EXIT_SETUP, "setup", errno, "workdir '%s'",
                        o.workdir);
        so.workdir = wd;
    }
    bl_sandbox_run(&so, prog, &r);
    sandbox_word = r.used_ns ? "ns" : "fallback";
    switch (r.outcome) {
    case BL_SB_UNAVAILABLE:
        return fail(BL_EXEC_EXIT_UNAVAILABLE, "unavailable", r.err,
                    "sandbox unavailable: %s", r.what);
    case BL_SB_SETUP_ERROR:
        if (strcmp(r.what, "workdir") == 0)
            return fail(BL_EXEC_EXIT_SETUP, "setup", r.err, "workdir '%s'",
                        so.workdir);
        return fail(BL_EXEC_EXIT_SETUP, "setup", r.err, "%s", r.what);
    case BL_SB_EXEC_ERROR:
        return fail(BL_EXEC_EXIT_SETUP, "exec", r.err, "cannot execute '%s'",
                    prog[0]);
    default:
        break;
    }
    free(wd);

    int st = r.wstatus;
    const char *limit = "";
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if ((sig == SIGKILL || sig == SIGXCPU) && so.lim.cpu != LLONG_MAX &&
            /* the kernel's check and the rusage we read differ under load
             * (877 ms read for a 1 s limit on a loaded 2-core machine):
             * within 25% of the limit is the limit */
            r.cpu_ms * 4 >= so.lim.cpu * 1000 * 3)
            limit = " limit=cpu";
        else if (sig == SIGXFSZ)
            limit = " limit=fsize";
        status_line("signal=%d%s cpu_ms=%lld maxrss_kb=%lld", sig, limit,
                    r.cpu_ms, r.maxrss_kb);
        die_of_signal(sig);
    }
    status_line("exit=%d cpu_ms=%lld maxrss_kb=%lld", WEXITSTATUS(st), r.cpu_ms,
                r.maxrss_kb);
    fflush(NULL);
    _exit(WEXITSTATUS(st));
}
