# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers for integration tests that put real Linux network stacks on the
# switch's ports: each "host" is a network namespace holding one end of a veth
# pair (named eth0 there); the other end stays in the root namespace and is
# opened by the switch (afxdp or afpacket port).
#
# Source it, then:
#   ns_init NAME [TOOL...]   traps, unique names, temp dir; FAILs when a tool is missing
#   sw_start                 a private vswitchd (or a Linux bridge, see below) with bridge br0
#   host_add H [IP/PREFIX]   namespace host H (netns itns<id>-H, interface eth0);
#                            $(swif H) is the veth end in the root ns, v<id>H
#   host_vlan H PARENT VID [IP/PREFIX] [802.1Q|802.1ad]   subinterface PARENT.VID in H
#   sw_add_port PORT TYPE [key=value...]   e.g. sw_add_port p1 afxdp iface=$(swif h1) tag=10
#   sw_set_port PORT key=value...
#   assert_ping H DST MSG, assert_no_ping H DST MSG, tcp_transfer, iperf_transfer, ...
#   ns_pass                  prints PASS; the EXIT trap cleans up whatever happens
#
# Reference switches, to show that a test's expectations are right and that it
# fails when connectivity is broken, independently of the switch under test
# (the switch's drop counters do not exist there: those assertions are skipped
# with a note):
# - NETNS_SWITCH=ovs: Open vSwitch 3.1 (userspace datapath; a private
#   ovsdb-server and ovs-vswitchd in the temp dir), the reference for the VLAN
#   modes, which docs/api.md defines "with Open vSwitch's meaning".
# - NETNS_SWITCH=linuxbridge: a Linux bridge; port types and MTU map onto
#   veths, VLAN modes onto `bridge vlan` when the kernel has vlan_filtering.
#   The test machine's kernel has neither bridge vlan_filtering nor 802.1Q
#   (CONFIG_VLAN_8021Q is not set), so here it only stands in for the tests
#   without VLANs (mtu, linkdown, vhost_mix, internal).
#
# VLAN subinterfaces in the namespaces are kernel vlan devices when the kernel
# has them, else emulated with a veth pair and tc BPF (see host_vlan);
# NETNS_VLAN=kernel|bpf forces one.
#
# NETNS_VSCTL_RPC=1 makes add-port/set-port go through `vsctl call port.add` /
# `port.set` (raw JSON-RPC) instead of the vsctl key=value commands.
#
# Cleanup: every resource is journaled in $NS_DIR/state as it is created
# (namespaces, root-ns links, PIDs, the DPDK file prefix). The EXIT trap (also
# reached on INT, TERM and HUP) replays the journal in a new session, so that
# meson's SIGKILL to the test's process group after a timeout cannot cut it
# short: it kills the switch and helpers by PID, deletes the namespaces and
# links, and removes the prefix's hugepage files. ns_init also replays the
# journals of earlier runs whose test process is gone (a SIGKILLed run).

NETNS_LIB=$(readlink -f "${BASH_SOURCE[0]}")
PY=/usr/bin/python3
NS_SWITCH=${NETNS_SWITCH:-vswitchd}
NS_BR=br0             # bridge name inside vswitchd
NS_FAILED=0
NS_STEP=""
declare -A NS_HOSTS=()       # host -> namespace
declare -A LB_DEV=()         # linuxbridge: port -> bridge-side device
declare -A LB_MODE=() LB_TAG=() LB_TRUNKS=() LB_VIDS=() LB_PEER=()
declare -A CAP_PID=()
declare -A OVS_IF=()         # ovs: port -> OVS interface name

# ---------------------------------------------------------------- output

ns_now() { date +%H:%M:%S.%3N; }
note() { printf '%s   %s\n' "$(ns_now)" "$*"; }
step() {
	NS_STEP=$*
	printf '%s == %s\n' "$(ns_now)" "$*"
}
ok() { printf '%s ok %s\n' "$(ns_now)" "$*"; }

# Prints the message and the state of everything, then exits 1 (the EXIT trap cleans up).
fail() {
	NS_FAILED=1
	printf '%s FAIL [%s] %s: %s\n' "$(ns_now)" "${NS_TEST:-?}" "${NS_STEP:-setup}" "$*" >&2
	ns_dump >&2
	exit 1
}

ns_pass() {
	printf '%s PASS %s (%s)\n' "$(ns_now)" "$NS_TEST" "$NS_SWITCH"
	exit 0
}

# expect_eq WHAT EXPECTED SEEN
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected '$2', saw '$3'"
	fi
	ok "$1 = $3"
}

# expect_ge WHAT MIN SEEN (integers)
expect_ge() {
	if ! [[ $3 =~ ^[0-9]+$ ]] || [ "$3" -lt "$2" ]; then
		fail "$1: expected >= $2, saw '$3'"
	fi
	ok "$1 = $3 (>= $2)"
}

# ---------------------------------------------------------------- setup and cleanup

# ns_init TEST_NAME [TOOL...]
ns_init() {
	NS_TEST=$1
	shift
	set -u -o pipefail
	if [ "$(id -u)" -ne 0 ]; then
		echo "FAIL [$NS_TEST]: must run as root (namespaces, veths, XDP)" >&2
		exit 1
	fi
	ns_sweep_stale
	# Unique per run: the PID plus a random byte, in hex (at most 8 characters),
	# so interface names stay within 15 characters and a leftover of a crashed
	# run never collides with this one.
	NS_ID=$(printf '%x%02x' $$ $((RANDOM % 256)))
	NS_PREFIX="itns$NS_ID"
	NS_DIR="/tmp/itns.$NS_ID"
	mkdir -m 0700 "$NS_DIR" || {
		echo "FAIL [$NS_TEST]: cannot create $NS_DIR" >&2
		exit 1
	}
	NS_STATE="$NS_DIR/state"
	printf 'owner %s\ndir %s\nprefix %s\n' "$$" "$NS_DIR" "$NS_PREFIX" >"$NS_STATE"
	trap 'ns_exit_trap' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	note "test $NS_TEST against $NS_SWITCH, id $NS_ID, dir $NS_DIR"

	local t missing=()
	for t in ip ethtool ping "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ -x "$PY" ] || missing+=("$PY")
	if [ ${#missing[@]} -gt 0 ]; then
		fail "missing tools: ${missing[*]} (tools/setup-host.sh installs iproute2 iputils-ping ethtool tcpdump netcat-openbsd iperf3)"
	fi
	case $NS_SWITCH in
	vswitchd)
		if [ -z "${VSWITCHD:-}" ] || [ -z "${VSCTL:-}" ] || [ ! -x "$VSWITCHD" ] || [ ! -x "$VSCTL" ]; then
			fail "VSWITCHD and VSCTL must name the built binaries (got '${VSWITCHD:-}', '${VSCTL:-}')"
		fi
		;;
	linuxbridge) ;;
	ovs)
		command -v ovs-vsctl >/dev/null && command -v ovsdb-server >/dev/null ||
			fail "NETNS_SWITCH=ovs needs openvswitch-switch"
		;;
	*) fail "NETNS_SWITCH must be vswitchd, ovs or linuxbridge, not '$NS_SWITCH'" ;;
	esac
}

