/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "bridge/port_attach.h"
#include "bridge/port_options.h"
#include "rpc_conntrack.h"
#include "rpc_nat.h"
#include "rpc_flows.h"
#include "rpc_methods.h"

RTE_LOG_REGISTER(rpc_logtype, vswitch.rpc, INFO);

#define LOG(level, ...) rte_log(RTE_LOG_##level, rpc_logtype, "vswitchd: " __VA_ARGS__)

/* A JSON integer is 64-bit and may be negative: check before narrowing. */
static int
to_u32(json_int_t v, const char *what, uint32_t *out, struct jsonrpc_error *err)
{
	if (v < 0 || v > UINT32_MAX)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "%s: %lld is out of range", what, (long long)v);
	*out = (uint32_t)v;
	return 0;
}

/* Overrides the settings given (-1 marks an absent member). */
static int
settings_merge(struct bridge_settings *s, json_int_t aging, json_int_t size,
	       struct jsonrpc_error *err)
{
	if (aging != -1 && to_u32(aging, "mac_aging", &s->mac_aging, err) < 0)
		return -1;
	if (size != -1 && to_u32(size, "mac_table_size", &s->mac_table_size, err) < 0)
		return -1;
	return 0;
}

static json_t *
settings_json(const struct bridge_settings *s)
{
	return json_pack("{s:i, s:i}", "mac_aging", s->mac_aging, "mac_table_size",
			 s->mac_table_size);
}

static int
refused(struct jsonrpc_error *err, const char *msg)
{
	return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
}

static int
store_failed(struct vswitch *vs, struct jsonrpc_error *err)
{
	return jsonrpc_error_set(err, JSONRPC_REFUSED, "cannot store the configuration: %s",
				 config_store_errmsg(vs->store));
}

static int
begin(struct vswitch *vs, struct jsonrpc_error *err)
{
	return config_store_begin(vs->store) < 0 ? store_failed(vs, err) : 0;
}

/* Rolls the open transaction back and reports the model's reason. */
static int
abort_with(struct vswitch *vs, struct jsonrpc_error *err, const char *msg)
{
	config_store_rollback(vs->store);
	return refused(err, msg);
}

static int
do_bridge_add(struct vswitch *vs, const char *name, const struct bridge_settings *s,
	      struct jsonrpc_error *err)
{
	char msg[256];
	json_t *sj = settings_json(s);
	int rc = begin(vs, err);

	/* A new bridge comes with the default rule, stored like any other. */
	if (rc == 0 && (config_store_bridge_put(vs->store, name, sj) < 0 ||
			config_store_flow_put(vs->store, name, BRIDGE_DEFAULT_FLOW_ID,
					      "table=0,priority=0,actions=normal") < 0)) {
		config_store_rollback(vs->store);
		rc = store_failed(vs, err);
	} else if (rc == 0 && bridge_add(vs->bridges, name, s, msg, sizeof(msg)) < 0) {
		rc = abort_with(vs, err, msg);
	} else if (rc == 0 && config_store_commit(vs->store) < 0) {
		bridge_del(vs->bridges, name, msg, sizeof(msg));
		rc = store_failed(vs, err);
	}
	json_decref(sj);
	return rc;
}

static int
do_port_add(struct vswitch *vs, const char *bridge, const char *name,
	    const struct port_settings *ps, struct jsonrpc_error *err)
{
	char msg[512];
	json_t *oj = port_options_json(ps);
	int rc = oj == NULL ? jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory") : begin(vs, err);

	if (rc == 0 && config_store_port_put(vs->store, bridge, name, oj) < 0) {
		config_store_rollback(vs->store);
		/* The model words a missing bridge better than the store. */
		if (bridge_get(vs->bridges, bridge, &(struct bridge_settings){0}) < 0)
			rc = jsonrpc_error_set(err, JSONRPC_REFUSED, "no bridge \"%s\"", bridge);
		else
			rc = store_failed(vs, err);
	} else if (rc == 0 && bridge_port_add(vs->bridges, bridge, name, ps, msg, sizeof(msg)) < 0) {
		rc = abort_with(vs, err, msg);
	} else if (rc == 0 && config_store_commit(vs->store) < 0) {
		bridge_port_del(vs->bridges, bridge, name, msg, sizeof(msg));
		rc = store_failed(vs, err);
	}
	json_decref(oj);
	return rc;
}

