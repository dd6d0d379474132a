#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Atomic rule changes under traffic. Host a (afxdp) sends a numbered UDP stream
# (a sequence number in each payload, ~3000 packets/s) to the service address
# 10.0.0.50:9000, which hosts b (afpacket) and c (afxdp) both hold. One rule
# decides who gets the stream: it rewrites the destination MAC to b's or c's
# and outputs there. While the stream runs, the target is switched back and
# forth seven times, each time by one request of a different kind:
#   bundle (del-strict + add), replace-flows, bundle (mod-strict),
#   add-flow replacing the rule, bundle (del + 2000 other adds + add),
#   replace-flows, mod-flows
# Asserted, from the receivers' own logs:
#  - every sequence number sent was received exactly once, by b or c
#  - ordered by sequence number, the receivers form exactly eight runs,
#    b c b c b c b c: nothing went to the old target after a switch, nothing
#    to the new one before it
#  - the last rule's n_packets equals the length of the last run (the rules
#    that decide counted exactly what they forwarded)
#  - the sender's port dropped nothing

. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/flow_lib.sh"
ns_init netns_flow_bundle

[ "$NS_SWITCH" = vswitchd ] || fail "flow rules are vswitchd's; NETNS_SWITCH=$NS_SWITCH"

RATE=3000      # packets per second
SWITCH_GAP=0.6 # seconds between two switches

step "topology"
sw_start
fl_note_via
host_add a 10.0.0.1/24
host_add b 10.0.0.2/24
host_add c 10.0.0.3/24
sw_add_port pa afxdp iface="$(swif a)"
sw_add_port pb afpacket iface="$(swif b)"
sw_add_port pc afxdp iface="$(swif c)"
for p in pa pb pc; do
	wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
done
mac_b=$(host_mac b) mac_c=$(host_mac c)
fl_static_arp a:10.0.0.1 b:10.0.0.2 c:10.0.0.3
in_ns b ip addr add 10.0.0.50/32 dev eth0
in_ns c ip addr add 10.0.0.50/32 dev eth0
# Nobody has this MAC: without the rule's rewrite, neither b nor c would take
# the stream, and the normal rule would flood it to both.
fl_neigh a 10.0.0.50 02:00:00:00:00:50

# The rule that sends the stream to b or c, with a cookie saying which switch made it.
to_b() { echo "cookie=$1,priority=100,in_port=pa,udp,tp_dst=9000,actions=mod_dl_dst:$mac_b,output:pb"; }
to_c() { echo "cookie=$1,priority=100,in_port=pa,udp,tp_dst=9000,actions=mod_dl_dst:$mac_c,output:pc"; }
SEL="priority=100,in_port=pa,udp,tp_dst=9000"
DEFAULT="table=0,priority=0,actions=normal"

# The sender: RATE numbered datagrams per second until $NS_DIR/stop exists;
# prints how many it sent. The payload is the number in decimal.
cat >"$NS_DIR/send.py" <<'EOF'
import os, socket, sys, time
dst, port, rate, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
seq, start = 0, time.monotonic()
while not os.path.exists(stop):
    due = int((time.monotonic() - start) * rate)
    while seq < due:
        s.sendto(b"%d" % seq, (dst, port))
        seq += 1
    time.sleep(0.001)
print(seq)
EOF
# A receiver: logs each datagram's number until $NS_DIR/stop exists and nothing
# came for 0.5 s; writes "ready" to its ready file once bound.
cat >"$NS_DIR/recv.py" <<'EOF'
import os, socket, sys
port, stop, out, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("0.0.0.0", port))
s.settimeout(0.5)
open(ready, "w").write("ready\n")
seen = []
while True:
    try:
        seen.append(int(s.recv(64)))
    except socket.timeout:
        if os.path.exists(stop):
            break
open(out, "w").write("".join("%d\n" % n for n in seen))
EOF

# Switch N (1..7) of the target, each by another kind of request.
switch_target() {
	local n=$1 cookie=$((0x10 + $1))
	case $n in
	1) flow_bundle "del-strict $SEL" "add $(to_c $cookie)" ;;
	2) flow_replace "$(to_b $cookie)" "$DEFAULT" ;;
	3) flow_bundle "mod-strict $SEL,actions=mod_dl_dst:$mac_c,output:pc" ;;
	4) flow_add "$(to_b $cookie)" ;;
	5) flow_bundle "del in_port=pa,udp" "${FILLER[@]}" "add $(to_c $cookie)" ;;
	6) flow_replace "$(to_b $cookie)" "$DEFAULT" ;;
	7) flow_mod "$SEL,actions=mod_dl_dst:$mac_c,output:pc" ;;
	esac
}
SWITCHES=7
# 2000 rules that switch 5 adds in the same bundle (and switch 6 removes), so
# that one of the switches is a large transaction.
FILLER=()
for ((i = 0; i < 2000; i++)); do
	FILLER+=("add table=1,priority=10,ip,nw_dst=10.9.$((i / 250)).$((i % 250 + 1)),actions=drop")
