/* comments.c: POST /v1/posts/{id}/comments and DELETE /v1/comments/{id}.
 *
 * A comment carries its post's author (post_author_id, the user it
 * notifies), taken from the post row by the INSERT ... SELECT itself: no
 * row when the post does not exist (404 post_not_found), and the
 * composite foreign key refuses a post deleted meanwhile (also 404).
 * Deleting checks authorship in the deleting statement (see posts.c).
 */
#include "api/src/handlers/handlers.h"

#include "api/src/handlers/create.h"
#include "api/src/handlers/delete.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/wire/request_body.h"

#define COMMENTS_INSERT                                                                                \
    RSQL_CREATE("INSERT INTO comments (post_id, post_author_id, author_id, body) "                     \
                "SELECT p.id, p.author_id, $2::bigint, $3::text FROM posts p WHERE p.id = $1::bigint", \
                "comment", RSQL_COMMENT_COLS("w"))

#define COMMENTS_DELETE                                                                               \
    "WITH d AS (DELETE FROM comments WHERE id = $1::bigint AND author_id = $2::bigint RETURNING id) " \
    "SELECT (SELECT count(*) FROM d), EXISTS (SELECT 1 FROM comments WHERE id = $1::bigint)"

void comments_create(http_request *req, void *data)
{
    create_spec spec = {.cte = COMMENTS_INSERT,
                        .nparams = 3,
                        .empty_status = 404,
                        .empty_code = "post_not_found",
                        .empty_message = "no such post"};
    rs_ids ids;
    req_text t;
    api_error e;

    (void)data;
    if (rs_start(req, "id", &ids) != 0)
        return;
    if (req_parse_comment(http_request_pool(req), http_request_body(req), &t, &e) != 0) {
        rs_fail(req, &e);
        return;
    }
    spec.key_owner = ids.user;
    spec.params[0] = ids.id_text;
    spec.params[1] = ids.user_text;
    spec.params[2] = t.body.base;
    create_run(req, ids.w, &spec);
}

void comments_delete(http_request *req, void *data)
{
    static const delete_spec spec = {COMMENTS_DELETE, "only its author can delete a comment", "comment_not_found",
                                     "no such comment"};

    (void)data;
    delete_run(req, &spec);
}
