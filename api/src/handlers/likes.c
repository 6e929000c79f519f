/* likes.c: POST and DELETE /v1/posts/{id}/like by the token's user.
 *
 * As for comments, the INSERT ... SELECT takes post_author_id from the
 * post row (no row: 404 post_not_found); likes_pkey (user, post) refuses
 * a second like (409 already_liked).
 */
#include "api/src/handlers/handlers.h"

#include "api/src/handlers/create.h"
#include "api/src/handlers/delete.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/wire/request_body.h"

#define LIKES_INSERT                                                                         \
    RSQL_CREATE("INSERT INTO likes (user_id, post_id, post_author_id) "                      \
                "SELECT $2::bigint, p.id, p.author_id FROM posts p WHERE p.id = $1::bigint", \
                "like", RSQL_LIKE_COLS("w"))

/* $1 the post (the path's id), $2 the token's user */
#define LIKES_DELETE "DELETE FROM likes WHERE user_id = $2::bigint AND post_id = $1::bigint RETURNING id"

void likes_create(http_request *req, void *data)
{
    create_spec spec = {.cte = LIKES_INSERT,
                        .nparams = 2,
                        .empty_status = 404,
                        .empty_code = "post_not_found",
                        .empty_message = "no such post"};
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
    spec.params[0] = ids.id_text;
    spec.params[1] = ids.user_text;
    create_run(req, ids.w, &spec);
}

void likes_delete(http_request *req, void *data)
{
    static const delete_spec spec = {LIKES_DELETE, NULL, "not_liked", "you do not like this post"};

    (void)data;
    delete_run(req, &spec);
}
