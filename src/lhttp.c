/*
 * lhttp.c: HTTP for Lua (bench.http.request, bench.http.abort_all) on
 * libcurl's multi interface, driven by the same libuv loop as everything
 * else (the socket callback starts or stops a uv_poll per socket, the timer
 * callback only arms a uv_timer; finished transfers are drained after every
 * socket action and mapped back to their task through CURLOPT_PRIVATE).
 * The JSON helpers for llama-server live in lua/benchlua/llm.lua.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>
#include "bl.h"

typedef struct xfer {
    bl_op op;
    CURL *easy;
    struct curl_slist *hdrs;
    char *buf;
    size_t len, cap;
    uint64_t got;      /* body bytes received */
    uint64_t max_body; /* more aborts the transfer: ETOOBIG */
    FILE *out;
    char err[CURL_ERROR_SIZE];
    struct xfer *next, *prev;
    /* arrivals=true: when each piece of the body came (seconds since the
     * request started) and where it ended in the body */
    uint64_t t0;
    double *at;
    uint64_t *end;
    size_t narr, carr;
    int arrivals;
} xfer;

typedef struct {
    uv_poll_t poll;
    curl_socket_t fd;
    int events;
} sockctx;

#define BL_MAX_BODY ((lua_Integer)64 << 20) /* default max_body: 64 MiB */

static CURLM *multi;
static uv_timer_t timer;
static xfer *inflight;

static void xfer_free(xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else if (inflight == x)
        inflight = x->next;
    if (x->next)
        x->next->prev = x->prev;
    curl_multi_remove_handle(multi, x->easy);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    if (x->out)
        fclose(x->out);
    free(x->buf);
    free(x->at);
    free(x->end);
    free(x);
}

/* note that the body reached `got` bytes now (arrivals=true) */
static int note_arrival(xfer *x)
{
    if (x->narr == x->carr) {
        size_t n = x->carr ? x->carr * 2 : 64;
        double *at = realloc(x->at, n * sizeof *at);
        if (!at)
            return -1;
        x->at = at;
        uint64_t *end = realloc(x->end, n * sizeof *end);
        if (!end)
            return -1;
        x->end = end;
        x->carr = n;
    }
    x->at[x->narr] = (double)(uv_hrtime() - x->t0) / 1e9;
    x->end[x->narr++] = x->got;
    return 0;
}

static const char *code_name(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_CONNECT:
        return "ECONNREFUSED";
    case CURLE_OPERATION_TIMEDOUT:
        return "ETIMEDOUT";
    case CURLE_GOT_NOTHING:
        return "EEMPTY";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return "ECONNRESET";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "ENOTFOUND";
    case CURLE_PARTIAL_FILE:
        return "EPARTIAL";
    case CURLE_WRITE_ERROR:
        return "EWRITE";
    default:
        return "EHTTP";
    }
}

/* Resume the owner with the response table, or nil, message, code. */
static void complete(xfer *x, CURLcode rc)
{
    lua_State *co = x->op.co;
    if (co) {
        if (rc != CURLE_OK &&
            (x->got > x->max_body || rc == CURLE_FILESIZE_EXCEEDED)) {
            lua_pushnil(co);
            lua_pushfstring(co, "response larger than %I bytes",
                            (lua_Integer)x->max_body);
            lua_pushliteral(co, "ETOOBIG");
            bl_resume(&x->op, 3);
        } else if (rc == CURLE_OK) {
            long status = 0;
            double total = 0, ttfb = 0;
            curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &total);
            curl_easy_getinfo(x->easy, CURLINFO_STARTTRANSFER_TIME, &ttfb);
            lua_createtable(co, 0, 4);
            lua_pushinteger(co, status);
            lua_setfield(co, -2, "status");
            lua_pushlstring(co, x->buf ? x->buf : "", x->len);
            lua_setfield(co, -2, "body");
            lua_pushnumber(co, total);
            lua_setfield(co, -2, "time");
            lua_pushnumber(co, ttfb);
            lua_setfield(co, -2, "ttfb");
            if (x->arrivals) {
                lua_createtable(co, (int)x->narr, 0);
                lua_createtable(co, (int)x->narr, 0);
                for (size_t i = 0; i < x->narr; i++) {
                    lua_pushnumber(co, x->at[i]);
                    lua_rawseti(co, -3, (lua_Integer)i + 1);
                    lua_pushinteger(co, (lua_Integer)x->end[i]);
                    lua_rawseti(co, -2, (lua_Integer)i + 1);
                }
                lua_setfield(co, -3, "arrival_ends");
                lua_setfield(co, -2, "arrival_times");
            }
            bl_resume(&x->op, 1);
        } else {
            lua_pushnil(co);
            lua_pushstring(co, x->err[0] ? x->err : curl_easy_strerror(rc));
            lua_pushstring(co, code_name(rc));
            bl_resume(&x->op, 3);
        }
    }
    xfer_free(x);
}

