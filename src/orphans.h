/* orphans.h - the processes children leave behind, re-parented to benchlua
 * (a child subreaper); libc only. See orphans.c. */
#ifndef BL_ORPHANS_H
#define BL_ORPHANS_H

#include <sys/types.h>

/* true when pid is one of the caller's own (libuv's) live children */
typedef int (*bl_is_live)(pid_t pid);

/* Signal every adopted child (and its process group, when it leads one);
 * returns how many there were. Async-signal-safe with from_signal (then only
 * the main thread's adopted children, where the kernel puts them). */
int bl_orphans_signal(int sig, int from_signal, bl_is_live is_live);

/* Reap the adopted children that have exited. */
void bl_orphans_reap(bl_is_live is_live);

/* SIGKILL every adopted descendant and reap it, until none is left or about
 * a second has passed; returns how many were killed. Blocks briefly. */
int bl_orphans_kill(bl_is_live is_live);

#endif
