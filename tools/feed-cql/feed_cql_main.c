/* feed_cql_main.c: entry point of feed-cql (see feed_cql.h). */
#include <stdlib.h>

#include "tools/feed-cql/feed_cql.h"

int main(int argc, char **argv)
{
    feed_cql_opts opts;
    int rc = feed_cql_opts_parse(&opts, argc, argv, getenv("FEED_CASSANDRA_CONTACT_POINTS"),
                                 getenv("FEED_CASSANDRA_PORT"), stdout, stderr);

    if (rc < 0)
        return FEED_CQL_EXIT_OK; /* --help */
    if (rc != FEED_CQL_EXIT_OK)
        return rc;
    return feed_cql_run(&opts, stdout, stderr);
}
