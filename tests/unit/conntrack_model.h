/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_TESTS_UNIT_CONNTRACK_MODEL_H
#define VSWITCH_TESTS_UNIT_CONNTRACK_MODEL_H

/*
 * The reference model that test_conntrack's test_random checks
 * datapath/conntrack.h against, and the frame builders and checksum checks
 * that the model and the directed tests share.
 *
 * The model keeps its connections in a plain array (md.c), searched
 * linearly; a connection is its two tuples (bridge, zone, protocol,
 * addresses, ports; an ICMP echo's identifier in both ports), one per
 * direction. Its rules, restated from what OVS's userspace conntrack does:
 *
 * - Fragments, frames cut short and frames that are not IPv4 are +inv
 *   before anything is looked up. Every +inv packet is counted once as
 *   invalid and once under exactly one reason.
 * - A packet of a live connection is +est once the connection has seen a
 *   reply (+new before), +rpl in the reply direction, and refreshes the
 *   timeout of the connection's state. One of a connection that timed out
 *   (swept or not) is as good as unknown.
 * - TCP: flag combinations OVS calls invalid are +inv in any state. Only
 *   a SYN without ACK opens; the other side must answer with a SYN; the
 *   opener's ACK of that establishes, after which a SYN without ACK is
 *   +inv; one FIN makes FIN_WAIT, both TIME_WAIT; an RST closes; once
 *   TIME_WAIT or CLOSED nothing moves. A committed SYN on a connection in
 *   TIME_WAIT or CLOSED, or timed out, starts it over.
 * - ICMP: an echo request opens, a reply only answers; other types that
 *   are not errors are +inv. An error is +rel to the live connection whose
 *   tuple is the reverse of the packet it quotes, +inv when there is none.
 * - UDP and other protocols: any packet opens.
 * - Without CT_F_COMMIT a new connection is +new and not kept. A commit
 *   past the zone's limit or the table's capacity is refused (and counted
 *   per bridge and zone); one whose reply tuple another connection has, or
 *   that source NAT has no free port for, fails (nat_failed).
 * - Source NAT keeps a connection's reply tuple apart from every other:
 *   the port (or identifier) the table picked is read back with
 *   conntrack_walk and must be a free one of the range. With CT_F_NAT a
 *   packet of a translated connection is rewritten to its other
 *   direction's tuple; an ICMP error's quote is restored to what was sent.
 *
 * Single-threaded, cmocka assertions: call from a cmocka test only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/conntrack.h"

#define CAPACITY 4096 /* connections in the table the tests create */
#define FRAME_MAX 512 /* the largest frame the tests build */

#define ETH_HLEN 14
#define IP_HLEN 20
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define IP_DF 0x4000
#define IP_MF 0x2000

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_TIMESTAMP 13

#define TRK CT_STATE_TRK
#define NEW CT_STATE_NEW
#define EST CT_STATE_EST
#define REL CT_STATE_REL
#define RPL CT_STATE_RPL
#define INV CT_STATE_INV
#define SNAT CT_STATE_SNAT
#define DNAT CT_STATE_DNAT

/* An IPv4 address in host order. */
#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

extern const uint32_t nat_ip; /* the source NAT address: 192.0.2.10 */
extern const uint32_t router; /* a router on the way, that sends ICMP errors: 10.9.9.9 */

/* ---- random numbers (splitmix64) ---- */

extern uint64_t rng_state; /* the seed: set it to start a sequence over */

/* The next random number. */
uint64_t rnd(void);
/* A random number in [0, n). */
uint32_t rnd_below(uint32_t n);

/* ---- frames ---- */

/* An IPv4 packet (addresses and ports in host order). */
struct frame {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport; /* TCP, UDP; ICMP echo: sport is the identifier */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	bool no_csum;        /* UDP sent without a checksum */
	uint16_t frag;       /* the IPv4 flags and fragment offset; 0: DF */
	uint16_t payload;    /* bytes after the L4 header */
	const uint8_t *data; /* the payload; NULL: a pattern */
	uint16_t cut;        /* bytes the frame is cut short by */
};

/* One frame through ct(): as sent, as ct() left it. */
struct sent {
	uint8_t state;
	uint8_t in[FRAME_MAX];
	uint8_t b[FRAME_MAX];
	size_t len;
	struct frame out; /* b's addresses and ports (IPv4 frames) */
};