# Appends one resource to the journal.
ns_journal() { echo "$*" >>"$NS_STATE"; }

ns_exit_trap() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ "$rc" -ne 0 ] && [ "$NS_FAILED" -eq 0 ]; then
		printf '%s FAIL [%s] %s: exited with status %s\n' "$(ns_now)" "${NS_TEST:-?}" \
			"${NS_STEP:-setup}" "$rc" >&2
		ns_dump >&2
	fi
	if [ -n "${NS_STATE:-}" ] && [ -f "$NS_STATE" ]; then
		# A new session: meson's killpg(SIGKILL) after a timeout does not reach it.
		setsid bash -c '. "$1"; ns_cleanup_state "$2"' ns-cleanup "$NETNS_LIB" "$NS_STATE" \
			</dev/null &
		wait $! 2>/dev/null
	fi
	exit "$rc"
}

# True when /proc/PID/cmdline contains TOKEN (guards against a reused PID).
ns_pid_matches() {
	local pid=$1 token=$2
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$token"
}

# Kills PID (if it still runs TOKEN): SIGTERM, up to WAIT_S seconds, then SIGKILL.
ns_kill_pid() {
	local pid=$1 token=$2 wait_s=${3:-5} i
	ns_pid_matches "$pid" "$token" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < wait_s * 20; i++)); do
		ns_pid_matches "$pid" "$token" || return 0
		# A zombie child of a still living shell counts as gone.
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.05
	done
	echo "cleanup: $pid ($token) ignored SIGTERM for ${wait_s}s, killing" >&2
	kill -KILL "$pid" 2>/dev/null
	sleep 0.1
}

# Replays a journal: processes first, then namespaces, links, hugepage files, the temp dir.
ns_cleanup_state() {
	local state=$1 kind a b prefix="" dir="" ns pid
	[ -f "$state" ] || return 0
	local pids=() toks=() nss=() links=() brs=()
	while read -r kind a b; do
		case $kind in
		pid) pids+=("$a") toks+=("$b") ;;
		ns) nss+=("$a") ;;
		link) links+=("$a") ;;
		bridge) brs+=("$a") ;;
		prefix) prefix=$a ;;
		dir) dir=$a ;;
		esac
	done <"$state"
	local i
	# Helpers (tcpdump, iperf3, testpmd) before the switch, newest first.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		ns_kill_pid "${pids[i]}" "${toks[i]}" 5
	done
	for ns in "${nss[@]}"; do
		ip netns list 2>/dev/null | grep -qw -- "^$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	for a in "${links[@]}" "${brs[@]}"; do
		ip link show dev "$a" >/dev/null 2>&1 && ip link del dev "$a" 2>/dev/null
	done
	if [ -n "$prefix" ]; then
		rm -f /dev/hugepages/"${prefix}"map_* /dev/hugepages/"${prefix}"vmmap_* 2>/dev/null
		rm -rf "/var/run/dpdk/$prefix" "/var/run/dpdk/${prefix}vm" 2>/dev/null
	fi
	case $dir in
	/tmp/itns.*) rm -rf "$dir" ;;
	esac
}

# Replays the journals of earlier runs whose test process no longer exists.
ns_sweep_stale() {
	local state owner
	for state in /tmp/itns.*/state; do
		[ -f "$state" ] || continue
		owner=$(awk '$1 == "owner" {print $2}' "$state")
		[ -n "$owner" ] && [ -d "/proc/$owner" ] && continue
		echo "note: cleaning up after a dead run: $state" >&2
		ns_cleanup_state "$state"
	done
}

# State of everything, for a failure message.
ns_dump() {
	local h
	echo "---- state at failure ----"
	if [ "$NS_SWITCH" = vswitchd ] && [ -n "${NS_SOCK:-}" ]; then
		if [ -n "${NS_SW_PID:-}" ] && ! kill -0 "$NS_SW_PID" 2>/dev/null; then
			echo "vswitchd (pid $NS_SW_PID) is not running"
		fi
		echo "-- vsctl show"
		vsctl --timeout 3 show 2>&1 | sed 's/^/   /'
		echo "-- vsctl port-stats"
		vsctl --timeout 3 -j port-stats 2>&1 | $PY -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception as e:
    print("   (unparsable: %s)" % e); sys.exit(0)
for p in d.get("ports", []):
    drops = {k: v for k, v in p.get("drops", {}).items() if v}
    print("   %-8s rx %s tx %s rx_dropped %s tx_dropped %s drops %s" % (p.get("name"),
          p.get("rx_packets"), p.get("tx_packets"), p.get("rx_dropped"), p.get("tx_dropped"), drops))
' 2>&1
		echo "-- vsctl fdb-show $NS_BR"
		vsctl --timeout 3 fdb-show "$NS_BR" 2>&1 | sed 's/^/   /'
		echo "-- vswitchd log (last 40 lines)"
		tail -n 40 "$NS_DIR/vswitchd.log" 2>/dev/null | sed 's/^/   /'
		echo "-- vswitchd stdout/stderr (last 15 lines)"
		tail -n 15 "$NS_DIR/vswitchd.out" 2>/dev/null | sed 's/^/   /'
	elif [ "$NS_SWITCH" = ovs ] && [ -n "${NS_OVS_BR:-}" ]; then
		echo "-- ovs-vsctl show"
		ovsctl show 2>&1 | sed 's/^/   /'
		echo "-- ovs-appctl fdb/show"
		ovs-appctl -t "$NS_DIR/ovs/vswitchd.ctl" fdb/show "$NS_OVS_BR" 2>&1 | sed 's/^/   /'
		echo "-- ovs-vswitchd log (last 20 lines)"
		tail -n 20 "$NS_DIR/ovs/vswitchd.log" 2>/dev/null | sed 's/^/   /'
	elif [ "$NS_SWITCH" = linuxbridge ] && [ -n "${NS_LB:-}" ]; then
		local port
		echo "-- bridge vlan show"
		for port in "${!LB_DEV[@]}"; do
			echo "   port $port (${LB_DEV[$port]}, ${LB_MODE[$port]}):" \
				$(bridge vlan show dev "${LB_DEV[$port]}" 2>&1 | tail -n +2)
		done
		echo "-- bridge fdb (dynamic)"
		bridge fdb show br "$NS_LB" 2>&1 | grep -v permanent | sed 's/^/   /'
	fi
	for h in "${!NS_HOSTS[@]}"; do
		echo "-- host $h (${NS_HOSTS[$h]})"
		ip netns exec "${NS_HOSTS[$h]}" ip -s -br link 2>&1 | sed 's/^/   /'
		ip netns exec "${NS_HOSTS[$h]}" ip -s link show dev eth0 2>&1 | sed -n '4,7p' | sed 's/^/   /'
		ip netns exec "${NS_HOSTS[$h]}" ip neigh 2>&1 | sed 's/^/   neigh: /'
	done
	echo "--------------------------"
}

