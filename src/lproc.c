/*
 * lproc.c: child processes for Lua (bench.proc.spawn and the bench.Process
 * handle). run_script and spawn_server are written in Lua on top of this.
 *
 * Every child is started through `benchlua --exec-helper` (exec.c), which
 * ties it to benchlua with PR_SET_PDEATHSIG, gives it its own process group,
 * applies rlimits and, when asked, the sandbox, then execs the program.
 * Output is captured into bounded buffers (the rest is read and counted, so
 * a chatty child never blocks), or sent to a file, /dev/null or our stderr.
 * Every live child is on one list so that shutdown can stop them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bl.h"
#include "orphans.h"
#include "sandbox.h"

#define PROC_MT "bench.Process"

typedef struct proc proc;

typedef struct capture {
    uv_pipe_t pipe;
    proc *owner;
    char *buf;
    size_t len, cap, limit;
    uint64_t total;
    size_t start; /* stream mode: bytes already read by Lua */
    int open;
    int stream;
} capture;

typedef struct waitop_s {
    bl_op op;
    proc *p;
    uv_timer_t timer;
    int timer_on;
    struct waitop_s *next;
} waitop;

struct proc {
    uv_process_t h;
    uv_pipe_t in;
    uv_write_t wreq;
    char *inbuf;
    int in_open;
    capture out, err;
    capture st;       /* sandbox: the helper's status line (fd 3) */
    uv_timer_t drain; /* after exit, how long we wait for pipes to close */
    int drain_on;
    int handles; /* open uv handles; freed at 0 */
    int exited;  /* exit callback seen */
    int done;    /* exited and output drained */
    int64_t status;
    int termsig;
    int pgid; /* >0: signal the group */
    double started, ended;
    int orphan;            /* the Lua handle was collected */
    waitop *waiters;       /* tasks in p:wait() */
    struct readop *reader; /* a task in p:readline() */
    proc *next, *prev;     /* live list */
};

static proc *live;

static void free_proc(proc *p)
{
    free(p->out.buf);
    free(p->err.buf);
    free(p->st.buf);
    free(p->inbuf);
    free(p);
}

static void handle_closed(uv_handle_t *h)
{
    proc *p = h->data;
    if (--p->handles == 0 && p->orphan)
        free_proc(p);
}

static void close_handle(proc *p, uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, handle_closed);
}

static void live_remove(proc *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else if (live == p)
        live = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->next = p->prev = NULL;
}

/* The shared empty network namespace (and its user namespace when not
 * root), opened on first use; -1 when unavailable. */
static int netns_fd = -1, userns_fd = -1, netns_tried;

static int shared_netns(void)
{
    if (!netns_tried) {
        char why[256];
        netns_tried = 1;
        if (bl_sandbox_netns_open(&netns_fd, &userns_fd, why, sizeof why) != 0)
            netns_fd = userns_fd = -1;
    }
    return netns_fd >= 0 ? 0 : -1;
}

static void push_result(lua_State *L, proc *p)
{
    lua_createtable(L, 0, 10);
    if (p->termsig) {
        lua_pushliteral(L, "signaled");
        lua_setfield(L, -2, "status");
        lua_pushinteger(L, p->termsig);
        lua_setfield(L, -2, "signal");
    } else {
        lua_pushliteral(L, "exited");
        lua_setfield(L, -2, "status");
        lua_pushinteger(L, p->status);
        lua_setfield(L, -2, "code");
    }
    lua_pushnumber(L, p->ended - p->started);
    lua_setfield(L, -2, "elapsed");
    capture *cs[2] = {&p->out, &p->err};
    const char *names[2] = {"stdout", "stderr"};
    for (int i = 0; i < 2; i++) {
        if (!cs[i]->limit)
            continue;
        lua_pushlstring(L, cs[i]->buf ? cs[i]->buf : "", cs[i]->len);
        lua_setfield(L, -2, names[i]);
        lua_pushinteger(L, (lua_Integer)cs[i]->total);
        lua_setfield(L, -2, i ? "stderr_bytes" : "stdout_bytes");
        lua_pushboolean(L, cs[i]->total > cs[i]->len);
        lua_setfield(L, -2, i ? "stderr_truncated" : "stdout_truncated");
    }
    if (p->st.len) {
        size_t n = p->st.len;
        while (n && (p->st.buf[n - 1] == '\n' || p->st.buf[n - 1] == '\r'))
            n--;
        lua_pushlstring(L, p->st.buf, n);
        lua_setfield(L, -2, "sandbox_status");
    }
}

static void waitop_closed(uv_handle_t *h)
{
    free(h->data);
}

static void finish_wait(waitop *w, int timed_out)
{
    proc *p = w->p;
    lua_State *co = w->op.co;
    for (waitop **q = &p->waiters; *q; q = &(*q)->next)
        if (*q == w) {
            *q = w->next;
            break;
        }
    uv_close((uv_handle_t *)&w->timer, waitop_closed);
    if (!co)
        return;
    if (timed_out) {
        lua_pushnil(co);
        lua_pushliteral(co, "timeout");
        bl_resume(&w->op, 2);
    } else {
        push_result(co, p);
        bl_resume(&w->op, 1);
    }
}

