#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Trunk and native VLAN modes against a Linux host with VLAN subinterfaces.
#   a1: access VLAN 10 (afxdp), 10.0.10.1      a2: access VLAN 20 (afpacket), 10.0.20.1
#   a3: access VLAN 30 (afxdp), 10.0.30.1 (not in the trunk)
#   t : port pt (afpacket), subinterfaces eth0.10 / eth0.20 / eth0.30
# One port, reconfigured with set-port while traffic runs, never re-added:
#   trunk 10,20 -> native-untagged 10 (+20) -> native-tagged 10 (+20) -> trunk 20
# Captures on t's eth0 show which tag each frame carries on the wire. t answers
# ARP only on the interface holding the address (arp_ignore=1) and drops
# packets arriving on an interface it would not answer through (rp_filter=1),
# so an address on the wrong (sub)interface makes the ping fail instead of
# being rescued by Linux's weak host model.

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_trunk tcpdump

step "topology"
sw_start
host_add a1 10.0.10.1/24
host_add a2 10.0.20.1/24
host_add a3 10.0.30.1/24
host_add t
in_ns t sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1 \
	net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1
host_vlan t eth0 10 10.0.10.2/24
host_vlan t eth0 20 10.0.20.2/24
host_vlan t eth0 30 10.0.30.2/24
sw_add_port pa1 afxdp iface="$(swif a1)" tag=10
sw_add_port pa2 afpacket iface="$(swif a2)" tag=20
sw_add_port pa3 afxdp iface="$(swif a3)" tag=30
sw_add_port pt afpacket iface="$(swif t)" vlan-mode=trunk trunks=10,20
for p in pa1 pa2 pa3 pt; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
mac_a1=$(host_mac a1) mac_a2=$(host_mac a2) mac_a3=$(host_mac a3) mac_t=$(host_mac t)

# Pings a1 -> 10.0.10.2 and a2 -> 10.0.20.2 with a capture on t, and checks the
# tags the frames from a1 and a2 carried when they reached t.
check_both() {
	local tags10=$1 tags20=$2
	in_ns a1 ip neigh flush all
	in_ns a2 ip neigh flush all
	capture_start ct t eth0
	assert_ping a1 10.0.10.2 "VLAN 10: a1 -> t"
	assert_ping a2 10.0.20.2 "VLAN 20: a2 -> t"
	capture_stop ct
	expect_ge "frames from a1 captured on t" 4 "$(capture_count ct ether src "$mac_a1")"
	expect_eq "tags of a1's frames on t's wire" "$tags10" "$(capture_tags ct ether src "$mac_a1")"
	expect_ge "frames from a2 captured on t" 4 "$(capture_count ct ether src "$mac_a2")"
	expect_eq "tags of a2's frames on t's wire" "$tags20" "$(capture_tags ct ether src "$mac_a2")"
	expect_eq "tags of t's frames to a1, seen by t" "$tags10" \
		"$(capture_tags ct ether src "$mac_t" and ether dst "$mac_a1")"
}

# Moves t's VLAN-10 address to IFACE.
t_addr10() {
	in_ns t ip addr flush dev eth0
	in_ns t ip addr flush dev eth0.10
	in_ns t ip addr add 10.0.10.2/24 dev "$1"
	in_ns a1 ip neigh flush all
}

step "trunk 10,20: tagged subinterfaces reach the access ports"
check_both 8100:10 8100:20

step "trunk 10,20: VLAN 30 is not carried"
filt=$(sw_stat pt vlan_filtered)
capture_start c1 a1 eth0
capture_start c2 a2 eth0
capture_start c3 a3 eth0
assert_no_ping t 10.0.30.1 "t eth0.30 -> a3 (access VLAN 30)"
assert_no_ping a3 10.0.30.2 "a3 -> t eth0.30"
capture_stop c1
capture_stop c2
capture_stop c3
# (t keeps talking to a1 and a2 in VLANs 10 and 20: look for VLAN 30's addresses.)
for c in c1 c2 c3; do
	expect_eq "frames from t about 10.0.30.x seen by a${c#c}" 0 \
		"$(capture_text $c ether src "$mac_t" | grep -c '10\.0\.30\.')"
done
expect_counter_grew pt vlan_filtered "$filt"

step "trunk 10,20: untagged frames from t go nowhere (VLAN 0 is not in trunks)"
t_addr10 eth0
assert_no_ping a1 10.0.10.2 "a1 -> t, t's address on untagged eth0"

step "set-port native-untagged tag=10 trunks=20: VLAN 10 untagged at once"
sw_set_port pt vlan-mode=native-untagged tag=10 trunks=20
expect_eq "vlan_mode of pt" native-untagged "$(sw_port_field pt vlan_mode)"
check_both untagged 8100:20

step "set-port native-tagged: VLAN 10 leaves tagged again"
sw_set_port pt vlan-mode=native-tagged
expect_eq "vlan_mode of pt" native-tagged "$(sw_port_field pt vlan_mode)"
in_ns a1 ip neigh flush all
assert_no_ping a1 10.0.10.2 "a1 -> t, t's address still on untagged eth0"
t_addr10 eth0.10
check_both 8100:10 8100:20

step "native-tagged: untagged frames from t enter VLAN 10"
# t sends untagged from a /32 on eth0; a1's ARP reply comes back tagged (so t's
# ping itself cannot complete) but a1 must have seen the request in VLAN 10.
in_ns t ip addr add 10.0.10.3/32 dev eth0
in_ns t ip route add 10.0.10.1/32 dev eth0 src 10.0.10.3
capture_start c1 a1 eth0
capture_start ct t eth0
in_ns t ping -n -q -c 2 -i 0.3 -W 1 10.0.10.1 >/dev/null 2>&1
capture_stop c1
capture_stop ct
expect_ge "ARP requests from t's untagged eth0 seen by a1" 1 \
	"$(capture_count c1 arp and ether src "$mac_t" and arp src host 10.0.10.3)"
expect_eq "tags of a1's answers on t's wire" 8100:10 \
	"$(capture_tags ct ether src "$mac_a1")"
in_ns t ip route del 10.0.10.1/32 dev eth0
in_ns t ip addr del 10.0.10.3/32 dev eth0

step "set-port trunk trunks=20: VLAN 10 gone at once, VLAN 20 still there"
sw_set_port pt vlan-mode=trunk trunks=20
expect_eq "tag of pt after switching to trunk" "<absent>" "$(sw_port_field pt tag | sed 's/^\[\]$/<absent>/')"
assert_no_ping a1 10.0.10.2 "VLAN 10: a1 -> t"
assert_ping a2 10.0.20.2 "VLAN 20: a2 -> t"

ns_pass
