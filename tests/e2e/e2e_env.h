/* e2e_env.h: helpers of the end-to-end tests. Where they find the
 * running stack (ports, the PostgreSQL conninfo) comes from the shared
 * api/tests/support/test_env.h, which reads the same environment
 * variables as stack/config.env, with the same defaults. */
#ifndef FEED_E2E_ENV_H
#define FEED_E2E_ENV_H

#include <stdint.h>

/* e2e_now_ms: monotonic milliseconds. */
int64_t e2e_now_ms(void);

/* e2e_parse_lsn: "16/B374D848" to its 64-bit value; 0 on a malformed text. */
uint64_t e2e_parse_lsn(const char *text);

#endif
