/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ct() on frames, in PMD threads: a frame's tuple looked up without locks,
 * its connection changed under the connection's own lock, a new one
 * created under ct->wlock, and the frame translated. See conntrack.h for
 * the threading rules, conntrack_table.c for the table's life.
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#include <rte_spinlock.h>

#include "conntrack_priv.h"
#include "packet_edit.h"

#define IPV4_HLEN_MIN 20
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12

#define NAT_PORT_FIRST 1024 /* ports picked when nat(src=) names none */
#define NAT_MAX_PROBES 65536u

static inline struct ct_key
reverse(const struct ct_key *k)
{
	struct ct_key r = *k;

	r.src = k->dst;
	r.dst = k->src;
	r.sport = k->dport;
	r.dport = k->sport;
	return r;
}

static inline uint16_t
load_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* What a packet says about itself, once checked. */
struct pkt {
	struct ct_key key;
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint16_t inner_l3; /* ICMP errors: the embedded IPv4 header */
};

enum parse_result { P_OK, P_INVALID };

/*
 * Reads the tuple of an IPv4 packet. Anything the table cannot track is
 * counted under its reason and gives P_INVALID.
 */
static enum parse_result
parse(struct ct_stats *st, const struct rte_mbuf *m, const struct flow_offsets *off,
      const struct flow_key *k, struct pkt *p)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *ip, *l4;

	if (k->dl_type != RTE_BE16(FLOW_ETH_IPV4) || off->l3 == 0) {
		st->c[k->dl_type == RTE_BE16(FLOW_ETH_IPV4) ? CT_CNT_truncated : CT_CNT_not_ipv4]++;
		return P_INVALID;
	}
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, off->l3);
	if ((load_be16(ip + 6) & RTE_BE16(IPV4_MF | IPV4_OFFSET_MASK)) != 0) {
		st->c[CT_CNT_fragments]++;
		return P_INVALID;
	}
	p->key.src = k->nw_src;
	p->key.dst = k->nw_dst;
	p->key.proto = k->nw_proto;
	p->key.sport = p->key.dport = 0;
	p->tcp_flags = 0;
	p->icmp_type = 0;
	p->inner_l3 = 0;
	switch (k->nw_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (off->l4 == 0) {
			st->c[CT_CNT_truncated]++;
			return P_INVALID;
		}
		p->key.sport = k->tp_src;
		p->key.dport = k->tp_dst;
		if (k->nw_proto == IPPROTO_TCP)
			p->tcp_flags = rte_pktmbuf_mtod_offset(m, const uint8_t *, off->l4)[13];
		return P_OK;
	case IPPROTO_ICMP:
		if (off->l4 == 0 || len < off->l4 + 8u) {
			st->c[CT_CNT_truncated]++;
			return P_INVALID;
		}
		l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, off->l4);
		p->icmp_type = l4[0];
		if (l4[0] == ICMP_ECHO_REQUEST || l4[0] == ICMP_ECHO_REPLY) {
			p->key.sport = p->key.dport = load_be16(l4 + 4);
			return P_OK;
		}
		if (l4[0] == ICMP_DEST_UNREACH || l4[0] == ICMP_TIME_EXCEEDED ||
		    l4[0] == ICMP_PARAM_PROBLEM) {
			p->inner_l3 = (uint16_t)(off->l4 + 8);
			return P_OK;
		}
		st->c[CT_CNT_bad_icmp]++;
		return P_INVALID;
	default:
		return P_OK;
	}
}

/* The tuple of the packet an ICMP error embeds, as that packet carried it.
 * False when it is cut short or not something the table tracks. */
