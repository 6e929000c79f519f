/* get_one.c: a GET-by-id statement and its answer (get_one.h). */
#include "api/src/handlers/get_one.h"

#include "api/src/handlers/request_start.h"
#include "api/src/handlers/store_call.h"

static void get_one_done(http_request *req, void *data, const PGresult *res)
{
    const get_one_spec *spec = data;

    if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        http_request_respond_error(req, 404, spec->missing_code, spec->missing_message);
        return;
    }
    http_request_respond_json(req, 200, slice_make(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0)));
}

void get_one_run(http_request *req, const get_one_spec *spec)
{
    const char *params[1];
    rs_ids ids;

    if (rs_start(req, "id", &ids) != 0)
        return;
    params[0] = ids.id_text;
    /* the spec is static, so it outlives the request (store_call's rule) */
    store_call(req, ids.w, 0, spec->sql, 1, params, get_one_done, (void *)spec);
}
