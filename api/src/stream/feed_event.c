/* feed_event.c: parsing the job's live feed events and log entries (see
 * feed_event.h). */
#include "api/src/stream/feed_event.h"

#include <stdio.h>
#include <string.h>

#include "schema/redis/redis_keys.h"

/* A canonical decimal of at most 18 digits (no sign, no leading zero). */
static int feed_event_number(slice s, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (s.len == 0 || s.len > 18 || (s.len > 1 && s.base[0] == '0'))
        return -1;
    for (i = 0; i < s.len; i++) {
        if (s.base[i] < '0' || s.base[i] > '9')
            return -1;
        v = v * 10 + (s.base[i] - '0');
    }
    *out = v;
    return 0;
}

/* A canonical decimal up to UINT64_MAX. */
static int feed_event_u64(slice s, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    unsigned d;

    if (s.len == 0 || s.len > 20 || (s.len > 1 && s.base[0] == '0'))
        return -1;
    for (i = 0; i < s.len; i++) {
        if (s.base[i] < '0' || s.base[i] > '9')
            return -1;
        d = (unsigned)(s.base[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The next space-separated word of *rest. */
static slice feed_event_word(slice *rest)
{
    const char *sp = memchr(rest->base, ' ', rest->len);
    size_t n = sp != NULL ? (size_t)(sp - rest->base) : rest->len;
    slice w = slice_make(rest->base, n);

    rest->base += sp != NULL ? n + 1 : n;
    rest->len -= sp != NULL ? n + 1 : n;
    return w;
}

int feed_log_id_parse(slice s, feed_log_id *out)
{
    const char *dash = s.len > 0 ? memchr(s.base, '-', s.len) : NULL;
    size_t n;

    if (dash == NULL)
        return -1;
    n = (size_t)(dash - s.base);
    if (feed_event_u64(slice_make(s.base, n), &out->ms) != 0 ||
        feed_event_u64(slice_make(dash + 1, s.len - n - 1), &out->seq) != 0)
        return -1;
    return 0;
}

size_t feed_log_id_format(const feed_log_id *id, char *out)
{
    int n = snprintf(out, FEED_LOG_ID_TEXT_MAX, "%llu-%llu", (unsigned long long)id->ms, (unsigned long long)id->seq);

    return n > 0 ? (size_t)n : 0;
}

int feed_log_id_cmp(const feed_log_id *a, const feed_log_id *b)
{
    if (a->ms != b->ms)
        return a->ms < b->ms ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

/* "<feed> <op> <ts_us> <id>" into out (user_id and the log set by the caller). */
static int feed_event_body(slice body, feed_event *out)
{
    slice rest = body, feed, op, ts, id;

    feed = feed_event_word(&rest);
    op = feed_event_word(&rest);
    ts = feed_event_word(&rest);
    id = rest; /* the rest: an id has no space, which cursor_id_valid checks */
    out->source = 0;
    if (slice_eq_cstr(feed, "home"))
        out->kind = FEED_HOME;
    else if (feed.len > 5 && memcmp(feed.base, "home:", 5) == 0) {
        /* a hot followee's profile item: + or - only */
        if (feed_event_number(slice_make(feed.base + 5, feed.len - 5), &out->source) != 0 || out->source <= 0 ||
            slice_eq_cstr(op, "seen"))
            return -1;
        out->kind = FEED_HOME;
    } else if (slice_eq_cstr(feed, "profile"))
        out->kind = FEED_PROFILE;
    else if (slice_eq_cstr(feed, "notifications"))
        out->kind = FEED_NOTIFICATIONS;
    else
        return -1;
    out->removed = out->marker = 0;
    if (slice_eq_cstr(op, "-"))
        out->removed = 1;
    else if (slice_eq_cstr(op, "seen") && out->kind != FEED_PROFILE)
        out->marker = 1;
    else if (!slice_eq_cstr(op, "+"))
        return -1;
    if (feed_event_number(ts, &out->ref.ts_us) != 0 || out->ref.ts_us > CURSOR_MAX_TS ||
        !cursor_id_valid(out->kind, id) || feed_ref_set(&out->ref, out->ref.ts_us, id) != 0)
        return -1;
    return 0;
}

int feed_event_parse(slice channel, slice payload, feed_event *out)
{
    static const char prefix[] = REDIS_CHANNEL_FEED_EVENTS;
    slice rest = payload, entry;

    if (channel.len <= sizeof(prefix) - 1 || memcmp(channel.base, prefix, sizeof(prefix) - 1) != 0 ||
        feed_event_number(slice_make(channel.base + sizeof(prefix) - 1, channel.len - (sizeof(prefix) - 1)),
                          &out->user_id) != 0 ||
        out->user_id <= 0)
        return -1;
    entry = feed_event_word(&rest);
    if (slice_eq_cstr(entry, "-")) {
        out->has_log = 0;
        out->log.ms = out->log.seq = 0;
    } else if (feed_log_id_parse(entry, &out->log) == 0) {
        out->has_log = 1;
    } else {
        return -1;
    }
    return feed_event_body(rest, out);
}

int feed_event_parse_entry(int64_t user_id, slice entry_id, slice body, feed_event *out)
{
    if (user_id <= 0 || feed_log_id_parse(entry_id, &out->log) != 0)
        return -1;
    out->user_id = user_id;
    out->has_log = 1;
    return feed_event_body(body, out);
}