# ---------------------------------------------------------------- polling

# wait_until SECONDS CMD [ARG...]: runs CMD every 0.1 s until it succeeds; 1 on timeout.
wait_until() {
	local secs=$1 end
	shift
	end=$(($(date +%s%N) + secs * 1000000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------- the switch

vsctl() { "$VSCTL" --socket "$NS_SOCK" "$@"; }

sw_start() {
	case $NS_SWITCH in
	vswitchd) sw_start_vswitchd ;;
	linuxbridge) sw_start_linuxbridge ;;
	ovs) sw_start_ovs ;;
	esac
}

sw_start_vswitchd() {
	sw_launch_vswitchd
	vsctl add-br "$NS_BR" >/dev/null || fail "vsctl add-br $NS_BR failed"
}

sw_launch_vswitchd() {
	local free
	free=$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -lt 64 ]; then
		fail "only ${free:-0} free hugepages (need 64+): echo 2048 > /proc/sys/vm/nr_hugepages"
	fi
	NS_SOCK="$NS_DIR/vswitchd.sock"
	local pdeath=()
	setpriv --help 2>/dev/null | grep -q pdeathsig && pdeath=(setpriv --pdeathsig TERM --)
	"${pdeath[@]}" "$VSWITCHD" --socket "$NS_SOCK" --db "$NS_DIR/conf.db" \
		--file-prefix "$NS_PREFIX" --log-file "$NS_DIR/vswitchd.log" \
		--no-default-bridge --pmd-cores 1 \
		</dev/null >"$NS_DIR/vswitchd.out" 2>&1 &
	NS_SW_PID=$!
	ns_journal "pid $NS_SW_PID $NS_PREFIX"
	if ! wait_until 20 sw_ready; then
		kill -0 "$NS_SW_PID" 2>/dev/null || fail "vswitchd exited during start"
		fail "vswitchd did not answer on $NS_SOCK within 20 s"
	fi
	note "vswitchd pid $NS_SW_PID, file prefix $NS_PREFIX"
}

# A vswitchd on the same store, after the previous one stopped.
sw_restart_vswitchd() {
	sw_launch_vswitchd
}

sw_ready() {
	kill -0 "$NS_SW_PID" 2>/dev/null || return 2
	vsctl --timeout 2 show >/dev/null 2>&1
}

ovsctl() { ovs-vsctl --db="unix:$NS_DIR/ovs/db.sock" --timeout=10 "$@"; }

sw_start_ovs() {
	local d="$NS_DIR/ovs" bin=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
	[ -x "$bin" ] || bin=$(command -v ovs-vswitchd)
	if ip link show dev ovs-netdev >/dev/null 2>&1; then
		fail "another userspace Open vSwitch runs here (ovs-netdev exists)"
	fi
	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
		fail "ovsdb-tool create"
	local pdeath=()
	setpriv --help 2>/dev/null | grep -q pdeathsig && pdeath=(setpriv --pdeathsig TERM --)
	export OVS_RUNDIR="$d" OVS_LOGDIR="$d" OVS_DBDIR="$d"
	"${pdeath[@]}" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --no-chdir \
		--unixctl="$d/ovsdb.ctl" --log-file="$d/ovsdb.log" </dev/null >/dev/null 2>&1 &
	ns_journal "pid $! $d/conf.db"
	wait_until 10 test -S "$d/db.sock" || fail "ovsdb-server did not start"
	ovsctl --no-wait init
	# Parse two VLAN headers, so that dot1q-tunnel keeps the customer tag.
	ovsctl --no-wait set Open_vSwitch . other_config:vlan-limit=0
	"${pdeath[@]}" "$bin" "unix:$d/db.sock" --no-chdir --unixctl="$d/vswitchd.ctl" \
		--log-file="$d/vswitchd.log" </dev/null >"$d/vswitchd.out" 2>&1 &
	NS_OVS_PID=$!
	ns_journal "pid $NS_OVS_PID $d/vswitchd.ctl"
	ns_journal "link ovs-netdev"
	NS_OVS_BR="o$NS_ID"
	ovsctl add-br "$NS_OVS_BR" -- set bridge "$NS_OVS_BR" datapath_type=netdev ||
		fail "ovs-vsctl add-br failed"
	ns_journal "link $NS_OVS_BR"
	note "Open vSwitch (pid $NS_OVS_PID, userspace datapath) bridge $NS_OVS_BR stands in for vswitchd"
}

# OVS trunks: a list of VIDs (ranges expanded), "[]" for all.
ovs_trunks() {
	local t=$1 r out=()
	[ -z "$t" ] || [ "$t" = all ] && { echo "[]"; return; }
	for r in ${t//,/ }; do
		if [[ $r == *-* ]]; then out+=($(seq "${r%-*}" "${r#*-}")); else out+=("$r"); fi
	done
	local IFS=,
	echo "[${out[*]}]"
}

ovs_port_settings() {
	local port=$1 kv k v args=()
	shift
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		iface | socket | devargs | rxq) ;;
		mtu) args+=(-- set interface "${OVS_IF[$port]}" "mtu_request=$v") ;;
		vlan-mode)
			args+=(-- set port "${OVS_IF[$port]}" "vlan_mode=$v")
			[ "$v" = trunk ] && args+=(-- clear port "${OVS_IF[$port]}" tag)
			;;
		tag) args+=(-- set port "${OVS_IF[$port]}" "tag=$v") ;;
		trunks) args+=(-- set port "${OVS_IF[$port]}" "trunks=$(ovs_trunks "$v")") ;;
		*) fail "ovs stand-in: unknown key $k" ;;
		esac
	done
	[ ${#args[@]} -eq 0 ] || ovsctl "${args[@]:1}" || fail "ovs-vsctl ${args[*]:1} failed"
}

ovs_add_port() {
	local port=$1 type=$2 kv iface=""
	shift 2
	for kv in "$@"; do
		[ "${kv%%=*}" = iface ] && iface=${kv#*=}
	done
	case $type in
	afxdp | afpacket)
		OVS_IF[$port]=$iface
		ovsctl add-port "$NS_OVS_BR" "$iface" || fail "ovs-vsctl add-port $iface failed"
		;;
	internal)
		OVS_IF[$port]=$port
		ns_journal "link $port"
		ovsctl add-port "$NS_OVS_BR" "$port" -- set interface "$port" type=internal ||
			fail "ovs-vsctl add-port $port (internal) failed"
		;;
	*) fail "ovs stand-in: port type $type not supported" ;;
	esac
	ovs_port_settings "$port" "$@"
}

