#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A namespace host and a "VM" on one bridge: h1 on p1 (afxdp), the VM a
# dpdk-testpmd process with a virtio_user device on vhost-user port vm1 (the
# switch is the vhost-user server). testpmd in icmpecho mode answers every ARP
# request (whatever the target address) with its own MAC and echoes ICMP echo
# requests, so h1 can ping any address of its subnet and the VM answers.
#  - vm1's link goes up when testpmd attaches
#  - h1 pings two addresses: replies come, h1's ARP entries name the VM's MAC
#  - big packets (1400 bytes) cross too
#  - the switch counts the frames on both ports
#  - when testpmd exits, vm1's link goes down and h1's pings get no reply

. "$(dirname "$0")/netns_lib.sh"
ns_init netns_vhost_mix dpdk-testpmd

VM_MAC=02:00:00:00:00:99
step "topology"
sw_start
host_add h1 10.0.0.1/24
sw_add_port p1 afxdp iface="$(swif h1)"
sw_add_port vm1 vhostuser socket="$NS_DIR/vm1.sock"
if [ "$NS_SWITCH" = vswitchd ]; then
	wait_until 5 test -S "$NS_DIR/vm1.sock" || fail "vhost-user socket $NS_DIR/vm1.sock not created"
fi
wait_until 10 sw_link_is p1 up || fail "port p1: link '$(sw_link p1)', expected up within 10 s"
vm_start vm1 "$NS_DIR/vm1.sock" "$VM_MAC"
wait_until 10 sw_link_is vm1 up || fail "port vm1: link '$(sw_link vm1)' with testpmd attached, expected up"
ok "vm1 link up with testpmd attached"

step "h1 <-> VM"
rx_vm=$(sw_stat vm1 rx_packets)
tx_vm=$(sw_stat vm1 tx_packets)
assert_ping h1 10.0.0.99 "h1 -> VM (10.0.0.99)"
assert_ping h1 10.0.0.42 "h1 -> VM (10.0.0.42, any address answers)"
for ip in 10.0.0.99 10.0.0.42; do
	expect_eq "h1's ARP entry for $ip" "$VM_MAC" \
		"$(in_ns h1 ip neigh show "$ip" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')"
done
assert_ping h1 10.0.0.99 "h1 -> VM, 1428-byte packets" -s 1400
expect_ge "frames the switch took from vm1" $((rx_vm + 9)) "$(sw_stat vm1 rx_packets)"
expect_ge "frames the switch gave vm1" $((tx_vm + 9)) "$(sw_stat vm1 tx_packets)"
sleep 1.1 # testpmd prints its counters every second
expect_ge "packets testpmd received (its own count)" 9 "$(vm_stat RX-packets)"

step "the VM goes away"
vm_stop vm1
wait_until 5 sw_link_is vm1 down || fail "port vm1: link '$(sw_link vm1)' 5 s after testpmd exited, expected down"
ok "vm1 link down after testpmd exited"
assert_no_ping h1 10.0.0.99 "h1 -> VM after testpmd exited"
wait_until 5 sw_link_is p1 up || fail "p1 link went down too"

ns_pass
