/* config.h: feed-api's configuration, from flags and the environment.
 *
 * Precedence: a flag beats its environment variable, which beats the
 * default. Variable names follow stack/config.env (FEED_API_PORT,
 * FEED_PG_DSN, ...), so the stack scripts configure the server without
 * flags. app_config_usage prints every flag and variable; keep it in
 * step with app_config_parse.
 *
 * The pg/redis/cassandra addresses are only stored here; each worker
 * opens its own clients from them (app.c, store/stores.h). The secret is
 * read by app_run (app_shared.h), from the variable or the file.
 *
 * Ownership: the string fields point into argv, the environment or the
 * struct itself (listen); they live as long as those.
 */
#ifndef API_APP_CONFIG_H
#define API_APP_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "api/src/base/log.h"

#define APP_VERSION "0.1.0"
#define APP_MAX_THREADS 256 /* request ids carry an 8-bit worker number */

/* Where GET /v1/users/{id}/home comes from (--home-source). */
typedef enum app_home_source {
    APP_HOME_CASSANDRA = 0, /* the feed the job built: Redis head, then Cassandra (read/feed_read.h) */
    APP_HOME_SQL            /* the benchmark's naive baseline: one SQL query at read time (handlers/home_sql.h) */
} app_home_source;

typedef struct app_config {
    char listen[256];   /* host:port */
    unsigned threads;   /* event loops, one per thread */
    const char *pg_dsn; /* NULL: not configured */
    const char *redis_addr;
    const char *cassandra;          /* contact points, comma-separated */
    const char *cassandra_keyspace; /* default "feed" */
    uint16_t cassandra_consistency; /* cql_consistency of the feed reads, default LOCAL_QUORUM */
    const char *secret;             /* FEED_API_SECRET; NULL: see secret_file */
    const char *secret_file;        /* a file holding the secret; NULL: none */
    unsigned pg_pool;               /* PostgreSQL connections per thread */
    uint32_t store_timeout_ms;      /* per store request */
    uint32_t token_ttl_s;           /* lifetime of the tokens POST /v1/users mints */
    uint32_t idempotency_ttl_s;     /* an Idempotency-Key older than this is forgotten */
    int access_log;
    log_level log_level;
    size_t max_body;
    size_t max_connections; /* per thread */
    uint32_t idle_timeout_ms;
    uint32_t read_timeout_ms;
    uint32_t request_timeout_ms;
    uint32_t shutdown_timeout_ms;
    size_t stream_buffer;             /* a feed stream's bound on unsent bytes */
    uint32_t stream_heartbeat_ms;     /* ": hb" on feed streams this often */
    uint32_t stream_stall_ms;         /* past stream_buffer, a stream whose client
                                     took nothing this long is dropped */
    uint32_t stream_resume_window_ms; /* feed:live:<uid>'s expiry (the log's) */
    const char *www_dir;              /* the page served at / (index.html); NULL: none */
    app_home_source home_source;      /* default APP_HOME_CASSANDRA */
} app_config;

/* getenv, or a fake one in tests. */
typedef const char *app_getenv_fn(const char *name);

#define APP_CONFIG_OK 0
#define APP_CONFIG_HELP 1    /* --help: print usage, exit 0 */
#define APP_CONFIG_VERSION 2 /* --version */
#define APP_CONFIG_ERR (-1)  /* message in err */

/* Fill cfg from argv and the environment. Uses getopt_long, so it is not
 * reentrant (it resets optind itself). */
int app_config_parse(app_config *cfg, int argc, char **argv, app_getenv_fn *env, char *err, size_t errlen);

void app_config_usage(FILE *out, const char *prog);

#endif
