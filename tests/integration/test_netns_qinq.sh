#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# QinQ: a dot1q-tunnel port (service VLAN 100) facing a customer host that
# tags its own VLANs, and a trunk port carrying VLAN 100 facing a host that
# terminates both tags.
#   q: port pq (afpacket) dot1q-tunnel tag=100; eth0.10 (802.1Q) 10.0.10.1,
#      eth0.20 (802.1Q) 10.0.20.1, untagged eth0 10.0.0.1
#   t: port pt (afxdp) trunk trunks=100; eth0.100 (802.1ad) 10.0.0.2, and on top
#      of it eth0.100.10 (802.1Q) 10.0.10.2 and eth0.100.20 10.0.20.2
# The customer interfaces use MTU 1496 and t's wire (both veth ends, so the
# trunk port too) MTU 1504, as a provider network would: a full customer frame
# with both tags is 1518 bytes, which AF_PACKET refuses to send on an MTU-1500
# interface when the outer TPID is 0x88a8 (it allows 4 extra bytes for 0x8100
# only).

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_qinq tcpdump nc ss md5sum

step "topology"
sw_start
host_add q 10.0.0.1/24
host_add t
host_vlan q eth0 10 10.0.10.1/24
host_vlan q eth0 20 10.0.20.1/24
host_vlan t eth0 100 10.0.0.2/24 802.1ad
host_vlan t eth0.100 10 10.0.10.2/24
host_vlan t eth0.100 20 10.0.20.2/24
for i in eth0.10 eth0.20; do in_ns q ip link set "$i" mtu 1496; done
for i in eth0.100 eth0.100.10 eth0.100.20; do in_ns t ip link set "$i" mtu 1496; done
in_ns t ip link set eth0 mtu 1504
ip link set "$(swif t)" mtu 1504
sw_add_port pq afpacket iface="$(swif q)" vlan-mode=dot1q-tunnel tag=100
sw_add_port pt afxdp iface="$(swif t)" vlan-mode=trunk trunks=100
for p in pq pt; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
mac_q=$(host_mac q) mac_t=$(host_mac t)

# qinq_ping DST_ON_T TAGS_AT_T TAGS_AT_Q MSG: q pings t; checks the tag stacks of
# q's frames as t receives them and of t's frames as q receives them.
qinq_ping() {
	local dst=$1 at_t=$2 at_q=$3 msg=$4
	capture_start ct t eth0
	capture_start cq q eth0
	assert_ping q "$dst" "$msg"
	capture_stop ct
	capture_stop cq
	expect_ge "frames from q captured on t" 4 "$(capture_count ct ether src "$mac_q")"
	expect_eq "tags of q's frames on t's wire" "$at_t" "$(capture_tags ct ether src "$mac_q")"
	expect_ge "frames from t captured on q" 4 "$(capture_count cq ether src "$mac_t")"
	expect_eq "tags of t's frames on q's wire" "$at_q" "$(capture_tags cq ether src "$mac_t")"
}

step "customer VLAN 10 through service VLAN 100"
qinq_ping 10.0.10.2 88a8:100/8100:10 8100:10 "q eth0.10 -> t eth0.100.10"

step "customer VLAN 20 through the same tunnel"
qinq_ping 10.0.20.2 88a8:100/8100:20 8100:20 "q eth0.20 -> t eth0.100.20"

step "untagged customer frames enter the tunnel too"
qinq_ping 10.0.0.2 88a8:100 untagged "q eth0 -> t eth0.100"

step "TCP over QinQ, full-sized frames"
tcp_transfer q t 10.0.10.2 1024 "TCP q eth0.10 -> t eth0.100.10"
tcp_transfer t q 10.0.10.1 1024 "TCP t eth0.100.10 -> q eth0.10"

step "a trunk without VLAN 100 carries nothing of the tunnel"
sw_set_port pt trunks=200
assert_no_ping q 10.0.10.2 "q eth0.10 -> t eth0.100.10 with trunks=200"
sw_set_port pt trunks=100
assert_ping q 10.0.10.2 "q eth0.10 -> t eth0.100.10 with trunks=100 again"

ns_pass
