/* feed_json.c: feed items and pages as JSON.
 *
 * Writing is by hand into a buf (the escaping is http_json_escape's):
 * an item is a few fixed members, and building a jansson tree per item
 * only to dump it again would cost more than the rest of a cached read.
 * Reading a cached activity body goes through flat_json, a one-pass
 * reader that accepts a strict subset of JSON and allocates nothing;
 * bodies it does not take (and notification groups, which have an array)
 * go through jansson, which checks UTF-8 and the syntax. Each member's
 * type is then checked here.
 */
#include "api/src/read/feed_json.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/src/http/http_error.h"
#include "api/src/read/flat_json.h"
#include "api/src/wire/time_format.h"

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

/* A member copied as it was cached: its raw content is valid JSON string
 * content (flat_json.h), so it needs no unescaping and re-escaping. */
static int fj_str_raw(buf *out, const char *name, const flat_member *m)
{
    if (m == NULL || m->type == FLAT_NULL)
        return buf_append_cstr(out, name) | buf_append_cstr(out, "null");
    return buf_append_cstr(out, name) | buf_append_cstr(out, "\"") | buf_append_slice(out, m->raw) |
           buf_append_cstr(out, "\"");
}

/* The common case, without jansson: the body as the job writes it. 0,
 * -1 (a well-formed body that is not a valid activity for expect_id), or
 * 1 (not of flat_json's form: let jansson judge it). */
static int fj_activity_fast(buf *out, slice json, slice expect_id)
{
    flat_member m[FLAT_JSON_MAX_MEMBERS];
    const flat_member *id, *verb, *actor, *object, *target, *body, *ts;
    size_t n, mark = out->len;
    int rc = 0;

    if (flat_json_parse(json, m, FLAT_JSON_MAX_MEMBERS, &n) != 0)
        return 1;
    id = flat_json_get(m, n, "id");
    verb = flat_json_get(m, n, "verb");
    actor = flat_json_get(m, n, "actor_id");
    object = flat_json_get(m, n, "object_id");
    target = flat_json_get(m, n, "target_id");
    body = flat_json_get(m, n, "body");
    ts = flat_json_get(m, n, "ts_us");
    if (id != NULL && id->type == FLAT_STRING && memchr(id->raw.base, '\\', id->raw.len) != NULL)
        return 1; /* an escaped id: compare it unescaped, through jansson */
    if (id == NULL || id->type != FLAT_STRING || !slice_eq(id->raw, expect_id) || verb == NULL ||
        verb->type != FLAT_STRING || actor == NULL || actor->type != FLAT_INT || object == NULL ||
        object->type != FLAT_STRING || (target != NULL && target->type == FLAT_INT) ||
        (body != NULL && body->type == FLAT_INT) || ts == NULL || ts->type != FLAT_INT)
        return -1;
    rc |= fj_str_raw(out, "{\"id\":", id);
    rc |= fj_str_raw(out, ",\"verb\":", verb);
    rc |= fj_int(out, ",\"actor_id\":", actor->num);
    rc |= fj_str_raw(out, ",\"object_id\":", object);
    rc |= fj_str_raw(out, ",\"target_id\":", target);
    rc |= fj_str_raw(out, ",\"body\":", body);
    rc |= fj_int(out, ",\"ts_us\":", ts->num);
    rc |= fj_time(out, ts->num);
    rc |= buf_append_cstr(out, "}");
    if (rc != 0) {
        out->len = mark;
        return -1;
    }
    return 0;
}

int feed_json_activity_from_cache(buf *out, slice json, slice expect_id)
{
    activity_fields a;
    json_t *o;
    int rc = fj_activity_fast(out, json, expect_id);

    if (rc <= 0)
        return rc;
    o = json_loadb(json.base, json.len, JSON_REJECT_DUPLICATES, NULL);
    rc = -1;

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
    json_array_foreach(arr, i, v)
    {
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

int feed_json_page(buf *out, slice items, slice next_cursor, slice extra)
{
    int rc = 0;

    rc |= buf_append_cstr(out, "{\"items\":[");
    if (items.len > 0)
        rc |= buf_append_slice(out, items);
    rc |= fj_str(out, "],\"next_cursor\":", next_cursor);
    if (extra.len > 0)
        rc |= buf_append(out, ",", 1) | buf_append_slice(out, extra);
    rc |= buf_append_cstr(out, "}");
    return rc != 0 ? -1 : 0;
}
