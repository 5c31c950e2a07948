/*
 * bl.h: what the Lua-facing C modules share: the one event loop, the task
 * scheduler's yield/resume contract, and each module's open function.
 *
 * A primitive that waits runs inside a task (a coroutine). It checks its
 * arguments, records one pending operation that knows the task (a bl_op), and
 * returns bl_yield(L, op). When the operation completes, the loop callback
 * pushes the results on the task's stack and calls bl_resume(). If the task
 * is cancelled first (Ctrl-C, its run ended, abort), the op's cancel hook is
 * called once and the task is resumed with an error instead.
 */
#ifndef BL_H
#define BL_H

#include <lua.h>
#include <lauxlib.h>
#include <uv.h>

#define BL_VERSION "0.1.0"

uv_loop_t *bl_loop(void);

/* One pending operation of a task. Embed it in the primitive's own state. */
typedef struct bl_op bl_op;
typedef void (*bl_cancel_fn)(bl_op *op);
struct bl_op {
    lua_State *co;       /* the waiting task's thread, NULL once resumed */
    bl_cancel_fn cancel; /* undo the pending work; must not resume */
};

/* Yield the running task until bl_resume(op, n). L must be a task thread.
 * Raises (misuse) if called outside a task. */
int bl_yield(lua_State *L, bl_op *op);
/* Resume op's task with the n values already pushed on op->co. */
void bl_resume(bl_op *op, int n);
/* The task running L, for primitives that need to know they are in one. */
int bl_in_task(lua_State *L);

/* Cancel every pending op and end every task but the current one's caller;
 * used at shutdown. */
void bl_tasks_shutdown(lua_State *L);
/* Deliver an interrupt (Ctrl-C, SIGTERM) to the main task. */
void bl_tasks_interrupt(lua_State *L, const char *why);
/* Async-signal-safe: make the Lua code running now, if any, raise
 * "interrupted" (SIGINT) or "terminated" at its next instruction, as
 * lua.c's laction does; busy Lua never returns to the loop otherwise. */
void bl_tasks_stop_running(int sig);
/* Run the Lua function on top of L's stack as the main task, driving the
 * loop until it finishes; returns 0 on success, 1 if it raised (message
 * printed with traceback). */
int bl_run_main(lua_State *L, int nargs);

/* Process bookkeeping for shutdown: kill every child still running,
 * politely then with SIGKILL after grace_ms, and wait for them. */
void bl_proc_shutdown(int grace_ms);
void bl_proc_kill_all(int sig);
/* Async-signal-safe: SIGKILL the processes children left behind that were
 * re-parented to benchlua (it is a child subreaper, see main.c). */
void bl_proc_kill_orphans_now(void);

/* lcodec.c: inflate s[0..n) and push the bytes (its contract is above its
 * definition); lfs.c's gzip reads use it. 0, or -1 with nil, err, code. */
int bl_inflate(lua_State *L, const char *what, const char *s, size_t n,
               size_t max, int window, int check);

/* Module open functions: each sets fields in the table on top of the stack. */
void bl_open_task(lua_State *L);
void bl_open_proc(lua_State *L);
void bl_open_http(lua_State *L);
void bl_open_fs(lua_State *L);
void bl_open_codec(lua_State *L);
void bl_open_net(lua_State *L);
int bl_open_jsonpick(lua_State *L);

/* Embedded Lua sources (generated into build/embed.c). */
struct bl_embedded {
    const char *name;
    const char *chunkname;
    const char *src;
    size_t len;
};
extern const struct bl_embedded bl_embedded[];

#endif
