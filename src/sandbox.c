/* sandbox.c - namespace sandbox for model-written programs (libc only).
 *
 * Process tree in namespace mode (see docs/sandbox.md):
 *
 *   benchlua --uv_spawn--> H  "benchlua --exec-helper ..."  (caller's namespaces)
 *                          |  clone(NEWUSER|NEWPID|NEWNS|NEWNET|NEWIPC|NEWUTS)
 *                          +-> C  pid 1 of the new PID namespace: sets up the
 *                              |  mounts, then is a tiny init that reaps
 *                              +-> P  pid 2: rlimits, no caps, NO_NEW_PRIVS,
 *                                     execvp(PROGRAM)
 *
 * C has PR_SET_PDEATHSIG(SIGKILL) tied to H, so killing H (or its process
 * group) kills C, and the death of a PID namespace's init makes the kernel
 * SIGKILL every process in it (setsid, double fork, ignored signals: all
 * die). When P exits, C reports P's wait status to H over a pipe and exits,
 * which again tears down whatever P left behind. H relays the status.
 *
 * Code that runs in the children (C and P, and the probe's child) only makes
 * system calls (no malloc, no stdio, no glibc set*id broadcast), because the
 * probe clones from a possibly multi-threaded benchlua.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

/* ---- system call shims (older glibc may lack the wrappers/constants) ---- */

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_NOSUID
#define MOUNT_ATTR_NOSUID 0x00000002
#endif
#ifndef MOUNT_ATTR_NODEV
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

struct bl_mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

struct bl_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
        stack_size, tls, set_tid, set_tid_size, cgroup;
};

static int sys_mount_setattr(int dfd, const char *path, unsigned flags,
                             uint64_t set, uint64_t clr, uint64_t prop)
{
    struct bl_mount_attr a;
    memset(&a, 0, sizeof a);
    a.attr_set = set;
    a.attr_clr = clr;
    a.propagation = prop;
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, &a, sizeof a);
}

/* fork()-like clone with namespace flags; returns 0 in the child. */
static pid_t sys_clone_ns(unsigned long flags)
{
    struct bl_clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = flags;
    ca.exit_signal = SIGCHLD;
    long r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r < 0 && (errno == ENOSYS || errno == E2BIG)) {
#if defined(__s390__) || defined(__CRIS__)
        r = syscall(SYS_clone, 0, flags | SIGCHLD, 0, 0, 0);
#else
        r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
#endif
    }
    return (pid_t)r;
}

/* Close every descriptor >= 3 except keep_a and keep_b (either may be -1). */
static void close_fds_except(int keep_a, int keep_b)
{
    int k[2] = {keep_a < keep_b ? keep_a : keep_b,
                keep_a < keep_b ? keep_b : keep_a};
    unsigned lo = 3;
    for (int i = 0; i < 2; i++) {
        if (k[i] < (int)lo)
            continue;
        if ((unsigned)k[i] > lo &&
            syscall(SYS_close_range, lo, (unsigned)k[i] - 1, 0) != 0)
            for (int fd = (int)lo; fd < k[i]; fd++)
                close(fd);
        lo = (unsigned)k[i] + 1;
    }
    if (syscall(SYS_close_range, lo, ~0U, 0) != 0)
        for (int fd = (int)lo; fd < 65536; fd++)
            close(fd);
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Append decimal v to buf at *pos (no allocation; async-signal-safe). */
static void put_u(char *buf, size_t cap, size_t *pos, unsigned long long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n > 0 && *pos + 1 < cap)
        buf[(*pos)++] = tmp[--n];
    buf[*pos] = 0;
}

static void put_s(char *buf, size_t cap, size_t *pos, const char *s)
{
    while (*s && *pos + 1 < cap)
        buf[(*pos)++] = *s++;
    buf[*pos] = 0;
}

/* ---- rlimits ---- */

void bl_rlimits_unset(bl_rlimits *l)
{
    l->as = l->cpu = l->nproc = l->fsize = l->nofile = -1;
}

void bl_rlimits_fill_defaults(bl_rlimits *l)
{
    if (l->as < 0)
        l->as = BL_SB_DEFAULT_AS;
    if (l->cpu < 0)
        l->cpu = BL_SB_DEFAULT_CPU;
    if (l->nproc < 0)
        l->nproc = BL_SB_DEFAULT_NPROC;
    if (l->fsize < 0)
        l->fsize = BL_SB_DEFAULT_FSIZE;
    if (l->nofile < 0)
        l->nofile = BL_SB_DEFAULT_NOFILE;
}

