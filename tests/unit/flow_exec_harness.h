/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_TESTS_UNIT_FLOW_EXEC_HARNESS_H
#define VSWITCH_TESTS_UNIT_FLOW_EXEC_HARNESS_H

/*
 * The switch that test_flow_exec and test_flow_cache run frames through: one
 * bridge of N_PORTS ring-backed ethdev ports (as perf/mb_harness.c
 * builds them), a snapshot whose pipeline the test builds and publishes, and
 * the forwarding context of PMD 0 (see the .c file). Frames go in through
 * fwd_burst() and fwd_flush(); what the ports transmit is read back from
 * their TX rings byte by byte.
 *
 * Also here: builders for pipeline rules and their actions, for frames, and
 * assertions on what came out, on checksums, on per-rule counters and on
 * mbufs left out of the pool.
 *
 * Single-threaded: everything runs on the thread that ran fe_eal_init(),
 * between group_setup() and group_teardown().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/flow_actions.h"
#include "datapath/flow_pipeline.h"
#include "datapath/forward.h"

#define N_PORTS 4        /* ports 0..N_PORTS-1, all in the bridge, all in its flood list */
#define N_SLOTS 64       /* per-rule counter slots, all allocated */
#define MAX_RULES N_SLOTS /* rules a test can build before build_and_publish() */
#define MAX_ACTS 8       /* actions per rule */
#define MAX_OUT 128      /* frames collected per port and burst */
#define FRAME_MAX 256    /* the largest frame the tests build or read back */

/* ---- the switch ---- */

extern struct snapshot *snap;          /* bridge 0 holds every port */
extern struct dp_port_stats *stats;    /* per-port counters, DP_MAX_PORTS of them */
extern struct flow_stats_pool *fpool;  /* rule counters; slot i is rule i's */
extern struct fwd_ctx *ctx;            /* PMD 0's context, with its flow cache */
extern struct conntrack *ct;           /* its connection table (1,024 connections) */
extern struct rte_ring *punt_ring;     /* where its controller actions queue frames */

/*
 * Starts DPDK (no hugepages, no PCI, one lcore) with argv0 as the program
 * name. Returns 0, or -1 after printing "<test_name>: rte_eal_init failed".
 */
int fe_eal_init(char *argv0, const char *test_name);

/* cmocka group setup and teardown: create and destroy the switch. */
int group_setup(void **state);
int group_teardown(void **state);

/*
 * cmocka per-test setup and teardown. test_setup() frees what ports sent
 * before, zeroes the port and rule counters, restores each port's default
 * VLAN configuration, starts an empty rule list and notes how many mbufs
 * are in use for assert_no_leak(). test_teardown() publishes no pipeline.
 */
int test_setup(void **state);
int test_teardown(void **state);

/* Fails the test if fewer mbufs are back in the pool than at test_setup(). */
void assert_no_leak(void);

/* Makes pl (or NULL: none) the bridge's pipeline; takes over pl's reference. */
void publish(struct flow_pipeline *pl);

/* Zeroes every rule counter of PMD 0. */
void zero_counters(void);

/* ---- rules ---- */

/* The rule list that rule() appends to: rules[0..n_rules-1]. */
extern struct flow_pipeline_rule rules[MAX_RULES];
extern unsigned int n_rules;

/*
 * Appends a rule that matches everything and has no actions (drops) in
 * table at priority, counting into slot n_rules (its index).
 */
struct flow_pipeline_rule *rule(uint8_t table, uint16_t priority);

/* Actions, appended to r's list: output to port; type with arg as its
 * argument; set an IPv4 address, a TCP/UDP port or a MAC (host order in). */
void a_output(struct flow_pipeline_rule *r, uint16_t port);
void a_arg(struct flow_pipeline_rule *r, enum flow_act_type type, uint16_t arg);
void a_ip(struct flow_pipeline_rule *r, enum flow_act_type type, uint32_t addr);
/* ct() with CT_F_* flags, table (with CT_F_TABLE), zone and a NAT address
 * (host order; with CT_F_NAT_SRC or CT_F_NAT_DST). */
void a_ct(struct flow_pipeline_rule *r, uint8_t flags, uint8_t table, uint16_t zone,
	  uint32_t nat_ip);
/* Matches the ct_state bits of mask against value. */
void m_ct_state(struct flow_pipeline_rule *r, uint8_t value, uint8_t mask);
void a_tp(struct flow_pipeline_rule *r, enum flow_act_type type, uint16_t port);
void a_mac(struct flow_pipeline_rule *r, enum flow_act_type type, const uint8_t *mac);

