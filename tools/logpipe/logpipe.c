/* logpipe.c: a log file with a size bound and numbered rotations (see logpipe.h). */
#include "tools/logpipe/logpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int lp_fail(logpipe *lp, const char *what)
{
    snprintf(lp->err, sizeof(lp->err), "%s %s: %s", what, lp->path, strerror(errno));
    return -1;
}

static int lp_open_live(logpipe *lp)
{
    struct stat st;

    lp->fd = open(lp->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (lp->fd < 0)
        return lp_fail(lp, "cannot open");
    if (fstat(lp->fd, &st) != 0)
        return lp_fail(lp, "cannot stat");
    lp->size = (size_t)st.st_size;
    return 0;
}

int logpipe_open(logpipe *lp, const char *path, size_t max_bytes, unsigned keep)
{
    memset(lp, 0, sizeof(*lp));
    lp->fd = -1;
    if (strlen(path) + 4 >= sizeof(lp->path) || max_bytes == 0 || keep > LOGPIPE_KEEP_MAX) {
        snprintf(lp->err, sizeof(lp->err), "bad arguments");
        return -1;
    }
    snprintf(lp->path, sizeof(lp->path), "%s", path);
    lp->max_bytes = max_bytes;
    lp->keep = keep;
    return lp_open_live(lp);
}

/* path.i (i >= 1), or path itself for i == 0, into out. */
static void lp_name(const logpipe *lp, unsigned i, char *out, size_t cap)
{
    if (i == 0)
        snprintf(out, cap, "%s", lp->path);
    else
        snprintf(out, cap, "%s.%u", lp->path, i);
}

/* Shift the rotated files up by one, the live file to .1, start anew.
 * With keep == 0 the live file is simply emptied. */
static int lp_rotate(logpipe *lp)
{
    char from[LOGPIPE_PATH_MAX + 16], to[LOGPIPE_PATH_MAX + 16];
    unsigned i;

    if (close(lp->fd) != 0) {
        lp->fd = -1;
        return lp_fail(lp, "cannot close");
    }
    lp->fd = -1;
    if (lp->keep == 0) {
        if (truncate(lp->path, 0) != 0 && errno != ENOENT)
            return lp_fail(lp, "cannot empty");
        return lp_open_live(lp);
    }
    lp_name(lp, lp->keep, to, sizeof(to));
    if (unlink(to) != 0 && errno != ENOENT)
        return lp_fail(lp, "cannot drop the oldest rotation of");
    for (i = lp->keep; i >= 1; i--) {
        lp_name(lp, i - 1, from, sizeof(from));
        lp_name(lp, i, to, sizeof(to));
        if (rename(from, to) != 0 && errno != ENOENT)
            return lp_fail(lp, "cannot rotate");
    }
    return lp_open_live(lp);
}

static int lp_write_all(logpipe *lp, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(lp->fd, data, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return lp_fail(lp, "cannot write");
        }
        data += w;
        n -= (size_t)w;
        lp->size += (size_t)w;
    }
    return 0;
}

/* The length of the longest prefix of data[0..n) that ends a line and
 * fits in room bytes; 0 when no line end fits. */
static size_t lp_whole_lines(const char *data, size_t n, size_t room)
{
    size_t i = n < room ? n : room;

    while (i > 0 && data[i - 1] != '\n')
        i--;
    return i;
}

int logpipe_write(logpipe *lp, const char *data, size_t n)
{
    while (n > 0) {
        size_t room = lp->size < lp->max_bytes ? lp->max_bytes - lp->size : 0;
        size_t take;

        if (n <= room)
            return lp_write_all(lp, data, n);
        take = lp_whole_lines(data, n, room);
        if (take == 0 && lp->size == 0)
            take = room; /* one line longer than the whole file: cut it */
        if (take > 0 && lp_write_all(lp, data, take) != 0)
            return -1;
        data += take;
        n -= take;
        if (lp_rotate(lp) != 0)
            return -1;
    }
    return 0;
}

int logpipe_copy(logpipe *lp, int fd)
{
    char chunk[65536];

    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r == 0)
            return 0;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return lp_fail(lp, "cannot read the input of");
        }
        if (logpipe_write(lp, chunk, (size_t)r) != 0)
            return -1;
    }
}

void logpipe_close(logpipe *lp)
{
    if (lp->fd >= 0)
        close(lp->fd);
    lp->fd = -1;
}
