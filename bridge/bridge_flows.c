/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge's side of flow rules: ports named in rules, parsing against a
 * bridge, transactions that end in a new pipeline, counters and timeouts,
 * and the JSON views.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>

#include "bridge.h"
#include "bridge_priv.h"
#include "datapath/flow_pipeline.h"
#include "flow_table.h"

_Static_assert(FLOW_N_TABLES == FLOW_PIPELINE_TABLES, "one table count for both sides");

struct bridge_flow_txn {
	struct bridge *br;
	struct flow_txn *txn;
	struct flow_pipeline *pipeline; /* built for the rules as the transaction leaves them */
	bool is_default;
	uint32_t default_slot;
};

uint64_t
bridge_flows_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The id of a port name, interned for good so that a rule keeps naming a
 * port that is gone and works again when a port of that name comes back. */
static int
name_intern(struct bridge_set *bs, const char *name, bool create)
{
	for (unsigned int i = 0; i < bs->n_port_names; i++)
		if (strcmp(bs->port_names[i], name) == 0)
			return (int)i;
	if (!create)
		return -ENOENT;
	if (strlen(name) > BRIDGE_NAME_MAX)
		return -ENAMETOOLONG;
	if (bs->n_port_names >= FLOW_PORT_NONE)
		return -ENOSPC;
	if (bs->n_port_names == bs->cap_port_names) {
		unsigned int cap = bs->cap_port_names ? 2 * bs->cap_port_names : 64;
		void *p = realloc(bs->port_names, cap * sizeof(bs->port_names[0]));

		if (p == NULL)
			return -ENOMEM;
		bs->port_names = p;
		bs->cap_port_names = cap;
	}
	snprintf(bs->port_names[bs->n_port_names], sizeof(bs->port_names[0]), "%s", name);
	return (int)bs->n_port_names++;
}

struct parse_ctx {
	struct bridge_set *bs;
	const struct bridge *br;
	bool restoring;
};

static int
port_id_cb(const char *name, void *arg)
{
	struct parse_ctx *pc = arg;
	const struct port *p;

	/* A stored rule may name a port that failed to come back: keep the rule. */
	if (!pc->restoring) {
		p = port_find(pc->bs, name);
		if (p == NULL || p->br != pc->br)
			return -ENOENT;
	}
	return name_intern(pc->bs, name, true);
}

static const char *
port_name_cb(uint16_t id, void *arg)
{
	const struct bridge_set *bs = arg;

	return id < bs->n_port_names ? bs->port_names[id] : NULL;
}

