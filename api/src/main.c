/* main.c: the feed-api program. Everything but argument handling lives
 * in app/ so that tests run the same code. */
#include <stdio.h>
#include <stdlib.h>

#include "api/src/app/app.h"
#include "api/src/app/config.h"

static const char *main_getenv(const char *name)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    app_config cfg;
    char err[512];

    switch (app_config_parse(&cfg, argc, argv, main_getenv, err, sizeof(err))) {
    case APP_CONFIG_OK: break;
    case APP_CONFIG_HELP: app_config_usage(stdout, argv[0]); return 0;
    case APP_CONFIG_VERSION: printf("feed-api %s\n", APP_VERSION); return 0;
    default: fprintf(stderr, "%s: %s\n", argv[0], err); return 2;
    }
    return app_run(&cfg, NULL);
}
