/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_table.h"

/* A rule with its places in the mask group and in the table's array. */
struct ftr {
	struct flow_table_rule pub;
	unsigned int pos;
	unsigned int at;
};

/* The rules of one (table, priority) with one mask. */
struct mask_group {
	struct flow_key mask;
	unsigned int n, cap;
	struct ftr **rules;
};

/* The rules of one (table, priority), by mask. */
struct prio_group {
	uint8_t table;
	uint16_t priority;
	unsigned int n_masks, cap_masks;
	struct mask_group **masks;
};

struct flow_table {
	void *by_ident;   /* tsearch tree of struct ftr *, by (table, priority, mask, key) */
	void *by_prio;    /* tsearch tree of struct prio_group *, by (table, priority) */
	unsigned int n_rules;
	/* Every rule, unordered: the once-a-second tick walks this rather than
	 * a tree. */
	struct ftr **all;
	unsigned int cap_all;
	unsigned int n_timed; /* rules with a timeout: expiry looks only when any */
	uint64_t next_id;
	unsigned int n_pending, cap_pending;
	uint32_t *pending; /* slots of removed rules, until the next release */
};

enum change_kind { CH_ADDED, CH_REMOVED, CH_MODIFIED, CH_REVIVED };

struct change {
	enum change_kind kind;
	bool revived;            /* CH_REMOVED: added back later in the same transaction */
	struct ftr *rule;
	struct flow_act *old_acts; /* CH_MODIFIED */
	uint16_t old_n;
};

struct flow_txn {
	unsigned int n, cap;
	struct change *c;
	void *removed; /* tsearch tree of the rules removed so far, for revival */
};

static int
ident_cmp(const void *pa, const void *pb)
{
	const struct flow_rule *a = &((const struct ftr *)pa)->pub.r;
	const struct flow_rule *b = &((const struct ftr *)pb)->pub.r;
	int d;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1; /* highest first */
	d = memcmp(&a->mask, &b->mask, sizeof(a->mask));
	return d != 0 ? d : memcmp(&a->key, &b->key, sizeof(a->key));
}

static int
prio_cmp(const void *pa, const void *pb)
{
	const struct prio_group *a = pa, *b = pb;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	return a->priority == b->priority ? 0 : a->priority > b->priority ? -1 : 1;
}

static int
grow(void **arr, unsigned int *cap, unsigned int need, size_t elem)
{
	unsigned int c = *cap ? *cap : 4;
	void *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*arr, (size_t)c * elem);
	if (p == NULL)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

struct flow_table *
flow_table_create(void)
{
	struct flow_table *ft = calloc(1, sizeof(*ft));

	if (ft != NULL)
		ft->next_id = 1;
	return ft;
}

static void
rule_free(struct ftr *r)
{
	if (r == NULL)
		return;
	flow_rule_free(&r->pub.r);
	free(r);
}

static struct prio_group *
prio_find(const struct flow_table *ft, uint8_t table, uint16_t priority)
{
	struct prio_group key = {.table = table, .priority = priority};
	void *node = tfind(&key, &ft->by_prio, prio_cmp);

	return node ? *(struct prio_group **)node : NULL;
}

/* Puts r into both indexes. -ENOMEM leaves them as they were. */
static int
link_rule(struct flow_table *ft, struct ftr *r)
{
	const struct flow_rule *fr = &r->pub.r;
	struct prio_group *pg = prio_find(ft, fr->table, fr->priority);
	struct mask_group *mg = NULL;
	bool new_pg = false;
	void *node;

	if (pg == NULL) {
		pg = calloc(1, sizeof(*pg));
		if (pg == NULL)
			return -ENOMEM;
		pg->table = fr->table;
		pg->priority = fr->priority;
		node = tsearch(pg, &ft->by_prio, prio_cmp);
		if (node == NULL) {
			free(pg);
			return -ENOMEM;
		}
		new_pg = true;
	}
	for (unsigned int i = 0; i < pg->n_masks && mg == NULL; i++)
		if (memcmp(&pg->masks[i]->mask, &fr->mask, sizeof(fr->mask)) == 0)
			mg = pg->masks[i];
	if (mg == NULL) {
		if (grow((void **)&pg->masks, &pg->cap_masks, pg->n_masks + 1, sizeof(mg)) < 0)
			goto fail;
		mg = calloc(1, sizeof(*mg));
		if (mg == NULL)
			goto fail;
		mg->mask = fr->mask;
		pg->masks[pg->n_masks++] = mg;
	}
	if (grow((void **)&mg->rules, &mg->cap, mg->n + 1, sizeof(r)) < 0 ||
	    grow((void **)&ft->all, &ft->cap_all, ft->n_rules + 1, sizeof(r)) < 0)
		goto fail_mg;
	node = tsearch(r, &ft->by_ident, ident_cmp);
	if (node == NULL)
		goto fail_mg;
	r->pos = mg->n;
	mg->rules[mg->n++] = r;
	r->at = ft->n_rules;
	ft->all[ft->n_rules++] = r;
	ft->n_timed += fr->idle_timeout != 0 || fr->hard_timeout != 0;
	return 0;
fail_mg:
	if (mg->n == 0) {
		free(mg->rules);
		free(mg);
		pg->n_masks--;
	}
fail:
	if (new_pg) {
		tdelete(pg, &ft->by_prio, prio_cmp);
		free(pg->masks);
		free(pg);
	}
	return -ENOMEM;
}

