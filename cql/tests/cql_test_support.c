/* cql_test_support.c: exact-size buffers and truncation sweeps for tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_frame.h"
#include "cql/cql_pool.h"
#include "cql/cql_response.h"
#include "cql/tests/cql_test_support.h"

uint8_t *cql_test_dup(const void *p, size_t n)
{
    uint8_t *copy = malloc(n != 0 ? n : 1);

    assert_non_null(copy);
    if (n != 0)
        memcpy(copy, p, n);
    return copy;
}

uint8_t *cql_test_frame(uint8_t opcode, uint8_t flags, int16_t stream, const void *body, size_t body_len, size_t *len)
{
    cql_frame_header h = {0x84, flags, stream, opcode, (uint32_t)body_len};
    uint8_t *frame = malloc(CQL_FRAME_HEADER_SIZE + body_len);

    assert_non_null(frame);
    cql_frame_header_encode(&h, frame);
    if (body_len != 0)
        memcpy(frame + CQL_FRAME_HEADER_SIZE, body, body_len);
    *len = CQL_FRAME_HEADER_SIZE + body_len;
    return frame;
}

/* Decode buf[0..len) and require a TRUNCATED failure. */
static void cql_test_expect_truncated(const uint8_t *buf, size_t len, size_t cut)
{
    cql_response resp;
    cql_pool pool;
    int rc;

    cql_pool_init(&pool);
    rc = cql_response_decode(&resp, buf, len, 0, &pool);
    if (rc != CQL_ERR || resp.err.code != CQL_ERR_TRUNCATED)
        fail_msg("cut at %zu: rc %d code %s (%s)", cut, rc, cql_errcode_name(resp.err.code), resp.err.msg);
    cql_pool_dispose(&pool);
}

void cql_test_assert_truncations(uint8_t opcode, uint8_t flags, const void *body, size_t body_len)
{
    size_t len;
    uint8_t *whole = cql_test_frame(opcode, flags, 0, body, body_len, &len);

    for (size_t cut = 0; cut < len; cut++) { /* the frame itself cut short */
        uint8_t *part = cql_test_dup(whole, cut);
        cql_test_expect_truncated(part, cut, cut);
        free(part);
    }
    for (size_t cut = 0; cut < body_len; cut++) { /* a complete frame whose body is cut short */
        uint8_t *frame = cql_test_frame(opcode, flags, 0, body, cut, &len);
        cql_test_expect_truncated(frame, len, cut);
        free(frame);
    }
    free(whole);
}
