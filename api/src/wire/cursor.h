/* cursor.h: the opaque pagination cursor of the feed endpoints.
 *
 * A page of a feed ends at an item (ts_us, id) (DATA-MODEL.md, "Order of
 * a feed"); the next page is everything strictly after it. The cursor
 * carries that position, the feed it was made for and a tag:
 *
 *     byte 0       version (CURSOR_VERSION)
 *     byte 1       feed kind (feed_kind)
 *     bytes 2-9    user id, big-endian
 *     bytes 10-17  ts_us, big-endian
 *     byte 18      id length n
 *     19..19+n     the id: an activity id "p:42" (home, profile), a
 *                  follow "f:17" (followers, followees: lists ordered by
 *                  (follows.created_at, follows.id) like a feed) or a
 *                  notification group id "LIKE:p:42:1732500000000"
 *     version 2 only (a stream event's id, feed_stream.h): 16 more,
 *                  a log entry id <ms>-<seq> of the user's event log,
 *                  ms then seq, big-endian
 *     then 16      HMAC-SHA256(key, all bytes before), truncated
 *
 * sent as unpadded base64url (51..154 characters). Every reader of a
 * cursor (pages, markers, streams) takes both versions; only a stream
 * uses the log entry, the others see the position alone. The tag makes it
 * opaque in the way that matters: a client cannot forge a position, and
 * a cursor minted for one user's feed is refused on another's.
 *
 * Every struct here is the caller's; nothing allocates. A decoded cursor
 * holds its id inline, NUL-terminated.
 */
#ifndef API_WIRE_CURSOR_H
#define API_WIRE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/crypto/mac.h"

#define CURSOR_VERSION 1
#define CURSOR_VERSION_LOG 2 /* with a log entry id */
#define CURSOR_LOG_LEN 16
#define CURSOR_TAG_LEN 16
#define CURSOR_MAX_ACTIVITY_ID 32        /* "[a-z]:[0-9]+", home and profile */
#define CURSOR_MAX_ID 64                 /* group ids, notifications */
#define CURSOR_MAX_TS ((int64_t)1 << 53) /* exact as a Redis score */
#define CURSOR_HEADER_LEN 19
#define CURSOR_RAW_MIN (CURSOR_HEADER_LEN + 3 + CURSOR_TAG_LEN)
#define CURSOR_RAW_MAX (CURSOR_HEADER_LEN + CURSOR_MAX_ID + CURSOR_LOG_LEN + CURSOR_TAG_LEN)
#define CURSOR_TEXT_MIN 51  /* b64url_encoded_len(CURSOR_RAW_MIN) */
#define CURSOR_TEXT_MAX 154 /* b64url_encoded_len(CURSOR_RAW_MAX) */
#define CURSOR_TEXT_MAX_V1 132

/* Results: 0 or one of these. */
#define CURSOR_OK 0
#define CURSOR_MALFORMED (-1)  /* not a cursor: length, alphabet, version, layout, bounds */
#define CURSOR_FORGED (-2)     /* well-formed, but the tag does not match */
#define CURSOR_WRONG_FEED (-3) /* genuine, but made for another feed or user */
#define CURSOR_INVALID (-4)    /* cursor_encode: the position is out of bounds */
#define CURSOR_NO_SPACE (-5)   /* cursor_encode: out_cap too small */
#define CURSOR_INTERNAL (-6)   /* libcrypto failed (out of memory) */

typedef enum feed_kind {
    FEED_HOME = 1,
    FEED_PROFILE = 2,
    FEED_NOTIFICATIONS = 3,
    FEED_FOLLOWERS = 4, /* GET /v1/users/{id}/followers: ids "f:<follows.id>" */
    FEED_FOLLOWEES = 5, /* GET /v1/users/{id}/followees: the same */
} feed_kind;

typedef struct cursor_key {
    mac_key mac; /* HMAC-SHA256(secret, "cursor") */
} cursor_key;

/* A position in a feed. */
typedef struct cursor {
    feed_kind kind;
    int64_t user_id;            /* the feed's owner, > 0 */
    int64_t ts_us;              /* 0..CURSOR_MAX_TS */
    size_t id_len;              /* bytes of id, without the NUL */
    char id[CURSOR_MAX_ID + 1]; /* NUL-terminated */
    int has_log;                /* version 2: a stream's log entry */
    uint64_t log_ms, log_seq;
} cursor;

/* Derive the cursor key from the server secret (at least MAC_SECRET_MIN
 * bytes). 0, or -1 (short secret, libcrypto failure). */
int cursor_key_init(cursor_key *key, const void *secret, size_t secret_len);

/* Fill c from its parts; id is copied; no log entry. CURSOR_OK or
 * CURSOR_INVALID when a part is out of bounds (the same checks
 * cursor_decode makes). */
int cursor_set(cursor *c, feed_kind kind, int64_t user_id, int64_t ts_us, slice id);

/* Give c a log entry id (it is then encoded as version 2). */
void cursor_set_log(cursor *c, uint64_t log_ms, uint64_t log_seq);

/* Write c as text into out (out_cap >= CURSOR_TEXT_MAX + 1 always
 * suffices), NUL-terminated; *out_len excludes the NUL. CURSOR_OK,
 * CURSOR_INVALID, CURSOR_NO_SPACE or CURSOR_INTERNAL. */
int cursor_encode(const cursor_key *key, const cursor *c, char *out, size_t out_cap, size_t *out_len);

/* Decode untrusted text for use on the feed (kind, user_id) into *out.
 * Checks, in this order: length and alphabet, version and layout, the
 * tag (constant-time), the bounds of every field, then that the cursor
 * was made for this feed. CURSOR_OK, CURSOR_MALFORMED, CURSOR_FORGED,
 * CURSOR_WRONG_FEED or CURSOR_INTERNAL; *out is only meaningful on
 * CURSOR_OK. */
int cursor_decode(const cursor_key *key, slice text, feed_kind kind, int64_t user_id, cursor *out);

/* A message for a result code, for humans ("cursor was made for another feed"). */
const char *cursor_strerror(int result);

/* 1 when id is valid for a cursor of this kind: an activity id
 * "[a-z]:(0|[1-9][0-9]*)" of at most CURSOR_MAX_ACTIVITY_ID bytes for
 * home and profile; the same with the letter f for followers and
 * followees; a group id "(FOLLOW|LIKE|COMMENT):<activity-like
 * object>:<window start ms>" of at most CURSOR_MAX_ID for notifications. */
int cursor_id_valid(feed_kind kind, slice id);

#endif
