/* cql_metadata.h: column metadata of Rows and Prepared results.
 *
 * Rows metadata (section 4.2.5.2) describes result columns and carries
 * the paging state; Prepared bind metadata (section 4.2.5.4) describes
 * bind markers and the partition key's marker indexes. Both decode into
 * cql_metadata; columns and indexes live in the caller's pool, names are
 * slices into the frame.
 */
#ifndef CQL_METADATA_H
#define CQL_METADATA_H

#include <stdint.h>

#include "cql/cql_pool.h"
#include "cql/cql_reader.h"
#include "cql/cql_slice.h"
#include "cql/cql_type.h"

enum { CQL_META_GLOBAL_TABLES_SPEC = 0x0001, CQL_META_HAS_MORE_PAGES = 0x0002, CQL_META_NO_METADATA = 0x0004 };

typedef struct cql_column {
    cql_slice keyspace; /* from the global table spec when there is one */
    cql_slice table;
    cql_slice name;
    cql_type type;
} cql_column;

typedef struct cql_metadata {
    int32_t flags;          /* CQL_META_* as received */
    int32_t column_count;   /* columns of each row (or bind markers) */
    cql_column *columns;    /* column_count entries; NULL with NO_METADATA */
    cql_slice paging_state; /* base != NULL only with HAS_MORE_PAGES */
    int32_t pk_count;       /* bind metadata: partition key markers */
    uint16_t *pk_indexes;   /* bind metadata: pk_count marker indexes */
} cql_metadata;

/* Decode Rows metadata (also a Prepared result's result metadata) at r.
 * CQL_OK or CQL_ERR with *r->err set. */
int cql_metadata_decode_rows(cql_reader *r, cql_pool *pool, cql_metadata *out);

/* Decode Prepared bind metadata at r. CQL_OK or CQL_ERR. */
int cql_metadata_decode_prepared(cql_reader *r, cql_pool *pool, cql_metadata *out);

static inline int cql_metadata_has_more_pages(const cql_metadata *m)
{
    return (m->flags & CQL_META_HAS_MORE_PAGES) != 0;
}

#endif
