/* fuzz_request_body.c: libFuzzer target for the write-endpoint bodies
 * and the paging query.
 *
 * The first byte picks the endpoint (user, post, comment, empty body,
 * page query); the rest is the body or query string. Accepted output
 * must keep the promises of request_body.h (valid UTF-8, no NUL, lengths
 * in code points within bounds, the handle's alphabet; page limits in
 * range); every refusal must carry a known code and status, and its JSON
 * error body must parse back (with jansson) to the same code and field,
 * which is what proves that no client byte can break the error body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/src/wire/page_query.h"
#include "api/src/wire/request_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static const char fuzz_secret[] = "fuzzing secret, 32 bytes long..";

/* 1 when s is valid UTF-8 without surrogates or overlong forms. */
static int utf8_valid(slice s)
{
    size_t i = 0;

    while (i < s.len) {
        unsigned char c = (unsigned char)s.base[i];
        size_t n, k;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        if (i + n >= s.len)
            return 0;
        for (k = 1; k <= n; k++) {
            unsigned char d = (unsigned char)s.base[i + k];
            if ((d & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (d & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

static void check_text(slice s, size_t max_chars)
{
    CHECK(s.base != NULL && s.base[s.len] == '\0');
    CHECK(memchr(s.base, '\0', s.len) == NULL);
    CHECK(utf8_valid(s));
    CHECK(req_utf8_count(s) >= 1 && req_utf8_count(s) <= max_chars);
}

static void check_error(const api_error *e)
{
    static const char *const codes[] = {"payload_too_large", "invalid_json",   "invalid_body",
                                        "unknown_field",     "invalid_type",   "invalid_value",
                                        "missing_field",     "invalid_cursor", "internal_error"};
    buf b;
    json_t *root, *err, *field;
    size_t i;

    CHECK(e->code != NULL);
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]) && strcmp(codes[i], e->code) != 0; i++)
        ;
    CHECK(i < sizeof(codes) / sizeof(codes[0]));
    CHECK(e->status == 400 || e->status == 413 || e->status == 500);
    CHECK(e->field_len <= API_ERROR_FIELD_MAX && e->field[e->field_len] == '\0');
    CHECK(utf8_valid(slice_make(e->field, e->field_len)));
    buf_init(&b, 0);
    CHECK(api_error_body(&b, e) == 0);
    root = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    CHECK(root != NULL);
    err = json_object_get(root, "error");
    CHECK(err != NULL && json_is_string(json_object_get(err, "code")));
    CHECK(strcmp(json_string_value(json_object_get(err, "code")), e->code) == 0);
    CHECK(json_is_string(json_object_get(err, "message")));
    field = json_object_get(err, "field");
    if (e->field_len == 0) {
        CHECK(field == NULL);
    } else {
        CHECK(json_is_string(field) && json_string_length(field) == e->field_len);
        CHECK(memcmp(json_string_value(field), e->field, e->field_len) == 0);
    }
    json_decref(root);
    buf_dispose(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cursor_key key;
    static int ready;
    slice body;
    api_error e;
    pool p;
    int r = 0;

    if (!ready) {
        CHECK(cursor_key_init(&key, fuzz_secret, strlen(fuzz_secret)) == 0);
        ready = 1;
    }
    if (size == 0)
        return 0;
    body = slice_make(data + 1, size - 1);
    memset(&e, 0, sizeof(e));
    pool_init(&p, 0);
    switch (data[0] % 5) {
    case 0: {
        req_user u;
        r = req_parse_user(&p, body, &u, &e);
        if (r == 0) {
            size_t i;
            check_text(u.handle, REQ_HANDLE_MAX);
            for (i = 0; i < u.handle.len; i++) {
                char c = u.handle.base[i];
                CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
            }
            check_text(u.display_name, REQ_DISPLAY_NAME_MAX);
        }
        break;
    }
    case 1: {
        req_text t;
        r = req_parse_post(&p, body, &t, &e);
        if (r == 0)
            check_text(t.body, REQ_POST_BODY_MAX);
        break;
    }
    case 2: {
        req_text t;
        r = req_parse_comment(&p, body, &t, &e);
        if (r == 0)
            check_text(t.body, REQ_COMMENT_BODY_MAX);
        break;
    }
    case 3: r = req_parse_empty(body, &e); break;
    default: {
        page_query pq;
        r = page_query_parse(body, &key, FEED_HOME, 7, &pq, &e);
        if (r == 0)
            CHECK(pq.limit >= 1 && pq.limit <= PAGE_LIMIT_MAX);
        break;
    }
    }
    CHECK(r == 0 || r == -1);
    if (r != 0)
        check_error(&e);
    pool_dispose(&p);
    return 0;
}
