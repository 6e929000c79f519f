/* fuzz_flat_json.c: libFuzzer target for the flat JSON reader of cached
 * bodies (read/flat_json.h).
 *
 * Its promise is to accept a subset of what jansson accepts, never more.
 * So: whatever flat_json_parse accepts must be accepted by jansson with
 * JSON_REJECT_DUPLICATES as an object with the same number of members,
 * each of the same type, integers equal, and each string's raw slice must
 * itself be accepted by jansson as string content ("\"" raw "\"") equal
 * to jansson's value of that member. Any broken promise aborts; ASan/UBSan
 * catch the rest. Also runs the activity reader on the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/src/read/feed_json.h"
#include "api/src/read/flat_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static void check_string(const flat_member *m, json_t *v)
{
    char *quoted = malloc(m->raw.len + 3);
    json_t *s;

    CHECK(quoted != NULL);
    quoted[0] = '"';
    memcpy(quoted + 1, m->raw.base, m->raw.len);
    quoted[m->raw.len + 1] = '"';
    quoted[m->raw.len + 2] = '\0';
    s = json_loadb(quoted, m->raw.len + 2, JSON_DECODE_ANY, NULL);
    CHECK(s != NULL && json_is_string(s));
    CHECK(json_string_length(s) == json_string_length(v));
    CHECK(memcmp(json_string_value(s), json_string_value(v), json_string_length(v)) == 0);
    json_decref(s);
    free(quoted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    flat_member m[FLAT_JSON_MAX_MEMBERS];
    slice in = slice_make((const char *)data, size);
    size_t n, i;
    buf out;

    if (flat_json_parse(in, m, FLAT_JSON_MAX_MEMBERS, &n) == 0) {
        json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
        CHECK(o != NULL && json_is_object(o));
        CHECK(json_object_size(o) == n);
        for (i = 0; i < n; i++) {
            char *name = malloc(m[i].name.len + 1);
            json_t *v;
            CHECK(name != NULL);
            memcpy(name, m[i].name.base, m[i].name.len);
            name[m[i].name.len] = '\0';
            v = json_object_get(o, name);
            free(name);
            CHECK(v != NULL);
            switch (m[i].type) {
            case FLAT_NULL: CHECK(json_is_null(v)); break;
            case FLAT_INT: CHECK(json_is_integer(v) && json_integer_value(v) == m[i].num); break;
            case FLAT_STRING:
                CHECK(json_is_string(v));
                check_string(&m[i], v);
                break;
            }
        }
        json_decref(o);
    }
    buf_init(&out, 1 << 20);
    (void)feed_json_activity_from_cache(&out, in, SLICE_LIT("p:1"));
    buf_dispose(&out);
    return 0;
}
