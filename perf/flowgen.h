/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_PERF_FLOWGEN_H
#define VSWITCH_PERF_FLOWGEN_H

/*
 * Rules and traffic for the rule pipeline benchmarks: random rules over 20
 * mask shapes (the IPv4 and L2 ones of microbench_cls), flows that match a
 * given rule, and the 64-byte Ethernet + IPv4 + TCP/UDP frame of a flow
 * (802.1Q-tagged when its VLAN is not 0). A flow key here is exactly what
 * flow_key_extract() makes of its frame; flowgen_check_frame() verifies it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "datapath/flow_actions.h"
#include "datapath/flow_key.h"
#include "datapath/flow_pipeline.h"

#define FLOWGEN_SHAPES 20
#define FLOWGEN_FRAME_LEN 64
#define FLOWGEN_BAND 3000 /* priorities of a shape when banded: 20 bands fit in 16 bits */

/* splitmix64. */
struct flowgen_rng {
	uint64_t s;
};

uint64_t flowgen_rng_next(struct flowgen_rng *r);
uint32_t flowgen_rng_below(struct flowgen_rng *r, uint32_t n);

struct flowgen_rule_params {
	uint16_t rule_ports;        /* in_port values rules draw from: 0 .. rule_ports-1 */
	bool banded;                /* one priority band per shape, shape 0 highest */
	const struct flow_act *act; /* every rule's only action */
};

/*
 * n rules spread evenly over the shapes; rule i gets counter slot i, priority
 * 1..65535 at random or, banded, in its shape's band. Two rules may overlap at
 * one priority (the control side would refuse them): with one action for all,
 * which one wins does not matter.
 */
void flowgen_rules(struct flowgen_rng *r, const struct flowgen_rule_params *p,
		   struct flow_pipeline_rule *rules, uint32_t n);

/* The key of an untagged IPv4 TCP or UDP frame received on in_port, other
 * fields random. */
void flowgen_random_key(struct flowgen_rng *r, uint16_t in_port, struct flow_key *k);

/* A flow received on in_port that a random one of the rules matches (one
 * whose in_port, if it has one, is in_port): its masked bits over a random key. */
void flowgen_flow(struct flowgen_rng *r, uint16_t in_port, const struct flow_pipeline_rule *rules,
		  uint32_t n, struct flow_key *f);

/* Writes the FLOWGEN_FRAME_LEN-byte frame of k. */
void flowgen_frame(const struct flow_key *k, uint8_t *frame);

/* 0 when flow_key_extract() of the frame, received on k->in_port, gives k
 * back; -EINVAL if not, -ENOMEM without an mbuf from mp. */
int flowgen_check_frame(struct rte_mempool *mp, const struct flow_key *k, const uint8_t *frame);

#endif
