/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier: random rule sets and keys checked against a linear-scan reference model, single
 * and burst lookups, rebuilds after deletes, changes in place across versions (old tables keep
 * their answers, aborted changes leave no trace), and hand-written edge cases.
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

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "datapath/classifier.h"

static unsigned int seed;

/* --- random numbers: splitmix64, so a seed means the same thing on every libc --------------- */

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

#define PICK(r, arr) ((arr)[rng_below((r), RTE_DIM(arr))])

/* --- payloads: rule ids, never dereferenced --------------------------------------------------- */

static const void *
id_payload(uint32_t id)
{
	return (const void *)(uintptr_t)(id + 1);
}

static long
payload_id(const void *p)
{
	return p == NULL ? -1 : (long)(uintptr_t)p - 1;
}

/* --- keys from small value sets, so that random keys and rule keys meet ---------------------- */

static void
set_mac(struct rte_ether_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->addr_bytes[0] = 0x02;
	a->addr_bytes[5] = last;
}

static void
random_key(struct rng *r, struct flow_key *k)
{
	static const uint16_t ports[] = {1, 2, 3, 4};
	static const uint16_t types[] = {FLOW_ETH_IPV4, FLOW_ETH_IPV6, FLOW_ETH_ARP};
	static const uint16_t tcis[] = {0, 10, 20, (3 << FLOW_VLAN_PCP_SHIFT) | 10};
	static const uint8_t protos[] = {6, 17, 1};
	static const uint8_t toses[] = {0, 0x10, 0xb8};
	static const uint16_t sports[] = {1024, 40000, 53};
	static const uint16_t dports[] = {22, 80, 443, 53, 8080, 25, 123, 3306};
	static const uint8_t ttls[] = {1, 64, 255};
	static const uint16_t flags[] = {0x002, 0x010, 0x012, 0x011};
	static const uint64_t low64[] = {0, 1, UINT64_C(0xfe80000000000001)};

	memset(k, 0, sizeof(*k));
	k->in_port = PICK(r, ports);
	k->dl_type = rte_cpu_to_be_16(PICK(r, types));
	k->vlan_tci = PICK(r, tcis);
	k->nw_proto = PICK(r, protos);
	k->nw_tos = PICK(r, toses);
	set_mac(&k->dl_dst, 1 + rng_below(r, 32));
	set_mac(&k->dl_src, 1 + rng_below(r, 32));
	k->tp_src = rte_cpu_to_be_16(PICK(r, sports));
	k->tp_dst = rte_cpu_to_be_16(PICK(r, dports));
	k->nw_ttl = PICK(r, ttls);
	k->tcp_flags = rte_cpu_to_be_16(PICK(r, flags));
	/* 10.{0,1}.{0..15}.{1..32} and 172.16.{0..15}.{1..32}. */
	k->nw_src = rte_cpu_to_be_32((rng_below(r, 2) ? 0x0a000000 : 0x0a010000) |
				     rng_below(r, 16) << 8 | (1 + rng_below(r, 32)));
	k->nw_dst = rte_cpu_to_be_32((rng_below(r, 2) ? 0x0a000000 : 0xac100000) |
				     rng_below(r, 16) << 8 | (1 + rng_below(r, 32)));
	k->w[5] = PICK(r, low64);
	k->w[7] = PICK(r, low64);
}

/* --- masks from a palette of shapes that overlap heavily ------------------------------------- */

enum shape {
	SHAPE_ALL_WILD,
	SHAPE_EXACT,
	SHAPE_IN_PORT,
	SHAPE_PROTO,
	SHAPE_DST_PREFIX,
	SHAPE_SRC_DST_PREFIX,
	SHAPE_TP_DST,
	SHAPE_DL_DST,
	SHAPE_VLAN_DL_DST,
	SHAPE_TCP_FLAGS,
	SHAPE_IPV6_DST,
	SHAPE_IN_PORT_DL_SRC,
	SHAPE_TOS_TTL,
	N_SHAPES
};

static rte_be32_t
prefix32(unsigned int len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(UINT32_MAX << (32 - len));
}

