/*
 * ltask.c: Lua tasks (coroutines) driven by the libuv loop.
 *
 * Provides bench.spawn, bench.wait, bench.sleep, bench.now, bench.time,
 * bench.cancel, bench.parker (the wake-up tasks.lua's semaphore is built on), and to the other C modules the bl_yield/bl_resume contract
 * declared in bl.h. A task's thread carries a pointer to its struct task in
 * the thread's extra space. Resumes never nest: a completed op puts its task
 * on the ready queue and the loop's idle callback resumes it.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bl.h"

#define TASK_MT "bench.Task"
#define PARKER_MT "bench.Parker"

enum { T_NEW, T_LIVE, T_OK, T_FAILED };

typedef struct task task;
typedef struct waiter {
    bl_op op;
    task *target;
    struct waiter *next;
} waiter;

struct task {
    lua_State *co;
    int thread_ref; /* keeps the thread alive while live */
    int self_ref;   /* keeps the userdata alive while live */
    int result_ref; /* table of results, or the error string */
    int state;
    int nres; /* values waiting on co's stack for the resume */
    int queued;
    int joined;     /* someone waited for it */
    char *throwmsg; /* error to raise when next resumed (or nomem) */
    bl_op *op;      /* pending operation */
    waiter *waiters;
    task *qnext;         /* ready queue */
    task *lprev, *lnext; /* live list */
    int is_main;
};

static uv_loop_t loop_storage;
static uv_loop_t *loop;
static uv_idle_t idle;
static task *ready_head, *ready_tail;
static task *live;
static lua_State *mainL;

uv_loop_t *bl_loop(void)
{
    if (!loop) {
        uv_loop_init(&loop_storage);
        loop = &loop_storage;
    }
    return loop;
}

static task **slot(lua_State *co)
{
    return (task **)lua_getextraspace(co);
}
static task *task_of(lua_State *co)
{
    return *slot(co);
}

int bl_in_task(lua_State *L)
{
    return task_of(L) != NULL;
}

static void on_idle(uv_idle_t *h);

static void enqueue(task *t, int nres)
{
    t->nres = nres;
    if (t->queued)
        return;
    t->queued = 1;
    t->qnext = NULL;
    if (ready_tail)
        ready_tail->qnext = t;
    else
        ready_head = t;
    ready_tail = t;
    uv_idle_start(&idle, on_idle);
}

static void live_add(task *t)
{
    t->lprev = NULL;
    t->lnext = live;
    if (live)
        live->lprev = t;
    live = t;
}

static void live_remove(task *t)
{
    if (t->lprev)
        t->lprev->lnext = t->lnext;
    else if (live == t)
        live = t->lnext;
    if (t->lnext)
        t->lnext->lprev = t->lprev;
    t->lprev = t->lnext = NULL;
}

/* Continuation of every yielding primitive: raise a pending cancel, else
 * return the values the completion pushed. */
/* the cancel message when strdup fails: the task is still cancelled */
static char nomem[] = "cancelled (out of memory)";

static int after_yield(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    task *t = task_of(L);
    t->op = NULL;
    if (t->throwmsg) {
        lua_pushstring(L, t->throwmsg);
        if (t->throwmsg != nomem)
            free(t->throwmsg);
        t->throwmsg = NULL;
        return lua_error(L);
    }
    return t->nres;
}

int bl_yield(lua_State *L, bl_op *op)
{
    task *t = task_of(L);
    if (!t)
        return luaL_error(
            L,
            "this primitive waits, so it must run inside a task (bench.spawn)");
    if (!lua_isyieldable(L))
        return luaL_error(L, "cannot wait here (inside a metamethod or a C "
                             "call that cannot yield)");
    op->co = L;
    t->op = op;
    return lua_yieldk(L, 0, 0, after_yield);
}

void bl_resume(bl_op *op, int n)
{
    lua_State *co = op->co;
    if (!co)
        return;
    op->co = NULL;
    task *t = task_of(co);
    t->op = NULL;
    enqueue(t, n);
}

