/* feeds.c: the three feed reads (handlers.h); the page itself is
 * read/feed_read.h's, or home_sql.h's for the home feed when the server
 * runs with --home-source=sql (the benchmark's naive baseline).
 *
 * The first page (no cursor) of home and notifications also carries the
 * exact unseen counts after the user's read marker (read/unseen.h):
 *
 *   {"items":[...],"next_cursor":...,"unseen":{"items":N,"activities":M}}
 *
 * Notifications: read before the page, one primary-key lookup of the
 * marker in PostgreSQL, then one COUNT over the feed's Cassandra
 * partition past it. Home: the marker and the page (merged with the
 * hot accounts followed) at once; when the page reaches the marker (an item at
 * or before it, or the feed's end) the items on it newer than the marker
 * are the count, exact and free; only a reader with a page or more
 * unseen pays for the counts in Cassandra (read/unseen.h), which are the
 * served home's too. Later pages (a cursor) have no "unseen": a client scrolling down has
 * the counts already, and the streams send them as they change; so a
 * page costs the counts once per opening of the feed, not per scroll.
 * "unseen":null when they could not be read (a store down): the page is
 * still served, from whatever can serve it. */
#include "api/src/handlers/handlers.h"

#include <string.h>

#include "api/src/app/worker.h"
#include "api/src/handlers/authn.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/home_sql.h"
#include "api/src/handlers/json_out.h"
#include "api/src/read/feed_read.h"
#include "api/src/read/unseen.h"
#include "api/src/wire/page_query.h"

typedef struct first_page {
    http_request *req;
    page_query q;
    unseen_req u; /* w, kind, uid */
} first_page;

static void first_page_on_counts(unseen_req *u)
{
    first_page *fp = u->data;
    buf b;
    char *extra;

    buf_init(&b, 0);
    if (unseen_json_member(&b, u) != 0 || (extra = pool_strndup(http_request_pool(fp->req), b.data, b.len)) == NULL) {
        buf_dispose(&b);
        http_request_respond_error(fp->req, 500, "internal", "out of memory");
        return;
    }
    feed_read_serve(fp->req, u->w, u->kind, u->uid, &fp->q, slice_make(extra, b.len));
    buf_dispose(&b);
}

/* Home: the marker and the page at once (two stores, no reason to wait
 * for one before asking the other), then the counts from the page when it
 * reaches the marker, else from Cassandra. */
typedef struct home_first_page {
    http_request *req;
    page_query q;
    unseen_req u;
    int pending;           /* the marker and the page in flight */
    feed_read_status page; /* the page's status: FEED_READ_OK or why not */
    metric_store store;    /* ... the store that failed */
    const char *message;   /* ... and why (static text) */
    slice items;           /* the page, kept while Cassandra counts: the request's pool */
    feed_ref *refs;        /* nitems positions of the page's items */
    int nitems;
    feed_ref *next; /* NULL: the feed ended */
} home_first_page;

static void home_first_respond(home_first_page *hp)
{
    buf b;
    char *extra;

    buf_init(&b, 0);
    if (unseen_json_member(&b, &hp->u) != 0 ||
        (extra = pool_strndup(http_request_pool(hp->req), b.data, b.len)) == NULL) {
        buf_dispose(&b);
        http_request_respond_error(hp->req, 500, "internal", "out of memory");
        return;
    }
    feed_read_respond(hp->req, hp->u.w, FEED_HOME, hp->u.uid, hp->items, hp->next, slice_make(extra, b.len));
    buf_dispose(&b);
}

static void home_first_on_counts(unseen_req *u)
{
    home_first_respond(u->data);
}

/* Both the marker and the page are in. */
static void home_first_decide(home_first_page *hp)
{
    int newer = 0;

    if (hp->page == FEED_READ_UNAVAILABLE) {
        endpoint_unavailable(hp->req, hp->u.w, hp->store, "store_unavailable", hp->message);
        return;
    }
    if (hp->page != FEED_READ_OK) {
        http_request_respond_error(hp->req, 500, "internal", hp->message);
        return;
    }
    if (hp->u.status != UNSEEN_OK) { /* the marker could not be read: "unseen":null */
        home_first_respond(hp);
        return;
    }
    while (newer < hp->nitems && (!hp->u.has_marker || feed_ref_cmp(&hp->refs[newer], &hp->u.marker) < 0))
        newer++;
    if (newer < hp->nitems || hp->next == NULL) { /* the page reaches the marker */
        hp->u.counts.items = hp->u.counts.activities = newer;
        home_first_respond(hp);
        return;
    }
    hp->u.done = home_first_on_counts;
    unseen_count(&hp->u);
}

