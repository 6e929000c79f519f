/* feed_json.c: feed items and pages as JSON.
 *
 * Writing is by hand into a buf (the escaping is http_json_escape's):
 * an item is a few fixed members, and building a jansson tree per item
 * only to dump it again would cost more than the rest of a cached read.
 * Reading the cached bodies goes through jansson, which checks UTF-8 and
 * the syntax; each member's type is then checked here.
 */
#include "api/src/read/feed_json.h"

#include <jansson.h>
#include <stdio.h>

#include "api/src/feed/time_format.h"
#include "api/src/http/http_error.h"

static int fj_str(buf *out, const char *name, slice v)
{
    int rc = 0;

    rc |= buf_append_cstr(out, name);
    if (v.base == NULL)
        return rc | buf_append_cstr(out, "null");
    rc |= buf_append_cstr(out, "\"");
    rc |= http_json_escape(out, v.base, v.len);
    rc |= buf_append_cstr(out, "\"");
    return rc;
}

static int fj_int(buf *out, const char *name, int64_t v)
{
    char tmp[32];

    snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    return buf_append_cstr(out, name) | buf_append_cstr(out, tmp);
}

static int fj_time(buf *out, int64_t us)
{
    char t[TIME_FORMAT_SIZE];

    if (format_time_us(us, t, sizeof(t)) < 0)
        return buf_append_cstr(out, ",\"time\":null");
    return buf_append_cstr(out, ",\"time\":\"") | buf_append_cstr(out, t) | buf_append_cstr(out, "\"");
}

int feed_json_activity(buf *out, const activity_fields *a)
{
    int rc = 0;

    rc |= fj_str(out, "{\"id\":", a->id);
    rc |= fj_str(out, ",\"verb\":", a->verb);
    rc |= fj_int(out, ",\"actor_id\":", a->actor_id);
    rc |= fj_str(out, ",\"object_id\":", a->object_id);
    rc |= fj_str(out, ",\"target_id\":", a->target_id);
    rc |= fj_str(out, ",\"body\":", a->body);
    rc |= fj_int(out, ",\"ts_us\":", a->ts_us);
    rc |= fj_time(out, a->ts_us);
    rc |= buf_append_cstr(out, "}");
    return rc != 0 ? -1 : 0;
}

int feed_json_notif(buf *out, const notif_fields *n)
{
    size_t i;
    int rc = 0;

    rc |= fj_str(out, "{\"id\":", n->group_id);
    rc |= fj_str(out, ",\"verb\":", n->verb);
    rc |= fj_str(out, ",\"object_id\":", n->object_id);
    rc |= fj_int(out, ",\"actor_count\":", n->actor_count);
    rc |= buf_append_cstr(out, ",\"actor_ids\":[");
    for (i = 0; i < n->nactors; i++)
        rc |= fj_int(out, i > 0 ? "," : "", n->actor_ids[i]);
    rc |= buf_append_cstr(out, "]");
    if (n->has_latest)
        rc |= fj_int(out, ",\"latest_us\":", n->latest_us);
    else
        rc |= buf_append_cstr(out, ",\"latest_us\":null");
    rc |= fj_time(out, n->has_latest ? n->latest_us : n->ts_us);
    rc |= fj_int(out, ",\"ts_us\":", n->ts_us);
    rc |= buf_append_cstr(out, "}");
    return rc != 0 ? -1 : 0;
}

/* Member name of o as a string slice (NULL base for JSON null when
 * nullable); -1 when absent or of another type. */
static int fj_get_str(json_t *o, const char *name, int nullable, slice *out)
{
    json_t *v = json_object_get(o, name);

    if (v != NULL && json_is_string(v)) {
        *out = slice_make(json_string_value(v), json_string_length(v));
        return 0;
    }
    if (nullable && (v == NULL || json_is_null(v))) {
        *out = slice_make(NULL, 0);
        return 0;
    }
    return -1;
}

static int fj_get_int(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);

    if (v == NULL || !json_is_integer(v))
        return -1;
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int feed_json_activity_from_cache(buf *out, slice json, slice expect_id)
{
    activity_fields a;
    json_t *o = json_loadb(json.base, json.len, JSON_REJECT_DUPLICATES, NULL);
    int rc = -1;

    if (o == NULL)
        return -1;
    if (json_is_object(o) && fj_get_str(o, "id", 0, &a.id) == 0 && slice_eq(a.id, expect_id) &&
        fj_get_str(o, "verb", 0, &a.verb) == 0 && fj_get_int(o, "actor_id", &a.actor_id) == 0 &&
        fj_get_str(o, "object_id", 0, &a.object_id) == 0 && fj_get_str(o, "target_id", 1, &a.target_id) == 0 &&
        fj_get_str(o, "body", 1, &a.body) == 0 && fj_get_int(o, "ts_us", &a.ts_us) == 0)
        rc = feed_json_activity(out, &a);
    json_decref(o);
    return rc;
}

static int fj_get_actors(json_t *o, notif_fields *n)
{
    json_t *arr = json_object_get(o, "actor_ids"), *v;
    size_t i;

    if (arr == NULL || !json_is_array(arr))
        return -1;
    n->nactors = 0;
    json_array_foreach(arr, i, v) {
        if (!json_is_integer(v))
            return -1;
        if (n->nactors < FEED_JSON_MAX_ACTORS)
            n->actor_ids[n->nactors++] = (int64_t)json_integer_value(v);
    }
    return 0;
}

int feed_json_notif_from_cache(buf *out, slice json, slice expect_group_id)
{
    notif_fields n;
    json_t *o = json_loadb(json.base, json.len, JSON_REJECT_DUPLICATES, NULL), *latest;
    int rc = -1;

    if (o == NULL)
        return -1;
    if (!json_is_object(o))
        goto out;
    latest = json_object_get(o, "latest_us");
    n.has_latest = latest != NULL && json_is_integer(latest);
    n.latest_us = n.has_latest ? (int64_t)json_integer_value(latest) : 0;
    if (fj_get_str(o, "group_id", 0, &n.group_id) == 0 && slice_eq(n.group_id, expect_group_id) &&
        fj_get_str(o, "verb", 0, &n.verb) == 0 && fj_get_str(o, "object_id", 0, &n.object_id) == 0 &&
        fj_get_int(o, "actor_count", &n.actor_count) == 0 && fj_get_actors(o, &n) == 0 &&
        fj_get_int(o, "ts_us", &n.ts_us) == 0)
        rc = feed_json_notif(out, &n);
out:
    json_decref(o);
    return rc;
}

int feed_json_page(buf *out, slice items, slice next_cursor)
{
    int rc = 0;

    rc |= buf_append_cstr(out, "{\"items\":[");
    if (items.len > 0)
        rc |= buf_append_slice(out, items);
    rc |= fj_str(out, "],\"next_cursor\":", next_cursor);
    rc |= buf_append_cstr(out, "}");
    return rc != 0 ? -1 : 0;
}
