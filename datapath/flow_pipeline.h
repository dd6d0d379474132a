/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_PIPELINE_H
#define VSWITCH_DATAPATH_FLOW_PIPELINE_H

/*
 * A bridge's flow tables as PMD threads see them (struct flow_pipeline):
 * one classifier table per flow table and, for every rule, what a hit does
 * (its actions, with port numbers) and where it counts. Immutable once cut;
 * a snapshot holds a reference, so snapshots that differ in other ways
 * share one pipeline, and the last snapshot to let go of it frees it
 * (after the RCU grace period that frees the snapshot itself).
 *
 * Pipelines are cut from a flow_builder, which holds the rules and is
 * changed in place: rules added and removed since the last pipeline are
 * visible only to the next one (classifier.h's versions), so a change costs
 * what it changes, and the PMD threads move from one rule set to the next
 * at the instant a snapshot with the new pipeline is published. Changes
 * can be taken back (flow_builder_abort()) until committed.
 *
 * A bridge whose only rule is the default one (table 0, priority 0,
 * actions=normal) has no pipeline at all: its snapshot says NULL and its
 * frames take the L2 path without classification.
 *
 * Builders and reference counting: control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classifier.h"
#include "flow_actions.h"
#include "flow_key.h"

#define FLOW_PIPELINE_TABLES 64
/* Below this many subtables in all, a search is cheaper than a cache lookup
 * (microbench_cls: about 35 cycles a subtable). */
#define FLOW_PIPELINE_CACHE_MIN_SUBTABLES 4

/* What a classifier hit leads to. */
struct flow_entry {
	uint32_t stats_slot;
	uint8_t table;
	/* Changes the frame, then goes to another table. What a later table
	 * sees then depends on more than the flow key (is there an inner tag
	 * to pop, an L4 header to rewrite?): the flow cache keeps a path up to
	 * such a rule, and the tables after it are searched. ct(table=N)
	 * counts as such a rule: the connection decides. */
	bool rewrites_then_goto;
	const struct flow_actions *acts;
};

struct flow_builder;
struct flow_builder_rule; /* a rule in a builder */
struct rte_rcu_qsbr;

struct flow_pipeline {
	uint64_t gen;         /* unique among all pipelines ever cut */
	uint64_t tables_used; /* bit t: table t has rules (others miss at once) */
	struct cls_table *tables[FLOW_PIPELINE_TABLES];
	struct flow_builder *builder; /* a reference: the rules the tables show */
	uint32_t n_rules;
	bool use_cache;       /* classifying costs more than the flow cache does */
	unsigned int refcnt;  /* cp only */
};

/* A rule to add, with its ports already turned into port numbers. */
struct flow_pipeline_rule {
	uint8_t table;
	uint16_t priority;
	uint32_t stats_slot;
	struct flow_key key;
	struct flow_key mask;
	uint16_t n_acts;
	const struct flow_act *acts; /* copied */
};

/* An empty builder with one reference; NULL with errno ENOMEM. */
struct flow_builder *flow_builder_create(int socket_id);
/* Each pipeline holds a reference too. NULL is allowed. */
void flow_builder_put(struct flow_builder *b);

/*
 * Adds a rule for the next pipeline and stores its handle in *slot, or,
 * with r NULL, stores NULL there (a rule that takes no part for now). An
 * abort puts back what *slot held, so slot must outlive the changes.
 * slot NULL is allowed. -ENOMEM, -EINVAL for a table out of range.
 */
int flow_builder_add(struct flow_builder *b, const struct flow_pipeline_rule *r,
		     struct flow_builder_rule **slot);
/* Removes a rule from the next pipeline on. -ENOMEM leaves it there. */
int flow_builder_remove(struct flow_builder *b, struct flow_builder_rule *rule);
/* A pipeline of the rules with the changes so far, with one reference.
 * Further changes are for the pipeline after it. NULL with errno. */
struct flow_pipeline *flow_builder_pipeline(struct flow_builder *b);
/* Takes back every change since the last commit, in reverse order. Any
 * pipeline cut since then must not be published. */
void flow_builder_abort(struct flow_builder *b);
/* Makes the changes so far final. */
void flow_builder_commit(struct flow_builder *b);
/* Frees the removed rules: call once the last committed pipeline is the
 * published one and no older one is in use. qsbr: the readers' RCU
 * variable (NULL when there are none). */
void flow_builder_reclaim(struct flow_builder *b, struct rte_rcu_qsbr *qsbr);

/* Builds a pipeline of n rules in a builder of its own, with one
 * reference. NULL with errno (ENOMEM, EINVAL for a table number out of
 * range). For tests and benchmarks. */
struct flow_pipeline *flow_pipeline_build(const struct flow_pipeline_rule *rules, uint32_t n,
					  int socket_id);
/* NULL is allowed in both. */
void flow_pipeline_get(struct flow_pipeline *p);
void flow_pipeline_put(struct flow_pipeline *p);

/* Bytes in use now: the builder's classifiers, entries and actions (shared
 * with the other pipelines cut from it), and this pipeline's tables. */
size_t flow_pipeline_memory(const struct flow_pipeline *p);

#endif