static void
make_mask(struct rng *r, enum shape shape, struct flow_key *m)
{
	static const unsigned int dst_lens[] = {8, 16, 24, 32};
	static const unsigned int src_lens[] = {0, 16, 24};
	static const uint16_t tp_masks[] = {0xffff, 0xff00, 0xfff0, 0x8000};
	static const uint16_t flag_masks[] = {0x002, 0x012, 0x0fff};

	memset(m, 0, sizeof(*m));
	switch (shape) {
	case SHAPE_ALL_WILD:
		break;
	case SHAPE_EXACT:
		memset(m, 0xff, sizeof(*m));
		break;
	case SHAPE_IN_PORT:
		m->in_port = 0xffff;
		break;
	case SHAPE_PROTO:
		m->dl_type = 0xffff;
		m->nw_proto = 0xff;
		break;
	case SHAPE_DST_PREFIX:
		m->dl_type = 0xffff;
		m->nw_dst = prefix32(PICK(r, dst_lens));
		break;
	case SHAPE_SRC_DST_PREFIX:
		m->dl_type = 0xffff;
		m->nw_src = prefix32(PICK(r, src_lens));
		m->nw_dst = prefix32(PICK(r, dst_lens));
		break;
	case SHAPE_TP_DST:
		m->dl_type = 0xffff;
		m->nw_proto = 0xff;
		m->tp_dst = rte_cpu_to_be_16(PICK(r, tp_masks));
		break;
	case SHAPE_DL_DST:
		memset(&m->dl_dst, 0xff, sizeof(m->dl_dst));
		break;
	case SHAPE_VLAN_DL_DST:
		m->vlan_tci = FLOW_VLAN_VID_MASK;
		memset(&m->dl_dst, 0xff, sizeof(m->dl_dst));
		break;
	case SHAPE_TCP_FLAGS:
		m->dl_type = 0xffff;
		m->nw_proto = 0xff;
		m->tcp_flags = rte_cpu_to_be_16(PICK(r, flag_masks));
		break;
	case SHAPE_IPV6_DST:
		m->dl_type = 0xffff;
		m->w[6] = UINT64_MAX;
		m->w[7] = rng_below(r, 2) ? UINT64_MAX : 0;
		break;
	case SHAPE_IN_PORT_DL_SRC:
		m->in_port = 0xffff;
		memset(&m->dl_src, 0xff, sizeof(m->dl_src));
		break;
	case SHAPE_TOS_TTL:
		m->nw_tos = 0xfc;
		m->nw_ttl = 0xff;
		break;
	case N_SHAPES:
		break;
	}
}

/* --- the reference model: a linear scan --------------------------------------------------- */

struct ref_rule {
	struct flow_key key; /* masked */
	struct flow_key mask;
	uint32_t priority;
	const void *payload;
};

static void
ref_init(struct ref_rule *ref, const struct cls_rule_spec *specs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		flow_key_and(&ref[i].key, &specs[i].key, &specs[i].mask);
		ref[i].mask = specs[i].mask;
		ref[i].priority = specs[i].priority;
		ref[i].payload = specs[i].payload;
	}
}

static const void *
ref_lookup(const struct ref_rule *ref, uint32_t n, const struct flow_key *key)
{
	const struct ref_rule *best = NULL;

	for (uint32_t i = 0; i < n; i++)
		if (flow_key_matches(key, &ref[i].key, &ref[i].mask) &&
		    (best == NULL || ref[i].priority > best->priority))
			best = &ref[i];
	return best == NULL ? NULL : best->payload;
}

/* The header's overlap test: some key matches both. */
static bool
specs_overlap(const struct cls_rule_spec *a, const struct cls_rule_spec *b)
{
	uint64_t diff = 0;

	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		diff |= (a->key.w[i] ^ b->key.w[i]) & a->mask.w[i] & b->mask.w[i];
	return diff == 0;
}

/* What the table should report: its subtables are the distinct masks. */
static unsigned int
ref_n_masks(const struct ref_rule *ref, uint32_t n)
{
	unsigned int n_sub = 0;

	for (uint32_t i = 0; i < n; i++) {
		bool new_mask = true;

		for (uint32_t j = 0; j < i && new_mask; j++)
			new_mask = !flow_key_equal(&ref[i].mask, &ref[j].mask);
		n_sub += new_mask;
	}
	return n_sub;
}

/* --- generators ------------------------------------------------------------------------------ */

/*
 * n rules with ids 0..n-1, priorities below prio_range plus a few at 0 and UINT32_MAX. Keys keep
 * random bits outside their mask half of the time, for the build to mask. A rule that overlaps
 * an earlier one of equal priority is drawn again: the outcome between them is unspecified.
 * Without catch_all, no rule wildcards everything, so that some keys miss.
 */
