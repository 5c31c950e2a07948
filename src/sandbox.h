/* sandbox.h - namespace sandbox for model-written programs (libc only).
 *
 * See docs/sandbox.md for what is and is not isolated in each mode.
 * Nothing here includes lua.h; benchlua's Lua side only needs
 * bl_sandbox_probe() and the --exec-helper command line (src/exec.h).
 */
#ifndef BL_SANDBOX_H
#define BL_SANDBOX_H

#include <stddef.h>

/* The unprivileged identity a program runs as when benchlua is root. */
#define BL_SANDBOX_UID 65534
#define BL_SANDBOX_GID 65534

/* Resource limits (soft = hard). A negative value means "not set". */
typedef struct {
    long long as;     /* RLIMIT_AS, bytes */
    long long cpu;    /* RLIMIT_CPU, seconds */
    long long nproc;  /* RLIMIT_NPROC, processes+threads (per sandbox) */
    long long fsize;  /* RLIMIT_FSIZE, bytes */
    long long nofile; /* RLIMIT_NOFILE, descriptors */
} bl_rlimits;

/* Defaults applied in sandbox mode for limits the caller did not set. */
#define BL_SB_DEFAULT_AS (4LL << 30) /* 4 GiB address space */
#define BL_SB_DEFAULT_CPU 30LL       /* 30 s of CPU time */
#define BL_SB_DEFAULT_NPROC 64LL
#define BL_SB_DEFAULT_FSIZE (64LL << 20) /* 64 MiB per file */
#define BL_SB_DEFAULT_NOFILE 256LL

void bl_rlimits_unset(bl_rlimits *l);
/* Fill every unset field with the sandbox default above. */
void bl_rlimits_fill_defaults(bl_rlimits *l);
/* setrlimit(soft = hard) for every set field; returns 0, or -1 with errno
 * set and *which (if not NULL) naming the limit ("as", "cpu", ...). */
int bl_rlimits_apply(const bl_rlimits *l, const char **which);

enum bl_sb_mode {
    BL_SB_STRICT = 1,  /* namespaces or nothing (exit 126) */
    BL_SB_AUTO = 2,    /* namespaces, else the fallback */
    BL_SB_FALLBACK = 3 /* the fallback only (rlimits, uid drop, reaping) */
};

typedef struct {
    int mode;            /* enum bl_sb_mode */
    const char *workdir; /* NULL: none (cwd kept, read-only) */
    bl_rlimits lim;      /* already defaulted by the caller */
    int netns_fd;        /* -1, or a shared empty netns (see below) */
    int userns_fd;       /* -1, or the user namespace owning netns_fd */
} bl_sandbox_opts;

/* How bl_sandbox_run() ended. */
enum bl_sb_outcome {
    BL_SB_RAN = 0,         /* wstatus/cpu_ms/maxrss_kb are valid */
    BL_SB_SETUP_ERROR = 1, /* what/err describe the failure (exit 127) */
    BL_SB_EXEC_ERROR = 2,  /* execvp failed in the sandbox, err = errno */
    BL_SB_UNAVAILABLE = 3  /* strict mode and namespaces unusable (126) */
};

typedef struct {
    int outcome;         /* enum bl_sb_outcome */
    int used_ns;         /* 1: namespace sandbox, 0: fallback */
    int wstatus;         /* PROGRAM's wait status */
    long long cpu_ms;    /* PROGRAM's user+sys CPU (incl. reaped children) */
    long long maxrss_kb; /* PROGRAM's peak RSS */
    int err;             /* errno for the failure outcomes */
    char what[160];      /* what failed, for the one-line message */
} bl_sandbox_result;

/* Run argv (PATH lookup like execvp) in the sandbox, wait for it, and fill
 * *res. Only ever returns in the helper process. Intended to be called by
 * bl_exec_main() in a single-threaded process: it forks, and in fallback mode
 * it makes the calling process a child subreaper. */
void bl_sandbox_run(const bl_sandbox_opts *o, char *const argv[],
                    bl_sandbox_result *res);

/* Returns 1 if the full namespace sandbox works here, 0 if not (with a
 * one-line reason in why). Cheap (one short-lived child, ~1 ms), safe to
 * call from a multi-threaded process: the child only makes system calls. */
int bl_sandbox_probe(char *why, size_t n);

/* Create one empty network namespace for all the sandboxes of a benchlua
 * run to share (helper options --netns-fd/--userns-fd), instead of each
 * sandbox creating its own: a new network namespace costs ~0.7 ms of
 * latency and ~1 ms of CPU (kernel clean-up included) on a 2-core VM.
 * When benchlua is root the namespace is owned by the initial user
 * namespace and *userns_fd is -1; otherwise *userns_fd is a user namespace
 * (our uid mapped to itself) that owns it, and the helper needs both.
 * Both fds are O_CLOEXEC; they stay valid (and the namespace alive) until
 * closed. Returns 0, or -1 with a reason in why. */
int bl_sandbox_netns_open(int *netns_fd, int *userns_fd, char *why, size_t n);

#endif
