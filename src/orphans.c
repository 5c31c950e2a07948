/* orphans.c - the processes children leave behind (libc only).
 *
 * benchlua is a child subreaper (main.c): a process that a child orphans
 * (a server that daemonizes: fork, setsid, fork again) is re-parented to
 * benchlua instead of init. Those are not libuv's children: they are found in
 * /proc/self/task/TID/children, reaped when they exit and killed when the
 * server stops and when benchlua exits. The caller says which pids are its
 * own live children (is_live), which are not orphans.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "orphans.h"

/* Appends to out[*n] (at most max) the pids listed in
 * /proc/self/task/TID/children that are not live children. Only open, read
 * and close: usable in a signal handler. */
static void orphans_of_task(const char *tid, pid_t *out, int *n, int max,
                            bl_is_live is_live)
{
    char path[64] = "/proc/self/task/", buf[4096];
    size_t pos = strlen(path);
    for (const char *c = tid; *c && pos < 40; c++)
        path[pos++] = *c;
    memcpy(path + pos, "/children", sizeof "/children");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0)
        return;
    buf[len] = 0;
    long v = -1;
    for (char *c = buf;; c++) {
        if (*c >= '0' && *c <= '9') {
            v = (v < 0 ? 0 : v * 10) + (*c - '0');
            continue;
        }
        if (v > 0 && *n < max && !is_live((pid_t)v))
            out[(*n)++] = (pid_t)v;
        v = -1;
        if (!*c)
            break;
    }
}

static void put_pid(char *buf, pid_t v)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *buf++ = tmp[--n];
    *buf = 0;
}

/* The adopted children (of every thread, unless from_signal: then the main
 * thread's, which is where the kernel re-parents them in practice). */
static int list_orphans(pid_t *out, int max, int from_signal,
                        bl_is_live is_live)
{
    int n = 0;
    char tid[16];
    put_pid(tid, getpid());
    orphans_of_task(tid, out, &n, max, is_live);
    if (from_signal)
        return n;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, tid) != 0)
            orphans_of_task(e->d_name, out, &n, max, is_live);
    if (d)
        closedir(d);
    return n;
}

/* Signal every adopted child (and its process group, when it leads one).
 * Returns how many there were. Async-signal-safe with from_signal. */
int bl_orphans_signal(int sig, int from_signal, bl_is_live is_live)
{
    pid_t pids[256];
    int n = list_orphans(pids, 256, from_signal, is_live);
    for (int i = 0; i < n; i++) {
        if (getpgid(pids[i]) == pids[i])
            kill(-pids[i], sig);
        kill(pids[i], sig);
    }
    return n;
}

/* Reap the adopted children that have exited (they are not libuv's). */
void bl_orphans_reap(bl_is_live is_live)
{
    pid_t pids[256];
    int n = list_orphans(pids, 256, 0, is_live);
    for (int i = 0; i < n; i++)
        waitpid(pids[i], NULL, WNOHANG);
}

/* SIGKILL every adopted descendant and reap it, until none is left (a
 * killed one's own children are adopted in turn) or about a second has
 * passed. Returns how many were killed. Blocks briefly. */
int bl_orphans_kill(bl_is_live is_live)
{
    int total = 0;
    for (int round = 0; round < 100; round++) {
        int n = bl_orphans_signal(SIGKILL, 0, is_live);
        if (n == 0)
            break;
        total += n;
        usleep(10000);
        bl_orphans_reap(is_live);
    }
    return total;
}