static void home_first_arrived(home_first_page *hp)
{
    if (--hp->pending == 0)
        home_first_decide(hp);
}

static void home_first_on_page(const feed_read_result *r, void *data)
{
    home_first_page *hp = data;
    pool *p = http_request_pool(hp->req);

    hp->page = r->status;
    hp->store = r->store;
    hp->message = r->message;
    if (r->status == FEED_READ_OK) {
        /* r lives during this call only: keep the page for the answer */
        hp->items = slice_make(pool_strndup(p, r->items.base, r->items.len), r->items.len);
        hp->refs = pool_alloc(p, ((size_t)r->nitems + 1) * sizeof(*hp->refs));
        if (r->next != NULL && (hp->next = pool_alloc(p, sizeof(*hp->next))) != NULL)
            *hp->next = *r->next;
        if ((r->items.len > 0 && hp->items.base == NULL) || hp->refs == NULL || (r->next != NULL && hp->next == NULL)) {
            hp->page = FEED_READ_INTERNAL;
            hp->message = "out of memory";
        } else {
            if (r->nitems > 0)
                memcpy(hp->refs, r->item_refs, (size_t)r->nitems * sizeof(*hp->refs));
            hp->nitems = r->nitems;
        }
    }
    home_first_arrived(hp);
}

static void home_first_on_marker(unseen_req *u)
{
    home_first_arrived(u->data);
}

static void home_first_page_serve(http_request *req, worker *w, int64_t id, const page_query *q)
{
    home_first_page *hp = pool_alloc(http_request_pool(req), sizeof(*hp));

    if (hp == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    memset(hp, 0, sizeof(*hp));
    hp->req = req;
    hp->q = *q;
    hp->u.w = w;
    hp->u.kind = FEED_HOME;
    hp->u.uid = id;
    hp->u.done = home_first_on_marker;
    hp->u.data = hp;
    /* one held while both start: either may answer inside its own call */
    hp->pending = 3;
    unseen_read_marker(&hp->u);
    feed_read_page(w, http_request_pool(req), FEED_HOME, id, hp->q.limit, NULL, home_first_on_page, hp);
    home_first_arrived(hp);
}

/* Notifications: the counts, then the page. */
static void first_page_serve(http_request *req, worker *w, feed_kind kind, int64_t id, const page_query *q)
{
    first_page *fp = pool_alloc(http_request_pool(req), sizeof(*fp));

    if (fp == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    memset(fp, 0, sizeof(*fp));
    fp->req = req;
    fp->q = *q;
    fp->u.w = w;
    fp->u.kind = kind;
    fp->u.uid = id;
    fp->u.done = first_page_on_counts;
    fp->u.data = fp;
    unseen_read(&fp->u);
}

static void read_feed(http_request *req, feed_kind kind, int owner_only)
{
    worker *w = http_request_context(req);
    int64_t id, uid;
    page_query q;
    api_error err;

    if (endpoint_path_id(req, "id", &id) != 0)
        return;
    if (owner_only) {
        if (authn_require_user(req, w, &uid) != 0)
            return;
        if (uid != id) {
            http_request_respond_error(req, 403, "forbidden", "this feed belongs to another user");
            return;
        }
    }
    if (page_query_parse(http_request_query(req), &w->shared->cursor_key, kind, id, &q, &err) != 0) {
        json_out_respond_error(req, &err);
        return;
    }
    if (kind == FEED_HOME && w->shared != NULL && w->shared->cfg != NULL &&
        w->shared->cfg->home_source == APP_HOME_SQL) {
        home_sql_serve(req, w, id, &q);
        return;
    }
    if (kind == FEED_HOME && !q.has_cursor) {
        home_first_page_serve(req, w, id, &q);
        return;
    }
    if (kind == FEED_NOTIFICATIONS && !q.has_cursor) {
        first_page_serve(req, w, kind, id, &q);
        return;
    }
    feed_read_serve(req, w, kind, id, &q, slice_make(NULL, 0));
}

static void read_home(http_request *req, void *data)
{
    (void)data;
    read_feed(req, FEED_HOME, 1);
}

static void read_profile(http_request *req, void *data)
{
    (void)data;
    read_feed(req, FEED_PROFILE, 0);
}

static void read_notifications(http_request *req, void *data)
{
    (void)data;
    read_feed(req, FEED_NOTIFICATIONS, 1);
}

int handlers_feeds_register(router *r)
{
    if (router_add(r, "GET", "/v1/users/{id}/home", read_home, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/profile", read_profile, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/notifications", read_notifications, NULL) != 0)
        return -1;
    return 0;
}
