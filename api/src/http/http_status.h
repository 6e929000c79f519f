/* http_status.h: status codes, their reason phrases and error names.
 *
 * The error name is the machine-readable "code" of our JSON error body
 * ({"error":{"code":"not_found",...}}); clients branch on it, so the
 * spellings are part of the public API and must not change.
 */
#ifndef API_HTTP_HTTP_STATUS_H
#define API_HTTP_HTTP_STATUS_H

/* "Not Found" for 404; "Unknown" for codes we never send. Static. */
const char *http_status_reason(int status);

/* "not_found" for 404, "internal" for an unlisted 5xx, "bad_request"
 * for an unlisted 4xx, NULL for anything else. Static. */
const char *http_status_error_code(int status);

#endif