static void
gen_rules(struct rng *r, struct cls_rule_spec *specs, uint32_t n, uint32_t prio_range,
	  bool catch_all)
{
	uint64_t attempts = 0;
	uint32_t i = 0;

	while (i < n) {
		struct cls_rule_spec *s = &specs[i];
		uint32_t dice = rng_below(r, 100);
		uint32_t first_shape = catch_all ? SHAPE_ALL_WILD : SHAPE_ALL_WILD + 1;
		bool clash = false;

		/* A priority range too small for n disjoint rules would never finish. */
		assert_true(++attempts < 100 * (uint64_t)n + 1000);
		make_mask(r, (enum shape)(first_shape + rng_below(r, N_SHAPES - first_shape)),
			  &s->mask);
		random_key(r, &s->key);
		if (rng_below(r, 2))
			for (int w = 0; w < FLOW_KEY_WORDS; w++)
				s->key.w[w] |= rng_next(r) & ~s->mask.w[w];
		s->priority = dice == 0 ? 0 : dice == 1 ? UINT32_MAX : rng_below(r, prio_range);
		s->payload = id_payload(i);
		for (uint32_t j = 0; j < i && !clash; j++)
			clash = specs[j].priority == s->priority && specs_overlap(&specs[j], s);
		if (!clash)
			i++;
	}
}

/*
 * Mostly keys built to match a rule (its masked bits, anything elsewhere), then often perturbed
 * by one bit or one word, so that near misses and other subtables' rules come up too. The rest
 * have about half their words random, so that they often match nothing.
 */
static void
gen_key(struct rng *r, const struct cls_rule_spec *specs, uint32_t n, struct flow_key *k)
{
	struct flow_key other;

	random_key(r, k);
	if (n == 0 || rng_below(r, 8) == 0) {
		for (int w = 0; w < FLOW_KEY_WORDS; w++)
			if (rng_below(r, 2))
				k->w[w] = rng_next(r);
		return;
	}

	const struct cls_rule_spec *s = &specs[rng_below(r, n)];

	for (int w = 0; w < FLOW_KEY_WORDS; w++)
		k->w[w] = (s->key.w[w] & s->mask.w[w]) | (k->w[w] & ~s->mask.w[w]);
	switch (rng_below(r, 4)) {
	case 0:
		k->w[rng_below(r, FLOW_KEY_WORDS)] ^= UINT64_C(1) << rng_below(r, 64);
		break;
	case 1:
		random_key(r, &other);
		k->w[rng_below(r, FLOW_KEY_WORDS)] = other.w[rng_below(r, FLOW_KEY_WORDS)];
		break;
	default:
		break;
	}
}

/* --- checking a table against the model ------------------------------------------------------ */

static void
report_mismatch(const char *what, uint32_t i, const struct flow_key *k, const void *want,
		const void *got)
{
	print_message("seed %u: %s: key %u: expected rule %ld, got %ld; key", seed, what, i,
		      payload_id(want), payload_id(got));
	for (int w = 0; w < FLOW_KEY_WORDS; w++)
		print_message(" %016" PRIx64, k->w[w]);
	print_message("\n");
	fail();
}

/* Returns the number of keys that matched some rule. */
static uint32_t
check_table(const struct cls_table *t, const struct cls_rule_spec *specs, uint32_t n,
	    const struct flow_key *keys, uint32_t n_keys)
{
	static const unsigned int bursts[] = {1, 7, 32, 64};
	struct ref_rule *ref = calloc(RTE_MAX(n, 1u), sizeof(*ref));
	const void **want = calloc(n_keys, sizeof(*want));
	uint32_t matched = 0;

	assert_non_null(ref);
	assert_non_null(want);
	ref_init(ref, specs, n);
	assert_int_equal(cls_table_n_subtables(t), ref_n_masks(ref, n));
	assert_int_equal(cls_table_n_rules(t), n); /* shadowed ones too: they may come back */

	for (uint32_t i = 0; i < n_keys; i++) {
		const void *got = cls_table_lookup(t, &keys[i]);

		want[i] = ref_lookup(ref, n, &keys[i]);
		matched += want[i] != NULL;
		if (got != want[i])
			report_mismatch("cls_table_lookup", i, &keys[i], want[i], got);
	}

	for (size_t b = 0; b < RTE_DIM(bursts); b++) {
		const struct flow_key *ptrs[CLS_BURST_MAX];
		const void *got[CLS_BURST_MAX];

		for (uint32_t start = 0; start < n_keys; start += bursts[b]) {
			unsigned int len = RTE_MIN(bursts[b], n_keys - start);

			for (unsigned int j = 0; j < len; j++) {
				ptrs[j] = &keys[start + j];
				got[j] = (const void *)(uintptr_t)0xdead; /* must be overwritten */
			}
			cls_table_lookup_burst(t, ptrs, len, got);
			for (unsigned int j = 0; j < len; j++)
				if (got[j] != want[start + j])
					report_mismatch("cls_table_lookup_burst", start + j,
							&keys[start + j], want[start + j], got[j]);
		}
	}
	free(want);
	free(ref);
	return matched;
}

