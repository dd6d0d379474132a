/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection tracking API end to end: conntrack.show and
 * conntrack.flush on an empty table are well formed, conntrack.set values
 * survive a restart, and bad conntrack requests (through raw JSON-RPC and
 * through vsctl) get clear errors and change nothing: the settings are
 * compared after each, and again after a restart, which reads them back
 * from the store. Stored settings the switch cannot use are skipped and kept.
 * The DPDK telemetry command reports the table too.
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
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "it_rpc.h"

#define INVALID_PARAMS -32602
#define REFUSED -32000

static struct it_switch sw;

static const char *const timeout_names[] = {
	"tcp_syn_sent", "tcp_syn_recv", "tcp_established", "tcp_fin_wait", "tcp_time_wait",
	"tcp_close", "udp_first", "udp_stream", "icmp", "other_first", "other_stream",
};
static const char *const counter_names[] = {
	"packets", "created", "invalid", "fragments", "bad_tcp", "bad_icmp", "truncated", "refused",
	"nat_failed", "related",
};

static int
group_setup(void **state)
{
	if (it_switch_start(&sw, NULL) < 0)
		return -1;
	return it_add_bridge(&sw, "br1") == 0 && it_add_bridge(&sw, "br2") == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	int status = it_switch_stop(&sw);

	if (status != 0) {
		print_error("vswitchd did not exit cleanly on SIGTERM (status 0x%x)\n", status);
		it_switch_dump_log(&sw);
	}
	it_switch_destroy(&sw);
	return status == 0 ? 0 : -1;
}

/* A call that must succeed; returns its result. */
static json_t *
call_ok(const char *method, json_t *params)
{
	json_t *result = NULL;
	char msg[512] = "";
	int rc = it_rpc_call(sw.sock, method, params, &result, msg, sizeof(msg));

	if (rc != 0)
		print_error("%s: error %d: %s\n", method, rc, msg);
	assert_int_equal(rc, 0);
	assert_non_null(result);
	return result;
}

/* The settings in effect: conntrack.set without params changes nothing. */
static json_t *
settings(void)
{
	return call_ok("conntrack.set", json_object());
}

static void
assert_json_equal(json_t *got, json_t *expected, const char *what)
{
	if (!json_equal(got, expected)) {
		char *a = json_dumps(got, JSON_COMPACT), *b = json_dumps(expected, JSON_COMPACT);

		print_error("%s: got %s\nexpected %s\n", what, a, b);
		free(a);
		free(b);
		fail();
	}
}

static void
test_show_empty(void **state)
{
	json_t *show = it_vsctl_json(&sw, "conntrack-show", NULL), *v;
	struct it_result res;
	size_t i;

	assert_non_null(show);
	assert_int_equal(json_integer_value(json_object_get(show, "count")), 0);
	assert_true(json_integer_value(json_object_get(show, "capacity")) > 0);
	assert_true(json_is_array(json_object_get(show, "connections")));
	assert_int_equal(json_array_size(json_object_get(show, "connections")), 0);
	/* Each bridge's default zone is listed, empty. */
	assert_int_equal(json_array_size(json_object_get(show, "zones")), 2);
	json_array_foreach(json_object_get(show, "zones"), i, v) {
		assert_int_equal(json_integer_value(json_object_get(v, "zone")), 0);
		assert_int_equal(json_integer_value(json_object_get(v, "connections")), 0);
		assert_true(json_integer_value(json_object_get(v, "limit")) > 0);
		assert_int_equal(json_integer_value(json_object_get(v, "refused")), 0);
	}
	for (i = 0; i < sizeof(counter_names) / sizeof(counter_names[0]); i++)
		assert_true(json_is_integer(
		    json_object_get(json_object_get(show, "counters"), counter_names[i])));
	assert_int_equal(json_object_size(json_object_get(show, "timeouts")),
			 sizeof(timeout_names) / sizeof(timeout_names[0]));
	json_decref(show);

	/* One bridge, one zone: that zone is listed, in text too. */
	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-show", "br1", "zone=9", NULL), 0);
	assert_non_null(strstr(res.out, "bridge br1 zone 9: 0 connections, limit "));
	assert_non_null(strstr(res.out, "total: 0 connections, capacity "));
	assert_null(strstr(res.out, "br2"));
	assert_null(strstr(res.out, "counters:"));
	it_result_free(&res);
}

