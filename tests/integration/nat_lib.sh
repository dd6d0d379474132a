# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers for the NAT network tests (test_netns_nat.sh, test_netns_nat_limits.sh),
# on top of netns_lib.sh and flow_lib.sh (source those first).
#
#   nat_setup                  the topology below, the NAT network, neighbours resolved
#   nat_tool H ARGS...         runs $NS_DIR/nat_tool.py inside H (see its usage)
#   nat_bg H TOKEN ARGS...     the same in the background, journaled (BG_PID)
#   nat_server H tcp|udp PORT  a nat_tool server; its peers are logged to $NS_DIR/srv-H-PORT.log
#   ct_show                    conntrack.show of br0 (JSON)
#   ct_counter NAME            a member of conntrack.show's counters ("none": no such counter)
#   ct_zone0 FIELD             connections, limit or refused of br0's zone 0
#   nat_rule_packets T P [M]   n_packets summed over the NAT rules of table T, priority P
#                              (whose match contains M)
#   expect_refused WHAT NEEDLE vsctl-args...
#
#   vm1 10.0.0.5 (afpacket vm1)  vm2 10.0.0.6 (afxdp vm2)   -- br0 --   up0 (afpacket) out 192.0.2.1
#   vsctl add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.0.1 uplink=up0
#         external-ip=192.0.2.10 next-hop=192.0.2.1

NAT_EXT=192.0.2.10
NAT_OUT=192.0.2.1

nat_setup() {
	sw_start
	host_add vm1 10.0.0.5/24
	host_add vm2 10.0.0.6/24
	host_add out $NAT_OUT/24
	sw_add_port vm1 afpacket iface="$(swif vm1)"
	sw_add_port vm2 afxdp iface="$(swif vm2)"
	sw_add_port up0 afpacket iface="$(swif out)"
	local p
	for p in vm1 vm2 up0; do
		wait_until 10 sw_link_is $p up || fail "port $p: link '$(sw_link $p)', expected up within 10 s"
	done
	in_ns vm1 ip route add default via 10.0.0.1
	in_ns vm2 ip route add default via 10.0.0.1
	vsctl add-nat-network br0 subnet=10.0.0.0/24 gateway=10.0.0.1 uplink=up0 \
		external-ip=$NAT_EXT next-hop=$NAT_OUT >/dev/null || fail "add-nat-network refused"
	nat_wait_neighbor $NAT_OUT
	# shellcheck disable=SC2034 # the tests' scapy frames use it
	NAT_MAC=$(vsctl -j nat-show br0 | $PY -c 'import json, sys; print(json.load(sys.stdin)["networks"][0]["mac"])')
	printf '%s' "$NAT_TOOL_PY" >"$NS_DIR/nat_tool.py"
}

nat_has_neighbor() { vsctl nat-show br0 | grep -q "neighbor $1 "; }

nat_wait_neighbor() {
	wait_until 5 nat_has_neighbor "$1" ||
		fail "neighbour $1 not resolved within 5 s: $(vsctl nat-show br0 | tr '\n' ' ')"
}

nat_tool() {
	local h=$1
	shift
	in_ns "$h" "$PY" "$NS_DIR/nat_tool.py" "$@"
}

nat_bg() {
	local h=$1 token=$2
	shift 2
	ns_prefix "$h"
	bg_start "$token" "${NSX[@]}" "$PY" "$NS_DIR/nat_tool.py" "$@" </dev/null
}

# nat_server H tcp|udp PORT: sets SRV_PID; waits until it listens.
nat_server() {
	local h=$1 proto=$2 port=$3 log="$NS_DIR/srv-$1-$3.log"
	: >"$log"
	nat_bg "$h" "$log" server "$proto" "$port" "$log" 2>"$log.err"
	# shellcheck disable=SC2034 # for the tests
	SRV_PID=$BG_PID
	local flag=-Hltn
	[ "$proto" = udp ] && flag=-Hlun
	wait_until 5 eval "in_ns $h ss $flag 'sport = :$port' | grep -q ." ||
		fail "$proto server on $h:$port did not start: $(cat "$log.err")"
}

srv_log() { echo "$NS_DIR/srv-$1-$2.log"; }

ct_show() { vsctl call conntrack.show '{"bridge":"br0"}'; }

ct_counter() {
	ct_show | $PY -c 'import json, sys; print(json.load(sys.stdin)["counters"].get(sys.argv[1], "none"))' "$1"
}

ct_zone0() {
	ct_show | $PY -c '
import json, sys
for z in json.load(sys.stdin)["zones"]:
    if z["bridge"] == "br0" and z["zone"] == 0:
        print(z[sys.argv[1]])' "$1"
}

nat_rule_packets() {
	flow_dump | $PY -c "$FL_PY_LOAD"'
t, p, m = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hits = [f for f in flows if int(str(f["cookie"]), 0) == 0x6e6174 and int(f["table"]) == t
        and int(f["priority"]) == p and m in f["match"]]
print(sum(int(f["n_packets"]) for f in hits) if hits else "none")' "$1" "$2" "${3:-}"
}

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

