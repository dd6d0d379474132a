/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bridge's rule set on the control side (bridge/flow_table.c): adds,
 * replacements and the same-priority overlap check; deletes and mods, loose
 * and strict; transactions that fail, abort or commit, with their counter
 * slots; revival of unchanged rules in a replace; what a transaction
 * reports to the store; expiry; the size limit; and random transactions
 * against a naive reference model.
 *
 * Rules are written as text and parsed by bridge/flow_rule.c. Tests that
 * need to tell rules apart give them distinct cookies.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "bridge/flow_table.h"
#include "datapath/flow_stats.h"

/* ---- ports, parsing, the fixture ---- */

static const char *const port_names[] = {NULL, "vm1", "up0", "vm2"};

static int
port_id(const char *name, void *arg)
{
	(void)arg;
	for (size_t i = 1; i < RTE_DIM(port_names); i++)
		if (strcmp(name, port_names[i]) == 0)
			return (int)i;
	return -ENOENT;
}

static const char *
port_name(uint16_t id, void *arg)
{
	(void)arg;
	return id < RTE_DIM(port_names) ? port_names[id] : NULL;
}

struct fx {
	struct flow_table *ft;
	struct flow_stats_pool *pool;
};

static int
fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->ft = flow_table_create();
	fx->pool = flow_stats_pool_create(1, SOCKET_ID_ANY);
	if (fx->ft == NULL || fx->pool == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	flow_table_destroy(fx->ft, fx->pool);
	flow_stats_pool_destroy(fx->pool);
	free(fx);
	return 0;
}

static const enum flow_parse_mode op_mode[] = {
	[FLOW_OP_ADD] = FLOW_PARSE_ADD,
	[FLOW_OP_DEL] = FLOW_PARSE_FILTER,
	[FLOW_OP_DEL_STRICT] = FLOW_PARSE_FILTER,
	[FLOW_OP_MOD] = FLOW_PARSE_MODIFY,
	[FLOW_OP_MOD_STRICT] = FLOW_PARSE_MODIFY,
};

static void
op_set(struct flow_op *op, enum flow_op_type type, const char *text)
{
	char err[256];

	memset(op, 0, sizeof(*op));
	op->type = type;
	if (flow_rule_parse(text, op_mode[type], port_id, NULL, &op->rule, err, sizeof(err)) != 0)
		fail_msg("cannot parse \"%s\": %s", text, err);
}

static void
ops_free(struct flow_op *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		flow_rule_free(&ops[i].rule);
}

/* The outcome of one flow_table_apply(). */
struct res {
	int rc;
	unsigned int failed;
	unsigned int added, removed, modified;
	char err[512];
};

/* Applies ops at time now; leaves the transaction in *txn (NULL on failure). */
static void
apply(struct fx *fx, const struct flow_op *ops, unsigned int n, uint64_t now,
      struct flow_txn **txn, struct res *r)
{
	memset(r, 0, sizeof(*r));
	r->failed = UINT32_MAX;
	r->rc = flow_table_apply(fx->ft, fx->pool, ops, n, now, port_name, NULL, txn, &r->failed,
				 r->err, sizeof(r->err));
	if (r->rc == 0) {
		assert_non_null(*txn);
		flow_txn_counts(*txn, &r->added, &r->removed, &r->modified);
	} else {
		assert_null(*txn);
	}
}

/* One operation given as text, applied and (if it worked) committed. */
static struct res
do1(struct fx *fx, enum flow_op_type type, const char *text, uint64_t now)
{
	struct flow_txn *txn;
	struct flow_op op;
	struct res r;

	op_set(&op, type, text);
	apply(fx, &op, 1, now, &txn, &r);
	flow_table_commit(fx->ft, txn);
	flow_rule_free(&op.rule);
	return r;
}

static void
add_at(struct fx *fx, const char *text, uint64_t now)
{
	struct res r = do1(fx, FLOW_OP_ADD, text, now);

	if (r.rc != 0)
		fail_msg("adding \"%s\": %d %s", text, r.rc, r.err);
}

static void
add_ok(struct fx *fx, const char *text)
{
	add_at(fx, text, 0);
}

/* The table as text, one rule a line, with or without ids and slots. */
struct dump {
	FILE *f;
	bool ident;
};

static void
dump_rule(const struct flow_table_rule *rule, void *arg)
{
	struct dump *d = arg;
	char text[FLOW_TEXT_MAX + 1];

	flow_rule_format(&rule->r, port_name, NULL, text, sizeof(text));
	if (d->ident)
		fprintf(d->f, "id=%" PRIu64 " slot=%" PRIu32 " created=%" PRIu64 " ", rule->id,
			rule->slot, rule->created);
	fprintf(d->f, "%s\n", text);
}

/* malloc'd; the caller frees it. */
static char *
dump_table(const struct flow_table *ft, bool ident)
{
	struct dump d = {.ident = ident};
	char *buf = NULL;
	size_t len = 0;

	d.f = open_memstream(&buf, &len);
	assert_non_null(d.f);
	flow_table_visit(ft, dump_rule, &d);
	fclose(d.f);
	return buf;
}

static void
assert_dump(const struct flow_table *ft, const char *expected)
{
	char *got = dump_table(ft, false);

	if (strcmp(got, expected) != 0) {
		print_message("expected:\n%sgot:\n%s", expected, got);
		free(got);
		fail();
	}
	free(got);
}

/* The rule with this cookie (a copy; its actions pointer is the table's). */
struct find {
	uint64_t cookie;
	unsigned int n;
	struct flow_table_rule rule;
};

static void
find_visit(const struct flow_table_rule *rule, void *arg)
{
	struct find *f = arg;

	if (rule->r.cookie == f->cookie) {
		f->rule = *rule;
		f->n++;
	}
}

static bool
find_cookie(const struct flow_table *ft, uint64_t cookie, struct flow_table_rule *out)
{
	struct find f = {.cookie = cookie};

	flow_table_visit(ft, find_visit, &f);
	assert_true(f.n <= 1);
	if (f.n == 1 && out != NULL)
		*out = f.rule;
	return f.n == 1;
}

static struct flow_table_rule
rule_of(const struct flow_table *ft, uint64_t cookie)
{
	struct flow_table_rule r;

	if (!find_cookie(ft, cookie, &r))
		fail_msg("no rule with cookie %#" PRIx64, cookie);
	return r;
}

/* Counts packets of len bytes into a slot as PMD thread 0 would. */
static void
hit(struct fx *fx, uint32_t slot, uint32_t packets, uint32_t len)
{
	for (uint32_t i = 0; i < packets; i++)
		flow_stats_count(flow_stats_pool_pmd(fx->pool, 0), slot, len);
}

static void
assert_counter(struct fx *fx, uint32_t slot, uint64_t packets, uint64_t bytes)
{
	struct flow_counter c;

	flow_stats_pool_read(fx->pool, slot, &c);
	assert_int_equal(c.packets, packets);
	assert_int_equal(c.bytes, bytes);
}

/* The next n slots the pool hands out must be exactly want[] (in any order). */
static void
expect_allocs(struct fx *fx, const uint32_t *want, unsigned int n)
{
	bool seen[16] = {false};

	assert_true(n <= RTE_DIM(seen));
	for (unsigned int i = 0; i < n; i++) {
		int64_t s = flow_stats_pool_alloc(fx->pool);
		unsigned int j = 0;

		while (j < n && (want[j] != s || seen[j]))
			j++;
		if (j == n)
			fail_msg("allocation %u gave slot %" PRId64 ", not one expected", i, s);
		seen[j] = true;
	}
}

/* ---- adding ---- */