static void drain(void)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        xfer *x = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        complete(x, m->data.result);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    sockctx *s = h->data;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(multi, s->fd, flags, &running);
    drain();
}

static void on_timer(uv_timer_t *t)
{
    int running;
    (void)t;
    curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain();
}

static int timer_cb(CURLM *m, long ms, void *u)
{
    (void)m;
    (void)u;
    if (ms < 0)
        uv_timer_stop(&timer);
    else
        uv_timer_start(&timer, on_timer, (uint64_t)ms, 0);
    return 0;
}

static void sock_closed(uv_handle_t *h)
{
    free(h->data);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *u, void *sp)
{
    (void)e;
    (void)u;
    sockctx *s = sp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            uv_poll_stop(&s->poll);
            uv_close((uv_handle_t *)&s->poll, sock_closed);
            curl_multi_assign(multi, fd, NULL);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return -1;
        s->fd = fd;
        uv_poll_init_socket(bl_loop(), &s->poll, fd);
        s->poll.data = s;
        curl_multi_assign(multi, fd, s);
    }
    int ev = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        ev |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        ev |= UV_WRITABLE;
    if (ev !=
        s->events) { /* restart the poll only when what we watch changes */
        s->events = ev;
        uv_poll_start(&s->poll, ev, on_poll);
    }
    return 0;
}

static size_t on_data(char *p, size_t sz, size_t n, void *u)
{
    xfer *x = u;
    size_t len = sz * n;
    x->got += len;
    if (x->got > x->max_body)
        return 0; /* curl aborts the transfer; complete() says ETOOBIG */
    if (x->arrivals && note_arrival(x) != 0)
        return 0;
    if (x->out)
        return fwrite(p, 1, len, x->out);
    if (x->len + len + 1 > x->cap) {
        size_t ncap = x->cap ? x->cap : 4096;
        while (ncap < x->len + len + 1)
            ncap *= 2;
        if (ncap > x->max_body + 1 && x->max_body + 1 >= x->len + len + 1)
            ncap = (size_t)x->max_body + 1; /* never twice the limit */
        char *nb = realloc(x->buf, ncap);
        if (!nb)
            return 0;
        x->buf = nb;
        x->cap = ncap;
    }
    memcpy(x->buf + x->len, p, len);
    x->len += len;
    return len;
}

