#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A NAT network (topology in nat_lib.sh) under load and abuse:
#  - 1500 concurrent TCP connections from vm1 and 1500 from vm2, both from the
#    same source ports: out sees 3000 distinct ports of 192.0.2.10, and the
#    connection table holds them all
#  - a zone limit of 100: the 101st connection is refused (+inv, dropped,
#    counted), an established connection keeps working
#  - malformed packets (fragments, impossible TCP flags, a truncated ICMP error,
#    a stray ACK) are dropped and counted while a ping keeps working; a real
#    ICMP error about a live connection reaches the VM translated. Fragments
#    are sent by vm2: those from vm1's afpacket port reach the switch
#    reassembled by the kernel (see below), and are only noted.

. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/flow_lib.sh"
. "$(dirname "$0")/nat_lib.sh"
ns_init netns_nat_limits tcpdump ss

[ "$NS_SWITCH" = vswitchd ] || fail "NAT networks are vswitchd's; NETNS_SWITCH=$NS_SWITCH"

step "topology and add-nat-network"
nat_setup
assert_ping vm1 $NAT_OUT "vm1 -> outside through NAT"
assert_ping vm2 $NAT_OUT "vm2 -> outside through NAT"
nat_wait_neighbor 10.0.0.5
nat_wait_neighbor 10.0.0.6

# many_start H N BASE SECS: N connections from H to out:5003 in the background (MANY_PID[H]).
declare -A MANY_PID=()
many_start() {
	local h=$1 st="$NS_DIR/many-$1.status"
	rm -f "$st"
	nat_bg "$h" "$st" many $NAT_OUT 5003 "$2" "$3" "$4" "$st" 2>"$st.err"
	MANY_PID[$h]=$BG_PID
}
# many_result H SECS: "connected failed pending" once H's client has tried them all.
many_result() {
	wait_until "$2" test -f "$NS_DIR/many-$1.status" ||
		fail "the connections from $1 did not finish: $(cat "$NS_DIR/many-$1.status.err")"
	cat "$NS_DIR/many-$1.status"
}
many_stop() {
	local h
	for h in "$@"; do
		ns_kill_pid "${MANY_PID[$h]}" "$NS_DIR/many-$h.status"
	done
}

