/* bench-stream: the API's feed streams (Server-Sent Events, issue 13),
 * through the whole running stack.
 *
 *   latency   one follower's home stream open; one author posts at each
 *             --rates value (default 20 and 200 per second) for
 *             --duration seconds, open-loop; for every post, the time
 *             from its 201 (the API answers after the COMMIT) to its
 *             event on the stream: p50/p99/max
 *   streams   --streams (10,000) concurrent home streams of --users
 *             followers of one author (the process's open-file limit is
 *             raised to fit): the API's resident memory per stream (RSS
 *             of --api-pid before and after), its CPU while idle for
 *             --idle seconds, then while the author posts at 20/s for
 *             --duration seconds, and delivery p50/p99 over every
 *             (stream, post) pair
 *   resume    --reconnects (1,000) times: close one follower's stream
 *             after reading a few items and reopen it with
 *             Last-Event-ID, while 4 authors post steadily; at the end
 *             the follower's stored home feed (the page read, every
 *             page) is compared with what the stream delivered: items
 *             missing and repeated
 *
 * Prints the machine's state (load average, cores) at start and end:
 * read the figures with it. It is a benchmark, not a test: nothing fails
 * on a slow machine; the stack must be up (`bin/feedctl start`). Users
 * are created fresh under a run prefix and left behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/bench_env.h"
#include "bench/bench_stats.h"

#define BS_MAX_POSTS 100000
#define BS_ID 64

typedef struct bs_opts {
    char api_host[64];
    int api_port;
    char rates[64];
    double duration, idle;
    int streams, users, reconnects, api_pid;
    int latency, many, resume;
} bs_opts;

static bs_opts bs_o;

typedef struct bs_user {
    long long id;
    char token[256];
} bs_user;

/* ---- HTTP, one request per connection ----------------------------------- */

