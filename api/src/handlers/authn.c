/* authn.c: the bearer token of a request, verified. */
#include "api/src/handlers/authn.h"

#include <time.h>

#include "api/src/auth/token.h"
#include "api/src/http/http_uri.h"

int authn_user(const http_request *req, const worker *w, int64_t *user_id)
{
    slice value = http_request_header(req, "Authorization"), text;
    int64_t expiry;

    if (value.base == NULL || token_from_authorization(value, &text) != 0)
        return TOKEN_MALFORMED;
    return token_verify(&w->shared->token_key, text, (int64_t)time(NULL), user_id, &expiry);
}

/* The token of ?access_token= (percent-decoded), when there is no
 * Authorization header. */
static int authn_query_user(const http_request *req, const worker *w, int64_t *user_id)
{
    slice rest = http_request_query(req), k, v;
    char text[256];
    size_t n;
    int64_t expiry;

    if (http_request_header(req, "Authorization").base != NULL)
        return authn_user(req, w, user_id);
    while (http_query_next(&rest, &k, &v)) {
        if (!http_query_key_is(k, "access_token"))
            continue;
        if (v.base == NULL || v.len > sizeof(text) || http_percent_decode(v, text, sizeof(text), &n, 1) != HTTP_URI_OK)
            return TOKEN_MALFORMED;
        return token_verify(&w->shared->token_key, slice_make(text, n), (int64_t)time(NULL), user_id, &expiry);
    }
    return TOKEN_MALFORMED;
}

static int authn_answer(http_request *req, int rc)
{
    static const http_request_header_out challenge[] = {
        {"WWW-Authenticate", "Bearer realm=\"feed\""},
    };
    const char *why;

    switch (rc) {
    case TOKEN_OK: return 0;
    case TOKEN_EXPIRED: why = "the bearer token has expired"; break;
    case TOKEN_FORGED: why = "the bearer token is not valid"; break;
    case TOKEN_INTERNAL: http_request_respond_error(req, 500, "internal", "cannot verify the token"); return -1;
    default: why = "send Authorization: Bearer <token> (POST /v1/users returns one)"; break;
    }
    http_request_respond_error_headers(req, 401, "unauthorized", why, challenge, 1);
    return -1;
}

int authn_require_user(http_request *req, const worker *w, int64_t *user_id)
{
    return authn_answer(req, authn_user(req, w, user_id));
}

int authn_require_user_or_query(http_request *req, const worker *w, int64_t *user_id)
{
    return authn_answer(req, authn_query_user(req, w, user_id));
}
