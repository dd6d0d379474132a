/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSWITCH_PERF_CTGEN_H
#define VSWITCH_PERF_CTGEN_H

/*
 * Connection traffic for microbench_ct: VMs 10.0.0.2... on port "vm" (p0) open
 * UDP or TCP connections from ephemeral ports to a few servers in
 * 198.18.0.0/15 port 443, through a gateway that source-NATs them to
 * 192.0.2.10 and routes them out of port "uplink" (p1) to a next hop. ctgen
 * makes the flows, their 64-byte frames (to the gateway's MAC) and the
 * servers' answers, and reads frames back to check what NAT and routing made
 * of them. The MACs are the harness's stations (mb_station_mac()), so the FDB
 * learns them with mb_harness_learn_stations().
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "mb_harness.h"

#define CTGEN_FRAME_LEN 64
#define CTGEN_PORT_VM 0     /* "vm": the VMs' port */
#define CTGEN_PORT_UPLINK 1 /* "uplink" */
#define CTGEN_EPH_LO 32768  /* VMs' source ports: Linux's ip_local_port_range */
#define CTGEN_EPH_HI 60999
#define CTGEN_SERVER_PORT 443

/* Addresses, host order. */
#define CTGEN_SUBNET 0x0a000000u   /* 10.0.0.0/8 */
#define CTGEN_GATEWAY 0x0a000001u  /* 10.0.0.1 */
#define CTGEN_VM_FIRST 0x0a000002u /* VM v is 10.0.0.2 + v */
#define CTGEN_EXT_IP 0xc000020au   /* 192.0.2.10 */
#define CTGEN_NEXT_HOP 0xc0000201u /* 192.0.2.1 */
#define CTGEN_SERVERS 0xc6120001u  /* server s is 198.18.0.1 + s */
#define CTGEN_GW_MAC mb_station_mac(CTGEN_PORT_UPLINK, 0) /* the FDB knows it on the uplink */
#define CTGEN_NH_MAC UINT64_C(0x020000fffffe)              /* the next hop's */

/* One connection, as its VM sees it. */
struct ctgen_flow {
	rte_be32_t vm_ip, srv_ip;
	rte_be16_t vm_port, srv_port;
	uint32_t vm; /* its MAC is mb_station_mac(CTGEN_PORT_VM, vm) */
};

/* What a frame says, read back by ctgen_read(). */
struct ctgen_fields {
	uint64_t dl_dst, dl_src;
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
	uint8_t ttl;
	bool csum_ok; /* IPv4 header and L4 checksums */
};

/* The distinct (VM, source port) pairs vms VMs have: the most flows ctgen_flows() can make. */
uint64_t ctgen_pairs(uint32_t vms);

/*
 * n (<= ctgen_pairs(vms)) flows with distinct (VM, source port) pairs: flow i takes pair
 * (i * stride) mod ctgen_pairs(vms), a bijection, so neighbours differ in both; its server is
 * one of servers, drawn from seed. Two flows to one server from one port of different VMs want
 * the same NAT port: conntrack then looks for another, as it would for real VMs.
 */
void ctgen_flows(uint64_t seed, uint32_t vms, uint32_t servers, struct ctgen_flow *flows,
		 uint32_t n);

/* Writes f's CTGEN_FRAME_LEN-byte frame from its VM to the gateway: UDP, or with tcp a TCP
 * segment with tcp_flags. TTL 64, valid checksums. */
void ctgen_flow_frame(const struct ctgen_flow *f, bool tcp, uint8_t tcp_flags, uint8_t *p);

/* Writes the server's answer to f (with tcp, a SYN-ACK) as it reaches the uplink: from the
 * next hop's MAC to the gateway's, to 192.0.2.10 and nat_port. */
void ctgen_answer_frame(const struct ctgen_flow *f, rte_be16_t nat_port, bool tcp, uint8_t *p);

/* Reads m into *x; false (x untouched) when m is not a 64-byte IPv4 TCP/UDP frame. */
bool ctgen_read(const struct rte_mbuf *m, struct ctgen_fields *x);

/* True when x is f's frame as the NAT rules send it out of the uplink: from 192.0.2.10 and
 * nat_port (any port when 0) to the server, TTL 63, gateway MAC to next hop MAC, valid
 * checksums. */
bool ctgen_check_out(const struct ctgen_fields *x, const struct ctgen_flow *f, rte_be16_t nat_port);

/* True when x is the server's answer to f translated back to the VM, with valid checksums. */
bool ctgen_check_answer(const struct ctgen_fields *x, const struct ctgen_flow *f);

#endif