int
bridge_flow_parse(struct bridge_set *bs, const char *bridge, const char *text,
		  enum flow_parse_mode mode, bool restoring, struct flow_rule *rule, char *err,
		  size_t errlen)
{
	struct parse_ctx pc = {.bs = bs, .br = bridge_find(bs, bridge), .restoring = restoring};

	memset(rule, 0, sizeof(*rule));
	if (pc.br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	return flow_rule_parse(text, mode, port_id_cb, &pc, rule, err, errlen);
}

/* Port numbers of the interned names that are ports of br now. */
static uint16_t *
port_map(const struct bridge_set *bs, const struct bridge *br)
{
	uint16_t *map = malloc(sizeof(uint16_t) * (bs->n_port_names + 1));

	if (map == NULL)
		return NULL;
	for (unsigned int i = 0; i < bs->n_port_names; i++) {
		const struct port *p = port_find(bs, bs->port_names[i]);

		map[i] = p != NULL && p->br == br ? p->port_no : FLOW_PORT_NONE;
	}
	return map;
}

struct compile {
	struct flow_builder *b;
	const uint16_t *map;
	unsigned int n_names;
};

/* r with port numbers for port names, in *pr; false when it takes no part
 * now (its in_port is not a port of the bridge). */
static bool
to_pipeline_rule(const struct compile *c, const struct flow_table_rule *tr,
		 struct flow_pipeline_rule *pr, struct flow_act *acts)
{
	const struct flow_rule *r = &tr->r;
	uint16_t k = 0;

	if (r->mask.in_port != 0) {
		uint16_t id = r->key.in_port;

		/* A rule for a port that is not there now matches nothing. */
		if (id >= c->n_names || c->map[id] == FLOW_PORT_NONE)
			return false;
	}
	pr->table = r->table;
	pr->priority = r->priority;
	pr->stats_slot = tr->slot;
	pr->key = r->key;
	pr->mask = r->mask;
	if (r->mask.in_port != 0)
		pr->key.in_port = c->map[r->key.in_port];
	for (uint16_t i = 0; i < r->n_actions; i++) {
		acts[k] = r->actions[i];
		if (acts[k].type == FLOW_ACT_OUTPUT) {
			uint16_t id = acts[k].arg;

			if (id >= c->n_names || c->map[id] == FLOW_PORT_NONE)
				continue; /* an output to a port not there now sends nothing */
			acts[k].arg = c->map[id];
		}
		k++;
	}
	pr->acts = acts;
	pr->n_acts = k;
	return true;
}

static int
compile_added(struct flow_table_rule *tr, void *arg)
{
	struct compile *c = arg;
	struct flow_pipeline_rule pr;
	struct flow_act acts[FLOW_MAX_ACTIONS];

	return flow_builder_add(c->b, to_pipeline_rule(c, tr, &pr, acts) ? &pr : NULL,
				&tr->compiled);
}

static int
compile_removed(struct flow_table_rule *tr, void *arg)
{
	struct compile *c = arg;

	return tr->compiled != NULL ? flow_builder_remove(c->b, tr->compiled) : 0;
}

/* Cuts b's next pipeline for br. NULL and *is_default when only the default
 * rule is there (the L2 path needs none). */
static int
cut(const struct bridge *br, struct flow_builder *b, struct flow_pipeline **out,
    bool *is_default, uint32_t *default_slot)
{
	struct flow_pipeline *p = flow_builder_pipeline(b);

	*out = NULL;
	if (p == NULL)
		return -errno;
	*is_default = flow_table_is_default(br->flows, default_slot);
	if (*is_default)
		flow_pipeline_put(p);
	else
		*out = p;
	return 0;
}

/* The changes txn made to br's rules, in br's builder, and the pipeline
 * with them. On failure bridge_flows_abort() takes back what was done. */
static int
compile_changes(const struct bridge_set *bs, struct bridge *br, struct flow_txn *txn,
		struct bridge_flow_txn *t)
{
	struct compile c = {.b = br->builder, .n_names = bs->n_port_names};
	int rc;

	c.map = port_map(bs, br);
	if (c.map == NULL)
		return -ENOMEM;
	rc = flow_txn_each_change(txn, compile_added, compile_removed, &c);
	free((void *)c.map);
	if (rc == 0)
		rc = cut(br, br->builder, &t->pipeline, &t->is_default, &t->default_slot);
	return rc;
}

/* Installs a pipeline in br (taking the caller's reference). */
static void
install(struct bridge *br, struct flow_pipeline *p, bool is_default, uint32_t default_slot)
{
	flow_pipeline_put(br->pipeline);
	br->pipeline = p;
	br->flows_default = is_default;
	br->default_slot = default_slot;
}

int
bridge_flows_recompile(struct bridge_set *bs, struct bridge *br)
{
	struct compile c = {.n_names = bs->n_port_names};
	struct flow_pipeline *p = NULL;
	bool is_default = false;
	uint32_t slot = 0;
	int rc = -ENOMEM;

	/* Every rule into a new builder: the port numbers may all have moved. */
	c.b = flow_builder_create(SOCKET_ID_ANY);
	c.map = port_map(bs, br);
	if (c.b != NULL && c.map != NULL)
		rc = flow_table_each(br->flows, compile_added, &c);
	free((void *)c.map);
	if (rc == 0)
		rc = cut(br, c.b, &p, &is_default, &slot);
	if (rc < 0) {
		if (c.b != NULL)
			flow_builder_abort(c.b); /* the rules' handles back to the old builder */
		flow_builder_put(c.b);
		return rc;
	}
	flow_builder_commit(c.b);
	flow_builder_put(br->builder);
	br->builder = c.b;
	install(br, p, is_default, slot);
	return 0;
}

void
bridge_flows_recompile_all(struct bridge_set *bs)
{
	for (int i = 0; i < DP_MAX_BRIDGES; i++) {
		struct bridge *br = bs->bridges[i];

		/* A bridge whose rules name no port needs no new pipeline. */
		if (br == NULL || br->flows_default)
			continue;
		if (bridge_flows_recompile(bs, br) < 0)
			RTE_LOG(ERR, USER1, "bridge: %s: out of memory rebuilding the flow tables "
				"after a port change; rules naming that port act on the old port "
				"numbers until the next change\n", br->name);
	}
}

int
bridge_flows_init(struct bridge_set *bs, struct bridge *br)
{
	struct flow_op op = {.type = FLOW_OP_ADD, .id = BRIDGE_DEFAULT_FLOW_ID};
	struct flow_txn *txn;
	unsigned int failed;
	char err[256];
	int rc;

	br->flows = flow_table_create();
	if (br->flows == NULL)
		return -ENOMEM;
	rc = flow_rule_default(&op.rule);
	if (rc == 0)
		rc = flow_table_apply(br->flows, datapath_flow_stats(bs->dp), &op, 1,
				      bridge_flows_now(), port_name_cb, bs, &txn, &failed, err,
				      sizeof(err));
	flow_rule_free(&op.rule);
	if (rc < 0) {
		flow_table_destroy(br->flows, NULL);
		br->flows = NULL;
		return rc;
	}
	flow_table_commit(br->flows, txn);
	return bridge_flows_recompile(bs, br);
}

void
bridge_flows_fini(struct bridge_set *bs, struct bridge *br)
{
	flow_pipeline_put(br->pipeline);
	br->pipeline = NULL;
	flow_builder_put(br->builder);
	br->builder = NULL;
	flow_table_destroy(br->flows, datapath_flow_stats(bs->dp));
	br->flows = NULL;
}

int
bridge_flows_begin(struct bridge_set *bs, const char *bridge, const struct flow_op *ops,
		   unsigned int n, struct bridge_flow_txn **out, unsigned int *failed, char *err,
		   size_t errlen)
{
	struct bridge *br = bridge_find(bs, bridge);
	struct bridge_flow_txn *t;
	int rc;

	*out = NULL;
	*failed = 0;
	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", bridge);
		return -ENOENT;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->br = br;
	rc = flow_table_apply(br->flows, datapath_flow_stats(bs->dp), ops, n, bridge_flows_now(),
			      port_name_cb, bs, &t->txn, failed, err, errlen);
	if (rc < 0) {
		free(t);
		return rc;
	}
	rc = compile_changes(bs, br, t->txn, t);
	if (rc < 0) {
		bridge_flows_abort(bs, t);
		*failed = n ? n - 1 : 0;
		snprintf(err, errlen, "out of memory building the flow tables");
		return rc;
	}
	*out = t;
	return 0;
}

struct store_visit {
	const struct bridge_set *bs;
	bridge_flow_put_fn put;
	bridge_flow_del_fn del;
	void *arg;
};

static int
visit_put(const struct flow_table_rule *rule, void *arg)
{
	struct store_visit *sv = arg;
	char text[FLOW_TEXT_MAX + 1];

	flow_rule_format(&rule->r, port_name_cb, (void *)sv->bs, text, sizeof(text));
	return sv->put(rule->id, text, sv->arg);
}

static int
visit_del(uint64_t id, void *arg)
{
	struct store_visit *sv = arg;

	return sv->del(id, sv->arg);
}

int
bridge_flows_txn_visit(const struct bridge_set *bs, const struct bridge_flow_txn *t,
		       bridge_flow_put_fn put, bridge_flow_del_fn del, void *arg)
{
	struct store_visit sv = {.bs = bs, .put = put, .del = del, .arg = arg};

	return flow_txn_visit(t->txn, visit_put, visit_del, &sv);
}

void
bridge_flows_txn_counts(const struct bridge_flow_txn *t, unsigned int *added,
			unsigned int *removed, unsigned int *modified)
{
	flow_txn_counts(t->txn, added, removed, modified);
}

const char *
bridge_flows_txn_bridge(const struct bridge_flow_txn *t)
{
	return t->br->name;
}

void
bridge_flows_abort(struct bridge_set *bs, struct bridge_flow_txn *t)
{
	if (t == NULL)
		return;
	flow_pipeline_put(t->pipeline);
	/* First: it puts back the compiled handles of rules the next call frees. */
	flow_builder_abort(t->br->builder);
	flow_table_abort(t->br->flows, datapath_flow_stats(bs->dp), t->txn);
	free(t);
}

void
bridge_flows_finish(struct bridge_set *bs, struct bridge_flow_txn *t)
{
	struct bridge *br = t->br;

	install(br, t->pipeline, t->is_default, t->default_slot);
	flow_builder_commit(br->builder);
	flow_table_commit(br->flows, t->txn);
	/* One instant for every PMD thread: the snapshot pointer swap. Once it
	 * returns no thread counts into the removed rules' slots, and none
	 * searches an older version of the rules. */
	if (bridge_publish(bs) == 0) {
		flow_table_release(br->flows, datapath_flow_stats(bs->dp));
		flow_builder_reclaim(br->builder, datapath_qsbr(bs->dp));
	} else {
		RTE_LOG(ERR, USER1, "bridge: %s: out of memory publishing the new flow tables; "
			"they take effect with the next change\n", br->name);
	}
	free(t);
}

unsigned int
bridge_flows_expire(struct bridge_set *bs, bridge_flow_expire_fn fn, void *arg)
{
	uint64_t now = bridge_flows_now();
	unsigned int total = 0;

	for (int i = 0; i < DP_MAX_BRIDGES; i++) {
		struct bridge *br = bs->bridges[i];
		struct bridge_flow_txn *t;
		struct flow_txn *txn;
		unsigned int n;

		if (br == NULL)
			continue;
		flow_table_tick(br->flows, datapath_flow_stats(bs->dp), now);
		n = flow_table_expire(br->flows, now, &txn);
		if (n == 0)
			continue;
		t = calloc(1, sizeof(*t));
		if (t == NULL) {
			flow_table_abort(br->flows, datapath_flow_stats(bs->dp), txn);
			continue;
		}
		t->br = br;
		t->txn = txn;
		if (compile_changes(bs, br, txn, t) < 0 || fn(bs, t, arg) < 0) {
			bridge_flows_abort(bs, t); /* tried again at the next tick */
			continue;
		}
		bridge_flows_finish(bs, t);
		total += n;
	}
	return total;
}

struct dump {
	const struct bridge_set *bs;
	const struct flow_rule *filter;
	uint64_t now;
	json_t *arr;
};

static void
dump_rule(const struct flow_table_rule *tr, void *arg)
{
	struct dump *d = arg;
	const struct flow_rule *r = &tr->r;
	char match[FLOW_TEXT_MAX + 1], acts[FLOW_TEXT_MAX + 1], cookie[24];
	struct flow_counter c;
	uint64_t last_used = tr->last_used;

	if (d->filter != NULL && ((d->filter->has_table && d->filter->table != r->table) ||
				  !flow_rule_covered_by(r, d->filter)))
		return;
	flow_stats_pool_read(datapath_flow_stats(d->bs->dp), tr->slot, &c);
	if (c.packets != tr->last_packets)
		last_used = d->now; /* hit since the last tick */
	flow_match_format(r, port_name_cb, (void *)d->bs, match, sizeof(match));
	flow_actions_format(r->actions, r->n_actions, port_name_cb, (void *)d->bs, acts,
			    sizeof(acts));
	snprintf(cookie, sizeof(cookie), "0x%" PRIx64, r->cookie);
	json_array_append_new(d->arr,
		json_pack("{s:i, s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:i}",
			  "table", r->table, "priority", r->priority, "cookie", cookie,
			  "match", match, "actions", acts,
			  "n_packets", (json_int_t)c.packets, "n_bytes", (json_int_t)c.bytes,
			  "age", (json_int_t)((d->now - tr->created) / 1000),
			  "idle", (json_int_t)((d->now - last_used) / 1000),
			  "idle_timeout", r->idle_timeout, "hard_timeout", r->hard_timeout));
}

json_t *
bridge_flows_json(const struct bridge_set *bs, const char *bridge,
		  const struct flow_rule *filter, char *err, size_t errlen)
{
	const struct bridge *br = bridge_find(bs, bridge);
	struct dump d = {.bs = bs, .filter = filter, .now = bridge_flows_now()};

	if (br == NULL) {
		snprintf(err, errlen, "no bridge \"%s\"", bridge);
		return NULL;
	}
	d.arr = json_array();
	if (d.arr == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	flow_table_visit(br->flows, dump_rule, &d);
	return d.arr;
}

json_t *
bridge_flows_summary_json(const struct bridge_set *bs, const char *bridge)
{
	const struct bridge *br = bridge_find(bs, bridge);
	size_t mem = 0;

	if (br == NULL)
		return NULL;
	if (br->pipeline != NULL)
		mem = flow_pipeline_memory(br->pipeline);
	return json_pack("{s:i, s:b, s:I}", "n_rules", flow_table_n_rules(br->flows),
			 "classifier", br->pipeline != NULL, "datapath_bytes", (json_int_t)mem);
}
