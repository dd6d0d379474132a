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
#include <rte_rcu_qsbr.h>

_Static_assert(CLS_BURST_MAX <= RTE_HASH_LOOKUP_BULK_MAX,
	       "a burst is searched with one rte_hash bulk lookup per subtable");
_Static_assert(CLS_BURST_MAX <= 256, "active[] holds key indices in bytes");

#define CLS_VERSION_NEVER UINT64_MAX
/* A subtable's hash holds at most this share of its entries (1/n): a cuckoo table at most
 * half full practically never runs out of room on an insert. */
#define CLS_HASH_HEADROOM 2
#define CLS_HASH_MIN_ENTRIES 64

/*
 * One rule. Readers use the first five fields; the rest is the control thread's. The packed
 * masked key (the subtable's words only) finds the chain again when the rule goes.
 */
struct cls_entry {
	struct cls_entry *next; /* same masked key, lower or equal priority */
	uint64_t add_version;
	uint64_t del_version;   /* CLS_VERSION_NEVER while not removed */
	const void *payload;
	uint32_t priority;
	bool on_dead_list;
	struct cls_subtable *st;
	struct cls_entry *dead_next;
	uint64_t packed[];
};

/*
 * The rules that share one mask. Stable for its life: readers of every version find the hash
 * through it, and a hash that grows is replaced here. mask[] is packed like the hash keys:
 * mask[j] is the mask of key word words[j].
 */
struct cls_subtable {
	struct rte_hash *hash;    /* NULL when n_words is 0 */
	struct cls_entry *single; /* the chain when n_words is 0 */
	uint8_t n_words;
	uint8_t words[FLOW_KEY_WORDS];
	uint64_t mask[FLOW_KEY_WORDS];
	/* Control thread only. */
	struct flow_key full_mask;
	uint32_t hash_entries;     /* what the hash was created for */
	uint32_t n_keys;           /* keys in the hash, deleted ones not yet freed included */
	uint32_t n_live;           /* entries not removed */
	uint32_t max_priority;     /* at least that of every entry not removed */
	bool max_stale;            /* an entry of max_priority went: recompute before use */
	uint32_t seq;              /* creation order, to break priority ties */
	struct cls_subtable *next;
};

/* An outgrown hash, kept until no reader can be in it. */
struct cls_retired {
	struct rte_hash *hash;
	struct cls_retired *next;
};

struct cls_rules {
	int socket_id;
	unsigned int refcnt;
	cls_payload_free_fn free_payload;
	struct cls_subtable *subtables;
	struct cls_subtable *last; /* the one the last insert went to */
	uint32_t n_subtables;
	uint32_t next_seq;
	uint32_t n_live;
	size_t entry_bytes;
	size_t hash_bytes;
	struct cls_entry *dead; /* removed entries, until reclaimed */
	struct cls_retired *retired;
};

struct cls_view_sub {
	const struct cls_subtable *st;
	uint32_t max_priority;
};

struct cls_table {
	uint64_t version;
	struct cls_rules *rules; /* a reference */
	uint32_t n_subtables;
	uint32_t n_rules;
	size_t size;
	struct cls_view_sub subs[]; /* by max_priority, highest first */
};

/* rte_hash names are process-wide, so every hash of every table gets the next number. */
static uint32_t cls_hash_seq;

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

static bool
cls_visible(const struct cls_entry *e, uint64_t version)
{
	return e->add_version <= version &&
	       version < __atomic_load_n(&e->del_version, __ATOMIC_RELAXED);
}

/* The first rule of a chain visible in version: the best, chains falling by priority. */
static const struct cls_entry *
cls_chain_first(const struct cls_entry *e, uint64_t version)
{
	while (e != NULL && !cls_visible(e, version))
		e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE);
	return e;
}

/* --- hashes ------------------------------------------------------------------------------- */

static struct rte_hash *
cls_hash_create(const struct cls_rules *rules, const struct cls_subtable *st, uint32_t entries)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries,
		.key_len = st->n_words * sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		/* Not 0: a key of zeros (a catch-all, or a field the frame lacks)
		 * would hash to 0, the signature of an empty slot, and DPDK's
		 * lock-free lookup then compares the key with every empty slot
		 * of the bucket. */
		.hash_func_init_val = 0x9e3779b9,
		.socket_id = rules->socket_id,
		/* Readers search while the control thread inserts and deletes. Deleted key
		 * slots are freed by cls_rules_reclaim() after the grace period. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	uint32_t seq = __atomic_fetch_add(&cls_hash_seq, 1, __ATOMIC_RELAXED);

	/* Short: rte_hash also names a ring "HT_<name>", and ring names are shorter still. */
	snprintf(name, sizeof(name), "cls%u", seq);
	return rte_hash_create(&p);
}