static void
unlink_rule(struct flow_table *ft, struct ftr *r)
{
	const struct flow_rule *fr = &r->pub.r;
	struct prio_group *pg = prio_find(ft, fr->table, fr->priority);
	unsigned int i;

	tdelete(r, &ft->by_ident, ident_cmp);
	ft->n_rules--;
	ft->all[r->at] = ft->all[ft->n_rules];
	ft->all[r->at]->at = r->at;
	ft->n_timed -= fr->idle_timeout != 0 || fr->hard_timeout != 0;
	for (i = 0; i < pg->n_masks; i++) {
		struct mask_group *mg = pg->masks[i];

		if (memcmp(&mg->mask, &fr->mask, sizeof(fr->mask)) != 0)
			continue;
		mg->rules[r->pos] = mg->rules[--mg->n];
		mg->rules[r->pos]->pos = r->pos;
		if (mg->n == 0) {
			free(mg->rules);
			free(mg);
			pg->masks[i] = pg->masks[--pg->n_masks];
		}
		break;
	}
	if (pg->n_masks == 0) {
		tdelete(pg, &ft->by_prio, prio_cmp);
		free(pg->masks);
		free(pg);
	}
}

static struct ftr *
find_ident(const struct flow_table *ft, const struct flow_rule *spec)
{
	struct ftr key;
	void *node;

	key.pub.r.table = spec->table;
	key.pub.r.priority = spec->priority;
	key.pub.r.mask = spec->mask;
	key.pub.r.key = spec->key;
	node = tfind(&key, &ft->by_ident, ident_cmp);
	return node ? *(struct ftr **)node : NULL;
}

static bool
mask_subset(const struct flow_key *small, const struct flow_key *big)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if ((small->w[i] & big->w[i]) != small->w[i])
			return false;
	return true;
}

/* A rule of r's table and priority that some packet could match along with
 * r, or NULL. A rule with r's very mask overlaps only if identical. */
static struct ftr *
find_overlap(const struct flow_table *ft, const struct flow_rule *r)
{
	struct prio_group *pg = prio_find(ft, r->table, r->priority);

	if (pg == NULL)
		return NULL;
	for (unsigned int i = 0; i < pg->n_masks; i++) {
		struct mask_group *mg = pg->masks[i];

		if (memcmp(&mg->mask, &r->mask, sizeof(r->mask)) == 0)
			continue;
		if (mask_subset(&mg->mask, &r->mask)) {
			/* The group's rules are less specific: only one key can overlap. */
			struct flow_rule probe = *r;

			probe.mask = mg->mask;
			flow_key_and(&probe.key, &r->key, &mg->mask);
			struct ftr *hit = find_ident(ft, &probe);

			if (hit != NULL)
				return hit;
			continue;
		}
		for (unsigned int j = 0; j < mg->n; j++)
			if (flow_rule_overlaps(r, &mg->rules[j]->pub.r))
				return mg->rules[j];
	}
	return NULL;
}

static int
txn_push(struct flow_txn *txn, enum change_kind kind, struct ftr *r)
{
	if (grow((void **)&txn->c, &txn->cap, txn->n + 1, sizeof(txn->c[0])) < 0)
		return -ENOMEM;
	txn->c[txn->n++] = (struct change){.kind = kind, .rule = r};
	return 0;
}

static int
remove_rule(struct flow_table *ft, struct flow_txn *txn, struct ftr *r)
{
	if (txn_push(txn, CH_REMOVED, r) < 0)
		return -ENOMEM;
	if (tsearch(r, &txn->removed, ident_cmp) == NULL) {
		txn->n--;
		return -ENOMEM;
	}
	unlink_rule(ft, r);
	return 0;
}

