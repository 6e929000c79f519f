/* cql_error.c: the error object and the names of library and server codes.
 *
 * Names are static strings so that printing an error never allocates; the
 * server names follow Cassandra's ExceptionCode enum, which is what people
 * search for in Cassandra's own logs and documentation.
 */
#include "cql/cql_error.h"

#include <stdarg.h>
#include <stdio.h>

void cql_error_clear(cql_error *err)
{
    err->code = CQL_ERR_NONE;
    err->server_code = 0;
    err->msg[0] = '\0';
}

int cql_error_set(cql_error *err, cql_errcode code, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    err->server_code = 0;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap); /* truncation is fine */
    va_end(ap);
    return CQL_ERR;
}

const char *cql_errcode_name(cql_errcode code)
{
    switch (code) {
    case CQL_ERR_NONE: return "NONE";
    case CQL_ERR_NOMEM: return "NOMEM";
    case CQL_ERR_TRUNCATED: return "TRUNCATED";
    case CQL_ERR_MALFORMED: return "MALFORMED";
    case CQL_ERR_TOO_LARGE: return "TOO_LARGE";
    case CQL_ERR_VERSION: return "VERSION";
    case CQL_ERR_UNSUPPORTED: return "UNSUPPORTED";
    case CQL_ERR_TYPE: return "TYPE";
    case CQL_ERR_NULL: return "NULL";
    case CQL_ERR_ARG: return "ARG";
    case CQL_ERR_IO: return "IO";
    case CQL_ERR_TIMEOUT: return "TIMEOUT";
    case CQL_ERR_SERVER: return "SERVER";
    case CQL_ERR_PROTOCOL: return "PROTOCOL";
    }
    return "UNKNOWN";
}

const char *cql_server_error_name(int32_t server_code)
{
    switch (server_code) {
    case CQL_SERVER_ERROR: return "SERVER_ERROR";
    case CQL_SERVER_PROTOCOL_ERROR: return "PROTOCOL_ERROR";
    case CQL_SERVER_BAD_CREDENTIALS: return "BAD_CREDENTIALS";
    case CQL_SERVER_UNAVAILABLE: return "UNAVAILABLE";
    case CQL_SERVER_OVERLOADED: return "OVERLOADED";
    case CQL_SERVER_IS_BOOTSTRAPPING: return "IS_BOOTSTRAPPING";
    case CQL_SERVER_TRUNCATE_ERROR: return "TRUNCATE_ERROR";
    case CQL_SERVER_WRITE_TIMEOUT: return "WRITE_TIMEOUT";
    case CQL_SERVER_READ_TIMEOUT: return "READ_TIMEOUT";
    case CQL_SERVER_READ_FAILURE: return "READ_FAILURE";
    case CQL_SERVER_FUNCTION_FAILURE: return "FUNCTION_FAILURE";
    case CQL_SERVER_WRITE_FAILURE: return "WRITE_FAILURE";
    case CQL_SERVER_SYNTAX_ERROR: return "SYNTAX_ERROR";
    case CQL_SERVER_UNAUTHORIZED: return "UNAUTHORIZED";
    case CQL_SERVER_INVALID: return "INVALID";
    case CQL_SERVER_CONFIG_ERROR: return "CONFIG_ERROR";
    case CQL_SERVER_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case CQL_SERVER_UNPREPARED: return "UNPREPARED";
    }
    return "UNKNOWN";
}
