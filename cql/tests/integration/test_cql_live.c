/* test_cql_live.c: the CQL client against a real Cassandra.
 *
 * Needs Cassandra on FEED_CASSANDRA_CONTACT_POINTS / FEED_CASSANDRA_PORT
 * (default 127.0.0.1:19042); run by `make c-integration`. Works in its
 * own keyspace, cql_live_<pid>, dropped at the end, so runs do not see
 * each other's data. Covers: every supported column type written with
 * bound values (QUERY and PREPARE/EXECUTE) and read back with the typed
 * getters, BATCH, paging 250 rows at 100 per page, and server errors
 * (syntax, invalid, already exists, unprepared) with their messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"

typedef struct live {
    cql_conn conn;
    char keyspace[64];
} live;

static const uint8_t uuid_v4[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x42, 0xd3,
                                    0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
static const uint8_t uuid_v1[16] = {0xe0, 0xf5, 0xe8, 0xb0, 0xd6, 0xc9, 0x11, 0xee,
                                    0x8c, 0x9a, 0x02, 0x42, 0xac, 0x12, 0x00, 0x02};

/* Run a statement without values; fail the test on any error. */
static void exec(live *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void exec(live *l, const char *fmt, ...)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    char query[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(query, sizeof(query), fmt, ap);
    va_end(ap);
    if (cql_conn_query(&l->conn, cql_slice_from_cstr(query), &p, &resp) != CQL_OK)
        fail_msg("%s: %s: %s", query, cql_errcode_name(l->conn.err.code), l->conn.err.msg);
}

static int setup(void **state)
{
    const char *cp = getenv("FEED_CASSANDRA_CONTACT_POINTS"), *port = getenv("FEED_CASSANDRA_PORT");
    char host[256] = "127.0.0.1";
    live *l = calloc(1, sizeof(*l));

    if (l == NULL)
        return -1;
    if (cp != NULL && *cp != '\0') /* first contact point, without a port */
        snprintf(host, sizeof(host), "%.*s", (int)strcspn(cp, ",:"), cp);
    cql_conn_init(&l->conn, 0);
    if (cql_conn_connect(&l->conn, host, (uint16_t)(port != NULL && *port != '\0' ? atoi(port) : 19042), 5000, 60000) !=
            CQL_OK ||
        cql_conn_startup(&l->conn) != CQL_OK) {
        fprintf(stderr, "test_cql_live: Cassandra at %s:%s: %s\n", host, port != NULL ? port : "19042",
                l->conn.err.msg);
        cql_conn_close(&l->conn);
        free(l);
        return -1;
    }
    snprintf(l->keyspace, sizeof(l->keyspace), "cql_live_%ld", (long)getpid());
    *state = l;
    exec(l, "DROP KEYSPACE IF EXISTS %s", l->keyspace);
    exec(l, "CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", l->keyspace);
    exec(l, "USE %s", l->keyspace);
    exec(l, "CREATE TABLE all_types (id bigint PRIMARY KEY, i int, t text, v varchar, a ascii, ts timestamp, "
            "u uuid, tu timeuuid, b blob, ok boolean, d double, l list<bigint>, s set<text>, m map<text, int>)");
    exec(l, "CREATE TABLE paged (pk int, ck int, note text, PRIMARY KEY (pk, ck))");
    return 0;
}

static int teardown(void **state)
{
    live *l = *state;

    if (l == NULL) /* cmocka 1.1 tears down even when setup failed */
        return 0;
    exec(l, "DROP KEYSPACE IF EXISTS %s", l->keyspace);
    cql_conn_close(&l->conn);
    free(l);
    return 0;
}

/* Bound values of row id, with every column set. */
static void values_full_row(cql_values *v, int64_t id)
{
    static const uint8_t blob[3] = {0x00, 0xff, 0x10};

    cql_values_add_int64(v, id);
    cql_values_add_int32(v, -7);
    cql_values_add_text(v, cql_slice_from_cstr("h\xc3\xa9llo\ttab"));
    cql_values_add_text(v, cql_slice_from_cstr("varchar"));
    cql_values_add_text(v, cql_slice_from_cstr("ascii"));
    cql_values_add_int64(v, INT64_C(1706704496789));
    cql_values_add_uuid(v, uuid_v4);
    cql_values_add_uuid(v, uuid_v1);
    cql_values_add_raw(v, cql_slice_make(blob, sizeof(blob)));
    cql_values_add_bool(v, 1);
    cql_values_add_double(v, 0.1);
    cql_values_open(v, CQL_COLL_LIST);
    cql_values_add_int64(v, 3);
    cql_values_add_int64(v, -1);
    cql_values_close(v);
    cql_values_open(v, CQL_COLL_SET);
    cql_values_add_text(v, cql_slice_from_cstr("b"));
    cql_values_add_text(v, cql_slice_from_cstr("a"));
    cql_values_close(v);
    cql_values_open(v, CQL_COLL_MAP);
    cql_values_add_text(v, cql_slice_from_cstr("k"));
    cql_values_add_int32(v, 42);
    cql_values_close(v);
    assert_int_equal(cql_values_finish(v), CQL_OK);
}

static void assert_slice(cql_slice s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.base, want, s.len);
}

