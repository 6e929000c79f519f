/* cql_type.h: column types as the protocol describes them ([option]).
 *
 * A type is a small tree: list<T> and set<T> have one element type,
 * map<K,V> two, tuples and UDTs one per field. Nodes live in the pool the
 * decoder was given and names are slices into the frame; nothing here is
 * freed on its own.
 */
#ifndef CQL_TYPE_H
#define CQL_TYPE_H

#include <stdint.h>

#include "cql/cql_buf.h"
#include "cql/cql_pool.h"
#include "cql/cql_reader.h"
#include "cql/cql_slice.h"

/* Option ids, section 4.2.5.2. */
typedef enum cql_type_id {
    CQL_TYPE_CUSTOM = 0x0000,
    CQL_TYPE_ASCII = 0x0001,
    CQL_TYPE_BIGINT = 0x0002,
    CQL_TYPE_BLOB = 0x0003,
    CQL_TYPE_BOOLEAN = 0x0004,
    CQL_TYPE_COUNTER = 0x0005,
    CQL_TYPE_DECIMAL = 0x0006,
    CQL_TYPE_DOUBLE = 0x0007,
    CQL_TYPE_FLOAT = 0x0008,
    CQL_TYPE_INT = 0x0009,
    CQL_TYPE_TIMESTAMP = 0x000B,
    CQL_TYPE_UUID = 0x000C,
    CQL_TYPE_VARCHAR = 0x000D, /* "text" in CQL */
    CQL_TYPE_VARINT = 0x000E,
    CQL_TYPE_TIMEUUID = 0x000F,
    CQL_TYPE_INET = 0x0010,
    CQL_TYPE_DATE = 0x0011,
    CQL_TYPE_TIME = 0x0012,
    CQL_TYPE_SMALLINT = 0x0013,
    CQL_TYPE_TINYINT = 0x0014,
    CQL_TYPE_LIST = 0x0020,
    CQL_TYPE_MAP = 0x0021,
    CQL_TYPE_SET = 0x0022,
    CQL_TYPE_UDT = 0x0030,
    CQL_TYPE_TUPLE = 0x0031
} cql_type_id;

/* Deepest nesting accepted (list<map<text, frozen<list<...>>>>); deeper
 * input is refused as MALFORMED so recursion stays bounded. */
#define CQL_TYPE_MAX_DEPTH 16

typedef struct cql_type {
    uint16_t id;            /* cql_type_id */
    uint16_t count;         /* entries in sub: 1 list/set, 2 map, n tuple/UDT */
    struct cql_type *sub;   /* element types (pool memory) */
    cql_slice *field_names; /* UDT: count field names (pool memory) */
    cql_slice name;         /* CUSTOM: Java class name; UDT: type name */
    cql_slice keyspace;     /* UDT: keyspace */
} cql_type;

/* Decode one [option] type at r into *out, allocating sub-types from pool
 * (the caller owns the pool and *out). CQL_OK, or CQL_ERR with the error
 * in *r->err: TRUNCATED, MALFORMED (unknown id, too deep) or NOMEM. */
int cql_type_decode(cql_reader *r, cql_pool *pool, cql_type *out);

/* Static CQL name of a type id: "bigint", "text", "list", ...; "unknown"
 * for others. */
const char *cql_type_name(uint16_t id);

/* Append the full CQL spelling of t to out, e.g. "map<text, list<int>>".
 * Errors are sticky on out. */
void cql_type_format(cql_buf *out, const cql_type *t);

#endif
