/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "datapath/conntrack.h"
#include "rpc_conntrack.h"

RTE_LOG_REGISTER(ct_logtype, vswitch.conntrack, INFO);

#define LOG(level, ...) rte_log(RTE_LOG_##level, ct_logtype, "vswitchd: " __VA_ARGS__)

#define ZONE_MAX 65535
#define TIMEOUT_MAX 2147483647
/* A zone number as an object key: room for any int, which is what the compiler sees. */
#define ZONE_KEY_LEN 12

/* What one conntrack.set, or one stored item, changes. */
struct ct_change {
	int zone;                     /* the zone whose limit is set; -1: the default limit */
	int64_t limit;                /* -1: unchanged; 0 with a zone: back to the default */
	uint32_t timeout[CT_TMO_MAX]; /* seconds; 0: unchanged */
};

static void
change_init(struct ct_change *c)
{
	memset(c, 0, sizeof(*c));
	c->zone = -1;
	c->limit = -1;
}

static bool
change_empty(const struct ct_change *c)
{
	for (int i = 0; i < CT_TMO_MAX; i++)
		if (c->timeout[i] != 0)
			return false;
	return c->limit < 0;
}

static struct conntrack *
table(const struct vswitch *vs)
{
	return bridge_set_conntrack(vs->bridges);
}

/* Reads the default limit the table started with: no zone has a limit of its own yet. */
static int
ct_ready(struct vswitch *vs)
{
	if (vs->ct.ready)
		return 0;
	vs->ct.zone_limits = json_object();
	if (vs->ct.zone_limits == NULL)
		return -ENOMEM;
	vs->ct.default_limit = conntrack_limit(table(vs), 0);
	vs->ct.ready = true;
	return 0;
}

void
rpc_conntrack_fini(struct vswitch *vs)
{
	json_decref(vs->ct.zone_limits);
	json_decref(vs->ct.stored);
	memset(&vs->ct, 0, sizeof(vs->ct));
}

/* "tcp_syn_sent, tcp_syn_recv, ..." for messages. */
static const char *
timeout_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < CT_TMO_MAX && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 ct_timeout_name(i));
	return buf;
}

/* Checks, each writing why it refused to msg. */

static int
check_zone(json_int_t v, int *zone, char *msg, size_t len)
{
	if (v < 0 || v > ZONE_MAX) {
		snprintf(msg, len, "zone: %lld is out of range; expected 0 to %d", (long long)v,
			 ZONE_MAX);
		return -1;
	}
	*zone = (int)v;
	return 0;
}

/* A limit for a zone may be 0 (back to the default), the default limit may not. */
static int
check_limit(const struct vswitch *vs, json_int_t v, bool for_zone, const char *what, char *msg,
	    size_t len)
{
	uint32_t cap = conntrack_capacity(table(vs));

	if (v < (for_zone ? 0 : 1) || v > cap) {
		snprintf(msg, len, "%s: %lld is out of range; expected %s to %u (the connection "
				   "table's capacity)",
			 what, (long long)v, for_zone ? "0 (the default limit)" : "1", cap);
		return -1;
	}
	return 0;
}

static int
check_timeout(const char *name, const json_t *v, struct ct_change *c, char *msg, size_t len)
{
	int id = ct_timeout_by_name(name);
	char names[512];
	json_int_t secs;

	if (id < 0) {
		snprintf(msg, len, "timeouts: unknown timeout \"%s\"; expected %s", name,
			 timeout_names(names, sizeof(names)));
		return -1;
	}
	if (!json_is_integer(v)) {
		snprintf(msg, len, "timeouts: \"%s\": expected an integer number of seconds", name);
		return -1;
	}
	secs = json_integer_value(v);
	if (secs < 1 || secs > TIMEOUT_MAX) {
		snprintf(msg, len,
			 "timeouts: \"%s\": %lld is out of range; expected 1 to %d seconds", name,
			 (long long)secs, TIMEOUT_MAX);
		return -1;
	}
	c->timeout[id] = (uint32_t)secs;
	return 0;
}

/* The limit a zone has of its own, 0 for none. */
static uint32_t
own_limit(const struct vswitch *vs, int zone)
{
	char key[ZONE_KEY_LEN];

	snprintf(key, sizeof(key), "%d", zone);
	return (uint32_t)json_integer_value(json_object_get(vs->ct.zone_limits, key));
}

