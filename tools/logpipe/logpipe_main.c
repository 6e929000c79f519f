/* feed-logpipe: stdin into a log file bounded in size (see logpipe.h).
 *
 *     CMD 2>&1 | feed-logpipe [--max-bytes N] [--keep K] FILE
 *
 * feedctl runs every part's output through it. It ignores SIGINT, SIGTERM
 * and SIGHUP: a Ctrl-C meant for `feedctl run` must not cut the logs of
 * parts that are still shutting down; it ends when every writer has closed
 * the pipe.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/common/tool_num.h"
#include "tools/logpipe/logpipe.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: feed-logpipe [--max-bytes N] [--keep K] FILE\n"
            "Append standard input to FILE; before FILE would pass N bytes (default\n"
            "67108864, 64 MiB) rotate it to FILE.1 (FILE.1 to FILE.2, ...), keeping K\n"
            "rotated files (default 2, at most %d). Ends at end of input.\n",
            LOGPIPE_KEEP_MAX);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {{"max-bytes", required_argument, NULL, 'm'},
                                            {"keep", required_argument, NULL, 'k'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    long max_bytes = 64L * 1024 * 1024, keep = 2;
    logpipe lp;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (tool_parse_long(optarg, 1, 1L << 40, &max_bytes) != 0) {
                fprintf(stderr, "feed-logpipe: --max-bytes: '%s' is not a size in 1..2^40\n", optarg);
                return 2;
            }
            break;
        case 'k':
            if (tool_parse_long(optarg, 0, LOGPIPE_KEEP_MAX, &keep) != 0) {
                fprintf(stderr, "feed-logpipe: --keep: '%s' is not in 0..%d\n", optarg, LOGPIPE_KEEP_MAX);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    if (logpipe_open(&lp, argv[optind], (size_t)max_bytes, (unsigned)keep) != 0) {
        fprintf(stderr, "feed-logpipe: %s\n", lp.err);
        return 1;
    }
    rc = logpipe_copy(&lp, STDIN_FILENO);
    if (rc != 0)
        fprintf(stderr, "feed-logpipe: %s\n", lp.err);
    logpipe_close(&lp);
    return rc == 0 ? 0 : 1;
}
