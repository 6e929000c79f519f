/* test_env.c: dev stack addresses from the environment (see test_env.h). */
#include "api/tests/support/test_env.h"

#include <stdio.h>
#include <stdlib.h>

int te_env_port(const char *name, int def)
{
    const char *p = getenv(name);
    int port = p != NULL ? atoi(p) : 0;

    return port > 0 && port < 65536 ? port : def;
}

int te_pg_port(void)
{
    return te_env_port("FEED_PG_PORT", TE_PG_PORT);
}

int te_redis_port(void)
{
    return te_env_port("FEED_REDIS_PORT", TE_REDIS_PORT);
}

int te_cassandra_port(void)
{
    return te_env_port("FEED_CASSANDRA_PORT", TE_CASSANDRA_PORT);
}

const char *te_pg_conninfo(void)
{
    static char buf[256];
    const char *dsn = getenv("FEED_PG_DSN");

    if (dsn != NULL && *dsn != '\0')
        return dsn;
    snprintf(buf, sizeof(buf), "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=5",
             te_pg_port());
    return buf;
}
