#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every flow action with real Linux hosts and real traffic, its effect seen in
# captures on the receiving side and in the rules' counters:
#   h1 10.0.0.1 (afxdp p1)   h2 10.0.0.2 (afpacket p2)
#   h3 10.0.0.3 (afxdp p3)   h4 10.0.0.4 (afpacket p4), and eth0.30 10.0.30.4
# Hosts know each other's MACs (static neighbours), so that nothing but the
# test's own packets crosses the switch and counters are exact. Each step
# replaces the whole rule set (replace-flows), gives its rules cookies, sends a
# known number of packets and checks:
#  - output:PORT sends only there, even a frame addressed to another host's MAC
#  - two outputs mirror to both; flood reaches every port but the input
#  - drop: nothing arrives, the rule and rule_drop count every packet
#  - normal: the learning switch, behind a rule
#  - mod_dl_src/mod_dl_dst: the receiver accepts the frame only rewritten
#  - mod_nw_src/dst + mod_tp_src/dst on UDP and TCP (a NAT-like pair of rules
#    rewriting both directions): the receiving kernels accept the packets, a
#    TCP transfer completes intact, tcpdump -vv verifies every checksum
#  - set_field ip_dscp: tos in the capture; dec_ttl: TTL one less, TTL 1 dropped
#    and counted in ttl_exceeded
#  - push_vlan + mod_vlan_vid, pop_vlan, mod_vlan_vid on a tagged frame
#  - goto_table: table 0 defers to table 1, which decides
# n_packets and n_bytes of each rule grow by exactly what was sent.

. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/flow_lib.sh"
ns_init netns_flow_actions tcpdump nc ss md5sum

[ "$NS_SWITCH" = vswitchd ] || fail "flow rules are vswitchd's; NETNS_SWITCH=$NS_SWITCH"

ICMP_FRAME=98 # bytes of an echo request with ping's default 56-byte payload

step "topology"
sw_start
fl_note_via
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
host_add h3 10.0.0.3/24
host_add h4 10.0.0.4/24
sw_add_port p1 afxdp iface="$(swif h1)"
sw_add_port p2 afpacket iface="$(swif h2)"
sw_add_port p3 afxdp iface="$(swif h3)"
sw_add_port p4 afpacket iface="$(swif h4)"
for p in p1 p2 p3 p4; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
mac1=$(host_mac h1) mac2=$(host_mac h2) mac3=$(host_mac h3) mac4=$(host_mac h4)
fl_static_arp h1:10.0.0.1 h2:10.0.0.2 h3:10.0.0.3 h4:10.0.0.4
assert_ping h1 10.0.0.2 "default rule (normal): h1 -> h2"

# fl_ping H DST N [PING_ARGS...]: sends exactly N echo requests, 0.1 s apart;
# prints how many replies came back.
fl_ping() {
	local h=$1 dst=$2 n=$3 out
	shift 3
	sw_alive
	out=$(in_ns "$h" ping -n -q -c "$n" -i 0.1 -W 1 "$@" "$dst" 2>&1)
	grep -o '[0-9]* received' <<<"$out" | awk '{print $1 + 0}'
}

# captures TAG... / captures_stop TAG...: captures on the eth0 of host h<N> for tag c<N>.
captures() {
	local c
	for c in "$@"; do fl_capture_start "$c" "h${c#c}" eth0; done
}
captures_stop() {
	local c
	for c in "$@"; do
		capture_stop "$c"
		fl_capture_complete "$c"
	done
}

# Echo requests from h1 in capture TAG.
h1_requests() { capture_count "$1" icmp and 'icmp[icmptype] == icmp-echo' and ether src "$mac1"; }

step "output:PORT sends there and nowhere else"
flow_replace "cookie=0x11,priority=100,in_port=p1,ip,actions=output:p2" \
	"cookie=0x12,priority=100,in_port=p2,ip,actions=output:p1" ||
	fail "replace-flows refused"
