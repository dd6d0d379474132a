/* SPDX-License-Identifier: BSD-3-Clause */
#include "datapath/fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

static_assert(sizeof(struct fdb_key) == 8, "fdb_key must stay 8 bytes: it is hashed whole");
static_assert(FDB_NAME_MAX + sizeof("HASH_RCU_") <= RTE_RING_NAMESIZE,
	      "the RCU defer queue ring is named HASH_RCU_<name> and must not be truncated");

/*
 * Control-only state of one entry, at the same pool index as its struct fdb_entry, so the
 * entries that PMD threads read stay 8 bytes. Moves are counted in a fixed window that opens
 * at the first move after the previous window closed.
 */
struct fdb_ctl {
	uint32_t window_start;
	uint32_t recent_moves; /* moves since window_start */
	uint32_t last_move;
	uint16_t prev_port;
};

struct fdb {
	struct rte_hash *hash; /* dp: ro (lookups), cp: rw (the single writer) */
	struct fdb_entry *entries; /* pool; dp: ro except last_seen, cp: rw */
	struct fdb_ctl *ctl; /* cp only */
	uint32_t *free_idx; /* stack of free pool indices; cp only (reclaim runs in cp calls) */
	uint32_t n_free;
	uint32_t pool_size;
	uint32_t count; /* live entries; rte_hash_count() also counts slots awaiting reclaim */
	uint32_t max_entries;
	uint32_t aging_sec;
	struct rte_rcu_qsbr *qsbr;
	struct fdb_stats stats;
};

/* Frees are deferred, so entries removed but not yet reclaimed still hold a key slot. Twice the
 * limit leaves room for a full table's worth of them before an insert has to wait. */
static uint32_t
fdb_hash_size(uint32_t max_entries)
{
	return RTE_MAX(2 * max_entries, 64u);
}

uint32_t
fdb_now(void)
{
	return (uint32_t)(rte_get_tsc_cycles() / rte_get_tsc_hz());
}

/* Seconds from then to now; 0 when then is later, which happens when a PMD thread touched the
 * entry with a clock read after the caller's. */
static uint32_t
fdb_elapsed(uint32_t now, uint32_t then)
{
	int32_t d = (int32_t)(now - then);

	return d > 0 ? (uint32_t)d : 0;
}

static uint32_t
fdb_entry_index(const struct fdb *fdb, const struct fdb_entry *e)
{
	return (uint32_t)(e - fdb->entries);
}

/* Called by rte_hash from inside our own add/del calls once every reader has passed a
 * quiescent state since the key was deleted, so it runs in the writer thread. */
static void
fdb_reclaim_entry(void *p, void *key_data)
{
	struct fdb *fdb = p;

	fdb->free_idx[fdb->n_free++] = fdb_entry_index(fdb, key_data);
}

static void
fdb_free_mem(struct fdb *fdb)
{
	rte_free(fdb->entries);
	free(fdb->ctl);
	free(fdb->free_idx);
	rte_free(fdb);
}

static int
fdb_check_params(const struct fdb_params *params)
{
	size_t len;

	if (params == NULL || params->name == NULL || params->qsbr == NULL)
		return -EINVAL;
	if (params->max_entries == 0 || params->max_entries > FDB_MAX_ENTRIES)
		return -EINVAL;
	len = strnlen(params->name, FDB_NAME_MAX + 1);
	if (len == 0 || len > FDB_NAME_MAX)
		return -EINVAL;
	/* rte_hash_create() would find the duplicate too, but only after creating rings whose
	 * names clash, which logs errors and can report a different errno. */
	if (rte_hash_find_existing(params->name) != NULL)
		return -EEXIST;
	return 0;
}

/* rte_hash_cmp_eq_t: 0 when equal, like memcmp(). */
static int
fdb_key_cmp(const void *a, const void *b, size_t len)
{
	RTE_SET_USED(len);
	return !fdb_key_equal(a, b);
}

