/* request_body.h: the JSON bodies of the write endpoints, validated.
 *
 *     POST /users                {"handle": "[a-z0-9_]{1,32}", "display_name": 1..64 chars}
 *     POST /posts                {"body": 1..5000 chars}
 *     POST /posts/{id}/comments  {"body": 1..2000 chars}
 *     follow, like               no body, or {} (whitespace allowed)
 *
 * "chars" are Unicode code points. A body is refused, with the first
 * problem found, when it is
 *   - over the endpoint's size limit (413 payload_too_large), checked
 *     before a byte is parsed;
 *   - nested deeper than REQ_MAX_DEPTH, found by a scan that allocates
 *     nothing, before jansson builds a tree (400 invalid_json);
 *   - not JSON, not valid UTF-8, or has a member twice (400 invalid_json);
 *   - not an object (400 invalid_body);
 *   - then, member by member in the order sent: an unknown member (400
 *     unknown_field), a member that is not a string (400 invalid_type),
 *     or a value out of its rules (400 invalid_value): length, NUL,
 *     control characters (C0, DEL and C1: none in display_name; of
 *     those only \t \n \r in post and comment bodies), the handle's
 *     alphabet;
 *   - finally a member left out (400 missing_field).
 * Errors about one member name it in err->field.
 *
 * Ownership: the body slice is the caller's and is only read. On success
 * the output's slices point to NUL-terminated copies allocated from the
 * caller's pool p (the request's pool), valid until pool_dispose; nothing
 * else stays allocated. On error nothing stays allocated either, the
 * output is unspecified and err is filled (a 500 "internal_error" when
 * memory ran out).
 */
#ifndef API_WIRE_REQUEST_BODY_H
#define API_WIRE_REQUEST_BODY_H

#include "api/src/base/pool.h"
#include "api/src/base/slice.h"
#include "api/src/wire/api_error.h"

#define REQ_MAX_DEPTH 8
#define REQ_HANDLE_MAX 32
#define REQ_DISPLAY_NAME_MAX 64
#define REQ_POST_BODY_MAX 5000
#define REQ_COMMENT_BODY_MAX 2000

/* Body size limits, in bytes. A code point can take 12 bytes escaped
 * ("\ud83d\ude00"), so each limit leaves room for its longest valid body
 * written that way, plus whitespace. */
#define REQ_USER_MAX_BYTES 4096
#define REQ_POST_MAX_BYTES 65536
#define REQ_COMMENT_MAX_BYTES 32768
#define REQ_EMPTY_MAX_BYTES 1024
#define REQ_MARKER_MAX_BYTES 1024
#define REQ_MARKER_CURSOR_MAX 154 /* CURSOR_TEXT_MAX */

typedef struct req_user {
    slice handle;       /* pool-owned, NUL-terminated */
    slice display_name; /* pool-owned, NUL-terminated, valid UTF-8 */
} req_user;

typedef struct req_text {
    slice body; /* pool-owned, NUL-terminated, valid UTF-8 */
} req_text;

/* Each returns 0, or -1 with *err filled. */
int req_parse_user(pool *p, slice body, req_user *out, api_error *err);
int req_parse_post(pool *p, slice body, req_text *out, api_error *err);
int req_parse_comment(pool *p, slice body, req_text *out, api_error *err);
/* PUT .../markers/{timeline}: {"cursor":"<a cursor of that feed>"} (the
 * text only; the caller decodes it for the feed); out->body is the
 * cursor text. */
int req_parse_marker(pool *p, slice body, req_text *out, api_error *err);

/* Follow and like: an empty body or an empty object. */
int req_parse_empty(slice body, api_error *err);

/* The depth check on its own: 1 when the brackets of body (outside
 * strings) nest at most max_depth deep, 0 otherwise. Exposed for tests. */
int req_depth_ok(slice body, int max_depth);

/* Number of code points of valid UTF-8 s. */
size_t req_utf8_count(slice s);

#endif
