/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsctl commands that show state. Each reply is checked while it is printed
 * (extra members are ignored, so a newer vswitchd still works); output is
 * buffered by the printer, so a malformed reply prints only the error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "render.h"
#include "reply.h"
#include "vsctl.h"

/* Longest location named in a malformed-reply message, e.g. "bridges[3].ports[7]". */
#define WHERE_MAX 64

/* A reply_field array and its length, for get_fields(). */
#define FIELDS(...)                                                                                \
	(const struct reply_field[]){__VA_ARGS__},                                                 \
		sizeof((const struct reply_field[]){__VA_ARGS__}) / sizeof(struct reply_field)

/* reply_get_fields() that reports a failure as a malformed reply at where. */
static bool
get_fields(struct vsctl *ctx, json_t *obj, const char *where, const struct reply_field *fields,
	   size_t n)
{
	char err[256];

	if (reply_get_fields(obj, fields, n, err, sizeof(err)))
		return true;
	vsctl_malformed(ctx, where, err);
	return false;
}

/* reply_get_array() that reports a failure as a malformed reply at where. */
static json_t *
get_array(struct vsctl *ctx, json_t *obj, const char *where, const char *key)
{
	char err[256];
	json_t *a = reply_get_array(obj, key, err, sizeof(err));

	if (a == NULL)
		vsctl_malformed(ctx, where, err);
	return a;
}

/* Calls method and checks that the result is an object. Returns 0 or an exit status. */
static int
call_object(struct vsctl *ctx, const char *method, json_t *params, json_t **result)
{
	int ret = vsctl_call(ctx, method, params, result);

	if (ret != 0)
		return ret;
	if (!json_is_object(*result)) {
		json_decref(*result);
		*result = NULL;
		return vsctl_malformed(ctx, "result", "expected an object");
	}
	return 0;
}

/*
 * Runs print_fn over result with a printer for the chosen output form and
 * writes the output only if all of it could be printed.
 */
static int
print_result(struct vsctl *ctx, json_t *result,
	     bool (*print_fn)(struct vsctl *ctx, struct printer *p, json_t *result, void *arg),
	     void *arg)
{
	struct printer *p = print_create(ctx->json);
	int ret;

	if (p == NULL) {
		json_decref(result);
		return vsctl_fail(ctx, "out of memory");
	}
	if (!print_fn(ctx, p, result, arg)) {
		print_destroy(p);
		json_decref(result);
		return VSCTL_EXIT_FAILURE;
	}
	ret = print_finish(p, stdout);
	print_destroy(p);
	json_decref(result);
	if (ret == -ENOMEM)
		return vsctl_fail(ctx, "out of memory");
	return ret < 0 ? vsctl_fail(ctx, "cannot write the output") : VSCTL_EXIT_OK;
}

/* show */

static bool
show_bridge(struct vsctl *ctx, struct printer *p, json_t *br, const char *where)
{
	char port_where[2 * WHERE_MAX];
	struct render_error err;
	json_int_t aging, size, n_rules = -1, dp_bytes = 0;
	json_t *ports, *port, *flows;
	const char *name;
	bool classifier = false;
	size_t i;

	if (!get_fields(ctx, br, where,
			FIELDS({"name", REPLY_STRING, false, &name},
			       {"mac_aging", REPLY_INT, false, &aging},
			       {"mac_table_size", REPLY_INT, false, &size})))
		return false;
	/* A daemon from before flow rules sends no "flows": show none. */
	flows = json_object_get(br, "flows");
	if (flows != NULL &&
	    !get_fields(ctx, flows, where,
			FIELDS({"n_rules", REPLY_INT, false, &n_rules},
			       {"classifier", REPLY_BOOL, false, &classifier},
			       {"datapath_bytes", REPLY_INT, false, &dp_bytes})))
		return false;
	ports = get_array(ctx, br, where, "ports");
	if (ports == NULL)
		return false;
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "Bridge %s\n", name);
	print_int(p, PRINT_ANY, "mac_aging", "    mac-aging: %lld\n", aging);
	print_int(p, PRINT_ANY, "mac_table_size", "    mac-table-size: %lld\n", size);
	if (n_rules >= 0) {
		print_open_object(p, "flows");
		print_int(p, PRINT_ANY, "n_rules", "    flow rules: %lld", n_rules);
		print_bool(p, PRINT_JSON, "classifier", "", classifier);
		print_int(p, PRINT_JSON, "datapath_bytes", "", dp_bytes);
		print_text(p, "%s\n", classifier ? "" : " (the default rule only: no classification)");
		print_close_object(p);
	}
	print_open_array(p, "ports");
	json_array_foreach (ports, i, port) {
		snprintf(port_where, sizeof(port_where), "%s.ports[%zu]", where, i);
		if (!render_show_port(p, port, port_where, &err)) {
			vsctl_malformed(ctx, err.where, err.why);
			return false;
		}
	}
	print_close_array(p);
	print_close_object(p);
	return true;
}

