/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference model of test_conntrack, with the frame builders, checksum
 * checks and walk helpers it shares with the directed tests
 * (conntrack_model.h says what each one does and states the model's rules).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_ip.h>

#include "datapath/conntrack.h"
#include "datapath/flow_key.h"

#include "conntrack_model.h"

const uint32_t nat_ip = A(192, 0, 2, 10);
const uint32_t router = A(10, 9, 9, 9);

/* ---- random numbers (splitmix64) ---- */

uint64_t rng_state;

uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ---- frames ---- */

void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* A 16-bit word as it lies in memory: how checksums are stored and compared. */
uint16_t
mem16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

struct frame
tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags)
{
	return (struct frame){.proto = IPPROTO_TCP, .src = src, .dst = dst, .sport = sport,
			      .dport = dport, .tcp_flags = flags, .payload = 5};
}

struct frame
udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	return (struct frame){.proto = IPPROTO_UDP, .src = src, .dst = dst, .sport = sport,
			      .dport = dport, .payload = 11};
}

struct frame
echo(uint32_t src, uint32_t dst, uint16_t id, uint8_t type)
{
	return (struct frame){.proto = IPPROTO_ICMP, .src = src, .dst = dst, .sport = id,
			      .icmp_type = type, .payload = 16};
}

static bool
icmp_is_error(uint8_t type)
{
	return type == ICMP_UNREACH || type == ICMP_TIME_EXCEEDED || type == 12;
}

/* Every checksum from scratch, as a sender computes it. */
static void
ip_fill_csums(uint8_t *ip, bool no_udp_csum)
{
	size_t hlen = (ip[0] & 0x0fu) * 4u, tot = get16(ip + 2);
	uint8_t *l4 = ip + hlen;
	uint16_t c;

	put16(ip + 10, 0);
	c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &c, 2);
	if (ip[9] == IPPROTO_TCP) {
		put16(l4 + 16, 0);
		c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, l4);
		memcpy(l4 + 16, &c, 2);
	} else if (ip[9] == IPPROTO_UDP) {
		put16(l4 + 6, 0);
		if (!no_udp_csum) {
			c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, l4);
			memcpy(l4 + 6, &c, 2);
		}
	} else if (ip[9] == IPPROTO_ICMP) {
		put16(l4 + 2, 0);
		c = (uint16_t)~rte_raw_cksum(l4, tot - hlen);
		memcpy(l4 + 2, &c, 2);
	}
}

/* Writes the IPv4 packet f at ip; returns its length. */
size_t
ip_write(uint8_t *ip, const struct frame *f)
{
	uint8_t *l4 = ip + IP_HLEN;
	size_t l4len = 0, tot;

	memset(ip, 0, IP_HLEN);
	ip[0] = 0x45;
	put16(ip + 4, (uint16_t)(0x1000 + f->payload));
	put16(ip + 6, f->frag != 0 ? f->frag : IP_DF);
	ip[8] = 64;
	ip[9] = f->proto;
	put32(ip + 12, f->src);
	put32(ip + 16, f->dst);
	if (f->proto == IPPROTO_TCP) {
		l4len = TCP_HLEN;
		memset(l4, 0, l4len);
		put32(l4 + 4, f->src ^ ((uint32_t)f->sport << 16 | f->dport));
		l4[12] = 0x50;
		l4[13] = f->tcp_flags;
		put16(l4 + 14, 29200);
	} else if (f->proto == IPPROTO_UDP) {
		l4len = UDP_HLEN;
		put16(l4 + 4, (uint16_t)(UDP_HLEN + f->payload));
	} else if (f->proto == IPPROTO_ICMP) {
		l4len = ICMP_HLEN;
		memset(l4, 0, l4len);
		l4[0] = f->icmp_type;
		if (!icmp_is_error(f->icmp_type)) {
			put16(l4 + 4, f->sport);
			put16(l4 + 6, 1);
		}
	}
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		put16(l4, f->sport);
		put16(l4 + 2, f->dport);
	}
	for (size_t i = 0; i < f->payload; i++)
		l4[l4len + i] = f->data != NULL ? f->data[i] : (uint8_t)(i * 31 + 7);
	tot = IP_HLEN + l4len + f->payload;
	put16(ip + 2, (uint16_t)tot);
	ip_fill_csums(ip, f->no_csum);
	return tot;
}

size_t
frame_write(uint8_t *b, const struct frame *f)
{
	static const uint8_t eth[ETH_HLEN] = {2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 0x08, 0x00};

	memcpy(b, eth, ETH_HLEN);
	return ETH_HLEN + ip_write(b + ETH_HLEN, f) - f->cut;
}

/* The addresses and ports of the IPv4 packet at ip. */
void
frame_read(const uint8_t *ip, struct frame *f)
{
	const uint8_t *l4 = ip + (ip[0] & 0x0fu) * 4u;

	memset(f, 0, sizeof(*f));
	f->proto = ip[9];
	f->src = get32(ip + 12);
	f->dst = get32(ip + 16);
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		f->sport = get16(l4);
		f->dport = get16(l4 + 2);
	} else if (f->proto == IPPROTO_ICMP) {
		f->icmp_type = l4[0];
		f->sport = get16(l4 + 4);
	}
}

/* ---- checksums, from scratch ---- */

static uint16_t
ip_csum_scratch(uint8_t *ip)
{
	uint16_t saved = mem16(ip + 10), c;

	memset(ip + 10, 0, 2);
	c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &saved, 2);
	return c;
}

static uint16_t
l4_csum_scratch(uint8_t *ip, uint8_t *l4, size_t at)
{
	uint16_t saved = mem16(l4 + at), c;

	memset(l4 + at, 0, 2);
	c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, l4);
	memcpy(l4 + at, &saved, 2);
	return c;
}

static uint16_t
icmp_csum_scratch(uint8_t *l4, size_t len)
{
	uint16_t saved = mem16(l4 + 2), c;

	memset(l4 + 2, 0, 2);
	c = (uint16_t)~rte_raw_cksum(l4, len);
	memcpy(l4 + 2, &saved, 2);
	return c;
}

