/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection tracking and NAT (datapath/conntrack.h), with the two ICMP
 * rewrites it relies on (packet_set_icmp_id, packet_set_icmp_inner).
 *
 * test_random runs tens of thousands of random IPv4 packets through the
 * table and through a reference model (conntrack_model.c): plain arrays
 * searched linearly, with the TCP rules restated from what OVS's userspace
 * conntrack does. The ct_state of every packet, every translation, the
 * connection list, the counts and the counters must agree. Its seed is
 * printed; CONNTRACK_SEED reruns one.
 *
 * test_burst feeds such a sequence to two tables, one frame at a time
 * through conntrack_execute and in bursts through conntrack_execute_burst:
 * every frame and the two tables must come out the same.
 *
 * The other tests are directed: timeouts, zone limits, source NAT port
 * allocation, destination NAT, ICMP errors, input the table must refuse,
 * TCP port reuse. Every frame ct() hands back has its checksums recomputed
 * from scratch (rte_ipv4_cksum, rte_ipv4_udptcp_cksum, rte_raw_cksum) and
 * compared with what it carries, and its key must be the one a fresh
 * extraction of the rewritten frame gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "datapath/conntrack.h"
#include "datapath/flow_key.h"
#include "datapath/packet_edit.h"

#include "conntrack_model.h"

#define POOL_SIZE 127 /* a burst of CT_BURST_MAX and then some */

static const uint32_t c1 = A(10, 0, 0, 1), c2 = A(10, 0, 0, 2);
static const uint32_t s1 = A(10, 0, 1, 1);

static struct rte_mempool *pool;
static const struct vlan_meta no_vlan;

/* ---- running ct() ---- */

/* Runs s->b through ct() and checks that the key it updated is the key of
 * the frame it left. */
static uint8_t
ct_run(struct conntrack *ct, uint16_t bridge, const struct ct_args *a, uint32_t now,
       struct sent *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct flow_offsets off, off2;
	struct flow_key k, k2;

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)s->len));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), s->b, s->len);
	memcpy(s->in, s->b, s->len);
	flow_key_extract_offsets(m, 0, &no_vlan, &k, &off);
	s->state = conntrack_execute(ct, 0, m, &off, &k, bridge, a, now);
	assert_int_equal(k.ct_state, s->state);
	assert_int_equal(k.ct_zone, a->zone);
	flow_key_extract_offsets(m, 0, &no_vlan, &k2, &off2);
	k2.ct_state = k.ct_state;
	k2.ct_zone = k.ct_zone;
	assert_true(flow_key_equal(&k, &k2));
	assert_int_equal(off.l3, off2.l3);
	assert_int_equal(off.l4, off2.l4);
	assert_int_equal(rte_pktmbuf_pkt_len(m), s->len);
	memcpy(s->b, rte_pktmbuf_mtod(m, const uint8_t *), s->len);
	rte_pktmbuf_free(m);
	return s->state;
}

/* Frame f through ct() on bridge `bridge`; checks its checksums after. */
static uint8_t
ct_send_on(struct conntrack *ct, uint16_t bridge, const struct ct_args *a, uint32_t now,
	   struct frame f, struct sent *s)
{
	s->len = frame_write(s->b, &f);
	ct_run(ct, bridge, a, now, s);
	if (f.cut == 0 && f.frag == 0) {
		check_csums(s->b + ETH_HLEN, s->len - ETH_HLEN);
		if (f.proto == IPPROTO_UDP && f.no_csum)
			assert_int_equal(mem16(s->b + ETH_HLEN + IP_HLEN + 6), 0);
		frame_read(s->b + ETH_HLEN, &s->out);
	}
	return s->state;
}

static uint8_t
ct_send(struct conntrack *ct, const struct ct_args *a, uint32_t now, struct frame f,
	struct sent *s)
{
	return ct_send_on(ct, 0, a, now, f, s);
}

static bool
unchanged(const struct sent *s)
{
	return memcmp(s->in, s->b, s->len) == 0;
}

/* An ICMP error from src to dst quoting the first `quote` bytes of the IPv4
 * packet at inner. */
static uint8_t
ct_send_error(struct conntrack *ct, const struct ct_args *a, uint32_t now, uint32_t src,
	      uint32_t dst, uint8_t type, const uint8_t *inner, size_t quote, struct sent *s)
{
	struct frame f = {.proto = IPPROTO_ICMP, .src = src, .dst = dst, .icmp_type = type,
			  .payload = (uint16_t)quote, .data = inner};

	return ct_send(ct, a, now, f, s);
}

/* The IPv4 header an ICMP error in s quotes. */
static uint8_t *
quoted(struct sent *s)
{
	return s->b + ETH_HLEN + IP_HLEN + ICMP_HLEN;
}

static uint64_t
counter(const struct conntrack *ct, enum ct_counter c)
{
	struct ct_stats st;

	conntrack_stats(ct, &st);
	return st.c[c];
}

static const struct ct_args commit = {.flags = CT_F_COMMIT};
static const struct ct_args no_commit = {.flags = 0};

static struct ct_args
snat_args(uint16_t lo, uint16_t hi)
{
	return (struct ct_args){
		.ip_min = rte_cpu_to_be_32(nat_ip),
		.ip_max = rte_cpu_to_be_32(nat_ip),
		.port_min = lo,
		.port_max = hi,
		.flags = CT_F_COMMIT | CT_F_NAT | CT_F_NAT_SRC | CT_F_NAT_PORTS,
	};
}

/* ---- the random test ---- */

/* What a mismatch needs to be understood: the packet, and the counters
 * where table and model part. */
static void
r_print(const struct conntrack *ct, unsigned int i, uint32_t now, const struct mpkt *p,
	const struct ct_args *a)
{
	struct ct_stats st;

	print_error("packet %u at %u: bad %d proto %u %08x:%u -> %08x:%u flags 0x%02x icmp %u "
		    "bridge %u zone %u ct flags 0x%02x\n",
		    i, now, p->bad, p->t.proto, p->t.src, p->t.sport, p->t.dst, p->t.dport,
		    p->tcp_flags, p->icmp_type, p->t.bridge, p->t.zone, a->flags);
	conntrack_stats(ct, &st);
	for (int c = 0; c < CT_CNT_MAX; c++)
		if (st.c[c] != md.cnt[c])
			print_error("  %s: table %llu, model %llu\n", ct_counter_name(c),
				    (unsigned long long)st.c[c], (unsigned long long)md.cnt[c]);
}

static void
r_packet(struct conntrack *ct, unsigned int i, uint32_t now)
{
	struct sent s;
	struct mpkt p;
	struct ct_args a;
	struct mres r;
	uint8_t want;

	r_frame(&s, &p, &a, -1);
	ct_run(ct, p.t.bridge, &a, now, &s);
	want = m_packet(ct, &p, &a, now, s.state, &r);
	if (s.state != want) {
		r_print(ct, i, now, &p, &a);
		assert_int_equal(s.state, want);
	}
	r_check_output(&s, &p, &r);
}

static void
test_random(void **state)
{
	struct conntrack *ct = *state;
	unsigned int packets = 50000;
	uint64_t seed = 0xc0cc7eaa5eedULL;
	const char *env = getenv("CONNTRACK_SEED");
	/* Starts close to the end of time so that the clock wraps midway. */
	uint32_t now = UINT32_MAX - 4000;
	unsigned int left;

	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	print_message("    seed 0x%llx\n", (unsigned long long)seed);
	rng_state = seed;
	memset(&md, 0, sizeof(md));
	md.default_limit = conntrack_limit(ct, 0);
	md.limit[LIMITED_ZONE] = 5;
	assert_int_equal(conntrack_set_limit(ct, LIMITED_ZONE, 5), 0);
	r_timeouts(ct);
	for (unsigned int i = 0; i < packets; i++) {
		if (rnd_below(10) == 0)
			now += rnd_below(4);
		if (rnd_below(300) == 0)
			now += rnd_below(60);
		r_packet(ct, i, now);
		r_control(ct, NULL, now, 1);
		if (i % 250 == 0)
			m_compare(ct, now);
	}
	m_compare(ct, now);
	print_message("    %llu created, %llu restarted, %llu established, %llu translated, "
		      "%llu related, %llu invalid\n",
		      (unsigned long long)md.cnt[CT_CNT_created], (unsigned long long)md.restarted,
		      (unsigned long long)md.established, (unsigned long long)md.translated,
		      (unsigned long long)md.cnt[CT_CNT_related],
		      (unsigned long long)md.cnt[CT_CNT_invalid]);
	/* The run went everywhere it should: a seed that does not is no test. */
	for (int i = CT_CNT_fragments; i < CT_CNT_MAX; i++)
		assert_true(md.cnt[i] > 10);
	for (int i = MT_SYN_SENT; i <= MT_CLOSED; i++) {
		print_message("    %s %llu\n", mtcp_names[i], (unsigned long long)md.tcp_seen[i]);
		assert_true(md.tcp_seen[i] > 10);
	}
	assert_true(md.cnt[CT_CNT_created] > 1000);
	assert_true(md.restarted > 10 && md.restarted_closed > 10);
	assert_true(md.established > 1000 && md.translated > 500);
	left = m_count(-1, -1);
	assert_int_equal(conntrack_flush(ct, -1, -1), left);
	assert_int_equal(conntrack_count(ct), 0);
}