static int set_one(int res, long long v)
{
    struct rlimit r;
    if (v < 0)
        return 0;
    if (v == LLONG_MAX) {
        /* "unlimited": as much as we are allowed (soft = inherited hard) */
        if (getrlimit(res, &r) != 0)
            return -1;
        r.rlim_cur = r.rlim_max;
    } else {
        r.rlim_cur = r.rlim_max = (rlim_t)v;
    }
    return setrlimit(res, &r);
}

int bl_rlimits_apply(const bl_rlimits *l, const char **which)
{
    static const char *const names[] = {"as", "cpu", "nproc", "fsize",
                                        "nofile"};
    const int res[] = {RLIMIT_AS, RLIMIT_CPU, RLIMIT_NPROC, RLIMIT_FSIZE,
                       RLIMIT_NOFILE};
    const long long v[] = {l->as, l->cpu, l->nproc, l->fsize, l->nofile};
    for (int i = 0; i < 5; i++) {
        if (set_one(res[i], v[i]) != 0) {
            if (which)
                *which = names[i];
            return -1;
        }
    }
    return 0;
}

/* ---- reports from the children to the helper ---- */

enum {
    ST_NONE,
    ST_PIPE,
    ST_CLONE,
    ST_SETGROUPS_FILE,
    ST_UIDMAP,
    ST_GIDMAP,
    ST_GO,
    ST_OPEN_WORKDIR,
    ST_OPEN_TARGET,
    ST_SETGROUPS,
    ST_SETGID,
    ST_SETUID,
    ST_CAPS,
    ST_PDEATHSIG,
    ST_SETSID,
    ST_RO_ROOT,
    ST_TMP,
    ST_SHM,
    ST_MKDIR,
    ST_WD_ATTR,
    ST_WD_MOVE,
    ST_CHDIR,
    ST_PROC,
    ST_HOSTNAME,
    ST_FORK,
    ST_RLIMIT,
    ST_RLIMIT_AS,
    ST_RLIMIT_CPU,
    ST_RLIMIT_NPROC,
    ST_RLIMIT_FSIZE,
    ST_RLIMIT_NOFILE,
    ST_NNP,
    ST_CAPDROP,
    ST_CHOWN,
    ST_WD_PRIVATE,
    ST_WORKDIR,
    ST_SUBREAPER,
    ST_NOREPORT,
    ST_COUNT
};

static const struct {
    const char *what;
    int infra; /* 1: environment lacks a namespace feature -> may fall back */
} stages[ST_COUNT] = {
    [ST_NONE] = {"unknown step", 0},
    [ST_PIPE] = {"pipe", 0},
    [ST_CLONE] = {"clone(CLONE_NEWUSER|NEWPID|NEWNS|NEWNET|NEWIPC|NEWUTS)", 1},
    [ST_SETGROUPS_FILE] = {"write /proc/PID/setgroups", 1},
    [ST_UIDMAP] = {"write /proc/PID/uid_map", 1},
    [ST_GIDMAP] = {"write /proc/PID/gid_map", 1},
    [ST_GO] = {"start sandbox child", 1},
    [ST_OPEN_WORKDIR] = {"open_tree(workdir)", 0},
    [ST_OPEN_TARGET] = {"open workdir mount point", 0},
    [ST_SETGROUPS] = {"setgroups in sandbox", 1},
    [ST_SETGID] = {"setresgid in sandbox", 1},
    [ST_SETUID] = {"setresuid in sandbox", 1},
    [ST_CAPS] = {"capset in sandbox", 1},
    [ST_PDEATHSIG] = {"prctl(PR_SET_PDEATHSIG)", 0},
    [ST_SETSID] = {"setsid", 0},
    [ST_RO_ROOT] = {"mount_setattr(/, recursive read-only)", 1},
    [ST_TMP] = {"mount tmpfs on /tmp", 1},
    [ST_SHM] = {"mount tmpfs on /dev/shm", 1},
    [ST_MKDIR] = {"mkdir workdir mount point", 0},
    [ST_WD_ATTR] = {"mount_setattr(workdir)", 1},
    [ST_WD_MOVE] = {"move_mount(workdir)", 1},
    [ST_CHDIR] = {"chdir(workdir)", 0},
    [ST_PROC] = {"mount proc on /proc", 1},
    [ST_HOSTNAME] = {"sethostname", 1},
    [ST_FORK] = {"fork", 0},
    [ST_RLIMIT] = {"setrlimit", 0},
    [ST_RLIMIT_AS] = {"setrlimit(RLIMIT_AS)", 0},
    [ST_RLIMIT_CPU] = {"setrlimit(RLIMIT_CPU)", 0},
    [ST_RLIMIT_NPROC] = {"setrlimit(RLIMIT_NPROC)", 0},
    [ST_RLIMIT_FSIZE] = {"setrlimit(RLIMIT_FSIZE)", 0},
    [ST_RLIMIT_NOFILE] = {"setrlimit(RLIMIT_NOFILE)", 0},
    [ST_NNP] = {"prctl(PR_SET_NO_NEW_PRIVS)", 0},
    [ST_CAPDROP] = {"capset (drop capabilities)", 0},
    [ST_CHOWN] = {"chown workdir to the sandbox user", 0},
    [ST_WD_PRIVATE] =
        {"workdir: as root it is handed to the sandbox user, so it "
         "must be a private directory (mode 0700, as mkdtemp "
         "makes it), not / or a home or a mount point",
         0},
    [ST_WORKDIR] = {"workdir", 0},
    [ST_SUBREAPER] = {"prctl(PR_SET_CHILD_SUBREAPER)", 0},
    [ST_NOREPORT] = {"sandbox init died without a report", 0},
};

