/* router.h: route a request by method and path pattern.
 *
 * Patterns are literal segments and whole-segment parameters:
 *
 *     router_add(&r, "GET", "/v1/users/{id}/feed/home", feed_home, ctx);
 *
 * Matching splits the raw path on '/' first and percent-decodes each
 * segment after, so "%2F" inside a parameter is a slash in its value and
 * never a separator. Literal segments match their decoded form; a
 * parameter matches any non-empty segment. No trailing-slash folding:
 * "/healthz/" is not "/healthz".
 *
 * HEAD is served by the GET route of a path unless a HEAD route exists
 * (the server then sends the headers without the body). A path that
 * matches under other methods gives ROUTER_METHOD_NOT_ALLOWED with the
 * Allow list filled in.
 *
 * The router is built before the worker threads start and is read-only
 * afterwards, so all threads share one. It owns copies of the method and
 * pattern strings; handler data is not owned.
 */
#ifndef API_SERVER_ROUTER_H
#define API_SERVER_ROUTER_H

#include <stddef.h>

#include "api/src/base/pool.h"
#include "api/src/base/slice.h"

#define ROUTER_MAX_PARAMS 8
#define ROUTER_MAX_SEGMENTS 32
#define ROUTER_ALLOW_MAX 96

struct http_request;

/* A handler answers with http_request_respond, now or later. */
typedef void router_handler(struct http_request *req, void *data);

typedef struct router_segment {
    slice text; /* literal text, or the parameter name without braces */
    int is_param;
} router_segment;

typedef struct router_route {
    char *method;  /* owned */
    char *pattern; /* owned; segments point into it */
    router_segment segments[ROUTER_MAX_SEGMENTS];
    size_t nsegments;
    router_handler *handler;
    void *data; /* not owned */
} router_route;

typedef struct router {
    router_route **routes; /* owned, in registration order */
    size_t nroutes;
    size_t cap;
} router;

enum {
    ROUTER_FOUND = 0,
    ROUTER_NOT_FOUND = -1,          /* 404 */
    ROUTER_METHOD_NOT_ALLOWED = -2, /* 405, see router_match.allow */
    ROUTER_BAD_PATH = -3,           /* 400: a parameter is not valid percent-encoding */
    ROUTER_NO_MEMORY = -4           /* 500: the pool could not hold a parameter */
};

typedef struct router_match {
    const router_route *route;
    int head_as_get; /* HEAD served by a GET route */
    size_t nparams;
    slice names[ROUTER_MAX_PARAMS];  /* into the route's pattern */
    slice values[ROUTER_MAX_PARAMS]; /* decoded, in the caller's pool */
    char allow[ROUTER_ALLOW_MAX];    /* with METHOD_NOT_ALLOWED: "GET, HEAD" */
} router_match;

void router_init(router *r);
void router_dispose(router *r);

/* Register a route. 0, or -1 with errno EINVAL (pattern not starting
 * with '/', a brace that is not a whole "{name}" segment, a name not of
 * [A-Za-z0-9_], more than ROUTER_MAX_PARAMS parameters or
 * ROUTER_MAX_SEGMENTS segments, or the same method and pattern twice),
 * or ENOMEM. */
int router_add(router *r, const char *method, const char *pattern, router_handler *h, void *data);

/* Find the route for method and raw (undecoded) path. Parameter values
 * are decoded into pool p. Returns ROUTER_FOUND or a negative code. */
int router_find(const router *r, slice method, slice raw_path, pool *p, router_match *m);

/* The routes in registration order, for listings (the OpenAPI test
 * checks the documented routes against these): router_count of them,
 * router_route_at(r, i) for i below it (NULL past the end). The route's
 * method and pattern are as given to router_add. */
size_t router_count(const router *r);
const router_route *router_route_at(const router *r, size_t i);

/* A decoded parameter by name; an empty slice with NULL base if absent. */
slice router_match_param(const router_match *m, const char *name);

#endif