static void check_done(proc *p)
{
    if (p->done || !p->exited || p->out.open || p->err.open || p->st.open)
        return;
    p->done = 1;
    if (p->drain_on) {
        uv_timer_stop(&p->drain);
    }
    close_handle(p, (uv_handle_t *)&p->drain);
    live_remove(p);
    while (p->waiters)
        finish_wait(p->waiters, 0);
}

typedef struct readop {
    bl_op op;
    proc *p;
    uv_timer_t timer;
    int timer_on;
} readop;

static void readop_closed(uv_handle_t *h)
{
    free(h->data);
}

/* Give the waiting reader a line (or, at EOF, the rest / nil). */
static void try_deliver(proc *p)
{
    readop *r = p->reader;
    capture *c = &p->out;
    if (!r)
        return;
    char *base = c->buf + c->start;
    size_t avail = c->len - c->start;
    char *nl = avail ? memchr(base, '\n', avail) : NULL;
    lua_State *co = r->op.co;
    int nres = 1;
    if (nl) {
        lua_pushlstring(co, base, (size_t)(nl - base));
        c->start += (size_t)(nl - base) + 1;
    } else if (!c->open) {
        if (avail) {
            lua_pushlstring(co, base, avail);
            c->start = c->len;
        } else {
            lua_pushnil(co);
            lua_pushliteral(co, "eof");
            nres = 2;
        }
    } else
        return;
    p->reader = NULL;
    if (r->timer_on)
        uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, readop_closed);
    bl_resume(&r->op, nres);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    capture *c = (capture *)h;
    static char scratch[65536];
    (void)suggested;
    if (c->stream) {
        if (c->start > 0 && c->start == c->len)
            c->start = c->len = 0;
        if (c->start > 65536) {
            memmove(c->buf, c->buf + c->start, c->len - c->start);
            c->len -= c->start;
            c->start = 0;
        }
        if (c->cap - c->len < 65536 && c->len - c->start < c->limit) {
            char *nb = realloc(c->buf, c->cap + 65536);
            if (nb) {
                c->buf = nb;
                c->cap += 65536;
            }
        }
        if (c->cap > c->len) {
            *buf = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
            return;
        }
        *buf = uv_buf_init(scratch, sizeof scratch);
        return;
    }
    if (c->len < c->limit) {
        if (c->cap < c->limit) {
            size_t ncap = c->cap ? c->cap * 2 : 16384;
            if (ncap > c->limit)
                ncap = c->limit;
            char *nb = realloc(c->buf, ncap);
            if (nb) {
                c->buf = nb;
                c->cap = ncap;
            }
        }
        if (c->cap > c->len) {
            *buf = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
            return;
        }
    }
    *buf = uv_buf_init(scratch,
                       sizeof scratch); /* over the limit: count and drop */
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    capture *c = (capture *)s;
    if (n > 0) {
        c->total += (uint64_t)n;
        if (c->buf && buf->base >= c->buf && buf->base < c->buf + c->cap)
            c->len += (size_t)n;
        if (c->stream)
            try_deliver(c->owner);
        return;
    }
    if (n < 0) {
        c->open = 0;
        close_handle(c->owner, (uv_handle_t *)s);
        if (c->stream)
            try_deliver(c->owner);
        check_done(c->owner);
    }
}

static void on_drain_timeout(uv_timer_t *t)
{
    proc *p = t->data;
    /* a grandchild still holds the pipes: stop reading, report what we have */
    capture *cs[3] = {&p->out, &p->err, &p->st};
    for (int i = 0; i < 3; i++)
        if (cs[i]->open) {
            cs[i]->open = 0;
            close_handle(p, (uv_handle_t *)&cs[i]->pipe);
        }
    check_done(p);
}

static void on_exit_cb(uv_process_t *h, int64_t status, int termsig)
{
    proc *p = h->data;
    p->exited = 1;
    p->status = status;
    p->termsig = termsig;
    p->ended = (double)uv_hrtime() / 1e9;
    close_handle(p, (uv_handle_t *)h);
    if (p->out.open || p->err.open || p->st.open) {
        uv_timer_start(&p->drain, on_drain_timeout, 200, 0);
        p->drain_on = 1;
    }
    check_done(p);
}

static void on_written(uv_write_t *req, int status)
{
    proc *p = req->data;
    (void)status;
    free(p->inbuf);
    p->inbuf = NULL;
    if (p->in_open) {
        p->in_open = 0;
        close_handle(p, (uv_handle_t *)&p->in);
    }
}