static bool
show_pmd(struct vsctl *ctx, struct printer *p, json_t *pmd, const char *where)
{
	char rxq_where[2 * WHERE_MAX];
	json_t *rxqs, *rxq;
	json_int_t core, queue;
	const char *port;
	size_t i;

	if (!get_fields(ctx, pmd, where, FIELDS({"core", REPLY_INT, false, &core})))
		return false;
	rxqs = get_array(ctx, pmd, where, "rxqs");
	if (rxqs == NULL)
		return false;
	print_open_object(p, NULL);
	print_int(p, PRINT_ANY, "core", "PMD core %lld\n", core);
	if (json_array_size(rxqs) == 0)
		print_text(p, "    no rx queues\n");
	print_open_array(p, "rxqs");
	json_array_foreach (rxqs, i, rxq) {
		snprintf(rxq_where, sizeof(rxq_where), "%s.rxqs[%zu]", where, i);
		if (!get_fields(ctx, rxq, rxq_where,
				FIELDS({"port", REPLY_STRING, false, &port},
				       {"queue", REPLY_INT, false, &queue})))
			return false;
		print_open_object(p, NULL);
		print_string(p, PRINT_ANY, "port", "    rxq: port %s", port);
		print_int(p, PRINT_ANY, "queue", " queue %lld\n", queue);
		print_close_object(p);
	}
	print_close_array(p);
	print_close_object(p);
	return true;
}

static bool
show_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	json_t *bridges, *pmds, *v;
	char where[WHERE_MAX];
	size_t i;

	bridges = get_array(ctx, result, "result", "bridges");
	pmds = bridges != NULL ? get_array(ctx, result, "result", "pmds") : NULL;
	if (pmds == NULL)
		return false;
	print_open_array(p, "bridges");
	json_array_foreach (bridges, i, v) {
		snprintf(where, sizeof(where), "bridges[%zu]", i);
		if (!show_bridge(ctx, p, v, where))
			return false;
	}
	print_close_array(p);
	print_open_array(p, "pmds");
	json_array_foreach (pmds, i, v) {
		snprintf(where, sizeof(where), "pmds[%zu]", i);
		if (!show_pmd(ctx, p, v, where))
			return false;
	}
	print_close_array(p);
	return true;
}

int
cmd_show(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *result;
	int ret = call_object(ctx, "show", NULL, &result);

	return ret != 0 ? ret : print_result(ctx, result, show_print, NULL);
}

/* pmd-rxq-show, from `show` */

static bool
pmd_rxq_show_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	struct render_error err;

	if (render_pmd_rxqs(p, result, &err))
		return true;
	vsctl_malformed(ctx, err.where, err.why);
	return false;
}

int
cmd_pmd_rxq_show(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *result;
	int ret = call_object(ctx, "show", NULL, &result);

	return ret != 0 ? ret : print_result(ctx, result, pmd_rxq_show_print, NULL);
}

/* list-br and list-ports, both from `show` */

static bool
list_names(struct vsctl *ctx, struct printer *p, json_t *array, const char *where,
	   const char *key)
{
	char item_where[WHERE_MAX];
	const char *name;
	json_t *v;
	size_t i;

	print_open_array(p, key);
	json_array_foreach (array, i, v) {
		snprintf(item_where, sizeof(item_where), "%s[%zu]", where, i);
		if (!get_fields(ctx, v, item_where, FIELDS({"name", REPLY_STRING, false, &name})))
			return false;
		print_string(p, PRINT_ANY, NULL, "%s\n", name);
	}
	print_close_array(p);
	return true;
}

