/* authn.c: the bearer token of a request, verified. */
#include "api/src/handlers/authn.h"

#include <time.h>

#include "api/src/auth/token.h"

int authn_user(const http_request *req, const worker *w, int64_t *user_id)
{
    slice value = http_request_header(req, "Authorization"), text;
    int64_t expiry;

    if (value.base == NULL || token_from_authorization(value, &text) != 0)
        return TOKEN_MALFORMED;
    return token_verify(&w->shared->token_key, text, (int64_t)time(NULL), user_id, &expiry);
}

int authn_require_user(http_request *req, const worker *w, int64_t *user_id)
{
    static const http_request_header_out challenge[] = {
        {"WWW-Authenticate", "Bearer realm=\"feed\""},
    };
    const char *why;

    switch (authn_user(req, w, user_id)) {
    case TOKEN_OK:
        return 0;
    case TOKEN_EXPIRED:
        why = "the bearer token has expired";
        break;
    case TOKEN_FORGED:
        why = "the bearer token is not valid";
        break;
    case TOKEN_INTERNAL:
        http_request_respond_error(req, 500, "internal", "cannot verify the token");
        return -1;
    default:
        why = "send Authorization: Bearer <token> (POST /v1/users returns one)";
        break;
    }
    http_request_respond_error_headers(req, 401, "unauthorized", why, challenge, 1);
    return -1;
}
