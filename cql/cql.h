/* cql.h: the CQL native protocol v4 codec, in one include.
 *
 * Pure encode/decode, no I/O: build requests into a cql_buf
 * (cql_request.h, cql_values.h), split received bytes into frames
 * (cql_frame.h), decode them (cql_response.h) and read typed values
 * (cql_value.h, cql_format.h). The blocking socket client is separate
 * (cql_conn_blocking.h) so that event-loop code never pulls it in.
 */
#ifndef CQL_H
#define CQL_H

#include "cql/cql_buf.h"
#include "cql/cql_error.h"
#include "cql/cql_format.h"
#include "cql/cql_frame.h"
#include "cql/cql_metadata.h"
#include "cql/cql_pool.h"
#include "cql/cql_reader.h"
#include "cql/cql_request.h"
#include "cql/cql_response.h"
#include "cql/cql_result.h"
#include "cql/cql_script.h"
#include "cql/cql_slice.h"
#include "cql/cql_type.h"
#include "cql/cql_value.h"
#include "cql/cql_values.h"

#endif
