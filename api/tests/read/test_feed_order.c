/* test_feed_order.c: feed order, the cursor tie-break, merging a head read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/feed_order.h"

static feed_ref ref(int64_t ts, const char *id)
{
    feed_ref r;

    assert_int_equal(feed_ref_set(&r, ts, slice_from_cstr(id)), 0);
    return r;
}

static void test_order_is_ts_then_id_bytes_descending(void **state)
{
    feed_ref a = ref(10, "p:2"), b = ref(10, "p:10"), c = ref(9, "z:9"), d = ref(10, "p:2");

    (void)state;
    /* "p:2" > "p:10" as bytes ('2' > '1'), so p:2 comes first at equal ts */
    assert_true(feed_ref_cmp(&a, &b) < 0);
    assert_true(feed_ref_cmp(&b, &c) < 0); /* newer first, whatever the id */
    assert_int_equal(feed_ref_cmp(&a, &d), 0);
    assert_true(feed_ref_after(&b, &a));
    assert_false(feed_ref_after(&a, &a)); /* strictly after */
    /* a prefix sorts below the longer id, as memcmp-then-length does */
    assert_true(feed_id_cmp(slice_from_cstr("p:1"), slice_from_cstr("p:10")) < 0);
    assert_true(feed_id_cmp(slice_from_cstr("c:9"), slice_from_cstr("p:1")) < 0);
}

static void test_ref_set_bounds(void **state)
{
    feed_ref r;
    char big[CURSOR_MAX_ID + 2];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(feed_ref_set(&r, 1, slice_from_cstr("")), -1);
    assert_int_equal(feed_ref_set(&r, 1, slice_from_cstr(big)), -1);
    big[CURSOR_MAX_ID] = '\0';
    assert_int_equal(feed_ref_set(&r, 1, slice_from_cstr(big)), 0);
    assert_int_equal(r.id_len, CURSOR_MAX_ID);
}

static void test_take_after_binary_search(void **state)
{
    feed_ref rows[] = {ref(9, "p:9"), ref(8, "p:8"), ref(8, "p:7"), ref(8, "c:1"), ref(2, "p:2")};
    feed_ref out[5], p;
    size_t n;

    (void)state;
    n = feed_take_after(NULL, rows, 5, out, 2);
    assert_int_equal(n, 2);
    assert_string_equal(out[1].id, "p:8");
    p = ref(8, "p:7");
    n = feed_take_after(&p, rows, 5, out, 5);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].id, "c:1");
    p = ref(8, "p:75"); /* not in the rows: between p:8 and p:7 */
    n = feed_take_after(&p, rows, 5, out, 5);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].id, "p:7");
    p = ref(1, "a:1");
    assert_int_equal(feed_take_after(&p, rows, 5, out, 5), 0);
    p = ref(100, "a:1");
    assert_int_equal(feed_take_after(&p, rows, 5, out, 5), 5);
}

/* What a fill's re-read no longer has was deleted during the fill. */
static void test_vanished(void **state)
{
    feed_ref a[] = {ref(9, "p:9"), ref(8, "p:8"), ref(7, "p:7"), ref(5, "p:5"), ref(3, "p:3")};
    feed_ref b[] = {ref(10, "p:10"), ref(9, "p:9"), ref(7, "p:7"), ref(5, "p:5")};
    feed_ref out[5];
    size_t n;

    (void)state;
    /* b is a full window: p:3 is past its end, unknown; p:8 is gone */
    n = feed_vanished(a, 5, b, 4, 0, out);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].id, "p:8");
    /* b is the whole feed: p:3 is gone too */
    n = feed_vanished(a, 5, b, 4, 1, out);
    assert_int_equal(n, 2);
    assert_string_equal(out[1].id, "p:3");
    /* everything deleted / nothing deleted / nothing read */
    assert_int_equal(feed_vanished(a, 5, b, 0, 1, out), 5);
    assert_int_equal(feed_vanished(a, 5, a, 5, 0, out), 0);
    assert_int_equal(feed_vanished(a, 0, b, 4, 1, out), 0);
    /* same ts, other id: not the same item */
    {
        feed_ref c[] = {ref(8, "p:80")};
        n = feed_vanished(a, 2, c, 1, 0, out);
        assert_int_equal(n, 1);
        assert_string_equal(out[0].id, "p:9");
    }
}

static void test_parse_score(void **state)
{
    int64_t ts;

    (void)state;
    assert_int_equal(feed_parse_score(slice_from_cstr("1732500000000000"), &ts), 0);
    assert_int_equal(ts, 1732500000000000LL);
    assert_int_equal(feed_parse_score(slice_from_cstr("1.7325e+15"), &ts), 0);
    assert_int_equal(ts, 1732500000000000LL);
    assert_int_equal(feed_parse_score(slice_from_cstr("9007199254740992"), &ts), 0);
    assert_int_equal(feed_parse_score(slice_from_cstr("0"), &ts), 0);
    assert_int_equal(ts, 0);
    assert_int_equal(feed_parse_score(slice_from_cstr("-1"), &ts), -1);
    assert_int_equal(feed_parse_score(slice_from_cstr("1.5"), &ts), -1);
    assert_int_equal(feed_parse_score(slice_from_cstr("inf"), &ts), -1);
    assert_int_equal(feed_parse_score(slice_from_cstr("12x"), &ts), -1);
    assert_int_equal(feed_parse_score(slice_from_cstr(""), &ts), -1);
    assert_int_equal(feed_parse_score(slice_from_cstr("1e300"), &ts), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_is_ts_then_id_bytes_descending),
        cmocka_unit_test(test_ref_set_bounds),
        cmocka_unit_test(test_take_after_binary_search),
        cmocka_unit_test(test_vanished),
        cmocka_unit_test(test_parse_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
