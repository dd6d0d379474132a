/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A restart on the same database brings back the same configuration, and
 * VMs get their traffic back: the one on the vhostuser-client port (the VM
 * is the vhost-user server) simply stays up and is reconnected by the
 * switch; the one on the vhostuser port (the switch is the server) has to
 * reconnect itself, which a virtio_user client does by being probed again.
 *
 * Configuration goes through vsctl here, so its config commands are covered
 * end to end.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vm_peer.h"

static struct it_switch sw;
/* a: on port "vma" (vhostuser, switch is the server); b: on "vmb" (vhostuser-client). */
static struct vm_peer *peer_a, *peer_b;
static char sock_a[IT_PATH_MAX], sock_b[IT_PATH_MAX];

static const struct rte_ether_addr bcast = {.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static void
vsctl_ok(const char *const *args)
{
	struct it_result res;

	it_vsctl_argv(sw.sock, &res, false, args);
	if (res.status != 0)
		print_error("vsctl %s: status %d, stderr: %s\n", args[0], res.status, res.err);
	assert_int_equal(res.status, 0);
	it_result_free(&res);
}

static struct vm_peer *
open_a(void)
{
	struct vm_peer_params pp = {
	    .name = "a",
	    .socket = sock_a,
	    .mac = vm_peer_mac_make(0xa, 1),
	    .link_timeout_ms = 5000,
	};

	return vm_peer_open(&pp);
}

static int
group_setup(void **state)
{
	if (it_switch_start(&sw, NULL) < 0)
		return -1;
	snprintf(sock_a, sizeof(sock_a), "%s", it_switch_path(&sw, "vma.sock"));
	snprintf(sock_b, sizeof(sock_b), "%s", it_switch_path(&sw, "vmb.sock"));
	return 0;
}

static int
group_teardown(void **state)
{
	vm_peer_close(peer_a);
	vm_peer_close(peer_b);
	peer_a = peer_b = NULL;
	it_switch_destroy(&sw);
	return 0;
}

struct want {
	struct vm_peer *peer;
	uint32_t test_id;
	unsigned n;
};

static bool
got_enough(void *arg)
{
	const struct want *w = arg;

	return vm_peer_count(w->peer, w->test_id, UINT32_MAX) >= w->n;
}

/* from sends n frames to dst; to must receive exactly n, from none of its own. */
static void
expect_pass(struct vm_peer *from, struct vm_peer *to, const struct rte_ether_addr *dst,
	    uint32_t test_id, unsigned n)
{
	struct vm_peer *both[2] = {peer_a, peer_b};
	struct want w = {.peer = to, .test_id = test_id, .n = n};
	unsigned got;

	assert_int_equal(vm_peer_send_burst(from, dst, NULL, test_id, 0, n), n);
	vm_peer_poll_until(both, 2, got_enough, &w, 2000, 30);
	got = vm_peer_count(to, test_id, UINT32_MAX);
	if (got != n)
		print_error("test %u: %s sent %u frames to %s, it received %u\n", test_id,
			    vm_peer_name(from), n, vm_peer_name(to), got);
	assert_int_equal(got, n);
	assert_int_equal(vm_peer_count(from, test_id, UINT32_MAX), 0);
}

/* Broadcast both ways (which also teaches the switch both MACs), then unicast a -> b. */
static void
traffic_both_ways(uint32_t base_id)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	vm_peer_clear(peer_a);
	vm_peer_clear(peer_b);
	expect_pass(peer_a, peer_b, &bcast, base_id, 10);
	expect_pass(peer_b, peer_a, &bcast, base_id + 1, 10);
	rte_ether_format_addr(mac, sizeof(mac), vm_peer_mac(peer_b));
	assert_int_equal(it_wait_fdb_entry(&sw, "br1", mac, "vmb", 2000), 0);
	rte_ether_format_addr(mac, sizeof(mac), vm_peer_mac(peer_a));
	assert_int_equal(it_wait_fdb_entry(&sw, "br1", mac, "vma", 2000), 0);
	expect_pass(peer_a, peer_b, vm_peer_mac(peer_b), base_id + 2, 20);
	expect_pass(peer_b, peer_a, vm_peer_mac(peer_a), base_id + 3, 20);
}

