/*
 * lnet.c: ports for Lua (bench.net.free_port, bench.net.port_in_use): what
 * starting a server needs to pick its port. Neither call yields.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bl.h"

/* Bind host:port (port 0 = any); returns the bound port, or -1 (errno). */
static int try_bind(const char *host, int port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int fam;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        fam = a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        len = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        fam = a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        len = sizeof *a6;
    } else if (strcmp(host, "localhost") == 0) {
        return try_bind("127.0.0.1", port);
    } else {
        return -2;
    }
    int fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(fam == AF_INET ? a4->sin_port : a6->sin6_port);
}

/* bench.net.free_port([host]) -> port | nil, err: a port free right now. */
static int l_free_port(lua_State *L)
{
    const char *host = luaL_optstring(L, 1, "127.0.0.1");
    int p = try_bind(host, 0);
    if (p < 0) {
        lua_pushnil(L);
        lua_pushfstring(L,
                        p == -2 ? "'%s' is not a numeric address"
                                : "cannot find a free port on %s",
                        host);
        return 2;
    }
    lua_pushinteger(L, p);
    return 1;
}

/* bench.net.port_in_use(host, port) -> true if it cannot be bound. */
static int l_port_in_use(lua_State *L)
{
    const char *host = luaL_checkstring(L, 1);
    int port = (int)luaL_checkinteger(L, 2);
    lua_pushboolean(L, try_bind(host, port) == -1);
    return 1;
}

void bl_open_net(lua_State *L)
{
    static const luaL_Reg fns[] = {{"free_port", l_free_port},
                                   {"port_in_use", l_port_in_use},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "net");
}
