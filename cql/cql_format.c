/* cql_format.c: text rendering of column values.
 *
 * Dates are computed with Howard Hinnant's days-from-civil inverse rather
 * than gmtime, so every 64-bit timestamp has a rendering (gmtime fails
 * outside the range of time_t/struct tm years) and no time zone or locale
 * is ever consulted. Collections recurse through the same entry point,
 * bounded by the type tree's depth (CQL_TYPE_MAX_DEPTH).
 */
#include "cql/cql_format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int cql_format_at(cql_buf *out, const cql_value *v, int nested, cql_error *err);

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void cql_format_civil(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

static void cql_format_date_days(cql_buf *out, int64_t days)
{
    int64_t y;
    unsigned m, d;

    cql_format_civil(days, &y, &m, &d);
    cql_buf_printf(out, "%04" PRId64 "-%02u-%02u", y, m, d);
}

void cql_format_timestamp(cql_buf *out, int64_t ms)
{
    const int64_t day_ms = 86400000;
    int64_t days = ms / day_ms, rem = ms % day_ms;

    if (rem < 0) { /* floor division for instants before 1970 */
        days--;
        rem += day_ms;
    }
    cql_format_date_days(out, days);
    cql_buf_printf(out, "T%02d:%02d:%02d.%03dZ", (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
                   (int)(rem % 1000));
}

void cql_format_uuid(cql_buf *out, const uint8_t u[16])
{
    cql_buf_printf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
                   u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void cql_format_hex(cql_buf *out, cql_slice s)
{
    static const char digits[] = "0123456789abcdef";

    cql_buf_put_raw(out, "0x", 2);
    for (size_t i = 0; i < s.len; i++) {
        uint8_t b = (uint8_t)s.base[i];
        char pair[2] = {digits[b >> 4], digits[b & 15]};
        cql_buf_put_raw(out, pair, 2);
    }
}

/* Shortest %g rendering that reads back as the same number. */
static void cql_format_double(cql_buf *out, double x, int is_float)
{
    char text[40];

    if (isnan(x)) {
        cql_buf_printf(out, "NaN");
        return;
    }
    if (isinf(x)) {
        cql_buf_printf(out, "%sInfinity", x < 0 ? "-" : "");
        return;
    }
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        snprintf(text, sizeof(text), "%.*g", prec, x);
        if (is_float ? (strtof(text, NULL) == (float)x) : (strtod(text, NULL) == x))
            break;
    }
    cql_buf_printf(out, "%s", text);
}

/* text at top level as is; inside a collection as a quoted CQL literal. */
static void cql_format_text(cql_buf *out, cql_slice s, int nested)
{
    if (!nested) {
        cql_buf_put_raw(out, s.base, s.len);
        return;
    }
    cql_buf_put_u8(out, '\'');
    for (size_t i = 0; i < s.len; i++) {
        if (s.base[i] == '\'')
            cql_buf_put_u8(out, '\'');
        cql_buf_put_u8(out, (uint8_t)s.base[i]);
    }
    cql_buf_put_u8(out, '\'');
}

/* varint: decimal when it fits 64 bits, else hex. */
static void cql_format_varint(cql_buf *out, cql_slice s)
{
    if (s.len == 0 || s.len > 8)
        cql_format_hex(out, s);
    else
        cql_buf_printf(out, "%" PRId64, cql_be_int(s.base, s.len));
}

/* decimal: <scale:int><unscaled:varint> = unscaled * 10^-scale, printed
 * as unscaled with the point moved (or an exponent when scale < 0 or is
 * too large to spell out). */
static int cql_format_decimal(cql_buf *out, cql_slice s, cql_error *err)
{
    char digits[24];
    int32_t scale;
    int64_t unscaled;
    int n;

    if (s.len < 5)
        return cql_error_set(err, CQL_ERR_MALFORMED, "decimal value of %zu bytes", s.len);
    scale = (int32_t)cql_be_int(s.base, 4);
    if (s.len > 12) {
        cql_format_hex(out, s);
        return CQL_OK;
    }
    unscaled = cql_be_int(s.base + 4, s.len - 4);
    if (scale == 0) {
        cql_buf_printf(out, "%" PRId64, unscaled);
        return CQL_OK;
    }
    if (scale < 0 || scale > 40) {
        cql_buf_printf(out, "%" PRId64 "E%+" PRId64, unscaled, -(int64_t)scale); /* -INT32_MIN fits 64 bits */
        return CQL_OK;
    }
    n = snprintf(digits, sizeof(digits), "%" PRIu64, unscaled < 0 ? -(uint64_t)unscaled : (uint64_t)unscaled);
    if (unscaled < 0)
        cql_buf_put_u8(out, '-');
    if (n > scale) {
        cql_buf_put_raw(out, digits, (size_t)(n - scale));
        cql_buf_put_u8(out, '.');
        cql_buf_put_raw(out, digits + n - scale, (size_t)scale);
    } else {
        cql_buf_put_raw(out, "0.", 2);
        for (int i = n; i < scale; i++)
            cql_buf_put_u8(out, '0');
        cql_buf_put_raw(out, digits, (size_t)n);
    }
    return CQL_OK;
}

static int cql_format_inet(cql_buf *out, cql_slice s, cql_error *err)
{
    char text[INET6_ADDRSTRLEN];
    int family = s.len == 4 ? AF_INET : s.len == 16 ? AF_INET6 : 0;

    if (family == 0 || inet_ntop(family, s.base, text, sizeof(text)) == NULL)
        return cql_error_set(err, CQL_ERR_MALFORMED, "inet value of %zu bytes", s.len);
    cql_buf_printf(out, "%s", text);
    return CQL_OK;
}

/* time: nanoseconds since midnight, 0 .. 86399999999999. */
static int cql_format_time(cql_buf *out, const cql_value *v, cql_error *err)
{
    int64_t ns;

    if (cql_value_as_int64(v, &ns, err) != CQL_OK)
        return CQL_ERR;
    if (ns < 0 || ns >= INT64_C(86400000000000))
        return cql_error_set(err, CQL_ERR_MALFORMED, "time value %" PRId64 " out of range", ns);
    cql_buf_printf(out, "%02d:%02d:%02d.%09d", (int)(ns / INT64_C(3600000000000)),
                   (int)(ns / INT64_C(60000000000) % 60), (int)(ns / 1000000000 % 60), (int)(ns % 1000000000));
    return CQL_OK;
}

/* list [a, b], set {a, b}, map {k: v} */
static int cql_format_collection(cql_buf *out, const cql_value *v, cql_error *err)
{
    int map = v->type->id == CQL_TYPE_MAP;
    cql_collection_iter it;
    cql_value elem, val;
    int rc, first = 1;

    if (cql_collection_begin(&it, v, err) != CQL_OK)
        return CQL_ERR;
    cql_buf_put_u8(out, v->type->id == CQL_TYPE_LIST ? '[' : '{');
    while ((rc = cql_collection_next(&it, &elem, &val, err)) == 1) {
        if (!first)
            cql_buf_put_raw(out, ", ", 2);
        first = 0;
        if (cql_format_at(out, &elem, 1, err) != CQL_OK)
            return CQL_ERR;
        if (map) {
            cql_buf_put_raw(out, ": ", 2);
            if (cql_format_at(out, &val, 1, err) != CQL_OK)
                return CQL_ERR;
        }
    }
    if (rc != 0)
        return CQL_ERR;
    cql_buf_put_u8(out, v->type->id == CQL_TYPE_LIST ? ']' : '}');
    return CQL_OK;
}

/* tuple (a, b) and UDT {name: a, other: b}: a [bytes] per field; a UDT
 * value may stop before its last fields. */
static int cql_format_fields(cql_buf *out, const cql_value *v, cql_error *err)
{
    int udt = v->type->id == CQL_TYPE_UDT;
    cql_error rerr;
    cql_reader r;
    cql_value field;

    cql_error_clear(&rerr);
    cql_reader_init(&r, v->bytes.base, v->bytes.len, &rerr);
    cql_buf_put_u8(out, udt ? '{' : '(');
    for (uint16_t i = 0; i < v->type->count && cql_reader_left(&r) > 0; i++) {
        if (i > 0)
            cql_buf_put_raw(out, ", ", 2);
        if (udt)
            cql_buf_printf(out, "%.*s: ", (int)v->type->field_names[i].len, v->type->field_names[i].base);
        field.type = &v->type->sub[i];
        if (cql_read_bytes(&r, &field.bytes, "field") != CQL_OK)
            return cql_error_set(err, rerr.code, "%s", rerr.msg);
        if (cql_format_at(out, &field, 1, err) != CQL_OK)
            return CQL_ERR;
    }
    cql_buf_put_u8(out, udt ? '}' : ')');
    return CQL_OK;
}

/* The simple types that go through a typed getter. */
static int cql_format_scalar(cql_buf *out, const cql_value *v, cql_error *err)
{
    int64_t i64;
    double d;
    uint8_t uuid[16];
    int b;

    switch (v->type->id) {
    case CQL_TYPE_BIGINT:
    case CQL_TYPE_COUNTER:
    case CQL_TYPE_INT:
    case CQL_TYPE_SMALLINT:
    case CQL_TYPE_TINYINT:
        if (cql_value_as_int64(v, &i64, err) != CQL_OK)
            return CQL_ERR;
        cql_buf_printf(out, "%" PRId64, i64);
        return CQL_OK;
    case CQL_TYPE_TIMESTAMP:
        if (cql_value_as_timestamp(v, &i64, err) != CQL_OK)
            return CQL_ERR;
        cql_format_timestamp(out, i64);
        return CQL_OK;
    case CQL_TYPE_DOUBLE:
    case CQL_TYPE_FLOAT:
        if (cql_value_as_double(v, &d, err) != CQL_OK)
            return CQL_ERR;
        cql_format_double(out, d, v->type->id == CQL_TYPE_FLOAT);
        return CQL_OK;
    case CQL_TYPE_BOOLEAN:
        if (cql_value_as_bool(v, &b, err) != CQL_OK)
            return CQL_ERR;
        cql_buf_printf(out, "%s", b ? "true" : "false");
        return CQL_OK;
    case CQL_TYPE_UUID:
    case CQL_TYPE_TIMEUUID:
        if (cql_value_as_uuid(v, uuid, err) != CQL_OK)
            return CQL_ERR;
        cql_format_uuid(out, uuid);
        return CQL_OK;
    case CQL_TYPE_DATE:
        if (v->bytes.len != 4)
            return cql_error_set(err, CQL_ERR_MALFORMED, "date value of %zu bytes", v->bytes.len);
        cql_format_date_days(out, (int64_t)(uint32_t)cql_be_int(v->bytes.base, 4) - (INT64_C(1) << 31));
        return CQL_OK;
    case CQL_TYPE_TIME: return cql_format_time(out, v, err);
    }
    cql_format_hex(out, v->bytes); /* blob, custom */
    return CQL_OK;
}

static int cql_format_at(cql_buf *out, const cql_value *v, int nested, cql_error *err)
{
    if (cql_value_is_null(v)) {
        cql_buf_printf(out, "null");
        return CQL_OK;
    }
    if (v->type == NULL) {
        cql_format_hex(out, v->bytes);
        return CQL_OK;
    }
    switch (v->type->id) {
    case CQL_TYPE_VARCHAR:
    case CQL_TYPE_ASCII: cql_format_text(out, v->bytes, nested); return CQL_OK;
    case CQL_TYPE_VARINT: cql_format_varint(out, v->bytes); return CQL_OK;
    case CQL_TYPE_DECIMAL: return cql_format_decimal(out, v->bytes, err);
    case CQL_TYPE_INET: return cql_format_inet(out, v->bytes, err);
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
    case CQL_TYPE_MAP: return cql_format_collection(out, v, err);
    case CQL_TYPE_TUPLE:
    case CQL_TYPE_UDT: return cql_format_fields(out, v, err);
    }
    return cql_format_scalar(out, v, err);
}

int cql_format_value(cql_buf *out, const cql_value *v, cql_error *err)
{
    if (cql_format_at(out, v, 0, err) != CQL_OK)
        return CQL_ERR;
    if (cql_buf_failed(out))
        return cql_error_set(err, out->err.code, "%s", out->err.msg);
    return CQL_OK;
}