static int signum_of(lua_State *L, int i)
{
    static const struct {
        const char *n;
        int s;
    } names[] = {
        {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},
        {"HUP", SIGHUP},   {"STOP", SIGSTOP}, {"CONT", SIGCONT},
        {"QUIT", SIGQUIT},
    };
    if (lua_isnoneornil(L, i))
        return SIGTERM;
    if (lua_isinteger(L, i))
        return (int)lua_tointeger(L, i);
    const char *s = luaL_checkstring(L, i);
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(names[k].n, s) == 0)
            return names[k].s;
    return luaL_argerror(L, i, lua_pushfstring(L, "unknown signal '%s'", s));
}

static void send_signal(proc *p, int sig)
{
    if (p->exited)
        return;
    if (p->pgid > 0)
        kill(-p->pgid, sig);
    kill(p->h.pid, sig);
}

/* ---- Lua side ---- */

typedef struct {
    proc *p;
} ud;

static proc *check_proc(lua_State *L, int i)
{
    ud *u = luaL_checkudata(L, i, PROC_MT);
    if (!u->p)
        luaL_error(L, "process handle is closed");
    return u->p;
}

static void add_arg(lua_State *L, int argt, int *n, const char *s)
{
    lua_pushstring(L, s);
    lua_rawseti(L, argt, ++*n);
}

/* Where a child's stdout or stderr goes. */
enum stdio_kind {
    STDIO_CAPTURE, /* a pipe into a bounded buffer (the default) */
    STDIO_INHERIT, /* benchlua's own descriptor */
    STDIO_NULL,    /* /dev/null */
    STDIO_FILE,    /* {file = PATH, append = bool} */
    STDIO_STREAM,  /* stdout only: a pipe read line by line (p:readline) */
};

static int is_pipe(enum stdio_kind k)
{
    return k == STDIO_CAPTURE || k == STDIO_STREAM;
}

/* Everything l_spawn needs, read and checked before anything is allocated.
 * The strings point into Lua values kept on l_spawn's stack. */
typedef struct {
    int argt, nargs;  /* stack index of the helper's argv list, its length */
    int envl, nenv;   /* stack index of the "K=V" list, its length */
    const char *prog; /* argv[1], for messages */
    const char *cwd;
    size_t max_output;
    const char *instr; /* stdin as a string */
    size_t inlen;
    int in_pipe; /* stdin = {pipe = true} */
    enum stdio_kind kind[2];
    const char *path[2]; /* STDIO_FILE */
    int append[2];
    int err_to_out; /* stderr = "stdout" with stdout to a file */
    int sandboxed, share_net;
} spawn_opts;

static lua_Integer opt_int(lua_State *L, int t, const char *name,
                           lua_Integer def)
{
    lua_getfield(L, t, name);
    lua_Integer v = def;
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) && !lua_isnumber(L, -1))
            luaL_error(L, "%s option must be a number", name);
        v = (lua_Integer)lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

/* Reads option `name` (i: 0 stdout, 1 stderr) of table 1 into o; opens
 * nothing. Raises on misuse. */
static void read_stdio(lua_State *L, const char *name, int i, spawn_opts *o)
{
    static const char *const words[] = {"capture", "inherit", "null", "file",
                                        "stream"};
    const char *bad = "%s option: expected \"capture\", \"inherit\", \"null\" "
                      "or {file=PATH}";
    lua_getfield(L, 1, name);
    o->kind[i] = STDIO_CAPTURE;
    if (lua_type(L, -1) == LUA_TSTRING) {
        const char *w = lua_tostring(L, -1);
        int k = 0;
        while (k < 5 && strcmp(words[k], w) != 0)
            k++;
        if (k == STDIO_FILE || k == 5 || (k == STDIO_STREAM && i == 1))
            luaL_error(L, bad, name);
        o->kind[i] = (enum stdio_kind)k;
    } else if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "file");
        o->path[i] = lua_tostring(L, -1); /* anchored by the option table */
        if (!o->path[i] || lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, bad, name);
        lua_getfield(L, -2, "append");
        o->append[i] = lua_toboolean(L, -1);
        lua_pop(L, 2);
        o->kind[i] = STDIO_FILE;
    } else if (!lua_isnil(L, -1))
        luaL_error(L, bad, name);
    lua_pop(L, 1);
}

/* Checks the options table at 1 and builds, on the stack, the helper's
 * argv list and the environment list (Lua values only: a misuse error
 * raised here leaks nothing). */