static int
m_bridge_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct bridge_settings s;
	json_int_t aging = -1, size = -1;
	const char *name;

	if (jsonrpc_unpack(params, err, "{s:s, s?:I, s?:I}", "name", &name, "mac_aging", &aging,
			   "mac_table_size", &size) < 0)
		return -1;
	bridge_settings_default(&s);
	if (settings_merge(&s, aging, size, err) < 0 || do_bridge_add(ctx, name, &s, err) < 0)
		return -1;
	*result = json_object();
	return 0;
}

static int
m_bridge_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *name;
	char msg[256];
	bool running, stored;

	if (jsonrpc_unpack(params, err, "{s:s}", "name", &name) < 0 || begin(vs, err) < 0)
		return -1;
	running = bridge_get(vs->bridges, name, &(struct bridge_settings){0}) == 0;
	stored = config_store_bridge_del(vs->store, name) == 0;
	/* A bridge the model lacks may still be stored (it failed to apply at start). */
	if (running && !stored) {
		config_store_rollback(vs->store);
		return store_failed(vs, err);
	}
	if ((running || !stored) && bridge_del(vs->bridges, name, msg, sizeof(msg)) < 0)
		return abort_with(vs, err, msg);
	if (rpc_nat_bridge_deleted(vs, name) < 0)
		LOG(ERR, "deleted bridge %s, but not its stored NAT network (%s): it is skipped "
			 "at the next start\n", name, config_store_errmsg(vs->store));
	if (config_store_commit(vs->store) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED,
					 "deleted bridge \"%s\" but could not store that (%s): it "
					 "returns at the next start", name, config_store_errmsg(vs->store));
	*result = json_object();
	return 0;
}

static int
m_bridge_set(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct bridge_settings old, s;
	json_int_t aging = -1, size = -1;
	const char *name;
	char msg[256];
	json_t *sj;
	int rc;

	if (jsonrpc_unpack(params, err, "{s:s, s?:I, s?:I}", "name", &name, "mac_aging", &aging,
			   "mac_table_size", &size) < 0)
		return -1;
	if (aging == -1 && size == -1)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "nothing to set; expected mac_aging and/or mac_table_size");
	if (bridge_get(vs->bridges, name, &old) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "no bridge \"%s\"", name);
	s = old;
	if (settings_merge(&s, aging, size, err) < 0 || begin(vs, err) < 0)
		return -1;
	sj = settings_json(&s);
	rc = config_store_bridge_put(vs->store, name, sj);
	json_decref(sj);
	if (rc < 0) {
		config_store_rollback(vs->store);
		return store_failed(vs, err);
	}
	if (bridge_set_settings(vs->bridges, name, &s, msg, sizeof(msg)) < 0)
		return abort_with(vs, err, msg);
	if (config_store_commit(vs->store) < 0) {
		bridge_set_settings(vs->bridges, name, &old, msg, sizeof(msg));
		return store_failed(vs, err);
	}
	*result = json_object();
	return 0;
}

/* port.add: bridge and name, and the port's options beside them. */
static int
m_port_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	const char *bridge, *name, *type;
	struct port_settings ps;
	json_t *options;
	char msg[512];
	int rc;

	/* Only bridge and name are ours; port_options_parse() checks the rest,
	 * but a request missing one of the three gets the unpacker's words. */
	if (!json_is_object(params) ||
	    json_unpack(params, "{s:s, s:s, s:s}", "bridge", &bridge, "name", &name, "type",
			&type) < 0)
		return jsonrpc_unpack(params, err, "{s:s, s:s, s:s}", "bridge", &bridge, "name",
				      &name, "type", &type);
	options = json_copy(params);
	if (options == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	json_object_del(options, "bridge");
	json_object_del(options, "name");
	rc = port_options_parse(options, &ps, msg, sizeof(msg));
	json_decref(options);
	if (rc < 0)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
	if (do_port_add(ctx, bridge, name, &ps, err) < 0)
		return -1;
	*result = json_object();
	return 0;
}

