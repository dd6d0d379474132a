/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table's life and the control thread's side of it:
 * creation, removal of expired and flushed connections (their slots reused
 * after a QSBR grace period), the walk that shows them, limits, timeouts
 * and counters. See conntrack.h for the threading rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "conntrack_priv.h"

const char *const ct_tcp_state_names[] = {
	[TCP_NONE] = "",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV",
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_FIN_WAIT] = "FIN_WAIT",
	[TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSED] = "CLOSED",
};

static const char *const timeout_names[] = {
#define CT_TIMEOUT_NAME(name, secs) #name,
	CT_TIMEOUTS(CT_TIMEOUT_NAME)
#undef CT_TIMEOUT_NAME
};

static const uint32_t timeout_defaults[] = {
#define CT_TIMEOUT_DEFAULT(name, secs) secs,
	CT_TIMEOUTS(CT_TIMEOUT_DEFAULT)
#undef CT_TIMEOUT_DEFAULT
};

static const char *const counter_names[] = {
#define CT_COUNTER_NAME(name) #name,
	CT_COUNTERS(CT_COUNTER_NAME)
#undef CT_COUNTER_NAME
};

const char *
ct_timeout_name(enum ct_timeout_id id)
{
	return id < CT_TMO_MAX ? timeout_names[id] : "?";
}

uint32_t
ct_timeout_default(enum ct_timeout_id id)
{
	return id < CT_TMO_MAX ? timeout_defaults[id] : 0;
}

int
ct_timeout_by_name(const char *name)
{
	for (int i = 0; i < CT_TMO_MAX; i++)
		if (strcmp(name, timeout_names[i]) == 0)
			return i;
	return -1;
}

const char *
ct_counter_name(enum ct_counter c)
{
	return c < CT_CNT_MAX ? counter_names[c] : "?";
}

/* ---- creation and teardown ---- */

