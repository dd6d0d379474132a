/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of vsctl's pure parts: key=value arguments, reply checks,
 * printing, rule files; of the vsctl binary's command-line errors, which need
 * no daemon; and of the flow commands against a fake vswitchd that records
 * the request and sends a canned reply.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kv.h"
#include "print.h"
#include "render.h"
#include "reply.h"
#include "rpc_client.h"
#include "rule_file.h"
#include "settings.h"
#include "test_fake.h"

static const struct kv_spec bridge_specs[] = {
	{"mac-aging", KV_INT, 0},
	{"mac-table-size", KV_INT, 0},
	{NULL, 0, 0},
};

/* Two required keys (add-port's before socket became optional), to test KV_F_REQUIRED. */
static const struct kv_spec required_specs[] = {
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
	assert_int_equal(parse(required_specs, "add-port", &params, err, sizeof(err), 2,
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
	expect_error(required_specs, "add-port", "sockt=/x", "type=vhostuser",
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
	expect_error(required_specs, "add-port", "type=vhostuser", NULL,
		     "add-port: socket=... is required");
	expect_error(required_specs, "add-port", NULL, NULL, "add-port: type=... is required");
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
	kv_list_keys(required_specs, out, sizeof(out));
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

/* Values keep all after the first '=', commas, dashes and '=' included. */
static void
test_kv_value_after_first_eq(void **state)
{
	char err[256];
	json_t *params;

	assert_int_equal(parse(settings_port_add, "add-port", &params, err, sizeof(err), 3,
			       "type=dpdk", "devargs=net_pcap0,iface=eth1", "trunks=10,20,30-40"),
			 0);
	assert_string_equal(json_string_value(json_object_get(params, "trunks")), "10,20,30-40");
	assert_string_equal(json_string_value(json_object_get(params, "devargs")),
			    "net_pcap0,iface=eth1");
	json_decref(params);
}

static void
test_kv_vlan_mode_name(void **state)
{
	char err[256];
	json_t *params;

	assert_int_equal(parse(settings_port_set, "set-port", &params, err, sizeof(err), 1,
			       "vlan-mode=native-untagged"),
			 0);
	assert_string_equal(json_string_value(json_object_get(params, "vlan_mode")),
			    "native-untagged");
	assert_null(json_object_get(params, "vlan-mode"));
	assert_int_equal(json_object_size(params), 1);
	json_decref(params);

	/* The JSON spelling is accepted too, and is the same key. */
	expect_error(settings_port_set, "set-port", "vlan-mode=trunk", "vlan_mode=access",
		     "set-port: vlan-mode given twice");
}

/* set-port: tag= removes the tag (null), trunks= means every VLAN (""). */
static void
test_kv_set_port_empty_values(void **state)
{
	char err[256];
	json_t *params;

	assert_int_equal(parse(settings_port_set, "set-port", &params, err, sizeof(err), 2, "tag=",
			       "trunks="),
			 0);
	assert_true(json_is_null(json_object_get(params, "tag")));
	assert_true(json_is_string(json_object_get(params, "trunks")));
	assert_string_equal(json_string_value(json_object_get(params, "trunks")), "");
	json_decref(params);

	assert_int_equal(parse(settings_port_set, "set-port", &params, err, sizeof(err), 1,
			       "tag=4095"),
			 0);
	assert_int_equal(json_integer_value(json_object_get(params, "tag")), 4095);
	json_decref(params);

	/* A null tag still counts as given. */
	expect_error(settings_port_set, "set-port", "tag=", "tag=5", "set-port: tag given twice");
	expect_error(settings_port_set, "set-port", "mtu=", NULL, "set-port: mtu: empty value");
	expect_error(settings_port_set, "set-port", "vlan-mode=", NULL,
		     "set-port: vlan-mode: empty value");
	expect_error(settings_port_set, "set-port", "tag=x", NULL,
		     "set-port: tag: \"x\" is not a number");
	/* port.add has no null tag: an empty one is a mistake there. */
	expect_error(settings_port_add, "add-port", "type=afxdp", "tag=",
		     "add-port: tag: empty value");
	expect_error(settings_port_set, "set-port", "type=afxdp", NULL,
		     "set-port: unknown option \"type\"; expected mtu, vlan-mode, tag, trunks");
}

static void
test_add_port_afxdp_params(void **state)
{
	json_t *params, *expected;
	char err[256], keys[256];

	/* socket is no longer required: afxdp has iface instead. */
	assert_int_equal(parse(settings_port_add, "add-port", &params, err, sizeof(err), 6,
			       "type=afxdp", "iface=veth0", "mtu=9000", "rxq=4", "vlan-mode=access",
			       "tag=10"),
			 0);
	expected = json_pack("{s:s, s:s, s:i, s:i, s:s, s:i}", "type", "afxdp", "iface", "veth0",
			     "mtu", 9000, "rxq", 4, "vlan_mode", "access", "tag", 10);
	assert_true(json_equal(params, expected));
	json_decref(expected);
	json_decref(params);

	kv_list_keys(settings_port_add, keys, sizeof(keys));
	assert_string_equal(keys, "type, socket, iface, devargs, mtu, rxq, vlan-mode, tag, trunks");
	expect_error(settings_port_add, "add-port", "iface=veth0", NULL,
		     "add-port: type=... is required");
	expect_error(settings_port_add, "add-port", "type=afxdp", "rxq=two",
		     "add-port: rxq: \"two\" is not a number");
}

/*
 * Runs the vsctl binary with the arguments (NULL-terminated) and returns its
 * exit status, with its stderr in err. Its socket cannot exist, so a command
 * that wrongly got past its checks fails with 1 instead of reaching a daemon.
 */
static int
run_vsctl(char *err, size_t err_len, ...)
{
	char *argv[16] = {"vsctl", "--socket", "/nonexistent/vsctl-test.sock", "--timeout", "1"};
	int n = 5, fds[2], status;
	size_t used = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	va_start(ap, err_len);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		assert_true(++n < 16);
	va_end(ap);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(126);
		execv(VSCTL_BIN, argv);
		fprintf(stderr, "cannot run %s: %s\n", VSCTL_BIN, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while (used + 1 < err_len && (r = read(fds[0], err + used, err_len - 1 - used)) > 0)
		used += r;
	err[used] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void
test_cli_usage_errors(void **state)
{
	char err[1024];

	assert_int_equal(run_vsctl(err, sizeof(err), "set-port", "vm1", NULL), 2);
	assert_string_equal(err, "vsctl: set-port: nothing to set; expected at least one of mtu, "
				 "vlan-mode, tag, trunks (see 'vsctl help')\n");
	assert_true(ends_with(err, " (see 'vsctl help')\n"));

	assert_int_equal(run_vsctl(err, sizeof(err), "add-port", "br0", "x", "type=afxdp",
				   "iface=veth0", "mtu=abc", NULL),
			 2);
	assert_string_equal(err,
			    "vsctl: add-port: mtu: \"abc\" is not a number (see 'vsctl help')\n");

	/* A valid set-port gets as far as connecting: the check does not refuse too much. */
	assert_int_equal(run_vsctl(err, sizeof(err), "set-port", "vm1", "tag=", NULL), 1);
	assert_non_null(strstr(err, "cannot connect"));
}

/* Renders with fn in text or JSON form; returns the output (free()) or NULL on failure. */
static char *
render(bool json, bool (*fn)(struct printer *p, json_t *v, struct render_error *err), json_t *v,
       struct render_error *err)
{
	struct printer *p = print_create(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	bool ok;

	assert_non_null(p);
	ok = fn(p, v, err);
	if (ok)
		assert_int_equal(print_finish(p, out), 0);
	print_destroy(p);
	fclose(out);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A port is an element of a bridge's ports array, as in `show`. */
static bool
render_port(struct printer *p, json_t *port, struct render_error *err)
{
	bool ok;

	print_open_array(p, "ports");
	ok = render_show_port(p, port, "bridges[0].ports[1]", err);
	print_close_array(p);
	return ok;
}

static json_t *
load(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	assert_non_null(v);
	return v;
}

static void
test_render_pmd_rxqs(void **state)
{
	json_t *show = load("{\"bridges\": [], \"pmds\": ["
			    "{\"core\": 1, \"rxqs\": [{\"port\": \"vm1\", \"queue\": 0},"
			    " {\"port\": \"eth0\", \"queue\": 0},"
			    " {\"port\": \"eth0\", \"queue\": 1}]},"
			    "{\"core\": 3, \"rxqs\": []}]}");
	struct render_error err;
	json_t *j, *expected;
	char *out;

	out = render(false, render_pmd_rxqs, show, &err);
	assert_non_null(out);
	assert_string_equal(out, "pmd core 1:\n"
				 "  port vm1  queue 0\n"
				 "  port eth0 queue 0\n"
				 "  port eth0 queue 1\n"
				 "pmd core 3:\n"
				 "  (no queues)\n");
	free(out);

	/* JSON: {"pmds": [...]} as vswitchd sent it. */
	out = render(true, render_pmd_rxqs, show, &err);
	assert_non_null(out);
	j = load(out);
	expected = json_pack("{s:O}", "pmds", json_object_get(show, "pmds"));
	assert_true(json_equal(j, expected));
	json_decref(expected);
	json_decref(j);
	free(out);
	json_decref(show);

	show = load("{\"pmds\": [{\"core\": 1, \"rxqs\": [{\"port\": \"vm1\", \"queue\": 0},"
		    " {\"port\": \"vm1\", \"queue\": \"1\"}]}]}");
	assert_null(render(false, render_pmd_rxqs, show, &err));
	assert_string_equal(err.where, "pmds[0].rxqs[1]");
	assert_string_equal(err.why, "\"queue\" is a string, expected an integer");
	json_decref(show);

	show = load("{\"bridges\": []}");
	assert_null(render(false, render_pmd_rxqs, show, &err));
	assert_string_equal(err.where, "result");
	assert_string_equal(err.why, "\"pmds\" is missing, expected an array");
	json_decref(show);
}

static void
test_render_show_port(void **state)
{
	json_t *port = load("{\"name\": \"up0\", \"type\": \"afxdp\", \"iface\": \"veth0\","
			    " \"mac\": \"02:aa:00:00:00:01\", \"port_no\": 2, \"link\": \"up\","
			    " \"mtu\": 1500, \"rxq\": 1, \"vlan_mode\": \"access\", \"tag\": 10}");
	struct render_error err;
	json_t *j;
	char *out;

	out = render(false, render_port, port, &err);
	assert_non_null(out);
	/* rxq 1 is the default and left out of the text. */
	assert_string_equal(out, "    Port up0: afxdp iface=veth0 mac=02:aa:00:00:00:01 port-no 2 "
				 "link up mtu 1500 vlan access tag=10\n");
	free(out);

	/* JSON keeps every member, rxq 1 included. */
	out = render(true, render_port, port, &err);
	assert_non_null(out);
	j = load(out);
	assert_true(json_equal(json_array_get(json_object_get(j, "ports"), 0), port));
	json_decref(j);
	free(out);
	json_decref(port);

	port = load("{\"name\": \"eth0\", \"type\": \"dpdk\", \"devargs\": \"0000:03:00.0\","
		    " \"port_no\": 3, \"link\": \"down\", \"mtu\": 9000, \"rxq\": 2,"
		    " \"vlan_mode\": \"native-untagged\", \"tag\": 10, \"trunks\": \"20,30-40\"}");
	out = render(false, render_port, port, &err);
	assert_non_null(out);
	assert_string_equal(out, "    Port eth0: dpdk devargs=0000:03:00.0 port-no 3 link down "
				 "mtu 9000 rxq 2 vlan native-untagged tag=10 trunks=20,30-40\n");
	free(out);
	json_decref(port);

	/* An older vswitchd sends none of the new members: not an error. */
	port = load("{\"name\": \"vm1\", \"type\": \"vhostuser\", \"socket\": \"/run/vm1.sock\","
		    " \"port_no\": 1, \"link\": \"up\", \"trunks\": \"\"}");
	out = render(false, render_port, port, &err);
	assert_non_null(out);
	assert_string_equal(out, "    Port vm1: vhostuser socket=/run/vm1.sock port-no 1 link up "
				 "trunks=all\n");
	free(out);
	json_decref(port);

	/* A member of the wrong type still is. */
	port = load("{\"name\": \"vm1\", \"type\": \"vhostuser\", \"port_no\": 1, \"link\": \"up\","
		    " \"tag\": null}");
	assert_null(render(false, render_port, port, &err));
	assert_string_equal(err.where, "bridges[0].ports[1]");
	assert_string_equal(err.why, "\"tag\" is null, expected an integer");
	json_decref(port);

	port = load("{\"name\": \"vm1\", \"type\": \"vhostuser\", \"link\": \"up\"}");
	assert_null(render(false, render_port, port, &err));
	assert_string_equal(err.why, "\"port_no\" is missing");
	json_decref(port);
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

/* Rule files */

static void
test_rule_file_parse(void **state)
{
	static const char text[] = "# a comment\n"
				   "\n"
				   "table=0,priority=100,in_port=vm1,actions=output:up0\n"
				   "   # an indented comment\n"
				   " \t\r\n"
				   "  priority=10,ip,actions=normal \t\r\n"
				   "foo=1,actions=drop";
	static const char nul_text[] = "ip,actions=drop\nip\0x\n";
	struct rule_file rf;
	char err[128];
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");

	assert_int_equal(rule_file_parse(&rf, in, "rules.txt", err, sizeof(err)), 0);
	fclose(in);
	assert_int_equal(rf.n, 3);
	assert_int_equal(rf.lines[0].line_no, 3);
	assert_string_equal(rf.lines[0].text,
			    "table=0,priority=100,in_port=vm1,actions=output:up0");
	assert_int_equal(rf.lines[1].line_no, 6);
	assert_string_equal(rf.lines[1].text, "priority=10,ip,actions=normal");
	assert_int_equal(rf.lines[2].line_no, 7);
	assert_string_equal(rf.lines[2].text, "foo=1,actions=drop");
	rule_file_fini(&rf);
	assert_int_equal(rf.n, 0);

	in = fmemopen((void *)nul_text, sizeof(nul_text) - 1, "r");
	assert_int_equal(rule_file_parse(&rf, in, "nul.txt", err, sizeof(err)), -EINVAL);
	fclose(in);
	assert_string_equal(err, "nul.txt:2: holds a NUL byte");
	assert_int_equal(rf.n, 0);
}

static void
test_rule_file_fix_error(void **state)
{
	struct rule_line lines[] = {{2, "a"}, {5, "b"}};
	struct rule_file rf = {.name = "rules.txt", .lines = lines, .n = 2};
	char out[128];

	assert_true(rule_file_fix_error(&rf, "ops", "ops[1]: at \"x\": why", out, sizeof(out)));
	assert_string_equal(out, "rules.txt:5: at \"x\": why");
	assert_true(rule_file_fix_error(&rf, "rules", "rules[0]: why", out, sizeof(out)));
	assert_string_equal(out, "rules.txt:2: why");
	assert_false(rule_file_fix_error(&rf, "ops", "rules[0]: why", out, sizeof(out)));
	assert_false(rule_file_fix_error(&rf, "ops", "ops[2]: why", out, sizeof(out)));
	assert_false(rule_file_fix_error(&rf, "ops", "ops[-1]: why", out, sizeof(out)));
	assert_false(rule_file_fix_error(&rf, "ops", "ops[]: why", out, sizeof(out)));
	assert_false(rule_file_fix_error(&rf, "ops", "ops[1] why", out, sizeof(out)));
	assert_false(rule_file_fix_error(&rf, "ops", "ops[99999999999999999999]: why", out,
					 sizeof(out)));
	assert_false(rule_file_fix_error(&rf, "ops", "no bridge \"br9\"", out, sizeof(out)));
}

static void
test_rule_file_bundle_op(void **state)
{
	struct rule_op op;
	char err[256];

	assert_int_equal(rule_file_bundle_op("del-strict \t table=1,in_port=vm1", &op, err,
					     sizeof(err)),
			 0);
	assert_string_equal(op.op, "del");
	assert_true(op.strict);
	assert_string_equal(op.rule, "table=1,in_port=vm1");
	/* A rule's first word has '=', ',' or ':': a line starting with one is an add. */
	assert_int_equal(rule_file_bundle_op("tcp,tp_dst=80 ,actions=drop", &op, err, sizeof(err)),
			 0);
	assert_string_equal(op.op, "add");
	assert_false(op.strict);
	assert_string_equal(op.rule, "tcp,tp_dst=80 ,actions=drop");
	assert_int_equal(rule_file_bundle_op("del", &op, err, sizeof(err)), 0);
	assert_string_equal(op.op, "del");
	assert_string_equal(op.rule, "");
	assert_int_equal(rule_file_bundle_op("mod\tip,actions=drop", &op, err, sizeof(err)), 0);
	assert_string_equal(op.op, "mod");
	assert_false(op.strict);

	assert_int_equal(rule_file_bundle_op("drop", &op, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown operation \"drop\"; expected add, del, del-strict, mod "
				 "or mod-strict");
	assert_int_equal(rule_file_bundle_op("abcdefghijabcdefghijabcdefghijabcdefghijXYZ ip", &op,
					     err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "unknown operation "
				 "\"abcdefghijabcdefghijabcdefghijabcdefghij\"...; "
				 "expected add, del, del-strict, mod or mod-strict");
}

static void
test_rule_file_utf8(void **state)
{
	assert_true(rule_file_is_utf8("in_port=vm1 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
	assert_true(rule_file_is_utf8(""));
	assert_false(rule_file_is_utf8("\xff"));
	assert_false(rule_file_is_utf8("caf\xc3"));		/* cut short */
	assert_false(rule_file_is_utf8("\xc0\x80"));		/* overlong NUL */
	assert_false(rule_file_is_utf8("\xe0\x80\x80"));	/* overlong */
	assert_false(rule_file_is_utf8("\xed\xa0\x80"));	/* a surrogate */
	assert_false(rule_file_is_utf8("\xf4\x90\x80\x80")); /* past U+10FFFF */
}

/* Flow commands against a fake vswitchd (test_fake.h) */

#define COUNTS(a, r, m)                                                                            \
	"\"result\": {\"added\": " #a ", \"removed\": " #r ", \"modified\": " #m "}"
#define REFUSED(msg) "\"error\": {\"code\": -32000, \"message\": \"" msg "\"}"

static void
test_flow_add(void **state)
{
	struct fake_run r;

	fake_run(&r, COUNTS(1, 0, 0), NULL, "add-flow", "br0",
		 "table=0,priority=100,in_port=vm1,ip,actions=output:up0", NULL);
	assert_request(&r, "flow.add",
		       "{\"bridge\": \"br0\", \"rule\": "
		       "\"table=0,priority=100,in_port=vm1,ip,actions=output:up0\"}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	fake_done(&r);

	fake_run(&r, COUNTS(1, 1, 0), NULL, "-j", "add-flow", "br0", "ip,actions=drop", NULL);
	assert_int_equal(r.status, 0);
	assert_json_out(&r, "{\"added\": 1, \"removed\": 1, \"modified\": 0}");
	fake_done(&r);

	fake_run(&r, REFUSED("at \\\"tp_dst=http\\\": expected a port number or number/mask"),
		 NULL, "add-flow", "br0", "tcp,tp_dst=http,actions=drop", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "vsctl: add-flow: at \"tp_dst=http\": expected a port number "
				   "or number/mask\n");
	fake_done(&r);
}

static void
test_flow_del_mod(void **state)
{
	struct fake_run r;

	fake_run(&r, COUNTS(0, 3, 0), NULL, "del-flows", "br0", NULL);
	assert_request(&r, "flow.del", "{\"bridge\": \"br0\"}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "br0: deleted 3 rules\n");
	fake_done(&r);

	/* --strict anywhere after the command. */
	fake_run(&r, COUNTS(0, 1, 0), NULL, "del-flows", "--strict", "br0", "table=1,in_port=vm1",
		 NULL);
	assert_request(&r, "flow.del", "{\"bridge\": \"br0\", \"filter\": "
				       "\"table=1,in_port=vm1\", \"strict\": true}");
	assert_string_equal(r.out, "br0: deleted 1 rule\n");
	fake_done(&r);

	fake_run(&r, COUNTS(0, 2, 0), NULL, "-j", "del-flows", "br0", "in_port=vm1", NULL);
	assert_request(&r, "flow.del", "{\"bridge\": \"br0\", \"filter\": \"in_port=vm1\"}");
	assert_json_out(&r, "{\"added\": 0, \"removed\": 2, \"modified\": 0}");
	fake_done(&r);

	fake_run(&r, COUNTS(0, 0, 2), NULL, "mod-flows", "br0", "in_port=vm2,actions=drop",
		 "--strict", NULL);
	assert_request(&r, "flow.mod", "{\"bridge\": \"br0\", \"rule\": "
				       "\"in_port=vm2,actions=drop\", \"strict\": true}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "br0: modified 2 rules\n");
	fake_done(&r);

	fake_run(&r, COUNTS(0, 0, 0), NULL, "mod-flows", "br0", "ip,actions=normal", NULL);
	assert_request(&r, "flow.mod", "{\"bridge\": \"br0\", \"rule\": \"ip,actions=normal\"}");
	assert_string_equal(r.out, "br0: modified 0 rules\n");
	fake_done(&r);

	fake_run(&r, "\"result\": {\"removed\": 1}", NULL, "del-flows", "br0", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "vsctl: del-flows: malformed reply from vswitchd: result: "
				   "\"added\" is missing\n");
	fake_done(&r);
}

/* Lines 3, 6 and 7 are rules; the last has no newline. */
static const char rules_txt[] =
	"# web rules\n"
	"\n"
	"table=0,priority=100,in_port=vm1,tcp,tp_dst=80,actions=output:up0\n"
	"   # indented comment\n"
	"\t\n"
	"  priority=10,ip,actions=normal  \r\n"
	"foo=1,actions=drop";

static void
test_flow_add_flows(void **state)
{
	struct fake_run r;

	FAKE_WRITE("rules.txt", rules_txt);
	fake_run(&r, REFUSED("ops[2]: at \\\"foo=1\\\": unknown field foo"), NULL, "add-flows",
		 "br0", "rules.txt", NULL);
	assert_request(&r, "flow.bundle",
		       "{\"bridge\": \"br0\", \"ops\": ["
		       "{\"op\": \"add\", \"rule\": "
		       "\"table=0,priority=100,in_port=vm1,tcp,tp_dst=80,actions=output:up0\"},"
		       "{\"op\": \"add\", \"rule\": \"priority=10,ip,actions=normal\"},"
		       "{\"op\": \"add\", \"rule\": \"foo=1,actions=drop\"}]}");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err,
			    "vsctl: add-flows: rules.txt:7: at \"foo=1\": unknown field foo\n");
	fake_done(&r);

	/* An index past the file, or no index, is shown as vswitchd said it. */
	fake_run(&r, REFUSED("ops[3]: odd"), NULL, "add-flows", "br0", "rules.txt", NULL);
	assert_string_equal(r.err, "vsctl: add-flows: ops[3]: odd\n");
	fake_done(&r);
	fake_run(&r, REFUSED("no bridge \\\"br0\\\""), NULL, "add-flows", "br0", "rules.txt", NULL);
	assert_string_equal(r.err, "vsctl: add-flows: no bridge \"br0\"\n");
	fake_done(&r);

	fake_run(&r, COUNTS(2, 0, 0), "# from a pipe\nip,actions=drop\n\nipv6,actions=drop\n",
		 "add-flows", "br0", "-", NULL);
	assert_request(&r, "flow.bundle", "{\"bridge\": \"br0\", \"ops\": ["
					  "{\"op\": \"add\", \"rule\": \"ip,actions=drop\"},"
					  "{\"op\": \"add\", \"rule\": \"ipv6,actions=drop\"}]}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	fake_done(&r);

	fake_run(&r, REFUSED("ops[1]: boom"), "ip,actions=drop\n\nipv6,actions=drop\n", "add-flows",
		 "br0", "-", NULL);
	assert_string_equal(r.err, "vsctl: add-flows: stdin:3: boom\n");
	fake_done(&r);

	FAKE_WRITE("comments.txt", "# nothing\n\n  # here\n");
	fake_run(&r, COUNTS(0, 0, 0), NULL, "add-flows", "br0", "comments.txt", NULL);
	assert_null(r.request);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: add-flows: no rules in comments.txt\n");
	fake_done(&r);
}

static void
test_flow_replace_flows(void **state)
{
	char line[RULE_FILE_LINE_MAX + 2], text[2 * RULE_FILE_LINE_MAX], *params;
	struct fake_run r;

	FAKE_WRITE("rules.txt", rules_txt);
	fake_run(&r, REFUSED("rules[1]: overlaps the rule \\\"ip\\\""), NULL, "replace-flows",
		 "br0", "rules.txt", NULL);
	assert_request(&r, "flow.replace",
		       "{\"bridge\": \"br0\", \"rules\": ["
		       "\"table=0,priority=100,in_port=vm1,tcp,tp_dst=80,actions=output:up0\","
		       "\"priority=10,ip,actions=normal\", \"foo=1,actions=drop\"]}");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: replace-flows: rules.txt:6: overlaps the rule \"ip\"\n");
	fake_done(&r);

	/* Empty is valid: it deletes every rule. */
	FAKE_WRITE("empty.txt", "");
	fake_run(&r, COUNTS(0, 4, 0), NULL, "-j", "replace-flows", "br0", "empty.txt", NULL);
	assert_request(&r, "flow.replace", "{\"bridge\": \"br0\", \"rules\": []}");
	assert_int_equal(r.status, 0);
	assert_json_out(&r, "{\"added\": 0, \"removed\": 4, \"modified\": 0}");
	fake_done(&r);

	fake_run(&r, COUNTS(0, 0, 0), NULL, "replace-flows", "br0", "nofile.txt", NULL);
	assert_null(r.request);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: replace-flows: cannot read nofile.txt: No such file or "
				   "directory\n");
	fake_done(&r);

	fake_run(&r, COUNTS(0, 0, 0), NULL, "replace-flows", "br0", ".", NULL);
	assert_null(r.request);
	assert_string_equal(r.err, "vsctl: replace-flows: cannot read .: Is a directory\n");
	fake_done(&r);

	/* 1024 characters are accepted, 1025 are not. */
	memset(line, 'a', RULE_FILE_LINE_MAX);
	line[RULE_FILE_LINE_MAX] = '\0';
	snprintf(text, sizeof(text), "%s\nip,actions=drop\n", line);
	fake_write("long.txt", text, strlen(text));
	assert_true(asprintf(&params, "{\"bridge\": \"br0\", \"rules\": [\"%s\", "
				      "\"ip,actions=drop\"]}",
			     line) > 0);
	fake_run(&r, COUNTS(2, 0, 0), NULL, "replace-flows", "br0", "long.txt", NULL);
	assert_request(&r, "flow.replace", params);
	assert_int_equal(r.status, 0);
	free(params);
	fake_done(&r);

	strcpy(line + RULE_FILE_LINE_MAX, "b");
	snprintf(text, sizeof(text), "ip,actions=drop\n%s\n", line);
	fake_write("long.txt", text, strlen(text));
	fake_run(&r, COUNTS(0, 0, 0), NULL, "replace-flows", "br0", "long.txt", NULL);
	assert_null(r.request);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: replace-flows: long.txt:2: longer than 1024 "
				   "characters\n");
	fake_done(&r);

	FAKE_WRITE("latin1.txt", "# caf\xe9 is fine in a comment\nip,actions=drop\n"
				 "in_port=caf\xe9,actions=drop\n");
	fake_run(&r, COUNTS(0, 0, 0), NULL, "replace-flows", "br0", "latin1.txt", NULL);
	assert_null(r.request);
	assert_string_equal(r.err, "vsctl: replace-flows: latin1.txt:3: not valid UTF-8\n");
	fake_done(&r);
}

static void
test_flow_bundle(void **state)
{
	struct fake_run r;

	FAKE_WRITE("bundle.txt", "# one transaction\n"
				 "add priority=10,ip,actions=normal\n"
				 "del in_port=vm1\n"
				 "  del-strict table=1,priority=5,in_port=vm1\n"
				 "mod in_port=vm2,actions=drop\n"
				 "\n"
				 "mod-strict\tpriority=7,ip,actions=drop\n"
				 "priority=20,arp,actions=normal\n"
				 "del\n");
	fake_run(&r, REFUSED("ops[4]: at \\\"ip\\\": why"), NULL, "bundle", "br0", "bundle.txt",
		 NULL);
	assert_request(&r, "flow.bundle",
		       "{\"bridge\": \"br0\", \"ops\": ["
		       "{\"op\": \"add\", \"rule\": \"priority=10,ip,actions=normal\"},"
		       "{\"op\": \"del\", \"rule\": \"in_port=vm1\"},"
		       "{\"op\": \"del\", \"rule\": \"table=1,priority=5,in_port=vm1\", "
		       "\"strict\": true},"
		       "{\"op\": \"mod\", \"rule\": \"in_port=vm2,actions=drop\"},"
		       "{\"op\": \"mod\", \"rule\": \"priority=7,ip,actions=drop\", "
		       "\"strict\": true},"
		       "{\"op\": \"add\", \"rule\": \"priority=20,arp,actions=normal\"},"
		       "{\"op\": \"del\", \"rule\": \"\"}]}");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: bundle: bundle.txt:7: at \"ip\": why\n");
	fake_done(&r);

	fake_run(&r, COUNTS(2, 3, 2), NULL, "-j", "bundle", "br0", "bundle.txt", NULL);
	assert_int_equal(r.status, 0);
	assert_json_out(&r, "{\"added\": 2, \"removed\": 3, \"modified\": 2}");
	fake_done(&r);

	FAKE_WRITE("bad.txt", "add ip,actions=drop\n\ndelete in_port=vm1\n");
	fake_run(&r, COUNTS(0, 0, 0), NULL, "bundle", "br0", "bad.txt", NULL);
	assert_null(r.request);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: bundle: bad.txt:3: unknown operation \"delete\"; "
				   "expected add, del, del-strict, mod or mod-strict\n");
	fake_done(&r);

	FAKE_WRITE("empty.txt", "\n# no operations\n");
	fake_run(&r, COUNTS(0, 0, 0), NULL, "bundle", "br0", "empty.txt", NULL);
	assert_null(r.request);
	assert_string_equal(r.err, "vsctl: bundle: no operations in empty.txt\n");
	fake_done(&r);
}

/* Four rules: the cookie, each timeout and an empty match, each on one rule. */
static const char dump_result[] =
	"{\"bridge\": \"br0\", \"flows\": ["
	"{\"table\": 0, \"priority\": 100, \"cookie\": \"0x0\", \"match\": "
	"\"in_port=vm1,tcp,tp_dst=80\", \"actions\": \"output:up0\", \"n_packets\": 12, "
	"\"n_bytes\": 1248, \"age\": 30, \"idle\": 2, \"idle_timeout\": 0, \"hard_timeout\": 0},"
	"{\"table\": 0, \"priority\": 50, \"cookie\": \"0x5\", \"match\": \"ip\", "
	"\"actions\": \"drop\", \"n_packets\": 0, \"n_bytes\": 0, \"age\": 7, \"idle\": 7, "
	"\"idle_timeout\": 10, \"hard_timeout\": 0},"
	"{\"table\": 1, \"priority\": 10, \"cookie\": \"0x0\", \"match\": \"arp\", "
	"\"actions\": \"normal\", \"n_packets\": 1, \"n_bytes\": 60, \"age\": 5, \"idle\": 5, "
	"\"idle_timeout\": 0, \"hard_timeout\": 60},"
	"{\"table\": 1, \"priority\": 0, \"cookie\": \"0x0\", \"match\": \"\", "
	"\"actions\": \"normal\", \"n_packets\": 0, \"n_bytes\": 0, \"age\": 9, \"idle\": 9, "
	"\"idle_timeout\": 0, \"hard_timeout\": 0}]}";

static void
test_flow_dump(void **state)
{
	char reply[sizeof(dump_result) + 16];
	struct fake_run r;

	snprintf(reply, sizeof(reply), "\"result\": %s", dump_result);
	fake_run(&r, reply, NULL, "dump-flows", "br0", NULL);
	assert_request(&r, "flow.dump", "{\"bridge\": \"br0\"}");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out,
			    " table=0, priority=100, n_packets=12, n_bytes=1248, age=30s, idle=2s, "
			    "in_port=vm1,tcp,tp_dst=80 actions=output:up0\n"
			    " table=0, priority=50, cookie=0x5, n_packets=0, n_bytes=0, age=7s, "
			    "idle=7s, idle_timeout=10, ip actions=drop\n"
			    " table=1, priority=10, n_packets=1, n_bytes=60, age=5s, idle=5s, "
			    "hard_timeout=60, arp actions=normal\n"
			    " table=1, priority=0, n_packets=0, n_bytes=0, age=9s, idle=9s "
			    "actions=normal\n");
	fake_done(&r);

	/* JSON: the result as vswitchd sent it, every member of every rule. */
	fake_run(&r, reply, NULL, "-j", "dump-flows", "br0", "table=1", NULL);
	assert_request(&r, "flow.dump", "{\"bridge\": \"br0\", \"filter\": \"table=1\"}");
	assert_int_equal(r.status, 0);
	assert_json_out(&r, dump_result);
	fake_done(&r);

	fake_run(&r, "\"result\": {\"bridge\": \"br0\", \"flows\": []}", NULL, "dump-flows", "br0",
		 NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	fake_done(&r);

	/* A malformed rule prints nothing but the error, not the rules before it. */
	fake_run(&r,
		 "\"result\": {\"bridge\": \"br0\", \"flows\": [{\"table\": 0, \"priority\": 1, "
		 "\"cookie\": \"0x0\", \"match\": \"\", \"actions\": \"drop\", \"n_packets\": 0, "
		 "\"n_bytes\": 0, \"age\": 1, \"idle\": 1, \"idle_timeout\": 0, "
		 "\"hard_timeout\": 0}, "
		 "{\"table\": 0, \"priority\": 0, \"cookie\": 5}]}",
		 NULL, "dump-flows", "br0", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "vsctl: dump-flows: malformed reply from vswitchd: flows[1]: "
				   "\"cookie\" is an integer, expected a string\n");
	fake_done(&r);

	fake_run(&r, REFUSED("no bridge \\\"br9\\\""), NULL, "dump-flows", "br9", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vsctl: dump-flows: no bridge \"br9\"\n");
	fake_done(&r);
}

/* Runs vsctl expecting it to stop before any request; checks its status and stderr. */
static void
expect_refused(int status, const char *err, ...)
{
	char *argv[8] = {NULL};
	struct fake_run r;
	va_list ap;
	int n = 0;

	va_start(ap, err);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		assert_true(++n < 8);
	va_end(ap);
	fake_run(&r, COUNTS(0, 0, 0), NULL, argv[0], argv[1], argv[2], argv[3], argv[4], NULL);
	assert_null(r.request);
	assert_int_equal(r.status, status);
	assert_string_equal(r.err, err);
	fake_done(&r);
}

static void
test_flow_usage(void **state)
{
	struct fake_run r;

	expect_refused(2, "vsctl: add-flow: missing arguments; usage: add-flow BRIDGE RULE "
			  "(see 'vsctl help')\n",
		       "add-flow", "in_port=vm1,actions=drop", NULL);
	expect_refused(2, "vsctl: add-flows: too many arguments; usage: add-flows BRIDGE FILE "
			  "(see 'vsctl help')\n",
		       "add-flows", "br0", "a.txt", "b.txt", NULL);
	/* --strict is not an argument: it does not make up for a missing one. */
	expect_refused(2, "vsctl: mod-flows: missing arguments; usage: mod-flows BRIDGE RULE "
			  "[--strict] (see 'vsctl help')\n",
		       "mod-flows", "br0", "--strict", NULL);
	expect_refused(2, "vsctl: del-flows: unknown option \"--force\"; expected --strict "
			  "(see 'vsctl help')\n",
		       "del-flows", "br0", "--force", NULL);
	expect_refused(2, "vsctl: add-flow: unknown option \"--strict\"; add-flow has no options "
			  "(see 'vsctl help')\n",
		       "add-flow", "br0", "--strict", "ip,actions=drop", NULL);
	expect_refused(2, "vsctl: replace-flows: unknown option \"-n\"; replace-flows has no "
			  "options (see 'vsctl help')\n",
		       "replace-flows", "-n", "br0", "rules.txt", NULL);
	expect_refused(2, "vsctl: dump-flows: expected a bridge name, got \"table=1\"; usage: "
			  "dump-flows BRIDGE [FILTER] (see 'vsctl help')\n",
		       "dump-flows", "table=1", NULL);
	expect_refused(2, "vsctl: add-flow: RULE is not valid UTF-8 (see 'vsctl help')\n",
		       "add-flow", "br0", "in_port=\xff,actions=drop", NULL);

	/* Commands without options take a leading '-' as an argument, as before. */
	fake_run(&r, "\"result\": {}", NULL, "call", "flow.dump", "-1", NULL);
	assert_request(&r, "flow.dump", "-1");
	fake_done(&r);

	fake_run(&r, COUNTS(0, 0, 0), NULL, "help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\n  add-flow BRIDGE RULE "));
	assert_non_null(strstr(r.out, "\n  add-flows BRIDGE FILE "));
	assert_non_null(strstr(r.out, "\n  del-flows BRIDGE [FILTER] [--strict] "));
	assert_non_null(strstr(r.out, "\n  mod-flows BRIDGE RULE [--strict] "));
	assert_non_null(strstr(r.out, "\n  replace-flows BRIDGE FILE "));
	assert_non_null(strstr(r.out, "\n  bundle BRIDGE FILE "));
	assert_non_null(strstr(r.out, "\n  dump-flows BRIDGE [FILTER] "));
	fake_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_types_and_names),
		cmocka_unit_test(test_kv_errors),
		cmocka_unit_test(test_kv_parse_int),
		cmocka_unit_test(test_kv_names),
		cmocka_unit_test(test_kv_value_after_first_eq),
		cmocka_unit_test(test_kv_vlan_mode_name),
		cmocka_unit_test(test_kv_set_port_empty_values),
		cmocka_unit_test(test_add_port_afxdp_params),
		cmocka_unit_test(test_cli_usage_errors),
		cmocka_unit_test(test_render_pmd_rxqs),
		cmocka_unit_test(test_render_show_port),
		cmocka_unit_test(test_reply_fields),
		cmocka_unit_test(test_rpc_reply_parse),
		cmocka_unit_test(test_print_text_and_json),
		cmocka_unit_test(test_print_unbalanced),
		cmocka_unit_test(test_rule_file_parse),
		cmocka_unit_test(test_rule_file_fix_error),
		cmocka_unit_test(test_rule_file_bundle_op),
		cmocka_unit_test(test_rule_file_utf8),
		cmocka_unit_test(test_flow_add),
		cmocka_unit_test(test_flow_del_mod),
		cmocka_unit_test(test_flow_add_flows),
		cmocka_unit_test(test_flow_replace_flows),
		cmocka_unit_test(test_flow_bundle),
		cmocka_unit_test(test_flow_dump),
		cmocka_unit_test(test_flow_usage),
	};

	return cmocka_run_group_tests(tests, fake_setup, fake_teardown);
}
