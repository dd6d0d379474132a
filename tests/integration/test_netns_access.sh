#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Access ports with real Linux hosts: h1 (afxdp) and h2 (afpacket) in VLAN 10,
# h3 (afxdp) and h4 (afpacket) in VLAN 20, all four in one IP subnet so that
# only the switch's VLANs separate them.
#  - ping works inside each VLAN, across both port types
#  - nothing crosses between VLANs: no reply, and the other VLAN's hosts
#    receive not a single frame (IPv6 is off, so nothing else is on the wire)
#  - a frame tagged with VLAN 20 sent into the VLAN-10 access port is dropped
#    (vlan_filtered), and does not reach VLAN 20
#  - TCP works (nc with content check, iperf3)

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_access nc iperf3 ss md5sum

step "topology"
sw_start
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
host_add h3 10.0.0.3/24
host_add h4 10.0.0.4/24
sw_add_port p1 afxdp iface="$(swif h1)" vlan-mode=access tag=10
sw_add_port p2 afpacket iface="$(swif h2)" vlan-mode=access tag=10
sw_add_port p3 afxdp iface="$(swif h3)" tag=20
sw_add_port p4 afpacket iface="$(swif h4)" tag=20
for p in p1 p2 p3 p4; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
ok "all four ports report link up"

step "ping inside VLAN 10 and VLAN 20"
assert_ping h1 10.0.0.2 "VLAN 10: h1 (afxdp) -> h2 (afpacket)"
assert_ping h2 10.0.0.1 "VLAN 10: h2 (afpacket) -> h1 (afxdp)"
assert_ping h3 10.0.0.4 "VLAN 20: h3 (afxdp) -> h4 (afpacket)"
assert_ping h4 10.0.0.3 "VLAN 20: h4 (afpacket) -> h3 (afxdp)"
mac1=$(host_mac h1) mac2=$(host_mac h2) mac3=$(host_mac h3) mac4=$(host_mac h4)

# Hosts of one VLAN keep talking among themselves (ARP reachability probes), so
# what crosses is counted by source MAC in captures, not by interface counters.
step "no frame crosses between VLAN 10 and VLAN 20"
capture_start c3 h3 eth0
capture_start c4 h4 eth0
assert_no_ping h1 10.0.0.3 "VLAN 10 -> VLAN 20: h1 -> h3"
assert_no_ping h2 10.0.0.4 "VLAN 10 -> VLAN 20: h2 -> h4"
capture_stop c3
capture_stop c4
expect_eq "frames from VLAN 10 hosts seen by h3" 0 \
	"$(capture_count c3 ether src "$mac1" or ether src "$mac2")"
expect_eq "frames from VLAN 10 hosts seen by h4" 0 \
	"$(capture_count c4 ether src "$mac1" or ether src "$mac2")"
expect_eq "h3's neighbour entry for h1 (an ARP request would create one)" "" \
	"$(in_ns h3 ip neigh show 10.0.0.1)"

capture_start c1 h1 eth0
capture_start c2 h2 eth0
assert_no_ping h4 10.0.0.1 "VLAN 20 -> VLAN 10: h4 -> h1"
assert_no_ping h3 10.0.0.2 "VLAN 20 -> VLAN 10: h3 -> h2"
capture_stop c1
capture_stop c2
expect_eq "frames from VLAN 20 hosts seen by h1" 0 \
	"$(capture_count c1 ether src "$mac3" or ether src "$mac4")"
expect_eq "frames from VLAN 20 hosts seen by h2" 0 \
	"$(capture_count c2 ether src "$mac3" or ether src "$mac4")"

step "a VLAN-20 tagged frame into access port p1 (VLAN 10) is dropped"
host_vlan h1 eth0 20 10.0.20.1/24
in_ns h3 ip addr add 10.0.20.3/24 dev eth0
filt=$(sw_stat p1 vlan_filtered)
capture_start c3 h3 eth0
assert_no_ping h1 10.0.20.3 "h1 eth0.20 (tagged 20 on an access port) -> h3"
capture_stop c3
expect_eq "frames from h1 seen by h3" 0 "$(capture_count c3 ether src "$mac1")"
expect_counter_grew p1 vlan_filtered "$filt"
host_vlan_del h1 eth0.20

step "VLAN 10 still works, TCP through the switch"
assert_ping h1 10.0.0.2 "VLAN 10 again: h1 -> h2"
tcp_transfer h1 h2 10.0.0.2 2048 "TCP h1 (afxdp) -> h2 (afpacket), nc"
tcp_transfer h2 h1 10.0.0.1 2048 "TCP h2 (afpacket) -> h1 (afxdp), nc"
iperf_transfer h2 h1 10.0.0.1 2 10 "TCP h2 -> h1, iperf3"
expect_ge "switch rx_packets on p2 (afpacket)" 1000 "$(sw_stat p2 rx_packets)"
expect_ge "switch rx_packets on p1 (afxdp)" 1000 "$(sw_stat p1 rx_packets)"

ns_pass
