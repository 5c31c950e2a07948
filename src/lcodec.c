/*
 * lcodec.c: the decoders and the digest a dataset needs (bench.codec.sha256,
 * bench.codec.base64_decode, bench.codec.inflate), and to lfs.c the zlib
 * inflation its gzip reads use (bl_inflate). These calls do not yield.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <nettle/sha2.h>
#include "bl.h"

#define ZBOX_MT "bench.ZStream"
#define CHUNK (1 << 16)

/* A z_stream and its output buffer owned by a userdata, so that an error
 * (a memory error, a check that raises) cannot leak them: __gc ends both. */
typedef struct {
    z_stream z;
    int live;
    char *out;
    size_t len, cap;
} zbox;

static void zbox_end(zbox *b)
{
    if (b->live) {
        inflateEnd(&b->z);
        b->live = 0;
    }
    free(b->out);
    b->out = NULL;
}

static int zbox_gc(lua_State *L)
{
    zbox_end(luaL_checkudata(L, 1, ZBOX_MT));
    return 0;
}

/* Room for CHUNK more bytes; the buffer doubles but never past limit + CHUNK
 * (limit 0: none), so that a stream cut at the limit never held twice it. */
static int reserve(zbox *b, size_t limit)
{
    if (b->cap - b->len >= CHUNK)
        return 0;
    size_t want = b->cap ? b->cap * 2 : 4 * CHUNK;
    if (limit && want > limit + CHUNK)
        want = limit + CHUNK;
    if (want < b->len + CHUNK)
        want = b->len + CHUNK;
    char *p = realloc(b->out, want);
    if (!p)
        return -1;
    b->out = p;
    b->cap = want;
    return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
    while (n--)
        if (*p++)
            return 0;
    return 1;
}

/* Decompresses s[0..n) (window: 15 + 16 gzip, 15 + 32 gzip or zlib) and
 * pushes the bytes; at most max bytes (0: no limit). A gzip stream must end
 * properly: concatenated members are read, zero padding after the last one
 * is allowed (as Python's gzip does), anything else is an error. check: 0,
 * or the stack index of a function called once with the first bytes (up to
 * 64 KiB, or all when fewer): anything but true stops the inflation there,
 * its second result the reason (it may raise; the zbox's __gc ends zlib).
 * When it returns true, size (> 0): the output may be at most size bytes (what
 * the first bytes say it is), and the buffer is sized to it once. Memory
 * used at most: the limit + 64 KiB, then the pushed string.
 * Returns 0, or -1 with nil, message, code pushed (the message starts with
 * `what`). */