static void read_opts(lua_State *L, spawn_opts *o)
{
    memset(o, 0, sizeof *o);
    lua_newtable(L);
    o->argt = lua_gettop(L);
    lua_getfield(L, 1, "argv");
    if (!lua_istable(L, -1) || luaL_len(L, -1) < 1)
        luaL_error(L, "argv option must be a non-empty list of strings");
    int progt = lua_gettop(L), nprog = (int)luaL_len(L, progt);
    for (int i = 1; i <= nprog; i++) {
        lua_rawgeti(L, progt, i);
        if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "argv[%d] must be a string", i);
        lua_pop(L, 1);
    }

    lua_getfield(L, 1, "exe");
    lua_getglobal(L, "bench");
    lua_getfield(L, -1, "exec_helper");
    const char *exe = lua_tostring(L, lua_isnil(L, -3) ? -1 : -3);
    if (!exe)
        luaL_error(L, "exe option must be a string");
    add_arg(L, o->argt, &o->nargs, exe);
    lua_pop(L, 3);
    add_arg(L, o->argt, &o->nargs, "--exec-helper");
    add_arg(L, o->argt, &o->nargs, "--pdeathsig");
    add_arg(L, o->argt, &o->nargs, "--ppid");
    lua_pushinteger(L, getpid());
    lua_rawseti(L, o->argt, ++o->nargs);
    add_arg(L, o->argt, &o->nargs, "--setpgid");
    lua_getfield(L, 1, "rlimits");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        static const char *lim[] = {"as",    "cpu",    "nproc",
                                    "fsize", "nofile", NULL};
        int rt = lua_gettop(L);
        for (int i = 0; lim[i]; i++) {
            lua_Integer v = opt_int(L, rt, lim[i], -1);
            if (v >= 0) {
                char flag[32];
                snprintf(flag, sizeof flag, "--rlimit-%s", lim[i]);
                add_arg(L, o->argt, &o->nargs, flag);
                lua_pushinteger(L, v);
                lua_rawseti(L, o->argt, ++o->nargs);
            }
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "sandbox");
    if (!lua_isnil(L, -1) && lua_toboolean(L, -1)) {
        const char *mode = lua_isstring(L, -1) ? lua_tostring(L, -1) : "auto";
        if (strcmp(mode, "auto") && strcmp(mode, "strict") &&
            strcmp(mode, "fallback"))
            luaL_error(
                L,
                "sandbox option must be \"auto\", \"strict\" or \"fallback\"");
        o->sandboxed = 1;
        add_arg(L, o->argt, &o->nargs, "--sandbox");
        add_arg(L, o->argt, &o->nargs, mode);
        add_arg(L, o->argt, &o->nargs, "--status-fd");
        add_arg(L, o->argt, &o->nargs, "3");
        lua_getfield(L, 1, "workdir");
        if (!lua_isnil(L, -1)) {
            add_arg(L, o->argt, &o->nargs, "--workdir");
            add_arg(L, o->argt, &o->nargs, luaL_checkstring(L, -1));
        }
        lua_pop(L, 1);
        if (strcmp(mode, "fallback") && shared_netns() == 0) {
            /* one empty network namespace for every sandbox: cheaper than
             * one each */
            o->share_net = 1;
            add_arg(L, o->argt, &o->nargs, "--netns-fd");
            add_arg(L, o->argt, &o->nargs, "4");
            if (userns_fd >= 0) {
                add_arg(L, o->argt, &o->nargs, "--userns-fd");
                add_arg(L, o->argt, &o->nargs, "5");
            }
        }
    }
    lua_pop(L, 1);
    add_arg(L, o->argt, &o->nargs, "--");
    for (int i = 1; i <= nprog; i++) {
        lua_rawgeti(L, progt, i);
        lua_rawseti(L, o->argt, ++o->nargs);
    }
    lua_rawgeti(L, progt, 1);
    o->prog = lua_tostring(L, -1); /* anchored in progt */
    lua_pop(L, 1);

    /* environment: env's K=V, then benchlua's unless clear_env */
    lua_getfield(L, 1, "env");
    int envt = lua_gettop(L);
    if (!lua_isnil(L, envt))
        luaL_checktype(L, envt, LUA_TTABLE);
    lua_getfield(L, 1, "clear_env");
    int clear = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_newtable(L);
    o->envl = lua_gettop(L);
    if (!lua_isnil(L, envt)) {
        lua_pushnil(L);
        while (lua_next(L, envt)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                luaL_error(L, "env option: keys must be strings");
            const char *k = lua_tostring(L, -2);
            const char *v = luaL_tolstring(L, -1, NULL);
            lua_pushfstring(L, "%s=%s", k, v);
            lua_rawseti(L, o->envl, ++o->nenv);
            lua_pop(L, 2);
        }
    }
    if (!clear) {
        extern char **environ;
        for (char **e = environ; *e; e++) {
            const char *eq = strchr(*e, '=');
            if (!eq)
                continue;
            int shadowed = 0;
            if (!lua_isnil(L, envt)) {
                lua_pushlstring(L, *e, (size_t)(eq - *e));
                shadowed = lua_rawget(L, envt) != LUA_TNIL;
                lua_pop(L, 1);
            }
            if (!shadowed) {
                lua_pushstring(L, *e);
                lua_rawseti(L, o->envl, ++o->nenv);
            }
        }
    }

    lua_getfield(L, 1, "cwd");
    o->cwd = luaL_optstring(L, -1, NULL); /* anchored by the option table */
    lua_pop(L, 1);
    lua_Integer max_output = opt_int(L, 1, "max_output", 1 << 20);
    if (max_output < 0)
        luaL_error(L, "max_output option must be >= 0");
    o->max_output = (size_t)max_output;
    lua_getfield(L, 1, "stdin");
    if (lua_type(L, -1) == LUA_TSTRING) {
        o->instr = lua_tolstring(L, -1, &o->inlen);
    } else if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "pipe");
        o->in_pipe = lua_toboolean(L, -1);
        lua_pop(L, 1);
    } else if (!lua_isnil(L, -1))
        luaL_error(L, "stdin option must be a string, {pipe=true} or nil");
    lua_pop(L, 1);
    read_stdio(L, "stdout", 0, o);
    lua_getfield(L, 1, "stderr");
    o->err_to_out = lua_type(L, -1) == LUA_TSTRING &&
                    strcmp(lua_tostring(L, -1), "stdout") == 0 &&
                    o->kind[0] == STDIO_FILE;
    lua_pop(L, 1);
    if (o->err_to_out)
        o->kind[1] = STDIO_FILE;
    else
        read_stdio(L, "stderr", 1, o);
}