/* Store a finished task's outcome and wake whoever waits for it. */
static void finish(task *t, int ok)
{
    lua_State *L = mainL;
    t->state = ok ? T_OK : T_FAILED;
    live_remove(t);
    if (ok) {
        int n = lua_gettop(t->co);
        lua_createtable(L, n, 1);
        lua_xmove(t->co, L, n);
        int tbl = lua_gettop(L) - n;
        for (int i = n; i >= 1; i--)
            lua_rawseti(L, tbl, i);
        lua_pushinteger(L, n);
        lua_setfield(L, -2, "n");
    } else {
        /* error message with the task's own traceback */
        const char *msg = lua_tostring(t->co, -1);
        if (!msg) {
            if (luaL_callmeta(t->co, -1, "__tostring") &&
                lua_type(t->co, -1) == LUA_TSTRING)
                msg = lua_tostring(t->co, -1);
            else
                msg = lua_pushfstring(t->co, "(error object is a %s value)",
                                      luaL_typename(t->co, -1));
        }
        luaL_traceback(L, t->co, msg, 0);
        lua_resetthread(t->co); /* runs its <close> variables */
    }
    t->result_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    luaL_unref(L, LUA_REGISTRYINDEX, t->thread_ref);
    t->thread_ref = LUA_NOREF;
    waiter *w = t->waiters;
    t->waiters = NULL;
    while (w) {
        waiter *next = w->next;
        t->joined = 1;
        lua_State *wco = w->op.co;
        if (wco) {
            lua_pushboolean(wco, 1);
            bl_resume(&w->op, 1);
        }
        w = next;
    }
    if (!ok && !t->joined && !t->is_main) {
        /* nobody is waiting: report now, the run goes on */
        lua_rawgeti(L, LUA_REGISTRYINDEX, t->result_ref);
        fprintf(stderr, "benchlua: task failed: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, t->self_ref);
    t->self_ref = LUA_NOREF;
}

/* The task thread inside lua_resume (NULL while the loop runs), and the
 * signal that asked the running Lua code to stop. */
static lua_State *volatile running;
static volatile sig_atomic_t stop_sig;
static lua_State *stopped; /* the thread the hook stopped, if any */

/* lua.c's lstop: raise at the next instruction, once. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    stopped = L;
    luaL_error(L, stop_sig == SIGINT ? "interrupted" : "terminated");
}

void bl_tasks_stop_running(int sig)
{
    stop_sig = sig;
    lua_State *co = running;
    if (co)
        lua_sethook(co, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT,
                    1);
}

static void run_task(task *t)
{
    int nres = 0;
    int n = t->nres; /* after_yield returns this many */
    if (t->state == T_NEW) {
        t->state = T_LIVE;
        n = lua_gettop(t->co) - 1;
    }
    running = t->co;
    int st = lua_resume(t->co, mainL, n, &nres);
    running = NULL;
    /* a stop that came as it yielded did not fire: the loop delivers it */
    if (lua_gethook(t->co) == stop_hook)
        lua_sethook(t->co, NULL, 0, 0);
    if (st == LUA_YIELD) {
        if (!t->op && !t->queued) {
            /* a bare coroutine.yield() out of a task: treat as a pass */
            lua_pop(t->co, nres);
            enqueue(t, 0);
            t->state = T_LIVE;
        }
        return;
    }
    finish(t, st == LUA_OK);
}

static void on_idle(uv_idle_t *h)
{
    task *q = ready_head;
    ready_head = ready_tail = NULL;
    while (q) {
        task *t = q;
        q = q->qnext;
        t->queued = 0;
        if (t->state == T_NEW || t->state == T_LIVE)
            run_task(t);
    }
    if (!ready_head)
        uv_idle_stop(h);
}

static task *check_task(lua_State *L, int i)
{
    return luaL_checkudata(L, i, TASK_MT);
}

/* Create a task running the function at the top of L's stack with nargs
 * arguments below... (function and args are moved). Pushes the Task. */
static task *new_task(lua_State *L, int nargs)
{
    task *t = lua_newuserdatauv(L, sizeof *t, 0);
    memset(t, 0, sizeof *t);
    t->thread_ref = t->self_ref = t->result_ref = LUA_NOREF;
    luaL_setmetatable(L, TASK_MT);
    lua_insert(L, -(nargs + 2)); /* task, f, args */
    lua_State *co = lua_newthread(L);
    *slot(co) = t;
    t->co = co;
    t->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_xmove(L, co, nargs + 1); /* task */
    lua_pushvalue(L, -1);
    t->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    t->state = T_NEW;
    live_add(t);
    enqueue(t, 0);
    return t;
}

/* bench.spawn(fn, ...) -> Task; fn starts on the next loop turn. */
static int l_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    new_task(L, lua_gettop(L) - 1);
    return 1;
}

