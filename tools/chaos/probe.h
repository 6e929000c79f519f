/* probe.h: commit-to-readable latency during a fault, measured the way a
 * user sees it. A probe author posts through the API about every 0.5 s; a
 * probe follower's home feed is polled (first page, 100 items) until each
 * acknowledged post is on it. A post's latency runs from its POST's 2xx
 * answer to the first read that lists it. Posts are grouped by the window
 * in which they were acknowledged (before the fault, during it, after the
 * part is back), so the run can say what a fault did to freshness.
 *
 * Two threads, each with its own connection: the poster and the poller;
 * the list of posts is shared under a mutex. The probe's two users are
 * made once by pb_init and live for the whole run (their feeds are part of
 * the final feedcheck over every user).
 */
#ifndef FEED_CHAOS_PROBE_H
#define FEED_CHAOS_PROBE_H

#include <pthread.h>
#include <stdint.h>

#include "tools/chaos/load.h"

enum { PB_BEFORE, PB_DURING, PB_AFTER, PB_WINDOWS };

typedef struct pb_post {
    int64_t id;      /* the post's id */
    int64_t ack_ms;  /* monotonic ms of its 2xx answer */
    int64_t seen_ms; /* first read that listed it, 0 until then */
    int window;      /* PB_* when acknowledged */
} pb_post;

/* What one round (pb_start .. pb_stop) measured. */
typedef struct pb_summary {
    int64_t posted[PB_WINDOWS];          /* acknowledged posts per window */
    int64_t seen[PB_WINDOWS];            /* of those, seen on the follower's feed */
    int64_t p99_ms[PB_WINDOWS];          /* commit-to-readable p99 of the seen ones, -1 if none */
    int64_t max_ms[PB_WINDOWS];          /* and the slowest, -1 if none */
    int64_t posts_failed;                /* POSTs not answered 2xx */
    int64_t reads, reads_failed;         /* the follower's feed reads */
    int64_t first_fail_ms, last_fail_ms; /* of failed reads, 0 if none */
} pb_summary;

typedef struct pb_probe {
    char api_host[64];
    int api_port;
    ld_user author, follower;
    pthread_t poster, poller;
    int running, posting;
    _Atomic int stop_posting, stop_polling;
    _Atomic int window; /* PB_*, set by the driver */
    pthread_mutex_t mu; /* guards everything below */
    pb_post *posts;
    int nposts, cap;
    uint64_t seq;
    int64_t posts_failed, reads, reads_failed, first_fail_ms, last_fail_ms;
} pb_probe;

/* Make the probe's author and follower through the API (the follower
 * follows the author), retrying until deadline_ms. 0 or -1 (message on
 * stderr). */
int pb_init(pb_probe *p, const char *api_url, int deadline_ms);

/* Start a round: forget the last round's posts, window = PB_BEFORE, start
 * both threads. 0 or -1. */
int pb_start(pb_probe *p);

/* The window the posts acknowledged from now on belong to. */
void pb_set_window(pb_probe *p, int window);

/* Stop posting (the load has stopped); the poller goes on. */
void pb_stop_posting(pb_probe *p);

/* End the round: stop posting, keep polling until every acknowledged post
 * was seen or grace_ms passed, join the threads, sum up into *out. */
void pb_stop(pb_probe *p, int grace_ms, pb_summary *out);

/* The q-quantile (0 < q <= 1, nearest rank) of n values, which it sorts;
 * -1 when n is 0. */
int64_t pb_quantile(int64_t *v, int n, double q);

/* 1 when a home page's JSON (the API's {"items":[{"id":"p:ID",...}]})
 * lists post id. */
int pb_page_has_post(const json_t *page, int64_t id);

void pb_free(pb_probe *p);

#endif