static void
test_add_and_replace(void **state)
{
	struct fx *fx = *state;
	struct flow_table_rule a, b;
	struct res r;

	r = do1(fx, FLOW_OP_ADD, "priority=100,cookie=0x1,in_port=vm1,ip,actions=output:up0", 7);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.modified, 0);
	assert_int_equal(flow_table_n_rules(fx->ft), 1);
	a = rule_of(fx->ft, 1);
	assert_int_equal(a.slot, 0);
	assert_int_equal(a.id, 1);
	assert_int_equal(a.created, 7);
	hit(fx, a.slot, 3, 100);

	/* Same table, priority and match: replaced, with a new slot and id,
	 * whatever the cookie and actions. */
	r = do1(fx, FLOW_OP_ADD, "priority=100,cookie=0x2,ip,in_port=vm1,actions=drop", 9);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.modified, 0);
	assert_int_equal(flow_table_n_rules(fx->ft), 1);
	assert_false(find_cookie(fx->ft, 1, NULL));
	b = rule_of(fx->ft, 2);
	assert_int_equal(b.slot, 1);
	assert_int_equal(b.id, 2);
	assert_int_equal(b.created, 9);
	assert_counter(fx, b.slot, 0, 0);
	assert_dump(fx->ft, "table=0,priority=100,cookie=0x2,in_port=vm1,ip,actions=drop\n");

	/* The same match in another table or at another priority is another rule. */
	add_ok(fx, "table=1,priority=100,cookie=0x3,in_port=vm1,ip,actions=drop");
	add_ok(fx, "priority=99,cookie=0x4,in_port=vm1,ip,actions=drop");
	assert_int_equal(flow_table_n_rules(fx->ft), 3);
	assert_dump(fx->ft, "table=0,priority=100,cookie=0x2,in_port=vm1,ip,actions=drop\n"
			    "table=0,priority=99,cookie=0x4,in_port=vm1,ip,actions=drop\n"
			    "table=1,priority=100,cookie=0x3,in_port=vm1,ip,actions=drop\n");

	/* The replaced rule's slot is held until released, then reused. */
	expect_allocs(fx, (const uint32_t[]){4}, 1);
	flow_table_release(fx->ft, fx->pool);
	expect_allocs(fx, (const uint32_t[]){0}, 1);
	assert_counter(fx, 0, 0, 0);
}

static void
test_default_rule(void **state)
{
	struct fx *fx = *state;
	struct flow_txn *txn;
	struct flow_op op = {.type = FLOW_OP_ADD};
	uint32_t slot = 99;
	struct res r;

	assert_false(flow_table_is_default(fx->ft, &slot));
	assert_int_equal(flow_rule_default(&op.rule), 0);
	apply(fx, &op, 1, 0, &txn, &r);
	assert_int_equal(r.rc, 0);
	flow_table_commit(fx->ft, txn);
	flow_rule_free(&op.rule);
	assert_dump(fx->ft, "table=0,priority=0,actions=normal\n");
	assert_true(flow_table_is_default(fx->ft, &slot));
	assert_int_equal(slot, 0);

	/* Another rule, or other actions, and it is no longer just the default. */
	add_ok(fx, "priority=5,ip,actions=drop");
	assert_false(flow_table_is_default(fx->ft, &slot));
	assert_int_equal(do1(fx, FLOW_OP_DEL_STRICT, "priority=5,ip", 0).rc, 0);
	assert_true(flow_table_is_default(fx->ft, &slot));
	/* Other actions: not the default either. */
	assert_int_equal(do1(fx, FLOW_OP_MOD, "actions=drop", 0).rc, 0);
	assert_false(flow_table_is_default(fx->ft, &slot));
}

/* Adds b after a (both at one priority) and expects the refusal that quotes a. */
static void
expect_overlap(struct fx *fx, const char *a, const char *b, const char *a_canonical)
{
	char want[1024];
	char *before;
	struct res r;

	add_ok(fx, a);
	before = dump_table(fx->ft, true);
	r = do1(fx, FLOW_OP_ADD, b, 0);
	if (r.rc != -EEXIST)
		fail_msg("\"%s\" after \"%s\": %d, expected -EEXIST", b, a, r.rc);
	assert_int_equal(r.failed, 0);
	snprintf(want, sizeof(want),
		 "overlaps the rule \"%s\" of the same priority: a packet could match both; "
		 "give one of them another priority",
		 a_canonical);
	assert_string_equal(r.err, want);
	{
		char *after = dump_table(fx->ft, true);

		assert_string_equal(after, before);
		free(after);
	}
	free(before);
	assert_int_equal(do1(fx, FLOW_OP_DEL, "", 0).rc, 0);
}

static void
test_overlap(void **state)
{
	struct fx *fx = *state;

	/* Less specific first, then more specific, and the other way round. */
	expect_overlap(fx, "priority=100,ip,actions=drop",
		       "priority=100,ip,nw_dst=10.0.0.0/24,actions=drop",
		       "table=0,priority=100,ip,actions=drop");
	expect_overlap(fx, "priority=100,ip,nw_dst=10.0.0.0/24,actions=output:up0",
		       "priority=100,ip,actions=drop",
		       "table=0,priority=100,ip,nw_dst=10.0.0.0/24,actions=output:up0");
	expect_overlap(fx, "priority=7,ip,nw_dst=10.0.0.0/16,actions=drop",
		       "priority=7,udp,nw_dst=10.0.3.0/24,actions=drop",
		       "table=0,priority=7,ip,nw_dst=10.0.0.0/16,actions=drop");
	/* Masks neither of which contains the other. */
	expect_overlap(fx, "priority=100,in_port=vm1,actions=output:up0",
		       "priority=100,ip,actions=drop",
		       "table=0,priority=100,in_port=vm1,actions=output:up0");
	expect_overlap(fx, "table=3,priority=1,tcp,tp_dst=80,actions=drop",
		       "table=3,priority=1,ip,nw_src=1.2.3.4,actions=drop",
		       "table=3,priority=1,tcp,tp_dst=80,actions=drop");
	/* The empty match overlaps everything. */
	expect_overlap(fx, "priority=0,actions=normal", "priority=0,arp,actions=drop",
		       "table=0,priority=0,actions=normal");

	/* Same mask, other value: disjoint. */
	add_ok(fx, "priority=100,ip,nw_dst=10.0.0.0/24,actions=drop");
	add_ok(fx, "priority=100,ip,nw_dst=10.0.1.0/24,actions=drop");
	/* A wider mask whose value excludes the narrower rules. */
	add_ok(fx, "priority=100,ip,nw_dst=10.1.0.0/16,actions=drop");
	/* A field that differs: in_port, protocol. */
	add_ok(fx, "priority=50,in_port=vm1,ip,actions=drop");
	add_ok(fx, "priority=50,in_port=vm2,actions=drop");
	add_ok(fx, "priority=50,in_port=up0,arp,actions=drop");
	add_ok(fx, "priority=50,in_port=up0,ipv6,actions=drop");
	/* Overlapping rules at other priorities or in other tables. */
	add_ok(fx, "priority=101,ip,actions=drop");
	add_ok(fx, "priority=99,ip,actions=drop");
	add_ok(fx, "table=1,priority=100,ip,actions=drop");
	assert_int_equal(flow_table_n_rules(fx->ft), 10);

	/* Refused against one of several candidates of the same priority. */
	{
		const char *text = "priority=100,ip,nw_dst=10.0.1.128/25,actions=drop";
		struct res r = do1(fx, FLOW_OP_ADD, text, 0);

		assert_int_equal(r.rc, -EEXIST);
		assert_non_null(strstr(r.err, "\"table=0,priority=100,ip,nw_dst=10.0.1.0/24,"
					      "actions=drop\""));
	}
	assert_int_equal(flow_table_n_rules(fx->ft), 10);

	/* Within one transaction the second of two overlapping adds fails. */
	{
		struct flow_op ops[2];
		struct flow_txn *txn;
		struct res r;

		op_set(&ops[0], FLOW_OP_ADD, "table=5,priority=3,in_port=vm1,actions=drop");
		op_set(&ops[1], FLOW_OP_ADD, "table=5,priority=3,udp,actions=drop");
		apply(fx, ops, 2, 0, &txn, &r);
		assert_int_equal(r.rc, -EEXIST);
		assert_int_equal(r.failed, 1);
		assert_non_null(strstr(r.err, "table=5,priority=3,in_port=vm1,actions=drop"));
		ops_free(ops, 2);
	}
	assert_int_equal(flow_table_n_rules(fx->ft), 10);
}

/*
 * A transaction that deletes rule A, adds B overlapping A at A's priority
 * (allowed: A is gone) and then adds A back unchanged. A's add must be
 * checked against B like any other: the result would hold two overlapping
 * rules of one priority.
 */
