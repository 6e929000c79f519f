/* pg_errors.c: SQLSTATE and constraint to API error (see pg_errors.h). */
#include "api/src/handlers/pg_errors.h"

#include <string.h>

typedef struct pg_constraint_error {
    const char *constraint;
    int status;
    const char *code;
    const char *field; /* "" for none */
    const char *message;
} pg_constraint_error;

static const pg_constraint_error pg_constraint_errors[] = {
    {"users_handle_key", 409, "handle_taken", "handle", "this handle is taken"},
    {"follows_pkey", 409, "already_following", "", "you already follow this user"},
    {"likes_pkey", 409, "already_liked", "", "you already like this post"},
    {"comments_post_id_post_author_id_fkey", 404, "post_not_found", "", "no such post"},
    {"likes_post_id_post_author_id_fkey", 404, "post_not_found", "", "no such post"},
    {"follows_followee_id_fkey", 404, "user_not_found", "", "no such user"},
    {"follows_follower_id_fkey", 404, "user_not_found", "", "the token's user does not exist"},
    {"posts_author_id_fkey", 404, "user_not_found", "", "the token's user does not exist"},
    {"comments_author_id_fkey", 404, "user_not_found", "", "the token's user does not exist"},
    {"likes_user_id_fkey", 404, "user_not_found", "", "the token's user does not exist"},
    {"follows_not_self", 400, "self_follow", "", "you cannot follow yourself"},
    {"users_handle_format", 400, "invalid_value", "handle", "handle must match ^[a-z0-9_]{1,32}$"},
    {"users_display_name_length", 400, "invalid_value", "display_name", "display_name must be 1..64 characters"},
    {"posts_body_length", 400, "invalid_value", "body", "body must be 1..5000 characters"},
    {"comments_body_length", 400, "invalid_value", "body", "body must be 1..2000 characters"},
    {"idempotency_key_length", 400, "invalid_value", "Idempotency-Key", "Idempotency-Key must be 1..255 characters"},
};

static int pg_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int pg_map_constraint(const char *constraint, api_error *out)
{
    size_t i;

    if (constraint == NULL)
        return -1;
    for (i = 0; i < sizeof(pg_constraint_errors) / sizeof(pg_constraint_errors[0]); i++) {
        const pg_constraint_error *e = &pg_constraint_errors[i];
        if (strcmp(e->constraint, constraint) == 0) {
            api_error_set(out, e->status, e->code, slice_from_cstr(e->field), "%s", e->message);
            return 0;
        }
    }
    return -1;
}

static int pg_retryable(const char *st)
{
    return strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0 ||
           strcmp(st, "57014") == 0 || pg_starts(st, "08") || pg_starts(st, "53") || pg_starts(st, "57P0");
}

int pg_errors_map(const char *sqlstate, const char *constraint, api_error *out)
{
    slice none = {NULL, 0};

    if (sqlstate == NULL || strlen(sqlstate) != 5)
        return PG_ERR_INTERNAL;
    if (pg_starts(sqlstate, "23")) {
        if (pg_map_constraint(constraint, out) == 0)
            return PG_ERR_CLIENT;
        if (strcmp(sqlstate, "23505") == 0)
            api_error_set(out, 409, "conflict", none, "the write conflicts with existing data");
        else if (strcmp(sqlstate, "23503") == 0)
            api_error_set(out, 404, "not_found", none, "a referenced resource does not exist");
        else
            api_error_set(out, 400, "invalid_value", none, "a value is out of its rules");
        return PG_ERR_CLIENT;
    }
    if (pg_starts(sqlstate, "22")) {
        api_error_set(out, 400, "invalid_value", none, "a value is out of its rules");
        return PG_ERR_CLIENT;
    }
    return pg_retryable(sqlstate) ? PG_ERR_UNAVAILABLE : PG_ERR_INTERNAL;
}

const char *pg_errors_constraint(const pg_reply *reply)
{
    int i;

    if (reply == NULL || reply->status != PG_CLIENT_ESERVER)
        return NULL;
    for (i = 0; i < reply->nresults; i++) {
        const PGresult *r = reply->results[i];
        if (r != NULL && PQresultStatus(r) == PGRES_FATAL_ERROR)
            return PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    }
    return NULL;
}
