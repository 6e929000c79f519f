/* test_cql_client.c: the loop's CQL client against the dev stack's
 * Cassandra (FEED_CASSANDRA_PORT, default 19042): the handshake with
 * USE, 200 concurrent EXECUTEs sharing one PREPARE, paging through a
 * table with the paging state, server errors, and the transparent
 * re-prepare when a schema change makes the server forget a statement
 * (UNPREPARED, 0x2500), and reconnection after a TCP proxy in front of
 * the server cuts the connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/loop/loop.h"
#include "api/src/store/cql_client.h"
#include "api/tests/support/test_env.h"
#include "api/tests/support/test_wait.h"
#include "cql/cql_value.h"

typedef struct tally {
    int calls, ok, server, timeouts, disconnected, closed, target, done;
    int32_t server_code;
    int32_t rows; /* rows of the last OK rows result */
    int64_t total_rows;
    int more; /* the last result has more pages */
    uint8_t paging[256];
    size_t paging_len;
    int32_t first_int; /* first column of the first row, when an int */
} tally;

static void on_result(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    tally *t = privdata;

    (void)c;
    t->calls++;
    switch (status) {
    case CQL_CLIENT_ENONE:
        t->ok++;
        assert_non_null(resp);
        if (resp->result.kind == CQL_RESULT_ROWS) {
            const cql_rows *rows = &resp->result.rows;
            t->rows = rows->row_count;
            t->total_rows += rows->row_count;
            t->more = cql_metadata_has_more_pages(&rows->meta);
            t->paging_len = 0;
            if (t->more && rows->meta.paging_state.len <= sizeof(t->paging)) {
                memcpy(t->paging, rows->meta.paging_state.base, rows->meta.paging_state.len);
                t->paging_len = rows->meta.paging_state.len;
            }
            if (rows->row_count > 0 && rows->meta.column_count == 1 && rows->meta.columns != NULL &&
                rows->meta.columns[0].type.id == CQL_TYPE_INT) {
                cql_row_iter it;
                cql_value v;
                cql_row_iter_init(&it, rows);
                if (cql_row_iter_next(&it, &v, 1) == 1) {
                    cql_error e;
                    (void)cql_value_as_int32(&v, &t->first_int, &e);
                }
            }
        }
        break;
    case CQL_CLIENT_ESERVER:
        t->server++;
        assert_non_null(resp);
        t->server_code = resp->error.code;
        break;
    case CQL_CLIENT_ETIMEOUT: t->timeouts++; break;
    case CQL_CLIENT_EDISCONNECTED: t->disconnected++; break;
    case CQL_CLIENT_ECLOSED: t->closed++; break;
    default: fail_msg("status %d", status);
    }
    if (t->calls >= t->target)
        t->done = 1;
}

static cql_client *client(loop *l, const char *keyspace)
{
    cql_client_config cfg = {.host = "127.0.0.1",
                             .port = te_cassandra_port(),
                             .keyspace = keyspace,
                             .request_timeout_ms = 20000,
                             .connect_timeout_ms = 5000};
    cql_client *c = cql_client_new(l, &cfg);

    assert_non_null(c);
    return c;
}

/* One QUERY, waited for. */
static void run_query(loop *l, cql_client *c, tally *t, const char *cql)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};

    *t = (tally){.target = 1};
    assert_int_equal(cql_client_query(c, cql, &p, on_result, t), 0);
    assert_true(tw_run_until(l, &t->done, 30000));
}

static void test_query_and_error(void **state)
{
    loop l;
    tally t;
    cql_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, "feed");
    run_query(&l, c, &t, "SELECT release_version FROM system.local");
    assert_int_equal(t.ok, 1);
    assert_int_equal(t.rows, 1);
    assert_int_equal(c->state, CQL_CLIENT_READY);
    assert_int_equal(c->connects, 1);
    run_query(&l, c, &t, "SELEKT nothing");
    assert_int_equal(t.server, 1);
    assert_int_equal(t.server_code, CQL_SERVER_SYNTAX_ERROR);
    assert_int_equal(c->pending, 0);
    assert_int_equal(cql_streams_in_use(&c->streams), 0);
    cql_client_free(c);
    loop_dispose(&l);
}

