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

/* Connection tracking */

bool
render_is_snake_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Prints obj's member key, an object of snake_case names and integers: every
 * one in JSON; in text, the ones text_fn chooses. */
static bool
render_named_ints(struct printer *p, json_t *obj, const char *key, const char *where,
		  void (*text_fn)(struct printer *p, const char *name, json_int_t v, void *arg),
		  void *arg, struct render_error *err)
{
	json_t *m = json_object_get(obj, key), *v;
	const char *name;

	if (!json_is_object(m)) {
		snprintf(err->where, sizeof(err->where), "%s", where);
		snprintf(err->why, sizeof(err->why), "\"%s\" is %s, expected an object", key,
			 m == NULL ? "missing" : reply_type_name(m));
		return false;
	}
	print_open_object(p, key);
	json_object_foreach (m, name, v) {
		if (!json_is_integer(v) || !render_is_snake_name(name)) {
			snprintf(err->where, sizeof(err->where), "%s.%s", where, key);
			snprintf(err->why, sizeof(err->why),
				 "\"%.40s\" is not a snake_case name with an integer", name);
			return false;
		}
		print_int(p, PRINT_JSON, name, "", json_integer_value(v));
		if (text_fn != NULL)
			text_fn(p, name, json_integer_value(v), arg);
	}
	print_close_object(p);
	return true;
}

/* One direction of a connection: ",orig=(src=...,dst=...,sport=...,dport=...)". */
static bool
render_ct_tuple(struct printer *p, json_t *conn, const char *key, const char *where,
		struct render_error *err)
{
	json_t *t = json_object_get(conn, key);
	json_int_t sport = 0, dport = 0, id = 0;
	char tuple_where[sizeof(err->where)];
	const char *src, *dst;
	const struct reply_field fields[] = {
		{"src", REPLY_STRING, false, &src},
		{"dst", REPLY_STRING, false, &dst},
		{"sport", REPLY_INT, true, &sport},
		{"dport", REPLY_INT, true, &dport},
		{"id", REPLY_INT, true, &id},
	};

	snprintf(tuple_where, sizeof(tuple_where), "%s.%s", where, key);
	if (!get_fields(t, tuple_where, fields, ARRAY_SIZE(fields), err))
		return false;
	print_open_object(p, key);
	print_text(p, ",%s=(", key);
	print_string(p, PRINT_ANY, "src", "src=%s", src);
	print_string(p, PRINT_ANY, "dst", ",dst=%s", dst);
	if (has(t, "sport"))
		print_int(p, PRINT_ANY, "sport", ",sport=%lld", sport);
	if (has(t, "dport"))
		print_int(p, PRINT_ANY, "dport", ",dport=%lld", dport);
	if (has(t, "id"))
		print_int(p, PRINT_ANY, "id", ",id=%lld", id);
	print_text(p, ")");
	print_close_object(p);
	return true;
}

/* "packets" and "bytes": [original direction, reply direction], JSON only. */
static bool
render_ct_pair(struct printer *p, json_t *conn, const char *key, const char *where,
	       struct render_error *err)
{
	json_t *a = get_array(conn, where, key, err);

	if (a == NULL)
		return false;
	if (json_array_size(a) != 2 || !json_is_integer(json_array_get(a, 0)) ||
	    !json_is_integer(json_array_get(a, 1))) {
		snprintf(err->where, sizeof(err->where), "%s", where);
		snprintf(err->why, sizeof(err->why), "\"%s\" is not two integers", key);
		return false;
	}
	print_open_array(p, key);
	print_int(p, PRINT_JSON, NULL, "", json_integer_value(json_array_get(a, 0)));
	print_int(p, PRINT_JSON, NULL, "", json_integer_value(json_array_get(a, 1)));
	print_close_array(p);
	return true;
}

static bool
render_ct_conn(struct printer *p, json_t *conn, bool with_bridge, const char *where,
	       struct render_error *err)
{
	const char *bridge, *proto, *state, *nat = NULL;
	json_int_t zone, expires;
	bool replied;
	const struct reply_field fields[] = {
		{"bridge", REPLY_STRING, false, &bridge},
		{"zone", REPLY_INT, false, &zone},
		{"proto", REPLY_STRING, false, &proto},
		{"state", REPLY_STRING, false, &state},
		{"replied", REPLY_BOOL, false, &replied},
		{"nat", REPLY_STRING, true, &nat},
		{"expires_in", REPLY_INT, false, &expires},
	};

	if (!get_fields(conn, where, fields, ARRAY_SIZE(fields), err))
		return false;
	print_open_object(p, NULL);
	print_string(p, with_bridge ? PRINT_ANY : PRINT_JSON, "bridge", "bridge=%s,", bridge);
	print_string(p, PRINT_ANY, "proto", "%s", proto);
	if (!render_ct_tuple(p, conn, "orig", where, err) ||
	    !render_ct_tuple(p, conn, "reply", where, err))
		return false;
	print_int(p, PRINT_ANY, "zone", ",zone=%lld", zone);
	/* ICMP and other protocols have no state: "" is left out of the text. */
	print_string(p, state[0] != '\0' ? PRINT_ANY : PRINT_JSON, "state", ",state=%s", state);
	print_bool(p, PRINT_JSON, "replied", "", replied);
	if (nat != NULL)
		print_string(p, PRINT_ANY, "nat", ",nat=%s", nat);
	print_int(p, PRINT_ANY, "expires_in", ",expires=%lld\n", expires);
	if (!render_ct_pair(p, conn, "packets", where, err) ||
	    !render_ct_pair(p, conn, "bytes", where, err))
		return false;
	print_close_object(p);
	return true;
}