/* The change that puts back what c changes, as it is now. */
static void
change_undo(const struct vswitch *vs, const struct ct_change *c, struct ct_change *undo)
{
	change_init(undo);
	undo->zone = c->zone;
	if (c->limit >= 0)
		undo->limit = c->zone >= 0 ? own_limit(vs, c->zone) : vs->ct.default_limit;
	for (int i = 0; i < CT_TMO_MAX; i++)
		if (c->timeout[i] != 0)
			undo->timeout[i] = conntrack_timeout(table(vs), i);
}

/* To the table; checked values cannot fail, but an error is still reported. */
static int
change_apply(struct vswitch *vs, const struct ct_change *c)
{
	struct conntrack *ct = table(vs);
	int rc = 0;

	if (c->limit >= 0)
		rc = conntrack_set_limit(ct, c->zone, (uint32_t)c->limit);
	for (int i = 0; rc == 0 && i < CT_TMO_MAX; i++)
		if (c->timeout[i] != 0)
			rc = conntrack_set_timeout(ct, i, c->timeout[i]);
	return rc;
}

/* Records an applied limit in vs->ct. */
static int
note_limit(struct vswitch *vs, const struct ct_change *c)
{
	char key[ZONE_KEY_LEN];

	if (c->limit < 0)
		return 0;
	if (c->zone < 0) {
		vs->ct.default_limit = (uint32_t)c->limit;
		return 0;
	}
	snprintf(key, sizeof(key), "%d", c->zone);
	if (c->limit == 0) {
		json_object_del(vs->ct.zone_limits, key);
		return 0;
	}
	return json_object_set_new(vs->ct.zone_limits, key, json_integer(c->limit));
}

/* The object member key of obj, replaced by an empty object unless it is one. */
static json_t *
member_object(json_t *obj, const char *key)
{
	json_t *m = json_object_get(obj, key);

	if (json_is_object(m))
		return m;
	m = json_object();
	return json_object_set_new(obj, key, m) == 0 ? m : NULL;
}

/*
 * The setting to store: the stored one with c merged in. A stored value that
 * is not an object had nothing applied from it, so the settings in effect
 * are the defaults, and the new value starts from nothing.
 */
static json_t *
stored_merge(const struct vswitch *vs, const struct ct_change *c)
{
	json_t *s = json_is_object(vs->ct.stored) ? json_deep_copy(vs->ct.stored) : json_object();
	json_t *m;
	char key[ZONE_KEY_LEN];
	int rc = s != NULL ? 0 : -1;

	if (rc == 0 && c->limit >= 0 && c->zone < 0)
		rc = json_object_set_new(s, "default_limit", json_integer(c->limit));
	if (rc == 0 && c->limit >= 0 && c->zone >= 0) {
		snprintf(key, sizeof(key), "%d", c->zone);
		m = member_object(s, "zone_limits");
		if (m == NULL)
			rc = -1;
		else if (c->limit > 0)
			rc = json_object_set_new(m, key, json_integer(c->limit));
		else
			json_object_del(m, key);
		if (rc == 0 && json_object_size(m) == 0)
			json_object_del(s, "zone_limits"); /* only what was set is stored */
	}
	for (int i = 0; rc == 0 && i < CT_TMO_MAX; i++) {
		if (c->timeout[i] == 0)
			continue;
		m = member_object(s, "timeouts");
		rc = m != NULL ? json_object_set_new(m, ct_timeout_name(i),
						     json_integer(c->timeout[i]))
			       : -1;
	}
	if (rc < 0) {
		json_decref(s);
		return NULL;
	}
	return s;
}

static int
zone_cmp(const void *a, const void *b)
{
	long x = strtol(*(const char *const *)a, NULL, 10);
	long y = strtol(*(const char *const *)b, NULL, 10);

	return (x > y) - (x < y);
}

/* conntrack.set's result: the settings in effect, zones in numeric order. */
static json_t *
settings_json(const struct vswitch *vs)
{
	size_t n = json_object_size(vs->ct.zone_limits), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	json_t *zones = json_object(), *tmo = json_object(), *v;
	const char *key;

	if (keys == NULL || zones == NULL || tmo == NULL)
		goto nomem;
	json_object_foreach(vs->ct.zone_limits, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), zone_cmp);
	for (i = 0; i < n; i++) {
		v = json_object_get(vs->ct.zone_limits, keys[i]);
		if (json_object_set(zones, keys[i], v) < 0)
			goto nomem;
	}
	for (int t = 0; t < CT_TMO_MAX; t++)
		if (json_object_set_new(tmo, ct_timeout_name(t),
					json_integer(conntrack_timeout(table(vs), t))) < 0)
			goto nomem;
	free(keys);
	return json_pack("{s:I, s:o, s:o}", "default_limit", (json_int_t)vs->ct.default_limit,
			 "zone_limits", zones, "timeouts", tmo);
