/* SPDX-License-Identifier: BSD-3-Clause */
#include "datapath/classifier.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

_Static_assert(CLS_BURST_MAX <= RTE_HASH_LOOKUP_BULK_MAX,
	       "a burst is searched with one rte_hash bulk lookup per subtable");
_Static_assert(CLS_BURST_MAX <= 256, "active[] holds key indices in bytes");

/* A subtable's hash is created this much larger than its rule count: the cuckoo table then
 * stays at most half full, where an insert practically never runs out of room. */
#define CLS_HASH_HEADROOM 2
/* Times a subtable's hash is doubled and refilled after an insert found no room. */
#define CLS_HASH_MAX_GROWTH 4

/* One stored rule: what an rte_hash entry's data points to. */
struct cls_entry {
	uint32_t priority;
	const void *payload;
};

/*
 * The rules that share one mask. Fields read per burst come first. mask[] is packed like the
 * hash keys: mask[j] is the mask of key word words[j].
 */
struct cls_subtable {
	struct rte_hash *hash;          /* NULL when n_words is 0 */
	const struct cls_entry *single; /* the one entry when n_words is 0 */
	uint32_t max_priority;
	uint8_t n_words;
	uint8_t words[FLOW_KEY_WORDS];
	uint64_t mask[FLOW_KEY_WORDS];
	/* Build and statistics only. */
	uint32_t n_rules;
	uint32_t hash_entries; /* the entries the hash was created for */
	uint32_t seq;          /* rank of the mask in the build order, to break priority ties */
};

struct cls_table {
	uint32_t n_subtables;
	uint32_t n_rules;
	size_t memory;
	struct cls_entry *entries;
	struct cls_subtable subtables[]; /* by max_priority, highest first */
};

/* A rule during the build, masked. */
struct cls_build_rule {
	struct flow_key mask;
	struct flow_key key;
	uint32_t priority;
	const void *payload;
};

/* rte_hash names are process-wide, so every hash of every table gets the next number. */
static uint32_t cls_hash_seq;

static int
cls_cmp_words(const uint64_t *a, const uint64_t *b)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* By mask, then by masked key, then highest priority first: a mask's rules end up together
 * and the first of each run of equal keys is the only one that can win. */
static int
cls_cmp_build_rule(const void *pa, const void *pb)
{
	const struct cls_build_rule *a = *(const struct cls_build_rule *const *)pa;
	const struct cls_build_rule *b = *(const struct cls_build_rule *const *)pb;
	int c;

	c = cls_cmp_words(a->mask.w, b->mask.w);
	if (c == 0)
		c = cls_cmp_words(a->key.w, b->key.w);
	if (c == 0 && a->priority != b->priority)
		c = a->priority > b->priority ? -1 : 1;
	return c;
}

static int
cls_cmp_subtable(const void *pa, const void *pb)
{
	const struct cls_subtable *a = pa;
	const struct cls_subtable *b = pb;

	if (a->max_priority != b->max_priority)
		return a->max_priority > b->max_priority ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * rte_hash has no size query, so this follows what rte_hash_create() allocates in DPDK 22.11
 * without extra flags: align32pow2(entries) / 8 buckets of one cache line each (8 x (2-byte
 * signature + 4-byte key index), plus flags and an extension pointer); entries + 1 key slots
 * of an 8-byte data pointer and the key, rounded up to 16 bytes; a ring of
 * align32pow2(entries + 1) 4-byte free-slot indices. The fixed 1 KiB is an estimate of the
 * rest: the struct rte_hash and the ring's header (about three cache lines each), the tailq
 * entry, the change counter's cache line and rte_malloc's header on each allocation.
 */
static size_t
cls_hash_footprint(uint32_t entries, uint32_t key_len)
{
	size_t buckets = rte_align32pow2(entries) / 8 * RTE_CACHE_LINE_SIZE;
	size_t keys = (size_t)(entries + 1) * RTE_ALIGN(8 + key_len, 16);
	size_t ring = (size_t)rte_align32pow2(entries + 1) * sizeof(uint32_t);

	return buckets + keys + ring + 1024;
}

static void
cls_pack(const struct cls_subtable *st, const struct flow_key *key, uint64_t *out)
{
	for (unsigned int j = 0; j < st->n_words; j++)
		out[j] = key->w[st->words[j]] & st->mask[j];
}

/* Creates st's hash for the given number of entries and inserts the n rules of rules[], which
 * are distinct and point to entries[0..n). Returns 0, -ENOSPC when a key found no room, or
 * another negative errno. */
static int
cls_subtable_fill(struct cls_subtable *st, uint32_t entries, struct cls_build_rule *const *rules,
		  uint32_t n, struct cls_entry *first_entry, int socket_id)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries,
		.key_len = st->n_words * sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket_id,
	};
	uint32_t seq = __atomic_fetch_add(&cls_hash_seq, 1, __ATOMIC_RELAXED);
	uint64_t packed[FLOW_KEY_WORDS];

	/* Short: rte_hash also names a ring "HT_<name>", and ring names are shorter still. */
	snprintf(name, sizeof(name), "cls%u", seq);
	st->hash = rte_hash_create(&p);
	if (st->hash == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	st->hash_entries = entries;
	for (uint32_t i = 0; i < n; i++) {
		int ret;

		cls_pack(st, &rules[i]->key, packed);
		ret = rte_hash_add_key_data(st->hash, packed, &first_entry[i]);
		if (ret < 0) {
			rte_hash_free(st->hash);
			st->hash = NULL;
			return ret;
		}
	}
	return 0;
}

