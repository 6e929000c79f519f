/* merge_source.c: see merge_source.h. */
#include "api/src/read/merge_source.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/src/wire/cursor.h"

int merge_source_includes(const merge_source *s, const feed_ref *x)
{
    if (x->ts_us > s->follow_ts_us)
        return 1;
    switch (s->before) {
    case MERGE_BEFORE_ALL: return 1;
    case MERGE_BEFORE_FROM: return feed_ref_cmp(x, &s->from) <= 0; /* x is `from` or newer */
    default: return 0;
    }
}

static const char *merge_before_name(merge_before b)
{
    return b == MERGE_BEFORE_ALL ? "all" : b == MERGE_BEFORE_FROM ? "from" : "none";
}

int merge_sources_format(buf *out, const merge_source *src, size_t n)
{
    char line[64];
    size_t i;

    if (buf_append(out, "v1\n", 3) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        const merge_source *s = &src[i];
        int len = snprintf(line, sizeof(line), "%" PRId64 " %" PRId64 " %s", s->followee_id, s->follow_ts_us,
                           merge_before_name(s->before));
        if (len < 0 || (size_t)len >= sizeof(line) || buf_append(out, line, (size_t)len) != 0)
            return -1;
        if (s->before == MERGE_BEFORE_FROM) {
            len = snprintf(line, sizeof(line), " %" PRId64 " ", s->from.ts_us);
            if (len < 0 || (size_t)len >= sizeof(line) || buf_append(out, line, (size_t)len) != 0 ||
                buf_append(out, s->from.id, s->from.id_len) != 0)
                return -1;
        }
        if (buf_append(out, "\n", 1) != 0)
            return -1;
    }
    return 0;
}

/* A decimal int64 (optional '-') ending at a space or the end of the
 * field; advances *p. 0 or -1. */
static int parse_int64(const char **p, const char *end, int64_t *out)
{
    const char *s = *p;
    int neg = 0;
    uint64_t v = 0;

    if (s < end && *s == '-') {
        neg = 1;
        s++;
    }
    if (s >= end || *s < '0' || *s > '9')
        return -1;
    while (s < end && *s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        s++;
    }
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    *p = s;
    return 0;
}

static int expect(const char **p, const char *end, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
        return -1;
    *p += n;
    return 0;
}

static int parse_line(const char *s, const char *end, merge_source *m)
{
    memset(m, 0, sizeof(*m));
    if (parse_int64(&s, end, &m->followee_id) != 0 || expect(&s, end, " ") != 0 ||
        parse_int64(&s, end, &m->follow_ts_us) != 0 || expect(&s, end, " ") != 0)
        return -1;
    if (expect(&s, end, "none") == 0) {
        m->before = MERGE_BEFORE_NONE;
    } else if (expect(&s, end, "all") == 0) {
        m->before = MERGE_BEFORE_ALL;
    } else if (expect(&s, end, "from ") == 0) {
        int64_t ts;
        m->before = MERGE_BEFORE_FROM;
        if (parse_int64(&s, end, &ts) != 0 || expect(&s, end, " ") != 0 ||
            feed_ref_set(&m->from, ts, slice_make(s, (size_t)(end - s))) != 0)
            return -1;
        s = end;
    } else {
        return -1;
    }
    return s == end ? 0 : -1;
}

int merge_sources_parse(slice text, pool *p, merge_source **out, size_t *n)
{
    const char *s = text.base, *end = text.base + text.len, *nl;
    size_t lines = 0, k = 0;

    *out = NULL;
    *n = 0;
    if (text.len < 3 || memcmp(s, "v1\n", 3) != 0)
        return -1;
    s += 3;
    for (nl = s; nl < end; nl++)
        lines += *nl == '\n';
    if (lines > MERGE_SOURCES_MAX || (s < end && end[-1] != '\n'))
        return -1;
    if (lines == 0)
        return s == end ? 0 : -1;
    if ((*out = pool_alloc(p, lines * sizeof(**out))) == NULL)
        return -1;
    while (s < end) {
        nl = memchr(s, '\n', (size_t)(end - s));
        if (nl == NULL || parse_line(s, nl, &(*out)[k]) != 0 || (*out)[k].follow_ts_us < 0)
            return -1;
        k++;
        s = nl + 1;
    }
    *n = k;
    return 0;
}
