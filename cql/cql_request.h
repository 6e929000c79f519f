/* cql_request.h: build request frames of CQL native protocol v4.
 *
 * Each builder appends one complete frame (header + body) to buf, so a
 * caller may pipeline several requests in one buffer and write it once.
 * They return CQL_OK, or CQL_ERR with buf->err set (a value too long for
 * its length prefix, out of memory, a bad argument); on CQL_ERR the buffer
 * holds a partial frame: reset it before reuse. Nothing here does I/O.
 *
 * The caller owns buf, the query text, the paging state and the values;
 * the builders copy what they need into buf and keep no pointers.
 */
#ifndef CQL_REQUEST_H
#define CQL_REQUEST_H

#include <stdint.h>

#include "cql/cql_buf.h"
#include "cql/cql_slice.h"
#include "cql/cql_values.h"

typedef enum cql_consistency {
    CQL_CONSISTENCY_ANY = 0x0000,
    CQL_CONSISTENCY_ONE = 0x0001,
    CQL_CONSISTENCY_TWO = 0x0002,
    CQL_CONSISTENCY_THREE = 0x0003,
    CQL_CONSISTENCY_QUORUM = 0x0004,
    CQL_CONSISTENCY_ALL = 0x0005,
    CQL_CONSISTENCY_LOCAL_QUORUM = 0x0006,
    CQL_CONSISTENCY_EACH_QUORUM = 0x0007,
    CQL_CONSISTENCY_SERIAL = 0x0008,
    CQL_CONSISTENCY_LOCAL_SERIAL = 0x0009,
    CQL_CONSISTENCY_LOCAL_ONE = 0x000A
} cql_consistency;

/* <query_parameters> flags, section 4.1.4. */
enum {
    CQL_QUERY_FLAG_VALUES = 0x01,
    CQL_QUERY_FLAG_SKIP_METADATA = 0x02,
    CQL_QUERY_FLAG_PAGE_SIZE = 0x04,
    CQL_QUERY_FLAG_PAGING_STATE = 0x08,
    CQL_QUERY_FLAG_SERIAL_CONSISTENCY = 0x10,
    CQL_QUERY_FLAG_DEFAULT_TIMESTAMP = 0x20
};

enum { CQL_BATCH_LOGGED = 0, CQL_BATCH_UNLOGGED = 1, CQL_BATCH_COUNTER = 2 };

/* What follows the query text (or prepared id) in QUERY and EXECUTE. A
 * zeroed struct is "consistency ANY, nothing else": set consistency. */
typedef struct cql_query_params {
    uint16_t consistency;     /* cql_consistency */
    const cql_values *values; /* NULL or empty: no bound values */
    int skip_metadata;        /* ask for rows without metadata */
    int32_t page_size;        /* > 0: page the result */
    cql_slice paging_state;   /* base != NULL: resume from this state */
    int has_serial_consistency;
    uint16_t serial_consistency; /* SERIAL or LOCAL_SERIAL */
    int has_timestamp;
    int64_t timestamp_us; /* default write timestamp, microseconds */
} cql_query_params;

/* One statement of a BATCH: a query text, or a prepared id when
 * prepared_id.base is not NULL. values may be NULL. */
typedef struct cql_batch_stmt {
    cql_slice query;
    cql_slice prepared_id;
    const cql_values *values;
} cql_batch_stmt;

/* STARTUP with CQL_VERSION 3.0.0 and no compression. */
int cql_request_startup(cql_buf *buf, int16_t stream);

/* OPTIONS (empty body). */
int cql_request_options(cql_buf *buf, int16_t stream);

/* QUERY: query is the CQL text (need not be NUL-terminated). */
int cql_request_query(cql_buf *buf, int16_t stream, cql_slice query, const cql_query_params *params);

/* PREPARE. */
int cql_request_prepare(cql_buf *buf, int16_t stream, cql_slice query);

/* EXECUTE of the statement whose id a Prepared result returned. */
int cql_request_execute(cql_buf *buf, int16_t stream, cql_slice prepared_id, const cql_query_params *params);

/* BATCH of n statements; type is CQL_BATCH_*. Of params only consistency,
 * serial consistency and timestamp apply. */
int cql_request_batch(cql_buf *buf, int16_t stream, uint8_t type, const cql_batch_stmt *stmts, uint16_t n,
                      const cql_query_params *params);

/* Parse a consistency name ("ONE", "local_quorum", case-insensitive).
 * CQL_OK and *out, or CQL_ERR for an unknown name. */
int cql_consistency_parse(const char *name, uint16_t *out);

/* Static name of a consistency level, "UNKNOWN" for others. */
const char *cql_consistency_name(uint16_t consistency);

#endif
