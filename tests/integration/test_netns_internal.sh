#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An internal port puts the host's own stack on the bridge: port host<id>
# (type internal) appears as a tap of that name in the root namespace; with an
# address on it the root namespace reaches a namespace host on an afpacket
# port of the same bridge (ping both ways, TCP both ways).
# The subnet is a /24 of 198.18.0.0/15 (benchmarking addresses) chosen per run
# and checked to be unused in the root namespace.

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_internal nc ss md5sum

step "topology"
sw_start
net=""
for try in 0 1 2 3 4 5 6 7; do
	x=$(((16#$NS_ID + try) % 250 + 1))
	if ! ip -4 addr show | grep -q "inet 198\.18\.$x\." && ! ip -4 route show | grep -q "^198\.18\.$x\."; then
		net="198.18.$x"
		break
	fi
done
[ -n "$net" ] || fail "no free /24 in 198.18.0.0/16 for the test"
port="host$NS_ID"
host_add h1 "$net.2/24"
sw_add_port "$port" internal
sw_add_port p1 afpacket iface="$(swif h1)"
wait_until 5 ip link show dev "$port" || fail "internal port $port: no interface $port in the root namespace"
ok "interface $port exists in the root namespace"
sysctl -qw "net.ipv6.conf.$port.disable_ipv6=1"
ip addr add "$net.1/24" dev "$port" || fail "cannot add $net.1/24 to $port"
ip link set "$port" up || fail "cannot bring $port up"
for p in "$port" p1; do
	wait_until 10 sw_link_is "$p" up || fail "port $p: link '$(sw_link "$p")', expected up within 10 s"
done
ok "$port and p1 report link up"
expect_eq "mtu of $port in show" 1500 "$(sw_port_field "$port" mtu)"

step "root namespace <-> namespace host through the switch"
assert_ping root "$net.2" "root ns ($port) -> h1"
assert_ping h1 "$net.1" "h1 -> root ns ($port)"
expect_eq "h1's neighbour entry for the root ns is the tap's MAC" \
	"$(cat "/sys/class/net/$port/address")" \
	"$(in_ns h1 ip neigh show "$net.1" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')"
tcp_transfer root h1 "$net.2" 2048 "TCP root ns -> h1"
tcp_transfer h1 root "$net.1" 2048 "TCP h1 -> root ns"
expect_ge "switch rx_packets on $port" 100 "$(sw_stat "$port" rx_packets)"
expect_ge "switch tx_packets on $port" 100 "$(sw_stat "$port" tx_packets)"

step "show reports the tap's MAC (docs/api.md: lower-case, as the kernel prints it)"
if [ "$NS_SWITCH" = vswitchd ]; then
	expect_eq "mac of $port in show" "$(cat "/sys/class/net/$port/address")" "$(sw_port_field "$port" mac)"
	expect_eq "mac of p1 in show" "$(cat "/sys/class/net/$(swif h1)/address")" "$(sw_port_field p1 mac)"
fi

step "deleting the port removes the interface"
if [ "$NS_SWITCH" = vswitchd ]; then
	vsctl del-port "$NS_BR" "$port" || fail "del-port $port failed"
	wait_until 5 eval "! ip link show dev $port" || fail "$port still exists 5 s after del-port"
	ok "$port is gone"
	assert_no_ping h1 "$net.1" "h1 -> root ns after del-port"
else
	note "($NS_SWITCH) del-port not exercised"
fi

ns_pass
