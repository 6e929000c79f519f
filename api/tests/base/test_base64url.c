/* test_base64url.c: strict unpadded base64url, RFC 4648 vectors and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/base/base64url.h"

static void test_rfc4648_vectors(void **state)
{
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const text[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char out[16], back[16];
    size_t i, n, m;

    (void)state;
    for (i = 0; i < 7; i++) {
        assert_int_equal(b64url_encode(plain[i], strlen(plain[i]), out, sizeof(out), &n), B64URL_OK);
        assert_int_equal(n, strlen(text[i]));
        assert_int_equal(n, b64url_encoded_len(strlen(plain[i])));
        assert_memory_equal(out, text[i], n);
        assert_int_equal(b64url_decode(slice_make(out, n), back, sizeof(back), &m), B64URL_OK);
        assert_int_equal(m, strlen(plain[i]));
        assert_memory_equal(back, plain[i], m);
    }
}

static void test_url_alphabet(void **state)
{
    const unsigned char in[] = {0xfb, 0xff, 0xbf};
    char out[8];
    unsigned char back[8];
    size_t n;

    (void)state;
    assert_int_equal(b64url_encode(in, 3, out, sizeof(out), &n), B64URL_OK);
    assert_memory_equal(out, "-_-_", 4);
    assert_int_equal(b64url_decode(slice_make(out, 4), back, sizeof(back), &n), B64URL_OK);
    assert_memory_equal(back, in, 3);
}

static void test_all_byte_values_round_trip(void **state)
{
    unsigned char in[256], back[256];
    char text[400];
    size_t len, n, m;

    (void)state;
    for (len = 0; len < 256; len++)
        in[len] = (unsigned char)(len * 7 + 3);
    for (len = 0; len <= 256; len++) {
        assert_int_equal(b64url_encode(in, len, text, sizeof(text), &n), B64URL_OK);
        assert_true(b64url_decoded_max(n) >= len);
        assert_int_equal(b64url_decode(slice_make(text, n), back, sizeof(back), &m), B64URL_OK);
        assert_int_equal(m, len);
        assert_memory_equal(back, in, len);
    }
}

static void test_refusals(void **state)
{
    unsigned char out[16];
    size_t n;

    (void)state;
    assert_int_equal(b64url_decode(SLICE_LIT("Zm9vY"), out, sizeof(out), &n), B64URL_BAD_LENGTH);
    assert_int_equal(b64url_decode(SLICE_LIT("Zg=="), out, sizeof(out), &n), B64URL_BAD_CHAR);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm+v"), out, sizeof(out), &n), B64URL_BAD_CHAR);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm/v"), out, sizeof(out), &n), B64URL_BAD_CHAR);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm 9"), out, sizeof(out), &n), B64URL_BAD_CHAR);
    assert_int_equal(b64url_decode(slice_make("Zm\0v", 4), out, sizeof(out), &n), B64URL_BAD_CHAR);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm\xc3\xa9"), out, sizeof(out), &n), B64URL_BAD_CHAR);
    /* "Zh", "Zm9", "Zm-": unused low bits set ("f" is "Zg", "fo" is "Zm8") */
    assert_int_equal(b64url_decode(SLICE_LIT("Zh"), out, sizeof(out), &n), B64URL_NOT_CANONICAL);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm9w"), out, sizeof(out), &n), B64URL_OK);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm8"), out, sizeof(out), &n), B64URL_OK);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm9"), out, sizeof(out), &n), B64URL_NOT_CANONICAL);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm-"), out, sizeof(out), &n), B64URL_NOT_CANONICAL);
    assert_int_equal(b64url_decode(SLICE_LIT("Zm9vYmFy"), out, 5, &n), B64URL_NO_SPACE);
}

static void test_encode_no_space(void **state)
{
    char out[4];
    size_t n;

    (void)state;
    assert_int_equal(b64url_encode("foob", 4, out, sizeof(out), &n), B64URL_NO_SPACE);
    assert_int_equal(b64url_encode("foo", 3, out, sizeof(out), &n), B64URL_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_url_alphabet),
        cmocka_unit_test(test_all_byte_values_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_encode_no_space),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
