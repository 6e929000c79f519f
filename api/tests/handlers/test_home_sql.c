/* test_home_sql.c: the naive home feed's statement parameters and rows
 * (handlers/home_sql.h); its results against the normal home feed are
 * api/tests/integration/read/test_home_sql.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/handlers/home_sql.h"

static void test_params_first_page(void **state)
{
    home_sql_params p;
    page_query q;

    (void)state;
    memset(&q, 0, sizeof(q));
    q.limit = 20;
    home_sql_params_set(&p, 42, &q);
    assert_string_equal(p.values[0], "42");
    assert_null(p.values[1]); /* $2 NULL: no cursor */
    assert_string_equal(p.values[2], "");
    assert_string_equal(p.values[3], "21"); /* one more than the page: is there a next one? */
}

static void test_params_after_cursor(void **state)
{
    home_sql_params p;
    page_query q;

    (void)state;
    memset(&q, 0, sizeof(q));
    q.limit = 100;
    assert_int_equal(cursor_set(&q.after, FEED_HOME, 9007199254740993LL, 1732500000123456LL, SLICE_LIT("c:77")),
                     CURSOR_OK);
    q.has_cursor = 1;
    home_sql_params_set(&p, 9007199254740993LL, &q);
    assert_string_equal(p.values[0], "9007199254740993");
    assert_string_equal(p.values[1], "1732500000123456");
    assert_string_equal(p.values[2], "c:77"); /* the whole id: the statement compares ids as bytes */
    assert_string_equal(p.values[3], "101");
}

static void test_statement_shape(void **state)
{
    (void)state;
    /* the feed order and the cursor's tie-break by id bytes */
    assert_non_null(strstr(home_sql_query, "ORDER BY a.ts_us DESC, a.id COLLATE \"C\" DESC LIMIT $4::int"));
    assert_non_null(strstr(home_sql_query, "a.id COLLATE \"C\" < $3::text COLLATE \"C\""));
    /* all four verbs, U's own and its followees' */
    assert_non_null(strstr(home_sql_query, "'SHARD'"));
    assert_non_null(strstr(home_sql_query, "'COMMENT'"));
    assert_non_null(strstr(home_sql_query, "'LIKE'"));
    assert_non_null(strstr(home_sql_query, "'FOLLOW'"));
    assert_non_null(strstr(home_sql_query, "SELECT $1::bigint AS uid UNION ALL SELECT followee_id FROM follows"));
}

/* A result of the statement's columns, rows given as text (NULL: SQL NULL). */
static PGresult *make_result(const char *const (*rows)[HOME_SQL_NCOLS], int nrows)
{
    static const char *names[HOME_SQL_NCOLS] = {"id", "verb", "actor_id", "object_id", "target_id", "body", "ts_us"};
    PGresAttDesc attrs[HOME_SQL_NCOLS];
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    int i, j;

    assert_non_null(res);
    memset(attrs, 0, sizeof(attrs));
    for (j = 0; j < HOME_SQL_NCOLS; j++) {
        attrs[j].name = (char *)names[j];
        attrs[j].format = 0;
        attrs[j].typlen = -1;
        attrs[j].atttypmod = -1;
    }
    assert_int_equal(PQsetResultAttrs(res, HOME_SQL_NCOLS, attrs), 1);
    for (i = 0; i < nrows; i++)
        for (j = 0; j < HOME_SQL_NCOLS; j++)
            assert_int_equal(PQsetvalue(res, i, j, (char *)rows[i][j], rows[i][j] ? (int)strlen(rows[i][j]) : -1), 1);
    return res;
}

static void test_rows_as_items(void **state)
{
    static const char *const rows[][HOME_SQL_NCOLS] = {
        {"c:9", "COMMENT", "7", "p:3", "u:5", "say \"hi\"", "1732500000000001"},
        {"f:4", "FOLLOW", "7", "u:5", "u:5", NULL, "1732500000000000"},
        {"p:3", "SHARD", "5", "p:3", NULL, "post", "0"},
    };
    PGresult *res = make_result(rows, 3);
    char id[CURSOR_MAX_ID + 1];
    int64_t ts = -1;
    buf out;

    (void)state;
    buf_init(&out, 0);
    assert_int_equal(home_sql_item(&out, res, 0, &ts, id, sizeof(id)), 0);
    assert_int_equal(ts, 1732500000000001LL);
    assert_string_equal(id, "c:9");
    assert_int_equal(buf_append_cstr(&out, "\n"), 0);
    assert_int_equal(home_sql_item(&out, res, 1, &ts, id, sizeof(id)), 0);
    assert_string_equal(id, "f:4");
    assert_int_equal(buf_append_cstr(&out, "\n"), 0);
    assert_int_equal(home_sql_item(&out, res, 2, &ts, id, sizeof(id)), 0);
    assert_int_equal(ts, 0);
    assert_int_equal(buf_append(&out, "", 1), 0);
    /* the very JSON of the normal read (read/feed_json.h) */
    assert_string_equal(
        out.data, "{\"id\":\"c:9\",\"verb\":\"COMMENT\",\"actor_id\":7,\"object_id\":\"p:3\",\"target_id\":\"u:5\","
                  "\"body\":\"say \\\"hi\\\"\",\"ts_us\":1732500000000001,\"time\":\"2024-11-25T02:00:00.000001Z\"}\n"
                  "{\"id\":\"f:4\",\"verb\":\"FOLLOW\",\"actor_id\":7,\"object_id\":\"u:5\",\"target_id\":\"u:5\","
                  "\"body\":null,\"ts_us\":1732500000000000,\"time\":\"2024-11-25T02:00:00.000000Z\"}\n"
                  "{\"id\":\"p:3\",\"verb\":\"SHARD\",\"actor_id\":5,\"object_id\":\"p:3\",\"target_id\":null,"
                  "\"body\":\"post\",\"ts_us\":0,\"time\":\"1970-01-01T00:00:00.000000Z\"}");
    assert_int_equal(home_sql_item(&out, res, 3, &ts, id, sizeof(id)), -1); /* no such row */
    assert_int_equal(home_sql_item(&out, res, 0, &ts, id, 3), -1);          /* "c:9" needs 4 bytes */
    buf_dispose(&out);
    PQclear(res);
}

static void test_malformed_rows(void **state)
{
    static const char *const rows[][HOME_SQL_NCOLS] = {
        {NULL, "SHARD", "5", "p:3", NULL, "x", "1"},   /* no id */
        {"p:3", "SHARD", NULL, "p:3", NULL, "x", "1"}, /* no actor */
        {"p:3", "SHARD", "5", "p:3", NULL, "x", "1x"}, /* ts not a number */
        {"p:3", NULL, "5", "p:3", NULL, "x", "1"},     /* no verb */
    };
    PGresult *res = make_result(rows, 4);
    char id[CURSOR_MAX_ID + 1];
    int64_t ts;
    buf out;
    int i;

    (void)state;
    buf_init(&out, 0);
    for (i = 0; i < 4; i++)
        assert_int_equal(home_sql_item(&out, res, i, &ts, id, sizeof(id)), -1);
    buf_dispose(&out);
    PQclear(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_first_page), cmocka_unit_test(test_params_after_cursor),
        cmocka_unit_test(test_statement_shape),   cmocka_unit_test(test_rows_as_items),
        cmocka_unit_test(test_malformed_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
