/* loop.h: a single-threaded epoll event loop, after Redis's ae.c.
 *
 * File events: a read and a write callback per file descriptor, level
 * triggered, as in ae. Timers: caller-owned loop_timer handles in a
 * min-heap (see timer_heap.h), because every connection carries one.
 * A stop flag ends loop_run after the current turn. loop_wake is the one
 * call that may come from another thread (or a signal handler): it makes
 * the loop call its wake callback on its own thread.
 *
 * Ownership (libuv style): the caller owns the loop struct and every
 * loop_timer; loop_init never allocates the loop itself. The loop owns
 * its epoll fd, its wake eventfd and its tables. Calls return LOOP_OK or
 * LOOP_ERR with errno set.
 *
 * Everything except loop_wake must be called from the loop's thread.
 */
#ifndef API_LOOP_LOOP_H
#define API_LOOP_LOOP_H

#include <stdatomic.h>
#include <stdint.h>

#include "api/src/loop/timer_heap.h"

#define LOOP_OK 0
#define LOOP_ERR (-1)

#define LOOP_NONE 0
#define LOOP_READABLE 1
#define LOOP_WRITABLE 2

typedef struct loop loop;
struct epoll_event;

/* mask: what fired (LOOP_READABLE and/or LOOP_WRITABLE). When the same
 * callback is registered for both, it is called once per turn with both
 * bits. Errors and hang-ups on the fd are reported as readable and
 * writable, so the callback finds out from read/write themselves. */
typedef void loop_file_proc(loop *l, int fd, void *data, int mask);

/* Runs on the loop thread after loop_wake; wakes coalesce. */
typedef void loop_wake_proc(loop *l, void *data);

typedef struct loop_file {
    int mask; /* LOOP_READABLE | LOOP_WRITABLE registered */
    loop_file_proc *rproc;
    loop_file_proc *wproc;
    void *data; /* not owned */
} loop_file;

struct loop {
    int epfd;         /* owned */
    int wake_fd;      /* owned eventfd */
    loop_file *files; /* owned, indexed by fd, nfiles entries */
    int nfiles;
    struct epoll_event *fired; /* owned scratch for epoll_wait */
    int nfired;
    timer_heap timers;
    uint64_t timer_seq; /* next loop_timer.seq */
    uint64_t now_ms;    /* monotonic clock, refreshed once per turn */
    int stop;
    loop_wake_proc *wake_proc;
    void *wake_data;
    atomic_int wake_pending;
};

int loop_init(loop *l);

/* Close the loop's own fds and free its tables. Registered fds are not
 * closed (their owners do that); armed timers are forgotten. */
void loop_dispose(loop *l);

/* Watch fd for mask (added to what is already watched), calling proc.
 * The same data pointer serves both directions (last one set wins). */
int loop_add_file(loop *l, int fd, int mask, loop_file_proc *proc, void *data);

/* Stop watching fd for mask; removing the last bit unregisters fd. Call
 * it (with LOOP_READABLE | LOOP_WRITABLE) before closing fd. Never fails
 * for a caller: an epoll error here can only mean fd was already closed. */
void loop_del_file(loop *l, int fd, int mask);

/* What fd is watched for now (LOOP_NONE if nothing). */
int loop_file_mask(const loop *l, int fd);

/* Prepare a timer handle; it is not armed. */
void loop_timer_init(loop_timer *t, loop_timer_proc *proc, void *data);

/* Arm t to fire delay_ms after the loop's current time; re-arming an
 * armed timer moves it. LOOP_ERR (ENOMEM) leaves t unarmed. */
int loop_timer_start(loop *l, loop_timer *t, uint64_t delay_ms);

/* Disarm t; a no-op when it is not armed. */
void loop_timer_stop(loop *l, loop_timer *t);

static inline int loop_timer_active(const loop_timer *t)
{
    return t->heap_index != 0;
}

/* Set the callback run after loop_wake; call before any wake. */
void loop_set_wake(loop *l, loop_wake_proc *proc, void *data);

/* Ask the loop to run its wake callback soon. Thread-safe and
 * async-signal-safe. LOOP_ERR only if the eventfd write fails. */
int loop_wake(loop *l);

/* One turn: wait for events (at most until the next timer, not at all if
 * !may_block), run their callbacks, then the due timers. Returns the
 * number of callbacks run, or LOOP_ERR if epoll_wait failed. */
int loop_run_once(loop *l, int may_block);

/* Turn until loop_stop. LOOP_OK, or LOOP_ERR if epoll_wait failed. */
int loop_run(loop *l);

/* Make loop_run return after the current turn. */
void loop_stop(loop *l);

/* The loop's idea of now: monotonic milliseconds, refreshed each turn. */
static inline uint64_t loop_now_ms(const loop *l)
{
    return l->now_ms;
}

/* The monotonic clock read now, in ms and in µs. */
uint64_t loop_clock_ms(void);
uint64_t loop_clock_us(void);

#endif
