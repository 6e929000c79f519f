/* cql_format.h: render column values as CQL-literal-like text.
 *
 * Used by feed-cql to print rows, and by anyone who logs values. The
 * output follows cqlsh where it can: null, true/false, uuids in 8-4-4-4-12
 * form, timestamps as ISO 8601 UTC with milliseconds, blobs as 0x..., and
 * collections as [a, b] / {a, b} / {k: v}, text quoted only inside a
 * collection, tuple as (a, b), UDT as {field: v}. Decimal and varint
 * values that do not fit 64 bits, and custom types, print as hex.
 */
#ifndef CQL_FORMAT_H
#define CQL_FORMAT_H

#include "cql/cql_buf.h"
#include "cql/cql_error.h"
#include "cql/cql_value.h"

/* Append the text of v to out. CQL_OK, or CQL_ERR with *err set when the
 * value's bytes do not match its type (MALFORMED, TRUNCATED) or out has
 * failed (its error is copied). A value without a type prints as a blob.
 * Nothing is appended to out for a failed value beyond what was written
 * before the failure was found. */
int cql_format_value(cql_buf *out, const cql_value *v, cql_error *err);

/* Append the 36-character text form of a uuid. */
void cql_format_uuid(cql_buf *out, const uint8_t uuid[16]);

/* Append a timestamp (ms since the epoch) as 2024-01-31T12:34:56.789Z. */
void cql_format_timestamp(cql_buf *out, int64_t ms);

#endif
