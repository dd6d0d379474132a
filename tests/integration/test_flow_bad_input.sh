#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad flow requests change nothing. With h1 (afxdp p1) and h2 (afpacket p2)
# talking through a known rule set, each bad request is sent as raw JSON-RPC
# on the socket, and again through vsctl's flow commands when this vsctl has
# them:
#  - malformed rules, unknown fields and actions, out-of-range values
#    (priority=70000, table=64, tp_dst=65536, dl_vlan=4096, ...), a port that
#    does not exist, an overlapping rule of equal priority, wrongly typed params
#  - a bundle whose third operation is bad: refused whole, the error names
#    ops[2] (vsctl: the file and line), none of its operations applied
#  - replace-flows and add-flows with one bad line: the error names rules[2]
#    (vsctl: the file and line), the old rules intact
#  - 300,000 rules in one request (at most 262,144) and a request line of a
#    million rules, past the 32 MiB limit ("request too large")
# After each: the message is exactly the expected one (the wording docs/api.md
# and docs/flows.md give where they give one), vswitchd runs, dump-flows -j
# shows exactly the rules before, and traffic still follows them (the rule's
# n_packets counts the pings). After a restart the stored rules are exactly
# the rules before the test. Last, the limit itself: a bridge takes 262,144
# rules in one request, dump-flows shows them, one more is refused.

. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/flow_lib.sh"
ns_init flow_bad_input

[ "$NS_SWITCH" = vswitchd ] || fail "flow rules are vswitchd's; NETNS_SWITCH=$NS_SWITCH"

step "topology and the rules every bad request must leave alone"
sw_start
fl_note_via
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
sw_add_port p1 afxdp iface="$(swif h1)"
sw_add_port p2 afpacket iface="$(swif h2)"
for p in p1 p2; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
fl_static_arp h1:10.0.0.1 h2:10.0.0.2
BASE_RULES=("cookie=0x1,priority=100,in_port=p1,ip,actions=output:p2"
	"cookie=0x2,priority=100,in_port=p2,ip,actions=output:p1"
	"cookie=0x3,priority=50,tcp,tp_dst=80,actions=drop"
	"table=0,priority=0,actions=normal")
flow_replace "${BASE_RULES[@]}" || fail "replace-flows refused the base rules"
BASE=$(flow_set)
note "the rules:"$'\n'"$BASE"
HAVE_VSCTL=0
[ "$(FLOW_VIA=auto fl_via add-flow)" = vsctl ] && HAVE_VSCTL=1

# intact WHAT: vswitchd runs, the rules are the base ones, and pings from h1
# to h2 go through rule 0x1.
intact() {
	local what=$1 n seen
	sw_alive
	seen=$(flow_set) || fail "after $what: dump-flows failed"
	[ "$seen" = "$BASE" ] || fail "after $what: the rules changed:"$'\n'"$seen"
	n=$(flow_stat 0x1 n_packets)
	out=$(in_ns h1 ping -n -q -c 2 -i 0.1 -W 1 10.0.0.2 2>&1)
	grep -q ' 2 received' <<<"$out" || fail "after $what: h1 -> h2 ping failed: $(ping_summary <<<"$out")"
	wait_until 2 fl_stat_is 0x1 n_packets $((n + 2))
	seen=$(flow_stat 0x1 n_packets)
	[ "$seen" = $((n + 2)) ] || fail "after $what: rule 0x1 counted $((seen - n)) of 2 pings"
}

# msg_matches MODE EXPECTED SEEN: MODE "=" exact, "^" prefix, "~" contains
# (for messages no document words).
msg_matches() {
	case $1 in
	=) [ "$3" = "$2" ] ;;
	^) [ "${3#"$2"}" != "$3" ] ;;
	~) [[ $3 == *"$2"* ]] ;;
	esac
}

