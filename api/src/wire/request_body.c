/* request_body.c: write-endpoint bodies, table-driven over jansson.
 *
 * Each endpoint is a small table of string members and their rules; one
 * loop checks any of them. jansson does the JSON and UTF-8 work (it
 * refuses invalid UTF-8, overlong forms, surrogates and lone "\ud800"
 * escapes); what it does not do cheaply is refuse deep nesting (it
 * recurses to 2048 levels, allocating a node per level), hence the scan
 * before it. JSON_ALLOW_NUL lets "\u0000" through the parser so that the
 * error can name the member it was in.
 */
#include "api/src/wire/request_body.h"

#include <assert.h>
#include <string.h>

#include <jansson.h>

typedef enum req_rule {
    REQ_RULE_HANDLE, /* [a-z0-9_] */
    REQ_RULE_NAME,   /* no control characters */
    REQ_RULE_TEXT,   /* no control characters but \t \n \r */
} req_rule;

typedef struct req_field {
    const char *name;
    req_rule rule;
    size_t max_chars; /* min is always 1 */
} req_field;

#define REQ_FIELDS_MAX 2

typedef struct req_spec {
    size_t max_bytes;
    size_t nfields;
    req_field fields[REQ_FIELDS_MAX];
} req_spec;

static const req_spec req_user_spec = {
    REQ_USER_MAX_BYTES,
    2,
    {{"handle", REQ_RULE_HANDLE, REQ_HANDLE_MAX}, {"display_name", REQ_RULE_NAME, REQ_DISPLAY_NAME_MAX}},
};
static const req_spec req_post_spec = {REQ_POST_MAX_BYTES, 1, {{"body", REQ_RULE_TEXT, REQ_POST_BODY_MAX}}};
static const req_spec req_comment_spec = {REQ_COMMENT_MAX_BYTES, 1, {{"body", REQ_RULE_TEXT, REQ_COMMENT_BODY_MAX}}};
static const req_spec req_marker_spec = {REQ_MARKER_MAX_BYTES, 1, {{"cursor", REQ_RULE_NAME, REQ_MARKER_CURSOR_MAX}}};

int req_depth_ok(slice body, int max_depth)
{
    size_t i;
    int depth = 0, in_string = 0;

    for (i = 0; i < body.len; i++) {
        char c = body.base[i];
        if (in_string) {
            if (c == '\\')
                i++; /* skip the escaped character; "\u" digits are harmless */
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return 0;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return 1;
}

size_t req_utf8_count(slice s)
{
    size_t i, n = 0;

    for (i = 0; i < s.len; i++)
        if (((unsigned char)s.base[i] & 0xc0) != 0x80)
            n++;
    return n;
}

/* 1 when the code point starting at byte i of valid UTF-8 v is a control
 * character: C0 (U+0000..U+001F), DEL (U+007F) or C1 (U+0080..U+009F,
 * encoded C2 80..C2 9F). One rule for every text field; the text fields
 * then allow tab, LF and CR back. api/openapi.json states the same rule
 * as a pattern, and test_openapi_rules checks the two agree. */
static int req_is_control(slice v, size_t i)
{
    unsigned char c = (unsigned char)v.base[i];

    return c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < v.len && (unsigned char)v.base[i + 1] < 0xa0);
}

/* Check one string value against its rules. 0, or -1 with err filled. */
static int req_check_value(const req_field *f, slice v, api_error *err)
{
    slice name = slice_from_cstr(f->name);
    size_t i, chars = req_utf8_count(v);

    if (memchr(v.base, '\0', v.len) != NULL)
        return api_error_set(err, 400, "invalid_value", name, "%s must not contain NUL characters", f->name);
    if (chars < 1 || chars > f->max_chars) {
        if (f->rule == REQ_RULE_HANDLE)
            return api_error_set(err, 400, "invalid_value", name, "%s must be 1 to %zu characters of a-z, 0-9 and _",
                                 f->name, f->max_chars);
        return api_error_set(err, 400, "invalid_value", name, "%s must be 1 to %zu characters long", f->name,
                             f->max_chars);
    }
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.base[i];
        int bad;

        switch (f->rule) {
        case REQ_RULE_HANDLE: bad = !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'); break;
        case REQ_RULE_NAME: bad = req_is_control(v, i); break;
        default: bad = req_is_control(v, i) && c != '\t' && c != '\n' && c != '\r'; break;
        }
        if (bad) {
            if (f->rule == REQ_RULE_HANDLE)
                return api_error_set(err, 400, "invalid_value", name,
                                     "%s must be 1 to %zu characters of a-z, 0-9 and _", f->name, f->max_chars);
            return api_error_set(err, 400, "invalid_value", name, "%s must not contain control characters", f->name);
        }
    }
    return 0;
}

/* Turn a jansson load error into ours. */
static int req_json_error(const json_error_t *je, api_error *err)
{
    switch (json_error_code(je)) {
    case json_error_invalid_utf8:
        return api_error_set(err, 400, "invalid_json", slice_make(NULL, 0),
                             "request body is not valid UTF-8 (near byte %d)", je->position);
    case json_error_duplicate_key:
        return api_error_set(err, 400, "invalid_json", slice_make(NULL, 0),
                             "request body has a member twice (line %d, column %d)", je->line, je->column);
    case json_error_out_of_memory:
        return api_error_set(err, 500, "internal_error", slice_make(NULL, 0), "out of memory");
    default:
        /* je->text may quote the input; do not echo it. */
        return api_error_set(err, 400, "invalid_json", slice_make(NULL, 0),
                             "request body is not valid JSON (line %d, column %d)", je->line, je->column);
    }
}

