/*
 * ljson.c: bench.json.pick(text [, keep]), a JSON decoder that builds only
 * the parts of a document that the caller names. `benchlua results` reads a
 * results file of thousands of runs and shows a dozen fields of each;
 * lua-cjson has to build a Lua table for every value of every run, and most
 * of its time goes there. This decoder checks the whole text as strictly
 * (RFC 8259), but a member that `keep` does not name is only scanned: no
 * string is made and no number converted for it.
 *
 * keep is a table: a member whose key maps to true is kept whole, one that
 * maps to a table is an object (or a list of objects) kept through that
 * table in turn, any other is left out. "shared" keeps it whole too, but
 * objects and arrays of the same text are built once and shared (so the
 * caller must not change them, and can memoize what it derives from them).
 * An array is picked element by element with the same keep. Without keep
 * the whole document is built.
 * Values come back as lua-cjson gives them (null is cjson.null, the NULL
 * light userdata), except that a number written without a fraction or an
 * exponent is an integer when it fits in one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bl.h"

#define MAX_DEPTH 1000

/* what to do with a value: leave it out, build all of it, build all of it
 * once per distinct text (SHARED), or pick from it through the keep table at
 * a (positive) stack index */
enum { SKIP = 0, ALL = -1, SHARED = -2 };

typedef struct {
    lua_State *L;
    const char *p, *end;
    const char *err; /* the first error; p is where it was found */
    int depth;
    int memo; /* stack index of the table: text -> the value built for it */
} parser;

static int fail(parser *ps, const char *msg)
{
    if (!ps->err)
        ps->err = msg;
    return 0;
}

/* eight bytes at a time where the text allows (indentation, long strings) */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static inline uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline void skip_space(parser *ps)
{
    const char *p = ps->p, *e = ps->end;
    while (p < e) {
        if (*p == ' ' && e - p >= 8 && load8(p) == ONES * ' ')
            p += 8;
        else if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        else
            break;
    }
    ps->p = p;
}

