/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of vsctl's pure parts: key=value arguments, reply checks, printing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kv.h"
#include "print.h"
#include "reply.h"
#include "rpc_client.h"

static const struct kv_spec bridge_specs[] = {
	{"mac-aging", KV_INT, 0},
	{"mac-table-size", KV_INT, 0},
	{NULL, 0, 0},
};

static const struct kv_spec port_specs[] = {
	{"type", KV_STRING, KV_F_REQUIRED},
	{"socket", KV_STRING, KV_F_REQUIRED},
	{NULL, 0, 0},
};

/* Parses the arguments; returns kv_parse's result, the params in *out. */
static int
parse(const struct kv_spec *specs, const char *cmd, json_t **out, char *err, size_t err_len,
      int argc, ...)
{
	char *argv[8];
	va_list ap;
	int i, ret;

	assert_true(argc <= 8);
	va_start(ap, argc);
	for (i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	*out = json_object();
	err[0] = '\0';
	ret = kv_parse(cmd, specs, argc, argv, *out, err, err_len);
	return ret;
}

static void
test_kv_types_and_names(void **state)
{
	char err[256];
	json_t *params;

	assert_int_equal(parse(bridge_specs, "add-br", &params, err, sizeof(err), 2,
			       "mac-aging=300", "mac_table_size=8192"),
			 0);
	assert_true(json_is_integer(json_object_get(params, "mac_aging")));
	assert_int_equal(json_integer_value(json_object_get(params, "mac_aging")), 300);
	assert_int_equal(json_integer_value(json_object_get(params, "mac_table_size")), 8192);
	assert_int_equal(json_object_size(params), 2);
	json_decref(params);

	/* A value may hold '=': only the first one splits. */
	assert_int_equal(parse(port_specs, "add-port", &params, err, sizeof(err), 2,
			       "socket=/run/a=b.sock", "type=vhostuser"),
			 0);
	assert_string_equal(json_string_value(json_object_get(params, "socket")), "/run/a=b.sock");
	assert_string_equal(json_string_value(json_object_get(params, "type")), "vhostuser");
	json_decref(params);

	assert_int_equal(parse(bridge_specs, "add-br", &params, err, sizeof(err), 0), 0);
	assert_int_equal(json_object_size(params), 0);
	json_decref(params);
}

static void
expect_error(const struct kv_spec *specs, const char *cmd, const char *arg1, const char *arg2,
	     const char *message)
{
	char err[256];
	json_t *params;
	int argc = arg2 != NULL ? 2 : arg1 != NULL ? 1 : 0;

	assert_int_equal(parse(specs, cmd, &params, err, sizeof(err), argc, arg1, arg2), -EINVAL);
	assert_string_equal(err, message);
	json_decref(params);
}

static void
test_kv_errors(void **state)
{
	expect_error(port_specs, "add-port", "sockt=/x", "type=vhostuser",
		     "add-port: unknown option \"sockt\"; expected type, socket");
	expect_error(bridge_specs, "set-bridge", "mac-aging=abc", NULL,
		     "set-bridge: mac-aging: \"abc\" is not a number");
	expect_error(bridge_specs, "set-bridge", "mac-aging=12x", NULL,
		     "set-bridge: mac-aging: \"12x\" is not a number");
	expect_error(bridge_specs, "set-bridge", "mac-aging= 1", NULL,
		     "set-bridge: mac-aging: \" 1\" is not a number");
	expect_error(bridge_specs, "add-br", "mac-aging=99999999999999999999", NULL,
		     "add-br: mac-aging: \"99999999999999999999\" is out of range");
	expect_error(bridge_specs, "add-br", "mac-aging=1", "mac_aging=2",
		     "add-br: mac-aging given twice");
	expect_error(bridge_specs, "add-br", "mac-aging", NULL,
		     "add-br: \"mac-aging\" is not key=value; expected mac-aging, mac-table-size");
	expect_error(bridge_specs, "add-br", "mac-aging=", NULL, "add-br: mac-aging: empty value");
	expect_error(bridge_specs, "add-br", "=5", NULL,
		     "add-br: unknown option \"\"; expected mac-aging, mac-table-size");
	expect_error(port_specs, "add-port", "type=vhostuser", NULL,
		     "add-port: socket=... is required");
	expect_error(port_specs, "add-port", NULL, NULL, "add-port: type=... is required");
}

static void
test_kv_parse_int(void **state)
{
	long long v;

	assert_int_equal(kv_parse_int("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(kv_parse_int("-5", &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(kv_parse_int("+86400", &v), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(kv_parse_int("9223372036854775807", &v), 0);
	assert_int_equal(kv_parse_int("9223372036854775808", &v), -ERANGE);
	assert_int_equal(kv_parse_int("", &v), -EINVAL);
	assert_int_equal(kv_parse_int("-", &v), -EINVAL);
	assert_int_equal(kv_parse_int("0x10", &v), -EINVAL);
	assert_int_equal(kv_parse_int("1.5", &v), -EINVAL);
	assert_int_equal(kv_parse_int(" 1", &v), -EINVAL);
	assert_int_equal(kv_parse_int("1 ", &v), -EINVAL);
}

static void
test_kv_names(void **state)
{
	char out[32];

	kv_json_name("mac-table-size", out, sizeof(out));
	assert_string_equal(out, "mac_table_size");
	kv_json_name("mac-table-size", out, 4);
	assert_string_equal(out, "mac");
	kv_list_keys(port_specs, out, sizeof(out));
	assert_string_equal(out, "type, socket");
}

static void
test_reply_fields(void **state)
{
	json_t *obj = json_pack("{s:s, s:I, s:b, s:n}", "name", "vm1", "port_no", (json_int_t)3,
				"up", 1, "nothing");
	const char *name = NULL, *socket = "unset";
	json_int_t port_no = 0;
	bool up = false;
	char err[128];

	assert_true(reply_get_fields(obj,
				     (const struct reply_field[]){
					     {"name", REPLY_STRING, false, &name},
					     {"port_no", REPLY_INT, false, &port_no},
					     {"up", REPLY_BOOL, false, &up},
					     {"socket", REPLY_STRING, true, &socket},
				     },
				     4, err, sizeof(err)));
	assert_string_equal(name, "vm1");
	assert_int_equal(port_no, 3);
	assert_true(up);
	assert_string_equal(socket, "unset");

	assert_false(reply_get_fields(
		obj, (const struct reply_field[]){{"name", REPLY_INT, false, &port_no}}, 1, err,
		sizeof(err)));
	assert_string_equal(err, "\"name\" is a string, expected an integer");
	assert_false(reply_get_fields(
		obj, (const struct reply_field[]){{"nothing", REPLY_STRING, true, &name}}, 1, err,
		sizeof(err)));
	assert_string_equal(err, "\"nothing\" is null, expected a string");
	assert_false(reply_get_fields(
		obj, (const struct reply_field[]){{"link", REPLY_STRING, false, &name}}, 1, err,
		sizeof(err)));
	assert_string_equal(err, "\"link\" is missing");
	assert_false(reply_get_fields(
		json_object_get(obj, "name"),
		(const struct reply_field[]){{"link", REPLY_STRING, false, &name}}, 1, err,
		sizeof(err)));
	assert_string_equal(err, "is a string, expected an object");

	assert_null(reply_get_array(obj, "name", err, sizeof(err)));
	assert_string_equal(err, "\"name\" is a string, expected an array");
	assert_null(reply_get_array(NULL, "ports", err, sizeof(err)));
	assert_string_equal(err, "is missing, expected an object");
	json_decref(obj);
}

static int
reply(const char *line, json_int_t id, json_t **result, struct rpc_error *err)
{
	return rpc_reply_parse(line, strlen(line), id, result, err);
}

static void
test_rpc_reply_parse(void **state)
{
	struct rpc_error err;
	json_t *result;

	assert_int_equal(reply("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"flushed\":2}}", 4,
			       &result, &err),
			 0);
	assert_int_equal(json_integer_value(json_object_get(result, "flushed")), 2);
	json_decref(result);

	assert_int_equal(reply("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32000,"
			       "\"message\":\"bridge \\\"br1\\\" already exists\"}}",
			       4, &result, &err),
			 -EREMOTEIO);
	assert_int_equal(err.code, -32000);
	assert_string_equal(err.message, "bridge \"br1\" already exists");
	assert_null(result);

	/* An error about a request the daemon could not read has a null id. */
	assert_int_equal(reply("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
			       "\"message\":\"two\\nlines\"}}",
			       4, &result, &err),
			 -EREMOTEIO);
	assert_string_equal(err.message, "two lines");

	static const char *const bad[] = {
		"",
		"not json",
		"[1]",
		"{\"id\":4,\"result\":{}}",
		"{\"jsonrpc\":\"1.0\",\"id\":4,\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":\"4\",\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":4}",
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{},\"error\":{\"code\":1,\"message\":\"\"}}",
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":\"boom\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":\"1\",\"message\":\"m\"}}",
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":1}}",
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{},\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}} trailing",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.message[0] = '\0';
		assert_int_equal(reply(bad[i], 4, &result, &err), -EPROTO);
		assert_null(result);
		assert_true(strncmp(err.message, "malformed reply from vswitchd: ", 31) == 0);
	}
}

