/* loop.c: the epoll backend and the turn of the loop.
 *
 * Differences from ae.c worth knowing:
 * - the fd table grows on demand instead of a fixed setsize, so the
 *   loop needs no configuration and a callback must never keep a
 *   loop_file pointer across a call that may register a new fd;
 * - timers are caller-owned handles in a heap (O(log n) start/stop)
 *   instead of an id-keyed list scanned every turn;
 * - a timer armed by a timer callback for "now" fires on the next turn,
 *   not in the same one, so a callback that re-arms itself with delay 0
 *   cannot starve file events. ae gets the same effect with maxId.
 *
 * Like ae, events fired for an fd that a callback closed earlier in the
 * same turn may reach a new fd that reused the number; handlers are
 * non-blocking and treat EAGAIN as "nothing to do", so that is harmless.
 */
#include "api/src/loop/loop.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_FIRED 256

uint64_t loop_clock_us(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t loop_clock_ms(void)
{
    return loop_clock_us() / 1000u;
}

static void loop_on_wake(loop *l, int fd, void *data, int mask);

int loop_init(loop *l)
{
    memset(l, 0, sizeof(*l));
    l->epfd = -1;
    l->wake_fd = -1;
    timer_heap_init(&l->timers);
    atomic_init(&l->wake_pending, 0);
    l->now_ms = loop_clock_ms();

    l->fired = malloc(LOOP_MAX_FIRED * sizeof(*l->fired));
    if (l->fired == NULL)
        goto err;
    l->nfired = LOOP_MAX_FIRED;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0)
        goto err;
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->wake_fd < 0)
        goto err;
    if (loop_add_file(l, l->wake_fd, LOOP_READABLE, loop_on_wake, NULL) != LOOP_OK)
        goto err;
    return LOOP_OK;

err : {
    int saved = errno;
    loop_dispose(l);
    errno = saved;
}
    return LOOP_ERR;
}

void loop_dispose(loop *l)
{
    if (l->wake_fd >= 0)
        close(l->wake_fd);
    if (l->epfd >= 0)
        close(l->epfd);
    l->wake_fd = -1;
    l->epfd = -1;
    free(l->files);
    l->files = NULL;
    l->nfiles = 0;
    free(l->fired);
    l->fired = NULL;
    l->nfired = 0;
    timer_heap_dispose(&l->timers);
}

/* Make the fd table cover fd. */
static int loop_files_cover(loop *l, int fd)
{
    int n = l->nfiles != 0 ? l->nfiles : 64;
    loop_file *files;

    if (fd < l->nfiles)
        return LOOP_OK;
    while (n <= fd) {
        if (n > INT_MAX / 2) {
            errno = EMFILE;
            return LOOP_ERR;
        }
        n *= 2;
    }
    files = realloc(l->files, (size_t)n * sizeof(*files));
    if (files == NULL) {
        errno = ENOMEM;
        return LOOP_ERR;
    }
    memset(files + l->nfiles, 0, (size_t)(n - l->nfiles) * sizeof(*files));
    l->files = files;
    l->nfiles = n;
    return LOOP_OK;
}

static uint32_t loop_epoll_bits(int mask)
{
    uint32_t ev = 0;

    if (mask & LOOP_READABLE)
        ev |= EPOLLIN;
    if (mask & LOOP_WRITABLE)
        ev |= EPOLLOUT;
    return ev;
}

int loop_add_file(loop *l, int fd, int mask, loop_file_proc *proc, void *data)
{
    struct epoll_event ee;
    loop_file *f;
    int op, merged;

    if (fd < 0 || (mask & ~(LOOP_READABLE | LOOP_WRITABLE)) != 0 || proc == NULL) {
        errno = EINVAL;
        return LOOP_ERR;
    }
    if (loop_files_cover(l, fd) != LOOP_OK)
        return LOOP_ERR;
    f = &l->files[fd];
    op = f->mask == LOOP_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    merged = f->mask | mask;
    if (merged != f->mask) {
        memset(&ee, 0, sizeof(ee));
        ee.events = loop_epoll_bits(merged);
        ee.data.fd = fd;
        if (epoll_ctl(l->epfd, op, fd, &ee) != 0)
            return LOOP_ERR;
    }
    f->mask = merged;
    if (mask & LOOP_READABLE)
        f->rproc = proc;
    if (mask & LOOP_WRITABLE)
        f->wproc = proc;
    f->data = data;
    return LOOP_OK;
}

void loop_del_file(loop *l, int fd, int mask)
{
    struct epoll_event ee;
    loop_file *f;
    int left;

    if (fd < 0 || fd >= l->nfiles)
        return;
    f = &l->files[fd];
    if (f->mask == LOOP_NONE)
        return;
    left = f->mask & ~mask;
    if (left == f->mask)
        return;
    memset(&ee, 0, sizeof(ee));
    ee.events = loop_epoll_bits(left);
    ee.data.fd = fd;
    /* Failure means fd is no longer open: the kernel already dropped it
     * from the epoll set, which is what we wanted. */
    (void)epoll_ctl(l->epfd, left == LOOP_NONE ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, fd, &ee);
    f->mask = left;
    if (!(left & LOOP_READABLE))
        f->rproc = NULL;
    if (!(left & LOOP_WRITABLE))
        f->wproc = NULL;
}

