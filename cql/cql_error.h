/* cql_error.h: status codes and the error object of the CQL client.
 *
 * Every call of the library returns CQL_OK or CQL_ERR (a few return
 * CQL_INCOMPLETE, "not enough bytes yet"). On CQL_ERR the details live on
 * the object the call worked on (hiredis style: resp->err, conn->err,
 * reader->err), as a cql_errcode and a NUL-terminated message, so a caller
 * can branch on the code and print the message without asking again.
 *
 * A server ERROR response is not a decoding failure: the decoder returns
 * CQL_OK and fills cql_response.error. The blocking connection turns it
 * into CQL_ERR with code CQL_ERR_SERVER and the server's own code in
 * server_code, because that is what a caller of a round trip wants.
 */
#ifndef CQL_ERROR_H
#define CQL_ERROR_H

#include <stdint.h>

#define CQL_OK 0
#define CQL_ERR (-1)
#define CQL_INCOMPLETE 1 /* cql_frame_split: need more bytes */

typedef enum cql_errcode {
    CQL_ERR_NONE = 0,
    CQL_ERR_NOMEM,       /* an allocation failed */
    CQL_ERR_TRUNCATED,   /* a field runs past the end of its frame or value */
    CQL_ERR_MALFORMED,   /* a field has a value the protocol does not allow */
    CQL_ERR_TOO_LARGE,   /* a length above the configured or protocol limit */
    CQL_ERR_VERSION,     /* not a protocol v4 response */
    CQL_ERR_UNSUPPORTED, /* valid protocol we do not speak (compression, auth) */
    CQL_ERR_TYPE,        /* a typed getter called on a column of another type */
    CQL_ERR_NULL,        /* a typed getter called on a null value */
    CQL_ERR_ARG,         /* the caller passed an invalid argument */
    CQL_ERR_IO,          /* a socket call failed or the peer closed */
    CQL_ERR_TIMEOUT,     /* connect or I/O took longer than allowed */
    CQL_ERR_SERVER,      /* the server answered with an ERROR message */
    CQL_ERR_PROTOCOL     /* the server answered with an unexpected message */
} cql_errcode;

#define CQL_ERRSTR_SIZE 512

typedef struct cql_error {
    cql_errcode code;          /* CQL_ERR_NONE while all is well */
    int32_t server_code;       /* with CQL_ERR_SERVER: the protocol's code */
    char msg[CQL_ERRSTR_SIZE]; /* NUL-terminated, truncated if long */
} cql_error;

/* Reset err to "no error". */
void cql_error_clear(cql_error *err);

/* Record an error: code plus a printf-style message (truncated to fit).
 * Always returns CQL_ERR so that callers can write
 * `return cql_error_set(err, CQL_ERR_ARG, "...")`. */
int cql_error_set(cql_error *err, cql_errcode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Static name of a library error code, e.g. "TRUNCATED". */
const char *cql_errcode_name(cql_errcode code);

/* Static name of a server error code (protocol section 9), spelled as the
 * server's ExceptionCode enum: "SYNTAX_ERROR", "INVALID", ... and
 * "UNKNOWN" for codes the protocol does not define. */
const char *cql_server_error_name(int32_t server_code);

/* Server error codes, protocol v4 section 9. */
enum {
    CQL_SERVER_ERROR = 0x0000,
    CQL_SERVER_PROTOCOL_ERROR = 0x000A,
    CQL_SERVER_BAD_CREDENTIALS = 0x0100,
    CQL_SERVER_UNAVAILABLE = 0x1000,
    CQL_SERVER_OVERLOADED = 0x1001,
    CQL_SERVER_IS_BOOTSTRAPPING = 0x1002,
    CQL_SERVER_TRUNCATE_ERROR = 0x1003,
    CQL_SERVER_WRITE_TIMEOUT = 0x1100,
    CQL_SERVER_READ_TIMEOUT = 0x1200,
    CQL_SERVER_READ_FAILURE = 0x1300,
    CQL_SERVER_FUNCTION_FAILURE = 0x1400,
    CQL_SERVER_WRITE_FAILURE = 0x1500,
    CQL_SERVER_SYNTAX_ERROR = 0x2000,
    CQL_SERVER_UNAUTHORIZED = 0x2100,
    CQL_SERVER_INVALID = 0x2200,
    CQL_SERVER_CONFIG_ERROR = 0x2300,
    CQL_SERVER_ALREADY_EXISTS = 0x2400,
    CQL_SERVER_UNPREPARED = 0x2500
};

#endif
