/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "flow_pipeline.h"

static uint64_t next_gen = 1;

static size_t
acts_size(uint16_t n)
{
	return RTE_ALIGN_CEIL(sizeof(struct flow_actions) + (size_t)n * sizeof(struct flow_act), 8);
}

static bool
rewrites_then_goto(const struct flow_actions *a)
{
	if (a->n == 0 || a->a[a->n - 1].type != FLOW_ACT_GOTO_TABLE)
		return false;
	for (uint16_t i = 0; i + 1 < a->n; i++) {
		enum flow_act_type t = a->a[i].type;

		if (t != FLOW_ACT_OUTPUT && t != FLOW_ACT_NORMAL && t != FLOW_ACT_FLOOD)
			return true;
	}
	return false;
}

/* Copies every rule's entry and actions into one allocation. */
static int
fill_entries(struct flow_pipeline *p, const struct flow_pipeline_rule *rules, uint32_t n,
	     struct flow_entry **entries, int socket_id)
{
	size_t size = (size_t)n * sizeof(struct flow_entry);
	uint8_t *at;

	for (uint32_t i = 0; i < n; i++)
		size += acts_size(rules[i].n_acts);
	p->mem = rte_malloc_socket("flow_entries", size ? size : 8, RTE_CACHE_LINE_SIZE, socket_id);
	if (p->mem == NULL)
		return -ENOMEM;
	p->mem_size = size;
	*entries = p->mem;
	at = (uint8_t *)p->mem + (size_t)n * sizeof(struct flow_entry);
	for (uint32_t i = 0; i < n; i++) {
		struct flow_actions *a = (struct flow_actions *)at;

		a->n = rules[i].n_acts;
		if (a->n > 0)
			memcpy(a->a, rules[i].acts, a->n * sizeof(struct flow_act));
		flow_actions_finish(a);
		(*entries)[i] = (struct flow_entry){
			.stats_slot = rules[i].stats_slot,
			.table = rules[i].table,
			.rewrites_then_goto = rewrites_then_goto(a),
			.acts = a,
		};
		at += acts_size(a->n);
	}
	return 0;
}

static int
build_tables(struct flow_pipeline *p, const struct flow_pipeline_rule *rules, uint32_t n,
	     const struct flow_entry *entries, int socket_id)
{
	struct cls_rule_spec *specs = malloc(sizeof(*specs) * (n ? n : 1));
	uint32_t per_table[FLOW_PIPELINE_TABLES] = {0};
	unsigned int n_sub = 0;
	int rc = 0;

	if (specs == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		per_table[rules[i].table]++;
	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES && rc == 0; t++) {
		uint32_t k = 0;

		if (per_table[t] == 0)
			continue;
		for (uint32_t i = 0; i < n; i++) {
			if (rules[i].table != t)
				continue;
			specs[k++] = (struct cls_rule_spec){
				.key = rules[i].key,
				.mask = rules[i].mask,
				.priority = rules[i].priority,
				.payload = &entries[i],
			};
		}
		p->tables[t] = cls_table_build(specs, k, socket_id);
		if (p->tables[t] == NULL) {
			rc = -errno;
		} else {
			p->tables_used |= UINT64_C(1) << t;
			n_sub += cls_table_n_subtables(p->tables[t]);
		}
	}
	free(specs);
	p->use_cache = n_sub >= FLOW_PIPELINE_CACHE_MIN_SUBTABLES;
	return rc;
}

struct flow_pipeline *
flow_pipeline_build(const struct flow_pipeline_rule *rules, uint32_t n, int socket_id)
{
	struct flow_pipeline *p;
	struct flow_entry *entries;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		if (rules[i].table >= FLOW_PIPELINE_TABLES) {
			errno = EINVAL;
			return NULL;
		}
	}
	p = rte_zmalloc_socket("flow_pipeline", sizeof(*p), RTE_CACHE_LINE_SIZE, socket_id);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p->refcnt = 1;
	p->n_rules = n;
	p->gen = next_gen++;
	rc = fill_entries(p, rules, n, &entries, socket_id);
	if (rc == 0)
		rc = build_tables(p, rules, n, entries, socket_id);
	if (rc < 0) {
		flow_pipeline_put(p);
		errno = -rc;
		return NULL;
	}
	return p;
}

void
flow_pipeline_get(struct flow_pipeline *p)
{
	if (p != NULL)
		p->refcnt++;
}

void
flow_pipeline_put(struct flow_pipeline *p)
{
	if (p == NULL || --p->refcnt > 0)
		return;
	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		cls_table_destroy(p->tables[t]);
	rte_free(p->mem);
	rte_free(p);
}

size_t
flow_pipeline_memory(const struct flow_pipeline *p)
{
	size_t size = sizeof(*p) + p->mem_size;

	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		if (p->tables[t] != NULL)
			size += cls_table_memory(p->tables[t]);
	return size;
}
