/* router.c: linear matching over pre-split patterns.
 *
 * A linear scan over the routes is O(routes x segments) per request; a
 * trie would make it O(segments), but the API has a few dozen routes at
 * most and the scan touches only memory that stays in cache. Revisit if
 * the route count grows by an order of magnitude.
 */
#include "api/src/server/router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/http/http_uri.h"

void router_init(router *r)
{
    r->routes = NULL;
    r->nroutes = 0;
    r->cap = 0;
}

static void router_route_free(router_route *rt)
{
    if (rt == NULL)
        return;
    free(rt->method);
    free(rt->pattern);
    free(rt);
}

void router_dispose(router *r)
{
    size_t i;

    for (i = 0; i < r->nroutes; i++)
        router_route_free(r->routes[i]);
    free(r->routes);
    router_init(r);
}

static char *router_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static int router_valid_name(slice name)
{
    size_t i;

    if (name.len == 0)
        return 0;
    for (i = 0; i < name.len; i++) {
        char c = name.base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Split rt->pattern into rt->segments. 0, or -1 for a bad pattern. */
static int router_compile(router_route *rt)
{
    const char *p = rt->pattern;
    size_t nparams = 0;

    if (p[0] != '/')
        return -1;
    p++;
    rt->nsegments = 0;
    if (*p == '\0')
        return 0; /* "/" has no segments */
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        router_segment *seg;

        if (rt->nsegments == ROUTER_MAX_SEGMENTS)
            return -1;
        seg = &rt->segments[rt->nsegments++];
        if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
            seg->text = slice_make(p + 1, n - 2);
            seg->is_param = 1;
            if (!router_valid_name(seg->text) || ++nparams > ROUTER_MAX_PARAMS)
                return -1;
        } else {
            seg->text = slice_make(p, n);
            seg->is_param = 0;
            if (memchr(p, '{', n) != NULL || memchr(p, '}', n) != NULL || memchr(p, '%', n) != NULL)
                return -1;
        }
        if (end == NULL)
            return 0;
        p = end + 1;
    }
}

int router_add(router *r, const char *method, const char *pattern, router_handler *h, void *data)
{
    router_route *rt;
    size_t i;

    if (method == NULL || method[0] == '\0' || pattern == NULL || h == NULL) {
        errno = EINVAL;
        return -1;
    }
    for (i = 0; i < r->nroutes; i++) {
        if (strcmp(r->routes[i]->method, method) == 0 && strcmp(r->routes[i]->pattern, pattern) == 0) {
            errno = EINVAL;
            return -1;
        }
    }
    if (r->nroutes == r->cap) {
        size_t cap = r->cap != 0 ? r->cap * 2 : 16;
        router_route **routes = realloc(r->routes, cap * sizeof(*routes));
        if (routes == NULL) {
            errno = ENOMEM;
            return -1;
        }
        r->routes = routes;
        r->cap = cap;
    }
    rt = calloc(1, sizeof(*rt));
    if (rt == NULL)
        goto nomem;
    rt->method = router_strdup(method);
    rt->pattern = router_strdup(pattern);
    if (rt->method == NULL || rt->pattern == NULL)
        goto nomem;
    if (router_compile(rt) != 0) {
        router_route_free(rt);
        errno = EINVAL;
        return -1;
    }
    rt->handler = h;
    rt->data = data;
    r->routes[r->nroutes++] = rt;
    return 0;

nomem:
    router_route_free(rt);
    errno = ENOMEM;
    return -1;
}

/* Split a raw path into segments; -1 when it is not a routable path or
 * has more segments than any route can have. */
static int router_split(slice path, slice *segs, size_t *nsegs)
{
    size_t i = 1, start = 1, n = 0;

    if (path.len == 0 || path.base[0] != '/')
        return -1;
    if (path.len == 1) {
        *nsegs = 0;
        return 0;
    }
    for (; i <= path.len; i++) {
        if (i == path.len || path.base[i] == '/') {
            if (n == ROUTER_MAX_SEGMENTS)
                return -1;
            segs[n++] = slice_make(path.base + start, i - start);
            start = i + 1;
        }
    }
    *nsegs = n;
    return 0;
}

