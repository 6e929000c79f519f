/* cql_reader.h: a bounded cursor over untrusted protocol bytes.
 *
 * Every read checks what is left before touching a byte, so no decoder
 * built on it can read past the buffer, whatever the lengths in the data
 * claim. A failed read records a TRUNCATED or MALFORMED error on the
 * reader (with the offset, relative to where the reader began) and leaves
 * the position unchanged. Returned slices point into the buffer.
 */
#ifndef CQL_READER_H
#define CQL_READER_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_error.h"
#include "cql/cql_slice.h"

typedef struct cql_reader {
    const uint8_t *start; /* for offsets in messages */
    const uint8_t *pos;
    const uint8_t *end;
    cql_error *err; /* where failures are recorded; not owned */
} cql_reader;

/* Signed big-endian integer of n (1..8) bytes at p, sign-extended: the
 * one place where protocol integers are assembled from bytes. */
static inline int64_t cql_be_int(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t u = (b[0] & 0x80) ? UINT64_MAX : 0;

    for (size_t i = 0; i < n; i++)
        u = u << 8 | b[i];
    return (int64_t)u; /* two's complement, implementation-defined but universal */
}

/* Read len bytes at p (not owned, must outlive the reader), recording
 * failures in *err. */
void cql_reader_init(cql_reader *r, const void *p, size_t len, cql_error *err);

static inline size_t cql_reader_left(const cql_reader *r)
{
    return (size_t)(r->end - r->pos);
}

static inline size_t cql_reader_offset(const cql_reader *r)
{
    return (size_t)(r->pos - r->start);
}

/* Each returns CQL_OK and stores the value, or CQL_ERR (see r->err).
 * what names the field for the error message, e.g. "column name". */
int cql_read_u8(cql_reader *r, uint8_t *out, const char *what);
int cql_read_u16(cql_reader *r, uint16_t *out, const char *what); /* [short] */
int cql_read_i32(cql_reader *r, int32_t *out, const char *what);  /* [int] */
int cql_read_i64(cql_reader *r, int64_t *out, const char *what);  /* [long] */
int cql_read_raw(cql_reader *r, size_t n, cql_slice *out, const char *what);
int cql_read_string(cql_reader *r, cql_slice *out, const char *what);      /* [string] */
int cql_read_long_string(cql_reader *r, cql_slice *out, const char *what); /* [long string] */
int cql_read_short_bytes(cql_reader *r, cql_slice *out, const char *what); /* [short bytes] */

/* [bytes]: a negative length is null (out->base == NULL). */
int cql_read_bytes(cql_reader *r, cql_slice *out, const char *what);

/* [int] count that must be >= 0 and, given that each element takes at
 * least min_size bytes, must fit in what is left. The check that keeps a
 * forged count from driving a huge allocation or loop. */
int cql_read_count32(cql_reader *r, int32_t *out, size_t min_size, const char *what);

/* [short] count with the same check. */
int cql_read_count16(cql_reader *r, uint16_t *out, size_t min_size, const char *what);

/* Skip a [string list] (its strings are validated, not kept). */
int cql_skip_string_list(cql_reader *r, const char *what);

#endif
