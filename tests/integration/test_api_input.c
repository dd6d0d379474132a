/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bad input on the control socket and on vsctl's command line: every bad
 * request gets the JSON-RPC error docs/api.md promises (or a closed
 * connection when it is too large), other clients are served meanwhile, and
 * nothing bad ever reaches the running or the stored configuration: `show`
 * is compared after every test and again after a restart.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cmocka.h>

#include "harness.h"
#include "it_rpc.h"

#define PARSE_ERROR -32700
#define INVALID_REQUEST -32600
#define METHOD_NOT_FOUND -32601
#define INVALID_PARAMS -32602
#define REFUSED -32000

static struct it_switch sw;
/* The configuration every test must leave untouched. */
static json_t *config;

static int
group_setup(void **state)
{
	if (it_switch_start(&sw, NULL) < 0)
		return -1;
	if (it_add_bridge(&sw, "br1") != 0 ||
	    it_add_port(&sw, "br1", "vm1", "vhostuser", it_switch_path(&sw, "vm1.sock")) != 0)
		return -1;
	if (it_rpc_call(sw.sock, "bridge.set",
			json_pack("{s:s, s:i}", "name", "br1", "mac_aging", 77), NULL, NULL,
			0) != 0)
		return -1;
	config = it_show_config(&sw);
	if (config == NULL || json_array_size(json_object_get(config, "bridges")) != 1)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int status = it_switch_stop(&sw);

	if (status != 0) {
		print_error("vswitchd did not exit cleanly on SIGTERM (status 0x%x)\n", status);
		it_switch_dump_log(&sw);
	}
	json_decref(config);
	it_switch_destroy(&sw);
	return status == 0 ? 0 : -1;
}

/* After every test: the daemon still serves and the configuration is what it was. */
static int
check_config(void **state)
{
	json_t *now = it_show_config(&sw);
	bool same = now != NULL && json_equal(now, config);

	if (!same) {
		char *a = now ? json_dumps(now, JSON_COMPACT) : NULL;
		char *b = json_dumps(config, JSON_COMPACT);

		print_error("configuration changed: was %s, now %s\n", b, a ? a : "(show failed)");
		free(a);
		free(b);
		it_switch_dump_log(&sw);
	}
	json_decref(now);
	return same ? 0 : -1;
}

/* Sends one line (a '\n' is added) on a new connection and returns the parsed response. */
static json_t *
raw_request(const char *line)
{
	char *resp;
	json_t *json;
	int fd = it_rpc_connect(sw.sock);

	assert_true(fd >= 0);
	assert_int_equal(it_rpc_write(fd, line, strlen(line)), 0);
	assert_int_equal(it_rpc_write(fd, "\n", 1), 0);
	resp = it_rpc_read_line(fd, 5000);
	if (resp == NULL)
		print_error("no response to %.200s: %s\n", line, strerror(errno));
	assert_non_null(resp);
	it_rpc_close(fd);
	json = json_loads(resp, 0, NULL);
	if (json == NULL)
		print_error("response is not JSON: %.200s\n", resp);
	free(resp);
	assert_non_null(json);
	return json;
}

/* Checks a response is a well-formed JSON-RPC error with code; returns its message. */
static void
check_error(json_t *resp, int code, const char *what)
{
	json_t *err = json_object_get(resp, "error");
	json_int_t got;

	assert_string_equal(json_string_value(json_object_get(resp, "jsonrpc")), "2.0");
	assert_null(json_object_get(resp, "result"));
	if (!json_is_object(err)) {
		char *s = json_dumps(resp, JSON_COMPACT);

		print_error("%s: expected error %d, got %s\n", what, code, s);
		free(s);
		fail();
	}
	got = json_integer_value(json_object_get(err, "code"));
	if (got != code)
		print_error("%s: expected error %d, got %lld (%s)\n", what, code, (long long)got,
			    json_string_value(json_object_get(err, "message")));
	assert_int_equal(got, code);
	assert_true(json_is_string(json_object_get(err, "message")));
	assert_true(json_string_length(json_object_get(err, "message")) > 0);
}

