/* flat_json.h: a strict reader of flat JSON objects, for the bodies the
 * job caches in Redis (act:<id>), without building a tree.
 *
 *     {"id":"p:42","verb":"SHARD","actor_id":7,"target_id":null,...}
 *
 * Why not jansson: a cached page is 20 bodies, and parsing each into a
 * jansson object (a hash table, an allocation per member) took 43 % of
 * feed-api's CPU on the read benchmark. This reads one object whose
 * members are strings, integers or null, in one pass, allocating nothing,
 * and returns slices into the input.
 *
 * It accepts a subset of what jansson (JSON_REJECT_DUPLICATES) accepts,
 * never more: anything else -- nesting, reals, true/false, a duplicate
 * member, an escape in a member name, invalid UTF-8, a raw control
 * character, a bad or lone-surrogate \u escape, \u0000, an integer out of
 * int64 range or with a leading zero, trailing bytes -- is refused (-1),
 * and the caller may then fall back to jansson for the exact verdict.
 * A string's slice is its text between the quotes, still escaped, and
 * always valid JSON string content: it can be copied into an answer as is.
 */
#ifndef API_READ_FLAT_JSON_H
#define API_READ_FLAT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/slice.h"

#define FLAT_JSON_MAX_MEMBERS 16

typedef enum flat_type { FLAT_STRING, FLAT_INT, FLAT_NULL } flat_type;

typedef struct flat_member {
    slice name; /* between the quotes; [A-Za-z0-9_] only */
    flat_type type;
    slice raw;   /* FLAT_STRING: the escaped content between the quotes */
    int64_t num; /* FLAT_INT */
} flat_member;

/* Parse in into out[0..cap); *n gets the number of members. 0, or -1
 * (not of the accepted form, or more than cap members). Slices point
 * into in. */
int flat_json_parse(slice in, flat_member *out, size_t cap, size_t *n);

/* The member called name, or NULL. */
const flat_member *flat_json_get(const flat_member *m, size_t n, const char *name);

#endif
