/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Switching behaviour seen from the VMs: learning, unicast, flooding, bridge
 * isolation, port counters, the MAC table limit, flush, flapping and
 * malformed frames. Bridge br1 has ports p1..p3, bridge br2 has q1 and q2,
 * all vhostuser; every port has a virtio_user peer in this process.
 *
 * The tests share one switch and run in order; each one first makes sure
 * of the MACs it relies on, so it does not depend on what ran before it.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "harness.h"
#include "vm_peer.h"

enum { P1, P2, P3, Q1, Q2, N_PEERS };

static const char *const port_name[N_PEERS] = {"p1", "p2", "p3", "q1", "q2"};
static const char *const port_bridge[N_PEERS] = {"br1", "br1", "br1", "br2", "br2"};

static struct it_switch sw;
static struct vm_peer *peers[N_PEERS];

static const struct rte_ether_addr bcast = {.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr mcast = {.addr_bytes = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};

static const char *
mac_str(const struct rte_ether_addr *mac)
{
	static char bufs[4][RTE_ETHER_ADDR_FMT_SIZE];
	static unsigned next;
	char *b = bufs[next++ % 4];

	rte_ether_format_addr(b, RTE_ETHER_ADDR_FMT_SIZE, mac);
	return b;
}

/* Drops whatever the peers received so far. */
static void
peers_reset(void)
{
	unsigned i;

	vm_peer_poll_all(peers, N_PEERS, 5);
	for (i = 0; i < N_PEERS; i++)
		vm_peer_clear(peers[i]);
}

struct expect {
	uint32_t test_id;
	const unsigned *want;
};

static bool
expect_done(void *arg)
{
	const struct expect *e = arg;
	unsigned i;

	for (i = 0; i < N_PEERS; i++)
		if (vm_peer_count(peers[i], e->test_id, UINT32_MAX) < e->want[i])
			return false;
	return true;
}

/*
 * Waits until every peer got at least want[i] frames of test_id, keeps
 * listening 50 ms for frames that should not come, then checks the exact
 * counts, and that no frame came back to the peer that sent it.
 */
static void
expect_frames(uint32_t test_id, const unsigned want[N_PEERS])
{
	struct expect e = {.test_id = test_id, .want = want};
	unsigned i, bad = 0;

	vm_peer_poll_until(peers, N_PEERS, expect_done, &e, 2000, 50);
	for (i = 0; i < N_PEERS; i++) {
		unsigned got = vm_peer_count(peers[i], test_id, UINT32_MAX);
		unsigned own = vm_peer_count_own(peers[i]);

		if (got != want[i]) {
			print_error("test %u: peer %s received %u frames, expected %u\n", test_id,
				    port_name[i], got, want[i]);
			bad++;
		}
		if (own != 0) {
			print_error("test %u: peer %s received %u of its own frames back\n",
				    test_id, port_name[i], own);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Makes the switch learn each listed peer's MAC: one broadcast each, then fdb-show. */
static void
learn(const int *which, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(vm_peer_send(peers[which[i]], &bcast, NULL, 1, i), 0);
	for (i = 0; i < n; i++) {
		int p = which[i];

		vm_peer_poll_all(peers, N_PEERS, 1);
		assert_int_equal(it_wait_fdb_entry(&sw, port_bridge[p],
						   mac_str(vm_peer_mac(peers[p])), port_name[p],
						   2000),
				 0);
	}
	peers_reset();
}

static json_t *
fdb_show(const char *bridge)
{
	json_t *fdb = it_vsctl_json(&sw, "fdb-show", bridge, NULL);

	assert_non_null(fdb);
	return fdb;
}

static long long
json_int(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v)) {
		print_error("member \"%s\" missing or not an integer\n", key);
		fail();
	}
	return json_integer_value(v);
}

static void
vsctl_ok(const char *a0, const char *a1, const char *a2)
{
	struct it_result res;

	it_vsctl(&sw, &res, false, a0, a1, a2, NULL);
	if (res.status != 0)
		print_error("vsctl %s %s %s: status %d, stderr: %s\n", a0, a1, a2 ? a2 : "",
			    res.status, res.err);
	assert_int_equal(res.status, 0);
	it_result_free(&res);
}

static int
group_setup(void **state)
{
	unsigned i;

	if (it_switch_start(&sw, NULL) < 0)
		return -1;
	if (it_add_bridge(&sw, "br1") != 0 || it_add_bridge(&sw, "br2") != 0)
		return -1;
	for (i = 0; i < N_PEERS; i++) {
		char sock[64];

		snprintf(sock, sizeof(sock), "%s.sock", port_name[i]);
		if (it_add_port(&sw, port_bridge[i], port_name[i], "vhostuser",
				it_switch_path(&sw, sock)) != 0)
			return -1;
	}
	for (i = 0; i < N_PEERS; i++) {
		char sock[64];
		struct vm_peer_params pp = {
		    .name = port_name[i],
		    .mac = vm_peer_mac_make(1, i + 1),
		    .link_timeout_ms = 5000,
		};

		snprintf(sock, sizeof(sock), "%s.sock", port_name[i]);
		pp.socket = it_switch_path(&sw, sock);
		peers[i] = vm_peer_open(&pp);
		if (peers[i] == NULL) {
			print_error("peer %s did not come up: %s\n", port_name[i], strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < N_PEERS; i++)
		if (it_wait_port_link(&sw, port_name[i], "up", 5000) < 0) {
			print_error("switch never saw port %s up\n", port_name[i]);
			it_switch_dump_log(&sw);
			return -1;
		}
	return 0;
}

static int
group_teardown(void **state)
{
	unsigned i;

	for (i = 0; i < N_PEERS; i++) {
		vm_peer_close(peers[i]);
		peers[i] = NULL;
	}
	if (sw.pid > 0 && it_switch_stop(&sw) != 0) {
		print_error("vswitchd did not exit cleanly on SIGTERM (status 0x%x)\n",
			    sw.last_status);
		it_switch_dump_log(&sw);
		it_switch_destroy(&sw);
		return -1;
	}
	it_switch_destroy(&sw);
	return 0;
}

static int
test_setup(void **state)
{
	peers_reset();
	return 0;
}

/* After p1 and p2 were learned, unicast goes to the one port that has the MAC. */
static void
test_learn_and_unicast(void **state)
{
	const unsigned first_p1[N_PEERS] = {[P2] = 1, [P3] = 1};
	const unsigned first_p2[N_PEERS] = {[P1] = 1, [P3] = 1};
	const unsigned to_p2[N_PEERS] = {[P2] = 20};
	const unsigned to_p1[N_PEERS] = {[P1] = 20};

	/* Before learning, the first frames are flooded within br1 only. */
	assert_int_equal(vm_peer_send(peers[P1], &bcast, NULL, 100, 0), 0);
	expect_frames(100, first_p1);
	assert_int_equal(vm_peer_send(peers[P2], &bcast, NULL, 101, 0), 0);
	expect_frames(101, first_p2);
	assert_int_equal(it_wait_fdb_entry(&sw, "br1", mac_str(vm_peer_mac(peers[P1])), "p1", 2000),
			 0);
	assert_int_equal(it_wait_fdb_entry(&sw, "br1", mac_str(vm_peer_mac(peers[P2])), "p2", 2000),
			 0);

	assert_int_equal(vm_peer_send_burst(peers[P1], vm_peer_mac(peers[P2]), NULL, 102, 0, 20),
			 20);
	expect_frames(102, to_p2);
	assert_int_equal(vm_peer_send_burst(peers[P2], vm_peer_mac(peers[P1]), NULL, 103, 0, 20),
			 20);
	expect_frames(103, to_p1);
}

/* Broadcast, multicast and unknown unicast reach every other port of the bridge. */
static void
test_flood(void **state)
{
	const int known[] = {P1, P2};
	const unsigned flood_from_p1[N_PEERS] = {[P2] = 10, [P3] = 10};
	const unsigned flood_from_p3[N_PEERS] = {[P1] = 10, [P2] = 10};
	struct rte_ether_addr unknown = vm_peer_mac_make(0xee, 0xee);

	learn(known, 2);
	assert_int_equal(vm_peer_send_burst(peers[P1], &bcast, NULL, 200, 0, 10), 10);
	expect_frames(200, flood_from_p1);
	assert_int_equal(vm_peer_send_burst(peers[P1], &unknown, NULL, 201, 0, 10), 10);
	expect_frames(201, flood_from_p1);
	assert_int_equal(vm_peer_send_burst(peers[P1], &mcast, NULL, 202, 0, 10), 10);
	expect_frames(202, flood_from_p1);
	assert_int_equal(vm_peer_send_burst(peers[P3], &unknown, NULL, 203, 0, 10), 10);
	expect_frames(203, flood_from_p3);
}

/* Nothing crosses from br1 to br2 or back, and each bridge has its own MAC table. */
static void
test_bridge_isolation(void **state)
{
	const int known[] = {P1, P2};
	const unsigned from_q1[N_PEERS] = {[Q2] = 10};
	const unsigned from_q2[N_PEERS] = {[Q1] = 10};
	const unsigned from_p1[N_PEERS] = {[P2] = 10, [P3] = 10};
	json_t *fdb, *e;
	size_t i;

	learn(known, 2);
	assert_int_equal(vm_peer_send_burst(peers[Q1], &bcast, NULL, 300, 0, 10), 10);
	expect_frames(300, from_q1);
	/* p2's MAC is known in br1 only: in br2 it is unknown unicast, flooded to q2. */
	assert_int_equal(vm_peer_send_burst(peers[Q1], vm_peer_mac(peers[P2]), NULL, 301, 0, 10),
			 10);
	expect_frames(301, from_q1);
	assert_int_equal(vm_peer_send_burst(peers[Q2], vm_peer_mac(peers[P1]), NULL, 302, 0, 10),
			 10);
	expect_frames(302, from_q2);
	assert_int_equal(vm_peer_send_burst(peers[P1], &bcast, NULL, 303, 0, 10), 10);
	expect_frames(303, from_p1);

	fdb = fdb_show("br2");
	json_array_foreach(json_object_get(fdb, "entries"), i, e)
	{
		const char *port = json_string_value(json_object_get(e, "port"));

		assert_non_null(port);
		if (strcmp(port, "q1") != 0 && strcmp(port, "q2") != 0) {
			print_error("br2's MAC table has an entry on port %s\n", port);
			fail();
		}
	}
	json_decref(fdb);
}

static const char *const stat_keys[] = {"rx_packets", "tx_packets", "rx_bytes", "tx_bytes"};
#define N_STAT_KEYS 4

static void
stats_read(long long v[N_PEERS][N_STAT_KEYS])
{
	unsigned i, k;

	for (i = 0; i < N_PEERS; i++) {
		json_t *st = it_port_stats(&sw, port_name[i]);

		assert_non_null(st);
		for (k = 0; k < N_STAT_KEYS; k++) {
			v[i][k] = it_stat(st, stat_keys[k]);
			assert_true(v[i][k] >= 0);
		}
		json_decref(st);
	}
}

/* Port counters move by exactly what the peers sent and received. */
static void
test_port_stats(void **state)
{
	const int known[] = {P1, P2};
	const unsigned bc_from_p1[N_PEERS] = {[P2] = 7, [P3] = 7};
	const unsigned uc_to_p1[N_PEERS] = {[P1] = 5};
	/* Expected deltas in frames: rx, tx per port. */
	const long long want_pkts[N_PEERS][2] = {
	    [P1] = {7, 5}, [P2] = {5, 7}, [P3] = {0, 7}, [Q1] = {0, 0}, [Q2] = {0, 0}};
	long long before[N_PEERS][N_STAT_KEYS], after[N_PEERS][N_STAT_KEYS];
	unsigned long long deadline;
	unsigned i, bad = 0;
	bool match;

	learn(known, 2);
	stats_read(before);
	assert_int_equal(vm_peer_send_burst(peers[P1], &bcast, NULL, 400, 0, 7), 7);
	expect_frames(400, bc_from_p1);
	assert_int_equal(vm_peer_send_burst(peers[P2], vm_peer_mac(peers[P1]), NULL, 401, 0, 5), 5);
	expect_frames(401, uc_to_p1);

	/* The frames were delivered; give the per-thread counters a moment to be summed. */
	deadline = it_now_ms() + 1000;
	do {
		stats_read(after);
		match = true;
		for (i = 0; i < N_PEERS; i++)
			if (after[i][0] - before[i][0] != want_pkts[i][0] ||
			    after[i][1] - before[i][1] != want_pkts[i][1])
				match = false;
		if (!match)
			it_sleep_ms(20);
	} while (!match && it_now_ms() < deadline);

	for (i = 0; i < N_PEERS; i++) {
		long long drx = after[i][0] - before[i][0], dtx = after[i][1] - before[i][1];
		long long drxb = after[i][2] - before[i][2], dtxb = after[i][3] - before[i][3];

		if (drx != want_pkts[i][0] || dtx != want_pkts[i][1]) {
			print_error(
			    "port %s: rx_packets +%lld tx_packets +%lld, expected +%lld +%lld\n",
			    port_name[i], drx, dtx, want_pkts[i][0], want_pkts[i][1]);
			bad++;
		}
		if (drxb != want_pkts[i][0] * VM_PEER_FRAME_LEN ||
		    dtxb != want_pkts[i][1] * VM_PEER_FRAME_LEN) {
			print_error(
			    "port %s: rx_bytes +%lld tx_bytes +%lld, expected +%lld +%lld\n",
			    port_name[i], drxb, dtxb, want_pkts[i][0] * VM_PEER_FRAME_LEN,
			    want_pkts[i][1] * VM_PEER_FRAME_LEN);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Waits until fdb-show of br1 satisfies n_entries == n and mac_table_full >= full_min. */
static json_t *
wait_fdb_counts(long long n, long long full_min)
{
	unsigned long long deadline = it_now_ms() + 2000;
	json_t *fdb;

	for (;;) {
		fdb = fdb_show("br1");
		if (json_int(fdb, "n_entries") == n && json_int(fdb, "mac_table_full") >= full_min)
			return fdb;
		if (it_now_ms() >= deadline)
			return fdb;
		json_decref(fdb);
		vm_peer_poll_all(peers, N_PEERS, 10);
	}
}

/* With mac-table-size=4, 10 new source MACs leave 4 entries, 6 refusals, and all frames flooded. */
static void
test_mac_limit(void **state)
{
	const unsigned flooded[N_PEERS] = {[P2] = 10, [P3] = 10};
	long long full_before;
	json_t *fdb;
	unsigned i;

	vsctl_ok("fdb-flush", "br1", NULL);
	vsctl_ok("set-bridge", "br1", "mac-table-size=4");
	fdb = fdb_show("br1");
	assert_int_equal(json_int(fdb, "mac_table_size"), 4);
	assert_int_equal(json_int(fdb, "n_entries"), 0);
	full_before = json_int(fdb, "mac_table_full");
	json_decref(fdb);

	for (i = 0; i < 10; i++) {
		struct rte_ether_addr src = vm_peer_mac_make(5, i);

		assert_int_equal(vm_peer_send(peers[P1], &bcast, &src, 500, i), 0);
		vm_peer_poll_all(peers, N_PEERS, 2);
	}
	expect_frames(500, flooded);

	fdb = wait_fdb_counts(4, full_before + 6);
	if (json_int(fdb, "n_entries") != 4 || json_int(fdb, "mac_table_full") - full_before < 6)
		print_error(
		    "fdb-show br1: n_entries %lld (want 4), mac_table_full +%lld (want >= 6)\n",
		    json_int(fdb, "n_entries"), json_int(fdb, "mac_table_full") - full_before);
	assert_int_equal(json_int(fdb, "n_entries"), 4);
	assert_int_equal(json_array_size(json_object_get(fdb, "entries")), 4);
	assert_true(json_int(fdb, "mac_table_full") - full_before >= 6);
	json_decref(fdb);

	vsctl_ok("set-bridge", "br1", "mac-table-size=8192");
	fdb = fdb_show("br1");
	assert_int_equal(json_int(fdb, "mac_table_size"), 8192);
	json_decref(fdb);
}

/* fdb-flush empties the table, and the datapath floods to a flushed MAC again. */
static void
test_fdb_flush(void **state)
{
	const int known[] = {P1, P2, P3};
	const unsigned to_p2_known[N_PEERS] = {[P2] = 5};
	const unsigned to_p2_flooded[N_PEERS] = {[P2] = 5, [P3] = 5};
	struct it_result res;
	json_t *fdb;

	vsctl_ok("fdb-flush", "br1", NULL);
	learn(known, 3);
	fdb = fdb_show("br1");
	assert_int_equal(json_int(fdb, "n_entries"), 3);
	json_decref(fdb);
	assert_int_equal(vm_peer_send_burst(peers[P1], vm_peer_mac(peers[P2]), NULL, 600, 0, 5), 5);
	expect_frames(600, to_p2_known);

	assert_int_equal(it_vsctl(&sw, &res, true, "fdb-flush", "br1", NULL), 0);
	assert_non_null(res.json);
	assert_int_equal(json_int(res.json, "flushed"), 3);
	it_result_free(&res);

	fdb = fdb_show("br1");
	assert_int_equal(json_int(fdb, "n_entries"), 0);
	assert_int_equal(json_array_size(json_object_get(fdb, "entries")), 0);
	json_decref(fdb);

	/* p2's MAC is unknown again: p1's frames to it are flooded. */
	assert_int_equal(vm_peer_send_burst(peers[P1], vm_peer_mac(peers[P2]), NULL, 601, 0, 5), 5);
	expect_frames(601, to_p2_flooded);
}

/* A MAC seen alternately on p1 and p3 is reported as flapping between them. */
static void
test_flapping(void **state)
{
	struct rte_ether_addr m = vm_peer_mac_make(7, 1);
	const char *ms = mac_str(&m);
	long long moves_before;
	json_t *fdb, *f, *e;
	bool found = false, entry_flag = false;
	unsigned i;
	size_t k;

	vsctl_ok("fdb-flush", "br1", NULL);
	fdb = fdb_show("br1");
	moves_before = json_int(fdb, "mac_moves");
	json_decref(fdb);

	/* Each frame waits for its learn to show, so every one of them is a move. */
	for (i = 0; i < 16; i++) {
		int from = (i % 2) ? P3 : P1;

		assert_int_equal(vm_peer_send(peers[from], &bcast, &m, 700, i), 0);
		vm_peer_poll_all(peers, N_PEERS, 3);
		if (it_wait_fdb_entry(&sw, "br1", ms, port_name[from], 2000) < 0) {
			print_error("frame %u from %s: fdb-show never showed %s on %s\n", i,
				    port_name[from], ms, port_name[from]);
			fail();
		}
	}

	fdb = fdb_show("br1");
	json_array_foreach(json_object_get(fdb, "flapping"), k, f)
	{
		const char *mac = json_string_value(json_object_get(f, "mac"));
		json_t *ports = json_object_get(f, "ports"), *p;
		bool has_p1 = false, has_p3 = false;
		size_t j;

		if (mac == NULL || strcasecmp(mac, ms) != 0)
			continue;
		found = true;
		json_array_foreach(ports, j, p)
		{
			const char *name = json_string_value(p);

			has_p1 |= name != NULL && strcmp(name, "p1") == 0;
			has_p3 |= name != NULL && strcmp(name, "p3") == 0;
		}
		assert_true(has_p1);
		assert_true(has_p3);
		assert_true(json_int(f, "moves") >= 6);
	}
	json_array_foreach(json_object_get(fdb, "entries"), k, e)
	{
		const char *mac = json_string_value(json_object_get(e, "mac"));

		if (mac != NULL && strcasecmp(mac, ms) == 0)
			entry_flag = json_is_true(json_object_get(e, "flapping"));
	}
	if (!found)
		print_error("fdb-show br1 lists no flapping entry for %s\n", ms);
	assert_true(found);
	assert_true(entry_flag);
	assert_int_equal(json_int(fdb, "mac_moves") - moves_before, 15);
	json_decref(fdb);
}

/* Waits until a port's drop counter reaches want, then checks it exactly. */
static void
expect_stat(const char *port, const char *key, long long want)
{
	unsigned long long deadline = it_now_ms() + 1000;
	long long v;

	for (;;) {
		json_t *st = it_port_stats(&sw, port);

		v = it_stat(st, key);
		json_decref(st);
		if (v == want || it_now_ms() >= deadline)
			break;
		it_sleep_ms(20);
	}
	if (v != want)
		print_error("port %s: %s is %lld, expected %lld\n", port, key, v, want);
	assert_int_equal(v, want);
}

/* A runt and a frame with a multicast source are dropped and counted; forwarding goes on. */
static void
test_malformed(void **state)
{
	const int known[] = {P1, P2};
	const unsigned none[N_PEERS] = {0};
	const unsigned to_p2[N_PEERS] = {[P2] = 5};
	struct rte_ether_addr bad_src = {.addr_bytes = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x42}};
	uint8_t runt[10];
	json_t *st, *fdb, *e;
	long long runt0, bad0, rxd0;
	size_t k;

	learn(known, 2);
	st = it_port_stats(&sw, "p1");
	assert_non_null(st);
	runt0 = it_stat(st, "drops.runt");
	bad0 = it_stat(st, "drops.bad_src_mac");
	rxd0 = it_stat(st, "rx_dropped");
	json_decref(st);
	assert_true(runt0 >= 0 && bad0 >= 0 && rxd0 >= 0);

	/* 10 bytes: shorter than an Ethernet header. virtio_user sends it as is. */
	memset(runt, 0xff, sizeof(runt));
	assert_int_equal(vm_peer_send_raw(peers[P1], runt, sizeof(runt)), 0);
	expect_stat("p1", "drops.runt", runt0 + 1);

	assert_int_equal(vm_peer_send(peers[P1], &bcast, &bad_src, 800, 0), 0);
	expect_frames(800, none);
	expect_stat("p1", "drops.bad_src_mac", bad0 + 1);
	expect_stat("p1", "rx_dropped", rxd0 + 2);

	fdb = fdb_show("br1");
	json_array_foreach(json_object_get(fdb, "entries"), k, e)
	{
		const char *mac = json_string_value(json_object_get(e, "mac"));

		assert_non_null(mac);
		assert_int_not_equal(strcasecmp(mac, mac_str(&bad_src)), 0);
	}
	json_decref(fdb);

	/* The switch still forwards from the same port. */
	assert_int_equal(vm_peer_send_burst(peers[P1], vm_peer_mac(peers[P2]), NULL, 801, 0, 5), 5);
	expect_frames(801, to_p2);
}

/* A frame whose destination lives on its input port is dropped (same_port), never echoed. */
static void
test_no_hairpin(void **state)
{
	const int known[] = {P1, P2};
	const unsigned none[N_PEERS] = {0};
	long long same0;
	json_t *st;

	learn(known, 2);
	st = it_port_stats(&sw, "p1");
	same0 = it_stat(st, "drops.same_port");
	json_decref(st);
	assert_true(same0 >= 0);

	assert_int_equal(vm_peer_send_burst(peers[P1], vm_peer_mac(peers[P1]), NULL, 900, 0, 5), 5);
	expect_frames(900, none);
	expect_stat("p1", "drops.same_port", same0 + 5);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_learn_and_unicast, test_setup),
	    cmocka_unit_test_setup(test_flood, test_setup),
	    cmocka_unit_test_setup(test_bridge_isolation, test_setup),
	    cmocka_unit_test_setup(test_port_stats, test_setup),
	    cmocka_unit_test_setup(test_mac_limit, test_setup),
	    cmocka_unit_test_setup(test_fdb_flush, test_setup),
	    cmocka_unit_test_setup(test_flapping, test_setup),
	    cmocka_unit_test_setup(test_malformed, test_setup),
	    cmocka_unit_test_setup(test_no_hairpin, test_setup),
	};

	return vm_peer_run_group(argv[0], "switching", tests, sizeof(tests) / sizeof(tests[0]),
				 group_setup, group_teardown);
}
