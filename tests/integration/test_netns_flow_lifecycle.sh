#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The life of flow rules, with real hosts h1 (afxdp p1), h2 (afpacket p2) and
# h3 (afxdp p3) that know each other's MACs (no ARP crosses the switch):
#  - a new bridge has exactly table=0,priority=0,actions=normal; deleting it
#    stops all traffic (no_match counts each frame), adding it back restores it
#  - counters are exact: N pings count N in each direction's rule, n_bytes too,
#    also for 300 pings sent 5 ms apart
#  - mod-flows changes the actions (traffic follows) and keeps the counters and
#    the cookie; a strict mod with another priority changes nothing
#  - del-flows: strict needs table, priority and match to be equal (priority
#    32768 when not given); a filter removes every rule at least as specific,
#    in every table unless table= is given, by cookie/mask too
#  - idle_timeout removes a rule that is not hit, not one hit every 0.3 s
#    (until the hits stop); hard_timeout removes a rule hit all along; traffic
#    follows each removal
#  - after a restart of vswitchd on the same store the rules (table, priority,
#    cookie, timeouts, match, actions) are exactly those before, none of the
#    expired ones, and traffic follows them from the first frame on

. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/flow_lib.sh"
ns_init netns_flow_lifecycle tcpdump

[ "$NS_SWITCH" = vswitchd ] || fail "flow rules are vswitchd's; NETNS_SWITCH=$NS_SWITCH"

ICMP_FRAME=98
DEFAULT="table=0,priority=0,cookie=0x0,actions=normal"

step "topology"
sw_start
fl_note_via
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
host_add h3 10.0.0.3/24
sw_add_port p1 afxdp iface="$(swif h1)"
sw_add_port p2 afpacket iface="$(swif h2)"
sw_add_port p3 afxdp iface="$(swif h3)"
for p in p1 p2 p3; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
mac1=$(host_mac h1)
fl_static_arp h1:10.0.0.1 h2:10.0.0.2 h3:10.0.0.3

# fl_ping H DST N [PING_ARGS...]: exactly N echo requests; prints the replies.
fl_ping() {
	local h=$1 dst=$2 n=$3 out
	shift 3
	sw_alive
	out=$(in_ns "$h" ping -n -q -c "$n" -i 0.1 -W 1 "$@" "$dst" 2>&1)
	grep -o '[0-9]* received' <<<"$out" | awk '{print $1 + 0}'
}

step "a new bridge has the default rule, and only it"
expect_eq "rules of br0 at start" "$DEFAULT" "$(flow_set)"
vsctl add-br br1 >/dev/null || fail "add-br br1"
expect_eq "rules of a bridge just added" "$DEFAULT" "$(FL_BR=br1 flow_set)"
vsctl del-br br1 >/dev/null || fail "del-br br1"
assert_ping h1 10.0.0.2 "h1 -> h2 through the default rule"

step "deleting the default rule stops traffic; adding it back restores it"
flow_del "table=0,priority=0" --strict || fail "del-flows --strict table=0,priority=0 refused"
expect_eq "rules removed" 1 "$(fl_counts removed)"
expect_eq "rules left" 0 "$(flow_n)"
nm1=$(sw_stat p1 no_match)
expect_eq "replies h1 -> h2 without any rule" 0 "$(fl_ping h1 10.0.0.2 4)"
wait_until 2 eval '[ "$(sw_stat p1 no_match)" -ge $((nm1 + 4)) ]'
expect_eq "no_match of p1 grew by" 4 $(($(sw_stat p1 no_match) - nm1))
flow_add "table=0,priority=0,actions=normal" || fail "adding the default rule back refused"
expect_eq "rules after adding it back" "$DEFAULT" "$(flow_set)"
expect_eq "replies h1 -> h2 with the default rule back" 4 "$(fl_ping h1 10.0.0.2 4)"