static bool
acts_equal(const struct flow_rule *a, const struct flow_rule *b)
{
	return a->n_actions == b->n_actions &&
	       (a->n_actions == 0 ||
		memcmp(a->actions, b->actions, a->n_actions * sizeof(a->actions[0])) == 0);
}

/* A rule this transaction removed that equals spec in every respect, so
 * adding spec can take it back with its counters (replace-flows). */
static struct ftr *
find_revivable(struct flow_txn *txn, const struct flow_rule *spec)
{
	struct ftr key;
	struct ftr *r;
	void *node;

	key.pub.r = *spec;
	node = tfind(&key, &txn->removed, ident_cmp);
	if (node == NULL)
		return NULL;
	r = *(struct ftr **)node;
	if (r->pub.r.cookie != spec->cookie || r->pub.r.idle_timeout != spec->idle_timeout ||
	    r->pub.r.hard_timeout != spec->hard_timeout || !acts_equal(&r->pub.r, spec))
		return NULL;
	return r;
}

static int
revive(struct flow_table *ft, struct flow_txn *txn, struct ftr *r)
{
	if (txn_push(txn, CH_REVIVED, r) < 0)
		return -ENOMEM;
	if (link_rule(ft, r) < 0) {
		txn->n--;
		return -ENOMEM;
	}
	tdelete(r, &txn->removed, ident_cmp);
	for (unsigned int i = txn->n - 1; i-- > 0;) {
		if (txn->c[i].rule == r && txn->c[i].kind == CH_REMOVED) {
			txn->c[i].revived = true;
			break;
		}
	}
	return 0;
}

static int
op_add(struct flow_table *ft, struct flow_stats_pool *pool, struct flow_txn *txn,
       const struct flow_op *op, uint64_t now, flow_port_name_fn port_name, void *arg,
       char *err, size_t errlen)
{
	struct ftr *old = find_ident(ft, &op->rule), *r, *dup;
	int64_t slot;
	int rc;

	if (old == NULL) {
		/* Checked before reviving too: the transaction may have added an
		 * overlapping rule since it removed this one. */
		dup = find_overlap(ft, &op->rule);
		if (dup != NULL) {
			char text[FLOW_TEXT_MAX + 1];

			flow_rule_format(&dup->pub.r, port_name, arg, text, sizeof(text));
			snprintf(err, errlen,
				 "overlaps the rule \"%s\" of the same priority: a packet could "
				 "match both; give one of them another priority", text);
			return -EEXIST;
		}
		r = find_revivable(txn, &op->rule);
		if (r != NULL)
			return revive(ft, txn, r);
		if (ft->n_rules >= FLOW_TABLE_MAX_RULES) {
			snprintf(err, errlen, "the bridge has %u rules, the most it can hold",
				 FLOW_TABLE_MAX_RULES);
			return -ENOSPC;
		}
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL || flow_rule_copy(&r->pub.r, &op->rule) < 0) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	slot = flow_stats_pool_alloc(pool);
	if (slot < 0) {
		rule_free(r);
		snprintf(err, errlen, "no counters left for another rule (%u in all)",
			 FLOW_STATS_MAX_SLOTS);
		return (int)slot;
	}
	r->pub.slot = (uint32_t)slot;
	r->pub.id = op->id ? op->id : ft->next_id;
	if (r->pub.id >= ft->next_id)
		ft->next_id = r->pub.id + 1;
	r->pub.created = now;
	r->pub.last_used = now;
	if (old != NULL && (rc = remove_rule(ft, txn, old)) < 0)
		goto fail;
	rc = txn_push(txn, CH_ADDED, r);
	if (rc == 0) {
		rc = link_rule(ft, r);
		if (rc < 0)
			txn->n--;
	}
	if (rc == 0)
		return 0;
fail:
	flow_stats_pool_release(pool, r->pub.slot);
	rule_free(r);
	snprintf(err, errlen, "out of memory");
	return rc;
}

struct collect {
	const struct flow_rule *filter;
	unsigned int n, cap;
	struct ftr **rules;
	int rc;
};

/* Calls fn for every rule, in identity order (twalk_r's in-order visits). */
typedef void (*rule_fn)(struct ftr *r, void *arg);

struct each {
	rule_fn fn;
	void *arg;
};

