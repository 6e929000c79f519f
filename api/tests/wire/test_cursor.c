/* test_cursor.c: pagination cursors: round trips, the pinned format,
 * and every refusal (malformed, forged, wrong feed, bounds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/base/base64url.h"
#include "api/src/wire/cursor.h"

static const char secret[] = "0123456789abcdef0123456789abcdef";

static cursor_key key(void)
{
    cursor_key k;

    assert_int_equal(cursor_key_init(&k, secret, strlen(secret)), 0);
    return k;
}

static size_t encode(const cursor_key *k, feed_kind kind, int64_t uid, int64_t ts, const char *id, char *out)
{
    cursor c;
    size_t n;

    assert_int_equal(cursor_set(&c, kind, uid, ts, slice_from_cstr(id)), CURSOR_OK);
    assert_int_equal(cursor_encode(k, &c, out, CURSOR_TEXT_MAX + 1, &n), CURSOR_OK);
    assert_int_equal(strlen(out), n);
    return n;
}

static void test_round_trip(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 1];
    cursor out;
    size_t n;

    (void)state;
    n = encode(&k, FEED_HOME, 7, 1732500000000000, "p:42", text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_OK);
    assert_int_equal(out.kind, FEED_HOME);
    assert_int_equal(out.user_id, 7);
    assert_int_equal(out.ts_us, 1732500000000000);
    assert_string_equal(out.id, "p:42");
    assert_int_equal(out.id_len, 4);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", text[i]));
}

/* The format is pinned: this text was computed independently (Python's
 * hmac and base64) from the layout in cursor.h. */
static void test_known_answer(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 1];
    cursor out;
    size_t n;

    (void)state;
    n = encode(&k, FEED_HOME, 7, 1732500000000000, "p:42", text);
    assert_string_equal(text, "AQEAAAAAAAAABwAGJ7MXEsgABHA6NDKJO1_hAsbR0N3BHVf-doov");
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_OK);
}

static void test_lengths_at_bounds(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 1], id[CURSOR_MAX_ID + 1];
    cursor out;
    size_t n;

    (void)state;
    n = encode(&k, FEED_PROFILE, 1, 0, "c:0", text);
    assert_int_equal(n, CURSOR_TEXT_MIN);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_PROFILE, 1, &out), CURSOR_OK);
    /* longest activity id: 32 bytes */
    memset(id, '9', 32);
    id[0] = 'p';
    id[1] = ':';
    id[32] = '\0';
    n = encode(&k, FEED_PROFILE, INT64_MAX, CURSOR_MAX_TS, id, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_PROFILE, INT64_MAX, &out), CURSOR_OK);
    assert_int_equal(out.ts_us, CURSOR_MAX_TS);
    assert_string_equal(out.id, id);
    /* longest group id: 64 bytes */
    memcpy(id, "COMMENT:p:", 10);
    memset(id + 10, '1', 54);
    id[40] = ':';
    id[64] = '\0';
    n = encode(&k, FEED_NOTIFICATIONS, 3, 5, id, text);
    assert_int_equal(n, CURSOR_TEXT_MAX_V1);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_NOTIFICATIONS, 3, &out), CURSOR_OK);
    assert_string_equal(out.id, id);
    assert_int_equal(out.has_log, 0);
}

/* Version 2 (a stream event's id): the position and a log entry id;
 * any reader gets the position, the stream the entry too. */
