/* cql_buf.h: a growable output buffer with big-endian protocol writers.
 *
 * Request builders write a dozen fields in a row; checking each write
 * would bury the layout of the message in error handling. So the buffer
 * has a sticky error instead: the first failed write (out of memory, a
 * string longer than its length prefix allows) records an error on the
 * buffer and turns every later write into a no-op. A builder checks once,
 * at the end, with cql_buf_failed. This is the one place the library
 * defers error checks, on purpose.
 *
 * The caller owns the cql_buf struct; the buffer owns data until
 * cql_buf_dispose (or cql_buf_steal).
 */
#ifndef CQL_BUF_H
#define CQL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_error.h"
#include "cql/cql_slice.h"

typedef struct cql_buf {
    uint8_t *data; /* owned; NULL until the first write */
    size_t len;    /* bytes written */
    size_t cap;    /* bytes allocated */
    size_t limit;  /* refuse to grow past this many bytes (0: no limit) */
    cql_error err; /* sticky: set by the first failing write */
} cql_buf;

/* Prepare an empty buffer; allocates nothing. limit 0 means no limit. */
void cql_buf_init(cql_buf *buf, size_t limit);

/* Free the data; the struct may be initialised again. */
void cql_buf_dispose(cql_buf *buf);

/* Forget the contents and the sticky error, keep the memory. */
void cql_buf_reset(cql_buf *buf);

/* 1 when a write has failed since init/reset (details in buf->err). */
static inline int cql_buf_failed(const cql_buf *b)
{
    return b->err.code != CQL_ERR_NONE;
}

/* Make room for n more bytes. CQL_OK, or CQL_ERR and the sticky error. */
int cql_buf_reserve(cql_buf *buf, size_t n);

/* Raw and fixed-width big-endian writers. */
void cql_buf_put_raw(cql_buf *buf, const void *p, size_t n);
void cql_buf_put_u8(cql_buf *buf, uint8_t v);
void cql_buf_put_u16(cql_buf *buf, uint16_t v);
void cql_buf_put_i32(cql_buf *buf, int32_t v);
void cql_buf_put_i64(cql_buf *buf, int64_t v);

/* Protocol notations (section 3). Each fails (sticky) when the data does
 * not fit its length prefix. */
void cql_buf_put_string(cql_buf *buf, cql_slice s);      /* [string] */
void cql_buf_put_long_string(cql_buf *buf, cql_slice s); /* [long string] */
void cql_buf_put_bytes(cql_buf *buf, cql_slice s);       /* [bytes], NULL base: null */
void cql_buf_put_short_bytes(cql_buf *buf, cql_slice s); /* [short bytes] */

/* Overwrite 4 bytes at offset (already written) with v, big-endian. Used
 * to patch length fields once the body is known. */
void cql_buf_patch_i32(cql_buf *buf, size_t offset, int32_t v);

/* Append printf-style text (no NUL written). */
void cql_buf_printf(cql_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ensure data[len] == '\0' without counting it in len, so the contents can
 * be used as a C string. CQL_OK or CQL_ERR (sticky). */
int cql_buf_terminate(cql_buf *buf);

#endif