/* The scalar columns of the full row. */
static void check_scalars(const cql_value *v)
{
    int64_t i64;
    int32_t i32;
    cql_slice s;
    uint8_t u[16];
    double d;
    int b;

    assert_int_equal(cql_value_as_int32(&v[1], &i32, NULL), CQL_OK);
    assert_int_equal(i32, -7);
    assert_int_equal(cql_value_as_text(&v[2], &s, NULL), CQL_OK);
    assert_slice(s, "h\xc3\xa9llo\ttab");
    assert_int_equal(cql_value_as_text(&v[3], &s, NULL), CQL_OK);
    assert_slice(s, "varchar");
    assert_int_equal(cql_value_as_text(&v[4], &s, NULL), CQL_OK);
    assert_slice(s, "ascii");
    assert_int_equal(cql_value_as_timestamp(&v[5], &i64, NULL), CQL_OK);
    assert_int_equal(i64, INT64_C(1706704496789));
    assert_int_equal(cql_value_as_uuid(&v[6], u, NULL), CQL_OK);
    assert_memory_equal(u, uuid_v4, 16);
    assert_int_equal(cql_value_as_uuid(&v[7], u, NULL), CQL_OK);
    assert_memory_equal(u, uuid_v1, 16);
    assert_int_equal(cql_value_as_blob(&v[8], &s, NULL), CQL_OK);
    assert_int_equal(s.len, 3); /* starts with a NUL: not a C string */
    assert_memory_equal(s.base, "\x00\xff\x10", 3);
    assert_int_equal(cql_value_as_bool(&v[9], &b, NULL), CQL_OK);
    assert_true(b);
    assert_int_equal(cql_value_as_double(&v[10], &d, NULL), CQL_OK);
    assert_true(d == 0.1);
}

/* The collection columns of the full row, read element by element. */
static void check_collections(const cql_value *v)
{
    cql_collection_iter it;
    cql_value e, x;
    cql_slice s;
    int64_t i64;
    int32_t i32;

    assert_int_equal(cql_collection_begin(&it, &v[11], NULL), CQL_OK); /* list keeps order */
    assert_int_equal(cql_collection_next(&it, &e, NULL, NULL), 1);
    assert_int_equal(cql_value_as_int64(&e, &i64, NULL), CQL_OK);
    assert_int_equal(i64, 3);
    assert_int_equal(cql_collection_next(&it, &e, NULL, NULL), 1);
    assert_int_equal(cql_value_as_int64(&e, &i64, NULL), CQL_OK);
    assert_int_equal(i64, -1);
    assert_int_equal(cql_collection_next(&it, &e, NULL, NULL), 0);
    assert_int_equal(cql_collection_begin(&it, &v[12], NULL), CQL_OK); /* sets come back sorted */
    assert_int_equal(cql_collection_next(&it, &e, NULL, NULL), 1);
    assert_int_equal(cql_value_as_text(&e, &s, NULL), CQL_OK);
    assert_slice(s, "a");
    assert_int_equal(cql_collection_next(&it, &e, NULL, NULL), 1);
    assert_int_equal(cql_collection_next(&it, &e, NULL, NULL), 0);
    assert_int_equal(cql_collection_begin(&it, &v[13], NULL), CQL_OK);
    assert_int_equal(cql_collection_next(&it, &e, &x, NULL), 1);
    assert_int_equal(cql_value_as_text(&e, &s, NULL), CQL_OK);
    assert_slice(s, "k");
    assert_int_equal(cql_value_as_int32(&x, &i32, NULL), CQL_OK);
    assert_int_equal(i32, 42);
}