static void waiter_cancel(bl_op *op)
{
    waiter *w = (waiter *)op;
    task *t = w->target;
    for (waiter **p = &t->waiters; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
}

static int push_outcome(lua_State *L, task *t, int raise)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->result_ref);
    if (t->state == T_FAILED) {
        if (raise)
            return lua_error(L);
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    int n = (int)(lua_getfield(L, -1, "n"), lua_tointeger(L, -1));
    lua_pop(L, 1);
    int tbl = lua_gettop(L);
    luaL_checkstack(L, n + 1, "too many results");
    if (!raise)
        lua_pushboolean(L, 1);
    for (int i = 1; i <= n; i++)
        lua_rawgeti(L, tbl, i);
    lua_remove(L, tbl);
    return n + (raise ? 0 : 1);
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    task *self = task_of(L);
    self->op = NULL;
    if (self->throwmsg)
        return after_yield(L, status, ctx); /* raises the cancel */
    task *t = check_task(L, 1);
    lua_settop(L, 1);
    return push_outcome(L, t, (int)ctx);
}

/* Shared by wait (raise=1) and join (raise=0). */
static int wait_common(lua_State *L, int raise)
{
    task *t = check_task(L, 1);
    lua_settop(L, 1);
    if (t->state == T_OK || t->state == T_FAILED) {
        t->joined = 1;
        return push_outcome(L, t, raise);
    }
    task *self = task_of(L);
    if (!self)
        return luaL_error(L, "bench.wait must run inside a task");
    if (self == t)
        return luaL_error(L, "a task cannot wait for itself");
    waiter *w = lua_newuserdatauv(L, sizeof *w,
                                  0); /* lives on this stack while waiting */
    memset(w, 0, sizeof *w);
    w->op.cancel = waiter_cancel;
    w->target = t;
    w->next = t->waiters;
    t->waiters = w;
    t->joined = 1;
    w->op.co = L;
    self->op = &w->op;
    return lua_yieldk(L, 0, raise, wait_k);
}

/* bench.wait(task) -> the task's results; raises the task's error. */
static int l_wait(lua_State *L)
{
    return wait_common(L, 1);
}
/* bench.join(task) -> true, results... | false, error (never raises). */
static int l_join(lua_State *L)
{
    return wait_common(L, 0);
}

static void cancel_task(task *t, const char *why)
{
    if (t->state != T_LIVE && t->state != T_NEW)
        return;
    if (t->state == T_NEW) {
        /* never ran: finish it as failed at once */
        lua_settop(t->co, 0);
        lua_pushstring(t->co, why);
        t->state = T_LIVE; /* if still queued, on_idle skips it once finished */
        finish(t, 0);
        return;
    }
    if (t->throwmsg != nomem)
        free(t->throwmsg);
    t->throwmsg = strdup(why);
    if (!t->throwmsg)
        t->throwmsg = nomem;
    if (t->op) {
        bl_op *op = t->op;
        t->op = NULL;
        op->co = NULL; /* before cancel, which may free op (an http transfer) */
        if (op->cancel)
            op->cancel(op);
        enqueue(t, 0); /* after_yield raises throwmsg */
    }
}