static bool
list_br_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	json_t *bridges = get_array(ctx, result, "result", "bridges");

	return bridges != NULL && list_names(ctx, p, bridges, "bridges", "bridges");
}

int
cmd_list_br(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *result;
	int ret = call_object(ctx, "show", NULL, &result);

	return ret != 0 ? ret : print_result(ctx, result, list_br_print, NULL);
}

static bool
list_ports_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	const char *bridge = arg, *name;
	json_t *bridges, *br, *ports;
	char where[WHERE_MAX];
	size_t i;

	bridges = get_array(ctx, result, "result", "bridges");
	if (bridges == NULL)
		return false;
	json_array_foreach (bridges, i, br) {
		snprintf(where, sizeof(where), "bridges[%zu]", i);
		if (!get_fields(ctx, br, where, FIELDS({"name", REPLY_STRING, false, &name})))
			return false;
		if (strcmp(name, bridge) != 0)
			continue;
		ports = get_array(ctx, br, where, "ports");
		if (ports == NULL)
			return false;
		strncat(where, ".ports", sizeof(where) - strlen(where) - 1);
		return list_names(ctx, p, ports, where, "ports");
	}
	vsctl_fail(ctx, "no bridge \"%s\"", bridge);
	return false;
}

int
cmd_list_ports(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *result;
	int ret;

	if (vsctl_check_name(ctx, "bridge", argv[0]) != 0)
		return VSCTL_EXIT_USAGE;
	ret = call_object(ctx, "show", NULL, &result);
	return ret != 0 ? ret : print_result(ctx, result, list_ports_print, argv[0]);
}

/* fdb-show */

#define FDB_ROW_FMT " %-15s %4s  %-17s  %5s\n"

static bool
fdb_entries_print(struct vsctl *ctx, struct printer *p, json_t *entries)
{
	const char *port, *mac;
	json_int_t vlan, age;
	char where[WHERE_MAX];
	bool flapping;
	json_t *e;
	size_t i;

	print_text(p, FDB_ROW_FMT, "port", "VLAN", "MAC", "Age");
	print_open_array(p, "entries");
	json_array_foreach (entries, i, e) {
		snprintf(where, sizeof(where), "entries[%zu]", i);
		flapping = false;
		if (!get_fields(ctx, e, where,
				FIELDS({"port", REPLY_STRING, false, &port},
				       {"vlan", REPLY_INT, false, &vlan},
				       {"mac", REPLY_STRING, false, &mac},
				       {"age", REPLY_INT, false, &age},
				       {"flapping", REPLY_BOOL, true, &flapping})))
			return false;
		print_open_object(p, NULL);
		print_string(p, PRINT_ANY, "port", " %-15s", port);
		print_int(p, PRINT_ANY, "vlan", " %4lld", vlan);
		print_string(p, PRINT_ANY, "mac", "  %-17s", mac);
		print_int(p, PRINT_ANY, "age", "  %5lld", age);
		print_bool(p, PRINT_ANY, "flapping", "  flapping", flapping);
		print_text(p, "\n");
		print_close_object(p);
	}
	print_close_array(p);
	return true;
}

static bool
fdb_flapping_print(struct vsctl *ctx, struct printer *p, json_t *flapping)
{
	char where[WHERE_MAX];
	json_int_t vlan, moves;
	json_t *f, *ports, *port;
	const char *mac;
	size_t i, j;

	if (json_array_size(flapping) > 0)
		print_text(p, "Flapping MACs (moving between ports):\n %-17s  %4s  %5s  %s\n",
			   "MAC", "VLAN", "Moves", "Ports");
	print_open_array(p, "flapping");
	json_array_foreach (flapping, i, f) {
		snprintf(where, sizeof(where), "flapping[%zu]", i);
		if (!get_fields(ctx, f, where,
				FIELDS({"mac", REPLY_STRING, false, &mac},
				       {"vlan", REPLY_INT, false, &vlan},
				       {"moves", REPLY_INT, false, &moves})))
			return false;
		ports = get_array(ctx, f, where, "ports");
		if (ports == NULL)
			return false;
		print_open_object(p, NULL);
		print_string(p, PRINT_ANY, "mac", " %-17s", mac);
		print_int(p, PRINT_ANY, "vlan", "  %4lld", vlan);
		print_int(p, PRINT_ANY, "moves", "  %5lld ", moves);
		print_open_array(p, "ports");
		json_array_foreach (ports, j, port) {
			if (!json_is_string(port)) {
				strncat(where, ".ports", sizeof(where) - strlen(where) - 1);
				vsctl_malformed(ctx, where, "expected an array of strings");
				return false;
			}
			print_string(p, PRINT_ANY, NULL, j == 0 ? " %s" : ", %s",
				     json_string_value(port));
		}
		print_close_array(p);
		print_text(p, "\n");
		print_close_object(p);
	}
	print_close_array(p);
	return true;
}