step "3000 concurrent connections from two VMs, same source ports: distinct external ports"
nat_server out tcp 5003
srv=$SRV_PID
many_start vm1 1500 20000 15
many_start vm2 1500 20000 15
read -r c1 f1 p1 <<<"$(many_result vm1 25)"
read -r c2 f2 p2 <<<"$(many_result vm2 25)"
expect_eq "vm1: connections made (failed $f1, pending $p1)" 1500 "$c1"
expect_eq "vm2: connections made (failed $f2, pending $p2)" 1500 "$c2"
wait_until 5 eval "[ \$(wc -l <'$(srv_log out 5003)') -ge 3000 ]"
r=$($PY -c '
import collections, sys
peers = [l.split() for l in open(sys.argv[1]) if l.strip()]
ips = collections.Counter(p[0] for p in peers)
ports = {p[1] for p in peers}
print(len(peers), len(ports), dict(ips))' "$(srv_log out 5003)")
expect_eq "out accepted / distinct peer ports / peer addresses" "3000 3000 {'192.0.2.10': 3000}" "$r"
ct_show >"$NS_DIR/ct.json"
r=$($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
cs = [c for c in d["connections"] if c["proto"] == "tcp" and c["orig"]["dport"] == 5003]
snat = [c for c in cs if c.get("nat") == "snat" and c["reply"]["dst"] == "192.0.2.10"]
by = {h: sum(1 for c in snat if c["orig"]["src"] == h) for h in ("10.0.0.5", "10.0.0.6")}
ports = {c["reply"]["dport"] for c in snat}
moved = sum(1 for c in snat if c["reply"]["dport"] != c["orig"]["sport"])
print(d["count"] >= 3000, len(cs), len(snat), by["10.0.0.5"], by["10.0.0.6"], len(ports), moved >= 1500)
print("count %d, %d external ports taken over from the VMs, %d moved" % (d["count"], len(snat) - moved, moved))' \
	"$NS_DIR/ct.json")
note "$(tail -n 1 <<<"$r")"
expect_eq "conntrack: count>=3000, to out:5003, snat to 192.0.2.10, from vm1, from vm2, distinct external ports, >=1500 moved" \
	"True 3000 3000 1500 1500 3000 True" "$(head -n 1 <<<"$r")"
# frames: what each VM sent and what the switch received from it.
frames() {
	local h
	for h in vm1 vm2; do
		printf '%s sent %s frames, the switch got %s (rx_missed %s); ' $h "$(ns_ifstat $h eth0 tx_packets)" \
			"$(sw_stat $h rx_packets)" "$(sw_stat $h rx_missed)"
	done
}
note "$(frames)"
# SO_LINGER 0: the clients end with a RST each. Should some be lost (see the
# frame counts), the server's end, closing, sends a FIN, which the VMs answer
# with a RST: out keeps no socket a reused external port could run into
# after the flush below.
many_stop vm1 vm2
out_socks() { in_ns out ss -Htan state all '( sport = :5003 )' | grep -v LISTEN; }
wait_until 3 eval "[ -z \"\$(out_socks)\" ]" ||
	note "$(out_socks | wc -l) connections still open on out after the resets; $(frames)"
ns_kill_pid "$srv" "$(srv_log out 5003)"
wait_until 10 eval "[ -z \"\$(out_socks)\" ]" ||
	fail "out still has $(out_socks | wc -l) sockets on port 5003 after the clients and the server closed: $(out_socks | head -n 3 | tr '\n' ' '); $(frames)"
ok "all 3000 reset"

step "a zone limit of 100: connections beyond it are refused and counted"
sleep 0.5
vsctl call conntrack.flush '{}' >/dev/null || fail "conntrack.flush refused"
expect_eq "zone 0 connections after the flush" 0 "$(ct_zone0 connections)"
vsctl call conntrack.set '{"zone":0,"limit":100}' >/dev/null || fail "conntrack.set zone 0 limit 100 refused"
expect_eq "zone 0 limit" 100 "$(ct_zone0 limit)"
refused0=$(ct_zone0 refused) refused_all=$(ct_counter refused)
inv61=$(nat_rule_packets 61 100)
nat_server out tcp 5003
mkfifo "$NS_DIR/hold.fifo"
nat_bg vm2 "$NS_DIR/hold.out" hold $NAT_OUT 5003 "$NS_DIR/hold.fifo" "$NS_DIR/hold.out" 2>"$NS_DIR/hold.err"
hold_pid=$BG_PID
wait_until 5 grep -q connected "$NS_DIR/hold.out" || fail "vm2 could not connect to out:5003: $(cat "$NS_DIR/hold.err")"
many_start vm1 150 0 3
read -r c1 f1 p1 <<<"$(many_result vm1 10)"
note "vm1: $c1 connected, $f1 failed, $p1 still pending after 3 s"
table=$(ct_show | $PY -c '
import collections, json, sys
n = collections.Counter("%s %s->%s:%s %s" % (c["proto"], c["orig"]["src"], c["orig"]["dst"],
                        c["orig"].get("dport", ""), c["state"]) for c in json.load(sys.stdin)["connections"])
print(", ".join("%d x %s" % (v, k) for k, v in sorted(n.items())))')
[ "$c1" = 99 ] || fail "vm1 made $c1 connections, expected 99 (vm2's held one is the 100th); the table holds $table"
ok "vm1 made 99 connections, vm2's held one is the 100th; the table holds $table"
expect_eq "out accepted (vm2's one and vm1's)" 100 "$(wc -l <"$(srv_log out 5003)")"
n=$(ct_zone0 connections)
[ "$n" = 100 ] || fail "zone 0 has $n connections, expected 100; the table holds $table"
ok "zone 0 connections = 100"
expect_ge "zone 0 refused (was $refused0)" $((refused0 + 51)) "$(ct_zone0 refused)"
expect_ge "counters.refused (was $refused_all)" $((refused_all + 51)) "$(ct_counter refused)"
expect_ge "table 61 ct_state=+inv drop rule's packets (was $inv61)" $((inv61 + 51)) "$(nat_rule_packets 61 100)"
timeout 5 bash -c "echo still-there >'$NS_DIR/hold.fifo'" || fail "the held connection's client is gone"
wait_until 4 grep -q "got still-there" "$NS_DIR/hold.out" ||
	fail "the established connection stopped working at the limit: $(tail -n 2 "$NS_DIR/hold.out")"
ok "the established connection keeps working at the limit"
many_stop vm1
ns_kill_pid "$hold_pid" "$NS_DIR/hold.out"
vsctl call conntrack.set '{"zone":0,"limit":0}' >/dev/null || fail "conntrack.set zone 0 back to the default refused"
expect_eq "zone 0 limit back to the default" 65536 "$(ct_zone0 limit)"
r=$(nat_tool vm1 client tcp $NAT_OUT 5003 after-limit 5) || fail "a new connection after the limit was lifted: $r"
ok "a new connection after the limit was lifted: $r"

step "malformed packets are dropped and counted; a ping keeps going"
vsctl call conntrack.flush '{}' >/dev/null
sleep 0.3
ns_prefix vm1
bg_start "ping-concurrent" "${NSX[@]}" ping -n -q -i 0.2 -c 25 $NAT_OUT >"$NS_DIR/ping.out" 2>&1
ping_pid=$BG_PID
capture_start co out eth0
capture_start c1 vm1 eth0
capture_start c2 vm2 eth0
# scapy H PYTHON: the lines run with scapy imported, $MAC the switch's MAC on both sides.
scapy() {
	in_ns "$1" "$PY" -c "
from scapy.all import *
conf.verb = 0
MAC = '$NAT_MAC'
$2" || fail "scapy in $1 failed"
}
# before: remembers the counters; grew NAME N: NAME grew by exactly N since.
before() { ct_show >"$NS_DIR/ct-before.json"; }
grew() {
	local was
	was=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["counters"].get(sys.argv[2], "none"))' \
		"$NS_DIR/ct-before.json" "$1")
	expect_eq "counters.$1 grew by (was $was)" "$2" "$(($(ct_counter "$1") - was))"
}

# vm2 is on an afxdp port; the fragments of vm1's afpacket port are
# reassembled by the kernel before the switch gets them (DPDK's af_packet
# PMD joins a PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG), and the
# whole datagram, larger than the MTU, is dropped as "oversize".
frags='
big = IP(src=SRC, dst="192.0.2.1", id=777) / UDP(sport=40001, dport=9999) / Raw(b"x" * 2000)
for f in fragment(big, fragsize=1000):
    sendp(Ether(dst=MAC) / f, iface="eth0")'
before
scapy vm2 "SRC = '10.0.0.6'$frags"
sleep 0.3
grew fragments 3
grew invalid 3
oversize=$(sw_stat vm1 oversize) fr=$(ct_counter fragments)
scapy vm1 "SRC = '10.0.0.5'$frags"
sleep 0.3
note "vm1 (afpacket): counters.fragments $fr -> $(ct_counter fragments), port vm1's oversize drops $oversize -> $(sw_stat vm1 oversize)"
expect_eq "fragments out received" 0 "$(capture_count co 'ip[6:2] & 0x3fff != 0 or udp port 9999')"

before
scapy vm1 '
sendp(Ether(dst=MAC) / IP(src="10.0.0.5", dst="192.0.2.1") / TCP(sport=40002, dport=5003, flags="SF"), iface="eth0")
sendp(Ether(dst=MAC) / IP(src="10.0.0.5", dst="192.0.2.1") / TCP(sport=40003, dport=5003, flags=0), iface="eth0")'
sleep 0.3
grew bad_tcp 2
grew invalid 2
expect_eq "TCP to out:5003 out received" 0 "$(capture_count co 'tcp port 5003')"

before
scapy out '
inner = bytes(IP(src="192.0.2.10", dst="192.0.2.1", proto=17))[:12]
sendp(Ether(dst=MAC) / IP(src="192.0.2.1", dst="192.0.2.10") / ICMP(type=3, code=3) / Raw(inner), iface="eth0")'
sleep 0.3
grew bad_icmp 1
grew invalid 1

before
scapy out '
sendp(Ether(dst=MAC) / IP(src="192.0.2.1", dst="192.0.2.10") / TCP(sport=5003, dport=40000, flags="A", seq=1, ack=1), iface="eth0")'
sleep 0.3
grew invalid 1
if [ "$(ct_counter no_conn)" != none ]; then grew no_conn 1; else grew bad_tcp 1; fi

step "an ICMP error about a live connection reaches the VM translated"
before
r=$(nat_tool vm1 client udp $NAT_OUT 9 to-a-closed-port 3)
expect_eq "vm1's UDP client to out:9 (closed) says" refused "$r"
grew related 1
capture_stop co
capture_stop c1
capture_stop c2
expect_eq "ICMP errors vm1 received" 1 "$(capture_count c1 'icmp[0] = 3')"
capture_text c1 'icmp[0] = 3' | grep -q '192.0.2.1 > 10.0.0.5: ICMP 192.0.2.1 udp port 9 unreachable' ||
	fail "the ICMP error in vm1 is not about 10.0.0.5's datagram: $(capture_text c1 'icmp[0] = 3')"
ok "vm1 got: $(capture_text c1 'icmp[0] = 3' | sed 's/.*: ICMP/ICMP/')"
others=$( (capture_text c1 "not arp and not icmp and not ether src $(host_mac vm1)"
	capture_text c2 "not arp and not ether src $(host_mac vm2)") | head -n 5)
[ -z "$others" ] || fail "vm1 or vm2 received frames other than ARP, the ping's and that ICMP error: $others"
ok "vm1 and vm2 received nothing else"
rc=$(bg_wait "$ping_pid" 10 ping-concurrent)
expect_eq "the concurrent ping (status $rc): $(ping_summary <"$NS_DIR/ping.out")" 0 \
	"$(grep -o '[0-9]*% packet loss' "$NS_DIR/ping.out" | tr -d '% packetlos')"

ns_pass
