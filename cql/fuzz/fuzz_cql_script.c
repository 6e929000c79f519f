/* fuzz_cql_script.c: libFuzzer target for the statement splitter.
 *
 * Arbitrary bytes as a CQL script: splitting must end (every call makes
 * progress), and every statement must be a non-empty slice of the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cql/cql_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    cql_script script;
    cql_slice stmt;
    unsigned line, calls = 0;
    int rc;

    cql_script_init(&script, text, size);
    while ((rc = cql_script_next(&script, &stmt, &line)) == 1) {
        if (stmt.len == 0 || stmt.base < text || stmt.base + stmt.len > text + size || line == 0)
            abort();
        if (++calls > size) /* each statement consumes at least one byte */
            abort();
    }
    return 0;
}
