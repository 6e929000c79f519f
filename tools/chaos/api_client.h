/* api_client.h: calls to the feed API (docs and contract: api/README.md)
 * over an hc_conn, with JSON bodies (jansson) and the outcome classified
 * the way the fault-injection driver and the end-to-end tests need it.
 *
 *   AC_ACCEPTED  2xx: the write happened (or was replayed: replayed = 1)
 *   AC_REFUSED   an answer other than 2xx: status and, when the body is
 *                the API's {"error":{"code":...}}, the code (clear = 1)
 *   AC_NOT_SENT  no connection: the request never left, nothing happened
 *   AC_UNKNOWN   sent, no whole answer: the write may or may not have
 *                happened; retry it with the same Idempotency-Key
 */
#ifndef FEED_CHAOS_API_CLIENT_H
#define FEED_CHAOS_API_CLIENT_H

#include <stdint.h>

#include <jansson.h>

#include "tools/chaos/http_client.h"

enum { AC_ACCEPTED, AC_REFUSED, AC_NOT_SENT, AC_UNKNOWN };

typedef struct ac_result {
    int fate;         /* AC_* */
    int status;       /* HTTP status, 0 without an answer */
    int replayed;     /* Idempotent-Replayed: true */
    int clear;        /* the error body was the API's JSON error */
    char code[48];    /* error.code, "" if none */
    char detail[224]; /* transport error (httpc_conn.errstr) or error.message */
    json_t *json;     /* parsed body (NULL if none or not JSON), owned */
} ac_result;

/* One call. token may be NULL (no Authorization), idem_key NULL (no
 * Idempotency-Key), body NULL (no body; borrowed otherwise). Returns the
 * fate; the caller frees res with ac_result_free. */
int ac_call(hc_conn *c, const char *method, const char *path, const char *token, const char *idem_key,
            const json_t *body, ac_result *res);

void ac_result_free(ac_result *res);

/* The integer at res->json.<object>.<field> (e.g. "post","id"); -1 when
 * absent. Ids come as JSON integers or decimal strings. */
int64_t ac_get_id(const ac_result *res, const char *object, const char *field);

/* A string at res->json.<object>.<field> or res->json.<field> when object
 * is NULL; NULL when absent. Borrowed from res. */
const char *ac_get_str(const ac_result *res, const char *object, const char *field);

/* A short text for logs: "201", "503 store_unavailable", "unknown: reset". */
const char *ac_describe(const ac_result *res, char *out, size_t outlen);

#endif
