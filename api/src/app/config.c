/* config.c: flags and environment variables of feed-api.
 *
 * Numbers are parsed strictly (digits only, in range): a typo in a
 * timeout must stop the server at start-up, not turn into 0.
 */
#include "api/src/app/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cql/cql_error.h"
#include "cql/cql_request.h"

enum {
    OPT_LISTEN = 'l',
    OPT_THREADS = 't',
    OPT_HELP = 'h',
    OPT_PG = 256,
    OPT_REDIS,
    OPT_CASSANDRA,
    OPT_ACCESS_LOG,
    OPT_LOG_LEVEL,
    OPT_MAX_BODY,
    OPT_MAX_CONNECTIONS,
    OPT_IDLE_TIMEOUT,
    OPT_READ_TIMEOUT,
    OPT_REQUEST_TIMEOUT,
    OPT_SHUTDOWN_TIMEOUT,
    OPT_KEYSPACE,
    OPT_SECRET_FILE,
    OPT_SECRET_ENV, /* no flag: a secret on the command line would show in ps */
    OPT_PG_POOL,
    OPT_STORE_TIMEOUT,
    OPT_TOKEN_TTL,
    OPT_IDEMPOTENCY_TTL,
    OPT_CONSISTENCY,
    OPT_STREAM_BUFFER,
    OPT_STREAM_HEARTBEAT,
    OPT_STREAM_STALL,
    OPT_STREAM_RESUME_WINDOW,
    OPT_WWW_DIR,
    OPT_HOME_SOURCE,
    OPT_VERSION
};

