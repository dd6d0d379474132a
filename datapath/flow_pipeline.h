/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_FLOW_PIPELINE_H
#define VSWITCH_DATAPATH_FLOW_PIPELINE_H

/*
 * A bridge's flow tables as PMD threads see them: one classifier per table
 * and, for every rule, what a hit does (its actions, with port numbers) and
 * where it counts. Immutable once built; a snapshot holds a reference, so
 * snapshots that differ in other ways share one pipeline, and the last
 * snapshot to let go of it frees it (after the RCU grace period that frees
 * the snapshot itself).
 *
 * A bridge whose only rule is the default one (table 0, priority 0,
 * actions=normal) has no pipeline at all: its snapshot says NULL and its
 * frames take the L2 path without classification.
 *
 * Build and reference counting: control thread only.
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
	 * to pop, an L4 header to rewrite?), so such paths are not cached. */
	bool rewrites_then_goto;
	const struct flow_actions *acts;
};

struct flow_pipeline {
	uint64_t gen;         /* unique among all pipelines ever built */
	uint64_t tables_used; /* bit t: table t has rules (others miss at once) */
	struct cls_table *tables[FLOW_PIPELINE_TABLES];
	void *mem;            /* the entries and their action lists */
	size_t mem_size;
	uint32_t n_rules;
	bool use_cache;       /* classifying costs more than the flow cache does */
	unsigned int refcnt;  /* cp only */
};

/* A rule to build, with its ports already turned into port numbers. */
struct flow_pipeline_rule {
	uint8_t table;
	uint16_t priority;
	uint32_t stats_slot;
	struct flow_key key;
	struct flow_key mask;
	uint16_t n_acts;
	const struct flow_act *acts; /* copied */
};

/* Builds a pipeline with one reference. NULL with errno (ENOMEM, EINVAL for
 * a table number out of range). */
struct flow_pipeline *flow_pipeline_build(const struct flow_pipeline_rule *rules, uint32_t n,
					  int socket_id);
/* NULL is allowed in both. */
void flow_pipeline_get(struct flow_pipeline *p);
void flow_pipeline_put(struct flow_pipeline *p);

/* Bytes in use: classifiers, entries and actions. */
size_t flow_pipeline_memory(const struct flow_pipeline *p);

#endif