/* whether any of the eight bytes is '"', '\\' or a control character */
static inline int special8(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    return ((((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x)) &
            HIGHS) != 0;
}

/* the first '"', '\\' or control character from p on, or e */
static const unsigned char *plain_run(const unsigned char *p,
                                      const unsigned char *e)
{
    while (e - p >= 8 && !special8(load8((const char *)p)))
        p += 8;
    while (p < e && *p != '"' && *p != '\\' && *p >= 0x20)
        p++;
    return p;
}

static int hex4(const unsigned char *p, const unsigned char *e, unsigned *out)
{
    unsigned v = 0;
    if (e - p < 4)
        return 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static void add_utf8(luaL_Buffer *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    luaL_addlstring(b, u, n);
}

/* The string at ps->p (its opening quote); pushed when push is set. */
static int string(parser *ps, int push)
{
    const unsigned char *p = (const unsigned char *)ps->p + 1;
    const unsigned char *e = (const unsigned char *)ps->end;
    const unsigned char *run = p;
    p = plain_run(p, e);
    if (p < e && *p == '"') { /* no escapes: the common case */
        if (push)
            lua_pushlstring(ps->L, (const char *)run, (size_t)(p - run));
        ps->p = (const char *)p + 1;
        return 1;
    }
    luaL_Buffer b;
    if (push)
        luaL_buffinit(ps->L, &b);
    for (;;) {
        if (push && p > run)
            luaL_addlstring(&b, (const char *)run, (size_t)(p - run));
        if (p >= e) {
            ps->p = (const char *)p;
            return fail(ps, "unterminated string");
        }
        if (*p == '"')
            break;
        if (*p < 0x20) {
            ps->p = (const char *)p;
            return fail(ps, "control character in a string");
        }
        /* a backslash */
        const unsigned char *at = p++;
        unsigned cp;
        char c = 0;
        switch (p < e ? *p : 0) {
        case '"':
        case '\\':
        case '/':
            c = (char)*p;
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            if (!hex4(p + 1, e, &cp)) {
                ps->p = (const char *)at;
                return fail(ps, "invalid \\u escape");
            }
            p += 4;
            unsigned lo;
            if (cp >= 0xD800 && cp < 0xDC00 && e - p > 6 && p[1] == '\\' &&
                p[2] == 'u' && hex4(p + 3, e, &lo) && lo >= 0xDC00 &&
                lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            /* a lone surrogate is kept as its three bytes, as Python's
             * json module keeps it */
            if (push)
                add_utf8(&b, cp);
            break;
        default:
            ps->p = (const char *)at;
            return fail(ps, "invalid escape in a string");
        }
        if (c && push)
            luaL_addchar(&b, c);
        run = ++p;
        p = plain_run(p, e);
    }
    if (push)
        luaL_pushresult(&b);
    ps->p = (const char *)p + 1;
    return 1;
}

static int digits(const char **pp, const char *e)
{
    const char *p = *pp;
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    int any = p > *pp;
    *pp = p;
    return any;
}

static int number(parser *ps, int push)
{
    const char *start = ps->p, *p = start, *e = ps->end;
    int integral = 1;
    if (*p == '-')
        p++;
    if (p < e && *p == '0')
        p++;
    else if (!(p < e && *p >= '1' && *p <= '9') || !digits(&p, e))
        return fail(ps, "invalid value");
    if (p < e && *p == '.') {
        p++;
        integral = 0;
        if (!digits(&p, e)) {
            ps->p = p;
            return fail(ps, "invalid number");
        }
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        integral = 0;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (!digits(&p, e)) {
            ps->p = p;
            return fail(ps, "invalid number");
        }
    }
    ps->p = p;
    if (!push)
        return 1;
    size_t n = (size_t)(p - start);
    if (integral && n <= 18) { /* fits in 63 bits */
        const char *q = start + (*start == '-');
        lua_Integer v = 0;
        while (q < p)
            v = v * 10 + (*q++ - '0');
        lua_pushinteger(ps->L, *start == '-' ? -v : v);
        return 1;
    }
    char buf[64];
    char *text = n < sizeof buf ? buf : malloc(n + 1);
    if (!text)
        return fail(ps, "out of memory");
    memcpy(text, start, n);
    text[n] = 0;
    lua_pushnumber(ps->L, strtod(text, NULL));
    if (text != buf)
        free(text);
    return 1;
}

/* true, false or null (ps->p is at its first letter) */
static int literal(parser *ps, int push)
{
    const char *word = *ps->p == 't'   ? "true"
                       : *ps->p == 'f' ? "false"
                                       : "null";
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "invalid value");
    ps->p += n;
    if (push && *word == 'n')
        lua_pushlightuserdata(ps->L, NULL); /* cjson.null */
    else if (push)
        lua_pushboolean(ps->L, *word == 't');
    return 1;
}

static int value(parser *ps, int keep);

static int enter(parser *ps)
{
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "nested too deeply");
    luaL_checkstack(ps->L, 6, "json.pick");
    ps->p++;
    skip_space(ps);
    return 1;
}

/* whether the closing bracket c is next; it is taken if so */
static int closes(parser *ps, char c)
{
    if (ps->p < ps->end && *ps->p == c) {
        ps->p++;
        ps->depth--;
        return 1;
    }
    return 0;
}

/* the separator after a member or element: 1 for ',', 2 for the close */
static int next_item(parser *ps, char close)
{
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        skip_space(ps);
        return 1;
    }
    if (closes(ps, close))
        return 2;
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of text");
    return fail(ps,
                close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

static int object(parser *ps, int keep)
{
    lua_State *L = ps->L;
    if (!enter(ps))
        return 0;
    int t = 0;
    if (keep != SKIP) {
        /* room for a run's members, so that most tables never grow */
        lua_createtable(L, 0, keep > 0 ? 16 : 8);
        t = lua_gettop(L);
    }
    if (closes(ps, '}')) /* empty */
        return 1;
    for (;;) {
        if (ps->p >= ps->end)
            return fail(ps, "unexpected end of text");
        if (*ps->p != '"')
            return fail(ps, "expected a string key");
        int sub = SKIP;
        if (keep == SKIP) {
            if (!string(ps, 0))
                return 0;
        } else {
            if (!string(ps, 1))
                return 0;
            if (keep == ALL) {
                sub = ALL;
            } else {
                lua_pushvalue(L, -1);
                int ty = lua_rawget(L, keep);
                if (ty == LUA_TTABLE) {
                    sub = lua_gettop(L);
                } else if (ty == LUA_TSTRING &&
                           strcmp(lua_tostring(L, -1), "shared") == 0) {
                    lua_pop(L, 1);
                    sub = SHARED;
                } else {
                    sub =
                        ty == LUA_TBOOLEAN && lua_toboolean(L, -1) ? ALL : SKIP;
                    lua_pop(L,
                            sub == ALL ? 1 : 2); /* the key too if left out */
                }
            }
        }
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':')
            return fail(ps, "expected ':'");
        ps->p++;
        skip_space(ps);
        if (!value(ps, sub))
            return 0;
        if (sub != SKIP) {
            if (sub > 0)
                lua_remove(L, sub);
            lua_rawset(L, t);
        }
        int r = next_item(ps, '}');
        if (r != 1)
            return r;
    }
}

static int array(parser *ps, int keep)
{
    lua_State *L = ps->L;
    if (!enter(ps))
        return 0;
    int t = 0;
    if (keep != SKIP) {
        lua_createtable(L, 4, 0);
        t = lua_gettop(L);
    }
    if (closes(ps, ']')) /* empty */
        return 1;
    for (lua_Integer i = 1;; i++) {
        if (!value(ps, keep)) /* each element is picked with the same keep */
            return 0;
        if (keep != SKIP)
            lua_rawseti(L, t, i);
        int r = next_item(ps, ']');
        if (r != 1)
            return r;
    }
}

/* An object or array kept "shared": scanned first, then built only if no
 * value of the same text was built before (that one is pushed instead). */
static int shared(parser *ps)
{
    lua_State *L = ps->L;
    const char *start = ps->p;
    int depth = ps->depth;
    if (!value(ps, SKIP))
        return 0;
    lua_pushlstring(L, start, (size_t)(ps->p - start));
    lua_pushvalue(L, -1);
    if (lua_rawget(L, ps->memo) != LUA_TNIL) {
        lua_remove(L, -2);
        return 1;
    }
    lua_pop(L, 1);
    const char *end = ps->p;
    ps->p = start;
    ps->depth = depth;
    if (!value(ps, ALL))
        return 0;
    ps->p = end;
    lua_pushvalue(L, -1);
    lua_insert(L, -3); /* value, text, value */
    lua_rawset(L, ps->memo);
    return 1;
}

static int value(parser *ps, int keep)
{
    int push = keep != SKIP;
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of text");
    if (keep == SHARED) {
        if (*ps->p == '{' || *ps->p == '[')
            return shared(ps);
        keep = ALL;
    }
    switch (*ps->p) {
    case '{':
        return object(ps, keep);
    case '[':
        return array(ps, keep);
    case '"':
        return string(ps, push);
    case 't':
    case 'f':
    case 'n':
        return literal(ps, push);
    default:
        return number(ps, push);
    }
}

/* bench.json.pick(text [, keep]) -> value | nil, "line L column C: why" */
static int l_pick(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    int keep = ALL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        keep = 2;
    }
    lua_settop(L, 2);
    lua_newtable(L); /* 3: the memo of "shared" values */
    parser ps = {L, s, s + n, NULL, 0, 3};
    skip_space(&ps);
    if (value(&ps, keep)) {
        skip_space(&ps);
        if (ps.p != ps.end)
            fail(&ps, "text after the JSON value");
    }
    if (!ps.err) {
        lua_remove(L, 3);
        return 1;
    }
    int line = 1;
    const char *bol = s;
    for (const char *q = s; q < ps.p; q++)
        if (*q == '\n') {
            line++;
            bol = q + 1;
        }
    lua_settop(L, 2);
    lua_pushnil(L);
    lua_pushfstring(L, "line %d column %d: %s", line, (int)(ps.p - bol) + 1,
                    ps.err);
    return 2;
}

/* require("benchlua.jsonpick") -> the function (json.lua makes it json.pick) */
int bl_open_jsonpick(lua_State *L)
{
    lua_pushcfunction(L, l_pick);
    return 1;
}