/* port.set: the port's options with the change applied, stored and applied as one. */
static int
m_port_set(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct port_settings old, ps;
	const char *name, *bridge;
	json_t *change, *cur, *next, *mtu, *mode, *tag, *trunks;
	char msg[512];
	int rc;

	/* Values are checked once merged with the port's options, where a bad
	 * one gets the same words as in port.add. */
	if (jsonrpc_unpack(params, err, "{s:s, s?:o, s?:o, s?:o, s?:o}", "name", &name, "mtu", &mtu,
			   "vlan_mode", &mode, "tag", &tag, "trunks", &trunks) < 0)
		return -1;
	if (json_object_size(params) < 2)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "nothing to set; expected mtu, vlan_mode, tag and/or trunks");
	if (bridge_port_get(vs->bridges, name, &bridge, &old) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "no port \"%s\"", name);
	change = json_copy(params);
	cur = port_options_json(&old);
	if (change == NULL || cur == NULL) {
		json_decref(change);
		json_decref(cur);
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	}
	json_object_del(change, "name");
	next = port_options_update(cur, change, msg, sizeof(msg));
	json_decref(change);
	json_decref(cur);
	rc = next == NULL ? -1 : port_options_parse(next, &ps, msg, sizeof(msg));
	if (rc < 0) {
		json_decref(next);
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
	}
	if (begin(vs, err) < 0) {
		json_decref(next);
		return -1;
	}
	rc = config_store_port_put(vs->store, bridge, name, next);
	json_decref(next);
	if (rc < 0) {
		config_store_rollback(vs->store);
		return store_failed(vs, err);
	}
	if (bridge_port_set(vs->bridges, name, &ps, msg, sizeof(msg)) < 0)
		return abort_with(vs, err, msg);
	if (config_store_commit(vs->store) < 0) {
		bridge_port_set(vs->bridges, name, &old, msg, sizeof(msg));
		return store_failed(vs, err);
	}
	*result = json_object();
	return 0;
}

/* The bridge a port is stored under, for ports stored but not running
 * (they failed to apply at start). NULL if not stored. free() the result. */
static char *
stored_port_bridge(struct vswitch *vs, const char *port)
{
	json_t *config = config_store_load(vs->store), *bj, *pj;
	char *found = NULL;
	size_t i, j;

	json_array_foreach(json_object_get(config, "bridges"), i, bj) {
		json_array_foreach(json_object_get(bj, "ports"), j, pj) {
			if (found == NULL &&
			    strcmp(json_string_value(json_object_get(pj, "name")) ?: "", port) == 0)
				found = strdup(json_string_value(json_object_get(bj, "name")) ?: "");
		}
	}
	json_decref(config);
	return found;
}

static int
m_port_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct port_settings ps;
	const char *bridge, *name, *running_on;
	char msg[256];
	bool running;

	if (jsonrpc_unpack(params, err, "{s:s, s:s}", "bridge", &bridge, "name", &name) < 0)
		return -1;
	running = bridge_port_get(vs->bridges, name, &running_on, &ps) == 0;
	if (!running) {
		char *stored_on = stored_port_bridge(vs, name);
		bool match = stored_on != NULL && strcmp(stored_on, bridge) == 0;

		free(stored_on);
		if (!match) /* let the model word the refusal */
			return bridge_port_del(vs->bridges, bridge, name, msg, sizeof(msg)) < 0
				       ? refused(err, msg)
				       : jsonrpc_error_set(err, JSONRPC_REFUSED, "inconsistent state");
	} else if (strcmp(running_on, bridge) != 0) {
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "bridge \"%s\" has no port \"%s\"",
					 bridge, name);
	}
	if (begin(vs, err) < 0)
		return -1;
	if (config_store_port_del(vs->store, name) < 0 && !running) {
		config_store_rollback(vs->store);
		return store_failed(vs, err);
	}
	if (running && bridge_port_del(vs->bridges, bridge, name, msg, sizeof(msg)) < 0)
		return abort_with(vs, err, msg);
	if (config_store_commit(vs->store) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED,
					 "deleted port \"%s\" but could not store that (%s): it "
					 "returns at the next start", name, config_store_errmsg(vs->store));
	*result = json_object();
	return 0;
}

