/* stream_unseen.c: a stream's unseen counts (see stream_unseen.h). */
#include "api/src/stream/stream_unseen.h"

#include <stdlib.h>
#include <string.h>

#include "api/src/base/log.h"
#include "api/src/wire/sse.h"

static void su_start(stream_unseen *u);

static void su_on_counts(unseen_req *r)
{
    stream_unseen *u = r->data;

    u->busy = 0;
    if (u->owner == NULL) {
        free(u); /* detached while counting */
        return;
    }
    if (r->status != UNSEEN_OK)
        log_simple(LOG_WARN, "a stream's unseen counts could not be read", r->message);
    if (r->status == UNSEEN_OK &&
        (!u->sent || r->counts.items != u->last.items || r->counts.activities != u->last.activities)) {
        u->last = r->counts;
        u->sent = 1;
        if (u->send(u->owner, &u->last) != 0)
            return; /* the stream ended: u is gone */
    }
    if (u->again)
        su_start(u);
}

static void su_start(stream_unseen *u)
{
    u->again = 0;
    u->busy = 1;
    unseen_read(&u->r); /* su_on_counts, now or later */
}

stream_unseen *stream_unseen_new(worker *w, feed_kind kind, int64_t user_id, stream_unseen_send *send, void *owner)
{
    stream_unseen *u = calloc(1, sizeof(*u));

    if (u == NULL)
        return NULL;
    u->r.w = w;
    u->r.kind = kind;
    u->r.uid = user_id;
    u->r.done = su_on_counts;
    u->r.data = u;
    u->send = send;
    u->owner = owner;
    return u;
}

void stream_unseen_poke(stream_unseen *u)
{
    if (u == NULL || u->owner == NULL)
        return;
    if (u->busy) {
        u->again = 1;
        return;
    }
    su_start(u);
}

void stream_unseen_detach(stream_unseen *u)
{
    if (u == NULL)
        return;
    u->owner = NULL;
    if (!u->busy)
        free(u);
}

int stream_unseen_frame(buf *out, const unseen_counts *c)
{
    buf data;
    int rc;

    buf_init(&data, 0);
    rc = unseen_json(&data, c);
    if (rc == 0)
        rc = sse_event(out, SLICE_LIT("unseen"), slice_make(NULL, 0), slice_make(data.data, data.len));
    buf_dispose(&data);
    return rc != 0 ? -1 : 0;
}
