/* test_mac.c: HMAC-SHA256 against RFC 4231, key derivation, comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/crypto/mac.h"

static const char secret[] = "0123456789abcdef0123456789abcdef";

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* mac_sha256 takes 32-byte keys, which RFC 4231's vectors do not use;
 * the expected tags here were computed independently with Python's
 * hmac module: HMAC-SHA256(bytes 0x00..0x1f, "abc"). */
static void test_known_vector(void **state)
{
    mac_key k;
    unsigned char tag[MAC_LEN];
    char h[2 * MAC_LEN + 1];
    int i;

    (void)state;
    for (i = 0; i < MAC_LEN; i++)
        k.bytes[i] = (unsigned char)i;
    assert_int_equal(mac_sha256(&k, "abc", 3, tag), 0);
    hex(tag, MAC_LEN, h);
    assert_string_equal(h, "f0133729c4163dede81e21cd47839256da58171238c8a0d874397c73b14e1e47");
}

static void test_derive_matches_hmac_of_purpose(void **state)
{
    mac_key a, b, c;

    (void)state;
    assert_int_equal(mac_key_derive(&a, secret, strlen(secret), "cursor"), 0);
    assert_int_equal(mac_key_derive(&b, secret, strlen(secret), "token"), 0);
    assert_int_equal(mac_key_derive(&c, secret, strlen(secret), "cursor"), 0);
    assert_memory_not_equal(a.bytes, b.bytes, MAC_LEN);
    assert_memory_equal(a.bytes, c.bytes, MAC_LEN);
    {
        char h[2 * MAC_LEN + 1];
        /* Python: hmac.new(secret, b"cursor", sha256).hexdigest() */
        hex(a.bytes, MAC_LEN, h);
        assert_string_equal(h, "893531cfbe6ed5a3f0fbadaa0704521d214ff01719f3197960dd4942855e2406");
    }
}

static void test_short_secret_refused(void **state)
{
    mac_key k;

    (void)state;
    assert_int_equal(mac_key_derive(&k, "short", 5, "cursor"), -1);
    assert_int_equal(mac_key_derive(&k, secret, MAC_SECRET_MIN - 1, "cursor"), -1);
    assert_int_equal(mac_key_derive(&k, secret, MAC_SECRET_MIN, "cursor"), 0);
    assert_int_equal(mac_key_derive(&k, NULL, 32, "cursor"), -1);
}

static void test_equal_and_wipe(void **state)
{
    unsigned char a[16], b[16];

    (void)state;
    memset(a, 7, sizeof(a));
    memcpy(b, a, sizeof(b));
    assert_true(mac_equal(a, b, sizeof(a)));
    b[15] ^= 1;
    assert_false(mac_equal(a, b, sizeof(a)));
    b[15] ^= 1;
    b[0] ^= 0x80;
    assert_false(mac_equal(a, b, sizeof(a)));
    assert_true(mac_equal(a, b, 0));
    mac_wipe(a, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_memory_equal(a, b, sizeof(a));
}

static void test_empty_message(void **state)
{
    mac_key k;
    unsigned char t1[MAC_LEN], t2[MAC_LEN];

    (void)state;
    assert_int_equal(mac_key_derive(&k, secret, strlen(secret), "cursor"), 0);
    assert_int_equal(mac_sha256(&k, NULL, 0, t1), 0);
    assert_int_equal(mac_sha256(&k, "", 0, t2), 0);
    assert_memory_equal(t1, t2, MAC_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vector),         cmocka_unit_test(test_derive_matches_hmac_of_purpose),
        cmocka_unit_test(test_short_secret_refused), cmocka_unit_test(test_equal_and_wipe),
        cmocka_unit_test(test_empty_message),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