static struct cls_table *
build(const struct cls_rule_spec *specs, uint32_t n)
{
	struct cls_table *t = cls_table_build(specs, n, SOCKET_ID_ANY);

	if (t == NULL)
		print_message("cls_table_build(%u rules): %s\n", n, strerror(errno));
	assert_non_null(t);
	assert_true(cls_table_memory(t) > 0);
	return t;
}

/* --- random rule sets ------------------------------------------------------------------------ */

#define RANDOM_KEYS 30000

static void
random_round(unsigned int round_seed, uint32_t n_rules, uint32_t prio_range, bool catch_all)
{
	struct rng r = {.s = round_seed};
	struct cls_rule_spec *specs = calloc(n_rules, sizeof(*specs));
	struct flow_key *keys = calloc(RANDOM_KEYS, sizeof(*keys));
	struct cls_table *t;
	uint32_t matched;

	assert_non_null(specs);
	assert_non_null(keys);
	gen_rules(&r, specs, n_rules, prio_range, catch_all);
	for (uint32_t i = 0; i < RANDOM_KEYS; i++)
		gen_key(&r, specs, n_rules, &keys[i]);

	t = build(specs, n_rules);
	matched = check_table(t, specs, n_rules, keys, RANDOM_KEYS);
	print_message("  seed %u: %u rules, priorities < %u%s: %u subtables, %u stored, "
		      "%u/%u keys matched, %zu bytes\n", round_seed, n_rules, prio_range,
		      catch_all ? ", catch-alls" : "", cls_table_n_subtables(t),
		      cls_table_n_rules(t), matched, RANDOM_KEYS, cls_table_memory(t));
	/* The generator is only useful if most keys hit something and, without a catch-all,
	 * some miss. */
	assert_true(matched > RANDOM_KEYS / 2);
	if (!catch_all)
		assert_true(matched < RANDOM_KEYS);
	cls_table_destroy(t);
	free(keys);
	free(specs);
}

static void
test_random(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		random_round(seed + i, 5000, 10000, i % 2 == 0);
		/* Many ties, all between disjoint rules. */
		random_round(seed + 100 + i, 2000, 500, i % 2 == 1);
	}
	random_round(seed + 200, 200, 1000, false);
	random_round(seed + 201, 1, 10, false);
}

/* Removing rules, shadowing ones included, and rebuilding gives the model's answers for the
 * rest. The old table stays alive until the new one is built, as it does in the datapath. */
static void
test_deletes(void **state)
{
	const uint32_t n = 3000;
	struct rng r = {.s = seed + 300};
	struct cls_rule_spec *specs = calloc(n, sizeof(*specs));
	struct flow_key *keys = calloc(RANDOM_KEYS, sizeof(*keys));
	struct cls_table *t, *next;
	uint32_t left = n;

	(void)state;
	assert_non_null(specs);
	assert_non_null(keys);
	gen_rules(&r, specs, n, 2000, true);
	for (uint32_t i = 0; i < RANDOM_KEYS; i++)
		gen_key(&r, specs, n, &keys[i]);
	t = build(specs, n);
	check_table(t, specs, n, keys, RANDOM_KEYS);

	for (int round = 0; round < 4; round++) {
		uint32_t kept = 0;

		for (uint32_t i = 0; i < left; i++)
			if (rng_below(&r, 10) >= 4)
				specs[kept++] = specs[i];
		left = kept;
		next = build(specs, left);
		cls_table_destroy(t);
		t = next;
		check_table(t, specs, left, keys, RANDOM_KEYS);
	}
	cls_table_destroy(t);
	free(keys);
	free(specs);
}