/*
 * The IPv4 packet at ip, of which avail bytes are here: its header
 * checksum, and its L4 checksum when the whole packet is here (an ICMP
 * error's quote usually is not). A UDP checksum of 0 is "none".
 */
void
check_csums(uint8_t *ip, size_t avail)
{
	size_t hlen = (ip[0] & 0x0fu) * 4u, tot = get16(ip + 2);
	uint8_t *l4 = ip + hlen;

	assert_int_equal(mem16(ip + 10), ip_csum_scratch(ip));
	if (avail < tot || (get16(ip + 6) & 0x3fff) != 0)
		return;
	if (ip[9] == IPPROTO_TCP)
		assert_int_equal(mem16(l4 + 16), l4_csum_scratch(ip, l4, 16));
	else if (ip[9] == IPPROTO_UDP && mem16(l4 + 6) != 0)
		assert_int_equal(mem16(l4 + 6), l4_csum_scratch(ip, l4, 6));
	else if (ip[9] == IPPROTO_ICMP)
		assert_int_equal(mem16(l4 + 2), icmp_csum_scratch(l4, tot - hlen));
}

/* Every +inv packet has exactly one reason. */
uint64_t
invalid_reasons(const struct ct_stats *st)
{
	return st->c[CT_CNT_fragments] + st->c[CT_CNT_bad_tcp] + st->c[CT_CNT_no_conn] +
	       st->c[CT_CNT_bad_icmp] + st->c[CT_CNT_truncated] + st->c[CT_CNT_not_ipv4] +
	       st->c[CT_CNT_refused] + st->c[CT_CNT_nat_failed];
}

/* ---- conntrack_walk ---- */

static int
collect(const struct ct_conn_info *info, void *arg)
{
	struct walk_list *w = arg;

	assert_true(w->n < RTE_DIM(w->e));
	w->e[w->n++] = *info;
	return 0;
}

struct walk_list walked;

unsigned int
walk(struct conntrack *ct, int bridge, int zone, uint32_t now)
{
	walked.n = 0;
	assert_int_equal(conntrack_walk(ct, bridge, zone, now, collect, &walked), 0);
	return walked.n;
}

bool
tuple_is(const struct ct_tuple_info *t, uint32_t src, uint16_t sport, uint32_t dst,
	 uint16_t dport)
{
	return t->src == rte_cpu_to_be_32(src) && t->dst == rte_cpu_to_be_32(dst) &&
	       t->sport == rte_cpu_to_be_16(sport) && t->dport == rte_cpu_to_be_16(dport);
}

/* The walked connection whose original tuple is the one given, or NULL. */
const struct ct_conn_info *
walked_orig(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	const struct ct_conn_info *found = NULL;

	for (unsigned int i = 0; i < walked.n; i++) {
		if (!tuple_is(&walked.e[i].orig, src, sport, dst, dport))
			continue;
		assert_null(found);
		found = &walked.e[i];
	}
	return found;
}

/* Two walked connections, the same in every field but the state's pointer. */
static bool
info_eq(const struct ct_conn_info *x, const struct ct_conn_info *y)
{
	return x->bridge == y->bridge && x->zone == y->zone && x->proto == y->proto &&
	       x->nat == y->nat && x->replied == y->replied && strcmp(x->state, y->state) == 0 &&
	       x->expires_in == y->expires_in && memcmp(&x->orig, &y->orig, sizeof(x->orig)) == 0 &&
	       memcmp(&x->reply, &y->reply, sizeof(x->reply)) == 0 &&
	       memcmp(x->packets, y->packets, sizeof(x->packets)) == 0 &&
	       memcmp(x->bytes, y->bytes, sizeof(x->bytes)) == 0;
}

/* The walk of x against that of y, connection by connection. */
static void
compare_walks(struct conntrack *x, struct conntrack *y, int bridge, int zone, uint32_t now)
{
	static struct walk_list first;

	walk(x, bridge, zone, now);
	first.n = walked.n;
	memcpy(first.e, walked.e, walked.n * sizeof(walked.e[0]));
	walk(y, bridge, zone, now);
	assert_int_equal(walked.n, first.n);
	for (unsigned int i = 0; i < walked.n; i++) {
		const struct ct_conn_info *e = &first.e[i], *f = &walked.e[i];

		if (!info_eq(e, f))
			fail_msg("walk of bridge %d zone %d, connection %u: proto %u %08x:%u -> "
				 "%08x:%u %s pkts %llu/%llu expires %u, against proto %u %08x:%u -> "
				 "%08x:%u %s pkts %llu/%llu expires %u",
				 bridge, zone, i, e->proto, rte_be_to_cpu_32(e->orig.src),
				 rte_be_to_cpu_16(e->orig.sport), rte_be_to_cpu_32(e->orig.dst),
				 rte_be_to_cpu_16(e->orig.dport), e->state,
				 (unsigned long long)e->packets[0], (unsigned long long)e->packets[1],
				 e->expires_in, f->proto, rte_be_to_cpu_32(f->orig.src),
				 rte_be_to_cpu_16(f->orig.sport), rte_be_to_cpu_32(f->orig.dst),
				 rte_be_to_cpu_16(f->orig.dport), f->state,
				 (unsigned long long)f->packets[0], (unsigned long long)f->packets[1],
				 f->expires_in);
	}
}

void
compare_tables(struct conntrack *x, struct conntrack *y, uint32_t now)
{
	struct ct_stats sx, sy;

	compare_walks(x, y, -1, -1, now);
	for (int b = 0; b < N_BRIDGES; b++)
		for (int z = 0; z < N_ZONES; z++)
			compare_walks(x, y, b, z, now);
	assert_int_equal(conntrack_count(x), conntrack_count(y));
	for (uint16_t b = 0; b < N_BRIDGES; b++) {
		for (uint16_t z = 0; z < N_ZONES; z++) {
			assert_int_equal(conntrack_zone_count(x, b, z), conntrack_zone_count(y, b, z));
			assert_int_equal(conntrack_zone_refused(x, b, z),
					 conntrack_zone_refused(y, b, z));
		}
	}
	conntrack_stats(x, &sx);
	conntrack_stats(y, &sy);
	for (int i = 0; i < CT_CNT_MAX; i++)
		if (sx.c[i] != sy.c[i])
			fail_msg("counter %s: %llu against %llu", ct_counter_name(i),
				 (unsigned long long)sx.c[i], (unsigned long long)sy.c[i]);
}