/* SELECT * of one id into the response; returns its one row. */
static void select_row(live *l, int64_t id, cql_response *resp, cql_value *v, size_t n)
{
    cql_values bound;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .values = &bound};
    cql_row_iter it;

    cql_values_init(&bound);
    cql_values_add_int64(&bound, id);
    if (cql_conn_query(&l->conn,
                       cql_slice_from_cstr("SELECT id, i, t, v, a, ts, u, tu, b, ok, d, l, s, m "
                                           "FROM all_types WHERE id = ?"),
                       &p, resp) != CQL_OK)
        fail_msg("select: %s", l->conn.err.msg);
    cql_values_dispose(&bound);
    assert_int_equal(resp->result.kind, CQL_RESULT_ROWS);
    assert_int_equal(resp->result.rows.row_count, 1);
    assert_int_equal(resp->result.rows.meta.column_count, (int)n);
    cql_row_iter_init(&it, &resp->result.rows);
    assert_int_equal(cql_row_iter_next(&it, v, n), 1);
}

static void test_all_types_round_trip(void **state)
{
    live *l = *state;
    cql_values bound;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .values = &bound};
    cql_response resp;
    cql_value v[14];
    int64_t id;
    int32_t i32;
    cql_error err;

    cql_values_init(&bound);
    values_full_row(&bound, 1);
    if (cql_conn_query(&l->conn,
                       cql_slice_from_cstr("INSERT INTO all_types (id, i, t, v, a, ts, u, tu, b, ok, "
                                           "d, l, s, m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                       &p, &resp) != CQL_OK)
        fail_msg("insert: %s", l->conn.err.msg);
    cql_values_dispose(&bound);
    select_row(l, 1, &resp, v, 14);
    assert_int_equal(resp.result.rows.meta.columns[12].type.id, CQL_TYPE_SET);
    assert_int_equal(resp.result.rows.meta.columns[13].type.sub[1].id, CQL_TYPE_INT);
    assert_int_equal(cql_value_as_int64(&v[0], &id, NULL), CQL_OK);
    assert_int_equal(id, 1);
    assert_int_equal(cql_value_as_int32(&v[0], &i32, &err), CQL_ERR); /* bigint read as int */
    assert_int_equal(err.code, CQL_ERR_TYPE);
    check_scalars(v);
    check_collections(v);
}

static void test_prepared_insert_and_nulls(void **state)
{
    live *l = *state;
    cql_values bound;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .values = &bound};
    cql_response resp;
    cql_value v[14];
    char id[64];
    cql_error err;
    cql_slice text;
    int32_t i32;

    if (cql_conn_prepare(&l->conn, cql_slice_from_cstr("INSERT INTO all_types (id, i, t) VALUES (?, ?, ?)"), &resp) !=
        CQL_OK)
        fail_msg("prepare: %s", l->conn.err.msg);
    assert_int_equal(resp.result.kind, CQL_RESULT_PREPARED);
    assert_int_equal(resp.result.prepared.params.column_count, 3);
    assert_int_equal(resp.result.prepared.params.pk_count, 1);
    assert_int_equal(resp.result.prepared.params.columns[1].type.id, CQL_TYPE_INT);
    assert_true(resp.result.prepared.id.len > 0 && resp.result.prepared.id.len < sizeof(id));
    memcpy(id, resp.result.prepared.id.base, resp.result.prepared.id.len);
    cql_values_init(&bound);
    cql_values_add_int64(&bound, 2);
    cql_values_add_int32(&bound, 5);
    cql_values_add_null(&bound);
    if (cql_conn_execute(&l->conn, cql_slice_make(id, resp.result.prepared.id.len), &p, &resp) != CQL_OK)
        fail_msg("execute: %s", l->conn.err.msg);
    cql_values_dispose(&bound);
    select_row(l, 2, &resp, v, 14);
    assert_int_equal(cql_value_as_int32(&v[1], &i32, NULL), CQL_OK);
    assert_int_equal(i32, 5);
    assert_true(cql_value_is_null(&v[2]));
    assert_int_equal(cql_value_as_text(&v[2], &text, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_NULL);
    for (int i = 3; i < 14; i++)
        assert_true(cql_value_is_null(&v[i]));
}

/* Insert ck 0..249 into partition 1 with unlogged batches of 50. */
static void insert_paged_rows(live *l)
{
    cql_values values[50];
    cql_batch_stmt stmts[50];
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    char note[32];

    for (int batch = 0; batch < 5; batch++) {
        for (int i = 0; i < 50; i++) {
            int ck = batch * 50 + i;

            cql_values_init(&values[i]);
            cql_values_add_int32(&values[i], ck);
            snprintf(note, sizeof(note), "row %d", ck);
            cql_values_add_text(&values[i], cql_slice_from_cstr(note));
            stmts[i] = (cql_batch_stmt){.query = cql_slice_from_cstr("INSERT INTO paged (pk, ck, note) "
                                                                     "VALUES (1, ?, ?)"),
                                        .values = &values[i]};
        }
        assert_int_equal(
            cql_request_batch(&l->conn.out, cql_conn_next_stream(&l->conn), CQL_BATCH_UNLOGGED, stmts, 50, &p), CQL_OK);
        if (cql_conn_roundtrip(&l->conn, &resp) != CQL_OK)
            fail_msg("batch: %s", l->conn.err.msg);
        assert_int_equal(resp.result.kind, CQL_RESULT_VOID);
        for (int i = 0; i < 50; i++)
            cql_values_dispose(&values[i]);
    }
}

static void test_paging_250_rows_by_100(void **state)
{
    live *l = *state;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .page_size = 100};
    cql_slice query = cql_slice_from_cstr("SELECT ck, note FROM paged WHERE pk = 1");
    int pages = 0, rows = 0, sizes[4] = {0};
    cql_response resp;

    insert_paged_rows(l);
    for (;;) {
        cql_row_iter it;
        cql_value v[2];
        int32_t ck;

        if (cql_conn_query(&l->conn, query, &p, &resp) != CQL_OK)
            fail_msg("page %d: %s", pages + 1, l->conn.err.msg);
        assert_int_equal(resp.result.kind, CQL_RESULT_ROWS);
        assert_true(pages < 4);
        sizes[pages++] = resp.result.rows.row_count;
        cql_row_iter_init(&it, &resp.result.rows);
        while (cql_row_iter_next(&it, v, 2) == 1) {
            assert_int_equal(cql_value_as_int32(&v[0], &ck, NULL), CQL_OK);
            assert_int_equal(ck, rows); /* clustering order, nothing repeated or skipped */
            rows++;
        }
        if (!cql_metadata_has_more_pages(&resp.result.rows.meta))
            break;
        p.paging_state = resp.result.rows.meta.paging_state;
    }
    assert_int_equal(rows, 250);
    assert_int_equal(pages, 3);
    assert_int_equal(sizes[0], 100);
    assert_int_equal(sizes[1], 100);
    assert_int_equal(sizes[2], 50);
}

/* A statement that must fail with server code; returns the response. */
static void expect_server_error(live *l, const char *query, int32_t code, const char *in_message, cql_response *resp)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};

    assert_int_equal(cql_conn_query(&l->conn, cql_slice_from_cstr(query), &p, resp), CQL_ERR);
    assert_int_equal(l->conn.err.code, CQL_ERR_SERVER);
    if (l->conn.err.server_code != code)
        fail_msg("%s: got %s (%s)", query, cql_server_error_name(l->conn.err.server_code), l->conn.err.msg);
    if (strstr(l->conn.err.msg, in_message) == NULL)
        fail_msg("%s: message '%s' lacks '%s'", query, l->conn.err.msg, in_message);
}

