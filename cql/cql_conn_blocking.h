/* cql_conn_blocking.h: a blocking, one-request-at-a-time CQL connection.
 *
 * For command-line tools and tests, never for a request path of the
 * server (which gets a non-blocking client on its event loop). It is the
 * only file of the library that does I/O; the codec stays pure. Every
 * socket wait is bounded: connect by connect_timeout_ms, each round trip
 * by io_timeout_ms.
 *
 * Ownership: the caller owns the cql_conn struct (init never allocates
 * it) and must call cql_conn_close. The connection owns its socket, its
 * buffers and the pool of the last response. A cql_response filled by a
 * round trip points into those: it stays valid until the next call on
 * the connection. Errors are on the object: conn->err.
 */
#ifndef CQL_CONN_BLOCKING_H
#define CQL_CONN_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_buf.h"
#include "cql/cql_error.h"
#include "cql/cql_pool.h"
#include "cql/cql_request.h"
#include "cql/cql_response.h"
#include "cql/cql_slice.h"

typedef struct cql_conn {
    int fd;            /* -1 when closed */
    int io_timeout_ms; /* per round trip */
    size_t max_body;   /* largest response body accepted */
    int16_t stream;    /* stream id of the last request */
    cql_buf out;       /* the request being sent */
    uint8_t *in;       /* received bytes (owned) */
    size_t in_len, in_cap;
    size_t in_used; /* bytes of in belonging to the last response */
    cql_pool pool;  /* memory of the last response */
    cql_error err;
} cql_conn;

/* Prepare a closed connection. max_body 0 means the protocol's 256 MiB. */
void cql_conn_init(cql_conn *c, size_t max_body);

/* Open a TCP connection to host:port (name or address; IPv4 or IPv6,
 * every address tried in turn). CQL_OK, or CQL_ERR with c->err: IO
 * (refused, unreachable, no such host) or TIMEOUT. */
int cql_conn_connect(cql_conn *c, const char *host, uint16_t port, int connect_timeout_ms, int io_timeout_ms);

/* STARTUP (CQL 3.0.0) and wait for READY. An AUTHENTICATE answer is
 * CQL_ERR_UNSUPPORTED: this client does not authenticate. */
int cql_conn_startup(cql_conn *c);

/* Send the frame the caller built in c->out (one request, stream id
 * c->stream; see cql_conn_next_stream) and wait for its response,
 * skipping server events. CQL_OK with *resp decoded; CQL_ERR with
 * c->err, which is CQL_ERR_SERVER with server_code and the server's
 * message when the response was an ERROR (*resp has its details).
 * A server ERROR or an undecodable body leaves the connection usable;
 * after IO, TIMEOUT, PROTOCOL (wrong stream) and bad frame headers the
 * socket is closed, as its state is unknown: connect again. */
int cql_conn_roundtrip(cql_conn *c, cql_response *resp);

/* Reset c->out and return the stream id for the next request built into
 * it. The previous response stays valid until cql_conn_roundtrip, so a
 * request may copy parts of it (a paging state, a prepared id). */
int16_t cql_conn_next_stream(cql_conn *c);

/* QUERY round trip expecting a RESULT. params (and a paging state it
 * carries) may point into the previous response: they are copied before
 * that response is released. */
int cql_conn_query(cql_conn *c, cql_slice query, const cql_query_params *params, cql_response *resp);

/* PREPARE round trip; resp->result.prepared has the id and metadata. */
int cql_conn_prepare(cql_conn *c, cql_slice query, cql_response *resp);

/* EXECUTE round trip of a prepared id (which may point into the previous
 * response, as for cql_conn_query). */
int cql_conn_execute(cql_conn *c, cql_slice prepared_id, const cql_query_params *params, cql_response *resp);

/* Close the socket and free every buffer; c may be connected again. */
void cql_conn_close(cql_conn *c);

#endif