/* ---- the reference model ---- */

const char *const mtcp_names[] = {
	[MT_NONE] = "",
	[MT_SYN_SENT] = "SYN_SENT",
	[MT_SYN_RECV] = "SYN_RECV",
	[MT_ESTABLISHED] = "ESTABLISHED",
	[MT_FIN_WAIT] = "FIN_WAIT",
	[MT_TIME_WAIT] = "TIME_WAIT",
	[MT_CLOSED] = "CLOSED",
};

struct model md;

static bool
mt_eq(const struct mtuple *a, const struct mtuple *b)
{
	return a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
	       a->dport == b->dport && a->proto == b->proto && a->bridge == b->bridge &&
	       a->zone == b->zone;
}

static struct mtuple
mt_rev(const struct mtuple *t)
{
	struct mtuple r = *t;

	r.src = t->dst;
	r.dst = t->src;
	r.sport = t->dport;
	r.dport = t->sport;
	return r;
}

bool
mt_is_self(const struct mtuple *t)
{
	struct mtuple r = mt_rev(t);

	return mt_eq(t, &r);
}

/* A walked tuple against a model one; the walk shows an ICMP tuple's
 * identifier once, as its source port. */
static bool
mt_is(const struct ct_tuple_info *ti, const struct mtuple *t)
{
	return tuple_is(ti, t->src, t->sport, t->dst, t->proto == IPPROTO_ICMP ? 0 : t->dport);
}

static bool
m_expired(const struct mconn *c, uint32_t now)
{
	return (int32_t)(c->expires - now) <= 0;
}

static struct mconn *
m_find(const struct mtuple *t, unsigned int *dir)
{
	for (unsigned int i = 0; i < md.n; i++) {
		struct mconn *c = &md.c[i];

		if (!c->present)
			continue;
		for (unsigned int d = 0; d < 2; d++) {
			if (mt_eq(&c->t[d], t)) {
				*dir = d;
				return c;
			}
		}
	}
	return NULL;
}

unsigned int
m_count(int bridge, int zone)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < md.n; i++)
		n += md.c[i].present && (bridge < 0 || md.c[i].t[0].bridge == bridge) &&
		     (zone < 0 || md.c[i].t[0].zone == zone);
	return n;
}

/* The flag combinations OVS's userspace conntrack calls invalid whatever the
 * state (tcp_invalid_flags()). */
static bool
m_tcp_flags_bad(uint8_t f)
{
	bool syn = f & TCP_SYN, ack = f & TCP_ACK, rst = f & TCP_RST;

	if (syn && (f & (TCP_FIN | TCP_RST)))
		return true;
	if (!syn && !ack && !rst)
		return true;
	return !ack && (f & (TCP_FIN | TCP_PSH | TCP_URG));
}

/* What may start a connection: a TCP SYN without ACK, an echo request,
 * anything of another protocol. */