/* Moves st to a hash of the given size holding the same keys and chains. The old one stays
 * readable until reclaimed: readers of any version may be in it. */
static int
cls_subtable_regrow(struct cls_rules *rules, struct cls_subtable *st, uint32_t entries)
{
	struct cls_retired *ret = malloc(sizeof(*ret));
	struct rte_hash *h;
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (ret == NULL)
		return -ENOMEM;
	for (;; entries *= 2) {
		int rc = 0;

		if (entries > RTE_HASH_ENTRIES_MAX)
			break;
		h = cls_hash_create(rules, st, entries);
		if (h == NULL)
			break;
		iter = 0;
		while (rc >= 0 && rte_hash_iterate(st->hash, &key, &data, &iter) >= 0)
			rc = rte_hash_add_key_data(h, key, data);
		if (rc >= 0)
			goto done;
		rte_hash_free(h);
		if (rc != -ENOSPC)
			break;
	}
	free(ret);
	return -ENOMEM;
done:
	ret->hash = st->hash;
	ret->next = rules->retired;
	rules->retired = ret;
	rules->hash_bytes -= cls_hash_footprint(st->hash_entries, st->n_words * 8);
	rules->hash_bytes += cls_hash_footprint(entries, st->n_words * 8);
	st->hash_entries = entries;
	__atomic_store_n(&st->hash, h, __ATOMIC_RELEASE);
	return 0;
}

/* Makes head the chain of e's key: the hash entry, or the catch-all's chain. */
static int
cls_set_head(struct cls_rules *rules, struct cls_subtable *st, const uint64_t *packed,
	     struct cls_entry *head, bool new_key)
{
	int rc;

	if (st->n_words == 0) {
		__atomic_store_n(&st->single, head, __ATOMIC_RELEASE);
		return 0;
	}
	if (new_key && (st->n_keys + 1) * CLS_HASH_HEADROOM > st->hash_entries) {
		rc = cls_subtable_regrow(rules, st, st->hash_entries * 2);
		if (rc < 0)
			return rc;
	}
	/* For a key there already, this swaps the data pointer atomically. */
	rc = rte_hash_add_key_data(st->hash, packed, head);
	if (rc == -ENOSPC) {
		rc = cls_subtable_regrow(rules, st, st->hash_entries * 2);
		if (rc == 0)
			rc = rte_hash_add_key_data(st->hash, packed, head);
	}
	if (rc < 0)
		return -ENOMEM;
	st->n_keys += new_key;
	return 0;
}

static struct cls_entry *
cls_get_head(const struct cls_subtable *st, const uint64_t *packed)
{
	void *data;

	if (st->n_words == 0)
		return st->single;
	return rte_hash_lookup_data(st->hash, packed, &data) >= 0 ? data : NULL;
}

/* --- the rules ------------------------------------------------------------------------------ */

