/* delete.c: a DELETE endpoint's statement and its answer (delete.h). */
#include "api/src/handlers/delete.h"

#include <string.h>

#include "api/src/handlers/request_start.h"
#include "api/src/handlers/store_call.h"

static void delete_done(http_request *req, void *data, const PGresult *res)
{
    const delete_spec *spec = data;
    int deleted, exists;

    if (spec->forbidden == NULL) {
        deleted = PQntuples(res) > 0;
        exists = 0;
    } else {
        deleted = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
        exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    }
    if (deleted)
        rs_no_content(req);
    else if (exists)
        http_request_respond_error(req, 403, "forbidden", spec->forbidden);
    else
        http_request_respond_error(req, 404, spec->missing_code, spec->missing_message);
}

void delete_run(http_request *req, const delete_spec *spec)
{
    const char *params[2];
    rs_ids ids;

    if (rs_start(req, "id", &ids) != 0)
        return;
    params[0] = ids.id_text;
    params[1] = ids.user_text;
    /* the spec is static, so it outlives the request (store_call's rule) */
    store_call(req, ids.w, 1, spec->sql, 2, params, delete_done, (void *)spec);
}