int loop_file_mask(const loop *l, int fd)
{
    if (fd < 0 || fd >= l->nfiles)
        return LOOP_NONE;
    return l->files[fd].mask;
}

void loop_timer_init(loop_timer *t, loop_timer_proc *proc, void *data)
{
    t->when_ms = 0;
    t->seq = 0;
    t->heap_index = 0;
    t->proc = proc;
    t->data = data;
}

int loop_timer_start(loop *l, loop_timer *t, uint64_t delay_ms)
{
    loop_timer_stop(l, t);
    t->when_ms = delay_ms > UINT64_MAX - l->now_ms ? UINT64_MAX : l->now_ms + delay_ms;
    t->seq = l->timer_seq++;
    if (timer_heap_push(&l->timers, t) != 0)
        return LOOP_ERR;
    return LOOP_OK;
}

void loop_timer_stop(loop *l, loop_timer *t)
{
    if (t->heap_index != 0)
        timer_heap_remove(&l->timers, t);
}

void loop_set_wake(loop *l, loop_wake_proc *proc, void *data)
{
    l->wake_proc = proc;
    l->wake_data = data;
}

int loop_wake(loop *l)
{
    uint64_t one = 1;
    ssize_t n;

    atomic_store(&l->wake_pending, 1);
    /* EAGAIN means the counter is saturated: a wake is pending anyway. */
    do {
        n = write(l->wake_fd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN)
        return LOOP_ERR;
    return LOOP_OK;
}

static void loop_on_wake(loop *l, int fd, void *data, int mask)
{
    uint64_t count;
    ssize_t n;

    (void)data;
    (void)mask;
    do {
        n = read(fd, &count, sizeof(count));
    } while (n < 0 && errno == EINTR);
    /* EAGAIN: another turn already drained it. Either way, run the
     * callback only if somebody asked since the last run. */
    if (atomic_exchange(&l->wake_pending, 0) && l->wake_proc != NULL)
        l->wake_proc(l, l->wake_data);
}

/* epoll_wait timeout in ms for the next turn. */
static int loop_wait_ms(const loop *l, int may_block)
{
    const loop_timer *t = timer_heap_peek(&l->timers);
    uint64_t delta;

    if (!may_block || l->stop)
        return 0;
    if (t == NULL)
        return -1;
    if (t->when_ms <= l->now_ms)
        return 0;
    delta = t->when_ms - l->now_ms;
    return delta > INT_MAX ? INT_MAX : (int)delta;
}

static int loop_run_timers(loop *l)
{
    uint64_t limit_seq = l->timer_seq; /* timers armed from here on wait a turn */
    loop_timer *t;
    int ran = 0;

    while ((t = timer_heap_peek(&l->timers)) != NULL && t->when_ms <= l->now_ms && t->seq < limit_seq) {
        timer_heap_remove(&l->timers, t);
        t->proc(l, t); /* may free t: do not touch it afterwards */
        ran++;
    }
    return ran;
}

static int loop_dispatch(loop *l, int fd, uint32_t events)
{
    int fired = 0, ran = 0, mask;
    loop_file_proc *rproc;

    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        fired |= LOOP_READABLE;
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
        fired |= LOOP_WRITABLE;
    if (fd >= l->nfiles)
        return 0;

    mask = l->files[fd].mask & fired;
    rproc = NULL;
    if (mask & LOOP_READABLE) {
        loop_file f = l->files[fd]; /* copy: the callback may grow the table */
        rproc = f.rproc;
        f.rproc(l, fd, f.data, f.rproc == f.wproc ? mask : LOOP_READABLE);
        ran++;
    }
    /* Re-read: the read callback may have removed or replaced the fd. */
    if (fd < l->nfiles && (l->files[fd].mask & fired & LOOP_WRITABLE)) {
        loop_file f = l->files[fd];
        if (rproc == NULL || f.wproc != rproc) {
            f.wproc(l, fd, f.data, LOOP_WRITABLE);
            ran++;
        }
    }
    return ran;
}

int loop_run_once(loop *l, int may_block)
{
    int n, i, ran = 0;

    n = epoll_wait(l->epfd, l->fired, l->nfired, loop_wait_ms(l, may_block));
    if (n < 0) {
        if (errno != EINTR)
            return LOOP_ERR;
        n = 0;
    }
    l->now_ms = loop_clock_ms();
    for (i = 0; i < n; i++)
        ran += loop_dispatch(l, l->fired[i].data.fd, l->fired[i].events);
    ran += loop_run_timers(l);
    return ran;
}

int loop_run(loop *l)
{
    int rc = LOOP_OK;

    /* A stop asked for before the run is honoured; the flag is cleared
     * on the way out so the loop can be run again. */
    while (!l->stop) {
        if (loop_run_once(l, 1) == LOOP_ERR) {
            rc = LOOP_ERR;
            break;
        }
    }
    l->stop = 0;
    return rc;
}

void loop_stop(loop *l)
{
    l->stop = 1;
}