# The NAT network's configuration as nat-show gives it, without the neighbours.
nat_config() {
	vsctl -j nat-show | $PY -c '
import json, sys
d = json.load(sys.stdin)
for n in d["networks"]:
    n.pop("neighbors", None)
    n.pop("resolving", None)
print(json.dumps(d, sort_keys=True))'
}

# shellcheck disable=SC2016
NAT_TOOL_PY='
import os, resource, selectors, signal, socket, struct, sys, time

USAGE = """nat_tool.py server tcp|udp PORT LOG   answer "from IP:PORT got DATA", log each peer
nat_tool.py client tcp|udp IP PORT MSG SECS   print the answer; exit 2 on timeout, 3 refused
    (UDP: MSG is sent again every second until an answer comes)
nat_tool.py many IP PORT N BASE SECS STATUS   N TCP connections at once (from ports BASE+i
    unless BASE is 0), "connected failed pending" into STATUS, then hold them until SIGTERM
    resets them (SO_LINGER 0)
nat_tool.py hold IP PORT FIFO OUT             one TCP connection; each line written to FIFO is
    sent and the answer appended to OUT"""

def nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))

def answer(peer, data):
    return ("from %s:%d got " % peer).encode() + data

def server(proto, port, log):
    nofile()
    out = open(log, "a", buffering=1)
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", port))
        while True:
            data, peer = s.recvfrom(65535)
            out.write("%s %d\n" % peer)
            s.sendto(answer(peer, data), peer)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(4096)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is s:
                while True:
                    try:
                        c, peer = s.accept()
                    except BlockingIOError:
                        break
                    out.write("%s %d\n" % peer)
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, peer)
                continue
            c = key.fileobj
            try:
                data = c.recv(65535)
            except OSError:
                data = b""
            if not data:
                sel.unregister(c)
                c.close()
                continue
            try:
                c.send(answer(key.data, data))
            except OSError:
                pass

def client(proto, ip, port, msg, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
    end = time.monotonic() + secs
    try:
        s.settimeout(secs)
        s.connect((ip, port))
        while True:
            # UDP is sent again each second, as its applications do: the
            # first datagram to a VM the switch has not resolved yet is lost.
            s.send(msg.encode())
            s.settimeout(max(0.01, min(1.0 if proto == "udp" else secs, end - time.monotonic())))
            try:
                print(s.recv(65535).decode())
                break
            except socket.timeout:
                if proto != "udp" or time.monotonic() >= end:
                    raise
    except socket.timeout:
        print("timeout")
        return 2
    except ConnectionRefusedError:
        print("refused")
        return 3
    except OSError as e:
        print("error %s" % e)
        return 4
    return 0

def many(ip, port, n, base, secs, status):
    nofile()
    sel = selectors.DefaultSelector()
    socks = []
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if base:
            s.bind(("0.0.0.0", base + i))
        try:
            s.connect((ip, port))
        except BlockingIOError:
            pass
        sel.register(s, selectors.EVENT_WRITE)
        socks.append(s)
    pending, connected, failed = n, 0, 0
    end = time.monotonic() + secs
    while pending and time.monotonic() < end:
        for key, _ in sel.select(max(0, end - time.monotonic())):
            err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            sel.unregister(key.fileobj)
            pending -= 1
            if err == 0:
                connected += 1
            else:
                failed += 1
    with open(status + ".tmp", "w") as f:
        f.write("%d %d %d\n" % (connected, failed, pending))
    os.rename(status + ".tmp", status)

    # SIGTERM resets them 50 at a time: a burst of 1500 RSTs overflows an
    # afpacket port'"'"'s 512-frame ring when the PMD is not running just then.
    def reset(*_):
        for i in range(0, len(socks), 50):
            for s in socks[i:i + 50]:
                s.close()
            time.sleep(0.005)
        os._exit(0)
    signal.signal(signal.SIGTERM, reset)
    while True:
        signal.pause()

def hold(ip, port, fifo, outfile):
    s = socket.create_connection((ip, port), timeout=5)
    out = open(outfile, "a", buffering=1)
    out.write("connected\n")
    while True:
        with open(fifo) as f:
            for line in f:
                try:
                    s.sendall(line.strip().encode())
                    s.settimeout(3)
                    out.write(s.recv(65535).decode() + "\n")
                except OSError as e:
                    out.write("error %s\n" % e)

signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
a = sys.argv[1:]
if not a:
    sys.exit(USAGE)
if a[0] == "server":
    server(a[1], int(a[2]), a[3])
elif a[0] == "client":
    sys.exit(client(a[1], a[2], int(a[3]), a[4], float(a[5])))
elif a[0] == "many":
    many(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]), a[6])
elif a[0] == "hold":
    hold(a[1], int(a[2]), a[3], a[4])
else:
    sys.exit(USAGE)
'