/* The rules of specs[] marked in in[], compacted into out[]; returns how many. */
static uint32_t
present(const struct cls_rule_spec *specs, const bool *in, uint32_t n, struct cls_rule_spec *out)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		if (in[i])
			out[k++] = specs[i];
	return k;
}

/* Random inserts and removes for version v: about one rule in five changes. */
static void
change_rules(struct rng *r, struct cls_rules *rules, const struct cls_rule_spec *specs,
	     struct cls_entry **h, bool *in, uint32_t n, uint64_t v, bool *changed)
{
	for (uint32_t i = 0; i < n; i++) {
		changed[i] = rng_below(r, 5) == 0;
		if (!changed[i])
			continue;
		if (in[i]) {
			cls_rules_remove(rules, h[i], v);
		} else {
			h[i] = cls_rules_insert(rules, &specs[i], v);
			assert_non_null(h[i]);
		}
		in[i] = !in[i];
	}
}

/*
 * Rules changed in place, version after version, against the model: each new table answers for
 * the rules as changed, the previous table still for the rules as they were (its readers may
 * still be searching), before and after the changes are reclaimed. Every third round first
 * makes changes and takes them back, as an aborted bundle does; they must leave no trace.
 */
static void
test_versions(void **state)
{
	const uint32_t n = 3000;
	struct rng r = {.s = seed + 400};
	struct cls_rule_spec *specs = calloc(n, sizeof(*specs));
	struct cls_rule_spec *now = calloc(n, sizeof(*now)), *before = calloc(n, sizeof(*before));
	struct flow_key *keys = calloc(RANDOM_KEYS, sizeof(*keys));
	struct cls_entry **h = calloc(n, sizeof(*h));
	bool *in = calloc(n, sizeof(*in)), *changed = calloc(n, sizeof(*changed));
	struct cls_rules *rules = cls_rules_create(SOCKET_ID_ANY, NULL);
	struct cls_table *old = NULL;
	uint32_t n_before = 0;

	(void)state;
	assert_true(specs && now && before && keys && h && in && changed && rules);
	gen_rules(&r, specs, n, 2000, true);
	for (uint32_t i = 0; i < RANDOM_KEYS; i++)
		gen_key(&r, specs, n, &keys[i]);

	for (uint64_t v = 1; v <= 12; v++) {
		struct cls_table *t;
		uint32_t n_now;

		if (v % 3 == 0) {
			change_rules(&r, rules, specs, h, in, n, v, changed);
			for (uint32_t i = n; i-- > 0;) {
				if (!changed[i])
					continue;
				if (in[i])
					cls_rules_remove(rules, h[i], v); /* for its own version: never seen */
				else
					cls_rules_unremove(rules, h[i]);
				in[i] = !in[i];
			}
		}
		change_rules(&r, rules, specs, h, in, n, v, changed);
		if (old != NULL)
			check_table(old, before, n_before, keys, RANDOM_KEYS);
		t = cls_rules_table(rules, v);
		assert_non_null(t);
		n_now = present(specs, in, n, now);
		check_table(t, now, n_now, keys, RANDOM_KEYS);
		assert_int_equal(cls_rules_n_live(rules), n_now);

		/* Published: the old table goes, then what only it could see. */
		cls_table_destroy(old);
		cls_rules_reclaim(rules, v, NULL);
		check_table(t, now, n_now, keys, RANDOM_KEYS);
		old = t;
		memcpy(before, now, n_now * sizeof(*now));
		n_before = n_now;
	}
	cls_table_destroy(old);
	cls_rules_put(rules);
	free(changed);
	free(in);
	free(h);
	free(keys);
	free(before);
	free(now);
	free(specs);
}

/* One subtable far larger than the others: its hash is sized for it. */
static void
test_large_subtable(void **state)
{
	const uint32_t n = 50000;
	struct cls_rule_spec *specs = calloc(n, sizeof(*specs));
	struct flow_key *keys = calloc(n + 1000, sizeof(*keys));
	struct cls_table *t;

	(void)state;
	assert_non_null(specs);
	assert_non_null(keys);
	for (uint32_t i = 0; i < n; i++) {
		specs[i].mask.dl_type = 0xffff;
		specs[i].mask.nw_dst = UINT32_MAX;
		specs[i].key.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
		specs[i].key.nw_dst = rte_cpu_to_be_32(0x0a000000 + i * 7);
		specs[i].priority = i % 3;
		specs[i].payload = id_payload(i);
		keys[i] = specs[i].key;
		keys[i].in_port = i % 5;
	}
	for (uint32_t i = n; i < n + 1000; i++) {
		keys[i].dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
		keys[i].nw_dst = rte_cpu_to_be_32(0x0a000000 + (i - n) * 7 + 3);
	}
	t = build(specs, n);
	assert_int_equal(cls_table_n_subtables(t), 1);
	assert_int_equal(cls_table_n_rules(t), n);
	for (uint32_t i = 0; i < n; i++)
		assert_ptr_equal(cls_table_lookup(t, &keys[i]), id_payload(i));
	for (uint32_t i = n; i < n + 1000; i++)
		assert_null(cls_table_lookup(t, &keys[i]));
	cls_table_destroy(t);
	free(keys);
	free(specs);
}