struct sb_msg {
    int kind;  /* 'F' setup failed, 'E' exec failed, 'S' status, 'K' probe ok */
    int stage; /* for 'F' */
    int err;   /* errno for 'F'/'E' */
    int wstatus;
    long long cpu_ms, maxrss_kb;
};

static void msg_send(int fd, int kind, int stage, int err)
{
    struct sb_msg m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.stage = stage;
    m.err = err;
    (void)write_all(fd, &m, sizeof m);
}

/* Fail in a child: report and exit. */
static void child_fail(int rep_fd, int stage)
{
    int e = errno;
    msg_send(rep_fd, 'F', stage, e);
    _exit(127);
}

/* ---- the sandbox child (pid 1 of the new namespaces) ---- */

typedef struct {
    int probe;          /* probe mode: set everything up, report 'K', exit */
    int root_mode;      /* helper is root: become BL_SANDBOX_UID inside */
    const char *wd_src; /* directory to expose read-write (NULL: none) */
    const char *wd_dst; /* where it appears (same path unless probing) */
    const bl_rlimits *lim;
    char *const *argv;
    int go_r, rep_w;
    int netns_fd, userns_fd; /* helper side only */
} sb_ctx;

static int path_under(const char *p, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(p, dir, n) == 0 && (p[n] == 0 || p[n] == '/');
}

/* mkdir -p for a path that lives inside one of our fresh tmpfs mounts. */
static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return errno = ENAMETOOLONG, -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

static int caps_set(int keep_permitted_as_effective)
{
    struct __user_cap_header_struct h;
    struct __user_cap_data_struct d[2];
    memset(&h, 0, sizeof h);
    memset(d, 0, sizeof d);
    h.version = _LINUX_CAPABILITY_VERSION_3;
    if (keep_permitted_as_effective) {
        if (syscall(SYS_capget, &h, d) != 0)
            return -1;
        for (int i = 0; i < 2; i++)
            d[i].effective = d[i].permitted;
    }
    return (int)syscall(SYS_capset, &h, d);
}

static void tmpfs_opts(char *buf, size_t cap, long long size)
{
    size_t pos = 0;
    buf[0] = 0;
    put_s(buf, cap, &pos, "mode=1777,nr_inodes=16384,size=");
    put_u(buf, cap, &pos, (unsigned long long)size);
}

/* Runs in P: become PROGRAM. Never returns. */
static void sb_exec_program(const sb_ctx *c)
{
    const char *which = NULL;
    struct rlimit core = {0, 0};
    if (bl_rlimits_apply(c->lim, &which) != 0) {
        int st = ST_RLIMIT;
        switch (which ? which[0] : 0) {
        case 'a':
            st = ST_RLIMIT_AS;
            break;
        case 'c':
            st = ST_RLIMIT_CPU;
            break;
        case 'f':
            st = ST_RLIMIT_FSIZE;
            break;
        case 'n':
            st = which[1] == 'p' ? ST_RLIMIT_NPROC : ST_RLIMIT_NOFILE;
            break;
        }
        child_fail(c->rep_w, st);
    }
    if (setrlimit(RLIMIT_CORE, &core) != 0)
        child_fail(c->rep_w, ST_RLIMIT);
    /* Drop every capability (we may hold some in the new user namespace),
     * and forbid regaining any through execve. */
    if (caps_set(0) != 0)
        child_fail(c->rep_w, ST_CAPDROP);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        child_fail(c->rep_w, ST_NNP);
    close_fds_except(c->rep_w, -1);
    execvp(c->argv[0], c->argv);
    msg_send(c->rep_w, 'E', ST_NONE, errno);
    _exit(127);
}