/* Matches, added to r's: the input port; IPv4; IPv4 and a protocol; an
 * IPv4 prefix (host order) as destination or source; IPv4, a protocol and
 * a destination port; a VID; a destination MAC. */
void m_in_port(struct flow_pipeline_rule *r, uint16_t port);
void m_ip(struct flow_pipeline_rule *r);
void m_proto(struct flow_pipeline_rule *r, uint8_t proto);
void m_nw_dst(struct flow_pipeline_rule *r, uint32_t addr, unsigned int plen);
void m_nw_src(struct flow_pipeline_rule *r, uint32_t addr, unsigned int plen);
void m_tp_dst(struct flow_pipeline_rule *r, uint8_t proto, uint16_t port);
void m_vlan(struct flow_pipeline_rule *r, uint16_t vid);
void m_dl_dst(struct flow_pipeline_rule *r, const uint8_t *mac);

/*
 * Builds rules[0..n_rules-1] into a pipeline, publishes it and empties the
 * rule list. Returns the pipeline, whose reference the snapshot holds.
 */
struct flow_pipeline *build_and_publish(void);

/* ---- frames ---- */

/* An IPv4 address in host order. */
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

extern const uint8_t mac_a[6], mac_b[6], mac_c[6];

/* A frame to build with frame(). */
struct pkt {
	uint8_t dst[6], src[6];
	unsigned int n_tags;
	uint16_t tpid[2], tci[2]; /* outer first */
	uint16_t type;            /* EtherType after the tags */
	uint32_t ip_src, ip_dst;  /* host order */
	uint8_t proto, ttl, tos;
	uint16_t sport, dport;
	uint16_t frag;            /* the IPv4 flags and fragment offset field */
	bool no_udp_csum;
	uint16_t payload;
};

/* An Ethernet/IPv4/UDP frame from a to b, 10.0.0.1 -> 10.0.0.2, 1000 -> 53. */
struct pkt udp_pkt(void);

/* The same, TCP, 40000 -> 80. */
struct pkt tcp_pkt(void);

/* Adds a tag (at most two) inside the ones s has. */
void tag(struct pkt *s, uint16_t tpid, uint16_t tci);

/*
 * Writes the frame s describes into buf (FRAME_MAX bytes), with correct
 * checksums, padded to 60 bytes; returns its length.
 */
size_t frame(uint8_t *buf, const struct pkt *s);

/* ---- sending, and what came out ---- */

/* What came out of each port, in order. */
struct outs {
	unsigned int n[N_PORTS];
	struct rte_mbuf *m[N_PORTS][MAX_OUT];
};

/*
 * Sends n frames (<= FWD_BURST) received on in_port through fwd_burst()
 * and fwd_flush(), and collects what each port sent into o; the caller
 * frees them with outs_free().
 */
void send_frames(uint16_t in_port, uint8_t (*bufs)[FRAME_MAX], const size_t *lens, unsigned int n,
		 struct outs *o);

/* send_frames() of the one frame s describes. */
void send1(uint16_t in_port, const struct pkt *s, struct outs *o);

/* Frees the frames in o and empties it. */
void outs_free(struct outs *o);

/* Prints len bytes as hex, labelled what, in cmocka's output. */
void hexdump(const char *what, const uint8_t *b, size_t len);

/* Whether m is one segment holding exactly the len bytes exp. */
bool bytes_equal(const struct rte_mbuf *m, const uint8_t *exp, size_t len);

/* Port p sent exactly one frame, these bytes (else prints both and fails). */
void assert_one(const struct outs *o, uint16_t p, const uint8_t *exp, size_t len);

/* Port p sent exactly one frame, the one s describes. */
void assert_one_pkt(const struct outs *o, uint16_t p, const struct pkt *s);

/* Which ports sent how many frames: "1 0 0 2" for ports 0..3. */
void assert_counts(const struct outs *o, unsigned int c0, unsigned int c1, unsigned int c2,
		   unsigned int c3);

/*
 * m's IPv4 header checksum and TCP/UDP checksum are right, recomputed from
 * scratch behind any tags (a UDP checksum of 0 means none; frames that
 * are not IPv4 pass).
 */
void assert_csums(const struct rte_mbuf *m);

/* The rule counter of slot counted exactly these packets and bytes. */
void assert_counter(uint32_t slot, uint64_t packets, uint64_t bytes);

#endif /* VSWITCH_TESTS_UNIT_FLOW_EXEC_HARNESS_H */
