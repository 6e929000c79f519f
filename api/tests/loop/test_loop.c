/* test_loop.c: file events, timers, stop and cross-thread wake-ups on a
 * real epoll loop. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/loop/loop.h"

typedef struct recorder {
    int reads, writes, fired[16], nfired;
    int pipe_r, pipe_w;
    loop_timer *rearm; /* re-armed with delay 0 by its own callback */
    int rearm_count;
} recorder;

static void on_read(loop *l, int fd, void *data, int mask)
{
    recorder *r = data;
    char b[64];

    (void)l;
    assert_true(mask & LOOP_READABLE);
    while (read(fd, b, sizeof(b)) > 0)
        ;
    r->reads++;
}

static void on_write(loop *l, int fd, void *data, int mask)
{
    recorder *r = data;

    assert_true(mask & LOOP_WRITABLE);
    r->writes++;
    loop_del_file(l, fd, LOOP_WRITABLE); /* once is enough */
}

static void make_pipe(recorder *r)
{
    int p[2];

    assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    r->pipe_r = p[0];
    r->pipe_w = p[1];
}

static void test_file_events(void **state)
{
    loop l;
    recorder r;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(loop_init(&l), LOOP_OK);
    make_pipe(&r);
    assert_int_equal(loop_add_file(&l, r.pipe_r, LOOP_READABLE, on_read, &r), LOOP_OK);
    assert_int_equal(loop_add_file(&l, r.pipe_w, LOOP_WRITABLE, on_write, &r), LOOP_OK);
    assert_int_equal(loop_file_mask(&l, r.pipe_r), LOOP_READABLE);
    assert_int_equal(loop_run_once(&l, 0), 1); /* writable only */
    assert_int_equal(r.writes, 1);
    assert_int_equal(loop_file_mask(&l, r.pipe_w), LOOP_NONE);
    assert_int_equal(write(r.pipe_w, "x", 1), 1);
    assert_int_equal(loop_run_once(&l, 1), 1);
    assert_int_equal(r.reads, 1);
    assert_int_equal(loop_run_once(&l, 0), 0); /* level-triggered, but drained */
    loop_del_file(&l, r.pipe_r, LOOP_READABLE);
    assert_int_equal(write(r.pipe_w, "x", 1), 1);
    assert_int_equal(loop_run_once(&l, 0), 0); /* unwatched */
    loop_del_file(&l, 999, LOOP_READABLE);     /* unknown fds are ignored */
    errno = 0;
    assert_int_equal(loop_add_file(&l, -1, LOOP_READABLE, on_read, &r), LOOP_ERR);
    assert_int_equal(errno, EINVAL);
    close(r.pipe_r);
    close(r.pipe_w);
    loop_dispose(&l);
}

static void test_high_fd_grows_table(void **state)
{
    loop l;
    recorder r;
    int fd;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(loop_init(&l), LOOP_OK);
    make_pipe(&r);
    fd = fcntl(r.pipe_r, F_DUPFD_CLOEXEC, 300);
    assert_true(fd >= 300);
    assert_int_equal(loop_add_file(&l, fd, LOOP_READABLE, on_read, &r), LOOP_OK);
    assert_true(l.nfiles > fd);
    assert_int_equal(write(r.pipe_w, "x", 1), 1);
    assert_int_equal(loop_run_once(&l, 1), 1);
    assert_int_equal(r.reads, 1);
    loop_del_file(&l, fd, LOOP_READABLE);
    close(fd);
    close(r.pipe_r);
    close(r.pipe_w);
    loop_dispose(&l);
}

/* Timers carry their index in a side table to record the firing order. */
typedef struct indexed_timer {
    loop_timer t;
    int index;
    recorder *r;
} indexed_timer;

static void on_indexed(loop *l, loop_timer *t)
{
    indexed_timer *it = t->data;

    (void)l;
    it->r->fired[it->r->nfired++] = it->index;
}

static void test_timers_fire_in_order(void **state)
{
    indexed_timer it[4];
    uint64_t delays[4] = {30, 10, 20, 10};
    recorder r;
    loop l;
    int i;
    uint64_t start;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(loop_init(&l), LOOP_OK);
    for (i = 0; i < 4; i++) {
        it[i].index = i;
        it[i].r = &r;
        loop_timer_init(&it[i].t, on_indexed, &it[i]);
        assert_false(loop_timer_active(&it[i].t));
        assert_int_equal(loop_timer_start(&l, &it[i].t, delays[i]), LOOP_OK);
        assert_true(loop_timer_active(&it[i].t));
    }
    loop_timer_stop(&l, &it[2].t);
    loop_timer_stop(&l, &it[2].t); /* twice is fine */
    start = loop_clock_ms();
    while (r.nfired < 3)
        assert_true(loop_run_once(&l, 1) >= 0);
    assert_true(loop_clock_ms() - start >= 25); /* the 30 ms timer did wait */
    assert_int_equal(r.fired[0], 1);
    assert_int_equal(r.fired[1], 3);
    assert_int_equal(r.fired[2], 0);
    assert_false(loop_timer_active(&it[0].t));
    loop_dispose(&l);
}

