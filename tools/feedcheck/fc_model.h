/* fc_model.h: PostgreSQL's rows in memory, and the feeds they imply.
 *
 * The oracle's pure half: no I/O. fc_pg.c fills an fc_model from the five
 * tables; the functions here compute what home(U), profile(U) and
 * notifications(U) must hold under docs/DATA-MODEL.md "Feed rules":
 *
 *   profile(U) = U's live activities;
 *   home(U)    = U's own activities, and for each V that U follows (the
 *                follow row's created_at is F): every activity of V made
 *                after F, plus the newest `backfill` made before F;
 *   notifications(U) = FOLLOWs of U, LIKEs and COMMENTs on U's posts by
 *                others, grouped per (verb, object, 1-hour window).
 *
 * Every list is ordered newest first by (ts_us, id) descending, ids
 * compared as bytes. "Before the follow" is decided by created_at; the
 * job decides it by LSN over what existed then (see fc_pair_plausible for
 * the tolerance this needs).
 *
 * Ownership: the model owns every array in it (fc_model_free). Item lists
 * (fc_items) are owned by the caller, who reuses them between feeds.
 */
#ifndef FC_MODEL_H
#define FC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define FC_ID_MAX 72              /* an activity or group id, NUL included */
#define FC_GROUP_IDS 10           /* actor_ids kept per notification group */
#define FC_WINDOW_US 3600000000LL /* notification window: 1 hour */

/* One live activity row. */
typedef struct fc_act {
    int64_t id;       /* the row's id */
    int64_t actor;    /* follower_id, author_id or user_id */
    int64_t ts_us;    /* created_at, microseconds since the epoch */
    int64_t object;   /* post id (p, c, l) or followee id (f) */
    int64_t target;   /* the notified user, 0 when nobody (own post) */
    int32_t body_len; /* octet length of the body, -1 when it has none */
    char kind;        /* 'f' follow, 'p' post, 'c' comment, 'l' like */
} fc_act;

/* One live follow: follower follows followee since ts_us. */
typedef struct fc_follow {
    int64_t id; /* follows.id: the FOLLOW activity f:<id> */
    int64_t follower;
    int64_t followee;
    int64_t ts_us;
} fc_follow;

/* Item classes of an expected home item (see fc_pair_plausible). */
enum {
    FC_CLS_SURE = 0,    /* own activity or certain follow rule outcome */
    FC_CLS_WINDOW = 1,  /* made within --skew of the follow: commit order unknown */
    FC_CLS_BACKFILL = 2 /* made before the follow: a deletion we cannot see may have pushed it out */
};

/* An entry of a feed, expected or found: a feed item or a notification group. */
typedef struct fc_item {
    int64_t ts;         /* ts_us, or the group's window start µs */
    int64_t actor;      /* feed items: the actor (0 if unknown) */
    int32_t cls;        /* FC_CLS_* (expected home items) */
    char id[FC_ID_MAX]; /* activity id ("p:42") or group id */
} fc_item;

typedef struct fc_items {
    fc_item *v;
    size_t n, cap;
} fc_items;

/* A notification group, expected or found. */
typedef struct fc_group {
    int64_t window_us; /* clustering ts_us: the window start in µs */
    int64_t latest_us; /* newest live event, -1 when not known (column absent) */
    int32_t actor_count;
    int32_t n_ids;
    int64_t actor_ids[FC_GROUP_IDS];
    char verb[8];               /* FOLLOW, LIKE, COMMENT */
    char object[FC_ID_MAX - 8]; /* "u:7", "p:42" */
    char id[FC_ID_MAX];         /* "<verb>:<object>:<window start ms>" */
} fc_group;

typedef struct fc_groups {
    fc_group *v;
    size_t n, cap;
} fc_groups;

/* The rows, indexed. After fc_model_index: acts sorted by actor and newest
 * first within an actor; follows sorted by (follower, followee). */