static const struct option app_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"pg", required_argument, NULL, OPT_PG},
    {"redis", required_argument, NULL, OPT_REDIS},
    {"cassandra", required_argument, NULL, OPT_CASSANDRA},
    {"access-log", no_argument, NULL, OPT_ACCESS_LOG},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"idle-timeout-ms", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"read-timeout-ms", required_argument, NULL, OPT_READ_TIMEOUT},
    {"request-timeout-ms", required_argument, NULL, OPT_REQUEST_TIMEOUT},
    {"shutdown-timeout-ms", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT},
    {"keyspace", required_argument, NULL, OPT_KEYSPACE},
    {"cassandra-consistency", required_argument, NULL, OPT_CONSISTENCY},
    {"secret-file", required_argument, NULL, OPT_SECRET_FILE},
    {"pg-pool", required_argument, NULL, OPT_PG_POOL},
    {"store-timeout-ms", required_argument, NULL, OPT_STORE_TIMEOUT},
    {"token-ttl-s", required_argument, NULL, OPT_TOKEN_TTL},
    {"idempotency-ttl-s", required_argument, NULL, OPT_IDEMPOTENCY_TTL},
    {"stream-buffer", required_argument, NULL, OPT_STREAM_BUFFER},
    {"stream-heartbeat-ms", required_argument, NULL, OPT_STREAM_HEARTBEAT},
    {"stream-stall-ms", required_argument, NULL, OPT_STREAM_STALL},
    {"stream-resume-window-ms", required_argument, NULL, OPT_STREAM_RESUME_WINDOW},
    {"www-dir", required_argument, NULL, OPT_WWW_DIR},
    {"home-source", required_argument, NULL, OPT_HOME_SOURCE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

void app_config_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s [options]\n"
            "\n"
            "The feed API server: HTTP/1.1 on one event loop per thread, with its\n"
            "PostgreSQL, Redis and Cassandra clients on the same loops. Endpoints\n"
            "are under /v1 (see api/openapi.yaml), plus /healthz, /readyz, /metrics.\n"
            "\n"
            "Options (each overrides the environment variable named after it):\n"
            "  -l, --listen HOST:PORT      address to listen on; [::1]:PORT for IPv6,\n"
            "                              :PORT for every interface\n"
            "                              env FEED_API_LISTEN, default\n"
            "                              ${FEED_HOST:-127.0.0.1}:${FEED_API_PORT:-18080}\n"
            "  -t, --threads N             event loops (threads), each with its own\n"
            "                              SO_REUSEPORT listener, 1..%d\n"
            "                              env FEED_API_THREADS, default: number of cores\n"
            "      --pg DSN                PostgreSQL conninfo (writes, users, posts)\n"
            "                              env FEED_PG_DSN; unset: those endpoints answer 503\n"
            "      --redis HOST:PORT       Redis (feed cache); env FEED_REDIS_ADDR\n"
            "      --cassandra HOSTS       Cassandra contact points, comma-separated (feeds)\n"
            "                              env FEED_CASSANDRA_CONTACT_POINTS\n"
            "      --keyspace NAME         Cassandra keyspace of the feeds\n"
            "                              env FEED_CASSANDRA_KEYSPACE, default feed\n"
            "      --cassandra-consistency LEVEL\n"
            "                              consistency of the feed reads: LOCAL_QUORUM,\n"
            "                              QUORUM, ONE, ... (with the job's LOCAL_QUORUM\n"
            "                              writes a read sees every acknowledged write)\n"
            "                              env FEED_CASSANDRA_CONSISTENCY, default LOCAL_QUORUM\n"
            "      --secret-file PATH      file whose content (at least 16 bytes, a trailing\n"
            "                              newline dropped) signs tokens and cursors\n"
            "                              env FEED_API_SECRET_FILE; or the secret itself in\n"
            "                              env FEED_API_SECRET. Neither: a random secret per\n"
            "                              process (tokens and cursors die with it; logged)\n"
            "      --token-ttl-s S         lifetime of the tokens POST /v1/users returns\n"
            "                              env FEED_API_TOKEN_TTL_S, default 2592000 (30 days)\n"
            "      --idempotency-ttl-s S   how long an Idempotency-Key is remembered: a retry\n"
            "                              after that is a new request (each keyed write also\n"
            "                              deletes two expired keys, so the table stays bounded)\n"
            "                              env FEED_API_IDEMPOTENCY_TTL_S, default 86400 (24 h)\n"
            "      --pg-pool N             PostgreSQL connections per thread, 1..64\n"
            "                              env FEED_API_PG_POOL, default 4\n"
            "      --store-timeout-ms MS   deadline of one store request (then 503)\n"
            "                              env FEED_API_STORE_TIMEOUT_MS, default 2000\n"
            "      --access-log            one log line per request (method, path, status,\n"
            "                              duration_us); env FEED_API_ACCESS_LOG=1, default off\n"
            "      --log-level LEVEL       debug, info, warn or error\n"
            "                              env FEED_API_LOG_LEVEL, default info\n"
            "      --max-body BYTES        largest request body accepted (413 above)\n"
            "                              env FEED_API_MAX_BODY, default 65536\n"
            "      --max-connections N     open connections per thread; more are closed\n"
            "                              env FEED_API_MAX_CONNECTIONS, default 10000\n"
            "      --idle-timeout-ms MS    close keep-alive connections idle this long\n"
            "                              env FEED_API_IDLE_TIMEOUT_MS, default 60000\n"
            "      --read-timeout-ms MS    a started request must arrive within (408)\n"
            "                              env FEED_API_READ_TIMEOUT_MS, default 10000\n"
            "      --request-timeout-ms MS a handler must answer within (503)\n"
            "                              env FEED_API_REQUEST_TIMEOUT_MS, default 10000\n"
            "      --shutdown-timeout-ms MS on SIGTERM/SIGINT, wait this long for requests\n"
            "                              in progress, then close them\n"
            "                              env FEED_API_SHUTDOWN_TIMEOUT_MS, default 10000\n"
            "      --stream-buffer BYTES   unsent bytes a feed stream may hold; a client\n"
            "                              that lets more pile up and reads nothing for\n"
            "                              the stall time, or lets 4 times this pile up,\n"
            "                              is dropped\n"
            "                              env FEED_API_STREAM_BUFFER, default 262144\n"
            "      --stream-stall-ms MS    see --stream-buffer\n"
            "                              env FEED_API_STREAM_STALL_MS, default 2000\n"
            "      --stream-heartbeat-ms MS a comment on idle feed streams this often\n"
            "                              env FEED_API_STREAM_HEARTBEAT_MS, default 15000\n"
            "      --stream-resume-window-ms MS a user's events are logged in Redis while a\n"
            "                              stream of theirs is connected and this long\n"
            "                              after, for exact resumes (Last-Event-ID)\n"
            "                              env FEED_API_STREAM_RESUME_WINDOW_MS, default 300000\n"
            "      --www-dir DIR           serve DIR/index.html at / (read at start-up)\n"
            "                              env FEED_API_WWW_DIR, default none (404)\n"
            "      --home-source SOURCE    where GET /v1/users/{id}/home comes from: cassandra\n"
            "                              (the feeds the job builds, Redis head first) or sql\n"
            "                              (the benchmark's naive baseline: one PostgreSQL query\n"
            "                              over follows and activities at read time, same\n"
            "                              JSON and cursor; bench/README.md)\n"
            "                              env FEED_API_HOME_SOURCE, default cassandra\n"
            "  -h, --help                  this text\n"
            "      --version               print the version\n"
            "\n"
            "Logs go to stderr, one logfmt line per event (key=value).\n"
            "SIGTERM or SIGINT: stop accepting, finish requests in progress (bounded by\n"
            "the shutdown timeout), exit 0. A second signal closes everything at once.\n",
            prog, APP_MAX_THREADS);
}

