/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame parser: runts, minimal and tagged frames, segmented frames, bad source MACs, on a
 * default port (trunk of every VLAN). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "datapath/frame.h"

static struct rte_mempool *pool;
/* The default port: vlan_mode trunk, every VLAN, untagged frames in VLAN 0. */
static struct vlan_port vp;
static struct vlan_meta meta;

static const struct rte_ether_addr mac_a = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
static const struct rte_ether_addr mac_b = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};

/* A frame dst, src, ethertype, then payload bytes, len bytes in all, in one segment. */
static struct rte_mbuf *
make_frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src, uint16_t type,
	   uint16_t len)
{
	uint8_t buf[128] = {0};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_mbuf *m;
	char *p;

	assert_true(len <= sizeof(buf));
	eth->dst_addr = *dst;
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(type);
	m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_true(len == 0 || p != NULL);
	memcpy(rte_pktmbuf_mtod(m, void *), buf, len);
	return m;
}

static void
assert_key_vlan(const struct fdb_key *k, const struct rte_ether_addr *mac, uint16_t vlan)
{
	assert_memory_equal(&k->mac, mac, sizeof(*mac));
	assert_int_equal(k->vlan, vlan);
}

static void
assert_key(const struct fdb_key *k, const struct rte_ether_addr *mac)
{
	assert_key_vlan(k, mac, 0);
}

static void
test_runt(void **state)
{
	struct fdb_key dst, src;
	struct rte_mbuf *m;
	uint16_t len;

	for (len = 0; len < RTE_ETHER_HDR_LEN; len++) {
		m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, len);
		assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), DP_DROP_runt);
		rte_pktmbuf_free(m);
	}
}

static void
test_minimal(void **state)
{
	struct fdb_key dst, src;
	struct rte_mbuf *m;

	/* A bare header is enough: padding to 60 bytes is not the parser's business. */
	m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, RTE_ETHER_HDR_LEN);
	assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
	assert_key(&dst, &mac_b);
	assert_key(&src, &mac_a);
	assert_false(frame_is_group(&dst));
	rte_pktmbuf_free(m);

	m = make_frame(&mac_a, &mac_b, RTE_ETHER_TYPE_ARP, 60);
	assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
	assert_key(&dst, &mac_a);
	assert_key(&src, &mac_b);
	rte_pktmbuf_free(m);
}

static void
test_vlan_tagged(void **state)
{
	struct fdb_key dst, src;
	struct rte_mbuf *m;
	struct rte_vlan_hdr *vh;
	uint8_t *p;
	uint16_t len;

	/* A tagged frame is keyed by its VLAN and keeps its tag. */
	m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_VLAN, 64);
	vh = rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *, RTE_ETHER_HDR_LEN);
	vh->vlan_tci = rte_cpu_to_be_16(100);
	vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
	assert_key_vlan(&dst, &mac_b, 100);
	assert_key_vlan(&src, &mac_a, 100);
	assert_int_equal(meta.tci, 100);
	assert_int_equal(meta.tpid, RTE_ETHER_TYPE_VLAN);
	assert_int_equal(meta.tagged, 1);
	assert_int_equal(meta.len3, 64 - 18);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 64);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	assert_int_equal(p[12], 0x81);
	assert_int_equal(p[15], 100);
	rte_pktmbuf_free(m);

	/* A priority tag (VID 0, PCP 5) is removed: VLAN 0 keys, MACs intact. */
	m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_VLAN, 64);
	vh = rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *, RTE_ETHER_HDR_LEN);
	vh->vlan_tci = rte_cpu_to_be_16(5 << 13);
	vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
	assert_key(&dst, &mac_b);
	assert_key(&src, &mac_a);
	assert_int_equal(meta.tci, 5 << 13);
	assert_int_equal(meta.tagged, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 60);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	assert_memory_equal(p, &mac_b, 6);
	assert_memory_equal(p + 6, &mac_a, 6);
	assert_int_equal(p[12], 0x08);
	assert_int_equal(p[13], 0x06);
	rte_pktmbuf_free(m);

	/* A tag cut short after the Ethernet header is a runt, whatever its TPID. */
	for (len = RTE_ETHER_HDR_LEN; len < RTE_ETHER_HDR_LEN + 4; len++) {
		m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_VLAN, len);
		assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), DP_DROP_runt);
		rte_pktmbuf_free(m);
		m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_QINQ, len);
		assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), DP_DROP_runt);
		rte_pktmbuf_free(m);
	}
	/* A whole tag and nothing after it is fine. */
	m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_VLAN, RTE_ETHER_HDR_LEN + 4);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[15] = 7;
	assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
	assert_key_vlan(&src, &mac_a, 7);
	assert_int_equal(meta.len3, 0);
	rte_pktmbuf_free(m);
}

