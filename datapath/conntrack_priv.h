/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_CONNTRACK_PRIV_H
#define VSWITCH_DATAPATH_CONNTRACK_PRIV_H

/*
 * The connection table's structures, shared by its two files only:
 * conntrack.c (what PMD threads run: ct() on frames) and conntrack_table.c
 * (the table's life and what the control thread does with it). See
 * conntrack.h for the threading rules.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_hash.h>
#include <rte_spinlock.h>

#include "conntrack.h"
#include "snapshot.h"

#define CT_ZONES 65536u

/* A hash key: one direction of a connection. 16 bytes. For ICMP both ports
 * hold the echo identifier, so that reversing a tuple keeps it. */
struct ct_key {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
	uint16_t zone;
	uint8_t bridge;
	uint8_t proto;
};

_Static_assert(sizeof(struct ct_key) == 16, "struct ct_key is a 16-byte hash key");
_Static_assert(DP_MAX_BRIDGES <= 256, "a bridge slot must fit ct_key.bridge");

enum tcp_state {
	TCP_NONE, /* not TCP */
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT,
	TCP_TIME_WAIT,
	TCP_CLOSED,
};

struct ct_conn {
	struct ct_key key[2]; /* original, reply: what each direction's packets carry */
	rte_spinlock_t lock;  /* guards everything below but in_use */
	uint32_t expires;     /* seconds, fdb_now() */
	uint8_t tcp;          /* enum tcp_state */
	uint8_t fins;         /* bit d: direction d sent a FIN */
	uint8_t nat;          /* CT_STATE_SNAT | CT_STATE_DNAT */
	uint8_t replied;
	uint8_t live;   /* in the hash: lookups may use it; 0 once removal started */
	uint8_t in_use; /* the slot is taken (live, or waiting for reclaim); wlock */
	int32_t pos[2]; /* the keys' hash positions; -1 for none */
	uint64_t packets[2], bytes[2];
};

struct conntrack {
	struct rte_hash *hash;
	struct ct_conn *conns;
	uint32_t capacity;
	uint32_t n_live;          /* wlock */
	uint32_t n_free;          /* wlock */
	uint32_t *free;           /* a stack of free slot indices; wlock */
	uint32_t n_touched;       /* slots below this were ever used: sweeps, flushes and
				   * walks look no further (the stack hands out low slots
				   * first). Written under wlock. */
	rte_spinlock_t wlock;     /* hash writes, slot allocation, zone counts */
	uint32_t *zone_count;     /* [bridge * CT_ZONES + zone]; wlock */
	uint64_t *zone_refused;   /* same index; wlock */
	uint32_t *zone_limit;     /* [zone]; 0: default_limit */
	uint32_t default_limit;
	uint32_t timeout[CT_TMO_MAX];
	unsigned int n_threads;
	struct ct_stats *stats;   /* [n_threads] */
	struct rte_rcu_qsbr *qsbr;
};

/* The name conntrack_walk() gives a TCP state. */
extern const char *const ct_tcp_state_names[];

static inline bool
expired(uint32_t expires, uint32_t now)
{
	return (int32_t)(expires - now) <= 0;
}

static inline uint32_t
zone_index(uint8_t bridge, uint16_t zone)
{
	return (uint32_t)bridge * CT_ZONES + zone;
}

static inline uint32_t
limit_of(const struct conntrack *ct, uint16_t zone)
{
	uint32_t l = __atomic_load_n(&ct->zone_limit[zone], __ATOMIC_RELAXED);

	return l != 0 ? l : __atomic_load_n(&ct->default_limit, __ATOMIC_RELAXED);
}

#endif
