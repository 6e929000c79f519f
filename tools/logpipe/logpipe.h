/* logpipe.h: copy a stream into a log file that never grows past a bound.
 *
 * A part of the stack writes its stdout and stderr into a pipe; feed-logpipe
 * reads the pipe and appends to var/log/NAME.log. When a write would take
 * the file past max_bytes, the file is rotated first: NAME.log.(keep-1) is
 * dropped, each NAME.log.i becomes NAME.log.(i+1), NAME.log becomes
 * NAME.log.1, and a new NAME.log is started. So a part's logs take at most
 * (keep + 1) * max_bytes on disk, however long it runs, and NAME.log is
 * always the newest (`feedctl logs -f` follows it by name).
 *
 * Lines are kept whole where they fit: a rotation happens at a line end
 * found in the chunk, not in the middle of a line, unless one line alone
 * is longer than max_bytes.
 *
 * Ownership: the caller owns the logpipe struct and the input descriptor;
 * logpipe owns the output descriptor it opens (closed by logpipe_close).
 */
#ifndef TOOLS_LOGPIPE_LOGPIPE_H
#define TOOLS_LOGPIPE_LOGPIPE_H

#include <stddef.h>
#include <sys/types.h>

#define LOGPIPE_PATH_MAX 4096
#define LOGPIPE_KEEP_MAX 20

typedef struct logpipe {
    char path[LOGPIPE_PATH_MAX];      /* the live file */
    size_t max_bytes;                 /* rotate before passing this size; >= 1 */
    unsigned keep;                    /* rotated files kept, 0..LOGPIPE_KEEP_MAX */
    int fd;                           /* the live file, -1 when closed */
    size_t size;                      /* bytes in the live file */
    char err[LOGPIPE_PATH_MAX + 256]; /* what failed, after a -1 */
} logpipe;

/* Open (append to) path. 0, or -1 with lp->err set. */
int logpipe_open(logpipe *lp, const char *path, size_t max_bytes, unsigned keep);

/* Append n bytes, rotating as needed. 0, or -1 with lp->err set. */
int logpipe_write(logpipe *lp, const char *data, size_t n);

/* Copy fd to the log until end of file. 0, or -1 with lp->err set. */
int logpipe_copy(logpipe *lp, int fd);

void logpipe_close(logpipe *lp);

#endif
