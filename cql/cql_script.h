/* cql_script.h: split a CQL script into statements.
 *
 * Statements end at ';' outside of string literals ('...' with ''
 * escapes), quoted identifiers ("..." with "" escapes), $$-quoted
 * function bodies, and comments (-- and // to the end of the line, and
 * non-nested slash-star blocks). Each statement comes back trimmed of
 * whitespace and of leading and trailing comments, without its ';', as a
 * slice of the script; comments inside it are kept (the server skips
 * them). Empty and comment-only statements are skipped.
 */
#ifndef CQL_SCRIPT_H
#define CQL_SCRIPT_H

#include <stddef.h>

#include "cql/cql_error.h"
#include "cql/cql_slice.h"

typedef struct cql_script {
    const char *pos; /* next byte to scan; not owned */
    const char *end;
    unsigned line; /* 1-based line of pos */
    cql_error err; /* unterminated quote or comment */
} cql_script;

/* Scan text[0..len) (not owned; must outlive the script and its
 * statements). */
void cql_script_init(cql_script *s, const char *text, size_t len);

/* The next statement into *stmt and its first line into *line (may be
 * NULL). Returns 1 with a statement, 0 at the end of the script, CQL_ERR
 * for an unterminated string, identifier or comment (s->err names the
 * line it started on). */
int cql_script_next(cql_script *s, cql_slice *stmt, unsigned *line);

#endif
