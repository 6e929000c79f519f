/* follows.c: POST and DELETE /v1/users/{id}/follow: the token's user
 * follows, or stops following, user {id}.
 *
 * The database refuses what is wrong: a second follow (follows_pkey,
 * 409 already_following), a missing user (the foreign key, 404
 * user_not_found), following oneself (follows_not_self, 400
 * self_follow). The answer's activity_id "f:<id>" is the FOLLOW
 * activity the feeds will show (DATA-MODEL.md).
 */
#include "api/src/handlers/handlers.h"

#include "api/src/handlers/create.h"
#include "api/src/handlers/delete.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/wire/request_body.h"

#define FOLLOWS_INSERT                                                                                      \
    RSQL_CREATE("INSERT INTO follows (follower_id, followee_id) VALUES ($1::bigint, $2::bigint)", "follow", \
                RSQL_FOLLOW_COLS("w"))

/* $1 the followee (the path's id), $2 the follower (the token's user) */
#define FOLLOWS_DELETE "DELETE FROM follows WHERE follower_id = $2::bigint AND followee_id = $1::bigint RETURNING id"

void follows_create(http_request *req, void *data)
{
    create_spec spec = {.cte = FOLLOWS_INSERT,
                        .nparams = 2,
                        .empty_status = 500,
                        .empty_code = "internal",
                        .empty_message = "the follow was not created"};
    rs_ids ids;
    api_error e;

    (void)data;
    if (rs_start(req, "id", &ids) != 0)
        return;
    if (req_parse_empty(http_request_body(req), &e) != 0) {
        rs_fail(req, &e);
        return;
    }
    spec.key_owner = ids.user;
    spec.params[0] = ids.user_text;
    spec.params[1] = ids.id_text;
    create_run(req, ids.w, &spec);
}

void follows_delete(http_request *req, void *data)
{
    static const delete_spec spec = {FOLLOWS_DELETE, NULL, "not_following", "you do not follow this user"};

    (void)data;
    delete_run(req, &spec);
}