static bool
fdb_show_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	json_int_t aging, size, n, learned, moves, full, aged;
	json_t *entries, *flapping;
	const char *bridge;

	if (!get_fields(ctx, result, "result",
			FIELDS({"bridge", REPLY_STRING, false, &bridge},
			       {"mac_aging", REPLY_INT, false, &aging},
			       {"mac_table_size", REPLY_INT, false, &size},
			       {"n_entries", REPLY_INT, false, &n},
			       {"mac_learned", REPLY_INT, false, &learned},
			       {"mac_moves", REPLY_INT, false, &moves},
			       {"mac_table_full", REPLY_INT, false, &full},
			       {"mac_aged", REPLY_INT, false, &aged})))
		return false;
	entries = get_array(ctx, result, "result", "entries");
	flapping = entries != NULL ? get_array(ctx, result, "result", "flapping") : NULL;
	if (flapping == NULL)
		return false;

	if (!fdb_entries_print(ctx, p, entries))
		return false;
	print_string(p, PRINT_ANY, "bridge", "%s:", bridge);
	print_int(p, PRINT_ANY, "n_entries", " %lld entries", n);
	print_int(p, PRINT_ANY, "mac_table_size", " (table size %lld,", size);
	print_int(p, PRINT_ANY, "mac_aging", " aging %lld s);", aging);
	print_int(p, PRINT_ANY, "mac_learned", " learned %lld,", learned);
	print_int(p, PRINT_ANY, "mac_moves", " moves %lld,", moves);
	print_int(p, PRINT_ANY, "mac_table_full", " not learned (table full) %lld,", full);
	print_int(p, PRINT_ANY, "mac_aged", " aged out %lld\n", aged);
	return fdb_flapping_print(ctx, p, flapping);
}

int
cmd_fdb_show(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *result;
	int ret;

	if (vsctl_check_name(ctx, "bridge", argv[0]) != 0)
		return VSCTL_EXIT_USAGE;
	ret = call_object(ctx, "fdb.show", json_pack("{s:s}", "bridge", argv[0]), &result);
	return ret != 0 ? ret : print_result(ctx, result, fdb_show_print, NULL);
}

/* port-stats */

static bool
port_drops_print(struct vsctl *ctx, struct printer *p, json_t *drops, const char *where)
{
	char msg[WHERE_MAX + 64];
	const char *reason;
	bool any = false;
	json_t *v;

	if (!json_is_object(drops)) {
		vsctl_malformed(ctx, where, "\"drops\" is missing or not an object");
		return false;
	}
	print_open_object(p, "drops");
	json_object_foreach (drops, reason, v) {
		if (!json_is_integer(v) || !render_is_snake_name(reason)) {
			snprintf(msg, sizeof(msg), "drops: \"%.40s\" is not a snake_case "
						   "reason with an integer count",
				 reason);
			vsctl_malformed(ctx, where, msg);
			return false;
		}
		/* Text shows the reasons that happened; JSON has them all. */
		if (json_integer_value(v) == 0) {
			print_int(p, PRINT_JSON, reason, "", 0);
			continue;
		}
		print_text(p, "%s%s ", any ? ", " : "    drops: ", reason);
		print_int(p, PRINT_ANY, reason, "%lld", json_integer_value(v));
		any = true;
	}
	if (any)
		print_text(p, "\n");
	print_close_object(p);
	return true;
}

#define STATS_ROW_FMT "    %-3s %16s %20s %16s\n"