step "counters count exactly"
flow_replace "cookie=0x1,priority=100,in_port=p1,ip,actions=output:p2" \
	"cookie=0x2,priority=100,in_port=p2,ip,actions=output:p1" \
	"table=0,priority=0,actions=normal" || fail "replace-flows refused"
# The default rule is equal to the one there, so it keeps its counters: the 4
# requests and 4 replies of the last ping.
expect_eq "the default rule's packets after replace-flows" 8 "$(flow_stat 0 n_packets)"
expect_eq "replies h1 -> h2" 20 "$(fl_ping h1 10.0.0.2 20)"
expect_flow_packets 0x1 20 $((20 * ICMP_FRAME))
expect_flow_packets 0x2 20 $((20 * ICMP_FRAME))
expect_eq "replies h2 -> h1, 1000-byte payload" 7 "$(fl_ping h2 10.0.0.1 7 -s 1000)"
expect_flow_packets 0x1 27 $((20 * ICMP_FRAME + 7 * 1042))
expect_flow_packets 0x2 27 $((20 * ICMP_FRAME + 7 * 1042))
out=$(in_ns h1 ping -n -q -c 300 -i 0.005 -W 1 10.0.0.2 2>&1)
expect_eq "replies to 300 pings 5 ms apart" 300 "$(grep -o '[0-9]* received' <<<"$out" | awk '{print $1}')"
expect_flow_packets 0x1 327
expect_flow_packets 0x2 327
expect_eq "the default rule's packets (no more: every frame matched a rule above it)" 8 \
	"$(flow_stat 0 n_packets)"

step "mod-flows changes actions and keeps counters"
flow_mod "priority=100,in_port=p1,ip,actions=output:p3" --strict || fail "mod-flows refused"
expect_eq "rules modified by mod-flows --strict" 1 "$(fl_counts modified)"
expect_eq "actions after mod-flows" output:p3 "$(flow_stat 0x1 actions)"
expect_eq "n_packets after mod-flows" 327 "$(flow_stat 0x1 n_packets)"
expect_eq "n_bytes after mod-flows" $((320 * ICMP_FRAME + 7 * 1042)) "$(flow_stat 0x1 n_bytes)"
capture_start c2 h2 eth0
capture_start c3 h3 eth0
expect_eq "replies h1 -> h2, its frames now sent to p3" 0 "$(fl_ping h1 10.0.0.2 5)"
capture_stop c2
capture_stop c3
expect_eq "requests from h1 on h3" 5 "$(capture_count c3 icmp and ether src "$mac1")"
expect_eq "frames from h1 on h2" 0 "$(capture_count c2 ether src "$mac1")"
expect_flow_packets 0x1 332
flow_mod "priority=99,in_port=p1,ip,actions=output:p2" --strict || fail "mod-flows refused"
expect_eq "rules modified by a strict mod with another priority" 0 "$(fl_counts modified)"
expect_eq "actions after it" output:p3 "$(flow_stat 0x1 actions)"
flow_mod "in_port=p1,actions=output:p2" || fail "mod-flows refused"
expect_eq "rules modified by the filter in_port=p1 (priority ignored)" 1 "$(fl_counts modified)"
expect_eq "replies h1 -> h2 after mod-flows back" 3 "$(fl_ping h1 10.0.0.2 3)"
expect_flow_packets 0x1 335
expect_eq "cookie after two mod-flows" 0x1 "$(flow_stat 0x1 cookie)"

step "del-flows: filter and --strict"
flow_replace "cookie=0x31,priority=100,in_port=p1,ip,nw_dst=10.0.0.2,actions=output:p2" \
	"cookie=0x32,priority=200,in_port=p1,ip,nw_dst=10.0.0.3,actions=output:p3" \
	"cookie=0x33,priority=100,in_port=p2,ip,actions=output:p1" \
	"cookie=0x34,table=1,priority=100,in_port=p1,ip,actions=drop" \
	"cookie=0x35,priority=100,in_port=p3,ip,actions=output:p1" \
	"cookie=0x37,priority=400,in_port=p1,icmp,nw_dst=10.0.0.3,actions=drop" \
	"table=0,priority=0,actions=normal" || fail "replace-flows refused"