static void
test_vlan_filtered(void **state)
{
	struct vlan_config c;
	struct vlan_port access;
	struct fdb_key dst, src;
	struct rte_mbuf *m;
	char err[128];

	vlan_config_default(&c);
	c.mode = VLAN_MODE_ACCESS;
	c.has_tag = true;
	c.tag = 10;
	assert_int_equal(vlan_config_check(&c, err, sizeof(err)), 0);
	vlan_port_build(&access, &c);

	/* Untagged on an access port: keyed by its VLAN. */
	m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, 60);
	assert_int_equal(frame_parse(m, &access, &dst, &src, &meta), -1);
	assert_key_vlan(&dst, &mac_b, 10);
	assert_key_vlan(&src, &mac_a, 10);
	rte_pktmbuf_free(m);

	/* Tagged on an access port: filtered, before its source is looked at. */
	m = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_VLAN, 60);
	rte_pktmbuf_mtod(m, uint8_t *)[15] = 10;
	assert_int_equal(frame_parse(m, &access, &dst, &src, &meta), DP_DROP_vlan_filtered);
	rte_pktmbuf_free(m);
}

static void
test_multiseg(void **state)
{
	struct fdb_key dst, src;
	struct rte_mbuf *head, *tail;

	/* The header is split across segments: only the first is read, so it is a runt even
	 * though the frame as a whole is long enough. */
	head = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, 6);
	tail = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, 60);
	assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(head), 66);
	assert_int_equal(frame_parse(head, &vp, &dst, &src, &meta), DP_DROP_runt);
	rte_pktmbuf_free(head);

	/* The header fits in the first segment, the payload follows in the next. */
	head = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, RTE_ETHER_HDR_LEN);
	tail = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, 40);
	assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
	assert_int_equal(frame_parse(head, &vp, &dst, &src, &meta), -1);
	assert_key(&dst, &mac_b);
	assert_key(&src, &mac_a);
	rte_pktmbuf_free(head);

	/* The header fits but the VLAN tag is split: a runt too (only the first segment is read). */
	head = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_VLAN, RTE_ETHER_HDR_LEN + 2);
	tail = make_frame(&mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, 40);
	assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
	assert_int_equal(frame_parse(head, &vp, &dst, &src, &meta), DP_DROP_runt);
	rte_pktmbuf_free(head);
}

static void
test_bad_src(void **state)
{
	static const struct rte_ether_addr bad[] = {
		{{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}}, /* zero */
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, /* broadcast */
		{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}, /* IPv4 multicast */
		{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}}, /* IPv6 multicast */
		{{0x03, 0x00, 0x00, 0x00, 0x00, 0x01}}, /* group bit on a local address */
	};
	static const struct rte_ether_addr good[] = {
		{{0x00, 0x00, 0x00, 0x00, 0x00, 0x01}}, /* lowest non-zero unicast */
		{{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff}}, /* highest unicast */
	};
	struct fdb_key dst, src;
	struct rte_mbuf *m;
	unsigned i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		m = make_frame(&mac_b, &bad[i], RTE_ETHER_TYPE_IPV4, 60);
		assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), DP_DROP_bad_src_mac);
		rte_pktmbuf_free(m);
	}
	for (i = 0; i < RTE_DIM(good); i++) {
		m = make_frame(&mac_b, &good[i], RTE_ETHER_TYPE_IPV4, 60);
		assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
		assert_key(&src, &good[i]);
		rte_pktmbuf_free(m);
	}
	/* A runt is a runt before its (missing) source is looked at. */
	m = make_frame(&mac_b, &bad[0], RTE_ETHER_TYPE_IPV4, 10);
	assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), DP_DROP_runt);
	rte_pktmbuf_free(m);
}

static void
test_group_dst(void **state)
{
	static const struct rte_ether_addr group[] = {
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{{0x01, 0x00, 0x5e, 0x7f, 0x00, 0x01}},
		{{0x33, 0x33, 0xff, 0x00, 0x00, 0x01}},
		{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}}, /* STP */
	};
	struct fdb_key dst, src;
	struct rte_mbuf *m;
	unsigned i;

	/* A group destination is a good frame; it is flooded, not dropped. */
	for (i = 0; i < RTE_DIM(group); i++) {
		m = make_frame(&group[i], &mac_a, RTE_ETHER_TYPE_IPV4, 60);
		assert_int_equal(frame_parse(m, &vp, &dst, &src, &meta), -1);
		assert_key(&dst, &group[i]);
		assert_true(frame_is_group(&dst));
		rte_pktmbuf_free(m);
	}
	dst.mac = mac_b;
	assert_false(frame_is_group(&dst));
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	struct vlan_config config;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runt),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_vlan_tagged),
		cmocka_unit_test(test_vlan_filtered),
		cmocka_unit_test(test_multiseg),
		cmocka_unit_test(test_bad_src),
		cmocka_unit_test(test_group_dst),
	};
	int ret;

	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_frame: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_frame", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_frame: cannot create the mbuf pool\n");
		return 1;
	}
	vlan_config_default(&config);
	vlan_port_build(&vp, &config);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
