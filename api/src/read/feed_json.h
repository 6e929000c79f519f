/* feed_json.h: the JSON of feed items and pages, pure.
 *
 * Home and profile items:
 *   {"id":"p:42","verb":"SHARD","actor_id":7,"object_id":"p:42",
 *    "target_id":"u:9"|null,"body":"..."|null,"ts_us":...,"time":"<RFC 3339>"}
 * Notification items (DATA-MODEL.md "notifications"):
 *   {"id":"<group id>","verb":"LIKE","object_id":"p:42","actor_count":3,
 *    "actor_ids":[9,8,7],"latest_us":...,"time":"<RFC 3339 of latest_us>",
 *    "ts_us":<window start>}
 *   latest_us is null when the row has none; "time" is then the window
 *   start's.
 * A page: {"items":[...],"next_cursor":"..."|null}.
 *
 * Items come from two places: the cached JSON bodies in Redis (act:<id>
 * as the job writes it, {"id","verb","actor_id","object_id","target_id",
 * "body","ts_us"}; notif:<uid>:<group> as {"group_id","verb","object_id",
 * "actor_count","actor_ids","latest_us","ts_us"}), parsed with jansson and
 * checked member by member, or Cassandra rows (the fields directly).
 *
 * Strings in the field structs are slices the caller keeps alive; out
 * grows (see buf.h). Every function returns 0, or -1 (invalid input,
 * or out could not grow: out is then left with a partial item, which
 * the caller throws away with the page).
 */
#ifndef API_READ_FEED_JSON_H
#define API_READ_FEED_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/buf.h"
#include "api/src/base/slice.h"

#define FEED_JSON_MAX_ACTORS 10

typedef struct activity_fields {
    slice id;
    slice verb;
    int64_t actor_id;
    slice object_id;
    slice target_id; /* base NULL: null */
    slice body;      /* base NULL: null */
    int64_t ts_us;
} activity_fields;

typedef struct notif_fields {
    slice group_id;
    slice verb;
    slice object_id;
    int64_t actor_count;
    int64_t actor_ids[FEED_JSON_MAX_ACTORS];
    size_t nactors;
    int has_latest;
    int64_t latest_us;
    int64_t ts_us; /* window start */
} notif_fields;

int feed_json_activity(buf *out, const activity_fields *a);
int feed_json_notif(buf *out, const notif_fields *n);

/* Parse a cached body and append its item. -1 when the JSON is not a
 * well-formed body for expect_id (the caller then treats the body as
 * missing and asks Cassandra). */
int feed_json_activity_from_cache(buf *out, slice json, slice expect_id);
int feed_json_notif_from_cache(buf *out, slice json, slice expect_group_id);

/* A page from its rendered items (comma-separated, no brackets), the
 * next cursor (base NULL: null) and extra members after it (rendered
 * `"name":value` pairs, comma-separated; empty: none). */
int feed_json_page(buf *out, slice items, slice next_cursor, slice extra);

#endif