static void
test_overlap_after_revival(void **state)
{
	struct fx *fx = *state;
	struct flow_op ops[3];
	struct flow_txn *txn;
	struct res r;

	add_ok(fx, "priority=10,cookie=0x1,ip,nw_dst=10.0.0.0/24,actions=output:up0");
	op_set(&ops[0], FLOW_OP_DEL, "");
	op_set(&ops[1], FLOW_OP_ADD, "priority=10,cookie=0x2,ip,actions=drop");
	op_set(&ops[2], FLOW_OP_ADD,
	       "priority=10,cookie=0x1,ip,nw_dst=10.0.0.0/24,actions=output:up0");
	apply(fx, ops, 3, 0, &txn, &r);
	if (r.rc == 0) {
		char *got = dump_table(fx->ft, false);

		print_message("the transaction was accepted; the table holds:\n%s", got);
		free(got);
		flow_table_abort(fx->ft, fx->pool, txn);
	}
	ops_free(ops, 3);
	assert_int_equal(r.rc, -EEXIST);
	assert_int_equal(r.failed, 2);
	assert_dump(fx->ft,
		    "table=0,priority=10,cookie=0x1,ip,nw_dst=10.0.0.0/24,actions=output:up0\n");
}

/* ---- deleting and modifying ---- */

static const char *const del_rules[] = {
	"table=0,priority=100,cookie=0x11,in_port=vm1,ip,nw_dst=10.0.0.0/24,actions=output:up0",
	"table=0,priority=90,cookie=0x12,in_port=vm1,actions=output:up0",
	"table=0,priority=80,cookie=0x21,in_port=vm2,actions=output:up0",
	"table=1,priority=100,cookie=0x22,in_port=vm1,ip,nw_dst=10.0.0.0/24,actions=output:up0",
	"table=1,priority=50,cookie=0x31,ip,actions=drop",
	"table=2,priority=32768,cookie=0x32,in_port=vm1,ip,actions=drop",
};

static void
add_del_rules(struct fx *fx)
{
	for (size_t i = 0; i < RTE_DIM(del_rules); i++)
		add_ok(fx, del_rules[i]);
}

/* The cookies of the rules in the table, in visit order, as "0x11 0x12 ...". */
static void
cookies_visit(const struct flow_table_rule *rule, void *arg)
{
	FILE *f = arg;

	fprintf(f, "%s%#" PRIx64, ftell(f) ? " " : "", rule->r.cookie);
}

static void
assert_cookies(const struct flow_table *ft, const char *expected)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	flow_table_visit(ft, cookies_visit, f);
	fclose(f);
	if (strcmp(buf, expected) != 0) {
		print_message("cookies: expected \"%s\", got \"%s\"\n", expected, buf);
		free(buf);
		fail();
	}
	free(buf);
}

/* Runs one op on a fresh copy of del_rules; checks the counts and what is left. */
static void
expect_op(struct fx *fx, enum flow_op_type type, const char *text, unsigned int removed,
	  unsigned int modified, const char *left)
{
	struct res r;

	assert_int_equal(do1(fx, FLOW_OP_DEL, "", 0).rc, 0);
	add_del_rules(fx);
	r = do1(fx, type, text, 0);
	if (r.rc != 0)
		fail_msg("\"%s\": %d %s", text, r.rc, r.err);
	if (r.added != 0 || r.removed != removed || r.modified != modified)
		fail_msg("\"%s\": added %u removed %u modified %u, expected 0 %u %u", text, r.added,
			 r.removed, r.modified, removed, modified);
	assert_cookies(fx->ft, left);
}