/* Prints the same fields in either form and returns the output (free()). */
static char *
print_sample(bool json)
{
	struct printer *p = print_create(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(p);
	print_string(p, PRINT_ANY, "name", "Bridge %s\n", "br\x1b[0");
	print_int(p, PRINT_ANY, "mac_aging", "    mac-aging: %lld\n", 300);
	print_text(p, "    ports:");
	print_open_array(p, "ports");
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", " %s", "vm1");
	print_bool(p, PRINT_ANY, "up", "(up)", true);
	print_bool(p, PRINT_ANY, "flapping", "(flapping)", false);
	print_int(p, PRINT_JSON, "port_no", "%lld", 1);
	print_close_object(p);
	print_close_array(p);
	print_text(p, "\n");
	assert_int_equal(print_finish(p, out), 0);
	print_destroy(p);
	fclose(out);
	return buf;
}

static void
test_print_text_and_json(void **state)
{
	char *text = print_sample(false);
	char *json = print_sample(true);
	json_t *j;

	assert_string_equal(text, "Bridge br?[0\n    mac-aging: 300\n    ports: vm1(up)\n");
	j = json_loads(json, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "br\x1b[0");
	assert_int_equal(json_integer_value(json_object_get(j, "mac_aging")), 300);
	json_t *port = json_array_get(json_object_get(j, "ports"), 0);
	assert_true(json_is_true(json_object_get(port, "up")));
	assert_true(json_is_false(json_object_get(port, "flapping")));
	assert_int_equal(json_integer_value(json_object_get(port, "port_no")), 1);
	assert_int_equal(json_object_size(j), 3);
	json_decref(j);
	free(text);
	free(json);
}

static void
test_print_unbalanced(void **state)
{
	struct printer *p = print_create(true);
	FILE *out = fopen("/dev/null", "w");

	print_open_object(p, "a");
	assert_int_equal(print_finish(p, out), -EINVAL);
	print_destroy(p);

	/* Nesting past the limit fails the output but stays consistent. */
	p = print_create(true);
	for (int i = 0; i < 40; i++)
		print_open_object(p, "x");
	print_int(p, PRINT_ANY, "n", "%lld", 1);
	for (int i = 0; i < 40; i++)
		print_close_object(p);
	assert_int_equal(print_finish(p, out), -ENOMEM);
	print_destroy(p);

	p = print_create(false);
	print_close_array(p);
	assert_int_equal(print_finish(p, out), -EINVAL);
	print_destroy(p);
	fclose(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_types_and_names),
		cmocka_unit_test(test_kv_errors),
		cmocka_unit_test(test_kv_parse_int),
		cmocka_unit_test(test_kv_names),
		cmocka_unit_test(test_reply_fields),
		cmocka_unit_test(test_rpc_reply_parse),
		cmocka_unit_test(test_print_text_and_json),
		cmocka_unit_test(test_print_unbalanced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