static void
expect_error(const char *line, int code)
{
	json_t *resp = raw_request(line);

	check_error(resp, code, line);
	json_decref(resp);
}

/* For requests whose code the doc leaves open between two: refused, never applied. */
static void
expect_error2(const char *line, int code1, int code2)
{
	json_t *resp = raw_request(line);
	json_int_t got =
	    json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));

	if (got != code1 && got != code2) {
		char *s = json_dumps(resp, JSON_COMPACT);

		print_error("%s: expected error %d or %d, got %s\n", line, code1, code2, s);
		free(s);
		fail();
	}
	check_error(resp, (int)got, line);
	json_decref(resp);
}

static void
test_parse_error(void **state)
{
	json_t *resp;

	resp = raw_request("{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"id\":1");
	check_error(resp, PARSE_ERROR, "truncated object");
	/* The id could not be read, so it is null. */
	assert_true(json_is_null(json_object_get(resp, "id")));
	json_decref(resp);
	expect_error("this is not json", PARSE_ERROR);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"id\":1,}", PARSE_ERROR);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"id\":1}}", PARSE_ERROR);
}

static void
test_invalid_request(void **state)
{
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1}", INVALID_REQUEST);
	expect_error("{\"jsonrpc\":\"1.0\",\"method\":\"show\",\"id\":2}", INVALID_REQUEST);
	expect_error("{\"method\":\"show\",\"id\":3}", INVALID_REQUEST);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":7,\"id\":4}", INVALID_REQUEST);
	expect_error("42", INVALID_REQUEST);
	expect_error("\"show\"", INVALID_REQUEST);
}

static void
test_batch_refused(void **state)
{
	expect_error("[{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"id\":1}]", INVALID_REQUEST);
	expect_error(
	    "[{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":\"brb\"},"
	    "\"id\":1}]",
	    INVALID_REQUEST);
	expect_error("[]", INVALID_REQUEST);
}

static void
test_unknown_method(void **state)
{
	json_t *resp =
	    raw_request("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.frobnicate\",\"id\":9}");
	const char *msg;

	check_error(resp, METHOD_NOT_FOUND, "bridge.frobnicate");
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 9);
	/* The message lists the known methods. */
	msg = json_string_value(json_object_get(json_object_get(resp, "error"), "message"));
	assert_non_null(strstr(msg, "bridge.add"));
	json_decref(resp);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"\",\"id\":1}", METHOD_NOT_FOUND);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"SHOW\",\"id\":1}", METHOD_NOT_FOUND);
}

static void
test_wrong_param_types(void **state)
{
	expect_error(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":5},\"id\":1}",
	    INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":\"brx\","
		     "\"mac_aging\":\"300\"},\"id\":1}",
		     INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.set\",\"params\":{\"name\":\"br1\","
		     "\"mac_table_size\":1.5},\"id\":1}",
		     INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":\"br1\","
		     "\"name\":\"vmx\",\"type\":\"vhostuser\",\"socket\":[\"/tmp/a\"]},\"id\":1}",
		     INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.del\",\"params\":{},\"id\":1}",
		     INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.del\",\"params\":{\"name\":null},"
		     "\"id\":1}",
		     INVALID_PARAMS);
	/* params must be an object. */
	expect_error2(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.del\",\"params\":[\"br1\"],\"id\":1}",
	    INVALID_PARAMS, INVALID_REQUEST);
}

static void
test_unknown_param_member(void **state)
{
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":\"bry\","
		     "\"colour\":\"red\"},\"id\":1}",
		     INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.set\",\"params\":{\"name\":\"br1\","
		     "\"mac_aging\":100,\"macaging\":5},\"id\":1}",
		     INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"port.stats\",\"params\":{\"nmae\":\"vm1\"},"
		     "\"id\":1}",
		     INVALID_PARAMS);
	expect_error(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"params\":{\"verbose\":true},\"id\":1}",
	    INVALID_PARAMS);
}

