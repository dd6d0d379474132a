/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs against the real kernel: needs root (CAP_NET_ADMIN) and veth. Every
 * interface it makes is named kit<pid>* and deleted in the group teardown,
 * whatever happened in the tests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include <cmocka.h>

#include "bridge/kernel_iface.h"
#include "bridge/link_monitor.h"

#define MAC_A "02:6b:69:74:00:01"

struct names {
	char prefix[IFNAMSIZ];
	char a[IFNAMSIZ]; /* veth a <-> b, a with MAC_A */
	char b[IFNAMSIZ];
	char c[IFNAMSIZ]; /* veth c <-> d, deleted by a test */
	char d[IFNAMSIZ];
	char missing[IFNAMSIZ];
};

static struct names n;

static int
shell(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

#define SH(...) assert_int_equal(shell(__VA_ARGS__), 0)

static void
remove_ifaces(void)
{
	/* Deleting one end of a veth deletes both. */
	shell("ip link del %s 2>/dev/null", n.a);
	shell("ip link del %s 2>/dev/null", n.c);
}

static int
group_setup(void **state)
{
	unsigned int id = (unsigned int)getpid() % 10000;

	snprintf(n.prefix, sizeof(n.prefix), "kit%u", id);
	snprintf(n.a, sizeof(n.a), "kit%ua", id);
	snprintf(n.b, sizeof(n.b), "kit%ub", id);
	snprintf(n.c, sizeof(n.c), "kit%uc", id);
	snprintf(n.d, sizeof(n.d), "kit%ud", id);
	snprintf(n.missing, sizeof(n.missing), "kit%uz", id);
	/* Left over by an earlier run that had the same pid and was killed. */
	remove_ifaces();
	if (shell("ip link add %s address " MAC_A " type veth peer name %s", n.a, n.b) != 0 ||
	    shell("ip link add %s type veth peer name %s", n.c, n.d) != 0) {
		fprintf(stderr, "cannot create veth pairs (root and veth needed)\n");
		remove_ifaces();
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	remove_ifaces();
	return 0;
}

/* A number from /sys/class/net/NAME/ATTR, read independently of libnl. */
static long
sysfs_long(const char *name, const char *attr)
{
	char path[128], buf[64];
	FILE *f;
	long v;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		fail_msg("cannot read %s", path);
	}
	fclose(f);
	v = strtol(buf, NULL, 0);
	return v;
}

static struct kernel_iface_info
get_ok(const char *name)
{
	struct kernel_iface_info info;
	char err[256] = "";
	int rc;

	rc = kernel_iface_get(name, &info, err, sizeof(err));
	if (rc != 0)
		fail_msg("get %s: %d %s", name, rc, err);
	return info;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Carrier changes reach the flags through the kernel's linkwatch, a moment
 * after the command that caused them. */
static bool
wait_oper(const char *name, bool oper_up)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (get_ok(name).oper_up == oper_up)
			return true;
		usleep(20000);
	}
	return false;
}

/* --- kernel_iface ----------------------------------------------------------------------- */