/* ---- conntrack_execute_burst against conntrack_execute ---- */

/* Frames of one bridge and clock that went through the first table one by
 * one, waiting for the second one's burst. */
struct burst {
	uint16_t bridge;
	unsigned int n;
	struct sent s[CT_BURST_MAX]; /* in: as sent; b, state: as the first table left it */
	struct ct_args a[CT_BURST_MAX];
};

/* What the model says frames of a burst went through, so that the run can
 * show it had what a burst may get wrong: frames of connections an earlier
 * frame of the same burst opened. */
struct burst_seen {
	const struct mconn *opened[CT_BURST_MAX];
	unsigned int n_opened;
	uint64_t again, answered, synack, related, frames, bursts, split, full;
};

/* b through ct's conntrack_execute_burst; every frame must come out as the
 * first table left it, with the same state, zone and key. */
static void
burst_run(struct conntrack *ct, struct burst *b, uint32_t now, uint64_t nb)
{
	struct rte_mbuf *m[CT_BURST_MAX];
	struct flow_offsets off[CT_BURST_MAX], off2;
	struct flow_key k[CT_BURST_MAX], k2;
	struct ct_frame f[CT_BURST_MAX];

	for (unsigned int i = 0; i < b->n; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		assert_non_null(m[i]);
		assert_non_null(rte_pktmbuf_append(m[i], (uint16_t)b->s[i].len));
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), b->s[i].in, b->s[i].len);
		flow_key_extract_offsets(m[i], 0, &no_vlan, &k[i], &off[i]);
		f[i] = (struct ct_frame){.m = m[i], .off = &off[i], .k = &k[i], .args = &b->a[i]};
	}
	conntrack_execute_burst(ct, 0, f, b->n, b->bridge, now);
	for (unsigned int i = 0; i < b->n; i++) {
		const struct sent *s = &b->s[i];

		if (k[i].ct_state != s->state || k[i].ct_zone != b->a[i].zone ||
		    rte_pktmbuf_pkt_len(m[i]) != s->len ||
		    memcmp(rte_pktmbuf_mtod(m[i], const uint8_t *), s->b, s->len) != 0)
			fail_msg("burst %llu (bridge %u, %u frames at %u), frame %u (zone %u, ct "
				 "flags 0x%02x): burst state 0x%02x zone %u%s, one by one 0x%02x",
				 (unsigned long long)nb, b->bridge, b->n, now, i, b->a[i].zone,
				 b->a[i].flags, k[i].ct_state, k[i].ct_zone,
				 memcmp(rte_pktmbuf_mtod(m[i], const uint8_t *), s->b, s->len) != 0
					 ? ", other bytes"
					 : "",
				 s->state);
		flow_key_extract_offsets(m[i], 0, &no_vlan, &k2, &off2);
		k2.ct_state = k[i].ct_state;
		k2.ct_zone = k[i].ct_zone;
		assert_true(flow_key_equal(&k[i], &k2));
		rte_pktmbuf_free(m[i]);
	}
	b->n = 0;
}

/* One frame through the first table and the model, into b; notes in seen
 * what it went through. */
static void
burst_add(struct conntrack *ct, struct burst *b, struct burst_seen *seen, struct sent *s,
	  const struct mpkt *p, const struct ct_args *a, uint32_t now)
{
	uint64_t created = md.cnt[CT_CNT_created];
	struct mres r;
	uint8_t want;

	assert_int_equal(p->t.bridge, b->bridge);
	ct_run(ct, p->t.bridge, a, now, s);
	want = m_packet(ct, p, a, now, s->state, &r);
	if (s->state != want) {
		r_print(ct, (unsigned int)seen->frames, now, p, a);
		assert_int_equal(s->state, want);
	}
	r_check_output(s, p, &r);
	if (md.cnt[CT_CNT_created] != created) {
		seen->opened[seen->n_opened++] = r.c;
	} else if (r.c != NULL) {
		for (unsigned int j = 0; j < seen->n_opened; j++) {
			if (seen->opened[j] != r.c)
				continue;
			if (s->state & REL)
				seen->related++;
			else if (r.dir == 0)
				seen->again++;
			else if (p->t.proto != IPPROTO_TCP)
				seen->answered++;
			else if (p->tcp_flags == (TCP_SYN | TCP_ACK) && !(s->state & INV))
				seen->synack++;
			break;
		}
	}
	seen->frames++;
	b->s[b->n] = *s;
	b->a[b->n] = *a;
	b->n++;
}

/*
 * Two tables, the same long random sequence of frames (test_random's, with
 * connections' first frames mixed in so that bursts hold a connection's
 * opening and what follows it): the first table runs each frame through
 * conntrack_execute as it comes (and is checked against the model, which
 * the frame generators need), the second runs them in bursts of 1 to
 * CT_BURST_MAX frames of one bridge through conntrack_execute_burst. Every
 * frame's state, key and bytes, and the tables' walks, counts and counters
 * every few bursts, must be the same.
 */
static void
test_burst(void **state)
{
	struct conntrack *x = *state, *y;
	struct conntrack_params cp = {.capacity = CAPACITY, .n_threads = 1,
				      .socket_id = SOCKET_ID_ANY};
	static struct burst b;
	static struct burst_seen seen;
	struct r_flow flow;
	bool flowing = false;
	uint64_t seed = 0xb0257a11ce5eedULL;
	const char *env = getenv("CONNTRACK_SEED");
	uint32_t now = UINT32_MAX - 3000;

	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	print_message("    seed 0x%llx\n", (unsigned long long)seed);
	rng_state = seed;
	memset(&md, 0, sizeof(md));
	memset(&seen, 0, sizeof(seen));
	y = conntrack_create(&cp);
	assert_non_null(y);
	md.default_limit = conntrack_limit(x, 0);
	md.limit[LIMITED_ZONE] = 5;
	assert_int_equal(conntrack_set_limit(x, LIMITED_ZONE, 5), 0);
	assert_int_equal(conntrack_set_limit(y, LIMITED_ZONE, 5), 0);
	r_timeouts(x);
	r_timeouts(y);
	while (seen.frames < 60000) {
		unsigned int size = rnd_below(4) == 0 ? CT_BURST_MAX : 1 + rnd_below(CT_BURST_MAX);

		if (rnd_below(3) == 0)
			now += rnd_below(4);
		if (rnd_below(100) == 0)
			now += rnd_below(60);
		r_control(x, y, now, 12);
		if (seen.bursts % 20 == 0) {
			m_compare(x, now);
			compare_tables(x, y, now);
		}
		b.bridge = (uint16_t)rnd_below(N_BRIDGES);
		seen.n_opened = 0;
		while (b.n < size) {
			struct sent s;
			struct mpkt p;
			struct ct_args a;

			if (!flowing && rnd_below(8) == 0) {
				r_flow_start(&flow, (uint8_t)b.bridge);
				flowing = true;
			}
			if (flowing && rnd_below(3) != 0 && flow.t.bridge == b.bridge) {
				flowing = r_flow_frame(&flow, &s, &p, &a);
				if (!flowing)
					continue;
			} else if (!r_frame(&s, &p, &a, b.bridge)) {
				/* Another bridge's frame: a burst of its own. */
				burst_run(y, &b, now, seen.bursts++);
				seen.split++;
				b.bridge = p.t.bridge;
				seen.n_opened = 0;
			}
			burst_add(x, &b, &seen, &s, &p, &a, now);
		}
		seen.full += b.n == CT_BURST_MAX;
		burst_run(y, &b, now, seen.bursts++);
	}
	m_compare(x, now);
	compare_tables(x, y, now);
	print_message("    %llu frames in %llu bursts (%llu of %u, %llu split); in the burst "
		      "that opened their connection: %llu more, %llu answers, %llu SYN-ACKs, %llu "
		      "errors\n",
		      (unsigned long long)seen.frames, (unsigned long long)seen.bursts,
		      (unsigned long long)seen.full, CT_BURST_MAX, (unsigned long long)seen.split,
		      (unsigned long long)seen.again, (unsigned long long)seen.answered,
		      (unsigned long long)seen.synack, (unsigned long long)seen.related);
	assert_true(seen.again > 1000 && seen.answered > 1000 && seen.synack > 300 &&
		    seen.related > 300);
	assert_true(md.cnt[CT_CNT_created] > 1000 && md.restarted > 10);
	for (int i = CT_CNT_fragments; i < CT_CNT_MAX; i++)
		assert_true(md.cnt[i] > 10);
	assert_int_equal(conntrack_flush(y, -1, -1), m_count(-1, -1));
	assert_int_equal(conntrack_flush(x, -1, -1), m_count(-1, -1));
	conntrack_destroy(y);
}

/* ---- directed tests ---- */

