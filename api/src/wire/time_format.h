/* time_format.h: RFC 3339 times of the public API.
 *
 * Every answer shows a time twice: "ts_us" (microseconds since the
 * epoch, what feeds sort on) and an RFC 3339 text in UTC with exactly six
 * fractional digits, e.g. "2026-11-25T17:42:28.713123Z". This writes the
 * text from the microseconds, with no libc time zone, locale or gmtime
 * call in the way (pure arithmetic, thread-safe, the same on every
 * machine). PostgreSQL writes the same text for the write endpoints'
 * answers with to_char(t AT TIME ZONE 'UTC',
 * 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'); the integration tests check the two
 * agree.
 *
 * Pure; the caller owns the buffer.
 */
#ifndef API_WIRE_TIME_FORMAT_H
#define API_WIRE_TIME_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define TIME_FORMAT_LEN 27                     /* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" */
#define TIME_FORMAT_SIZE (TIME_FORMAT_LEN + 1) /* with the NUL */
/* The range with a four-digit year: 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z */
#define TIME_FORMAT_MIN_US (-62167219200000000LL)
#define TIME_FORMAT_MAX_US (253402300799999999LL)

/* Write the RFC 3339 UTC text of us (microseconds since 1970-01-01, may
 * be negative) into out, NUL-terminated. Returns TIME_FORMAT_LEN, or -1
 * (out untouched) when us is outside [TIME_FORMAT_MIN_US,
 * TIME_FORMAT_MAX_US] or cap < TIME_FORMAT_SIZE. */
int format_time_us(int64_t us, char *out, size_t cap);

#endif