/* --- edge cases ------------------------------------------------------------------------------ */

static void
lookup_all_burst(const struct cls_table *t, const struct flow_key *keys, unsigned int n,
		 const void *out[])
{
	const struct flow_key *ptrs[CLS_BURST_MAX];

	assert_true(n <= CLS_BURST_MAX);
	for (unsigned int i = 0; i < n; i++)
		ptrs[i] = &keys[i];
	cls_table_lookup_burst(t, ptrs, n, out);
}

static void
test_empty(void **state)
{
	struct rng r = {.s = seed + 400};
	struct flow_key keys[CLS_BURST_MAX];
	const void *got[CLS_BURST_MAX];
	struct cls_rule_spec spec = {0};
	struct cls_table *t;

	(void)state;
	for (unsigned int i = 0; i < CLS_BURST_MAX; i++)
		random_key(&r, &keys[i]);

	t = build(NULL, 0);
	assert_int_equal(cls_table_n_rules(t), 0);
	assert_int_equal(cls_table_n_subtables(t), 0);
	lookup_all_burst(t, keys, CLS_BURST_MAX, got);
	for (unsigned int i = 0; i < CLS_BURST_MAX; i++) {
		assert_null(got[i]);
		assert_null(cls_table_lookup(t, &keys[i]));
	}
	cls_table_destroy(t);

	/* A non-NULL array with n = 0 too, and a burst of 0 keys. */
	t = build(&spec, 0);
	cls_table_lookup_burst(t, NULL, 0, NULL);
	assert_null(cls_table_lookup(t, &keys[0]));
	cls_table_destroy(t);

	cls_table_destroy(NULL);

	errno = 0;
	assert_null(cls_table_build(NULL, 1, SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
}

/* A priority 0 rule that wildcards everything is found: "no match yet" is not priority 0. */
static void
test_catch_all(void **state)
{
	struct rng r = {.s = seed + 500};
	struct flow_key keys[CLS_BURST_MAX];
	const void *got[CLS_BURST_MAX];
	struct cls_rule_spec specs[2] = {
		{.priority = 0, .payload = id_payload(0)},
		{.priority = 5, .payload = id_payload(1)},
	};
	struct cls_table *t;

	(void)state;
	memset(&specs[0].key, 0x5a, sizeof(specs[0].key)); /* all outside the mask */
	for (unsigned int i = 0; i < CLS_BURST_MAX; i++)
		random_key(&r, &keys[i]);

	t = build(specs, 1);
	assert_int_equal(cls_table_n_subtables(t), 1);
	assert_int_equal(cls_table_n_rules(t), 1);
	lookup_all_burst(t, keys, CLS_BURST_MAX, got);
	for (unsigned int i = 0; i < CLS_BURST_MAX; i++) {
		assert_ptr_equal(got[i], id_payload(0));
		assert_ptr_equal(cls_table_lookup(t, &keys[i]), id_payload(0));
	}
	cls_table_destroy(t);

	/* Under a more specific rule, the catch-all takes what the other leaves. */
	specs[1].mask.in_port = 0xffff;
	specs[1].key.in_port = 2;
	t = build(specs, 2);
	assert_int_equal(cls_table_n_subtables(t), 2);
	lookup_all_burst(t, keys, CLS_BURST_MAX, got);
	for (unsigned int i = 0; i < CLS_BURST_MAX; i++)
		assert_ptr_equal(got[i], id_payload(keys[i].in_port == 2 ? 1 : 0));
	cls_table_destroy(t);

	/* Above it, the catch-all shadows it everywhere. */
	specs[0].priority = 6;
	t = build(specs, 2);
	lookup_all_burst(t, keys, CLS_BURST_MAX, got);
	for (unsigned int i = 0; i < CLS_BURST_MAX; i++)
		assert_ptr_equal(got[i], id_payload(0));
	cls_table_destroy(t);
}

/* Equal masked keys: only the highest priority one is stored, whatever the order given, and
 * bits of the key outside the mask make no difference. */
static void
test_shadowed(void **state)
{
	struct cls_rule_spec specs[4];
	struct flow_key k = {0};
	struct cls_table *t;

	(void)state;
	memset(specs, 0, sizeof(specs));
	for (unsigned int i = 0; i < RTE_DIM(specs); i++) {
		specs[i].mask.dl_type = 0xffff;
		specs[i].mask.nw_dst = prefix32(24);
		specs[i].key.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
		specs[i].key.nw_dst = rte_cpu_to_be_32(0x0a000100 + i); /* 10.0.1.i: same /24 */
		specs[i].key.in_port = i;                               /* outside the mask */
		specs[i].payload = id_payload(i);
	}
	specs[0].priority = 3;
	specs[1].priority = 9;
	specs[2].priority = 5;
	specs[3].priority = 8;
	k.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
	k.nw_dst = rte_cpu_to_be_32(0x0a0001fe);

	t = build(specs, RTE_DIM(specs));
	assert_int_equal(cls_table_n_subtables(t), 1);
	assert_int_equal(cls_table_n_rules(t), 4);
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(1));
	k.nw_dst = rte_cpu_to_be_32(0x0a0002fe);
	assert_null(cls_table_lookup(t, &k));
	cls_table_destroy(t);

	/* Reversed: the highest still wins. */
	for (unsigned int i = 0; i < RTE_DIM(specs) / 2; i++) {
		struct cls_rule_spec tmp = specs[i];

		specs[i] = specs[RTE_DIM(specs) - 1 - i];
		specs[RTE_DIM(specs) - 1 - i] = tmp;
	}
	t = build(specs, RTE_DIM(specs));
	assert_int_equal(cls_table_n_rules(t), 4);
	k.nw_dst = rte_cpu_to_be_32(0x0a000101);
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(1));
	cls_table_destroy(t);
}

