/* posts.c: POST /v1/posts, GET and DELETE /v1/posts/{id}.
 *
 * Deleting checks authorship in the same statement that deletes: a
 * DELETE limited to the token's user's row, and, in the same snapshot,
 * whether the post exists at all, which tells 403 (someone else's) from
 * 404 (none). Comments and likes of the post go with it (ON DELETE
 * CASCADE), each its own DELETE in the change stream.
 */
#include "api/src/handlers/handlers.h"

#include "api/src/handlers/create.h"
#include "api/src/handlers/delete.h"
#include "api/src/handlers/get_one.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/wire/request_body.h"

#define POSTS_INSERT \
    RSQL_CREATE("INSERT INTO posts (author_id, body) VALUES ($1::bigint, $2)", "post", RSQL_POST_COLS("w"))

#define POSTS_SELECT                                                                                     \
    "SELECT " RSQL_WRAP(                                                                                 \
        "post",                                                                                          \
        RSQL_POST_COLS("p") ", "                                                                         \
                            "(SELECT count(*) FROM likes l WHERE l.post_id = p.id) AS like_count, "      \
                            "(SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comment_count", \
        "posts p WHERE p.id = $1::bigint")

/* -> deleted (count), exists (bool, before the delete) */
#define POSTS_DELETE                                                                               \
    "WITH d AS (DELETE FROM posts WHERE id = $1::bigint AND author_id = $2::bigint RETURNING id) " \
    "SELECT (SELECT count(*) FROM d), EXISTS (SELECT 1 FROM posts WHERE id = $1::bigint)"

void posts_create(http_request *req, void *data)
{
    create_spec spec = {.cte = POSTS_INSERT,
                        .nparams = 2,
                        .empty_status = 500,
                        .empty_code = "internal",
                        .empty_message = "the post was not created"};
    rs_ids ids;
    req_text t;
    api_error e;

    (void)data;
    if (rs_start(req, NULL, &ids) != 0)
        return;
    if (req_parse_post(http_request_pool(req), http_request_body(req), &t, &e) != 0) {
        rs_fail(req, &e);
        return;
    }
    spec.key_owner = ids.user;
    spec.params[0] = ids.user_text;
    spec.params[1] = t.body.base;
    create_run(req, ids.w, &spec);
}

void posts_get(http_request *req, void *data)
{
    static const get_one_spec spec = {POSTS_SELECT, "post_not_found", "no such post"};

    (void)data;
    get_one_run(req, &spec);
}

void posts_delete(http_request *req, void *data)
{
    static const delete_spec spec = {POSTS_DELETE, "only its author can delete a post", "post_not_found",
                                     "no such post"};

    (void)data;
    delete_run(req, &spec);
}
