/* bench_env.c: stack addresses from the environment, clocks, machine state. */
#include "bench/bench_env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int bench_addr_parse(const char *s, bench_addr *out)
{
    const char *p = s, *colon, *end;
    char *stop;
    long port;
    size_t hlen;

    if (strncmp(p, "http://", 7) == 0)
        p += 7;
    end = p + strcspn(p, ",/");
    colon = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == ':')
            colon = q;
    if (colon == NULL || colon == p)
        return -1;
    hlen = (size_t)(colon - p);
    if (hlen >= sizeof out->host)
        return -1;
    port = strtol(colon + 1, &stop, 10);
    if (stop != end || port <= 0 || port > 65535)
        return -1;
    memcpy(out->host, p, hlen);
    out->host[hlen] = '\0';
    out->port = (int)port;
    return 0;
}

static int bench_env_port(const char *name, int def)
{
    const char *v = getenv(name);
    int port = v != NULL ? atoi(v) : 0;

    return port > 0 && port < 65536 ? port : def;
}

/* addr from variable full (host:port form) or 127.0.0.1 and port variable */
static int bench_env_addr(bench_addr *a, const char *full, const char *port_var, int def)
{
    const char *v = getenv(full);

    if (v != NULL && *v != '\0') {
        if (bench_addr_parse(v, a) != 0) {
            fprintf(stderr, "%s=%s: expected host:port\n", full, v);
            return -1;
        }
        return 0;
    }
    snprintf(a->host, sizeof a->host, "127.0.0.1");
    a->port = bench_env_port(port_var, def);
    return 0;
}

int bench_env_load(bench_env *env)
{
    const char *dsn = getenv("FEED_PG_DSN");

    if (dsn != NULL && *dsn != '\0')
        snprintf(env->pg_conninfo, sizeof env->pg_conninfo, "%s", dsn);
    else
        snprintf(env->pg_conninfo, sizeof env->pg_conninfo,
                 "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=5",
                 bench_env_port("FEED_PG_PORT", 15432));
    if (bench_env_addr(&env->cassandra, "FEED_CASSANDRA_CONTACT_POINTS", "FEED_CASSANDRA_PORT", 19042) != 0 ||
        bench_env_addr(&env->redis, "FEED_REDIS_ADDR", "FEED_REDIS_PORT", 16379) != 0 ||
        bench_env_addr(&env->flink, "FEED_FLINK_REST", "FEED_FLINK_REST_PORT", 18088) != 0)
        return -1;
    return 0;
}

int64_t bench_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_wall_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void bench_machine_state(char *out, size_t len)
{
    char load[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    double a = 0, b = 0, c = 0;

    if (f != NULL) {
        if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
            snprintf(load, sizeof load, "%.2f %.2f %.2f", a, b, c);
        fclose(f);
    }
    snprintf(out, len, "load %s, %ld cores", load, sysconf(_SC_NPROCESSORS_ONLN));
}

void bench_run_prefix(char out[16])
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    uint64_t x = (uint64_t)bench_wall_us() / 1000 * 131 + (uint64_t)getpid();

    out[0] = 'b';
    for (int i = 7; i >= 1; i--) {
        out[i] = digits[x % 36];
        x /= 36;
    }
    out[8] = '\0';
}

void bench_print_header(const char *program, int argc, char **argv)
{
    char state[128], when[64];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    bench_machine_state(state, sizeof state);
    printf("# %s at %s; %s\n# command:", program, when, state);
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);
}

void bench_fail(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "%s: error: ", program_invocation_short_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

void bench_sleep_until(int64_t t_ns)
{
    struct timespec ts = {(time_t)(t_ns / 1000000000), (long)(t_ns % 1000000000)};

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}
