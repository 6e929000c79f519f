/* test_openapi.c: api/openapi.json describes the server that runs.
 *
 * Loads the document (FEED_OPENAPI, else api/openapi.json from the
 * repository's top folder, where the tests run) and checks
 *   - its structure: OpenAPI 3.0.x, info, paths, every operation with
 *     an operationId (unique) and a non-empty responses object, every
 *     {param} of a path template declared as a path parameter;
 *   - that every "$ref" anywhere resolves to a node of the document;
 *   - that every POST takes the Idempotency-Key header;
 *   - that the set of (method, path template) equals the set of routes
 *     feed-api registers (app_routes_register): a route added without
 *     being documented, or documented without being served, fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/src/app/routes.h"
#include "api/src/server/router.h"

static const char *const oa_methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
#define OA_NMETHODS (sizeof(oa_methods) / sizeof(oa_methods[0]))

static json_t *oa_load(void)
{
    const char *path = getenv("FEED_OPENAPI");
    json_error_t err;
    json_t *doc;

    if (path == NULL || *path == '\0')
        path = "api/openapi.json";
    doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (doc == NULL)
        fail_msg("%s:%d: %s", path, err.line, err.text);
    return doc;
}

/* The node a local reference "#/a/b~1c" names, or NULL. */
static json_t *oa_resolve(json_t *doc, const char *ref)
{
    char token[256];
    json_t *node = doc;
    const char *p;

    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    p = ref + 2;
    while (node != NULL && *p != '\0') {
        size_t n = 0;
        while (*p != '\0' && *p != '/' && n + 1 < sizeof(token)) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                token[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else {
                token[n++] = *p++;
            }
        }
        token[n] = '\0';
        if (*p == '/')
            p++;
        node = json_is_object(node) ? json_object_get(node, token) : NULL;
    }
    return node;
}

/* An object that may be a {"$ref": ...}: the object it stands for. */
static json_t *oa_deref(json_t *doc, json_t *node)
{
    json_t *ref = json_object_get(node, "$ref");

    return json_is_string(ref) ? oa_resolve(doc, json_string_value(ref)) : node;
}

/* Count "$ref"s under node, failing on one that does not resolve. */
static int oa_check_refs(json_t *doc, json_t *node)
{
    const char *key;
    json_t *v;
    size_t i;
    int n = 0;

    if (json_is_object(node)) {
        json_object_foreach(node, key, v)
        {
            if (strcmp(key, "$ref") == 0) {
                assert_true(json_is_string(v));
                if (oa_resolve(doc, json_string_value(v)) == NULL)
                    fail_msg("unresolved $ref %s", json_string_value(v));
                n++;
            } else {
                n += oa_check_refs(doc, v);
            }
        }
    } else if (json_is_array(node)) {
        json_array_foreach(node, i, v) n += oa_check_refs(doc, v);
    }
    return n;
}

static void test_structure(void **state)
{
    json_t *doc = oa_load(), *paths, *ops;
    const char *version;

    (void)state;
    version = json_string_value(json_object_get(doc, "openapi"));
    assert_non_null(version);
    assert_int_equal(strncmp(version, "3.0.", 4), 0);
    assert_true(json_is_string(json_object_get(json_object_get(doc, "info"), "title")));
    assert_true(json_is_string(json_object_get(json_object_get(doc, "info"), "version")));
    assert_non_null(
        json_object_get(json_object_get(json_object_get(doc, "components"), "securitySchemes"), "bearerAuth"));
    assert_non_null(json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Error"));
    paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths) && json_object_size(paths) > 0);
    ops = json_object();
    {
        const char *path;
        json_t *item;
        json_object_foreach(paths, path, item)
        {
            size_t m;
            assert_int_equal(path[0], '/');
            for (m = 0; m < OA_NMETHODS; m++) {
                json_t *op = json_object_get(item, oa_methods[m]), *resp;
                const char *id;
                if (op == NULL)
                    continue;
                resp = json_object_get(op, "responses");
                if (!json_is_object(resp) || json_object_size(resp) == 0)
                    fail_msg("%s %s has no responses", oa_methods[m], path);
                id = json_string_value(json_object_get(op, "operationId"));
                if (id == NULL || json_object_get(ops, id) != NULL)
                    fail_msg("%s %s: missing or duplicate operationId", oa_methods[m], path);
                json_object_set_new(ops, id, json_true());
            }
        }
    }
    json_decref(ops);
    json_decref(doc);
}