/* A key with bits outside its mask: build masks it, so keys equal on the mask match. */
static void
test_unmasked_bits(void **state)
{
	struct cls_rule_spec spec = {.priority = 1, .payload = id_payload(0)};
	struct flow_key k;
	struct cls_table *t;

	(void)state;
	memset(&spec.key, 0xff, sizeof(spec.key));
	spec.mask.tp_dst = rte_cpu_to_be_16(0xff00); /* ports 0xff00..0xffff */
	spec.mask.nw_proto = 0xff;

	t = build(&spec, 1);
	memset(&k, 0, sizeof(k));
	k.nw_proto = 0xff;
	k.tp_dst = rte_cpu_to_be_16(0xff12);
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(0));
	k.tp_dst = rte_cpu_to_be_16(0xfe12);
	assert_null(cls_table_lookup(t, &k));
	k.tp_dst = rte_cpu_to_be_16(0xff00);
	k.nw_proto = 6;
	assert_null(cls_table_lookup(t, &k));
	cls_table_destroy(t);
}

/* Equal priorities among rules no key can match together: each key gets its own rule. */
static void
test_priority_ties(void **state)
{
	struct cls_rule_spec specs[4];
	struct flow_key k;
	struct cls_table *t;

	(void)state;
	memset(specs, 0, sizeof(specs));
	/* 0, 1: IPv4 /24s in one subtable; 2: IPv6 /64 in another; 3: ARP by opcode. */
	for (unsigned int i = 0; i < 2; i++) {
		specs[i].mask.dl_type = 0xffff;
		specs[i].mask.nw_dst = prefix32(24);
		specs[i].key.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
		specs[i].key.nw_dst = rte_cpu_to_be_32(0x0a000000 + (i << 8));
	}
	specs[2].mask.dl_type = 0xffff;
	specs[2].mask.w[6] = UINT64_MAX;
	specs[2].key.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV6);
	specs[2].key.w[6] = 0x1234;
	specs[3].mask.dl_type = 0xffff;
	specs[3].mask.nw_proto = 0xff;
	specs[3].key.dl_type = rte_cpu_to_be_16(FLOW_ETH_ARP);
	specs[3].key.nw_proto = 1;
	for (unsigned int i = 0; i < RTE_DIM(specs); i++) {
		specs[i].priority = 7;
		specs[i].payload = id_payload(i);
		for (unsigned int j = 0; j < i; j++)
			assert_false(specs_overlap(&specs[i], &specs[j]));
	}
	t = build(specs, RTE_DIM(specs));
	assert_int_equal(cls_table_n_subtables(t), 3);
	assert_int_equal(cls_table_n_rules(t), 4);
	for (unsigned int i = 0; i < RTE_DIM(specs); i++) {
		const struct flow_key *kp = &k;
		const void *got;

		k = specs[i].key;
		k.in_port = 3;
		k.w[7] = 99;
		assert_ptr_equal(cls_table_lookup(t, &k), id_payload(i));
		cls_table_lookup_burst(t, &kp, 1, &got);
		assert_ptr_equal(got, id_payload(i));
	}
	cls_table_destroy(t);
}

