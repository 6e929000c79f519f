/* page_query.c: limit and cursor from a query string.
 *
 * A too-large limit is capped rather than refused (a client asking for
 * 500 gets 100 and a cursor for the rest, the way most feed APIs behave);
 * a number too long to be a sensible request is refused so that nobody
 * has to think about overflow further down.
 */
#include "api/src/wire/page_query.h"

#include "api/src/http/http_uri.h"

#define PAGE_LIMIT_DIGITS 9

int page_query_limit(slice raw, int *limit, api_error *err)
{
    char dec[3 * PAGE_LIMIT_DIGITS];
    size_t n, i;
    long v = 0;
    slice name = SLICE_LIT("limit");

    if (raw.len > sizeof(dec) || http_percent_decode(raw, dec, sizeof(dec), &n, 1) != HTTP_URI_OK)
        return api_error_set(err, 400, "invalid_value", name, "limit must be a number from 1 to %d", PAGE_LIMIT_MAX);
    if (n == 0 || n > PAGE_LIMIT_DIGITS || dec[0] == '0')
        return api_error_set(err, 400, "invalid_value", name, "limit must be a number from 1 to %d", PAGE_LIMIT_MAX);
    for (i = 0; i < n; i++) {
        if (dec[i] < '0' || dec[i] > '9')
            return api_error_set(err, 400, "invalid_value", name, "limit must be a number from 1 to %d",
                                 PAGE_LIMIT_MAX);
        v = v * 10 + (dec[i] - '0');
    }
    *limit = v > PAGE_LIMIT_MAX ? PAGE_LIMIT_MAX : (int)v;
    return 0;
}

int page_query_cursor(slice raw, const cursor_key *key, feed_kind kind, int64_t user_id, slice name, cursor *out,
                      api_error *err)
{
    char dec[3 * CURSOR_TEXT_MAX];
    size_t n;
    int r;

    if (raw.len > sizeof(dec) || http_percent_decode(raw, dec, sizeof(dec), &n, 1) != HTTP_URI_OK)
        return api_error_set(err, 400, "invalid_cursor", name, "%s", cursor_strerror(CURSOR_MALFORMED));
    r = cursor_decode(key, slice_make(dec, n), kind, user_id, out);
    if (r == CURSOR_INTERNAL)
        return api_error_set(err, 500, "internal_error", slice_make(NULL, 0), "%s", cursor_strerror(r));
    if (r != CURSOR_OK)
        return api_error_set(err, 400, "invalid_cursor", name, "%s", cursor_strerror(r));
    return 0;
}

int page_query_parse(slice query, const cursor_key *key, feed_kind kind, int64_t user_id, page_query *out,
                     api_error *err)
{
    slice rest = query, k, v;
    int seen_limit = 0;

    out->limit = PAGE_LIMIT_DEFAULT;
    out->has_cursor = 0;
    while (http_query_next(&rest, &k, &v)) {
        if (http_query_key_is(k, "limit")) {
            if (seen_limit++)
                return api_error_set(err, 400, "invalid_value", SLICE_LIT("limit"), "limit is given more than once");
            if (page_query_limit(v, &out->limit, err) != 0)
                return -1;
        } else if (http_query_key_is(k, "cursor")) {
            if (out->has_cursor)
                return api_error_set(err, 400, "invalid_value", SLICE_LIT("cursor"), "cursor is given more than once");
            if (page_query_cursor(v, key, kind, user_id, SLICE_LIT("cursor"), &out->after, err) != 0)
                return -1;
            out->has_cursor = 1;
        }
    }
    return 0;
}