static void
test_timeouts(void **state)
{
	struct conntrack *ct = *state;
	struct frame out = udp(c1, 5000, s1, 53), back = udp(s1, 53, c1, 5000);
	struct sent s;

	assert_int_equal(conntrack_timeout(ct, CT_TMO_tcp_established), 86400);
	assert_int_equal(ct_timeout_by_name("udp_stream"), CT_TMO_udp_stream);
	assert_int_equal(ct_timeout_by_name("udp"), -1);
	assert_string_equal(ct_timeout_name(CT_TMO_icmp), "icmp");
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_udp_first, 0), -EINVAL);
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_MAX, 5), -EINVAL);
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_udp_first, 5), 0);
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_udp_stream, 7), 0);
	assert_int_equal(conntrack_timeout(ct, CT_TMO_udp_first), 5);

	assert_int_equal(ct_send(ct, &commit, 100, out, &s), TRK | NEW);
	assert_int_equal(walk(ct, -1, -1, 101), 1);
	assert_int_equal(walked.e[0].expires_in, 4);
	assert_false(walked.e[0].replied);
	assert_string_equal(walked.e[0].state, "");
	assert_int_equal(ct_send(ct, &commit, 102, back, &s), TRK | EST | RPL);
	assert_int_equal(walk(ct, -1, -1, 102), 1);
	assert_int_equal(walked.e[0].expires_in, 7);
	assert_true(walked.e[0].replied);
	assert_int_equal(ct_send(ct, &commit, 108, out, &s), TRK | EST);
	assert_int_equal(walk(ct, -1, -1, 110), 1);
	assert_int_equal(walked.e[0].expires_in, 5);
	assert_int_equal(walk(ct, -1, -1, 114), 1);
	assert_int_equal(walked.e[0].expires_in, 1);

	/* At 115 it has timed out: not listed, new again, though not swept yet. */
	assert_int_equal(walk(ct, -1, -1, 115), 0);
	assert_int_equal(conntrack_count(ct), 1);
	assert_int_equal(ct_send(ct, &no_commit, 115, out, &s), TRK | NEW);
	assert_int_equal(conntrack_sweep(ct, 114), 0);
	assert_int_equal(conntrack_sweep(ct, 115), 1);
	assert_int_equal(conntrack_count(ct), 0);
	assert_int_equal(ct_send(ct, &no_commit, 116, out, &s), TRK | NEW);
	assert_int_equal(conntrack_count(ct), 0);
	assert_int_equal(ct_send(ct, &no_commit, 116, back, &s), TRK | NEW);
	assert_int_equal(conntrack_count(ct), 0);
	assert_int_equal(ct_send(ct, &commit, 116, out, &s), TRK | NEW);
	assert_int_equal(walk(ct, -1, -1, 116), 1);
	assert_int_equal(walked.e[0].expires_in, 5);
	assert_int_equal(walked.e[0].packets[0], 1);

	/* A new timeout applies from the connection's next packet on. */
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_udp_first, 50), 0);
	assert_int_equal(walk(ct, -1, -1, 116), 1);
	assert_int_equal(walked.e[0].expires_in, 5);
	assert_int_equal(ct_send(ct, &commit, 117, out, &s), TRK | NEW);
	assert_int_equal(walk(ct, -1, -1, 117), 1);
	assert_int_equal(walked.e[0].expires_in, 50);

	/* TCP: established with a short timeout, then an ACK after it. */
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_tcp_established, 40), 0);
	assert_int_equal(ct_send(ct, &commit, 200, tcp(c1, 6000, s1, 80, TCP_SYN),
				 &s),
			 TRK | NEW);
	assert_int_equal(ct_send(ct, &commit, 201,
				 tcp(s1, 80, c1, 6000, TCP_SYN | TCP_ACK), &s),
			 TRK | EST | RPL);
	assert_int_equal(ct_send(ct, &commit, 202, tcp(c1, 6000, s1, 80, TCP_ACK),
				 &s),
			 TRK | EST);
	walk(ct, -1, -1, 202);
	assert_non_null(walked_orig(c1, 6000, s1, 80));
	assert_int_equal(walked_orig(c1, 6000, s1, 80)->expires_in, 40);
	assert_string_equal(walked_orig(c1, 6000, s1, 80)->state, "ESTABLISHED");
	assert_int_equal(ct_send(ct, &commit, 241, tcp(c1, 6000, s1, 80, TCP_ACK),
				 &s),
			 TRK | EST);
	assert_int_equal(ct_send(ct, &commit, 281, tcp(c1, 6000, s1, 80, TCP_ACK),
				 &s),
			 TRK | INV);
	assert_int_equal(conntrack_count(ct), 2);
	assert_int_equal(conntrack_sweep(ct, 281), 2);
	assert_int_equal(conntrack_count(ct), 0);
}

static struct frame
limit_client(unsigned int i)
{
	return udp(A(10, 3, i / 200, 1 + i % 200), (uint16_t)(7000 + i), s1, 53);
}

static void
test_zone_limits(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args z7 = {.flags = CT_F_COMMIT, .zone = 7}, z8 = z7;
	struct sent s;
	unsigned int i;

	z8.zone = 8;
	assert_int_equal(conntrack_limit(ct, 7), CAPACITY);
	assert_int_equal(conntrack_set_limit(ct, 7, 4), 0);
	assert_int_equal(conntrack_limit(ct, 7), 4);
	assert_int_equal(conntrack_limit(ct, 8), CAPACITY);
	assert_int_equal(conntrack_set_limit(ct, 7, CAPACITY + 1), -EINVAL);
	assert_int_equal(conntrack_set_limit(ct, -1, 0), -EINVAL);
	assert_int_equal(conntrack_limit(ct, 7), 4);

	/* Bridge 0, zone 7: four are committed, three refused. */
	for (i = 0; i < 7; i++)
		assert_int_equal(ct_send_on(ct, 0, &z7, 10, limit_client(i), &s),
				 i < 4 ? (TRK | NEW) : (TRK | INV));
	assert_int_equal(conntrack_zone_count(ct, 0, 7), 4);
	assert_int_equal(conntrack_zone_refused(ct, 0, 7), 3);
	assert_int_equal(counter(ct, CT_CNT_refused), 3);
	assert_int_equal(counter(ct, CT_CNT_invalid), 3);
	assert_int_equal(counter(ct, CT_CNT_created), 4);
	assert_int_equal(conntrack_count(ct), 4);
	/* The full zone still passes its connections' packets, and new ones
	 * that do not commit. */
	assert_int_equal(ct_send_on(ct, 0, &z7, 11, udp(s1, 53, A(10, 3, 0, 1), 7000),
				    &s),
			 TRK | EST | RPL);
	assert_int_equal(ct_send_on(ct, 0, &(struct ct_args){.zone = 7}, 11,
				    limit_client(10), &s),
			 TRK | NEW);

	/* Other zones and bridges are not affected; bridge 1's zone 7 has a
	 * limit of its own size. */
	for (i = 0; i < 5; i++)
		assert_int_equal(ct_send_on(ct, 0, &z8, 12, limit_client(i), &s),
				 TRK | NEW);
	for (i = 0; i < 5; i++)
		assert_int_equal(ct_send_on(ct, 1, &z7, 12, limit_client(i), &s),
				 i < 4 ? (TRK | NEW) : (TRK | INV));
	assert_int_equal(conntrack_zone_count(ct, 0, 8), 5);
	assert_int_equal(conntrack_zone_count(ct, 1, 7), 4);
	assert_int_equal(conntrack_zone_refused(ct, 1, 7), 1);
	assert_int_equal(conntrack_zone_refused(ct, 0, 7), 3);
	assert_int_equal(conntrack_zone_refused(ct, 0, 8), 0);
	assert_int_equal(counter(ct, CT_CNT_refused), 4);
	assert_int_equal(conntrack_count(ct), 13);

	/* Flushing bridge 0's zone 7 makes room there, and only there. */
	assert_int_equal(conntrack_flush(ct, 0, 7), 4);
	assert_int_equal(conntrack_zone_count(ct, 0, 7), 0);
	assert_int_equal(conntrack_zone_count(ct, 0, 8), 5);
	assert_int_equal(conntrack_zone_count(ct, 1, 7), 4);
	assert_int_equal(conntrack_count(ct), 9);
	for (i = 20; i < 25; i++)
		assert_int_equal(ct_send_on(ct, 0, &z7, 13, limit_client(i), &s),
				 i < 24 ? (TRK | NEW) : (TRK | INV));
	assert_int_equal(conntrack_zone_refused(ct, 0, 7), 4);
	assert_int_equal(counter(ct, CT_CNT_refused), 5);

	/* Limit 0 is the default again. */
	assert_int_equal(conntrack_set_limit(ct, 7, 0), 0);
	assert_int_equal(conntrack_limit(ct, 7), CAPACITY);
	assert_int_equal(ct_send_on(ct, 0, &z7, 14, limit_client(30), &s),
			 TRK | NEW);
	assert_int_equal(conntrack_zone_count(ct, 0, 7), 5);
	/* The default limit covers zones without their own. */
	assert_int_equal(conntrack_set_limit(ct, -1, 5), 0);
	assert_int_equal(ct_send_on(ct, 0, &z8, 14, limit_client(40), &s),
			 TRK | INV);
	assert_int_equal(conntrack_zone_refused(ct, 0, 8), 1);
}

