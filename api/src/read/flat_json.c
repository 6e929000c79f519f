/* flat_json.c: one pass over a flat JSON object (see flat_json.h). */
#include "api/src/read/flat_json.h"

#include <string.h>

typedef struct fj_cursor {
    const unsigned char *p, *end;
} fj_cursor;

static void fj_ws(fj_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int fj_hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        unsigned char h = p[i];
        v <<= 4;
        if (h >= '0' && h <= '9')
            v |= h - '0';
        else if (h >= 'a' && h <= 'f')
            v |= h - 'a' + 10;
        else if (h >= 'A' && h <= 'F')
            v |= h - 'A' + 10;
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* One escape after the backslash at c->p[-1]; 0 or -1. Surrogates must
 * come in pairs and \u0000 is refused, as jansson does by default. */
static int fj_escape(fj_cursor *c)
{
    unsigned u, lo;

    if (c->p >= c->end)
        return -1;
    switch (*c->p++) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't': return 0;
    case 'u':
        if (c->end - c->p < 4 || fj_hex4(c->p, &u) != 0 || u == 0)
            return -1;
        c->p += 4;
        if (u >= 0xDC00 && u <= 0xDFFF)
            return -1; /* a low surrogate alone */
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' || fj_hex4(c->p + 2, &lo) != 0 || lo < 0xDC00 ||
                lo > 0xDFFF)
                return -1;
            c->p += 6;
        }
        return 0;
    default: return -1;
    }
}

/* One UTF-8 sequence of 2..4 bytes starting at c->p (a byte >= 0x80);
 * refuses overlong forms, surrogates and code points above U+10FFFF. */
static int fj_utf8(fj_cursor *c)
{
    const unsigned char *p = c->p;
    size_t need, i;
    unsigned cp;

    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        need = 1;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        need = 2;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        need = 3;
        cp = p[0] & 0x07;
    } else {
        return -1;
    }
    if ((size_t)(c->end - p) < need + 1)
        return -1;
    for (i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
        return -1;
    c->p += need + 1;
    return 0;
}

/* A string starting at the opening quote; *raw gets its content. */
static int fj_string(fj_cursor *c, slice *raw)
{
    const unsigned char *start;

    if (c->p >= c->end || *c->p != '"')
        return -1;
    start = ++c->p;
    while (c->p < c->end) {
        unsigned char ch = *c->p;
        if (ch == '"') {
            *raw = slice_make((const char *)start, (size_t)(c->p - start));
            c->p++;
            return 0;
        }
        if (ch < 0x20)
            return -1;
        if (ch == '\\') {
            c->p++;
            if (fj_escape(c) != 0)
                return -1;
        } else if (ch >= 0x80) {
            if (fj_utf8(c) != 0)
                return -1;
        } else {
            c->p++;
        }
    }
    return -1;
}

/* A member name: a plain string of [A-Za-z0-9_]. */
static int fj_name(fj_cursor *c, slice *name)
{
    size_t i;

    if (fj_string(c, name) != 0 || name->len == 0)
        return -1;
    for (i = 0; i < name->len; i++) {
        char ch = name->base[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return -1;
    }
    return 0;
}

/* An integer: -?(0|[1-9][0-9]*) within int64; "-0" and a fraction or
 * exponent after it are refused. */
static int fj_int(fj_cursor *c, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0, limit;
    size_t digits = 0;

    if (c->p < c->end && *c->p == '-') {
        neg = 1;
        c->p++;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return -1;
    if (*c->p == '0' && (neg || (c->end - c->p > 1 && c->p[1] >= '0' && c->p[1] <= '9')))
        return -1;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        unsigned d = *c->p - '0';
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
        c->p++;
        digits++;
    }
    if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
        return -1;
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return digits > 0 ? 0 : -1;
}

static int fj_value(fj_cursor *c, flat_member *m)
{
    if (c->p >= c->end)
        return -1;
    if (*c->p == '"') {
        m->type = FLAT_STRING;
        return fj_string(c, &m->raw);
    }
    if (*c->p == 'n') {
        if (c->end - c->p < 4 || memcmp(c->p, "null", 4) != 0)
            return -1;
        c->p += 4;
        m->type = FLAT_NULL;
        return 0;
    }
    m->type = FLAT_INT;
    return fj_int(c, &m->num);
}

int flat_json_parse(slice in, flat_member *out, size_t cap, size_t *n)
{
    fj_cursor c = {(const unsigned char *)in.base, (const unsigned char *)in.base + in.len};
    size_t count = 0, i;

    if (in.base == NULL)
        return -1;
    fj_ws(&c);
    if (c.p >= c.end || *c.p++ != '{')
        return -1;
    fj_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            flat_member *m;
            if (count == cap)
                return -1;
            m = &out[count];
            memset(m, 0, sizeof(*m));
            if (fj_name(&c, &m->name) != 0)
                return -1;
            for (i = 0; i < count; i++) {
                if (slice_eq(out[i].name, m->name))
                    return -1; /* a duplicate member */
            }
            fj_ws(&c);
            if (c.p >= c.end || *c.p++ != ':')
                return -1;
            fj_ws(&c);
            if (fj_value(&c, m) != 0)
                return -1;
            count++;
            fj_ws(&c);
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                fj_ws(&c);
                continue;
            }
            if (c.p < c.end && *c.p == '}') {
                c.p++;
                break;
            }
            return -1;
        }
    }
    fj_ws(&c);
    if (c.p != c.end)
        return -1;
    *n = count;
    return 0;
}

const flat_member *flat_json_get(const flat_member *m, size_t n, const char *name)
{
    size_t i, len = strlen(name);

    for (i = 0; i < n; i++) {
        if (m[i].name.len == len && memcmp(m[i].name.base, name, len) == 0)
            return &m[i];
    }
    return NULL;
}