static void test_refs_resolve(void **state)
{
    json_t *doc = oa_load();

    (void)state;
    assert_true(oa_check_refs(doc, doc) > 20);
    assert_null(oa_resolve(doc, "#/components/schemas/NoSuchThing"));
    assert_null(oa_resolve(doc, "other.json#/x"));
    json_decref(doc);
}

/* 1 when the parameter list (path item's or operation's) declares
 * name in where ("path", "header"). */
static int oa_declares(json_t *doc, json_t *params, const char *where, const char *name)
{
    json_t *p;
    size_t i;

    json_array_foreach(params, i, p)
    {
        json_t *d = oa_deref(doc, p);
        if (d != NULL && strcmp(json_string_value(json_object_get(d, "in")), where) == 0 &&
            strcasecmp(json_string_value(json_object_get(d, "name")), name) == 0)
            return 1;
    }
    return 0;
}

/* Every {x} of every template is a declared path parameter; every POST
 * declares Idempotency-Key. */
static void test_parameters(void **state)
{
    json_t *doc = oa_load(), *item;
    const char *path;

    (void)state;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        json_t *common = json_object_get(item, "parameters"), *post = json_object_get(item, "post");
        size_t m;
        for (m = 0; m < OA_NMETHODS; m++) {
            json_t *op = json_object_get(item, oa_methods[m]);
            const char *p = path;
            if (op == NULL)
                continue;
            while ((p = strchr(p, '{')) != NULL) {
                char name[64];
                const char *end = strchr(p, '}');
                assert_non_null(end);
                snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
                if (!oa_declares(doc, common, "path", name) &&
                    !oa_declares(doc, json_object_get(op, "parameters"), "path", name))
                    fail_msg("%s %s: path parameter %s not declared", oa_methods[m], path, name);
                p = end;
            }
        }
        if (post != NULL && !oa_declares(doc, json_object_get(post, "parameters"), "header", "Idempotency-Key"))
            fail_msg("POST %s does not take Idempotency-Key", path);
    }
    json_decref(doc);
}

/* "GET /v1/users/{id}" keys of the documented operations. */
static json_t *oa_documented(json_t *doc)
{
    json_t *set = json_object(), *item;
    const char *path;
    char key[512];

    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        size_t m, i;
        for (m = 0; m < OA_NMETHODS; m++) {
            if (json_object_get(item, oa_methods[m]) == NULL)
                continue;
            snprintf(key, sizeof(key), "%s %s", oa_methods[m], path);
            for (i = 0; key[i] != ' '; i++)
                key[i] = (char)(key[i] - 'a' + 'A');
            json_object_set_new(set, key, json_true());
        }
    }
    return set;
}

static void test_documents_every_route(void **state)
{
    json_t *doc = oa_load(), *documented = oa_documented(doc), *served = json_object(), *v;
    const char *key;
    char k[512];
    router r;
    size_t i;
    int missing = 0;

    (void)state;
    router_init(&r);
    assert_int_equal(app_routes_register(&r), 0);
    assert_true(router_count(&r) > 0);
    for (i = 0; i < router_count(&r); i++) {
        const router_route *rt = router_route_at(&r, i);
        snprintf(k, sizeof(k), "%s %s", rt->method, rt->pattern);
        json_object_set_new(served, k, json_true());
        if (json_object_get(documented, k) == NULL) {
            print_error("served but not in api/openapi.json: %s\n", k);
            missing++;
        }
    }
    json_object_foreach(documented, key, v)
    {
        if (json_object_get(served, key) == NULL) {
            print_error("in api/openapi.json but not served: %s\n", key);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
    router_dispose(&r);
    json_decref(served);
    json_decref(documented);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_refs_resolve),
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_documents_every_route),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