/* Checks s is client f's packet translated to 192.0.2.10 and a port in
 * [lo, hi]; returns that port. */
static uint16_t
snat_port(const struct sent *s, const struct frame *f, uint16_t lo, uint16_t hi)
{
	assert_int_equal(s->out.src, nat_ip);
	assert_int_equal(s->out.dst, f->dst);
	if (f->proto != IPPROTO_ICMP)
		assert_int_equal(s->out.dport, f->dport);
	assert_in_range(s->out.sport, lo, hi);
	return s->out.sport;
}

static struct frame
snat_client(unsigned int i)
{
	struct frame f = tcp(A(10, 1, 0, 1 + i / 2), (uint16_t)(5000 + i % 2), s1, 80, TCP_SYN);

	f.payload = (uint16_t)(i % 7);
	return f;
}

static void
test_snat_ports(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args a = snat_args(20000, 20099);
	bool used[100] = {false};
	uint16_t port_of[151];
	struct sent s;
	unsigned int i;

	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_tcp_syn_sent, 30), 0);
	/* 100 clients, 50 at 1000 and 50 at 1020, each with a port of its own. */
	for (i = 0; i < 100; i++) {
		struct frame f = snat_client(i);

		assert_int_equal(ct_send(ct, &a, i < 50 ? 1000 : 1020, f, &s), TRK | NEW | SNAT);
		port_of[i] = snat_port(&s, &f, 20000, 20099);
		assert_false(used[port_of[i] - 20000]);
		used[port_of[i] - 20000] = true;
	}
	/* The range is used up. */
	assert_int_equal(ct_send(ct, &a, 1020, snat_client(100), &s), TRK | INV);
	assert_true(unchanged(&s));
	assert_int_equal(counter(ct, CT_CNT_nat_failed), 1);
	assert_int_equal(counter(ct, CT_CNT_created), 100);
	assert_int_equal(conntrack_count(ct), 100);
	/* The walk says the same. */
	assert_int_equal(walk(ct, 0, 0, 1020), 100);
	for (i = 0; i < 100; i++) {
		struct frame f = snat_client(i);
		const struct ct_conn_info *info = walked_orig(f.src, f.sport, s1, 80);

		assert_non_null(info);
		assert_true(tuple_is(&info->reply, s1, 80, nat_ip, port_of[i]));
		assert_int_equal(info->nat, SNAT);
		assert_int_equal(info->proto, IPPROTO_TCP);
		assert_string_equal(info->state, "SYN_SENT");
	}
	/* The first 50 time out; once swept their ports serve new clients. */
	assert_int_equal(ct_send(ct, &a, 1030, snat_client(100), &s), TRK | INV);
	assert_int_equal(conntrack_sweep(ct, 1030), 50);
	memset(used, 0, sizeof(used));
	for (i = 50; i < 100; i++)
		used[port_of[i] - 20000] = true;
	for (i = 100; i < 150; i++) {
		struct frame f = snat_client(i);

		assert_int_equal(ct_send(ct, &a, 1030, f, &s), TRK | NEW | SNAT);
		port_of[i] = snat_port(&s, &f, 20000, 20099);
		assert_false(used[port_of[i] - 20000]);
		used[port_of[i] - 20000] = true;
	}
	assert_int_equal(ct_send(ct, &a, 1030, snat_client(150), &s), TRK | INV);
	assert_int_equal(counter(ct, CT_CNT_nat_failed), 3);
	assert_int_equal(walk(ct, 0, 0, 1030), 100);
	for (i = 50; i < 150; i++) {
		struct frame f = snat_client(i);
		const struct ct_conn_info *info = walked_orig(f.src, f.sport, s1, 80);

		assert_non_null(info);
		assert_true(tuple_is(&info->reply, s1, 80, nat_ip, port_of[i]));
	}
	/* After a flush every port is free again. */
	assert_int_equal(conntrack_flush(ct, 0, 0), 100);
	assert_int_equal(conntrack_count(ct), 0);
	memset(used, 0, sizeof(used));
	for (i = 200; i < 300; i++) {
		struct frame f = snat_client(i);
		uint16_t port;

		assert_int_equal(ct_send(ct, &a, 1040, f, &s), TRK | NEW | SNAT);
		port = snat_port(&s, &f, 20000, 20099);
		assert_false(used[port - 20000]);
		used[port - 20000] = true;
	}
	assert_int_equal(counter(ct, CT_CNT_nat_failed), 3);
}

static void
expect_tuple(const struct frame *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	assert_int_equal(f->src, src);
	assert_int_equal(f->sport, sport);
	assert_int_equal(f->dst, dst);
	assert_int_equal(f->dport, dport);
}

static void
test_snat_replies(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args a = snat_args(20000, 20099), plain = a;
	struct frame f1 = tcp(c1, 20050, s1, 80, TCP_SYN), f2 = tcp(c2, 20050, s1, 80, TCP_SYN);
	struct frame u1 = udp(c1, 6000, s1, 53), u2 = udp(c2, 6000, s1, 53), r2;
	struct frame e = echo(c1, s1, 77, ICMP_ECHO);
	uint16_t p2, pu1, pu2, pe, q;
	struct sent s;

	plain.flags &= (uint8_t)~CT_F_NAT;
	/* A client's own port, in the range and free, is kept; the next
	 * client with that port gets another. */
	assert_int_equal(ct_send(ct, &a, 10, f1, &s), TRK | NEW | SNAT);
	assert_int_equal(snat_port(&s, &f1, 20000, 20099), 20050);
	assert_int_equal(ct_send(ct, &a, 10, f2, &s), TRK | NEW | SNAT);
	p2 = snat_port(&s, &f2, 20000, 20099);
	assert_int_not_equal(p2, 20050);

	/* Replies go back to each client's own address and port. */
	assert_int_equal(ct_send(ct, &a, 11, tcp(s1, 80, nat_ip, 20050, TCP_SYN | TCP_ACK), &s),
			 TRK | EST | RPL | SNAT);
	expect_tuple(&s.out, s1, 80, c1, 20050);
	assert_int_equal(ct_send(ct, &a, 11, tcp(s1, 80, nat_ip, p2, TCP_SYN | TCP_ACK), &s),
			 TRK | EST | RPL | SNAT);
	expect_tuple(&s.out, s1, 80, c2, 20050);

	/* Without CT_F_NAT packets are tracked as they are, either way. */
	assert_int_equal(ct_send(ct, &plain, 12, tcp(c2, 20050, s1, 80, TCP_ACK), &s), TRK | EST);
	assert_true(unchanged(&s));
	assert_int_equal(ct_send(ct, &plain, 12, tcp(s1, 80, nat_ip, p2, TCP_ACK), &s),
			 TRK | EST | RPL);
	assert_true(unchanged(&s));
	assert_int_equal(ct_send(ct, &a, 13, tcp(c2, 20050, s1, 80, TCP_ACK), &s),
			 TRK | EST | SNAT);
	expect_tuple(&s.out, nat_ip, p2, s1, 80);

	/* UDP with a checksum and without one (which stays without). */
	u2.no_csum = true;
	assert_int_equal(ct_send(ct, &a, 14, u1, &s), TRK | NEW | SNAT);
	pu1 = snat_port(&s, &u1, 20000, 20099);
	assert_int_equal(ct_send(ct, &a, 14, u2, &s), TRK | NEW | SNAT);
	pu2 = snat_port(&s, &u2, 20000, 20099);
	assert_int_not_equal(pu1, pu2);
	assert_int_equal(ct_send(ct, &a, 15, udp(s1, 53, nat_ip, pu1), &s), TRK | EST | RPL | SNAT);
	expect_tuple(&s.out, s1, 53, c1, 6000);
	r2 = udp(s1, 53, nat_ip, pu2);
	r2.no_csum = true;
	assert_int_equal(ct_send(ct, &a, 15, r2, &s), TRK | EST | RPL | SNAT);
	expect_tuple(&s.out, s1, 53, c2, 6000);

	/* ICMP echo: the identifier is translated like a port. */
	assert_int_equal(ct_send(ct, &a, 16, e, &s), TRK | NEW | SNAT);
	pe = snat_port(&s, &e, 20000, 20099);
	assert_int_equal(ct_send(ct, &a, 16, echo(s1, nat_ip, pe, ICMP_ECHO_REPLY), &s),
			 TRK | EST | RPL | SNAT);
	assert_int_equal(s.out.dst, c1);
	assert_int_equal(s.out.sport, 77);
	assert_int_equal(s.out.src, s1);

	/* A reply to a port no connection has is not translated. */
	for (q = 20000; q == 20050 || q == p2; q++)
		;
	assert_int_equal(ct_send(ct, &a, 17, tcp(s1, 80, nat_ip, q, TCP_SYN | TCP_ACK), &s),
			 TRK | INV);
	assert_true(unchanged(&s));

	assert_int_equal(walk(ct, -1, -1, 17), 5);
	for (unsigned int i = 0; i < walked.n; i++)
		assert_int_equal(walked.e[i].nat, SNAT);
	assert_non_null(walked_orig(c1, 77, s1, 0));
	assert_true(tuple_is(&walked_orig(c1, 77, s1, 0)->reply, s1, pe, nat_ip, 0));
	assert_true(tuple_is(&walked_orig(c2, 6000, s1, 53)->reply, s1, 53, nat_ip, pu2));
	assert_string_equal(walked_orig(c2, 20050, s1, 80)->state, "ESTABLISHED");
	assert_string_equal(walked_orig(c1, 20050, s1, 80)->state, "SYN_RECV");
}