static void
test_delete(void **state)
{
	struct fx *fx = *state;
	const char *all = "0x11 0x12 0x21 0x22 0x31 0x32";

	add_del_rules(fx);
	assert_cookies(fx->ft, all);

	/* Loose: every rule at least as specific as the filter, in every table. */
	expect_op(fx, FLOW_OP_DEL, "in_port=vm1", 4, 0, "0x21 0x31");
	expect_op(fx, FLOW_OP_DEL, "table=1,in_port=vm1", 1, 0, "0x11 0x12 0x21 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL, "table=7", 0, 0, all);
	expect_op(fx, FLOW_OP_DEL, "ip", 4, 0, "0x12 0x21");
	expect_op(fx, FLOW_OP_DEL, "table=1", 2, 0, "0x11 0x12 0x21 0x32");
	expect_op(fx, FLOW_OP_DEL, "", 6, 0, "");
	/* A wider prefix covers the /24 rules; a narrower one does not. */
	expect_op(fx, FLOW_OP_DEL, "ip,nw_dst=10.0.0.0/16", 2, 0, "0x12 0x21 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL, "ip,nw_dst=10.0.0.0/25", 0, 0, all);
	expect_op(fx, FLOW_OP_DEL, "ip,nw_dst=10.0.1.0/24", 0, 0, all);
	/* Priority is ignored without strict. */
	expect_op(fx, FLOW_OP_DEL, "priority=1,in_port=vm2", 1, 0, "0x11 0x12 0x22 0x31 0x32");
	/* Cookies: all bits, or those of a mask. */
	expect_op(fx, FLOW_OP_DEL, "cookie=0x10/0xf0", 2, 0, "0x21 0x22 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL, "cookie=0x2/0xf", 3, 0, "0x11 0x21 0x31");
	expect_op(fx, FLOW_OP_DEL, "cookie=0x31", 1, 0, "0x11 0x12 0x21 0x22 0x32");
	expect_op(fx, FLOW_OP_DEL, "cookie=0x1/0x1,in_port=vm1", 1, 0, "0x12 0x21 0x22 0x31 0x32");

	/* Strict: exactly that priority and match; every table unless given. */
	expect_op(fx, FLOW_OP_DEL_STRICT, "priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24", 2, 0,
		  "0x12 0x21 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL_STRICT, "table=1,priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24",
		  1, 0, "0x11 0x12 0x21 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL_STRICT, "table=2,priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24",
		  0, 0, all);
	expect_op(fx, FLOW_OP_DEL_STRICT, "priority=99,in_port=vm1,ip,nw_dst=10.0.0.0/24", 0, 0,
		  all);
	expect_op(fx, FLOW_OP_DEL_STRICT, "priority=100,in_port=vm1,ip", 0, 0, all);
	expect_op(fx, FLOW_OP_DEL_STRICT, "priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/23", 0, 0,
		  all);
	/* Without priority=, strict means the default priority 32768. */
	expect_op(fx, FLOW_OP_DEL_STRICT, "in_port=vm1,ip", 1, 0, "0x11 0x12 0x21 0x22 0x31");
	expect_op(fx, FLOW_OP_DEL_STRICT, "priority=90,in_port=vm1", 1, 0,
		  "0x11 0x21 0x22 0x31 0x32");
	/* With a cookie: the exact rule, if its cookie matches too. */
	expect_op(fx, FLOW_OP_DEL_STRICT,
		  "cookie=0x22,priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24", 1, 0,
		  "0x11 0x12 0x21 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL_STRICT,
		  "cookie=0x10/0xf0,priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24", 1, 0,
		  "0x12 0x21 0x22 0x31 0x32");
	expect_op(fx, FLOW_OP_DEL_STRICT, "cookie=0x5,priority=90,in_port=vm1", 0, 0, all);
}

static void
test_modify(void **state)
{
	struct fx *fx = *state;
	struct flow_table_rule before[RTE_DIM(del_rules)], after;
	const uint64_t cookies[] = {0x11, 0x12, 0x21, 0x22, 0x31, 0x32};

	/* Loose: every rule the filter covers, in every table. */
	expect_op(fx, FLOW_OP_MOD, "in_port=vm1,actions=output:vm2", 0, 4,
		  "0x11 0x12 0x21 0x22 0x31 0x32");
	assert_dump(fx->ft,
		    "table=0,priority=100,cookie=0x11,in_port=vm1,ip,nw_dst=10.0.0.0/24,"
		    "actions=output:vm2\n"
		    "table=0,priority=90,cookie=0x12,in_port=vm1,actions=output:vm2\n"
		    "table=0,priority=80,cookie=0x21,in_port=vm2,actions=output:up0\n"
		    "table=1,priority=100,cookie=0x22,in_port=vm1,ip,nw_dst=10.0.0.0/24,"
		    "actions=output:vm2\n"
		    "table=1,priority=50,cookie=0x31,ip,actions=drop\n"
		    "table=2,priority=32768,cookie=0x32,in_port=vm1,ip,actions=output:vm2\n");

	/* Slots, ids, creation time and counters stay with a modified rule. */
	assert_int_equal(do1(fx, FLOW_OP_DEL, "", 0).rc, 0);
	flow_table_release(fx->ft, fx->pool);
	add_del_rules(fx);
	for (size_t i = 0; i < RTE_DIM(cookies); i++) {
		before[i] = rule_of(fx->ft, cookies[i]);
		hit(fx, before[i].slot, (uint32_t)i + 1, 60);
	}
	{
		struct res r = do1(fx, FLOW_OP_MOD, "table=1,actions=drop", 5);

		assert_int_equal(r.rc, 0);
		assert_int_equal(r.modified, 2);
	}
	for (size_t i = 0; i < RTE_DIM(cookies); i++) {
		after = rule_of(fx->ft, cookies[i]);
		assert_int_equal(after.slot, before[i].slot);
		assert_int_equal(after.id, before[i].id);
		assert_int_equal(after.created, before[i].created);
		assert_counter(fx, after.slot, i + 1, (i + 1) * 60);
	}
	assert_int_equal(rule_of(fx->ft, 0x22).r.n_actions, 0);

	/* Strict: only the exact rule; every table when none is given. */
	expect_op(fx, FLOW_OP_MOD_STRICT, "priority=90,in_port=vm1,actions=output:vm2,output:up0",
		  0, 1, "0x11 0x12 0x21 0x22 0x31 0x32");
	assert_dump(fx->ft,
		    "table=0,priority=100,cookie=0x11,in_port=vm1,ip,nw_dst=10.0.0.0/24,"
		    "actions=output:up0\n"
		    "table=0,priority=90,cookie=0x12,in_port=vm1,actions=output:vm2,output:up0\n"
		    "table=0,priority=80,cookie=0x21,in_port=vm2,actions=output:up0\n"
		    "table=1,priority=100,cookie=0x22,in_port=vm1,ip,nw_dst=10.0.0.0/24,"
		    "actions=output:up0\n"
		    "table=1,priority=50,cookie=0x31,ip,actions=drop\n"
		    "table=2,priority=32768,cookie=0x32,in_port=vm1,ip,actions=drop\n");
	expect_op(fx, FLOW_OP_MOD_STRICT,
		  "priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24,actions=drop", 0, 2,
		  "0x11 0x12 0x21 0x22 0x31 0x32");
	expect_op(fx, FLOW_OP_MOD_STRICT, "priority=100,in_port=vm1,ip,actions=drop", 0, 0,
		  "0x11 0x12 0x21 0x22 0x31 0x32");
	expect_op(fx, FLOW_OP_MOD_STRICT,
		  "table=0,priority=100,in_port=vm1,ip,nw_dst=10.0.0.0/24,actions=drop", 0, 1,
		  "0x11 0x12 0x21 0x22 0x31 0x32");
	expect_op(fx, FLOW_OP_MOD, "cookie=0x30/0xf0,actions=flood", 0, 2,
		  "0x11 0x12 0x21 0x22 0x31 0x32");
	assert_dump(fx->ft,
		    "table=0,priority=100,cookie=0x11,in_port=vm1,ip,nw_dst=10.0.0.0/24,"
		    "actions=output:up0\n"
		    "table=0,priority=90,cookie=0x12,in_port=vm1,actions=output:up0\n"
		    "table=0,priority=80,cookie=0x21,in_port=vm2,actions=output:up0\n"
		    "table=1,priority=100,cookie=0x22,in_port=vm1,ip,nw_dst=10.0.0.0/24,"
		    "actions=output:up0\n"
		    "table=1,priority=50,cookie=0x31,ip,actions=flood\n"
		    "table=2,priority=32768,cookie=0x32,in_port=vm1,ip,actions=flood\n");
}

/* ---- transactions ---- */

/* Rules with cookies 1..3 in slots 0..2, each with some counts. */
static void
three_rules(struct fx *fx)
{
	add_ok(fx, "priority=10,cookie=0x1,in_port=vm1,actions=output:up0");
	add_ok(fx, "priority=10,cookie=0x2,in_port=vm2,actions=output:up0");
	add_ok(fx, "table=1,priority=5,cookie=0x3,ip,actions=drop");
	for (uint64_t c = 1; c <= 3; c++) {
		struct flow_table_rule r = rule_of(fx->ft, c);

		assert_int_equal(r.slot, c - 1);
		hit(fx, r.slot, (uint32_t)c, 100);
	}
}

static void
assert_three_counters(struct fx *fx)
{
	for (uint64_t c = 1; c <= 3; c++)
		assert_counter(fx, rule_of(fx->ft, c).slot, c, c * 100);
}

static void
test_failed_transaction(void **state)
{
	struct fx *fx = *state;
	struct flow_op ops[6];
	struct flow_txn *txn;
	char *before, *after;
	struct res r;

	three_rules(fx);
	before = dump_table(fx->ft, true);
	op_set(&ops[0], FLOW_OP_ADD, "priority=10,cookie=0x4,in_port=up0,actions=output:vm1");
	op_set(&ops[1], FLOW_OP_DEL, "cookie=0x1");
	op_set(&ops[2], FLOW_OP_MOD, "in_port=vm2,actions=drop");
	/* Replaces cookie 0x3's rule: a new slot, the old rule removed. */
	op_set(&ops[3], FLOW_OP_ADD, "table=1,priority=5,cookie=0x5,ip,actions=flood");
	op_set(&ops[4], FLOW_OP_DEL_STRICT, "priority=10,in_port=vm2");
	/* Overlaps cookie 0x4's rule, added by this very transaction. */
	op_set(&ops[5], FLOW_OP_ADD, "priority=10,arp,actions=drop");
	apply(fx, ops, 6, 50, &txn, &r);
	assert_int_equal(r.rc, -EEXIST);
	assert_int_equal(r.failed, 5);
	assert_non_null(strstr(r.err, "\"table=0,priority=10,cookie=0x4,in_port=up0,"
				      "actions=output:vm1\""));
	after = dump_table(fx->ft, true);
	assert_string_equal(after, before);
	free(after);
	assert_three_counters(fx);

	/* The slots the failed transaction took (3 and 4) are free again, and
	 * nothing else: the next new one is 5. */
	expect_allocs(fx, (const uint32_t[]){3, 4}, 2);
	expect_allocs(fx, (const uint32_t[]){5}, 1);

	/* A failure at the first operation. */
	apply(fx, ops, 1, 50, &txn, &r);
	assert_int_equal(r.rc, 0);
	flow_table_commit(fx->ft, txn);
	apply(fx, &ops[5], 1, 50, &txn, &r);
	assert_int_equal(r.rc, -EEXIST);
	assert_int_equal(r.failed, 0);

	ops_free(ops, 6);
	free(before);
}

static void
test_abort(void **state)
{
	struct fx *fx = *state;
	struct flow_op ops[9];
	struct flow_txn *txn;
	char *before, *after;
	struct res r;

	three_rules(fx);
	before = dump_table(fx->ft, true);
	/* Cookie 1's rule modified twice then deleted: only undoing newest
	 * first gives back its first actions. */
	op_set(&ops[0], FLOW_OP_MOD_STRICT, "priority=10,in_port=vm1,actions=output:vm2");
	op_set(&ops[1], FLOW_OP_MOD_STRICT, "priority=10,in_port=vm1,actions=flood");
	op_set(&ops[2], FLOW_OP_DEL, "in_port=vm1");
	/* A new rule, modified, replaced, then deleted. */
	op_set(&ops[3], FLOW_OP_ADD, "priority=20,cookie=0x7,ip,actions=output:vm1");
	op_set(&ops[4], FLOW_OP_MOD, "cookie=0x7,actions=drop");
	op_set(&ops[5], FLOW_OP_ADD, "priority=20,cookie=0x8,ip,actions=output:vm2");
	/* Cookie 3's rule replaced, and cookie 2's deleted and added back
	 * identical (revived). */
	op_set(&ops[6], FLOW_OP_ADD, "table=1,priority=5,cookie=0x9,ip,actions=flood");
	op_set(&ops[7], FLOW_OP_DEL, "cookie=0x2");
	op_set(&ops[8], FLOW_OP_ADD, "priority=10,cookie=0x2,in_port=vm2,actions=output:up0");
	apply(fx, ops, 9, 60, &txn, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 3);
	assert_int_equal(r.removed, 3);
	assert_int_equal(r.modified, 3);
	assert_dump(fx->ft, "table=0,priority=20,cookie=0x8,ip,actions=output:vm2\n"
			    "table=0,priority=10,cookie=0x2,in_port=vm2,actions=output:up0\n"
			    "table=1,priority=5,cookie=0x9,ip,actions=flood\n");
	flow_table_abort(fx->ft, fx->pool, txn);

	after = dump_table(fx->ft, true);
	assert_string_equal(after, before);
	free(after);
	assert_three_counters(fx);
	/* Slots 3, 4 and 5 went to cookies 7, 8 and 9 and came back. */
	expect_allocs(fx, (const uint32_t[]){3, 4, 5}, 3);
	expect_allocs(fx, (const uint32_t[]){6}, 1);
	/* Aborting nothing is fine. */
	flow_table_abort(fx->ft, fx->pool, NULL);
	ops_free(ops, 9);
	free(before);
}

/* What flow_txn_visit() reports, as text. */
struct log {
	FILE *f;
	int fail_at; /* the call that returns -EIO, counting from 0; -1 for none */
	int calls;
};

static int
log_put(const struct flow_table_rule *rule, void *arg)
{
	struct log *l = arg;
	char text[FLOW_TEXT_MAX + 1];

	flow_rule_format(&rule->r, port_name, NULL, text, sizeof(text));
	fprintf(l->f, "put %" PRIu64 " %s\n", rule->id, text);
	return l->calls++ == l->fail_at ? -EIO : 0;
}

static int
log_del(uint64_t id, void *arg)
{
	struct log *l = arg;

	fprintf(l->f, "del %" PRIu64 "\n", id);
	return l->calls++ == l->fail_at ? -EIO : 0;
}

/* malloc'd */
static char *
txn_log(const struct flow_txn *txn, int fail_at, int *rc)
{
	struct log l = {.fail_at = fail_at};
	char *buf = NULL;
	size_t len = 0;

	l.f = open_memstream(&buf, &len);
	assert_non_null(l.f);
	*rc = flow_txn_visit(txn, log_put, log_del, &l);
	fclose(l.f);
	return buf;
}

static void
assert_log(const struct flow_txn *txn, const char *expected)
{
	int rc;
	char *got = txn_log(txn, -1, &rc);

	assert_int_equal(rc, 0);
	if (strcmp(got, expected) != 0) {
		print_message("expected:\n%sgot:\n%s", expected, got);
		free(got);
		fail();
	}
	free(got);
}

static void
test_visit_and_release(void **state)
{
	struct fx *fx = *state;
	struct flow_op ops[6];
	struct flow_txn *txn;
	struct res r;
	char *log;
	int rc;

	three_rules(fx); /* ids 1, 2, 3 in slots 0, 1, 2 */
	op_set(&ops[0], FLOW_OP_ADD, "priority=30,cookie=0xa,udp,actions=output:vm1");
	op_set(&ops[1], FLOW_OP_ADD, "priority=30,cookie=0xb,tcp,actions=output:vm1");
	op_set(&ops[2], FLOW_OP_MOD_STRICT, "priority=30,udp,actions=output:vm2");
	op_set(&ops[3], FLOW_OP_DEL, "cookie=0xb");
	op_set(&ops[4], FLOW_OP_ADD, "priority=10,cookie=0xc,in_port=vm1,actions=drop");
	op_set(&ops[5], FLOW_OP_MOD, "cookie=0x3,actions=output:up0");
	apply(fx, ops, 6, 0, &txn, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 3);
	assert_int_equal(r.removed, 2);
	assert_int_equal(r.modified, 2);
	/* In order; a put shows the rule as it is now, so 0xa's first put
	 * already has the actions its later modification gave it. */
	assert_log(txn, "put 4 table=0,priority=30,cookie=0xa,udp,actions=output:vm2\n"
			"put 5 table=0,priority=30,cookie=0xb,tcp,actions=output:vm1\n"
			"put 4 table=0,priority=30,cookie=0xa,udp,actions=output:vm2\n"
			"del 5\n"
			"del 1\n"
			"put 6 table=0,priority=10,cookie=0xc,in_port=vm1,actions=drop\n"
			"put 3 table=1,priority=5,cookie=0x3,ip,actions=output:up0\n");
	/* A callback's error stops the walk and is returned. */
	log = txn_log(txn, 1, &rc);
	assert_int_equal(rc, -EIO);
	assert_string_equal(log, "put 4 table=0,priority=30,cookie=0xa,udp,actions=output:vm2\n"
				 "put 5 table=0,priority=30,cookie=0xb,tcp,actions=output:vm1\n");
	free(log);

	flow_table_commit(fx->ft, txn);
	assert_dump(fx->ft, "table=0,priority=30,cookie=0xa,udp,actions=output:vm2\n"
			    "table=0,priority=10,cookie=0xc,in_port=vm1,actions=drop\n"
			    "table=0,priority=10,cookie=0x2,in_port=vm2,actions=output:up0\n"
			    "table=1,priority=5,cookie=0x3,ip,actions=output:up0\n");
	/* 0xa, 0xb, 0xc took slots 3, 4, 5. The removed rules' slots (1's
	 * slot 0, 0xb's slot 4) stay taken until the release. */
	assert_int_equal(rule_of(fx->ft, 0xa).slot, 3);
	assert_int_equal(rule_of(fx->ft, 0xc).slot, 5);
	expect_allocs(fx, (const uint32_t[]){6}, 1);
	flow_table_release(fx->ft, fx->pool);
	assert_counter(fx, 0, 0, 0);
	expect_allocs(fx, (const uint32_t[]){0, 4}, 2);
	expect_allocs(fx, (const uint32_t[]){7}, 1);
	/* A second release has nothing left to give. */
	flow_table_release(fx->ft, fx->pool);
	expect_allocs(fx, (const uint32_t[]){8}, 1);
	ops_free(ops, 6);
}

static void
test_replace_revival(void **state)
{
	struct fx *fx = *state;
	struct flow_table_rule r1, r2, r3;
	struct flow_op ops[5];
	struct flow_txn *txn;
	char *before, *after;
	struct res r;

	three_rules(fx);
	r1 = rule_of(fx->ft, 1);
	r2 = rule_of(fx->ft, 2);
	r3 = rule_of(fx->ft, 3);
	before = dump_table(fx->ft, true);
	/* Everything deleted, then the same list with cookie 2's rule changed
	 * (other actions) and a new rule. */
	op_set(&ops[0], FLOW_OP_DEL, "");
	op_set(&ops[1], FLOW_OP_ADD, "table=1,priority=5,cookie=0x3,ip,actions=drop");
	op_set(&ops[2], FLOW_OP_ADD, "priority=10,cookie=0x2,in_port=vm2,actions=output:vm1");
	op_set(&ops[3], FLOW_OP_ADD, "priority=10,cookie=0x1,in_port=vm1,actions=output:up0");
	op_set(&ops[4], FLOW_OP_ADD, "priority=10,cookie=0x4,in_port=up0,actions=output:vm1");
	apply(fx, ops, 5, 77, &txn, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 2);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.modified, 0);
	/* Only the changed and the new rule are news for the store. */
	assert_log(txn, "del 2\n"
			"put 4 table=0,priority=10,cookie=0x2,in_port=vm2,actions=output:vm1\n"
			"put 5 table=0,priority=10,cookie=0x4,in_port=up0,actions=output:vm1\n");

	/* Abort first: everything as it was. */
	flow_table_abort(fx->ft, fx->pool, txn);
	after = dump_table(fx->ft, true);
	assert_string_equal(after, before);
	free(after);
	assert_three_counters(fx);

	/* Then for real. */
	apply(fx, ops, 5, 78, &txn, &r);
	assert_int_equal(r.rc, 0);
	flow_table_commit(fx->ft, txn);
	flow_table_release(fx->ft, fx->pool);
	{
		struct flow_table_rule n1 = rule_of(fx->ft, 1), n2 = rule_of(fx->ft, 2),
				       n3 = rule_of(fx->ft, 3);

		/* Unchanged rules keep id, slot, age and counters. */
		assert_int_equal(n1.id, r1.id);
		assert_int_equal(n1.slot, r1.slot);
		assert_int_equal(n1.created, r1.created);
		assert_int_equal(n3.id, r3.id);
		assert_int_equal(n3.slot, r3.slot);
		assert_counter(fx, n1.slot, 1, 100);
		assert_counter(fx, n3.slot, 3, 300);
		/* The changed one is new. */
		assert_true(n2.id != r2.id);
		assert_true(n2.slot != r2.slot);
		assert_int_equal(n2.created, 78);
		assert_counter(fx, n2.slot, 0, 0);
	}
	/* Cookie 2's old slot was released: it comes back first. */
	expect_allocs(fx, (const uint32_t[]){r2.slot}, 1);
	/* A rule that differs only in its cookie or timeouts is not revived. */
	flow_rule_free(&ops[1].rule);
	flow_rule_free(&ops[3].rule);
	op_set(&ops[1], FLOW_OP_ADD, "table=1,priority=5,cookie=0x33,ip,actions=drop");
	op_set(&ops[3], FLOW_OP_ADD,
	       "priority=10,cookie=0x1,hard_timeout=5,in_port=vm1,actions=output:up0");
	apply(fx, ops, 5, 79, &txn, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 2);
	assert_int_equal(r.removed, 2);
	flow_table_commit(fx->ft, txn);
	assert_true(rule_of(fx->ft, 0x33).id != r3.id);
	assert_true(rule_of(fx->ft, 1).id != r1.id);
	ops_free(ops, 5);
	free(before);
}

/* ---- expiry ---- */

static unsigned int
expire_at(struct fx *fx, uint64_t now, bool commit, char **log)
{
	struct flow_txn *txn = NULL;
	unsigned int n = flow_table_expire(fx->ft, now * 1000, &txn); /* seconds -> ms */
	int rc;

	assert_true((n == 0) == (txn == NULL));
	if (log != NULL)
		*log = txn != NULL ? txn_log(txn, -1, &rc) : strdup("");
	if (commit)
		flow_table_commit(fx->ft, txn);
	else
		flow_table_abort(fx->ft, fx->pool, txn);
	return n;
}

static void
test_expiry(void **state)
{
	struct fx *fx = *state;
	struct flow_table_rule hard, idle, busy;
	char *log;

	add_at(fx, "priority=1,cookie=0x1,hard_timeout=10,in_port=vm1,actions=drop", (100) * 1000);
	add_at(fx, "priority=1,cookie=0x2,idle_timeout=5,in_port=vm2,actions=drop", (100) * 1000);
	add_at(fx, "priority=1,cookie=0x3,idle_timeout=5,in_port=up0,actions=drop", (100) * 1000);
	add_at(fx, "priority=3,cookie=0x4,ip,actions=drop", (100) * 1000);
	add_at(fx, "priority=2,cookie=0x5,idle_timeout=3,hard_timeout=6,ip,actions=drop", (100) * 1000);
	hard = rule_of(fx->ft, 1);
	idle = rule_of(fx->ft, 2);
	busy = rule_of(fx->ft, 3);

	/* Nothing is due before 103. */
	assert_int_equal(expire_at(fx, 100, true, NULL), 0);
	assert_int_equal(expire_at(fx, 102, true, NULL), 0);
	/* Cookie 3's rule is hit, and the tick at 102 sees it. Cookie 5's is
	 * hit after that tick: idle time counts from the last tick that saw a
	 * hit, so it is still idle since 100. */
	hit(fx, busy.slot, 1, 64);
	flow_table_tick(fx->ft, fx->pool, (102) * 1000);
	assert_int_equal(rule_of(fx->ft, 3).last_used, 102 * 1000);
	assert_int_equal(rule_of(fx->ft, 3).last_packets, 1);
	assert_int_equal(rule_of(fx->ft, 2).last_used, 100 * 1000);
	hit(fx, rule_of(fx->ft, 5).slot, 1, 64);

	/* At 103: cookie 5 idled 3 seconds. Aborted first: it stays. */
	assert_int_equal(expire_at(fx, 103, false, NULL), 1);
	assert_true(find_cookie(fx->ft, 5, NULL));
	assert_int_equal(expire_at(fx, 103, true, &log), 1);
	assert_string_equal(log, "del 5\n");
	free(log);
	assert_false(find_cookie(fx->ft, 5, NULL));

	/* At 104 nothing; at 105 cookie 2 (idle since 100), not cookie 3
	 * (idle since 102). */
	assert_int_equal(expire_at(fx, 104, true, NULL), 0);
	/* A tick without new counts does not refresh anything. */
	flow_table_tick(fx->ft, fx->pool, (104) * 1000);
	assert_int_equal(rule_of(fx->ft, 2).last_used, 100 * 1000);
	assert_int_equal(expire_at(fx, 105, true, &log), 1);
	assert_string_equal(log, "del 2\n");
	free(log);

	/* Cookie 3 keeps being hit: it lives on past 107. */
	hit(fx, busy.slot, 2, 64);
	flow_table_tick(fx->ft, fx->pool, (106) * 1000);
	assert_int_equal(expire_at(fx, 107, true, NULL), 0);
	assert_int_equal(expire_at(fx, 110, true, &log), 1);
	assert_string_equal(log, "del 1\n"); /* hard timeout, hits or not */
	free(log);
	assert_int_equal(expire_at(fx, 110, true, NULL), 0);
	assert_int_equal(expire_at(fx, 111, true, &log), 1);
	assert_string_equal(log, "del 3\n");
	free(log);
	assert_dump(fx->ft, "table=0,priority=3,cookie=0x4,ip,actions=drop\n");
	assert_int_equal(expire_at(fx, 1000000, true, NULL), 0);

	/* Their slots come back at the release, not before. */
	expect_allocs(fx, (const uint32_t[]){5}, 1);
	flow_table_release(fx->ft, fx->pool);
	expect_allocs(fx, (const uint32_t[]){hard.slot, idle.slot, busy.slot, 4}, 4);
}

static void
test_expiry_hard_not_extended(void **state)
{
	struct fx *fx = *state;
	uint32_t slot;

	add_at(fx, "priority=1,cookie=0x1,idle_timeout=4,hard_timeout=4,ip,actions=drop", (10) * 1000);
	slot = rule_of(fx->ft, 1).slot;
	for (uint64_t t = 11; t <= 13; t++) {
		hit(fx, slot, 1, 64);
		flow_table_tick(fx->ft, fx->pool, (t) * 1000);
		assert_int_equal(expire_at(fx, t, true, NULL), 0);
	}
	assert_int_equal(expire_at(fx, 14, true, NULL), 1);
}

/* ---- the size limit ---- */

/*
 * Fills a bridge to FLOW_TABLE_MAX_RULES in transactions of 4096 adds; one
 * more is refused with -ENOSPC, also inside a transaction that first
 * replaces a rule; deleting one makes room within the same transaction.
 */
#define FILL_CHUNK 4096

static void
fill_ops(struct flow_op *ops, const struct flow_rule *proto, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = first + i;

		ops[i].type = FLOW_OP_ADD;
		ops[i].id = 0;
		ops[i].rule = *proto; /* shares the actions: the table copies them */
		ops[i].rule.key.nw_dst = rte_cpu_to_be_32(UINT32_C(0x0a000000) | v);
	}
}

static void
test_max_rules(void **state)
{
	struct fx *fx = *state;
	struct flow_op *ops = calloc(FILL_CHUNK, sizeof(*ops));
	struct flow_op extra[2];
	struct flow_rule proto;
	struct flow_txn *txn;
	struct timespec t0, t1;
	struct res r;
	char err[256];

	assert_non_null(ops);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(flow_rule_parse("priority=9,ip,nw_dst=10.0.0.0,actions=output:up0",
					 FLOW_PARSE_ADD, port_id, NULL, &proto, err, sizeof(err)),
			 0);
	for (uint32_t first = 0; first < FLOW_TABLE_MAX_RULES; first += FILL_CHUNK) {
		fill_ops(ops, &proto, first, FILL_CHUNK);
		apply(fx, ops, FILL_CHUNK, 0, &txn, &r);
		if (r.rc != 0)
			fail_msg("at rule %u: %d %s", first + r.failed, r.rc, r.err);
		flow_table_commit(fx->ft, txn);
	}
	assert_int_equal(flow_table_n_rules(fx->ft), FLOW_TABLE_MAX_RULES);

	/* One more: refused, whatever came before it in the transaction. */
	fill_ops(extra, &proto, FLOW_TABLE_MAX_RULES, 1);
	apply(fx, extra, 1, 0, &txn, &r);
	assert_int_equal(r.rc, -ENOSPC);
	assert_int_equal(r.failed, 0);
	assert_string_equal(r.err, "the bridge has 262144 rules, the most it can hold");
	fill_ops(&extra[0], &proto, 17, 1); /* replaces an existing one: allowed */
	fill_ops(&extra[1], &proto, FLOW_TABLE_MAX_RULES, 1);
	apply(fx, extra, 2, 0, &txn, &r);
	assert_int_equal(r.rc, -ENOSPC);
	assert_int_equal(r.failed, 1);
	assert_int_equal(flow_table_n_rules(fx->ft), FLOW_TABLE_MAX_RULES);
	/* Replacing alone is fine at the limit. */
	apply(fx, extra, 1, 0, &txn, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 1);
	flow_table_commit(fx->ft, txn);
	/* Delete one, add another: fits. */
	op_set(&extra[0], FLOW_OP_DEL_STRICT, "priority=9,ip,nw_dst=10.0.0.5");
	apply(fx, extra, 2, 0, &txn, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 1);
	flow_table_commit(fx->ft, txn);
	flow_rule_free(&extra[0].rule);
	assert_int_equal(flow_table_n_rules(fx->ft), FLOW_TABLE_MAX_RULES);

	flow_rule_free(&proto);
	free(ops);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("    %u rules in %.2f s\n", FLOW_TABLE_MAX_RULES,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* ---- random transactions against a reference model ---- */

/*
 * The model is a plain array of rules with the documented semantics, each
 * relation written out bit by bit here rather than taken from flow_rule.c:
 *   add: a rule with the same table, priority, mask and key is replaced;
 *        else one of the same table and priority that a packet could match
 *        too refuses it (-EEXIST);
 *   del: rules of the filter's table (all without one) at least as
 *        specific as the filter, with the filter's cookie bits;
 *   strict: the rule of exactly that priority, mask and key;
 *   mod: those rules take the filter's actions.
 * A failed transaction changes nothing; so does an aborted one.
 */
#define MODEL_MAX 512

struct model {
	unsigned int n;
	struct flow_rule r[MODEL_MAX];
};

static bool
key_equal(const struct flow_key *a, const struct flow_key *b)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if (a->w[i] != b->w[i])
			return false;
	return true;
}

static bool
m_covered(const struct flow_rule *r, const struct flow_rule *f)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++) {
		if ((f->mask.w[i] & ~r->mask.w[i]) != 0)
			return false;
		if ((r->key.w[i] & f->mask.w[i]) != f->key.w[i])
			return false;
	}
	return ((r->cookie ^ f->cookie) & f->cookie_mask) == 0;
}