/* Runs in C, pid 1 of the new namespaces. Never returns. */
static void sb_ns_init(const sb_ctx *c)
{
    int rep = c->rep_w;
    char opts[96];
    long long tmpsize;
    int tree = -1, target = -1;
    char go;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        child_fail(rep, ST_PDEATHSIG);
    if (c->probe) {
        /* the probe's child must not hold benchlua's stdio */
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (nul >= 0) {
            dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
        }
    }
    close_fds_except(c->go_r, rep);
    /* Wait until the helper has written our uid/gid maps. EOF means the
     * helper died or gave up. */
    for (;;) {
        ssize_t k = read(c->go_r, &go, 1);
        if (k == 1)
            break;
        if (k < 0 && errno == EINTR)
            continue;
        _exit(127);
    }

    /* Path lookups that need the helper's own identity happen now, before
     * we become the unprivileged user. */
    if (c->wd_src) {
        tree = (int)syscall(SYS_open_tree, AT_FDCWD, c->wd_src,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (tree < 0)
            child_fail(rep, ST_OPEN_WORKDIR);
        if (!path_under(c->wd_dst, "/tmp") &&
            !path_under(c->wd_dst, "/dev/shm")) {
            target = open(c->wd_dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (target < 0)
                child_fail(rep, ST_OPEN_TARGET);
        }
    }

    if (c->root_mode) {
        /* We are still kuid 0, which is not mapped in our user namespace;
         * become the mapped unprivileged user, keeping the capabilities we
         * hold in the new namespace for the mount setup below. Raw system
         * calls: glibc's set*id would try to sync threads of the caller. */
        if (syscall(SYS_setgroups, 0, NULL) != 0)
            child_fail(rep, ST_SETGROUPS);
        if (syscall(SYS_setresgid, BL_SANDBOX_GID, BL_SANDBOX_GID,
                    BL_SANDBOX_GID) != 0)
            child_fail(rep, ST_SETGID);
        prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
        if (syscall(SYS_setresuid, BL_SANDBOX_UID, BL_SANDBOX_UID,
                    BL_SANDBOX_UID) != 0)
            child_fail(rep, ST_SETUID);
        if (caps_set(1) != 0)
            child_fail(rep, ST_CAPS);
        /* A credential change clears the parent-death signal: set it again,
         * then make sure the helper did not die in between (it holds the
         * write end of go_r open until it exits). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            child_fail(rep, ST_PDEATHSIG);
        struct pollfd pf = {c->go_r, POLLIN, 0};
        if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR)))
            _exit(127);
    }

    /* Own session: nothing in here can signal the helper's process group,
     * and a group kill of the helper does not need to reach us (the
     * parent-death signal and the PID namespace take care of it). */
    if (setsid() < 0)
        child_fail(rep, ST_SETSID);

    /* Everything read-only and private (no propagation to the host). */
    if (sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE,
                          MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0,
                          MS_PRIVATE) != 0)
        child_fail(rep, ST_RO_ROOT);

    tmpsize = c->lim && c->lim->fsize > 0 && c->lim->fsize < (1LL << 40)
                  ? c->lim->fsize
                  : BL_SB_DEFAULT_FSIZE;
    if (tmpsize < (1LL << 20))
        tmpsize = 1LL << 20;
    tmpfs_opts(opts, sizeof opts, tmpsize);
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0)
        child_fail(rep, ST_TMP);
    {
        struct stat st;
        if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
            mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts) !=
                0)
            child_fail(rep, ST_SHM);
    }

    if (tree >= 0) {
        if (target < 0) {
            if (mkdir_p(c->wd_dst) != 0)
                child_fail(rep, ST_MKDIR);
            target = open(c->wd_dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (target < 0)
                child_fail(rep, ST_OPEN_TARGET);
        }
        if (sys_mount_setattr(tree, "", AT_EMPTY_PATH,
                              MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0) != 0)
            child_fail(rep, ST_WD_ATTR);
        if (syscall(SYS_move_mount, tree, "", target, "",
                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
            child_fail(rep, ST_WD_MOVE);
        /* tree now refers to the root of the attached mount: chdir there
         * even if the path's parents are not searchable by the user. */
        if (fchdir(tree) != 0)
            child_fail(rep, ST_CHDIR);
        close(tree);
        close(target);
    }

    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              NULL) != 0)
        child_fail(rep, ST_PROC);
    if (sethostname("sandbox", 7) != 0)
        child_fail(rep, ST_HOSTNAME);

    if (c->probe) {
        msg_send(rep, 'K', ST_NONE, 0);
        _exit(0);
    }

    pid_t p = fork();
    if (p < 0)
        child_fail(rep, ST_FORK);
    if (p == 0)
        sb_exec_program(c);

    /* Tiny init: reap everything until PROGRAM exits, then report and exit;
     * our exit makes the kernel kill whatever PROGRAM left running. */
    close(0), close(1), close(2), close(c->go_r);
    for (;;) {
        int st;
        struct rusage ru;
        pid_t w = wait4(-1, &st, 0, &ru);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            child_fail(rep, ST_NOREPORT);
        }
        if (w == p) {
            struct sb_msg m;
            memset(&m, 0, sizeof m);
            m.kind = 'S';
            m.wstatus = st;
            m.cpu_ms =
                (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
            m.maxrss_kb = ru.ru_maxrss;
            (void)write_all(rep, &m, sizeof m);
            _exit(0);
        }
    }
}

