/* base64url.h: base64url without padding (RFC 4648 section 5), strict.
 *
 * Cursors and bearer tokens carry bytes in this form. Decoding is strict
 * so that one byte string has exactly one text form: any character
 * outside [A-Za-z0-9_-], '=' padding, a length of 1 mod 4 and non-zero
 * unused bits in the last character are all refused. Without the last
 * rule "AA" and "AB" would decode to the same byte, and two different
 * strings would carry one valid tag.
 *
 * Neither call allocates; the caller owns both buffers. Neither output
 * is NUL-terminated.
 */
#ifndef API_BASE_BASE64URL_H
#define API_BASE_BASE64URL_H

#include <stddef.h>

#include "api/src/base/slice.h"

#define B64URL_OK 0
#define B64URL_BAD_LENGTH (-1)    /* length 1 mod 4 */
#define B64URL_BAD_CHAR (-2)      /* outside the alphabet, padding included */
#define B64URL_NOT_CANONICAL (-3) /* unused bits of the last character set */
#define B64URL_NO_SPACE (-4)      /* out_cap too small */

/* Text length of n bytes: ceil(4n / 3), without padding. */
static inline size_t b64url_encoded_len(size_t n)
{
    return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/* Upper bound of the bytes that n characters decode to. */
static inline size_t b64url_decoded_max(size_t n)
{
    return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

/* Encode n bytes of in into out (out_cap at least b64url_encoded_len(n)).
 * B64URL_OK with *out_len set, or B64URL_NO_SPACE. */
int b64url_encode(const void *in, size_t n, char *out, size_t out_cap, size_t *out_len);

/* Decode text into out (out_cap at least b64url_decoded_max(text.len)).
 * B64URL_OK with *out_len set, or a negative B64URL_ error; out may have
 * been written to on error. */
int b64url_decode(slice text, void *out, size_t out_cap, size_t *out_len);

#endif
