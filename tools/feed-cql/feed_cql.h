/* feed_cql.h: the feed-cql command-line tool, in parts that tests can call.
 *
 * feed-cql runs CQL statements (a file or one -e statement) against
 * Cassandra over the blocking client of libcql: TSV output for SELECTs,
 * paging followed, and the first failing statement reported as
 *   feed-cql: <file>:<statement number>: <error code name>: <message>
 * with a non-zero exit. main() only wires these parts together.
 */
#ifndef FEED_CQL_H
#define FEED_CQL_H

#include <stdint.h>
#include <stdio.h>

#include "cql/cql.h"

#define FEED_CQL_DEFAULT_HOST "127.0.0.1"
#define FEED_CQL_DEFAULT_PORT 19042

/* Exit codes. */
enum {
    FEED_CQL_EXIT_OK = 0,
    FEED_CQL_EXIT_STATEMENT = 1, /* a statement failed (server error, timeout, ...) */
    FEED_CQL_EXIT_USAGE = 2,     /* bad command line or unreadable input */
    FEED_CQL_EXIT_CONNECT = 3    /* could not connect or start the session */
};

typedef struct feed_cql_opts {
    const char *host; /* points into argv, the environment or host_buf */
    uint16_t port;
    const char *keyspace;  /* NULL: none */
    uint16_t consistency;  /* cql_consistency */
    const char *file;      /* -f FILE ("-" is stdin); NULL with -e */
    const char *statement; /* -e STATEMENT; NULL with -f */
    int wait_seconds;      /* --wait: retry connecting this long */
    int connect_timeout_ms;
    int io_timeout_ms;
    int32_t page_size;
    int verbose;
    char host_buf[256]; /* a host taken from a contact point list */
} feed_cql_opts;

/* Fill o from argv and the two environment values (either may be NULL):
 * contact_points is FEED_CASSANDRA_CONTACT_POINTS ("host[:port][,...]",
 * the first entry is used), port is FEED_CASSANDRA_PORT. Command-line
 * options win over the environment, a contact point's own port over
 * FEED_CASSANDRA_PORT. Returns FEED_CQL_EXIT_OK to go on, -1 after
 * printing --help to out (exit 0), or FEED_CQL_EXIT_USAGE after printing
 * the problem to err. Uses getopt_long: resets optind itself. */
int feed_cql_opts_parse(feed_cql_opts *o, int argc, char **argv, const char *contact_points, const char *port,
                        FILE *out, FILE *err);

/* Print the --help text. */
void feed_cql_usage(FILE *out);

/* Print the column names of meta, tab-separated, as one line. */
void feed_cql_print_header(FILE *out, const cql_metadata *meta);

/* Print every row of rows as a line of tab-separated values (see
 * cql_format.h; tab, newline, carriage return and backslash inside a
 * value are written as \t \n \r \\). scratch is a buffer the caller owns
 * and reuses. CQL_OK, or CQL_ERR with *err for a malformed value. */
int feed_cql_print_rows(FILE *out, const cql_rows *rows, cql_buf *scratch, cql_error *err);

/* Run everything o asks for: read the input, connect (retrying for
 * o->wait_seconds), start the session, USE the keyspace, run each
 * statement in order and stop at the first failure. Rows go to out,
 * diagnostics to err. Returns a FEED_CQL_EXIT_* code. */
int feed_cql_run(const feed_cql_opts *o, FILE *out, FILE *err);

#endif