/* curl's sockets, opened close-on-exec so no child inherits them */
static curl_socket_t open_socket(void *u, curlsocktype purpose,
                                 struct curl_sockaddr *a)
{
    (void)u;
    (void)purpose;
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int nomem(lua_State *L)
{
    lua_pushnil(L);
    lua_pushliteral(L, "out of memory");
    lua_pushliteral(L, "ENOMEM");
    return 3;
}

static void xfer_cancel(bl_op *op)
{
    xfer *x = (xfer *)op;
    x->op.co = NULL;
    xfer_free(x);
}

/*
 * bench.http.request{url=, method="GET", headers={"K: V", ...} or {K=V},
 *   body=STRING, timeout=SECONDS (default 600), connect_timeout=SECONDS,
 *   output=PATH (write the body to a file), max_body=BYTES (64 MiB),
 *   arrivals=BOOL}
 * -> {status, body, time, ttfb [, arrival_times, arrival_ends]} | nil,
 * message, code. Yields. arrivals: when each piece of the body came (seconds
 * since the request started) and the body's length after it, for streamed
 * responses (time to first token, inter-token latency).
 * HTTP error statuses are responses, not failures; code names transport
 * failures: ECONNREFUSED, ETIMEDOUT, ECONNRESET, EEMPTY, ENOTFOUND, EABORTED,
 * ETOOBIG (a body over max_body: the transfer is aborted as it passes it).
 */
static int l_request(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_getfield(L, 1, "url");
    const char *url = lua_tostring(L, -1);
    if (!url)
        return luaL_error(L, "url option must be a string");
    lua_getfield(L, 1, "method");
    const char *method = luaL_optstring(L, -1, NULL);
    lua_getfield(L, 1, "body");
    size_t blen = 0;
    const char *body = lua_tolstring(L, -1, &blen);
    if (!body && !lua_isnil(L, -1))
        return luaL_error(L, "body option must be a string");
    lua_getfield(L, 1, "timeout");
    double timeout = luaL_optnumber(L, -1, 600);
    lua_getfield(L, 1, "connect_timeout");
    double ctimeout = luaL_optnumber(L, -1, 10);
    lua_getfield(L, 1, "output");
    const char *output = luaL_optstring(L, -1, NULL);
    lua_getfield(L, 1, "max_body");
    lua_Integer max_body = luaL_optinteger(L, -1, BL_MAX_BODY);
    if (max_body < 0)
        return luaL_error(L, "max_body option must be >= 0");
    lua_getfield(L, 1, "arrivals");
    int arrivals = lua_toboolean(L, -1);
    lua_getfield(L, 1, "headers");
    int ht = lua_gettop(L);
    if (!lua_isnil(L, ht))
        luaL_checktype(L, ht, LUA_TTABLE);
    if (!bl_in_task(L))
        return luaL_error(L, "bench.http.request must run inside a task");

    /* the header lines, built before anything is allocated */
    lua_newtable(L);
    int hl = lua_gettop(L), nh = 0;
    if (!lua_isnil(L, ht)) {
        lua_pushnil(L);
        while (lua_next(L, ht)) {
            if (lua_type(L, -2) == LUA_TSTRING) {
                const char *k = lua_tostring(L, -2);
                const char *v = luaL_tolstring(L, -1, NULL);
                lua_pushfstring(L, "%s: %s", k, v);
            } else
                luaL_tolstring(L, -1, NULL);
            lua_rawseti(L, hl, ++nh);
            lua_settop(L, hl + 1);
        }
    }
    if (body) {
        lua_pushliteral(L, "Expect:");
        lua_rawseti(L, hl, ++nh);
    }

    xfer *x = calloc(1, sizeof *x);
    if (!x)
        return nomem(L);
    for (int i = 1; i <= nh; i++) {
        lua_rawgeti(L, hl, i);
        struct curl_slist *l = curl_slist_append(x->hdrs, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (!l) {
            curl_slist_free_all(x->hdrs);
            free(x);
            return nomem(L);
        }
        x->hdrs = l;
    }
    x->easy = curl_easy_init();
    if (!x->easy) {
        curl_slist_free_all(x->hdrs);
        free(x);
        return nomem(L);
    }
    if (output && !(x->out = fopen(output, "wbe"))) {
        int e = errno;
        curl_easy_cleanup(x->easy);
        curl_slist_free_all(x->hdrs);
        free(x);
        lua_pushnil(L);
        lua_pushfstring(L, "cannot write '%s': %s", output, strerror(e));
        lua_pushliteral(L, "EWRITE");
        return 3;
    }
    x->max_body = (uint64_t)max_body;
    x->arrivals = arrivals;
    x->t0 = uv_hrtime();
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    /* refused at once when the length is announced; counted otherwise */
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->err);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(ctimeout * 1000));
    curl_easy_setopt(e, CURLOPT_USERAGENT, "benchlua/" BL_VERSION);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
    }
    if (method)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (x->hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    x->op.cancel = xfer_cancel;
    x->next = inflight;
    if (inflight)
        inflight->prev = x;
    inflight = x;
    CURLMcode mc = curl_multi_add_handle(multi, e);
    if (mc != CURLM_OK) {
        xfer_free(x);
        lua_pushnil(L);
        lua_pushstring(L, curl_multi_strerror(mc));
        lua_pushstring(L, mc == CURLM_OUT_OF_MEMORY ? "ENOMEM" : "EHTTP");
        return 3;
    }
    return bl_yield(L, &x->op);
}