/* Opens the {file = PATH} destinations into fd[0..1] (-1 where none).
 * Returns 0, or -1 with nil, message, code pushed and nothing left open. */
static int open_stdio_files(lua_State *L, const spawn_opts *o, int fd[2])
{
    fd[0] = fd[1] = -1;
    for (int i = 0; i < 2; i++) {
        if (o->kind[i] != STDIO_FILE)
            continue;
        if (i == 1 && o->err_to_out) {
            fd[1] = fd[0];
            break;
        }
        fd[i] = open(o->path[i],
                     O_WRONLY | O_CREAT | O_CLOEXEC |
                         (o->append[i] ? O_APPEND : O_TRUNC),
                     0644);
        if (fd[i] < 0) {
            int e = errno;
            if (i == 1 && fd[0] >= 0)
                close(fd[0]);
            lua_pushnil(L);
            lua_pushfstring(L, "cannot open '%s': %s", o->path[i], strerror(e));
            lua_pushstring(L, e == ENOENT   ? "ENOENT"
                              : e == EACCES ? "EACCES"
                                            : "EIO");
            return -1;
        }
    }
    return 0;
}

static void close_stdio_files(int fd[2])
{
    if (fd[0] >= 0)
        close(fd[0]);
    if (fd[1] >= 0 && fd[1] != fd[0])
        close(fd[1]);
}

/* Initialises p's pipes and starts the helper. Returns uv_spawn's result;
 * on failure every handle initialised here is being closed, and p is freed
 * once they are (p->orphan). */
