/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_BRIDGE_FLOW_TABLE_H
#define VSWITCH_BRIDGE_FLOW_TABLE_H

/*
 * All flow rules of one bridge, as the control side keeps them: indexed by
 * identity (table, priority, match) for adds and strict deletes, and by
 * (table, priority) for the check that refuses two overlapping rules of the
 * same priority. Changes come as a list of operations applied all or
 * nothing (a transaction), which the caller then stores, turns into a
 * pipeline, and commits or aborts.
 *
 * Control thread only. Functions return 0 or a negative errno and write a
 * reason for people into err.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/flow_pipeline.h"
#include "datapath/flow_stats.h"
#include "flow_rule.h"

#define FLOW_TABLE_MAX_RULES 262144 /* per bridge */

enum flow_op_type {
	FLOW_OP_ADD,        /* add rule; an identical match and priority is replaced */
	FLOW_OP_DEL,        /* delete every rule the filter covers (table too, if given) */
	FLOW_OP_DEL_STRICT, /* delete the rule with exactly this table, priority and match */
	FLOW_OP_MOD,        /* give every rule the filter covers the filter's actions */
	FLOW_OP_MOD_STRICT, /* the same for the one exact rule */
};

struct flow_op {
	enum flow_op_type type;
	struct flow_rule rule; /* a rule (ADD) or a filter, with actions for MOD */
	uint64_t id;           /* ADD: the stored id to restore with; 0 for a new one */
};

/* A rule in the table. Read-only outside flow_table.c. */
struct flow_table_rule {
	struct flow_rule r;
	uint64_t id;           /* unique in the bridge, stable: the store's key */
	uint32_t slot;         /* its counters (datapath/flow_stats.h) */
	uint64_t created;      /* milliseconds, monotonic clock */
	uint64_t last_used;    /* milliseconds: the last tick that saw its counters move */
	uint64_t last_packets; /* the packet count at that tick */
	/* The bridge's compiled form of the rule; flow_table only carries it. */
	struct flow_builder_rule *compiled;
};

struct flow_table;
struct flow_txn;

struct flow_table *flow_table_create(void);
/* Frees every rule and returns every slot to pool: only when no published
 * pipeline uses them. */
void flow_table_destroy(struct flow_table *ft, struct flow_stats_pool *pool);

/*
 * Applies ops in order, at time now (milliseconds). On success the table shows
 * the changes and *txn records them until flow_table_commit() or
 * flow_table_abort(). On failure nothing is changed, *failed is the index
 * of the operation at fault and err says why. -ENOSPC when the bridge would
 * exceed FLOW_TABLE_MAX_RULES or the counters run out. port_name names
 * ports in messages. The ops keep their rules (they are copied).
 */
int flow_table_apply(struct flow_table *ft, struct flow_stats_pool *pool,
		     const struct flow_op *ops, unsigned int n, uint64_t now,
		     flow_port_name_fn port_name, void *arg, struct flow_txn **txn,
		     unsigned int *failed, char *err, size_t errlen);
/* A transaction deleting every rule whose idle or hard timeout has passed
 * at now; NULL (and 0) when none has. The caller commits or aborts it. */
unsigned int flow_table_expire(struct flow_table *ft, uint64_t now, struct flow_txn **txn);

/* Undoes txn, newest change first, and frees it. */
void flow_table_abort(struct flow_table *ft, struct flow_stats_pool *pool, struct flow_txn *txn);
/* Makes txn final and frees it. The slots of the rules it removed are kept
 * until flow_table_release(): call that after publishing a pipeline
 * without them. */
void flow_table_commit(struct flow_table *ft, struct flow_txn *txn);
void flow_table_release(struct flow_table *ft, struct flow_stats_pool *pool);

/* What txn changed, in order, for the store: put() for each rule added or
 * modified (its current state), del() for each rule removed. */
typedef int (*flow_txn_put_fn)(const struct flow_table_rule *rule, void *arg);
typedef int (*flow_txn_del_fn)(uint64_t id, void *arg);
int flow_txn_visit(const struct flow_txn *txn, flow_txn_put_fn put, flow_txn_del_fn del,
		   void *arg);
/* What txn changed, in order, for the compiled rules: added(rule) for each
 * rule added, taken back or given new actions, after removed(rule) for its
 * old form when it had one (the rule still carries its old compiled form
 * then). The rules are the table's own, so the callbacks may set their
 * compiled field. */
typedef int (*flow_txn_rule_fn)(struct flow_table_rule *rule, void *arg);
int flow_txn_each_change(struct flow_txn *txn, flow_txn_rule_fn added, flow_txn_rule_fn removed,
			 void *arg);
/* Every rule, to compile them all; in no particular order. */
int flow_table_each(struct flow_table *ft, flow_txn_rule_fn fn, void *arg);
/* Rules added / removed (counting a replaced rule in both) / modified. */
void flow_txn_counts(const struct flow_txn *txn, unsigned int *added, unsigned int *removed,
		     unsigned int *modified);

unsigned int flow_table_n_rules(const struct flow_table *ft);
/* Visits every rule ordered by table, then priority (highest first). */
typedef void (*flow_table_visit_fn)(const struct flow_table_rule *rule, void *arg);
void flow_table_visit(const struct flow_table *ft, flow_table_visit_fn fn, void *arg);
/* True when the table holds exactly the default rule (table 0, priority 0,
 * empty match, actions=normal); *slot is its counter slot. */
bool flow_table_is_default(const struct flow_table *ft, uint32_t *slot);

/* Reads every rule's counters at time now and moves last_used for those
 * that were hit since the previous tick. */
void flow_table_tick(struct flow_table *ft, const struct flow_stats_pool *pool, uint64_t now);

/* The default rule of a new bridge: table=0,priority=0,actions=normal. */
int flow_rule_default(struct flow_rule *rule);

#endif