/* task:cancel([why]) raises `why` (default "cancelled") inside the task at
 * its current wait; its <close> variables run as it unwinds. */
static int l_cancel(lua_State *L)
{
    task *t = check_task(L, 1);
    const char *why = luaL_optstring(L, 2, "cancelled");
    if (task_of(L) == t)
        return luaL_error(
            L, "a task cannot cancel itself; raise an error instead");
    cancel_task(t, why);
    return 0;
}

static int l_status(lua_State *L)
{
    static const char *names[] = {"new", "running", "done", "failed"};
    task *t = check_task(L, 1);
    lua_pushstring(L, names[t->state]);
    return 1;
}

static int l_task_gc(lua_State *L)
{
    task *t = check_task(L, 1);
    if (t->result_ref != LUA_NOREF) {
        luaL_unref(L, LUA_REGISTRYINDEX, t->result_ref);
        t->result_ref = LUA_NOREF;
    }
    if (t->throwmsg != nomem)
        free(t->throwmsg);
    t->throwmsg = NULL;
    return 0;
}

typedef struct {
    bl_op op;
    uv_timer_t timer;
    int closing;
} sleeper;

static void sleeper_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_sleep(uv_timer_t *h)
{
    sleeper *s = h->data;
    uv_close((uv_handle_t *)h, sleeper_closed);
    bl_resume(&s->op, 0);
}

static void sleep_cancel(bl_op *op)
{
    sleeper *s = (sleeper *)op;
    uv_close((uv_handle_t *)&s->timer, sleeper_closed);
}

/* bench.sleep(seconds): yields the task. */
static int l_sleep(lua_State *L)
{
    double s = luaL_checknumber(L, 1);
    luaL_argcheck(L, s >= 0, 1, "seconds must be >= 0");
    if (!bl_in_task(L))
        return luaL_error(L, "bench.sleep must run inside a task");
    sleeper *sl = calloc(1, sizeof *sl);
    if (!sl)
        return luaL_error(L, "out of memory");
    sl->op.cancel = sleep_cancel;
    uv_timer_init(bl_loop(), &sl->timer);
    sl->timer.data = sl;
    uv_timer_start(&sl->timer, on_sleep, (uint64_t)(s * 1000 + 0.5), 0);
    return bl_yield(L, &sl->op);
}

/* A parker: one task at a time waits on it until another wakes it. Its op
 * has no cancel hook: a cancelled task's op.co is cleared, and unpark then
 * finds nobody parked. The parker stays on the parked task's stack. */
typedef struct {
    bl_op op;
} parker;

/* bench.parker() -> parker */
static int l_parker(lua_State *L)
{
    parker *p = lua_newuserdatauv(L, sizeof *p, 0);
    memset(p, 0, sizeof *p);
    luaL_setmetatable(L, PARKER_MT);
    return 1;
}

/* parker:park() -> the values given to parker:unpark; yields. */
static int l_park(lua_State *L)
{
    parker *p = luaL_checkudata(L, 1, PARKER_MT);
    if (p->op.co)
        return luaL_error(L, "a task is already parked on this parker");
    lua_settop(L, 1);
    return bl_yield(L, &p->op);
}

/* parker:unpark(...) -> true when a task was parked on it (it resumes with
 * the values given, on the next loop turn) | false when none was. */
static int l_unpark(lua_State *L)
{
    parker *p = luaL_checkudata(L, 1, PARKER_MT);
    lua_State *co = p->op.co;
    int n = lua_gettop(L) - 1;
    if (co && !lua_checkstack(co, n))
        return luaL_error(L, "parker:unpark: too many values");
    if (co) {
        lua_xmove(L, co, n);
        bl_resume(&p->op, n);
    }
    lua_pushboolean(L, co != NULL);
    return 1;
}

/* bench.now() -> monotonic seconds (float). */
static int l_now(lua_State *L)
{
    lua_pushnumber(L, (double)uv_hrtime() / 1e9);
    return 1;
}

