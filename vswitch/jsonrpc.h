/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_JSONRPC_H
#define VSWITCH_JSONRPC_H

/*
 * JSON-RPC 2.0 request handling, independent of any socket: one request line
 * in, one response line out. See docs/api.md for the protocol.
 */

#include <stddef.h>
#include <jansson.h>

#define JSONRPC_PARSE_ERROR -32700
#define JSONRPC_INVALID_REQUEST -32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS -32602
#define JSONRPC_REFUSED -32000

struct jsonrpc_error {
	int code;
	char message[512];
};

/* Sets err's code and a printf-style message; returns -1 so handlers can
 * `return jsonrpc_error_set(err, ...)`. */
int jsonrpc_error_set(struct jsonrpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A method handler. params is always a JSON object (an empty one when the
 * request had none); borrowed. On success returns 0 and sets *result to a new
 * reference (an object). On failure returns -1 with err filled in; *result
 * is ignored.
 */
typedef int (*jsonrpc_handler_fn)(void *ctx, json_t *params, json_t **result,
				  struct jsonrpc_error *err);

struct jsonrpc_method {
	const char *name;
	jsonrpc_handler_fn handler;
};

/*
 * Handles one request (the bytes of one line, without the '\n'). Returns a
 * newly allocated response string without a trailing newline (free()), or
 * NULL when the request was a notification (no "id") that needs no answer.
 */
char *jsonrpc_handle(const struct jsonrpc_method *methods, size_t n_methods, void *ctx,
		     const char *request, size_t len);

/* Formats an error response with a null id (e.g. for a line too large). free() it. */
char *jsonrpc_error_response(int code, const char *message);

/*
 * json_unpack_ex() for handlers, with JSON_STRICT so unknown members are
 * refused. Returns 0, or -1 with err set to JSONRPC_INVALID_PARAMS and a
 * message from jansson's error, naming the member when a value has the wrong
 * type: `invalid params: "name": expected string, got integer`.
 */
int jsonrpc_unpack(json_t *params, struct jsonrpc_error *err, const char *fmt, ...);

#endif
