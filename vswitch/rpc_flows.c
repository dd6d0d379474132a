/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "rpc_flows.h"

RTE_LOG_REGISTER(flows_logtype, vswitch.flows, INFO);

#define LOG(level, ...) rte_log(RTE_LOG_##level, flows_logtype, "vswitchd: " __VA_ARGS__)

struct ops {
	unsigned int n;
	struct flow_op *op;
};

static void
ops_free(struct ops *o)
{
	for (unsigned int i = 0; i < o->n; i++)
		flow_rule_free(&o->op[i].rule);
	free(o->op);
	o->op = NULL;
	o->n = 0;
}

static int
ops_alloc(struct ops *o, size_t n, struct jsonrpc_error *err)
{
	o->n = 0;
	o->op = calloc(n ? n : 1, sizeof(*o->op));
	if (o->op == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "out of memory");
	return 0;
}

static int
too_many(size_t n, struct jsonrpc_error *err)
{
	if (n <= RPC_FLOWS_MAX_OPS)
		return 0;
	return jsonrpc_error_set(err, JSONRPC_REFUSED,
				 "%zu rules in one request; at most %u (a bridge holds at most %u)",
				 n, RPC_FLOWS_MAX_OPS, FLOW_TABLE_MAX_RULES);
}

/* Parses one operation into o->op[o->n]. prefix names it in messages
 * ("ops[3]: "), or is "" for a request of one. */
static int
parse_op(struct vswitch *vs, const char *bridge, enum flow_op_type type, const char *text,
	 bool restoring, struct ops *o, const char *prefix, struct jsonrpc_error *err)
{
	static const enum flow_parse_mode mode[] = {
		[FLOW_OP_ADD] = FLOW_PARSE_ADD,       [FLOW_OP_DEL] = FLOW_PARSE_FILTER,
		[FLOW_OP_DEL_STRICT] = FLOW_PARSE_FILTER, [FLOW_OP_MOD] = FLOW_PARSE_MODIFY,
		[FLOW_OP_MOD_STRICT] = FLOW_PARSE_MODIFY,
	};
	struct flow_op *op = &o->op[o->n];
	char msg[400];
	int rc;

	op->type = type;
	rc = bridge_flow_parse(vs->bridges, bridge, text, mode[type], restoring, &op->rule, msg,
			       sizeof(msg));
	o->n++; /* freed with the others even when it failed */
	if (rc < 0)
		return jsonrpc_error_set(err, rc == -ENOENT && strstr(msg, "no bridge") ?
					      JSONRPC_REFUSED : JSONRPC_INVALID_PARAMS,
					 "%s%s", prefix, msg);
	return 0;
}

struct store_ctx {
	struct config_store *store;
	const char *bridge;
};

static int
store_put(uint64_t id, const char *text, void *arg)
{
	struct store_ctx *sc = arg;

	return config_store_flow_put(sc->store, sc->bridge, id, text);
}

static int
store_del(uint64_t id, void *arg)
{
	struct store_ctx *sc = arg;

	return config_store_flow_del(sc->store, sc->bridge, id);
}

/* Stores what t changed, in one store transaction. */
static int
store_txn(struct vswitch *vs, const struct bridge_flow_txn *t)
{
	struct store_ctx sc = {.store = vs->store, .bridge = bridge_flows_txn_bridge(t)};

	if (config_store_begin(vs->store) < 0)
		return -1;
	if (bridge_flows_txn_visit(vs->bridges, t, store_put, store_del, &sc) < 0 ||
	    config_store_commit(vs->store) < 0) {
		config_store_rollback(vs->store);
		return -1;
	}
	return 0;
}

/*
 * Applies the operations as one transaction: to the model, then the store,
 * then every PMD thread at once. name(i) says which operation a failure
 * points at ("ops[3]"); NULL for a request of one operation.
 */
static int
run(struct vswitch *vs, const char *bridge, struct ops *o, const char *(*name)(unsigned int, char *),
    json_t **result, struct jsonrpc_error *err)
{
	struct bridge_flow_txn *t;
	unsigned int failed, added, removed, modified;
	char msg[400], label[32];

	if (bridge_flows_begin(vs->bridges, bridge, o->op, o->n, &t, &failed, msg,
			       sizeof(msg)) < 0) {
		if (name == NULL)
			return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s: %s", name(failed, label), msg);
	}
	if (store_txn(vs, t) < 0) {
		bridge_flows_abort(vs->bridges, t);
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "cannot store the rules: %s",
					 config_store_errmsg(vs->store));
	}
	bridge_flows_txn_counts(t, &added, &removed, &modified);
	bridge_flows_finish(vs->bridges, t);
	*result = json_pack("{s:i, s:i, s:i}", "added", added, "removed", removed, "modified",
			    modified);
	return 0;
}

int
rpc_flow_add(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge, *rule;
	struct ops o;
	int rc;

	if (jsonrpc_unpack(params, err, "{s:s, s:s}", "bridge", &bridge, "rule", &rule) < 0 ||
	    ops_alloc(&o, 1, err) < 0)
		return -1;
	rc = parse_op(vs, bridge, FLOW_OP_ADD, rule, false, &o, "", err);
	if (rc == 0)
		rc = run(vs, bridge, &o, NULL, result, err);
	ops_free(&o);
	return rc;
}