static int router_shape_matches(const router_route *rt, const slice *segs, size_t nsegs)
{
    size_t i;

    if (rt->nsegments != nsegs)
        return 0;
    for (i = 0; i < nsegs; i++) {
        if (rt->segments[i].is_param) {
            if (segs[i].len == 0)
                return 0;
        } else if (!http_decoded_equals(segs[i], rt->segments[i].text, 0)) {
            return 0;
        }
    }
    return 1;
}

/* Add method to the Allow list unless it is there already. */
static void router_allow_add(char *allow, const char *method)
{
    size_t len = strlen(allow), mlen = strlen(method);
    const char *p = allow;

    while ((p = strstr(p, method)) != NULL) {
        if ((p == allow || p[-1] == ' ') && (p[mlen] == ',' || p[mlen] == '\0'))
            return;
        p += mlen;
    }
    if (len + (len != 0 ? 2 : 0) + mlen + 1 > ROUTER_ALLOW_MAX)
        return; /* cannot happen with real method names; stay bounded */
    snprintf(allow + len, ROUTER_ALLOW_MAX - len, "%s%s", len != 0 ? ", " : "", method);
}

static int router_bind_params(const router_route *rt, const slice *segs, pool *p, router_match *m)
{
    size_t i, n;
    char *out;

    m->nparams = 0;
    for (i = 0; i < rt->nsegments; i++) {
        if (!rt->segments[i].is_param)
            continue;
        out = pool_alloc(p, segs[i].len);
        if (out == NULL)
            return ROUTER_NO_MEMORY;
        if (http_path_decode(segs[i], out, segs[i].len, &n) != HTTP_URI_OK)
            return ROUTER_BAD_PATH;
        m->names[m->nparams] = rt->segments[i].text;
        m->values[m->nparams] = slice_make(out, n);
        m->nparams++;
    }
    return ROUTER_FOUND;
}

int router_find(const router *r, slice method, slice raw_path, pool *p, router_match *m)
{
    slice segs[ROUTER_MAX_SEGMENTS];
    const router_route *get_route = NULL;
    size_t nsegs, i;
    int any = 0, is_head = slice_eq_cstr(method, "HEAD");

    memset(m, 0, sizeof(*m));
    if (router_split(raw_path, segs, &nsegs) != 0)
        return ROUTER_NOT_FOUND;
    for (i = 0; i < r->nroutes; i++) {
        const router_route *rt = r->routes[i];
        if (!router_shape_matches(rt, segs, nsegs))
            continue;
        any = 1;
        if (slice_eq_cstr(method, rt->method)) {
            m->route = rt;
            return router_bind_params(rt, segs, p, m);
        }
        if (is_head && get_route == NULL && strcmp(rt->method, "GET") == 0)
            get_route = rt;
        router_allow_add(m->allow, rt->method);
        if (strcmp(rt->method, "GET") == 0)
            router_allow_add(m->allow, "HEAD");
    }
    if (get_route != NULL) {
        m->route = get_route;
        m->head_as_get = 1;
        m->allow[0] = '\0';
        return router_bind_params(get_route, segs, p, m);
    }
    return any ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

size_t router_count(const router *r)
{
    return r->nroutes;
}

const router_route *router_route_at(const router *r, size_t i)
{
    return i < r->nroutes ? r->routes[i] : NULL;
}

slice router_match_param(const router_match *m, const char *name)
{
    slice none = {NULL, 0};
    size_t i;

    for (i = 0; i < m->nparams; i++) {
        if (slice_eq_cstr(m->names[i], name))
            return m->values[i];
    }
    return none;
}