static int
fdb_create_hash(struct fdb *fdb, const struct fdb_params *params)
{
	struct rte_hash_parameters hp = {
		.name = params->name,
		.entries = fdb_hash_size(params->max_entries),
		.key_len = sizeof(struct fdb_key),
		.hash_func = rte_hash_crc, /* SSE4.2 crc32: ~5x fewer instructions than jhash */
		.socket_id = params->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu = {
		.v = params->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
		.key_data_ptr = fdb,
		.free_key_data_func = fdb_reclaim_entry,
	};

	fdb->hash = rte_hash_create(&hp);
	if (fdb->hash == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	/* rte_hash has no compare for 8-byte keys and would call memcmp() per hit. */
	rte_hash_set_cmp_func(fdb->hash, fdb_key_cmp);
	if (rte_hash_rcu_qsbr_add(fdb->hash, &rcu) != 0) {
		rte_hash_free(fdb->hash);
		fdb->hash = NULL;
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	}
	return 0;
}

struct fdb *
fdb_create(const struct fdb_params *params)
{
	struct fdb *fdb;
	uint32_t i;
	int ret;

	ret = fdb_check_params(params);
	if (ret < 0) {
		errno = -ret;
		return NULL;
	}
	fdb = rte_zmalloc_socket("fdb", sizeof(*fdb), RTE_CACHE_LINE_SIZE, params->socket_id);
	if (fdb == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* One more pool entry than hash key slots: every pool entry in use holds a key slot (live
	 * or awaiting reclaim) except the one being inserted, so the pool cannot run dry before
	 * rte_hash does, and rte_hash reclaims its defer queue when it runs dry. */
	fdb->pool_size = fdb_hash_size(params->max_entries) + 1;
	fdb->entries = rte_zmalloc_socket("fdb_entries", fdb->pool_size * sizeof(*fdb->entries),
					  RTE_CACHE_LINE_SIZE, params->socket_id);
	fdb->ctl = calloc(fdb->pool_size, sizeof(*fdb->ctl));
	fdb->free_idx = calloc(fdb->pool_size, sizeof(*fdb->free_idx));
	if (fdb->entries == NULL || fdb->ctl == NULL || fdb->free_idx == NULL) {
		fdb_free_mem(fdb);
		errno = ENOMEM;
		return NULL;
	}
	/* Pop low indices first so a small table touches few cache lines. */
	for (i = 0; i < fdb->pool_size; i++)
		fdb->free_idx[i] = fdb->pool_size - 1 - i;
	fdb->n_free = fdb->pool_size;
	fdb->max_entries = params->max_entries;
	fdb->aging_sec = params->aging_sec;
	fdb->qsbr = params->qsbr;

	ret = fdb_create_hash(fdb, params);
	if (ret < 0) {
		fdb_free_mem(fdb);
		errno = -ret;
		return NULL;
	}
	return fdb;
}

void
fdb_destroy(struct fdb *fdb)
{
	if (fdb == NULL)
		return;
	/* Reclaims the defer queue through fdb_reclaim_entry(), so the pool must outlive it. */
	rte_hash_free(fdb->hash);
	fdb_free_mem(fdb);
}

static bool
fdb_window_open(const struct fdb_ctl *c, uint32_t now)
{
	return c->recent_moves != 0 && fdb_elapsed(now, c->window_start) < FDB_FLAP_WINDOW_SEC;
}

/* Records a move at now and updates FDB_F_FLAPPING; returns true when the entry flaps. */
static bool
fdb_record_move(struct fdb_entry *e, struct fdb_ctl *c, uint32_t now)
{
	if (!fdb_window_open(c, now)) {
		c->window_start = now;
		c->recent_moves = 0;
	}
	c->recent_moves++;
	c->last_move = now;
	if (c->recent_moves >= FDB_FLAP_MOVES && !(e->flags & FDB_F_FLAPPING))
		__atomic_store_n(&e->flags, e->flags | FDB_F_FLAPPING, __ATOMIC_RELAXED);
	return e->flags & FDB_F_FLAPPING;
}

/* Clears FDB_F_FLAPPING once the entry has not moved for a whole window. */
static void
fdb_flap_expire(struct fdb_entry *e, const struct fdb_ctl *c, uint32_t now)
{
	if ((e->flags & FDB_F_FLAPPING) && fdb_elapsed(now, c->last_move) >= FDB_FLAP_WINDOW_SEC)
		__atomic_store_n(&e->flags, e->flags & ~FDB_F_FLAPPING, __ATOMIC_RELAXED);
}

static int
fdb_update(struct fdb *fdb, struct fdb_entry *e, uint16_t port, uint32_t now, uint16_t *old_port)
{
	struct fdb_ctl *c = &fdb->ctl[fdb_entry_index(fdb, e)];
	uint32_t seen = __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED);
	uint16_t prev = e->port;

	fdb_flap_expire(e, c, now);
	/* Never move last_seen back: a PMD thread may have stored a later second. */
	if ((int32_t)(now - seen) > 0)
		__atomic_store_n(&e->last_seen, now, __ATOMIC_RELAXED);
	if (prev == port)
		return FDB_LEARN_REFRESHED;

	/* Readers load port without ordering: either port is a valid answer during a move. */
	__atomic_store_n(&e->port, port, __ATOMIC_RELAXED);
	c->prev_port = prev;
	fdb->stats.moves++;
	if (old_port != NULL)
		*old_port = prev;
	return fdb_record_move(e, c, now) ? FDB_LEARN_FLAPPING : FDB_LEARN_MOVED;
}

/* Inserts a key known to be absent, with the given entry and control state. The caller has
 * checked the size limit. */
static int
fdb_insert(struct fdb *fdb, const struct fdb_key *key, const struct fdb_entry *val,
	   const struct fdb_ctl *cval)
{
	struct fdb_entry *e;
	uint32_t idx;
	int ret;

	if (fdb->n_free == 0)
		return -ENOSPC;
	idx = fdb->free_idx[--fdb->n_free];
	e = &fdb->entries[idx];
	/* No reader can see e yet: it was reclaimed or never used. rte_hash publishes it with a
	 * release store of the data pointer. */
	*e = *val;
	fdb->ctl[idx] = *cval;

	ret = rte_hash_add_key_data(fdb->hash, key, e);
	if (ret == -ENOSPC) {
		/* Every key slot is live or awaiting reclaim by readers that have not reported
		 * quiescent since. Wait for them once; the retry makes rte_hash reclaim. */
		rte_rcu_qsbr_synchronize(fdb->qsbr, RTE_QSBR_THRID_INVALID);
		ret = rte_hash_add_key_data(fdb->hash, key, e);
	}
	if (ret < 0) {
		fdb->free_idx[fdb->n_free++] = idx;
		return ret;
	}
	fdb->count++;
	return 0;
}

int
fdb_learn(struct fdb *fdb, const struct fdb_key *key, uint16_t port, uint32_t now,
	  uint16_t *old_port)
{
	struct fdb_entry val = {.last_seen = now, .port = port};
	struct fdb_ctl cval = {.prev_port = FDB_PORT_NONE};
	void *data;
	int ret;

	if (fdb == NULL || key == NULL || port == FDB_PORT_NONE)
		return -EINVAL;
	if (rte_hash_lookup_data(fdb->hash, key, &data) >= 0)
		return fdb_update(fdb, data, port, now, old_port);

	if (fdb->count >= fdb->max_entries) {
		fdb->stats.full++;
		return -ENOSPC;
	}
	ret = fdb_insert(fdb, key, &val, &cval);
	if (ret < 0)
		return ret;
	fdb->stats.learned++;
	return FDB_LEARN_ADDED;
}

static void
fdb_del(struct fdb *fdb, const struct fdb_key *key)
{
	/* The entry goes back to the pool from fdb_reclaim_entry() after a grace period. */
	if (rte_hash_del_key(fdb->hash, key) >= 0)
		fdb->count--;
}

/* Selects entries to remove; keys are collected first because rte_hash_iterate() must not
 * run across deletions. */
typedef bool (*fdb_match_fn)(struct fdb *fdb, struct fdb_entry *e, uint32_t arg);

static unsigned
fdb_remove_matching(struct fdb *fdb, fdb_match_fn match, uint32_t arg)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	struct fdb_key *keys;
	unsigned i, n = 0;

	if (fdb->count == 0)
		return 0;
	keys = malloc(fdb->count * sizeof(*keys));
	if (keys == NULL)
		return 0;
	while (rte_hash_iterate(fdb->hash, &key, &data, &iter) >= 0 && n < fdb->count)
		if (match(fdb, data, arg))
			memcpy(&keys[n++], key, sizeof(*keys));
	for (i = 0; i < n; i++)
		fdb_del(fdb, &keys[i]);
	free(keys);
	return n;
}

static bool
fdb_match_all(struct fdb *fdb, struct fdb_entry *e, uint32_t arg)
{
	return true;
}

static bool
fdb_match_port(struct fdb *fdb, struct fdb_entry *e, uint32_t port)
{
	return e->port == port;
}

/* Also expires flapping marks, so fdb_age() is the periodic housekeeping of the table. */
static bool
fdb_match_aged(struct fdb *fdb, struct fdb_entry *e, uint32_t now)
{
	uint32_t seen = __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED);

	if (fdb_elapsed(now, seen) > fdb->aging_sec)
		return true;
	fdb_flap_expire(e, &fdb->ctl[fdb_entry_index(fdb, e)], now);
	return false;
}

