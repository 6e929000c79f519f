/* cql_test_support.h: helpers shared by the cql unit tests.
 *
 * Include after <cmocka.h>'s prerequisites (stdarg, stddef, setjmp).
 * Buffers handed to decoders are exact-size heap copies, so that
 * AddressSanitizer reports any read one byte past the input.
 */
#ifndef CQL_TEST_SUPPORT_H
#define CQL_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* An exact-size heap copy of p[0..n); the caller frees it. */
uint8_t *cql_test_dup(const void *p, size_t n);

/* A response frame (version 0x84) with the given header fields and body,
 * in an exact-size heap buffer the caller frees; *len gets its size. */
uint8_t *cql_test_frame(uint8_t opcode, uint8_t flags, int16_t stream, const void *body, size_t body_len, size_t *len);

/* For a body that decodes (as opcode with flags), check that the frame
 * cut at every length, and the body cut at every length (with the header
 * length adjusted to match), fails with CQL_ERR_TRUNCATED. */
void cql_test_assert_truncations(uint8_t opcode, uint8_t flags, const void *body, size_t body_len);

#endif
