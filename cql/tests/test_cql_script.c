/* test_cql_script.c: unit tests of cql_script.c (statement splitting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_script.h"

/* Split text and compare with the NULL-terminated list want, and the
 * first lines of each statement with lines. */
static void check(const char *text, const char *const *want, const unsigned *lines)
{
    cql_script s;
    cql_slice stmt;
    unsigned line;
    size_t i = 0;
    int rc;

    cql_script_init(&s, text, strlen(text));
    while ((rc = cql_script_next(&s, &stmt, &line)) == 1) {
        assert_non_null(want[i]);
        if (stmt.len != strlen(want[i]) || memcmp(stmt.base, want[i], stmt.len) != 0)
            fail_msg("statement %zu: [%.*s], wanted [%s]", i + 1, (int)stmt.len, stmt.base, want[i]);
        if (lines != NULL)
            assert_int_equal(line, lines[i]);
        i++;
    }
    assert_int_equal(rc, 0);
    assert_null(want[i]);
    assert_int_equal(cql_script_next(&s, &stmt, &line), 0); /* stays at the end */
}

static void test_simple(void **state)
{
    const char *want[] = {"CREATE TABLE a (x int)", "INSERT INTO a (x) VALUES (1)", "SELECT * FROM a", NULL};
    const unsigned lines[] = {1, 2, 4};

    (void)state;
    check("CREATE TABLE a (x int);\nINSERT INTO a (x) VALUES (1)\n;\n  SELECT * FROM a", want, lines);
}

static void test_quotes(void **state)
{
    const char *want[] = {"INSERT INTO t (s) VALUES ('a;b''c;')", "SELECT \"we;ird\"\"col\" FROM t",
                          "CREATE FUNCTION f() RETURNS int LANGUAGE java AS $$ return 1; $$", NULL};

    (void)state;
    check("INSERT INTO t (s) VALUES ('a;b''c;');SELECT \"we;ird\"\"col\" FROM t;"
          "CREATE FUNCTION f() RETURNS int LANGUAGE java AS $$ return 1; $$;",
          want, NULL);
}

static void test_comments(void **state)
{
    const char *want[] = {"SELECT 1", "SELECT /* ; */ 2", "SELECT 3 -- inner; comment\n  FROM x", NULL};
    const unsigned lines[] = {3, 4, 7};

    (void)state;
    check("-- leading; comment\n// another; one\nSELECT 1 /* trailing; */;\nSELECT /* ; */ 2;\n"
          "/* a block\n   comment */\nSELECT 3 -- inner; comment\n  FROM x;\n-- only a comment;\n/* and */ ;",
          want, lines);
}

static void test_empty(void **state)
{
    const char *none[] = {NULL};
    cql_script s;
    cql_slice stmt;

    (void)state;
    check("", none, NULL);
    check(" ;; \n\t;", none, NULL);
    check("-- nothing here", none, NULL);
    cql_script_init(&s, NULL, 0);
    assert_int_equal(cql_script_next(&s, &stmt, NULL), 0);
}

static void test_minus_and_slash_are_not_comments(void **state)
{
    const char *want[] = {"SELECT a - b / c FROM t WHERE x = -1", NULL};

    (void)state;
    check("SELECT a - b / c FROM t WHERE x = -1;", want, NULL);
}

static void test_unterminated(void **state)
{
    const char *texts[] = {"SELECT 1;\nSELECT 'abc", "SELECT \"x", "SELECT 1 /* open", "AS $$ body", "x '';\n'"};
    const unsigned lines[] = {2, 1, 1, 1, 2};
    cql_script s;
    cql_slice stmt;
    char where[32];

    (void)state;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        int rc;

        cql_script_init(&s, texts[i], strlen(texts[i]));
        while ((rc = cql_script_next(&s, &stmt, NULL)) == 1)
            ;
        assert_int_equal(rc, CQL_ERR);
        assert_int_equal(s.err.code, CQL_ERR_MALFORMED);
        assert_non_null(strstr(s.err.msg, "unterminated"));
        snprintf(where, sizeof(where), "line %u", lines[i]);
        assert_non_null(strstr(s.err.msg, where));
        assert_int_equal(cql_script_next(&s, &stmt, NULL), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_minus_and_slash_are_not_comments),
        cmocka_unit_test(test_unterminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