static bool
m_overlap(const struct flow_rule *a, const struct flow_rule *b)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if (((a->key.w[i] ^ b->key.w[i]) & a->mask.w[i] & b->mask.w[i]) != 0)
			return false;
	return true;
}

static bool
m_selects(const struct flow_op *op, const struct flow_rule *r)
{
	const struct flow_rule *f = &op->rule;
	bool strict = op->type == FLOW_OP_DEL_STRICT || op->type == FLOW_OP_MOD_STRICT;

	if (f->has_table && f->table != r->table)
		return false;
	if (!strict)
		return m_covered(r, f);
	return r->priority == f->priority && key_equal(&r->mask, &f->mask) &&
	       key_equal(&r->key, &f->key) && ((r->cookie ^ f->cookie) & f->cookie_mask) == 0;
}

static void
model_clear(struct model *m)
{
	for (unsigned int i = 0; i < m->n; i++)
		flow_rule_free(&m->r[i]);
	m->n = 0;
}

static void
model_copy(struct model *dst, const struct model *src)
{
	dst->n = src->n;
	for (unsigned int i = 0; i < src->n; i++)
		assert_int_equal(flow_rule_copy(&dst->r[i], &src->r[i]), 0);
}

static int
model_op(struct model *m, const struct flow_op *op)
{
	const struct flow_rule *nr = &op->rule;
	unsigned int i;

	if (op->type == FLOW_OP_ADD) {
		for (i = 0; i < m->n; i++) {
			const struct flow_rule *r = &m->r[i];

			if (r->table == nr->table && r->priority == nr->priority &&
			    key_equal(&r->mask, &nr->mask) && key_equal(&r->key, &nr->key))
				break;
		}
		if (i < m->n) {
			flow_rule_free(&m->r[i]);
			assert_int_equal(flow_rule_copy(&m->r[i], nr), 0);
			return 0;
		}
		for (i = 0; i < m->n; i++)
			if (m->r[i].table == nr->table && m->r[i].priority == nr->priority &&
			    m_overlap(&m->r[i], nr))
				return -EEXIST;
		assert_true(m->n < MODEL_MAX);
		assert_int_equal(flow_rule_copy(&m->r[m->n++], nr), 0);
		return 0;
	}
	for (i = 0; i < m->n;) {
		struct flow_rule *r = &m->r[i];

		if (!m_selects(op, r)) {
			i++;
			continue;
		}
		if (op->type == FLOW_OP_DEL || op->type == FLOW_OP_DEL_STRICT) {
			flow_rule_free(r);
			*r = m->r[--m->n];
			continue;
		}
		free(r->actions);
		r->actions = NULL;
		r->n_actions = nr->n_actions;
		if (nr->n_actions > 0) {
			r->actions = malloc(nr->n_actions * sizeof(*r->actions));
			assert_non_null(r->actions);
			memcpy(r->actions, nr->actions, nr->n_actions * sizeof(*r->actions));
		}
		i++;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct collect {
	unsigned int n;
	char *text[MODEL_MAX];
	uint32_t slot[MODEL_MAX];
	uint64_t id[MODEL_MAX];
	int last_table, last_prio;
};

static void
collect_visit(const struct flow_table_rule *rule, void *arg)
{
	struct collect *c = arg;
	char buf[FLOW_TEXT_MAX + 1];

	assert_true(c->n < MODEL_MAX);
	/* Visit order: table, then priority from the highest. */
	assert_true(rule->r.table > c->last_table ||
		    (rule->r.table == c->last_table && rule->r.priority <= c->last_prio));
	c->last_table = rule->r.table;
	c->last_prio = rule->r.priority;
	flow_rule_format(&rule->r, port_name, NULL, buf, sizeof(buf));
	c->text[c->n] = strdup(buf);
	c->slot[c->n] = rule->slot;
	c->id[c->n] = rule->id;
	c->n++;
}

static void
collect_free(struct collect *c)
{
	for (unsigned int i = 0; i < c->n; i++)
		free(c->text[i]);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The table must show exactly the model's rules, each with its own slot and id. */
static void
compare_model(const struct flow_table *ft, const struct model *m, unsigned int step)
{
	struct collect got = {.last_table = -1}, want = {0};
	uint64_t slots[MODEL_MAX];
	char buf[FLOW_TEXT_MAX + 1];
	bool bad = false;

	flow_table_visit(ft, collect_visit, &got);
	for (unsigned int i = 0; i < m->n; i++) {
		flow_rule_format(&m->r[i], port_name, NULL, buf, sizeof(buf));
		want.text[want.n++] = strdup(buf);
	}
	qsort(got.text, got.n, sizeof(got.text[0]), cmp_str);
	qsort(want.text, want.n, sizeof(want.text[0]), cmp_str);
	if (got.n != want.n || flow_table_n_rules(ft) != m->n)
		bad = true;
	for (unsigned int i = 0; i < got.n && i < want.n && !bad; i++)
		bad = strcmp(got.text[i], want.text[i]) != 0;
	if (bad) {
		print_message("step %u: the table differs from the model\n  table (%u):\n", step,
			      flow_table_n_rules(ft));
		for (unsigned int i = 0; i < got.n; i++)
			print_message("    %s\n", got.text[i]);
		print_message("  model (%u):\n", want.n);
		for (unsigned int i = 0; i < want.n; i++)
			print_message("    %s\n", want.text[i]);
	}
	for (unsigned int i = 0; i < got.n; i++)
		slots[i] = got.slot[i];
	qsort(slots, got.n, sizeof(slots[0]), cmp_u64);
	qsort(got.id, got.n, sizeof(got.id[0]), cmp_u64);
	for (unsigned int i = 1; i < got.n; i++) {
		if (slots[i] == slots[i - 1] || got.id[i] == got.id[i - 1]) {
			print_message("step %u: two rules share slot or id\n", step);
			bad = true;
		}
	}
	collect_free(&got);
	collect_free(&want);
	if (bad)
		fail();
}

static uint32_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state % n;
}

static const char *const rnd_l3[] = {
	"",
	"ip",
	"ip,nw_dst=10.0.0.0/24",
	"ip,nw_dst=10.0.1.0/24",
	"ip,nw_dst=10.0.0.0/16",
	"ip,nw_dst=10.0.0.7",
	"ip,nw_dst=10.0.2.0/24",
	"ip,nw_dst=10.0.3.0/24",
	"ip,nw_dst=192.168.0.1",
	"tcp,tp_dst=80",
	"tcp,tp_dst=443",
	"udp,tp_dst=80",
	"tcp",
	"arp",
};
static const char *const rnd_port[] = {"", "in_port=vm1", "in_port=vm2", "in_port=up0"};
static const char *const rnd_acts[] = {"output:up0", "output:vm1", "drop", "output:vm2,output:up0"};

/* The match part of a random rule or filter, with a leading comma when not empty. */
static void
rnd_match(char *buf, size_t len)
{
	const char *p = rnd_port[rnd(RTE_DIM(rnd_port))];
	const char *l3 = rnd_l3[rnd(RTE_DIM(rnd_l3))];

	snprintf(buf, len, "%s%s%s%s", *p ? "," : "", p, *l3 ? "," : "", l3);
}

static void
rnd_op(struct flow_op *op)
{
	static const enum flow_op_type types[] = {
		FLOW_OP_ADD, FLOW_OP_ADD, FLOW_OP_ADD, FLOW_OP_ADD, FLOW_OP_ADD,
		FLOW_OP_DEL, FLOW_OP_DEL_STRICT, FLOW_OP_MOD, FLOW_OP_MOD_STRICT,
	};
	static const char *const prio_items[] = {",priority=10", ",priority=20", ",priority=30"};
	enum flow_op_type type = types[rnd(RTE_DIM(types))];
	char match[128], text[256];
	int len;

	rnd_match(match, sizeof(match));
	if (type == FLOW_OP_ADD) {
		len = snprintf(text, sizeof(text), "table=%u,priority=%u,cookie=%u%s",
			       rnd(2), 10 * (1 + rnd(3)), rnd(3), match);
	} else {
		bool strict = type == FLOW_OP_DEL_STRICT || type == FLOW_OP_MOD_STRICT;

		len = snprintf(text, sizeof(text), "%s%s%s", rnd(3) ? "" : ",table=1",
			       strict || rnd(4) == 0 ? prio_items[rnd(RTE_DIM(prio_items))] : "",
			       rnd(5) ? "" : (rnd(2) ? ",cookie=0x1/0x1" : ",cookie=2"));
		len += snprintf(text + len, sizeof(text) - (size_t)len, "%s", match);
	}
	if (type != FLOW_OP_DEL && type != FLOW_OP_DEL_STRICT)
		snprintf(text + len, sizeof(text) - (size_t)len, ",actions=%s",
			 rnd_acts[rnd(RTE_DIM(rnd_acts))]);
	/* The text starts with a comma unless something else came first. */
	op_set(op, type, text[0] == ',' ? text + 1 : text);
}

/* Every rule of the model, deleted and added again, some changed: flow.replace. */
static unsigned int
replace_ops(const struct model *m, struct flow_op *ops, unsigned int max)
{
	unsigned int n = 0;

	op_set(&ops[n++], FLOW_OP_DEL, "");
	for (unsigned int i = 0; i < m->n && n + 1 < max; i++) {
		char text[FLOW_TEXT_MAX + 1];

		if (rnd(8) == 0)
			continue; /* dropped from the list */
		flow_rule_format(&m->r[i], port_name, NULL, text, sizeof(text));
		op_set(&ops[n], FLOW_OP_ADD, text);
		if (rnd(6) == 0)
			ops[n].rule.cookie ^= 1; /* changed */
		n++;
		if (rnd(8) == 0 && n + 1 < max)
			rnd_op(&ops[n++]); /* something new in between */
	}
	/* Shuffled, the DEL staying first. */
	for (unsigned int i = n - 1; i > 1; i--) {
		unsigned int j = 1 + rnd(i);
		struct flow_op t = ops[i];

		ops[i] = ops[j];
		ops[j] = t;
	}
	return n;
}

static const char *const op_names[] = {
	[FLOW_OP_ADD] = "add",
	[FLOW_OP_DEL] = "del",
	[FLOW_OP_DEL_STRICT] = "del --strict",
	[FLOW_OP_MOD] = "mod",
	[FLOW_OP_MOD_STRICT] = "mod --strict",
};

static void
test_random_model(void **state)
{
	struct fx *fx = *state;
	static struct model model, trial;
	static struct flow_op ops[MODEL_MAX + 2];
	const char *env = getenv("FLOW_TABLE_TEST_SEED");
	unsigned int seed = env != NULL && *env != '\0' ? (unsigned int)strtoul(env, NULL, 0)
							: 20221122;
	unsigned int n_adds = 0, n_failed = 0, n_aborted = 0, n_replace = 0;

	print_message("    seed %u (override with FLOW_TABLE_TEST_SEED)\n", seed);
	rng_state = seed ? seed : 1;
	for (unsigned int step = 0; step < 3000; step++) {
		unsigned int n, failed_want = UINT32_MAX;
		struct flow_txn *txn;
		int rc_want = 0;
		struct res r;

		if (rnd(10) == 0) {
			n = replace_ops(&model, ops, RTE_DIM(ops));
			n_replace++;
		} else {
			n = 1 + rnd(4);
			for (unsigned int i = 0; i < n; i++)
				rnd_op(&ops[i]);
		}
		for (unsigned int i = 0; i < n; i++)
			n_adds += ops[i].type == FLOW_OP_ADD;
		model_copy(&trial, &model);
		for (unsigned int i = 0; i < n && rc_want == 0; i++) {
			rc_want = model_op(&trial, &ops[i]);
			if (rc_want != 0)
				failed_want = i;
		}
		apply(fx, ops, n, step, &txn, &r);
		if (r.rc != rc_want || (rc_want != 0 && r.failed != failed_want)) {
			print_message("step %u: rc %d at op %u, the model says %d at op %u (%s)\n",
				      step, r.rc, r.failed, rc_want, failed_want, r.err);
			for (unsigned int i = 0; i < n; i++) {
				char text[FLOW_TEXT_MAX + 1];

				if (ops[i].type == FLOW_OP_DEL || ops[i].type == FLOW_OP_DEL_STRICT)
					flow_match_format(&ops[i].rule, port_name, NULL, text,
							  sizeof(text));
				else
					flow_rule_format(&ops[i].rule, port_name, NULL, text,
							 sizeof(text));
				print_message("  op %u %s: \"%s\"\n", i, op_names[ops[i].type],
					      text);
			}
			fail();
		}
		if (r.rc != 0) {
			n_failed++;
			model_clear(&trial);
		} else if (rnd(4) == 0) {
			flow_table_abort(fx->ft, fx->pool, txn);
			n_aborted++;
			model_clear(&trial);
		} else {
			flow_table_commit(fx->ft, txn);
			model_clear(&model);
			model = trial;
			trial.n = 0;
			if (rnd(2))
				flow_table_release(fx->ft, fx->pool);
		}
		compare_model(fx->ft, &model, step);
		ops_free(ops, n);
	}
	print_message("    %u adds, %u failed and %u aborted transactions, %u replaces, %u rules "
		      "left\n", n_adds, n_failed, n_aborted, n_replace, model.n);
	model_clear(&model);

	/* No slot leaked: with every rule gone, the pool hands out exactly
	 * 0 .. n_adds before any slot it never handed out. */
	flow_table_destroy(fx->ft, fx->pool);
	fx->ft = flow_table_create();
	assert_non_null(fx->ft);
	{
		uint8_t *got = calloc(n_adds + 1, 1);

		assert_non_null(got);
		for (unsigned int i = 0; i <= n_adds; i++) {
			int64_t s = flow_stats_pool_alloc(fx->pool);

			if (s < 0 || s > n_adds || got[s])
				fail_msg("allocation %u after the end gave slot %" PRId64, i, s);
			got[s] = 1;
		}
		free(got);
	}
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_replace, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_default_rule, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_overlap, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_overlap_after_revival, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_delete, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_modify, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failed_transaction, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_abort, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_visit_and_release, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_replace_revival, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_expiry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_expiry_hard_not_extended, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_max_rules, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_random_model, fx_setup, fx_teardown),
	};
	int ret;

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_flow_table: rte_eal_init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
