/*
 * lfs.c: files for Lua (bench.fs.*): whole-file reads that see through gzip
 * (bl_inflate, lcodec.c), atomic writes (temp file + fsync + rename),
 * appends, advisory locks, temporary directories, recursive removal. These
 * calls do not yield; they are short and local. The results-file policy (merge, refuse foreign files) is
 * in lua/benchlua/results.lua.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bl.h"

#define LOCK_MT "bench.Lock"

static int fail(lua_State *L, const char *what, const char *path)
{
    int e = errno;
    lua_pushnil(L);
    lua_pushfstring(L, "%s '%s': %s", what, path, strerror(e));
    lua_pushstring(L, e == ENOENT   ? "ENOENT"
                      : e == EACCES ? "EACCES"
                      : e == EEXIST ? "EEXIST"
                                    : "EIO");
    return 3;
}

/* Reads fd to its end into a pushed string; at most max bytes (0: no
 * limit). size_hint (the file's size, 0 if unknown) sizes the buffer once,
 * so that a large file is not copied as the buffer doubles. Returns 0, 1 if
 * over max (pushed nothing), -1 on error (errno). */
static int read_fd(lua_State *L, int fd, size_t max, size_t size_hint)
{
    luaL_Buffer b;
    luaL_buffinitsize(L, &b, size_hint + 1);
    size_t total = 0;
    for (;;) {
        size_t want =
            size_hint && size_hint >= total ? size_hint - total + 1 : 1 << 16;
        char *p = luaL_prepbuffsize(&b, want);
        ssize_t n = read(fd, p, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        luaL_addsize(&b, (size_t)n);
        total += (size_t)n;
        if (max && total > max)
            return 1;
    }
    luaL_pushresult(&b);
    return 0;
}

/* bench.fs.read(path [, max]) -> contents | nil, err, code. Gzip files are
 * decompressed (detected by content, not by name); a gzip stream must end
 * properly. With max (bytes): only a regular file is read ("EINVAL"
 * otherwise: a FIFO, a device, a directory), and neither it nor its
 * decompressed contents may exceed max ("ETOOBIG"). */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer maxi = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, maxi >= 0, 2, "max must be >= 0");
    size_t max = (size_t)maxi;
    lua_settop(L, 2);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(L, "cannot open", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return fail(L, "cannot read", path);
    }
    if (max && !S_ISREG(st.st_mode)) {
        close(fd);
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read '%s': not a regular file", path);
        lua_pushliteral(L, "EINVAL");
        return 3;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return fail(L, "cannot read", path);
    }
    if (max && (uint64_t)st.st_size > max) {
        close(fd);
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read '%s': larger than %I bytes", path,
                        maxi);
        lua_pushliteral(L, "ETOOBIG");
        return 3;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    /* the descriptor in a box would be tidier; a memory error here is the
     * only way out that skips this close, and it ends benchlua */
    size_t hint = S_ISREG(st.st_mode) && (uint64_t)st.st_size < SIZE_MAX / 2
                      ? (size_t)st.st_size
                      : 0;
    int r = read_fd(L, fd, max, hint);
    int e = errno;
    close(fd);
    if (r < 0) {
        errno = e;
        return fail(L, "cannot read", path);
    }
    if (r > 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read '%s': larger than %I bytes", path,
                        maxi);
        lua_pushliteral(L, "ETOOBIG");
        return 3;
    }
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    if (n < 2 || (unsigned char)s[0] != 0x1f || (unsigned char)s[1] != 0x8b)
        return 1;
    if (n > UINT32_MAX) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read '%s': compressed file too large", path);
        lua_pushliteral(L, "ETOOBIG");
        return 3;
    }
    const char *what = lua_pushfstring(L, "cannot read '%s'", path);
    lua_insert(L, -2);
    if (bl_inflate(L, what, s, n, max, 15 + 16, 0) != 0)
        return 3;
    return 1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
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

/* bench.fs.write_atomic(path, data) -> true | nil, err. Readers see the old
 * file or the new one, never a part; a crash mid-write leaves the old one.
 * A symbolic link is written through: the temp file goes beside the link's
 * target and is renamed onto it, so the link stays a link. An existing
 * file keeps its permission bits. A path that is not a regular file or
 * missing is not replaced: a directory is an error, and a device, FIFO or
 * socket (-o /dev/null, /dev/stdout, a pipe) is written to as it is, which
 * a rename would replace with a file (as root, /dev/null itself). */
