#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Link state of kernel-interface ports follows the interface: h1 on p1 (afxdp),
# h2 on p2 (afpacket). For each port, the namespace end and then the root-ns
# end of the veth go down: show reports link "down" within 5 s, traffic to the
# host stops (and the switch counts tx_link_down); back up: link "up" within
# 5 s and traffic flows again.

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_linkdown

step "topology"
sw_start
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
sw_add_port p1 afxdp iface="$(swif h1)"
sw_add_port p2 afpacket iface="$(swif h2)"
for p in p1 p2; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
ok "p1 and p2 report link up"
assert_ping h1 10.0.0.2 "h1 -> h2"

# cycle PORT HOST PEER PEER_IP WHERE: takes HOST's veth down at WHERE (ns|root) and up again.
cycle() {
	local port=$1 h=$2 peer=$3 ip=$4 where=$5 t0 before
	step "$port: $where end of $h's veth down"
	t0=$(date +%s%N)
	if [ "$where" = ns ]; then in_ns "$h" ip link set eth0 down; else ip link set "$(swif "$h")" down; fi
	wait_until 5 sw_link_is "$port" down ||
		fail "$port: link '$(sw_link "$port")' 5 s after the $where end went down, expected down"
	ok "$port link down after $((($(date +%s%N) - t0) / 1000000)) ms"
	before=$(sw_stat "$port" tx_link_down)
	assert_no_ping "$peer" "$ip" "$peer -> $h while $port is down"
	sw_has_drop_counters && expect_counter_grew "$port" tx_link_down "$before"

	step "$port: $where end of $h's veth up"
	t0=$(date +%s%N)
	if [ "$where" = ns ]; then in_ns "$h" ip link set eth0 up; else ip link set "$(swif "$h")" up; fi
	wait_until 5 sw_link_is "$port" up ||
		fail "$port: link '$(sw_link "$port")' 5 s after the $where end came up, expected up"
	ok "$port link up after $((($(date +%s%N) - t0) / 1000000)) ms"
	assert_ping "$peer" "$ip" "$peer -> $h after $port came back"
	assert_ping "$h" "$(in_ns "$peer" ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)" \
		"$h -> $peer after $port came back"
}

cycle p1 h1 h2 10.0.0.1 ns
cycle p1 h1 h2 10.0.0.1 root
cycle p2 h2 h1 10.0.0.2 ns
cycle p2 h2 h1 10.0.0.2 root

ns_pass