static void
test_configure_and_pass_traffic(void **state)
{
	char sa[IT_PATH_MAX + 8], sb[IT_PATH_MAX + 8];
	const char *add_br[] = {"add-br", "br1", "mac-aging=120", "mac-table-size=1000", NULL};
	const char *add_br2[] = {"add-br", "br2", NULL};
	const char *add_a[] = {"add-port", "br1", "vma", "type=vhostuser", sa, NULL};
	const char *add_b[] = {"add-port", "br1", "vmb", "type=vhostuser-client", sb, NULL};
	struct vm_peer_params pb = {
	    .name = "b",
	    .socket = sock_b,
	    .server = true,
	    .mac = vm_peer_mac_make(0xb, 1),
	    .link_timeout_ms = 5000,
	};

	snprintf(sa, sizeof(sa), "socket=%s", sock_a);
	snprintf(sb, sizeof(sb), "socket=%s", sock_b);
	vsctl_ok(add_br);
	vsctl_ok(add_br2);
	vsctl_ok(add_a);
	vsctl_ok(add_b);

	/* The switch keeps trying to connect to vmb.sock; the probe returns once it has. */
	peer_b = vm_peer_open(&pb);
	assert_non_null(peer_b);
	peer_a = open_a();
	assert_non_null(peer_a);
	assert_int_equal(vm_peer_wait_link(peer_b, 5000), 0);
	assert_int_equal(it_wait_port_link(&sw, "vma", "up", 5000), 0);
	assert_int_equal(it_wait_port_link(&sw, "vmb", "up", 5000), 0);
	traffic_both_ways(100);
}

static void
test_restart_keeps_config_and_traffic(void **state)
{
	json_t *before, *after, *fdb;
	int status;

	before = it_show_config(&sw);
	assert_non_null(before);
	/* What test_configure_and_pass_traffic set up, so a broken show cannot pass. */
	assert_int_equal(json_array_size(json_object_get(before, "bridges")), 2);

	status = it_switch_stop(&sw);
	if (status != 0) {
		print_error("vswitchd did not exit cleanly on SIGTERM (status 0x%x)\n", status);
		it_switch_dump_log(&sw);
	}
	assert_int_equal(status, 0);

	assert_int_equal(it_switch_start(&sw, NULL), 0);
	after = it_show_config(&sw);
	assert_non_null(after);
	if (!json_equal(before, after)) {
		char *b = json_dumps(before, JSON_COMPACT), *a = json_dumps(after, JSON_COMPACT);

		print_error("configuration changed over a restart:\nbefore %s\nafter  %s\n", b, a);
		free(b);
		free(a);
		fail();
	}
	json_decref(before);
	json_decref(after);
	fdb = it_vsctl_json(&sw, "fdb-show", "br1", NULL);
	assert_non_null(fdb);
	assert_int_equal(json_integer_value(json_object_get(fdb, "mac_aging")), 120);
	assert_int_equal(json_integer_value(json_object_get(fdb, "mac_table_size")), 1000);
	json_decref(fdb);

	/* The server-mode VM was left running: the switch reconnects to it. */
	if (it_wait_port_link(&sw, "vmb", "up", 10000) < 0) {
		print_error("vmb (vhostuser-client) did not reconnect after the restart\n");
		it_switch_dump_log(&sw);
		fail();
	}
	assert_int_equal(vm_peer_wait_link(peer_b, 5000), 0);

	/* The client-mode VM is probed again, as QEMU would reconnect. */
	vm_peer_close(peer_a);
	peer_a = open_a();
	assert_non_null(peer_a);
	assert_int_equal(it_wait_port_link(&sw, "vma", "up", 5000), 0);

	traffic_both_ways(200);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_configure_and_pass_traffic),
	    cmocka_unit_test(test_restart_keeps_config_and_traffic),
	};

	return vm_peer_run_group(argv[0], "restart", tests, sizeof(tests) / sizeof(tests[0]),
				 group_setup, group_teardown);
}