static int app_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int app_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return APP_CONFIG_ERR;
}

/* "--listen" for OPT_LISTEN, for messages. */
static const char *app_option_name(int opt)
{
    size_t i;

    for (i = 0; app_options[i].name != NULL; i++) {
        if (app_options[i].val == opt)
            return app_options[i].name;
    }
    return "?";
}

/* Strict unsigned decimal in [min, max]. */
static int app_parse_num(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    unsigned long long v;
    char *end;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static unsigned app_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    return n > APP_MAX_THREADS ? APP_MAX_THREADS : (unsigned)n;
}

/* Apply one setting given as text (from a flag or a variable). */
static int app_set(app_config *cfg, int opt, const char *what, const char *v, char *err, size_t errlen)
{
    unsigned long long n;

    switch (opt) {
    case OPT_LISTEN:
        if (strlen(v) >= sizeof(cfg->listen) || v[0] == '\0')
            return app_fail(err, errlen, "%s: invalid address '%s'", what, v);
        strcpy(cfg->listen, v);
        return 0;
    case OPT_THREADS:
        if (app_parse_num(v, 1, APP_MAX_THREADS, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a thread count in 1..256", what, v);
        cfg->threads = (unsigned)n;
        return 0;
    case OPT_PG: cfg->pg_dsn = v[0] != '\0' ? v : NULL; return 0;
    case OPT_REDIS: cfg->redis_addr = v[0] != '\0' ? v : NULL; return 0;
    case OPT_CASSANDRA: cfg->cassandra = v[0] != '\0' ? v : NULL; return 0;
    case OPT_KEYSPACE:
        if (v[0] == '\0' || strlen(v) > 48)
            return app_fail(err, errlen, "%s: invalid keyspace '%s'", what, v);
        cfg->cassandra_keyspace = v;
        return 0;
    case OPT_CONSISTENCY:
        if (cql_consistency_parse(v, &cfg->cassandra_consistency) != CQL_OK ||
            cfg->cassandra_consistency == CQL_CONSISTENCY_ANY || cfg->cassandra_consistency == CQL_CONSISTENCY_SERIAL ||
            cfg->cassandra_consistency == CQL_CONSISTENCY_LOCAL_SERIAL)
            return app_fail(err, errlen, "%s: '%s' is not a read consistency level", what, v);
        return 0;
    case OPT_SECRET_FILE: cfg->secret_file = v[0] != '\0' ? v : NULL; return 0;
    case OPT_SECRET_ENV: cfg->secret = v[0] != '\0' ? v : NULL; return 0;
    case OPT_PG_POOL:
        if (app_parse_num(v, 1, 64, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a pool size in 1..64", what, v);
        cfg->pg_pool = (unsigned)n;
        return 0;
    case OPT_STORE_TIMEOUT:
        if (app_parse_num(v, 1, 600000, &n) != 0)
            return app_fail(err, errlen, "%s: invalid value '%s'", what, v);
        cfg->store_timeout_ms = (uint32_t)n;
        return 0;
    case OPT_TOKEN_TTL:
        if (app_parse_num(v, 1, 10ull * 365 * 24 * 3600, &n) != 0)
            return app_fail(err, errlen, "%s: invalid value '%s'", what, v);
        cfg->token_ttl_s = (uint32_t)n;
        return 0;
    case OPT_IDEMPOTENCY_TTL:
        if (app_parse_num(v, 1, 366ull * 24 * 3600, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a number of seconds in 1..31622400", what, v);
        cfg->idempotency_ttl_s = (uint32_t)n;
        return 0;
    case OPT_ACCESS_LOG:
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
            cfg->access_log = 1;
        else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || v[0] == '\0')
            cfg->access_log = 0;
        else
            return app_fail(err, errlen, "%s: '%s' is not 0/1", what, v);
        return 0;
    case OPT_LOG_LEVEL:
        if (log_level_parse(v, &cfg->log_level) != 0)
            return app_fail(err, errlen, "%s: '%s' is not debug, info, warn or error", what, v);
        return 0;
    case OPT_MAX_BODY:
        if (app_parse_num(v, 0, 64ull * 1024 * 1024, &n) != 0)
            return app_fail(err, errlen, "%s: invalid value '%s'", what, v);
        cfg->max_body = (size_t)n;
        return 0;
    case OPT_MAX_CONNECTIONS:
        if (app_parse_num(v, 1, 1000000, &n) != 0)
            return app_fail(err, errlen, "%s: invalid value '%s'", what, v);
        cfg->max_connections = (size_t)n;
        return 0;
    case OPT_WWW_DIR: cfg->www_dir = v[0] != '\0' ? v : NULL; return 0;
    case OPT_HOME_SOURCE:
        if (strcmp(v, "cassandra") == 0 || v[0] == '\0')
            cfg->home_source = APP_HOME_CASSANDRA;
        else if (strcmp(v, "sql") == 0)
            cfg->home_source = APP_HOME_SQL;
        else
            return app_fail(err, errlen, "%s: '%s' is not cassandra or sql", what, v);
        return 0;
    case OPT_STREAM_BUFFER:
        if (app_parse_num(v, 1024, 64ull * 1024 * 1024, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a number of bytes in 1024..67108864", what, v);
        cfg->stream_buffer = (size_t)n;
        return 0;
    case OPT_STREAM_HEARTBEAT:
        if (app_parse_num(v, 10, 3600ull * 1000, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a number of ms in 10..3600000", what, v);
        cfg->stream_heartbeat_ms = (uint32_t)n;
        return 0;
    case OPT_STREAM_STALL:
        if (app_parse_num(v, 10, 3600ull * 1000, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a number of ms in 10..3600000", what, v);
        cfg->stream_stall_ms = (uint32_t)n;
        return 0;
    case OPT_STREAM_RESUME_WINDOW:
        if (app_parse_num(v, 1000, 7ull * 24 * 3600 * 1000, &n) != 0)
            return app_fail(err, errlen, "%s: '%s' is not a number of ms in 1000..604800000", what, v);
        cfg->stream_resume_window_ms = (uint32_t)n;
        return 0;
    case OPT_IDLE_TIMEOUT:
    case OPT_READ_TIMEOUT:
    case OPT_REQUEST_TIMEOUT:
    case OPT_SHUTDOWN_TIMEOUT:
        if (app_parse_num(v, opt == OPT_SHUTDOWN_TIMEOUT ? 0 : 1, 24ull * 3600 * 1000, &n) != 0)
            return app_fail(err, errlen, "%s: invalid value '%s'", what, v);
        if (opt == OPT_IDLE_TIMEOUT)
            cfg->idle_timeout_ms = (uint32_t)n;
        else if (opt == OPT_READ_TIMEOUT)
            cfg->read_timeout_ms = (uint32_t)n;
        else if (opt == OPT_REQUEST_TIMEOUT)
            cfg->request_timeout_ms = (uint32_t)n;
        else
            cfg->shutdown_timeout_ms = (uint32_t)n;
        return 0;
    default: return app_fail(err, errlen, "%s: unknown setting", what);
    }
}

static const struct {
    int opt;
    const char *name;
} app_env_vars[] = {
    {OPT_LISTEN, "FEED_API_LISTEN"},
    {OPT_THREADS, "FEED_API_THREADS"},
    {OPT_PG, "FEED_PG_DSN"},
    {OPT_REDIS, "FEED_REDIS_ADDR"},
    {OPT_CASSANDRA, "FEED_CASSANDRA_CONTACT_POINTS"},
    {OPT_ACCESS_LOG, "FEED_API_ACCESS_LOG"},
    {OPT_LOG_LEVEL, "FEED_API_LOG_LEVEL"},
    {OPT_MAX_BODY, "FEED_API_MAX_BODY"},
    {OPT_MAX_CONNECTIONS, "FEED_API_MAX_CONNECTIONS"},
    {OPT_IDLE_TIMEOUT, "FEED_API_IDLE_TIMEOUT_MS"},
    {OPT_READ_TIMEOUT, "FEED_API_READ_TIMEOUT_MS"},
    {OPT_REQUEST_TIMEOUT, "FEED_API_REQUEST_TIMEOUT_MS"},
    {OPT_SHUTDOWN_TIMEOUT, "FEED_API_SHUTDOWN_TIMEOUT_MS"},
    {OPT_KEYSPACE, "FEED_CASSANDRA_KEYSPACE"},
    {OPT_CONSISTENCY, "FEED_CASSANDRA_CONSISTENCY"},
    {OPT_SECRET_FILE, "FEED_API_SECRET_FILE"},
    {OPT_SECRET_ENV, "FEED_API_SECRET"},
    {OPT_PG_POOL, "FEED_API_PG_POOL"},
    {OPT_STORE_TIMEOUT, "FEED_API_STORE_TIMEOUT_MS"},
    {OPT_TOKEN_TTL, "FEED_API_TOKEN_TTL_S"},
    {OPT_IDEMPOTENCY_TTL, "FEED_API_IDEMPOTENCY_TTL_S"},
    {OPT_STREAM_BUFFER, "FEED_API_STREAM_BUFFER"},
    {OPT_STREAM_HEARTBEAT, "FEED_API_STREAM_HEARTBEAT_MS"},
    {OPT_STREAM_STALL, "FEED_API_STREAM_STALL_MS"},
    {OPT_STREAM_RESUME_WINDOW, "FEED_API_STREAM_RESUME_WINDOW_MS"},
    {OPT_WWW_DIR, "FEED_API_WWW_DIR"},
    {OPT_HOME_SOURCE, "FEED_API_HOME_SOURCE"},
};

static int app_defaults(app_config *cfg, app_getenv_fn *env, char *err, size_t errlen)
{
    const char *host = env("FEED_HOST"), *port = env("FEED_API_PORT");
    unsigned long long n;
    int w;

    memset(cfg, 0, sizeof(*cfg));
    if (host == NULL || host[0] == '\0')
        host = "127.0.0.1";
    if (port == NULL || port[0] == '\0')
        port = "18080";
    if (app_parse_num(port, 0, 65535, &n) != 0)
        return app_fail(err, errlen, "%s: invalid port '%s'", "FEED_API_PORT", port);
    w = snprintf(cfg->listen, sizeof(cfg->listen), strchr(host, ':') != NULL ? "[%s]:%llu" : "%s:%llu", host, n);
    if (w < 0 || (size_t)w >= sizeof(cfg->listen))
        return app_fail(err, errlen, "%s: host name too long '%s'", "FEED_HOST", host);
    cfg->threads = app_default_threads();
    cfg->log_level = LOG_INFO;
    cfg->max_body = 64 * 1024;
    cfg->max_connections = 10000;
    cfg->idle_timeout_ms = 60000;
    cfg->read_timeout_ms = 10000;
    cfg->request_timeout_ms = 10000;
    cfg->shutdown_timeout_ms = 10000;
    cfg->cassandra_keyspace = "feed";
    cfg->cassandra_consistency = CQL_CONSISTENCY_LOCAL_QUORUM;
    cfg->pg_pool = 4;
    cfg->store_timeout_ms = 2000;
    cfg->token_ttl_s = 30u * 24 * 3600;
    cfg->idempotency_ttl_s = 24u * 3600;
    cfg->stream_buffer = 256 * 1024;
    cfg->stream_heartbeat_ms = 15000;
    cfg->stream_stall_ms = 2000;
    cfg->stream_resume_window_ms = 300000;
    return 0;
}

int app_config_parse(app_config *cfg, int argc, char **argv, app_getenv_fn *env, char *err, size_t errlen)
{
    size_t i;
    int opt;

    if (app_defaults(cfg, env, err, errlen) != 0)
        return APP_CONFIG_ERR;
    for (i = 0; i < sizeof(app_env_vars) / sizeof(app_env_vars[0]); i++) {
        const char *v = env(app_env_vars[i].name);
        if (v != NULL && app_set(cfg, app_env_vars[i].opt, app_env_vars[i].name, v, err, errlen) != 0)
            return APP_CONFIG_ERR;
    }

    optind = 0; /* glibc: full reset, so the parser can run more than once */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":l:t:h", app_options, NULL)) != -1) {
        char what[64];
        switch (opt) {
        case OPT_HELP: return APP_CONFIG_HELP;
        case OPT_VERSION: return APP_CONFIG_VERSION;
        case ':': return app_fail(err, errlen, "option %s needs a value", argv[optind - 1]);
        case '?': return app_fail(err, errlen, "unknown option %s (see --help)", argv[optind - 1]);
        case OPT_ACCESS_LOG: cfg->access_log = 1; break;
        default:
            snprintf(what, sizeof(what), "--%s", app_option_name(opt));
            if (app_set(cfg, opt, what, optarg, err, errlen) != 0)
                return APP_CONFIG_ERR;
            break;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
        return APP_CONFIG_ERR;
    }
    return APP_CONFIG_OK;
}