expect_eq "rules" 7 "$(flow_n)"
expect_eq "replies h1 -> h3 while the drop rule is there" 0 "$(fl_ping h1 10.0.0.3 2)"
flow_del "priority=300,in_port=p1,icmp,nw_dst=10.0.0.3" --strict || fail "del-flows refused"
expect_eq "removed by --strict with another priority" 0 "$(fl_counts removed)"
flow_del "in_port=p1,icmp,nw_dst=10.0.0.3" --strict || fail "del-flows refused"
expect_eq "removed by --strict without priority (32768)" 0 "$(fl_counts removed)"
flow_del "priority=400,in_port=p1,ip,nw_dst=10.0.0.3" --strict || fail "del-flows refused"
expect_eq "removed by --strict with ip instead of icmp" 0 "$(fl_counts removed)"
expect_eq "replies h1 -> h3, the drop rule still there" 0 "$(fl_ping h1 10.0.0.3 2)"
expect_flow_packets 0x37 4
flow_del "priority=400,in_port=p1,icmp,nw_dst=10.0.0.3" --strict || fail "del-flows refused"
expect_eq "removed by --strict with table, priority and match equal" 1 "$(fl_counts removed)"
expect_eq "rule 0x37 after it" none "$(flow_stat 0x37 n_packets)"
expect_eq "replies h1 -> h3 without the drop rule" 3 "$(fl_ping h1 10.0.0.3 3)"
flow_del "table=1,in_port=p1" || fail "del-flows refused"
expect_eq "removed by table=1,in_port=p1" 1 "$(fl_counts removed)"
expect_eq "rule 0x34 (table 1)" none "$(flow_stat 0x34 n_packets)"
expect_eq "rule 0x31 (table 0, in_port=p1)" 100 "$(flow_stat 0x31 priority)"
flow_del "in_port=p1,ip" || fail "del-flows refused"
expect_eq "removed by in_port=p1,ip (every priority)" 2 "$(fl_counts removed)"
expect_eq "rules left" "$(printf '%s\n' "table=0,priority=0,cookie=0x0,actions=normal" \
	"table=0,priority=100,cookie=0x33,in_port=p2,ip,actions=output:p1" \
	"table=0,priority=100,cookie=0x35,in_port=p3,ip,actions=output:p1")" "$(flow_set)"
flow_del "cookie=0x30/0xf0" || fail "del-flows refused"
expect_eq "removed by cookie=0x30/0xf0" 2 "$(fl_counts removed)"
expect_eq "rules left" "$DEFAULT" "$(flow_set)"
flow_del "in_port=p1" || fail "del-flows refused"
expect_eq "removed by in_port=p1 (the default rule is less specific)" 0 "$(fl_counts removed)"

step "idle_timeout and hard_timeout"
# 0x51 drops h1 -> h3 and is hit every 0.3 s for about 5 s: it must outlive
# its 2 s idle timeout while hit, and go 2 s after the last hit. 0x52
# (h1 -> h2) is never hit: it goes 2 s after it was added. 0x53 drops
# h2 -> h1, is hit all along, and goes 3 s after it was added anyway.
# Times are taken so that "gone after less than the timeout" is certain: from
# before the request that added the rules, to the first dump without them.
# A removal may come late by up to 1.5 s (the switch checks once a second).
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# The rules go in at 0.9 s past a whole second of CLOCK_MONOTONIC: a switch
# that kept time in whole seconds would remove them up to a second early.
$PY -c 'import sys, time; time.sleep((float(sys.argv[1]) - time.monotonic() % 1) % 1)' \
	"${FL_PHASE:-0.9}"