static void test_200_executes_one_prepare(void **state)
{
    enum { N = 200 };
    loop l;
    tally t = {.target = N};
    cql_client *c;
    cql_values v;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, NULL);
    cql_values_init(&v);
    cql_values_add_text(&v, cql_slice_from_cstr("local"));
    assert_int_equal(cql_values_finish(&v), CQL_OK);
    p.values = &v;
    for (int i = 0; i < N; i++)
        assert_int_equal(cql_client_execute(c, "SELECT key FROM system.local WHERE key = ?", &p, on_result, &t), 0);
    cql_values_dispose(&v); /* copied at submission */
    assert_true(tw_run_until(&l, &t.done, 30000));
    assert_int_equal(t.ok, N);
    assert_int_equal(t.total_rows, N);
    assert_int_equal(c->prepares, 1); /* one PREPARE served all 200 */
    assert_int_equal(cql_streams_in_use(&c->streams), 0);
    cql_client_free(c);
    loop_dispose(&l);
}

static void test_paging(void **state)
{
    loop l;
    tally t = {0};
    cql_client *c;
    int pages = 0;
    int64_t total = 0;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, NULL);
    do {
        cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .page_size = 7};
        uint8_t state_copy[256];
        size_t len = t.paging_len;
        if (pages > 0) {
            memcpy(state_copy, t.paging, len);
            p.paging_state = cql_slice_make(state_copy, len);
        }
        t = (tally){.target = 1};
        assert_int_equal(
            cql_client_execute(c, "SELECT keyspace_name, table_name FROM system_schema.tables", &p, on_result, &t), 0);
        assert_true(tw_run_until(&l, &t.done, 30000));
        assert_int_equal(t.ok, 1);
        assert_true(t.rows <= 7);
        total += t.rows;
        pages++;
    } while (t.more && pages < 100);
    assert_false(t.more);
    assert_true(pages >= 3);
    assert_true(total > 14);
    assert_int_equal(c->prepares, 1);
    cql_client_free(c);
    loop_dispose(&l);
}

static void test_reprepare_after_schema_change(void **state)
{
    loop l;
    tally t;
    cql_client *c;
    cql_values v;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    const char *select = "SELECT v FROM store_it_prep WHERE k = ?";

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, "feed");
    cql_values_init(&v);
    cql_values_add_int32(&v, 1);
    assert_int_equal(cql_values_finish(&v), CQL_OK);
    p.values = &v;

    run_query(&l, c, &t, "DROP TABLE IF EXISTS store_it_prep");
    run_query(&l, c, &t, "CREATE TABLE store_it_prep (k int PRIMARY KEY, v int)");
    assert_int_equal(t.ok, 1);
    run_query(&l, c, &t, "INSERT INTO store_it_prep (k, v) VALUES (1, 10)");
    t = (tally){.target = 1};
    assert_int_equal(cql_client_execute(c, select, &p, on_result, &t), 0);
    assert_true(tw_run_until(&l, &t.done, 30000));
    assert_int_equal(t.ok, 1);
    assert_int_equal(t.first_int, 10);
    assert_int_equal(c->prepares, 1);

    /* dropping the table evicts the statement; the same text with the old
     * id then gets UNPREPARED, which the client must absorb */
    run_query(&l, c, &t, "DROP TABLE store_it_prep");
    run_query(&l, c, &t, "CREATE TABLE store_it_prep (k int PRIMARY KEY, v int)");
    run_query(&l, c, &t, "INSERT INTO store_it_prep (k, v) VALUES (1, 20)");
    t = (tally){.target = 1};
    assert_int_equal(cql_client_execute(c, select, &p, on_result, &t), 0);
    assert_true(tw_run_until(&l, &t.done, 30000));
    assert_int_equal(t.ok, 1);
    assert_int_equal(t.first_int, 20);
    assert_int_equal(c->prepares, 2);

    run_query(&l, c, &t, "DROP TABLE store_it_prep");
    cql_values_dispose(&v);
    cql_client_free(c);
    loop_dispose(&l);
}

static void test_free_with_pending(void **state)
{
    loop l;
    tally t = {.target = 3};
    cql_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cql_client_query(c, "SELECT now() FROM system.local", NULL, on_result, &t), 0);
    cql_client_free(c); /* still connecting: all three fail now */
    assert_int_equal(t.closed, 3);
    loop_dispose(&l);
}

/* A TCP proxy on the test's loop in front of the real Cassandra, whose
 * connections the test can cut: a server-side disconnect without
 * stopping the shared server. Blocking sockets are fine here: each read
 * follows readiness, and the frames are small. */