/* bench.http.abort_all([message]) -> n: every request in flight returns
 * nil, message, "EABORTED" (used when the server dies mid-run). */
static int l_abort_all(lua_State *L)
{
    const char *msg = luaL_optstring(L, 1, "aborted");
    int n = 0;
    while (inflight) {
        xfer *x = inflight;
        lua_State *co = x->op.co;
        if (co) {
            lua_pushnil(co);
            lua_pushstring(co, msg);
            lua_pushliteral(co, "EABORTED");
            bl_resume(&x->op, 3);
        }
        xfer_free(x);
        n++;
    }
    lua_pushinteger(L, n);
    return 1;
}

/* bench.http.inflight() -> number of transfers in flight (leak checks). */
static int l_inflight(lua_State *L)
{
    int n = 0;
    for (xfer *x = inflight; x; x = x->next)
        n++;
    lua_pushinteger(L, n);
    return 1;
}

/* Mark close-on-exec every descriptor >= 3 not set in `before` (a bitmap of
 * the first 1024): curl_multi_init opens a wakeup socketpair without it. */
static void cloexec_new_fds(const unsigned char *before)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (fd >= 3 && fd != dirfd(d) &&
            (fd >= 1024 || !(before[fd / 8] & (1 << (fd % 8)))))
            fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
    }
    closedir(d);
}

static void open_fds(unsigned char *set)
{
    memset(set, 0, 128);
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            set[fd / 8] |= (unsigned char)(1 << (fd % 8));
}

/* The multi handle, its callbacks, and its wakeup socketpair close-on-exec. */
static int new_multi(void)
{
    unsigned char before[128];
    open_fds(before);
    multi = curl_multi_init();
    if (!multi)
        return -1;
    cloexec_new_fds(before);
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    return 0;
}

/* bench.http.close_idle() -> true | false: close the idle connections curl
 * keeps for reuse (false, nothing done, while transfers are in flight). */
static int l_close_idle(lua_State *L)
{
    if (inflight) {
        lua_pushboolean(L, 0);
        return 1;
    }
    CURLM *old = multi;
    if (new_multi() != 0) {
        multi = old;
        lua_pushboolean(L, 0);
        return 1;
    }
    CURLM *keep = multi;
    multi = old; /* socket_cb removes its polls from the old one */
    curl_multi_cleanup(old);
    multi = keep;
    uv_timer_stop(&timer);
    lua_pushboolean(L, 1);
    return 1;
}

void bl_open_http(lua_State *L)
{
    static const luaL_Reg fns[] = {{"request", l_request},
                                   {"abort_all", l_abort_all},
                                   {"inflight", l_inflight},
                                   {"close_idle", l_close_idle},
                                   {NULL, NULL}};
    if (!multi) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        if (new_multi() != 0) {
            lua_pushliteral(L, "cannot initialise libcurl");
            lua_error(L);
        }
        uv_timer_init(bl_loop(), &timer);
    }
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "http");
}
