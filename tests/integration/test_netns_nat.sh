#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A NAT network with real Linux stacks (topology in nat_lib.sh):
#   vm1 10.0.0.5 (afpacket)  vm2 10.0.0.6 (afxdp)  -- br0 --  up0 (afpacket) out 192.0.2.1
#   vsctl add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.0.1 uplink=up0
#         external-ip=192.0.2.10 next-hop=192.0.2.1
#  - ping, TCP and UDP from both VMs reach out, which sees 192.0.2.10;
#    conntrack.show lists them as snat
#  - port forwards (TCP to vm1:22, UDP to vm2:53) reach the VMs with the
#    outside source kept; after del-port-forward new connections fail and the
#    rule is gone, while a connection made before keeps working
#  - inbound traffic nothing forwards is dropped before the VMs, and counted
#  - bad requests are refused with clear messages and change nothing
#  - after a restart the network and its forwards are back and work
# The connection limit, many connections and malformed packets: test_netns_nat_limits.sh.

. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/flow_lib.sh"
. "$(dirname "$0")/nat_lib.sh"
ns_init netns_nat tcpdump nc ss

[ "$NS_SWITCH" = vswitchd ] || fail "NAT networks are vswitchd's; NETNS_SWITCH=$NS_SWITCH"

step "topology and add-nat-network"
nat_setup
vsctl nat-show br0 | sed 's/^/   /'

step "ping through the NAT"
assert_ping vm1 $NAT_OUT "vm1 -> outside through NAT"
assert_ping vm2 $NAT_OUT "vm2 -> outside through NAT"
assert_ping vm1 10.0.0.1 "vm1 -> gateway"
nat_wait_neighbor 10.0.0.5
nat_wait_neighbor 10.0.0.6

step "TCP and UDP from the VMs reach out, which sees 192.0.2.10"
nat_server out tcp 5001
nat_server out udp 5002
declare -A NATPORT=()
for h in vm1 vm2; do
	for proto in tcp udp; do
		port=5001
		[ $proto = udp ] && port=5002
		r=$(nat_tool $h client $proto $NAT_OUT $port "hello-$h" 5) ||
			fail "$proto $h -> $NAT_OUT:$port got no answer: $r"
		[[ $r =~ ^from\ 192\.0\.2\.10:([0-9]+)\ got\ hello-$h$ ]] ||
			fail "$proto $h -> $NAT_OUT:$port: the server should see 192.0.2.10 as the peer, answered '$r'"
		NATPORT[$h-$proto]=${BASH_REMATCH[1]}
		ok "$proto $h -> out: out saw the peer 192.0.2.10:${BASH_REMATCH[1]}"
	done
done
tcp_transfer vm1 out $NAT_OUT 256 "vm1 -> out, 256 KiB over TCP through the NAT"

