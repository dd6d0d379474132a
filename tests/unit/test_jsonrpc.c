/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vswitch/jsonrpc.h"

struct test_ctx {
	int calls;
	json_t *last_params; /* a copy of what the last handler saw */
};

static int
echo(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct test_ctx *t = ctx;

	t->calls++;
	json_decref(t->last_params);
	t->last_params = json_deep_copy(params);
	*result = json_deep_copy(params);
	return 0;
}

static int
refuse(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct test_ctx *t = ctx;

	t->calls++;
	return jsonrpc_error_set(err, JSONRPC_REFUSED, "bridge \"%s\" already exists", "br1");
}

static int
no_code(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return -1;
}

static const struct jsonrpc_method methods[] = {
	{"echo", echo},
	{"bridge.add", refuse},
	{"broken", no_code},
};

/* Runs one request and parses the response; NULL when there was none. */
static json_t *
call(struct test_ctx *t, const char *req, size_t len)
{
	char *line = jsonrpc_handle(methods, 3, t, req, len);
	json_error_t jerr;
	json_t *resp;

	if (line == NULL)
		return NULL;
	assert_null(strchr(line, '\n'));
	resp = json_loads(line, 0, &jerr);
	assert_non_null(resp);
	free(line);
	return resp;
}

static json_t *
call_str(struct test_ctx *t, const char *req)
{
	return call(t, req, strlen(req));
}

/* Checks an error response and returns its message (valid while resp lives). */
static const char *
assert_error(json_t *resp, int code)
{
	json_t *id;
	json_int_t got;
	const char *msg;
	const char *version;

	assert_non_null(resp);
	assert_int_equal(json_unpack(resp, "{s:s, s:o, s:{s:I, s:s}}", "jsonrpc", &version, "id",
				     &id, "error", "code", &got, "message", &msg),
			 0);
	assert_string_equal(version, "2.0");
	assert_int_equal(got, code);
	assert_null(json_object_get(resp, "result"));
	return msg;
}

static void
test_valid_call(void **state)
{
	struct test_ctx t = {0};
	json_t *resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"echo\","
				    "\"params\":{\"a\":1}}");
	char *line;

	assert_int_equal(t.calls, 1);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 7);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(resp, "result"), "a")), 1);
	assert_null(json_object_get(resp, "error"));
	json_decref(resp);

	/* The exact bytes: compact, member order as documented. */
	line = jsonrpc_handle(methods, 3, &t,
			      "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"echo\"}", 42);
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}");
	free(line);

	/* Missing params become an empty object for the handler. */
	assert_true(json_is_object(t.last_params));
	assert_int_equal(json_object_size(t.last_params), 0);

	/* A null id is still a call, not a notification. */
	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"echo\"}");
	assert_non_null(resp);
	assert_true(json_is_null(json_object_get(resp, "id")));
	json_decref(resp);
	json_decref(t.last_params);
}

static void
test_notification(void **state)
{
	struct test_ctx t = {0};

	assert_null(call_str(&t, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{}}"));
	assert_int_equal(t.calls, 1);
	/* Not even errors are answered for a notification. */
	assert_null(call_str(&t, "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\"}"));
	assert_null(call_str(&t, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}"));
	assert_int_equal(t.calls, 2);
	json_decref(t.last_params);
}

static void
test_parse_error(void **state)
{
	static const char nul[] = "{\"jsonrpc\":\"2.0\",\0\"id\":1}";
	struct test_ctx t = {0};
	const char *msg;
	json_t *resp;

	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
	msg = assert_error(resp, JSONRPC_PARSE_ERROR);
	assert_true(json_is_null(json_object_get(resp, "id")));
	assert_non_null(strstr(msg, "line 1, column"));
	json_decref(resp);

	resp = call_str(&t, "\x01\xff garbage");
	msg = assert_error(resp, JSONRPC_PARSE_ERROR);
	assert_non_null(strstr(msg, "parse error at line 1"));
	json_decref(resp);

	resp = call(&t, nul, sizeof(nul) - 1);
	msg = assert_error(resp, JSONRPC_PARSE_ERROR);
	assert_string_equal(msg, "parse error at line 1, column 18: NUL byte not allowed");
	json_decref(resp);

	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"echo\"}");
	msg = assert_error(resp, JSONRPC_PARSE_ERROR);
	assert_non_null(strstr(msg, "duplicate object key"));
	json_decref(resp);

	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"} {}");
	assert_error(resp, JSONRPC_PARSE_ERROR);
	json_decref(resp);

	resp = call_str(&t, "");
	assert_error(resp, JSONRPC_PARSE_ERROR);
	json_decref(resp);
	assert_int_equal(t.calls, 0);
}

