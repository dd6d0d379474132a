/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_CLASSIFIER_H
#define VSWITCH_DATAPATH_CLASSIFIER_H

/*
 * One flow table's rules, as an immutable structure PMD threads search:
 * tuple space search. Rules are grouped by mask ("subtables"); each
 * subtable is an rte_hash keyed by the masked words of the flow key that
 * its mask touches, so one subtable costs one hash lookup whatever its
 * number of rules. Subtables are searched in decreasing order of their
 * highest priority, and the search for a key stops as soon as the best
 * match so far outranks every subtable left.
 *
 * Rules with the same mask and the same masked key: only the one with the
 * highest priority can ever win, so only it is stored.
 *
 * Two rules of equal priority that one key can both match make the result
 * depend on the order of the search; the control side refuses such rules
 * (bridge/flow_table.h), so it does not arise here. If it does, either
 * rule may be returned.
 *
 * Threading: cls_table_build() and cls_table_destroy() on the control
 * thread; the table is never modified after build, so any number of PMD
 * threads may call cls_table_lookup_burst() on it at once, lock-free. It
 * is freed after an RCU grace period like every snapshot part.
 */

#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"

#define CLS_BURST_MAX 64

/* A rule as given to cls_table_build(). */
struct cls_rule_spec {
	struct flow_key key;  /* need not be masked: build masks it */
	struct flow_key mask;
	uint32_t priority;    /* higher wins */
	const void *payload;  /* returned by lookups; never dereferenced here */
};

struct cls_table;

/*
 * Builds the table for n rules (n may be 0: every lookup misses), on NUMA
 * socket socket_id (SOCKET_ID_ANY for any). Returns NULL and sets errno
 * (ENOMEM) on failure. The specs are copied; the payloads are not.
 */
struct cls_table *cls_table_build(const struct cls_rule_spec *rules, uint32_t n, int socket_id);
/* NULL is allowed. */
void cls_table_destroy(struct cls_table *t);

/*
 * For each of the n (<= CLS_BURST_MAX) keys, writes the payload of the
 * highest-priority rule matching it to payloads[i], or NULL when none does.
 * Datapath: lock-free, no allocation.
 */
void cls_table_lookup_burst(const struct cls_table *t, const struct flow_key *const keys[],
			    unsigned int n, const void *payloads[]);

/* Single-key form, for the control side and tests. */
const void *cls_table_lookup(const struct cls_table *t, const struct flow_key *key);

/* For show commands and the memory benchmark. */
unsigned int cls_table_n_rules(const struct cls_table *t);     /* stored (shadowed ones not) */
unsigned int cls_table_n_subtables(const struct cls_table *t);
size_t cls_table_memory(const struct cls_table *t);             /* bytes, hash tables included */

#endif