# Fails the test when vswitchd died.
sw_alive() {
	[ "$NS_SWITCH" = vswitchd ] || return 0
	kill -0 "$NS_SW_PID" 2>/dev/null || fail "vswitchd (pid $NS_SW_PID) died"
}

sw_start_linuxbridge() {
	NS_LB="b$NS_ID"
	NS_LB_VLANS=1
	if ! ip link add "$NS_LB" type bridge vlan_filtering 1 vlan_default_pvid 0 2>/dev/null; then
		NS_LB_VLANS=0
		ip link add "$NS_LB" type bridge || fail "cannot create Linux bridge $NS_LB"
		note "this kernel's bridge has no vlan_filtering: VLAN settings will fail"
	fi
	ns_journal "bridge $NS_LB"
	sysctl -qw "net.ipv6.conf.$NS_LB.disable_ipv6=1"
	ip link set "$NS_LB" up
	note "Linux bridge $NS_LB (vlan_filtering $NS_LB_VLANS) stands in for vswitchd"
}

# sw_add_port PORT TYPE [key=value...] with vsctl's keys: iface socket devargs mtu rxq vlan-mode tag trunks
sw_add_port() {
	local port=$1 type=$2
	shift 2
	note "add-port $port type=$type $*"
	case $NS_SWITCH in
	vswitchd)
		if [ "$type" = internal ]; then
			ns_journal "link $port"
		fi
		if [ "${NETNS_VSCTL_RPC:-0}" = 1 ]; then
			vsctl call port.add "$(ns_port_json "$port" bridge="$NS_BR" type="$type" "$@")" >/dev/null ||
				fail "port.add $port type=$type $* refused"
		else
			vsctl add-port "$NS_BR" "$port" type="$type" "$@" ||
				fail "vsctl add-port $NS_BR $port type=$type $* failed"
		fi
		;;
	linuxbridge) lb_add_port "$port" "$type" "$@" ;;
	ovs) ovs_add_port "$port" "$type" "$@" ;;
	esac
}

# sw_set_port PORT key=value...
sw_set_port() {
	local port=$1
	shift
	note "set-port $port $*"
	case $NS_SWITCH in
	vswitchd)
		if [ "${NETNS_VSCTL_RPC:-0}" = 1 ]; then
			vsctl call port.set "$(ns_port_json "$port" "$@")" >/dev/null ||
				fail "port.set $port $* refused"
		else
			vsctl set-port "$port" "$@" || fail "vsctl set-port $port $* failed"
		fi
		;;
	linuxbridge) lb_set_port "$port" "$@" ;;
	ovs) ovs_port_settings "$port" "$@" ;;
	esac
}

# JSON params for port.add / port.set from vsctl-style key=value pairs.
ns_port_json() {
	$PY -c '
import json, sys
p = {"name": sys.argv[1]}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    k = k.replace("-", "_")
    if k in ("mtu", "rxq", "tag"):
        p[k] = None if v in ("", "none") else int(v)
    else:
        p[k] = v
print(json.dumps(p))' "$@"
}

# sw_port_field PORT FIELD: a member of the port in `show` ("<absent>" when missing).
sw_port_field() {
	local port=$1 field=$2
	case $NS_SWITCH in
	vswitchd)
		vsctl -j show | $PY -c '
import json, sys
d = json.load(sys.stdin)
for b in d.get("bridges", []):
    for p in b.get("ports", []):
        if p.get("name") == sys.argv[1]:
            v = p.get(sys.argv[2])
            print("<absent>" if v is None else v)
            sys.exit(0)
print("<no such port>")' "$port" "$field"
		;;
	linuxbridge)
		case $field in
		link) lb_link "$port" ;;
		mtu) cat "/sys/class/net/${LB_DEV[$port]}/mtu" ;;
		vlan_mode) echo "${LB_MODE[$port]}" ;;
		tag) echo "${LB_TAG[$port]:-<absent>}" ;;
		*) echo "<n/a>" ;;
		esac
		;;
	ovs)
		case $field in
		link) ovsctl get interface "${OVS_IF[$port]}" link_state ;;
		mtu) ovsctl get interface "${OVS_IF[$port]}" mtu ;;
		vlan_mode | tag) ovsctl get port "${OVS_IF[$port]}" "$field" ;;
		*) echo "<n/a>" ;;
		esac
		;;
	esac
}

sw_link() { sw_port_field "$1" link; }
sw_link_is() { [ "$(sw_link "$1")" = "$2" ]; }

# sw_stat PORT KEY: a counter of `port-stats` (KEY: rx_packets... or a drop reason).
# Prints "missing" when the switch does not report it, "n/a" on the Linux bridge for drops.
sw_stat() {
	local port=$1 key=$2
	case $NS_SWITCH in
	vswitchd)
		vsctl -j port-stats "$port" | $PY -c '
import json, sys
d = json.load(sys.stdin)
p = d["ports"][0]
v = p.get(sys.argv[1], p.get("drops", {}).get(sys.argv[1]))
print("missing" if v is None else v)' "$key"
		;;
	linuxbridge)
		case $key in
		rx_packets | tx_packets | rx_bytes | tx_bytes | rx_dropped | tx_dropped)
			cat "/sys/class/net/${LB_DEV[$port]}/statistics/$key"
			;;
		*) echo n/a ;;
		esac
		;;
	ovs)
		case $key in
		rx_packets | tx_packets | rx_bytes | tx_bytes | rx_dropped | tx_dropped)
			# The userspace datapath's own counts of system ports are not kept: the kernel's.
			cat "/sys/class/net/${OVS_IF[$port]}/statistics/$key"
			;;
		*) echo n/a ;;
		esac
		;;
	esac
}

