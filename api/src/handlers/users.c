/* users.c: POST /v1/users (sign up: a user and its bearer token) and
 * GET /v1/users/{id}.
 *
 * The token is not stored anywhere: it is derived from the user's id and
 * an expiry of created_at + token_ttl_s, so the first answer and a
 * replay under the same Idempotency-Key carry the very same token, and
 * the idempotency table holds no credential.
 */
#include "api/src/handlers/handlers.h"

#include <jansson.h>
#include <string.h>

#include "api/src/auth/token.h"
#include "api/src/handlers/create.h"
#include "api/src/handlers/get_one.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/handlers/store_call.h"
#include "api/src/http/http_uri.h"
#include "api/src/wire/request_body.h"

#define USERS_INSERT \
    RSQL_CREATE("INSERT INTO users (handle, display_name) VALUES ($1, $2)", "user", RSQL_USER_COLS("w"))

#define USERS_SELECT                                                                                           \
    "SELECT " RSQL_WRAP(                                                                                       \
        "user",                                                                                                \
        RSQL_USER_COLS("u") ", "                                                                               \
                            "(SELECT count(*) FROM follows f WHERE f.followee_id = u.id) AS followers_count, " \
                            "(SELECT count(*) FROM follows f WHERE f.follower_id = u.id) AS followees_count",  \
        "users u WHERE u.id = $1::bigint")

#define USERS_SELECT_BY_HANDLE                                                                                 \
    "SELECT " RSQL_WRAP(                                                                                       \
        "user",                                                                                                \
        RSQL_USER_COLS("u") ", "                                                                               \
                            "(SELECT count(*) FROM follows f WHERE f.followee_id = u.id) AS followers_count, " \
                            "(SELECT count(*) FROM follows f WHERE f.follower_id = u.id) AS followees_count",  \
        "users u WHERE u.handle = $1")

/* {"user":{...}} -> {"user":{...},"token":"v1..."}; see the top. */
static int users_add_token(const worker *w, slice stored, buf *out)
{
    char token[TOKEN_MAX_LEN + 1];
    json_t *root, *user;
    json_int_t id, ts_us;
    int64_t expiry;
    size_t tlen;
    int ok;

    root = json_loadb(stored.base, stored.len, 0, NULL);
    user = json_object_get(root, "user");
    ok = json_is_integer(json_object_get(user, "id")) && json_is_integer(json_object_get(user, "ts_us"));
    id = ok ? json_integer_value(json_object_get(user, "id")) : 0;
    ts_us = ok ? json_integer_value(json_object_get(user, "ts_us")) : 0;
    json_decref(root);
    if (!ok || ts_us < 0 || stored.len < 2 || stored.base[stored.len - 1] != '}')
        return -1;
    expiry = (int64_t)(ts_us / 1000000) + (int64_t)w->shared->cfg->token_ttl_s;
    if (token_sign(&w->shared->token_key, (int64_t)id, expiry, token, sizeof(token), &tlen) != TOKEN_OK)
        return -1;
    if (buf_append(out, stored.base, stored.len - 1) != 0 || buf_append_cstr(out, ",\"token\":\"") != 0 ||
        buf_append(out, token, tlen) != 0 || buf_append_cstr(out, "\"}") != 0)
        return -1;
    return 0;
}

void users_create(http_request *req, void *data)
{
    create_spec spec = {.cte = USERS_INSERT,
                        .nparams = 2,
                        .key_owner = 0,
                        .empty_status = 500,
                        .empty_code = "internal",
                        .empty_message = "the user was not created",
                        .finish = users_add_token};
    rs_ids ids;
    req_user u;
    api_error e;

    (void)data;
    if (rs_start_public(req, NULL, &ids) != 0)
        return;
    if (req_parse_user(http_request_pool(req), http_request_body(req), &u, &e) != 0) {
        rs_fail(req, &e);
        return;
    }
    spec.params[0] = u.handle.base;
    spec.params[1] = u.display_name.base;
    create_run(req, ids.w, &spec);
}

void users_get(http_request *req, void *data)
{
    static const get_one_spec spec = {USERS_SELECT, "user_not_found", "no such user"};

    (void)data;
    get_one_run(req, &spec);
}

static void users_find_done(http_request *req, void *data, const PGresult *res)
{
    (void)data;
    if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        http_request_respond_error(req, 404, "user_not_found", "no user has this handle");
        return;
    }
    http_request_respond_json(req, 200, slice_make(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0)));
}

/* GET /v1/users?handle=<handle>: the handle's rules (a-z, 0-9, _, 1..32)
 * before PostgreSQL is asked; 400 invalid_value otherwise. */
void users_find(http_request *req, void *data)
{
    slice rest = http_request_query(req), k, v;
    char handle[REQ_HANDLE_MAX * 3 + 1];
    const char *params[1];
    size_t n = 0, i;
    int found = 0;
    api_error e;
    rs_ids ids;

    (void)data;
    if (rs_start(req, NULL, &ids) != 0)
        return;
    while (http_query_next(&rest, &k, &v)) {
        if (http_query_key_is(k, "handle") && !found) {
            found = 1;
            if (v.base == NULL || v.len >= sizeof(handle) ||
                http_percent_decode(v, handle, sizeof(handle) - 1, &n, 1) != HTTP_URI_OK)
                n = 0;
        }
    }
    for (i = 0; i < n; i++) {
        char c = handle[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            break;
    }
    if (n == 0 || n > REQ_HANDLE_MAX || i < n) {
        api_error_set(&e, 400, found ? "invalid_value" : "missing_field", SLICE_LIT("handle"),
                      "handle must be 1 to %d characters of a-z, 0-9 and _", REQ_HANDLE_MAX);
        rs_fail(req, &e);
        return;
    }
    handle[n] = '\0';
    params[0] = pool_strndup(http_request_pool(req), handle, n);
    if (params[0] == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    store_call(req, ids.w, 0, USERS_SELECT_BY_HANDLE, 1, params, users_find_done, NULL);
}
