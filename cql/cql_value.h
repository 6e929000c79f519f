/* cql_value.h: typed access to column values and collection elements.
 *
 * A cql_value is a column's type plus its serialised bytes (a slice into
 * the frame). The getters check the type first (CQL_ERR_TYPE), then null
 * (CQL_ERR_NULL), then the length the type requires (CQL_ERR_MALFORMED),
 * and only then decode, so a wrong guess about a column is an error code,
 * never garbage. err may be NULL when the caller only wants the status.
 *
 * Integer getters widen: as_int64 accepts every integer type, as_int32
 * the ones that fit (int, smallint, tinyint); as_double accepts float.
 */
#ifndef CQL_VALUE_H
#define CQL_VALUE_H

#include <stdint.h>

#include "cql/cql_error.h"
#include "cql/cql_reader.h"
#include "cql/cql_slice.h"
#include "cql/cql_type.h"

typedef struct cql_value {
    const cql_type *type; /* NULL when the result had no metadata */
    cql_slice bytes;      /* base == NULL: null */
} cql_value;

static inline int cql_value_is_null(const cql_value *v)
{
    return v->bytes.base == NULL;
}

/* Each: CQL_OK and *out, or CQL_ERR with *err (if not NULL) set. */
int cql_value_as_int32(const cql_value *v, int32_t *out, cql_error *err);    /* int, smallint, tinyint */
int cql_value_as_int64(const cql_value *v, int64_t *out, cql_error *err);    /* + bigint, counter, timestamp, time */
int cql_value_as_timestamp(const cql_value *v, int64_t *ms, cql_error *err); /* ms since the epoch */
int cql_value_as_double(const cql_value *v, double *out, cql_error *err);    /* double, float */
int cql_value_as_bool(const cql_value *v, int *out, cql_error *err);
int cql_value_as_text(const cql_value *v, cql_slice *out, cql_error *err);  /* text, varchar, ascii */
int cql_value_as_blob(const cql_value *v, cql_slice *out, cql_error *err);  /* blob */
int cql_value_as_uuid(const cql_value *v, uint8_t out[16], cql_error *err); /* uuid, timeuuid */

/* Elements of a list, set or map value (maps yield key then value). */
typedef struct cql_collection_iter {
    cql_reader r;
    cql_error err;        /* the reader's error slot */
    const cql_type *type; /* the collection's type */
    int32_t left;         /* elements (pairs for maps) not yet read */
} cql_collection_iter;

/* Start iterating v, which must be a non-null list, set or map whose
 * element count fits its bytes. CQL_OK or CQL_ERR with *err set. The
 * iterator points into v's bytes: keep the frame alive. */
int cql_collection_begin(cql_collection_iter *it, const cql_value *v, cql_error *err);

/* Number of elements (map entries) in the collection. */
static inline int32_t cql_collection_left(const cql_collection_iter *it)
{
    return it->left;
}

/* Next element: for a list or set into *elem (val untouched, may be
 * NULL); for a map its key into *elem and value into *val. Returns 1 with
 * an element, 0 after the last one, CQL_ERR on malformed bytes (*err). */
int cql_collection_next(cql_collection_iter *it, cql_value *elem, cql_value *val, cql_error *err);

#endif
