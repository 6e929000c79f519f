/* sse.h: Server-Sent Events framing, pure (WHATWG HTML, "Server-sent
 * events", the text/event-stream format).
 *
 * An event is a block of "field: value" lines ended by a blank line:
 *
 *     event: remove          (absent: the default "message" event)
 *     id: <cursor>           (the client sends it back as Last-Event-ID)
 *     data: <line 1>
 *     data: <line 2>         (one per line of the payload)
 *
 * A comment is a line starting with ':' (": hb"), which clients ignore
 * and proxies see as traffic. Lines end with LF only.
 *
 * The payload may hold line breaks (LF, CRLF or CR: each starts a new
 * data line, as the client splits them); the event name, the id and a
 * comment may not (nor NUL, which the client's parser keeps but no
 * header can carry back): -1. Every function appends all or nothing to
 * out: 0, or -1 (a forbidden byte, or out could not grow).
 */
#ifndef API_WIRE_SSE_H
#define API_WIRE_SSE_H

#include "api/src/base/buf.h"
#include "api/src/base/slice.h"

/* event and id: base NULL for none. */
int sse_event(buf *out, slice event, slice id, slice data);

/* ": text" and a blank line, so it is one block of its own. */
int sse_comment(buf *out, slice text);

/* "retry: <ms>": how long the client waits before reconnecting. */
int sse_retry(buf *out, unsigned ms);

#endif