static int start(proc *p, const spawn_opts *o, char **args, char **envp,
                 const int fd[2])
{
    uv_loop_t *loop = bl_loop();
    uv_stdio_container_t stdio[6];
    memset(stdio, 0, sizeof stdio);
    p->out.owner = p->err.owner = p->st.owner = p;
    if (o->instr || o->in_pipe) {
        uv_pipe_init(loop, &p->in, 0);
        p->in.data = p;
        p->handles++;
        stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
        stdio[0].data.stream = (uv_stream_t *)&p->in;
    } else
        stdio[0].flags = UV_IGNORE;
    capture *cs[2] = {&p->out, &p->err};
    for (int i = 0; i < 2; i++) {
        switch (o->kind[i]) {
        case STDIO_STREAM:
            cs[i]->stream = 1;
            /* fall through */
        case STDIO_CAPTURE:
            uv_pipe_init(loop, &cs[i]->pipe, 0);
            cs[i]->pipe.data = p;
            p->handles++;
            cs[i]->limit = o->max_output;
            stdio[i + 1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
            stdio[i + 1].data.stream = (uv_stream_t *)&cs[i]->pipe;
            break;
        case STDIO_INHERIT:
            stdio[i + 1].flags = UV_INHERIT_FD;
            stdio[i + 1].data.fd = i + 1;
            break;
        case STDIO_NULL:
            stdio[i + 1].flags = UV_IGNORE;
            break;
        case STDIO_FILE:
            stdio[i + 1].flags = UV_INHERIT_FD;
            stdio[i + 1].data.fd = fd[i];
            break;
        }
    }
    int nstdio = 3;
    if (o->sandboxed) {
        uv_pipe_init(loop, &p->st.pipe, 0);
        p->st.pipe.data = p;
        p->st.limit = 1024;
        p->handles++;
        stdio[3].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
        stdio[3].data.stream = (uv_stream_t *)&p->st.pipe;
        nstdio = 4;
        if (o->share_net) {
            stdio[4].flags = UV_INHERIT_FD;
            stdio[4].data.fd = netns_fd;
            nstdio = 5;
            if (userns_fd >= 0) {
                stdio[5].flags = UV_INHERIT_FD;
                stdio[5].data.fd = userns_fd;
                nstdio = 6;
            }
        }
    }
    uv_process_options_t po;
    memset(&po, 0, sizeof po);
    po.file = args[0];
    po.args = args;
    po.env = envp;
    po.cwd = o->cwd;
    po.exit_cb = on_exit_cb;
    po.stdio_count = nstdio;
    po.stdio = stdio;
    p->h.data = p;
    p->started = (double)uv_hrtime() / 1e9;
    int rc = uv_spawn(loop, &p->h, &po);
    if (rc != 0) {
        p->orphan = 1;
        p->handles++; /* the process handle must be closed too */
        uv_close((uv_handle_t *)&p->h, handle_closed);
        if (o->instr || o->in_pipe)
            uv_close((uv_handle_t *)&p->in, handle_closed);
        for (int i = 0; i < 2; i++)
            if (is_pipe(o->kind[i]))
                uv_close((uv_handle_t *)&cs[i]->pipe, handle_closed);
        if (o->sandboxed)
            uv_close((uv_handle_t *)&p->st.pipe, handle_closed);
    }
    return rc;
}

/* After a successful start: read the pipes, write stdin, join the live
 * list. p->inbuf already holds the stdin string. */
static void run(proc *p, const spawn_opts *o)
{
    p->handles++; /* process handle */
    p->pgid = p->h.pid;
    uv_timer_init(bl_loop(), &p->drain);
    p->drain.data = p;
    p->handles++;
    capture *cs[2] = {&p->out, &p->err};
    for (int i = 0; i < 2; i++)
        if (is_pipe(o->kind[i])) {
            cs[i]->open = 1;
            uv_read_start((uv_stream_t *)&cs[i]->pipe, on_alloc, on_read);
        }
    if (o->sandboxed) {
        p->st.open = 1;
        uv_read_start((uv_stream_t *)&p->st.pipe, on_alloc, on_read);
    }
    if (o->instr && o->inlen == 0) {
        close_handle(p, (uv_handle_t *)&p->in);
    } else if (o->instr) {
        p->in_open = 1;
        uv_buf_t b = uv_buf_init(p->inbuf, (unsigned)o->inlen);
        p->wreq.data = p;
        if (uv_write(&p->wreq, (uv_stream_t *)&p->in, &b, 1, on_written) != 0)
            on_written(&p->wreq, -1);
    } else if (o->in_pipe)
        p->in_open = 1;
    p->next = live;
    if (live)
        live->prev = p;
    live = p;
}

/*
 * bench.proc.spawn{argv = {...}, env = {K=V}, clear_env = bool, cwd = DIR,
 *   stdin = STRING | {pipe = true} | nil, stdout = MODE, stderr = MODE,
 *   max_output = BYTES, rlimits = {as=, cpu=, nproc=, fsize=, nofile=},
 *   sandbox = "auto" | "strict" | "fallback" | nil, workdir = DIR}
 * -> Process | nil, err, code. Does not yield. The options are read and
 * checked before anything is opened or allocated, so a misuse error leaks
 * nothing; a file that cannot be opened, no memory or a failed spawn is
 * nil, message, code.
 */
static int l_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    spawn_opts o;
    read_opts(L, &o);
    luaL_checkstack(L, 8, NULL);
    ud *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->p = NULL;
    luaL_setmetatable(L, PROC_MT);

    int fd[2];
    if (open_stdio_files(L, &o, fd) != 0)
        return 3;
    /* nothing below raises until the process runs */
    char **args = calloc((size_t)o.nargs + 1, sizeof *args);
    char **envp = calloc((size_t)o.nenv + 1, sizeof *envp);
    proc *p = calloc(1, sizeof *p);
    char *inbuf = o.inlen ? malloc(o.inlen) : NULL;
    if (!args || !envp || !p || (o.inlen && !inbuf)) {
        free(args);
        free(envp);
        free(p);
        free(inbuf);
        close_stdio_files(fd);
        lua_pushnil(L);
        lua_pushliteral(L, "out of memory");
        lua_pushliteral(L, "ENOMEM");
        return 3;
    }
    if (inbuf)
        memcpy(inbuf, o.instr, o.inlen);
    p->inbuf = inbuf;
    for (int i = 1; i <= o.nargs; i++) {
        lua_rawgeti(L, o.argt, i);
        args[i - 1] = (char *)lua_tostring(L, -1); /* anchored in argt */
        lua_pop(L, 1);
    }
    for (int i = 1; i <= o.nenv; i++) {
        lua_rawgeti(L, o.envl, i);
        envp[i - 1] = (char *)lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    int rc = start(p, &o, args, envp, fd);
    free(args);
    free(envp);
    close_stdio_files(fd); /* the child has its own copies */
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot start '%s': %s", o.prog, uv_strerror(rc));
        lua_pushstring(L, uv_err_name(rc));
        return 3;
    }
    run(p, &o);
    u->p = p;
    return 1;
}

static void wait_cancel(bl_op *op)
{
    waitop *w = (waitop *)op;
    w->op.co = NULL;
    if (w->timer_on)
        uv_timer_stop(&w->timer);
    finish_wait(w, 0);
}

static void on_wait_timeout(uv_timer_t *t)
{
    waitop *w = t->data;
    finish_wait(w, 1);
}