expect_eq "rules after replace-flows" 2 "$(flow_n)"
captures c2 c3 c4
expect_eq "replies h1 -> h2 through output rules" 5 "$(fl_ping h1 10.0.0.2 5)"
# Addressed to h3's MAC, but the rule says p2: h2 gets it, h3 does not.
expect_eq "replies h1 -> h3 (rule sends h1's frames to p2)" 0 "$(fl_ping h1 10.0.0.3 4)"
captures_stop c2 c3 c4
expect_eq "echo requests from h1 captured on h2" 9 "$(h1_requests c2)"
expect_eq "of them addressed to h3's MAC" 4 "$(capture_count c2 icmp and ether src "$mac1" and ether dst "$mac3")"
expect_eq "frames from h1 captured on h3" 0 "$(capture_count c3 ether src "$mac1")"
expect_eq "frames from h1 captured on h4" 0 "$(capture_count c4 ether src "$mac1")"
expect_flow_packets 0x11 9 $((9 * ICMP_FRAME))
expect_flow_packets 0x12 5 $((5 * ICMP_FRAME))

step "two outputs mirror to both ports"
flow_replace "cookie=0x21,priority=100,in_port=p1,ip,actions=output:p2,output:p3" \
	"cookie=0x22,priority=100,in_port=p2,ip,actions=output:p1" || fail "replace-flows refused"
captures c2 c3 c4
expect_eq "replies h1 -> h2 with a mirror to p3" 5 "$(fl_ping h1 10.0.0.2 5)"
captures_stop c2 c3 c4
expect_eq "echo requests from h1 on h2" 5 "$(h1_requests c2)"
expect_eq "echo requests from h1 on h3 (the mirror)" 5 "$(h1_requests c3)"
expect_eq "frames from h1 on h4" 0 "$(capture_count c4 ether src "$mac1")"
expect_eq "echo replies from h2 on h3 (not mirrored)" 0 "$(capture_count c3 ether src "$mac2")"
expect_flow_packets 0x21 5 $((5 * ICMP_FRAME))

step "flood reaches every port but the input"
flow_replace "cookie=0x31,priority=100,in_port=p1,ip,actions=flood" \
	"cookie=0x32,priority=100,in_port=p2,ip,actions=output:p1" || fail "replace-flows refused"
tx1=$(sw_stat p1 tx_packets)
captures c2 c3 c4
expect_eq "replies h1 -> h2 with flood" 5 "$(fl_ping h1 10.0.0.2 5)"
captures_stop c2 c3 c4
for c in c2 c3 c4; do
	expect_eq "echo requests from h1 on h${c#c}" 5 "$(h1_requests $c)"
done
wait_until 2 eval '[ "$(sw_stat p1 tx_packets)" -ge $((tx1 + 5)) ]'
expect_eq "frames sent out of p1 (the 5 replies, no flooded copy)" 5 $(($(sw_stat p1 tx_packets) - tx1))
expect_flow_packets 0x31 5 $((5 * ICMP_FRAME))

step "drop: nothing arrives, every packet counted"
flow_replace "cookie=0x41,priority=100,in_port=p1,ip,actions=drop" \
	"cookie=0x42,priority=100,in_port=p2,ip,actions=output:p1" || fail "replace-flows refused"
expect_eq "actions of the drop rule in the dump" drop "$(flow_stat 0x41 actions)"
drops=$(sw_stat p1 rule_drop)
captures c2 c3 c4
expect_eq "replies h1 -> h2 through a drop rule" 0 "$(fl_ping h1 10.0.0.2 6)"
captures_stop c2 c3 c4
for c in c2 c3 c4; do
	expect_eq "frames from h1 on h${c#c}" 0 "$(capture_count $c ether src "$mac1")"
done
expect_flow_packets 0x41 6 $((6 * ICMP_FRAME))
wait_until 2 eval '[ "$(sw_stat p1 rule_drop)" -ge $((drops + 6)) ]'
expect_eq "rule_drop of p1 grew by" 6 $(($(sw_stat p1 rule_drop) - drops))