static bool
render_ct_zone(struct printer *p, json_t *z, const char *where, struct render_error *err)
{
	json_int_t zone, conns, limit, refused;
	const char *bridge;
	const struct reply_field fields[] = {
		{"bridge", REPLY_STRING, false, &bridge},
		{"zone", REPLY_INT, false, &zone},
		{"connections", REPLY_INT, false, &conns},
		{"limit", REPLY_INT, false, &limit},
		{"refused", REPLY_INT, false, &refused},
	};

	if (!get_fields(z, where, fields, ARRAY_SIZE(fields), err))
		return false;
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "bridge", "bridge %s", bridge);
	print_int(p, PRINT_ANY, "zone", " zone %lld:", zone);
	print_int(p, PRINT_ANY, "connections", " %lld connections,", conns);
	print_int(p, PRINT_ANY, "limit", " limit %lld,", limit);
	print_int(p, PRINT_ANY, "refused", " %lld refused\n", refused);
	print_close_object(p);
	return true;
}

/* Text: the counters that are not zero, "counters: packets 12, created 2". */
static void
counter_text(struct printer *p, const char *name, json_int_t v, void *arg)
{
	bool *any = arg;

	if (v == 0)
		return;
	print_text(p, "%s%s %lld", *any ? ", " : "counters: ", name, (long long)v);
	*any = true;
}

bool
render_conntrack(struct printer *p, json_t *result, bool with_bridge, struct render_error *err)
{
	char where[sizeof(err->where)];
	json_t *conns, *zones, *v;
	json_int_t count, capacity;
	bool any = false;
	size_t i;
	const struct reply_field fields[] = {
		{"count", REPLY_INT, false, &count},
		{"capacity", REPLY_INT, false, &capacity},
	};

	if (!get_fields(result, "result", fields, ARRAY_SIZE(fields), err))
		return false;
	conns = get_array(result, "result", "connections", err);
	zones = conns != NULL ? get_array(result, "result", "zones", err) : NULL;
	if (zones == NULL)
		return false;
	print_open_array(p, "connections");
	json_array_foreach (conns, i, v) {
		snprintf(where, sizeof(where), "connections[%zu]", i);
		if (!render_ct_conn(p, v, with_bridge, where, err))
			return false;
	}
	print_close_array(p);
	print_open_array(p, "zones");
	json_array_foreach (zones, i, v) {
		snprintf(where, sizeof(where), "zones[%zu]", i);
		if (!render_ct_zone(p, v, where, err))
			return false;
	}
	print_close_array(p);
	print_int(p, PRINT_ANY, "count", "total: %lld connections,", count);
	print_int(p, PRINT_ANY, "capacity", " capacity %lld\n", capacity);
	if (!render_named_ints(p, result, "counters", "result", counter_text, &any, err))
		return false;
	if (any)
		print_text(p, "\n");
	return render_named_ints(p, result, "timeouts", "result", NULL, NULL, err);
}

static void
timeout_text(struct printer *p, const char *name, json_int_t v, void *arg)
{
	print_text(p, "%s=%lld\n", name, (long long)v);
}

bool
render_conntrack_settings(struct printer *p, json_t *result, struct render_error *err)
{
	json_t *zones = json_object_get(result, "zone_limits"), *v;
	json_int_t limit;
	const char *zone;
	const struct reply_field fields[] = {{"default_limit", REPLY_INT, false, &limit}};

	if (!get_fields(result, "result", fields, ARRAY_SIZE(fields), err))
		return false;
	if (!json_is_object(zones)) {
		snprintf(err->where, sizeof(err->where), "result");
		snprintf(err->why, sizeof(err->why), "\"zone_limits\" is %s, expected an object",
			 zones == NULL ? "missing" : reply_type_name(zones));
		return false;
	}
	print_int(p, PRINT_ANY, "default_limit", "limit=%lld\n", limit);
	print_open_object(p, "zone_limits");
	json_object_foreach (zones, zone, v) {
		if (!json_is_integer(v) || zone[0] == '\0' ||
		    strspn(zone, "0123456789") != strlen(zone)) {
			snprintf(err->where, sizeof(err->where), "result.zone_limits");
			snprintf(err->why, sizeof(err->why),
				 "\"%.40s\" is not a zone number with an integer limit", zone);
			return false;
		}
		print_text(p, "zone=%s ", zone);
		print_int(p, PRINT_ANY, zone, "limit=%lld\n", json_integer_value(v));
	}
	print_close_object(p);
	return render_named_ints(p, result, "timeouts", "result", timeout_text, NULL, err);
}