static void test_log_entry_round_trip(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 1], v1[CURSOR_TEXT_MAX + 1], id[CURSOR_MAX_ID + 1];
    cursor c, out;
    size_t n, n1;

    (void)state;
    assert_int_equal(cursor_set(&c, FEED_HOME, 7, 1732500000000000LL, SLICE_LIT("p:42")), CURSOR_OK);
    assert_int_equal(c.has_log, 0);
    assert_int_equal(cursor_encode(&k, &c, v1, sizeof(v1), &n1), CURSOR_OK);
    cursor_set_log(&c, 1732500000123ULL, UINT64_MAX);
    assert_int_equal(cursor_encode(&k, &c, text, sizeof(text), &n), CURSOR_OK);
    assert_int_equal(n, n1 + 22); /* 16 bytes more: 21.3 characters, rounded */
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_OK);
    assert_int_equal(out.ts_us, 1732500000000000LL);
    assert_string_equal(out.id, "p:42");
    assert_int_equal(out.has_log, 1);
    assert_true(out.log_ms == 1732500000123ULL && out.log_seq == UINT64_MAX);
    assert_int_equal(cursor_decode(&k, slice_make(v1, n1), FEED_HOME, 7, &out), CURSOR_OK);
    assert_int_equal(out.has_log, 0);
    /* bound to its feed and signed like any cursor */
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 8, &out), CURSOR_WRONG_FEED);
    text[n / 2] = text[n / 2] == 'A' ? 'B' : 'A';
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_FORGED);
    /* the longest: a 64-byte group id and a log entry */
    memcpy(id, "COMMENT:p:", 10);
    memset(id + 10, '1', 54);
    id[40] = ':';
    id[64] = '\0';
    assert_int_equal(cursor_set(&c, FEED_NOTIFICATIONS, 3, 5, slice_from_cstr(id)), CURSOR_OK);
    cursor_set_log(&c, 1, 2);
    assert_int_equal(cursor_encode(&k, &c, text, sizeof(text), &n), CURSOR_OK);
    assert_int_equal(n, CURSOR_TEXT_MAX);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_NOTIFICATIONS, 3, &out), CURSOR_OK);
    assert_true(out.has_log && out.log_ms == 1 && out.log_seq == 2);
}

static void test_wrong_feed(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 1];
    cursor out;
    size_t n;

    (void)state;
    n = encode(&k, FEED_HOME, 7, 100, "p:42", text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 8, &out), CURSOR_WRONG_FEED);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_PROFILE, 7, &out), CURSOR_WRONG_FEED);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_NOTIFICATIONS, 7, &out), CURSOR_WRONG_FEED);
}

static void test_forged(void **state)
{
    cursor_key k = key(), other;
    char text[CURSOR_TEXT_MAX + 1];
    unsigned char raw[CURSOR_RAW_MAX];
    cursor out;
    size_t n, m, i;

    (void)state;
    n = encode(&k, FEED_HOME, 7, 100, "p:42", text);
    /* another secret */
    assert_int_equal(cursor_key_init(&other, "another secret, long enough", 27), 0);
    assert_int_equal(cursor_decode(&other, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_FORGED);
    /* the cursor key is not the token key of the same secret */
    assert_int_equal(mac_key_derive(&other.mac, secret, strlen(secret), "token"), 0);
    assert_int_equal(cursor_decode(&other, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_FORGED);
    /* every single-bit change of the bytes is refused; changes inside the
     * layout bytes may be malformed instead, never accepted */
    assert_int_equal(b64url_decode(slice_make(text, n), raw, sizeof(raw), &m), B64URL_OK);
    for (i = 0; i < m * 8; i++) {
        char t2[CURSOR_TEXT_MAX + 1];
        size_t n2;
        int r;

        raw[i / 8] ^= (unsigned char)(1u << (i % 8));
        assert_int_equal(b64url_encode(raw, m, t2, sizeof(t2), &n2), B64URL_OK);
        r = cursor_decode(&k, slice_make(t2, n2), FEED_HOME, 7, &out);
        if (i / 8 == 0 || i / 8 == 18)
            assert_true(r == CURSOR_MALFORMED || r == CURSOR_FORGED);
        else
            assert_int_equal(r, CURSOR_FORGED);
        raw[i / 8] ^= (unsigned char)(1u << (i % 8));
    }
    /* the user id rewritten to another user's: forged, not wrong feed */
    raw[9] = 8;
    assert_int_equal(b64url_encode(raw, m, text, sizeof(text), &n), B64URL_OK);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 8, &out), CURSOR_FORGED);
}

/* Sign raw bytes as the server would, to reach the checks behind the tag. */
static size_t sign_raw(const cursor_key *k, unsigned char *raw, size_t body, char *text)
{
    unsigned char tag[MAC_LEN];
    size_t n;

    assert_int_equal(mac_sha256(&k->mac, raw, body, tag), 0);
    memcpy(raw + body, tag, CURSOR_TAG_LEN);
    assert_int_equal(b64url_encode(raw, body + CURSOR_TAG_LEN, text, CURSOR_TEXT_MAX + 1, &n), B64URL_OK);
    return n;
}

