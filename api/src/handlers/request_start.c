/* request_start.c: worker, token user and path id of a request. */
#include "api/src/handlers/request_start.h"

#include <inttypes.h>
#include <stdio.h>

#include "api/src/handlers/authn.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/json_out.h"

int rs_start_public(http_request *req, const char *id_param, rs_ids *out)
{
    out->w = http_request_context(req);
    out->user = 0;
    out->id = 0;
    snprintf(out->user_text, sizeof(out->user_text), "0");
    out->id_text[0] = '\0';
    if (out->w == NULL || out->w->shared == NULL) {
        http_request_respond_error(req, 500, "internal", "no worker for this request");
        return -1;
    }
    if (id_param != NULL) {
        if (endpoint_path_id(req, id_param, &out->id) != 0)
            return -1;
        snprintf(out->id_text, sizeof(out->id_text), "%" PRId64, out->id);
    }
    return 0;
}

int rs_start(http_request *req, const char *id_param, rs_ids *out)
{
    if (rs_start_public(req, NULL, out) != 0)
        return -1;
    if (authn_require_user(req, out->w, &out->user) != 0)
        return -1;
    snprintf(out->user_text, sizeof(out->user_text), "%" PRId64, out->user);
    if (id_param != NULL) {
        if (endpoint_path_id(req, id_param, &out->id) != 0)
            return -1;
        snprintf(out->id_text, sizeof(out->id_text), "%" PRId64, out->id);
    }
    return 0;
}

void rs_no_content(http_request *req)
{
    slice none = {NULL, 0};

    http_request_respond(req, 204, NULL, none);
}

int rs_fail(http_request *req, const api_error *e)
{
    json_out_respond_error(req, e);
    return -1;
}
