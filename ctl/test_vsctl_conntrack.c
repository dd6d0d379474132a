/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsctl's conntrack commands: their arguments (conntrack_args.c), checked
 * against the switch's own list of timeouts, and the commands run against a
 * fake vswitchd (test_fake.h): what they send, what they print in both
 * forms, and that a bad command line sends nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conntrack_args.h"
#include "datapath/conntrack.h"
#include "test_fake.h"

/* vsctl's own list, so that it can refuse a name before sending, must be the switch's. */
static void
test_timeout_names(void **state)
{
	static const char *const switch_names[] = {
#define NAME(name, secs) #name,
		CT_TIMEOUTS(NAME)
#undef NAME
	};

	assert_int_equal(CT_ARGS_N_TIMEOUTS, sizeof(switch_names) / sizeof(switch_names[0]));
	for (int i = 0; i < CT_ARGS_N_TIMEOUTS; i++)
		assert_string_equal(ct_args_timeouts[i], switch_names[i]);
}

typedef int (*parse_fn)(const char *cmd, int argc, char *const argv[], json_t *params, char *err,
			size_t err_len);

/* Parses the arguments (NULL-terminated) and checks the params against the JSON text. */
static void
expect_params(parse_fn parse, const char *json, ...)
{
	json_t *params = json_object(), *expected = json_loads(json, 0, NULL);
	char *argv[8], err[512] = "";
	va_list ap;
	int argc = 0;

	va_start(ap, json);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		assert_true(++argc < 8);
	va_end(ap);
	assert_non_null(expected);
	if (parse("cmd", argc, argv, params, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	if (!json_equal(params, expected)) {
		char *s = json_dumps(params, 0);

		fail_msg("params %s, expected %s", s, json);
	}
	json_decref(params);
	json_decref(expected);
}

/* Parses the arguments (NULL-terminated), which must be refused with message msg. */
static void
expect_refused_args(parse_fn parse, const char *msg, ...)
{
	json_t *params = json_object();
	char *argv[8], err[512] = "";
	va_list ap;
	int argc = 0;

	va_start(ap, msg);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		assert_true(++argc < 8);
	va_end(ap);
	assert_int_equal(parse("cmd", argc, argv, params, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	json_decref(params);
}

static void
test_args_select(void **state)
{
	expect_params(ct_args_select, "{}", NULL);
	expect_params(ct_args_select, "{\"bridge\": \"br0\"}", "br0", NULL);
	expect_params(ct_args_select, "{\"bridge\": \"br0\", \"zone\": 5}", "br0", "zone=5", NULL);
	expect_params(ct_args_select, "{\"zone\": 0}", "zone=0", NULL);
	expect_params(ct_args_select, "{\"zone\": 65535}", "zone=65535", NULL);

	expect_refused_args(ct_args_select, "cmd: zone: \"abc\" is not a number", "zone=abc", NULL);
	expect_refused_args(ct_args_select, "cmd: zone: 70000 is out of range; expected 0 to 65535",
			    "br0", "zone=70000", NULL);
	expect_refused_args(ct_args_select, "cmd: zone: -1 is out of range; expected 0 to 65535",
			    "zone=-1", NULL);
	expect_refused_args(ct_args_select, "cmd: zone: empty value", "zone=", NULL);
	expect_refused_args(ct_args_select, "cmd: zone given twice", "zone=1", "zone=2", NULL);
	expect_refused_args(ct_args_select, "cmd: unknown option \"zoen\"; expected zone",
			    "br0", "zoen=1", NULL);
	expect_refused_args(ct_args_select,
			    "cmd: \"br1\" is not key=value; expected zone=N after the bridge",
			    "br0", "br1", NULL);
}

static void
test_args_set(void **state)
{
	expect_params(ct_args_set, "{}", NULL);
	expect_params(ct_args_set, "{\"limit\": 50000}", "limit=50000", NULL);
	expect_params(ct_args_set, "{\"zone\": 5, \"limit\": 1000}", "zone=5", "limit=1000", NULL);
	expect_params(ct_args_set, "{\"zone\": 5, \"limit\": 0}", "limit=0", "zone=5", NULL);
	expect_params(ct_args_set, "{\"timeouts\": {\"tcp_established\": 3600, \"udp_first\": 10}}",
		      "tcp_established=3600", "udp_first=10", NULL);
	/* Dashes as in vsctl's other keys. */
	expect_params(ct_args_set, "{\"timeouts\": {\"tcp_fin_wait\": 1}, \"limit\": 7}",
		      "tcp-fin-wait=1", "limit=7", NULL);
	expect_params(ct_args_set, "{\"timeouts\": {\"icmp\": 2147483647}}", "icmp=2147483647",
		      NULL);

	expect_refused_args(ct_args_set, "cmd: zone: \"abc\" is not a number", "zone=abc",
			    "limit=1", NULL);
	expect_refused_args(ct_args_set, "cmd: zone: 70000 is out of range; expected 0 to 65535",
			    "zone=70000", "limit=1", NULL);
	expect_refused_args(ct_args_set,
			    "cmd: limit: -1 is out of range; expected 0 up to the connection "
			    "table's capacity",
			    "limit=-1", NULL);
	expect_refused_args(ct_args_set,
			    "cmd: limit: 0 is out of range for the default limit; expected 1 or "
			    "more (limit=0 with zone=N gives that zone the default limit again)",
			    "limit=0", NULL);
	expect_refused_args(ct_args_set,
			    "cmd: zone=5 needs limit=M: only the limit is per zone (timeouts apply "
			    "to every zone)",
			    "zone=5", "icmp=3", NULL);
	expect_refused_args(ct_args_set,
			    "cmd: unknown option \"tcp_establshed\"; expected zone, limit or a "
			    "timeout: tcp_syn_sent, tcp_syn_recv, tcp_established, tcp_fin_wait, "
			    "tcp_time_wait, tcp_close, udp_first, udp_stream, icmp, other_first, "
			    "other_stream",
			    "tcp_establshed=10", NULL);
	expect_refused_args(ct_args_set,
			    "cmd: \"icmp\" is not key=value; expected zone, limit or a timeout: "
			    "tcp_syn_sent, tcp_syn_recv, tcp_established, tcp_fin_wait, "
			    "tcp_time_wait, tcp_close, udp_first, udp_stream, icmp, other_first, "
			    "other_stream",
			    "icmp", NULL);
	expect_refused_args(ct_args_set, "cmd: icmp: empty value", "icmp=", NULL);
	expect_refused_args(ct_args_set, "cmd: limit: empty value", "limit=", NULL);
	expect_refused_args(ct_args_set, "cmd: udp_first: \"10s\" is not a number", "udp_first=10s",
			    NULL);
	expect_refused_args(ct_args_set,
			    "cmd: tcp_close: 0 is out of range; expected 1 to 2147483647 seconds",
			    "tcp_close=0", NULL);
	expect_refused_args(ct_args_set,
			    "cmd: tcp_close: 2147483648 is out of range; expected 1 to 2147483647 "
			    "seconds",
			    "tcp_close=2147483648", NULL);
	expect_refused_args(ct_args_set, "cmd: tcp_close given twice", "tcp_close=1",
			    "tcp-close=2", NULL);
	expect_refused_args(ct_args_set, "cmd: limit given twice", "limit=1", "limit=2", NULL);
}

/* The commands against a fake vswitchd */

#define REFUSED(msg) "\"error\": {\"code\": -32000, \"message\": \"" msg "\"}"

static const char show_result[] =
	"\"result\": {\"connections\": ["
	"{\"bridge\": \"br0\", \"zone\": 0, \"proto\": \"tcp\","
	" \"orig\": {\"src\": \"10.0.0.5\", \"dst\": \"192.0.2.1\", \"sport\": 40000,"
	" \"dport\": 80},"
	" \"reply\": {\"src\": \"192.0.2.1\", \"dst\": \"192.0.2.10\", \"sport\": 80,"
	" \"dport\": 40000},"
	" \"state\": \"ESTABLISHED\", \"replied\": true, \"nat\": \"snat\", \"expires_in\": 86399,"
	" \"packets\": [5, 4], \"bytes\": [500, 4000]},"
	"{\"bridge\": \"br0\", \"zone\": 7, \"proto\": \"icmp\","
	" \"orig\": {\"src\": \"10.0.0.5\", \"dst\": \"10.0.0.6\", \"id\": 99},"
	" \"reply\": {\"src\": \"10.0.0.6\", \"dst\": \"10.0.0.5\", \"id\": 99},"
	" \"state\": \"\", \"replied\": false, \"expires_in\": 29,"
	" \"packets\": [1, 0], \"bytes\": [84, 0]},"
	"{\"bridge\": \"br0\", \"zone\": 0, \"proto\": \"47\","
	" \"orig\": {\"src\": \"10.0.0.5\", \"dst\": \"10.0.0.7\"},"
	" \"reply\": {\"src\": \"10.0.0.7\", \"dst\": \"10.0.0.5\"},"
	" \"state\": \"\", \"replied\": true, \"expires_in\": 119,"
	" \"packets\": [2, 2], \"bytes\": [200, 200]}],"
	" \"count\": 3, \"capacity\": 262144,"
	" \"zones\": [{\"bridge\": \"br0\", \"zone\": 0, \"connections\": 2, \"limit\": 65536,"
	" \"refused\": 0},"
	" {\"bridge\": \"br0\", \"zone\": 7, \"connections\": 1, \"limit\": 100, \"refused\": 3}],"
	" \"counters\": {\"packets\": 14, \"created\": 3, \"invalid\": 0, \"refused\": 3},"
	" \"timeouts\": {\"tcp_established\": 86400, \"icmp\": 30}}";

static const char show_text[] =
	"tcp,orig=(src=10.0.0.5,dst=192.0.2.1,sport=40000,dport=80),"
	"reply=(src=192.0.2.1,dst=192.0.2.10,sport=80,dport=40000),zone=0,state=ESTABLISHED,"
	"nat=snat,expires=86399\n"
	"icmp,orig=(src=10.0.0.5,dst=10.0.0.6,id=99),reply=(src=10.0.0.6,dst=10.0.0.5,id=99),"
	"zone=7,expires=29\n"
	"47,orig=(src=10.0.0.5,dst=10.0.0.7),reply=(src=10.0.0.7,dst=10.0.0.5),zone=0,"
	"expires=119\n"
	"bridge br0 zone 0: 2 connections, limit 65536, 0 refused\n"
	"bridge br0 zone 7: 1 connections, limit 100, 3 refused\n"
	"total: 3 connections, capacity 262144\n"
	"counters: packets 14, created 3, refused 3\n";

static void
test_show(void **state)
{
	struct fake_run r;
	char *json;

	fake_run(&r, show_result, NULL, "conntrack-show", "br0", NULL);
	assert_request(&r, "conntrack.show", "{\"bridge\": \"br0\"}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, show_text);
	fake_done(&r);

	/* Every bridge: each connection says which. */
	fake_run(&r, show_result, NULL, "conntrack-show", "zone=7", NULL);
	assert_request(&r, "conntrack.show", "{\"zone\": 7}");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "bridge=br0,tcp,orig=(src=10.0.0.5,"));
	assert_non_null(strstr(r.out, "\nbridge=br0,icmp,orig="));
	fake_done(&r);

	/* -j before or after the command: the result, as sent. */
	json = malloc(sizeof(show_result));
	assert_non_null(json);
	strcpy(json, show_result + strlen("\"result\": "));
	fake_run(&r, show_result, NULL, "-j", "conntrack-show", NULL);
	assert_request(&r, "conntrack.show", "{}");
	assert_int_equal(r.status, 0);
	assert_json_out(&r, json);
	fake_done(&r);
	fake_run(&r, show_result, NULL, "conntrack-show", "br0", "-j", NULL);
	assert_json_out(&r, json);
	fake_done(&r);
	free(json);

	/* An empty table. */
	fake_run(&r,
		 "\"result\": {\"connections\": [], \"count\": 0, \"capacity\": 262144, \"zones\": "
		 "[{\"bridge\": \"br0\", \"zone\": 0, \"connections\": 0, \"limit\": 65536, "
		 "\"refused\": 0}], \"counters\": {\"packets\": 0}, \"timeouts\": {}}",
		 NULL, "conntrack-show", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "bridge br0 zone 0: 0 connections, limit 65536, 0 refused\n"
				   "total: 0 connections, capacity 262144\n");
	fake_done(&r);

	fake_run(&r, REFUSED("no bridge \\\"br9\\\""), NULL, "conntrack-show", "br9", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "vsctl: conntrack-show: no bridge \"br9\"\n");
	fake_done(&r);

	fake_run(&r,
		 "\"result\": {\"connections\": [{\"bridge\": \"br0\"}], \"count\": 1, "
		 "\"capacity\": 1, \"zones\": [], \"counters\": {}, \"timeouts\": {}}",
		 NULL, "conntrack-show", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "vsctl: conntrack-show: malformed reply from vswitchd: "
				   "connections[0]: \"zone\" is missing\n");
	fake_done(&r);
}

static void
test_flush(void **state)
{
	struct fake_run r;

	fake_run(&r, "\"result\": {\"flushed\": 3}", NULL, "conntrack-flush", NULL);
	assert_request(&r, "conntrack.flush", "{}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "flushed 3 connections\n");
	fake_done(&r);

	fake_run(&r, "\"result\": {\"flushed\": 1}", NULL, "conntrack-flush", "br0", NULL);
	assert_request(&r, "conntrack.flush", "{\"bridge\": \"br0\"}");
	assert_string_equal(r.out, "br0: flushed 1 connections\n");
	fake_done(&r);

	fake_run(&r, "\"result\": {\"flushed\": 0}", NULL, "conntrack-flush", "br0", "zone=5",
		 NULL);
	assert_request(&r, "conntrack.flush", "{\"bridge\": \"br0\", \"zone\": 5}");
	assert_string_equal(r.out, "br0 zone 5: flushed 0 connections\n");
	fake_done(&r);

	fake_run(&r, "\"result\": {\"flushed\": 2}", NULL, "-j", "conntrack-flush", "zone=1", NULL);
	assert_json_out(&r, "{\"flushed\": 2}");
	fake_done(&r);
}

static const char settings_result[] =
	"\"result\": {\"default_limit\": 65536, \"zone_limits\": {\"5\": 1000, \"12\": 7},"
	" \"timeouts\": {\"tcp_established\": 3600, \"udp_first\": 10}}";

static void
test_set(void **state)
{
	struct fake_run r;

	/* No arguments: the settings, in the form conntrack-set takes. */
	fake_run(&r, settings_result, NULL, "conntrack-set", NULL);
	assert_request(&r, "conntrack.set", "{}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "limit=65536\nzone=5 limit=1000\nzone=12 limit=7\n"
				   "tcp_established=3600\nudp_first=10\n");
	fake_done(&r);

	fake_run(&r, settings_result, NULL, "conntrack-set", "tcp_established=3600",
		 "udp_first=10", NULL);
	assert_request(&r, "conntrack.set",
		       "{\"timeouts\": {\"tcp_established\": 3600, \"udp_first\": 10}}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	fake_done(&r);

	fake_run(&r, settings_result, NULL, "conntrack-set", "zone=5", "limit=1000", "-j", NULL);
	assert_request(&r, "conntrack.set", "{\"zone\": 5, \"limit\": 1000}");
	assert_json_out(&r, settings_result + strlen("\"result\": "));
	fake_done(&r);

	fake_run(&r, REFUSED("limit: 300000 is out of range; expected 1 to 262144"), NULL,
		 "conntrack-set", "limit=300000", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: conntrack-set: limit: 300000 is out of range; "
				   "expected 1 to 262144\n");
	fake_done(&r);

	fake_run(&r, "\"result\": {\"default_limit\": 1, \"zone_limits\": {\"x\": 1}, "
		     "\"timeouts\": {}}",
		 NULL, "conntrack-set", "limit=1", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: conntrack-set: malformed reply from vswitchd: "
				   "result.zone_limits: \"x\" is not a zone number with an integer "
				   "limit\n");
	fake_done(&r);
}

/* Runs vsctl, which must stop before sending anything; checks its status and stderr. */
static void
expect_usage(const char *err, ...)
{
	char *argv[8] = {NULL};
	struct fake_run r;
	va_list ap;
	int n = 0;

	va_start(ap, err);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		assert_true(++n < 8);
	va_end(ap);
	fake_run(&r, settings_result, NULL, argv[0], argv[1], argv[2], argv[3], argv[4], NULL);
	assert_null(r.request);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, err);
	assert_string_equal(r.out, "");
	fake_done(&r);
}

static void
test_usage(void **state)
{
	struct fake_run r;

	expect_usage("vsctl: conntrack-show: zone: \"abc\" is not a number (see 'vsctl help')\n",
		     "conntrack-show", "zone=abc", NULL);
	expect_usage("vsctl: conntrack-flush: zone: 70000 is out of range; expected 0 to 65535 "
		     "(see 'vsctl help')\n",
		     "conntrack-flush", "br0", "zone=70000", NULL);
	expect_usage("vsctl: conntrack-show: too many arguments; usage: conntrack-show [BRIDGE] "
		     "[zone=N] [-j] (see 'vsctl help')\n",
		     "conntrack-show", "br0", "zone=1", "x", NULL);
	expect_usage("vsctl: conntrack-show: unknown option \"--strict\"; expected -j (--json) "
		     "(see 'vsctl help')\n",
		     "conntrack-show", "--strict", NULL);
	expect_usage("vsctl: conntrack-set: limit: -1 is out of range; expected 0 up to the "
		     "connection table's capacity (see 'vsctl help')\n",
		     "conntrack-set", "limit=-1", NULL);
	expect_usage("vsctl: conntrack-set: unknown option \"colour\"; expected zone, limit or a "
		     "timeout: tcp_syn_sent, tcp_syn_recv, tcp_established, tcp_fin_wait, "
		     "tcp_time_wait, tcp_close, udp_first, udp_stream, icmp, other_first, "
		     "other_stream (see 'vsctl help')\n",
		     "conntrack-set", "colour=red", NULL);
	expect_usage("vsctl: conntrack-set: unknown option \"tcp_bogus\"; expected zone, limit or "
		     "a timeout: tcp_syn_sent, tcp_syn_recv, tcp_established, tcp_fin_wait, "
		     "tcp_time_wait, tcp_close, udp_first, udp_stream, icmp, other_first, "
		     "other_stream (see 'vsctl help')\n",
		     "conntrack-set", "icmp=5", "tcp_bogus=5", NULL);
	expect_usage("vsctl: conntrack-set: udp_first: empty value (see 'vsctl help')\n",
		     "conntrack-set", "udp_first=", NULL);
	expect_usage("vsctl: conntrack-set: zone: 70000 is out of range; expected 0 to 65535 "
		     "(see 'vsctl help')\n",
		     "conntrack-set", "zone=70000", "limit=1", NULL);

	fake_run(&r, settings_result, NULL, "help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\n  conntrack-show [BRIDGE] [zone=N] [-j]"));
	assert_non_null(strstr(r.out, "\n  conntrack-flush [BRIDGE] [zone=N] [-j]"));
	assert_non_null(strstr(r.out, "\n  conntrack-set [zone=N] [limit=M] [TIMEOUT=SECS ...]"));
	fake_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_names),
		cmocka_unit_test(test_args_select),
		cmocka_unit_test(test_args_set),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, fake_setup, fake_teardown);
}
