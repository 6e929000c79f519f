/* cursor.c: pagination cursors, signed and bound to one feed.
 *
 * Unlike a plain base64 of the position (what most APIs ship), the
 * cursor is authenticated: the server trusts what it decodes, so a
 * client cannot walk another user's feed by editing a user id, or make
 * us scan from an absurd position. The tag is computed before the
 * fields are interpreted, so a forged cursor learns nothing from which
 * check refused it beyond "forged".
 */
#include "api/src/wire/cursor.h"

#include <assert.h>
#include <string.h>

#include "api/src/base/base64url.h"

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
}

static void put_be64u(unsigned char *p, uint64_t u)
{
    put_be64(p, (int64_t)u);
}

static uint64_t get_be64u(const unsigned char *p)
{
    uint64_t u = 0;
    int i;

    for (i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return u;
}

static int64_t get_be64(const unsigned char *p)
{
    uint64_t u = 0;
    int i;

    for (i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

/* Length of the leading "0|[1-9][0-9]*" of s, 0 when none. */
static size_t cursor_number_len(slice s)
{
    size_t i = 0;

    if (s.len == 0 || s.base[0] < '0' || s.base[0] > '9')
        return 0;
    if (s.base[0] == '0')
        return 1;
    while (i < s.len && s.base[i] >= '0' && s.base[i] <= '9')
        i++;
    return i;
}

/* Length of the leading "[a-z]:(0|[1-9][0-9]*)" of s, 0 when none. */
static size_t cursor_activity_len(slice s)
{
    size_t n;

    if (s.len < 3 || s.base[0] < 'a' || s.base[0] > 'z' || s.base[1] != ':')
        return 0;
    n = cursor_number_len(slice_make(s.base + 2, s.len - 2));
    return n == 0 ? 0 : n + 2;
}

static int cursor_group_valid(slice id)
{
    static const char *const verbs[] = {"FOLLOW:", "LIKE:", "COMMENT:"};
    size_t i, n, at = 0;

    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        n = strlen(verbs[i]);
        if (id.len > n && memcmp(id.base, verbs[i], n) == 0) {
            at = n;
            break;
        }
    }
    if (at == 0)
        return 0;
    n = cursor_activity_len(slice_make(id.base + at, id.len - at));
    if (n == 0 || at + n >= id.len || id.base[at + n] != ':')
        return 0;
    at += n + 1;
    n = cursor_number_len(slice_make(id.base + at, id.len - at));
    return n > 0 && at + n == id.len;
}

int cursor_id_valid(feed_kind kind, slice id)
{
    switch (kind) {
    case FEED_HOME:
    case FEED_PROFILE: return id.len <= CURSOR_MAX_ACTIVITY_ID && cursor_activity_len(id) == id.len && id.len > 0;
    case FEED_FOLLOWERS:
    case FEED_FOLLOWEES:
        return id.len <= CURSOR_MAX_ACTIVITY_ID && cursor_activity_len(id) == id.len && id.len > 0 && id.base[0] == 'f';
    case FEED_NOTIFICATIONS: return id.len <= CURSOR_MAX_ID && cursor_group_valid(id);
    }
    return 0;
}

static int cursor_fields_valid(feed_kind kind, int64_t user_id, int64_t ts_us, slice id)
{
    return kind >= FEED_HOME && kind <= FEED_FOLLOWEES && user_id > 0 && ts_us >= 0 && ts_us <= CURSOR_MAX_TS &&
           cursor_id_valid(kind, id);
}

int cursor_key_init(cursor_key *key, const void *secret, size_t secret_len)
{
    return mac_key_derive(&key->mac, secret, secret_len, "cursor");
}

int cursor_set(cursor *c, feed_kind kind, int64_t user_id, int64_t ts_us, slice id)
{
    if (!cursor_fields_valid(kind, user_id, ts_us, id))
        return CURSOR_INVALID;
    c->kind = kind;
    c->user_id = user_id;
    c->ts_us = ts_us;
    c->id_len = id.len;
    memcpy(c->id, id.base, id.len);
    c->id[id.len] = '\0';
    c->has_log = 0;
    c->log_ms = c->log_seq = 0;
    return CURSOR_OK;
}

void cursor_set_log(cursor *c, uint64_t log_ms, uint64_t log_seq)
{
    c->has_log = 1;
    c->log_ms = log_ms;
    c->log_seq = log_seq;
}

int cursor_encode(const cursor_key *key, const cursor *c, char *out, size_t out_cap, size_t *out_len)
{
    unsigned char raw[CURSOR_RAW_MAX], tag[MAC_LEN];
    size_t n, text_len;

    if (c->id_len > CURSOR_MAX_ID || !cursor_fields_valid(c->kind, c->user_id, c->ts_us, slice_make(c->id, c->id_len)))
        return CURSOR_INVALID;
    raw[0] = c->has_log ? CURSOR_VERSION_LOG : CURSOR_VERSION;
    raw[1] = (unsigned char)c->kind;
    put_be64(raw + 2, c->user_id);
    put_be64(raw + 10, c->ts_us);
    raw[18] = (unsigned char)c->id_len;
    memcpy(raw + CURSOR_HEADER_LEN, c->id, c->id_len);
    n = CURSOR_HEADER_LEN + c->id_len;
    if (c->has_log) {
        put_be64u(raw + n, c->log_ms);
        put_be64u(raw + n + 8, c->log_seq);
        n += CURSOR_LOG_LEN;
    }
    if (mac_sha256(&key->mac, raw, n, tag) != 0)
        return CURSOR_INTERNAL;
    memcpy(raw + n, tag, CURSOR_TAG_LEN);
    n += CURSOR_TAG_LEN;
    if (out_cap < b64url_encoded_len(n) + 1)
        return CURSOR_NO_SPACE;
    if (b64url_encode(raw, n, out, out_cap, &text_len) != B64URL_OK)
        return CURSOR_NO_SPACE;
    assert(text_len >= CURSOR_TEXT_MIN && text_len <= CURSOR_TEXT_MAX);
    out[text_len] = '\0';
    *out_len = text_len;
    return CURSOR_OK;
}

int cursor_decode(const cursor_key *key, slice text, feed_kind kind, int64_t user_id, cursor *out)
{
    unsigned char raw[CURSOR_RAW_MAX], tag[MAC_LEN];
    size_t n, id_len, body;
    int64_t uid, ts;
    slice id;

    if (text.len < CURSOR_TEXT_MIN || text.len > CURSOR_TEXT_MAX)
        return CURSOR_MALFORMED;
    if (b64url_decode(text, raw, sizeof(raw), &n) != B64URL_OK)
        return CURSOR_MALFORMED;
    if (n < CURSOR_RAW_MIN || (raw[0] != CURSOR_VERSION && raw[0] != CURSOR_VERSION_LOG))
        return CURSOR_MALFORMED;
    id_len = raw[18];
    body = CURSOR_HEADER_LEN + id_len + (raw[0] == CURSOR_VERSION_LOG ? CURSOR_LOG_LEN : 0);
    if (id_len > CURSOR_MAX_ID || n != body + CURSOR_TAG_LEN)
        return CURSOR_MALFORMED;
    if (mac_sha256(&key->mac, raw, body, tag) != 0)
        return CURSOR_INTERNAL;
    if (!mac_equal(tag, raw + body, CURSOR_TAG_LEN))
        return CURSOR_FORGED;
    uid = get_be64(raw + 2);
    ts = get_be64(raw + 10);
    id = slice_make(raw + CURSOR_HEADER_LEN, id_len);
    /* A genuine cursor with bad fields means we signed garbage once;
     * refuse it all the same rather than pass it to a store query. */
    if (cursor_set(out, (feed_kind)raw[1], uid, ts, id) != CURSOR_OK)
        return CURSOR_MALFORMED;
    if (raw[0] == CURSOR_VERSION_LOG)
        cursor_set_log(out, get_be64u(raw + CURSOR_HEADER_LEN + id_len),
                       get_be64u(raw + CURSOR_HEADER_LEN + id_len + 8));
    if (out->kind != kind || out->user_id != user_id)
        return CURSOR_WRONG_FEED;
    return CURSOR_OK;
}

const char *cursor_strerror(int result)
{
    switch (result) {
    case CURSOR_OK: return "ok";
    case CURSOR_MALFORMED: return "cursor is malformed";
    case CURSOR_FORGED: return "cursor was not issued by this server";
    case CURSOR_WRONG_FEED: return "cursor belongs to another feed";
    case CURSOR_INVALID: return "cursor position out of bounds";
    case CURSOR_NO_SPACE: return "cursor buffer too small";
    case CURSOR_INTERNAL: return "internal error while checking the cursor";
    }
    return "unknown cursor error";
}