static bool
parse_inner(const struct rte_mbuf *m, uint16_t inner_l3, struct ct_key *key)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *ip, *l4;
	uint32_t hlen;

	if (len < inner_l3 + (uint32_t)IPV4_HLEN_MIN)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, inner_l3);
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if ((ip[0] >> 4) != 4 || hlen < IPV4_HLEN_MIN || len < inner_l3 + hlen + 8 ||
	    (load_be16(ip + 6) & RTE_BE16(IPV4_OFFSET_MASK)) != 0)
		return false;
	l4 = ip + hlen;
	memcpy(&key->src, ip + 12, 4);
	memcpy(&key->dst, ip + 16, 4);
	key->proto = ip[9];
	key->sport = key->dport = 0;
	if (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP) {
		key->sport = load_be16(l4);
		key->dport = load_be16(l4 + 2);
	} else if (ip[9] == IPPROTO_ICMP) {
		if (l4[0] != ICMP_ECHO_REQUEST && l4[0] != ICMP_ECHO_REPLY)
			return false; /* no error is sent about an error */
		key->sport = key->dport = load_be16(l4 + 4);
	}
	return true;
}

static inline bool
tcp_flags_valid(uint8_t f)
{
	if ((f & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN) ||
	    (f & (TCP_SYN | TCP_RST)) == (TCP_SYN | TCP_RST))
		return false;
	if ((f & (TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG)) == 0)
		return false; /* no flag at all */
	return (f & TCP_ACK) != 0 || (f & (TCP_FIN | TCP_PSH | TCP_URG)) == 0;
}

/* A SYN without ACK, and flags a packet may carry (not SYN+PSH, say): an
 * invalid packet must not leave a connection behind. */
