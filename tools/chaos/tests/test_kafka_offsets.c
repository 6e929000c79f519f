/* test_kafka_offsets.c: encoding and the three response decoders, on
 * responses built by hand the way Kafka lays them out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/chaos/kafka_offsets.h"

static void test_integers_and_strings_round_trip(void **state)
{
    ko_buf b = {0};
    char s[16];
    (void)state;
    ko_put_i8(&b, -2);
    ko_put_i16(&b, -300);
    ko_put_i32(&b, 123456789);
    ko_put_i64(&b, -5000000000LL);
    ko_put_str(&b, "feed");
    ko_put_str(&b, NULL);
    assert_int_equal(b.len, 1 + 2 + 4 + 8 + 6 + 2);
    assert_int_equal(b.data[1], 0xfe); /* big-endian */
    assert_int_equal(ko_get_i8(&b), -2);
    assert_int_equal(ko_get_i16(&b), -300);
    assert_int_equal(ko_get_i32(&b), 123456789);
    assert_true(ko_get_i64(&b) == -5000000000LL);
    ko_get_str(&b, s, sizeof s);
    assert_string_equal(s, "feed");
    ko_get_str(&b, s, sizeof s);
    assert_string_equal(s, "");
    assert_false(b.bad);
    ko_get_i8(&b);
    assert_true(b.bad); /* read past the end */
    free(b.data);
}

/* Metadata v4 with brokers 1..brokers (broker i at 127.0.0.i) and topic t
 * of 2 partitions, partition p led by broker p % brokers + 1. */
static void put_metadata(ko_buf *b, int brokers)
{
    ko_put_i32(b, 0);
    ko_put_i32(b, brokers);
    for (int i = 1; i <= brokers; i++) {
        char host[16];
        snprintf(host, sizeof host, "127.0.0.%d", i);
        ko_put_i32(b, i);
        ko_put_str(b, host);
        ko_put_i32(b, 39092);
        ko_put_str(b, NULL);
    }
    ko_put_str(b, "cluster");
    ko_put_i32(b, 1);
    ko_put_i32(b, 1);
    ko_put_i16(b, 0);
    ko_put_str(b, "t");
    ko_put_i8(b, 0);
    ko_put_i32(b, 2);
    for (int p = 0; p < 2; p++) {
        ko_put_i16(b, 0);
        ko_put_i32(b, p);
        ko_put_i32(b, p % brokers + 1);
        ko_put_i32(b, 1);
        ko_put_i32(b, 1);
        ko_put_i32(b, 1);
        ko_put_i32(b, 1);
    }
}

static void test_decoders(void **state)
{
    static ko_offsets o;
    const char *topics[] = {"t"};
    char err[128];
    ko_buf b = {0};
    (void)state;
    put_metadata(&b, 1);
    assert_int_equal(ko_decode_metadata(&b, topics, 1, &o, err, sizeof err), 0);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.p[1].topic, "t");
    assert_int_equal(o.p[1].end, -1);
    free(b.data);

    memset(&b, 0, sizeof b); /* ListOffsets v2 */
    ko_put_i32(&b, 0);
    ko_put_i32(&b, 1);
    ko_put_str(&b, "t");
    ko_put_i32(&b, 2);
    for (int p = 0; p < 2; p++) {
        ko_put_i32(&b, p);
        ko_put_i16(&b, 0);
        ko_put_i64(&b, -1);
        ko_put_i64(&b, 100 + p);
    }
    assert_int_equal(ko_decode_list_offsets(&b, &o, err, sizeof err), 0);
    assert_int_equal(o.p[0].end, 100);
    assert_int_equal(o.p[1].end, 101);
    free(b.data);

    memset(&b, 0, sizeof b); /* OffsetFetch v3: only partition 1 committed */
    ko_put_i32(&b, 0);
    ko_put_i32(&b, 1);
    ko_put_str(&b, "t");
    ko_put_i32(&b, 1);
    ko_put_i32(&b, 1);
    ko_put_i64(&b, 100);
    ko_put_str(&b, "");
    ko_put_i16(&b, 0);
    ko_put_i16(&b, 0);
    assert_int_equal(ko_decode_offset_fetch(&b, &o, err, sizeof err), 0);
    assert_int_equal(o.p[0].committed, -1);
    assert_int_equal(o.p[1].committed, 100);
    free(b.data);
}

static void test_errors_are_reported(void **state)
{
    static ko_offsets o;
    const char *topics[] = {"t"}, *missing[] = {"nope"};
    char err[128];
    ko_buf b = {0};
    (void)state;
    put_metadata(&b, 2); /* a cluster: every broker and each partition's leader */
    assert_int_equal(ko_decode_metadata(&b, topics, 1, &o, err, sizeof err), 0);
    assert_int_equal(o.nbrokers, 2);
    assert_int_equal(o.brokers[1].id, 2);
    assert_string_equal(o.brokers[1].host, "127.0.0.2");
    assert_int_equal(o.brokers[1].port, 39092);
    assert_int_equal(o.p[0].leader, 1);
    assert_int_equal(o.p[1].leader, 2);
    free(b.data);
    memset(&b, 0, sizeof b);
    put_metadata(&b, 1);
    assert_int_equal(ko_decode_metadata(&b, missing, 1, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "nope"));
    b.len -= 3; /* truncated */
    b.pos = 0;
    assert_int_equal(ko_decode_metadata(&b, topics, 1, &o, err, sizeof err), -1);
    free(b.data);
    memset(&b, 0, sizeof b); /* OffsetFetch with a group error */
    ko_put_i32(&b, 0);
    ko_put_i32(&b, 0);
    ko_put_i16(&b, 16);
    assert_int_equal(ko_decode_offset_fetch(&b, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "16"));
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_and_strings_round_trip),
        cmocka_unit_test(test_decoders),
        cmocka_unit_test(test_errors_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
