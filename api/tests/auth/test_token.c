/* test_token.c: bearer tokens: signing, the pinned format, strict
 * parsing, forgery, expiry, and the Authorization header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/auth/token.h"
#include "api/src/wire/cursor.h"

static const char secret[] = "0123456789abcdef0123456789abcdef";
static const int64_t now = 1800000000;

static token_key key(void)
{
    token_key k;

    assert_int_equal(token_key_init(&k, secret, strlen(secret)), 0);
    return k;
}

static int verify(const token_key *k, const char *text, int64_t *uid)
{
    return token_verify(k, slice_from_cstr(text), now, uid, NULL);
}

static void test_sign_verify(void **state)
{
    token_key k = key();
    char t[TOKEN_MAX_LEN + 1];
    size_t n;
    int64_t uid = 0, exp = 0;

    (void)state;
    assert_int_equal(token_sign(&k, 42, 1900000000, t, sizeof(t), &n), TOKEN_OK);
    assert_int_equal(strlen(t), n);
    /* independently computed with Python's hmac and base64 */
    assert_string_equal(t, "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY");
    assert_int_equal(token_verify(&k, slice_make(t, n), now, &uid, &exp), TOKEN_OK);
    assert_int_equal(uid, 42);
    assert_int_equal(exp, 1900000000);
}

static void test_extremes(void **state)
{
    token_key k = key();
    char t[TOKEN_MAX_LEN + 1];
    size_t n;
    int64_t uid = 0;

    (void)state;
    assert_int_equal(token_sign(&k, INT64_MAX, INT64_MAX, t, sizeof(t), &n), TOKEN_OK);
    assert_int_equal(n, TOKEN_MAX_LEN);
    assert_int_equal(verify(&k, t, &uid), TOKEN_OK);
    assert_int_equal(uid, INT64_MAX);
    assert_int_equal(token_sign(&k, INT64_MAX, INT64_MAX, t, TOKEN_MAX_LEN, &n), TOKEN_NO_SPACE);
    assert_int_equal(token_sign(&k, 0, 5, t, sizeof(t), &n), TOKEN_INVALID);
    assert_int_equal(token_sign(&k, -1, 5, t, sizeof(t), &n), TOKEN_INVALID);
    assert_int_equal(token_sign(&k, 1, 0, t, sizeof(t), &n), TOKEN_INVALID);
}

static void test_expiry(void **state)
{
    token_key k = key();
    char t[TOKEN_MAX_LEN + 1];
    size_t n;
    int64_t uid = 0;

    (void)state;
    assert_int_equal(token_sign(&k, 5, now + 1, t, sizeof(t), &n), TOKEN_OK);
    assert_int_equal(token_verify(&k, slice_make(t, n), now, &uid, NULL), TOKEN_OK);
    assert_int_equal(token_verify(&k, slice_make(t, n), now + 1, &uid, NULL), TOKEN_EXPIRED);
    assert_int_equal(token_verify(&k, slice_make(t, n), now + 1000, &uid, NULL), TOKEN_EXPIRED);
}

static void test_forged(void **state)
{
    token_key k = key(), other;
    cursor_key ck;
    char t[TOKEN_MAX_LEN + 1];
    size_t n, i;
    int64_t uid = 0;

    (void)state;
    assert_int_equal(token_sign(&k, 42, 1900000000, t, sizeof(t), &n), TOKEN_OK);
    assert_int_equal(token_key_init(&other, "some other secret here", 22), 0);
    assert_int_equal(verify(&other, t, &uid), TOKEN_FORGED);
    /* the cursor key of the same secret does not sign tokens */
    assert_int_equal(cursor_key_init(&ck, secret, strlen(secret)), 0);
    memcpy(&other.mac, &ck.mac, sizeof(other.mac));
    assert_int_equal(verify(&other, t, &uid), TOKEN_FORGED);
    /* the user id changed: forged */
    t[3] = '7';
    assert_int_equal(verify(&k, t, &uid), TOKEN_FORGED);
    t[3] = '4';
    /* an expired token re-dated: forged, not expired-then-accepted */
    t[6] = '2';
    assert_int_equal(verify(&k, t, &uid), TOKEN_FORGED);
    t[6] = '1';
    /* each tag character changed; the last one only in its used bits */
    for (i = n - TOKEN_TAG_TEXT_LEN; i < n - 1; i++) {
        char c = t[i];
        t[i] = c == 'A' ? 'B' : 'A';
        assert_int_equal(verify(&k, t, &uid), TOKEN_FORGED);
        t[i] = c;
    }
    assert_int_equal(verify(&k, t, &uid), TOKEN_OK);
}

static void test_strict_form(void **state)
{
    static const char *const bad[] = {
        "",
        "v1",
        "v1.",
        "v2.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "V1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.042.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.+42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.-42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1. 42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.0.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1..1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.42.01900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.42.0.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.42.1900000000e0.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.9223372036854775808.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.42.99999999999999999999.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqv",
        "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvYA",
        "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY=",
        "v1.42.1900000000.gKMNL46UIio+5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
        "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvZ", /* unused bits */
        "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY.",
        "v1.42.1900000000..gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqv",
        "v1.42.1900000000",
        "v1.42.1900000000.",
        " v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY",
    };
    token_key k = key();
    int64_t uid = 0;
    size_t i;

    (void)state;
    assert_int_equal(verify(&k, "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY", &uid), TOKEN_OK);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = verify(&k, bad[i], &uid);
        if (r != TOKEN_MALFORMED)
            fail_msg("%s: got %d, want malformed", bad[i], r);
    }
    /* a NUL byte inside */
    assert_int_equal(
        token_verify(&k, SLICE_LIT("v1.4\0.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY"), now, &uid, NULL),
        TOKEN_MALFORMED);
    assert_int_equal(token_verify(&k, slice_make(NULL, 0), now, &uid, NULL), TOKEN_MALFORMED);
}

static void test_authorization_header(void **state)
{
    slice t;

    (void)state;
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer v1.1.2.abc"), &t), 0);
    assert_true(slice_eq_cstr(t, "v1.1.2.abc"));
    assert_int_equal(token_from_authorization(SLICE_LIT("bearer  v1.1.2.abc"), &t), 0);
    assert_true(slice_eq_cstr(t, "v1.1.2.abc"));
    assert_int_equal(token_from_authorization(SLICE_LIT("BEARER abc=="), &t), 0);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer"), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer "), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer   "), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Basic dXNlcjpwYXNz"), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearerx abc"), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer\tabc"), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer abc "), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer a bc"), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer =abc"), &t), -1);
    assert_int_equal(token_from_authorization(SLICE_LIT("Bearer ab=c"), &t), -1);
}

static void test_short_secret_and_messages(void **state)
{
    token_key k;

    (void)state;
    assert_int_equal(token_key_init(&k, "short", 5), -1);
    assert_string_equal(token_strerror(TOKEN_EXPIRED), "token has expired");
    assert_string_equal(token_strerror(TOKEN_FORGED), "token signature does not match");
    assert_string_equal(token_strerror(-99), "unknown token error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_forged),
        cmocka_unit_test(test_strict_form),
        cmocka_unit_test(test_authorization_header),
        cmocka_unit_test(test_short_secret_and_messages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