done
EXPECT_RUNS="b c b c b c b c"

step "the stream goes to b"
flow_add "$(to_b 0x10)" || fail "add-flow refused"
expect_eq "rules (the default one and the stream's)" 2 "$(flow_n)"
rm -f "$NS_DIR/stop"
for h in b c; do
	ns_prefix $h
	bg_start recv.py "${NSX[@]}" "$PY" "$NS_DIR/recv.py" 9000 "$NS_DIR/stop" "$NS_DIR/got.$h" \
		"$NS_DIR/ready.$h"
	eval "recv_$h=\$BG_PID"
	wait_until 5 test -s "$NS_DIR/ready.$h" || fail "receiver in $h did not start"
done
ns_prefix a
bg_start send.py "${NSX[@]}" "$PY" "$NS_DIR/send.py" 10.0.0.50 9000 "$RATE" "$NS_DIR/stop" \
	>"$NS_DIR/sent"
sender=$BG_PID
sleep "$SWITCH_GAP"

step "switch the target $SWITCHES times while the stream runs"
for ((i = 1; i <= SWITCHES; i++)); do
	out=$(switch_target $i 2>&1) || fail "switch $i refused: $out"
	note "switch $i done"
	sleep "$SWITCH_GAP"
done
touch "$NS_DIR/stop"
# (bg_wait runs in a subshell: it waits for the end, the status comes from wait here.)
bg_wait "$sender" 5 send.py >/dev/null
wait "$sender" || fail "the sender failed (status $?)"
for h in b c; do
	eval "pid=\$recv_$h"
	bg_wait "$pid" 5 recv.py >/dev/null
	wait "$pid" || fail "the receiver in $h failed (status $?)"
done
sw_alive
sent=$(cat "$NS_DIR/sent")
expect_ge "datagrams sent" $((RATE * 3)) "$sent"

step "every datagram exactly once, and only at the target of its time"
verdict=$($PY - "$sent" "$NS_DIR/got.b" "$NS_DIR/got.c" <<'EOF'
import collections, sys
sent = int(sys.argv[1])
got = {h: [int(l) for l in open(f)] for h, f in (("b", sys.argv[2]), ("c", sys.argv[3]))}
count = collections.Counter()
owner = {}
for h, seqs in got.items():
    for n in seqs:
        count[n] += 1
        owner[n] = h
problems = []
dups = sorted(n for n, k in count.items() if k > 1)
if dups:
    problems.append("%d numbers received more than once (first: %s)" % (len(dups), dups[:5]))
missing = [n for n in range(sent) if n not in count]
if missing:
    problems.append("%d of %d numbers never received (first: %s)" % (len(missing), sent, missing[:5]))
extra = sorted(n for n in count if n >= sent or n < 0)
if extra:
    problems.append("numbers never sent: %s" % extra[:5])
runs = []
for n in sorted(owner):
    if not runs or runs[-1][0] != owner[n]:
        runs.append([owner[n], n, n])
    runs[-1][2] = n
print("RUNS " + " ".join(r[0] for r in runs))
print("DETAIL " + ", ".join("%s %d-%d" % tuple(r) for r in runs))
print("LAST %d" % (runs[-1][2] - runs[-1][1] + 1 if runs else 0))
print("PROBLEMS " + "; ".join(problems))
EOF
) || fail "cannot analyse the receivers' logs"
note "received: b $(wc -l <"$NS_DIR/got.b"), c $(wc -l <"$NS_DIR/got.c")"
note "runs by sequence number: $(sed -n 's/^DETAIL //p' <<<"$verdict")"
problems=$(sed -n 's/^PROBLEMS //p' <<<"$verdict")
[ -z "$problems" ] || fail "$problems"
ok "all $sent numbers received, each exactly once"
expect_eq "receivers in order of sequence numbers" "$EXPECT_RUNS" "$(sed -n 's/^RUNS //p' <<<"$verdict")"

step "counters"
# Switch 7 was a mod-flows, which keeps counters: the rule switch 6 added has
# counted the last two runs. Its cookie says which rule it is.
last=$(sed -n 's/^LAST //p' <<<"$verdict")
prev=$($PY -c 'import sys; r = sys.argv[1].split(", "); a, b = r[-2].split()[1].split("-"); print(int(b) - int(a) + 1)' \
	"$(sed -n 's/^DETAIL //p' <<<"$verdict")")
expect_eq "rules at the end" 2 "$(flow_n)"
expect_eq "actions of the last rule" "set_field:$mac_c->dl_dst,output:pc" "$(flow_stat 0x16 actions)"
expect_flow_packets 0x16 $((prev + last))
expect_eq "receive drops on pa" 0 "$(sw_stat pa rx_dropped)"
expect_eq "transmit drops on pb" 0 "$(sw_stat pb tx_dropped)"
expect_eq "transmit drops on pc" 0 "$(sw_stat pc tx_dropped)"

ns_pass
