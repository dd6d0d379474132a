/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of vsctl's pure parts: key=value arguments, reply checks,
 * printing; and of the vsctl binary's command-line errors, which need no daemon.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kv.h"
#include "print.h"
#include "render.h"
#include "reply.h"
#include "rpc_client.h"
#include "settings.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