/* ---- helper side ---- */

#define NS_FLAGS                                                 \
    (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | \
     CLONE_NEWIPC | CLONE_NEWUTS)

/* Join the shared network namespace if we were given one; returns the clone
 * flags to use (without CLONE_NEWNET when joined). */
static unsigned long ns_flags_for(const sb_ctx *c)
{
    struct stat a, b;
    if (c->netns_fd < 0)
        return NS_FLAGS;
    /* Refuse the namespace we are already in (the host's, by mistake). */
    if (fstat(c->netns_fd, &a) != 0 || stat("/proc/self/ns/net", &b) != 0 ||
        (a.st_ino == b.st_ino && a.st_dev == b.st_dev))
        return NS_FLAGS;
    if (c->userns_fd >= 0 && setns(c->userns_fd, CLONE_NEWUSER) != 0)
        return NS_FLAGS;
    if (setns(c->netns_fd, CLONE_NEWNET) != 0)
        return NS_FLAGS;
    return NS_FLAGS & ~(unsigned long)CLONE_NEWNET;
}

static int write_proc_file(pid_t pid, const char *name, const char *data)
{
    char path[64];
    size_t pos = 0;
    put_s(path, sizeof path, &pos, "/proc/");
    put_u(path, sizeof path, &pos, (unsigned long long)pid);
    put_s(path, sizeof path, &pos, "/");
    put_s(path, sizeof path, &pos, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, data, strlen(data));
    int e = errno;
    close(fd);
    if (w != (ssize_t)strlen(data)) {
        errno = w < 0 ? e : EIO;
        return -1;
    }
    return 0;
}

/* Write the child's maps: as root, map BL_SANDBOX_UID to itself (the
 * program runs as nobody on the host); otherwise map our own uid/gid. */
static int write_maps(pid_t pid, int root_mode, int *stage)
{
    char m[64];
    size_t pos;
    unsigned long long u = root_mode ? BL_SANDBOX_UID : geteuid();
    unsigned long long g = root_mode ? BL_SANDBOX_GID : getegid();

    if (!root_mode) {
        *stage = ST_SETGROUPS_FILE;
        if (write_proc_file(pid, "setgroups", "deny") != 0)
            return -1;
    }
    pos = 0;
    put_u(m, sizeof m, &pos, u);
    put_s(m, sizeof m, &pos, " ");
    put_u(m, sizeof m, &pos, u);
    put_s(m, sizeof m, &pos, " 1\n");
    *stage = ST_UIDMAP;
    if (write_proc_file(pid, "uid_map", m) != 0)
        return -1;
    pos = 0;
    put_u(m, sizeof m, &pos, g);
    put_s(m, sizeof m, &pos, " ");
    put_u(m, sizeof m, &pos, g);
    put_s(m, sizeof m, &pos, " 1\n");
    *stage = ST_GIDMAP;
    return write_proc_file(pid, "gid_map", m);
}

static void set_err(bl_sandbox_result *r, int outcome, int stage, int err)
{
    r->outcome = outcome;
    r->err = err;
    snprintf(r->what, sizeof r->what, "%s",
             stages[stage >= 0 && stage < ST_COUNT ? stage : ST_NONE].what);
}

/* Start the namespaces, run, and wait. Returns 0 with *r filled, or -1 with
 * stage and err when the namespace machinery itself failed (fallback-able). */
