#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Kernel-interface ports and their settings survive a restart, and bad port
# requests leave the running switch and its stored configuration intact:
#  - h1 (afxdp, access 10, mtu 1400) and h2 (afpacket, native-untagged 10
#    trunks 20, rxq 1) ping each other
#  - refused: a dpdk port whose device cannot be probed (the error carries
#    DPDK's own reason), an afxdp port on a missing interface (named in the
#    error), a second port on an interface in use, out-of-range values;
#    traffic keeps flowing and `show` is unchanged
#  - after SIGTERM and a new start on the same store: the same ports with the
#    same settings, link up, ping works

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_restart

[ "$NS_SWITCH" = vswitchd ] || fail "this test is about vswitchd's own store; NETNS_SWITCH=$NS_SWITCH"

# The bridges and their ports as `show -j` gives them, less the link state,
# which may lag a restart by a moment.
show_config() {
	vsctl -j show | $PY -c '
import json, sys
d = json.load(sys.stdin)
for b in d["bridges"]:
    for p in b["ports"]:
        p.pop("link", None)
print(json.dumps(d["bridges"], sort_keys=True))'
}

step "topology"
sw_start
host_add h1 10.0.0.1/24
host_add h2 10.0.0.2/24
sw_add_port p1 afxdp iface="$(swif h1)" tag=10 mtu=1400
sw_add_port p2 afpacket iface="$(swif h2)" vlan-mode=native-untagged tag=10 trunks=20
for p in p1 p2; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
assert_ping h1 10.0.0.2 "h1 (afxdp) -> h2 (afpacket) before"
before=$(show_config)

# expect_refused WHAT NEEDLE vsctl-args...: the command fails, its message has NEEDLE.
expect_refused() {
	local what=$1 needle=$2 out
	shift 2
	if out=$(vsctl "$@" 2>&1); then
		fail "$what: vsctl $* succeeded; expected a refusal"
	fi
	case $out in
	*"$needle"*) ok "$what: $out" ;;
	*) fail "$what: expected the message to contain '$needle', got: $out" ;;
	esac
}

step "bad port requests are refused with clear reasons"
expect_refused "unprobeable NIC" "DPDK:" add-port "$NS_BR" nic0 type=dpdk devargs=0000:03:00.0
expect_refused "missing interface" "iface nosuch$NS_ID: no such interface" \
	add-port "$NS_BR" p9 type=afxdp iface="nosuch$NS_ID"
expect_refused "interface in use" "already used by port \"p1\"" \
	add-port "$NS_BR" p9 type=afpacket iface="$(swif h1)"
expect_refused "mtu out of range" "mtu" add-port "$NS_BR" p9 type=internal mtu=20000
expect_refused "bad trunks" "trunks" set-port p2 trunks=10-5
expect_refused "trunk with a tag" "takes no tag" set-port p2 vlan-mode=trunk tag=5
expect_refused "no iface" "needs iface" add-port "$NS_BR" p9 type=afxdp
expect_refused "unknown type" "unknown port type" add-port "$NS_BR" p9 type=tunnel
assert_ping h1 10.0.0.2 "h1 -> h2 after the refusals"
after=$(show_config)
expect_eq "configuration after the refusals" "$before" "$after"

step "restart on the same store"
kill -TERM "$NS_SW_PID"
wait_until 10 bash -c "! kill -0 $NS_SW_PID 2>/dev/null" || fail "vswitchd did not stop on SIGTERM"
ok "vswitchd stopped"
sw_restart_vswitchd
for p in p1 p2; do
	wait_until 10 sw_link_is $p up || fail "port $p after restart: link '$(sw_link $p)', expected up"
done
restored=$(show_config)
expect_eq "configuration after the restart" "$before" "$restored"
expect_eq "p1 mtu after the restart" 1400 "$(sw_port_field p1 mtu)"
expect_eq "p2 trunks after the restart" 20 "$(sw_port_field p2 trunks)"
assert_ping h1 10.0.0.2 "h1 -> h2 after the restart"
assert_ping h2 10.0.0.1 "h2 -> h1 after the restart"

ns_pass