static void
test_flush(void **state)
{
	struct it_result res;
	json_t *j;

	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-flush", NULL), 0);
	assert_string_equal(res.out, "flushed 0 connections\n");
	it_result_free(&res);
	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-flush", "br1", "zone=3", NULL), 0);
	assert_string_equal(res.out, "br1 zone 3: flushed 0 connections\n");
	it_result_free(&res);
	j = it_vsctl_json(&sw, "conntrack-flush", "br2", "-j", NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "flushed")), 0);
	json_decref(j);
	j = call_ok("conntrack.flush", json_pack("{s:i}", "zone", 65535));
	assert_int_equal(json_integer_value(json_object_get(j, "flushed")), 0);
	json_decref(j);
}

static void
vsctl_ok(const char *a1, const char *a2, const char *a3)
{
	const char *args[] = {"conntrack-set", a1, a2, a3, NULL};
	struct it_result res;

	it_vsctl_argv(sw.sock, &res, false, args);
	if (res.status != 0)
		print_error("vsctl conntrack-set %s: status %d, stderr: %s\n", a1, res.status,
			    res.err);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "");
	it_result_free(&res);
}

/* The limit conntrack.show reports for a zone of br1. */
static json_int_t
zone_limit(int zone)
{
	char arg[16];
	json_t *show, *z;
	json_int_t limit;

	snprintf(arg, sizeof(arg), "zone=%d", zone);
	show = it_vsctl_json(&sw, "conntrack-show", "br1", arg, NULL);
	assert_non_null(show);
	z = json_array_get(json_object_get(show, "zones"), 0);
	assert_int_equal(json_integer_value(json_object_get(z, "zone")), zone);
	limit = json_integer_value(json_object_get(z, "limit"));
	json_decref(show);
	return limit;
}

static void
test_set_survives_restart(void **state)
{
	json_t *before, *after, *expected, *show;

	vsctl_ok("tcp_established=3600", "udp_first=10", NULL);
	vsctl_ok("zone=5", "limit=1000", NULL);
	vsctl_ok("limit=50000", NULL, NULL);
	vsctl_ok("zone=6", "limit=7", NULL);
	vsctl_ok("zone=6", "limit=0", NULL); /* back to the default */
	vsctl_ok("tcp-fin-wait=60", NULL, NULL);

	before = it_vsctl_json(&sw, "conntrack-set", NULL);
	assert_non_null(before);
	expected = json_pack("{s:i, s:{s:i}, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
			     "s:i}}",
			     "default_limit", 50000, "zone_limits", "5", 1000, "timeouts",
			     "tcp_syn_sent", 30, "tcp_syn_recv", 30, "tcp_established", 3600,
			     "tcp_fin_wait", 60, "tcp_time_wait", 30, "tcp_close", 10, "udp_first",
			     10, "udp_stream", 120, "icmp", 30, "other_first", 30, "other_stream",
			     120);
	assert_json_equal(before, expected, "settings");
	assert_int_equal(zone_limit(5), 1000);
	assert_int_equal(zone_limit(6), 50000);
	assert_int_equal(zone_limit(0), 50000);
	/* conntrack.show reports the same timeouts. */
	show = it_vsctl_json(&sw, "conntrack-show", NULL);
	assert_json_equal(json_object_get(show, "timeouts"), json_object_get(expected, "timeouts"),
			  "show's timeouts");
	json_decref(show);

	assert_int_equal(it_switch_restart(&sw), 0);
	after = settings();
	assert_json_equal(after, expected, "settings after a restart");
	assert_int_equal(zone_limit(5), 1000);
	assert_int_equal(zone_limit(6), 50000);
	json_decref(before);
	json_decref(after);
	json_decref(expected);
}

/* Sends a bad request: it gets error code, a message holding each of the
 * words given (NULL-terminated), and the settings stay as they were. */
static void
expect_error(const char *method, const char *params_json, int code, ...)
{
	json_t *params = json_loads(params_json, 0, NULL), *before = settings(), *after;
	char msg[1024] = "";
	const char *word;
	va_list ap;
	int rc;

	assert_non_null(params);
	rc = it_rpc_call(sw.sock, method, params, NULL, msg, sizeof(msg));
	if (rc != code)
		print_error("%s %s: expected error %d, got %d (%s)\n", method, params_json, code,
			    rc, msg);
	assert_int_equal(rc, code);
	va_start(ap, code);
	while ((word = va_arg(ap, const char *)) != NULL) {
		if (strstr(msg, word) == NULL)
			print_error("%s %s: \"%s\" is not in the message: %s\n", method,
				    params_json, word, msg);
		assert_non_null(strstr(msg, word));
	}
	va_end(ap);
	after = settings();
	assert_json_equal(after, before, params_json);
	json_decref(before);
	json_decref(after);
}

