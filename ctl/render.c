/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "render.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* reply_get_fields() that records where a failure is. */
static bool
get_fields(json_t *obj, const char *where, const struct reply_field *fields, size_t n,
	   struct render_error *err)
{
	if (reply_get_fields(obj, fields, n, err->why, sizeof(err->why)))
		return true;
	snprintf(err->where, sizeof(err->where), "%s", where);
	return false;
}

/* reply_get_array() that records where a failure is. */
static json_t *
get_array(json_t *obj, const char *where, const char *key, struct render_error *err)
{
	json_t *a = reply_get_array(obj, key, err->why, sizeof(err->why));

	if (a == NULL)
		snprintf(err->where, sizeof(err->where), "%s", where);
	return a;
}

static bool
has(json_t *obj, const char *key)
{
	return json_object_get(obj, key) != NULL;
}

bool
render_show_port(struct printer *p, json_t *port, const char *where, struct render_error *err)
{
	/*
	 * All but the first four are optional: each type has its own of socket,
	 * iface, devargs and mac, and a vswitchd older than VLANs sends none
	 * of the rest.
	 */
	const char *name, *type, *link, *socket = NULL, *iface = NULL, *devargs = NULL;
	const char *mac = NULL, *vlan_mode = NULL, *trunks = NULL;
	json_int_t port_no, mtu = 0, rxq = 0, tag = 0;
	const struct reply_field fields[] = {
		{"name", REPLY_STRING, false, &name},
		{"type", REPLY_STRING, false, &type},
		{"port_no", REPLY_INT, false, &port_no},
		{"link", REPLY_STRING, false, &link},
		{"socket", REPLY_STRING, true, &socket},
		{"iface", REPLY_STRING, true, &iface},
		{"devargs", REPLY_STRING, true, &devargs},
		{"mac", REPLY_STRING, true, &mac},
		{"mtu", REPLY_INT, true, &mtu},
		{"rxq", REPLY_INT, true, &rxq},
		{"vlan_mode", REPLY_STRING, true, &vlan_mode},
		{"tag", REPLY_INT, true, &tag},
		{"trunks", REPLY_STRING, true, &trunks},
	};

	if (!get_fields(port, where, fields, ARRAY_SIZE(fields), err))
		return false;
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "    Port %s:", name);
	print_string(p, PRINT_ANY, "type", " %s", type);
	if (socket != NULL)
		print_string(p, PRINT_ANY, "socket", " socket=%s", socket);
	if (iface != NULL)
		print_string(p, PRINT_ANY, "iface", " iface=%s", iface);
	if (devargs != NULL)
		print_string(p, PRINT_ANY, "devargs", " devargs=%s", devargs);
	if (mac != NULL)
		print_string(p, PRINT_ANY, "mac", " mac=%s", mac);
	print_int(p, PRINT_ANY, "port_no", " port-no %lld", port_no);
	print_string(p, PRINT_ANY, "link", " link %s", link);
	if (has(port, "mtu"))
		print_int(p, PRINT_ANY, "mtu", " mtu %lld", mtu);
	/* One queue is the default: the text line names only more. */
	if (has(port, "rxq"))
		print_int(p, rxq > 1 ? PRINT_ANY : PRINT_JSON, "rxq", " rxq %lld", rxq);
	if (vlan_mode != NULL)
		print_string(p, PRINT_ANY, "vlan_mode", " vlan %s", vlan_mode);
	if (has(port, "tag"))
		print_int(p, PRINT_ANY, "tag", " tag=%lld", tag);
	if (trunks != NULL) {
		/* "" means every VLAN (docs/api.md); "trunks=" would read as a glitch. */
		print_string(p, PRINT_JSON, "trunks", NULL, trunks);
		print_string(p, PRINT_TEXT, NULL, " trunks=%s", trunks[0] != '\0' ? trunks : "all");
	}
	print_text(p, "\n");
	print_close_object(p);
	return true;
}