static int
del_or_mod(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err, bool mod)
{
	struct vswitch *vs = ctx;
	const char *bridge, *rule = "";
	int strict = 0, rc;
	struct ops o;

	if (mod) {
		if (jsonrpc_unpack(params, err, "{s:s, s:s, s?:b}", "bridge", &bridge, "rule",
				   &rule, "strict", &strict) < 0)
			return -1;
	} else if (jsonrpc_unpack(params, err, "{s:s, s?:s, s?:b}", "bridge", &bridge, "filter",
				  &rule, "strict", &strict) < 0) {
		return -1;
	}
	if (ops_alloc(&o, 1, err) < 0)
		return -1;
	rc = parse_op(vs, bridge,
		      mod ? (strict ? FLOW_OP_MOD_STRICT : FLOW_OP_MOD)
			  : (strict ? FLOW_OP_DEL_STRICT : FLOW_OP_DEL),
		      rule, false, &o, "", err);
	if (rc == 0)
		rc = run(vs, bridge, &o, NULL, result, err);
	ops_free(&o);
	return rc;
}

int
rpc_flow_del(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return del_or_mod(ctx, params, result, err, false);
}

int
rpc_flow_mod(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return del_or_mod(ctx, params, result, err, true);
}

static const char *
name_ops(unsigned int i, char *buf)
{
	snprintf(buf, 32, "ops[%u]", i);
	return buf;
}

/* replace's first operation deletes everything: rules[i] is operation i+1. */
static const char *
name_rules(unsigned int i, char *buf)
{
	snprintf(buf, 32, "rules[%u]", i ? i - 1 : 0);
	return buf;
}

int
rpc_flow_replace(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge;
	json_t *rules, *rj;
	struct ops o;
	size_t i;
	int rc = 0;

	if (jsonrpc_unpack(params, err, "{s:s, s:o}", "bridge", &bridge, "rules", &rules) < 0)
		return -1;
	if (!json_is_array(rules))
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "rules: expected an array of rule strings");
	if (too_many(json_array_size(rules), err) < 0 ||
	    ops_alloc(&o, json_array_size(rules) + 1, err) < 0)
		return -1;
	/* Everything goes, then the new set comes: rules present in both keep
	 * their counters (the transaction takes an identical rule back). */
	rc = parse_op(vs, bridge, FLOW_OP_DEL, "", false, &o, "", err);
	json_array_foreach(rules, i, rj) {
		char prefix[32];

		if (rc < 0)
			break;
		snprintf(prefix, sizeof(prefix), "rules[%zu]: ", i);
		if (!json_is_string(rj)) {
			rc = jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					       "%sexpected a rule string", prefix);
			break;
		}
		rc = parse_op(vs, bridge, FLOW_OP_ADD, json_string_value(rj), false, &o, prefix,
			      err);
	}
	if (rc == 0)
		rc = run(vs, bridge, &o, name_rules, result, err);
	ops_free(&o);
	return rc;
}

/* An operation's fields, when it has the right ones with the right types
 * and no others; -1 when it has not. */
static int
op_fields(json_t *oj, const char **kind, const char **rule, int *strict)
{
	json_t *k = json_object_get(oj, "op");
	json_t *r = json_object_get(oj, "rule");
	json_t *s = json_object_get(oj, "strict");
	size_t n = (k != NULL) + (r != NULL) + (s != NULL);

	if (!json_is_string(k) || (r != NULL && !json_is_string(r)) ||
	    (s != NULL && !json_is_boolean(s)) || json_object_size(oj) != n)
		return -1;
	*kind = json_string_value(k);
	if (r != NULL)
		*rule = json_string_value(r);
	if (s != NULL)
		*strict = json_is_true(s);
	return 0;
}

static int
bundle_op(struct vswitch *vs, const char *bridge, json_t *oj, size_t i, struct ops *o,
	  struct jsonrpc_error *err)
{
	const char *kind, *rule = "";
	int strict = 0;
	json_error_t jerr;
	char prefix[32];
	enum flow_op_type type;

	snprintf(prefix, sizeof(prefix), "ops[%zu]: ", i);
	/* json_unpack_ex() parses its format string for every call, a good part
	 * of a large bundle's time: it is asked only for a message. */
	if (op_fields(oj, &kind, &rule, &strict) < 0 &&
	    json_unpack_ex(oj, &jerr, JSON_STRICT, "{s:s, s?:s, s?:b}", "op", &kind, "rule",
			   &rule, "strict", &strict) < 0)
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "%sexpected {\"op\": \"add\"|\"del\"|\"mod\", \"rule\": "
					 "string, \"strict\": bool}: %s", prefix, jerr.text);
	if (strcmp(kind, "add") == 0)
		type = FLOW_OP_ADD;
	else if (strcmp(kind, "del") == 0)
		type = strict ? FLOW_OP_DEL_STRICT : FLOW_OP_DEL;
	else if (strcmp(kind, "mod") == 0)
		type = strict ? FLOW_OP_MOD_STRICT : FLOW_OP_MOD;
	else
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "%sunknown op \"%s\"; expected add, del or mod", prefix,
					 kind);
	return parse_op(vs, bridge, type, rule, false, o, prefix, err);
}

