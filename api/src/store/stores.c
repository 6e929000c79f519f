/* stores.c: open and close one worker's store clients. */
#include "api/src/store/stores.h"

#include <stdio.h>

#include "api/src/store/store_addr.h"

/* Parse and resolve the index-th address of list; 0, or -1 with err written. */
static int stores_addr_at(const char *what, const char *list, size_t index, int default_port, store_addr *a, char *err,
                          size_t errlen)
{
    if (store_addr_list_get(list, index, default_port, a) != 0) {
        snprintf(err, errlen, "%s: bad address \"%s\"", what, list);
        return -1;
    }
    if (store_addr_resolve(a) != 0) {
        snprintf(err, errlen, "%s: cannot resolve %s", what, a->host);
        return -1;
    }
    return 0;
}

static int stores_addr(const char *what, const char *list, int default_port, store_addr *a, char *err, size_t errlen)
{
    return stores_addr_at(what, list, 0, default_port, a, err, errlen);
}

/* The number of comma-separated entries of list. */
static size_t stores_list_len(const char *list)
{
    size_t n = 1;

    for (const char *p = list; *p != '\0'; p++)
        n += *p == ',';
    return n;
}

int stores_open(stores *s, loop *l, const stores_config *cfg, char *err, size_t errlen)
{
    store_addr a;
    store_addr more[CQL_CLIENT_MAX_HOSTS - 1];
    cql_client_host hosts[CQL_CLIENT_MAX_HOSTS - 1];

    s->pg = NULL;
    s->redis = NULL;
    s->redis_sub = NULL;
    s->cql = NULL;
    if (cfg->pg_dsn != NULL) {
        pg_client_config pc = {
            .conninfo = cfg->pg_dsn, .pool_size = cfg->pg_pool_size, .query_timeout_ms = cfg->timeout_ms};
        s->pg = pg_client_new(l, &pc);
        if (s->pg == NULL) {
            snprintf(err, errlen, "postgres: cannot create the client");
            goto fail;
        }
    }
    if (cfg->redis_addr != NULL) {
        redis_client_config rc = {.command_timeout_ms = cfg->timeout_ms};
        if (stores_addr("redis", cfg->redis_addr, 6379, &a, err, errlen) != 0)
            goto fail;
        rc.host = a.host;
        rc.port = a.port;
        s->redis = redis_client_new(l, &rc);
        if (s->redis == NULL) {
            snprintf(err, errlen, "redis: cannot create the client");
            goto fail;
        }
        rc.command_timeout_ms = 0; /* a subscription waits for as long as it lasts */
        s->redis_sub = redis_client_new(l, &rc);
        if (s->redis_sub == NULL) {
            snprintf(err, errlen, "redis: cannot create the subscriber");
            goto fail;
        }
    }
    if (cfg->cassandra != NULL) {
        cql_client_config cc = {.keyspace = cfg->cassandra_keyspace,
                                .request_timeout_ms = cfg->timeout_ms,
                                .consistency = cfg->cassandra_consistency};
        size_t n = stores_list_len(cfg->cassandra);
        if (n > CQL_CLIENT_MAX_HOSTS) {
            snprintf(err, errlen, "cassandra: more than %d contact points", CQL_CLIENT_MAX_HOSTS);
            goto fail;
        }
        if (stores_addr("cassandra", cfg->cassandra, 9042, &a, err, errlen) != 0)
            goto fail;
        for (size_t i = 1; i < n; i++) {
            if (stores_addr_at("cassandra", cfg->cassandra, i, 9042, &more[i - 1], err, errlen) != 0)
                goto fail;
            hosts[i - 1] = (cql_client_host){.host = more[i - 1].host, .port = more[i - 1].port};
        }
        cc.host = a.host;
        cc.port = a.port;
        cc.more = hosts;
        cc.n_more = n - 1;
        s->cql = cql_client_new(l, &cc);
        if (s->cql == NULL) {
            snprintf(err, errlen, "cassandra: cannot create the client");
            goto fail;
        }
    }
    return 0;
fail:
    stores_close(s);
    return -1;
}

void stores_close(stores *s)
{
    pg_client_free(s->pg);
    redis_client_free(s->redis);
    redis_client_free(s->redis_sub);
    cql_client_free(s->cql);
    s->pg = NULL;
    s->redis = NULL;
    s->redis_sub = NULL;
    s->cql = NULL;
}
