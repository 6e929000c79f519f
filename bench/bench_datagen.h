/* bench_datagen.h: a realistic social graph and its activities, in memory.
 *
 * Unlike bench_graph's bipartite graph (readers follow, authors act),
 * every user here may follow, be followed, post, comment and like:
 *   - follower counts: the --hot top accounts get hot_followers / k
 *     (k = 1..hot: 50k, 25k, 16.7k by default); every other account a
 *     Zipf-like count (bench_zipf_counts, exponent zipf) capped at the last
 *     hot count, the whole summing to exactly `follows`. Followers of an
 *     account are distinct users other than itself, drawn uniformly, so
 *     the follows are a general directed graph with no self-follow and no
 *     duplicate pair;
 *   - `activities` SHARD, COMMENT and LIKE rows in the ratio mix[]: posts
 *     by authors drawn with weight 1 + sqrt(followers); comments and likes
 *     on posts drawn with weight 1 + followers of the post's author, by a
 *     follower of that author 80% of the time (anyone otherwise); at most
 *     one like per (user, post) and none of one's own posts;
 *   - times: seconds into a window of window_s seconds; a follow or post
 *     uniform over it, a comment or like after its post by an exponential
 *     delay of mean 12 hours (wrapped into the rest of the window); users
 *     exist before it.
 *     Every table is sorted by time, so ids (row index + a base) grow with
 *     created_at, as they do in production;
 *   - undo: each row is marked undone with probability undo[verb]
 *     (unfollow, post deleted, comment deleted, unlike). The loader decides
 *     what that means (insert then delete, or leave the row out).
 *
 * Row references are indexes: a follow's users, a post's author, a
 * comment's or like's post are indexes into users[] and posts[]. Sizes
 * are limited to 2^32 - 1 rows per table.
 *
 * Pure and deterministic: the same config (seed included) gives the same
 * graph, byte for byte, on every machine (bench_dg_checksum).
 */
#ifndef BENCH_DATAGEN_H
#define BENCH_DATAGEN_H

#include <stddef.h>
#include <stdint.h>

enum { BENCH_DG_FOLLOW, BENCH_DG_POST, BENCH_DG_COMMENT, BENCH_DG_LIKE, BENCH_DG_VERBS };

typedef struct bench_dg_config {
    size_t users;                /* >= 2 */
    size_t follows;              /* FOLLOW rows, unfollowed ones included */
    size_t activities;           /* SHARD + COMMENT + LIKE rows, undone ones included */
    size_t hot;                  /* top accounts with pinned follower counts (may be 0) */
    size_t hot_followers;        /* followers of the top one; hot rank k gets hot_followers / k */
    double zipf;                 /* exponent of the other accounts' counts, >= 0 */
    unsigned mix[3];             /* relative shares of posts, comments, likes; not all 0 */
    double undo[BENCH_DG_VERBS]; /* fraction of each verb's rows undone, in [0, 1] */
    uint32_t window_s;           /* the time window, seconds, > 0 */
    uint64_t seed;
} bench_dg_config;

/* The defaults of bench-datagen: 100k users, 2M follows, 1M activities. */
void bench_dg_defaults(bench_dg_config *c);

typedef struct bench_dg_follow {
    uint32_t follower, followee, t;
    uint8_t undone;
} bench_dg_follow;

typedef struct bench_dg_post {
    uint32_t author, t;
    uint8_t undone;
} bench_dg_post;

/* A comment or a like: user on post. */
typedef struct bench_dg_reply {
    uint32_t post, user, t;
    uint8_t undone;
} bench_dg_reply;

typedef struct bench_dg_graph {
    size_t nusers;
    uint32_t *user_age; /* seconds before the window's start the user was created */
    size_t *followers;  /* per user: follows of it, unfollowed ones included */
    uint32_t *by_rank;  /* users by follower count, largest first */
    size_t nfollows, nposts, ncomments, nlikes;
    bench_dg_follow *follows;
    bench_dg_post *posts;
    bench_dg_reply *comments, *likes;
} bench_dg_graph;

/* Generate *g (the caller's, zeroed or freed) from *c. 0, or -1 with a
 * message in err (an impossible config: hot_followers >= users, the hot
 * counts above `follows`, no room for the likes...; or out of memory).
 * On -1, *g holds nothing to free. Free with bench_dg_free. */
int bench_dg_generate(const bench_dg_config *c, bench_dg_graph *g, char *err, size_t errlen);

void bench_dg_free(bench_dg_graph *g);

/* FNV-1a over every generated field, in order: equal graphs, equal sums. */
uint64_t bench_dg_checksum(const bench_dg_graph *g);

/* Rows of a verb marked undone. */
size_t bench_dg_undone(const bench_dg_graph *g, int verb);

/* The follower count of the user at q per mille of the ranking, largest
 * first: 0 = the top account, 10 = the top 1% boundary, 500 = the median,
 * 1000 = the least followed. */
size_t bench_dg_followers_at(const bench_dg_graph *g, unsigned q);

#endif