static void
expect_bad_name(const char *name, const char *msg)
{
	struct kernel_iface_info info;
	char err[256] = "";

	assert_int_equal(kernel_iface_check_name(name, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	/* Every entry point refuses it before asking the kernel. */
	err[0] = '\0';
	assert_int_equal(kernel_iface_get(name, &info, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	err[0] = '\0';
	assert_int_equal(kernel_iface_set_up(name, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	err[0] = '\0';
	assert_int_equal(kernel_iface_set_mtu(name, 1500, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void
test_check_name(void **state)
{
	const char *good[] = {"veth0", "abcdefghijklmno", "...", "a.b", "eth-0_1@x"};
	char err[256];
	size_t i;

	expect_bad_name(NULL, "iface name is empty");
	expect_bad_name("", "iface name is empty");
	expect_bad_name("abcdefghijklmnop",
			"iface abcdefghijklmnop: name is 16 bytes long; at most 15 fit");
	expect_bad_name("a/b", "iface a/b: '/' is not allowed in an interface name");
	expect_bad_name("a:1", "iface a:1: ':' is not allowed in an interface name");
	expect_bad_name("a b", "iface a b: whitespace is not allowed in an interface name");
	expect_bad_name("a\tb", "iface a\tb: whitespace is not allowed in an interface name");
	expect_bad_name("ab\n", "iface ab\n: whitespace is not allowed in an interface name");
	expect_bad_name(".", "iface .: \".\" and \"..\" cannot be interface names");
	expect_bad_name("..", "iface ..: \".\" and \"..\" cannot be interface names");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		if (kernel_iface_check_name(good[i], err, sizeof(err)) != 0)
			fail_msg("\"%s\" refused: %s", good[i], err);
	}
}

static void
test_missing(void **state)
{
	struct kernel_iface_info info;
	char err[256], want[64];

	snprintf(want, sizeof(want), "iface %s: no such interface", n.missing);
	err[0] = '\0';
	assert_int_equal(kernel_iface_get(n.missing, &info, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, want);
	err[0] = '\0';
	assert_int_equal(kernel_iface_set_up(n.missing, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, want);
	err[0] = '\0';
	assert_int_equal(kernel_iface_set_mtu(n.missing, 1400, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, want);
}

static void
test_get(void **state)
{
	struct rte_ether_addr want_mac = {.addr_bytes = {0x02, 0x6b, 0x69, 0x74, 0x00, 0x01}};
	struct kernel_iface_info info;
	char mac[32], sysfs_mac[32], path[64];
	FILE *f;

	SH("ip link set %s down && ip link set %s mtu 1500", n.a, n.a);
	info = get_ok(n.a);
	assert_int_equal(info.ifindex, if_nametoindex(n.a));
	assert_true(info.ifindex > 0);
	assert_int_equal(info.mtu, 1500);
	assert_memory_equal(&info.mac, &want_mac, sizeof(want_mac));
	assert_false(info.admin_up);
	assert_false(info.oper_up);

	/* The other end: a MAC the kernel chose, which sysfs must agree with. */
	info = get_ok(n.b);
	assert_int_equal(info.ifindex, if_nametoindex(n.b));
	assert_false(rte_is_zero_ether_addr(&info.mac));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x\n", info.mac.addr_bytes[0],
		 info.mac.addr_bytes[1], info.mac.addr_bytes[2], info.mac.addr_bytes[3],
		 info.mac.addr_bytes[4], info.mac.addr_bytes[5]);
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", n.b);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(sysfs_mac, sizeof(sysfs_mac), f));
	fclose(f);
	assert_string_equal(sysfs_mac, mac);
}

static void
test_set_up(void **state)
{
	char err[256] = "";

	SH("ip link set %s down && ip link set %s down", n.a, n.b);
	assert_false(get_ok(n.a).admin_up);
	if (kernel_iface_set_up(n.a, err, sizeof(err)) != 0)
		fail_msg("set_up: %s", err);
	assert_true(get_ok(n.a).admin_up);
	assert_true(sysfs_long(n.a, "flags") & IFF_UP);
	/* Up, but its peer is down: no carrier. */
	usleep(50000);
	assert_false(get_ok(n.a).oper_up);
	/* Already up: nothing to do, and no error. */
	assert_int_equal(kernel_iface_set_up(n.a, err, sizeof(err)), 0);
	assert_int_equal(kernel_iface_set_up(n.b, err, sizeof(err)), 0);
	assert_true(wait_oper(n.a, true));
	assert_true(wait_oper(n.b, true));
}

static void
test_set_mtu(void **state)
{
	char err[256] = "";

	SH("ip link set %s mtu 1500", n.a);
	if (kernel_iface_set_mtu(n.a, 1400, err, sizeof(err)) != 0)
		fail_msg("set_mtu: %s", err);
	assert_int_equal(get_ok(n.a).mtu, 1400);
	assert_int_equal(sysfs_long(n.a, "mtu"), 1400);
	/* Only the MTU changed. */
	assert_int_equal(get_ok(n.b).mtu, 1500);
	if (kernel_iface_set_mtu(n.a, 9000, err, sizeof(err)) != 0)
		fail_msg("set_mtu: %s", err);
	assert_int_equal(sysfs_long(n.a, "mtu"), 9000);
	SH("ip link set %s mtu 1500", n.a);
}

static void
test_set_mtu_refused(void **state)
{
	char err[256] = "", prefix[64];

	SH("ip link set %s mtu 1400", n.a);
	snprintf(prefix, sizeof(prefix), "iface %s: cannot set MTU 100000: ", n.a);
	/* veth's maximum is 65535. */
	assert_int_equal(kernel_iface_set_mtu(n.a, 100000, err, sizeof(err)), -EINVAL);
	print_message("refused: %s\n", err);
	assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
	assert_true(strlen(err) > strlen(prefix));
	/* Too small for IPv4 is refused as well. */
	err[0] = '\0';
	assert_int_equal(kernel_iface_set_mtu(n.a, 10, err, sizeof(err)), -EINVAL);
	snprintf(prefix, sizeof(prefix), "iface %s: cannot set MTU 10: ", n.a);
	assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
	assert_int_equal(sysfs_long(n.a, "mtu"), 1400);
	SH("ip link set %s mtu 1500", n.a);
}

/* --- link_monitor ----------------------------------------------------------------------- */

struct event {
	char name[IFNAMSIZ];
	int ifindex;
	bool admin_up, oper_up, deleted;
};

/* What the monitor delivered: the calls, and this run's interfaces' events. */
struct events {
	struct event log[256];
	int n;
	int calls;
	int overruns;
	bool overrun_last; /* the notice came after every event of its poll */
};

static void
on_event(const char *name, int ifindex, bool admin_up, bool oper_up, bool deleted, void *arg)
{
	struct events *ev = arg;
	struct event *e;

	ev->calls++;
	ev->overrun_last = name == NULL;
	if (name == NULL) {
		ev->overruns++;
		return;
	}
	/* Other tests on this machine make interfaces too. */
	if (strncmp(name, n.prefix, strlen(n.prefix)) != 0 || ev->n == 256)
		return;
	e = &ev->log[ev->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->ifindex = ifindex;
	e->admin_up = admin_up;
	e->oper_up = oper_up;
	e->deleted = deleted;
}

static const struct event *
find_event(const struct events *ev, const char *name, bool admin_up, bool oper_up, bool deleted)
{
	int i;

	for (i = 0; i < ev->n; i++) {
		const struct event *e = &ev->log[i];

		if (strcmp(e->name, name) == 0 && e->admin_up == admin_up &&
		    e->oper_up == oper_up && e->deleted == deleted)
			return e;
	}
	return NULL;
}

/* Polls up to 2 s for the event, keeping whatever else arrives in ev. */
static const struct event *
wait_event(struct link_monitor *mon, struct events *ev, const char *name, bool admin_up,
	   bool oper_up, bool deleted)
{
	const struct event *e;
	int i, rc;

	for (i = 0; i < 100; i++) {
		rc = link_monitor_poll(mon, on_event, ev);
		if (rc < 0)
			fail_msg("poll: %s", strerror(-rc));
		e = find_event(ev, name, admin_up, oper_up, deleted);
		if (e != NULL)
			return e;
		usleep(20000);
	}
	fail_msg("no event %s admin_up=%d oper_up=%d deleted=%d in 2 s", name, admin_up, oper_up,
		 deleted);
	return NULL;
}

static struct link_monitor *
monitor(void)
{
	struct link_monitor *mon;
	struct events ev = {0};
	char err[256] = "";
	int rc = 1;

	mon = link_monitor_create(&rc, err, sizeof(err));
	if (mon == NULL)
		fail_msg("link_monitor_create: %d %s", rc, err);
	assert_int_equal(rc, 0);
	assert_true(link_monitor_poll(mon, on_event, &ev) >= 0);
	return mon;
}

/* Settles earlier changes (linkwatch lags) so they are not taken for new ones. */
static void
drain(struct link_monitor *mon)
{
	struct events ev = {0};

	usleep(100000);
	assert_true(link_monitor_poll(mon, on_event, &ev) >= 0);
	assert_int_equal(ev.overruns, 0);
}

static void
test_monitor_down_up(void **state)
{
	const struct event *e;
	struct link_monitor *mon;
	struct events ev = {0};
	double t;
	int rc;

	SH("ip link set %s up && ip link set %s up", n.a, n.b);
	assert_true(wait_oper(n.a, true));
	mon = monitor();
	drain(mon);

	/* Nothing pending: returns at once. */
	t = now_sec();
	rc = link_monitor_poll(mon, on_event, &ev);
	assert_true(rc >= 0);
	assert_int_equal(rc, ev.calls);
	assert_true(now_sec() - t < 0.1);

	SH("ip link set %s down", n.a);
	e = wait_event(mon, &ev, n.a, false, false, false);
	assert_int_equal(e->ifindex, if_nametoindex(n.a));
	/* Its peer lost the carrier, but stays up. */
	wait_event(mon, &ev, n.b, true, false, false);

	memset(&ev, 0, sizeof(ev));
	SH("ip link set %s up", n.a);
	e = wait_event(mon, &ev, n.a, true, true, false);
	assert_int_equal(e->ifindex, if_nametoindex(n.a));
	wait_event(mon, &ev, n.b, true, true, false);
	assert_int_equal(ev.overruns, 0);
	link_monitor_destroy(mon);
}

static void
test_monitor_follows_peer(void **state)
{
	struct link_monitor *mon;
	struct kernel_iface_info info;
	struct events ev = {0};

	SH("ip link set %s up && ip link set %s up", n.a, n.b);
	assert_true(wait_oper(n.a, true));
	mon = monitor();
	drain(mon);

	/* a stays up, but loses its carrier with b. */
	SH("ip link set %s down", n.b);
	wait_event(mon, &ev, n.a, true, false, false);
	info = get_ok(n.a);
	assert_true(info.admin_up);
	assert_false(info.oper_up);

	memset(&ev, 0, sizeof(ev));
	SH("ip link set %s up", n.b);
	wait_event(mon, &ev, n.a, true, true, false);
	info = get_ok(n.a);
	assert_true(info.admin_up);
	assert_true(info.oper_up);
	link_monitor_destroy(mon);
}

static void
test_monitor_delete(void **state)
{
	struct link_monitor *mon;
	struct kernel_iface_info info;
	const struct event *e;
	struct events ev = {0};
	char err[256];
	int ifindex_c = if_nametoindex(n.c);

	assert_true(ifindex_c > 0);
	SH("ip link set %s up && ip link set %s up", n.c, n.d);
	mon = monitor();
	drain(mon);

	SH("ip link del %s", n.c);
	e = wait_event(mon, &ev, n.c, false, false, true);
	assert_int_equal(e->ifindex, ifindex_c);
	/* Its peer goes with it. */
	wait_event(mon, &ev, n.d, false, false, true);
	assert_int_equal(kernel_iface_get(n.c, &info, err, sizeof(err)), -ENODEV);
	link_monitor_destroy(mon);
}

/* Many more events than the socket buffer holds, read in one poll: one notice,
 * after the events still queued, and the monitor keeps working. */
static void
test_monitor_overrun(void **state)
{
	char path[] = "/tmp/test_kernel_iface.XXXXXX";
	struct link_monitor *mon;
	struct events ev = {0};
	long rmem_max = 0;
	int i, flaps, fd;
	FILE *f;

	f = fopen("/proc/sys/net/core/rmem_max", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &rmem_max), 1);
	fclose(f);
	/* The kernel doubles what the monitor asks for (1 MiB, capped at
	 * rmem_max); each flap queues two messages of well over 512 bytes. */
	flaps = (int)((rmem_max < (1 << 20) ? rmem_max : (1 << 20)) * 2 / 512);
	if (flaps > 20000)
		flaps = 20000;

	SH("ip link set %s up && ip link set %s up", n.a, n.b);
	assert_true(wait_oper(n.a, true));
	mon = monitor();
	drain(mon);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (i = 0; i < flaps; i++)
		fprintf(f, "link set %s down\nlink set %s up\n", n.b, n.b);
	fclose(f);
	i = shell("ip -batch %s", path);
	unlink(path);
	assert_int_equal(i, 0);

	assert_true(link_monitor_poll(mon, on_event, &ev) > 0);
	print_message("%d flaps: %d calls, %d overrun notices\n", flaps, ev.calls, ev.overruns);
	assert_int_equal(ev.overruns, 1);
	assert_true(ev.overrun_last);

	memset(&ev, 0, sizeof(ev));
	SH("ip link set %s down", n.a);
	wait_event(mon, &ev, n.a, false, false, false);
	assert_int_equal(ev.overruns, 0);
	link_monitor_destroy(mon);
	SH("ip link set %s up", n.a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_name),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_set_up),
		cmocka_unit_test(test_set_mtu),
		cmocka_unit_test(test_set_mtu_refused),
		cmocka_unit_test(test_monitor_down_up),
		cmocka_unit_test(test_monitor_follows_peer),
		cmocka_unit_test(test_monitor_delete),
		cmocka_unit_test(test_monitor_overrun),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
