/* feed_cql_run.c: connect, then run a script statement by statement.
 *
 * The statements are run one at a time on one blocking connection, in
 * file order, so that a CREATE TABLE is applied before the INSERT below
 * it; the first failure stops the run (a schema file half applied is
 * reported at the statement that failed, and re-running it is safe when
 * its statements are idempotent, as ours are).
 */
#include "tools/feed-cql/feed_cql.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cql/cql_conn_blocking.h"

/* Read all of f into a NUL-terminated heap buffer (caller frees). */
static char *feed_cql_slurp(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0, got;
    char *text = malloc(cap), *bigger;

    while (text != NULL) {
        if (n + 1 == cap) {
            bigger = realloc(text, cap * 2);
            if (bigger == NULL)
                goto err;
            text = bigger;
            cap *= 2;
        }
        got = fread(text + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    if (text == NULL || ferror(f))
        goto err;
    text[n] = '\0';
    *len = n;
    return text;
err:
    free(text);
    return NULL;
}

/* The statements to run: the file's contents or a copy of -e's text.
 * *name is what error messages call the input. */
static char *feed_cql_load(const feed_cql_opts *o, size_t *len, const char **name, FILE *err)
{
    FILE *f;
    char *text;

    if (o->statement != NULL) {
        *name = "-e";
        *len = strlen(o->statement);
        text = strdup(o->statement);
        if (text == NULL)
            fprintf(err, "feed-cql: out of memory\n");
        return text;
    }
    *name = strcmp(o->file, "-") == 0 ? "<stdin>" : o->file;
    f = strcmp(o->file, "-") == 0 ? stdin : fopen(o->file, "rb");
    if (f == NULL) {
        fprintf(err, "feed-cql: cannot open %s: %s\n", o->file, strerror(errno));
        return NULL;
    }
    text = feed_cql_slurp(f, len);
    if (text == NULL)
        fprintf(err, "feed-cql: cannot read %s\n", *name);
    if (f != stdin)
        fclose(f);
    return text;
}

static int64_t feed_cql_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connect and STARTUP, retrying until o->wait_seconds have passed: a
 * Cassandra that is starting refuses connections until its native
 * transport is up. Authentication and argument errors are not retried. */
static int feed_cql_connect(cql_conn *c, const feed_cql_opts *o, FILE *err)
{
    int64_t deadline = feed_cql_now_ms() + (int64_t)o->wait_seconds * 1000;
    int attempts = 0;

    for (;;) {
        attempts++;
        if (cql_conn_connect(c, o->host, o->port, o->connect_timeout_ms, o->io_timeout_ms) == CQL_OK &&
            cql_conn_startup(c) == CQL_OK)
            return CQL_OK;
        cql_conn_close(c);
        if (c->err.code == CQL_ERR_UNSUPPORTED || c->err.code == CQL_ERR_ARG || feed_cql_now_ms() >= deadline)
            break;
        if (o->verbose || attempts == 1)
            fprintf(err, "feed-cql: waiting for Cassandra at %s:%u (%s)\n", o->host, (unsigned)o->port, c->err.msg);
        usleep(500 * 1000);
    }
    fprintf(err, "feed-cql: cannot connect to Cassandra at %s:%u: %s%s\n", o->host, (unsigned)o->port, c->err.msg,
            attempts > 1 ? " (gave up waiting)" : "");
    return CQL_ERR;
}

/* The name an error is reported under: the server's code, or ours. */
static const char *feed_cql_error_name(const cql_error *e)
{
    return e->code == CQL_ERR_SERVER ? cql_server_error_name(e->server_code) : cql_errcode_name(e->code);
}

/* Run one statement, printing every page of its rows. */
static int feed_cql_statement(cql_conn *c, const feed_cql_opts *o, cql_slice stmt, cql_buf *scratch, FILE *out,
                              cql_error *err)
{
    cql_query_params params = {.consistency = o->consistency, .page_size = o->page_size};
    cql_response resp;

    for (int page = 0;; page++) {
        if (cql_conn_query(c, stmt, &params, &resp) != CQL_OK) {
            *err = c->err;
            return CQL_ERR;
        }
        if (resp.result.kind != CQL_RESULT_ROWS)
            return CQL_OK;
        if (page == 0)
            feed_cql_print_header(out, &resp.result.rows.meta);
        if (feed_cql_print_rows(out, &resp.result.rows, scratch, err) != CQL_OK)
            return CQL_ERR;
        if (!cql_metadata_has_more_pages(&resp.result.rows.meta))
            return CQL_OK;
        params.paging_state = resp.result.rows.meta.paging_state; /* copied by the next query */
    }
}

/* USE the keyspace named on the command line; only plain identifiers, so
 * that the name cannot smuggle in another statement. */
static int feed_cql_use(cql_conn *c, const feed_cql_opts *o, cql_buf *scratch, FILE *out, FILE *err)
{
    char query[300];
    cql_error e;

    if (o->keyspace == NULL)
        return CQL_OK;
    if (o->keyspace[0] == '\0' || strlen(o->keyspace) > 200 ||
        strspn(o->keyspace, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(o->keyspace)) {
        fprintf(err, "feed-cql: --keyspace '%s' is not a plain identifier\n", o->keyspace);
        return CQL_ERR;
    }
    snprintf(query, sizeof(query), "USE %s", o->keyspace);
    if (feed_cql_statement(c, o, cql_slice_from_cstr(query), scratch, out, &e) != CQL_OK) {
        fprintf(err, "feed-cql: --keyspace %s: %s: %s\n", o->keyspace, feed_cql_error_name(&e), e.msg);
        return CQL_ERR;
    }
    return CQL_OK;
}

/* Every statement of text, in order; stops at the first failure. */
static int feed_cql_script(cql_conn *c, const feed_cql_opts *o, const char *name, const char *text, size_t len,
                           cql_buf *scratch, FILE *out, FILE *err)
{
    cql_script script;
    cql_slice stmt;
    cql_error e;
    unsigned line, n = 0;
    int rc, status = FEED_CQL_EXIT_OK;

    cql_script_init(&script, text, len);
    while (status == FEED_CQL_EXIT_OK && (rc = cql_script_next(&script, &stmt, &line)) == 1) {
        n++;
        if (feed_cql_statement(c, o, stmt, scratch, out, &e) != CQL_OK) {
            fflush(out);
            fprintf(err, "feed-cql: %s:%u: %s: %s\n", name, n, feed_cql_error_name(&e), e.msg);
            status = FEED_CQL_EXIT_STATEMENT;
        } else if (o->verbose) {
            fprintf(err, "feed-cql: %s:%u: ok (line %u)\n", name, n, line);
        }
    }
    if (status == FEED_CQL_EXIT_OK && rc == CQL_ERR) {
        fprintf(err, "feed-cql: %s:%u: %s: %s\n", name, n + 1, cql_errcode_name(script.err.code), script.err.msg);
        status = FEED_CQL_EXIT_USAGE;
    }
    return status;
}

int feed_cql_run(const feed_cql_opts *o, FILE *out, FILE *err)
{
    const char *name;
    size_t len;
    char *text = feed_cql_load(o, &len, &name, err);
    cql_buf scratch;
    cql_conn c;
    int status;

    if (text == NULL)
        return FEED_CQL_EXIT_USAGE;
    cql_conn_init(&c, 0);
    cql_buf_init(&scratch, 0);
    if (feed_cql_connect(&c, o, err) != CQL_OK) {
        status = FEED_CQL_EXIT_CONNECT;
    } else if (feed_cql_use(&c, o, &scratch, out, err) != CQL_OK) {
        status = FEED_CQL_EXIT_STATEMENT;
    } else {
        status = feed_cql_script(&c, o, name, text, len, &scratch, out, err);
    }
    fflush(out);
    cql_buf_dispose(&scratch);
    cql_conn_close(&c);
    free(text);
    return status;
}
