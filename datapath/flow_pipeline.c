/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "flow_pipeline.h"

/* What the classifier returns for a rule: its entry first, so the payload is the rule. */
struct flow_builder_rule {
	struct flow_entry fe;
	struct cls_entry *ce;
	size_t size;
	struct flow_actions acts; /* variable length: fe.acts points here */
};

enum undo_kind { UNDO_ADD, UNDO_REMOVE, UNDO_SLOT };

struct undo {
	enum undo_kind kind;
	struct flow_builder_rule *rule;
	struct flow_builder_rule **slot;
	struct flow_builder_rule *old;  /* what *slot held */
	uint64_t version;               /* the one the change was for */
};

struct flow_builder {
	int socket_id;
	unsigned int refcnt;
	uint64_t version;   /* what changes are for: the next pipeline's */
	uint64_t committed; /* the version of the last pipeline cut before a commit */
	uint64_t cut;       /* the version of the last pipeline cut */
	size_t rule_bytes;
	struct cls_rules *tables[FLOW_PIPELINE_TABLES];
	unsigned int n_undo, cap_undo;
	struct undo *undo;
};

static uint64_t next_gen = 1;

static bool
rewrites_then_goto(const struct flow_actions *a)
{
	if (a->n == 0)
		return false;
	/* ct(table=N): what the next table sees depends on the connection. */
	if (a->a[a->n - 1].type == FLOW_ACT_CT)
		return (a->a[a->n - 1].val.ct.flags & CT_F_TABLE) != 0;
	if (a->a[a->n - 1].type != FLOW_ACT_GOTO_TABLE)
		return false;
	for (uint16_t i = 0; i + 1 < a->n; i++) {
		enum flow_act_type t = a->a[i].type;

		if (t != FLOW_ACT_OUTPUT && t != FLOW_ACT_NORMAL && t != FLOW_ACT_FLOOD)
			return true;
	}
	return false;
}

static void
rule_free(const void *payload)
{
	free((void *)(uintptr_t)payload);
}

struct flow_builder *
flow_builder_create(int socket_id)
{
	struct flow_builder *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	b->socket_id = socket_id;
	b->refcnt = 1;
	b->version = 1;
	return b;
}

void
flow_builder_put(struct flow_builder *b)
{
	if (b == NULL || --b->refcnt > 0)
		return;
	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		cls_rules_put(b->tables[t]);
	free(b->undo);
	free(b);
}

static int
log_undo(struct flow_builder *b, struct undo u)
{
	if (b->n_undo == b->cap_undo) {
		unsigned int cap = b->cap_undo ? 2 * b->cap_undo : 256;
		void *p = realloc(b->undo, cap * sizeof(*b->undo));

		if (p == NULL)
			return -ENOMEM;
		b->undo = p;
		b->cap_undo = cap;
	}
	b->undo[b->n_undo++] = u;
	return 0;
}

int
flow_builder_add(struct flow_builder *b, const struct flow_pipeline_rule *r,
		 struct flow_builder_rule **slot)
{
	struct undo u = {.kind = r ? UNDO_ADD : UNDO_SLOT, .slot = slot,
			 .old = slot ? *slot : NULL, .version = b->version};
	struct flow_builder_rule *fr;
	struct cls_rule_spec spec;
	size_t size;

	if (r == NULL) {
		if (slot == NULL)
			return 0;
		if (log_undo(b, u) < 0)
			return -ENOMEM;
		*slot = NULL;
		return 0;
	}
	if (r->table >= FLOW_PIPELINE_TABLES)
		return -EINVAL;
	if (b->tables[r->table] == NULL) {
		b->tables[r->table] = cls_rules_create(b->socket_id, rule_free);
		if (b->tables[r->table] == NULL)
			return -ENOMEM;
	}
	size = sizeof(*fr) + (size_t)r->n_acts * sizeof(struct flow_act);
	fr = malloc(size);
	if (fr == NULL)
		return -ENOMEM;
	fr->size = size;
	fr->acts.n = r->n_acts;
	if (r->n_acts > 0)
		memcpy(fr->acts.a, r->acts, r->n_acts * sizeof(struct flow_act));
	flow_actions_finish(&fr->acts);
	fr->fe = (struct flow_entry){
		.stats_slot = r->stats_slot,
		.table = r->table,
		.rewrites_then_goto = rewrites_then_goto(&fr->acts),
		.acts = &fr->acts,
	};
	spec = (struct cls_rule_spec){.key = r->key, .mask = r->mask, .priority = r->priority,
				      .payload = fr};
	u.rule = fr;
	if (log_undo(b, u) < 0) {
		free(fr);
		return -ENOMEM;
	}
	fr->ce = cls_rules_insert(b->tables[r->table], &spec, b->version);
	if (fr->ce == NULL) {
		b->n_undo--;
		free(fr);
		return -ENOMEM;
	}
	b->rule_bytes += size;
	if (slot != NULL)
		*slot = fr;
	return 0;
}