static inline bool
tcp_opens(uint8_t f)
{
	return tcp_flags_valid(f) && (f & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN;
}

/* Whether this packet, in the original direction, may open a connection. */
static inline bool
may_open(const struct pkt *p)
{
	if (p->key.proto == IPPROTO_TCP)
		return tcp_opens(p->tcp_flags);
	if (p->key.proto == IPPROTO_ICMP)
		return p->icmp_type == ICMP_ECHO_REQUEST;
	return true;
}

static enum ct_timeout_id
timeout_of(const struct ct_conn *c)
{
	switch (c->key[0].proto) {
	case IPPROTO_TCP:
		switch (c->tcp) {
		case TCP_SYN_SENT:
			return CT_TMO_tcp_syn_sent;
		case TCP_SYN_RECV:
			return CT_TMO_tcp_syn_recv;
		case TCP_ESTABLISHED:
			return CT_TMO_tcp_established;
		case TCP_FIN_WAIT:
			return CT_TMO_tcp_fin_wait;
		case TCP_TIME_WAIT:
			return CT_TMO_tcp_time_wait;
		default:
			return CT_TMO_tcp_close;
		}
	case IPPROTO_UDP:
		return c->replied ? CT_TMO_udp_stream : CT_TMO_udp_first;
	case IPPROTO_ICMP:
		return CT_TMO_icmp;
	default:
		return c->replied ? CT_TMO_other_stream : CT_TMO_other_first;
	}
}

/* A connection (re)starting with its first packet. */
static void
conn_open(struct ct_conn *c)
{
	c->tcp = c->key[0].proto == IPPROTO_TCP ? TCP_SYN_SENT : TCP_NONE;
	c->fins = 0;
	c->replied = 0;
	c->packets[0] = c->packets[1] = 0;
	c->bytes[0] = c->bytes[1] = 0;
}

/* TCP's state for a packet of direction dir. False: the packet does not fit
 * the connection (it is +inv and changes nothing). */
static bool
tcp_update(struct ct_conn *c, unsigned int dir, uint8_t f)
{
	if (!tcp_flags_valid(f))
		return false;
	if (f & TCP_RST) {
		c->tcp = TCP_CLOSED;
		return true;
	}
	switch (c->tcp) {
	case TCP_SYN_SENT:
		if (dir == 1 && (f & TCP_SYN))
			c->tcp = TCP_SYN_RECV;
		else if (dir == 1 && !(f & TCP_SYN))
			return false; /* an answer to a SYN must be a SYN */
		return true;
	case TCP_SYN_RECV:
		if (dir == 0 && (f & TCP_ACK) && !(f & TCP_SYN))
			c->tcp = TCP_ESTABLISHED;
		break;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT:
		if ((f & TCP_SYN) && !(f & TCP_ACK))
			return false; /* a new handshake inside a live connection */
		break;
	default:
		return true;
	}
	if (f & TCP_FIN) {
		c->fins |= (uint8_t)(1u << dir);
		c->tcp = c->fins == 3 ? TCP_TIME_WAIT : TCP_FIN_WAIT;
	}
	return true;
}

/* The two tuples a direction's packets go from and to: what they carry as
 * they arrive, and what they leave with. */
static inline void
dir_tuples(const struct ct_conn *c, unsigned int dir, struct ct_key *pre, struct ct_key *post)
{
	*pre = c->key[dir];
	*post = reverse(&c->key[!dir]);
}

/* Rewrites the packet's own header from pre to post. */
static void
translate(struct rte_mbuf *m, const struct flow_offsets *off, struct flow_key *k,
	  const struct ct_key *pre, const struct ct_key *post)
{
	if (pre->src != post->src)
		packet_set_nw_src(m, off, k, post->src);
	if (pre->dst != post->dst)
		packet_set_nw_dst(m, off, k, post->dst);
	if (pre->proto == IPPROTO_ICMP) {
		if (pre->sport != post->sport)
			packet_set_icmp_id(m, off, k, post->sport);
	} else {
		if (pre->sport != post->sport)
			packet_set_tp_src(m, off, k, post->sport);
		if (pre->dport != post->dport)
			packet_set_tp_dst(m, off, k, post->dport);
	}
}

static inline struct ct_conn *
entry_conn(void *data, unsigned int *dir)
{
	uintptr_t v = (uintptr_t)data;

	*dir = (unsigned int)(v & 1);
	return (struct ct_conn *)(v & ~(uintptr_t)1);
}

/* ---- creating a connection (under wlock) ---- */

static inline bool
key_taken(struct conntrack *ct, const struct ct_key *k)
{
	return rte_hash_lookup(ct->hash, k) >= 0;
}

/* A free address and port for the reply tuple *r (which gets them in its
 * dst/dport for source NAT, src/sport for destination NAT). */
static bool
nat_pick(struct conntrack *ct, const struct ct_args *a, const struct ct_key *orig, bool snat,
	 struct ct_key *r)
{
	uint32_t ip_lo = rte_be_to_cpu_32(a->ip_min), ip_hi = rte_be_to_cpu_32(a->ip_max);
	uint32_t n_ips = ip_hi - ip_lo + 1;
	rte_be32_t *rip = snat ? &r->dst : &r->src;
	rte_be16_t *rport = snat ? &r->dport : &r->sport;
	rte_be16_t own = snat ? orig->sport : orig->dport;
	bool ports = orig->proto == IPPROTO_TCP || orig->proto == IPPROTO_UDP ||
		     orig->proto == IPPROTO_ICMP;
	uint32_t p_lo, p_hi, n_ports, h, start_ip, start_port, probes = 0;

	if (a->flags & CT_F_NAT_PORTS) {
		p_lo = a->port_min;
		p_hi = a->port_max;
	} else if (orig->proto == IPPROTO_ICMP) {
		p_lo = 0;
		p_hi = 65535;
	} else {
		p_lo = NAT_PORT_FIRST;
		p_hi = 65535;
	}
	n_ports = ports ? p_hi - p_lo + 1 : 1;
	h = rte_hash_crc(orig, sizeof(*orig), 0);
	/* The address by the source, so a host keeps one external address;
	 * the ports from where the hash says, the packet's own first. */
	start_ip = rte_hash_crc_4byte(orig->src, 0) % n_ips;
	for (uint32_t i = 0; i < n_ips; i++) {
		*rip = rte_cpu_to_be_32(ip_lo + (start_ip + i) % n_ips);
		if (!ports) {
			if (!key_taken(ct, r))
				return true;
			continue;
		}
		/* Without a port range, any port the packet has is kept when free. */
		if (!(a->flags & CT_F_NAT_PORTS) ||
		    (rte_be_to_cpu_16(own) >= p_lo && rte_be_to_cpu_16(own) <= p_hi)) {
			*rport = own;
			if (orig->proto == IPPROTO_ICMP)
				r->sport = r->dport = own;
			if (!key_taken(ct, r))
				return true;
		}
		start_port = h % n_ports;
		for (uint32_t j = 0; j < n_ports; j++) {
			rte_be16_t port = rte_cpu_to_be_16((uint16_t)(p_lo + (start_port + j) % n_ports));

			if (++probes > NAT_MAX_PROBES)
				return false;
			*rport = port;
			if (orig->proto == IPPROTO_ICMP)
				r->sport = r->dport = port;
			if (!key_taken(ct, r))
				return true;
		}
	}
	return false;
}

/*
 * Commits a new connection for packet p (original direction). Returns it,
 * or NULL with *cnt saying why not. *existing is set instead when another
 * thread created it meanwhile.
 */
static struct ct_conn *
conn_create(struct conntrack *ct, const struct pkt *p, const struct ct_args *a, uint32_t now,
	    enum ct_counter *cnt, struct ct_conn **existing, unsigned int *existing_dir)
{
	uint32_t zi = zone_index(p->key.bridge, p->key.zone);
	struct ct_key r = reverse(&p->key);
	struct ct_conn *c;
	uint32_t slot;
	void *data;
	int32_t pos;

	rte_spinlock_lock(&ct->wlock);
	if (rte_hash_lookup_data(ct->hash, &p->key, &data) >= 0) {
		*existing = entry_conn(data, existing_dir);
		rte_spinlock_unlock(&ct->wlock);
		return NULL;
	}
	if (ct->zone_count[zi] >= limit_of(ct, p->key.zone) || ct->n_free == 0) {
		ct->zone_refused[zi]++;
		*cnt = CT_CNT_refused;
		goto fail;
	}
	if (a->flags & (CT_F_NAT_SRC | CT_F_NAT_DST)) {
		if (!nat_pick(ct, a, &p->key, (a->flags & CT_F_NAT_SRC) != 0, &r)) {
			*cnt = CT_CNT_nat_failed;
			goto fail;
		}
	} else if (key_taken(ct, &r)) {
		/* Its reply tuple is another connection's: the two cannot be told apart. */
		*cnt = CT_CNT_nat_failed;
		goto fail;
	}
	slot = ct->free[--ct->n_free];
	if (slot >= ct->n_touched)
		__atomic_store_n(&ct->n_touched, slot + 1, __ATOMIC_RELEASE);
	c = &ct->conns[slot];
	rte_spinlock_lock(&c->lock);
	c->key[0] = p->key;
	c->key[1] = r;
	c->nat = 0;
	if (a->flags & CT_F_NAT_SRC)
		c->nat = CT_STATE_SNAT;
	else if (a->flags & CT_F_NAT_DST)
		c->nat = CT_STATE_DNAT;
	if (c->nat) {
		struct ct_key plain = reverse(&p->key);

		if (memcmp(&plain, &r, sizeof(r)) == 0)
			c->nat = 0; /* the range held the packet's own address and port */
	}
	conn_open(c);
	c->expires = now + ct->timeout[timeout_of(c)];
	c->in_use = 1;
	c->live = 1;
	rte_spinlock_unlock(&c->lock);
	/* Adding publishes: the connection is complete before either key is. */
	pos = rte_hash_add_key_data(ct->hash, &c->key[0], c);
	c->pos[0] = pos;
	if (pos >= 0) {
		pos = rte_hash_add_key_data(ct->hash, &c->key[1], (void *)((uintptr_t)c | 1));
		c->pos[1] = pos;
	}
	if (pos < 0) {
		/* Cannot happen while the key store is sized for every slot; should
		 * it, the slot waits for the sweep to reclaim it. */
		if (c->pos[0] >= 0)
			c->pos[0] = rte_hash_del_key(ct->hash, &c->key[0]);
		c->pos[1] = -1;
		c->live = 0;
		*cnt = CT_CNT_refused;
		rte_spinlock_unlock(&ct->wlock);
		return NULL;
	}
	ct->zone_count[zi]++;
	ct->n_live++;
	rte_spinlock_unlock(&ct->wlock);
	return c;
fail:
	rte_spinlock_unlock(&ct->wlock);
	return NULL;
}

/* ---- the ct() action ---- */

/* An ICMP error: related to the connection its embedded packet belongs to. */
static uint8_t
related(struct conntrack *ct, struct ct_stats *st, struct rte_mbuf *m,
	const struct flow_offsets *off, struct flow_key *k, const struct pkt *p,
	const struct ct_args *a, uint32_t now)
{
	struct ct_key inner, rev, pre, post;
	struct ct_conn *c;
	unsigned int dir;
	uint8_t state;
	void *data;

	if (!parse_inner(m, p->inner_l3, &inner)) {
		st->c[CT_CNT_bad_icmp]++;
		return CT_STATE_TRK | CT_STATE_INV;
	}
	inner.zone = p->key.zone;
	inner.bridge = p->key.bridge;
	/* The embedded packet went the other way, translated: reversed, it is
	 * the tuple of the error's own direction. */
	rev = reverse(&inner);
	if (rte_hash_lookup_data(ct->hash, &rev, &data) < 0) {
		st->c[CT_CNT_bad_icmp]++;
		return CT_STATE_TRK | CT_STATE_INV;
	}
	c = entry_conn(data, &dir);
	rte_spinlock_lock(&c->lock);
	if (!c->live || expired(c->expires, now)) { /* timed out: gone, swept or not */
		rte_spinlock_unlock(&c->lock);
		st->c[CT_CNT_bad_icmp]++;
		return CT_STATE_TRK | CT_STATE_INV;
	}
	state = CT_STATE_TRK | CT_STATE_REL | (dir ? CT_STATE_RPL : 0);
	if ((a->flags & CT_F_NAT) && c->nat) {
		/* The error's addresses as for any packet of its direction; the
		 * embedded one back to how its sender sent it. */
		dir_tuples(c, dir, &pre, &post);
		if (pre.src != post.src && k->nw_src == pre.src)
			packet_set_nw_src(m, off, k, post.src);
		if (pre.dst != post.dst && k->nw_dst == pre.dst)
			packet_set_nw_dst(m, off, k, post.dst);
		dir_tuples(c, !dir, &pre, &post);
		packet_set_icmp_inner(m, off, k, p->inner_l3, pre.src, pre.dst, pre.sport,
				      pre.dport);
		state |= c->nat;
	}
	rte_spinlock_unlock(&c->lock);
	st->c[CT_CNT_related]++;
	return state;
}

/* A packet of a known connection. Called with c locked; unlocks it. */
static uint8_t
known(struct conntrack *ct, struct ct_stats *st, struct rte_mbuf *m,
      const struct flow_offsets *off, struct flow_key *k, const struct pkt *p,
      const struct ct_args *a, struct ct_conn *c, unsigned int dir, uint32_t now)
{
	struct ct_key pre, post;
	uint8_t state;

	if (expired(c->expires, now) || (c->tcp >= TCP_TIME_WAIT && dir == 0 && may_open(p))) {
		/* Timed out but not yet swept, or closed and opened again: a new
		 * connection in the same slot, with the same translation. */
		if (dir != 0 || !may_open(p)) {
			rte_spinlock_unlock(&c->lock);
			st->c[CT_CNT_no_conn]++;
			return CT_STATE_TRK | CT_STATE_INV;
		}
		if (!(a->flags & CT_F_COMMIT)) {
			/* New, but only commit may start it over: the old one stays. */
			rte_spinlock_unlock(&c->lock);
			return CT_STATE_TRK | CT_STATE_NEW;
		}
		conn_open(c);
	}
	if (p->key.proto == IPPROTO_TCP && !tcp_update(c, dir, p->tcp_flags)) {
		rte_spinlock_unlock(&c->lock);
		st->c[CT_CNT_bad_tcp]++;
		return CT_STATE_TRK | CT_STATE_INV;
	}
	if (dir == 1)
		c->replied = 1;
	c->packets[dir]++;
	c->bytes[dir] += rte_pktmbuf_pkt_len(m);
	c->expires = now + ct->timeout[timeout_of(c)];
	state = CT_STATE_TRK | (c->replied ? CT_STATE_EST : CT_STATE_NEW) |
		(dir ? CT_STATE_RPL : 0);
	if ((a->flags & CT_F_NAT) && c->nat) {
		dir_tuples(c, dir, &pre, &post);
		translate(m, off, k, &pre, &post);
		state |= c->nat;
	}
	rte_spinlock_unlock(&c->lock);
	return state;
}

/* The packet's own tuple is in no live connection (or was not looked up,
 * for an ICMP error). */
static uint8_t
track_miss(struct conntrack *ct, struct ct_stats *st, struct rte_mbuf *m,
	   const struct flow_offsets *off, struct flow_key *k, struct pkt *p,
	   const struct ct_args *a, uint32_t now)
{
	enum ct_counter why = CT_CNT_refused;
	struct ct_conn *c, *existing = NULL;
	unsigned int dir;

	if (p->inner_l3 != 0)
		return related(ct, st, m, off, k, p, a, now);
	if (!may_open(p)) {
		bool bad = p->key.proto == IPPROTO_TCP && !tcp_flags_valid(p->tcp_flags);

		st->c[bad ? CT_CNT_bad_tcp : CT_CNT_no_conn]++;
		return CT_STATE_TRK | CT_STATE_INV;
	}
	if (!(a->flags & CT_F_COMMIT))
		return CT_STATE_TRK | CT_STATE_NEW;
	c = conn_create(ct, p, a, now, &why, &existing, &dir);
	if (c == NULL) {
		if (existing == NULL) {
			st->c[why]++;
			return CT_STATE_TRK | CT_STATE_INV;
		}
		/* Another thread committed it first. */
		rte_spinlock_lock(&existing->lock);
		if (existing->live)
			return known(ct, st, m, off, k, p, a, existing, dir, now);
		rte_spinlock_unlock(&existing->lock);
		st->c[CT_CNT_no_conn]++;
		return CT_STATE_TRK | CT_STATE_INV;
	}
	st->c[CT_CNT_created]++;
	rte_spinlock_lock(&c->lock);
	return known(ct, st, m, off, k, p, a, c, 0, now);
}

/* data: what the hash holds for the packet's tuple, NULL for nothing. */
static uint8_t
track(struct conntrack *ct, struct ct_stats *st, struct rte_mbuf *m,
      const struct flow_offsets *off, struct flow_key *k, struct pkt *p, const struct ct_args *a,
      uint32_t now, void *data)
{
	struct ct_conn *c;
	unsigned int dir;

	if (data != NULL) {
		c = entry_conn(data, &dir);
		rte_spinlock_lock(&c->lock);
		if (c->live)
			return known(ct, st, m, off, k, p, a, c, dir, now);
		rte_spinlock_unlock(&c->lock); /* being removed: as if gone */
	}
	return track_miss(ct, st, m, off, k, p, a, now);
}

/* An ICMP error belongs to the connection it reports on, never its own tuple. */
static inline void *
lookup(struct conntrack *ct, const struct pkt *p)
{
	void *data;

	if (p->inner_l3 != 0 || rte_hash_lookup_data(ct->hash, &p->key, &data) < 0)
		return NULL;
	return data;
}

static inline uint8_t
finish(struct ct_stats *st, struct flow_key *k, uint16_t zone, uint8_t state)
{
	if (state & CT_STATE_INV)
		st->c[CT_CNT_invalid]++;
	k->ct_state = state;
	k->ct_zone = zone;
	return state;
}

static inline bool
prepare(struct ct_stats *st, const struct rte_mbuf *m, const struct flow_offsets *off,
	const struct flow_key *k, uint16_t bridge, const struct ct_args *a, struct pkt *p)
{
	st->c[CT_CNT_packets]++;
	if (parse(st, m, off, k, p) != P_OK)
		return false;
	p->key.zone = a->zone;
	p->key.bridge = (uint8_t)bridge;
	return true;
}

uint8_t
conntrack_execute(struct conntrack *ct, unsigned int thread, struct rte_mbuf *m,
		  const struct flow_offsets *off, struct flow_key *k, uint16_t bridge,
		  const struct ct_args *args, uint32_t now)
{
	struct ct_stats *st = &ct->stats[thread];
	struct pkt p;

	if (!prepare(st, m, off, k, bridge, args, &p))
		return finish(st, k, args->zone, CT_STATE_TRK | CT_STATE_INV);
	return finish(st, k, args->zone,
		      track(ct, st, m, off, k, &p, args, now, lookup(ct, &p)));
}

void
conntrack_execute_burst(struct conntrack *ct, unsigned int thread, struct ct_frame *f,
			unsigned int n, uint16_t bridge, uint32_t now)
{
	struct ct_stats *st = &ct->stats[thread];
	struct pkt p[CT_BURST_MAX];
	const void *keys[CT_BURST_MAX];
	void *data[CT_BURST_MAX];
	uint8_t slot[CT_BURST_MAX], ok[CT_BURST_MAX];
	uint64_t hits = 0;
	unsigned int nk = 0;
	bool created = false;

	/* Every tuple first, looked up together so that the cache misses of
	 * buckets, keys and connections overlap instead of queueing. */
	for (unsigned int i = 0; i < n; i++) {
		ok[i] = prepare(st, f[i].m, f[i].off, f[i].k, bridge, f[i].args, &p[i]);
		slot[i] = UINT8_MAX;
		data[i] = NULL;
		if (ok[i] && p[i].inner_l3 == 0) {
			slot[i] = (uint8_t)nk;
			keys[nk++] = &p[i].key;
		}
	}
	if (nk > 0)
		rte_hash_lookup_bulk_data(ct->hash, keys, nk, &hits, data);
	for (unsigned int j = 0; j < nk; j++)
		if (hits & (UINT64_C(1) << j)) {
			unsigned int dir;

			rte_prefetch0(entry_conn(data[j], &dir));
		}
	for (unsigned int i = 0; i < n; i++) {
		struct ct_frame *x = &f[i];
		void *d = NULL;
		uint8_t state;

		if (!ok[i]) {
			finish(st, x->k, x->args->zone, CT_STATE_TRK | CT_STATE_INV);
			continue;
		}
		if (slot[i] != UINT8_MAX && (hits & (UINT64_C(1) << slot[i])))
			d = data[slot[i]];
		else if (created)
			d = lookup(ct, &p[i]); /* an earlier frame may have opened it */
		state = track(ct, st, x->m, x->off, x->k, &p[i], x->args, now, d);
		created |= (state & (CT_STATE_NEW | CT_STATE_INV)) == CT_STATE_NEW &&
			   (x->args->flags & CT_F_COMMIT);
		finish(st, x->k, x->args->zone, state);
	}
}