# True when the switch under test reports its own drop counters.
sw_has_drop_counters() { [ "$NS_SWITCH" = vswitchd ]; }

# expect_counter_grew PORT KEY BEFORE: the switch's counter went up since BEFORE.
expect_counter_grew() {
	local port=$1 key=$2 before=$3 now
	if ! sw_has_drop_counters; then
		note "($NS_SWITCH) no counter $key to check on $port"
		return 0
	fi
	now=$(sw_stat "$port" "$key")
	[ "$now" = missing ] && fail "port-stats $port does not report '$key'"
	if [ "$now" -le "$before" ]; then
		fail "counter $key of $port did not grow: $before before, $now after"
	fi
	ok "counter $key of $port grew: $before -> $now"
}

# ---------------------------------------------------------------- Linux bridge stand-in

lb_add_port() {
	local port=$1 type=$2 kv k v dev=""
	shift 2
	LB_MODE[$port]="" LB_TAG[$port]="" LB_TRUNKS[$port]="" LB_VIDS[$port]=""
	local mtu=""
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		iface) dev=$v ;;
		socket | devargs | rxq) ;;
		mtu) mtu=$v ;;
		vlan-mode) LB_MODE[$port]=$v ;;
		tag) LB_TAG[$port]=$v ;;
		trunks) LB_TRUNKS[$port]=$v ;;
		*) fail "linuxbridge stand-in: unknown key $k" ;;
		esac
	done
	case $type in
	afxdp | afpacket) [ -n "$dev" ] || fail "$type port $port needs iface=" ;;
	internal)
		# A veth whose root-ns end carries the port's name plays the tap.
		dev="${port}b"
		ip link add "$port" type veth peer name "$dev" || fail "cannot create $port"
		ns_journal "link $port"
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
		;;
	vhostuser | vhostuser-client)
		# A veth pair; vm_start puts testpmd on the far end with net_af_packet.
		dev="v$NS_ID$port"
		LB_PEER[$port]="w$NS_ID$port"
		ip link add "$dev" type veth peer name "${LB_PEER[$port]}" || fail "cannot create $dev"
		ns_journal "link $dev"
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" "net.ipv6.conf.${LB_PEER[$port]}.disable_ipv6=1"
		ip link set "${LB_PEER[$port]}" up
		;;
	*) fail "linuxbridge stand-in: port type $type not supported" ;;
	esac
	LB_DEV[$port]=$dev
	if [ -z "${LB_MODE[$port]}" ]; then
		if [ -n "${LB_TAG[$port]}" ]; then LB_MODE[$port]=access; else LB_MODE[$port]=trunk; fi
	fi
	ip link set "$dev" master "$NS_LB" || fail "cannot enslave $dev"
	[ -n "$mtu" ] && ip link set "$dev" mtu "$mtu"
	ip link set "$dev" up
	lb_apply_vlans "$port"
}

lb_set_port() {
	local port=$1 kv k v
	shift
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		mtu) ip link set "${LB_DEV[$port]}" mtu "$v" || fail "cannot set mtu $v" ;;
		vlan-mode)
			LB_MODE[$port]=$v
			[ "$v" = trunk ] && LB_TAG[$port]=""
			;;
		tag) LB_TAG[$port]=$v ;;
		trunks) LB_TRUNKS[$port]=$v ;;
		*) fail "linuxbridge stand-in: unknown key $k" ;;
		esac
	done
	lb_apply_vlans "$port"
}

# Maps Open vSwitch VLAN modes onto the bridge's per-port VLAN table.
lb_apply_vlans() {
	local port=$1 dev=${LB_DEV[$port]} mode=${LB_MODE[$port]} tag=${LB_TAG[$port]}
	local trunks=${LB_TRUNKS[$port]} vid
	if [ "$NS_LB_VLANS" = 0 ]; then
		[ "$mode" = trunk ] && { [ -z "$trunks" ] || [ "$trunks" = all ]; } && return 0
		fail "linuxbridge stand-in: port $port needs VLANs ($mode), the kernel lacks bridge vlan_filtering (try NETNS_SWITCH=ovs)"
	fi
	for vid in ${LB_VIDS[$port]}; do
		bridge vlan del dev "$dev" vid "$vid" 2>/dev/null
	done
	LB_VIDS[$port]=""
	local add=()
	case $mode in
	access | dot1q-tunnel) ;;
	*) if [ -z "$trunks" ] || [ "$trunks" = all ]; then trunks=1-4094; fi ;;
	esac
	case $mode in
	access | dot1q-tunnel) trunks="" ;;
	esac
	for vid in ${trunks//,/ }; do
		bridge vlan add dev "$dev" vid "$vid" || fail "bridge vlan add dev $dev vid $vid"
		add+=("$vid")
	done
	case $mode in
	access | native-untagged | dot1q-tunnel)
		bridge vlan add dev "$dev" vid "$tag" pvid untagged || fail "bridge vlan add $tag pvid untagged"
		add+=("$tag")
		;;
	native-tagged)
		bridge vlan add dev "$dev" vid "$tag" pvid || fail "bridge vlan add $tag pvid"
		add+=("$tag")
		;;
	trunk) ;;
	*) fail "linuxbridge stand-in: vlan mode '$mode'" ;;
	esac
	if [ "$mode" = dot1q-tunnel ]; then
		# (Needs vlan_filtering, which this machine's kernel lacks.)
		# The bridge's own tags become service tags: customer 802.1Q tags ride inside.
		ip link set "$NS_LB" type bridge vlan_protocol 802.1ad || fail "vlan_protocol 802.1ad"
	fi
	LB_VIDS[$port]="${add[*]}"
}

lb_link() {
	local state
	state=$(cat "/sys/class/net/${LB_DEV[$1]}/operstate" 2>/dev/null)
	if [ "$state" = up ]; then echo up; else echo down; fi
}

# ---------------------------------------------------------------- hosts

ns_of() {
	[ -n "${NS_HOSTS[$1]:-}" ] || fail "no host named $1"
	echo "${NS_HOSTS[$1]}"
}
# swif H: the root-ns end of host H's veth, the interface the switch opens.
swif() { echo "v$NS_ID$1"; }
# ns_prefix H: sets NSX to the command prefix that runs a program inside H (so that
# a background job's PID is the program's own).
ns_prefix() {
	if [ "$1" = root ]; then NSX=(); else NSX=(ip netns exec "$(ns_of "$1")"); fi
}

# in_ns H CMD...: runs CMD inside host H; H "root" is the root namespace.
in_ns() {
	local h=$1
	shift
	if [ "$h" = root ]; then
		"$@"
	else
		ip netns exec "$(ns_of "$h")" "$@"
	fi
}

