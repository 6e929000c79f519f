/* bench_env.h: where the stack is, clocks, and the machine's state.
 *
 * Addresses come from the same variables feedctl uses (stack/config.env):
 * FEED_PG_DSN or FEED_PG_PORT, FEED_CASSANDRA_CONTACT_POINTS or
 * FEED_CASSANDRA_PORT, FEED_REDIS_ADDR or FEED_REDIS_PORT, FEED_FLINK_REST
 * or FEED_FLINK_REST_PORT; hosts default to 127.0.0.1.
 */
#ifndef BENCH_ENV_H
#define BENCH_ENV_H

#include <stddef.h>
#include <stdint.h>

/* The job's default hot-account threshold (--hot-followers, job/README.md):
 * from this many followers an account's activities are merged at read time
 * instead of copied. For the programs that predict what the job copies. */
#define BENCH_JOB_HOT_FOLLOWERS 1000

typedef struct bench_addr {
    char host[128];
    int port;
} bench_addr;

typedef struct bench_env {
    char pg_conninfo[512];
    bench_addr cassandra, redis, flink;
} bench_env;

/* Parse "host:port" or "http://host:port[/...]" (the first of a comma-
 * separated list). 0, or -1 when malformed. Pure. */
int bench_addr_parse(const char *s, bench_addr *out);

/* Fill *env from the environment. 0, or -1 with a message on stderr. */
int bench_env_load(bench_env *env);

/* Monotonic and wall clocks. */
int64_t bench_mono_ns(void);
int64_t bench_wall_us(void);

/* "load 1.23 0.98 0.75, 2 cores": /proc/loadavg and the online CPUs. */
void bench_machine_state(char *out, size_t len);

/* A run prefix for handles: 'b' + 7 base-36 characters from the time and
 * pid, unique per run; handles are "<prefix>_<role><index>" (<= 32 chars). */
void bench_run_prefix(char out[16]);

/* Print a heading line with program, time, machine state and arguments. */
void bench_print_header(const char *program, int argc, char **argv);

/* Print "<program>: error: ..." to stderr and exit with status 2: the
 * benchmarks' answer to a stack that is not there or misbehaves. */
void bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Sleep until the monotonic time t_ns (absolute). */
void bench_sleep_until(int64_t t_ns);

#endif