static int l_write_atomic(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t n;
    const char *data = luaL_checklstring(L, 2, &n);
    lua_settop(L, 2);
    char *real = realpath(path, NULL);
    if (real) {
        lua_pushstring(L, real);
        free(real);
        path = lua_tostring(L, 3); /* anchored at 3 */
    }
    struct stat old;
    int exists = stat(path, &old) == 0;
    if (exists && S_ISDIR(old.st_mode)) {
        errno = EISDIR;
        return fail(L, "cannot write", path);
    }
    if (exists && !S_ISREG(old.st_mode)) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return fail(L, "cannot open", path);
        int e = write_all(fd, data, n) < 0 ? errno : 0;
        close(fd);
        if (e) {
            errno = e;
            return fail(L, "cannot write", path);
        }
        lua_pushboolean(L, 1);
        return 1;
    }
    int had = exists;
    const char *tmp = lua_pushfstring(L, "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(L, "cannot create", tmp);
    if ((had && fchmod(fd, old.st_mode & 07777) < 0) ||
        write_all(fd, data, n) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return fail(L, "cannot write", tmp);
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return fail(L, "cannot rename onto", path);
    }
    /* make the rename durable (without memory, the data is still there) */
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    const char *d = !dir     ? NULL
                    : !slash ? "."
                             : (slash == dir ? "/" : (*slash = 0, dir));
    int dfd = d ? open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
    lua_pushboolean(L, 1);
    return 1;
}

/* bench.fs.append(path, data) -> true | nil, err. One write(2) with O_APPEND,
 * so lines from concurrent writers do not interleave. */
static int l_append(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t n;
    const char *data = luaL_checklstring(L, 2, &n);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(L, "cannot open", path);
    if (write_all(fd, data, n) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return fail(L, "cannot append to", path);
    }
    close(fd);
    lua_pushboolean(L, 1);
    return 1;
}

typedef struct {
    int fd;
} lockud;

/* bench.fs.trylock(path) -> Lock | nil, err, "EAGAIN" when another process
 * holds it. An exclusive flock on `path` (created if missing). Release with
 * lock:close() or a <close> variable. bench.fs.lock (Lua) retries. */
static int l_trylock(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lockud *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->fd = -1;
    luaL_setmetatable(L, LOCK_MT);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(L, "cannot open lock file", path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close(fd);
        lua_pushnil(L);
        lua_pushfstring(L, "'%s' is locked by another process", path);
        lua_pushstring(L, e == EWOULDBLOCK ? "EAGAIN" : "EIO");
        return 3;
    }
    u->fd = fd;
    return 1;
}

static int l_unlock(lua_State *L)
{
    lockud *u = luaL_checkudata(L, 1, LOCK_MT);
    if (u->fd >= 0) {
        close(u->fd);
        u->fd = -1;
    }
    return 0;
}

/* bench.fs.mkdir_p(path) -> true | nil, err */
static int l_mkdir_p(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char *p = strdup(path);
    if (!p)
        return luaL_error(L, "out of memory");
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return fail(L, "cannot create directory", path);
        }
        *s = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        free(p);
        errno = e;
        return fail(L, "cannot create directory", path);
    }
    free(p);
    lua_pushboolean(L, 1);
    return 1;
}

/* bench.fs.mkdir(path) -> true | nil, err, code: one directory, created
 * exclusively (mkdir(2), atomic on NFS too): "EEXIST" when anything is
 * there already, so that two processes never get the same one. */
static int l_mkdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (mkdir(path, 0755) < 0)
        return fail(L, "cannot create directory", path);
    lua_pushboolean(L, 1);
    return 1;
}

/* bench.fs.stat(path) -> {type="file"|"dir"|"other", size, mode, mtime} | nil
 * (mode: the permission bits) */
static int l_stat(lua_State *L)
{
    struct stat st;
    if (stat(luaL_checkstring(L, 1), &st) < 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 3);
    lua_pushstring(L, S_ISREG(st.st_mode)   ? "file"
                      : S_ISDIR(st.st_mode) ? "dir"
                                            : "other");
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, st.st_size);
    lua_setfield(L, -2, "size");
    lua_pushinteger(L, st.st_mode & 07777);
    lua_setfield(L, -2, "mode");
    lua_pushnumber(L, (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9);
    lua_setfield(L, -2, "mtime");
    return 1;
}