struct cls_rules *
cls_rules_create(int socket_id, cls_payload_free_fn free_payload)
{
	struct cls_rules *rules = calloc(1, sizeof(*rules));

	if (rules == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	rules->socket_id = socket_id;
	rules->refcnt = 1;
	rules->free_payload = free_payload;
	return rules;
}

void
cls_rules_get(struct cls_rules *rules)
{
	if (rules != NULL)
		rules->refcnt++;
}

static void
cls_entry_free(struct cls_rules *rules, struct cls_entry *e)
{
	if (rules->free_payload != NULL)
		rules->free_payload(e->payload);
	free(e);
}

static void
cls_subtable_free(struct cls_rules *rules, struct cls_subtable *st)
{
	if (st->hash != NULL)
		rules->hash_bytes -= cls_hash_footprint(st->hash_entries, st->n_words * 8);
	rte_hash_free(st->hash);
	free(st);
}

void
cls_rules_put(struct cls_rules *rules)
{
	if (rules == NULL || --rules->refcnt > 0)
		return;
	for (struct cls_subtable *st = rules->subtables, *nst; st != NULL; st = nst) {
		const void *key;
		void *data;
		uint32_t iter = 0;

		nst = st->next;
		if (st->n_words == 0) {
			for (struct cls_entry *e = st->single, *ne; e != NULL; e = ne) {
				ne = e->next;
				cls_entry_free(rules, e);
			}
		}
		while (st->hash != NULL && rte_hash_iterate(st->hash, &key, &data, &iter) >= 0) {
			for (struct cls_entry *e = data, *ne; e != NULL; e = ne) {
				ne = e->next;
				cls_entry_free(rules, e);
			}
		}
		cls_subtable_free(rules, st);
	}
	for (struct cls_retired *r = rules->retired, *nr; r != NULL; r = nr) {
		nr = r->next;
		rte_hash_free(r->hash);
		free(r);
	}
	free(rules);
}

static struct cls_subtable *
cls_subtable_find(struct cls_rules *rules, const struct flow_key *mask)
{
	struct cls_subtable *st;

	if (rules->last != NULL && flow_key_equal(&rules->last->full_mask, mask))
		return rules->last;
	for (st = rules->subtables; st != NULL; st = st->next)
		if (flow_key_equal(&st->full_mask, mask))
			break;
	return st;
}

static struct cls_subtable *
cls_subtable_create(struct cls_rules *rules, const struct flow_key *mask)
{
	struct cls_subtable *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->full_mask = *mask;
	for (unsigned int w = 0; w < FLOW_KEY_WORDS; w++) {
		if (mask->w[w] == 0)
			continue;
		st->words[st->n_words] = w;
		st->mask[st->n_words] = mask->w[w];
		st->n_words++;
	}
	if (st->n_words > 0) {
		st->hash_entries = CLS_HASH_MIN_ENTRIES;
		st->hash = cls_hash_create(rules, st, st->hash_entries);
		if (st->hash == NULL) {
			free(st);
			return NULL;
		}
		rules->hash_bytes += cls_hash_footprint(st->hash_entries, st->n_words * 8);
	}
	st->seq = rules->next_seq++;
	st->next = rules->subtables;
	rules->subtables = st;
	rules->n_subtables++;
	return st;
}

struct cls_entry *
cls_rules_insert(struct cls_rules *rules, const struct cls_rule_spec *spec, uint64_t version)
{
	struct cls_subtable *st = cls_subtable_find(rules, &spec->mask);
	struct cls_entry *e, *head, *prev = NULL, *cur;
	struct flow_key masked;
	size_t size;

	if (st == NULL && (st = cls_subtable_create(rules, &spec->mask)) == NULL)
		goto nomem;
	rules->last = st;
	size = sizeof(*e) + st->n_words * sizeof(uint64_t);
	e = malloc(size);
	if (e == NULL)
		goto nomem;
	*e = (struct cls_entry){
		.add_version = version,
		.del_version = CLS_VERSION_NEVER,
		.payload = spec->payload,
		.priority = spec->priority,
		.st = st,
	};
	flow_key_and(&masked, &spec->key, &spec->mask);
	cls_pack(st, &masked, e->packed);

	head = cls_get_head(st, e->packed);
	for (cur = head; cur != NULL && cur->priority > e->priority; cur = cur->next)
		prev = cur;
	e->next = cur;
	if (prev != NULL) {
		__atomic_store_n(&prev->next, e, __ATOMIC_RELEASE);
	} else if (cls_set_head(rules, st, e->packed, e, head == NULL) < 0) {
		free(e);
		goto nomem;
	}
	st->n_live++;
	if (st->n_live == 1 || e->priority > st->max_priority)
		st->max_priority = e->priority;
	rules->n_live++;
	rules->entry_bytes += size;
	return e;
nomem:
	errno = ENOMEM;
	return NULL;
}

void
cls_rules_remove(struct cls_rules *rules, struct cls_entry *e, uint64_t version)
{
	__atomic_store_n(&e->del_version, version, __ATOMIC_RELAXED);
	e->st->n_live--;
	rules->n_live--;
	if (e->priority == e->st->max_priority)
		e->st->max_stale = true;
	if (!e->on_dead_list) {
		e->on_dead_list = true;
		e->dead_next = rules->dead;
		rules->dead = e;
	}
}

void
cls_rules_unremove(struct cls_rules *rules, struct cls_entry *e)
{
	__atomic_store_n(&e->del_version, CLS_VERSION_NEVER, __ATOMIC_RELAXED);
	e->st->n_live++;
	rules->n_live++;
	if (e->st->n_live == 1 || e->priority > e->st->max_priority)
		e->st->max_priority = e->priority;
	/* It stays on the dead list; reclaim drops it from there. */
}

/* The highest priority of st's rules not removed, by a walk of every chain. */
static void
cls_subtable_fix_max(struct cls_subtable *st)
{
	uint32_t max = 0;

	if (st->n_words == 0) {
		for (const struct cls_entry *e = st->single; e != NULL; e = e->next)
			if (e->del_version == CLS_VERSION_NEVER)
				max = RTE_MAX(max, e->priority);
	} else {
		const void *key;
		void *data;
		uint32_t iter = 0;

		while (rte_hash_iterate(st->hash, &key, &data, &iter) >= 0)
			for (const struct cls_entry *e = data; e != NULL; e = e->next)
				if (e->del_version == CLS_VERSION_NEVER)
					max = RTE_MAX(max, e->priority);
	}
	st->max_priority = max;
	st->max_stale = false;
}

static int
cls_cmp_sub(const void *pa, const void *pb)
{
	const struct cls_view_sub *a = pa, *b = pb;

	if (a->max_priority != b->max_priority)
		return a->max_priority > b->max_priority ? -1 : 1;
	return a->st->seq < b->st->seq ? -1 : a->st->seq > b->st->seq;
}

struct cls_table *
cls_rules_table(struct cls_rules *rules, uint64_t version)
{
	struct cls_table *t;
	size_t size = sizeof(*t) + rules->n_subtables * sizeof(t->subs[0]);

	t = rte_zmalloc_socket("cls_table", size, RTE_CACHE_LINE_SIZE, rules->socket_id);
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->version = version;
	t->rules = rules;
	cls_rules_get(rules);
	t->n_rules = rules->n_live;
	t->size = size;
	for (struct cls_subtable *st = rules->subtables; st != NULL; st = st->next) {
		if (st->n_live == 0)
			continue;
		if (st->max_stale)
			cls_subtable_fix_max(st);
		t->subs[t->n_subtables++] = (struct cls_view_sub){st, st->max_priority};
	}
	qsort(t->subs, t->n_subtables, sizeof(t->subs[0]), cls_cmp_sub);
	return t;
}

/* A deleted hash key, whose slot is freed after the grace period. */
struct cls_freed_key {
	struct cls_subtable *st;
	int32_t pos;
};

/* Takes e out of its chain; a key left without a chain is deleted from the hash, and its
 * slot recorded in keys[] to free later. Readers in e still find the rest of the chain. */
static void
cls_unlink(struct cls_subtable *st, struct cls_entry *e, struct cls_freed_key *keys,
	   uint32_t *n_keys)
{
	struct cls_entry *head = cls_get_head(st, e->packed), *prev = NULL;

	for (struct cls_entry *cur = head; cur != e; cur = cur->next)
		prev = cur;
	if (prev != NULL) {
		__atomic_store_n(&prev->next, e->next, __ATOMIC_RELEASE);
	} else if (st->n_words == 0) {
		__atomic_store_n(&st->single, e->next, __ATOMIC_RELEASE);
	} else if (e->next != NULL) {
		/* Swapping the data of a key there already allocates nothing. */
		rte_hash_add_key_data(st->hash, e->packed, e->next);
	} else {
		int32_t pos = rte_hash_del_key(st->hash, e->packed);

		if (pos >= 0)
			keys[(*n_keys)++] = (struct cls_freed_key){st, pos};
	}
}

void
cls_rules_reclaim(struct cls_rules *rules, uint64_t published, struct rte_rcu_qsbr *qsbr)
{
	struct cls_entry *gone = NULL, **link = &rules->dead;
	struct cls_freed_key *keys;
	uint32_t n_keys = 0, n_dead = 0;

	for (struct cls_entry *e = rules->dead; e != NULL; e = e->dead_next)
		n_dead++;
	if (n_dead == 0 && rules->retired == NULL)
		return;
	/* When this fails, the entries wait for the next reclaim. */
	keys = malloc(RTE_MAX(n_dead, 1u) * sizeof(*keys));
	if (keys == NULL)
		return;
	while (*link != NULL) {
		struct cls_entry *e = *link;
		uint64_t del = e->del_version;

		if (del == CLS_VERSION_NEVER || del <= published) {
			*link = e->dead_next;
			e->on_dead_list = false;
			if (del == CLS_VERSION_NEVER)
				continue; /* removed, then taken back */
			cls_unlink(e->st, e, keys, &n_keys);
			e->dead_next = gone;
			gone = e;
		} else {
			link = &e->dead_next;
		}
	}
	if (qsbr != NULL)
		rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
	for (uint32_t i = 0; i < n_keys; i++) {
		rte_hash_free_key_with_position(keys[i].st->hash, keys[i].pos);
		keys[i].st->n_keys--;
	}
	free(keys);
	for (struct cls_entry *e = gone, *ne; e != NULL; e = ne) {
		ne = e->dead_next;
		rules->entry_bytes -= sizeof(*e) + e->st->n_words * sizeof(uint64_t);
		cls_entry_free(rules, e);
	}
	for (struct cls_retired *r = rules->retired, *nr; r != NULL; r = nr) {
		nr = r->next;
		rte_hash_free(r->hash);
		free(r);
	}
	rules->retired = NULL;
	/* A subtable with no chain left is in no table since the one published. */
	for (struct cls_subtable **sl = &rules->subtables; *sl != NULL;) {
		struct cls_subtable *st = *sl;

		if (st->n_keys > 0 || st->single != NULL) {
			sl = &st->next;
			continue;
		}
		*sl = st->next;
		if (rules->last == st)
			rules->last = NULL;
		rules->n_subtables--;
		cls_subtable_free(rules, st);
	}
}

unsigned int
cls_rules_n_live(const struct cls_rules *rules)
{
	return rules->n_live;
}

size_t
cls_rules_memory(const struct cls_rules *rules)
{
	return sizeof(*rules) + rules->n_subtables * sizeof(struct cls_subtable) +
	       rules->entry_bytes + rules->hash_bytes;
}

/* --- tables ---------------------------------------------------------------------------------- */

struct cls_table *
cls_table_build(const struct cls_rule_spec *specs, uint32_t n, int socket_id)
{
	struct cls_rules *rules;
	struct cls_table *t = NULL;

	if (specs == NULL && n > 0) {
		errno = EINVAL;
		return NULL;
	}
	rules = cls_rules_create(socket_id, NULL);
	if (rules == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (cls_rules_insert(rules, &specs[i], 1) == NULL)
			goto out;
	t = cls_rules_table(rules, 1);
out:
	cls_rules_put(rules); /* the table holds the rules now */
	return t;
}

void
cls_table_destroy(struct cls_table *t)
{
	if (t == NULL)
		return;
	cls_rules_put(t->rules);
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
	uint64_t version = t->version;

	for (unsigned int i = 0; i < n; i++) {
		best[i] = -1;
		payloads[i] = NULL;
		active[i] = i;
		packed_ptr[i] = packed[i];
	}

	for (uint32_t s = 0; s < t->n_subtables; s++) {
		const struct cls_subtable *st = t->subs[s].st;
		int64_t max = t->subs[s].max_priority;
		const struct rte_hash *h;
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
			/* One chain, which every key matches. */
			const struct cls_entry *e =
				cls_chain_first(__atomic_load_n(&st->single, __ATOMIC_ACQUIRE), version);

			for (unsigned int j = 0; e != NULL && j < n_active; j++) {
				if ((int64_t)e->priority > best[active[j]]) {
					best[active[j]] = e->priority;
					payloads[active[j]] = e->payload;
				}
			}
			continue;
		}

		for (unsigned int j = 0; j < n_active; j++) {
			const struct flow_key *k = keys[active[j]];

			for (unsigned int w = 0; w < st->n_words; w++)
				packed[j][w] = k->w[st->words[w]] & st->mask[w];
		}
		h = __atomic_load_n(&st->hash, __ATOMIC_ACQUIRE);
		if (rte_hash_lookup_bulk_data(h, packed_ptr, n_active, &hits, data) <= 0)
			continue;
		while (hits != 0) {
			unsigned int j = rte_bsf64(hits);
			const struct cls_entry *e = cls_chain_first(data[j], version);
			unsigned int i = active[j];

			hits &= hits - 1;
			if (e != NULL && (int64_t)e->priority > best[i]) {
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
	return t->size + cls_rules_memory(t->rules);
}

size_t
cls_table_size(const struct cls_table *t)
{
	return t->size;
}
