/* feed_cql_opts.c: command line and environment of feed-cql.
 *
 * Precedence, highest first: --host/--port, the first entry of
 * FEED_CASSANDRA_CONTACT_POINTS (with its own port if it has one),
 * FEED_CASSANDRA_PORT, then 127.0.0.1:19042, the local stack's Cassandra.
 */
#include "tools/feed-cql/feed_cql.h"
#include "tools/common/tool_num.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void feed_cql_usage(FILE *out)
{
    fprintf(out,
            "usage: feed-cql [options] (-f FILE | -e STATEMENT)\n"
            "\n"
            "Run CQL statements against Cassandra (native protocol v4). Statements of a\n"
            "file are split on ';' outside quotes, $$ bodies and comments (--, //, /* */)\n"
            "and run in order; the first failure stops the run. SELECT results are printed\n"
            "as tab-separated text with a header line, all pages followed.\n"
            "\n"
            "options:\n"
            "  -f, --file FILE          run the statements in FILE ('-' reads stdin)\n"
            "  -e, --execute STATEMENT  run one statement (or several, ';'-separated)\n"
            "  -H, --host HOST          Cassandra host (default: first of\n"
            "                           $FEED_CASSANDRA_CONTACT_POINTS, else %s)\n"
            "  -p, --port PORT          CQL port (default: the contact point's port, else\n"
            "                           $FEED_CASSANDRA_PORT, else %d)\n"
            "  -k, --keyspace NAME      USE this keyspace before the statements\n"
            "  -c, --consistency LEVEL  ONE (default), QUORUM, ALL, LOCAL_ONE, ...\n"
            "  -w, --wait SECONDS       retry connecting until Cassandra accepts CQL or the\n"
            "                           time is up (for start-up scripts); default 0\n"
            "      --connect-timeout S  per connection attempt (default 5)\n"
            "  -t, --timeout SECONDS    per request (default 60)\n"
            "      --page-size ROWS     rows per page of a SELECT (default 1000)\n"
            "  -v, --verbose            report each statement's outcome on stderr\n"
            "  -h, --help               show this help\n"
            "\n"
            "On a failing statement it prints\n"
            "  feed-cql: <file>:<statement number>: <error code name>: <server message>\n"
            "and exits 1; exit 2 is a usage or input error, 3 a connection failure.\n"
            "\n"
            "example: feed-cql --wait 120 -f schema/cql/001_feeds.cql\n",
            FEED_CQL_DEFAULT_HOST, FEED_CQL_DEFAULT_PORT);
}

/* First entry of a contact point list into o->host_buf (and o->port if
 * it names one): "host", "host:port", "[v6]:port" or a bare v6 address. */
static int feed_cql_contact_point(feed_cql_opts *o, const char *list, FILE *err)
{
    size_t n = strcspn(list, ", ");
    const char *port = NULL, *host = list, *colon;
    size_t host_len = n;
    long v;

    if (n == 0 || n >= sizeof(o->host_buf))
        goto bad;
    colon = memchr(list, ':', n);
    if (list[0] == '[') {
        const char *close = memchr(list, ']', n);
        if (close == NULL)
            goto bad;
        host = list + 1;
        host_len = (size_t)(close - host);
        if (close + 1 < list + n && close[1] == ':')
            port = close + 2;
    } else if (colon != NULL && memchr(colon + 1, ':', (size_t)(list + n - colon - 1)) == NULL) {
        host_len = (size_t)(colon - list); /* exactly one ':' is host:port; more is IPv6 */
        port = colon + 1;
    }
    memcpy(o->host_buf, host, host_len);
    o->host_buf[host_len] = '\0';
    o->host = o->host_buf;
    if (port != NULL) {
        char text[8] = "";
        size_t len = (size_t)(list + n - port);
        if (len == 0 || len >= sizeof(text))
            goto bad;
        memcpy(text, port, len);
        if (tool_parse_long(text, 1, 65535, &v) != 0)
            goto bad;
        o->port = (uint16_t)v;
    }
    return 0;
bad:
    fprintf(err, "feed-cql: bad FEED_CASSANDRA_CONTACT_POINTS '%s' (want host[:port][,...])\n", list);
    return -1;
}