typedef struct fc_model {
    int64_t *users; /* sorted user ids */
    size_t n_users, cap_users;
    fc_act *acts;
    size_t n_acts, cap_acts;
    fc_follow *follows;
    size_t n_follows, cap_follows;
    /* built by fc_model_index */
    size_t *user_acts;    /* [n_users + 1]: acts of users[i] are acts[user_acts[i] .. user_acts[i+1]) */
    size_t *user_follows; /* [n_users + 1]: follows by users[i] */
    uint32_t *targeted;   /* indexes of acts with a target, sorted by target */
    size_t n_targeted;
    size_t *user_targeted; /* [n_users + 1] into targeted */
    uint64_t *hash_keys;   /* activity key -> index into acts (open addressing) */
    uint32_t *hash_vals;
    size_t hash_cap; /* power of two */
} fc_model;

void fc_model_init(fc_model *m);
void fc_model_free(fc_model *m);

/* Append rows (any order). 0, or -1 when out of memory. */
int fc_model_add_user(fc_model *m, int64_t id);
int fc_model_add_act(fc_model *m, const fc_act *a);
int fc_model_add_follow(fc_model *m, const fc_follow *f);

/* Sort and index what was added; call once, after the last add. Adds
 * each follow as its FOLLOW activity (kind 'f', actor the follower, object
 * and target the followee): do not add those with fc_model_add_act.
 * 0, or -1 when out of memory. */
int fc_model_index(fc_model *m);

/* Index of user id in m->users, or -1. */
ptrdiff_t fc_model_user(const fc_model *m, int64_t id);

/* The activity named by id ("p:42"), or NULL. */
const fc_act *fc_model_find(const fc_model *m, const char *id, size_t len);

/* "p:42" into buf (FC_ID_MAX); returns its length. */
int fc_act_id(const fc_act *a, char *buf);

/* Parse "p:42" into kind and row id. 0, or -1 when not an activity id. */
int fc_parse_act_id(const char *id, size_t len, char *kind, int64_t *row_id);

/* Compare ids as bytes (memcmp, then length): the tie-break of every feed. */
int fc_id_cmp(const char *a, const char *b);

/* Newest first: -1 when a sorts before b in a feed. */
int fc_item_cmp(const fc_item *a, const fc_item *b);

/* Lists. push returns 0, or -1 when out of memory. */
void fc_items_free(fc_items *l);
fc_item *fc_items_push(fc_items *l);
void fc_groups_free(fc_groups *l);
fc_group *fc_groups_push(fc_groups *l);

/* Rule parameters of the expected home feed. */
typedef struct fc_rules {
    int backfill;    /* newest activities of V copied when U follows V */
    int64_t skew_us; /* created_at this close to the follow's: commit order unknown */
} fc_rules;

/* Expected feeds of user index u (into m->users), replacing out's contents,
 * newest first. 0, or -1 when out of memory. */
int fc_expect_profile(const fc_model *m, size_t u, fc_items *out);
int fc_expect_home(const fc_model *m, size_t u, const fc_rules *r, fc_items *out);
int fc_expect_notifications(const fc_model *m, size_t u, fc_groups *out);

/* Items of out as notification entries (ts = window start, id = group id). */
int fc_groups_as_items(const fc_groups *g, fc_items *out);

/* Could the job, following the rules by LSN rather than created_at, have
 * left exactly the activities `found` (row keys of V's activities present
 * in home(U), sorted ascending, see fc_act_key) of followee V, followed at
 * follow_us? Yes when found holds every activity of V made more than
 * skew after the follow, nothing made more than skew before it except a
 * prefix (newest first) of at most `backfill` of those: a shorter prefix
 * is what a later-deleted activity among the newest before the follow
 * leaves, and activities within skew of the follow may fall either side. */
int fc_pair_plausible(const fc_model *m, size_t v, int64_t follow_us, const fc_rules *r, const uint64_t *found,
                      size_t n_found);

/* The key of an activity in the hash: kind and row id in one integer. */
uint64_t fc_act_key(char kind, int64_t id);

#endif