static bool
m_opens(const struct mpkt *p)
{
	if (p->t.proto == IPPROTO_TCP)
		return !m_tcp_flags_bad(p->tcp_flags) &&
		       (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	if (p->t.proto == IPPROTO_ICMP)
		return p->icmp_type == ICMP_ECHO;
	return true;
}

/*
 * TCP: the state after a packet of direction d (0 from the opener) with
 * flags f; false when the packet does not fit. An RST closes whatever the
 * state. The opener's SYN waits for a SYN back (anything else from the
 * other side is refused); the opener's ACK of that establishes; a SYN
 * without ACK is refused once established; FINs from both sides make
 * TIME_WAIT, one makes FIN_WAIT; once TIME_WAIT or CLOSED nothing moves.
 */
static bool
m_tcp(struct mconn *c, unsigned int d, uint8_t f)
{
	if (m_tcp_flags_bad(f))
		return false;
	if (f & TCP_RST) {
		c->tcp = MT_CLOSED;
		return true;
	}
	switch (c->tcp) {
	case MT_SYN_SENT:
		if (d == 1 && !(f & TCP_SYN))
			return false;
		if (d == 1)
			c->tcp = MT_SYN_RECV;
		return true;
	case MT_TIME_WAIT:
	case MT_CLOSED:
		return true;
	case MT_ESTABLISHED:
	case MT_FIN_WAIT:
		if ((f & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			return false;
		break;
	case MT_SYN_RECV:
		if (d == 0 && (f & (TCP_SYN | TCP_ACK)) == TCP_ACK)
			c->tcp = MT_ESTABLISHED;
		break;
	default:
		fail_msg("TCP connection with no TCP state");
	}
	if (f & TCP_FIN) {
		c->fins |= (uint8_t)(1u << d);
		c->tcp = c->fins == 3 ? MT_TIME_WAIT : MT_FIN_WAIT;
	}
	return true;
}

static enum ct_timeout_id
m_timeout_id(const struct mconn *c)
{
	static const enum ct_timeout_id tcp_ids[] = {
		[MT_SYN_SENT] = CT_TMO_tcp_syn_sent,   [MT_SYN_RECV] = CT_TMO_tcp_syn_recv,
		[MT_ESTABLISHED] = CT_TMO_tcp_established, [MT_FIN_WAIT] = CT_TMO_tcp_fin_wait,
		[MT_TIME_WAIT] = CT_TMO_tcp_time_wait, [MT_CLOSED] = CT_TMO_tcp_close,
	};

	switch (c->t[0].proto) {
	case IPPROTO_TCP:
		return tcp_ids[c->tcp];
	case IPPROTO_UDP:
		return c->replied ? CT_TMO_udp_stream : CT_TMO_udp_first;
	case IPPROTO_ICMP:
		return CT_TMO_icmp;
	default:
		return c->replied ? CT_TMO_other_stream : CT_TMO_other_first;
	}
}

static void
m_restart(struct mconn *c)
{
	c->tcp = c->t[0].proto == IPPROTO_TCP ? MT_SYN_SENT : MT_NONE;
	c->fins = 0;
	c->replied = false;
	memset(c->packets, 0, sizeof(c->packets));
	memset(c->bytes, 0, sizeof(c->bytes));
}

/* +inv, counted under why. */
static uint8_t
m_inv(enum ct_counter why)
{
	md.cnt[why]++;
	return TRK | INV;
}

static uint8_t
m_known(struct conntrack *ct, struct mconn *c, unsigned int d, const struct mpkt *p,
	const struct ct_args *a, uint32_t now, struct mres *r)
{
	bool is_tcp = p->t.proto == IPPROTO_TCP, opens = m_opens(p);

	/* Timed out (but not yet swept), or closed and opened again: the old
	 * connection is as good as gone and only an opening packet gets
	 * through, starting it over if committed. */
	if (m_expired(c, now) ||
	    (is_tcp && d == 0 && opens && (c->tcp == MT_TIME_WAIT || c->tcp == MT_CLOSED))) {
		if (d != 0 || !opens)
			return m_inv(CT_CNT_no_conn);
		if (!(a->flags & CT_F_COMMIT))
			return TRK | NEW;
		md.restarted++;
		md.restarted_closed += !m_expired(c, now);
		m_restart(c);
	}
	if (is_tcp && !m_tcp(c, d, p->tcp_flags))
		return m_inv(CT_CNT_bad_tcp);
	if (d == 1)
		c->replied = true;
	c->packets[d]++;
	c->bytes[d] += p->len;
	c->expires = now + conntrack_timeout(ct, m_timeout_id(c));
	r->c = c;
	r->dir = d;
	r->translate = (a->flags & CT_F_NAT) && c->nat;
	md.tcp_seen[c->tcp]++;
	md.translated += r->translate;
	md.established += c->replied;
	return TRK | (c->replied ? EST : NEW) | (d ? RPL : 0) | (r->translate ? c->nat : 0);
}

/* The reply tuple source NAT to address ip and port q gives orig. */
static struct mtuple
m_snat_reply(const struct mtuple *orig, uint32_t ip, uint16_t q)
{
	struct mtuple r = mt_rev(orig);

	r.dst = ip;
	if (orig->proto == IPPROTO_TCP || orig->proto == IPPROTO_UDP) {
		r.dport = q;
	} else if (orig->proto == IPPROTO_ICMP) {
		r.sport = q;
		r.dport = q;
	}
	return r;
}

static bool
m_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_ICMP;
}

/* Whether source NAT has an address and port left for orig. */
static bool
m_snat_room(const struct mtuple *orig, const struct ct_args *a)
{
	uint32_t ip = rte_be_to_cpu_32(a->ip_min);
	unsigned int d;

	if (!m_has_ports(orig->proto)) {
		struct mtuple r = m_snat_reply(orig, ip, 0);

		return m_find(&r, &d) == NULL;
	}
	for (uint32_t q = a->port_min; q <= a->port_max; q++) {
		struct mtuple r = m_snat_reply(orig, ip, (uint16_t)q);

		if (m_find(&r, &d) == NULL)
			return true;
	}
	return false;
}

/* The reply tuple the table picked for a new source-NAT connection (the
 * model cannot know which free port the hash starts at): read back with
 * conntrack_walk, then checked to be one the model allows. */
static struct mtuple
m_snat_learn(struct conntrack *ct, const struct mtuple *orig, const struct ct_args *a,
	     uint32_t now)
{
	uint32_t ip = rte_be_to_cpu_32(a->ip_min);
	const struct ct_conn_info *info = NULL;
	struct mtuple r;
	unsigned int d;
	uint16_t q;

	walk(ct, orig->bridge, orig->zone, now);
	for (unsigned int i = 0; i < walked.n; i++)
		if (walked.e[i].proto == orig->proto && mt_is(&walked.e[i].orig, orig))
			info = &walked.e[i];
	assert_non_null(info);
	q = rte_be_to_cpu_16(info->reply.dport);
	if (orig->proto == IPPROTO_ICMP)
		q = rte_be_to_cpu_16(info->reply.sport);
	if (m_has_ports(orig->proto)) {
		assert_in_range(q, a->port_min, a->port_max);
	} else {
		q = 0;
	}
	r = m_snat_reply(orig, ip, q);
	assert_true(mt_is(&info->reply, &r));
	assert_null(m_find(&r, &d));
	return r;
}

static struct mconn *
m_alloc(void)
{
	for (unsigned int i = 0; i < md.n; i++)
		if (!md.c[i].present)
			return &md.c[i];
	assert_true(md.n < M_MAX);
	return &md.c[md.n++];
}

static uint8_t
m_create(struct conntrack *ct, const struct mpkt *p, const struct ct_args *a, uint32_t now,
	 uint8_t got, struct mres *r)
{
	const struct mtuple *t = &p->t;
	uint32_t limit = md.limit[t->zone] ? md.limit[t->zone] : md.default_limit;
	struct mtuple rt = mt_rev(t), plain = rt;
	struct mconn *c;
	unsigned int d;

	if (m_count(t->bridge, t->zone) >= limit || m_count(-1, -1) >= CAPACITY) {
		md.refused[t->bridge][t->zone]++;
		return m_inv(CT_CNT_refused);
	}
	if (a->flags & CT_F_NAT_SRC) {
		if (!m_snat_room(t, a))
			return m_inv(CT_CNT_nat_failed);
		assert_false(got & INV);
		rt = m_snat_learn(ct, t, a, now);
	} else if (m_find(&rt, &d) != NULL) {
		return m_inv(CT_CNT_nat_failed);
	}
	c = m_alloc();
	memset(c, 0, sizeof(*c));
	c->present = true;
	c->t[0] = *t;
	c->t[1] = rt;
	c->nat = (a->flags & CT_F_NAT_SRC) && !mt_eq(&rt, &plain) ? SNAT : 0;
	m_restart(c);
	md.cnt[CT_CNT_created]++;
	md.hot[md.hot_next++ % RTE_DIM(md.hot)] = (unsigned int)(c - md.c);
	return m_known(ct, c, 0, p, a, now, r);
}

static uint8_t
m_related(const struct mpkt *p, const struct ct_args *a, uint32_t now, struct mres *r)
{
	struct mtuple rev = mt_rev(&p->inner);
	struct mconn *c;
	unsigned int d;

	/* The quoted packet went the other way: reversed, it is a tuple of
	 * the error's own direction. A connection that timed out is gone. */
	c = m_find(&rev, &d);
	if (c == NULL || m_expired(c, now))
		return m_inv(CT_CNT_bad_icmp);
	md.cnt[CT_CNT_related]++;
	r->c = c;
	r->dir = d;
	r->translate = (a->flags & CT_F_NAT) && c->nat;
	return TRK | REL | (d ? RPL : 0) | (r->translate ? c->nat : 0);
}

static uint8_t
m_classify(struct conntrack *ct, const struct mpkt *p, const struct ct_args *a, uint32_t now,
	   uint8_t got, struct mres *r)
{
	struct mconn *c;
	unsigned int d;

	switch (p->bad) {
	case MP_FRAGMENT:
		return m_inv(CT_CNT_fragments);
	case MP_TRUNCATED:
		return m_inv(CT_CNT_truncated);
	case MP_NOT_IP:
		return m_inv(CT_CNT_not_ipv4);
	case MP_OK:
		break;
	}
	if (p->t.proto == IPPROTO_ICMP && icmp_is_error(p->icmp_type))
		return m_related(p, a, now, r);
	if (p->t.proto == IPPROTO_ICMP && p->icmp_type != ICMP_ECHO &&
	    p->icmp_type != ICMP_ECHO_REPLY)
		return m_inv(CT_CNT_bad_icmp);
	c = m_find(&p->t, &d);
	if (c != NULL)
		return m_known(ct, c, d, p, a, now, r);
	if (!m_opens(p))
		return m_inv(p->t.proto == IPPROTO_TCP && m_tcp_flags_bad(p->tcp_flags)
				     ? CT_CNT_bad_tcp
				     : CT_CNT_no_conn);
	if (!(a->flags & CT_F_COMMIT))
		return TRK | NEW;
	return m_create(ct, p, a, now, got, r);
}

/* The model's ct_state for packet p, which the table answered with got. */
uint8_t
m_packet(struct conntrack *ct, const struct mpkt *p, const struct ct_args *a, uint32_t now,
	 uint8_t got, struct mres *r)
{
	uint8_t state;

	memset(r, 0, sizeof(*r));
	md.cnt[CT_CNT_packets]++;
	state = m_classify(ct, p, a, now, got, r);
	if (state & INV)
		md.cnt[CT_CNT_invalid]++;
	return state;
}

unsigned int
m_remove_expired(uint32_t now)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < md.n; i++) {
		if (md.c[i].present && m_expired(&md.c[i], now)) {
			md.c[i].present = false;
			n++;
		}
	}
	return n;
}