static bool
port_stats_one(struct vsctl *ctx, struct printer *p, json_t *port, const char *where)
{
	json_int_t rx_packets, rx_bytes, rx_dropped, tx_packets, tx_bytes, tx_dropped;
	const char *name, *bridge;

	if (!get_fields(ctx, port, where,
			FIELDS({"name", REPLY_STRING, false, &name},
			       {"bridge", REPLY_STRING, false, &bridge},
			       {"rx_packets", REPLY_INT, false, &rx_packets},
			       {"rx_bytes", REPLY_INT, false, &rx_bytes},
			       {"rx_dropped", REPLY_INT, false, &rx_dropped},
			       {"tx_packets", REPLY_INT, false, &tx_packets},
			       {"tx_bytes", REPLY_INT, false, &tx_bytes},
			       {"tx_dropped", REPLY_INT, false, &tx_dropped})))
		return false;
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "Port %s", name);
	print_string(p, PRINT_ANY, "bridge", " (bridge %s)\n", bridge);
	print_text(p, STATS_ROW_FMT, "", "packets", "bytes", "dropped");
	print_text(p, "    RX: ");
	print_int(p, PRINT_ANY, "rx_packets", "%16lld", rx_packets);
	print_int(p, PRINT_ANY, "rx_bytes", " %20lld", rx_bytes);
	print_int(p, PRINT_ANY, "rx_dropped", " %16lld\n", rx_dropped);
	print_text(p, "    TX: ");
	print_int(p, PRINT_ANY, "tx_packets", "%16lld", tx_packets);
	print_int(p, PRINT_ANY, "tx_bytes", " %20lld", tx_bytes);
	print_int(p, PRINT_ANY, "tx_dropped", " %16lld\n", tx_dropped);
	if (!port_drops_print(ctx, p, json_object_get(port, "drops"), where))
		return false;
	print_close_object(p);
	return true;
}

static bool
port_stats_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	char where[WHERE_MAX];
	json_t *ports, *port;
	size_t i;

	ports = get_array(ctx, result, "result", "ports");
	if (ports == NULL)
		return false;
	print_open_array(p, "ports");
	json_array_foreach (ports, i, port) {
		snprintf(where, sizeof(where), "ports[%zu]", i);
		if (i > 0)
			print_text(p, "\n");
		if (!port_stats_one(ctx, p, port, where))
			return false;
	}
	print_close_array(p);
	return true;
}

int
cmd_port_stats(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *params, *result;
	int ret;

	if (argc > 0 && vsctl_check_name(ctx, "port", argv[0]) != 0)
		return VSCTL_EXIT_USAGE;
	params = argc > 0 ? json_pack("{s:s}", "name", argv[0]) : json_object();
	ret = call_object(ctx, "port.stats", params, &result);
	return ret != 0 ? ret : print_result(ctx, result, port_stats_print, NULL);
}

/* attach-info */

static const char *
text_block_fmt(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && s[len - 1] == '\n' ? "%s" : "%s\n";
}

static bool
attach_info_print(struct vsctl *ctx, struct printer *p, json_t *result, void *arg)
{
	const char *name, *type, *socket, *qemu, *libvirt;

	if (!get_fields(ctx, result, "result",
			FIELDS({"name", REPLY_STRING, false, &name},
			       {"type", REPLY_STRING, false, &type},
			       {"socket", REPLY_STRING, false, &socket},
			       {"qemu", REPLY_STRING, false, &qemu},
			       {"libvirt", REPLY_STRING, false, &libvirt})))
		return false;
	print_string(p, PRINT_ANY, "name", "Port %s", name);
	print_string(p, PRINT_ANY, "type", " (%s,", type);
	print_string(p, PRINT_ANY, "socket", " socket %s)\n", socket);
	print_text(p, "\nQEMU command line:\n");
	print_string(p, PRINT_ANY, "qemu", text_block_fmt(qemu), qemu);
	print_text(p, "\nlibvirt domain XML, inside <devices>:\n");
	print_string(p, PRINT_ANY, "libvirt", text_block_fmt(libvirt), libvirt);
	return true;
}

int
cmd_attach_info(struct vsctl *ctx, int argc, char *argv[])
{
	json_t *result;
	int ret;

	if (vsctl_check_name(ctx, "port", argv[0]) != 0)
		return VSCTL_EXIT_USAGE;
	ret = call_object(ctx, "port.attach", json_pack("{s:s}", "name", argv[0]), &result);
	return ret != 0 ? ret : print_result(ctx, result, attach_info_print, NULL);
}