step "conntrack.show lists them as snat"
ct_show >"$NS_DIR/ct.json"
for h in vm1 vm2; do
	for proto in tcp udp; do
		port=5001 ip=10.0.0.5
		[ $proto = udp ] && port=5002
		[ $h = vm2 ] && ip=10.0.0.6
		r=$($PY -c '
import json, sys
proto, src, dport, nport = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
cs = [c for c in json.load(open(sys.argv[1]))["connections"]
      if c["proto"] == proto and c["orig"]["src"] == src and c["orig"]["dport"] == dport]
good = [c for c in cs if c.get("nat") == "snat" and c["orig"]["dst"] == "192.0.2.1"
        and c["reply"]["src"] == "192.0.2.1" and c["reply"]["dst"] == "192.0.2.10"
        and c["reply"]["dport"] == nport and c["bridge"] == "br0" and c["zone"] == 0]
print("ok" if len(good) == 1 else "found %d, of them right %d: %s" % (len(cs), len(good), cs))' \
			"$NS_DIR/ct.json" $proto $ip $port "${NATPORT[$h-$proto]}")
		[ "$r" = ok ] || fail "conntrack: $proto $ip -> $NAT_OUT:$port should be one snat connection with reply 192.0.2.1 -> 192.0.2.10:${NATPORT[$h-$proto]}: $r"
		ok "conntrack: $proto $ip -> $NAT_OUT:$port, snat, reply to 192.0.2.10:${NATPORT[$h-$proto]}"
	done
done

step "port forwards: tcp 2222 -> vm1:22, udp 5353 -> vm2:53"
nat_server vm1 tcp 22
nat_server vm2 udp 53
vsctl add-port-forward br0 proto=tcp external-port=2222 to=10.0.0.5:22 >/dev/null || fail "add-port-forward tcp refused"
vsctl add-port-forward br0 proto=udp external-port=5353 to=10.0.0.6:53 >/dev/null || fail "add-port-forward udp refused"
# The answers come from 192.0.2.10:PORT, or the client's connected socket would not take them.
r=$(nat_tool out client tcp $NAT_EXT 2222 fwd-tcp 5) || fail "out -> $NAT_EXT:2222 (to vm1:22): $r"
[[ $r =~ ^from\ 192\.0\.2\.1:([0-9]+)\ got\ fwd-tcp$ ]] ||
	fail "vm1's server should see the outside address 192.0.2.1 as the peer, answered '$r'"
ok "tcp out -> $NAT_EXT:2222 reached vm1:22, which saw $NAT_OUT:${BASH_REMATCH[1]}"
r=$(nat_tool out client udp $NAT_EXT 5353 fwd-udp 5) || fail "out -> $NAT_EXT:5353 (to vm2:53): $r"
[[ $r =~ ^from\ 192\.0\.2\.1:[0-9]+\ got\ fwd-udp$ ]] ||
	fail "vm2's server should see the outside address 192.0.2.1 as the peer, answered '$r'"
ok "udp out -> $NAT_EXT:5353 reached vm2:53, which saw $NAT_OUT"
r=$(ct_show | $PY -c '
import json, sys
cs = [c for c in json.load(sys.stdin)["connections"] if c["orig"].get("dport") in (2222, 5353)]
want = {("tcp", 2222, "10.0.0.5", 22), ("udp", 5353, "10.0.0.6", 53)}
seen = {(c["proto"], c["orig"]["dport"], c["reply"]["src"], c["reply"]["sport"]) for c in cs
        if c.get("nat") == "dnat" and c["orig"]["src"] == "192.0.2.1" and c["orig"]["dst"] == "192.0.2.10"
        and c["reply"]["dst"] == "192.0.2.1"}
print("ok" if seen == want else "expected dnat %s, connections: %s" % (sorted(want), cs))')
[ "$r" = ok ] || fail "conntrack: the forwarded connections: $r"
ok "conntrack: both forwarded connections are dnat to the VMs"

step "del-port-forward: new connections fail, one made before keeps working"
mkfifo "$NS_DIR/hold.fifo"
nat_bg out "$NS_DIR/hold.out" hold $NAT_EXT 2222 "$NS_DIR/hold.fifo" "$NS_DIR/hold.out" 2>"$NS_DIR/hold.err"
hold_pid=$BG_PID
hold_send() {
	timeout 5 bash -c "echo $1 >'$NS_DIR/hold.fifo'" || fail "the held connection's client is gone: $(cat "$NS_DIR/hold.err")"
	wait_until 4 grep -q "got $1\$" "$NS_DIR/hold.out" ||
		fail "$2: no answer to '$1' on the held connection: $(tail -n 3 "$NS_DIR/hold.out" | tr '\n' ' ')"
	ok "$2"
}
wait_until 5 grep -q connected "$NS_DIR/hold.out" || fail "out could not connect to $NAT_EXT:2222: $(cat "$NS_DIR/hold.err")"
hold_send before-del "held connection through the forward works"
vsctl del-port-forward br0 proto=tcp external-port=2222 || fail "del-port-forward tcp 2222 refused"
n=$(flow_dump | $PY -c "$FL_PY_LOAD"'
print(sum(1 for f in flows if "tp_dst=2222" in f["match"]))')
expect_eq "rules matching tp_dst=2222 after del-port-forward" 0 "$n"
vsctl nat-show br0 | grep -q "forward tcp 2222" && fail "nat-show still lists tcp 2222: $(vsctl nat-show br0)"
ok "nat-show no longer lists tcp 2222"
hold_send after-del "the connection made before del-port-forward keeps working"
ns_kill_pid "$hold_pid" "$NS_DIR/hold.out"
peers=$(wc -l <"$(srv_log vm1 22)")
r=$(nat_tool out client tcp $NAT_EXT 2222 after-del 2)
expect_eq "a new connection to $NAT_EXT:2222 after del-port-forward (client says)" timeout "$r"
expect_eq "connections vm1:22 accepted (none new)" "$peers" "$(wc -l <"$(srv_log vm1 22)")"

step "inbound traffic nothing forwards is dropped"
drop62=$(nat_rule_packets 62 10)
drop0=$(nat_rule_packets 0 1050 in_port=up0)
capture_start c1 vm1 eth0
capture_start c2 vm2 eth0
for t in "tcp 4444" "udp 4445" "tcp 22" "udp 53"; do
	r=$(nat_tool out client "${t% *}" $NAT_EXT "${t#* }" nothing 1)
	expect_eq "out -> $NAT_EXT $t (not forwarded), client says" timeout "$r"
done
in_ns out ip route add 10.0.0.0/24 via $NAT_EXT
assert_no_ping out 10.0.0.5 "out -> vm1 directly, routed via $NAT_EXT"
in_ns out ip route del 10.0.0.0/24 via $NAT_EXT
capture_stop c1
capture_stop c2
expect_eq "IP frames vm1 received" 0 "$(capture_count c1 ip)"
expect_eq "IP frames vm2 received" 0 "$(capture_count c2 ip)"
expect_ge "table 62 priority 10 drop rule's packets (was $drop62)" $((drop62 + 4)) "$(nat_rule_packets 62 10)"
expect_ge "table 0 in_port=up0 drop rule's packets (was $drop0)" $((drop0 + 3)) "$(nat_rule_packets 0 1050 in_port=up0)"

step "bad requests are refused and change nothing"
cfg=$(nat_config)
# shellcheck disable=SC2119 # all of the bridge's rules
rules=$(flow_set | grep -c 'cookie=0x6e6174')
net=(subnet=10.0.0.0/24 gateway=10.0.0.1 uplink=up0)
expect_refused "gateway outside the subnet" "gateway 10.0.1.1 is not a host address of the subnet" \
	add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.1.1 uplink=up0 external-ip=$NAT_EXT
expect_refused "gateway is the subnet's broadcast address" "gateway 10.0.0.255 is not a host address of the subnet" \
	add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.0.255 uplink=up0 external-ip=$NAT_EXT
expect_refused "external-ip multicast" "external-ip 224.0.0.1 is not a unicast address" \
	add-nat-network br0 "${net[@]}" external-ip=224.0.0.1
expect_refused "external-ip 0.0.0.0" "external-ip 0.0.0.0 is not a unicast address" \
	add-nat-network br0 "${net[@]}" external-ip=0.0.0.0
expect_refused "external-ip inside the subnet" "external-ip 10.0.0.9 is inside the subnet" \
	add-nat-network br0 "${net[@]}" external-ip=10.0.0.9
expect_refused "unknown uplink" "bridge br0 has no port \"nosuch\"" \
	add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.0.1 uplink=nosuch external-ip=$NAT_EXT
expect_refused "bad subnet" "subnet" add-nat-network br0 subnet=10.0.0.0 gateway=10.0.0.1 uplink=up0 external-ip=$NAT_EXT
expect_refused "a second NAT network on br0" "bridge br0 already has a NAT network" \
	add-nat-network br0 subnet=10.1.0.0/24 gateway=10.1.0.1 uplink=up0 external-ip=192.0.2.11
vsctl add-br br1 >/dev/null || fail "add-br br1"
expect_refused "a NAT network on br1 with br0's port as uplink" "bridge br1 has no port \"up0\"" \
	add-nat-network br1 subnet=10.1.0.0/24 gateway=10.1.0.1 uplink=up0 external-ip=192.0.2.11
expect_refused "del-nat-network on a bridge without one" "bridge \"br1\" has no NAT network" del-nat-network br1
expect_refused "forward to outside the subnet" "10.9.9.9 is not a VM address" \
	add-port-forward br0 proto=tcp external-port=2223 to=10.9.9.9:22
expect_refused "forward to the gateway" "10.0.0.1 is not a VM address" \
	add-port-forward br0 proto=tcp external-port=2223 to=10.0.0.1:22
expect_refused "forward to the subnet's broadcast address" "10.0.0.255: not a host address of the subnet" \
	add-port-forward br0 proto=tcp external-port=2223 to=10.0.0.255:22
expect_refused "forward to the subnet's network address" "10.0.0.0: not a host address of the subnet" \
	add-port-forward br0 proto=tcp external-port=2223 to=10.0.0.0:22
expect_refused "duplicate forward" "udp port 5353 is already forwarded" \
	add-port-forward br0 proto=udp external-port=5353 to=10.0.0.5:53
expect_refused "forward of port 0" "external_port" add-port-forward br0 proto=tcp external-port=0 to=10.0.0.5:22
expect_refused "forward of sctp" "proto" add-port-forward br0 proto=sctp external-port=22 to=10.0.0.5:22
expect_refused "forward to no port" "to" add-port-forward br0 proto=tcp external-port=2223 to=10.0.0.5
expect_refused "del of a forward that does not exist" "tcp port 9999 is not forwarded on br0" \
	del-port-forward br0 proto=tcp external-port=9999
expect_refused "del of tcp 5353 (udp 5353 is forwarded)" "tcp port 5353 is not forwarded" \
	del-port-forward br0 proto=tcp external-port=5353
expect_eq "nat-show after the refusals" "$cfg" "$(nat_config)"
# shellcheck disable=SC2119
expect_eq "NAT rules after the refusals" "$rules" "$(flow_set | grep -c 'cookie=0x6e6174')"
assert_ping vm2 $NAT_OUT "vm2 -> out after the refusals"
r=$(nat_tool out client udp $NAT_EXT 5353 still 5) || fail "udp forward after the refusals: $r"
ok "udp forward after the refusals: $r"

step "restart: the network and its forwards come back"
vsctl add-port-forward br0 proto=tcp external-port=2222 to=10.0.0.5:22 >/dev/null || fail "add-port-forward tcp 2222 again"
cfg=$(nat_config)
kill -TERM "$NS_SW_PID"
wait_until 10 bash -c "! kill -0 $NS_SW_PID 2>/dev/null" || fail "vswitchd did not stop on SIGTERM"
sw_restart_vswitchd
for p in vm1 vm2 up0; do
	wait_until 10 sw_link_is $p up || fail "port $p after restart: link '$(sw_link $p)', expected up"
done
expect_eq "nat-show after the restart" "$cfg" "$(nat_config)"
vsctl nat-show br0 | sed 's/^/   /'
nat_wait_neighbor $NAT_OUT
assert_ping vm1 $NAT_OUT "vm1 -> out after the restart"
r=$(nat_tool out client tcp $NAT_EXT 2222 restarted 5) || fail "tcp forward after the restart: $r"
[[ $r =~ ^from\ 192\.0\.2\.1:[0-9]+\ got\ restarted$ ]] || fail "tcp forward after the restart answered '$r'"
ok "tcp forward to vm1:22 after the restart: $r"
r=$(nat_tool out client udp $NAT_EXT 5353 restarted 5) || fail "udp forward after the restart: $r"
ok "udp forward to vm2:53 after the restart: $r"
r=$(nat_tool vm2 client tcp $NAT_OUT 5001 again 5) || fail "tcp vm2 -> out after the restart: $r"
ok "tcp vm2 -> out after the restart: $r"

step "del-nat-network, and a deleted bridge takes its network along"
vsctl del-nat-network br0 || fail "del-nat-network refused"
expect_eq "NAT rules after del-nat-network" 0 "$(flow_set | grep -c 'cookie=0x6e6174')"
assert_no_ping vm1 $NAT_OUT "vm1 -> out without the NAT network"
vsctl add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.0.1 uplink=up0 \
	external-ip=$NAT_EXT next-hop=$NAT_OUT >/dev/null || fail "add-nat-network again"
vsctl del-br br0 || fail "del-br br0"
expect_eq "nat-show after del-br" "" "$(vsctl nat-show)"
# A new br0 with the same uplink: a stored network left behind would come
# back on it at the next start.
vsctl add-br br0 || fail "add-br br0 again"
sw_add_port up0 afpacket iface="$(swif out)"
kill -TERM "$NS_SW_PID"
wait_until 10 bash -c "! kill -0 $NS_SW_PID 2>/dev/null" || fail "vswitchd did not stop on SIGTERM"
sw_restart_vswitchd
expect_eq "nat-show of the new br0 after the restart" "" "$(vsctl nat-show)"
ok "the deleted bridge's NAT network did not come back"

ns_pass
