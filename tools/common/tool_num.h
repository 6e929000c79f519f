/* tool_num.h: numbers given on a command line or in the environment,
 * shared by the command-line tools (feed-cql, feedcheck, feed-logpipe).
 *
 * Pure functions: no allocation, no I/O (errno is overwritten).
 */
#ifndef TOOL_NUM_H
#define TOOL_NUM_H

/* Parse s, a whole decimal number (leading white space and a sign
 * allowed, as strtol does; nothing after the digits) in [min, max], into
 * *out. 0, or -1 (empty, not a number, trailing characters, out of long's
 * range or of [min, max]; *out untouched). */
int tool_parse_long(const char *s, long min, long max, long *out);

#endif