t_add=$(now_ms)
flow_replace "cookie=0x51,priority=100,idle_timeout=2,in_port=p1,ip,nw_dst=10.0.0.3,actions=drop" \
	"cookie=0x52,priority=100,idle_timeout=2,in_port=p1,ip,nw_dst=10.0.0.2,actions=drop" \
	"cookie=0x53,priority=100,hard_timeout=3,in_port=p2,ip,nw_dst=10.0.0.1,actions=drop" \
	"table=0,priority=0,actions=normal" || fail "replace-flows refused"
# 17 datagrams 0.3 s apart, the last one just before the loop ends.
ns_prefix h1
bg_start "hits-0x51" "${NSX[@]}" bash -c 'for i in $(seq 17); do
	echo hit >/dev/udp/10.0.0.3/9; [ "$i" = 17 ] || sleep 0.3; done # hits-0x51'
hitter=$BG_PID
ns_prefix h2
bg_start "ping -c 25" "${NSX[@]}" ping -n -q -c 25 -i 0.2 -W 1 10.0.0.1 >/dev/null
pinger=$BG_PID
expect_eq "idle_timeout of 0x51 in the dump" 2 "$(flow_stat 0x51 idle_timeout)"
expect_eq "hard_timeout of 0x53 in the dump" 3 "$(flow_stat 0x53 hard_timeout)"
# Until the hits on 0x51 stop: when 0x52 and 0x53 go; 0x51 must stay.
g52="" g53="" n53=0
while ns_pid_matches "$hitter" hits-0x51 && [ "$(awk '{print $3}' "/proc/$hitter/stat" 2>/dev/null)" != Z ]; do
	d=$(flow_dump) || fail "dump-flows failed"
	t=$(($(now_ms) - t_add))
	grep -q '"0x51"' <<<"$d" || fail "0x51 (idle_timeout=2, hit every 0.3 s) gone at $t ms"
	[ -z "$g52" ] && ! grep -q '"0x52"' <<<"$d" && g52=$t
	[ -z "$g53" ] && ! grep -q '"0x53"' <<<"$d" && g53=$t
	[ -z "$g53" ] && n53=$(fl_pick 0x53 n_packets <<<"$d")
	[ "$t" -lt 10000 ] || fail "the hits on 0x51 did not end in 10 s"
	sleep 0.05
done
t_last=$(now_ms)
wait "$hitter" || fail "sending the hits failed"
note "0x52 gone at ${g52:-never} ms, 0x53 at ${g53:-never} ms, 0x51 there at $((t_last - t_add)) ms"
{ [ -n "$g52" ] && [ "$g52" -ge 2000 ] && [ "$g52" -le 3500 ]; } ||
	fail "0x52 (idle_timeout=2, never hit) gone at ${g52:-never} ms after it was added; expected 2000 to 3500"
ok "0x52 (idle_timeout=2, never hit) gone at $g52 ms"
{ [ -n "$g53" ] && [ "$g53" -ge 3000 ] && [ "$g53" -le 4500 ]; } ||
	fail "0x53 (hard_timeout=3, hit every 0.2 s) gone at ${g53:-never} ms after it was added; expected 3000 to 4500"
ok "0x53 (hard_timeout=3, hit every 0.2 s) gone at $g53 ms"
expect_flow_packets 0x51 17
expect_ge "packets of 0x53 (h2's pings, 5 a second) in its last dump" 10 "$n53"
wait_until 5 fl_stat_is 0x51 n_packets none || fail "0x51 still there 5 s after its last hit"
g51=$(($(now_ms) - t_last))
{ [ "$g51" -ge 1950 ] && [ "$g51" -le 3500 ]; } ||
	fail "0x51 (idle_timeout=2) gone $g51 ms after its last hit; expected 2000 to 3500"
ok "0x51 (idle_timeout=2) gone $g51 ms after its last hit"
expect_eq "replies h2 -> h1 with 0x53 gone" 3 "$(fl_ping h2 10.0.0.1 3)"
expect_eq "replies h1 -> h3 with 0x51 gone" 3 "$(fl_ping h1 10.0.0.3 3)"
expect_eq "replies h1 -> h2 with 0x52 gone" 3 "$(fl_ping h1 10.0.0.2 3)"
bg_wait "$pinger" 10 "ping -c 25" >/dev/null
expect_eq "rules left" "$DEFAULT" "$(flow_set)"

