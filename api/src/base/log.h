/* log.h: structured log lines (logfmt: key=value, one event per line).
 *
 *   ts=2025-01-02T03:04:05.678Z level=info msg=start listen=127.0.0.1:18080
 *
 * A line is built on the caller's stack with log_begin / log_str /
 * log_int ... and written by log_end with a single write(2), so lines
 * from several event-loop threads never interleave. A line longer than
 * LOG_LINE_MAX is cut and ends with truncated=1. Values that are not
 * plain tokens are quoted, with ", \ and control bytes escaped, so a
 * hostile request path cannot forge fields or lines.
 *
 * The writer is stderr unless log_set_fd says otherwise; the level and fd
 * are process-wide and meant to be set before threads start.
 *
 * Trade-off: write(2) to stderr is a blocking call. For a file or a
 * terminal it does not wait in practice; behind a slow pipe it can. That
 * is acceptable for start/stop/error lines; the per-request access log is
 * off by default for that reason.
 */
#ifndef API_BASE_LOG_H
#define API_BASE_LOG_H

#include <stddef.h>

#include "api/src/base/slice.h"

typedef enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

#define LOG_LINE_MAX 1024

typedef struct log_line {
    size_t len;
    int enabled; /* 0 when the level is filtered out: every call is a no-op */
    int truncated;
    char text[LOG_LINE_MAX];
} log_line;

void log_set_level(log_level level);
void log_set_fd(int fd);

/* Static name of a level ("info"); NULL for an unknown value. */
const char *log_level_name(log_level level);

/* Parse "debug", "info", "warn" or "error"; 0, or -1 for anything else. */
int log_level_parse(const char *s, log_level *out);

/* Start a line: ts, level and msg fields. */
void log_begin(log_line *l, log_level level, const char *msg);

void log_str(log_line *l, const char *key, const char *val);
void log_slice(log_line *l, const char *key, slice val);
void log_int(log_line *l, const char *key, long long val);
void log_uint(log_line *l, const char *key, unsigned long long val);

/* err=<strerror(errnum)> errno=<errnum> */
void log_errno(log_line *l, int errnum);

/* Finish the line and write it. */
void log_end(log_line *l);

/* One-field convenience: msg plus an optional detail. */
void log_simple(log_level level, const char *msg, const char *detail);

#endif