# rpc_refused WHAT METHOD PARAMS CODE MODE MESSAGE: raw JSON-RPC on the
# socket; the error's code is CODE and its message MESSAGE (MODE as above).
rpc_refused() {
	local what=$1 method=$2 params=$3 code=$4 mode=$5 msg=$6 out seen
	if out=$(fl_rpc "$method" <<<"$params" 2>&1); then
		fail "$what: $method was accepted: $out"
	fi
	seen=${out#rpc: }
	seen=${seen% (error *)}
	[ "$out" = "rpc: $seen (error $code)" ] || fail "$what: expected error $code, got: $out"
	msg_matches "$mode" "$msg" "$seen" || fail "$what: expected the message ${mode/=/}'$msg', got: '$seen'"
	ok "$what: $method refused ($code): $seen"
	intact "$what"
}

# vsctl_refused WHAT MODE MESSAGE COMMAND ARG...: vsctl COMMAND fails with exactly
# "vsctl: COMMAND: MESSAGE" (MODE as above). Skipped while vsctl lacks COMMAND.
vsctl_refused() {
	local what=$1 mode=$2 msg=$3 cmd=$4 out
	shift 4
	if [ "$HAVE_VSCTL" = 0 ] || [ "$(FLOW_VIA=auto fl_via "$cmd")" != vsctl ]; then
		note "($what: this vsctl has no $cmd)"
		return 0
	fi
	if out=$(vsctl "$cmd" "$@" 2>&1); then
		fail "$what: vsctl $cmd $* succeeded: $out"
	fi
	msg_matches "$mode" "vsctl: $cmd: $msg" "$out" ||
		fail "$what: expected ${mode/=/}'vsctl: $cmd: $msg', got: '$out'"
	ok "$what: vsctl $cmd refused: $out"
	intact "$what (vsctl)"
}

# p KEY=VALUE...: params for the bridge (fl_params, with KEY=@FILE lists).
p() { fl_params "$@"; }

# bad_rule WHAT CODE MODE MESSAGE RULE: flow.add and vsctl add-flow refuse RULE.
bad_rule() {
	local what=$1 code=$2 mode=$3 msg=$4 rule=$5
	rpc_refused "$what" flow.add "$(p rule="$rule")" "$code" "$mode" "$msg"
	vsctl_refused "$what" "$mode" "$msg" add-flow "$FL_BR" "$rule"
}

intact "the start"
ok "base rules in place, h1 -> h2 through rule 0x1"

step "malformed rules, unknown fields, out-of-range values"
E=-32602
bad_rule "a port number that is a name (docs/api.md)" $E = \
	'at "tp_dst=http": expected a port number or number/mask' \
	"priority=100,in_port=p1,tcp,tp_dst=http,actions=drop"
bad_rule "unknown field" $E = 'at "foo=1": unknown field foo' "foo=1,actions=drop"
bad_rule "unknown action" $E ^ 'at "bounce": unknown action bounce; expected one of output, normal,' \
	"in_port=p1,actions=bounce"
bad_rule "no actions" $E = 'a rule needs actions=; use actions=drop to drop' "priority=5,in_port=p1"
bad_rule "empty actions" $E = 'a rule needs actions=; use actions=drop to drop' "in_port=p1,actions="
bad_rule "an empty item" $E = 'at "ip": is followed by an empty item' "ip,,tcp,actions=drop"
bad_rule "two protocols (docs/flows.md)" $E = 'at "udp": conflicts with an earlier nw_proto=6' \
	"tcp,udp,actions=drop"
bad_rule "a port without its protocol (docs/flows.md)" $E = \
	'at "tp_dst=80": needs tcp, udp or sctp (nw_proto=6, 17 or 132)' "tp_dst=80,actions=drop"
bad_rule "priority=70000" $E = 'at "priority=70000": expected a number from 0 to 65535' \
	"priority=70000,in_port=p1,actions=drop"
bad_rule "table=64" $E = 'at "table=64": expected a number from 0 to 63' "table=64,actions=drop"
bad_rule "tp_dst=65536" $E = 'at "tp_dst=65536": expected a port number or number/mask' \
	"tcp,tp_dst=65536,actions=drop"
bad_rule "dl_vlan=4096" $E = 'at "dl_vlan=4096": expected a number from 0 to 4095' \
	"dl_vlan=4096,actions=drop"
bad_rule "idle_timeout=65536" $E = 'at "idle_timeout=65536": expected a number from 0 to 65535' \
	"idle_timeout=65536,actions=drop"
bad_rule "mod_vlan_vid:4096" $E = 'at "mod_vlan_vid:4096": expected a VLAN ID from 0 to 4095' \
	"actions=mod_vlan_vid:4096"
bad_rule "nw_dst=10.0.0.300" $E = \
	'at "nw_dst=10.0.0.300": expected an IPv4 address like 10.0.0.1, optionally /PREFIX or /MASK' \
	"ip,nw_dst=10.0.0.300,actions=drop"
bad_rule "output to a port that does not exist" $E = 'at "output:p9": no port p9' \
	"in_port=p1,actions=output:p9"
bad_rule "in_port that does not exist" $E = 'at "in_port=p9": no port p9' "in_port=p9,actions=drop"
bad_rule "goto_table backwards" $E = 'at "goto_table:3": goto_table must go to a later table than 5' \
	"table=5,actions=goto_table:3"
bad_rule "drop with another action" $E = \
	'at "drop": drop cannot be combined with other actions; it means none' "actions=drop,output:p2"
bad_rule "set_field without its protocol" $E = 'at "mod_nw_dst:10.0.0.9": needs ip in the match' \
	"in_port=p1,actions=mod_nw_dst:10.0.0.9,output:p2"
bad_rule "a cookie mask in a rule" $E = \
	'at "cookie=0x1/0xff": only a filter has a cookie mask; a rule being added has one cookie' \
	"cookie=0x1/0xff,actions=drop"
bad_rule "1025 characters" $E = 'rule is longer than 1024 characters' \
	"$(printf 'priority=1,%.0s' $(seq 92))actions=drop,"

step "refused by what is there"
bad_rule "an overlapping rule of equal priority" -32000 = \
	'overlaps the rule "table=0,priority=100,cookie=0x1,in_port=p1,ip,actions=output:p2" of the same priority: a packet could match both; give one of them another priority' \
	"priority=100,in_port=p1,icmp,actions=drop"
rpc_refused "a bridge that does not exist" flow.add \
	'{"bridge": "nosuch", "rule": "actions=drop"}' -32000 = 'no bridge "nosuch"'
vsctl_refused "a bridge that does not exist" = 'no bridge "nosuch"' add-flow nosuch "actions=drop"

step "bad params, filters and modifications"
rpc_refused "a rule that is a number" flow.add '{"bridge": "br0", "rule": 5}' -32602 = \
	'invalid params: "rule": expected string, got integer'
rpc_refused "an unknown member" flow.add '{"bridge": "br0", "rule": "actions=drop", "x": 1}' \
	-32602 ~ 'x'
rpc_refused "strict that is a string" flow.del '{"bridge": "br0", "filter": "ip", "strict": "yes"}' \
	-32602 ~ 'strict'
rpc_refused "rules that are not a list" flow.replace '{"bridge": "br0", "rules": "actions=drop"}' \
	-32602 ~ 'rules'
rpc_refused "ops that are not objects" flow.bundle '{"bridge": "br0", "ops": ["add actions=drop"]}' \
	-32602 ~ 'ops'
rpc_refused "a bundle op without a rule" flow.bundle '{"bridge": "br0", "ops": [{"op": "add"}]}' \
	-32602 ~ 'rule'
rpc_refused "timeouts in mod-flows" flow.mod "$(p rule="in_port=p1,idle_timeout=5,actions=drop")" \
	-32602 = 'at "idle_timeout=5": only a rule being added has timeouts'
vsctl_refused "timeouts in mod-flows" = 'at "idle_timeout=5": only a rule being added has timeouts' \
	mod-flows "$FL_BR" "in_port=p1,idle_timeout=5,actions=drop"
rpc_refused "mod-flows to a port that does not exist" flow.mod \
	"$(p rule="in_port=p1,actions=output:p9")" -32602 = 'at "output:p9": no port p9'
rpc_refused "actions in a del-flows filter" flow.del "$(p filter="in_port=p1,actions=drop")" \
	-32602 = 'at "actions=drop": a filter takes no actions'
vsctl_refused "actions in a del-flows filter" = 'at "actions=drop": a filter takes no actions' \
	del-flows "$FL_BR" "in_port=p1,actions=drop"
rpc_refused "unknown field in a del-flows filter" flow.del "$(p filter="foo=1")" \
	-32602 = 'at "foo=1": unknown field foo'
rpc_refused "a dump-flows filter without its protocol" flow.dump "$(p filter="tp_dst=80")" \
	-32602 = 'at "tp_dst=80": needs tcp, udp or sctp (nw_proto=6, 17 or 132)'
vsctl_refused "a dump-flows filter without its protocol" = \
	'at "tp_dst=80": needs tcp, udp or sctp (nw_proto=6, 17 or 132)' dump-flows "$FL_BR" "tp_dst=80"

step "a bundle with a bad third operation is refused whole"
# Each of the first two operations would change what intact() checks: the
# rules, and (op 1 of the second bundle) where h1's pings go.
bundle1=("add cookie=0x91,priority=10,ip,nw_dst=10.9.9.9,actions=drop" "del cookie=0x3"
	"add priority=100,in_port=p1,tcp,tp_dst=http,actions=drop")
bundle2=("add cookie=0x92,priority=10,ip,nw_dst=10.9.9.9,actions=drop"
	"mod cookie=0x1,actions=drop" "add cookie=0x93,priority=10,icmp,actions=drop")
bundle3=("add cookie=0x94,priority=10,ip,nw_dst=10.9.9.9,actions=drop" "del"
	"frob priority=10,ip,actions=drop")
fl_file "${bundle1[@]}"
rpc_refused "bundle: ops[2] malformed" flow.bundle "$(p ops=@"$FL_FILE")" -32602 = \
	'ops[2]: at "tp_dst=http": expected a port number or number/mask'
fl_file "${bundle2[@]}"
rpc_refused "bundle: ops[2] overlaps ops[0]" flow.bundle "$(p ops=@"$FL_FILE")" -32000 = \
	'ops[2]: overlaps the rule "table=0,priority=10,cookie=0x92,ip,nw_dst=10.9.9.9,actions=drop" of the same priority: a packet could match both; give one of them another priority'
rpc_refused "bundle: ops[2] an unknown operation" flow.bundle \
	'{"bridge": "br0", "ops": [{"op": "add", "rule": "priority=10,ip,nw_dst=10.9.9.9,actions=drop"}, {"op": "del", "rule": ""}, {"op": "frob", "rule": "ip,actions=drop"}]}' \
	-32602 = 'ops[2]: unknown op "frob"; expected add, del or mod'
# The same as files for vsctl: a comment and a blank line, so that line 5 is ops[2].
printf '# bundle 1\n%s\n\n%s\n%s\n' "${bundle1[@]}" >"$NS_DIR/bundle1"
vsctl_refused "bundle file: the third operation malformed" = \
	"$NS_DIR/bundle1:5: at \"tp_dst=http\": expected a port number or number/mask" \
	bundle "$FL_BR" "$NS_DIR/bundle1"
printf '# bundle 2\n%s\n\n%s\n%s\n' "${bundle2[@]}" >"$NS_DIR/bundle2"
vsctl_refused "bundle file: the third operation overlaps the first" ^ \
	"$NS_DIR/bundle2:5: overlaps the rule " bundle "$FL_BR" "$NS_DIR/bundle2"
printf '# bundle 3\n%s\n\n%s\n%s\n' "${bundle3[@]}" >"$NS_DIR/bundle3"
vsctl_refused "bundle file: the third operation unknown" ^ \
	"$NS_DIR/bundle3:5: unknown operation \"frob\"" bundle "$FL_BR" "$NS_DIR/bundle3"

step "replace-flows and add-flows with one bad rule"
bad_set=("cookie=0x1,priority=100,in_port=p1,ip,actions=output:p2" "cookie=0x7,priority=7,ip,actions=drop"
	"foo=1,actions=drop" "table=0,priority=0,actions=normal")
fl_file "${bad_set[@]}"
rpc_refused "replace-flows: rules[2] bad" flow.replace "$(p rules=@"$FL_FILE")" -32602 = \
	'rules[2]: at "foo=1": unknown field foo'
printf '# new rules\n%s\n%s\n\n%s\n%s\n' "${bad_set[@]}" >"$NS_DIR/replace"
vsctl_refused "replace-flows file: line 5 bad" = "$NS_DIR/replace:5: at \"foo=1\": unknown field foo" \
	replace-flows "$FL_BR" "$NS_DIR/replace"
printf '%s\n' "cookie=0x8,priority=8,ip,nw_dst=10.8.8.8,actions=drop" "" \
	"cookie=0x9,priority=9,ip,nw_dst=10.9.9.9,actions=output:p9" >"$NS_DIR/add"
vsctl_refused "add-flows file: line 3 bad" = "$NS_DIR/add:3: at \"output:p9\": no port p9" \
	add-flows "$FL_BR" "$NS_DIR/add"

step "too many rules in one request, and a request past 32 MiB"
$PY - "$NS_DIR" <<'EOF'
import json, sys
d = sys.argv[1]
def rule(i):
    return "priority=10,ip,nw_dst=%d.%d.%d.%d,actions=drop" % (10 + (i >> 24), (i >> 16) & 255, (i >> 8) & 255, i & 255)
with open(d + "/300k.json", "w") as f:
    json.dump({"bridge": "br0", "rules": [rule(i) for i in range(300000)]}, f)
with open(d + "/300k-ops.json", "w") as f:
    json.dump({"bridge": "br0", "ops": [{"op": "add", "rule": rule(i)} for i in range(300000)]}, f)
with open(d + "/300k.rules", "w") as f:
    f.write("".join(rule(i) + "\n" for i in range(300000)))
# About 66 MB on one line: twice the limit.
with open(d + "/million.json", "w") as f:
    f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "flow.replace",
                        "params": {"bridge": "br0", "rules": [
                            "priority=10,ip,nw_src=10.1.2.3,nw_dst=" + rule(i).split("nw_dst=")[1]
                            for i in range(1000000)]}}) + "\n")
