/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_CLASSIFIER_H
#define VSWITCH_DATAPATH_CLASSIFIER_H

/*
 * One flow table's rules as PMD threads search them: tuple space search.
 * Rules are grouped by mask ("subtables"); each subtable is an rte_hash
 * keyed by the masked words of the flow key that its mask touches, so one
 * subtable costs one hash lookup whatever its number of rules. Subtables
 * are searched in decreasing order of their highest priority, and the
 * search for a key stops as soon as the best match so far outranks every
 * subtable left.
 *
 * Two objects:
 * - struct cls_rules, the rules themselves, changed in place by the control
 *   thread. Every rule carries the versions it is visible in: from the
 *   version it was inserted for, up to the one it was removed for. A change
 *   for version V is invisible to readers of older versions, so a whole
 *   bundle of changes becomes visible at once, and its cost is that of the
 *   changes, not of the rules already there.
 * - struct cls_table, one version of the rules as readers see it: the
 *   subtables in search order with their highest priorities, and the
 *   version. Immutable; cut from the rules by cls_rules_table().
 *
 * Rules with the same mask and masked key share one hash key, chained by
 * falling priority; a lookup takes the first rule of the chain visible in
 * its version.
 *
 * Two rules of equal priority that one key can both match make the result
 * depend on the order of the search; the control side refuses such rules
 * (bridge/flow_table.h), so it does not arise here. If it does, either
 * rule may be returned.
 *
 * Threading: everything but the lookups on the control thread. Lookups are
 * lock-free and allocation-free, by any number of PMD threads at once,
 * while the control thread changes the rules (rte_hash in its lock-free
 * reader mode). Memory a reader may still hold is freed only by
 * cls_rules_reclaim(), after an RCU grace period.
 */

#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"

#define CLS_BURST_MAX 64

/* A rule as given to cls_table_build(). */
struct cls_rule_spec {
	struct flow_key key;  /* need not be masked: the classifier masks it */
	struct flow_key mask;
	uint32_t priority;    /* higher wins */
	const void *payload;  /* returned by lookups; never dereferenced here */
};

struct cls_rules;
struct cls_table;
struct cls_entry; /* one inserted rule */
struct rte_rcu_qsbr;

/* Called for the payload of each rule the classifier frees. */
typedef void (*cls_payload_free_fn)(const void *payload);

/* --- the rules (control thread) --- */

/* Empty rules on NUMA socket socket_id (SOCKET_ID_ANY for any), with one
 * reference. NULL with errno ENOMEM. free_payload may be NULL. */
struct cls_rules *cls_rules_create(int socket_id, cls_payload_free_fn free_payload);
/* Every table cut from the rules holds a reference; the last put frees the
 * rules, and the payloads of every rule still there. NULL is allowed. */
void cls_rules_get(struct cls_rules *rules);
void cls_rules_put(struct cls_rules *rules);

/*
 * Inserts a rule visible from version on (greater than every version a
 * table was cut for). Returns its handle, or NULL with errno ENOMEM.
 */
struct cls_entry *cls_rules_insert(struct cls_rules *rules, const struct cls_rule_spec *spec,
				   uint64_t version);
/* Makes e invisible from version on; removing it for the version it was
 * inserted for makes it invisible in all. */
void cls_rules_remove(struct cls_rules *rules, struct cls_entry *e, uint64_t version);
/* Takes back a removal whose version no table was cut for yet. */
void cls_rules_unremove(struct cls_rules *rules, struct cls_entry *e);

/* The rules as visible in version, with one reference. NULL with errno. */
struct cls_table *cls_rules_table(struct cls_rules *rules, uint64_t version);

/*
 * Frees what no reader can reach any more, once every reader uses a table
 * of version published or later: the rules removed for published or
 * earlier, outgrown hashes, empty subtables. Waits for readers to pass a
 * quiescent state on qsbr before freeing (rte_rcu_qsbr_synchronize; NULL
 * when no thread can read).
 */
void cls_rules_reclaim(struct cls_rules *rules, uint64_t published, struct rte_rcu_qsbr *qsbr);

/* Rules inserted and not removed, and the bytes the rules use (hash
 * tables, entries). */
unsigned int cls_rules_n_live(const struct cls_rules *rules);
size_t cls_rules_memory(const struct cls_rules *rules);

/* --- one version (tables) --- */

/*
 * Builds a table of n rules (n may be 0: every lookup misses) in rules of
 * its own, on NUMA socket socket_id. NULL with errno ENOMEM. The specs are
 * copied; the payloads are not. For tests and benchmarks.
 */
struct cls_table *cls_table_build(const struct cls_rule_spec *rules, uint32_t n, int socket_id);
/* Drops a reference. NULL is allowed. */
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
unsigned int cls_table_n_rules(const struct cls_table *t);     /* visible rules */
unsigned int cls_table_n_subtables(const struct cls_table *t);
size_t cls_table_memory(const struct cls_table *t);             /* its own and its rules' bytes */
size_t cls_table_size(const struct cls_table *t);               /* its own bytes */

#endif