/* Well-formed but unacceptable values: refused, and nothing changes. */
static void
test_refused_values(void **state)
{
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":\"br1\"},"
		     "\"id\":1}",
		     REFUSED);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":\"nobr\","
		     "\"name\":\"vmz\",\"type\":\"vhostuser\",\"socket\":\"/tmp/vsit-z.sock\"},"
		     "\"id\":1}",
		     REFUSED);
	/* vm1 exists: port names are unique over the switch. */
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":\"br1\","
		     "\"name\":\"vm1\",\"type\":\"vhostuser\",\"socket\":\"/tmp/vsit-z.sock\"},"
		     "\"id\":1}",
		     REFUSED);
	expect_error2("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":"
		      "\"sixteen-chars-xx\"},\"id\":1}",
		      REFUSED, INVALID_PARAMS);
	expect_error2(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":\"a/b\"},"
	    "\"id\":1}",
	    REFUSED, INVALID_PARAMS);
	expect_error2("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":\"\"},"
		      "\"id\":1}",
		      REFUSED, INVALID_PARAMS);
	expect_error2("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.set\",\"params\":{\"name\":\"br1\","
		      "\"mac_aging\":0},\"id\":1}",
		      REFUSED, INVALID_PARAMS);
	expect_error2("{\"jsonrpc\":\"2.0\",\"method\":\"bridge.set\",\"params\":{\"name\":\"br1\","
		      "\"mac_table_size\":1048577},\"id\":1}",
		      REFUSED, INVALID_PARAMS);
	expect_error2(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.set\",\"params\":{\"name\":\"br1\"},"
	    "\"id\":1}",
	    REFUSED, INVALID_PARAMS);
	expect_error2(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":\"br1\","
	    "\"name\":\"vmr\",\"type\":\"vhostuser\",\"socket\":\"relative.sock\"},\"id\":1}",
	    REFUSED, INVALID_PARAMS);
	expect_error2(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":\"br1\","
	    "\"name\":\"vmt\",\"type\":\"vhost\",\"socket\":\"/tmp/vsit-t.sock\"},\"id\":1}",
	    REFUSED, INVALID_PARAMS);
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"port.del\",\"params\":{\"bridge\":\"br1\","
		     "\"name\":\"nope\"},\"id\":1}",
		     REFUSED);
}

/* Bounds our own writes, so a server that stops reading cannot hang the test. */
static void
set_send_timeout(int fd, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
test_oversized_request(void **state)
{
	const size_t pad = 33u << 20; /* past the 32 MiB limit */
	const char *head = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"bridge.add\",\"params\":"
			   "{\"name\":\"brbig\",\"pad\":\"";
	const char *tail = "\"}}\n";
	size_t hl = strlen(head), tl = strlen(tail);
	char *req = malloc(hl + pad + tl);
	char *line;
	int fd, wret;

	assert_non_null(req);
	memcpy(req, head, hl);
	memset(req + hl, 'a', pad);
	memcpy(req + hl + pad, tail, tl);

	fd = it_rpc_connect(sw.sock);
	assert_true(fd >= 0);
	set_send_timeout(fd, 5000);
	wret = it_rpc_write(fd, req, hl + pad + tl);
	free(req);
	/* Either the write went through, or the server already closed (EPIPE/ECONNRESET). */
	if (wret == -EAGAIN) {
		print_error(
		    "the server neither read the oversized request nor closed within 5 s\n");
		fail();
	}
	line = it_rpc_read_line(fd, 5000);
	if (line != NULL) {
		json_t *resp = json_loads(line, 0, NULL);

		assert_non_null(resp);
		check_error(resp, INVALID_REQUEST, "3 MiB request");
		json_decref(resp);
		free(line);
	} else {
		assert_int_not_equal(errno, ETIMEDOUT);
	}
	assert_int_equal(it_rpc_wait_closed(fd, 5000), 0);
	it_rpc_close(fd);
}

static void
expect_show_answer(int fd, int id, unsigned timeout_ms)
{
	char *line = it_rpc_read_line(fd, timeout_ms);
	json_t *resp;

	if (line == NULL)
		print_error("no answer to request %d within %u ms (%s)\n", id, timeout_ms,
			    strerror(errno));
	assert_non_null(line);
	resp = json_loads(line, 0, NULL);
	free(line);
	assert_non_null(resp);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), id);
	assert_true(json_is_object(json_object_get(resp, "result")));
	json_decref(resp);
}