EOF
[ -s "$NS_DIR/million.json" ] || fail "cannot write the request files"
note "request sizes: 300,000 rules $(stat -c %s "$NS_DIR/300k.json") bytes, a million $(stat -c %s "$NS_DIR/million.json") bytes"
TOO_MANY='300000 rules in one request; at most 262144 (a bridge holds at most 262144)'
rpc_refused "replace-flows with 300,000 rules" flow.replace "$(cat "$NS_DIR/300k.json")" -32000 = "$TOO_MANY"
rpc_refused "a bundle of 300,000 adds" flow.bundle "$(cat "$NS_DIR/300k-ops.json")" -32000 = "$TOO_MANY"
vsctl_refused "replace-flows file of 300,000 rules" = "$TOO_MANY" \
	replace-flows "$FL_BR" "$NS_DIR/300k.rules"
vsctl_refused "add-flows file of 300,000 rules" = "$TOO_MANY" add-flows "$FL_BR" "$NS_DIR/300k.rules"
# Sent by a client that reads the answer even after vswitchd stopped reading:
# nc gives up on the first failed write and then often prints nothing.
out=$(timeout 60 $PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
data = open(sys.argv[2], "rb").read()
try:
    for off in range(0, len(data), 1 << 20):
        s.sendall(data[off:off + (1 << 20)])
except (BrokenPipeError, ConnectionResetError):
    pass
buf = b""
while True:
    try:
        chunk = s.recv(65536)
    except ConnectionResetError:
        break
    if not chunk:
        break
    buf += chunk
sys.stdout.write(buf.decode())' "$NS_SOCK" "$NS_DIR/million.json" 2>&1)
rc=$?
[ "$rc" = 0 ] || fail "sending the 66 MB request: status $rc (124: vswitchd did not close the connection): $out"
verdict=$($PY -c '
import json, sys
try:
    r = json.loads(sys.argv[1])
    print(r["error"]["code"], r["error"]["message"])
except Exception as e:
    print("unparsable: %r" % sys.argv[1][:200])' "$out")
expect_eq "the answer to a 66 MB request line (the connection then closed)" "-32600 request too large" "$verdict"
intact "a request past 32 MiB"

step "restart: the stored rules are exactly the rules before the test"
kill -TERM "$NS_SW_PID"
wait_until 10 bash -c "! kill -0 $NS_SW_PID 2>/dev/null" || fail "vswitchd did not stop on SIGTERM"
sw_restart_vswitchd
for p in p1 p2; do
	wait_until 10 sw_link_is $p up || fail "port $p after restart: link '$(sw_link $p)', expected up"
done
intact "the restart"
ok "the rules after the restart are the base rules, and traffic follows them"

step "the limit: 262,144 rules in one request are taken, one more is not"
$PY - "$NS_DIR" <<'EOF'
import sys
with open(sys.argv[1] + "/max.rules", "w") as f:
    for i in range(262144 - 4):
        f.write("priority=10,ip,nw_dst=10.%d.%d.%d,actions=drop\n" % ((i >> 16) & 255, (i >> 8) & 255, i & 255))
EOF
printf '%s\n' "${BASE_RULES[@]}" >>"$NS_DIR/max.rules"
fl_call flow.replace "$(p rules=@"$NS_DIR/max.rules")" >/dev/null ||
	fail "a replace-flows of 262,144 rules was refused"
ok "replace-flows with 262,144 rules accepted"
# (Through a filter: the dump stays small.)
packets_0x1() { flow_dump "cookie=0x1" | fl_pick 0x1 n_packets; }
n1=$(packets_0x1)
assert_ping h1 10.0.0.2 "h1 -> h2 among 262,144 rules"
wait_until 2 eval '[ "$(packets_0x1)" = $((n1 + 3)) ]'
expect_eq "pings counted by rule 0x1 among 262,144 rules" 3 $(($(packets_0x1) - n1))
rpc_refused_full() {
	local out
	if out=$(fl_rpc flow.add <<<"$(p rule="priority=11,ip,nw_dst=10.200.0.1,actions=drop")" 2>&1); then
		fail "a rule beyond 262,144 was accepted"
	fi
	expect_eq "adding rule 262,145" "rpc: the bridge has 262144 rules, the most it can hold (error -32000)" "$out"
}
rpc_refused_full
dump=$(flow_dump 2>"$NS_DIR/dump.err") ||
	fail "dump-flows -j of a bridge with 262,144 rules failed: $(cat "$NS_DIR/dump.err")"
expect_eq "rules in dump-flows -j" 262144 "$($PY -c "$FL_PY_LOAD"'
print(len(flows))' <<<"$dump")"
flow_replace "${BASE_RULES[@]}" || fail "replace-flows back to the base rules refused"
expect_eq "rules after replacing them with the base rules" "$BASE" "$(flow_set)"

ns_pass
