/* e2e_env.h: where the end-to-end tests find the running stack.
 *
 * Addresses come from the same environment variables as the stack's own
 * configuration (stack/config.env), with the same defaults, so the tests
 * reach the stack tests/run-all started whatever its ports. */
#ifndef FEED_E2E_ENV_H
#define FEED_E2E_ENV_H

#include <stdint.h>

/* e2e_env_int: the integer value of environment variable NAME, or
 * DEFAULT_VALUE when it is unset or not a number. */
int e2e_env_int(const char *name, int default_value);

/* e2e_pg_conninfo: a libpq conninfo string for the application role, in a
 * static buffer (valid until the next call). FEED_PG_DSN wins if set. */
const char *e2e_pg_conninfo(void);

/* e2e_now_ms: monotonic milliseconds. */
int64_t e2e_now_ms(void);

/* e2e_parse_lsn: "16/B374D848" to its 64-bit value; 0 on a malformed text. */
uint64_t e2e_parse_lsn(const char *text);

#endif