step "normal behind a rule: the learning switch"
flow_replace "cookie=0x51,priority=100,ip,actions=normal" || fail "replace-flows refused"
expect_eq "replies h2 -> h1 (both MACs learned)" 3 "$(fl_ping h2 10.0.0.1 3)"
captures c3 c4
expect_eq "replies h1 -> h2 through normal" 5 "$(fl_ping h1 10.0.0.2 5)"
captures_stop c3 c4
expect_eq "frames between h1 and h2 seen by h3" 0 "$(capture_count c3 ether src "$mac1" or ether src "$mac2")"
expect_eq "frames between h1 and h2 seen by h4" 0 "$(capture_count c4 ether src "$mac1" or ether src "$mac2")"
expect_flow_packets 0x51 16 $((16 * ICMP_FRAME))

step "mod_dl_src and mod_dl_dst"
# h1 believes h2 is at a MAC nobody has: only the rewrite makes h2 take the frame.
fl_neigh h1 10.0.0.2 02:00:00:00:ee:02
flow_replace \
	"cookie=0x61,priority=100,in_port=p1,ip,nw_dst=10.0.0.2,actions=mod_dl_src:02:00:00:00:ee:01,mod_dl_dst:$mac2,output:p2" \
	"cookie=0x62,priority=100,in_port=p2,ip,actions=output:p1" || fail "replace-flows refused"
captures c2
expect_eq "replies h1 -> h2 with rewritten MACs" 5 "$(fl_ping h1 10.0.0.2 5)"
captures_stop c2
expect_eq "requests on h2 from 02:00:00:00:ee:01 to h2's MAC" 5 \
	"$(capture_count c2 icmp and ether src 02:00:00:00:ee:01 and ether dst "$mac2")"
expect_eq "frames on h2 still carrying h1's own MAC or the bogus one" 0 \
	"$(capture_count c2 ether src "$mac1" or ether dst 02:00:00:00:ee:02)"
expect_flow_packets 0x61 5 $((5 * ICMP_FRAME))
fl_neigh h1 10.0.0.2 "$mac2"

step "mod_nw_src, mod_nw_dst, mod_tp_src, mod_tp_dst on UDP"
# h1 sends to 10.0.0.99:5000 from port 5001; the rule turns that into
# 10.0.0.201:41001 -> 10.0.0.2:6000, where a listener waits.
fl_neigh h1 10.0.0.99 02:00:00:00:ee:99
flow_replace \
	"cookie=0x71,priority=100,in_port=p1,udp,nw_dst=10.0.0.99,tp_dst=5000,actions=mod_nw_src:10.0.0.201,mod_tp_src:41001,mod_nw_dst:10.0.0.2,mod_tp_dst:6000,mod_dl_dst:$mac2,output:p2" ||
	fail "replace-flows refused"
captures c2
ns_prefix h2
bg_start "nc -u -l" "${NSX[@]}" timeout 10 nc -u -l -W 1 6000 >"$NS_DIR/udp.out" 2>"$NS_DIR/udp.err"
udp_srv=$BG_PID
wait_until 5 eval "in_ns h2 ss -Hlun 'sport = :6000' | grep -q ." || fail "no UDP listener on h2:6000"
echo "datagram-through-nat" | in_ns h1 nc -u -w 1 -p 5001 10.0.0.99 5000
bg_wait "$udp_srv" 5 "nc -u -l" >/dev/null
wait "$udp_srv"
rc=$?
captures_stop c2
expect_eq "what h2's UDP socket received (listener status $rc)" datagram-through-nat "$(cat "$NS_DIR/udp.out")"
expect_eq "datagrams on h2 from 10.0.0.201.41001 to 10.0.0.2.6000" 1 \
	"$(capture_text c2 udp | grep -c '10\.0\.0\.201\.41001 > 10\.0\.0\.2\.6000: ')"