nomem:
	free(keys);
	json_decref(zones);
	json_decref(tmo);
	return NULL;
}

/* conntrack.set's params into c. Returns 0, or -1 with err set. */
static int
parse_set(struct vswitch *vs, json_t *params, struct ct_change *c, struct jsonrpc_error *err)
{
	json_int_t zone = -1, limit = -1;
	json_t *timeouts = NULL, *v;
	const char *name;
	char msg[768];

	change_init(c);
	if (jsonrpc_unpack(params, err, "{s?:I, s?:I, s?:o}", "zone", &zone, "limit", &limit,
			   "timeouts", &timeouts) < 0)
		return -1;
	if (json_object_get(params, "zone") != NULL) {
		if (check_zone(zone, &c->zone, msg, sizeof(msg)) < 0)
			goto invalid;
		if (json_object_get(params, "limit") == NULL)
			return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
						 "zone %d: no limit given; zone selects the zone "
						 "whose limit is set (timeouts apply to every "
						 "zone)",
						 c->zone);
	}
	if (json_object_get(params, "limit") != NULL) {
		if (check_limit(vs, limit, c->zone >= 0, "limit", msg, sizeof(msg)) < 0)
			goto invalid;
		c->limit = limit;
	}
	if (timeouts != NULL && !json_is_object(timeouts))
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "invalid params: \"timeouts\": expected an object of "
					 "NAME: seconds");
	json_object_foreach(timeouts, name, v)
		if (check_timeout(name, v, c, msg, sizeof(msg)) < 0)
			goto invalid;
	return 0;
invalid:
	return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
}

static int
store_failed(struct vswitch *vs, struct jsonrpc_error *err)
{
	return jsonrpc_error_set(err, JSONRPC_REFUSED, "cannot store the configuration: %s",
				 config_store_errmsg(vs->store));
}

/* Stores the merged setting, then applies c; undoes both if either fails. */
static int
store_and_apply(struct vswitch *vs, const struct ct_change *c, struct jsonrpc_error *err)
{
	json_t *next = stored_merge(vs, c);
	struct ct_change undo;
	int rc;

	if (next == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	if (config_store_begin(vs->store) < 0) {
		json_decref(next);
		return store_failed(vs, err);
	}
	if (config_store_setting_put(vs->store, RPC_CONNTRACK_SETTING, next) < 0) {
		config_store_rollback(vs->store);
		json_decref(next);
		return store_failed(vs, err);
	}
	change_undo(vs, c, &undo);
	rc = change_apply(vs, c);
	if (rc < 0) {
		change_apply(vs, &undo);
		config_store_rollback(vs->store);
		json_decref(next);
		return jsonrpc_error_set(err, JSONRPC_REFUSED,
					 "the connection table refused the settings: %s",
					 strerror(-rc));
	}
	if (config_store_commit(vs->store) < 0) {
		change_apply(vs, &undo);
		json_decref(next);
		return store_failed(vs, err);
	}
	json_decref(vs->ct.stored);
	vs->ct.stored = next;
	if (note_limit(vs, c) < 0)
		LOG(ERR, "out of memory recording a zone limit: it applies, but is not listed\n");
	return 0;
}

int
rpc_conntrack_set(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	struct ct_change c;

	if (ct_ready(vs) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	if (parse_set(vs, params, &c, err) < 0)
		return -1;
	/* Nothing to change (no params): the settings, and nothing stored. */
	if (!change_empty(&c) && store_and_apply(vs, &c, err) < 0)
		return -1;
	*result = settings_json(vs);
	return *result ? 0 : jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
}

/* conntrack.show's and conntrack.flush's params. */
static int
parse_select(json_t *params, const char **bridge, int *zone, struct jsonrpc_error *err)
{
	json_int_t z = -1;
	char msg[128];

	*bridge = NULL;
	*zone = -1;
	if (jsonrpc_unpack(params, err, "{s?:s, s?:I}", "bridge", bridge, "zone", &z) < 0)
		return -1;
	if (json_object_get(params, "zone") != NULL && check_zone(z, zone, msg, sizeof(msg)) < 0)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS, "%s", msg);
	return 0;
}

int
rpc_conntrack_show(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge;
	char msg[256];
	int zone;

	if (parse_select(params, &bridge, &zone, err) < 0)
		return -1;
	*result = bridge_conntrack_json(vs->bridges, bridge, zone, msg, sizeof(msg));
	return *result ? 0 : jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
}

int
rpc_conntrack_flush(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge;
	unsigned int n;
	char msg[256];
	int zone;

	if (parse_select(params, &bridge, &zone, err) < 0)
		return -1;
	if (bridge_conntrack_flush(vs->bridges, bridge, zone, &n, msg, sizeof(msg)) < 0)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
	*result = json_pack("{s:I}", "flushed", (json_int_t)n);
	return *result ? 0 : jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
}

/* Start-up */

/* Applies one stored item; logs and returns -1 when it is skipped. */
static int
restore_change(struct vswitch *vs, const struct ct_change *c, const char *item)
{
	int rc = change_apply(vs, c);

	if (rc == 0 && note_limit(vs, c) == 0)
		return 0;
	LOG(ERR, "stored conntrack setting %s cannot be applied: %s; skipped (it stays stored)\n",
	    item, rc < 0 ? strerror(-rc) : "out of memory");
	return -1;
}

static int
skipped(const char *msg)
{
	LOG(ERR, "stored conntrack setting %s; skipped (it stays stored)\n", msg);
	return 1;
}

/* "5" -> 5; a zone number written any other way is refused. */
static int
zone_key(const char *key, int *zone)
{
	char *end;
	long v;

	if (key[0] < '0' || key[0] > '9' || (key[0] == '0' && key[1] != '\0'))
		return -1;
	v = strtol(key, &end, 10);
	if (*end != '\0' || v > ZONE_MAX)
		return -1;
	*zone = (int)v;
	return 0;
}

static int
restore_zone_limits(struct vswitch *vs, json_t *zones)
{
	char msg[256], item[64];
	struct ct_change c;
	const char *key;
	int failed = 0;
	json_t *v;

	if (!json_is_object(zones))
		return skipped("zone_limits: not an object");
	json_object_foreach(zones, key, v) {
		change_init(&c);
		snprintf(item, sizeof(item), "zone_limits.%.16s", key);
		if (zone_key(key, &c.zone) < 0) {
			snprintf(msg, sizeof(msg), "%s: not a zone number from 0 to %d", item,
				 ZONE_MAX);
			failed += skipped(msg);
		} else if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			   json_integer_value(v) > conntrack_capacity(table(vs))) {
			snprintf(msg, sizeof(msg), "%s: not a limit from 1 to %u (the connection "
						   "table's capacity)",
				 item, conntrack_capacity(table(vs)));
			failed += skipped(msg);
		} else {
			c.limit = json_integer_value(v);
			failed += restore_change(vs, &c, item) < 0;
		}
	}
	return failed;
}

