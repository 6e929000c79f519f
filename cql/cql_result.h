/* cql_result.h: the body of a RESULT response (section 4.2.5).
 *
 * Rows are not materialised: decoding checks once that the rows content
 * is exactly row_count * column_count well-formed [bytes] that fit the
 * frame, and a cql_row_iter then walks it, handing out values as slices.
 * Everything points into the frame buffer or the caller's pool.
 */
#ifndef CQL_RESULT_H
#define CQL_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_metadata.h"
#include "cql/cql_pool.h"
#include "cql/cql_reader.h"
#include "cql/cql_slice.h"
#include "cql/cql_value.h"

typedef enum cql_result_kind {
    CQL_RESULT_VOID = 0x0001,
    CQL_RESULT_ROWS = 0x0002,
    CQL_RESULT_SET_KEYSPACE = 0x0003,
    CQL_RESULT_PREPARED = 0x0004,
    CQL_RESULT_SCHEMA_CHANGE = 0x0005
} cql_result_kind;

typedef struct cql_rows {
    cql_metadata meta; /* meta.columns may be NULL (no_metadata) */
    int32_t row_count;
    cql_slice content; /* the validated <rows_content> */
} cql_rows;

typedef struct cql_prepared {
    cql_slice id;        /* [short bytes] to pass to EXECUTE */
    cql_metadata params; /* bind markers */
    cql_metadata result; /* result columns; may be empty */
} cql_prepared;

typedef struct cql_schema_change {
    cql_slice change_type; /* CREATED, UPDATED, DROPPED */
    cql_slice target;      /* KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE */
    cql_slice keyspace;
    cql_slice name; /* table/type/function name; empty for KEYSPACE */
} cql_schema_change;

typedef struct cql_result {
    int32_t kind;                    /* cql_result_kind */
    cql_rows rows;                   /* CQL_RESULT_ROWS */
    cql_slice keyspace;              /* CQL_RESULT_SET_KEYSPACE */
    cql_prepared prepared;           /* CQL_RESULT_PREPARED */
    cql_schema_change schema_change; /* CQL_RESULT_SCHEMA_CHANGE */
} cql_result;

/* Decode a RESULT body at r into *out (caller-owned), allocating metadata
 * from pool. CQL_OK or CQL_ERR with *r->err set. */
int cql_result_decode(cql_reader *r, cql_pool *pool, cql_result *out);

typedef struct cql_row_iter {
    cql_reader r;
    cql_error err; /* the reader's error slot */
    const cql_rows *rows;
    int32_t left; /* rows not yet read */
} cql_row_iter;

/* Walk rows (which must stay alive and unmoved, as must the iterator:
 * do not copy it). */
void cql_row_iter_init(cql_row_iter *it, const cql_rows *rows);

/* Next row into values[0..column_count): each gets its column's type
 * (NULL without metadata) and bytes. Returns 1 with a row, 0 after the
 * last, CQL_ERR when nvalues < column_count (it->err). */
int cql_row_iter_next(cql_row_iter *it, cql_value *values, size_t nvalues);

#endif
