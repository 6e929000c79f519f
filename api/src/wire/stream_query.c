/* stream_query.c: the start of a feed stream (see stream_query.h). */
#include "api/src/wire/stream_query.h"

#include "api/src/http/http_uri.h"
#include "api/src/wire/page_query.h"

int stream_query_parse(slice query, slice last_event_id, const cursor_key *key, feed_kind kind, int64_t user_id,
                       stream_query *out, api_error *err)
{
    slice rest = query, k, v, after = slice_make(NULL, 0);
    int seen_limit = 0;

    out->limit = PAGE_LIMIT_DEFAULT;
    out->has_after = 0;
    while (http_query_next(&rest, &k, &v)) {
        if (http_query_key_is(k, "limit")) {
            if (seen_limit++)
                return api_error_set(err, 400, "invalid_value", SLICE_LIT("limit"), "limit is given more than once");
            if (page_query_limit(v, &out->limit, err) != 0)
                return -1;
        } else if (http_query_key_is(k, "after")) {
            if (after.base != NULL)
                return api_error_set(err, 400, "invalid_value", SLICE_LIT("after"), "after is given more than once");
            after = v.base != NULL ? v : slice_make("", 0);
        }
    }
    if (last_event_id.base != NULL && last_event_id.len > 0) {
        if (page_query_cursor(last_event_id, key, kind, user_id, SLICE_LIT("Last-Event-ID"), &out->after, err) != 0)
            return -1;
        out->has_after = 1;
    } else if (after.base != NULL) {
        if (page_query_cursor(after, key, kind, user_id, SLICE_LIT("after"), &out->after, err) != 0)
            return -1;
        out->has_after = 1;
    }
    return 0;
}
