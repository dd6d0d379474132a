/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"

/* Client-supplied names quoted in error messages are cut to this many bytes. */
#define QUOTED_NAME_MAX 64

int
jsonrpc_error_set(struct jsonrpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static json_t *
error_object(int code, const char *message)
{
	size_t len = strlen(message);
	json_t *msg = json_stringn(message, len);

	/* A message cut to fit struct jsonrpc_error may end in half a UTF-8
	 * character, which jansson refuses: drop the partial character. */
	if (msg == NULL) {
		while (len > 0 && ((unsigned char)message[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0 && ((unsigned char)message[len - 1] & 0xc0) == 0xc0)
			len--;
		msg = json_stringn(message, len);
	}
	if (msg == NULL)
		msg = json_string("error message is not valid UTF-8");
	return json_pack("{s:i, s:o}", "code", code, "message", msg);
}

/* Builds the response line; steals value. A NULL id is sent as null. */
static char *
response_line(json_t *id, const char *member, json_t *value)
{
	json_t *resp;
	char *line = NULL;

	if (value == NULL)
		return NULL;
	resp = json_object();
	if (resp == NULL) {
		json_decref(value);
		return NULL;
	}
	if (json_object_set_new(resp, "jsonrpc", json_string("2.0")) == 0 &&
	    json_object_set(resp, "id", id != NULL ? id : json_null()) == 0 &&
	    json_object_set_new(resp, member, value) == 0)
		line = json_dumps(resp, JSON_COMPACT);
	else
		json_decref(value);
	json_decref(resp);
	return line;
}

char *
jsonrpc_error_response(int code, const char *message)
{
	return response_line(NULL, "error", error_object(code, message));
}

static bool
is_request_member(const char *key)
{
	return strcmp(key, "jsonrpc") == 0 || strcmp(key, "method") == 0 ||
	       strcmp(key, "params") == 0 || strcmp(key, "id") == 0;
}

/*
 * Checks the envelope of a request. *id is set as soon as a valid "id" is
 * seen so that later errors can still be answered to the right request.
 */
static int
check_request(json_t *req, json_t **id, const char **method, json_t **params,
	      struct jsonrpc_error *err)
{
	json_t *version, *m, *value;
	const char *key;

	if (json_is_array(req))
		return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST,
					 "batch requests are not supported");
	if (!json_is_object(req))
		return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST,
					 "request must be a JSON object");

	value = json_object_get(req, "id");
	if (value != NULL && !json_is_string(value) && !json_is_number(value) &&
	    !json_is_null(value))
		return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST,
					 "\"id\" must be a string, a number or null");
	*id = value;

	version = json_object_get(req, "jsonrpc");
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
		return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST,
					 "\"jsonrpc\" must be \"2.0\"");

	m = json_object_get(req, "method");
	if (m == NULL)
		return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST, "missing \"method\"");
	if (!json_is_string(m))
		return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST,
					 "\"method\" must be a string");
	*method = json_string_value(m);

	/* Refusing unknown members catches misspelt ones ("param") that would
	 * otherwise be silently ignored. */
	json_object_foreach(req, key, value) {
		if (!is_request_member(key))
			return jsonrpc_error_set(err, JSONRPC_INVALID_REQUEST,
						 "unknown request member \"%.*s\"; expected "
						 "jsonrpc, method, params, id",
						 QUOTED_NAME_MAX, key);
	}

	*params = json_object_get(req, "params");
	if (*params != NULL && !json_is_object(*params))
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "params must be an object");
	return 0;
}

static const struct jsonrpc_method *
find_method(const struct jsonrpc_method *methods, size_t n_methods, const char *name)
{
	for (size_t i = 0; i < n_methods; i++) {
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	}
	return NULL;
}

static void
unknown_method(const struct jsonrpc_method *methods, size_t n_methods, const char *name,
	       struct jsonrpc_error *err)
{
	size_t cap = sizeof(err->message);
	int n;

	jsonrpc_error_set(err, JSONRPC_METHOD_NOT_FOUND,
			  "unknown method \"%.*s\"; expected one of ", QUOTED_NAME_MAX, name);
	n = strlen(err->message);
	for (size_t i = 0; i < n_methods && (size_t)n < cap; i++)
		n += snprintf(err->message + n, cap - n, "%s%s", i > 0 ? ", " : "",
			      methods[i].name);
}

/* Runs the method; returns its result (new reference) or NULL with err set. */
static json_t *
call_method(const struct jsonrpc_method *method, void *ctx, json_t *params,
	    struct jsonrpc_error *err)
{
	json_t *empty = NULL, *result = NULL;
	int rc;

	if (params == NULL) {
		empty = json_object();
		if (empty == NULL) {
			jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
			return NULL;
		}
		params = empty;
	}
	rc = method->handler(ctx, params, &result, err);
	json_decref(empty);
	if (rc != 0) {
		if (err->code == 0)
			jsonrpc_error_set(err, JSONRPC_REFUSED, "%s failed", method->name);
		return NULL;
	}
	if (result == NULL)
		result = json_object();
	if (result == NULL)
		jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	return result;
}