static void
test_dnat(void **state)
{
	struct conntrack *ct = *state;
	const uint32_t inside = A(10, 0, 0, 5), x1 = A(203, 0, 113, 7), x2 = A(203, 0, 113, 8);
	struct ct_args a = {
		.ip_min = rte_cpu_to_be_32(inside),
		.ip_max = rte_cpu_to_be_32(inside),
		.port_min = 22,
		.port_max = 22,
		.flags = CT_F_COMMIT | CT_F_NAT | CT_F_NAT_DST | CT_F_NAT_PORTS,
	};
	struct ct_args au = a, plain = {.flags = CT_F_COMMIT};
	struct frame u = udp(x1, 1234, nat_ip, 53), ur = udp(inside, 5353, x1, 1234);
	const struct ct_conn_info *info;
	struct sent s;

	assert_int_equal(ct_send(ct, &a, 10, tcp(x1, 40000, nat_ip, 2222, TCP_SYN), &s),
			 TRK | NEW | DNAT);
	expect_tuple(&s.out, x1, 40000, inside, 22);
	assert_int_equal(ct_send(ct, &a, 11, tcp(inside, 22, x1, 40000, TCP_SYN | TCP_ACK), &s),
			 TRK | EST | RPL | DNAT);
	expect_tuple(&s.out, nat_ip, 2222, x1, 40000);
	assert_int_equal(ct_send(ct, &a, 12, tcp(x1, 40000, nat_ip, 2222, TCP_ACK), &s),
			 TRK | EST | DNAT);
	expect_tuple(&s.out, x1, 40000, inside, 22);
	/* Untranslated without nat. */
	assert_int_equal(ct_send(ct, &plain, 12, tcp(inside, 22, x1, 40000, TCP_ACK), &s),
			 TRK | EST | RPL);
	assert_true(unchanged(&s));

	/* A second client with the same port goes to the same place. */
	assert_int_equal(ct_send(ct, &a, 13, tcp(x2, 40000, nat_ip, 2222, TCP_SYN), &s),
			 TRK | NEW | DNAT);
	expect_tuple(&s.out, x2, 40000, inside, 22);
	assert_int_equal(ct_send(ct, &a, 13, tcp(inside, 22, x2, 40000, TCP_SYN | TCP_ACK), &s),
			 TRK | EST | RPL | DNAT);
	expect_tuple(&s.out, nat_ip, 2222, x2, 40000);

	/* UDP without a checksum. */
	au.port_min = au.port_max = 5353;
	u.no_csum = ur.no_csum = true;
	assert_int_equal(ct_send(ct, &au, 14, u, &s), TRK | NEW | DNAT);
	expect_tuple(&s.out, x1, 1234, inside, 5353);
	assert_int_equal(ct_send(ct, &au, 14, ur, &s), TRK | EST | RPL | DNAT);
	expect_tuple(&s.out, nat_ip, 53, x1, 1234);

	assert_int_equal(walk(ct, -1, -1, 14), 3);
	info = walked_orig(x1, 40000, nat_ip, 2222);
	assert_non_null(info);
	assert_true(tuple_is(&info->reply, inside, 22, x1, 40000));
	assert_int_equal(info->nat, DNAT);
	assert_string_equal(info->state, "ESTABLISHED");
	assert_int_equal(info->packets[0], 2);
	assert_int_equal(info->packets[1], 2);
	info = walked_orig(x1, 1234, nat_ip, 53);
	assert_non_null(info);
	assert_true(tuple_is(&info->reply, inside, 5353, x1, 1234));
}

/* Many translations of every kind, there and back: ct_send checks every
 * checksum from scratch, and that a UDP checksum of 0 stays 0. */
static void
test_nat_checksums(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args a = snat_args(30000, 30999);
	struct sent s;

	rng_state = 42;
	for (unsigned int i = 0; i < 400; i++) {
		uint32_t client = A(10, 4, rnd_below(256), 1 + rnd_below(254));
		uint32_t server = A(198, 51, 100, 1 + rnd_below(254));
		uint16_t cport = (uint16_t)(1 + rnd_below(65535));
		uint16_t sport = (uint16_t)(1 + rnd_below(65535));
		uint16_t port;
		struct frame f, r;

		switch (i % 4) {
		case 0:
			f = tcp(client, cport, server, sport, TCP_SYN);
			r = tcp(server, sport, nat_ip, 0, TCP_SYN | TCP_ACK);
			break;
		case 1:
		case 2:
			f = udp(client, cport, server, sport);
			r = udp(server, sport, nat_ip, 0);
			f.no_csum = r.no_csum = i % 4 == 2;
			break;
		default:
			f = echo(client, server, cport, ICMP_ECHO);
			r = echo(server, nat_ip, 0, ICMP_ECHO_REPLY);
			break;
		}
		f.payload = r.payload = (uint16_t)rnd_below(46);
		assert_int_equal(ct_send(ct, &a, 5, f, &s), TRK | NEW | SNAT);
		port = snat_port(&s, &f, 30000, 30999);
		if (f.proto == IPPROTO_ICMP)
			r.sport = port;
		else
			r.dport = port;
		assert_int_equal(ct_send(ct, &a, 6, r, &s), TRK | EST | RPL | SNAT);
		assert_int_equal(s.out.dst, client);
		assert_int_equal(f.proto == IPPROTO_ICMP ? s.out.sport : s.out.dport, cport);
	}
}

static struct rte_mbuf *
mbuf_of(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)len));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), b, len);
	return m;
}

/* packet_set_icmp_id on its own: the identifier and the checksum, and
 * nothing else, change. */
static void
test_icmp_id_edit(void **state)
{
	uint8_t b[FRAME_MAX], want[FRAME_MAX];
	struct flow_offsets off;
	struct flow_key k, k0;
	struct rte_mbuf *m;
	struct frame f;
	size_t len;

	(void)state;
	rng_state = 7;
	for (unsigned int i = 0; i < 300; i++) {
		uint16_t id = (uint16_t)rnd();

		f = echo((uint32_t)rnd(), (uint32_t)rnd(), (uint16_t)rnd(),
			 i % 2 ? ICMP_ECHO : ICMP_ECHO_REPLY);
		f.payload = (uint16_t)rnd_below(50);
		len = frame_write(b, &f);
		m = mbuf_of(b, len);
		flow_key_extract_offsets(m, 0, &no_vlan, &k, &off);
		k0 = k;
		assert_int_equal(packet_set_icmp_id(m, &off, &k, rte_cpu_to_be_16(id)), 0);
		f.sport = id;
		frame_write(want, &f);
		assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), want, len);
		assert_true(flow_key_equal(&k, &k0));
		rte_pktmbuf_free(m);
	}
	/* Not ICMP, or ICMP cut short of its identifier: refused, unchanged. */
	f = udp(c1, 1, s1, 2);
	len = frame_write(b, &f);
	m = mbuf_of(b, len);
	flow_key_extract_offsets(m, 0, &no_vlan, &k, &off);
	assert_int_equal(packet_set_icmp_id(m, &off, &k, RTE_BE16(9)), -1);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), b, len);
	rte_pktmbuf_free(m);
	f = echo(c1, s1, 5, ICMP_ECHO);
	f.payload = 0;
	f.cut = 2;
	len = frame_write(b, &f);
	m = mbuf_of(b, len);
	flow_key_extract_offsets(m, 0, &no_vlan, &k, &off);
	assert_int_not_equal(off.l4, 0);
	assert_int_equal(packet_set_icmp_id(m, &off, &k, RTE_BE16(9)), -1);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), b, len);
	rte_pktmbuf_free(m);
}

/*
 * ICMP errors about translated packets, both ways: the error is +rel, its
 * addresses are translated as its direction's, and the packet it quotes is
 * restored byte for byte to what its sender sent (checksums included).
 */