static int
m_port_attach(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct port_settings ps;
	const char *name, *bridge;

	if (jsonrpc_unpack(params, err, "{s:s}", "name", &name) < 0)
		return -1;
	if (bridge_port_get(vs->bridges, name, &bridge, &ps) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "no port \"%s\"", name);
	*result = port_attach_json(name, &ps);
	return *result ? 0 : jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
}

static int
m_show(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;

	if (jsonrpc_unpack(params, err, "{}") < 0)
		return -1;
	*result = bridge_show_json(vs->bridges);
	return *result ? 0 : jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
}

static int
m_fdb_show(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *name;
	char msg[256];

	if (jsonrpc_unpack(params, err, "{s:s}", "bridge", &name) < 0)
		return -1;
	*result = bridge_fdb_json(vs->bridges, name, msg, sizeof(msg));
	return *result ? 0 : refused(err, msg);
}

static int
m_fdb_flush(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	unsigned int n;
	const char *name;
	char msg[256];

	if (jsonrpc_unpack(params, err, "{s:s}", "bridge", &name) < 0)
		return -1;
	if (bridge_fdb_flush(vs->bridges, name, &n, msg, sizeof(msg)) < 0)
		return refused(err, msg);
	*result = json_pack("{s:i}", "flushed", n);
	return 0;
}

static int
m_port_stats(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *name = NULL;
	char msg[256];

	if (jsonrpc_unpack(params, err, "{s?:s}", "name", &name) < 0)
		return -1;
	*result = bridge_port_stats_json(vs->bridges, name, msg, sizeof(msg));
	return *result ? 0 : refused(err, msg);
}

/* Every handler runs under the daemon lock, which keeps the telemetry thread
 * from reading the model while it changes. */
#define LOCKED(fn)                                                                                 \
	static int fn##_locked(void *ctx, json_t *p, json_t **r, struct jsonrpc_error *e)          \
	{                                                                                          \
		struct vswitch *vs = ctx;                                                          \
		int rc;                                                                            \
		pthread_mutex_lock(&vs->lock);                                                     \
		rc = fn(ctx, p, r, e);                                                             \
		pthread_mutex_unlock(&vs->lock);                                                   \
		return rc;                                                                         \
	}
LOCKED(m_bridge_add)
LOCKED(m_bridge_del)
LOCKED(m_bridge_set)
LOCKED(m_port_add)
LOCKED(m_port_set)
LOCKED(m_port_del)
LOCKED(m_port_attach)
LOCKED(m_show)
LOCKED(m_fdb_show)
LOCKED(m_fdb_flush)
LOCKED(m_port_stats)
LOCKED(rpc_flow_add)
LOCKED(rpc_flow_del)
LOCKED(rpc_flow_mod)
LOCKED(rpc_flow_replace)
LOCKED(rpc_flow_bundle)
LOCKED(rpc_flow_dump)
LOCKED(rpc_conntrack_show)
LOCKED(rpc_conntrack_flush)
LOCKED(rpc_conntrack_set)
LOCKED(rpc_nat_add)
LOCKED(rpc_nat_del)
LOCKED(rpc_nat_forward_add)
LOCKED(rpc_nat_forward_del)
LOCKED(rpc_nat_show)