expect_checksums_ok c2 "UDP rewritten by the switch" udp
expect_flow_packets 0x71 1

step "the same on UDP without a checksum: it stays without one (docs/flows.md)"
# SO_NO_CHECK (11): the kernel sends the datagram with checksum 0, "none". A
# switch that updated it as a checksum would make it wrong, and h2 would drop it.
captures c2
ns_prefix h2
bg_start "nc -u -l" "${NSX[@]}" timeout 10 nc -u -l -W 1 6000 >"$NS_DIR/udp.out" 2>"$NS_DIR/udp.err"
udp_srv=$BG_PID
wait_until 5 eval "in_ns h2 ss -Hlun 'sport = :6000' | grep -q ." || fail "no UDP listener on h2:6000"
in_ns h1 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 11, 1)
s.bind(("10.0.0.1", 5001))
s.sendto(b"no-checksum-through-nat\n", ("10.0.0.99", 5000))' || fail "cannot send a UDP datagram without checksum"
bg_wait "$udp_srv" 5 "nc -u -l" >/dev/null
wait "$udp_srv"
rc=$?
captures_stop c2
expect_eq "what h2's UDP socket received (listener status $rc)" no-checksum-through-nat "$(cat "$NS_DIR/udp.out")"
expect_eq "datagrams on h2 from 10.0.0.201.41001 with no checksum" 1 \
	"$(fl_capture_vv c2 udp | grep '10\.0\.0\.201\.41001 > 10\.0\.0\.2\.6000: ' | grep -c '\[no cksum\]')"
expect_eq "IP header checksums reported bad" 0 "$(fl_capture_vv c2 udp | grep -c 'bad cksum')"
expect_flow_packets 0x71 2

step "mod_nw_src, mod_nw_dst, mod_tp_src, mod_tp_dst on TCP, both directions"
# h1 10.0.0.1:33333 connects to 10.0.0.100:80. One rule makes that
# 10.0.0.201:44444 -> 10.0.0.2:8080 for h2, the other undoes it on the way back.
fl_neigh h1 10.0.0.100 02:00:00:00:01:00
fl_neigh h2 10.0.0.201 02:00:00:00:02:01
flow_replace \
	"cookie=0x81,priority=100,in_port=p1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.100,tp_src=33333,tp_dst=80,actions=mod_nw_src:10.0.0.201,mod_tp_src:44444,mod_nw_dst:10.0.0.2,mod_tp_dst:8080,mod_dl_dst:$mac2,output:p2" \
	"cookie=0x82,priority=100,in_port=p2,tcp,nw_src=10.0.0.2,nw_dst=10.0.0.201,tp_src=8080,tp_dst=44444,actions=mod_nw_src:10.0.0.100,mod_tp_src:80,mod_nw_dst:10.0.0.1,mod_tp_dst:33333,mod_dl_src:02:00:00:00:01:00,mod_dl_dst:$mac1,output:p1" ||
	fail "replace-flows refused"
dd if=/dev/urandom of="$NS_DIR/tcp.in" bs=1024 count=64 status=none
captures c1 c2
ns_prefix h2
bg_start "nc -l 8080" "${NSX[@]}" timeout 20 nc -l 8080 >"$NS_DIR/tcp.out" 2>"$NS_DIR/tcp-l.err"
tcp_srv=$BG_PID
wait_until 5 eval "in_ns h2 ss -Hltn 'sport = :8080' | grep -q LISTEN" || fail "no TCP listener on h2:8080"
in_ns h1 timeout 15 nc -N -w 5 -p 33333 10.0.0.100 80 <"$NS_DIR/tcp.in" 2>"$NS_DIR/tcp-c.err"
crc=$?
bg_wait "$tcp_srv" 10 "nc -l 8080" >/dev/null
wait "$tcp_srv"
rc=$?
captures_stop c1 c2
expect_eq "md5 of 64 KiB through the TCP NAT (client status $crc, listener $rc)" \
	"$(md5sum <"$NS_DIR/tcp.in" | cut -d' ' -f1)" "$(md5sum <"$NS_DIR/tcp.out" | cut -d' ' -f1)"