static void test_restart_moves_timer(void **state)
{
    indexed_timer a, b;
    recorder r;
    loop l;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(loop_init(&l), LOOP_OK);
    a.index = 0;
    a.r = &r;
    b.index = 1;
    b.r = &r;
    loop_timer_init(&a.t, on_indexed, &a);
    loop_timer_init(&b.t, on_indexed, &b);
    assert_int_equal(loop_timer_start(&l, &a.t, 5), LOOP_OK);
    assert_int_equal(loop_timer_start(&l, &b.t, 20), LOOP_OK);
    assert_int_equal(loop_timer_start(&l, &a.t, 40), LOOP_OK); /* moved behind b */
    while (r.nfired < 2)
        assert_true(loop_run_once(&l, 1) >= 0);
    assert_int_equal(r.fired[0], 1);
    assert_int_equal(r.fired[1], 0);
    loop_dispose(&l);
}

static void on_rearm(loop *l, loop_timer *t)
{
    recorder *r = t->data;

    r->rearm_count++;
    assert_int_equal(loop_timer_start(l, t, 0), LOOP_OK);
}

static void test_zero_delay_rearm_does_not_starve(void **state)
{
    loop_timer t;
    recorder r;
    loop l;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(loop_init(&l), LOOP_OK);
    make_pipe(&r);
    loop_timer_init(&t, on_rearm, &r);
    assert_int_equal(loop_timer_start(&l, &t, 0), LOOP_OK);
    assert_int_equal(loop_add_file(&l, r.pipe_r, LOOP_READABLE, on_read, &r), LOOP_OK);
    assert_int_equal(write(r.pipe_w, "x", 1), 1);
    /* One turn runs the timer once (not forever) and the file event. */
    assert_int_equal(loop_run_once(&l, 1), 2);
    assert_int_equal(r.rearm_count, 1);
    assert_int_equal(r.reads, 1);
    assert_int_equal(loop_run_once(&l, 1), 1);
    assert_int_equal(r.rearm_count, 2);
    loop_timer_stop(&l, &t);
    loop_del_file(&l, r.pipe_r, LOOP_READABLE);
    close(r.pipe_r);
    close(r.pipe_w);
    loop_dispose(&l);
}

static void on_stop_timer(loop *l, loop_timer *t)
{
    (void)t;
    loop_stop(l);
}

static void test_run_until_stop(void **state)
{
    loop_timer t;
    loop l;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    loop_timer_init(&t, on_stop_timer, NULL);
    assert_int_equal(loop_timer_start(&l, &t, 5), LOOP_OK);
    assert_int_equal(loop_run(&l), LOOP_OK);
    /* A stop asked for before running is honoured, and cleared after. */
    loop_stop(&l);
    assert_int_equal(loop_run(&l), LOOP_OK);
    assert_int_equal(l.stop, 0);
    loop_dispose(&l);
}

typedef struct waker {
    loop *l;
    int woken;
} waker;

static void on_wake(loop *l, void *data)
{
    waker *w = data;

    w->woken++;
    loop_stop(l);
}

static void *wake_thread(void *arg)
{
    waker *w = arg;

    usleep(20000);
    assert_int_equal(loop_wake(w->l), LOOP_OK);
    return NULL;
}

static void test_wake_from_another_thread(void **state)
{
    pthread_t th;
    waker w;
    loop l;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    w.l = &l;
    w.woken = 0;
    loop_set_wake(&l, on_wake, &w);
    assert_int_equal(pthread_create(&th, NULL, wake_thread, &w), 0);
    assert_int_equal(loop_run(&l), LOOP_OK); /* no timer: only the wake ends it */
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(w.woken, 1);
    /* Several wakes before a turn coalesce into one callback. */
    assert_int_equal(loop_wake(&l), LOOP_OK);
    assert_int_equal(loop_wake(&l), LOOP_OK);
    assert_int_equal(loop_run_once(&l, 0), 1);
    assert_int_equal(w.woken, 2);
    assert_int_equal(loop_run_once(&l, 0), 0);
    loop_dispose(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_events),
        cmocka_unit_test(test_high_fd_grows_table),
        cmocka_unit_test(test_timers_fire_in_order),
        cmocka_unit_test(test_restart_moves_timer),
        cmocka_unit_test(test_zero_delay_rearm_does_not_starve),
        cmocka_unit_test(test_run_until_stop),
        cmocka_unit_test(test_wake_from_another_thread),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