# Checksum and VLAN offloads off, so that frames leave the kernel complete:
# the switch gets no CHECKSUM_PARTIAL packets (TESTBED.md) and VLAN tags are
# in the frame rather than in skb metadata that AF_XDP cannot see.
ns_offloads_off() {
	local ns=$1 dev=$2 f
	for f in tx rx txvlan tx-vlan-stag-hw-insert; do
		ip netns exec "$ns" ethtool -K "$dev" "$f" off >/dev/null 2>&1
	done
	local csum
	csum=$(ip netns exec "$ns" ethtool -k "$dev" 2>/dev/null | awk '/^tx-checksumming:/ {print $2}')
	[ "$csum" = off ] || fail "could not turn off tx checksumming on $dev in $ns (is '$csum')"
}

# host_add H IP/PREFIX: namespace with lo and eth0 (IP/PREFIX), IPv6 off so that
# nothing but the test's own traffic crosses the switch.
host_add() {
	local h=$1 addr=${2:-} ns sw
	ns="itns$NS_ID-$h"
	sw=$(swif "$h")
	[ ${#sw} -le 15 ] || fail "host name '$h' too long: $sw exceeds 15 characters"
	ip netns add "$ns" || fail "ip netns add $ns"
	ns_journal "ns $ns"
	NS_HOSTS[$h]=$ns
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$ns" ip link set lo up
	ip link add "$sw" type veth peer name eth0 netns "$ns" || fail "cannot create veth $sw"
	ns_journal "link $sw"
	sysctl -qw "net.ipv6.conf.$sw.disable_ipv6=1"
	ethtool -K "$sw" tx off txvlan off >/dev/null 2>&1
	ns_offloads_off "$ns" eth0
	if [ -n "$addr" ]; then
		ip netns exec "$ns" ip addr add "$addr" dev eth0 || fail "bad address $addr"
	fi
	ip link set "$sw" up
	ip netns exec "$ns" ip link set eth0 up
}

# host_vlan H PARENT VID [IP/PREFIX] [802.1Q|802.1ad]: subinterface PARENT.VID in H.
# With the kernel's 802.1Q support it is a vlan device. Without it (CONFIG_VLAN_8021Q
# is not set on the test machine) it is emulated: PARENT.VID is one end of a veth
# pair inside H with PARENT's MAC, and two tc BPF programs do what the vlan
# driver does: on the other end's ingress, push the tag and send the frame out of
# PARENT; on PARENT's ingress, take frames whose outer tag is (PROTO, VID), pop
# the tag and hand them to PARENT.VID. Frames with a tag no subinterface claims
# reach PARENT's stack still tagged, and the kernel drops them (VID != 0), as it
# does with vlan devices. Stacking works: PARENT may itself be a subinterface.
host_vlan() {
	local h=$1 parent=$2 vid=$3 addr=${4:-} proto=${5:-802.1Q} ns name
	ns=$(ns_of "$h")
	name="$parent.$vid"
	[ ${#name} -le 13 ] || fail "subinterface name $name too long"
	case $proto in
	802.1Q | 802.1q) proto=802.1Q ;;
	802.1ad) ;;
	*) fail "host_vlan: protocol $proto" ;;
	esac
	[ -n "${NS_VLAN_IMPL:-}" ] || ns_probe_vlan "$ns"
	if [ "$NS_VLAN_IMPL" = kernel ]; then
		ip netns exec "$ns" ip link add link "$parent" name "$name" type vlan \
			proto "$proto" id "$vid" || fail "cannot create $name ($proto) in $h"
	else
		ns_vlan_emulate "$ns" "$parent" "$vid" "$proto"
	fi
	ns_offloads_off "$ns" "$name"
	if [ -n "$addr" ]; then
		ip netns exec "$ns" ip addr add "$addr" dev "$name" || fail "bad address $addr"
	fi
	ip netns exec "$ns" ip link set "$name" up
}

# host_vlan_del H NAME: removes a subinterface made by host_vlan.
host_vlan_del() {
	local h=$1 name=$2 ns parent
	ns=$(ns_of "$h")
	ip netns exec "$ns" ip link del "$name" || fail "cannot delete $name in $h"
	if [ "$NS_VLAN_IMPL" = bpf ]; then
		# The pop filter on the parent would still take the VID's frames: remove it.
		parent=${name%.*}
		ip netns exec "$ns" tc filter del dev "$parent" ingress pref "$(ns_vlan_pref "$name")" ||
			fail "cannot remove the VLAN filter of $name from $parent"
	fi
}

ns_probe_vlan() {
	local ns=$1
	case ${NETNS_VLAN:-auto} in
	kernel | bpf) NS_VLAN_IMPL=$NETNS_VLAN ;;
	*)
		if ip netns exec "$ns" ip link add link eth0 name probe.4094 type vlan id 4094 2>/dev/null; then
			ip netns exec "$ns" ip link del probe.4094
			NS_VLAN_IMPL=kernel
		else
			NS_VLAN_IMPL=bpf
		fi
		;;
	esac
	if [ "$NS_VLAN_IMPL" = bpf ]; then
		command -v clang >/dev/null && command -v tc >/dev/null ||
			fail "the kernel has no 802.1Q support and emulating it needs clang and tc"
		[ -f /usr/include/bpf/bpf_helpers.h ] || fail "emulating VLAN devices needs libbpf-dev"
	fi
	note "VLAN subinterfaces: $NS_VLAN_IMPL"
}

