/* endpoint.h: small pieces every endpoint needs.
 *
 * Each function that can fail answers the request itself (a 4xx/5xx
 * with the JSON error body) and returns -1; the handler must then stop
 * and not touch req again.
 */
#ifndef API_HANDLERS_ENDPOINT_H
#define API_HANDLERS_ENDPOINT_H

#include <stdint.h>

#include "api/src/app/metrics.h"
#include "api/src/app/worker.h"
#include "api/src/base/slice.h"
#include "api/src/server/request.h"

/* A canonical positive decimal id (1..INT64_MAX, no sign, no leading
 * zero): 0 and *out, or -1. Pure; exposed for tests. */
int endpoint_parse_id(slice s, int64_t *out);

/* The path parameter name as an id, or a 400 invalid_value naming it
 * ("-1", "007", "abc", "99999999999999999999" are all refused). */
int endpoint_path_id(http_request *req, const char *name, int64_t *out);

/* The one answer to a store that is down, timed out or busy: 503 with
 * {"error":{"code":code,...}} and Retry-After: 1, and one
 * feed_api_store_errors_total{store} counted (w or w->metrics may be
 * NULL: then nothing is counted). code is "store_unavailable", or
 * "outcome_unknown" for a write whose transaction was already sent;
 * what says which ("PostgreSQL is unavailable; writes are refused").
 * Always returns -1. */
int endpoint_unavailable(http_request *req, const worker *w, metric_store store, const char *code, const char *what);

#endif