expect_eq "h2's view: connection from 10.0.0.201.44444" 0 \
	"$(capture_text c2 tcp | grep -vc '10\.0\.0\.201\.44444 > 10\.0\.0\.2\.8080\|10\.0\.0\.2\.8080 > 10\.0\.0\.201\.44444')"
expect_eq "h1's view: connection to 10.0.0.100.80" 0 \
	"$(capture_text c1 tcp | grep -vc '10\.0\.0\.1\.33333 > 10\.0\.0\.100\.80\|10\.0\.0\.100\.80 > 10\.0\.0\.1\.33333')"
expect_checksums_ok c2 "TCP as h2 received it" tcp and src host 10.0.0.201
expect_checksums_ok c1 "TCP as h1 received it" tcp and src host 10.0.0.100
expect_ge "segments through the forward rule" 40 "$(flow_stat 0x81 n_packets)"
expect_eq "segments through the forward rule = segments h2 received" \
	"$(capture_count c2 tcp and src host 10.0.0.201)" "$(flow_stat 0x81 n_packets)"
expect_eq "segments through the return rule = segments h1 received" \
	"$(capture_count c1 tcp and src host 10.0.0.100)" "$(flow_stat 0x82 n_packets)"

step "set_field ip_dscp"
flow_replace "cookie=0x91,priority=100,in_port=p1,ip,actions=set_field:46->ip_dscp,output:p2" \
	"cookie=0x92,priority=100,in_port=p2,ip,actions=output:p1" || fail "replace-flows refused"
captures c2
expect_eq "replies h1 -> h2 with DSCP 46" 4 "$(fl_ping h1 10.0.0.2 4)"
captures_stop c2
expect_eq "requests from h1 on h2 with tos 0xb8 (DSCP 46)" 4 \
	"$(fl_capture_vv c2 icmp and ether src "$mac1" | grep -c 'tos 0xb8,')"
expect_checksums_ok c2 "IP header after the DSCP rewrite" icmp and ether src "$mac1"
expect_flow_packets 0x91 4 $((4 * ICMP_FRAME))

step "dec_ttl: one less; TTL 1 is dropped and counted"
flow_replace "cookie=0xa1,priority=100,in_port=p1,ip,actions=dec_ttl,output:p2" \
	"cookie=0xa2,priority=100,in_port=p2,ip,actions=output:p1" || fail "replace-flows refused"
captures c2
expect_eq "replies h1 -> h2 with ttl 64" 4 "$(fl_ping h1 10.0.0.2 4 -t 64)"
captures_stop c2
expect_eq "requests from h1 on h2 with ttl 63" 4 \
	"$(fl_capture_vv c2 icmp and ether src "$mac1" | grep -c 'ttl 63,')"
expect_checksums_ok c2 "IP header after dec_ttl" icmp and ether src "$mac1"
ttl=$(sw_stat p1 ttl_exceeded)
captures c2
expect_eq "replies h1 -> h2 with ttl 1" 0 "$(fl_ping h1 10.0.0.2 5 -t 1)"
captures_stop c2
expect_eq "frames from h1 on h2 with ttl 1 sent" 0 "$(capture_count c2 ether src "$mac1")"
expect_flow_packets 0xa1 9 $((9 * ICMP_FRAME))
wait_until 2 eval '[ "$(sw_stat p1 ttl_exceeded)" -ge $((ttl + 5)) ]'
expect_eq "ttl_exceeded of p1 grew by" 5 $(($(sw_stat p1 ttl_exceeded) - ttl))