static void
each_node(const void *node, VISIT which, void *closure)
{
	struct each *e = closure;

	if (which == postorder || which == leaf)
		e->fn(*(struct ftr *const *)node, e->arg);
}

static void
each_rule(const struct flow_table *ft, rule_fn fn, void *arg)
{
	struct each e = {.fn = fn, .arg = arg};

	twalk_r(ft->by_ident, each_node, &e);
}

static void
collect_visit(struct ftr *r, void *closure)
{
	struct collect *c = closure;

	if (c->rc < 0)
		return;
	if (c->filter->has_table && r->pub.r.table != c->filter->table)
		return;
	if (!flow_rule_covered_by(&r->pub.r, c->filter))
		return;
	if (grow((void **)&c->rules, &c->cap, c->n + 1, sizeof(r)) < 0) {
		c->rc = -ENOMEM;
		return;
	}
	c->rules[c->n++] = r;
}

/* The rules an operation works on: the one exact rule, or all it covers. */
static int
op_targets(struct flow_table *ft, const struct flow_op *op, struct collect *c)
{
	bool strict = op->type == FLOW_OP_DEL_STRICT || op->type == FLOW_OP_MOD_STRICT;

	memset(c, 0, sizeof(*c));
	c->filter = &op->rule;
	if (strict) {
		/* Without table=, the exact rule is looked for in every table. */
		unsigned int t0 = op->rule.has_table ? op->rule.table : 0;
		unsigned int t1 = op->rule.has_table ? op->rule.table : FLOW_N_TABLES - 1;
		struct flow_rule spec = op->rule;

		for (unsigned int t = t0; t <= t1; t++) {
			struct ftr *r;

			spec.table = (uint8_t)t;
			r = find_ident(ft, &spec);
			if (r == NULL || (r->pub.r.cookie & spec.cookie_mask) !=
					 (spec.cookie & spec.cookie_mask))
				continue;
			if (grow((void **)&c->rules, &c->cap, c->n + 1, sizeof(r)) < 0)
				return -ENOMEM;
			c->rules[c->n++] = r;
		}
		return 0;
	}
	each_rule(ft, collect_visit, c);
	return c->rc;
}

static int
op_modify(struct flow_txn *txn, struct ftr *r, const struct flow_rule *with)
{
	struct flow_act *acts = NULL;

	if (with->n_actions > 0) {
		acts = malloc(with->n_actions * sizeof(*acts));
		if (acts == NULL)
			return -ENOMEM;
		memcpy(acts, with->actions, with->n_actions * sizeof(*acts));
	}
	if (txn_push(txn, CH_MODIFIED, r) < 0) {
		free(acts);
		return -ENOMEM;
	}
	txn->c[txn->n - 1].old_acts = r->pub.r.actions;
	txn->c[txn->n - 1].old_n = r->pub.r.n_actions;
	r->pub.r.actions = acts;
	r->pub.r.n_actions = with->n_actions;
	return 0;
}