static void test_malformed(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 2];
    cursor out;
    size_t n;

    (void)state;
    assert_int_equal(cursor_decode(&k, SLICE_LIT(""), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    assert_int_equal(cursor_decode(&k, SLICE_LIT("abc"), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    n = encode(&k, FEED_HOME, 7, 100, "p:42", text);
    /* padding, foreign alphabet, truncation, extension */
    text[n] = '=';
    assert_int_equal(cursor_decode(&k, slice_make(text, n + 1), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    text[n] = '\0';
    text[5] = '+';
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    text[5] = '.';
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    n = encode(&k, FEED_HOME, 7, 100, "p:42", text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n - 1), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    assert_int_equal(cursor_decode(&k, slice_make(text, n - 4), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    memcpy(text + n, "AAAA", 4);
    assert_int_equal(cursor_decode(&k, slice_make(text, n + 4), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    /* too long before decoding anything */
    memset(text, 'A', sizeof(text));
    assert_int_equal(cursor_decode(&k, slice_make(text, CURSOR_TEXT_MAX + 1), FEED_HOME, 7, &out), CURSOR_MALFORMED);
}

static void test_version_and_bounds_behind_the_tag(void **state)
{
    cursor_key k = key();
    unsigned char raw[CURSOR_RAW_MAX + 8];
    char text[CURSOR_TEXT_MAX + 8];
    cursor out;
    size_t n;

    (void)state;
    memset(raw, 0, sizeof(raw));
    raw[0] = CURSOR_VERSION;
    raw[1] = FEED_HOME;
    raw[9] = 7;
    raw[17] = 100;
    raw[18] = 4;
    memcpy(raw + 19, "p:42", 4);
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_OK);
    /* unknown version, even correctly signed */
    raw[0] = 3;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    /* version 2 without its 16 bytes of log entry, and with them */
    raw[0] = CURSOR_VERSION_LOG;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    memset(raw + 23, 0, 16);
    raw[30] = 5;
    raw[38] = 6;
    n = sign_raw(&k, raw, 39, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_OK);
    assert_true(out.has_log && out.log_ms == 5 && out.log_seq == 6);
    raw[0] = CURSOR_VERSION;
    /* unknown feed kind */
    raw[1] = 9;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    raw[1] = FEED_HOME;
    /* negative ts, ts past 2^53, user 0 */
    raw[10] = 0x80;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    raw[10] = 0;
    raw[11] = 0x20;
    raw[12] = 0x01;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    raw[11] = 0;
    raw[12] = 0;
    raw[9] = 0;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 0, &out), CURSOR_MALFORMED);
    raw[9] = 7;
    /* bad ids */
    memcpy(raw + 19, "P:42", 4);
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    memcpy(raw + 19, "p:04", 4);
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    memcpy(raw + 19, "p:4\0", 4);
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    /* an id length that disagrees with the size */
    memcpy(raw + 19, "p:42", 4);
    raw[18] = 5;
    n = sign_raw(&k, raw, 23, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
    /* a 33-byte activity id, correctly signed */
    raw[18] = 33;
    memset(raw + 19, '1', 33);
    raw[19] = 'p';
    raw[20] = ':';
    n = sign_raw(&k, raw, 19 + 33, text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_HOME, 7, &out), CURSOR_MALFORMED);
}

static void test_id_rules(void **state)
{
    (void)state;
    assert_true(cursor_id_valid(FEED_HOME, SLICE_LIT("p:1")));
    assert_true(cursor_id_valid(FEED_HOME, SLICE_LIT("f:0")));
    assert_true(cursor_id_valid(FEED_PROFILE, SLICE_LIT("l:9223372036854775807")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("p:")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("p42")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("pp:42")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("p:-1")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("p:1 ")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("p:01")));
    assert_false(cursor_id_valid(FEED_HOME, SLICE_LIT("LIKE:p:1:0")));
    assert_true(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("LIKE:p:1:0")));
    assert_true(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("FOLLOW:u:7:1732500000000")));
    assert_true(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("COMMENT:p:42:3600000")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("p:1")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("SHARD:p:1:0")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("LIKE:p:1")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("LIKE:p:1:")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("LIKE:p:1:0:")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("LIKE::1:0")));
    assert_false(cursor_id_valid(FEED_NOTIFICATIONS, SLICE_LIT("LIKE:")));
    assert_false(cursor_id_valid((feed_kind)0, SLICE_LIT("p:1")));
}

/* Followers and followees: lists of follows, "f:<follows.id>" only, and
 * a cursor of one list is refused on the other and on every feed. */
static void test_follow_lists(void **state)
{
    cursor_key k = key();
    char text[CURSOR_TEXT_MAX + 1];
    cursor out;
    size_t n;
    int kind;

    (void)state;
    assert_true(cursor_id_valid(FEED_FOLLOWERS, SLICE_LIT("f:17")));
    assert_true(cursor_id_valid(FEED_FOLLOWEES, SLICE_LIT("f:9223372036854775807")));
    assert_false(cursor_id_valid(FEED_FOLLOWERS, SLICE_LIT("p:17")));
    assert_false(cursor_id_valid(FEED_FOLLOWEES, SLICE_LIT("f:017")));
    assert_false(cursor_id_valid(FEED_FOLLOWEES, SLICE_LIT("FOLLOW:u:7:0")));
    n = encode(&k, FEED_FOLLOWERS, 7, 1732500000000000, "f:17", text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_FOLLOWERS, 7, &out), CURSOR_OK);
    assert_int_equal(out.kind, FEED_FOLLOWERS);
    assert_string_equal(out.id, "f:17");
    for (kind = FEED_HOME; kind <= FEED_FOLLOWEES; kind++) {
        if (kind != FEED_FOLLOWERS)
            assert_int_equal(cursor_decode(&k, slice_make(text, n), (feed_kind)kind, 7, &out), CURSOR_WRONG_FEED);
    }
    n = encode(&k, FEED_FOLLOWEES, 7, 0, "f:0", text);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_FOLLOWEES, 7, &out), CURSOR_OK);
    assert_int_equal(cursor_decode(&k, slice_make(text, n), FEED_FOLLOWERS, 7, &out), CURSOR_WRONG_FEED);
}