static int run_ns(const sb_ctx *base, bl_sandbox_result *r, int *stage,
                  int *err)
{
    int go[2], rep[2];
    sb_ctx c = *base;
    struct sb_msg m, got_f, got_e, got_s;
    int have_f = 0, have_e = 0, have_s = 0, have_k = 0;
    int cst = 0;

    if (pipe2(go, O_CLOEXEC) != 0)
        return *stage = ST_PIPE, *err = errno, -1;
    if (pipe2(rep, O_CLOEXEC) != 0) {
        *stage = ST_PIPE, *err = errno;
        close(go[0]), close(go[1]);
        return -1;
    }
    c.go_r = go[0];
    c.rep_w = rep[1];
    pid_t pid = sys_clone_ns(c.probe ? NS_FLAGS : ns_flags_for(base));
    if (pid < 0) {
        *stage = ST_CLONE, *err = errno;
        close(go[0]), close(go[1]), close(rep[0]), close(rep[1]);
        return -1;
    }
    if (pid == 0)
        sb_ns_init(&c); /* never returns */

    close(go[0]);
    close(rep[1]);
    if (write_maps(pid, c.root_mode, stage) != 0 ||
        (*stage = ST_GO, write_all(go[1], "g", 1) != 0)) {
        *err = errno;
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        close(go[1]), close(rep[0]);
        return -1;
    }
    memset(&got_s, 0, sizeof got_s);
    memset(&got_f, 0, sizeof got_f);
    memset(&got_e, 0, sizeof got_e);
    for (;;) {
        ssize_t n = read(rep[0], &m, sizeof m);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof m)
            break;
        if (m.kind == 'F' && !have_f)
            got_f = m, have_f = 1;
        else if (m.kind == 'E')
            got_e = m, have_e = 1;
        else if (m.kind == 'S')
            got_s = m, have_s = 1;
        else if (m.kind == 'K')
            have_k = 1;
    }
    close(rep[0]);
    while (waitpid(pid, &cst, 0) < 0) {
        if (errno != EINTR) {
            cst = 0;
            break;
        }
    }
    close(go[1]);

    r->used_ns = 1;
    if (have_f) {
        if (stages[got_f.stage].infra)
            return *stage = got_f.stage, *err = got_f.err, -1;
        set_err(r, BL_SB_SETUP_ERROR, got_f.stage, got_f.err);
        return 0;
    }
    if (have_e) {
        set_err(r, BL_SB_EXEC_ERROR, ST_NONE, got_e.err);
        return 0;
    }
    if (c.probe) {
        if (have_k) {
            r->outcome = BL_SB_RAN;
            return 0;
        }
        *stage = ST_NOREPORT, *err = 0;
        return -1;
    }
    if (have_s) {
        r->outcome = BL_SB_RAN;
        r->wstatus = got_s.wstatus;
        r->cpu_ms = got_s.cpu_ms;
        r->maxrss_kb = got_s.maxrss_kb;
        return 0;
    }
    /* The init died without a report: it was killed from outside (only
     * possible for the caller's user). Relay that. */
    r->outcome = BL_SB_RAN;
    r->wstatus = WIFSIGNALED(cst) ? cst : (SIGKILL & 0x7f);
    return 0;
}

static int chown_cb(const char *path, const struct stat *sb, int type,
                    struct FTW *ftw)
{
    (void)type;
    (void)ftw;
    if (sb->st_uid == BL_SANDBOX_UID && sb->st_gid == BL_SANDBOX_GID)
        return 0;
    /* Never hand over a hard link to a file that also lives elsewhere. */
    if (!S_ISDIR(sb->st_mode) && sb->st_nlink > 1)
        return 0;
    return lchown(path, BL_SANDBOX_UID, BL_SANDBOX_GID) != 0 ? -1 : 0;
}

/* As root the workdir and everything in it is given to the sandbox user:
 * only a directory made for the purpose may be (a helper once given /tmp
 * handed over the whole of it). Private means already the sandbox user's,
 * or mode 0700 without sticky or set-id bits, and neither /, the account's
 * home nor a mount point. */
static int workdir_is_private(const char *path, const struct stat *st)
{
    if (st->st_uid == BL_SANDBOX_UID)
        return 1;
    if ((st->st_mode & 07077) != 0)
        return 0;
    char up[PATH_MAX];
    struct stat pst, hst;
    if (snprintf(up, sizeof up, "%s/..", path) >= (int)sizeof up ||
        stat(up, &pst) != 0)
        return 0;
    if (pst.st_dev != st->st_dev || pst.st_ino == st->st_ino)
        return 0; /* a mount point, or / */
    /* the account's home, not $HOME: the helper gets the program's
     * environment, whose HOME is the workdir itself */
    const struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_dir && stat(pw->pw_dir, &hst) == 0 &&
        hst.st_dev == st->st_dev && hst.st_ino == st->st_ino)
        return 0;
    return 1;
}

/* Kill and reap every remaining child (orphans reparented to us as child
 * subreaper), repeatedly, until we have none. */