static int
restore_timeouts(struct vswitch *vs, json_t *timeouts)
{
	struct ct_change c;
	const char *name;
	char msg[768];
	int failed = 0;
	json_t *v;

	if (!json_is_object(timeouts))
		return skipped("timeouts: not an object");
	json_object_foreach(timeouts, name, v) {
		change_init(&c);
		if (check_timeout(name, v, &c, msg, sizeof(msg)) < 0)
			failed += skipped(msg);
		else
			failed += restore_change(vs, &c, name) < 0;
	}
	return failed;
}

int
rpc_conntrack_restore(struct vswitch *vs, json_t *settings)
{
	json_t *stored = json_object_get(settings, RPC_CONNTRACK_SETTING), *v;
	struct ct_change c;
	const char *key;
	char msg[256];
	int failed = 0;

	if (stored == NULL)
		return 0;
	if (ct_ready(vs) < 0) {
		LOG(ERR, "out of memory: stored conntrack settings not applied\n");
		return 1;
	}
	json_decref(vs->ct.stored);
	vs->ct.stored = json_incref(stored);
	if (!json_is_object(stored)) {
		LOG(ERR, "stored conntrack settings are unreadable (%.200s); skipped: they stay "
			 "stored until the next conntrack.set replaces them\n",
		    json_is_string(stored) ? json_string_value(stored) : "not UTF-8");
		return 1;
	}
	json_object_foreach(stored, key, v) {
		if (strcmp(key, "default_limit") == 0) {
			change_init(&c);
			if (!json_is_integer(v)) {
				failed += skipped("default_limit: not an integer");
			} else if (check_limit(vs, json_integer_value(v), false, key, msg,
					       sizeof(msg)) < 0) {
				failed += skipped(msg);
			} else {
				c.limit = json_integer_value(v);
				failed += restore_change(vs, &c, key) < 0;
			}
		} else if (strcmp(key, "zone_limits") == 0) {
			failed += restore_zone_limits(vs, v);
		} else if (strcmp(key, "timeouts") == 0) {
			failed += restore_timeouts(vs, v);
		} else {
			snprintf(msg, sizeof(msg), "\"%.64s\": unknown", key);
			failed += skipped(msg);
		}
	}
	return failed;
}
