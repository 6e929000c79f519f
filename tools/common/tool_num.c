/* tool_num.c: numbers on a command line (see tool_num.h). */
#include "tools/common/tool_num.h"

#include <errno.h>
#include <stdlib.h>

int tool_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
