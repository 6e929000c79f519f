/* test_env.h: where the integration tests find the dev stack's servers.
 *
 * Each port comes from its environment variable (FEED_PG_PORT,
 * FEED_REDIS_PORT, FEED_CASSANDRA_PORT) when that holds a number from 1
 * to 65535, and is the dev stack's default otherwise: a missing, empty,
 * non-numeric or out-of-range value never yields a port 0 or a port that
 * does not exist. FEED_PG_DSN, when set and not empty, replaces the whole
 * PostgreSQL connection string.
 */
#ifndef API_TESTS_SUPPORT_TEST_ENV_H
#define API_TESTS_SUPPORT_TEST_ENV_H

#define TE_PG_PORT 15432
#define TE_REDIS_PORT 16379
#define TE_CASSANDRA_PORT 19042

/* The port in environment variable name, or def (see above). */
int te_env_port(const char *name, int def);

int te_pg_port(void);
int te_redis_port(void);
int te_cassandra_port(void);

/* FEED_PG_DSN, or the dev stack's feed database on 127.0.0.1 at
 * te_pg_port(). The string is owned by the environment or by a static
 * buffer here that the next call rewrites: not thread-safe, copy it to
 * keep it. */
const char *te_pg_conninfo(void);

#endif
