/* log.c: logfmt lines built in a fixed stack buffer.
 *
 * Nothing here allocates, so logging works when memory has run out,
 * which is exactly when an error line is most wanted. The timestamp is
 * wall-clock UTC with milliseconds; ordering between threads is only as
 * good as write(2) order.
 */
#include "api/src/base/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static log_level log_threshold = LOG_INFO;
static int log_fd = 2;

void log_set_level(log_level level)
{
    log_threshold = level;
}

void log_set_fd(int fd)
{
    log_fd = fd;
}

const char *log_level_name(log_level level)
{
    switch (level) {
    case LOG_DEBUG: return "debug";
    case LOG_INFO: return "info";
    case LOG_WARN: return "warn";
    case LOG_ERROR: return "error";
    }
    return NULL;
}

int log_level_parse(const char *s, log_level *out)
{
    log_level l;

    for (l = LOG_DEBUG; l <= LOG_ERROR; l++) {
        if (strcmp(s, log_level_name(l)) == 0) {
            *out = l;
            return 0;
        }
    }
    return -1;
}

/* Keep room for " truncated=1\n" at the end of every line. */
#define LOG_RESERVE 14

static void log_put(log_line *l, const char *p, size_t n)
{
    if (!l->enabled || l->truncated)
        return;
    if (n > LOG_LINE_MAX - LOG_RESERVE - l->len) {
        l->truncated = 1;
        return;
    }
    memcpy(l->text + l->len, p, n);
    l->len += n;
}

static int log_plain_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_-.:/@%+,*[]?&", c) != NULL;
}

/* Append a value, quoted and escaped unless it is a plain token. */
static void log_value(log_line *l, const char *v, size_t n)
{
    size_t i;
    int plain = n > 0;
    char esc[4];

    for (i = 0; i < n && plain; i++)
        plain = log_plain_byte((unsigned char)v[i]);
    if (plain) {
        log_put(l, v, n);
        return;
    }
    log_put(l, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            log_put(l, esc, 2);
        } else if (c < 0x20 || c >= 0x7f) {
            static const char hex[] = "0123456789abcdef";
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            log_put(l, esc, 4);
        } else {
            log_put(l, (const char *)&v[i], 1);
        }
    }
    log_put(l, "\"", 1);
}

static void log_key(log_line *l, const char *key)
{
    log_put(l, " ", 1);
    log_put(l, key, strlen(key));
    log_put(l, "=", 1);
}

void log_begin(log_line *l, log_level level, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    char stamp[40];
    int n = 0;

    l->len = 0;
    l->truncated = 0;
    l->enabled = level >= log_threshold;
    if (!l->enabled)
        return;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm) != NULL)
        n = snprintf(stamp, sizeof(stamp), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    if (n <= 0 || (size_t)n >= sizeof(stamp))
        n = snprintf(stamp, sizeof(stamp), "ts=unknown");
    log_put(l, stamp, (size_t)n);
    log_key(l, "level");
    log_put(l, log_level_name(level), strlen(log_level_name(level)));
    log_str(l, "msg", msg);
}

void log_str(log_line *l, const char *key, const char *val)
{
    if (val == NULL)
        val = "";
    log_key(l, key);
    log_value(l, val, strlen(val));
}

void log_slice(log_line *l, const char *key, slice val)
{
    log_key(l, key);
    log_value(l, val.base, val.len);
}

void log_int(log_line *l, const char *key, long long val)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", val);

    log_key(l, key);
    log_put(l, num, (size_t)n);
}

void log_uint(log_line *l, const char *key, unsigned long long val)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%llu", val);

    log_key(l, key);
    log_put(l, num, (size_t)n);
}

void log_errno(log_line *l, int errnum)
{
    char msg[128];

    /* The GNU strerror_r returns the message, which may not be msg. */
    log_str(l, "err", strerror_r(errnum, msg, sizeof(msg)));
    log_int(l, "errno", errnum);
}

void log_end(log_line *l)
{
    size_t off = 0;
    ssize_t n;

    if (!l->enabled)
        return;
    if (l->truncated) {
        memcpy(l->text + l->len, " truncated=1", 12);
        l->len += 12;
    }
    l->text[l->len++] = '\n';
    /* A short write or an error on stderr has nowhere to be reported;
     * retry on EINTR and partial writes, give up on anything else. */
    while (off < l->len) {
        n = write(log_fd, l->text + off, l->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
}

void log_simple(log_level level, const char *msg, const char *detail)
{
    log_line l;

    log_begin(&l, level, msg);
    if (detail != NULL)
        log_str(&l, "detail", detail);
    log_end(&l);
}