unsigned int
m_flush(int bridge, int zone)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < md.n; i++) {
		struct mconn *c = &md.c[i];

		if (c->present && (bridge < 0 || c->t[0].bridge == bridge) &&
		    (zone < 0 || c->t[0].zone == zone)) {
			c->present = false;
			n++;
		}
	}
	return n;
}

/* conntrack_walk (of bridge and zone, -1 for all) against the model. */
static void
m_compare_walk(struct conntrack *ct, int bridge, int zone, uint32_t now)
{
	unsigned int expect = 0;

	walk(ct, bridge, zone, now);
	for (unsigned int i = 0; i < md.n; i++) {
		const struct mconn *c = &md.c[i];
		const struct ct_conn_info *info = NULL;

		if (!c->present || m_expired(c, now) || (bridge >= 0 && c->t[0].bridge != bridge) ||
		    (zone >= 0 && c->t[0].zone != zone))
			continue;
		expect++;
		for (unsigned int j = 0; j < walked.n; j++) {
			const struct ct_conn_info *e = &walked.e[j];

			if (e->bridge == c->t[0].bridge && e->zone == c->t[0].zone &&
			    e->proto == c->t[0].proto && mt_is(&e->orig, &c->t[0])) {
				assert_null(info);
				info = e;
			}
		}
		if (info == NULL)
			fail_msg("connection %u (proto %u %08x:%u -> %08x:%u, bridge %u zone %u) "
				 "missing from the walk",
				 i, c->t[0].proto, c->t[0].src, c->t[0].sport, c->t[0].dst,
				 c->t[0].dport, c->t[0].bridge, c->t[0].zone);
		assert_true(mt_is(&info->reply, &c->t[1]));
		assert_string_equal(info->state, mtcp_names[c->tcp]);
		assert_int_equal(info->replied, c->replied);
		assert_int_equal(info->nat, c->nat);
		assert_int_equal(info->expires_in, c->expires - now);
		assert_int_equal(info->packets[0], c->packets[0]);
		assert_int_equal(info->packets[1], c->packets[1]);
		assert_int_equal(info->bytes[0], c->bytes[0]);
		assert_int_equal(info->bytes[1], c->bytes[1]);
	}
	assert_int_equal(walked.n, expect);
}

void
m_compare(struct conntrack *ct, uint32_t now)
{
	struct ct_stats st;

	m_compare_walk(ct, -1, -1, now);
	m_compare_walk(ct, (int)rnd_below(N_BRIDGES), (int)rnd_below(N_ZONES), now);
	assert_int_equal(conntrack_count(ct), m_count(-1, -1));
	for (uint16_t b = 0; b < N_BRIDGES; b++) {
		for (uint16_t z = 0; z < N_ZONES; z++) {
			assert_int_equal(conntrack_zone_count(ct, b, z), m_count(b, z));
			assert_int_equal(conntrack_zone_refused(ct, b, z), md.refused[b][z]);
		}
	}
	conntrack_stats(ct, &st);
	for (int i = 0; i < CT_CNT_MAX; i++) {
		if (st.c[i] != md.cnt[i])
			fail_msg("counter %s: table %llu, model %llu", ct_counter_name(i),
				 (unsigned long long)st.c[i], (unsigned long long)md.cnt[i]);
	}
	assert_int_equal(st.c[CT_CNT_invalid], invalid_reasons(&st));
}

/* ---- the table's settings and control-side work during a run ---- */