/* Finds a NUL byte: jansson would report it as a confusing "end of file". */
static int
check_nul(const char *request, size_t len, struct jsonrpc_error *err)
{
	const char *nul = memchr(request, '\0', len);
	int line = 1;
	const char *bol = request;

	if (nul == NULL)
		return 0;
	for (const char *p = request; p < nul; p++) {
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
	}
	return jsonrpc_error_set(err, JSONRPC_PARSE_ERROR,
				 "parse error at line %d, column %d: NUL byte not allowed", line,
				 (int)(nul - bol) + 1);
}

char *
jsonrpc_handle(const struct jsonrpc_method *methods, size_t n_methods, void *ctx,
	       const char *request, size_t len)
{
	struct jsonrpc_error err = {0};
	const struct jsonrpc_method *method;
	json_t *req, *id = NULL, *params = NULL, *result;
	const char *name = "";
	json_error_t jerr;
	char *line;

	if (check_nul(request, len, &err) < 0)
		return jsonrpc_error_response(err.code, err.message);
	/* JSON_DECODE_ANY: a bare value ("42") is valid JSON, so it is an
	 * invalid request rather than a parse error. */
	req = json_loadb(request, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (req == NULL) {
		jsonrpc_error_set(&err, JSONRPC_PARSE_ERROR,
				  "parse error at line %d, column %d: %s", jerr.line, jerr.column,
				  jerr.text);
		return jsonrpc_error_response(err.code, err.message);
	}

	if (check_request(req, &id, &name, &params, &err) < 0) {
		/* A malformed request is answered even without an id: the
		 * client cannot know it was taken for a notification. */
		if (id == NULL && err.code != JSONRPC_INVALID_REQUEST)
			line = NULL;
		else
			line = response_line(id, "error", error_object(err.code, err.message));
		json_decref(req);
		return line;
	}

	method = find_method(methods, n_methods, name);
	if (method == NULL) {
		unknown_method(methods, n_methods, name, &err);
		result = NULL;
	} else {
		result = call_method(method, ctx, params, &err);
	}

	if (id == NULL) {
		/* A notification gets no answer, not even an error. */
		json_decref(result);
		line = NULL;
	} else if (result != NULL) {
		line = response_line(id, "result", result);
	} else {
		line = response_line(id, "error", error_object(err.code, err.message));
	}
	json_decref(req);
	return line;
}

/*
 * Walks an unpack format the way jansson does, up to the token at the 1-based
 * column where jansson failed, to name the member whose value was wrong:
 * jansson's own text ("Expected string, got integer") does not say which.
 * Returns NULL when the failing token is not a member value or the format
 * uses something this walker does not know.
 */
static const char *
failed_member(const char *fmt, int position, va_list ap)
{
	enum { MAX_DEPTH = 16 };
	const char *key[MAX_DEPTH];
	bool is_object[MAX_DEPTH], want_key[MAX_DEPTH];
	int depth = -1;

	for (int i = 0; fmt[i] != '\0' && i < position; i++) {
		char c = fmt[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ':')
			continue;
		if (depth >= 0 && is_object[depth] && want_key[depth]) {
			if (c == '}') {
				depth--;
				goto value_done;
			}
			if (c == '!' || c == '*')
				continue;
			if (c != 's')
				return NULL;
			key[depth] = va_arg(ap, const char *);
			want_key[depth] = false;
			if (fmt[i + 1] == '?')
				i++;
			continue;
		}
		if (i == position - 1)
			return depth >= 0 && is_object[depth] ? key[depth] : NULL;
		switch (c) {
		case '{':
		case '[':
			if (++depth == MAX_DEPTH)
				return NULL;
			is_object[depth] = c == '{';
			want_key[depth] = true;
			continue;
		case ']':
			if (depth < 0 || is_object[depth])
				return NULL;
			depth--;
			break;
		case '!':
		case '*':
			continue;
		case 's':
			(void)va_arg(ap, const char **);
			if (fmt[i + 1] == '%') {
				(void)va_arg(ap, size_t *);
				i++;
			}
			break;
		case 'n':
			break;
		case 'b':
		case 'i':
			(void)va_arg(ap, int *);
			break;
		case 'I':
			(void)va_arg(ap, json_int_t *);
			break;
		case 'f':
		case 'F':
			(void)va_arg(ap, double *);
			break;
		case 'o':
		case 'O':
			(void)va_arg(ap, json_t **);
			break;
		default:
			return NULL;
		}
value_done:
		if (depth >= 0 && is_object[depth])
			want_key[depth] = true;
	}
	return NULL;
}

int
jsonrpc_unpack(json_t *params, struct jsonrpc_error *err, const char *fmt, ...)
{
	const char *member = NULL;
	json_error_t jerr;
	va_list ap, walk;
	int rc;

	va_start(ap, fmt);
	va_copy(walk, ap);
	rc = json_vunpack_ex(params, &jerr, JSON_STRICT, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		va_end(walk);
		return 0;
	}

	if (json_error_code(&jerr) == json_error_wrong_type)
		member = failed_member(fmt, jerr.position, walk);
	va_end(walk);
	/* Lower-case jansson's first word so the message reads as one sentence. */
	jerr.text[0] = tolower((unsigned char)jerr.text[0]);
	if (member != NULL)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "invalid params: \"%s\": %s",
					 member, jerr.text);
	return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "invalid params: %s", jerr.text);
}