const struct jsonrpc_method rpc_methods[] = {
	{"bridge.add", m_bridge_add_locked},   {"bridge.del", m_bridge_del_locked},
	{"bridge.set", m_bridge_set_locked},   {"port.add", m_port_add_locked},
	{"port.del", m_port_del_locked},       {"port.attach", m_port_attach_locked},
	{"port.set", m_port_set_locked},
	{"port.stats", m_port_stats_locked},   {"show", m_show_locked},
	{"fdb.show", m_fdb_show_locked},       {"fdb.flush", m_fdb_flush_locked},
	{"flow.add", rpc_flow_add_locked},     {"flow.del", rpc_flow_del_locked},
	{"flow.mod", rpc_flow_mod_locked},     {"flow.replace", rpc_flow_replace_locked},
	{"flow.bundle", rpc_flow_bundle_locked}, {"flow.dump", rpc_flow_dump_locked},
	{"conntrack.show", rpc_conntrack_show_locked},
	{"conntrack.flush", rpc_conntrack_flush_locked},
	{"conntrack.set", rpc_conntrack_set_locked},
	{"nat.add", rpc_nat_add_locked},
	{"nat.del", rpc_nat_del_locked},
	{"nat.forward.add", rpc_nat_forward_add_locked},
	{"nat.forward.del", rpc_nat_forward_del_locked},
	{"nat.show", rpc_nat_show_locked},
};
const size_t rpc_n_methods = RTE_DIM(rpc_methods);

static int
restore_port(struct vswitch *vs, const char *bridge, json_t *pj)
{
	const char *name = "?";
	struct port_settings ps;
	json_t *options;
	char msg[512];

	if (json_unpack(pj, "{s:s, s:o}", "name", &name, "options", &options) < 0) {
		LOG(ERR, "stored port \"%s\" of bridge %s is unreadable; skipped\n", name, bridge);
		return -1;
	}
	if (port_options_parse(options, &ps, msg, sizeof(msg)) < 0) {
		LOG(ERR, "stored port %s: %s; skipped\n", name, msg);
		return -1;
	}
	if (bridge_port_add(vs->bridges, bridge, name, &ps, msg, sizeof(msg)) < 0) {
		LOG(ERR, "cannot restore port %s of bridge %s: %s; it stays stored: fix the cause "
		    "and restart, or remove it with vsctl del-port %s %s\n",
		    name, bridge, msg, bridge, name);
		return -1;
	}
	return 0;
}

int
rpc_restore(struct vswitch *vs, json_t *config)
{
	json_t *bridges = json_object_get(config, "bridges"), *bj, *pj;
	size_t i, j;
	/* Before the bridges: their first packets meet the stored limits and timeouts. */
	int failed = rpc_conntrack_restore(vs, json_object_get(config, "settings"));

	json_array_foreach(bridges, i, bj) {
		const char *name = "?";
		json_int_t aging = -1, size = -1;
		struct bridge_settings s;
		struct jsonrpc_error err;
		char msg[256];

		bridge_settings_default(&s);
		if (json_unpack(bj, "{s:s, s:{s?:I, s?:I}}", "name", &name, "settings",
				"mac_aging", &aging, "mac_table_size", &size) < 0 ||
		    settings_merge(&s, aging, size, &err) < 0) {
			LOG(ERR, "stored bridge \"%s\" is unreadable; skipped\n", name);
			failed++;
			continue;
		}
		if (bridge_add(vs->bridges, name, &s, msg, sizeof(msg)) < 0) {
			LOG(ERR, "cannot restore bridge %s: %s\n", name, msg);
			failed++;
			continue;
		}
		/* Rules before ports: no frame meets the bridge without them. */
		failed += rpc_flows_restore(vs, name, json_object_get(bj, "flows"));
		json_array_foreach(json_object_get(bj, "ports"), j, pj)
			failed += restore_port(vs, name, pj) < 0;
	}
	/* After the ports: a network needs its uplink. */
	failed += rpc_nat_restore(vs, json_object_get(config, "settings"));
	return failed;
}

int
rpc_create_default(struct vswitch *vs, struct jsonrpc_error *err)
{
	struct bridge_settings s;
	struct port_settings ps;

	port_settings_default(&ps, PORT_VHOSTUSER_CLIENT);
	snprintf(ps.socket, sizeof(ps.socket), "/run/vswitch/vm0.sock");
	bridge_settings_default(&s);
	if (do_bridge_add(vs, "br0", &s, err) < 0)
		return -1;
	return do_port_add(vs, "br0", "vm0", &ps, err);
}