static void
send_show(int fd, int id)
{
	char req[128];

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"id\":%d}\n", id);
	assert_int_equal(it_rpc_write(fd, req, strlen(req)), 0);
}

/* A client that connects and says nothing, or half a line, does not hold up another one. */
static void
test_silent_client(void **state)
{
	const char *part1 = "{\"jsonrpc\":\"2.0\",";
	const char *part2 = "\"method\":\"show\",\"id\":5}\n";
	int silent, partial, other;

	silent = it_rpc_connect(sw.sock);
	partial = it_rpc_connect(sw.sock);
	assert_true(silent >= 0 && partial >= 0);
	assert_int_equal(it_rpc_write(partial, part1, strlen(part1)), 0);

	other = it_rpc_connect(sw.sock);
	assert_true(other >= 0);
	send_show(other, 1);
	expect_show_answer(other, 1, 1000);
	it_sleep_ms(100);
	send_show(other, 2);
	expect_show_answer(other, 2, 1000);

	/* The half line is completed later and answered. */
	assert_int_equal(it_rpc_write(partial, part2, strlen(part2)), 0);
	expect_show_answer(partial, 5, 1000);
	it_rpc_close(other);
	it_rpc_close(partial);
	it_rpc_close(silent);
}

/* A client that sends requests but never reads the answers does not block the server. */
static void
test_client_not_reading(void **state)
{
	char req[128];
	int hog, other, i, written = 0;

	hog = it_rpc_connect(sw.sock);
	assert_true(hog >= 0);
	set_send_timeout(hog, 200);
	/* About 2000 show answers are far more than a socket buffer holds. */
	for (i = 0; i < 2000; i++) {
		snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"method\":\"show\",\"id\":%d}\n",
			 i);
		if (it_rpc_write(hog, req, strlen(req)) < 0)
			break; /* The server stopped reading from us: that's allowed. */
		written++;
	}
	assert_true(written > 0);

	other = it_rpc_connect(sw.sock);
	assert_true(other >= 0);
	send_show(other, 1);
	expect_show_answer(other, 1, 2000);
	it_rpc_close(other);
	it_rpc_close(hog);
}

/* 1000 requests pipelined on one connection, 50 in flight: all answered, in order. */
static void
test_rapid_requests(void **state)
{
	unsigned long long start = it_now_ms();
	int fd, i, j;

	fd = it_rpc_connect(sw.sock);
	assert_true(fd >= 0);
	for (i = 0; i < 1000; i += 50) {
		for (j = i; j < i + 50; j++)
			send_show(fd, j);
		for (j = i; j < i + 50; j++)
			expect_show_answer(fd, j, 5000);
	}
	it_rpc_close(fd);

	/* And 200 short connections one after the other: no leaked client slots. */
	for (i = 0; i < 200; i++) {
		json_t *result = NULL;
		int ret = it_rpc_call(sw.sock, "port.stats", NULL, &result, NULL, 0);

		if (ret != 0)
			print_error("connection %d: port.stats failed: %d\n", i, ret);
		assert_int_equal(ret, 0);
		assert_true(json_is_array(json_object_get(result, "ports")));
		json_decref(result);
	}
	print_message("1000 pipelined + 200 one-shot requests took %llu ms\n", it_now_ms() - start);
}