bool
render_pmd_rxqs(struct printer *p, json_t *result, struct render_error *err)
{
	char where[sizeof(err->where)];
	json_t *pmds, *pmd, *rxqs, *rxq;
	json_int_t core, queue;
	size_t i, j, width = 0;
	const char *port;

	pmds = get_array(result, "result", "pmds", err);
	if (pmds == NULL)
		return false;
	/*
	 * Pad port names to the longest so the queue numbers line up. Anything
	 * malformed is skipped here and reported below.
	 */
	json_array_foreach (pmds, i, pmd) {
		rxqs = json_object_get(pmd, "rxqs");
		json_array_foreach (rxqs, j, rxq) {
			port = json_string_value(json_object_get(rxq, "port"));
			if (port != NULL && strlen(port) > width)
				width = strlen(port);
		}
	}

	print_open_array(p, "pmds");
	json_array_foreach (pmds, i, pmd) {
		const struct reply_field pmd_fields[] = {{"core", REPLY_INT, false, &core}};

		snprintf(where, sizeof(where), "pmds[%zu]", i);
		if (!get_fields(pmd, where, pmd_fields, ARRAY_SIZE(pmd_fields), err))
			return false;
		rxqs = get_array(pmd, where, "rxqs", err);
		if (rxqs == NULL)
			return false;
		print_open_object(p, NULL);
		print_int(p, PRINT_ANY, "core", "pmd core %lld:\n", core);
		if (json_array_size(rxqs) == 0)
			print_text(p, "  (no queues)\n");
		print_open_array(p, "rxqs");
		json_array_foreach (rxqs, j, rxq) {
			const struct reply_field fields[] = {
				{"port", REPLY_STRING, false, &port},
				{"queue", REPLY_INT, false, &queue},
			};

			snprintf(where, sizeof(where), "pmds[%zu].rxqs[%zu]", i, j);
			if (!get_fields(rxq, where, fields, ARRAY_SIZE(fields), err))
				return false;
			print_open_object(p, NULL);
			print_string(p, PRINT_ANY, "port", "  port %s", port);
			print_text(p, "%*s", (int)(width - strlen(port)), "");
			print_int(p, PRINT_ANY, "queue", " queue %lld\n", queue);
			print_close_object(p);
		}
		print_close_array(p);
		print_close_object(p);
	}
	print_close_array(p);
	return true;
}

/* Cookies come as hexadecimal strings ("0x5"), 64 bits not fitting a JSON integer everywhere. */
static bool
cookie_is_zero(const char *cookie)
{
	char *end;

	return cookie[0] != '\0' && strtoull(cookie, &end, 0) == 0 && *end == '\0';
}

static bool
render_flow(struct printer *p, json_t *flow, const char *where, struct render_error *err)
{
	json_int_t table, priority, n_packets, n_bytes, age, idle, idle_timeout, hard_timeout;
	const char *cookie, *match, *actions;
	const struct reply_field fields[] = {
		{"table", REPLY_INT, false, &table},
		{"priority", REPLY_INT, false, &priority},
		{"cookie", REPLY_STRING, false, &cookie},
		{"match", REPLY_STRING, false, &match},
		{"actions", REPLY_STRING, false, &actions},
		{"n_packets", REPLY_INT, false, &n_packets},
		{"n_bytes", REPLY_INT, false, &n_bytes},
		{"age", REPLY_INT, false, &age},
		{"idle", REPLY_INT, false, &idle},
		{"idle_timeout", REPLY_INT, false, &idle_timeout},
		{"hard_timeout", REPLY_INT, false, &hard_timeout},
	};

	if (!get_fields(flow, where, fields, ARRAY_SIZE(fields), err))
		return false;
	print_open_object(p, NULL);
	print_int(p, PRINT_ANY, "table", " table=%lld", table);
	print_int(p, PRINT_ANY, "priority", ", priority=%lld", priority);
	print_string(p, cookie_is_zero(cookie) ? PRINT_JSON : PRINT_ANY, "cookie", ", cookie=%s",
		     cookie);
	print_int(p, PRINT_ANY, "n_packets", ", n_packets=%lld", n_packets);
	print_int(p, PRINT_ANY, "n_bytes", ", n_bytes=%lld", n_bytes);
	print_int(p, PRINT_ANY, "age", ", age=%llds", age);
	print_int(p, PRINT_ANY, "idle", ", idle=%llds", idle);
	print_int(p, idle_timeout != 0 ? PRINT_ANY : PRINT_JSON, "idle_timeout",
		  ", idle_timeout=%lld", idle_timeout);
	print_int(p, hard_timeout != 0 ? PRINT_ANY : PRINT_JSON, "hard_timeout",
		  ", hard_timeout=%lld", hard_timeout);
	print_string(p, match[0] != '\0' ? PRINT_ANY : PRINT_JSON, "match", ", %s", match);
	print_string(p, PRINT_ANY, "actions", " actions=%s\n", actions);
	print_close_object(p);
	return true;
}

bool
render_flows(struct printer *p, json_t *result, struct render_error *err)
{
	char where[sizeof(err->where)];
	json_t *flows, *flow;
	const char *bridge;
	size_t i;
	const struct reply_field fields[] = {{"bridge", REPLY_STRING, false, &bridge}};

	if (!get_fields(result, "result", fields, ARRAY_SIZE(fields), err))
		return false;
	flows = get_array(result, "result", "flows", err);
	if (flows == NULL)
		return false;
	print_string(p, PRINT_JSON, "bridge", NULL, bridge);
	print_open_array(p, "flows");
	json_array_foreach (flows, i, flow) {
		snprintf(where, sizeof(where), "flows[%zu]", i);
		if (!render_flow(p, flow, where, err))
			return false;
	}
	print_close_array(p);
	return true;
}
