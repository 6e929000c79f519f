/* page_query.h: the paging parameters of the feed reads.
 *
 *     GET /users/{id}/feed?limit=50&cursor=AQEAAA...
 *
 * limit: a canonical decimal (digits only, no sign, no leading zero),
 * default PAGE_LIMIT_DEFAULT; values over PAGE_LIMIT_MAX are capped to
 * it; 0, negatives, non-numbers, empty values and numbers of more than 9
 * digits are refused (400 invalid_value, field "limit").
 * cursor: from cursor_encode, checked by cursor_decode for this feed
 * (400 invalid_cursor, field "cursor", the message saying malformed,
 * forged or wrong feed). Either given twice is refused; other
 * parameters are ignored. Values are percent-decoded first.
 *
 * Nothing allocates; out and err are the caller's and own their data
 * (the decoded cursor holds its id inline).
 */
#ifndef API_WIRE_PAGE_QUERY_H
#define API_WIRE_PAGE_QUERY_H

#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/wire/api_error.h"
#include "api/src/wire/cursor.h"

#define PAGE_LIMIT_DEFAULT 20
#define PAGE_LIMIT_MAX 100

typedef struct page_query {
    int limit;      /* 1..PAGE_LIMIT_MAX */
    int has_cursor; /* 0: the first page */
    cursor after;   /* when has_cursor: the page starts strictly after it */
} page_query;

/* Parse the raw (still percent-encoded) query string of a read of the
 * feed (kind, user_id). 0, or -1 with *err filled. */
int page_query_parse(slice query, const cursor_key *key, feed_kind kind, int64_t user_id, page_query *out,
                     api_error *err);

/* The two parameters alone, for other queries (stream_query.h): a raw
 * limit value; a raw cursor value for the feed, errors naming field. 0,
 * or -1 with *err filled. */
int page_query_limit(slice raw, int *limit, api_error *err);
int page_query_cursor(slice raw, const cursor_key *key, feed_kind kind, int64_t user_id, slice field, cursor *out,
                      api_error *err);

#endif
