/* json_out.h: the JSON answers of the write-side handlers that C
 * assembles (the resource objects themselves come from PostgreSQL, see
 * resource_sql.h).
 *
 *   a page of a list:   {"<name>":[item,item,...],"next_cursor":"..."|null}
 *   an api_error:       {"error":{"code":"...","message":"...","field":"..."}}
 *
 * Items are already JSON (each one object text from the database); they
 * are copied as they are. Strings C writes are escaped with
 * http_json_escape.
 *
 * Ownership: the caller owns out (its limit bounds the answer) and the
 * items; nothing is kept.
 */
#ifndef API_HANDLERS_JSON_OUT_H
#define API_HANDLERS_JSON_OUT_H

#include <stddef.h>

#include "api/src/base/buf.h"
#include "api/src/base/slice.h"
#include "api/src/server/request.h"
#include "api/src/wire/api_error.h"

/* Append {"name":[items...],"next_cursor":cursor|null} to out. cursor
 * NULL writes null. 0, or -1 (out may hold part of it). */
int json_out_page(buf *out, const char *name, const slice *items, size_t n, const char *cursor);

/* Answer req with e (its status and JSON body). Returns what
 * http_request_respond returns; req is finished either way. */
int json_out_respond_error(http_request *req, const api_error *e);

#endif
