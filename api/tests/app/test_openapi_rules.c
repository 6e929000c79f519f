/* test_openapi_rules.c: api/openapi.json and the server's validation agree.
 *
 * A generated client or a fuzzer trusts the description: a value its
 * schema admits must be accepted by the server, and one it refuses must
 * be refused. This test reads the schemas from the document (FEED_OPENAPI,
 * else api/openapi.json) and, for many probe values, compares what the
 * schema admits (pattern compiled with PCRE2 with ECMAScript's \uXXXX and
 * its '$' that matches only at the very end, as OpenAPI patterns are
 * ECMA-262; minLength/maxLength counted in code points; integer bounds) with what the server's own validators say:
 *   - the path id            vs endpoint_parse_id
 *   - display_name, handle   vs req_parse_user
 *   - post and comment body  vs req_parse_post, req_parse_comment
 *   - Idempotency-Key        vs idem_key_valid
 *   - limit                  vs page_query_parse
 * Probes: every code point from U+0000 to U+02FF and a set of higher
 * ones (line separators, BOM, the last code point), lengths at and past
 * each bound, ids around 2^63-1 and 20,000 random ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "api/src/base/pool.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/idempotency.h"
#include "api/src/wire/page_query.h"
#include "api/src/wire/request_body.h"

/* One string schema of the document: its pattern (compiled) and bounds. */
typedef struct rule_schema {
    pcre2_code *re;          /* NULL when the schema has no pattern */
    pcre2_match_data *match; /* for re */
    long min_len;            /* code points; 0 when absent */
    long max_len;            /* code points; -1 when absent */
} rule_schema;

static json_t *doc;
static pool p;

static json_t *rule_load_doc(void)
{
    const char *path = getenv("FEED_OPENAPI");
    json_error_t err;
    json_t *d;

    if (path == NULL || *path == '\0')
        path = "api/openapi.json";
    d = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (d == NULL)
        fail_msg("%s:%d: %s", path, err.line, err.text);
    return d;
}

/* The node at a path of object keys, failing the test when absent. */
static json_t *rule_node(const char *const *keys)
{
    json_t *node = doc;
    size_t i;

    for (i = 0; keys[i] != NULL; i++) {
        node = json_object_get(node, keys[i]);
        if (node == NULL)
            fail_msg("api/openapi.json has no %s (step %zu)", keys[i], i);
    }
    return node;
}

/* Compile the schema at keys into r. The schema must have a pattern. */
static void rule_schema_init(rule_schema *r, const char *const *keys)
{
    json_t *schema = rule_node(keys);
    json_t *pattern = json_object_get(schema, "pattern");
    int errcode;
    PCRE2_SIZE erroff;

    size_t last = 0;

    while (keys[last + 1] != NULL)
        last++;
    memset(r, 0, sizeof(*r));
    r->max_len = -1;
    if (!json_is_string(pattern))
        fail_msg("schema %s.%s has no pattern", keys[last - 1], keys[last]);
    r->re = pcre2_compile((PCRE2_SPTR)json_string_value(pattern), PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY, &errcode, &erroff, NULL);
    if (r->re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        fail_msg("pattern of %s does not compile at %zu: %s", keys[last], (size_t)erroff, msg);
    }
    r->match = pcre2_match_data_create_from_pattern(r->re, NULL);
    assert_non_null(r->match);
    if (json_is_integer(json_object_get(schema, "minLength")))
        r->min_len = (long)json_integer_value(json_object_get(schema, "minLength"));
    if (json_is_integer(json_object_get(schema, "maxLength")))
        r->max_len = (long)json_integer_value(json_object_get(schema, "maxLength"));
}

static void rule_schema_free(rule_schema *r)
{
    pcre2_match_data_free(r->match);
    pcre2_code_free(r->re);
}

