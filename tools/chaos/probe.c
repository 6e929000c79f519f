/* probe.c: the commit-to-readable probe (probe.h). */
#include "tools/chaos/probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/chaos/api_client.h"
#include "tools/chaos/catch_up.h"

#define PB_POST_EVERY_MS 500
#define PB_POLL_EVERY_MS 100

static int pb_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t pb_quantile(int64_t *v, int n, double q)
{
    int rank;
    if (n <= 0)
        return -1;
    qsort(v, (size_t)n, sizeof *v, pb_cmp);
    rank = (int)(q * n + 0.999999); /* nearest rank: ceil(q n) */
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

int pb_page_has_post(const json_t *page, int64_t id)
{
    const json_t *items = json_object_get(page, "items"), *item;
    char want[32];
    size_t i;
    snprintf(want, sizeof want, "p:%" PRId64, id);
    json_array_foreach(items, i, item)
    {
        const char *s = json_string_value(json_object_get(item, "id"));
        if (s != NULL && strcmp(s, want) == 0)
            return 1;
    }
    return 0;
}

/* pb_user: sign up one user (retried until deadline_ms). */
static int pb_user(hc_conn *c, const char *handle, ld_user *u, int deadline_ms)
{
    int64_t end = cu_now_ms() + deadline_ms;
    char key[64], what[128];
    ac_result res;
    snprintf(key, sizeof key, "%s-user", handle);
    for (;;) {
        json_t *body = json_pack("{s:s,s:s}", "handle", handle, "display_name", "chaos probe");
        ac_call(c, "POST", "/v1/users", NULL, key, body, &res);
        json_decref(body);
        if (res.fate == AC_ACCEPTED && ac_get_str(&res, NULL, "token") != NULL) {
            u->id = ac_get_id(&res, "user", "id");
            snprintf(u->token, sizeof u->token, "%s", ac_get_str(&res, NULL, "token"));
            ac_result_free(&res);
            return u->id > 0 ? 0 : -1;
        }
        ac_describe(&res, what, sizeof what);
        ac_result_free(&res);
        if (cu_now_ms() > end) {
            fprintf(stderr, "feed-chaos: probe: cannot create user %s: %s\n", handle, what);
            return -1;
        }
        usleep(500000);
    }
}

int pb_init(pb_probe *p, const char *api_url, int deadline_ms)
{
    hc_conn c;
    char handle[40], path[96], key[64], what[128];
    unsigned tag = (unsigned)time(NULL) ^ ((unsigned)getpid() << 12);
    int64_t end = cu_now_ms() + deadline_ms;
    ac_result res;
    int rc = -1;

    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    if (hc_parse_url(api_url, p->api_host, sizeof p->api_host, &p->api_port) != 0)
        return -1;
    hc_init(&c, p->api_host, p->api_port, 5000);
    snprintf(handle, sizeof handle, "probe_a_%08x", tag);
    if (pb_user(&c, handle, &p->author, deadline_ms) != 0)
        goto out;
    snprintf(handle, sizeof handle, "probe_f_%08x", tag);
    if (pb_user(&c, handle, &p->follower, deadline_ms) != 0)
        goto out;
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", p->author.id);
    snprintf(key, sizeof key, "probe-follow-%08x", tag);
    for (;;) {
        ac_call(&c, "POST", path, p->follower.token, key, NULL, &res);
        if (res.fate == AC_ACCEPTED) {
            ac_result_free(&res);
            rc = 0;
            break;
        }
        ac_describe(&res, what, sizeof what);
        ac_result_free(&res);
        if (cu_now_ms() > end) {
            fprintf(stderr, "feed-chaos: probe: the follower cannot follow the author: %s\n", what);
            break;
        }
        usleep(500000);
    }
out:
    hc_close(&c);
    return rc;
}

static void *pb_poster(void *arg)
{
    pb_probe *p = arg;
    hc_conn c;
    int64_t next = cu_now_ms();
    hc_init(&c, p->api_host, p->api_port, 5000);
    while (!p->stop_posting) {
        char key[64], text[96];
        json_t *body;
        ac_result res;
        int64_t now = cu_now_ms();
        if (now < next) {
            usleep((useconds_t)((next - now) * 1000));
            continue;
        }
        next = now + PB_POST_EVERY_MS;
        pthread_mutex_lock(&p->mu);
        snprintf(key, sizeof key, "probe-%" PRId64 "-%" PRIu64, p->author.id, ++p->seq);
        pthread_mutex_unlock(&p->mu);
        snprintf(text, sizeof text, "chaos probe %s", key);
        body = json_pack("{s:s}", "body", text);
        ac_call(&c, "POST", "/v1/posts", p->author.token, key, body, &res);
        json_decref(body);
        now = cu_now_ms();
        pthread_mutex_lock(&p->mu);
        if (res.fate == AC_ACCEPTED && ac_get_id(&res, "post", "id") > 0) {
            if (p->nposts == p->cap) {
                int ncap = p->cap ? p->cap * 2 : 256;
                pb_post *np = realloc(p->posts, (size_t)ncap * sizeof *np);
                if (np != NULL) {
                    p->posts = np;
                    p->cap = ncap;
                }
            }
            if (p->nposts < p->cap)
                p->posts[p->nposts++] =
                    (pb_post){.id = ac_get_id(&res, "post", "id"), .ack_ms = now, .window = p->window};
        } else {
            /* Not acknowledged: not measured (an unknown fate may still
             * appear, the final feedcheck judges it). */
            p->posts_failed++;
        }
        pthread_mutex_unlock(&p->mu);
        ac_result_free(&res);
    }
    hc_close(&c);
    return NULL;
}

/* pb_unseen: posts acknowledged and not seen yet. */
static int pb_unseen(pb_probe *p)
{
    int n = 0;
    for (int i = 0; i < p->nposts; i++)
        n += p->posts[i].seen_ms == 0;
    return n;
}

/* pb_oldest_unseen: the smallest id of an acknowledged post not seen yet,
 * 0 when none (ids grow with time, the feed is newest first). */
static int64_t pb_oldest_unseen(const pb_probe *p)
{
    int64_t min = 0;
    for (int i = 0; i < p->nposts; i++)
        if (p->posts[i].seen_ms == 0 && (min == 0 || p->posts[i].id < min))
            min = p->posts[i].id;
    return min;
}

/* pb_page_last_post: the id of the page's last (oldest) item, 0 if none. */
static int64_t pb_page_last_post(const json_t *page)
{
    const json_t *items = json_object_get(page, "items");
    size_t n = json_array_size(items);
    const char *s = n ? json_string_value(json_object_get(json_array_get(items, n - 1), "id")) : NULL;
    return s != NULL && strncmp(s, "p:", 2) == 0 ? strtoll(s + 2, NULL, 10) : 0;
}

/* pb_read: one read of the follower's home, from its top down to the
 * oldest unseen post (at most 5 pages: a pipeline stalled for a minute
 * leaves more than a page of probe posts to show at once). */
static void pb_read(pb_probe *p, hc_conn *c)
{
    char path[512], cursor[384] = "";
    ac_result res;
    memset(&res, 0, sizeof res);
    for (int page = 0; page < 5; page++) {
        int64_t now, oldest;
        int failed;
        const char *next;
        if (cursor[0] == '\0')
            snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=100", p->follower.id);
        else
            snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=100&cursor=%s", p->follower.id, cursor);
        ac_result_free(&res);
        ac_call(c, "GET", path, p->follower.token, NULL, NULL, &res);
        now = cu_now_ms();
        failed = res.fate != AC_ACCEPTED;
        pthread_mutex_lock(&p->mu);
        p->reads++;
        if (failed) {
            p->reads_failed++;
            if (p->first_fail_ms == 0)
                p->first_fail_ms = now;
            p->last_fail_ms = now;
        } else {
            for (int i = 0; i < p->nposts; i++)
                if (p->posts[i].seen_ms == 0 && pb_page_has_post(res.json, p->posts[i].id))
                    p->posts[i].seen_ms = now;
        }
        oldest = pb_oldest_unseen(p);
        pthread_mutex_unlock(&p->mu);
        next = failed ? NULL : ac_get_str(&res, NULL, "next_cursor");
        if (next == NULL || strlen(next) >= sizeof cursor || oldest == 0 || pb_page_last_post(res.json) <= oldest)
            break;
        snprintf(cursor, sizeof cursor, "%s", next);
    }
    ac_result_free(&res);
}

static void *pb_poller(void *arg)
{
    pb_probe *p = arg;
    hc_conn c;
    hc_init(&c, p->api_host, p->api_port, 5000);
    while (!p->stop_polling) {
        pb_read(p, &c);
        usleep(PB_POLL_EVERY_MS * 1000);
    }
    hc_close(&c);
    return NULL;
}

int pb_start(pb_probe *p)
{
    pthread_mutex_lock(&p->mu);
    p->nposts = 0;
    p->posts_failed = p->reads = p->reads_failed = p->first_fail_ms = p->last_fail_ms = 0;
    pthread_mutex_unlock(&p->mu);
    p->window = PB_BEFORE;
    p->stop_posting = p->stop_polling = 0;
    if (pthread_create(&p->poster, NULL, pb_poster, p) != 0)
        return -1;
    if (pthread_create(&p->poller, NULL, pb_poller, p) != 0) {
        p->stop_posting = 1;
        pthread_join(p->poster, NULL);
        return -1;
    }
    p->running = p->posting = 1;
    return 0;
}

void pb_set_window(pb_probe *p, int window)
{
    p->window = window;
}

void pb_stop_posting(pb_probe *p)
{
    if (!p->posting)
        return;
    p->stop_posting = 1;
    pthread_join(p->poster, NULL);
    p->posting = 0;
}

void pb_stop(pb_probe *p, int grace_ms, pb_summary *out)
{
    int64_t end;
    memset(out, 0, sizeof *out);
    if (!p->running)
        return;
    pb_stop_posting(p);
    end = cu_now_ms() + grace_ms;
    for (;;) {
        int unseen;
        pthread_mutex_lock(&p->mu);
        unseen = pb_unseen(p);
        pthread_mutex_unlock(&p->mu);
        if (unseen == 0 || cu_now_ms() > end)
            break;
        usleep(200000);
    }
    p->stop_polling = 1;
    pthread_join(p->poller, NULL);
    p->running = 0;

    out->posts_failed = p->posts_failed;
    out->reads = p->reads;
    out->reads_failed = p->reads_failed;
    out->first_fail_ms = p->first_fail_ms;
    out->last_fail_ms = p->last_fail_ms;
    for (int w = 0; w < PB_WINDOWS; w++) {
        int64_t *lat = malloc(((size_t)p->nposts + 1) * sizeof *lat);
        int n = 0;
        for (int i = 0; i < p->nposts; i++) {
            const pb_post *x = &p->posts[i];
            if (x->window != w)
                continue;
            out->posted[w]++;
            if (x->seen_ms != 0 && lat != NULL)
                lat[n++] = x->seen_ms - x->ack_ms;
        }
        out->seen[w] = n;
        out->p99_ms[w] = lat ? pb_quantile(lat, n, 0.99) : -1;
        out->max_ms[w] = n > 0 ? lat[n - 1] : -1; /* sorted by pb_quantile */
        free(lat);
    }
}

void pb_free(pb_probe *p)
{
    if (p->running) {
        pb_summary ignored;
        pb_stop(p, 0, &ignored);
    }
    free(p->posts);
    pthread_mutex_destroy(&p->mu);
    memset(p, 0, sizeof *p);
}
