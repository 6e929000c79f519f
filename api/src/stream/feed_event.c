/* feed_event.c: parsing the job's live feed events (see feed_event.h). */
#include "api/src/stream/feed_event.h"

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

int feed_event_parse(slice channel, slice payload, feed_event *out)
{
    static const char prefix[] = REDIS_CHANNEL_FEED_EVENTS;
    slice rest = payload, feed, op, ts, id;

    if (channel.len <= sizeof(prefix) - 1 || memcmp(channel.base, prefix, sizeof(prefix) - 1) != 0 ||
        feed_event_number(slice_make(channel.base + sizeof(prefix) - 1, channel.len - (sizeof(prefix) - 1)),
                          &out->user_id) != 0 ||
        out->user_id <= 0)
        return -1;
    feed = feed_event_word(&rest);
    op = feed_event_word(&rest);
    ts = feed_event_word(&rest);
    id = rest; /* the rest: an id has no space, which cursor_id_valid checks */
    if (slice_eq_cstr(feed, "home"))
        out->kind = FEED_HOME;
    else if (slice_eq_cstr(feed, "profile"))
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