/* p:wait([timeout]) -> result | nil, "timeout". Yields. The result table:
 * status ("exited"|"signaled"), code | signal, elapsed, stdout, stderr,
 * stdout_bytes, stderr_bytes, stdout_truncated, stderr_truncated. */
static int l_wait(lua_State *L)
{
    proc *p = check_proc(L, 1);
    double timeout = luaL_optnumber(L, 2, -1);
    if (p->done) {
        push_result(L, p);
        return 1;
    }
    if (!bl_in_task(L))
        return luaL_error(L, "process:wait must run inside a task");
    waitop *w = calloc(1, sizeof *w);
    if (!w)
        return luaL_error(L, "out of memory");
    w->p = p;
    w->op.cancel = wait_cancel;
    uv_timer_init(bl_loop(), &w->timer);
    w->timer.data = w;
    if (timeout >= 0) {
        uv_timer_start(&w->timer, on_wait_timeout,
                       (uint64_t)(timeout * 1000 + 0.5), 0);
        w->timer_on = 1;
    }
    w->next = p->waiters;
    p->waiters = w;
    return bl_yield(L, &w->op);
}

static void read_cancel(bl_op *op)
{
    readop *r = (readop *)op;
    r->p->reader = NULL;
    uv_close((uv_handle_t *)&r->timer, readop_closed);
}

static void on_read_timeout(uv_timer_t *t)
{
    readop *r = t->data;
    lua_State *co = r->op.co;
    r->p->reader = NULL;
    uv_close((uv_handle_t *)&r->timer, readop_closed);
    lua_pushnil(co);
    lua_pushliteral(co, "timeout");
    bl_resume(&r->op, 2);
}

/* p:readline([timeout]) -> line | nil, "eof" | nil, "timeout". Yields.
 * Needs stdout = "stream"; the line has no trailing newline. */
static int l_readline(lua_State *L)
{
    proc *p = check_proc(L, 1);
    double timeout = luaL_optnumber(L, 2, -1);
    if (!p->out.stream)
        return luaL_error(
            L, "readline needs the process started with stdout = \"stream\"");
    if (p->reader)
        return luaL_error(L, "another task is already reading this process");
    capture *c = &p->out;
    char *base = c->buf ? c->buf + c->start : NULL;
    size_t avail = c->len - c->start;
    char *nl = avail ? memchr(base, '\n', avail) : NULL;
    if (nl || !c->open) {
        if (nl) {
            lua_pushlstring(L, base, (size_t)(nl - base));
            c->start += (size_t)(nl - base) + 1;
            return 1;
        }
        if (avail) {
            lua_pushlstring(L, base, avail);
            c->start = c->len;
            return 1;
        }
        lua_pushnil(L);
        lua_pushliteral(L, "eof");
        return 2;
    }
    if (!bl_in_task(L))
        return luaL_error(L, "process:readline must run inside a task");
    readop *r = calloc(1, sizeof *r);
    if (!r)
        return luaL_error(L, "out of memory");
    r->p = p;
    r->op.cancel = read_cancel;
    uv_timer_init(bl_loop(), &r->timer);
    r->timer.data = r;
    if (timeout >= 0) {
        uv_timer_start(&r->timer, on_read_timeout,
                       (uint64_t)(timeout * 1000 + 0.5), 0);
        r->timer_on = 1;
    }
    p->reader = r;
    return bl_yield(L, &r->op);
}

typedef struct {
    uv_write_t req;
    size_t len;
    char data[];
} wbuf;

static void on_wbuf_written(uv_write_t *req, int status)
{
    (void)status;
    free(req->data);
}

/* p:write(data) -> true | nil, err. Queues data on a {pipe=true} stdin;
 * does not yield. */