/* Writes v at p in network order. */
void put16(uint8_t *p, uint16_t v);
/* Reads the network-order 16-bit word at p. */
uint16_t get16(const uint8_t *p);
/* A 16-bit word as it lies in memory: how checksums are stored and compared. */
uint16_t mem16(const uint8_t *p);

/* A TCP segment with flags, a UDP datagram, an ICMP echo of type (request
 * or reply) with identifier id; each with a few bytes of payload. */
struct frame tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags);
struct frame udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);
struct frame echo(uint32_t src, uint32_t dst, uint16_t id, uint8_t type);

/* Writes the IPv4 packet f at ip, every checksum filled in; returns its length. */
size_t ip_write(uint8_t *ip, const struct frame *f);
/* Writes f as an Ethernet frame at b; returns its length (less f->cut). */
size_t frame_write(uint8_t *b, const struct frame *f);
/* The addresses and ports of the IPv4 packet at ip. */
void frame_read(const uint8_t *ip, struct frame *f);

/*
 * Checks the IPv4 packet at ip, of which avail bytes are here: its header
 * checksum, and its L4 checksum when the whole packet is here (an ICMP
 * error's quote usually is not), each against one computed from scratch.
 * A UDP checksum of 0 is "none".
 */
void check_csums(uint8_t *ip, size_t avail);

/* ---- counters and conntrack_walk ---- */

/* The sum of every reason a packet is +inv: what the invalid counter must be. */
uint64_t invalid_reasons(const struct ct_stats *st);

/* What the last walk() listed. */
struct walk_list {
	struct ct_conn_info e[CAPACITY];
	unsigned int n;
};

extern struct walk_list walked;

/* Walks bridge and zone (-1: all) at now into walked; returns how many. */
unsigned int walk(struct conntrack *ct, int bridge, int zone, uint32_t now);
/* Checks that tables x and y, fed the same packets, agree: their walks
 * (all of it, and each bridge and zone), connection by connection in slot
 * order, their counts, refusals and counters. */
void compare_tables(struct conntrack *x, struct conntrack *y, uint32_t now);
/* Whether walked tuple t is src:sport -> dst:dport (host order). */
bool tuple_is(const struct ct_tuple_info *t, uint32_t src, uint16_t sport, uint32_t dst,
	      uint16_t dport);
/* The walked connection whose original tuple is the one given, or NULL. */
const struct ct_conn_info *walked_orig(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);

/* ---- the reference model ---- */

#define M_MAX CAPACITY
#define N_BRIDGES 2    /* test_random's packets come in on bridges 0 and 1 */
#define N_ZONES 3      /* and are in zones 0 to 2: */
#define LIMITED_ZONE 1 /* one with a small limit of its own */
#define SNAT_ZONE 2    /* one where client to server is source NAT */
#define SNAT_LO 1000   /* to nat_ip and a port in [SNAT_LO, SNAT_HI] */
#define SNAT_HI 1007

struct mtuple {
	uint32_t src, dst;
	uint16_t sport, dport; /* ICMP echo: both the identifier; other protocols 0 */
	uint8_t proto;
	uint8_t bridge;
	uint16_t zone;
};

enum mtcp {
	MT_NONE,
	MT_SYN_SENT,
	MT_SYN_RECV,
	MT_ESTABLISHED,
	MT_FIN_WAIT,
	MT_TIME_WAIT,
	MT_CLOSED,
};

/* Each state's name, as conntrack_walk gives it. */
extern const char *const mtcp_names[];

struct mconn {
	bool present; /* in the table: neither swept nor flushed */
	struct mtuple t[2];
	enum mtcp tcp;
	uint8_t fins; /* bit d: direction d sent a FIN */
	bool replied;
	uint8_t nat;
	uint32_t expires;
	uint64_t packets[2], bytes[2];
};

/* A packet as the model sees it. */
struct mpkt {
	enum { MP_OK, MP_FRAGMENT, MP_TRUNCATED, MP_NOT_IP } bad;
	struct mtuple t;     /* as it arrives; an ICMP error: its own addresses, ports 0 */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	struct mtuple inner; /* an ICMP error: the tuple of the packet it quotes */
	uint32_t len;        /* frame bytes */
};

/* What the model says a packet went through. */
struct mres {
	struct mconn *c; /* the connection, when it is tracked by one */
	unsigned int dir;
	bool translate;
};

