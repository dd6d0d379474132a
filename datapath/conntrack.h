/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_DATAPATH_CONNTRACK_H
#define VSWITCH_DATAPATH_CONNTRACK_H

/*
 * Connection tracking and NAT for IPv4 TCP, UDP, ICMP and other protocols,
 * as the ct() action of a flow rule runs it.
 *
 * A connection is known by its two tuples: the original one (as the first
 * packet carried it) and the reply one (what packets coming back carry,
 * after NAT). Both are keys of one rte_hash whose data point at the
 * connection and say the direction. Connections live in a preallocated
 * array; free slots wait in an rte_ring.
 *
 * Zones: a tuple holds the bridge (its snapshot slot) and a zone number, so
 * every bridge has its own zones and zone 0 is the one ct() uses by default.
 * A zone has a connection limit (CT_LIMIT_DEFAULT unless set); a commit
 * that would pass it is refused and counted.
 *
 * Threading: PMD threads look up, update and create connections
 * (conntrack_execute); creation and removal are serialised by one spinlock,
 * lookups are lock-free (the hash's lock-free reader mode) and a
 * connection's own state is changed under its own lock, since its two
 * directions may arrive on two PMD threads. The control thread removes
 * expired connections (conntrack_sweep) and flushes; a removed connection's
 * slot is reused only after every PMD thread has been quiescent (the
 * datapath's QSBR variable). Everything but conntrack_execute is for the
 * control thread.
 *
 * What is not done: IPv4 fragments are not reassembled (they are +inv),
 * TCP sequence numbers are not checked, IPv6 is +inv.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "flow_key.h"

/* ct_state bits, as OVS numbers them. */
#define CT_STATE_NEW 0x01
#define CT_STATE_EST 0x02
#define CT_STATE_REL 0x04
#define CT_STATE_RPL 0x08
#define CT_STATE_INV 0x10
#define CT_STATE_TRK 0x20
#define CT_STATE_SNAT 0x40
#define CT_STATE_DNAT 0x80

#define CT_LIMIT_DEFAULT 65536u /* connections per zone unless set */
#define CT_CAPACITY_DEFAULT 262144u

/* The ct() action's arguments: 16 bytes, so they fit a struct flow_act. */
enum ct_flag {
	CT_F_COMMIT = 0x01,
	CT_F_NAT = 0x02,       /* nat: apply the connection's translation */
	CT_F_NAT_SRC = 0x04,   /* nat(src=...): committing sets up source NAT */
	CT_F_NAT_DST = 0x08,   /* nat(dst=...): destination NAT */
	CT_F_NAT_PORTS = 0x10, /* the NAT range has ports */
	CT_F_TABLE = 0x20,     /* continue in table .table with the ct fields set */
};

struct ct_args {
	rte_be32_t ip_min; /* NAT address range; 0 when no nat(src|dst) */
	rte_be32_t ip_max;
	uint16_t port_min; /* host order; CT_F_NAT_PORTS */
	uint16_t port_max;
	uint8_t flags; /* enum ct_flag */
	uint8_t table;
	uint16_t zone;
};

_Static_assert(sizeof(struct ct_args) == 16, "struct ct_args must fit a flow action");

/* Per-state timeouts in seconds. */
#define CT_TIMEOUTS(X)                                                                             \
	X(tcp_syn_sent, 30)                                                                        \
	X(tcp_syn_recv, 30)                                                                        \
	X(tcp_established, 86400)                                                                  \
	X(tcp_fin_wait, 120)                                                                       \
	X(tcp_time_wait, 30)                                                                       \
	X(tcp_close, 10)                                                                           \
	X(udp_first, 30)                                                                           \
	X(udp_stream, 120)                                                                         \
	X(icmp, 30)                                                                                \
	X(other_first, 30)                                                                         \
	X(other_stream, 120)

enum ct_timeout_id {
#define CT_TIMEOUT_ENUM(name, secs) CT_TMO_##name,
	CT_TIMEOUTS(CT_TIMEOUT_ENUM)
#undef CT_TIMEOUT_ENUM
	CT_TMO_MAX
};

/* The name of a timeout ("tcp_established"), its default; id by name or -1. */
const char *ct_timeout_name(enum ct_timeout_id id);
uint32_t ct_timeout_default(enum ct_timeout_id id);
int ct_timeout_by_name(const char *name);

/* Counters a PMD thread keeps, summed by the control side. */
#define CT_COUNTERS(X)                                                                             \
	X(packets)      /* packets through ct() */                                                 \
	X(created)      /* connections committed */                                                \
	X(invalid)      /* packets marked +inv, every reason below included */                     \
	X(fragments)    /* IPv4 fragments (+inv) */                                                \
	X(bad_tcp)      /* TCP flags no packet may carry, or that its connection's state refuses (+inv) */ \
	X(no_conn)      /* no connection, and the packet cannot open one: a TCP non-SYN, an echo reply (+inv) */ \
	X(bad_icmp)     /* ICMP errors with a truncated or unknown inner packet (+inv) */          \
	X(truncated)    /* headers cut short (+inv) */                                             \
	X(not_ipv4)     /* not IPv4: IPv6 and the rest are not tracked (+inv) */                  \
	X(refused)      /* commits refused by a zone's limit or a full table (+inv) */             \
	X(nat_failed)   /* commits with no free address and port to translate to (+inv) */         \
	X(related)      /* ICMP errors about a tracked connection (+rel) */

