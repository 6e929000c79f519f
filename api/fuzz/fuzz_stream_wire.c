/* fuzz_stream_wire.c: libFuzzer target for what the feed streams parse
 * and write.
 *
 * The first byte picks a mode:
 *   0  the rest is a channel (its length in the next byte) and a payload,
 *      as Redis hands them to the hub: whatever feed_event_parse accepts
 *      (the log entry id or "-", then the event: the job's events and
 *      the API's marker events) must print back to the very same bytes
 *      (one spelling per event) and hold a valid
 *      position;
 *   1  the rest is an event name, an id and data (lengths in the next two
 *      bytes): whatever sse_event accepts must read back, with the
 *      client's rules, as that name, that id and that data (line breaks
 *      as LF), and nothing else.
 * Any broken promise aborts; ASan/UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/stream/feed_event.h"
#include "api/src/wire/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static void fuzz_event(const uint8_t *p, size_t n)
{
    char text[320], chan[64], feed[40], entry[FEED_LOG_ID_TEXT_MAX];
    feed_event e;
    size_t clen;
    int len;

    if (n < 1)
        return;
    clen = p[0] < n - 1 ? p[0] : n - 1;
    if (feed_event_parse(slice_make(p + 1, clen), slice_make(p + 1 + clen, n - 1 - clen), &e) != 0)
        return;
    CHECK(e.user_id > 0 && e.ref.ts_us >= 0 && e.ref.ts_us <= CURSOR_MAX_TS);
    CHECK(cursor_id_valid(e.kind, slice_make(e.ref.id, e.ref.id_len)));
    len = snprintf(chan, sizeof(chan), "feed:events:%lld", (long long)e.user_id);
    CHECK(len > 0 && (size_t)len == clen && memcmp(chan, p + 1, clen) == 0);
    CHECK(!(e.marker && (e.removed || e.kind == FEED_PROFILE))); /* a marker: home or notifications */
    if (e.has_log)
        (void)feed_log_id_format(&e.log, entry);
    else
        strcpy(entry, "-");
    /* a hot followee's item on a live follower's channel: "home:<source>" */
    CHECK(e.source == 0 || (e.kind == FEED_HOME && e.source > 0 && !e.marker));
    if (e.source > 0)
        snprintf(feed, sizeof(feed), "home:%lld", (long long)e.source);
    else
        snprintf(feed, sizeof(feed), "%s",
                 e.kind == FEED_HOME      ? "home"
                 : e.kind == FEED_PROFILE ? "profile"
                                          : "notifications");
    len = snprintf(text, sizeof(text), "%s %s %s %lld %s", entry, feed,
                   e.marker    ? "seen"
                   : e.removed ? "-"
                               : "+",
                   (long long)e.ref.ts_us, e.ref.id);
    CHECK(len > 0 && (size_t)len == n - 1 - clen && memcmp(text, p + 1 + clen, n - 1 - clen) == 0);
}

/* Read one event back as a client does (field "name: value", the first
 * space after the colon dropped; data lines joined with LF). */
static void fuzz_sse(const uint8_t *p, size_t n)
{
    slice name, id, body;
    size_t nl, il, i, start;
    buf out, want;
    const char *s, *end, *line, *eol;
    int got_event = 0, got_id = 0;

    if (n < 2)
        return;
    nl = p[0] < n - 2 ? p[0] : n - 2;
    il = p[1] < n - 2 - nl ? p[1] : n - 2 - nl;
    name = slice_make(p + 2, nl);
    id = slice_make(p + 2 + nl, il);
    body = slice_make(p + 2 + nl + il, n - 2 - nl - il);
    if (nl == 0)
        name = slice_make(NULL, 0); /* the default event */
    buf_init(&out, 0);
    buf_init(&want, 0);
    if (sse_event(&out, name, id, body) != 0)
        goto done;
    /* the data as the client will see it: every CRLF, CR or LF is one LF */
    for (i = 0, start = 0; i <= body.len; i++) {
        if (i == body.len || body.base[i] == '\n' || body.base[i] == '\r') {
            CHECK(buf_append(&want, body.base + start, i - start) == 0);
            if (i == body.len)
                break;
            CHECK(buf_append(&want, "\n", 1) == 0);
            if (body.base[i] == '\r' && i + 1 < body.len && body.base[i + 1] == '\n')
                i++;
            start = i + 1;
        }
    }
    s = out.data;
    end = out.data + out.len;
    CHECK(out.len >= 2 && end[-1] == '\n' && end[-2] == '\n');
    {
        buf got;
        int first = 1;
        buf_init(&got, 0);
        for (line = s; line < end - 1; line = eol + 1) {
            eol = memchr(line, '\n', (size_t)(end - line));
            CHECK(eol != NULL && eol < end - 1); /* one blank line, at the end only */
            CHECK(memchr(line, '\r', (size_t)(eol - line)) == NULL);
            if ((size_t)(eol - line) >= 7 && memcmp(line, "event: ", 7) == 0) {
                CHECK(!got_event && name.base != NULL && (size_t)(eol - line - 7) == name.len &&
                      memcmp(line + 7, name.base, name.len) == 0);
                got_event = 1;
            } else if ((size_t)(eol - line) >= 4 && memcmp(line, "id: ", 4) == 0) {
                CHECK(!got_id && (size_t)(eol - line - 4) == id.len && memcmp(line + 4, id.base, id.len) == 0);
                got_id = 1;
            } else {
                CHECK((size_t)(eol - line) >= 6 && memcmp(line, "data: ", 6) == 0);
                if (!first)
                    CHECK(buf_append(&got, "\n", 1) == 0);
                CHECK(buf_append(&got, line + 6, (size_t)(eol - line - 6)) == 0);
                first = 0;
            }
        }
        CHECK(got_event == (name.base != NULL) && got_id);
        CHECK(got.len == want.len && (got.len == 0 || memcmp(got.data, want.data, got.len) == 0));
        buf_dispose(&got);
    }
done:
    buf_dispose(&out);
    buf_dispose(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] % 2 == 0)
        fuzz_event(data + 1, size - 1);
    else
        fuzz_sse(data + 1, size - 1);
    return 0;
}