/* Sets up st for rules[0..n), which share one mask and are distinct, stored at entries[]. */
static int
cls_subtable_init(struct cls_subtable *st, struct cls_build_rule *const *rules, uint32_t n,
		  struct cls_entry *entries, int socket_id)
{
	const struct flow_key *mask = &rules[0]->mask;
	uint32_t size;
	int ret;

	st->n_rules = n;
	st->max_priority = 0;
	for (uint32_t i = 0; i < n; i++) {
		entries[i].priority = rules[i]->priority;
		entries[i].payload = rules[i]->payload;
		st->max_priority = RTE_MAX(st->max_priority, rules[i]->priority);
	}
	for (unsigned int w = 0; w < FLOW_KEY_WORDS; w++) {
		if (mask->w[w] == 0)
			continue;
		st->words[st->n_words] = w;
		st->mask[st->n_words] = mask->w[w];
		st->n_words++;
	}
	if (st->n_words == 0) {
		/* Every key matches the one masked key there is: no hash needed. */
		st->single = &entries[0];
		return 0;
	}

	if (n > RTE_HASH_ENTRIES_MAX / CLS_HASH_HEADROOM)
		return -ENOMEM;
	size = RTE_MAX(CLS_HASH_HEADROOM * n, 8u);
	for (int growth = 0;; growth++) {
		ret = cls_subtable_fill(st, size, rules, n, entries, socket_id);
		if (ret != -ENOSPC || growth == CLS_HASH_MAX_GROWTH)
			break;
		if (size > RTE_HASH_ENTRIES_MAX / 2)
			break;
		size *= 2;
	}
	return ret;
}

static size_t
cls_table_size(uint32_t n_subtables)
{
	return sizeof(struct cls_table) + (size_t)n_subtables * sizeof(struct cls_subtable);
}

/* Copies and masks the specs, and returns them sorted by cls_cmp_build_rule() through *order.
 * Scratch memory, freed before the build returns, so libc's heap. */
static struct cls_build_rule *
cls_sort_rules(const struct cls_rule_spec *specs, uint32_t n, struct cls_build_rule ***order)
{
	struct cls_build_rule *rules = malloc(RTE_MAX(n, 1u) * sizeof(*rules));
	struct cls_build_rule **by = malloc(RTE_MAX(n, 1u) * sizeof(*by));

	if (rules == NULL || by == NULL) {
		free(rules);
		free(by);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		rules[i].mask = specs[i].mask;
		flow_key_and(&rules[i].key, &specs[i].key, &specs[i].mask);
		rules[i].priority = specs[i].priority;
		rules[i].payload = specs[i].payload;
		by[i] = &rules[i];
	}
	qsort(by, n, sizeof(*by), cls_cmp_build_rule);
	*order = by;
	return rules;
}

struct cls_table *
cls_table_build(const struct cls_rule_spec *specs, uint32_t n, int socket_id)
{
	struct cls_build_rule *rules, **by;
	struct cls_table *t = NULL;
	uint32_t n_sub = 0, n_distinct = 0, start;
	int ret = -ENOMEM;

	if (specs == NULL && n > 0) {
		errno = EINVAL;
		return NULL;
	}
	rules = cls_sort_rules(specs, n, &by);
	if (rules == NULL) {
		errno = ENOMEM;
		return NULL;
	}

	/* Drop the rules shadowed by an equal masked key, keeping the sorted order. */
	for (uint32_t i = 0; i < n; i++) {
		bool new_mask = i == 0 || !flow_key_equal(&by[i]->mask, &by[n_distinct - 1]->mask);

		if (!new_mask && flow_key_equal(&by[i]->key, &by[n_distinct - 1]->key))
			continue;
		n_sub += new_mask;
		by[n_distinct++] = by[i];
	}

	t = rte_zmalloc_socket("cls_table", cls_table_size(n_sub), RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL)
		goto fail;
	t->memory = cls_table_size(n_sub);
	t->n_rules = n_distinct;
	if (n_distinct > 0) {
		t->entries = rte_malloc_socket("cls_entries", n_distinct * sizeof(*t->entries), 0,
					       socket_id);
		if (t->entries == NULL)
			goto fail;
		t->memory += n_distinct * sizeof(*t->entries);
	}

	start = 0;
	for (uint32_t i = 1; i <= n_distinct; i++) {
		struct cls_subtable *st = &t->subtables[t->n_subtables];

		if (i < n_distinct && flow_key_equal(&by[i]->mask, &by[start]->mask))
			continue;
		st->seq = t->n_subtables++;
		ret = cls_subtable_init(st, &by[start], i - start, &t->entries[start], socket_id);
		if (ret < 0)
			goto fail;
		if (st->hash != NULL)
			t->memory += cls_hash_footprint(st->hash_entries, st->n_words * 8);
		start = i;
	}
	qsort(t->subtables, t->n_subtables, sizeof(t->subtables[0]), cls_cmp_subtable);

	free(by);
	free(rules);
	return t;

fail:
	free(by);
	free(rules);
	cls_table_destroy(t);
	/* A hash that stays too full after growing is out of memory as far as callers know. */
	errno = ret == -ENOSPC ? ENOMEM : -ret;
	return NULL;
}