/* Parse body against spec; out[i] receives field i. 0, or -1. */
static int req_parse(const req_spec *spec, pool *p, slice body, slice *out, api_error *err)
{
    json_t *root = NULL, *found[REQ_FIELDS_MAX] = {NULL};
    json_error_t je;
    void *it;
    size_t i;

    assert(spec->nfields <= REQ_FIELDS_MAX);
    if (body.len > spec->max_bytes)
        return api_error_set(err, 413, "payload_too_large", slice_make(NULL, 0), "request body is over %zu bytes",
                             spec->max_bytes);
    if (!req_depth_ok(body, REQ_MAX_DEPTH))
        return api_error_set(err, 400, "invalid_json", slice_make(NULL, 0), "request body nests deeper than %d levels",
                             REQ_MAX_DEPTH);
    if (body.len == 0)
        return api_error_set(err, 400, "invalid_json", slice_make(NULL, 0), "request body is empty");
    root = json_loadb(body.base, body.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
    if (root == NULL)
        return req_json_error(&je, err);
    if (!json_is_object(root)) {
        api_error_set(err, 400, "invalid_body", slice_make(NULL, 0), "request body must be a JSON object");
        goto err;
    }
    for (it = json_object_iter(root); it != NULL; it = json_object_iter_next(root, it)) {
        slice key = slice_make(json_object_iter_key(it), json_object_iter_key_len(it));
        json_t *v = json_object_iter_value(it);

        for (i = 0; i < spec->nfields && !slice_eq_cstr(key, spec->fields[i].name); i++)
            ;
        if (i == spec->nfields) {
            api_error_set(err, 400, "unknown_field", key, "unknown member in request body");
            goto err;
        }
        if (!json_is_string(v)) {
            api_error_set(err, 400, "invalid_type", key, "%s must be a string", spec->fields[i].name);
            goto err;
        }
        if (req_check_value(&spec->fields[i], slice_make(json_string_value(v), json_string_length(v)), err) != 0)
            goto err;
        found[i] = v;
    }
    for (i = 0; i < spec->nfields; i++) {
        if (found[i] == NULL) {
            api_error_set(err, 400, "missing_field", slice_from_cstr(spec->fields[i].name), "%s is required",
                          spec->fields[i].name);
            goto err;
        }
    }
    for (i = 0; i < spec->nfields; i++) {
        size_t n = json_string_length(found[i]);
        char *copy = pool_strndup(p, json_string_value(found[i]), n);

        if (copy == NULL) {
            api_error_set(err, 500, "internal_error", slice_make(NULL, 0), "out of memory");
            goto err;
        }
        out[i] = slice_make(copy, n);
    }
    json_decref(root);
    return 0;

err:
    json_decref(root);
    return -1;
}

int req_parse_user(pool *p, slice body, req_user *out, api_error *err)
{
    slice f[2];

    if (req_parse(&req_user_spec, p, body, f, err) != 0)
        return -1;
    out->handle = f[0];
    out->display_name = f[1];
    return 0;
}

int req_parse_post(pool *p, slice body, req_text *out, api_error *err)
{
    return req_parse(&req_post_spec, p, body, &out->body, err);
}

int req_parse_comment(pool *p, slice body, req_text *out, api_error *err)
{
    return req_parse(&req_comment_spec, p, body, &out->body, err);
}

int req_parse_marker(pool *p, slice body, req_text *out, api_error *err)
{
    return req_parse(&req_marker_spec, p, body, &out->body, err);
}

/* Index of the first byte at or after i that is not JSON whitespace. */
static size_t req_skip_ws(slice s, size_t i)
{
    while (i < s.len && (s.base[i] == ' ' || s.base[i] == '\t' || s.base[i] == '\n' || s.base[i] == '\r'))
        i++;
    return i;
}

int req_parse_empty(slice body, api_error *err)
{
    static const req_spec none = {REQ_EMPTY_MAX_BYTES, 0, {{NULL, REQ_RULE_TEXT, 0}}};
    size_t i;
    pool scratch;
    int r;

    if (body.len > REQ_EMPTY_MAX_BYTES)
        return api_error_set(err, 413, "payload_too_large", slice_make(NULL, 0), "request body is over %d bytes",
                             REQ_EMPTY_MAX_BYTES);
    /* Nothing, or "{}", with whitespace around and between (RFC 8259's
     * whitespace only). */
    i = req_skip_ws(body, 0);
    if (i == body.len)
        return 0;
    if (body.base[i] == '{') {
        i = req_skip_ws(body, i + 1);
        if (i < body.len && body.base[i] == '}' && req_skip_ws(body, i + 1) == body.len)
            return 0;
    }
    /* Anything else: say why, as the other endpoints would. */
    pool_init(&scratch, 0);
    r = req_parse(&none, &scratch, body, NULL, err);
    pool_dispose(&scratch);
    if (r == 0) /* cannot happen: only {} has no member */
        return api_error_set(err, 400, "invalid_body", slice_make(NULL, 0), "this endpoint takes no request body");
    return -1;
}