enum ct_counter {
#define CT_COUNTER_ENUM(name) CT_CNT_##name,
	CT_COUNTERS(CT_COUNTER_ENUM)
#undef CT_COUNTER_ENUM
	CT_CNT_MAX
};

const char *ct_counter_name(enum ct_counter c);

struct ct_stats {
	uint64_t c[CT_CNT_MAX];
} __rte_cache_aligned;

struct conntrack_params {
	uint32_t capacity;       /* connections in all zones; 0: CT_CAPACITY_DEFAULT */
	unsigned int n_threads;  /* PMD threads that call conntrack_execute */
	int socket_id;
	struct rte_rcu_qsbr *qsbr; /* the PMD threads' QSBR variable */
};

struct conntrack;

/* NULL with errno (EINVAL, ENOMEM, or rte_errno of a failed DPDK call). */
struct conntrack *conntrack_create(const struct conntrack_params *params);
void conntrack_destroy(struct conntrack *ct);

/*
 * PMD thread `thread`: runs frame m (whose key k and header offsets off
 * describe it as it is now) through zone args->zone of bridge `bridge`, at
 * time now (seconds, fdb_now()). Translates it when the action says nat and
 * the connection has a translation, updating k and the checksums. Returns
 * the ct_state bits; k->ct_state and k->ct_zone are set too.
 */
uint8_t conntrack_execute(struct conntrack *ct, unsigned int thread, struct rte_mbuf *m,
			  const struct flow_offsets *off, struct flow_key *k, uint16_t bridge,
			  const struct ct_args *args, uint32_t now);

/* One frame of conntrack_execute_burst(). */
struct ct_frame {
	struct rte_mbuf *m;
	const struct flow_offsets *off;
	struct flow_key *k;
	const struct ct_args *args;
};

#define CT_BURST_MAX 64

/* conntrack_execute() for n (<= CT_BURST_MAX) frames of one bridge, in
 * order, with their tuples looked up together. */
void conntrack_execute_burst(struct conntrack *ct, unsigned int thread, struct ct_frame *f,
			     unsigned int n, uint16_t bridge, uint32_t now);

/* One connection as the control side reports it. Addresses and ports in
 * network order; for ICMP the ports are the echo identifier and 0. */
struct ct_tuple_info {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
};

struct ct_conn_info {
	uint16_t bridge;
	uint16_t zone;
	uint8_t proto;
	uint8_t nat;            /* CT_STATE_SNAT | CT_STATE_DNAT */
	bool replied;           /* a packet went the reply way */
	const char *state;      /* "SYN_SENT", "ESTABLISHED", ... ; "" when the protocol has none */
	uint32_t expires_in;    /* seconds */
	struct ct_tuple_info orig, reply;
	uint64_t packets[2], bytes[2]; /* original, reply direction */
};

/* Calls fn for each live connection in bridge (-1: all) and zone (-1: all),
 * stopping when fn returns nonzero (returned). */
typedef int (*ct_walk_fn)(const struct ct_conn_info *info, void *arg);
int conntrack_walk(struct conntrack *ct, int bridge, int zone, uint32_t now, ct_walk_fn fn,
		   void *arg);

/* Removes the connections of bridge (-1: all) and zone (-1: all), as if they
 * had expired. Returns how many. */
unsigned int conntrack_flush(struct conntrack *ct, int bridge, int zone);

/* Removes connections that expired by now. Call about once a second. */
unsigned int conntrack_sweep(struct conntrack *ct, uint32_t now);

/* Limits: zone -1 sets the default for zones without their own. Limit 0
 * for a zone drops its own limit (back to the default). -EINVAL for a limit
 * over the capacity. */
int conntrack_set_limit(struct conntrack *ct, int zone, uint32_t limit);
uint32_t conntrack_limit(const struct conntrack *ct, uint16_t zone);
uint32_t conntrack_zone_count(const struct conntrack *ct, uint16_t bridge, uint16_t zone);
uint64_t conntrack_zone_refused(const struct conntrack *ct, uint16_t bridge, uint16_t zone);
uint32_t conntrack_capacity(const struct conntrack *ct);
uint32_t conntrack_count(const struct conntrack *ct);

/* Timeouts apply to connections from their next packet on. secs 1..2^31. */
int conntrack_set_timeout(struct conntrack *ct, enum ct_timeout_id id, uint32_t secs);
uint32_t conntrack_timeout(const struct conntrack *ct, enum ct_timeout_id id);

/* Sum of all threads' counters. */
void conntrack_stats(const struct conntrack *ct, struct ct_stats *out);

/* Bytes held (for show's memory figures). */
size_t conntrack_bytes(const struct conntrack *ct);

#endif