void
r_timeouts(struct conntrack *ct)
{
	static const uint32_t secs[CT_TMO_MAX] = {
		[CT_TMO_tcp_syn_sent] = 20, [CT_TMO_tcp_syn_recv] = 20,
		[CT_TMO_tcp_established] = 300, [CT_TMO_tcp_fin_wait] = 40,
		[CT_TMO_tcp_time_wait] = 15, [CT_TMO_tcp_close] = 8,
		[CT_TMO_udp_first] = 10, [CT_TMO_udp_stream] = 30,
		[CT_TMO_icmp] = 12, [CT_TMO_other_first] = 10,
		[CT_TMO_other_stream] = 25,
	};

	for (int i = 0; i < CT_TMO_MAX; i++)
		assert_int_equal(conntrack_set_timeout(ct, i, secs[i]), 0);
}

void
r_control(struct conntrack *x, struct conntrack *y, uint32_t now, uint32_t w)
{
	struct conntrack *cts[] = {x, y};
	uint32_t r = rnd_below(1000);

	if (r < 20 * w) {
		unsigned int n = m_remove_expired(now);

		for (unsigned int i = 0; i < RTE_DIM(cts); i++)
			if (cts[i] != NULL)
				assert_int_equal(conntrack_sweep(cts[i], now), n);
	} else if (r < 22 * w) {
		int b = (int)rnd_below(N_BRIDGES + 1) - 1, z = (int)rnd_below(N_ZONES + 1) - 1;
		unsigned int n = m_flush(b, z);

		for (unsigned int i = 0; i < RTE_DIM(cts); i++)
			if (cts[i] != NULL)
				assert_int_equal(conntrack_flush(cts[i], b, z), n);
	} else if (r < 25 * w) {
		uint32_t secs = 1 + rnd_below(60);
		enum ct_timeout_id id = rnd_below(CT_TMO_MAX);

		for (unsigned int i = 0; i < RTE_DIM(cts); i++)
			if (cts[i] != NULL)
				assert_int_equal(conntrack_set_timeout(cts[i], id, secs), 0);
	} else if (r < 27 * w) {
		md.limit[LIMITED_ZONE] = 2 + rnd_below(6);
		for (unsigned int i = 0; i < RTE_DIM(cts); i++)
			if (cts[i] != NULL)
				assert_int_equal(conntrack_set_limit(cts[i], LIMITED_ZONE,
								     md.limit[LIMITED_ZONE]),
						 0);
	}
}

/* ---- random packets for test_random ---- */

static const uint32_t r_clients[] = {A(10, 0, 0, 1), A(10, 0, 0, 2), A(10, 0, 0, 3)};
static const uint32_t r_servers[] = {A(10, 0, 1, 1), A(10, 0, 1, 2)};
static const uint16_t r_cports[] = {1000, 1001, 40000};
static const uint16_t r_sports[] = {22, 80};
static const uint16_t r_ids[] = {0, 7, 1003}; /* echo identifiers; 0 looks like an error's */

static uint32_t
r_host(void)
{
	uint32_t i = rnd_below(RTE_DIM(r_clients) + RTE_DIM(r_servers));

	return i < RTE_DIM(r_clients) ? r_clients[i] : r_servers[i - RTE_DIM(r_clients)];
}

static uint16_t
r_port(void)
{
	uint32_t i = rnd_below(RTE_DIM(r_cports) + RTE_DIM(r_sports));

	return i < RTE_DIM(r_cports) ? r_cports[i] : r_sports[i - RTE_DIM(r_cports)];
}

static uint8_t
r_tcp_flags(void)
{
	static const uint8_t common[] = {
		TCP_SYN,           TCP_SYN,           TCP_SYN | TCP_ACK, TCP_SYN | TCP_ACK,
		TCP_ACK,           TCP_ACK,           TCP_ACK,           TCP_PSH | TCP_ACK,
		TCP_FIN | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST,           TCP_RST | TCP_ACK,
		TCP_SYN | TCP_ECE | TCP_CWR,          TCP_SYN | TCP_PSH, TCP_FIN,
	};

	if (rnd_below(8) == 0)
		return (uint8_t)rnd();
	return common[rnd_below(RTE_DIM(common))];
}

static uint8_t
r_proto(void)
{
	uint32_t x = rnd_below(100);

	return x < 45 ? IPPROTO_TCP : x < 70 ? IPPROTO_UDP : x < 90 ? IPPROTO_ICMP : IPPROTO_GRE;
}

/* A tuple no connection needs to have: client to server in the source NAT
 * zone (whose replies go to the NAT address), any two hosts elsewhere. */
static struct mtuple
r_new_tuple(uint8_t bridge, uint16_t zone)
{
	struct mtuple t = {.proto = r_proto(), .bridge = bridge, .zone = zone};

	if (zone == SNAT_ZONE) {
		t.src = r_clients[rnd_below(RTE_DIM(r_clients))];
		t.dst = r_servers[rnd_below(RTE_DIM(r_servers))];
		t.sport = r_cports[rnd_below(RTE_DIM(r_cports))];
		t.dport = r_sports[rnd_below(RTE_DIM(r_sports))];
	} else {
		t.src = r_host();
		do
			t.dst = r_host();
		while (t.dst == t.src);
		t.sport = r_port();
		t.dport = r_port();
	}
	if (t.proto == IPPROTO_ICMP)
		t.sport = t.dport = r_ids[rnd_below(RTE_DIM(r_ids))];
	else if (t.proto == IPPROTO_GRE)
		t.sport = t.dport = 0;
	return t;
}

/* A tuple of a connection the model had (maybe gone by now), either way,
 * or a new one. */
struct mtuple
r_tuple(const struct mconn **cp, unsigned int *dp)
{
	uint32_t x = rnd_below(100);

	*cp = NULL;
	*dp = rnd_below(2);
	if (md.n > 0 && x < 55)
		*cp = &md.c[md.hot[rnd_below(RTE_DIM(md.hot))] % md.n];
	else if (md.n > 0 && x < 85)
		*cp = &md.c[rnd_below(md.n)];
	if (*cp != NULL)
		return (*cp)->t[*dp];
	return r_new_tuple((uint8_t)rnd_below(N_BRIDGES), (uint16_t)rnd_below(N_ZONES));
}

/* Mostly what the connection's next packet that way would carry, so that
 * handshakes and closes happen; sometimes anything at all. */