static void
test_invalid_request(void **state)
{
	static const struct {
		const char *req;
		const char *msg;
		bool has_id;
	} cases[] = {
		{"42", "request must be a JSON object", false},
		{"\"echo\"", "request must be a JSON object", false},
		{"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}]",
		 "batch requests are not supported", false},
		{"{\"jsonrpc\":\"2.0\",\"id\":1}", "missing \"method\"", true},
		{"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", "\"method\" must be a string",
		 true},
		{"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"echo\"}",
		 "\"jsonrpc\" must be \"2.0\"", true},
		{"{\"id\":1,\"method\":\"echo\"}", "\"jsonrpc\" must be \"2.0\"", true},
		{"{\"jsonrpc\":2,\"id\":1,\"method\":\"echo\"}", "\"jsonrpc\" must be \"2.0\"",
		 true},
		{"{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"echo\"}",
		 "\"id\" must be a string, a number or null", false},
		{"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"param\":{}}",
		 "unknown request member \"param\"; expected jsonrpc, method, params, id", true},
		/* Answered although it has no id: it is not a valid notification either. */
		{"{\"jsonrpc\":\"2.0\",\"method\":7}", "\"method\" must be a string", false},
	};
	struct test_ctx t = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *resp = call_str(&t, cases[i].req);
		json_t *id;

		assert_string_equal(assert_error(resp, JSONRPC_INVALID_REQUEST), cases[i].msg);
		id = json_object_get(resp, "id");
		if (cases[i].has_id)
			assert_int_equal(json_integer_value(id), 1);
		else
			assert_true(json_is_null(id));
		json_decref(resp);
	}
	assert_int_equal(t.calls, 0);
}

static void
test_params_array(void **state)
{
	struct test_ctx t = {0};
	json_t *resp;

	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"echo\",\"params\":[1,2]}");
	assert_string_equal(assert_error(resp, JSONRPC_INVALID_PARAMS), "params must be an object");
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 3);
	json_decref(resp);

	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"echo\",\"params\":null}");
	assert_error(resp, JSONRPC_INVALID_PARAMS);
	json_decref(resp);
	assert_int_equal(t.calls, 0);
}

static void
test_unknown_method(void **state)
{
	struct test_ctx t = {0};
	json_t *resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"bridge.ad\"}");

	assert_string_equal(assert_error(resp, JSONRPC_METHOD_NOT_FOUND),
			    "unknown method \"bridge.ad\"; expected one of "
			    "echo, bridge.add, broken");
	assert_string_equal(json_string_value(json_object_get(resp, "id")), "a");
	json_decref(resp);
}

static void
test_handler_error(void **state)
{
	struct test_ctx t = {0};
	json_t *resp;

	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"bridge.add\"}");
	assert_string_equal(assert_error(resp, JSONRPC_REFUSED), "bridge \"br1\" already exists");
	assert_true(json_real_value(json_object_get(resp, "id")) == 1.5);
	json_decref(resp);

	/* A handler that forgets to fill err still produces a valid error. */
	resp = call_str(&t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broken\"}");
	assert_string_equal(assert_error(resp, JSONRPC_REFUSED), "broken failed");
	json_decref(resp);
}

