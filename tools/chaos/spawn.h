/* spawn.h: run a program (feedctl, feedcheck) and collect what it says. */
#ifndef FEED_CHAOS_SPAWN_H
#define FEED_CHAOS_SPAWN_H

#include <stddef.h>

/* Run argv (argv[0] is a path or a name looked up in PATH) with the
 * current environment, stdin from /dev/null, stdout and stderr into one
 * NUL-terminated buffer that the caller frees (*output; may be NULL when
 * output is NULL, then the child's output goes to ours). After timeout_ms
 * the child's process group gets SIGKILL. Returns the exit status (0-255),
 * 128+signal if killed by one, or -1 if it could not be run. */
int sp_run(char *const argv[], int timeout_ms, char **output);

#endif
