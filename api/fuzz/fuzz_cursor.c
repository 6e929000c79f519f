/* fuzz_cursor.c: libFuzzer target for the pagination cursor.
 *
 * The first byte picks a mode:
 *   0  decode the rest as cursor text, on each feed kind; whatever is
 *      accepted must re-encode to the very same text (one spelling per
 *      position) and have fields within bounds; the same for base64url
 *      on its own;
 *   1  build a position from the rest (kind, user, ts, id bytes); if
 *      cursor_set takes it, encode, decode it back identically, refuse it
 *      on another user's feed, and refuse every one-character change;
 *   2  treat the rest as the raw layout, sign it with the key as the
 *      server would, so that the checks behind the tag (version, id
 *      length, bounds) see arbitrary bytes.
 * Any broken promise aborts; ASan/UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/base/base64url.h"
#include "api/src/wire/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static const char fuzz_secret[] = "fuzzing secret, 32 bytes long..";

static int64_t get64(const uint8_t *p)
{
    uint64_t u = 0;
    int i;

    for (i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

static void check_accepted(const cursor_key *k, slice text, const cursor *c, feed_kind kind, int64_t uid)
{
    char again[CURSOR_TEXT_MAX + 1];
    size_t n;

    CHECK(c->kind == kind && c->user_id == uid);
    CHECK(c->ts_us >= 0 && c->ts_us <= CURSOR_MAX_TS);
    CHECK(c->id_len <= CURSOR_MAX_ID && c->id[c->id_len] == '\0');
    CHECK(cursor_id_valid(c->kind, slice_make(c->id, c->id_len)));
    CHECK(cursor_encode(k, c, again, sizeof(again), &n) == CURSOR_OK);
    CHECK(n == text.len && memcmp(again, text.base, n) == 0);
}

static void mode_decode(const cursor_key *k, const uint8_t *data, size_t size)
{
    slice text = slice_make(data, size);
    cursor c;
    int kind, r;
    unsigned char raw[512];
    char again[700];
    size_t n, m;

    /* base64url on its own: whatever decodes re-encodes to the same text */
    if (size <= sizeof(again) && b64url_decode(text, raw, sizeof(raw), &n) == B64URL_OK) {
        CHECK(n == b64url_decoded_max(size));
        CHECK(b64url_encode(raw, n, again, sizeof(again), &m) == B64URL_OK);
        CHECK(m == size && memcmp(again, data, size) == 0);
    }

    for (kind = 0; kind <= FEED_FOLLOWEES + 1; kind++) {
        r = cursor_decode(k, text, (feed_kind)kind, 7, &c);
        CHECK(r == CURSOR_OK || r == CURSOR_MALFORMED || r == CURSOR_FORGED || r == CURSOR_WRONG_FEED);
        if (r == CURSOR_OK)
            check_accepted(k, text, &c, (feed_kind)kind, 7);
    }
}

static void mode_build(const cursor_key *k, const uint8_t *data, size_t size)
{
    cursor c, d;
    char text[CURSOR_TEXT_MAX + 1];
    size_t n, i;
    feed_kind kind;
    int64_t uid, ts;

    if (size < 17)
        return;
    kind = (feed_kind)(data[0] % (FEED_FOLLOWEES + 1));
    uid = get64(data + 1);
    ts = get64(data + 9);
    if (cursor_set(&c, kind, uid, ts, slice_make(data + 17, size - 17)) != CURSOR_OK)
        return;
    if (data[0] & 0x80) /* a stream's id: a log entry too (any two numbers) */
        cursor_set_log(&c, (uint64_t)get64(data + 1) ^ (uint64_t)ts, (uint64_t)ts);
    CHECK(cursor_encode(k, &c, text, sizeof(text), &n) == CURSOR_OK);
    CHECK(n >= CURSOR_TEXT_MIN && n <= CURSOR_TEXT_MAX);
    CHECK(cursor_decode(k, slice_make(text, n), kind, uid, &d) == CURSOR_OK);
    check_accepted(k, slice_make(text, n), &d, kind, uid);
    CHECK(d.has_log == c.has_log && d.log_ms == c.log_ms && d.log_seq == c.log_seq);
    CHECK(d.ts_us == ts && d.id_len == size - 17 && memcmp(d.id, data + 17, d.id_len) == 0);
    CHECK(cursor_decode(k, slice_make(text, n), kind, uid == INT64_MAX ? 1 : uid + 1, &d) == CURSOR_WRONG_FEED);
    for (i = 0; i < n; i++) {
        char saved = text[i];
        text[i] = saved == 'A' ? 'w' : 'A';
        CHECK(cursor_decode(k, slice_make(text, n), kind, uid, &d) != CURSOR_OK);
        text[i] = saved;
    }
}

static void mode_signed_raw(const cursor_key *k, const uint8_t *data, size_t size)
{
    unsigned char raw[CURSOR_RAW_MAX + 64], tag[MAC_LEN];
    char text[2 * sizeof(raw)];
    size_t n;
    cursor c;
    feed_kind kind;
    int r;

    if (size < 2 || size + CURSOR_TAG_LEN > sizeof(raw))
        return;
    memcpy(raw, data, size);
    CHECK(mac_sha256(&k->mac, raw, size, tag) == 0);
    memcpy(raw + size, tag, CURSOR_TAG_LEN);
    CHECK(b64url_encode(raw, size + CURSOR_TAG_LEN, text, sizeof(text), &n) == B64URL_OK);
    kind = (feed_kind)data[1];
    r = cursor_decode(k, slice_make(text, n), kind, size >= 10 ? get64(data + 2) : 1, &c);
    CHECK(r == CURSOR_OK || r == CURSOR_MALFORMED || r == CURSOR_WRONG_FEED);
    if (r == CURSOR_OK)
        check_accepted(k, slice_make(text, n), &c, kind, c.user_id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cursor_key key;
    static int ready;

    if (!ready) {
        CHECK(cursor_key_init(&key, fuzz_secret, strlen(fuzz_secret)) == 0);
        ready = 1;
    }
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0: mode_decode(&key, data + 1, size - 1); break;
    case 1: mode_build(&key, data + 1, size - 1); break;
    default: mode_signed_raw(&key, data + 1, size - 1); break;
    }
    return 0;
}
