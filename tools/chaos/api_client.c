/* api_client.c: feed API calls with classified outcomes (api_client.h). */
#include "tools/chaos/api_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void ac_read_error(ac_result *res)
{
    json_t *err = res->json != NULL ? json_object_get(res->json, "error") : NULL;
    const char *code = json_string_value(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));

    if (code == NULL)
        return;
    res->clear = 1;
    snprintf(res->code, sizeof res->code, "%s", code);
    snprintf(res->detail, sizeof res->detail, "%s", msg != NULL ? msg : "");
}

int ac_call(hc_conn *c, const char *method, const char *path, const char *token, const char *idem_key,
            const json_t *body, ac_result *res)
{
    char headers[1024], v[16];
    char *text = NULL;
    hc_response r;
    int rc;

    memset(res, 0, sizeof *res);
    snprintf(headers, sizeof headers, "%s%s%s%s%s%s", token ? "Authorization: Bearer " : "", token ? token : "",
             token ? "\r\n" : "", idem_key ? "Idempotency-Key: " : "", idem_key ? idem_key : "",
             idem_key ? "\r\n" : "");
    if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL) {
        res->fate = AC_NOT_SENT;
        snprintf(res->detail, sizeof res->detail, "cannot encode the body");
        return res->fate;
    }
    rc = hc_request(c, method, path, headers, text, text ? strlen(text) : 0, &r);
    free(text);
    if (rc != HC_OK) {
        res->fate = rc == HC_ERR_CONNECT ? AC_NOT_SENT : AC_UNKNOWN;
        snprintf(res->detail, sizeof res->detail, "%s", c->errstr);
        return res->fate;
    }
    res->status = r.status;
    res->replayed = strcasecmp(hc_header(&r, "Idempotent-Replayed", v, sizeof v), "true") == 0;
    if (r.body_len > 0)
        res->json = json_loadb(r.body, r.body_len, 0, NULL);
    hc_response_free(&r);
    res->fate = r.status >= 200 && r.status < 300 ? AC_ACCEPTED : AC_REFUSED;
    if (res->fate == AC_REFUSED) {
        ac_read_error(res);
        /* The API could not tell whether the COMMIT landed: like a lost
         * answer, the fate is learnt by a retry with the same key. */
        if (strcmp(res->code, "outcome_unknown") == 0) {
            res->fate = AC_UNKNOWN;
            snprintf(res->detail, sizeof res->detail, "503 outcome_unknown");
        }
    }
    return res->fate;
}

void ac_result_free(ac_result *res)
{
    json_decref(res->json);
    res->json = NULL;
}

static json_t *ac_field(const ac_result *res, const char *object, const char *field)
{
    json_t *o = res->json;
    if (o == NULL)
        return NULL;
    if (object != NULL)
        o = json_object_get(o, object);
    return json_object_get(o, field);
}

int64_t ac_get_id(const ac_result *res, const char *object, const char *field)
{
    json_t *v = ac_field(res, object, field);
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_string(v)) {
        char *end;
        long long n = strtoll(json_string_value(v), &end, 10);
        if (*end == '\0' && end != json_string_value(v))
            return n;
    }
    return -1;
}

const char *ac_get_str(const ac_result *res, const char *object, const char *field)
{
    return json_string_value(ac_field(res, object, field));
}

const char *ac_describe(const ac_result *res, char *out, size_t outlen)
{
    switch (res->fate) {
    case AC_NOT_SENT: snprintf(out, outlen, "not sent: %s", res->detail); break;
    case AC_UNKNOWN: snprintf(out, outlen, "unknown: %s", res->detail); break;
    default:
        snprintf(out, outlen, "%d%s%s%s", res->status, res->code[0] ? " " : "", res->code,
                 res->replayed ? " (replayed)" : "");
    }
    return out;
}