int
rpc_flow_bundle(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge;
	json_t *list, *oj;
	struct ops o;
	size_t i;
	int rc = 0;

	if (jsonrpc_unpack(params, err, "{s:s, s:o}", "bridge", &bridge, "ops", &list) < 0)
		return -1;
	if (!json_is_array(list))
		return jsonrpc_error_set(err, JSONRPC_INVALID_PARAMS,
					 "ops: expected an array of operations");
	if (too_many(json_array_size(list), err) < 0 ||
	    ops_alloc(&o, json_array_size(list), err) < 0)
		return -1;
	json_array_foreach(list, i, oj) {
		rc = bundle_op(vs, bridge, oj, i, &o, err);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = run(vs, bridge, &o, name_ops, result, err);
	ops_free(&o);
	return rc;
}

int
rpc_flow_dump(void *ctx, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitch *vs = ctx;
	const char *bridge, *filter = NULL;
	struct flow_rule f;
	char msg[400];
	json_t *flows;

	if (jsonrpc_unpack(params, err, "{s:s, s?:s}", "bridge", &bridge, "filter", &filter) < 0)
		return -1;
	if (filter != NULL &&
	    bridge_flow_parse(vs->bridges, bridge, filter, FLOW_PARSE_FILTER, true, &f, msg,
			      sizeof(msg)) < 0) {
		flow_rule_free(&f);
		return jsonrpc_error_set(err, strstr(msg, "no bridge") ? JSONRPC_REFUSED :
					 JSONRPC_INVALID_PARAMS, "%s", msg);
	}
	flows = bridge_flows_json(vs->bridges, bridge, filter ? &f : NULL, msg, sizeof(msg));
	if (filter != NULL)
		flow_rule_free(&f);
	if (flows == NULL)
		return jsonrpc_error_set(err, JSONRPC_REFUSED, "%s", msg);
	*result = json_pack("{s:s, s:o}", "bridge", bridge, "flows", flows);
	return 0;
}

/* Restores the rules that parse; returns how many did not. */
int
rpc_flows_restore(struct vswitch *vs, const char *bridge, json_t *flows)
{
	struct jsonrpc_error err;
	struct bridge_flow_txn *t = NULL;
	unsigned int failed;
	json_t *fj;
	struct ops o;
	size_t i;
	int skipped = 0;
	char msg[400];

	if (ops_alloc(&o, json_array_size(flows) + 1, &err) < 0)
		return (int)json_array_size(flows);
	parse_op(vs, bridge, FLOW_OP_DEL, "", true, &o, "", &err);
	json_array_foreach(flows, i, fj) {
		json_int_t id = 0;
		const char *text = "";

		if (json_unpack(fj, "{s:I, s:s}", "id", &id, "rule", &text) < 0 || id <= 0) {
			LOG(ERR, "bridge %s: a stored rule is unreadable; skipped\n", bridge);
			skipped++;
			continue;
		}
		if (parse_op(vs, bridge, FLOW_OP_ADD, text, true, &o, "", &err) < 0) {
			LOG(ERR, "stored rule %lld of bridge %s (\"%s\") cannot be restored: %s; it "
			    "stays stored: remove it with vsctl del-flows --strict\n", (long long)id,
			    bridge, text, err.message);
			flow_rule_free(&o.op[--o.n].rule);
			skipped++;
			continue;
		}
		o.op[o.n - 1].id = (uint64_t)id;
	}
	/* A rule that no longer fits (it overlaps another) is dropped and the
	 * rest tried again, so one bad rule costs only itself. */
	while (bridge_flows_begin(vs->bridges, bridge, o.op, o.n, &t, &failed, msg,
				  sizeof(msg)) < 0) {
		LOG(ERR, "bridge %s: a stored rule cannot be restored: %s\n", bridge, msg);
		skipped++;
		if (failed == 0 || failed >= o.n)
			break;
		flow_rule_free(&o.op[failed].rule);
		memmove(&o.op[failed], &o.op[failed + 1], (o.n - failed - 1) * sizeof(o.op[0]));
		o.n--;
		t = NULL;
	}
	if (t != NULL)
		bridge_flows_finish(vs->bridges, t);
	ops_free(&o);
	return skipped;
}

static int
store_expired(struct bridge_set *bs, const struct bridge_flow_txn *t, void *arg)
{
	struct vswitch *vs = arg;

	(void)bs;
	if (store_txn(vs, t) < 0) {
		LOG(WARNING, "cannot store the removal of expired rules of %s: %s; trying again\n",
		    bridge_flows_txn_bridge(t), config_store_errmsg(vs->store));
		return -1;
	}
	return 0;
}

void
rpc_flows_expire(struct vswitch *vs)
{
	bridge_flows_expire(vs->bridges, store_expired, vs);
}