step "rules survive a restart"
# Every kind of item: tables, priorities at both ends, a 64-bit cookie,
# timeouts, masks, tcp_flags, rewritten actions, a VLAN push.
flow_replace \
	"cookie=0x1001,table=0,priority=500,in_port=p1,icmp,nw_dst=10.0.0.3,actions=drop" \
	"cookie=0x1002,table=0,priority=100,ip,actions=goto_table:7" \
	"cookie=0xfeedfacecafebeef,table=7,priority=65535,in_port=p1,ip,nw_dst=10.0.0.2,actions=output:p2" \
	"cookie=0x1004,table=7,priority=1,in_port=p2,ip,actions=mod_nw_tos:32,output:p1" \
	"cookie=0x1005,table=7,priority=7,idle_timeout=600,hard_timeout=3600,udp,tp_dst=0x1000/0xf000,actions=flood" \
	"cookie=0x1006,table=3,priority=9,in_port=p3,tcp,nw_src=10.0.0.0/255.255.0.255,tcp_flags=+syn-ack,actions=push_vlan:0x88a8,mod_vlan_vid:99,output:p2" \
	"cookie=0x1007,table=63,priority=0,dl_src=02:00:00:00:00:00/01:00:00:00:00:00,dl_vlan=4095,actions=pop_vlan,normal" \
	"table=0,priority=0,actions=normal" || fail "replace-flows refused"
before=$(flow_set)
note "rules before the restart:"$'\n'"$before"
expect_eq "replies h1 -> h2 (table 7)" 3 "$(fl_ping h1 10.0.0.2 3)"
expect_eq "replies h1 -> h3 (dropped in table 0)" 0 "$(fl_ping h1 10.0.0.3 3)"
capture_start c3 h3 eth0
capture_start c1 h1 eth0
kill -TERM "$NS_SW_PID"
wait_until 10 bash -c "! kill -0 $NS_SW_PID 2>/dev/null" || fail "vswitchd did not stop on SIGTERM"
ok "vswitchd stopped"
# h1 keeps sending to h3 while the switch comes back: with the rules restored
# before the ports come up, not one of these frames may reach h3.
ns_prefix h1
bg_start "ping -c 40" "${NSX[@]}" ping -n -q -c 40 -i 0.1 -W 1 10.0.0.3 >/dev/null
pinger=$BG_PID
sw_restart_vswitchd
for p in p1 p2 p3; do
	wait_until 10 sw_link_is $p up || fail "port $p after restart: link '$(sw_link $p)', expected up"
done
expect_eq "rules after the restart" "$before" "$(flow_set)"
bg_wait "$pinger" 10 "ping -c 40" >/dev/null
d0=$(flow_stat 0x1001 n_packets)
expect_eq "replies h1 -> h3 after the restart" 0 "$(fl_ping h1 10.0.0.3 3)"
expect_flow_packets 0x1001 $((d0 + 3))
t7=$(flow_stat 0xfeedfacecafebeef n_packets)
expect_eq "replies h1 -> h2 after the restart" 3 "$(fl_ping h1 10.0.0.2 3)"
expect_flow_packets 0xfeedfacecafebeef $((t7 + 3))
capture_stop c3
capture_stop c1
expect_eq "frames from h1 on h3 across the restart" 0 "$(capture_count c3 ether src "$mac1")"
expect_eq "replies to h1 with tos 0x20 (mod_nw_tos:32) after the restart" 3 \
	"$(fl_capture_vv c1 icmp and src host 10.0.0.2 | grep -c 'tos 0x20,')"
expect_eq "replies to h1 with another tos" 0 \
	"$(fl_capture_vv c1 icmp and src host 10.0.0.2 | grep -vc 'tos 0x20,')"

ns_pass
