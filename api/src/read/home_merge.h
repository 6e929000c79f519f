/* home_merge.h: the home feed as served: the stored home merged with
 * the profile feeds of the hot accounts the reader follows.
 *
 * Two things start at once: the stored home page (feed_read_stored_page)
 * and the reader's merge sources (merge_sources.h). With no sources the
 * stored page is the answer: one Redis round trip more in flight, none
 * more in sequence. With sources, a page of each source's profile after
 * the same position (its cached head, usually: a hot account's profile
 * is read by all its followers), then home_merge_plan.h picks the page.
 *
 * The result is the one feed_read_page gives (feed_read.h); the items'
 * texts are copied from the parts' into p.
 */
#ifndef API_READ_HOME_MERGE_H
#define API_READ_HOME_MERGE_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/base/pool.h"
#include "api/src/read/feed_read.h"

void home_merge_read_page(worker *w, pool *p, int64_t user_id, int limit, const feed_ref *after, feed_read_cb *cb,
                          void *data);

#endif
