/* handler_util.h: small pieces every feed endpoint needs.
 *
 * Each function that can fail answers the request itself (a 4xx/5xx
 * with the JSON error body) and returns -1; the handler must then stop
 * and not touch req again.
 */
#ifndef API_APP_HANDLER_UTIL_H
#define API_APP_HANDLER_UTIL_H

#include <stdint.h>

#include "api/src/app/metrics.h"
#include "api/src/app/worker.h"
#include "api/src/base/slice.h"
#include "api/src/server/request.h"

/* A canonical positive decimal id (1..INT64_MAX, no sign, no leading
 * zero): 0 and *out, or -1. Pure; exposed for tests. */
int handler_parse_id(slice s, int64_t *out);

/* The path parameter name as an id, or a 400 invalid_value naming it
 * ("-1", "007", "abc", "99999999999999999999" are all refused). */
int handler_path_id(http_request *req, const char *name, int64_t *out);

/* Answer 503 store_unavailable with Retry-After: 1 for a store that is
 * down or timed out, and count it in the metrics. what says which
 * ("PostgreSQL is unavailable; writes are refused"). Always returns -1. */
int handler_store_unavailable(http_request *req, const worker *w, metric_store store,
                              const char *what);

#endif