/* 1 when the schema admits the UTF-8 string s of n bytes. */
static int rule_admits(const rule_schema *r, const char *s, size_t n)
{
    long chars = (long)req_utf8_count(slice_make(s, n));
    int rc;

    if (chars < r->min_len || (r->max_len >= 0 && chars > r->max_len))
        return 0;
    rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, 0, 0, r->match, NULL);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
        fail_msg("pcre2_match failed: %d", rc);
    return rc >= 0;
}

/* Append code point cp to text as UTF-8; returns the new length. */
static size_t rule_put_utf8(char *text, size_t n, uint32_t cp)
{
    if (cp < 0x80) {
        text[n++] = (char)cp;
    } else if (cp < 0x800) {
        text[n++] = (char)(0xc0 | (cp >> 6));
        text[n++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        text[n++] = (char)(0xe0 | (cp >> 12));
        text[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        text[n++] = (char)(0x80 | (cp & 0x3f));
    } else {
        text[n++] = (char)(0xf0 | (cp >> 18));
        text[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        text[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        text[n++] = (char)(0x80 | (cp & 0x3f));
    }
    return n;
}

/* The body {"<member>": <value as a JSON string>} and any fixed members
 * before it, for the server's parsers. Caller frees. */
static char *rule_body(const char *prefix, const char *member, const char *value, size_t n)
{
    json_t *str = json_stringn(value, n);
    char *enc, *out;
    size_t len;

    assert_non_null(str);
    enc = json_dumps(str, JSON_ENCODE_ANY);
    assert_non_null(enc);
    len = strlen(prefix) + strlen(member) + strlen(enc) + 8;
    out = malloc(len);
    assert_non_null(out);
    snprintf(out, len, "{%s\"%s\":%s}", prefix, member, enc);
    free(enc);
    json_decref(str);
    return out;
}

/* The text fields the server validates, each with the body it sits in. */
typedef enum rule_field { RULE_DISPLAY_NAME, RULE_HANDLE, RULE_POST_BODY, RULE_COMMENT_BODY } rule_field;

/* 1 when the server's parser accepts value (n bytes) in field. */
static int server_accepts(rule_field field, const char *value, size_t n)
{
    static const char *const prefix[] = {"\"handle\":\"probe\",", "\"display_name\":\"Probe\",", "", ""};
    static const char *const member[] = {"display_name", "handle", "body", "body"};
    char *body = rule_body(prefix[field], member[field], value, n);
    slice s = slice_make(body, strlen(body));
    req_user u;
    req_text t;
    api_error e;
    int rc;

    switch (field) {
    case RULE_DISPLAY_NAME:
    case RULE_HANDLE: rc = req_parse_user(&p, s, &u, &e); break;
    case RULE_POST_BODY: rc = req_parse_post(&p, s, &t, &e); break;
    default: rc = req_parse_comment(&p, s, &t, &e); break;
    }
    free(body);
    pool_dispose(&p);
    pool_init(&p, 4096);
    return rc == 0;
}

/* Compare schema and server on one value; on disagreement, fail naming it. */
static void rule_agree(const char *what, const rule_schema *r, rule_field field, const char *value, size_t n,
                       uint32_t cp)
{
    int spec = rule_admits(r, value, n);
    int srv = server_accepts(field, value, n);

    if (spec != srv)
        fail_msg("%s: U+%04X in a %zu-byte value: the spec %s it, the server %s it", what, cp, n,
                 spec ? "admits" : "refuses", srv ? "accepts" : "refuses");
}

/* Every code point of U+0000..U+02FF and some above, between two letters
 * and alone; then values at and past the length bounds. */
static void rule_probe_text(const char *what, const rule_schema *r, rule_field field, long max_chars)
{
    static const uint32_t high[] = {0x0300, 0x061c, 0x200b, 0x200e, 0x2028,  0x2029,  0x202e,
                                    0x3000, 0xfeff, 0xfffd, 0xffff, 0x1f600, 0x10ffff};
    char text[16];
    size_t n, i;
    uint32_t cp;
    long len;
    char *big;

    for (cp = 0; cp < 0x300 + sizeof(high) / sizeof(high[0]); cp++) {
        uint32_t c = cp < 0x300 ? cp : high[cp - 0x300];
        n = rule_put_utf8(text, 0, 'a');
        n = rule_put_utf8(text, n, c);
        n = rule_put_utf8(text, n, 'b');
        rule_agree(what, r, field, text, n, c);
        n = rule_put_utf8(text, 0, c);
        rule_agree(what, r, field, text, n, c);
    }
    rule_agree(what, r, field, "", 0, 0);
    big = malloc((size_t)(max_chars + 2) * 2);
    assert_non_null(big);
    for (len = max_chars - 1; len <= max_chars + 1; len++) {
        for (n = 0, i = 0; i < (size_t)len; i++)
            n = rule_put_utf8(big, n, 0xe9); /* two bytes each: counts code points, not bytes */
        rule_agree(what, r, field, big, n, 0xe9);
    }
    free(big);
}

static void test_text_fields_agree(void **state)
{
    static const char *const name_keys[] = {"components", "schemas", "NewUser", "properties", "display_name", NULL};
    static const char *const post_keys[] = {"components", "schemas", "PostText", "properties", "body", NULL};
    static const char *const comment_keys[] = {"components", "schemas", "CommentText", "properties", "body", NULL};
    rule_schema name, post, comment;

    (void)state;
    rule_schema_init(&name, name_keys);
    rule_schema_init(&post, post_keys);
    rule_schema_init(&comment, comment_keys);
    rule_probe_text("display_name", &name, RULE_DISPLAY_NAME, REQ_DISPLAY_NAME_MAX);
    rule_probe_text("post body", &post, RULE_POST_BODY, REQ_POST_BODY_MAX);
    rule_probe_text("comment body", &comment, RULE_COMMENT_BODY, REQ_COMMENT_BODY_MAX);
    /* the rules really differ where they should: tab is text, not a name */
    assert_false(rule_admits(&name, "a\tb", 3));
    assert_true(rule_admits(&post, "a\tb", 3));
    assert_false(rule_admits(&post, "a\xc2\x85", 3)); /* U+0085, C1 */
    rule_schema_free(&name);
    rule_schema_free(&post);
    rule_schema_free(&comment);
}

static void test_handle_agrees(void **state)
{
    static const char *const keys[] = {"components", "schemas", "NewUser", "properties", "handle", NULL};
    rule_schema handle;

    (void)state;
    rule_schema_init(&handle, keys);
    rule_probe_text("handle", &handle, RULE_HANDLE, REQ_HANDLE_MAX);
    rule_schema_free(&handle);
}

static void rule_id_agree(const rule_schema *r, const char *s)
{
    int64_t id;
    int spec = rule_admits(r, s, strlen(s));
    int srv = endpoint_parse_id(slice_make(s, strlen(s)), &id) == 0;

    if (spec != srv)
        fail_msg("path id \"%s\": the spec %s it, the server %s it", s, spec ? "admits" : "refuses",
                 srv ? "accepts" : "refuses");
}

static void test_path_id_agrees(void **state)
{
    static const char *const keys[] = {"components", "parameters", "Id", "schema", NULL};
    static const char *const fixed[] = {"1",
                                        "9",
                                        "10",
                                        "0",
                                        "00",
                                        "01",
                                        "-1",
                                        "+1",
                                        " 1",
                                        "1 ",
                                        "1e3",
                                        "0x10",
                                        "",
                                        "999999999999999999",
                                        "1000000000000000000",
                                        "9223372036854775806",
                                        "9223372036854775807",
                                        "9223372036854775808",
                                        "9223372036854775809",
                                        "9223372036854775810",
                                        "9223372036854775817",
                                        "9223372036854775900",
                                        "9223372036854776807",
                                        "9300000000000000000",
                                        "9999999999999999999",
                                        "10000000000000000000",
                                        "18446744073709551615",
                                        "18446744073709551616",
                                        "99999999999999999999"};
    rule_schema id;
    char text[32];
    size_t i;

    (void)state;
    rule_schema_init(&id, keys);
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        rule_id_agree(&id, fixed[i]);
    srand(20261207);
    for (i = 0; i < 20000; i++) {
        /* random values of every width up to 20 digits, many near 2^63 */
        uint64_t v = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
        int digits = 1 + (int)(i % 20);
        snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
        if ((int)strlen(text) > digits)
            text[digits] = '\0';
        if (i % 7 == 0)
            snprintf(text, sizeof(text), "%llu",
                     (unsigned long long)((uint64_t)INT64_MAX - 5000 + (uint64_t)(rand() % 10000)));
        rule_id_agree(&id, text);
    }
    rule_schema_free(&id);
}

static void test_idempotency_key_agrees(void **state)
{
    static const char *const keys[] = {"components", "parameters", "IdempotencyKey", "schema", NULL};
    rule_schema key;
    char text[300];
    unsigned c;
    size_t n;

    (void)state;
    rule_schema_init(&key, keys);
    for (c = 1; c < 256; c++) {
        text[0] = 'k';
        text[1] = (char)c;
        /* header bytes, not code points: only ASCII reaches the pattern */
        if (c < 0x80) {
            int spec = rule_admits(&key, text, 2);
            int srv = idem_key_valid(slice_make(text, 2));
            if (spec != srv)
                fail_msg("Idempotency-Key byte 0x%02x: spec %d, server %d", c, spec, srv);
        } else {
            assert_false(idem_key_valid(slice_make(text, 2)));
        }
    }
    for (n = 0; n <= 256; n += (n < 3 || n > 250) ? 1 : 50) {
        int spec, srv;
        memset(text, 'k', n);
        spec = rule_admits(&key, text, n);
        srv = idem_key_valid(slice_make(text, n));
        if (spec != srv)
            fail_msg("Idempotency-Key of %zu bytes: spec %d, server %d", n, spec, srv);
    }
    rule_schema_free(&key);
}

static void test_limit_agrees(void **state)
{
    static const char *const keys[] = {"components", "parameters", "Limit", "schema", NULL};
    static const long long probes[] = {-1,  0,    1,        2,         20,         99,          100,
                                       101, 1000, 99999999, 999999999, 1000000000, 9999999999LL};
    json_t *schema = rule_node(keys);
    long long min = json_integer_value(json_object_get(schema, "minimum"));
    long long max = json_integer_value(json_object_get(schema, "maximum"));
    cursor_key ckey;
    char query[64];
    size_t i;

    (void)state;
    assert_true(json_is_integer(json_object_get(schema, "maximum")));
    memset(&ckey, 0x5a, sizeof(ckey));
    for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        page_query q;
        api_error e;
        int spec = probes[i] >= min && probes[i] <= max;
        int srv;
        snprintf(query, sizeof(query), "limit=%lld", probes[i]);
        srv = page_query_parse(slice_make(query, strlen(query)), &ckey, FEED_HOME, 1, &q, &e) == 0;
        if (spec != srv)
            fail_msg("limit=%lld: spec %d, server %d", probes[i], spec, srv);
    }
}

static int rule_setup(void **state)
{
    (void)state;
    doc = rule_load_doc();
    pool_init(&p, 4096);
    return 0;
}

static int rule_teardown(void **state)
{
    (void)state;
    pool_dispose(&p);
    json_decref(doc);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_fields_agree), cmocka_unit_test(test_handle_agrees),
        cmocka_unit_test(test_path_id_agrees),    cmocka_unit_test(test_idempotency_key_agrees),
        cmocka_unit_test(test_limit_agrees),
    };
    return cmocka_run_group_tests(tests, rule_setup, rule_teardown);
}
