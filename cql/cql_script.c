/* cql_script.c: a lexer just good enough to find statement boundaries.
 *
 * It knows where quotes and comments begin and end and nothing else of
 * CQL, so it cannot reject a bad statement; the server does that, with a
 * better message. One byte at a time, no backtracking, no allocation.
 */
#include "cql/cql_script.h"

void cql_script_init(cql_script *s, const char *text, size_t len)
{
    static const char empty[1];

    if (text == NULL) { /* keep pointer arithmetic off NULL */
        text = empty;
        len = 0;
    }
    s->pos = text;
    s->end = text + len;
    s->line = 1;
    cql_error_clear(&s->err);
}

/* Advance past the closing delimiter close (1 or 2 chars) of a token that
 * began at p, counting lines. For quotes a doubled close char is an
 * escape. Returns the position after the close, or NULL if unterminated. */
static const char *cql_script_skip_to(cql_script *s, const char *p, const char *close, size_t close_len,
                                      int doubled_escape)
{
    while (p < s->end) {
        if (*p == close[0] && (close_len == 1 || (p + 1 < s->end && p[1] == close[1]))) {
            if (doubled_escape && p + 1 < s->end && p[1] == close[0]) {
                p += 2;
                continue;
            }
            return p + close_len;
        }
        if (*p == '\n')
            s->line++;
        p++;
    }
    return NULL;
}

static int cql_script_unterminated(cql_script *s, const char *what, unsigned line)
{
    s->pos = s->end;
    return cql_error_set(&s->err, CQL_ERR_MALFORMED, "unterminated %s starting on line %u", what, line);
}

/* Skip the token starting at *pp if it is a comment or a quoted token.
 * Returns 1 for a comment, 2 for a quoted token, 0 for neither, CQL_ERR
 * when unterminated. */
static int cql_script_skip_special(cql_script *s, const char **pp)
{
    const char *p = *pp, *next;
    char c = *p, c2 = p + 1 < s->end ? p[1] : '\0';
    unsigned line = s->line;

    if ((c == '-' && c2 == '-') || (c == '/' && c2 == '/')) {
        while (p < s->end && *p != '\n')
            p++;
        *pp = p; /* the newline is counted by the caller */
        return 1;
    }
    if (c == '/' && c2 == '*') {
        if ((next = cql_script_skip_to(s, p + 2, "*/", 2, 0)) == NULL)
            return cql_script_unterminated(s, "comment", line);
        *pp = next;
        return 1;
    }
    if (c == '$' && c2 == '$') {
        if ((next = cql_script_skip_to(s, p + 2, "$$", 2, 0)) == NULL)
            return cql_script_unterminated(s, "$$ string", line);
        *pp = next;
        return 2;
    }
    if (c == '\'' || c == '"') {
        if ((next = cql_script_skip_to(s, p + 1, c == '\'' ? "'" : "\"", 1, 1)) == NULL)
            return cql_script_unterminated(s, c == '\'' ? "string" : "quoted identifier", line);
        *pp = next;
        return 2;
    }
    return 0;
}

int cql_script_next(cql_script *s, cql_slice *stmt, unsigned *line)
{
    const char *p = s->pos, *start = NULL, *last = NULL;
    unsigned start_line = 0;

    while (p < s->end) {
        const char *token = p;
        int kind;

        if (*p == ';' && start != NULL)
            break;
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f' || *p == '\v' || *p == ';') {
            if (*p++ == '\n')
                s->line++;
            continue;
        }
        if (start == NULL)
            start_line = s->line;
        if ((kind = cql_script_skip_special(s, &p)) == CQL_ERR)
            return CQL_ERR;
        if (kind == 1)
            continue; /* comments never start or end a statement */
        if (kind == 0)
            p++;
        if (start == NULL)
            start = token;
        last = p;
    }
    s->pos = p < s->end ? p + 1 : p; /* past the ';' */
    if (start == NULL)
        return 0;
    *stmt = cql_slice_make(start, (size_t)(last - start));
    if (line != NULL)
        *line = start_line;
    return 1;
}
