/* cql_values.h: serialise bound values for QUERY, EXECUTE and BATCH.
 *
 * Values are written once, in wire format ([value] = [int] length + bytes,
 * section 6 for each type), into the cql_values' own buffer; the request
 * builders copy that block into the frame as it is. Collections nest:
 * cql_values_open starts a list, set or map value and cql_values_close
 * patches its element count and length, so callers never compute sizes.
 *
 *   cql_values v;
 *   cql_values_init(&v);
 *   cql_values_add_int64(&v, 42);
 *   cql_values_open(&v, CQL_COLL_MAP);
 *   cql_values_add_text(&v, cql_slice_from_cstr("k"));
 *   cql_values_add_int32(&v, 1);
 *   cql_values_close(&v);
 *   if (cql_values_finish(&v) != CQL_OK) ... v.buf.err ...
 *
 * Errors are sticky on v->buf (see cql_buf.h); check cql_values_finish
 * (the request builders do it too). The caller owns the struct; the
 * buffer memory is freed by cql_values_dispose.
 */
#ifndef CQL_VALUES_H
#define CQL_VALUES_H

#include <stdint.h>

#include "cql/cql_buf.h"
#include "cql/cql_slice.h"

#define CQL_VALUES_MAX_DEPTH 8

typedef enum cql_collection_kind {
    CQL_COLL_LIST,
    CQL_COLL_SET,
    CQL_COLL_MAP /* elements alternate key, value */
} cql_collection_kind;

typedef struct cql_values {
    cql_buf buf;    /* count serialised [value]s; owned */
    uint16_t count; /* top-level values written */
    int depth;      /* collections open */
    struct {
        size_t offset; /* of the collection's [int] length in buf */
        int32_t items; /* elements written into it (keys and values) */
        cql_collection_kind kind;
    } open[CQL_VALUES_MAX_DEPTH];
} cql_values;

void cql_values_init(cql_values *v);
void cql_values_dispose(cql_values *v);
/* Forget all values (and a sticky error), keep the memory. */
void cql_values_reset(cql_values *v);

/* Append one value: at the top level a bound value, inside an open
 * collection an element. */
void cql_values_add_null(cql_values *v);
void cql_values_add_unset(cql_values *v);                     /* top level only */
void cql_values_add_raw(cql_values *v, cql_slice serialized); /* blob, or any pre-serialised value */
void cql_values_add_int32(cql_values *v, int32_t x);          /* int */
void cql_values_add_int64(cql_values *v, int64_t x);          /* bigint, counter, timestamp (ms), time */
void cql_values_add_text(cql_values *v, cql_slice s);         /* text, varchar, ascii */
void cql_values_add_bool(cql_values *v, int b);
void cql_values_add_double(cql_values *v, double x);
void cql_values_add_uuid(cql_values *v, const uint8_t uuid[16]); /* uuid, timeuuid */

/* Start a collection value; its elements follow, then cql_values_close. */
void cql_values_open(cql_values *v, cql_collection_kind kind);
void cql_values_close(cql_values *v);

/* CQL_OK when every write succeeded and every collection was closed. */
int cql_values_finish(cql_values *v);

#endif
