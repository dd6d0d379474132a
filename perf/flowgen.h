/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_PERF_FLOWGEN_H
#define VSWITCH_PERF_FLOWGEN_H

/*
 * Rules and traffic for the rule pipeline and classifier benchmarks: random
 * rules over up to 23 mask shapes, flows that match a given rule, and the
 * 64-byte Ethernet + IPv4 + TCP/UDP frame of a flow (802.1Q-tagged when its
 * VLAN is not 0). Keys come in two kinds (enum flowgen_keys): a frame's, which
 * is exactly what flow_key_extract() makes of it (flowgen_check_frame()
 * verifies that), or one that only looks parsed, for the classifier alone.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "datapath/flow_actions.h"
#include "datapath/flow_key.h"
#include "datapath/flow_pipeline.h"

/* The mask shapes, in order: the first FLOWGEN_SHAPES are the IPv4 and L2 ones, the default
 * set and all that flowgen_rules() uses; then "ipv6 dst/64", "ipv6 src/64 dst/128" (for
 * FLOWGEN_PARSED keys only: flowgen_frame() writes no IPv6) and "ip proto". */
#define FLOWGEN_SHAPES 20
#define FLOWGEN_SHAPES_ALL 23
#define FLOWGEN_FRAME_LEN 64
#define FLOWGEN_BAND 3000 /* priorities of a shape when banded: 20 bands fit in 16 bits */

/* splitmix64. */
struct flowgen_rng {
	uint64_t s;
};

uint64_t flowgen_rng_next(struct flowgen_rng *r);
uint32_t flowgen_rng_below(struct flowgen_rng *r, uint32_t n);

enum flowgen_keys {
	/* Untagged IPv4 TCP or UDP received on the in_port asked for, other fields random:
	 * what flow_key_extract() makes of the key's flowgen_frame(). A rule over these
	 * draws its in_port (if it matches one) from 0..rule_ports-1 and its VID from
	 * 1..4094. microbench_flows. */
	FLOWGEN_FRAMES,
	/* Keys that only look parsed, for the classifier alone: one in 8 IPv6, in_port
	 * 0..1023 (the in_port asked for is ignored), any TCI, all 64 bits of the address
	 * words random, no TCP flags. A rule keeps its key's in_port and TCI.
	 * microbench_cls. */
	FLOWGEN_PARSED,
};

/* A random key of the kind, received on in_port. */
void flowgen_random_key(struct flowgen_rng *r, enum flowgen_keys kind, uint16_t in_port,
			struct flow_key *k);

/* The mask of shape s (< FLOWGEN_SHAPES_ALL) and a random key for it, masked: one rule's
 * match over keys of the kind. rule_ports matters to FLOWGEN_FRAMES only. */
void flowgen_shape_rule(struct flowgen_rng *r, enum flowgen_keys kind, uint32_t s,
			uint16_t rule_ports, struct flow_key *mask, struct flow_key *key);

/* A flow that the rule (mask, key) matches: its masked bits over a random key of the kind
 * received on in_port. */
void flowgen_match(struct flowgen_rng *r, enum flowgen_keys kind, uint16_t in_port,
		   const struct flow_key *mask, const struct flow_key *key, struct flow_key *f);

struct flowgen_rule_params {
	uint16_t rule_ports;        /* in_port values rules draw from: 0 .. rule_ports-1 */
	bool banded;                /* one priority band per shape, shape 0 highest */
	const struct flow_act *act; /* every rule's only action */
};

/*
 * n rules over FLOWGEN_FRAMES keys, spread evenly over the first FLOWGEN_SHAPES
 * shapes; rule i gets counter slot i, priority 1..65535 at random or, banded, in
 * its shape's band. Two rules may overlap at one priority (the control side would
 * refuse them): with one action for all, which one wins does not matter.
 */
void flowgen_rules(struct flowgen_rng *r, const struct flowgen_rule_params *p,
		   struct flow_pipeline_rule *rules, uint32_t n);

/* A FLOWGEN_FRAMES flow received on in_port that a random one of the rules matches (one
 * whose in_port, if it has one, is in_port). */
void flowgen_flow(struct flowgen_rng *r, uint16_t in_port, const struct flow_pipeline_rule *rules,
		  uint32_t n, struct flow_key *f);

/* Writes the FLOWGEN_FRAME_LEN-byte frame of k. */
void flowgen_frame(const struct flow_key *k, uint8_t *frame);

/* 0 when flow_key_extract() of the frame, received on k->in_port, gives k
 * back; -EINVAL if not, -ENOMEM without an mbuf from mp. */
int flowgen_check_frame(struct rte_mempool *mp, const struct flow_key *k, const uint8_t *frame);

#endif