typedef struct proxy {
    loop *l;
    int listen_fd;
    uint16_t port;
    int target_port;
    int peer[4096]; /* fd -> the other end, -1 */
    int accepted;
} proxy;

static void proxy_close_pair(proxy *p, int fd)
{
    int other = p->peer[fd];

    loop_del_file(p->l, fd, LOOP_READABLE);
    close(fd);
    p->peer[fd] = -1;
    if (other >= 0) {
        loop_del_file(p->l, other, LOOP_READABLE);
        close(other);
        p->peer[other] = -1;
    }
}

static void proxy_on_data(loop *l, int fd, void *data, int mask)
{
    proxy *p = data;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));

    (void)l;
    (void)mask;
    if (n <= 0 || write(p->peer[fd], buf, (size_t)n) != n)
        proxy_close_pair(p, fd);
}

static void proxy_on_accept(loop *l, int fd, void *data, int mask)
{
    proxy *p = data;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int a = accept(fd, NULL, NULL), b;

    (void)mask;
    if (a < 0)
        return;
    addr.sin_port = htons((uint16_t)p->target_port);
    b = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(a < 4096 && b >= 0 && b < 4096);
    assert_int_equal(connect(b, (struct sockaddr *)&addr, sizeof(addr)), 0);
    p->peer[a] = b;
    p->peer[b] = a;
    assert_int_equal(loop_add_file(l, a, LOOP_READABLE, proxy_on_data, p), LOOP_OK);
    assert_int_equal(loop_add_file(l, b, LOOP_READABLE, proxy_on_data, p), LOOP_OK);
    p->accepted++;
}

static void proxy_start(proxy *p, loop *l, int target_port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);

    memset(p, 0, sizeof(*p));
    for (int i = 0; i < 4096; i++)
        p->peer[i] = -1;
    p->l = l;
    p->target_port = target_port;
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->listen_fd >= 0);
    assert_int_equal(bind(p->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(p->listen_fd, 8), 0);
    assert_int_equal(getsockname(p->listen_fd, (struct sockaddr *)&addr, &len), 0);
    p->port = ntohs(addr.sin_port);
    assert_int_equal(loop_add_file(l, p->listen_fd, LOOP_READABLE, proxy_on_accept, p), LOOP_OK);
}

/* Cut every proxied connection (both ends). */
static void proxy_cut(proxy *p)
{
    for (int fd = 0; fd < 4096; fd++)
        if (p->peer[fd] >= 0)
            proxy_close_pair(p, fd);
}

static void proxy_stop(proxy *p)
{
    proxy_cut(p);
    loop_del_file(p->l, p->listen_fd, LOOP_READABLE);
    close(p->listen_fd);
}

static void test_reconnect_through_cut_proxy(void **state)
{
    loop l;
    proxy p;
    tally t, cut = {.target = 1};
    cql_client *c;
    cql_client_config cfg = {.host = "127.0.0.1",
                             .keyspace = "feed",
                             .request_timeout_ms = 20000,
                             .reconnect_base_ms = 20,
                             .reconnect_max_ms = 100};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    proxy_start(&p, &l, te_cassandra_port());
    cfg.port = p.port;
    c = cql_client_new(&l, &cfg);
    assert_non_null(c);
    run_query(&l, c, &t, "SELECT release_version FROM system.local");
    assert_int_equal(t.ok, 1);
    assert_int_equal(c->connects, 1);

    /* a request submitted as the server side goes away fails clearly */
    assert_int_equal(cql_client_query(c, "SELECT release_version FROM system.local", NULL, on_result, &cut), 0);
    proxy_cut(&p);
    assert_true(tw_run_until(&l, &cut.done, 5000));
    assert_int_equal(cut.disconnected, 1);
    assert_non_null(strstr(c->errstr, "closed"));

    /* then the client comes back by itself: STARTUP and USE again */
    for (uint64_t end = loop_clock_ms() + 10000; c->connects < 2 && loop_clock_ms() < end;)
        tw_run_for(&l, 10);
    assert_int_equal(c->connects, 2);
    assert_int_equal(p.accepted, 2);
    run_query(&l, c, &t, "SELECT release_version FROM system.local");
    assert_int_equal(t.ok, 1);
    cql_client_free(c);
    proxy_stop(&p);
    loop_dispose(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_and_error),
        cmocka_unit_test(test_200_executes_one_prepare),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_reprepare_after_schema_change),
        cmocka_unit_test(test_free_with_pending),
        cmocka_unit_test(test_reconnect_through_cut_proxy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
