/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <netinet/in.h>

#include <rte_ip.h>

#include "arp_frame.h"
#include "datapath/vlan.h"

#define ETH_TYPE_OFF 12
#define ARP_LEN 28
#define ICMP_ECHO_REQUEST 8

/* The offset of the EtherType after at most one tag, and the tag. */
static uint32_t
ether_type_at(const uint8_t *p, uint32_t len, uint16_t *tci, bool *tagged)
{
	uint32_t o = ETH_TYPE_OFF;

	*tagged = false;
	*tci = 0;
	if (len >= o + 4 && vlan_is_tpid_be(p + o)) {
		*tagged = true;
		*tci = vlan_read16(p + o + 2);
		o += VLAN_HLEN;
	}
	return o;
}

static uint16_t
be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool
arp_frame_parse(const struct rte_mbuf *m, struct arp_info *a)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t o = ether_type_at(p, len, &a->vlan_tci, &a->tagged);
	const uint8_t *arp;

	if (len < o + 2 + ARP_LEN || be16_at(p + o) != RTE_ETHER_TYPE_ARP)
		return false;
	arp = p + o + 2;
	if (be16_at(arp) != 1 || be16_at(arp + 2) != RTE_ETHER_TYPE_IPV4 || arp[4] != 6 ||
	    arp[5] != 4)
		return false;
	a->op = be16_at(arp + 6);
	if (a->op != ARP_OP_REQUEST && a->op != ARP_OP_REPLY)
		return false;
	memcpy(&a->sha, arp + 8, 6);
	memcpy(&a->spa, arp + 14, 4);
	memcpy(&a->tha, arp + 18, 6);
	memcpy(&a->tpa, arp + 24, 4);
	return true;
}

struct rte_mbuf *
arp_frame_build(struct rte_mempool *pool, const struct rte_ether_addr *dst,
		const struct arp_info *a)
{
	uint32_t hlen = RTE_ETHER_HDR_LEN + (a->tagged ? VLAN_HLEN : 0);
	/* Padded to the 60-byte Ethernet minimum: some stacks drop runts. */
	uint32_t len = RTE_MAX(hlen + ARP_LEN, (uint32_t)RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p, *arp;
	uint32_t o = ETH_TYPE_OFF;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	memcpy(p, dst, 6);
	memcpy(p + 6, &a->sha, 6);
	if (a->tagged) {
		p[o] = 0x81;
		p[o + 1] = 0x00;
		p[o + 2] = (uint8_t)(a->vlan_tci >> 8);
		p[o + 3] = (uint8_t)a->vlan_tci;
		o += VLAN_HLEN;
	}
	p[o] = 0x08;
	p[o + 1] = 0x06;
	arp = p + o + 2;
	arp[1] = 1;   /* Ethernet */
	arp[2] = 0x08; /* IPv4 */
	arp[4] = 6;
	arp[5] = 4;
	arp[7] = (uint8_t)a->op;
	memcpy(arp + 8, &a->sha, 6);
	memcpy(arp + 14, &a->spa, 4);
	memcpy(arp + 18, &a->tha, 6);
	memcpy(arp + 24, &a->tpa, 4);
	return m;
}

bool
icmp_echo_answer(struct rte_mbuf *m, rte_be32_t our_ip, const struct rte_ether_addr *mac)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), hlen, tot, sum;
	uint16_t tci;
	bool tagged;
	uint32_t o = ether_type_at(p, len, &tci, &tagged);
	uint8_t *ip, *icmp;
	rte_be32_t src;

	if (len < o + 2 + 20 + 8 || be16_at(p + o) != RTE_ETHER_TYPE_IPV4)
		return false;
	ip = p + o + 2;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	tot = be16_at(ip + 2);
	if ((ip[0] >> 4) != 4 || hlen < 20 || tot < hlen + 8 || o + 2 + tot > len ||
	    ip[9] != IPPROTO_ICMP || (be16_at(ip + 6) & 0x3fff) != 0 ||
	    memcmp(ip + 16, &our_ip, 4) != 0)
		return false;
	icmp = ip + hlen;
	if (icmp[0] != ICMP_ECHO_REQUEST || icmp[1] != 0)
		return false;
	memcpy(p, p + 6, 6);
	memcpy(p + 6, mac, 6);
	memcpy(&src, ip + 12, 4);
	memcpy(ip + 12, &our_ip, 4);
	memcpy(ip + 16, &src, 4);
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	sum = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &(uint16_t){(uint16_t)sum}, 2);
	icmp[0] = 0;
	icmp[2] = icmp[3] = 0;
	sum = (uint16_t)~rte_raw_cksum(icmp, tot - hlen);
	memcpy(icmp + 2, &(uint16_t){(uint16_t)sum}, 2);
	rte_pktmbuf_trim(m, (uint16_t)(len - (o + 2 + tot)));
	return true;
}