/* Priorities 0, 65535 and UINT32_MAX order like any others. */
static void
test_priority_extremes(void **state)
{
	static const uint32_t prios[] = {0, 65535, UINT32_MAX, 1};
	struct cls_rule_spec specs[4];
	struct flow_key k = {0};
	struct cls_table *t;

	(void)state;
	memset(specs, 0, sizeof(specs));
	/* Nested: all, in_port, in_port + dl_type, in_port + dl_type + nw_proto. */
	for (unsigned int i = 0; i < RTE_DIM(specs); i++) {
		if (i >= 1)
			specs[i].mask.in_port = 0xffff;
		if (i >= 2)
			specs[i].mask.dl_type = 0xffff;
		if (i >= 3)
			specs[i].mask.nw_proto = 0xff;
		specs[i].key.in_port = 1;
		specs[i].key.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
		specs[i].key.nw_proto = 6;
		specs[i].priority = prios[i];
		specs[i].payload = id_payload(i);
	}
	k.in_port = 1;
	k.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
	k.nw_proto = 6;

	t = build(specs, RTE_DIM(specs));
	assert_int_equal(cls_table_n_subtables(t), 4);
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(2)); /* UINT32_MAX */
	k.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV6);
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(1)); /* 65535 */
	k.in_port = 2;
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(0)); /* 0, the catch-all */
	cls_table_destroy(t);

	/* Only priority 0 and 1 rules left: 1 wins over 0 where both match. */
	specs[1] = specs[3];
	t = build(specs, 2);
	k.in_port = 1;
	k.dl_type = rte_cpu_to_be_16(FLOW_ETH_IPV4);
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(3));
	k.nw_proto = 17;
	assert_ptr_equal(cls_table_lookup(t, &k), id_payload(0));
	cls_table_destroy(t);
}

/* Bursts over the limit are split, and duplicates in a burst are independent. */
static void
test_burst_shapes(void **state)
{
	struct cls_rule_spec spec = {.priority = 4, .payload = id_payload(0)};
	struct flow_key keys[2] = {{.in_port = 7}, {.in_port = 8}};
	const struct flow_key *ptrs[3 * CLS_BURST_MAX + 5];
	const void *got[RTE_DIM(ptrs)];
	struct cls_table *t;

	(void)state;
	spec.mask.in_port = 0xffff;
	spec.key.in_port = 7;
	t = build(&spec, 1);
	for (unsigned int i = 0; i < RTE_DIM(ptrs); i++)
		ptrs[i] = &keys[i % 3 == 0];
	cls_table_lookup_burst(t, ptrs, RTE_DIM(ptrs), got);
	for (unsigned int i = 0; i < RTE_DIM(ptrs); i++)
		assert_ptr_equal(got[i], i % 3 == 0 ? NULL : id_payload(0));
	cls_table_destroy(t);
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_catch_all),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_unmasked_bits),
		cmocka_unit_test(test_priority_ties),
		cmocka_unit_test(test_priority_extremes),
		cmocka_unit_test(test_burst_shapes),
		cmocka_unit_test(test_large_subtable),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_deletes),
		cmocka_unit_test(test_versions),
	};
	const char *env = getenv("CLS_TEST_SEED");
	int ret;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_classifier: rte_eal_init failed\n");
		return 1;
	}
	seed = env != NULL && *env != '\0' ? (unsigned int)strtoul(env, NULL, 0) : 20221122;
	printf("test_classifier: seed %u (override with CLS_TEST_SEED)\n", seed);

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