uint8_t
r_tcp_flags_for(const struct mconn *c, unsigned int d)
{
	if (c == NULL || rnd_below(10) < 3)
		return r_tcp_flags();
	if (rnd_below(30) == 0)
		return TCP_RST | TCP_ACK;
	switch (c->tcp) {
	case MT_SYN_SENT:
		return d ? TCP_SYN | TCP_ACK : TCP_SYN;
	case MT_SYN_RECV:
		return d ? TCP_SYN | TCP_ACK : TCP_ACK;
	case MT_ESTABLISHED:
		return rnd_below(4) == 0 ? TCP_FIN | TCP_ACK : TCP_PSH | TCP_ACK;
	case MT_FIN_WAIT:
		return rnd_below(2) ? TCP_FIN | TCP_ACK : TCP_ACK;
	default:
		return d ? TCP_ACK : TCP_SYN;
	}
}

uint8_t
r_icmp_type_for(const struct mconn *c, unsigned int d)
{
	uint32_t y = rnd_below(20);

	if (c != NULL && y < 14)
		return d ? ICMP_ECHO_REPLY : ICMP_ECHO;
	return y < 9 ? ICMP_ECHO : y < 18 ? ICMP_ECHO_REPLY : ICMP_TIMESTAMP;
}

struct ct_args
r_args(uint16_t zone)
{
	struct ct_args a = {.zone = zone};

	if (rnd_below(100) < 85)
		a.flags |= CT_F_COMMIT;
	if (rnd_below(100) < (zone == SNAT_ZONE ? 90u : 30u))
		a.flags |= CT_F_NAT;
	if (zone == SNAT_ZONE) {
		a.flags |= CT_F_NAT_SRC | CT_F_NAT_PORTS;
		a.ip_min = a.ip_max = rte_cpu_to_be_32(nat_ip);
		a.port_min = SNAT_LO;
		a.port_max = SNAT_HI;
	}
	return a;
}

struct frame
frame_of(const struct mtuple *t)
{
	return (struct frame){.proto = t->proto, .src = t->src, .dst = t->dst, .sport = t->sport,
			      .dport = t->proto == IPPROTO_ICMP ? 0 : t->dport};
}

/* A frame ct() must refuse before looking anything up, and why. */
void
r_bad_frame(struct sent *s, struct mpkt *p)
{
	struct frame f = frame_of(&p->t);

	switch (rnd_below(7)) {
	case 0: /* the first fragment, more to come */
		f.proto = IPPROTO_UDP;
		f.frag = IP_MF;
		p->bad = MP_FRAGMENT;
		break;
	case 1: /* a later one */
		f.proto = IPPROTO_TCP;
		f.frag = (uint16_t)(1 + rnd_below(0x1fff));
		p->bad = MP_FRAGMENT;
		break;
	case 2: /* ten bytes of TCP header */
		f.proto = IPPROTO_TCP;
		f.payload = 0;
		f.cut = 10;
		p->bad = MP_TRUNCATED;
		break;
	case 3: /* four bytes of UDP header */
		f.proto = IPPROTO_UDP;
		f.payload = 0;
		f.cut = 4;
		p->bad = MP_TRUNCATED;
		break;
	case 4: /* four bytes of ICMP */
		f.proto = IPPROTO_ICMP;
		f.icmp_type = ICMP_ECHO;
		f.payload = 0;
		f.cut = 4;
		p->bad = MP_TRUNCATED;
		break;
	case 5: /* twelve bytes of IPv4 header */
		f.proto = IPPROTO_UDP;
		f.payload = 0;
		f.cut = UDP_HLEN + 8;
		p->bad = MP_TRUNCATED;
		break;
	default: /* IPv6: the same bytes with another EtherType */
		f.proto = IPPROTO_UDP;
		p->bad = MP_NOT_IP;
		break;
	}
	s->len = frame_write(s->b, &f);
	if (p->bad == MP_NOT_IP)
		put16(s->b + 12, rnd_below(2) ? FLOW_ETH_IPV6 : FLOW_ETH_ARP);
}

/* The tuple the frame at ip (an IPv4 header) carries, as the model writes it. */
static void
r_tuple_of_ip(const uint8_t *ip, struct mtuple *t)
{
	struct frame f;

	frame_read(ip, &f);
	t->src = f.src;
	t->dst = f.dst;
	t->proto = f.proto;
	t->sport = t->dport = 0;
	if (f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP) {
		t->sport = f.sport;
		t->dport = f.dport;
	} else if (f.proto == IPPROTO_ICMP) {
		t->sport = t->dport = f.sport;
	}
}

/* An ICMP error in direction d of a connection whose tuple that way is td:
 * about the packet that went out the other way, sent back by the host it
 * went to or by a router. Sets p's addresses and quoted tuple. */
static void
r_error_in(struct mpkt *p, const struct mtuple *td)
{
	struct mtuple q = mt_rev(td);

	q.bridge = p->t.bridge;
	q.zone = p->t.zone;
	p->t.src = rnd_below(4) == 0 ? router : td->src;
	p->t.dst = td->dst;
	p->inner = q;
}

/* Writes into s the ICMP error p says: from p's addresses, quoting p->inner. */
static void
r_error_write(struct sent *s, struct mpkt *p)
{
	uint8_t inner[IP_HLEN + 8 + 8];
	struct frame f = frame_of(&p->inner);

	f.icmp_type = ICMP_ECHO;
	f.payload = 8; /* so that a quote of other protocols has its 8 bytes too */
	ip_write(inner, &f);
	f = (struct frame){.proto = IPPROTO_ICMP, .src = p->t.src, .dst = p->t.dst,
			   .icmp_type = rnd_below(2) ? ICMP_UNREACH : ICMP_TIME_EXCEEDED,
			   .payload = IP_HLEN + 8, .data = inner};
	p->icmp_type = f.icmp_type;
	p->t.proto = IPPROTO_ICMP;
	p->t.sport = p->t.dport = 0;
	s->len = frame_write(s->b, &f);
}

/*
 * An ICMP error about a packet of some connection (one of the model's, gone
 * or not), sent back by the host it went to or by a router; sometimes about
 * a packet of no connection at all.
 */