int
flow_builder_remove(struct flow_builder *b, struct flow_builder_rule *rule)
{
	struct undo u = {.kind = UNDO_REMOVE, .rule = rule, .version = b->version};

	/* Logged first: a removal that could not be taken back would stay. */
	if (log_undo(b, u) < 0)
		return -ENOMEM;
	cls_rules_remove(b->tables[rule->fe.table], rule->ce, b->version);
	b->rule_bytes -= rule->size;
	return 0;
}

void
flow_builder_abort(struct flow_builder *b)
{
	for (unsigned int i = b->n_undo; i-- > 0;) {
		struct undo *u = &b->undo[i];
		struct flow_builder_rule *r = u->rule;

		switch (u->kind) {
		case UNDO_ADD:
			/* Removed for the version it was added for: visible in none. */
			cls_rules_remove(b->tables[r->fe.table], r->ce, u->version);
			b->rule_bytes -= r->size;
			break;
		case UNDO_REMOVE:
			cls_rules_unremove(b->tables[r->fe.table], r->ce);
			b->rule_bytes += r->size;
			break;
		case UNDO_SLOT:
			break;
		}
		if (u->slot != NULL)
			*u->slot = u->old;
	}
	b->n_undo = 0;
	/* A version a pipeline may have been cut for is not used again. */
	if (b->version <= b->cut)
		b->version = b->cut + 1;
}

void
flow_builder_commit(struct flow_builder *b)
{
	b->n_undo = 0;
	b->committed = b->cut;
}

void
flow_builder_reclaim(struct flow_builder *b, struct rte_rcu_qsbr *qsbr)
{
	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		if (b->tables[t] != NULL)
			cls_rules_reclaim(b->tables[t], b->committed, qsbr);
}

static size_t
builder_memory(const struct flow_builder *b)
{
	size_t size = sizeof(*b) + b->rule_bytes;

	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		if (b->tables[t] != NULL)
			size += cls_rules_memory(b->tables[t]);
	return size;
}

struct flow_pipeline *
flow_builder_pipeline(struct flow_builder *b)
{
	struct flow_pipeline *p;
	unsigned int n_sub = 0;

	p = rte_zmalloc_socket("flow_pipeline", sizeof(*p), RTE_CACHE_LINE_SIZE, b->socket_id);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p->refcnt = 1;
	p->gen = next_gen++;
	p->builder = b;
	b->refcnt++;
	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++) {
		if (b->tables[t] == NULL || cls_rules_n_live(b->tables[t]) == 0)
			continue;
		p->n_rules += cls_rules_n_live(b->tables[t]);
		p->tables[t] = cls_rules_table(b->tables[t], b->version);
		if (p->tables[t] == NULL) {
			flow_pipeline_put(p);
			errno = ENOMEM;
			return NULL;
		}
		p->tables_used |= UINT64_C(1) << t;
		n_sub += cls_table_n_subtables(p->tables[t]);
	}
	p->use_cache = n_sub >= FLOW_PIPELINE_CACHE_MIN_SUBTABLES;
	b->cut = b->version++;
	return p;
}

struct flow_pipeline *
flow_pipeline_build(const struct flow_pipeline_rule *rules, uint32_t n, int socket_id)
{
	struct flow_builder *b = flow_builder_create(socket_id);
	struct flow_pipeline *p = NULL;
	int rc = 0;

	if (b == NULL)
		return NULL;
	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = flow_builder_add(b, &rules[i], NULL);
	if (rc == 0)
		p = flow_builder_pipeline(b);
	else
		errno = -rc;
	if (p != NULL)
		flow_builder_commit(b);
	flow_builder_put(b); /* the pipeline holds it now */
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
	flow_builder_put(p->builder);
	rte_free(p);
}

size_t
flow_pipeline_memory(const struct flow_pipeline *p)
{
	size_t size = sizeof(*p) + builder_memory(p->builder);

	for (unsigned int t = 0; t < FLOW_PIPELINE_TABLES; t++)
		if (p->tables[t] != NULL)
			size += cls_table_size(p->tables[t]);
	return size;
}
