/* feedcheck_main.c: the program; everything else is in libfeedcheck.a. */
#include <stdlib.h>

#include "tools/feedcheck/feedcheck.h"

int main(int argc, char **argv)
{
    fc_opts o;
    int rc = fc_opts_parse(&o, argc, argv, getenv("FEED_PG_DSN"), getenv("FEED_CASSANDRA_CONTACT_POINTS"),
                           getenv("FEED_REDIS_ADDR"), stdout, stderr);

    if (rc != 0)
        return rc < 0 ? FC_EXIT_EQUAL : rc;
    rc = fc_run(&o, stdout, stderr);
    fc_opts_free(&o);
    return rc;
}