static void kill_children(void)
{
    char path[64], buf[4096];
    size_t pos = 0;
    int killed = 0;
    put_s(path, sizeof path, &pos, "/proc/self/task/");
    put_u(path, sizeof path, &pos, (unsigned long long)getpid());
    put_s(path, sizeof path, &pos, "/children");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            buf[n] = 0;
            for (char *s = buf; *s;) {
                char *e;
                long v = strtol(s, &e, 10);
                if (e == s)
                    break;
                if (v > 1)
                    kill((pid_t)v, SIGKILL), killed++;
                s = e;
            }
        }
    }
    if (killed)
        return;
    /* No CONFIG_PROC_CHILDREN (or nothing listed): scan /proc. */
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *de;
    pid_t self = getpid();
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        pos = 0;
        put_s(path, sizeof path, &pos, "/proc/");
        put_u(path, sizeof path, &pos, strtoull(de->d_name, NULL, 10));
        put_s(path, sizeof path, &pos, "/stat");
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = 0;
        char *rp = strrchr(buf, ')');
        if (!rp)
            continue;
        char state;
        int ppid;
        if (sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
            kill((pid_t)atoi(de->d_name), SIGKILL);
    }
    closedir(d);
}

static void reap_all_children(void)
{
    for (int iter = 0; iter < 10000; iter++) {
        pid_t w;
        while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (w < 0 && errno != EINTR)
            return; /* ECHILD: none left */
        if (w == 0) {
            kill_children();
            if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
                return;
        }
    }
}

/* Fallback: no namespaces. Fork PROGRAM with rlimits, NO_NEW_PRIVS, the
 * unprivileged uid when we are root, PR_SET_PDEATHSIG tied to us; we are a
 * child subreaper and kill whatever is left when PROGRAM exits. */
static void run_fallback(const sb_ctx *c, bl_sandbox_result *r)
{
    int rep[2];
    pid_t self = getpid();
    r->used_ns = 0;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        set_err(r, BL_SB_SETUP_ERROR, ST_SUBREAPER, errno);
        return;
    }
    if (pipe2(rep, O_CLOEXEC) != 0) {
        set_err(r, BL_SB_SETUP_ERROR, ST_PIPE, errno);
        return;
    }
    pid_t p = fork();
    if (p < 0) {
        set_err(r, BL_SB_SETUP_ERROR, ST_FORK, errno);
        close(rep[0]), close(rep[1]);
        return;
    }
    if (p == 0) {
        sb_ctx cc = *c;
        cc.rep_w = rep[1];
        close(rep[0]);
        if (c->root_mode) {
            if (syscall(SYS_setgroups, 0, NULL) != 0)
                child_fail(rep[1], ST_SETGROUPS);
            if (syscall(SYS_setresgid, BL_SANDBOX_GID, BL_SANDBOX_GID,
                        BL_SANDBOX_GID) != 0)
                child_fail(rep[1], ST_SETGID);
            if (syscall(SYS_setresuid, BL_SANDBOX_UID, BL_SANDBOX_UID,
                        BL_SANDBOX_UID) != 0)
                child_fail(rep[1], ST_SETUID);
        }
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            child_fail(rep[1], ST_PDEATHSIG);
        if (getppid() != self)
            _exit(127);
        if (c->wd_src && chdir(c->wd_src) != 0)
            child_fail(rep[1], ST_CHDIR);
        sb_exec_program(&cc);
    }
    close(rep[1]);
    struct sb_msg m;
    int have_f = 0, have_e = 0;
    struct sb_msg got;
    memset(&got, 0, sizeof got);
    for (;;) {
        ssize_t n = read(rep[0], &m, sizeof m);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof m)
            break;
        if (m.kind == 'F' && !have_f)
            got = m, have_f = 1;
        else if (m.kind == 'E' && !have_f)
            got = m, have_e = 1;
    }
    close(rep[0]);
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(-1, &st, 0, &ru);
        if (w == p)
            break;
        if (w < 0 && errno != EINTR)
            break;
    }
    reap_all_children();
    if (have_f) {
        set_err(r, BL_SB_SETUP_ERROR, got.stage, got.err);
        return;
    }
    if (have_e) {
        set_err(r, BL_SB_EXEC_ERROR, ST_NONE, got.err);
        return;
    }
    r->outcome = BL_SB_RAN;
    r->wstatus = st;
    r->cpu_ms = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    r->maxrss_kb = ru.ru_maxrss;
}