/* Defaults, then the environment. */
static int feed_cql_opts_env(feed_cql_opts *o, const char *contact_points, const char *port, FILE *err)
{
    long v;

    memset(o, 0, sizeof(*o));
    o->host = FEED_CQL_DEFAULT_HOST;
    o->port = FEED_CQL_DEFAULT_PORT;
    o->consistency = CQL_CONSISTENCY_ONE;
    o->connect_timeout_ms = 5000;
    o->io_timeout_ms = 60000;
    o->page_size = 1000;
    if (port != NULL && *port != '\0') {
        if (tool_parse_long(port, 1, 65535, &v) != 0) {
            fprintf(err, "feed-cql: bad FEED_CASSANDRA_PORT '%s'\n", port);
            return -1;
        }
        o->port = (uint16_t)v;
    }
    if (contact_points != NULL && *contact_points != '\0')
        return feed_cql_contact_point(o, contact_points, err);
    return 0;
}

/* One option with its argument; -1 after printing the problem. */
static int feed_cql_opts_one(feed_cql_opts *o, int c, const char *arg, FILE *err)
{
    long v;

    switch (c) {
    case 'f': o->file = arg; return 0;
    case 'e': o->statement = arg; return 0;
    case 'H': o->host = arg; return 0;
    case 'k': o->keyspace = arg; return 0;
    case 'v': o->verbose = 1; return 0;
    case 'c':
        if (cql_consistency_parse(arg, &o->consistency) == CQL_OK)
            return 0;
        fprintf(err, "feed-cql: unknown consistency level '%s'\n", arg);
        return -1;
    case 'p':
        if (tool_parse_long(arg, 1, 65535, &v) != 0)
            break;
        o->port = (uint16_t)v;
        return 0;
    case 'w':
    case 'C':
    case 't':
        if (tool_parse_long(arg, c == 'w' ? 0 : 1, 86400, &v) != 0)
            break;
        if (c == 'w')
            o->wait_seconds = (int)v;
        else
            *(c == 'C' ? &o->connect_timeout_ms : &o->io_timeout_ms) = (int)v * 1000;
        return 0;
    case 'P':
        if (tool_parse_long(arg, 1, 1000000, &v) != 0)
            break;
        o->page_size = (int32_t)v;
        return 0;
    }
    fprintf(err, "feed-cql: bad value '%s' for -%c (see --help)\n", arg != NULL ? arg : "", c);
    return -1;
}

int feed_cql_opts_parse(feed_cql_opts *o, int argc, char **argv, const char *contact_points, const char *port,
                        FILE *out, FILE *err)
{
    static const struct option longopts[] = {
        {"file", required_argument, NULL, 'f'},
        {"execute", required_argument, NULL, 'e'},
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"keyspace", required_argument, NULL, 'k'},
        {"consistency", required_argument, NULL, 'c'},
        {"wait", required_argument, NULL, 'w'},
        {"connect-timeout", required_argument, NULL, 'C'},
        {"timeout", required_argument, NULL, 't'},
        {"page-size", required_argument, NULL, 'P'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    if (feed_cql_opts_env(o, contact_points, port, err) != 0)
        return FEED_CQL_EXIT_USAGE;
    optind = 0; /* glibc: full re-initialisation, so tests may parse repeatedly */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:e:H:p:k:c:w:t:vh", longopts, NULL)) != -1) {
        if (c == 'h') {
            feed_cql_usage(out);
            return -1;
        }
        if (c == '?' || c == ':') {
            fprintf(err, "feed-cql: %s '%s' (see --help)\n", c == '?' ? "unknown option" : "missing value for",
                    argv[optind - 1]);
            return FEED_CQL_EXIT_USAGE;
        }
        if (feed_cql_opts_one(o, c, optarg, err) != 0)
            return FEED_CQL_EXIT_USAGE;
    }
    if (optind < argc || (o->file == NULL) == (o->statement == NULL)) {
        fprintf(err, "feed-cql: %s (see --help)\n",
                optind < argc ? "unexpected arguments" : "give exactly one of -f FILE or -e STATEMENT");
        return FEED_CQL_EXIT_USAGE;
    }
    return FEED_CQL_EXIT_OK;
}