void
r_error_frame(struct sent *s, struct mpkt *p)
{
	if (md.n > 0 && rnd_below(100) < 80) {
		const struct mconn *c = &md.c[rnd_below(md.n)];

		r_error_in(p, &c->t[rnd_below(2)]);
	} else {
		p->inner = r_new_tuple(p->t.bridge, p->t.zone);
	}
	r_error_write(s, p);
}

/* Writes into s a frame of tuple p->t: TCP flags and ICMP type as given,
 * a UDP checksum or not, some payload. */
static void
r_plain_frame(struct sent *s, struct mpkt *p)
{
	struct frame f = frame_of(&p->t);

	f.tcp_flags = p->tcp_flags;
	f.icmp_type = p->icmp_type;
	f.no_csum = f.proto == IPPROTO_UDP && rnd_below(4) == 0;
	f.payload = (uint16_t)rnd_below(40);
	s->len = frame_write(s->b, &f);
}

bool
r_frame(struct sent *s, struct mpkt *p, struct ct_args *a, int bridge)
{
	uint32_t x = rnd_below(100);
	const struct mconn *c;
	unsigned int d, tries = 0;

	*p = (struct mpkt){.bad = MP_OK};
	/* Not from a host to itself with the same ports: such a tuple is its
	 * own reverse, and which way its packets go is anyone's guess. */
	for (;;) {
		p->t = r_tuple(&c, &d);
		if (mt_is_self(&p->t))
			continue;
		if (bridge < 0 || p->t.bridge == bridge || ++tries == 8)
			break;
	}
	*a = r_args(p->t.zone);
	if (x < 2) {
		r_bad_frame(s, p);
	} else if (x < 6) {
		r_error_frame(s, p);
	} else {
		if (p->t.proto == IPPROTO_TCP)
			p->tcp_flags = r_tcp_flags_for(c, d);
		if (p->t.proto == IPPROTO_ICMP)
			p->icmp_type = r_icmp_type_for(c, d);
		r_plain_frame(s, p);
	}
	p->len = (uint32_t)s->len;
	return bridge < 0 || p->t.bridge == bridge;
}

void
r_flow_start(struct r_flow *fl, uint8_t bridge)
{
	fl->t = r_new_tuple(bridge, (uint16_t)rnd_below(N_ZONES));
	fl->step = 0;
}

bool
r_flow_frame(struct r_flow *fl, struct sent *s, struct mpkt *p, struct ct_args *a)
{
	/* Each step: the direction (2: an ICMP error about either way), and
	 * the TCP flags or the ICMP type. */
	static const struct r_step {
		uint8_t dir, tcp, icmp;
	} tcp_script[] = {
		{0, TCP_SYN, 0}, {1, TCP_SYN | TCP_ACK, 0}, {0, TCP_ACK, 0},
		{2, 0, 0},       {1, TCP_PSH | TCP_ACK, 0}, {0, TCP_FIN | TCP_ACK, 0},
	}, other_script[] = {
		{0, 0, ICMP_ECHO}, {0, 0, ICMP_ECHO},       {1, 0, ICMP_ECHO_REPLY},
		{2, 0, 0},         {1, 0, ICMP_ECHO_REPLY}, {0, 0, ICMP_ECHO},
	};
	const struct r_step *x;
	const struct mconn *c;
	struct mtuple td[2];
	unsigned int d = 0;

	if (fl->step >= RTE_DIM(tcp_script))
		return false;
	x = (fl->t.proto == IPPROTO_TCP ? tcp_script : other_script) + fl->step;
	/* The way back is the connection's reply tuple once there is one
	 * (source NAT's address and port), the plain reverse before. */
	c = m_find(&fl->t, &d);
	td[0] = fl->t;
	td[1] = c != NULL ? c->t[!d] : mt_rev(&fl->t);
	*p = (struct mpkt){.bad = MP_OK, .t = fl->t};
	*a = r_args(fl->t.zone);
	if (fl->step++ == 0)
		a->flags |= CT_F_COMMIT;
	if (x->dir == 2) {
		r_error_in(p, &td[rnd_below(2)]);
		r_error_write(s, p);
	} else {
		p->t = td[x->dir];
		p->tcp_flags = p->t.proto == IPPROTO_TCP ? x->tcp : 0;
		p->icmp_type = p->t.proto == IPPROTO_ICMP ? x->icmp : 0;
		r_plain_frame(s, p);
	}
	p->len = (uint32_t)s->len;
	return true;
}

/* What ct() must have left of a packet the model tracked. */
void
r_check_output(struct sent *s, const struct mpkt *p, const struct mres *r)
{
	uint8_t *ip = s->b + ETH_HLEN;
	struct mtuple got = p->t, want = p->t, pre, post;

	if (!r->translate) {
		assert_memory_equal(s->b, s->in, s->len);
		return;
	}
	check_csums(ip, s->len - ETH_HLEN);
	pre = r->c->t[r->dir];
	post = mt_rev(&r->c->t[!r->dir]);
	if (p->t.proto == IPPROTO_ICMP && icmp_is_error(p->icmp_type)) {
		/* The error's own addresses as any packet of its direction where
		 * they are the connection's; the quote back to what was sent. */
		struct mtuple inner = p->inner;

		if (want.src == pre.src)
			want.src = post.src;
		if (want.dst == pre.dst)
			want.dst = post.dst;
		r_tuple_of_ip(ip, &got);
		got.sport = got.dport = 0;
		assert_true(mt_eq(&got, &want));
		check_csums(ip + IP_HLEN + ICMP_HLEN, IP_HLEN + 8);
		r_tuple_of_ip(ip + IP_HLEN + ICMP_HLEN, &inner);
		assert_true(mt_eq(&inner, &r->c->t[!r->dir]));
		return;
	}
	want.src = post.src;
	want.dst = post.dst;
	want.sport = post.sport;
	want.dport = post.dport;
	r_tuple_of_ip(ip, &got);
	assert_true(mt_eq(&got, &want));
	if (p->t.proto == IPPROTO_UDP && mem16(s->in + ETH_HLEN + IP_HLEN + 6) == 0)
		assert_int_equal(mem16(ip + IP_HLEN + 6), 0);
}