/* bench.fs.list(dir) -> {name...} | nil, err, code: the entries of a
 * directory, "." and ".." left out, in no particular order. */
static int l_list(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return fail(L, "cannot list", path);
    }
    /* a memory error while the list grows would leak d; it ends benchlua */
    lua_newtable(L);
    lua_Integer n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        lua_pushstring(L, name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    return 1;
}

/* bench.fs.realpath(path) -> absolute path, symlinks resolved | nil, err,
 * code */
static int l_realpath(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char *r = realpath(path, NULL);
    if (!r)
        return fail(L, "cannot resolve", path);
    lua_pushstring(L, r);
    free(r);
    return 1;
}

/* bench.fs.mkdtemp([prefix]) -> path | nil, err. Under $TMPDIR or /tmp. */
static int l_mkdtemp(lua_State *L)
{
    const char *prefix = luaL_optstring(L, 1, "benchlua");
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    char *t = (char *)lua_pushfstring(L, "%s/%s-XXXXXX", tmp, prefix);
    char *buf = strdup(t);
    if (!buf)
        return luaL_error(L, "out of memory");
    if (!mkdtemp(buf)) {
        int e = errno;
        free(buf);
        errno = e;
        return fail(L, "cannot create a directory in", tmp);
    }
    lua_pushstring(L, buf);
    free(buf);
    return 1;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *f)
{
    (void)st;
    (void)f;
    if (flag == FTW_DP)
        return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* bench.fs.rmtree(path) -> true | nil, err. Does not follow symlinks. */
static int l_rmtree(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        return fail(L, "cannot remove", path);
    lua_pushboolean(L, 1);
    return 1;
}

/* bench.fs.remove(path) -> true | nil, err */
static int l_remove(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (unlink(path) < 0)
        return fail(L, "cannot remove", path);
    lua_pushboolean(L, 1);
    return 1;
}

/* bench.fs.open_fds() -> n, list: how many descriptors benchlua has open
 * (from /proc/self/fd), and their numbers as a sorted list (leak checks). */
static int l_open_fds(lua_State *L)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return fail(L, "cannot list", "/proc/self/fd");
    char seen[1024] = {0};
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        int fd = atoi(e->d_name);
        if (fd == dirfd(d))
            continue;
        n++;
        if (fd < 1024)
            seen[fd] = 1;
    }
    closedir(d);
    lua_pushinteger(L, n);
    lua_createtable(L, n, 0);
    for (int fd = 0, i = 0; fd < 1024; fd++)
        if (seen[fd]) {
            lua_pushinteger(L, fd);
            lua_rawseti(L, -2, ++i);
        }
    return 2;
}

/* bench.fs.getpid() -> pid of benchlua */
static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, getpid());
    return 1;
}

/* bench.fs.term_width([fd]) -> columns | nil: the width of the terminal on
 * fd (1, stdout), nil when fd is not a terminal */
static int l_term_width(lua_State *L)
{
    int fd = (int)luaL_optinteger(L, 1, 1);
    struct winsize ws;
    if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return 0;
    lua_pushinteger(L, ws.ws_col);
    return 1;
}

void bl_open_fs(lua_State *L)
{
    static const luaL_Reg fns[] = {{"read", l_read},
                                   {"write_atomic", l_write_atomic},
                                   {"append", l_append},
                                   {"trylock", l_trylock},
                                   {"mkdir_p", l_mkdir_p},
                                   {"mkdir", l_mkdir},
                                   {"stat", l_stat},
                                   {"list", l_list},
                                   {"realpath", l_realpath},
                                   {"mkdtemp", l_mkdtemp},
                                   {"rmtree", l_rmtree},
                                   {"remove", l_remove},
                                   {"getpid", l_getpid},
                                   {"open_fds", l_open_fds},
                                   {"term_width", l_term_width},
                                   {NULL, NULL}};
    if (luaL_newmetatable(L, LOCK_MT)) {
        lua_newtable(L);
        lua_pushcfunction(L, l_unlock);
        lua_setfield(L, -2, "close");
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_unlock);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_unlock);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "fs");
}