unsigned
fdb_age(struct fdb *fdb, uint32_t now)
{
	unsigned n = fdb_remove_matching(fdb, fdb_match_aged, now);

	fdb->stats.aged += n;
	return n;
}

unsigned
fdb_flush(struct fdb *fdb)
{
	return fdb_remove_matching(fdb, fdb_match_all, 0);
}

unsigned
fdb_flush_port(struct fdb *fdb, uint16_t port)
{
	return fdb_remove_matching(fdb, fdb_match_port, port);
}

void
fdb_set_aging(struct fdb *fdb, uint32_t aging_sec)
{
	fdb->aging_sec = aging_sec;
}

struct fdb_copy_item {
	struct fdb_key key;
	uint32_t last_seen;
	uint32_t idx;
};

/* Most recently seen first; ties by key bytes so which entries fit is deterministic. */
static int
fdb_copy_cmp(const void *a, const void *b)
{
	const struct fdb_copy_item *x = a, *y = b;

	if (x->last_seen != y->last_seen)
		return (int32_t)(y->last_seen - x->last_seen) < 0 ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* Copies one entry, flap state included, so a resize does not hide a flapping MAC. */
static bool
fdb_copy_one(struct fdb *dst, const struct fdb *src, const struct fdb_copy_item *it)
{
	struct fdb_entry val = src->entries[it->idx];
	void *data;

	val.last_seen = it->last_seen;
	if (rte_hash_lookup_data(dst->hash, &it->key, &data) >= 0) {
		struct fdb_entry *e = data;

		__atomic_store_n(&e->last_seen, val.last_seen, __ATOMIC_RELAXED);
		__atomic_store_n(&e->port, val.port, __ATOMIC_RELAXED);
		__atomic_store_n(&e->flags, val.flags, __ATOMIC_RELAXED);
		dst->ctl[fdb_entry_index(dst, e)] = src->ctl[it->idx];
		return true;
	}
	if (dst->count >= dst->max_entries)
		return false;
	return fdb_insert(dst, &it->key, &val, &src->ctl[it->idx]) == 0;
}

unsigned
fdb_copy(struct fdb *dst, const struct fdb *src)
{
	struct fdb_copy_item *items;
	const void *key;
	void *data;
	uint32_t iter = 0;
	unsigned i, n = 0, copied = 0;

	if (src->count == 0)
		return 0;
	items = malloc(src->count * sizeof(*items));
	if (items == NULL)
		return 0;
	while (rte_hash_iterate(src->hash, &key, &data, &iter) >= 0 && n < src->count) {
		memcpy(&items[n].key, key, sizeof(items[n].key));
		items[n].last_seen = __atomic_load_n(&((struct fdb_entry *)data)->last_seen,
						     __ATOMIC_RELAXED);
		items[n].idx = fdb_entry_index(src, data);
		n++;
	}
	if (n > dst->max_entries - dst->count)
		qsort(items, n, sizeof(*items), fdb_copy_cmp);
	for (i = 0; i < n; i++)
		if (fdb_copy_one(dst, src, &items[i]))
			copied++;
	free(items);
	return copied;
}

unsigned
fdb_count(const struct fdb *fdb)
{
	return fdb->count;
}

uint32_t
fdb_max_entries(const struct fdb *fdb)
{
	return fdb->max_entries;
}

uint32_t
fdb_aging(const struct fdb *fdb)
{
	return fdb->aging_sec;
}

void
fdb_get_stats(const struct fdb *fdb, struct fdb_stats *stats)
{
	*stats = fdb->stats;
}

int
fdb_walk(const struct fdb *fdb, uint32_t now, fdb_walk_cb cb, void *arg)
{
	struct fdb_entry_info info;
	const struct fdb_entry *e;
	const struct fdb_ctl *c;
	const void *key;
	void *data;
	uint32_t iter = 0;
	int ret;

	while (rte_hash_iterate(fdb->hash, &key, &data, &iter) >= 0) {
		e = data;
		c = &fdb->ctl[fdb_entry_index(fdb, e)];
		memcpy(&info.key, key, sizeof(info.key));
		info.port = e->port;
		info.prev_port = c->prev_port;
		info.age_sec = fdb_elapsed(now, __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED));
		info.recent_moves = fdb_window_open(c, now) ? c->recent_moves : 0;
		info.flapping = e->flags & FDB_F_FLAPPING;
		ret = cb(&info, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

void
fdb_lookup_bulk_rcu(const struct fdb *fdb, const struct fdb_key *const keys[], unsigned n,
		    struct fdb_entry *entries[])
{
	uint64_t hits;
	unsigned i, done, chunk;

	/* The contract is n <= RTE_HASH_LOOKUP_BULK_MAX; chunking keeps a larger n safe. */
	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned)RTE_HASH_LOOKUP_BULK_MAX);
		hits = 0;
		rte_hash_lookup_bulk_data(fdb->hash, (const void **)(uintptr_t)&keys[done], chunk,
					  &hits, (void **)&entries[done]);
		/* Misses leave data[] untouched. */
		for (i = 0; i < chunk; i++)
			if (!(hits & (UINT64_C(1) << i)))
				entries[done + i] = NULL;
	}
}