struct conntrack *
conntrack_create(const struct conntrack_params *params)
{
	uint32_t cap = params->capacity ? params->capacity : CT_CAPACITY_DEFAULT;
	struct conntrack *ct;
	char name[RTE_HASH_NAMESIZE];
	static unsigned int seq;

	if (params->n_threads == 0 || cap > (1u << 28)) {
		errno = EINVAL;
		return NULL;
	}
	ct = calloc(1, sizeof(*ct));
	if (ct == NULL)
		goto nomem;
	ct->capacity = cap;
	ct->n_threads = params->n_threads;
	ct->qsbr = params->qsbr;
	ct->default_limit = RTE_MIN(CT_LIMIT_DEFAULT, cap);
	rte_spinlock_init(&ct->wlock);
	for (int i = 0; i < CT_TMO_MAX; i++)
		ct->timeout[i] = timeout_defaults[i];
	/* Zone counters for every bridge and zone: large, but calloc's pages
	 * stay untouched (and unbacked) until a zone is used. */
	ct->zone_count = calloc((size_t)DP_MAX_BRIDGES * CT_ZONES, sizeof(*ct->zone_count));
	ct->zone_refused = calloc((size_t)DP_MAX_BRIDGES * CT_ZONES, sizeof(*ct->zone_refused));
	ct->zone_limit = calloc(CT_ZONES, sizeof(*ct->zone_limit));
	ct->free = malloc((size_t)cap * sizeof(*ct->free));
	ct->stats = rte_zmalloc_socket("ct_stats", sizeof(*ct->stats) * ct->n_threads,
				       RTE_CACHE_LINE_SIZE, params->socket_id);
	ct->conns = rte_zmalloc_socket("ct_conns", sizeof(*ct->conns) * (size_t)cap,
				       RTE_CACHE_LINE_SIZE, params->socket_id);
	if (ct->zone_count == NULL || ct->zone_refused == NULL || ct->zone_limit == NULL ||
	    ct->free == NULL || ct->stats == NULL || ct->conns == NULL)
		goto nomem;
	for (uint32_t i = 0; i < cap; i++) {
		ct->free[i] = cap - 1 - i; /* slot 0 on top: the table fills from the start */
		rte_spinlock_init(&ct->conns[i].lock);
		ct->conns[i].pos[0] = ct->conns[i].pos[1] = -1;
	}
	ct->n_free = cap;
	snprintf(name, sizeof(name), "ct_%u", __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	/* Two keys per connection, and room for the keys of connections whose
	 * slots wait out a grace period: those are counted in capacity too,
	 * so the key store never runs out before the slots do. */
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = 2 * cap + 64,
		.key_len = sizeof(struct ct_key),
		.hash_func = rte_hash_crc,
		.socket_id = params->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	ct->hash = rte_hash_create(&hp);
	if (ct->hash == NULL) {
		errno = rte_errno ? rte_errno : ENOMEM;
		conntrack_destroy(ct);
		return NULL;
	}
	return ct;
nomem:
	conntrack_destroy(ct);
	errno = ENOMEM;
	return NULL;
}

void
conntrack_destroy(struct conntrack *ct)
{
	if (ct == NULL)
		return;
	rte_hash_free(ct->hash);
	rte_free(ct->conns);
	rte_free(ct->stats);
	free(ct->free);
	free(ct->zone_limit);
	free(ct->zone_refused);
	free(ct->zone_count);
	free(ct);
}

/* ---- the control side ---- */

/* Takes a connection out of the hash; wlock held. Its slot is reclaimed
 * after a grace period (reclaim()). */
static void
conn_unlink(struct conntrack *ct, struct ct_conn *c)
{
	rte_spinlock_lock(&c->lock);
	if (c->live) {
		c->live = 0;
		c->pos[0] = rte_hash_del_key(ct->hash, &c->key[0]);
		c->pos[1] = rte_hash_del_key(ct->hash, &c->key[1]);
		ct->zone_count[zone_index(c->key[0].bridge, c->key[0].zone)]--;
		ct->n_live--;
	}
	rte_spinlock_unlock(&c->lock);
}

/* Frees the slots of unlinked connections once no PMD thread can hold one. */
static void
reclaim(struct conntrack *ct, const uint32_t *idx, unsigned int n)
{
	if (n == 0)
		return;
	if (ct->qsbr != NULL)
		rte_rcu_qsbr_synchronize(ct->qsbr, RTE_QSBR_THRID_INVALID);
	rte_spinlock_lock(&ct->wlock);
	for (unsigned int i = 0; i < n; i++) {
		struct ct_conn *c = &ct->conns[idx[i]];

		for (int d = 0; d < 2; d++)
			if (c->pos[d] >= 0)
				rte_hash_free_key_with_position(ct->hash, c->pos[d]);
		c->pos[0] = c->pos[1] = -1;
		c->in_use = 0;
		ct->free[ct->n_free++] = idx[i];
	}
	rte_spinlock_unlock(&ct->wlock);
}

typedef bool (*conn_pred)(const struct ct_conn *c, const void *arg);

/* Removes every connection pred picks (and any slot left unlinked), in
 * batches, taking wlock per connection so PMD threads that create
 * connections never wait long. */
static unsigned int
remove_where(struct conntrack *ct, conn_pred pred, const void *arg)
{
	uint32_t batch[1024];
	unsigned int n = 0, removed = 0;

	for (uint32_t i = 0; i < __atomic_load_n(&ct->n_touched, __ATOMIC_ACQUIRE); i++) {
		struct ct_conn *c = &ct->conns[i];

		if (!__atomic_load_n(&c->in_use, __ATOMIC_ACQUIRE))
			continue;
		rte_spinlock_lock(&ct->wlock);
		if (!c->in_use || (c->live && !pred(c, arg))) {
			rte_spinlock_unlock(&ct->wlock);
			continue;
		}
		if (c->live)
			removed++;
		conn_unlink(ct, c);
		rte_spinlock_unlock(&ct->wlock);
		batch[n++] = i;
		if (n == RTE_DIM(batch)) {
			reclaim(ct, batch, n);
			n = 0;
		}
	}
	reclaim(ct, batch, n);
	return removed;
}

static bool
is_expired(const struct ct_conn *c, const void *arg)
{
	return expired(__atomic_load_n(&c->expires, __ATOMIC_RELAXED), *(const uint32_t *)arg);
}

unsigned int
conntrack_sweep(struct conntrack *ct, uint32_t now)
{
	return remove_where(ct, is_expired, &now);
}

struct zone_sel {
	int bridge, zone;
};

static bool
in_zone(const struct ct_conn *c, const void *arg)
{
	const struct zone_sel *z = arg;

	return (z->bridge < 0 || c->key[0].bridge == z->bridge) &&
	       (z->zone < 0 || c->key[0].zone == z->zone);
}

unsigned int
conntrack_flush(struct conntrack *ct, int bridge, int zone)
{
	struct zone_sel z = {bridge, zone};

	return remove_where(ct, in_zone, &z);
}

static void
tuple_info(const struct ct_key *k, struct ct_tuple_info *t)
{
	t->src = k->src;
	t->dst = k->dst;
	t->sport = k->sport;
	t->dport = k->proto == IPPROTO_ICMP ? 0 : k->dport;
}

int
conntrack_walk(struct conntrack *ct, int bridge, int zone, uint32_t now, ct_walk_fn fn, void *arg)
{
	struct zone_sel z = {bridge, zone};

	for (uint32_t i = 0; i < __atomic_load_n(&ct->n_touched, __ATOMIC_ACQUIRE); i++) {
		struct ct_conn *c = &ct->conns[i];
		struct ct_conn_info info;
		int rc;

		if (!__atomic_load_n(&c->in_use, __ATOMIC_ACQUIRE))
			continue;
		rte_spinlock_lock(&c->lock);
		if (!c->live || !in_zone(c, &z) || expired(c->expires, now)) {
			rte_spinlock_unlock(&c->lock);
			continue;
		}
		info = (struct ct_conn_info){
			.bridge = c->key[0].bridge,
			.zone = c->key[0].zone,
			.proto = c->key[0].proto,
			.nat = c->nat,
			.replied = c->replied != 0,
			.state = ct_tcp_state_names[c->tcp],
			.expires_in = c->expires - now,
			.packets = {c->packets[0], c->packets[1]},
			.bytes = {c->bytes[0], c->bytes[1]},
		};
		tuple_info(&c->key[0], &info.orig);
		tuple_info(&c->key[1], &info.reply);
		rte_spinlock_unlock(&c->lock);
		rc = fn(&info, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
conntrack_set_limit(struct conntrack *ct, int zone, uint32_t limit)
{
	if (limit > ct->capacity || zone >= (int)CT_ZONES || (zone < 0 && limit == 0))
		return -EINVAL;
	if (zone < 0)
		__atomic_store_n(&ct->default_limit, limit, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&ct->zone_limit[zone], limit, __ATOMIC_RELAXED);
	return 0;
}

uint32_t
conntrack_limit(const struct conntrack *ct, uint16_t zone)
{
	return limit_of(ct, zone);
}

uint32_t
conntrack_zone_count(const struct conntrack *ct, uint16_t bridge, uint16_t zone)
{
	return bridge < DP_MAX_BRIDGES
		   ? __atomic_load_n(&ct->zone_count[zone_index((uint8_t)bridge, zone)],
				     __ATOMIC_RELAXED)
		   : 0;
}

uint64_t
conntrack_zone_refused(const struct conntrack *ct, uint16_t bridge, uint16_t zone)
{
	return bridge < DP_MAX_BRIDGES
		   ? __atomic_load_n(&ct->zone_refused[zone_index((uint8_t)bridge, zone)],
				     __ATOMIC_RELAXED)
		   : 0;
}

uint32_t
conntrack_capacity(const struct conntrack *ct)
{
	return ct->capacity;
}

uint32_t
conntrack_count(const struct conntrack *ct)
{
	return __atomic_load_n(&ct->n_live, __ATOMIC_RELAXED);
}

int
conntrack_set_timeout(struct conntrack *ct, enum ct_timeout_id id, uint32_t secs)
{
	if (id >= CT_TMO_MAX || secs == 0 || secs > INT32_MAX)
		return -EINVAL;
	__atomic_store_n(&ct->timeout[id], secs, __ATOMIC_RELAXED);
	return 0;
}

uint32_t
conntrack_timeout(const struct conntrack *ct, enum ct_timeout_id id)
{
	return id < CT_TMO_MAX ? __atomic_load_n(&ct->timeout[id], __ATOMIC_RELAXED) : 0;
}

void
conntrack_stats(const struct conntrack *ct, struct ct_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int t = 0; t < ct->n_threads; t++)
		for (int i = 0; i < CT_CNT_MAX; i++)
			out->c[i] += __atomic_load_n(&ct->stats[t].c[i], __ATOMIC_RELAXED);
}

size_t
conntrack_bytes(const struct conntrack *ct)
{
	/* The hash: two keys and a data pointer per connection, in buckets of
	 * eight signatures and key indexes. */
	size_t keys = 2 * (size_t)ct->capacity;

	return sizeof(*ct) + (size_t)ct->capacity * (sizeof(struct ct_conn) + sizeof(uint32_t)) +
	       keys * (sizeof(struct ct_key) + sizeof(void *) + 8) +
	       ct->n_threads * sizeof(struct ct_stats);
}