static void test_server_errors(void **state)
{
    live *l = *state;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;

    expect_server_error(l, "SELEC * FROM all_types", CQL_SERVER_SYNTAX_ERROR, "SELEC", &resp);
    assert_int_equal(resp.error.code, CQL_SERVER_SYNTAX_ERROR);
    expect_server_error(l, "SELECT * FROM no_such_table", CQL_SERVER_INVALID, "no_such_table", &resp);
    expect_server_error(l, "CREATE TABLE paged (x int PRIMARY KEY)", CQL_SERVER_ALREADY_EXISTS, "paged", &resp);
    assert_slice(resp.error.keyspace, l->keyspace);
    assert_slice(resp.error.table, "paged");
    assert_int_equal(cql_conn_execute(&l->conn, cql_slice_from_cstr("\x01\x02\x03\x04"), &p, &resp), CQL_ERR);
    assert_int_equal(l->conn.err.server_code, CQL_SERVER_UNPREPARED);
    assert_slice(resp.error.unprepared_id, "\x01\x02\x03\x04");
    exec(l, "SELECT id FROM all_types LIMIT 1"); /* the connection survives errors */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types_round_trip),
        cmocka_unit_test(test_prepared_insert_and_nulls),
        cmocka_unit_test(test_paging_250_rows_by_100),
        cmocka_unit_test(test_server_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
