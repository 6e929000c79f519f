/* fill_table.c: fills in progress on one worker, and their waiters.
 *
 * A plain list: a worker has a handful of fills in flight at a time (a
 * fill lasts one Cassandra read and one Redis script), so a linear scan
 * beats a hash table in both code and time.
 */
#include "api/src/read/fill_table.h"

#include <assert.h>
#include <stdlib.h>

void fill_table_init(fill_table *t)
{
    t->head = NULL;
    t->count = 0;
}

fill_flight *fill_table_find(fill_table *t, feed_kind kind, int64_t user_id)
{
    fill_flight *f;

    for (f = t->head; f != NULL; f = f->next) {
        if (f->kind == kind && f->user_id == user_id)
            return f;
    }
    return NULL;
}

fill_flight *fill_table_start(fill_table *t, feed_kind kind, int64_t user_id)
{
    fill_flight *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->kind = kind;
    f->user_id = user_id;
    f->refs = 1;
    f->tail = &f->waiters;
    f->in_table = 1;
    f->next = t->head;
    t->head = f;
    t->count++;
    return f;
}

void fill_flight_wait(fill_flight *f, fill_waiter *w)
{
    assert(f->in_table);
    f->refs++;
    if (f->ready) {
        w->done(w, f);
        return;
    }
    w->next = NULL;
    *f->tail = w;
    f->tail = &w->next;
}

void fill_table_remove(fill_table *t, fill_flight *f)
{
    fill_flight **pp;

    if (!f->in_table)
        return;

    for (pp = &t->head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            t->count--;
            break;
        }
    }
    f->next = NULL;
    f->in_table = 0;
}

void fill_flight_publish(fill_flight *f, int status, int complete, feed_ref *rows, size_t nrows)
{
    fill_waiter *w, *next;

    assert(!f->ready);
    f->status = status;
    f->complete = complete;
    f->rows = rows;
    f->nrows = nrows;
    f->ready = 1;
    w = f->waiters;
    f->waiters = NULL;
    f->tail = &f->waiters;
    for (; w != NULL; w = next) {
        next = w->next; /* w may be freed by its callback */
        w->done(w, f);
    }
}

void fill_flight_finish(fill_table *t, fill_flight *f, int status, int complete, feed_ref *rows, size_t nrows)
{
    fill_table_remove(t, f);
    fill_flight_publish(f, status, complete, rows, nrows);
}

void fill_flight_release(fill_flight *f)
{
    assert(f->refs > 0);
    if (--f->refs > 0)
        return;
    free(f->rows);
    free(f);
}
