/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT network's generated rules (bridge/nat_rules.c) and the frames its
 * control side reads and writes (bridge/arp_frame.c): every generated rule
 * parses as a rule and says what nat_rules.h promises, the configuration
 * checks refuse what cannot work, and ARP and ICMP echo frames come out
 * right to the byte and checksum.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "bridge/arp_frame.h"
#include "bridge/flow_rule.h"
#include "bridge/nat_rules.h"

static struct rte_mempool *pool;

static rte_be32_t
ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void
config(struct nat_config *c, bool next_hop)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->uplink, "up0");
	c->subnet = ip4("10.0.0.0");
	c->prefix_len = 24;
	c->gateway = ip4("10.0.0.1");
	c->external_ip = ip4("192.0.2.10");
	c->next_hop = next_hop ? ip4("192.0.2.1") : 0;
	c->mac = (struct rte_ether_addr){{0x02, 0x6e, 1, 2, 3, 4}};
	c->zone = 7;
	c->forwards[c->n_forwards++] = (struct nat_forward){IPPROTO_TCP, 2222, ip4("10.0.0.5"), 22};
	c->forwards[c->n_forwards++] = (struct nat_forward){IPPROTO_UDP, 5353, ip4("10.0.0.6"), 53};
}

static int
port_id(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "up0") == 0)
		return 1;
	if (strcmp(name, "vm1") == 0)
		return 2;
	return -ENOENT;
}

/* Parses every rule; returns how many contain needle. */
static unsigned int
count_with(char **rules, unsigned int n, const char *needle)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++)
		k += strstr(rules[i], needle) != NULL;
	return k;
}

static void
check_all_parse(char **rules, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct flow_rule r;
		char err[256];
		int rc = flow_rule_parse(rules[i], FLOW_PARSE_ADD, port_id, NULL, &r, err,
					 sizeof(err));

		if (rc != 0)
			fail_msg("rule %u does not parse: %s: %s", i, rules[i], err);
		assert_int_equal(r.cookie, NAT_COOKIE);
		flow_rule_free(&r);
	}
}

static void
test_rules_unresolved(void **state)
{
	struct nat_config c;
	char **rules;
	unsigned int n;

	(void)state;
	config(&c, true);
	assert_int_equal(nat_rules_build(&c, NULL, 0, &rules, &n), 0);
	check_all_parse(rules, n);
	/* Without the next hop's MAC, outbound frames go to the controller. */
	assert_int_equal(count_with(rules, n, "table=61,priority=50,ip,actions=controller"), 1);
	assert_int_equal(count_with(rules, n, "output:up0"), 0);
	assert_int_equal(count_with(rules, n, "nat(src=192.0.2.10)"), 1);
	assert_int_equal(count_with(rules, n, "tcp,nw_dst=192.0.2.10,tp_dst=2222"), 1);
	assert_int_equal(count_with(rules, n, "nat(dst=10.0.0.5:22)"), 1);
	assert_int_equal(count_with(rules, n, "udp,nw_dst=192.0.2.10,tp_dst=5353"), 1);
	assert_int_equal(count_with(rules, n, "zone=7"), 4);
	assert_int_equal(count_with(rules, n, "in_port=up0,actions=drop"), 1);
	nat_rules_free(rules, n);
}

static void
test_rules_resolved(void **state)
{
	struct nat_neighbor nb[] = {
		{ip4("192.0.2.1"), {{0xaa, 0, 0, 0, 0, 1}}, "up0"},
		{ip4("10.0.0.5"), {{0xaa, 0, 0, 0, 0, 5}}, "vm1"},
		{ip4("192.0.2.99"), {{0xaa, 0, 0, 0, 0, 9}}, "up0"}, /* not the next hop: unused */
	};
	struct nat_config c;
	char **rules;
	unsigned int n;

	(void)state;
	config(&c, true);
	assert_int_equal(nat_rules_build(&c, nb, RTE_DIM(nb), &rules, &n), 0);
	check_all_parse(rules, n);
	assert_int_equal(count_with(rules, n, "mod_dl_dst:aa:00:00:00:00:01,output:up0"), 1);
	assert_int_equal(count_with(rules, n, "nw_dst=10.0.0.5,actions=dec_ttl,mod_dl_src:02:6e:01:"
					      "02:03:04,mod_dl_dst:aa:00:00:00:00:05,output:vm1"),
			 1);
	assert_int_equal(count_with(rules, n, "aa:00:00:00:00:09"), 0);
	assert_int_equal(count_with(rules, n, "table=61,priority=50,ip,actions=controller"), 0);
	nat_rules_free(rules, n);

	/* Without a next hop each outside address has its own route. */
	config(&c, false);
	assert_int_equal(nat_rules_build(&c, nb, RTE_DIM(nb), &rules, &n), 0);
	check_all_parse(rules, n);
	assert_int_equal(count_with(rules, n, "table=61,priority=60,ip,nw_dst=192.0.2.1,"), 1);
	assert_int_equal(count_with(rules, n, "table=61,priority=60,ip,nw_dst=192.0.2.99,"), 1);
	assert_int_equal(count_with(rules, n, "table=61,priority=50,ip,actions=controller"), 1);
	nat_rules_free(rules, n);
}

