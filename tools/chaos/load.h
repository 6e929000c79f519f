/* load.h: a steady write load through the feed API, and the record of
 * every write it made (the ledger), so that after a fault one can say
 * which writes were accepted, refused, or of unknown fate, and check
 * them against PostgreSQL.
 *
 * A writer is one thread with its own keep-alive connection and its own
 * few users. It only acts on what it knows: an object whose last write
 * has an unknown fate (the connection broke after sending) is "busy" and
 * left alone until ld_resolve has retried that write with the same
 * Idempotency-Key (POST: the API replays the first answer if the first
 * attempt was written, so the retry tells which it was, and never writes
 * twice) or the same DELETE (204 or 404: gone either way).
 *
 * Every POST carries an Idempotency-Key; posts and comments carry a
 * unique body ("chaos <run> w<writer> p<seq>") by which the ledger finds
 * their rows; likes and follows are found by their pair.
 */
#ifndef FEED_CHAOS_LOAD_H
#define FEED_CHAOS_LOAD_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "tools/chaos/http_client.h"

#define LD_USERS_PER_WRITER 4
#define LD_MAX_PHASES 16

enum { LD_POST, LD_COMMENT, LD_LIKE, LD_UNLIKE, LD_FOLLOW, LD_UNFOLLOW, LD_DEL_POST, LD_DEL_COMMENT, LD_KINDS };

/* What happened to one write, as the client saw it at first. */
enum { LD_ACCEPTED, LD_REFUSED_5XX, LD_REFUSED_4XX, LD_REFUSED_UNCLEAR, LD_NOT_SENT, LD_UNKNOWN, LD_OUTCOMES };

/* Object states. */
enum { LD_NONE = 0, LD_ALIVE = 1, LD_GONE = 2 };

typedef struct ld_user {
    int64_t id;
    char token[512];
} ld_user;

typedef struct ld_post {
    int64_t id; /* 0 until known */
    int author; /* user index */
    int state;  /* LD_NONE (never written), LD_ALIVE, LD_GONE */
    int busy;
    int phase; /* of the create */
    int first; /* outcome of the create, LD_* */
} ld_post;

typedef struct ld_comment {
    int64_t id;
    int author, post; /* user index, post index */
    int state, busy, phase, first;
} ld_comment;

/* A like (user index, post index) or a follow (user index, followee id). */
typedef struct ld_pair {
    int user;
    int64_t other;
    int on, busy, phase, first; /* of the last write to the pair */
} ld_pair;

/* A write whose fate is unknown, to retry. */
typedef struct ld_pending {
    int kind, phase, target, user;
    char method[8], path[128], key[64];
    int counted;  /* already counted as unresolved */
    json_t *body; /* owned, may be NULL */
} ld_pending;

/* Per-phase counters of one writer (summed by ld_totals). */
typedef struct ld_counts {
    int64_t writes;                      /* first attempts */
    int64_t outcome[LD_OUTCOMES];        /* by first outcome */
    int64_t resolved_written;            /* unknown, and the retry was a replay: the first attempt had written */
    int64_t resolved_not_written;        /* unknown, and the retry wrote it fresh, or found nothing to delete... */
    int64_t unresolved;                  /* still unknown after ld_resolve's deadline */
    int64_t first_fail_ms, last_fail_ms; /* monotonic ms of the first / last failed write, 0 if none */
    int64_t reads, reads_failed;         /* feed reads (GET home) between writes, which fill Redis heads */
    int64_t first_read_fail_ms, last_read_fail_ms; /* monotonic ms of the first / last failed read, 0 if none */
} ld_counts;

typedef struct ld_writer ld_writer;

typedef struct ld_load {
    char run[24]; /* run id, in bodies and keys */
    char api_host[64];
    int api_port;
    int nwriters;
    double rate;           /* writes per second, all writers together */
    int timeout_ms;        /* per request */
    ld_writer *w;          /* nwriters of them */
    int64_t *all_user_ids; /* every writer's users, for follows */
    int nall;
    _Atomic int stop;  /* set by ld_stop, read by the writers */
    _Atomic int phase; /* the phase the writers count into */
    int64_t fault_ms;  /* when the current phase's fault began, 0 before it */
    pthread_t *threads;
} ld_load;

/* Prepare the load: nwriters writers, each creating its users through
 * the API (retrying until it works or deadline_ms passes). 0 or -1 with
 * a message on stderr. */
int ld_init(ld_load *l, const char *api_url, int nwriters, double rate, int deadline_ms);

/* Start the writer threads for phase; ld_stop stops and joins them. */
int ld_start(ld_load *l, int phase);
void ld_stop(ld_load *l);

/* Retry every unknown-fate write of every writer until it has a definite
 * answer or deadline_ms passes. 0 when all were resolved. */
int ld_resolve(ld_load *l, int deadline_ms);

/* The counters of phase summed over the writers. */
void ld_totals(const ld_load *l, int phase, ld_counts *out);

/* Ledger check against PostgreSQL (see ledger.c): for each phase, how
 * many acknowledged writes are missing (lost), written twice (doubled),
 * and refused writes that are there anyway (half_written). 0, or -1 if
 * PostgreSQL could not be read. */
typedef struct ld_verdict {
    int64_t lost[LD_MAX_PHASES], doubled[LD_MAX_PHASES], half_written[LD_MAX_PHASES];
    int64_t checked; /* objects compared */
    char first_problem[256];
} ld_verdict;
int ld_verify(const ld_load *l, const char *pg_conninfo, ld_verdict *v);

void ld_free(ld_load *l);

/* Internals shared by load.c and ledger.c. */
struct ld_writer {
    ld_load *load;
    int index;
    hc_conn conn;
    unsigned rng;
    ld_user users[LD_USERS_PER_WRITER];
    ld_post *posts;
    int nposts, capposts;
    ld_comment *comments;
    int ncomments, capcomments;
    ld_pair *likes;
    int nlikes, caplikes;
    ld_pair *follows;
    int nfollows, capfollows;
    ld_pending *pending;
    int npending, cappending;
    uint64_t seq;
    ld_counts counts[LD_MAX_PHASES];
};

#endif