static int bs_connect(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)bs_o.api_port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || inet_pton(AF_INET, bs_o.api_host, &a.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int bs_write_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* method path with token and body; the answer's body into out (cap).
 * Returns the status, or -1. */
static int bs_http(const char *method, const char *path, const char *token, const char *body, char *out, size_t cap)
{
    static _Thread_local char buf[1 << 20];
    char head[1024];
    size_t len = 0, blen = body != NULL ? strlen(body) : 0;
    ssize_t n;
    int fd, hn, status;
    char *sep;

    hn = snprintf(head, sizeof(head),
                  "%s %s HTTP/1.1\r\nHost: b\r\nConnection: close\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\n%s%s%s\r\n",
                  method, path, blen, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
    fd = bs_connect();
    if (fd < 0 || hn <= 0 || (size_t)hn >= sizeof(head) || bs_write_all(fd, head, (size_t)hn) != 0 ||
        (blen > 0 && bs_write_all(fd, body, blen) != 0)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    while (len + 1 < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    buf[len] = '\0';
    if (len < 12 || sscanf(buf, "HTTP/1.1 %d", &status) != 1)
        return -1;
    sep = strstr(buf, "\r\n\r\n");
    if (out != NULL && cap > 0)
        snprintf(out, cap, "%s", sep != NULL ? sep + 4 : "");
    return status;
}

/* The string value of "key" in a flat spot of json (first match). */
static int bs_json_str(const char *json, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    p = strstr(json, pat);
    if (p == NULL)
        return -1;
    p += strlen(pat);
    e = strchr(p, '"');
    if (e == NULL || (size_t)(e - p) >= cap)
        return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 0;
}

static void bs_signup(bs_user *u, const char *prefix, const char *role, int i)
{
    char body[256], ans[4096], *p;
    int st;

    snprintf(body, sizeof(body), "{\"handle\":\"%s_%s%d\",\"display_name\":\"bench\"}", prefix, role, i);
    st = bs_http("POST", "/v1/users", NULL, body, ans, sizeof(ans));
    if (st != 201)
        bench_fail("sign-up answered %d: %s", st, ans);
    p = strstr(ans, "\"id\":");
    if (p == NULL || bs_json_str(ans, "token", u->token, sizeof(u->token)) != 0)
        bench_fail("sign-up answer without id or token");
    u->id = strtoll(p + 5, NULL, 10);
}

static void bs_follow(const bs_user *a, const bs_user *b)
{
    char path[128];
    int st;

    snprintf(path, sizeof(path), "/v1/users/%lld/follow", b->id);
    st = bs_http("POST", path, a->token, NULL, NULL, 0);
    if (st != 201 && st != 200)
        bench_fail("follow answered %d", st);
}

/* Post; the activity id into id. 0 or -1. */
static int bs_post(const bs_user *u, const char *text, char *id, size_t cap)
{
    char body[256], ans[4096];

    snprintf(body, sizeof(body), "{\"body\":\"%s\"}", text);
    if (bs_http("POST", "/v1/posts", u->token, body, ans, sizeof(ans)) != 201)
        return -1;
    return bs_json_str(ans, "activity_id", id, cap);
}

/* ---- SSE clients ------------------------------------------------------------ */

typedef struct bs_sse {
    int fd;
    char *buf;
    size_t len, cap;
    int head_done;
    char last_id[200];
} bs_sse;

static int bs_sse_open(bs_sse *s, const bs_user *u, const char *last_id)
{
    char req[1024];
    int n;

    memset(s, 0, sizeof(*s));
    s->fd = bs_connect();
    if (s->fd < 0)
        return -1;
    n = snprintf(req, sizeof(req),
                 "GET /v1/users/%lld/home/stream HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer %s\r\n%s%s%s\r\n", u->id,
                 u->token, last_id ? "Last-Event-ID: " : "", last_id ? last_id : "", last_id ? "\r\n" : "");
    if (n <= 0 || (size_t)n >= sizeof(req) || bs_write_all(s->fd, req, (size_t)n) != 0) {
        close(s->fd);
        s->fd = -1;
        return -1;
    }
    return 0;
}

static void bs_sse_close(bs_sse *s)
{
    if (s->fd >= 0)
        close(s->fd);
    free(s->buf);
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

/* Read what is there; call on_item(ctx, item id) for each complete item
 * event. 0, or -1 at the end of the stream. */
static int bs_sse_read(bs_sse *s, void (*on_item)(void *ctx, const char *id), void *ctx)
{
    char *ev, *end, *line, *nl, item[BS_ID];
    ssize_t n;

    if (s->len + 65536 > s->cap) {
        s->cap = (s->len + 65536) * 2;
        s->buf = realloc(s->buf, s->cap);
        if (s->buf == NULL)
            bench_fail("out of memory");
    }
    n = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
    if (n <= 0)
        return n < 0 && errno == EAGAIN ? 0 : -1;
    s->len += (size_t)n;
    s->buf[s->len] = '\0';
    ev = s->buf;
    if (!s->head_done) {
        end = strstr(ev, "\r\n\r\n");
        if (end == NULL)
            return 0;
        if (strncmp(ev, "HTTP/1.1 200", 12) != 0)
            return -1;
        s->head_done = 1;
        ev = end + 4;
    }
    while ((end = strstr(ev, "\n\n")) != NULL) {
        *end = '\0';
        item[0] = '\0';
        for (line = ev; line != NULL && *line != '\0'; line = nl) {
            nl = strchr(line, '\n');
            if (nl != NULL)
                *nl++ = '\0';
            if (strncmp(line, "id: ", 4) == 0)
                snprintf(s->last_id, sizeof(s->last_id), "%s", line + 4);
            else if (strncmp(line, "event: ", 7) == 0)
                item[0] = '-'; /* remove, reset: not an item */
            else if (strncmp(line, "data: ", 6) == 0 && item[0] == '\0' &&
                     bs_json_str(line + 6, "id", item, sizeof(item)) != 0)
                item[0] = '\0';
        }
        if (item[0] != '\0' && item[0] != '-')
            on_item(ctx, item);
        ev = end + 2;
    }
    s->len -= (size_t)(ev - s->buf);
    memmove(s->buf, ev, s->len + 1);
    return 0;
}

/* ---- posts and their delivery -------------------------------------------------- */

typedef struct bs_post_rec {
    char id[BS_ID];
    int64_t done_ns; /* the 201 came back */
} bs_post_rec;

static bs_post_rec *bs_posts;
static _Atomic int bs_nposts;
static bench_samples bs_lat;
static pthread_mutex_t bs_lock = PTHREAD_MUTEX_INITIALIZER;

static void bs_on_delivery(void *ctx, const char *id)
{
    int i, n = atomic_load(&bs_nposts);
    int64_t now = bench_mono_ns();

    (void)ctx;
    for (i = n - 1; i >= 0 && i >= n - 4096; i--) {
        if (strcmp(bs_posts[i].id, id) == 0 && bs_posts[i].done_ns != 0) {
            pthread_mutex_lock(&bs_lock);
            (void)bench_samples_add(&bs_lat, (double)(now - bs_posts[i].done_ns) / 1e6);
            pthread_mutex_unlock(&bs_lock);
            return;
        }
    }
}

typedef struct bs_writer {
    const bs_user *author;
    double rate, duration;
    _Atomic int done;
} bs_writer;

static void *bs_write(void *arg)
{
    bs_writer *w = arg;
    int64_t t0 = bench_mono_ns(), step = (int64_t)(1e9 / w->rate);
    int i, total = (int)(w->rate * w->duration);
    char text[64];

    for (i = 0; i < total && i < BS_MAX_POSTS; i++) {
        bs_post_rec *r;
        int k;
        bench_sleep_until(t0 + step * i);
        snprintf(text, sizeof(text), "bench %d", i);
        k = atomic_load(&bs_nposts);
        r = &bs_posts[k];
        memset(r, 0, sizeof(*r));
        if (bs_post(w->author, text, r->id, sizeof(r->id)) == 0) {
            r->done_ns = bench_mono_ns();
            atomic_store(&bs_nposts, k + 1);
        }
    }
    atomic_store(&w->done, 1);
    return NULL;
}

/* Read streams[0..n) with epoll until the writer is done and `tail_s`
 * seconds passed. */
static void bs_pump(bs_sse *streams, int n, bs_writer *w, double tail_s)
{
    int ep = epoll_create1(EPOLL_CLOEXEC), i, k;
    struct epoll_event ev, evs[256];
    int64_t until = 0;

    if (ep < 0)
        bench_fail("epoll: %s", strerror(errno));
    for (i = 0; i < n; i++) {
        ev.events = EPOLLIN;
        ev.data.u32 = (uint32_t)i;
        if (streams[i].fd >= 0)
            (void)epoll_ctl(ep, EPOLL_CTL_ADD, streams[i].fd, &ev);
    }
    for (;;) {
        if (until == 0 && (w == NULL || atomic_load(&w->done)))
            until = bench_mono_ns() + (int64_t)(tail_s * 1e9);
        if (until != 0 && bench_mono_ns() > until)
            break;
        k = epoll_wait(ep, evs, 256, 100);
        for (i = 0; i < k; i++) {
            bs_sse *s = &streams[evs[i].data.u32];
            if (bs_sse_read(s, bs_on_delivery, NULL) != 0) {
                (void)epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
                bs_sse_close(s);
            }
        }
    }
    close(ep);
}

static void bs_print_lat(const char *what)
{
    bench_summary sm;

    bench_summarize(&bs_lat, &sm);
    printf("%s: %zu deliveries, commit -> event p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", what, sm.n, sm.p50, sm.p99,
           sm.max);
    bench_samples_free(&bs_lat);
    bench_samples_init(&bs_lat);
}

/* ---- the phases ------------------------------------------------------------ */

static void bs_phase_latency(const char *prefix)
{
    bs_user author, reader;
    bs_sse s;
    bs_writer w;
    pthread_t t;
    char rates[64], *tok, *save = NULL, label[64];
    double rate;

    bs_signup(&author, prefix, "la", 0);
    bs_signup(&reader, prefix, "lr", 0);
    bs_follow(&reader, &author);
    snprintf(rates, sizeof(rates), "%s", bs_o.rates);
    for (tok = strtok_r(rates, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        rate = atof(tok);
        if (rate <= 0)
            continue;
        if (bs_sse_open(&s, &reader, NULL) != 0)
            bench_fail("cannot open a stream");
        atomic_store(&bs_nposts, 0);
        memset(&w, 0, sizeof(w));
        w.author = &author;
        w.rate = rate;
        w.duration = bs_o.duration;
        if (pthread_create(&t, NULL, bs_write, &w) != 0)
            bench_fail("pthread_create");
        bs_pump(&s, 1, &w, 10.0);
        pthread_join(t, NULL);
        snprintf(label, sizeof(label), "latency at %.0f/s (%d posts)", rate, atomic_load(&bs_nposts));
        bs_print_lat(label);
        bs_sse_close(&s);
    }
}

static long bs_rss_kb(int pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* utime + stime of pid, in clock ticks. */
static long long bs_cpu_ticks(int pid)
{
    char path[64], buf[2048], *p;
    unsigned long long ut = 0, st = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (long long)(ut + st);
}

static void bs_phase_streams(const char *prefix)
{
    static bs_writer w;
    bs_user author, *users;
    bs_sse *streams;
    struct rlimit rl;
    long rss0, rss1;
    long long c0, c1;
    int i, open = 0;
    pthread_t t;
    double hz = (double)sysconf(_SC_CLK_TCK);

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)bs_o.streams + 256) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)bs_o.streams + 256 ? rl.rlim_max : (rlim_t)bs_o.streams + 256;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    users = calloc((size_t)bs_o.users, sizeof(*users));
    streams = calloc((size_t)bs_o.streams, sizeof(*streams));
    if (users == NULL || streams == NULL)
        bench_fail("out of memory");
    bs_signup(&author, prefix, "sa", 0);
    for (i = 0; i < bs_o.users; i++) {
        bs_signup(&users[i], prefix, "sr", i);
        bs_follow(&users[i], &author);
    }
    rss0 = bs_o.api_pid > 0 ? bs_rss_kb(bs_o.api_pid) : -1;
    for (i = 0; i < bs_o.streams; i++) {
        if (bs_sse_open(&streams[i], &users[i % bs_o.users], NULL) != 0) {
            streams[i].fd = -1;
            continue;
        }
        open++;
    }
    /* let every stream's head and backlog arrive */
    bs_pump(streams, bs_o.streams, NULL, 5.0);
    for (i = 0, open = 0; i < bs_o.streams; i++)
        open += streams[i].fd >= 0;
    rss1 = bs_o.api_pid > 0 ? bs_rss_kb(bs_o.api_pid) : -1;
    printf("streams: %d of %d open", open, bs_o.streams);
    if (rss0 > 0 && rss1 > 0 && open > 0)
        printf("; API RSS %ld -> %ld KiB: %.1f KiB per stream", rss0, rss1, (double)(rss1 - rss0) / open);
    printf("\n");
    if (bs_o.api_pid > 0) {
        c0 = bs_cpu_ticks(bs_o.api_pid);
        bs_pump(streams, bs_o.streams, NULL, bs_o.idle);
        c1 = bs_cpu_ticks(bs_o.api_pid);
        printf("streams: API CPU while idle (heartbeats only): %.1f%% of a core over %.0f s\n",
               100.0 * (double)(c1 - c0) / hz / bs_o.idle, bs_o.idle);
    }
    atomic_store(&bs_nposts, 0);
    memset(&w, 0, sizeof(w));
    w.author = &author;
    w.rate = 20;
    w.duration = bs_o.duration;
    c0 = bs_o.api_pid > 0 ? bs_cpu_ticks(bs_o.api_pid) : -1;
    if (pthread_create(&t, NULL, bs_write, &w) != 0)
        bench_fail("pthread_create");
    bs_pump(streams, bs_o.streams, &w, 10.0);
    pthread_join(t, NULL);
    c1 = bs_o.api_pid > 0 ? bs_cpu_ticks(bs_o.api_pid) : -1;
    if (c0 >= 0 && c1 >= 0)
        printf("streams: API CPU while events flow (20 posts/s to every stream): %.1f%% of a core\n",
               100.0 * (double)(c1 - c0) / hz / (bs_o.duration + 10.0));
    bs_print_lat("streams: delivery over every (stream, post)");
    for (i = 0, open = 0; i < bs_o.streams; i++) {
        open += streams[i].fd >= 0;
        bs_sse_close(&streams[i]);
    }
    printf("streams: %d still open at the end\n", open);
    free(streams);
    free(users);
}

/* resume: what the reconnecting stream got, by item id */
typedef struct bs_got {
    char (*ids)[BS_ID];
    int n, cap, take;
} bs_got;

static void bs_on_got(void *ctx, const char *id)
{
    bs_got *g = ctx;

    if (g->n == g->cap) {
        g->cap = g->cap == 0 ? 1024 : g->cap * 2;
        g->ids = realloc(g->ids, (size_t)g->cap * sizeof(*g->ids));
        if (g->ids == NULL)
            bench_fail("out of memory");
    }
    snprintf(g->ids[g->n++], BS_ID, "%s", id);
    g->take--;
}

static _Atomic int bs_stop, bs_resume_posts;

/* One author posting about 5 times a second until bs_stop. */
static void *bs_resume_write(void *arg)
{
    const bs_user *u = arg;
    char text[64], id[BS_ID];
    int i;

    for (i = 0; !atomic_load(&bs_stop); i++) {
        snprintf(text, sizeof(text), "resume %d", i);
        if (bs_post(u, text, id, sizeof(id)) == 0)
            atomic_fetch_add(&bs_resume_posts, 1);
        usleep(150000 + (useconds_t)(rand() % 100000));
    }
    return NULL;
}

static void bs_phase_resume(const char *prefix)
{
    bs_user authors[4], reader;
    pthread_t t[4];
    bs_got got = {0};
    bs_sse s;
    char last[200] = "", path[512], cursor_q[256] = "", page[1 << 16];
    char(*stored)[BS_ID] = NULL;
    int nstored = 0, capstored = 0, i, j, reconnects = 0, missing = 0, repeated = 0, extra = 0, st, before;
    char *p;

    bs_signup(&reader, prefix, "rr", 0);
    for (i = 0; i < 4; i++) {
        bs_signup(&authors[i], prefix, "ra", i);
        bs_follow(&reader, &authors[i]);
    }
    /* the start: whatever the stream has now (the follows' items) */
    if (bs_sse_open(&s, &reader, NULL) != 0)
        bench_fail("cannot open a stream");
    got.take = 1 << 30;
    {
        int64_t until = bench_mono_ns() + 5000000000LL;
        struct pollfd pf = {.fd = s.fd, .events = POLLIN};
        while (bench_mono_ns() < until)
            if (poll(&pf, 1, 100) > 0 && bs_sse_read(&s, bs_on_got, &got) != 0)
                break;
    }
    before = got.n;
    snprintf(last, sizeof(last), "%s", s.last_id);
    bs_sse_close(&s);
    atomic_store(&bs_stop, 0);
    for (i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, bs_resume_write, &authors[i]) != 0)
            bench_fail("pthread_create");
    while (reconnects < bs_o.reconnects) {
        struct pollfd pf;
        int64_t until = bench_mono_ns() + 3000000000LL;
        if (bs_sse_open(&s, &reader, last[0] ? last : NULL) != 0)
            bench_fail("cannot reopen the stream");
        reconnects++;
        got.take = 1 + rand() % 3;
        pf.fd = s.fd;
        pf.events = POLLIN;
        while (got.take > 0 && bench_mono_ns() < until)
            if (poll(&pf, 1, 100) > 0 && bs_sse_read(&s, bs_on_got, &got) != 0)
                break;
        if (s.last_id[0] != '\0')
            snprintf(last, sizeof(last), "%s", s.last_id);
        bs_sse_close(&s);
    }
    atomic_store(&bs_stop, 1);
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    /* the tail: everything the writers committed reaches the stream */
    if (bs_sse_open(&s, &reader, last[0] ? last : NULL) != 0)
        bench_fail("cannot reopen the stream");
    got.take = 1 << 30;
    {
        int64_t until = bench_mono_ns() + 15000000000LL;
        struct pollfd pf = {.fd = s.fd, .events = POLLIN};
        while (bench_mono_ns() < until)
            if (poll(&pf, 1, 100) > 0 && bs_sse_read(&s, bs_on_got, &got) != 0)
                break;
    }
    bs_sse_close(&s);
    /* the stored feed */
    for (;;) {
        snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=100%s", reader.id, cursor_q);
        st = bs_http("GET", path, reader.token, NULL, page, sizeof(page));
        if (st != 200)
            bench_fail("home read answered %d", st);
        for (p = page; (p = strstr(p, "{\"id\":\"")) != NULL; p += 7) {
            if (nstored == capstored) {
                capstored = capstored == 0 ? 1024 : capstored * 2;
                stored = realloc(stored, (size_t)capstored * sizeof(*stored));
                if (stored == NULL)
                    bench_fail("out of memory");
            }
            if (bs_json_str(p, "id", stored[nstored], BS_ID) == 0)
                nstored++;
        }
        p = strstr(page, "\"next_cursor\":\"");
        if (p == NULL)
            break;
        p += 15;
        snprintf(cursor_q, sizeof(cursor_q), "&cursor=%.*s", (int)(strchr(p, '"') - p), p);
    }
    for (i = 0; i < nstored; i++) {
        int c = 0;
        for (j = 0; j < before; j++)
            c += strcmp(got.ids[j], stored[i]) == 0;
        if (c > 0)
            continue; /* had before the start */
        c = 0;
        for (j = before; j < got.n; j++)
            c += strcmp(got.ids[j], stored[i]) == 0;
        missing += c == 0;
        repeated += c > 1 ? c - 1 : 0;
    }
    for (j = before; j < got.n; j++) {
        int c = 0;
        for (i = 0; i < nstored; i++)
            c += strcmp(got.ids[j], stored[i]) == 0;
        extra += c == 0;
    }
    printf("resume: %d reconnects with Last-Event-ID under steady writes (%d posts): %d items received, "
           "%d stored after the start: missing %d, repeated %d, not in the feed %d\n",
           reconnects, atomic_load(&bs_resume_posts), got.n - before, nstored - before, missing, repeated, extra);
    free(got.ids);
    free(stored);
}

static void bs_usage(FILE *f)
{
    fprintf(f, "usage: bench-stream [options]\n"
               "  --api HOST:PORT     the feed API (default 127.0.0.1:$FEED_API_PORT, else 18080)\n"
               "  --api-pid PID       the API's process, for memory and CPU (default: $FEED_VAR/run/api.pid)\n"
               "  --only PHASE        latency, streams or resume (default: all three)\n"
               "  --rates R1,R2       latency: posts per second (default 20,200)\n"
               "  --duration S        seconds of posting per measurement (default 10)\n"
               "  --streams N         concurrent streams (default 10000)\n"
               "  --users N           followers holding them (default 100)\n"
               "  --idle S            seconds of idle CPU measurement (default 10)\n"
               "  --reconnects N      resumes with Last-Event-ID (default 1000)\n"
               "  -h, --help          this text\n");
}

static void bs_default_pid(void)
{
    const char *var = getenv("FEED_VAR");
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/run/api.pid", var != NULL ? var : "var");
    f = fopen(path, "r");
    if (f != NULL) {
        if (fscanf(f, "%d", &bs_o.api_pid) != 1)
            bs_o.api_pid = 0;
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"api", required_argument, NULL, 'a'},
        {"api-pid", required_argument, NULL, 'p'},
        {"only", required_argument, NULL, 'o'},
        {"rates", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'},
        {"streams", required_argument, NULL, 's'},
        {"users", required_argument, NULL, 'u'},
        {"idle", required_argument, NULL, 'i'},
        {"reconnects", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *port = getenv("FEED_API_PORT");
    char prefix[16], state[128];
    int ch;

    snprintf(bs_o.api_host, sizeof(bs_o.api_host), "127.0.0.1");
    bs_o.api_port = port != NULL ? atoi(port) : 18080;
    snprintf(bs_o.rates, sizeof(bs_o.rates), "20,200");
    bs_o.duration = 10;
    bs_o.idle = 10;
    bs_o.streams = 10000;
    bs_o.users = 100;
    bs_o.reconnects = 1000;
    bs_o.latency = bs_o.many = bs_o.resume = 1;
    bs_default_pid();
    while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (ch) {
        case 'a': {
            const char *colon = strrchr(optarg, ':');
            if (colon == NULL || (size_t)(colon - optarg) >= sizeof(bs_o.api_host))
                bench_fail("--api wants HOST:PORT");
            snprintf(bs_o.api_host, sizeof(bs_o.api_host), "%.*s", (int)(colon - optarg), optarg);
            bs_o.api_port = atoi(colon + 1);
            break;
        }
        case 'p': bs_o.api_pid = atoi(optarg); break;
        case 'o':
            bs_o.latency = strcmp(optarg, "latency") == 0;
            bs_o.many = strcmp(optarg, "streams") == 0;
            bs_o.resume = strcmp(optarg, "resume") == 0;
            if (!bs_o.latency && !bs_o.many && !bs_o.resume)
                bench_fail("--only: latency, streams or resume");
            break;
        case 'r': snprintf(bs_o.rates, sizeof(bs_o.rates), "%s", optarg); break;
        case 'd': bs_o.duration = atof(optarg); break;
        case 's': bs_o.streams = atoi(optarg); break;
        case 'u': bs_o.users = atoi(optarg); break;
        case 'i': bs_o.idle = atof(optarg); break;
        case 'c': bs_o.reconnects = atoi(optarg); break;
        case 'h': bs_usage(stdout); return 0;
        default: bs_usage(stderr); return 2;
        }
    }
    if (bs_o.duration <= 0 || bs_o.idle <= 0 || bs_o.streams < 1 || bs_o.users < 1 || bs_o.reconnects < 1 ||
        bs_o.api_port <= 0)
        bench_fail("options out of range (--help)");
    bs_posts = calloc(BS_MAX_POSTS, sizeof(*bs_posts));
    if (bs_posts == NULL)
        bench_fail("out of memory");
    bench_samples_init(&bs_lat);
    bench_print_header("bench-stream", argc, argv);
    bench_run_prefix(prefix);
    printf("run prefix %s, API %s:%d (pid %d)\n", prefix, bs_o.api_host, bs_o.api_port, bs_o.api_pid);
    fflush(stdout);
    if (bs_o.latency)
        bs_phase_latency(prefix);
    fflush(stdout);
    if (bs_o.many)
        bs_phase_streams(prefix);
    fflush(stdout);
    if (bs_o.resume)
        bs_phase_resume(prefix);
    bench_machine_state(state, sizeof(state));
    printf("end: %s\n", state);
    bench_samples_free(&bs_lat);
    free(bs_posts);
    return 0;
}
