/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known-unicast traffic p1 -> p2 keeps flowing, without loss or duplicates,
 * while a third port p3 is added and deleted again and again on the same
 * bridge (every third time with a VM attached that floods a few frames:
 * attaching right after port.add takes about 1 s here, measured, probably
 * rte_vhost's 1 s fdset poll picking up the new listening socket late).
 * This is the path where the switch rebuilds its configuration snapshot and
 * reloads the PMD's queue list under traffic.
 *
 * The main thread owns peers p1 and p2 and sends paced bursts; a second
 * thread does the churn over raw JSON-RPC and owns peer p3.
 */

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "it_rpc.h"
#include "vm_peer.h"

#define CHURN_ROUNDS 12
#define BURST 16
#define TEST_ID 42
#define P3_TEST_ID 43
/* Enough frames that the churn happens while traffic flows, even if it is quick. */
#define MIN_FRAMES 4000

static struct it_switch sw;
static struct vm_peer *p1, *p2;
static char p3_sock[IT_PATH_MAX];

struct churn {
	atomic_bool done;
	int rounds;
	int failures;
	char error[512];
};

static const struct rte_ether_addr bcast = {.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static int
rpc_port(const char *method, bool add, char *err, size_t err_len)
{
	json_t *params;

	if (add)
		params = json_pack("{s:s, s:s, s:s, s:s}", "bridge", "br1", "name", "p3", "type",
				   "vhostuser", "socket", p3_sock);
	else
		params = json_pack("{s:s, s:s}", "bridge", "br1", "name", "p3");
	return it_rpc_call(sw.sock, method, params, NULL, err, err_len);
}

static void *
churn_main(void *arg)
{
	struct churn *c = arg;
	char msg[256];
	int i, ret;

	for (i = 0; i < CHURN_ROUNDS; i++) {
		struct vm_peer *p3 = NULL;

		ret = rpc_port("port.add", true, msg, sizeof(msg));
		if (ret != 0) {
			snprintf(c->error, sizeof(c->error), "round %d: port.add p3: %d %s", i, ret,
				 msg);
			c->failures++;
			break;
		}
		if (i % 3 == 0) {
			struct vm_peer_params pp = {
			    .name = "p3",
			    .socket = p3_sock,
			    .mac = vm_peer_mac_make(3, i),
			    .link_timeout_ms = 5000,
			};

			p3 = vm_peer_open(&pp);
			if (p3 == NULL) {
				snprintf(c->error, sizeof(c->error), "round %d: peer p3: %s", i,
					 strerror(errno));
				c->failures++;
			} else {
				/* Let the switch see the device and poll it before it goes away. */
				it_sleep_ms(20);
				vm_peer_send_burst(p3, &bcast, NULL, P3_TEST_ID, 0, 4);
				vm_peer_poll(p3);
			}
		}
		ret = rpc_port("port.del", false, msg, sizeof(msg));
		vm_peer_close(p3);
		if (ret != 0) {
			snprintf(c->error, sizeof(c->error), "round %d: port.del p3: %d %s", i, ret,
				 msg);
			c->failures++;
			break;
		}
		c->rounds++;
	}
	atomic_store(&c->done, true);
	return NULL;
}

static int
group_setup(void **state)
{
	struct vm_peer_params pp = {.link_timeout_ms = 5000};

	if (it_switch_start(&sw, NULL) < 0)
		return -1;
	snprintf(p3_sock, sizeof(p3_sock), "%s", it_switch_path(&sw, "p3.sock"));
	if (it_add_bridge(&sw, "br1") != 0 ||
	    it_add_port(&sw, "br1", "p1", "vhostuser", it_switch_path(&sw, "p1.sock")) != 0 ||
	    it_add_port(&sw, "br1", "p2", "vhostuser", it_switch_path(&sw, "p2.sock")) != 0)
		return -1;
	pp.name = "p1";
	pp.socket = it_switch_path(&sw, "p1.sock");
	pp.mac = vm_peer_mac_make(1, 1);
	p1 = vm_peer_open(&pp);
	pp.name = "p2";
	pp.socket = it_switch_path(&sw, "p2.sock");
	pp.mac = vm_peer_mac_make(1, 2);
	p2 = vm_peer_open(&pp);
	if (p1 == NULL || p2 == NULL)
		return -1;
	if (it_wait_port_link(&sw, "p1", "up", 5000) < 0 ||
	    it_wait_port_link(&sw, "p2", "up", 5000) < 0) {
		it_switch_dump_log(&sw);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	int status;

	vm_peer_close(p1);
	vm_peer_close(p2);
	p1 = p2 = NULL;
	status = it_switch_stop(&sw);
	if (status != 0) {
		print_error("vswitchd did not exit cleanly on SIGTERM (status 0x%x)\n", status);
		it_switch_dump_log(&sw);
	}
	it_switch_destroy(&sw);
	return status == 0 ? 0 : -1;
}

static void
learn_p1_p2(void)
{
	struct vm_peer *both[2] = {p1, p2};
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	assert_int_equal(vm_peer_send(p1, &bcast, NULL, 1, 0), 0);
	assert_int_equal(vm_peer_send(p2, &bcast, NULL, 1, 1), 0);
	vm_peer_poll_all(both, 2, 5);
	rte_ether_format_addr(mac, sizeof(mac), vm_peer_mac(p1));
	assert_int_equal(it_wait_fdb_entry(&sw, "br1", mac, "p1", 2000), 0);
	rte_ether_format_addr(mac, sizeof(mac), vm_peer_mac(p2));
	assert_int_equal(it_wait_fdb_entry(&sw, "br1", mac, "p2", 2000), 0);
	vm_peer_poll_all(both, 2, 5);
	vm_peer_clear(p1);
	vm_peer_clear(p2);
}

struct seq_check {
	uint32_t sent;
	unsigned received;
};

static bool
all_received(void *arg)
{
	struct seq_check *sc = arg;

	sc->received = vm_peer_count(p2, TEST_ID, vm_peer_id(p1));
	return sc->received >= sc->sent;
}

static void
test_churn_keeps_unicast(void **state)
{
	struct vm_peer *both[2] = {p1, p2};
	struct churn churn = {.done = false};
	struct seq_check sc = {0};
	const struct vm_peer_frame *f;
	uint8_t *seen;
	unsigned missing = 0, dups = 0, stray = 0;
	size_t n, i;
	unsigned long long start;
	pthread_t tid;
	json_t *port;

	learn_p1_p2();
	start = it_now_ms();
	assert_int_equal(pthread_create(&tid, NULL, churn_main, &churn), 0);
	while (!atomic_load(&churn.done) || sc.sent < MIN_FRAMES) {
		sc.sent += vm_peer_send_burst(p1, vm_peer_mac(p2), NULL, TEST_ID, sc.sent, BURST);
		vm_peer_poll_all(both, 2, 1);
	}
	pthread_join(tid, NULL);
	print_message("%d add/del rounds of p3 in %llu ms while p1 sent %u frames to p2\n",
		      churn.rounds, it_now_ms() - start, sc.sent);
	if (churn.failures != 0)
		print_error("churn: %s\n", churn.error);
	assert_int_equal(churn.failures, 0);
	assert_int_equal(churn.rounds, CHURN_ROUNDS);

	vm_peer_poll_until(both, 2, all_received, &sc, 3000, 50);

	seen = calloc(sc.sent, 1);
	assert_non_null(seen);
	f = vm_peer_frames(p2, &n);
	for (i = 0; i < n; i++) {
		if (!f[i].is_test || f[i].test_id != TEST_ID)
			continue;
		if (f[i].sender != vm_peer_id(p1) || f[i].seq >= sc.sent) {
			stray++;
			continue;
		}
		if (seen[f[i].seq]++ != 0)
			dups++;
	}
	for (i = 0; i < sc.sent; i++)
		if (seen[i] == 0)
			missing++;
	free(seen);
	if (missing || dups || stray)
		print_error("p1 sent %u frames; p2 is missing %u, got %u duplicates, %u stray\n",
			    sc.sent, missing, dups, stray);
	assert_int_equal(missing, 0);
	assert_int_equal(dups, 0);
	assert_int_equal(stray, 0);
	/* Known unicast is never flooded back, and nothing returns to its sender. */
	assert_int_equal(vm_peer_count(p1, TEST_ID, UINT32_MAX), 0);

	/* The churned port is gone, the others are still up. */
	port = it_show_port(&sw, "p3");
	assert_null(port);
	port = it_show_port(&sw, "p1");
	assert_non_null(port);
	assert_string_equal(json_string_value(json_object_get(port, "link")), "up");
	json_decref(port);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_churn_keeps_unicast),
	};

	return vm_peer_run_group(argv[0], "port_churn", tests, sizeof(tests) / sizeof(tests[0]),
				 group_setup, group_teardown);
}