static void
test_icmp_errors(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args a = snat_args(20000, 20099), plain = {.flags = 0};
	struct frame fu = udp(c1, 5000, s1, 53), ft = tcp(c1, 5001, s1, 80, TCP_SYN);
	struct frame fe = echo(c1, s1, 99, ICMP_ECHO);
	struct sent u, t, e, ur, s;
	size_t whole;

	fu.payload = 20;
	ft.payload = 12;
	assert_int_equal(ct_send(ct, &a, 10, fu, &u), TRK | NEW | SNAT);
	assert_int_equal(ct_send(ct, &a, 10, ft, &t), TRK | NEW | SNAT);
	assert_int_equal(ct_send(ct, &a, 10, fe, &e), TRK | NEW | SNAT);

	/* From the server, about the UDP datagram: its header and 8 bytes, then all of it. */
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, u.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | RPL | SNAT);
	expect_tuple(&s.out, s1, 0, c1, 0);
	assert_memory_equal(quoted(&s), u.in + ETH_HLEN, IP_HLEN + 8);
	check_csums(quoted(&s), IP_HLEN + 8);
	whole = u.len - ETH_HLEN;
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, u.b + ETH_HLEN, whole,
				       &s),
			 TRK | REL | RPL | SNAT);
	assert_memory_equal(quoted(&s), u.in + ETH_HLEN, whole);
	check_csums(quoted(&s), whole);

	/* About the TCP SYN: 8 bytes of it, then all of it (checksum included). */
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, t.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | RPL | SNAT);
	expect_tuple(&s.out, s1, 0, c1, 0);
	assert_memory_equal(quoted(&s), t.in + ETH_HLEN, IP_HLEN + 8);
	whole = t.len - ETH_HLEN;
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, t.b + ETH_HLEN, whole,
				       &s),
			 TRK | REL | RPL | SNAT);
	assert_memory_equal(quoted(&s), t.in + ETH_HLEN, whole);
	check_csums(quoted(&s), whole);
	/* From a router on the way: its own address stays. */
	assert_int_equal(ct_send_error(ct, &a, 11, router, nat_ip, ICMP_TIME_EXCEEDED,
				       t.b + ETH_HLEN, IP_HLEN + 8, &s),
			 TRK | REL | RPL | SNAT);
	expect_tuple(&s.out, router, 0, c1, 0);
	assert_memory_equal(quoted(&s), t.in + ETH_HLEN, IP_HLEN + 8);

	/* About the echo request. */
	whole = e.len - ETH_HLEN;
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, e.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | RPL | SNAT);
	assert_memory_equal(quoted(&s), e.in + ETH_HLEN, IP_HLEN + 8);
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, e.b + ETH_HLEN, whole,
				       &s),
			 TRK | REL | RPL | SNAT);
	assert_memory_equal(quoted(&s), e.in + ETH_HLEN, whole);
	check_csums(quoted(&s), whole);

	/* Without nat: related, and left alone. */
	assert_int_equal(ct_send_error(ct, &plain, 11, s1, nat_ip, ICMP_UNREACH, u.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | RPL);
	assert_true(unchanged(&s));

	/* The other way: the client refuses the server's reply. */
	assert_int_equal(ct_send(ct, &a, 12, udp(s1, 53, nat_ip, u.out.sport), &ur),
			 TRK | EST | RPL | SNAT);
	expect_tuple(&ur.out, s1, 53, c1, 5000);
	assert_int_equal(ct_send_error(ct, &a, 13, c1, s1, ICMP_UNREACH, ur.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | SNAT);
	expect_tuple(&s.out, nat_ip, 0, s1, 0);
	assert_memory_equal(quoted(&s), ur.in + ETH_HLEN, IP_HLEN + 8);
	whole = ur.len - ETH_HLEN;
	assert_int_equal(ct_send_error(ct, &a, 13, c1, s1, ICMP_UNREACH, ur.b + ETH_HLEN, whole,
				       &s),
			 TRK | REL | SNAT);
	assert_memory_equal(quoted(&s), ur.in + ETH_HLEN, whole);
	check_csums(quoted(&s), whole);

	assert_int_equal(counter(ct, CT_CNT_related), 10);
	assert_int_equal(counter(ct, CT_CNT_invalid), 0);
	assert_int_equal(conntrack_count(ct), 3);
}

/* A UDP frame whose checksum computes to 0, so is sent as 0xffff: two
 * payload bytes make the sum come out so. */
static struct frame
udp_ffff(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t data[10])
{
	struct frame f = udp(src, sport, dst, dport);
	uint8_t b[FRAME_MAX];
	uint16_t c;

	f.payload = 10;
	f.data = data;
	memset(data + 8, 0, 2);
	frame_write(b, &f);
	c = mem16(b + ETH_HLEN + IP_HLEN + 6);
	memcpy(data + 8, &c, 2);
	frame_write(b, &f);
	assert_int_equal(get16(b + ETH_HLEN + IP_HLEN + 6), 0xffff);
	return f;
}

/* UDP checksums that come out 0 are sent as 0xffff, in the packet and in
 * the packet an ICMP error quotes. */
static void
test_udp_csum_ffff(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args a = snat_args(20000, 20099);
	uint8_t d1[10] = {1, 2, 3, 4, 5, 6, 7, 8}, d2[10] = {9, 8, 7, 6, 5, 4, 3, 2};
	struct frame f1 = udp_ffff(c2, 5002, s1, 53, d1);
	/* Sums to 0 once translated (its port 20070 is free, so kept). */
	struct frame f2 = udp_ffff(nat_ip, 20070, s1, 53, d2);
	uint8_t want[FRAME_MAX];
	struct sent u1, u2, s;

	assert_int_equal(ct_send(ct, &a, 10, f1, &u1), TRK | NEW | SNAT);
	frame_write(want, &f2);
	f2.src = c2;
	assert_int_equal(ct_send(ct, &a, 10, f2, &u2), TRK | NEW | SNAT);
	assert_memory_equal(u2.b, want, u2.len);

	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, u1.b + ETH_HLEN,
				       u1.len - ETH_HLEN, &s),
			 TRK | REL | RPL | SNAT);
	assert_memory_equal(quoted(&s), u1.in + ETH_HLEN, u1.len - ETH_HLEN);
	assert_int_equal(ct_send_error(ct, &a, 11, s1, nat_ip, ICMP_UNREACH, u2.b + ETH_HLEN,
				       u2.len - ETH_HLEN, &s),
			 TRK | REL | RPL | SNAT);
	assert_memory_equal(quoted(&s), u2.in + ETH_HLEN, u2.len - ETH_HLEN);
}

/* An ICMP error that must be +inv: counted under bad_icmp, left alone.
 * Failures are reported at the caller's line. */
#define expect_bad_error(...) expect_bad_error_at(__FILE__, __LINE__, __VA_ARGS__)

static void
expect_bad_error_at(const char *file, int line, struct conntrack *ct, uint32_t now, uint32_t src,
		    uint32_t dst, const uint8_t *inner, size_t quote)
{
	uint64_t bad = counter(ct, CT_CNT_bad_icmp), inv = counter(ct, CT_CNT_invalid);
	unsigned int n = conntrack_count(ct);
	struct sent s;

	ct_send_error(ct, &commit, now, src, dst, ICMP_UNREACH, inner, quote, &s);
	_assert_int_equal(s.state, TRK | INV, file, line);
	_assert_true(unchanged(&s), "unchanged", file, line);
	_assert_int_equal(counter(ct, CT_CNT_bad_icmp), bad + 1, file, line);
	_assert_int_equal(counter(ct, CT_CNT_invalid), inv + 1, file, line);
	_assert_int_equal(conntrack_count(ct), n, file, line);
}

