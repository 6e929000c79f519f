/* test_job_queue.c: FIFO order, push_front, removal from anywhere,
 * against a model array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "api/src/store/job_queue.h"

typedef struct item {
    int id;
    job_link link;
} item;

static int pop_id(job_queue *q)
{
    job_link *l = job_queue_pop(q);

    return l == NULL ? -1 : job_queue_entry(l, item, link)->id;
}

static void test_fifo(void **state)
{
    job_queue q;
    item it[5];

    (void)state;
    job_queue_init(&q);
    assert_int_equal(pop_id(&q), -1);
    for (int i = 0; i < 5; i++) {
        it[i].id = i;
        job_queue_push(&q, &it[i].link);
        assert_true(job_queue_contains(&q, &it[i].link));
    }
    assert_int_equal(q.len, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(pop_id(&q), i);
        assert_false(job_queue_contains(&q, &it[i].link));
    }
    assert_int_equal(q.len, 0);
    assert_null(q.head);
    assert_null(q.tail);
}

static void test_remove_and_front(void **state)
{
    job_queue q;
    item it[4] = {{.id = 0}, {.id = 1}, {.id = 2}, {.id = 3}};

    (void)state;
    job_queue_init(&q);
    for (int i = 0; i < 3; i++)
        job_queue_push(&q, &it[i].link);
    job_queue_remove(&q, &it[1].link); /* middle */
    job_queue_push_front(&q, &it[3].link);
    job_queue_remove(&q, &it[2].link); /* tail */
    assert_int_equal(q.len, 2);
    assert_int_equal(pop_id(&q), 3);
    assert_int_equal(pop_id(&q), 0);
    job_queue_push_front(&q, &it[1].link); /* into an empty queue */
    assert_ptr_equal(q.tail, &it[1].link);
    job_queue_remove(&q, &it[1].link); /* the only one */
    assert_int_equal(q.len, 0);
    assert_null(q.head);
}

static void test_random_against_model(void **state)
{
    enum { N = 64 };
    job_queue q;
    item it[N];
    int model[N], mlen = 0, in[N] = {0};

    (void)state;
    srand(1);
    job_queue_init(&q);
    for (int i = 0; i < N; i++)
        it[i].id = i;
    for (int step = 0; step < 20000; step++) {
        int k = rand() % N, op = rand() % 3;
        if (op == 0 && !in[k]) {
            job_queue_push(&q, &it[k].link);
            model[mlen++] = k;
            in[k] = 1;
        } else if (op == 1 && in[k]) {
            job_queue_remove(&q, &it[k].link);
            for (int j = 0; j < mlen; j++)
                if (model[j] == k) {
                    for (; j + 1 < mlen; j++)
                        model[j] = model[j + 1];
                    break;
                }
            mlen--;
            in[k] = 0;
        } else if (op == 2) {
            int got = pop_id(&q);
            assert_int_equal(got, mlen > 0 ? model[0] : -1);
            if (mlen > 0) {
                in[model[0]] = 0;
                for (int j = 0; j + 1 < mlen; j++)
                    model[j] = model[j + 1];
                mlen--;
            }
        }
        assert_int_equal(q.len, (size_t)mlen);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_remove_and_front),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