static int
apply_one(struct flow_table *ft, struct flow_stats_pool *pool, struct flow_txn *txn,
	  const struct flow_op *op, uint64_t now, flow_port_name_fn port_name, void *arg,
	  char *err, size_t errlen)
{
	struct collect c;
	int rc;

	if (op->type == FLOW_OP_ADD)
		return op_add(ft, pool, txn, op, now, port_name, arg, err, errlen);
	rc = op_targets(ft, op, &c);
	for (unsigned int i = 0; i < c.n && rc == 0; i++) {
		if (op->type == FLOW_OP_DEL || op->type == FLOW_OP_DEL_STRICT)
			rc = remove_rule(ft, txn, c.rules[i]);
		else
			rc = op_modify(txn, c.rules[i], &op->rule);
	}
	free(c.rules);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

int
flow_table_apply(struct flow_table *ft, struct flow_stats_pool *pool,
		 const struct flow_op *ops, unsigned int n, uint64_t now,
		 flow_port_name_fn port_name, void *arg, struct flow_txn **txnp,
		 unsigned int *failed, char *err, size_t errlen)
{
	struct flow_txn *txn = calloc(1, sizeof(*txn));

	*txnp = NULL;
	if (txn == NULL) {
		snprintf(err, errlen, "out of memory");
		*failed = 0;
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		int rc = apply_one(ft, pool, txn, &ops[i], now, port_name, arg, err, errlen);

		if (rc < 0) {
			*failed = i;
			flow_table_abort(ft, pool, txn);
			return rc;
		}
	}
	*txnp = txn;
	return 0;
}

struct expire {
	uint64_t now;
	unsigned int n, cap;
	struct ftr **rules;
};

static void
expire_visit(struct ftr *r, void *closure)
{
	struct expire *e = closure;
	const struct flow_rule *fr = &r->pub.r;

	/* Milliseconds against seconds: a rule never goes before its time. */
	if ((fr->hard_timeout == 0 || e->now - r->pub.created < fr->hard_timeout * UINT64_C(1000)) &&
	    (fr->idle_timeout == 0 || e->now - r->pub.last_used < fr->idle_timeout * UINT64_C(1000)))
		return;
	if (grow((void **)&e->rules, &e->cap, e->n + 1, sizeof(r)) == 0)
		e->rules[e->n++] = r;
}

unsigned int
flow_table_expire(struct flow_table *ft, uint64_t now, struct flow_txn **txnp)
{
	struct expire e = {.now = now};
	struct flow_txn *txn;
	unsigned int n = 0;

	*txnp = NULL;
	if (ft->n_timed == 0)
		return 0;
	for (unsigned int i = 0; i < ft->n_rules; i++)
		expire_visit(ft->all[i], &e);
	if (e.n == 0 || (txn = calloc(1, sizeof(*txn))) == NULL) {
		free(e.rules);
		return 0;
	}
	for (unsigned int i = 0; i < e.n; i++)
		if (remove_rule(ft, txn, e.rules[i]) == 0)
			n++;
	free(e.rules);
	*txnp = txn;
	return n;
}

static void
noop_free(void *p)
{
	(void)p;
}

void
flow_table_abort(struct flow_table *ft, struct flow_stats_pool *pool, struct flow_txn *txn)
{
	if (txn == NULL)
		return;
	for (unsigned int i = txn->n; i-- > 0;) {
		struct change *c = &txn->c[i];

		switch (c->kind) {
		case CH_ADDED:
			unlink_rule(ft, c->rule);
			flow_stats_pool_release(pool, c->rule->pub.slot);
			rule_free(c->rule);
			break;
		case CH_REMOVED:
			/* Room for it was there a moment ago; a failure here would
			 * lose a rule, so it is retried rather than given up. */
			while (link_rule(ft, c->rule) < 0)
				;
			break;
		case CH_REVIVED:
			unlink_rule(ft, c->rule);
			break;
		case CH_MODIFIED:
			free(c->rule->pub.r.actions);
			c->rule->pub.r.actions = c->old_acts;
			c->rule->pub.r.n_actions = c->old_n;
			break;
		}
	}
	tdestroy(txn->removed, noop_free);
	free(txn->c);
	free(txn);
}

void
flow_table_commit(struct flow_table *ft, struct flow_txn *txn)
{
	if (txn == NULL)
		return;
	for (unsigned int i = 0; i < txn->n; i++) {
		struct change *c = &txn->c[i];

		if (c->kind == CH_MODIFIED) {
			free(c->old_acts);
		} else if (c->kind == CH_REMOVED && !c->revived) {
			/* The slot outlives the rule until no pipeline counts into it. */
			if (grow((void **)&ft->pending, &ft->cap_pending, ft->n_pending + 1,
				 sizeof(uint32_t)) == 0)
				ft->pending[ft->n_pending++] = c->rule->pub.slot;
			rule_free(c->rule);
		}
	}
	tdestroy(txn->removed, noop_free);
	free(txn->c);
	free(txn);
}

void
flow_table_release(struct flow_table *ft, struct flow_stats_pool *pool)
{
	for (unsigned int i = 0; i < ft->n_pending; i++)
		flow_stats_pool_release(pool, ft->pending[i]);
	ft->n_pending = 0;
}

int
flow_txn_visit(const struct flow_txn *txn, flow_txn_put_fn put, flow_txn_del_fn del, void *arg)
{
	for (unsigned int i = 0; i < txn->n; i++) {
		const struct change *c = &txn->c[i];
		int rc = 0;

		if (c->kind == CH_REMOVED && !c->revived)
			rc = del(c->rule->pub.id, arg);
		else if (c->kind == CH_ADDED || c->kind == CH_MODIFIED)
			rc = put(&c->rule->pub, arg);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
flow_txn_each_change(struct flow_txn *txn, flow_txn_rule_fn added, flow_txn_rule_fn removed,
		     void *arg)
{
	for (unsigned int i = 0; i < txn->n; i++) {
		struct flow_table_rule *r = &txn->c[i].rule->pub;
		int rc = 0;

		switch (txn->c[i].kind) {
		case CH_MODIFIED:
			rc = removed(r, arg);
			/* fall through */
		case CH_ADDED:
		case CH_REVIVED:
			if (rc == 0)
				rc = added(r, arg);
			break;
		case CH_REMOVED:
			rc = removed(r, arg);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct each_pub {
	flow_txn_rule_fn fn;
	void *arg;
	int rc;
};

static void
each_pub_visit(struct ftr *r, void *closure)
{
	struct each_pub *e = closure;

	if (e->rc == 0)
		e->rc = e->fn(&r->pub, e->arg);
}

int
flow_table_each(struct flow_table *ft, flow_txn_rule_fn fn, void *arg)
{
	struct each_pub e = {.fn = fn, .arg = arg};

	each_rule(ft, each_pub_visit, &e);
	return e.rc;
}

void
flow_txn_counts(const struct flow_txn *txn, unsigned int *added, unsigned int *removed,
		unsigned int *modified)
{
	*added = *removed = *modified = 0;
	for (unsigned int i = 0; i < txn->n; i++) {
		const struct change *c = &txn->c[i];

		*added += c->kind == CH_ADDED;
		*removed += c->kind == CH_REMOVED && !c->revived;
		*modified += c->kind == CH_MODIFIED;
	}
}

unsigned int
flow_table_n_rules(const struct flow_table *ft)
{
	return ft->n_rules;
}

struct visit {
	flow_table_visit_fn fn;
	void *arg;
};

static void
visit_pub(struct ftr *r, void *closure)
{
	struct visit *v = closure;

	v->fn(&r->pub, v->arg);
}

void
flow_table_visit(const struct flow_table *ft, flow_table_visit_fn fn, void *arg)
{
	struct visit v = {.fn = fn, .arg = arg};

	each_rule(ft, visit_pub, &v);
}

static void
first_rule(const struct flow_table_rule *rule, void *arg)
{
	*(const struct flow_table_rule **)arg = rule;
}

bool
flow_table_is_default(const struct flow_table *ft, uint32_t *slot)
{
	const struct flow_table_rule *r = NULL;
	static const struct flow_key zero;

	if (ft->n_rules != 1)
		return false;
	flow_table_visit(ft, first_rule, &r);
	if (r->r.table != 0 || r->r.priority != 0 || r->r.n_actions != 1 ||
	    r->r.actions[0].type != FLOW_ACT_NORMAL ||
	    memcmp(&r->r.mask, &zero, sizeof(zero)) != 0)
		return false;
	*slot = r->slot;
	return true;
}

struct tick {
	const struct flow_stats_pool *pool;
	uint64_t now;
};

static void
tick_visit(struct ftr *r, void *closure)
{
	struct tick *t = closure;
	struct flow_counter c;

	flow_stats_pool_read(t->pool, r->pub.slot, &c);
	if (c.packets != r->pub.last_packets) {
		r->pub.last_packets = c.packets;
		r->pub.last_used = t->now;
	}
}

void
flow_table_tick(struct flow_table *ft, const struct flow_stats_pool *pool, uint64_t now)
{
	struct tick t = {.pool = pool, .now = now};

	for (unsigned int i = 0; i < ft->n_rules; i++)
		tick_visit(ft->all[i], &t);
}

static void
rule_node_free(void *p)
{
	rule_free(p);
}

static void
prio_node_free(void *p)
{
	struct prio_group *pg = p;

	for (unsigned int i = 0; i < pg->n_masks; i++) {
		free(pg->masks[i]->rules);
		free(pg->masks[i]);
	}
	free(pg->masks);
	free(pg);
}

static void
release_visit(struct ftr *r, void *pool)
{
	flow_stats_pool_release(pool, r->pub.slot);
}

void
flow_table_destroy(struct flow_table *ft, struct flow_stats_pool *pool)
{
	if (ft == NULL)
		return;
	if (pool != NULL) {
		each_rule(ft, release_visit, pool);
		flow_table_release(ft, pool);
	}
	tdestroy(ft->by_ident, rule_node_free);
	tdestroy(ft->by_prio, prio_node_free);
	free(ft->all);
	free(ft->pending);
	free(ft);
}

int
flow_rule_default(struct flow_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
	rule->has_table = true;
	rule->actions = calloc(1, sizeof(*rule->actions));
	if (rule->actions == NULL)
		return -ENOMEM;
	rule->actions[0].type = FLOW_ACT_NORMAL;
	rule->n_actions = 1;
	return 0;
}