step "push_vlan, mod_vlan_vid, pop_vlan"
# h4 has eth0.30 (10.0.30.4); h1 gets 10.0.30.1 on its untagged eth0: only the
# rules put h1's frames into VLAN 30 and take h4's answers out of it.
host_vlan h4 eth0 30 10.0.30.4/24
in_ns h1 ip addr add 10.0.30.1/24 dev eth0
fl_neigh h1 10.0.30.4 "$mac4"
fl_neigh h4 10.0.30.1 "$mac1" eth0.30
fl_neigh h4 10.0.30.3 "$mac3" eth0.30
flow_replace \
	"cookie=0xb1,priority=100,in_port=p1,ip,nw_dst=10.0.30.4,actions=push_vlan:0x8100,mod_vlan_vid:30,output:p4" \
	"cookie=0xb2,priority=100,in_port=p4,dl_vlan=30,ip,nw_dst=10.0.30.1,actions=pop_vlan,output:p1" \
	"cookie=0xb3,priority=100,in_port=p4,dl_vlan=30,ip,nw_dst=10.0.30.3,actions=mod_vlan_vid:31,output:p3" ||
	fail "replace-flows refused"
captures c1 c3 c4
expect_eq "replies h1 (untagged) -> h4 eth0.30" 5 "$(fl_ping h1 10.0.30.4 5)"
expect_eq "replies h4 eth0.30 -> 10.0.30.3 (nobody answers there)" 0 "$(fl_ping h4 10.0.30.3 3)"
captures_stop c1 c3 c4
expect_eq "requests from h1 on h4's wire" 5 "$(capture_count c4 ether src "$mac1")"
expect_eq "their tags on h4's wire" 8100:30 "$(capture_tags c4 ether src "$mac1")"
expect_eq "replies from h4 on h1's wire" 5 "$(capture_count c1 ether src "$mac4")"
expect_eq "their tags on h1's wire" untagged "$(capture_tags c1 ether src "$mac4")"
expect_eq "frames from h4 to 10.0.30.3 on h3's wire" 3 "$(capture_count c3 ether src "$mac4")"
expect_eq "their tags on h3's wire (30 rewritten)" 8100:31 "$(capture_tags c3 ether src "$mac4")"
expect_flow_packets 0xb1 5 $((5 * ICMP_FRAME))
expect_flow_packets 0xb2 5 $((5 * (ICMP_FRAME + 4)))
expect_flow_packets 0xb3 3 $((3 * (ICMP_FRAME + 4)))

step "goto_table: table 0 sends IP to table 1, which decides"
flow_replace "cookie=0xc0,table=0,priority=100,ip,actions=goto_table:1" \
	"cookie=0xc1,table=1,priority=100,in_port=p1,ip,nw_dst=10.0.0.3,actions=output:p3" \
	"cookie=0xc2,table=1,priority=100,in_port=p1,ip,nw_dst=10.0.0.2,actions=drop" \
	"cookie=0xc3,table=1,priority=100,in_port=p3,ip,actions=output:p1" ||
	fail "replace-flows refused"
nomatch=$(sw_stat p2 no_match) drops=$(sw_stat p1 rule_drop)
captures c2
expect_eq "replies h1 -> h3 (table 1 outputs)" 5 "$(fl_ping h1 10.0.0.3 5)"
expect_eq "replies h1 -> h2 (table 1 drops)" 0 "$(fl_ping h1 10.0.0.2 3)"
expect_eq "replies h2 -> h1 (no rule of table 1 matches)" 0 "$(fl_ping h2 10.0.0.1 2)"
captures_stop c2
expect_eq "frames from h1 on h2" 0 "$(capture_count c2 ether src "$mac1")"
expect_flow_packets 0xc0 15 $((15 * ICMP_FRAME))
expect_flow_packets 0xc1 5 $((5 * ICMP_FRAME))
expect_flow_packets 0xc2 3 $((3 * ICMP_FRAME))
expect_flow_packets 0xc3 5 $((5 * ICMP_FRAME))
expect_eq "rule_drop of p1 grew by" 3 $(($(sw_stat p1 rule_drop) - drops))
expect_eq "no_match of p2 grew by" 2 $(($(sw_stat p2 no_match) - nomatch))

ns_pass
