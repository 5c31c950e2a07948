/*
 * main.c: the benchlua executable. Dispatches the exec-helper mode (see
 * exec.c), otherwise builds the Lua state with the `bench` table, loads the
 * embedded Lua library, and runs lua/benchlua/main.lua as the main task under
 * a message handler, with Ctrl-C and SIGTERM delivered into it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <lualib.h>
#include <lua-cjson.h>
#include "bl.h"
#include "exec.h"

static lua_State *gL;
static uv_async_t wake;
static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t exit_signal;

/* The signal handler proper (not a libuv signal watcher, whose callback
 * only runs when Lua gives the loop a turn): the first signal stops the
 * running Lua code through a hook and wakes the loop, which interrupts the
 * main task; a second one kills the children and exits at once. Only
 * async-signal-safe calls. */
static void on_signal(int signum)
{
    static const char *const msg[] = {
        [SIGINT] = "benchlua: Interrupt: stopping (again to force)\n",
        [SIGTERM] = "benchlua: Terminated: stopping (again to force)\n",
        [SIGHUP] = "benchlua: Hangup: stopping (again to force)\n",
    };
    exit_signal = signum;
    if (++interrupts == 1) {
        ssize_t w = write(2, msg[signum], strlen(msg[signum]));
        (void)w;
        bl_tasks_stop_running(signum);
        uv_async_send(&wake);
    } else {
        bl_proc_kill_all(SIGKILL);
        bl_proc_kill_orphans_now();
        _exit(128 + signum);
    }
}

static void on_wake(uv_async_t *h)
{
    (void)h;
    bl_tasks_interrupt(gL,
                       exit_signal == SIGINT ? "interrupted" : "terminated");
}

/* package.searchers entry: finds "benchlua.x" among the embedded sources. */
static int embedded_searcher(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    for (const struct bl_embedded *e = bl_embedded; e->name; e++) {
        if (strcmp(e->name, name) == 0) {
            if (luaL_loadbufferx(L, e->src, e->len, e->chunkname, "t") !=
                LUA_OK)
                return lua_error(L);
            lua_pushstring(L, e->chunkname + 1);
            return 2;
        }
    }
    lua_pushfstring(L, "\n\tno embedded module '%s'", name);
    return 1;
}

/* bench.embedded(name) -> source text of an embedded file or nil. */
static int l_embedded(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    for (const struct bl_embedded *e = bl_embedded; e->name; e++)
        if (strcmp(e->name, name) == 0) {
            lua_pushlstring(L, e->src, e->len);
            return 1;
        }
    lua_pushnil(L);
    return 1;
}

static int setup(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    luaL_openlibs(L);

    /* embedded modules first, so a stray benchlua module on the path cannot shadow them */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    lua_pushcfunction(L, embedded_searcher);
    for (lua_Integer i = (lua_Integer)luaL_len(L, -2); i >= 2; i--) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -3, i + 1);
    }
    lua_rawseti(L, -2, 2);
    lua_pop(L, 1);
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_cjson);
    lua_setfield(L, -2, "cjson");
    lua_pushcfunction(L, bl_open_jsonpick);
    lua_setfield(L, -2, "benchlua.jsonpick");
    lua_pop(L, 2);

    lua_newtable(L);
    bl_open_task(L);
    bl_open_proc(L);
    bl_open_http(L);
    bl_open_fs(L);
    bl_open_codec(L);
    bl_open_net(L);
    lua_pushcfunction(L, l_embedded);
    lua_setfield(L, -2, "embedded");
    lua_pushliteral(L, BL_VERSION);
    lua_setfield(L, -2, "version");
    char exe[4096];
    size_t n = sizeof exe;
    if (uv_exepath(exe, &n) != 0)
        n = (size_t)snprintf(exe, sizeof exe, "%s", argv[0]);
    lua_pushlstring(L, exe, n);
    lua_setfield(L, -2, "exe");
    /* children start through benchlua-exec beside the binary when it is
     * there (fast), else through this binary's --exec-helper mode */
    char *slash = strrchr(exe, '/');
    if (slash && (size_t)(slash - exe) + sizeof "/benchlua-exec" < sizeof exe) {
        strcpy(slash, "/benchlua-exec");
        if (access(exe, X_OK) != 0)
            n = sizeof exe, uv_exepath(exe, &n);
    }
    lua_pushstring(L, exe);
    lua_setfield(L, -2, "exec_helper");
#ifdef BENCHLUA_DATADIR
    lua_pushliteral(L, BENCHLUA_DATADIR);
    lua_setfield(L, -2, "datadir");
#endif
    lua_setglobal(L, "bench");

    lua_getglobal(L, "require");
    lua_pushliteral(L, "benchlua.main");
    lua_call(L, 1, 1);
    lua_createtable(L, argc, 0);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    return 2; /* main function, args */
}

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--exec-helper") == 0) {
        int rc = bl_exec_main(argc - 1, argv + 1);
        fflush(NULL);
        _exit(rc);
    }

    signal(SIGPIPE, SIG_IGN);
    /* what a child orphans (a server that daemonizes) becomes our child,
     * not init's, so that it can be stopped with the server (lproc.c) */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr,
                "benchlua: cannot create the Lua state (out of memory)\n");
        return 1;
    }
    gL = L;
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, setup);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    if (lua_pcall(L, 2, 2, 1) != LUA_OK) {
        fprintf(stderr, "benchlua: %s\n", lua_tostring(L, -1));
        lua_close(L);
        return 1;
    }
    uv_async_init(bl_loop(), &wake, on_wake);
    uv_unref((uv_handle_t *)&wake);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    int signums[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(signums[i], &sa, NULL);
    /* main function and its argument table are on the stack */
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_remove(L, -3);
    lua_remove(L, -3);
    lua_pushliteral(L, "benchlua.exit_code");
    lua_pushinteger(L, 1);
    lua_settable(L, LUA_REGISTRYINDEX);
    int failed = bl_run_main(L, 1);
    bl_tasks_shutdown(L);
    bl_proc_shutdown(3000);
    int code = 1;
    if (!failed) {
        lua_getfield(L, LUA_REGISTRYINDEX, "benchlua.exit_code");
        code = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    if (exit_signal)
        code = 128 + exit_signal;
    lua_close(L);
    sa.sa_handler = SIG_DFL;
    for (int i = 0; i < 3; i++)
        sigaction(signums[i], &sa, NULL);
    uv_close((uv_handle_t *)&wake, NULL);
    uv_run(bl_loop(), UV_RUN_NOWAIT);
    return code;
}