static void
test_config_check(void **state)
{
	struct nat_config c;
	char err[200];

	(void)state;
	config(&c, true);
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), 0);
	c.gateway = ip4("10.0.1.1");
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "gateway 10.0.1.1"));
	config(&c, true);
	c.external_ip = ip4("10.0.0.200");
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "external-ip 10.0.0.200 is inside"));
	config(&c, true);
	c.subnet = ip4("10.0.0.8");
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host bits"));
	config(&c, true);
	c.prefix_len = 31;
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), -EINVAL);
	config(&c, true);
	c.forwards[1].to_ip = ip4("192.0.2.50");
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "192.0.2.50"));
	config(&c, true);
	c.next_hop = ip4("10.0.0.9");
	assert_int_equal(nat_config_check(&c, err, sizeof(err)), -EINVAL);
}

static void
test_arp_round_trip(void **state)
{
	struct arp_info a = {
		.op = ARP_OP_REQUEST,
		.sha = {{0x02, 0x6e, 1, 2, 3, 4}},
		.spa = ip4("192.0.2.10"),
		.tpa = ip4("192.0.2.1"),
	}, b;
	const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_mbuf *m;
	const uint8_t *p;

	(void)state;
	for (int tagged = 0; tagged < 2; tagged++) {
		a.tagged = tagged;
		a.vlan_tci = tagged ? 10 : 0;
		m = arp_frame_build(pool, &bcast, &a);
		assert_non_null(m);
		assert_int_equal(rte_pktmbuf_data_len(m), 60);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		assert_memory_equal(p, bcast.addr_bytes, 6);
		assert_memory_equal(p + 6, a.sha.addr_bytes, 6);
		assert_int_equal(p[tagged ? 16 : 12], 0x08);
		assert_int_equal(p[tagged ? 17 : 13], 0x06);
		assert_true(arp_frame_parse(m, &b));
		assert_int_equal(b.op, ARP_OP_REQUEST);
		assert_int_equal(b.spa, a.spa);
		assert_int_equal(b.tpa, a.tpa);
		assert_memory_equal(&b.sha, &a.sha, 6);
		assert_int_equal(b.tagged, tagged);
		assert_int_equal(b.vlan_tci, a.vlan_tci);
		/* Cut short, or not ARP: refused. */
		rte_pktmbuf_trim(m, 60 - (tagged ? 18 : 14) - 27);
		assert_false(arp_frame_parse(m, &b));
		rte_pktmbuf_free(m);
	}
}

/* An echo request from 10.0.0.5 to 10.0.0.1, payload of len bytes. */
static struct rte_mbuf *
echo_request(unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + 20 + 8 + len));
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);
	uint8_t *icmp = p + 34;
	uint16_t c;

	memset(p, 0, 14 + 28 + len);
	memcpy(p, (uint8_t[]){0x02, 0x6e, 1, 2, 3, 4, 0xaa, 0, 0, 0, 0, 5, 0x08, 0x00}, 14);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(28 + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = ip4("10.0.0.5");
	ip->dst_addr = ip4("10.0.0.1");
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp[0] = 8;
	icmp[4] = 0x12;
	icmp[5] = 0x34;
	for (unsigned int i = 0; i < len; i++)
		icmp[8 + i] = (uint8_t)i;
	c = (uint16_t)~rte_raw_cksum(icmp, 8 + len);
	memcpy(icmp + 2, &c, 2);
	return m;
}

static void
test_echo_answer(void **state)
{
	const struct rte_ether_addr mac = {{0x02, 0x6e, 1, 2, 3, 4}};

	(void)state;
	for (unsigned int len = 0; len < 70; len += 7) {
		struct rte_mbuf *m = echo_request(len);
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);

		assert_false(icmp_echo_answer(m, ip4("10.0.0.2"), &mac)); /* not ours */
		assert_true(icmp_echo_answer(m, ip4("10.0.0.1"), &mac));
		static const uint8_t vm_mac[] = {0xaa, 0, 0, 0, 0, 5};

		assert_memory_equal(p, vm_mac, 6);
		assert_memory_equal(p + 6, mac.addr_bytes, 6);
		assert_int_equal(ip->src_addr, ip4("10.0.0.1"));
		assert_int_equal(ip->dst_addr, ip4("10.0.0.5"));
		assert_int_equal(rte_ipv4_cksum(ip), 0); /* over a valid header, checksum included */
		assert_int_equal(p[34], 0);
		assert_int_equal(p[38], 0x12); /* identifier kept */
		assert_int_equal((uint16_t)~rte_raw_cksum(p + 34, 8 + len), 0);
		/* A reply is not answered again. */
		assert_false(icmp_echo_answer(m, ip4("10.0.0.5"), &mac));
		rte_pktmbuf_free(m);
	}
}

int
main(int argc, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.eal:error", "--no-telemetry",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_unresolved), cmocka_unit_test(test_rules_resolved),
		cmocka_unit_test(test_config_check),	 cmocka_unit_test(test_arp_round_trip),
		cmocka_unit_test(test_echo_answer),
	};
	int ret;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "test_nat_rules: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_nat_rules", 64, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