static void test_encode_refuses(void **state)
{
    cursor_key k = key();
    cursor c;
    char text[CURSOR_TEXT_MAX + 1];
    size_t n;

    (void)state;
    assert_int_equal(cursor_set(&c, FEED_HOME, 0, 1, SLICE_LIT("p:1")), CURSOR_INVALID);
    assert_int_equal(cursor_set(&c, FEED_HOME, 1, -1, SLICE_LIT("p:1")), CURSOR_INVALID);
    assert_int_equal(cursor_set(&c, FEED_HOME, 1, CURSOR_MAX_TS + 1, SLICE_LIT("p:1")), CURSOR_INVALID);
    assert_int_equal(cursor_set(&c, (feed_kind)6, 1, 1, SLICE_LIT("p:1")), CURSOR_INVALID);
    assert_int_equal(cursor_set(&c, FEED_FOLLOWERS, 1, 1, SLICE_LIT("p:1")), CURSOR_INVALID);
    assert_int_equal(cursor_set(&c, FEED_HOME, 1, 1, SLICE_LIT("x")), CURSOR_INVALID);
    assert_int_equal(cursor_set(&c, FEED_HOME, 1, 1, SLICE_LIT("p:1")), CURSOR_OK);
    assert_int_equal(cursor_encode(&k, &c, text, 52, &n), CURSOR_OK);
    assert_int_equal(cursor_encode(&k, &c, text, 51, &n), CURSOR_NO_SPACE);
    c.user_id = -5; /* a struct edited by hand is checked again */
    assert_int_equal(cursor_encode(&k, &c, text, sizeof(text), &n), CURSOR_INVALID);
    c.user_id = 5;
    c.id_len = 1000;
    assert_int_equal(cursor_encode(&k, &c, text, sizeof(text), &n), CURSOR_INVALID);
}

static void test_messages(void **state)
{
    (void)state;
    assert_string_equal(cursor_strerror(CURSOR_WRONG_FEED), "cursor belongs to another feed");
    assert_string_equal(cursor_strerror(CURSOR_FORGED), "cursor was not issued by this server");
    assert_string_equal(cursor_strerror(CURSOR_MALFORMED), "cursor is malformed");
    assert_string_equal(cursor_strerror(12345), "unknown cursor error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_log_entry_round_trip),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_lengths_at_bounds),
        cmocka_unit_test(test_wrong_feed),
        cmocka_unit_test(test_forged),
        cmocka_unit_test(test_follow_lists),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_version_and_bounds_behind_the_tag),
        cmocka_unit_test(test_id_rules),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_messages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