# A tc filter preference unique to each subinterface of one parent.
ns_vlan_pref() {
	local name=$1 vid=${1##*.}
	if [ -f "$NS_DIR/vlan-$name.ad" ]; then echo $((10000 + vid)); else echo $((5000 + vid)); fi
}

NS_VLAN_BPF='
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Sent by the subinterface: add the tag, leave by the parent. */
SEC("tc/push")
int vlan_push(struct __sk_buff *skb)
{
	if (bpf_skb_vlan_push(skb, bpf_htons(PROTO), VID) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(PARENT_IFINDEX, 0);
}

/* Received by the parent: frames of this VLAN go to the subinterface, untagged. */
SEC("tc/pop")
int vlan_pop(struct __sk_buff *skb)
{
	if (!skb->vlan_present || skb->vlan_proto != bpf_htons(PROTO) ||
	    (skb->vlan_tci & 0x0fff) != VID)
		return TC_ACT_UNSPEC;
	if (bpf_skb_vlan_pop(skb) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(PEER_IFINDEX, 0);
}

char _license[] SEC("license") = "GPL";
'

ns_vlan_emulate() {
	local ns=$1 parent=$2 vid=$3 proto=$4 name="$2.$3" peer="p-$2.$3" mac pidx qidx tpid obj
	[ "$proto" = 802.1ad ] && tpid=0x88a8 || tpid=0x8100
	[ "$proto" = 802.1ad ] && : >"$NS_DIR/vlan-$name.ad"
	ip netns exec "$ns" ip link add "$name" type veth peer name "$peer" ||
		fail "cannot create veth $name/$peer in $ns"
	mac=$(ip netns exec "$ns" cat "/sys/class/net/$parent/address")
	ip netns exec "$ns" ip link set "$name" address "$mac"
	pidx=$(ip netns exec "$ns" cat "/sys/class/net/$parent/ifindex")
	qidx=$(ip netns exec "$ns" cat "/sys/class/net/$peer/ifindex")
	obj="$NS_DIR/vlan-$name.o"
	printf '%s' "$NS_VLAN_BPF" >"$NS_DIR/vlan.c"
	clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -DVID="$vid" -DPROTO="$tpid" \
		-DPARENT_IFINDEX="$pidx" -DPEER_IFINDEX="$qidx" -c "$NS_DIR/vlan.c" -o "$obj" ||
		fail "cannot compile the VLAN emulation program"
	ip netns exec "$ns" tc qdisc add dev "$peer" clsact || fail "clsact on $peer"
	ip netns exec "$ns" tc filter add dev "$peer" ingress bpf direct-action obj "$obj" sec tc/push ||
		fail "cannot attach the push program to $peer"
	ip netns exec "$ns" tc qdisc show dev "$parent" | grep -q clsact ||
		ip netns exec "$ns" tc qdisc add dev "$parent" clsact || fail "clsact on $parent"
	ip netns exec "$ns" tc filter add dev "$parent" ingress pref "$(ns_vlan_pref "$name")" \
		bpf direct-action obj "$obj" sec tc/pop || fail "cannot attach the pop program to $parent"
	# The plumbing end carries whatever the stack sends; no offloads there either.
	ns_offloads_off "$ns" "$peer"
	ip netns exec "$ns" ip link set "$peer" up
}

# ns_ifstat H IFACE COUNTER: a counter of an interface inside H.
ns_ifstat() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3"; }

# ---------------------------------------------------------------- traffic

# ping_ok H DST [PING_ARGS...]: 3 replies within 5 s.
ping_ok() {
	local h=$1 dst=$2
	shift 2
	in_ns "$h" ping -n -q -c 3 -i 0.2 -w 5 "$@" "$dst"
}

ping_summary() { grep -E 'transmitted|100% packet loss|errors' | tr '\n' ' '; }

# assert_ping H DST MSG [PING_ARGS...]
assert_ping() {
	local h=$1 dst=$2 msg=$3 out
	shift 3
	sw_alive
	out=$(ping_ok "$h" "$dst" "$@" 2>&1) ||
		fail "$msg: ping $* $dst from $h got no 3/3 replies in 5 s: $(ping_summary <<<"$out")"
	ok "$msg ($(grep -o '[0-9]* received' <<<"$out"))"
}

# assert_no_ping H DST MSG [PING_ARGS...]: no reply at all to 3 requests.
assert_no_ping() {
	local h=$1 dst=$2 msg=$3 out n
	shift 3
	sw_alive
	out=$(in_ns "$h" ping -n -q -c 3 -i 0.3 -W 1 -w 2 "$@" "$dst" 2>&1)
	n=$(grep -o '[0-9]* received' <<<"$out" | awk '{print $1}')
	if [ "${n:-0}" != 0 ]; then
		fail "$msg: expected no reply to ping $* $dst from $h, got $n: $(ping_summary <<<"$out")"
	fi
	ok "$msg (no reply)"
}

# Starts CMD in the background, journaled by PID; TOKEN is a word of its command line.
# Sets BG_PID.
bg_start() {
	local token=$1
	shift
	"$@" &
	BG_PID=$!
	ns_journal "pid $BG_PID $token"
}

# Waits for a background PID with a deadline; prints its exit status (124 on timeout).
bg_wait() {
	local pid=$1 secs=$2 token=$3
	if ! wait_until "$secs" eval "! kill -0 $pid 2>/dev/null || [ \"\$(awk '{print \$3}' /proc/$pid/stat 2>/dev/null)\" = Z ]"; then
		ns_kill_pid "$pid" "$token" 2
		wait "$pid" 2>/dev/null
		echo 124
		return
	fi
	wait "$pid" 2>/dev/null
	echo $?
}

# tcp_transfer SRC DST DST_IP KBYTES MSG: nc sends KBYTES of random data from SRC
# to a listener in DST; the received copy must be identical.
tcp_transfer() {
	local src=$1 dst=$2 ip=$3 kb=$4 msg=$5 port=$((20000 + RANDOM % 20000)) rc sum_in sum_out
	sw_alive
	dd if=/dev/urandom of="$NS_DIR/tcp.in" bs=1024 count="$kb" status=none
	rm -f "$NS_DIR/tcp.out"
	ns_prefix "$dst"
	bg_start "nc -l $port" "${NSX[@]}" nc -l "$port" >"$NS_DIR/tcp.out" 2>"$NS_DIR/nc-l.err"
	local srv=$BG_PID
	wait_until 5 eval "in_ns $dst ss -Hltn 'sport = :$port' | grep -q LISTEN" ||
		fail "$msg: nc did not listen on port $port in $dst: $(cat "$NS_DIR/nc-l.err")"
	in_ns "$src" timeout 20 nc -N -w 5 "$ip" "$port" <"$NS_DIR/tcp.in" 2>"$NS_DIR/nc-c.err"
	rc=$?
	local src_rc=$rc
	rc=$(bg_wait "$srv" 10 "nc -l $port")
	sum_in=$(md5sum <"$NS_DIR/tcp.in" | cut -d' ' -f1)
	sum_out=$(md5sum <"$NS_DIR/tcp.out" | cut -d' ' -f1)
	if [ "$sum_in" != "$sum_out" ]; then
		fail "$msg: sent $((kb * 1024)) bytes $src -> $dst:$port, received $(stat -c %s "$NS_DIR/tcp.out") bytes or different content (sender nc status $src_rc: $(cat "$NS_DIR/nc-c.err"), listener status $rc)"
	fi
	ok "$msg ($((kb * 1024)) bytes over TCP, identical)"
}

# iperf_transfer SRC DST DST_IP SECONDS MIN_MBITS MSG: iperf3 TCP; fails below MIN_MBITS.
iperf_transfer() {
	local src=$1 dst=$2 ip=$3 secs=$4 min=$5 msg=$6 port=$((5200 + RANDOM % 1000)) res
	sw_alive
	ns_prefix "$dst"
	bg_start "iperf3 -s" "${NSX[@]}" iperf3 -s -1 -p "$port" >"$NS_DIR/iperf-s.log" 2>&1
	local srv=$BG_PID
	wait_until 5 eval "in_ns $dst ss -Hltn 'sport = :$port' | grep -q LISTEN" ||
		fail "$msg: iperf3 server did not listen in $dst: $(cat "$NS_DIR/iperf-s.log")"
	in_ns "$src" timeout $((secs + 15)) iperf3 -c "$ip" -p "$port" -t "$secs" -J >"$NS_DIR/iperf-c.json" 2>&1
	bg_wait "$srv" 5 "iperf3 -s" >/dev/null
	res=$($PY -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("error unparsable iperf3 output"); sys.exit(0)
if "error" in d:
    print("error " + d["error"].replace(" ", "_")); sys.exit(0)
r = d["end"]["sum_received"]
s = d["end"].get("sum_sent", {})
print("%d %.1f %s" % (r["bytes"], r["bits_per_second"] / 1e6, s.get("retransmits", "?")))' "$NS_DIR/iperf-c.json")
	local bytes mbits retr
	read -r bytes mbits retr <<<"$res"
	if [ "$bytes" = error ]; then
		fail "$msg: iperf3 $src -> $dst failed: $mbits"
	fi
	if [ "${mbits%.*}" -lt "$min" ]; then
		fail "$msg: iperf3 $src -> $dst: $bytes bytes, $mbits Mbit/s < $min Mbit/s (retransmits $retr)"
	fi
	ok "$msg (iperf3 ${secs}s: $bytes bytes, $mbits Mbit/s, $retr retransmits)"
}

# ---------------------------------------------------------------- capture

# capture_start TAG H IFACE: tcpdump -e on IFACE inside H into $NS_DIR/TAG.pcap.
capture_start() {
	local tag=$1 h=$2 dev=$3
	rm -f "$NS_DIR/$tag.pcap" "$NS_DIR/$tag.err"
	bg_start tcpdump ip netns exec "$(ns_of "$h")" tcpdump -i "$dev" -nn -U --immediate-mode -Z root -s 256 \
		-w "$NS_DIR/$tag.pcap" 2>"$NS_DIR/$tag.err"
	CAP_PID[$tag]=$BG_PID
	wait_until 5 grep -q "listening on" "$NS_DIR/$tag.err" ||
		fail "tcpdump on $dev in $h did not start: $(cat "$NS_DIR/$tag.err")"
}

capture_stop() {
	local tag=$1
	sleep 0.2
	kill -INT "${CAP_PID[$tag]}" 2>/dev/null
	bg_wait "${CAP_PID[$tag]}" 5 tcpdump >/dev/null
}

# capture_text TAG [FILTER]: the capture, one line per frame, with link-level headers.
capture_text() {
	local tag=$1
	shift
	tcpdump -r "$NS_DIR/$tag.pcap" -e -nn "$@" 2>/dev/null
}

# capture_count TAG [FILTER]: how many captured frames match a pcap filter.
capture_count() { capture_text "$@" | wc -l; }

# capture_tags TAG [FILTER]: the distinct VLAN tag stacks of the matching frames,
# sorted: "untagged", "8100:10", "88a8:100/8100:10".
capture_tags() {
	capture_text "$@" | $PY -c '
import re, sys
seen = set()
for line in sys.stdin:
    tags = re.findall(r"ethertype [^,]*?\((0x[0-9a-f]{4})\),(?: length \d+:)? vlan (\d+)", line)
    seen.add("/".join("%s:%s" % (t[2:], v) for t, v in tags) or "untagged")
print(" ".join(sorted(seen)))'
}

# host_mac H [IFACE]
host_mac() { in_ns "$1" cat "/sys/class/net/${2:-eth0}/address"; }

# ---------------------------------------------------------------- a DPDK "VM"

# vm_start PORT SOCKET MAC: dpdk-testpmd in icmpecho mode on a virtio_user device
# attached to vhost-user port PORT (the switch is the server). It answers ARP
# requests and ICMP echo requests. On the Linux bridge it uses net_af_packet on
# the far end of the port's veth instead.
vm_start() {
	local port=$1 sock=$2 mac=$3 vdev
	case $NS_SWITCH in
	vswitchd) vdev="virtio_user0,path=$sock,queues=1,mac=$mac" ;;
	linuxbridge)
		vdev="net_af_packet0,iface=${LB_PEER[$port]},blocksz=4096,framesz=2048,framecnt=512"
		ip link set "${LB_PEER[$port]}" address "$mac" # net_af_packet uses the interface's MAC
		;;
	esac
	command -v dpdk-testpmd >/dev/null || fail "dpdk-testpmd missing (package dpdk)"
	bg_start "${NS_PREFIX}vm" dpdk-testpmd --in-memory --single-file-segments --no-pci \
		--file-prefix "${NS_PREFIX}vm" --lcores '0@0,1@0' -m 256 --vdev "$vdev" -- \
		--forward-mode=icmpecho --stats-period 1 --nb-cores 1 --rxq 1 --txq 1 \
		--total-num-mbufs 4096 </dev/null >"$NS_DIR/testpmd.log" 2>&1
	VM_PID=$BG_PID
	wait_until 15 grep -q "Press enter to exit\|Port statistics" "$NS_DIR/testpmd.log" ||
		fail "testpmd did not start forwarding: $(tail -n 20 "$NS_DIR/testpmd.log")"
	kill -0 "$VM_PID" 2>/dev/null || fail "testpmd exited: $(tail -n 20 "$NS_DIR/testpmd.log")"
}

# vm_stop PORT: ends testpmd (SIGTERM, by PID). On the Linux bridge the far end
# of the port's veth also goes down, as a vhost-user port does without its VM.
vm_stop() {
	ns_kill_pid "$VM_PID" "${NS_PREFIX}vm" 5
	wait "$VM_PID" 2>/dev/null
	if [ "$NS_SWITCH" = linuxbridge ]; then
		ip link set "${LB_PEER[$1]}" down
	fi
}

# vm_stat KEY: the last RX-packets or TX-packets figure testpmd printed.
vm_stat() {
	awk -v k="$1:" '{for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1)} END {print v + 0}' \
		"$NS_DIR/testpmd.log"
}