int bl_inflate(lua_State *L, const char *what, const char *s, size_t n,
               size_t max, int window, int check)
{
    zbox *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    luaL_setmetatable(L, ZBOX_MT);
    if (inflateInit2(&b->z, window) != Z_OK) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: out of memory", what);
        lua_pushliteral(L, "ENOMEM");
        return -1;
    }
    b->live = 1;
    b->z.next_in = (Bytef *)s;
    b->z.avail_in = (uInt)n; /* (n < 4 GiB: checked by the caller) */
    lua_pushnil(L);          /* the check's reason, when it refuses */
    int why = lua_gettop(L);
    size_t limit = max;
    const char *err = NULL, *code = "EIO";
    int checked = !check, refused = 0, claimed = 0;
    for (;;) {
        if (reserve(b, limit) != 0) {
            err = "out of memory";
            code = "ENOMEM";
            break;
        }
        b->z.next_out = (Bytef *)b->out + b->len;
        b->z.avail_out = CHUNK;
        int rc = inflate(&b->z, Z_NO_FLUSH);
        b->len += CHUNK - b->z.avail_out;
        if (limit && b->len > limit) {
            err = "larger than the limit";
            code = "ETOOBIG";
            break;
        }
        if (!checked && (b->len >= CHUNK || rc != Z_OK)) {
            checked = 1;
            lua_pushvalue(L, check);
            lua_pushlstring(L, b->out, b->len < CHUNK ? b->len : CHUNK);
            lua_call(L, 1, 2);
            int ok = lua_isboolean(L, -2) && lua_toboolean(L, -2);
            if (!ok) {
                const char *r = lua_tostring(L, -1);
                lua_pushfstring(L, "%s: %s", what, r ? r : "refused");
                lua_replace(L, why);
            } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0 &&
                       (!limit || (size_t)lua_tointeger(L, -1) < limit)) {
                limit = (size_t)lua_tointeger(L, -1);
                claimed = 1;
                if (b->len > limit) {
                    lua_pop(L, 2);
                    err = "larger than the limit";
                    code = "ETOOBIG";
                    break;
                }
                char *p = realloc(b->out, limit + CHUNK);
                if (p) {
                    b->out = p;
                    b->cap = limit + CHUNK;
                }
            }
            lua_pop(L, 2);
            if (!ok) {
                err = "refused";
                code = "EREFUSED";
                refused = 1;
                break;
            }
        }
        if (rc == Z_STREAM_END) {
            size_t left = b->z.avail_in;
            const unsigned char *rest = b->z.next_in;
            if (left == 0 || all_zero(rest, left))
                break;
            if (window == 15 + 16 && left >= 2 && rest[0] == 0x1f &&
                rest[1] == 0x8b) {
                inflateReset(&b->z); /* another gzip member */
                continue;
            }
            err = "trailing data after the compressed stream";
            break;
        }
        if (rc == Z_BUF_ERROR && b->z.avail_in == 0) {
            err = "truncated compressed stream (unexpected end of file)";
            break;
        }
        if (rc != Z_OK) {
            err = b->z.msg ? b->z.msg : "corrupt compressed data";
            break;
        }
    }
    if (err) {
        zbox_end(b);
        lua_pushnil(L);
        if (refused)
            lua_pushvalue(L, why);
        else if (strcmp(code, "ETOOBIG") == 0)
            lua_pushfstring(L,
                            claimed ? "%s: more than the %I bytes its first "
                                      "bytes claim"
                                    : "%s: larger than %I bytes",
                            what, (lua_Integer)limit);
        else
            lua_pushfstring(L, "%s: %s", what, err);
        lua_pushstring(L, code);
        return -1;
    }
    lua_pushlstring(L, b->out, b->len);
    zbox_end(b);
    return 0;
}

/* bench.codec.sha256(data) -> hex digest */
static int l_sha256(lua_State *L)
{
    size_t n;
    const char *d = luaL_checklstring(L, 1, &n);
    struct sha256_ctx c;
    uint8_t out[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_init(&c);
    sha256_update(&c, n, (const uint8_t *)d);
    sha256_digest(&c, sizeof out, out);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", out[i]);
    lua_pushstring(L, hex);
    return 1;
}

/* bench.codec.base64_decode(s) -> bytes | nil, err (whitespace ignored) */
static int l_b64(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i], v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '=' || c == '\n' || c == '\r' || c == ' ')
            continue;
        else {
            lua_pushnil(L);
            lua_pushfstring(L, "invalid base64 character at offset %d", (int)i);
            return 2;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            luaL_addchar(&b, (char)((acc >> bits) & 0xff));
        }
    }
    luaL_pushresult(&b);
    return 1;
}

/* bench.codec.inflate(bytes [, max [, check]]) -> bytes | nil, err, code.
 * zlib or gzip framing; the stream must end properly. At most max bytes
 * ("ETOOBIG" past it; 0 or nil: no limit); check(first bytes) -> true
 * [, size] | nil, why as bl_inflate says ("EREFUSED" when it refuses;
 * "ETOOBIG" past the size it gave). */
static int l_inflate(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    if (n > UINT32_MAX) {
        lua_pushnil(L);
        lua_pushliteral(L, "inflate: input too large");
        lua_pushliteral(L, "ETOOBIG");
        return 3;
    }
    lua_Integer max = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, max >= 0, 2, "max must be 0 (no limit) or more");
    int check = lua_isnoneornil(L, 3) ? 0 : 3;
    if (check)
        luaL_checktype(L, 3, LUA_TFUNCTION);
    if (bl_inflate(L, "inflate", s, n, (size_t)max, 15 + 32, check) != 0)
        return 3;
    return 1;
}

void bl_open_codec(lua_State *L)
{
    static const luaL_Reg fns[] = {{"sha256", l_sha256},
                                   {"base64_decode", l_b64},
                                   {"inflate", l_inflate},
                                   {NULL, NULL}};
    if (luaL_newmetatable(L, ZBOX_MT)) {
        lua_pushcfunction(L, zbox_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, fns);
    lua_setfield(L, -2, "codec");
}
