/* fuzz_httpclient_response.c: libFuzzer target for httpclient's response
 * parser (lib/http_client/response.c), the part that reads untrusted bytes.
 *
 * The first byte picks the flags (bit 0: HTTPC_NO_BODY, bit 1: eof after
 * the bytes, bit 2: small limits so that the size checks fire) and the
 * second a split point; the rest is the response. Promises checked:
 *   - the result is HTTPC_OK, HTTPC_AGAIN or a known HTTPC_ERR_*, with a
 *     sentence on every error;
 *   - on HTTPC_OK: consumed is within the bytes, head and body are
 *     NUL-terminated, the head is the very first head_len bytes, every
 *     header slice lies inside the head, the body respects the limit;
 *   - a prefix (without eof) that parses, parses the same as the whole:
 *     more bytes never change a complete response.
 * Any broken promise aborts; ASan/UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http_client/http_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static int inside(const httpc_response *r, httpc_slice s)
{
    return s.base >= r->head && s.base + s.len <= r->head + r->head_len;
}

static void check_ok(const char *buf, size_t len, const httpc_limits *lim, const httpc_response *r, size_t used)
{
    CHECK(used <= len && r->head != NULL && r->body != NULL);
    CHECK(r->head_len <= used && r->head_len <= lim->max_head_bytes);
    CHECK(memcmp(r->head, buf, r->head_len) == 0 && r->head[r->head_len] == '\0');
    CHECK(r->body_len <= lim->max_body_bytes && r->body[r->body_len] == '\0');
    CHECK(r->status >= 100 && r->status <= 999);
    CHECK(r->num_headers <= HTTPC_MAX_HEADERS && inside(r, r->reason));
    for (size_t i = 0; i < r->num_headers; i++)
        CHECK(inside(r, r->headers[i].name) && inside(r, r->headers[i].value) && r->headers[i].name.len > 0);
}

static int parse(const char *buf, size_t len, int eof, unsigned flags, const httpc_limits *lim, httpc_response *r,
                 size_t *used)
{
    int rc = httpc_parse_response(buf, len, eof, flags, lim, r, used);

    CHECK(rc == HTTPC_OK || rc == HTTPC_AGAIN || (rc <= HTTPC_ERR_EOF && rc >= HTTPC_ERR_NOMEM));
    CHECK(rc != HTTPC_ERR_EOF || len == 0);
    if (rc < 0)
        CHECK(r->errstr[0] != '\0' && r->head == NULL && r->body == NULL);
    if (rc == HTTPC_OK)
        check_ok(buf, len, lim, r, *used);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    httpc_limits lim;
    httpc_response whole, part;
    size_t used_whole = 0, used_part = 0, split;
    unsigned flags;
    int eof, rc_whole, rc_part;
    char *buf;

    if (size < 2)
        return 0;
    flags = (data[0] & 1) ? HTTPC_NO_BODY : 0;
    eof = (data[0] & 2) != 0;
    httpc_limits_init(&lim);
    if (data[0] & 4) {
        lim.max_head_bytes = 256;
        lim.max_body_bytes = 64;
    }
    size -= 2;
    split = size == 0 ? 0 : data[1] % (size + 1);
    buf = malloc(size + 1); /* an exact copy, so ASan sees any over-read */
    CHECK(buf != NULL);
    memcpy(buf, data + 2, size);

    rc_whole = parse(buf, size, eof, flags, &lim, &whole, &used_whole);
    rc_part = parse(buf, split, 0, flags, &lim, &part, &used_part);
    if (rc_part == HTTPC_OK) {
        CHECK(rc_whole == HTTPC_OK && used_whole == used_part && whole.status == part.status);
        CHECK(whole.body_len == part.body_len && memcmp(whole.body, part.body, part.body_len) == 0);
        CHECK(whole.keep_alive == part.keep_alive && whole.num_headers == part.num_headers);
    }
    httpc_response_free(&part);
    httpc_response_free(&whole);
    free(buf);
    return 0;
}
