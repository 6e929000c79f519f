/* job_queue.c: intrusive doubly-linked FIFO. */
#include "api/src/store/job_queue.h"

#include <assert.h>

void job_queue_init(job_queue *q)
{
    q->head = q->tail = NULL;
    q->len = 0;
}

void job_queue_push(job_queue *q, job_link *l)
{
    l->next = NULL;
    l->prev = q->tail;
    if (q->tail != NULL)
        q->tail->next = l;
    else
        q->head = l;
    q->tail = l;
    q->len++;
}

void job_queue_push_front(job_queue *q, job_link *l)
{
    l->prev = NULL;
    l->next = q->head;
    if (q->head != NULL)
        q->head->prev = l;
    else
        q->tail = l;
    q->head = l;
    q->len++;
}

job_link *job_queue_pop(job_queue *q)
{
    job_link *l = q->head;

    if (l != NULL)
        job_queue_remove(q, l);
    return l;
}

void job_queue_remove(job_queue *q, job_link *l)
{
    assert(q->len > 0);
    if (l->prev != NULL)
        l->prev->next = l->next;
    else
        q->head = l->next;
    if (l->next != NULL)
        l->next->prev = l->prev;
    else
        q->tail = l->prev;
    l->prev = l->next = NULL;
    q->len--;
}

int job_queue_contains(const job_queue *q, const job_link *l)
{
    return l->prev != NULL || l->next != NULL || q->head == l;
}