static void
test_error_response(void **state)
{
	char *line = jsonrpc_error_response(JSONRPC_INVALID_REQUEST, "request too large");
	struct jsonrpc_error err;
	json_t *resp;

	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
				  "\"message\":\"request too large\"}}");
	free(line);

	/* A message cut in the middle of a UTF-8 character is still sent. */
	memset(err.message, 'a', sizeof(err.message));
	memcpy(err.message + sizeof(err.message) - 2, "\xc3", 2);
	line = jsonrpc_error_response(JSONRPC_REFUSED, err.message);
	assert_non_null(line);
	resp = json_loads(line, 0, NULL);
	assert_int_equal(strlen(assert_error(resp, JSONRPC_REFUSED)), sizeof(err.message) - 2);
	json_decref(resp);
	free(line);
}

static void
test_unpack(void **state)
{
	static const char fmt[] = "{s:s, s?i, s?i}";
	struct jsonrpc_error err = {0};
	const char *name = NULL;
	int aging = 300, size = 8192;
	json_t *params;

	params = json_pack("{s:s, s:i}", "name", "br1", "mac_aging", 10);
	assert_int_equal(jsonrpc_unpack(params, &err, fmt, "name", &name, "mac_aging", &aging,
					"mac_table_size", &size),
			 0);
	assert_string_equal(name, "br1");
	assert_int_equal(aging, 10);
	assert_int_equal(size, 8192);
	json_decref(params);

	params = json_pack("{s:s, s:i}", "name", "br1", "mac_agin", 10);
	assert_int_equal(jsonrpc_unpack(params, &err, fmt, "name", &name, "mac_aging", &aging,
					"mac_table_size", &size),
			 -1);
	assert_int_equal(err.code, JSONRPC_INVALID_PARAMS);
	assert_string_equal(err.message,
			    "invalid params: 1 object item(s) left unpacked: mac_agin");
	json_decref(params);

	params = json_pack("{s:i}", "name", 1);
	assert_int_equal(jsonrpc_unpack(params, &err, fmt, "name", &name, "mac_aging", &aging,
					"mac_table_size", &size),
			 -1);
	assert_string_equal(err.message, "invalid params: \"name\": expected string, got integer");
	json_decref(params);

	params = json_pack("{s:s, s:i, s:b}", "name", "br1", "mac_aging", 1, "mac_table_size", 1);
	assert_int_equal(jsonrpc_unpack(params, &err, fmt, "name", &name, "mac_aging", &aging,
					"mac_table_size", &size),
			 -1);
	assert_string_equal(err.message,
			    "invalid params: \"mac_table_size\": expected integer, got true");
	json_decref(params);

	params = json_object();
	assert_int_equal(jsonrpc_unpack(params, &err, fmt, "name", &name, "mac_aging", &aging,
					"mac_table_size", &size),
			 -1);
	assert_string_equal(err.message, "invalid params: object item not found: name");
	json_decref(params);

	/* Nested objects and every argument-consuming conversion. */
	params = json_pack("{s:{s:s}, s:o, s:f, s:s}", "opts", "x", "y", "b", json_true(), "f", 1.0,
			   "last", "z");
	{
		const char *x, *last;
		size_t x_len;
		json_t *b;
		double f;
		json_int_t big;

		assert_int_equal(jsonrpc_unpack(params, &err, "{s:{s:s%}, s:o, s:f, s:I}", "opts",
						"x", &x, &x_len, "b", &b, "f", &f, "last", &big),
				 -1);
		assert_string_equal(err.message,
				    "invalid params: \"last\": expected integer, got string");
		assert_int_equal(jsonrpc_unpack(params, &err, "{s:{s:i}, s:o, s:f, s:s}", "opts",
						"x", &aging, "b", &b, "f", &f, "last", &last),
				 -1);
		assert_string_equal(err.message,
				    "invalid params: \"x\": expected integer, got string");
	}
	json_decref(params);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_call),
		cmocka_unit_test(test_notification),
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_invalid_request),
		cmocka_unit_test(test_params_array),
		cmocka_unit_test(test_unknown_method),
		cmocka_unit_test(test_handler_error),
		cmocka_unit_test(test_error_response),
		cmocka_unit_test(test_unpack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