static void
test_icmp_errors_bad(void **state)
{
	struct conntrack *ct = *state;
	uint8_t q[FRAME_MAX], bad[FRAME_MAX];
	struct frame err = {.proto = IPPROTO_ICMP, .src = c1, .dst = s1, .icmp_type = ICMP_UNREACH,
			    .payload = IP_HLEN + 8};
	struct sent u, s;
	size_t len;

	assert_int_equal(ct_send(ct, &commit, 10, udp(c1, 5000, s1, 53), &u), TRK | NEW);
	len = u.len - ETH_HLEN;
	memcpy(q, u.b + ETH_HLEN, len);
	err.data = q;
	/* The well-formed one, for contrast. */
	assert_int_equal(ct_send_error(ct, &commit, 11, s1, c1, ICMP_UNREACH, q, IP_HLEN + 8, &s),
			 TRK | REL | RPL);

	/* Cut short: fewer than 8 bytes after the header, no header at all. */
	expect_bad_error(ct, 11, s1, c1, q, IP_HLEN + 7);
	expect_bad_error(ct, 11, s1, c1, q, IP_HLEN);
	expect_bad_error(ct, 11, s1, c1, q, 0);
	/* Headers no packet has: IHL 4; IHL 15 with 28 bytes quoted; IPv6. */
	memcpy(bad, q, len);
	bad[0] = 0x44;
	expect_bad_error(ct, 11, s1, c1, bad, IP_HLEN + 8);
	bad[0] = 0x4f;
	expect_bad_error(ct, 11, s1, c1, bad, len);
	bad[0] = 0x65;
	expect_bad_error(ct, 11, s1, c1, bad, IP_HLEN + 8);
	/* A later fragment: what follows its header is not the UDP header. */
	memcpy(bad, q, len);
	put16(bad + 6, 0x0010);
	expect_bad_error(ct, 11, s1, c1, bad, IP_HLEN + 8);
	/* About packets of no connection; about an error. */
	ip_write(bad, &(struct frame){.proto = IPPROTO_UDP, .src = c1, .dst = s1, .sport = 5999,
				      .dport = 53, .payload = 8});
	expect_bad_error(ct, 11, s1, c1, bad, IP_HLEN + 8);
	ip_write(bad, &(struct frame){.proto = IPPROTO_TCP, .src = c1, .dst = s1, .sport = 5000,
				      .dport = 53, .tcp_flags = TCP_SYN});
	expect_bad_error(ct, 11, s1, c1, bad, IP_HLEN + 8);
	ip_write(bad, &err);
	expect_bad_error(ct, 11, s1, c1, bad, IP_HLEN + 8 + 8);
	assert_int_equal(counter(ct, CT_CNT_related), 1);

	/* A connection that timed out, swept or not, has no errors. */
	assert_int_equal(conntrack_set_timeout(ct, CT_TMO_udp_first, 5), 0);
	assert_int_equal(ct_send(ct, &commit, 100, udp(c1, 5001, s1, 53), &u), TRK | NEW);
	assert_int_equal(ct_send_error(ct, &commit, 104, s1, c1, ICMP_UNREACH, u.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | RPL);
	expect_bad_error(ct, 105, s1, c1, u.b + ETH_HLEN, IP_HLEN + 8);

	/* An echo with identifier 0 is no error's connection (an error's own
	 * tuple has 0 where an echo has its identifier). */
	assert_int_equal(ct_send(ct, &commit, 200, echo(c2, s1, 0, ICMP_ECHO), &u), TRK | NEW);
	assert_int_equal(ct_send_error(ct, &commit, 201, s1, c2, ICMP_UNREACH, u.b + ETH_HLEN,
				       IP_HLEN + 8, &s),
			 TRK | REL | RPL);
	ip_write(bad, &(struct frame){.proto = IPPROTO_UDP, .src = c2, .dst = s1, .sport = 5999,
				      .dport = 53, .payload = 8});
	expect_bad_error(ct, 201, s1, c2, bad, IP_HLEN + 8);
	assert_int_equal(ct_send(ct, &commit, 202, echo(s1, c2, 0, ICMP_ECHO_REPLY), &s),
			 TRK | EST | RPL);
	assert_int_equal(walk(ct, -1, -1, 202), 1);
	assert_int_equal(walked_orig(c2, 0, s1, 0)->packets[1], 1);
}

/* A frame ct() must call +inv without tracking anything, for reason why
 * (counted once as invalid, and once under why). Failures are reported at
 * the caller's line. */
#define expect_refused(...) expect_refused_at(__FILE__, __LINE__, __VA_ARGS__)
#define expect_refused_frame(...) expect_refused_frame_at(__FILE__, __LINE__, __VA_ARGS__)

static void
expect_refused_at(const char *file, int line, struct conntrack *ct, struct sent *s,
		  enum ct_counter why)
{
	uint64_t n = counter(ct, why), inv = counter(ct, CT_CNT_invalid);
	unsigned int count = conntrack_count(ct);

	ct_run(ct, 0, &commit, 20, s);
	_assert_int_equal(s->state, TRK | INV, file, line);
	_assert_true(unchanged(s), "unchanged", file, line);
	_assert_int_equal(conntrack_count(ct), count, file, line);
	_assert_int_equal(counter(ct, CT_CNT_invalid), inv + 1, file, line);
	_assert_int_equal(counter(ct, why), n + 1, file, line);
}

static void
expect_refused_frame_at(const char *file, int line, struct conntrack *ct, struct frame f,
			enum ct_counter why)
{
	struct sent s;

	s.len = frame_write(s.b, &f);
	expect_refused_at(file, line, ct, &s, why);
}

static void
test_bad_input(void **state)
{
	struct conntrack *ct = *state;
	static const uint8_t bad_flags[] = {
		TCP_SYN | TCP_FIN, TCP_SYN | TCP_RST, 0, TCP_FIN, TCP_SYN | TCP_PSH, TCP_PSH,
		TCP_URG, TCP_ECE, TCP_RST | TCP_FIN, TCP_SYN | TCP_FIN | TCP_ACK,
	};
	static const uint8_t no_conn_flags[] = {
		TCP_ACK, TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST, TCP_RST | TCP_ACK,
	};
	struct frame live = udp(c1, 5000, s1, 53), f;
	struct ct_stats st;
	struct sent s;
	unsigned int i;

	/* Connections none of this may touch: UDP, and established TCP. */
	assert_int_equal(ct_send(ct, &commit, 10, live, &s), TRK | NEW);
	assert_int_equal(ct_send(ct, &commit, 10, udp(s1, 53, c1, 5000), &s), TRK | EST | RPL);
	assert_int_equal(ct_send(ct, &commit, 10, tcp(c1, 6000, s1, 80, TCP_SYN), &s), TRK | NEW);
	assert_int_equal(ct_send(ct, &commit, 10, tcp(s1, 80, c1, 6000, TCP_SYN | TCP_ACK), &s),
			 TRK | EST | RPL);
	assert_int_equal(ct_send(ct, &commit, 10, tcp(c1, 6000, s1, 80, TCP_ACK), &s), TRK | EST);

	/* Fragments: the first (more to come), later ones. */
	f = live;
	f.frag = IP_MF;
	expect_refused_frame(ct, f, CT_CNT_fragments);
	f.frag = 0x0010;
	expect_refused_frame(ct, f, CT_CNT_fragments);
	f.frag = IP_DF | IP_MF | 0x0123;
	expect_refused_frame(ct, f, CT_CNT_fragments);
	f = tcp(c2, 7000, s1, 80, TCP_SYN);
	f.frag = IP_MF;
	expect_refused_frame(ct, f, CT_CNT_fragments);

	/* TCP flags no packet may carry, for no connection and for the live one. */
	for (i = 0; i < RTE_DIM(bad_flags); i++) {
		expect_refused_frame(ct, tcp(c2, 7000, s1, 80, bad_flags[i]), CT_CNT_bad_tcp);
		expect_refused_frame(ct, tcp(c1, 6000, s1, 80, bad_flags[i]), CT_CNT_bad_tcp);
		expect_refused_frame(ct, tcp(s1, 80, c1, 6000, bad_flags[i]), CT_CNT_bad_tcp);
	}
	/* Valid flags that cannot open a connection; a SYN inside the live one. */
	for (i = 0; i < RTE_DIM(no_conn_flags); i++)
		expect_refused_frame(ct, tcp(c2, 7000, s1, 80, no_conn_flags[i]), CT_CNT_no_conn);
	expect_refused_frame(ct, tcp(c1, 6000, s1, 80, TCP_SYN), CT_CNT_bad_tcp);
	expect_refused_frame(ct, tcp(s1, 80, c1, 6000, TCP_SYN), CT_CNT_bad_tcp);

	/* ICMP: a reply to no request; a type the table does not track. */
	expect_refused_frame(ct, echo(s1, c1, 3, ICMP_ECHO_REPLY), CT_CNT_no_conn);
	expect_refused_frame(ct, echo(c1, s1, 3, ICMP_TIMESTAMP), CT_CNT_bad_icmp);

	/* Cut short: TCP header (10 bytes), UDP header (4), ICMP (4), IPv4 header (12). */
	f = tcp(c2, 7000, s1, 80, TCP_SYN);
	f.payload = 0;
	f.cut = 10;
	expect_refused_frame(ct, f, CT_CNT_truncated);
	f = live;
	f.payload = 0;
	f.cut = 4;
	expect_refused_frame(ct, f, CT_CNT_truncated);
	f.cut = UDP_HLEN + 8;
	expect_refused_frame(ct, f, CT_CNT_truncated);
	f = echo(c1, s1, 3, ICMP_ECHO);
	f.payload = 0;
	f.cut = 4;
	expect_refused_frame(ct, f, CT_CNT_truncated);

	/* Not IPv4: the live UDP datagram's bytes as IPv6 and as ARP. */
	s.len = frame_write(s.b, &live);
	put16(s.b + 12, FLOW_ETH_IPV6);
	expect_refused(ct, &s, CT_CNT_not_ipv4);
	put16(s.b + 12, FLOW_ETH_ARP);
	expect_refused(ct, &s, CT_CNT_not_ipv4);

	/* Each was counted once as invalid and once under its reason; nothing
	 * was created or changed. */
	conntrack_stats(ct, &st);
	assert_int_equal(st.c[CT_CNT_invalid], invalid_reasons(&st));
	assert_int_equal(st.c[CT_CNT_fragments], 4);
	assert_int_equal(st.c[CT_CNT_bad_tcp], 3 * RTE_DIM(bad_flags) + 2);
	assert_int_equal(st.c[CT_CNT_no_conn], RTE_DIM(no_conn_flags) + 1);
	assert_int_equal(st.c[CT_CNT_bad_icmp], 1);
	assert_int_equal(st.c[CT_CNT_truncated], 4);
	assert_int_equal(st.c[CT_CNT_not_ipv4], 2);
	assert_int_equal(counter(ct, CT_CNT_created), 2);
	assert_int_equal(walk(ct, -1, -1, 20), 2);
	assert_string_equal(walked_orig(c1, 6000, s1, 80)->state, "ESTABLISHED");
	assert_int_equal(walked_orig(c1, 6000, s1, 80)->packets[0], 2);
	assert_int_equal(walked_orig(c1, 6000, s1, 80)->packets[1], 1);
	assert_int_equal(walked_orig(c1, 5000, s1, 53)->packets[0], 1);
	assert_int_equal(walked_orig(c1, 5000, s1, 53)->packets[1], 1);
	assert_int_equal(ct_send(ct, &commit, 21, live, &s), TRK | EST);
	assert_int_equal(ct_send(ct, &commit, 21, tcp(s1, 80, c1, 6000, TCP_ACK), &s),
			 TRK | EST | RPL);
}

/* The connection of `orig` as the walk at now shows it. */
static const struct ct_conn_info *
walk_one(struct conntrack *ct, uint32_t now, const struct frame *orig)
{
	walk(ct, -1, -1, now);
	return walked_orig(orig->src, orig->sport, orig->dst, orig->dport);
}

/* TCP closing and a client reusing its port: a SYN on a connection in
 * TIME_WAIT or CLOSED (or timed out) starts it over, with its translation. */
static void
test_tcp_reuse(void **state)
{
	struct conntrack *ct = *state;
	struct ct_args a = snat_args(20000, 20099), a_nocommit = a;
	struct frame syn = tcp(c1, 4000, s1, 80, TCP_SYN), ack = tcp(c1, 4000, s1, 80, TCP_ACK);
	struct frame fin = tcp(c1, 4000, s1, 80, TCP_FIN | TCP_ACK), synack, rfin, rst;
	const struct ct_conn_info *info;
	struct sent s;
	uint16_t port;

	a_nocommit.flags &= (uint8_t)~CT_F_COMMIT;
	assert_int_equal(ct_send(ct, &a, 10, syn, &s), TRK | NEW | SNAT);
	port = s.out.sport;
	synack = tcp(s1, 80, nat_ip, port, TCP_SYN | TCP_ACK);
	rfin = tcp(s1, 80, nat_ip, port, TCP_FIN | TCP_ACK);
	rst = tcp(s1, 80, nat_ip, port, TCP_RST | TCP_ACK);
	assert_int_equal(ct_send(ct, &a, 10, synack, &s), TRK | EST | RPL | SNAT);
	assert_string_equal(walk_one(ct, 10, &syn)->state, "SYN_RECV");
	assert_int_equal(ct_send(ct, &a, 10, ack, &s), TRK | EST | SNAT);
	assert_string_equal(walk_one(ct, 10, &syn)->state, "ESTABLISHED");
	assert_int_equal(ct_send(ct, &a, 11, syn, &s), TRK | INV);

	/* Both FINs: TIME_WAIT, where ACKs still pass. */
	assert_int_equal(ct_send(ct, &a, 12, fin, &s), TRK | EST | SNAT);
	info = walk_one(ct, 12, &syn);
	assert_string_equal(info->state, "FIN_WAIT");
	assert_int_equal(info->expires_in, conntrack_timeout(ct, CT_TMO_tcp_fin_wait));
	assert_int_equal(ct_send(ct, &a, 13, rfin, &s), TRK | EST | RPL | SNAT);
	assert_int_equal(ct_send(ct, &a, 13, ack, &s), TRK | EST | SNAT);
	info = walk_one(ct, 13, &syn);
	assert_string_equal(info->state, "TIME_WAIT");
	assert_int_equal(info->expires_in, conntrack_timeout(ct, CT_TMO_tcp_time_wait));
	assert_int_equal(info->packets[0], 4);

	/* A SYN that does not commit is new and leaves the connection as it was. */
	assert_int_equal(ct_send(ct, &a_nocommit, 14, syn, &s), TRK | NEW);
	assert_true(unchanged(&s));
	info = walk_one(ct, 14, &syn);
	assert_string_equal(info->state, "TIME_WAIT");
	assert_int_equal(info->packets[0], 4);
	assert_int_equal(info->expires_in, conntrack_timeout(ct, CT_TMO_tcp_time_wait) - 1);
	/* Committed, it starts the connection over, with the same port. */
	assert_int_equal(ct_send(ct, &a, 14, syn, &s), TRK | NEW | SNAT);
	assert_int_equal(s.out.sport, port);
	info = walk_one(ct, 14, &syn);
	assert_string_equal(info->state, "SYN_SENT");
	assert_false(info->replied);
	assert_int_equal(info->packets[0], 1);
	assert_int_equal(info->packets[1], 0);
	assert_int_equal(conntrack_count(ct), 1);
	assert_int_equal(ct_send(ct, &a, 15, synack, &s), TRK | EST | RPL | SNAT);
	assert_int_equal(ct_send(ct, &a, 15, ack, &s), TRK | EST | SNAT);

	/* An RST closes it; a SYN starts it over. */
	assert_int_equal(ct_send(ct, &a, 16, rst, &s), TRK | EST | RPL | SNAT);
	info = walk_one(ct, 16, &syn);
	assert_string_equal(info->state, "CLOSED");
	assert_int_equal(info->expires_in, conntrack_timeout(ct, CT_TMO_tcp_close));
	assert_int_equal(ct_send(ct, &a, 17, ack, &s), TRK | EST | SNAT);
	assert_string_equal(walk_one(ct, 17, &syn)->state, "CLOSED");
	assert_int_equal(ct_send(ct, &a, 17, syn, &s), TRK | NEW | SNAT);
	assert_int_equal(s.out.sport, port);
	assert_string_equal(walk_one(ct, 17, &syn)->state, "SYN_SENT");

	/* Timed out in SYN_SENT, not swept: only a SYN gets through, and only a
	 * committed one brings the connection back. */
	assert_int_equal(conntrack_timeout(ct, CT_TMO_tcp_syn_sent), 30);
	assert_int_equal(ct_send(ct, &a, 47, ack, &s), TRK | INV);
	assert_int_equal(ct_send(ct, &a, 47, synack, &s), TRK | INV);
	assert_int_equal(ct_send(ct, &a_nocommit, 47, syn, &s), TRK | NEW);
	assert_true(unchanged(&s));
	assert_null(walk_one(ct, 47, &syn));
	assert_int_equal(conntrack_count(ct), 1);
	assert_int_equal(ct_send(ct, &a, 47, syn, &s), TRK | NEW | SNAT);
	assert_int_equal(s.out.sport, port);
	info = walk_one(ct, 47, &syn);
	assert_non_null(info);
	assert_string_equal(info->state, "SYN_SENT");
	assert_int_equal(info->expires_in, 30);
	assert_int_equal(conntrack_count(ct), 1);
}

static void
test_create_params(void **state)
{
	struct conntrack_params p = {.capacity = 16, .n_threads = 0, .socket_id = SOCKET_ID_ANY};
	struct conntrack *ct;

	(void)state;
	errno = 0;
	assert_null(conntrack_create(&p));
	assert_int_equal(errno, EINVAL);
	p.n_threads = 1;
	p.capacity = (1u << 28) + 1;
	errno = 0;
	assert_null(conntrack_create(&p));
	assert_int_equal(errno, EINVAL);
	p.capacity = 16;
	ct = conntrack_create(&p);
	assert_non_null(ct);
	assert_int_equal(conntrack_capacity(ct), 16);
	assert_int_equal(conntrack_limit(ct, 0), 16);
	assert_int_equal(conntrack_count(ct), 0);
	conntrack_destroy(ct);
	conntrack_destroy(NULL);
}

static int
ct_setup(void **state)
{
	struct conntrack_params p = {
		.capacity = CAPACITY, .n_threads = 1, .socket_id = SOCKET_ID_ANY, .qsbr = NULL};

	*state = conntrack_create(&p);
	return *state == NULL ? -1 : 0;
}

static int
ct_teardown(void **state)
{
	conntrack_destroy(*state);
	return 0;
}

#define CT_TEST(fn) cmocka_unit_test_setup_teardown(fn, ct_setup, ct_teardown)

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_params),
		CT_TEST(test_timeouts),
		CT_TEST(test_zone_limits),
		CT_TEST(test_snat_ports),
		CT_TEST(test_snat_replies),
		CT_TEST(test_dnat),
		CT_TEST(test_nat_checksums),
		cmocka_unit_test(test_icmp_id_edit),
		CT_TEST(test_icmp_errors),
		CT_TEST(test_udp_csum_ffff),
		CT_TEST(test_icmp_errors_bad),
		CT_TEST(test_bad_input),
		CT_TEST(test_tcp_reuse),
		CT_TEST(test_random),
		CT_TEST(test_burst),
	};
	int ret;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_conntrack: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_conntrack", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_conntrack: cannot create the mbuf pool\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