static int l_write(lua_State *L)
{
    proc *p = check_proc(L, 1);
    size_t n;
    const char *d = luaL_checklstring(L, 2, &n);
    if (!p->in_open || p->inbuf) {
        lua_pushnil(L);
        lua_pushliteral(L, "stdin is not an open pipe");
        return 2;
    }
    wbuf *w = malloc(sizeof *w + n);
    if (!w)
        return luaL_error(L, "out of memory");
    memcpy(w->data, d, n);
    w->len = n;
    w->req.data = w;
    uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
    int rc = uv_write(&w->req, (uv_stream_t *)&p->in, &b, 1, on_wbuf_written);
    if (rc != 0) {
        free(w);
        lua_pushnil(L);
        lua_pushstring(L, uv_strerror(rc));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* p:kill([sig]) signals the process and its group. sig: "TERM" (default),
 * "KILL", "INT", ... or a number. Returns true if it was still running. */
static int l_kill(lua_State *L)
{
    proc *p = check_proc(L, 1);
    int sig = signum_of(L, 2);
    lua_pushboolean(L, !p->exited);
    send_signal(p, sig);
    return 1;
}

static int l_pid(lua_State *L)
{
    proc *p = check_proc(L, 1);
    lua_pushinteger(L, p->h.pid);
    return 1;
}

static int l_running(lua_State *L)
{
    proc *p = check_proc(L, 1);
    lua_pushboolean(L, !p->exited);
    return 1;
}

/* p:close_stdin(): close a {pipe=true} stdin. */
static int l_close_stdin(lua_State *L)
{
    proc *p = check_proc(L, 1);
    if (p->in_open && !p->inbuf) {
        p->in_open = 0;
        close_handle(p, (uv_handle_t *)&p->in);
    }
    return 0;
}

/* p:close(): idempotent; SIGKILLs the group if still running, releases the
 * handle. Used for __gc and __close. */
static int l_close(lua_State *L)
{
    ud *u = luaL_checkudata(L, 1, PROC_MT);
    proc *p = u->p;
    if (!p)
        return 0;
    u->p = NULL;
    if (!p->exited)
        send_signal(p, SIGKILL);
    if (p->in_open && !p->inbuf) {
        p->in_open = 0;
        close_handle(p, (uv_handle_t *)&p->in);
    }
    p->orphan = 1;
    if (p->handles == 0)
        free_proc(p);
    return 0;
}

static void shutdown_timer_cb(uv_timer_t *t)
{
    *(int *)t->data = 1;
}

/* ---- adopted descendants (orphans.c) ---- */

static int is_live(pid_t pid)
{
    for (proc *p = live; p; p = p->next)
        if (p->h.pid == pid && !p->exited)
            return 1;
    return 0;
}

static uv_signal_t sigchld;
static int sigchld_on;

static void on_sigchld(uv_signal_t *h, int signum)
{
    (void)h;
    (void)signum;
    bl_orphans_reap(is_live);
}

void bl_proc_kill_orphans_now(void)
{
    bl_orphans_signal(SIGKILL, 1, is_live);
}

/* bench.proc.kill_orphans() -> n: SIGKILL the processes that children left
 * behind and that were re-parented to benchlua (a daemonizing server's
 * grandchildren), and reap them. Blocks at most about a second. */
static int l_kill_orphans(lua_State *L)
{
    lua_pushinteger(L, bl_orphans_kill(is_live));
    return 1;
}

void bl_proc_kill_all(int sig)
{
    for (proc *p = live; p; p = p->next)
        send_signal(p, sig);
}

void bl_proc_shutdown(int grace_ms)
{
    /* (the timer lives until the last uv_run below has closed it: declared
     * in the block, its memory could be reused before that) */
    uv_timer_t t;
    int expired = 0;
    if (live) {
        bl_proc_kill_all(SIGTERM);
        uv_timer_init(bl_loop(), &t);
        t.data = &expired;
        uv_timer_start(&t, shutdown_timer_cb, (uint64_t)grace_ms, 0);
        while (live && !expired)
            uv_run(bl_loop(), UV_RUN_ONCE);
        if (live) {
            bl_proc_kill_all(SIGKILL);
            uv_timer_start(&t, shutdown_timer_cb, 2000, 0);
            expired = 0;
            while (live && !expired)
                uv_run(bl_loop(), UV_RUN_ONCE);
        }
        uv_close((uv_handle_t *)&t, NULL);
    }
    bl_orphans_kill(is_live);
    if (sigchld_on) {
        uv_close((uv_handle_t *)&sigchld, NULL);
        sigchld_on = 0;
    }
    uv_run(bl_loop(), UV_RUN_NOWAIT);
}

/* bench.proc.count() -> live children (leak checks). */
static int l_count(lua_State *L)
{
    int n = 0;
    for (proc *p = live; p; p = p->next)
        n++;
    lua_pushinteger(L, n);
    return 1;
}

/* bench.proc.sandbox_probe() -> true | false, reason: can the namespace
 * sandbox run here? */
static int l_sandbox_probe(lua_State *L)
{
    char why[256] = "";
    int ok = bl_sandbox_probe(why, sizeof why);
    lua_pushboolean(L, ok);
    if (ok)
        return 1;
    lua_pushstring(L, why);
    return 2;
}

void bl_open_proc(lua_State *L)
{
    static const luaL_Reg meth[] = {{"wait", l_wait},
                                    {"kill", l_kill},
                                    {"pid", l_pid},
                                    {"running", l_running},
                                    {"close", l_close},
                                    {"close_stdin", l_close_stdin},
                                    {"readline", l_readline},
                                    {"write", l_write},
                                    {NULL, NULL}};
    static const luaL_Reg fns[] = {{"spawn", l_spawn},
                                   {"count", l_count},
                                   {"sandbox_probe", l_sandbox_probe},
                                   {"kill_orphans", l_kill_orphans},
                                   {NULL, NULL}};
    if (luaL_newmetatable(L, PROC_MT)) {
        luaL_newlib(L, meth);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    if (!sigchld_on) {
        uv_signal_init(bl_loop(), &sigchld);
        uv_signal_start(&sigchld, on_sigchld, SIGCHLD);
        uv_unref((uv_handle_t *)&sigchld);
        sigchld_on = 1;
    }
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "proc");
}