/* A notification (no id) that would change something is still validated, and gets no answer. */
static void
test_bad_notification(void **state)
{
	const char *bad =
	    "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":{\"name\":5}}\n";
	int fd = it_rpc_connect(sw.sock);

	assert_true(fd >= 0);
	assert_int_equal(it_rpc_write(fd, bad, strlen(bad)), 0);
	send_show(fd, 3);
	/* The next line on the connection is the answer to the show, not to the notification. */
	expect_show_answer(fd, 3, 2000);
	it_rpc_close(fd);
}

/* vsctl with bad arguments: non-zero exit, one line "vsctl: ..." on stderr, nothing stored. */
static void
test_vsctl_bad_arguments(void **state)
{
	static const char *const cases[][6] = {
	    {"frobnicate", NULL},
	    {"add-br", NULL},
	    {"add-port", "br1", NULL},
	    {"del-port", "br1", NULL},
	    {"set-bridge", "br1", "colour=red", NULL},
	    {"set-bridge", "br1", "mac-aging=abc", NULL},
	    {"set-bridge", "br1", "mac-table-size=12x", NULL},
	    {"set-bridge", "br1", "mac-aging=", NULL},
	    {"set-bridge", "br1", "mac-table-size=0", NULL},
	    {"set-bridge", "br1", NULL},
	    {"add-port", "br1", "vmx", "type=vhost", "socket=/tmp/vsit-x.sock", NULL},
	    {"add-port", "br1", "vmx", "type=vhostuser", "socket=relative.sock", NULL},
	    {"add-port", "br1", "vmx", "type=vhostuser", NULL},
	    {"add-br", "br1", NULL},
	    {"add-br", "bad/name", NULL},
	    {"add-br", "brq", "mac-aging=0", NULL},
	    {"add-br", "brq", "bogus=1", NULL},
	    {"del-br", "nobr", NULL},
	    {"del-port", "br1", "nope", NULL},
	    {"fdb-show", "nobr", NULL},
	    {"show", "extra", NULL},
	};
	unsigned i, bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct it_result res;
		const char *nl;
		char line[256] = "";
		unsigned k;

		for (k = 0; cases[i][k] != NULL; k++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s",
				 k ? " " : "", cases[i][k]);
		it_vsctl_argv(sw.sock, &res, false, cases[i]);
		nl = strchr(res.err, '\n');
		if (res.status == 0 || res.status >= 128) {
			print_error("vsctl %s: exit status %d, expected a failure\n", line,
				    res.status);
			bad++;
		} else if (strncmp(res.err, "vsctl: ", 7) != 0 || nl == NULL || nl[1] != '\0') {
			print_error("vsctl %s: stderr is not one \"vsctl: ...\" line: \"%s\"\n",
				    line, res.err);
			bad++;
		} else if (res.out[0] != '\0') {
			print_error("vsctl %s: printed on stdout: \"%s\"\n", line, res.out);
			bad++;
		}
		it_result_free(&res);
	}
	assert_int_equal(bad, 0);
}

/* Last: what was stored survives a restart unchanged, so no bad input was ever written. */
static void
test_stored_config_after_restart(void **state)
{
	json_t *now;

	assert_int_equal(it_switch_restart(&sw), 0);
	assert_int_equal(sw.last_status, 0);
	now = it_show_config(&sw);
	assert_non_null(now);
	if (!json_equal(now, config)) {
		char *a = json_dumps(now, JSON_COMPACT), *b = json_dumps(config, JSON_COMPACT);

		print_error("stored configuration changed: was %s, after restart %s\n", b, a);
		free(a);
		free(b);
		fail();
	}
	json_decref(now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_parse_error, check_config),
	    cmocka_unit_test_teardown(test_invalid_request, check_config),
	    cmocka_unit_test_teardown(test_batch_refused, check_config),
	    cmocka_unit_test_teardown(test_unknown_method, check_config),
	    cmocka_unit_test_teardown(test_wrong_param_types, check_config),
	    cmocka_unit_test_teardown(test_unknown_param_member, check_config),
	    cmocka_unit_test_teardown(test_refused_values, check_config),
	    cmocka_unit_test_teardown(test_oversized_request, check_config),
	    cmocka_unit_test_teardown(test_silent_client, check_config),
	    cmocka_unit_test_teardown(test_client_not_reading, check_config),
	    cmocka_unit_test_teardown(test_rapid_requests, check_config),
	    cmocka_unit_test_teardown(test_bad_notification, check_config),
	    cmocka_unit_test_teardown(test_vsctl_bad_arguments, check_config),
	    cmocka_unit_test_teardown(test_stored_config_after_restart, check_config),
	};

	if (harness_init() < 0) {
		fprintf(stderr, "api_input: the test harness cannot start (VSWITCHD and VSCTL set?)\n");
		return 1;
	}
	return cmocka_run_group_tests_name("api_input", tests, group_setup, group_teardown);
}