static void
test_bad_requests(void **state)
{
	json_t *before = settings(), *after;
	struct it_result res;

	/* conntrack.set: wrong types, values out of range, unknown names. */
	expect_error("conntrack.set", "{\"zone\": \"5\", \"limit\": 1}", INVALID_PARAMS, "zone",
		     NULL);
	expect_error("conntrack.set", "{\"limit\": 1.5}", INVALID_PARAMS, "limit", NULL);
	expect_error("conntrack.set", "{\"limit\": -1}", INVALID_PARAMS, "limit", NULL);
	expect_error("conntrack.set", "{\"limit\": 0}", INVALID_PARAMS, "limit", NULL);
	expect_error("conntrack.set", "{\"limit\": 4294967296}", INVALID_PARAMS, "limit",
		     "capacity", NULL);
	expect_error("conntrack.set", "{\"zone\": 70000, \"limit\": 1}", INVALID_PARAMS, "zone",
		     "65535", NULL);
	expect_error("conntrack.set", "{\"zone\": -1, \"limit\": 1}", INVALID_PARAMS, "zone", NULL);
	expect_error("conntrack.set", "{\"zone\": 5}", INVALID_PARAMS, "limit", NULL);
	expect_error("conntrack.set", "{\"timeouts\": {\"tcp_bogus\": 5}}", INVALID_PARAMS,
		     "tcp_bogus", "tcp_established", "other_stream", NULL);
	expect_error("conntrack.set", "{\"timeouts\": {\"icmp\": 0}}", INVALID_PARAMS, "icmp",
		     NULL);
	expect_error("conntrack.set", "{\"timeouts\": {\"icmp\": 2147483648}}", INVALID_PARAMS,
		     "icmp", NULL);
	expect_error("conntrack.set", "{\"timeouts\": {\"icmp\": \"5\"}}", INVALID_PARAMS, "icmp",
		     NULL);
	expect_error("conntrack.set", "{\"timeouts\": [5]}", INVALID_PARAMS, "timeouts", NULL);
	expect_error("conntrack.set", "{\"colour\": 1}", INVALID_PARAMS, "colour", NULL);
	/* A good part does not go through with a bad one. */
	expect_error("conntrack.set", "{\"timeouts\": {\"icmp\": 5, \"nope\": 1}}", INVALID_PARAMS,
		     "nope", NULL);
	expect_error("conntrack.set", "{\"limit\": 100, \"timeouts\": {\"udp_first\": -5}}",
		     INVALID_PARAMS, "udp_first", NULL);
	expect_error("conntrack.set", "{\"zone\": 7, \"limit\": 100, \"timeouts\": 3}",
		     INVALID_PARAMS, "timeouts", NULL);

	/* conntrack.show and conntrack.flush. */
	expect_error("conntrack.show", "{\"bridge\": \"nope\"}", REFUSED, "nope", NULL);
	expect_error("conntrack.show", "{\"bridge\": 5}", INVALID_PARAMS, "bridge", NULL);
	expect_error("conntrack.show", "{\"zone\": 65536}", INVALID_PARAMS, "zone", NULL);
	expect_error("conntrack.show", "{\"zone\": \"1\"}", INVALID_PARAMS, "zone", NULL);
	expect_error("conntrack.show", "{\"verbose\": true}", INVALID_PARAMS, "verbose", NULL);
	expect_error("conntrack.flush", "{\"bridge\": \"nope\", \"zone\": 1}", REFUSED, "nope",
		     NULL);
	expect_error("conntrack.flush", "{\"zone\": -1}", INVALID_PARAMS, "zone", NULL);
	expect_error("conntrack.flush", "{\"bridge\": null}", INVALID_PARAMS, "bridge", NULL);

	/* vsctl refuses bad arguments itself (status 2), and a refusal is status 1. */
	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-set", "zone=abc", "limit=1", NULL),
			 2);
	assert_non_null(strstr(res.err, "zone"));
	it_result_free(&res);
	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-set", "tcp_bogus=1", NULL), 2);
	assert_non_null(strstr(res.err, "tcp_established"));
	it_result_free(&res);
	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-set", "limit=99999999", NULL), 1);
	assert_non_null(strstr(res.err, "capacity"));
	it_result_free(&res);
	assert_int_equal(it_vsctl(&sw, &res, false, "conntrack-show", "nope", NULL), 1);
	assert_string_equal(res.err, "vsctl: conntrack-show: no bridge \"nope\"\n");
	it_result_free(&res);

	/* Nothing reached the store either. */
	assert_int_equal(it_switch_restart(&sw), 0);
	after = settings();
	assert_json_equal(after, before, "settings after bad requests and a restart");
	json_decref(before);
	json_decref(after);
}