void bl_sandbox_run(const bl_sandbox_opts *o, char *const argv[],
                    bl_sandbox_result *r)
{
    sb_ctx c;
    memset(r, 0, sizeof *r);
    memset(&c, 0, sizeof c);
    c.root_mode = geteuid() == 0;
    c.wd_src = c.wd_dst = o->workdir;
    c.lim = &o->lim;
    c.argv = argv;
    c.go_r = c.rep_w = -1;
    c.netns_fd = o->netns_fd;
    c.userns_fd = o->userns_fd;

    if (o->workdir) {
        struct stat st;
        if (stat(o->workdir, &st) != 0) {
            set_err(r, BL_SB_SETUP_ERROR, ST_WORKDIR, errno);
            return;
        }
        if (!S_ISDIR(st.st_mode)) {
            set_err(r, BL_SB_SETUP_ERROR, ST_WORKDIR, ENOTDIR);
            return;
        }
        if (c.root_mode && !workdir_is_private(o->workdir, &st)) {
            set_err(r, BL_SB_SETUP_ERROR, ST_WD_PRIVATE, EPERM);
            return;
        }
        if (c.root_mode &&
            nftw(o->workdir, chown_cb, 16, FTW_PHYS | FTW_MOUNT) != 0) {
            set_err(r, BL_SB_SETUP_ERROR, ST_CHOWN, errno);
            return;
        }
    }
    /* RLIMIT_AS is per process: a sandbox can exhaust the machine's memory.
     * Its processes (this helper and all below it inherit the value), not
     * llama-server or benchlua, are then the OOM killer's first choice.
     * Raising one's own score needs no privilege; best effort. */
    (void)write_proc_file(getpid(), "oom_score_adj", "1000");
    if (o->mode != BL_SB_FALLBACK) {
        int stage = ST_NONE, err = 0;
        if (run_ns(&c, r, &stage, &err) == 0)
            return;
        if (o->mode == BL_SB_STRICT) {
            set_err(r, BL_SB_UNAVAILABLE, stage, err);
            r->used_ns = 1;
            return;
        }
        memset(r, 0, sizeof *r);
    }
    run_fallback(&c, r);
}

int bl_sandbox_probe(char *why, size_t n)
{
    sb_ctx c;
    bl_sandbox_result r;
    bl_rlimits lim;
    int stage = ST_NONE, err = 0;

    memset(&c, 0, sizeof c);
    memset(&r, 0, sizeof r);
    bl_rlimits_unset(&lim);
    bl_rlimits_fill_defaults(&lim);
    c.probe = 1;
    c.netns_fd = c.userns_fd = -1;
    c.root_mode = geteuid() == 0;
    c.wd_src = "/etc";
    c.wd_dst = "/tmp/.benchlua-probe";
    c.lim = &lim;
    if (run_ns(&c, &r, &stage, &err) == 0 && r.outcome == BL_SB_RAN) {
        if (why && n)
            snprintf(why, n, "ok");
        return 1;
    }
    if (r.outcome != BL_SB_RAN && r.what[0]) {
        stage = ST_NONE;
        err = r.err;
    }
    if (why && n) {
        const char *what =
            r.outcome != BL_SB_RAN && r.what[0] ? r.what : stages[stage].what;
        if (err)
            snprintf(why, n, "%s: %s", what, strerror(err));
        else
            snprintf(why, n, "%s", what);
    }
    return 0;
}

int bl_sandbox_netns_open(int *netns_fd, int *userns_fd, char *why, size_t n)
{
    int root = geteuid() == 0, p[2], stage = ST_CLONE, err = 0;
    int nfd = -1, ufd = -1;
    char path[64];
    size_t pos;
    char c;

    *netns_fd = *userns_fd = -1;
    if (pipe2(p, O_CLOEXEC) != 0) {
        stage = ST_PIPE, err = errno;
        goto out;
    }
    pid_t pid =
        sys_clone_ns(root ? CLONE_NEWNET : CLONE_NEWNET | CLONE_NEWUSER);
    if (pid == 0) {
        /* Only hold the namespaces until the parent has opened them. */
        close(p[1]);
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(p[0]);
    if (pid < 0) {
        err = errno;
        close(p[1]);
        goto out;
    }
    if (!root && write_maps(pid, 0, &stage) != 0)
        err = errno;
    if (!err) {
        pos = 0;
        put_s(path, sizeof path, &pos, "/proc/");
        put_u(path, sizeof path, &pos, (unsigned long long)pid);
        put_s(path, sizeof path, &pos, "/ns/net");
        nfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nfd >= 0 && !root) {
            memcpy(path + pos - 3, "user", 5);
            ufd = open(path, O_RDONLY | O_CLOEXEC);
        }
        if (nfd < 0 || (!root && ufd < 0)) {
            err = errno;
            stage = ST_NONE;
        }
    }
    close(p[1]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
out:
    if (err) {
        if (nfd >= 0)
            close(nfd);
        if (ufd >= 0)
            close(ufd);
        if (why && n)
            snprintf(why, n, "%s: %s",
                     stage == ST_NONE ? "open /proc/PID/ns"
                                      : stages[stage].what,
                     strerror(err));
        return -1;
    }
    *netns_fd = nfd;
    *userns_fd = ufd;
    if (why && n)
        snprintf(why, n, "ok");
    return 0;
}
