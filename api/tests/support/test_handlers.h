/* test_handlers.h: handlers the server and app tests register.
 *
 *   POST /echo/{tag}  -> 200 "tag:body"
 *   GET  /big         -> 200 with a TH_BIG_BODY-byte body
 *   GET  /slow/{ms}   -> 200 "late <id>" after ms, from a loop timer: an
 *                        asynchronous handler. Needs the worker as the
 *                        request context (http_request_context).
 *   GET  /stream      -> a streamed 200 (request.h): TH_STREAM_CHUNK bytes
 *                        every 5 ms, bound TH_STREAM_BOUND; counts its
 *                        ends by on_close and by a refused write
 *   GET  /burst       -> the same with bound TH_BURST_BOUND, but first a
 *                        burst of TH_BURST_BYTES in one go (over the bound,
 *                        under the hard cap), then TH_STREAM_CHUNK every
 *                        10 ms
 *
 * Pending slow answers are kept per worker thread; th_flush_pending (a
 * worker on_exit hook) answers them when a worker ends, as a store
 * client failing its pending queries would.
 */
#ifndef API_TESTS_SUPPORT_TEST_HANDLERS_H
#define API_TESTS_SUPPORT_TEST_HANDLERS_H

#include <stdatomic.h>

#include "api/src/app/worker.h"
#include "api/src/server/request.h"
#include "api/src/server/router.h"

#define TH_BIG_BODY (1024 * 1024)
#define TH_STREAM_CHUNK 1000
#define TH_STREAM_BOUND 4096
#define TH_BURST_BOUND 16384
#define TH_BURST_BYTES (3 * TH_BURST_BOUND)

extern atomic_int th_big_dispatched;
extern atomic_int th_late_answered;  /* respond() returned 0 */
extern atomic_int th_late_dropped;   /* respond() returned -1: the request was abandoned */
extern atomic_int th_slow_started;   /* /slow/{ms} handlers entered */
extern atomic_int th_stream_closed;  /* a stream's on_close ran */
extern atomic_int th_stream_dropped; /* a stream's write was refused (bound) */

void th_reset_counters(void);

/* Wait until at least n /slow handlers have started (the request reached
 * its handler), at most timeout_ms; 1 if they did. A test that stops or
 * resets a server "while a request is in progress" waits on this instead
 * of sleeping, which raced the worker on a loaded machine. */
int th_wait_slow_started(int n, int timeout_ms);

/* Register the three routes above on r. 0 or -1. */
int th_add_routes(router *r);

void th_flush_pending(worker *w);

#endif