/* Replaces the stored conntrack setting, with the switch stopped. */
static void
store_raw(const char *value)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(sw.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO settings VALUES "
						"('conntrack', ?1)", -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* The stored conntrack setting's text (free()). */
static char *
stored_raw(void)
{
	sqlite3_stmt *stmt;
	char *value = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(sw.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = "
						"'conntrack'", -1, &stmt, NULL),
			 SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	assert_non_null(value);
	return value;
}

static bool
log_has(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(sw.log, "r");
	bool found;

	assert_non_null(f);
	found = getdelim(&buf, &len, '\0', f) >= 0 && strstr(buf, text) != NULL;
	free(buf);
	fclose(f);
	return found;
}

/* A value of the settings s: s[group][name]. */
static json_int_t
setting(json_t *s, const char *group, const char *name)
{
	return json_integer_value(json_object_get(json_object_get(s, group), name));
}

/* Stored settings the switch cannot use (edited by hand, or from a switch
 * with a larger table) are logged and skipped, the rest applies, and they
 * stay stored until conntrack.set replaces them. */
static void
test_unusable_stored(void **state)
{
	static const char partly[] = "{\"default_limit\":999999999,\"zone_limits\":{\"8\":9},"
				     "\"timeouts\":{\"icmp\":7,\"bogus_timeout\":1}}";
	json_t *s;
	char *raw;

	assert_int_equal(it_switch_stop(&sw), 0);
	store_raw(partly);
	assert_int_equal(it_switch_start(&sw, NULL), 0);
	s = settings();
	assert_int_equal(setting(s, "timeouts", "icmp"), 7);
	assert_int_equal(setting(s, "zone_limits", "8"), 9);
	assert_int_equal(json_integer_value(json_object_get(s, "default_limit")), 65536);
	json_decref(s);
	assert_true(log_has("bogus_timeout"));
	assert_true(log_has("default_limit: 999999999 is out of range"));
	raw = stored_raw();
	assert_string_equal(raw, partly);
	free(raw);

	/* Not JSON at all: the defaults, and the switch still starts. */
	assert_int_equal(it_switch_stop(&sw), 0);
	store_raw("{broken");
	assert_int_equal(it_switch_start(&sw, NULL), 0);
	s = settings();
	assert_int_equal(setting(s, "timeouts", "icmp"), 30);
	assert_int_equal(json_object_size(json_object_get(s, "zone_limits")), 0);
	json_decref(s);
	assert_true(log_has("unreadable ({broken)"));
	raw = stored_raw();
	assert_string_equal(raw, "{broken");
	free(raw);
	json_decref(call_ok("conntrack.set", json_pack("{s:i}", "limit", 4000)));
	raw = stored_raw();
	assert_string_equal(raw, "{\"default_limit\":4000}");
	free(raw);
}

/* Sends cmd on the DPDK telemetry socket of the switch and returns its reply. */
static json_t *
telemetry(const char *cmd)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};
	char buf[16384];
	json_t *reply;
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2",
		 sw.prefix);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		print_error("telemetry socket %s: %s\n", sun.sun_path, strerror(errno));
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1); /* the greeting */
	assert_true(n > 0);
	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	reply = json_loads(buf, 0, NULL);
	assert_non_null(reply);
	return reply;
}

static void
test_telemetry(void **state)
{
	json_t *reply = telemetry("/vswitch/conntrack"), *d;

	if (reply == NULL)
		skip();
	d = json_object_get(reply, "/vswitch/conntrack");
	assert_true(json_is_object(d));
	assert_int_equal(json_integer_value(json_object_get(d, "count")), 0);
	assert_true(json_integer_value(json_object_get(d, "capacity")) > 0);
	for (size_t i = 0; i < sizeof(counter_names) / sizeof(counter_names[0]); i++)
		assert_true(json_is_integer(json_object_get(d, counter_names[i])));
	json_decref(reply);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_empty),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_set_survives_restart),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_telemetry),
		cmocka_unit_test(test_unusable_stored),
	};

	if (harness_init() < 0) {
		fprintf(stderr, "conntrack_api: the test harness cannot start (VSWITCHD and VSCTL "
				"set?)\n");
		return 1;
	}
	return cmocka_run_group_tests_name("conntrack_api", tests, group_setup, group_teardown);
}