void
cls_table_destroy(struct cls_table *t)
{
	if (t == NULL)
		return;
	for (uint32_t s = 0; s < t->n_subtables; s++)
		rte_hash_free(t->subtables[s].hash);
	rte_free(t->entries);
	rte_free(t);
}

/*
 * The hot loop. The keys still searching are kept in active[]; since the subtables come in
 * decreasing order of max priority, a key whose best match already reaches a subtable's max
 * priority is done for good and leaves the list, and the search ends when the list is empty.
 */
static void
cls_lookup_chunk(const struct cls_table *t, const struct flow_key *const keys[], unsigned int n,
		 const void *payloads[])
{
	uint64_t packed[CLS_BURST_MAX][FLOW_KEY_WORDS];
	const void *packed_ptr[CLS_BURST_MAX];
	void *data[CLS_BURST_MAX];
	int64_t best[CLS_BURST_MAX]; /* -1: no match yet, so that priority 0 rules count */
	uint8_t active[CLS_BURST_MAX];
	unsigned int n_active = n;

	for (unsigned int i = 0; i < n; i++) {
		best[i] = -1;
		payloads[i] = NULL;
		active[i] = i;
		packed_ptr[i] = packed[i];
	}

	for (uint32_t s = 0; s < t->n_subtables; s++) {
		const struct cls_subtable *st = &t->subtables[s];
		int64_t max = st->max_priority;
		unsigned int m = 0;
		uint64_t hits = 0;

		for (unsigned int j = 0; j < n_active; j++) {
			unsigned int i = active[j];

			active[m] = i;
			m += best[i] < max;
		}
		n_active = m;
		if (n_active == 0)
			break;

		if (st->n_words == 0) {
			/* The single rule matches every key, and outranks each active one. */
			for (unsigned int j = 0; j < n_active; j++) {
				best[active[j]] = max;
				payloads[active[j]] = st->single->payload;
			}
			continue;
		}

		for (unsigned int j = 0; j < n_active; j++) {
			const struct flow_key *k = keys[active[j]];

			for (unsigned int w = 0; w < st->n_words; w++)
				packed[j][w] = k->w[st->words[w]] & st->mask[w];
		}
		if (rte_hash_lookup_bulk_data(st->hash, packed_ptr, n_active, &hits, data) <= 0)
			continue;
		while (hits != 0) {
			unsigned int j = rte_bsf64(hits);
			const struct cls_entry *e = data[j];
			unsigned int i = active[j];

			hits &= hits - 1;
			if ((int64_t)e->priority > best[i]) {
				best[i] = e->priority;
				payloads[i] = e->payload;
			}
		}
	}
}

void
cls_table_lookup_burst(const struct cls_table *t, const struct flow_key *const keys[],
		       unsigned int n, const void *payloads[])
{
	/* Bursts are at most CLS_BURST_MAX; larger ones are cut rather than overrun the stack. */
	while (n > 0) {
		unsigned int chunk = RTE_MIN(n, (unsigned int)CLS_BURST_MAX);

		cls_lookup_chunk(t, keys, chunk, payloads);
		keys += chunk;
		payloads += chunk;
		n -= chunk;
	}
}

const void *
cls_table_lookup(const struct cls_table *t, const struct flow_key *key)
{
	const void *payload;

	cls_lookup_chunk(t, &key, 1, &payload);
	return payload;
}

unsigned int
cls_table_n_rules(const struct cls_table *t)
{
	return t->n_rules;
}

unsigned int
cls_table_n_subtables(const struct cls_table *t)
{
	return t->n_subtables;
}

size_t
cls_table_memory(const struct cls_table *t)
{
	return t->memory;
}