struct model {
	struct mconn c[M_MAX];
	unsigned int n; /* slots ever used */
	uint64_t cnt[CT_CNT_MAX];
	uint64_t refused[N_BRIDGES][N_ZONES];
	uint32_t limit[N_ZONES]; /* 0: the default */
	uint32_t default_limit;
	/* What the run went through, so that it can check it went far enough. */
	uint64_t tcp_seen[MT_CLOSED + 1]; /* packets that left TCP in each state */
	uint64_t restarted, restarted_closed, translated, established;
	unsigned int hot[4]; /* connections made lately: most packets go to them */
	unsigned int hot_next;
};

/* The model: zero it, then set default_limit and limit[], before a run. */
extern struct model md;

/* Whether t is its own reverse (same host and port both ways). */
bool mt_is_self(const struct mtuple *t);
/* How many connections bridge and zone (-1: any) have. */
unsigned int m_count(int bridge, int zone);
/* The model's ct_state for packet p, which the table answered with got;
 * fills r with the connection it went through. */
uint8_t m_packet(struct conntrack *ct, const struct mpkt *p, const struct ct_args *a, uint32_t now,
		 uint8_t got, struct mres *r);
/* conntrack_sweep at now: removes what timed out; returns how many. */
unsigned int m_remove_expired(uint32_t now);
/* conntrack_flush of bridge and zone (-1: all); returns how many. */
unsigned int m_flush(int bridge, int zone);
/* Checks the table's walk, counts, refusals and counters against the model. */
void m_compare(struct conntrack *ct, uint32_t now);

/* ---- the table's settings and control-side work during a run ---- */

/* Short timeouts, so that connections come and go during a run. */
void r_timeouts(struct conntrack *ct);
/*
 * Now and then (w thousandths of the time, times 27) control-side work:
 * a sweep, a flush, a new timeout or a new limit for LIMITED_ZONE, done to
 * the model and to table x and table y (NULL: none), which must agree with
 * the model on how many connections went.
 */
void r_control(struct conntrack *x, struct conntrack *y, uint32_t now, uint32_t w);

/* ---- random packets for test_random ---- */

/* A tuple of one of the model's connections (*cp, direction *dp; maybe gone
 * by now), or a new one (*cp NULL). */
struct mtuple r_tuple(const struct mconn **cp, unsigned int *dp);
/* TCP flags for c's next packet in direction d: mostly fitting, sometimes anything. */
uint8_t r_tcp_flags_for(const struct mconn *c, unsigned int d);
/* An ICMP type for c's next packet in direction d: mostly echo, sometimes not. */
uint8_t r_icmp_type_for(const struct mconn *c, unsigned int d);
/* ct() arguments for zone: mostly commit, sometimes nat; source NAT in SNAT_ZONE. */
struct ct_args r_args(uint16_t zone);
/* The frame of tuple t, with no flags and no payload. */
struct frame frame_of(const struct mtuple *t);
/* Writes into s a frame ct() must refuse before any lookup; sets p->bad. */
void r_bad_frame(struct sent *s, struct mpkt *p);
/* Writes into s an ICMP error, mostly about one of the model's connections;
 * sets p's tuple, type and quoted tuple. */
void r_error_frame(struct sent *s, struct mpkt *p);
/*
 * A random frame into s, as test_random sends them: mostly a packet of one
 * of the model's connections (its handshake's next flags, an echo's
 * answer) or of a new tuple, sometimes an ICMP error or a frame ct() must
 * refuse; sets p (its length too) and its ct() arguments *a. With bridge
 * >= 0, draws a few tuples for one on that bridge: false when none was (s,
 * p and a are a frame of another bridge then).
 */
bool r_frame(struct sent *s, struct mpkt *p, struct ct_args *a, int bridge);

/* A new tuple that test_burst sends a connection's first frames of, one
 * step at a time, so that they share a burst: the opening packet
 * (committed), the answer, more of both ways, an ICMP error about it. */
struct r_flow {
	struct mtuple t;
	unsigned int step;
};

/* Starts fl on a new tuple of bridge (in any zone). */
void r_flow_start(struct r_flow *fl, uint8_t bridge);
/* fl's next frame into s, p and *a (as r_frame); false once it has none left.
 * Replies go to the model's reply tuple for fl's connection, if it has one. */
bool r_flow_frame(struct r_flow *fl, struct sent *s, struct mpkt *p, struct ct_args *a);
/* Checks what ct() left in s of packet p against the model's result r. */
void r_check_output(struct sent *s, const struct mpkt *p, const struct mres *r);

#endif /* VSWITCH_TESTS_UNIT_CONNTRACK_MODEL_H */