/* bench.time() -> wall-clock seconds since the epoch (float). */
static int l_time(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

/* bench.in_task() -> true when called from a task (may wait). */
static int l_in_task(lua_State *L)
{
    lua_pushboolean(L, task_of(L) != NULL);
    return 1;
}

/* bench.live_tasks() -> number of tasks not finished (leak checks). */
static int l_live(lua_State *L)
{
    int n = 0;
    for (task *t = live; t; t = t->lnext)
        n++;
    lua_pushinteger(L, n);
    return 1;
}

/* bench.handles() -> number of active libuv handles (leak checks). */
static void count_handle(uv_handle_t *h, void *arg)
{
    if (uv_is_active(h) && h->type != UV_SIGNAL && h->type != UV_ASYNC &&
        (void *)h != (void *)&idle)
        (*(int *)arg)++;
}
static int l_handles(lua_State *L)
{
    int n = 0;
    uv_walk(bl_loop(), count_handle, &n);
    lua_pushinteger(L, n);
    return 1;
}

void bl_tasks_interrupt(lua_State *L, const char *why)
{
    (void)L;
    for (task *t = live; t; t = t->lnext)
        if (t->is_main) {
            if (stopped == t->co)
                return; /* the hook already raised in it: once is enough */
            cancel_task(t, why);
            return;
        }
}

void bl_tasks_shutdown(lua_State *L)
{
    (void)L;
    while (live) {
        task *t = live;
        if (t->op) {
            bl_op *op = t->op;
            t->op = NULL;
            op->co = NULL; /* before cancel, which may free op */
            if (op->cancel)
                op->cancel(op);
        }
        lua_settop(t->co, 0);
        lua_pushliteral(t->co, "cancelled: the run ended");
        t->joined = 1; /* not reported */
        finish(t, 0);
    }
}

int bl_run_main(lua_State *L, int nargs)
{
    task *t = new_task(L, nargs);
    t->is_main = 1;
    t->joined = 1;
    lua_pop(L, 1);
    while (t->state == T_NEW || t->state == T_LIVE) {
        if (uv_run(bl_loop(), UV_RUN_ONCE) == 0 && !ready_head &&
            (t->state == T_NEW || t->state == T_LIVE)) {
            /* nothing pending anywhere, yet the main task waits */
            cancel_task(
                t, "deadlock: every task is waiting and nothing is pending");
        }
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->result_ref);
    int failed = t->state == T_FAILED;
    if (failed) {
        fprintf(stderr, "benchlua: %s\n", lua_tostring(L, -1));
    } else {
        lua_rawgeti(L, -1, 1);
        if (lua_isinteger(L, -1))
            lua_setfield(L, LUA_REGISTRYINDEX, "benchlua.exit_code");
        else
            lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return failed;
}

void bl_open_task(lua_State *L)
{
    static const luaL_Reg meth[] = {
        {"cancel", l_cancel}, {"status", l_status}, {NULL, NULL}};
    static const luaL_Reg fns[] = {{"spawn", l_spawn},
                                   {"wait", l_wait},
                                   {"join", l_join},
                                   {"sleep", l_sleep},
                                   {"now", l_now},
                                   {"time", l_time},
                                   {"live_tasks", l_live},
                                   {"in_task", l_in_task},
                                   {"handles", l_handles},
                                   {"parker", l_parker},
                                   {NULL, NULL}};
    static const luaL_Reg parker_meth[] = {
        {"park", l_park}, {"unpark", l_unpark}, {NULL, NULL}};
    mainL = L;
    /* new threads copy the main thread's extra space: it must say "no task" */
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    *slot(lua_tothread(L, -1)) = NULL;
    lua_pop(L, 1);
    bl_loop();
    uv_idle_init(loop, &idle);
    if (luaL_newmetatable(L, TASK_MT)) {
        luaL_newlib(L, meth);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_task_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, PARKER_MT)) {
        luaL_newlib(L, parker_meth);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, fns, 0);
}
