#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Port MTU: p1 (afxdp, h1) has mtu=1400, p2 (afpacket, h2) the default; both
# hosts keep MTU 1500, so only the switch's port MTU limits them.
#  - show reports mtu 1400 and the kernel interface of p1 was set to 1400
#  - ping -M do -s 1372 (a 1400-byte IP packet) works both ways
#  - ping -M do -s 1400 (1428 bytes) gets no reply, and h2 -> h1 (the switch
#    has to drop it on the way out of p1) raises oversize or mtu_exceeded
#  - set-port p1 mtu=1500 lets the big ping through at once; mtu=1400 stops it again
#  - (vswitchd only) with p1's kernel MTU raised behind the switch's back, h1's
#    1428-byte packets reach the switch, which drops them as oversize on p1

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_mtu

step "topology"
sw_start
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
sw_add_port p1 afxdp iface="$(swif h1)" mtu=1400
sw_add_port p2 afpacket iface="$(swif h2)"
for p in p1 p2; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
expect_eq "mtu of p1 in show" 1400 "$(sw_port_field p1 mtu)"
expect_eq "mtu of p2 in show (the interface's own)" 1500 "$(sw_port_field p2 mtu)"
expect_eq "kernel MTU of p1's interface $(swif h1)" 1400 "$(cat "/sys/class/net/$(swif h1)/mtu")"
expect_eq "MTU of h1's eth0 (the host keeps 1500)" 1500 "$(in_ns h1 cat /sys/class/net/eth0/mtu)"

# Sum of the MTU drop counters of both ports (empty on a stand-in without them).
mtu_drops() {
	local p n sum=0
	sw_has_drop_counters || return 0
	for p in p1 p2; do
		for n in oversize mtu_exceeded; do
			v=$(sw_stat $p $n)
			[ "$v" = missing ] && fail "port-stats $p does not report '$n'"
			sum=$((sum + v))
		done
	done
	echo $sum
}
mtu_drop_detail() {
	local p
	sw_has_drop_counters || return 0
	for p in p1 p2; do
		printf '%s: oversize %s mtu_exceeded %s; ' $p "$(sw_stat $p oversize)" "$(sw_stat $p mtu_exceeded)"
	done
}

step "1400-byte IP packets pass"
assert_ping h2 10.0.0.1 "h2 -> h1, 1400-byte packets, DF" -M do -s 1372
assert_ping h1 10.0.0.2 "h1 -> h2, 1400-byte packets, DF" -M do -s 1372

step "1428-byte IP packets are dropped"
before=$(mtu_drops)
assert_no_ping h2 10.0.0.1 "h2 -> h1, 1428-byte packets, DF" -M do -s 1400
after=$(mtu_drops)
if sw_has_drop_counters; then
	[ "$after" -gt "$before" ] ||
		fail "oversize + mtu_exceeded did not grow while h2 sent 1428-byte packets to p1 (mtu 1400): $before -> $after; $(mtu_drop_detail)"
	ok "MTU drop counters grew $before -> $after ($(mtu_drop_detail))"
fi
# h1's big packets are refused by p1's kernel interface (MTU 1400) before the switch sees them.
assert_no_ping h1 10.0.0.2 "h1 -> h2, 1428-byte packets, DF" -M do -s 1400
assert_ping h2 10.0.0.1 "h2 -> h1, small packets still pass"

step "set-port p1 mtu=1500 takes effect at once"
sw_set_port p1 mtu=1500
expect_eq "mtu of p1 in show" 1500 "$(sw_port_field p1 mtu)"
expect_eq "kernel MTU of $(swif h1)" 1500 "$(cat "/sys/class/net/$(swif h1)/mtu")"
assert_ping h2 10.0.0.1 "h2 -> h1, 1428-byte packets, DF, mtu 1500" -M do -s 1400
assert_ping h1 10.0.0.2 "h1 -> h2, 1428-byte packets, DF, mtu 1500" -M do -s 1400
assert_ping h2 10.0.0.1 "h2 -> h1, 1500-byte packets, DF, mtu 1500" -M do -s 1472

step "set-port p1 mtu=1400 again"
sw_set_port p1 mtu=1400
expect_eq "kernel MTU of $(swif h1)" 1400 "$(cat "/sys/class/net/$(swif h1)/mtu")"
before=$(mtu_drops)
assert_no_ping h2 10.0.0.1 "h2 -> h1, 1428-byte packets, DF, mtu 1400 again" -M do -s 1400
after=$(mtu_drops)
if sw_has_drop_counters; then
	[ "$after" -gt "$before" ] || fail "MTU drop counters did not grow: $before -> $after; $(mtu_drop_detail)"
	ok "MTU drop counters grew $before -> $after"
fi
assert_ping h2 10.0.0.1 "h2 -> h1, 1400-byte packets, DF, mtu 1400 again" -M do -s 1372

if sw_has_drop_counters; then
	step "frames over the port MTU that get past the kernel are dropped as oversize"
	ip link set "$(swif h1)" mtu 1500
	expect_eq "mtu of p1 in show after the kernel MTU changed" 1400 "$(sw_port_field p1 mtu)"
	before=$(sw_stat p1 oversize)
	assert_no_ping h1 10.0.0.2 "h1 -> h2, 1428-byte packets into p1 (mtu 1400)" -M do -s 1400
	expect_counter_grew p1 oversize "$before"
	assert_ping h1 10.0.0.2 "h1 -> h2, 1400-byte packets into p1" -M do -s 1372
fi

ns_pass
