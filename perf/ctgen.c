/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "ctgen.h"
#include "flowgen.h"

/* A 64-byte Ethernet + IPv4 + UDP or TCP frame with TTL 64, valid checksums and a payload. */
static void
frame_write(uint8_t *p, uint64_t dl_dst, uint64_t dl_src, rte_be32_t src, rte_be32_t dst,
	    rte_be16_t sport, rte_be16_t dport, bool tcp, uint8_t tcp_flags)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	size_t l4_len = CTGEN_FRAME_LEN - RTE_ETHER_HDR_LEN - sizeof(*ip);

	memset(p, 0, CTGEN_FRAME_LEN);
	mb_mac_put(p, dl_dst);
	mb_mac_put(p + RTE_ETHER_ADDR_LEN, dl_src);
	p[12] = RTE_ETHER_TYPE_IPV4 >> 8;
	p[13] = RTE_ETHER_TYPE_IPV4 & 0xff;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(CTGEN_FRAME_LEN - RTE_ETHER_HDR_LEN);
	ip->time_to_live = 64;
	ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	for (size_t i = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr); i < l4_len;
	     i++)
		l4[i] = (uint8_t)(0xa5 ^ i);
	if (tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = sport;
		t->dst_port = dport;
		t->data_off = 5 << 4;
		t->tcp_flags = tcp_flags;
		t->rx_win = RTE_BE16(65535);
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = sport;
		u->dst_port = dport;
		u->dgram_len = rte_cpu_to_be_16((uint16_t)l4_len);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	}
}

void
ctgen_flow_frame(const struct ctgen_flow *f, bool tcp, uint8_t tcp_flags, uint8_t *p)
{
	frame_write(p, CTGEN_GW_MAC, mb_station_mac(CTGEN_PORT_VM, f->vm), f->vm_ip, f->srv_ip,
		    f->vm_port, f->srv_port, tcp, tcp_flags);
}

void
ctgen_answer_frame(const struct ctgen_flow *f, rte_be16_t nat_port, bool tcp, uint8_t *p)
{
	frame_write(p, CTGEN_GW_MAC, CTGEN_NH_MAC, f->srv_ip, RTE_BE32(CTGEN_EXT_IP), f->srv_port,
		    nat_port, tcp, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
}

static uint64_t
mac_get(const uint8_t *p)
{
	uint64_t be = 0;

	memcpy(&be, p, RTE_ETHER_ADDR_LEN);
	return rte_be_to_cpu_64(be) >> 16;
}

bool
ctgen_read(const struct rte_mbuf *m, struct ctgen_fields *x)
{
	uint8_t c[CTGEN_FRAME_LEN];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(c + RTE_ETHER_HDR_LEN);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	rte_be16_t ip_sum, l4_sum;
	size_t sum_at;

	if (rte_pktmbuf_data_len(m) != CTGEN_FRAME_LEN || m->nb_segs != 1)
		return false;
	memcpy(c, rte_pktmbuf_mtod(m, const uint8_t *), CTGEN_FRAME_LEN);
	if (c[12] != (RTE_ETHER_TYPE_IPV4 >> 8) || c[13] != (RTE_ETHER_TYPE_IPV4 & 0xff) ||
	    (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP))
		return false;
	x->dl_dst = mac_get(c);
	x->dl_src = mac_get(c + RTE_ETHER_ADDR_LEN);
	x->src = ip->src_addr;
	x->dst = ip->dst_addr;
	x->ttl = ip->time_to_live;
	memcpy(&x->sport, l4, 2);
	memcpy(&x->dport, l4 + 2, 2);
	/* Recomputed over the copy with the fields zeroed. */
	ip_sum = ip->hdr_checksum;
	ip->hdr_checksum = 0;
	sum_at = ip->next_proto_id == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
						  : offsetof(struct rte_udp_hdr, dgram_cksum);
	memcpy(&l4_sum, l4 + sum_at, 2);
	memset(l4 + sum_at, 0, 2);
	x->csum_ok = rte_ipv4_cksum(ip) == ip_sum && rte_ipv4_udptcp_cksum(ip, l4) == l4_sum;
	return true;
}

bool
ctgen_check_out(const struct ctgen_fields *x, const struct ctgen_flow *f, rte_be16_t nat_port)
{
	return x->src == RTE_BE32(CTGEN_EXT_IP) && x->dst == f->srv_ip && x->dport == f->srv_port &&
	       x->ttl == 63 && x->csum_ok && x->dl_src == CTGEN_GW_MAC &&
	       x->dl_dst == CTGEN_NH_MAC && (nat_port == 0 || x->sport == nat_port);
}

bool
ctgen_check_answer(const struct ctgen_fields *x, const struct ctgen_flow *f)
{
	return x->dst == f->vm_ip && x->dport == f->vm_port && x->src == f->srv_ip &&
	       x->sport == f->srv_port && x->csum_ok;
}

static uint64_t
gcd64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint64_t
ctgen_pairs(uint32_t vms)
{
	return (uint64_t)vms * (CTGEN_EPH_HI - CTGEN_EPH_LO + 1);
}

void
ctgen_flows(uint64_t seed, uint32_t vms, uint32_t servers, struct ctgen_flow *flows, uint32_t n)
{
	uint64_t space = ctgen_pairs(vms);
	uint64_t stride = UINT64_C(2654435761) % space;
	struct flowgen_rng r = { .s = seed ^ UINT64_C(0xc0ffee) };

	while (stride < 2 || gcd64(stride, space) != 1)
		stride = (stride + 1) % space;
	for (uint32_t i = 0; i < n; i++) {
		struct ctgen_flow *f = &flows[i];
		uint64_t x = (uint64_t)i * stride % space;

		f->vm = (uint32_t)(x % vms);
		f->vm_ip = rte_cpu_to_be_32(CTGEN_VM_FIRST + f->vm);
		f->vm_port = rte_cpu_to_be_16((uint16_t)(CTGEN_EPH_LO + x / vms));
		f->srv_ip = rte_cpu_to_be_32(CTGEN_SERVERS + flowgen_rng_below(&r, servers));
		f->srv_port = RTE_BE16(CTGEN_SERVER_PORT);
	}
}
