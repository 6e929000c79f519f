/* fc_model.c: PostgreSQL's rows in memory and the feeds they imply.
 *
 * Everything is sorted once (fc_model_index) so that a user's activities,
 * follows and notifications are contiguous ranges: computing one feed is
 * then a walk over those ranges plus one sort of the result, with no
 * allocation beyond the caller's reused lists. The activity hash maps an
 * id found in a store back to its row (to know its actor and time).
 */
#include "tools/feedcheck/fc_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fc_model_init(fc_model *m)
{
    memset(m, 0, sizeof *m);
}

void fc_model_free(fc_model *m)
{
    free(m->users);
    free(m->acts);
    free(m->follows);
    free(m->user_acts);
    free(m->user_follows);
    free(m->targeted);
    free(m->user_targeted);
    free(m->hash_keys);
    free(m->hash_vals);
    fc_model_init(m);
}

/* Grow *v (of *cap elements of size sz) to hold at least need. */
static int fc_grow(void **v, size_t *cap, size_t need, size_t sz)
{
    size_t ncap = *cap ? *cap : 64;
    void *nv;

    if (need <= *cap)
        return 0;
    while (ncap < need)
        ncap *= 2;
    nv = realloc(*v, ncap * sz);
    if (nv == NULL)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

int fc_model_add_user(fc_model *m, int64_t id)
{
    if (fc_grow((void **)&m->users, &m->cap_users, m->n_users + 1, sizeof *m->users) != 0)
        return -1;
    m->users[m->n_users++] = id;
    return 0;
}

int fc_model_add_act(fc_model *m, const fc_act *a)
{
    if (fc_grow((void **)&m->acts, &m->cap_acts, m->n_acts + 1, sizeof *m->acts) != 0)
        return -1;
    m->acts[m->n_acts++] = *a;
    return 0;
}

int fc_model_add_follow(fc_model *m, const fc_follow *f)
{
    if (fc_grow((void **)&m->follows, &m->cap_follows, m->n_follows + 1, sizeof *m->follows) != 0)
        return -1;
    m->follows[m->n_follows++] = *f;
    return 0;
}

/* Decimal digits of x >= 0 into buf (no NUL); returns their count. */
static int fc_utoa(int64_t x, char *buf)
{
    char tmp[24];
    int n = 0, i;
    uint64_t u = x < 0 ? 0 : (uint64_t)x;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

int fc_act_id(const fc_act *a, char *buf)
{
    int n;

    buf[0] = a->kind;
    buf[1] = ':';
    n = 2 + fc_utoa(a->id, buf + 2);
    buf[n] = '\0';
    return n;
}

int fc_parse_act_id(const char *id, size_t len, char *kind, int64_t *row_id)
{
    int64_t v = 0;

    if (len < 3 || len > 21 || id[1] != ':' || strchr("fpcl", id[0]) == NULL || id[0] == '\0')
        return -1;
    if (id[2] == '0' && len > 3)
        return -1; /* "p:007" is not how an id is written */
    for (size_t i = 2; i < len; i++) {
        if (id[i] < '0' || id[i] > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (id[i] - '0');
    }
    *kind = id[0];
    *row_id = v;
    return 0;
}

int fc_id_cmp(const char *a, const char *b)
{
    return strcmp(a, b); /* compares as unsigned char, shorter prefix first */
}

int fc_item_cmp(const fc_item *a, const fc_item *b)
{
    if (a->ts != b->ts)
        return a->ts > b->ts ? -1 : 1;
    return -fc_id_cmp(a->id, b->id);
}

static int fc_item_qcmp(const void *a, const void *b)
{
    return fc_item_cmp(a, b);
}

/* Newest first between two activities: ts, then id as bytes, descending. */
static int fc_act_newest_cmp(const fc_act *a, const fc_act *b)
{
    char ia[FC_ID_MAX], ib[FC_ID_MAX];

    if (a->ts_us != b->ts_us)
        return a->ts_us > b->ts_us ? -1 : 1;
    if (a->kind == b->kind && a->id == b->id)
        return 0;
    fc_act_id(a, ia);
    fc_act_id(b, ib);
    return -strcmp(ia, ib);
}

/* Acts by actor, then newest first. */
static int fc_act_qcmp(const void *pa, const void *pb)
{
    const fc_act *a = pa, *b = pb;

    if (a->actor != b->actor)
        return a->actor < b->actor ? -1 : 1;
    return fc_act_newest_cmp(a, b);
}

static int fc_follow_qcmp(const void *pa, const void *pb)
{
    const fc_follow *a = pa, *b = pb;

    if (a->follower != b->follower)
        return a->follower < b->follower ? -1 : 1;
    if (a->followee != b->followee)
        return a->followee < b->followee ? -1 : 1;
    return 0;
}

static int fc_i64_qcmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

    return a < b ? -1 : a > b;
}

ptrdiff_t fc_model_user(const fc_model *m, int64_t id)
{
    size_t lo = 0, hi = m->n_users;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->users[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_users && m->users[lo] == id ? (ptrdiff_t)lo : -1;
}

uint64_t fc_act_key(char kind, int64_t id)
{
    uint64_t k = kind == 'f' ? 1 : kind == 'p' ? 2 : kind == 'c' ? 3 : 4;

    return k << 56 | ((uint64_t)id & 0x00ffffffffffffffULL);
}

static uint64_t fc_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int fc_hash_build(fc_model *m)
{
    size_t cap = 1024;

    while (cap < m->n_acts * 2)
        cap *= 2;
    m->hash_keys = calloc(cap, sizeof *m->hash_keys); /* key 0 never occurs: kind codes start at 1 */
    m->hash_vals = malloc(cap * sizeof *m->hash_vals);
    if (m->hash_keys == NULL || m->hash_vals == NULL)
        return -1;
    m->hash_cap = cap;
    for (size_t i = 0; i < m->n_acts; i++) {
        uint64_t key = fc_act_key(m->acts[i].kind, m->acts[i].id);
        size_t slot = fc_mix(key) & (cap - 1);
        while (m->hash_keys[slot] != 0 && m->hash_keys[slot] != key)
            slot = (slot + 1) & (cap - 1);
        m->hash_keys[slot] = key;
        m->hash_vals[slot] = (uint32_t)i;
    }
    return 0;
}

const fc_act *fc_model_find(const fc_model *m, const char *id, size_t len)
{
    char kind;
    int64_t row;
    uint64_t key;
    size_t slot;

    if (m->hash_cap == 0 || fc_parse_act_id(id, len, &kind, &row) != 0)
        return NULL;
    key = fc_act_key(kind, row);
    slot = fc_mix(key) & (m->hash_cap - 1);
    while (m->hash_keys[slot] != 0) {
        if (m->hash_keys[slot] == key)
            return &m->acts[m->hash_vals[slot]];
        slot = (slot + 1) & (m->hash_cap - 1);
    }
    return NULL;
}

/* Offsets [n_users + 1] of the runs of keys (sorted ascending, n of them,
 * each a user id read by key_of) per user. Keys of ids that are not users
 * were removed before. */
static size_t *fc_offsets(const fc_model *m, size_t n, int64_t (*key_of)(const fc_model *, size_t))
{
    size_t *off = malloc((m->n_users + 1) * sizeof *off);
    size_t j = 0;

    if (off == NULL)
        return NULL;
    for (size_t i = 0; i < m->n_users; i++) {
        off[i] = j;
        while (j < n && key_of(m, j) == m->users[i])
            j++;
    }
    off[m->n_users] = j;
    return off;
}

static int64_t fc_act_actor_at(const fc_model *m, size_t i)
{
    return m->acts[i].actor;
}

static int64_t fc_follow_at(const fc_model *m, size_t i)
{
    return m->follows[i].follower;
}

static int64_t fc_target_at(const fc_model *m, size_t i)
{
    return m->acts[m->targeted[i]].target;
}

static int fc_targeted_qcmp(const void *pa, const void *pb, void *arg)
{
    const fc_model *m = arg;
    const fc_act *a = &m->acts[*(const uint32_t *)pa];
    const fc_act *b = &m->acts[*(const uint32_t *)pb];

    if (a->target != b->target)
        return a->target < b->target ? -1 : 1;
    return fc_act_newest_cmp(a, b);
}

int fc_model_index(fc_model *m)
{
    size_t j;

    /* Each follow is also its FOLLOW activity. */
    for (size_t i = 0; i < m->n_follows; i++) {
        fc_act a = {.id = m->follows[i].id,
                    .actor = m->follows[i].follower,
                    .ts_us = m->follows[i].ts_us,
                    .object = m->follows[i].followee,
                    .target = m->follows[i].followee,
                    .body_len = -1,
                    .kind = 'f'};
        if (fc_model_add_act(m, &a) != 0)
            return -1;
    }
    if (m->n_users > 0)
        qsort(m->users, m->n_users, sizeof *m->users, fc_i64_qcmp);
    for (size_t i = j = 0; i < m->n_users; i++)
        if (j == 0 || m->users[j - 1] != m->users[i])
            m->users[j++] = m->users[i];
    m->n_users = j;

    /* Rows of users that are not in the snapshot cannot be placed: drop
     * them (they cannot occur when all tables come from one snapshot). */
    for (size_t i = j = 0; i < m->n_acts; i++)
        if (fc_model_user(m, m->acts[i].actor) >= 0) {
            m->acts[j] = m->acts[i];
            if (m->acts[j].target == m->acts[j].actor || fc_model_user(m, m->acts[j].target) < 0)
                m->acts[j].target = 0;
            j++;
        }
    m->n_acts = j;
    for (size_t i = j = 0; i < m->n_follows; i++)
        if (fc_model_user(m, m->follows[i].follower) >= 0 && fc_model_user(m, m->follows[i].followee) >= 0)
            m->follows[j++] = m->follows[i];
    m->n_follows = j;

    if (m->n_acts > 0)
        qsort(m->acts, m->n_acts, sizeof *m->acts, fc_act_qcmp);
    if (m->n_follows > 0)
        qsort(m->follows, m->n_follows, sizeof *m->follows, fc_follow_qcmp);
    m->user_acts = fc_offsets(m, m->n_acts, fc_act_actor_at);
    m->user_follows = fc_offsets(m, m->n_follows, fc_follow_at);
    if (m->user_acts == NULL || m->user_follows == NULL)
        return -1;

    m->targeted = malloc((m->n_acts + 1) * sizeof *m->targeted);
    if (m->targeted == NULL)
        return -1;
    m->n_targeted = 0;
    for (size_t i = 0; i < m->n_acts; i++)
        if (m->acts[i].target != 0)
            m->targeted[m->n_targeted++] = (uint32_t)i;
    if (m->n_targeted > 0)
        qsort_r(m->targeted, m->n_targeted, sizeof *m->targeted, fc_targeted_qcmp, m);
    m->user_targeted = fc_offsets(m, m->n_targeted, fc_target_at);
    if (m->user_targeted == NULL)
        return -1;
    return fc_hash_build(m);
}

void fc_items_free(fc_items *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

fc_item *fc_items_push(fc_items *l)
{
    if (fc_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
        return NULL;
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    return &l->v[l->n++];
}

void fc_groups_free(fc_groups *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

fc_group *fc_groups_push(fc_groups *l)
{
    if (fc_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
        return NULL;
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    return &l->v[l->n++];
}

static int fc_push_act(fc_items *out, const fc_act *a, int cls)
{
    fc_item *it = fc_items_push(out);

    if (it == NULL)
        return -1;
    it->ts = a->ts_us;
    it->actor = a->actor;
    it->cls = cls;
    fc_act_id(a, it->id);
    return 0;
}

int fc_expect_profile(const fc_model *m, size_t u, fc_items *out)
{
    out->n = 0;
    for (size_t i = m->user_acts[u]; i < m->user_acts[u + 1]; i++)
        if (fc_push_act(out, &m->acts[i], FC_CLS_SURE) != 0)
            return -1;
    return 0; /* acts are newest first within an actor already */
}

int fc_expect_home(const fc_model *m, size_t u, const fc_rules *r, fc_items *out)
{
    if (fc_expect_profile(m, u, out) != 0)
        return -1;
    for (size_t f = m->user_follows[u]; f < m->user_follows[u + 1]; f++) {
        const fc_follow *fw = &m->follows[f];
        ptrdiff_t v = fc_model_user(m, fw->followee);
        int before = 0;

        if (v < 0)
            continue;
        for (size_t i = m->user_acts[v]; i < m->user_acts[v + 1]; i++) {
            const fc_act *a = &m->acts[i];
            int window = a->ts_us >= fw->ts_us - r->skew_us && a->ts_us <= fw->ts_us + r->skew_us;

            if (a->ts_us > fw->ts_us) {
                if (fc_push_act(out, a, window ? FC_CLS_WINDOW : FC_CLS_SURE) != 0)
                    return -1;
            } else if (before++ < r->backfill) {
                if (fc_push_act(out, a, window ? FC_CLS_WINDOW : FC_CLS_BACKFILL) != 0)
                    return -1;
            } else {
                break; /* older ones are all outside the backfill */
            }
        }
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, fc_item_qcmp);
    return 0;
}

static int fc_key_in(const uint64_t *keys, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo] == key;
}

int fc_pair_plausible(const fc_model *m, size_t v, int64_t follow_us, const fc_rules *r, const uint64_t *found,
                      size_t n_found)
{
    int rank = 0, gap = 0;
    size_t matched = 0;

    for (size_t i = m->user_acts[v]; i < m->user_acts[v + 1]; i++) {
        const fc_act *a = &m->acts[i];
        int present = fc_key_in(found, n_found, fc_act_key(a->kind, a->id));

        matched += present;
        if (a->ts_us > follow_us + r->skew_us) {
            if (!present)
                return 0; /* made well after the follow: the live fan-out reaches U */
        } else if (a->ts_us >= follow_us - r->skew_us) {
            continue; /* either side of the follow, depending on commit order */
        } else if (present) {
            if (gap || rank >= r->backfill)
                return 0; /* not a newest-first prefix within the backfill */
            rank++;
        } else {
            gap = 1;
            rank++;
        }
    }
    return matched == n_found; /* everything found is an activity of V */
}

/* Floor division: the window start of a time before 1970 is still aligned. */
static int64_t fc_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* An act's group: verb, object, window start µs. */
static void fc_group_of(const fc_act *a, fc_group *g)
{
    int n;

    memset(g, 0, sizeof *g);
    strcpy(g->verb, a->kind == 'f' ? "FOLLOW" : a->kind == 'l' ? "LIKE" : "COMMENT");
    g->object[0] = a->kind == 'f' ? 'u' : 'p';
    g->object[1] = ':';
    n = fc_utoa(a->object, g->object + 2);
    g->object[2 + n] = '\0';
    g->window_us = fc_floor_div(a->ts_us, FC_WINDOW_US) * FC_WINDOW_US;
    snprintf(g->id, sizeof g->id, "%s:%s:%lld", g->verb, g->object, (long long)(g->window_us / 1000));
}

/* Actors of a group with their newest event: newest first, ties by actor id descending. */
typedef struct fc_actor_ts {
    int64_t actor, ts;
} fc_actor_ts;

static int fc_actor_ts_qcmp(const void *pa, const void *pb)
{
    const fc_actor_ts *a = pa, *b = pb;

    if (a->ts != b->ts)
        return a->ts > b->ts ? -1 : 1;
    return a->actor > b->actor ? -1 : a->actor < b->actor;
}

static int fc_group_key_qcmp(const void *pa, const void *pb)
{
    const fc_group *a = pa, *b = pb;

    if (a->window_us != b->window_us)
        return a->window_us > b->window_us ? -1 : 1;
    return -fc_id_cmp(a->id, b->id);
}

typedef struct fc_tagged {
    fc_group g; /* the event's group (only key fields set) */
    int64_t actor, ts;
} fc_tagged;

static int fc_tagged_qcmp(const void *pa, const void *pb)
{
    const fc_tagged *a = pa, *b = pb;
    int c = fc_group_key_qcmp(&a->g, &b->g);

    if (c != 0)
        return c;
    return a->actor < b->actor ? -1 : a->actor > b->actor;
}

int fc_expect_notifications(const fc_model *m, size_t u, fc_groups *out)
{
    size_t lo = m->user_targeted[u], hi = m->user_targeted[u + 1], n = hi - lo;
    fc_tagged *ev;
    fc_actor_ts *actors;
    int rc = -1;

    out->n = 0;
    if (n == 0)
        return 0;
    ev = malloc(n * sizeof *ev);
    actors = malloc(n * sizeof *actors);
    if (ev == NULL || actors == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const fc_act *a = &m->acts[m->targeted[lo + i]];
        fc_group_of(a, &ev[i].g);
        ev[i].actor = a->actor;
        ev[i].ts = a->ts_us;
    }
    qsort(ev, n, sizeof *ev, fc_tagged_qcmp); /* groups in feed order, actors together */
    for (size_t i = 0; i < n;) {
        size_t j = i, na = 0;
        fc_group *g = fc_groups_push(out);

        if (g == NULL)
            goto done;
        *g = ev[i].g;
        g->latest_us = ev[i].ts;
        while (j < n && strcmp(ev[j].g.id, ev[i].g.id) == 0) {
            if (na == 0 || actors[na - 1].actor != ev[j].actor) {
                actors[na].actor = ev[j].actor;
                actors[na++].ts = ev[j].ts;
            } else if (ev[j].ts > actors[na - 1].ts) {
                actors[na - 1].ts = ev[j].ts;
            }
            if (ev[j].ts > g->latest_us)
                g->latest_us = ev[j].ts;
            j++;
        }
        qsort(actors, na, sizeof *actors, fc_actor_ts_qcmp);
        g->actor_count = (int32_t)na;
        g->n_ids = na < FC_GROUP_IDS ? (int32_t)na : FC_GROUP_IDS;
        for (int k = 0; k < g->n_ids; k++)
            g->actor_ids[k] = actors[k].actor;
        i = j;
    }
    rc = 0;
done:
    free(ev);
    free(actors);
    return rc;
}

int fc_groups_as_items(const fc_groups *g, fc_items *out)
{
    out->n = 0;
    for (size_t i = 0; i < g->n; i++) {
        fc_item *it = fc_items_push(out);
        if (it == NULL)
            return -1;
        it->ts = g->v[i].window_us;
        memcpy(it->id, g->v[i].id, sizeof it->id);
    }
    return 0;
}
