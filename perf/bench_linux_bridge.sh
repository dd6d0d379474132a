#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vswitchd against the Linux bridge: the same topologies built twice, measured side by
# side, the two sides alternating within each round.
#
# Kernel hosts: two network namespaces (blb-h1, blb-h2), each holding one end of a veth
# pair (veth0, 10.250.0.1 and .2/24). The other ends, blb-p1 and blb-p2, are the
# switch's ports:
#   linux     enslaved to a Linux bridge, which lives in a namespace of its own (blb-sw)
#   vswitchd  afxdp ports of bridge br0 of a private vswitchd, its PMD alone on core 1
# Measured between the two hosts:
#   udp   64-byte UDP frames from dpdk-testpmd (txonly, af_packet vdev on blb-h1's
#         veth0) to blb-h2's address; the rate is what blb-h2's UDP layer received
#         (Udp InDatagrams + NoPorts: frames the switch delivered that passed the
#         namespace's Ethernet, IP and UDP checks), per second
#   tcp   iperf3, one TCP stream from blb-h1 to blb-h2
#   ping  round-trip time from blb-h1 to blb-h2, median and 99th percentile
# VM-like peers: one dpdk-testpmd with two ports forwarding in "mac" mode, seeded with
# one burst per port, so that packets go round a loop through the switch:
#   linux     two net_tap ports whose taps are enslaved to the bridge: what a VM gets
#             from a tap backend without vhost-net
#   vswitchd  two virtio_user ports on two vhostuser ports of br0: a VM on vhost-user
# Every generator, host process and peer runs on core 0. Each side runs with the same
# host settings; what the benchmark changes is printed at the start and written to the
# JSON. Run with --help for the options; perf/README.md explains the results.

# "a && b || die" is meant throughout: die when either fails.
# shellcheck disable=SC2015

set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

readonly BENCH_NAME=bench_linux_bridge
readonly NS_H1=blb-h1 NS_H2=blb-h2 NS_SW=blb-sw
readonly PORT1=blb-p1 PORT2=blb-p2	# the switch's ends of the two veth pairs
readonly HOST_IF=veth0			# the hosts' ends, inside NS_H1 and NS_H2
readonly TAP0=blb-tap0 TAP1=blb-tap1
readonly IP1=10.250.0.1 IP2=10.250.0.2 PREFIX_LEN=24
readonly VM_MAC0=02:00:00:00:00:01 VM_MAC1=02:00:00:00:00:02
# The kernel side of the taps: a VM's tap has a MAC of its own, not the guest's.
readonly TAP_KMAC0=02:00:00:00:01:01 TAP_KMAC1=02:00:00:00:01:02
readonly FRAME_LEN=64
readonly MTU=1500
readonly NB_MBUFS=16384
readonly UDP_PORT=9
readonly IPERF_PORT=5201
readonly PING_PER_SECOND=100
readonly MAX_TRIES=3		# VM loop runs per round when one direction dies
readonly OTHERS_LIMIT=10	# % of a core that others may take before a test is suspect
readonly NEED_HUGE_MB=1024
readonly LOCK_FILE=/tmp/bench_linux_bridge.lock
readonly ALL_SIDES="linux vswitchd"
readonly ALL_TESTS="udp tcp ping vm"
# Metrics in table order: name, unit, which way is better, description.
readonly METRICS="udp tcp ping_median ping_p99 vm"
declare -rA M_UNIT=([udp]=Mpps [tcp]=Gbit/s [ping_median]=us [ping_p99]=us [vm]=Mpps)
declare -rA M_BETTER=([udp]=higher [tcp]=higher [ping_median]=lower [ping_p99]=lower [vm]=higher)
declare -rA M_TEXT=(
	[udp]="UDP 64B, delivered ns to ns"
	[tcp]="TCP iperf3 ns to ns"
	[ping_median]="ping RTT median"
	[ping_p99]="ping RTT p99"
	[vm]="VM loop 64B tap/vhost"
)

ROUNDS=3
SECONDS_PER_TEST=5
WARMUP=1
ONLY="linux,vswitchd"
TESTS_WANTED="udp,tcp,ping,vm"
PORT_TYPE=afxdp		# vswitchd's port type for the hosts' veths
QUIET_WAIT=60		# seconds to wait for other processes to calm down before a test
RETRIES=2		# re-runs of a test that other processes disturbed
JSON_FILE=""
LOG_DIR=""
PNG_FILE=/tmp/bench_linux_bridge.png
SHOW_LOG_LINES=15

# TESTPMD, VSWITCHD, VSCTL, TMP, PIDS and PREFIXES: see bench_lib.sh.
NETNS=()	# namespaces created here
LINKS=()	# links created here in the host's namespace
GEN_FD=""	# write end of the interactive generator's command FIFO
OUR_SID=""	# our session: processes outside it are "others", see cpu_mark
START=0

usage()
{
	cat <<EOF
usage: $0 [options]
Measures vswitchd against the Linux bridge on the same topologies: two network
namespaces on veth pairs (64-byte UDP rate, iperf3 TCP, ping RTT) and a VM-like
loop (testpmd on two net_tap ports vs. two vhost-user ports, 64-byte packet rate).
The sides alternate in every round; the table gives medians over rounds.
Needs root, cores 0 and 1, hugepages, dpdk-testpmd, iperf3, ethtool (and gnuplot
for the chart).

  --rounds N          rounds; each measures both sides once (default $ROUNDS)
  --seconds S         measured seconds per test, side and round (default $SECONDS_PER_TEST)
  --warmup W          seconds of traffic discarded before measuring the packet
                      rates (default $WARMUP; iperf3 omits its first second)
  --only SIDE         linux or vswitchd (default: both)
  --tests LIST        comma-separated subset of udp,tcp,ping,vm (default: all)
  --port-type TYPE    vswitchd port type for the hosts' veths: afxdp (default)
                      or afpacket
  --quiet-wait S      before each test, wait up to S s until processes outside
                      the benchmark take less than $OTHERS_LIMIT% of a core (default $QUIET_WAIT;
                      0: do not wait)
  --retries N         measure a test again, up to N times, when other processes
                      took more than $OTHERS_LIMIT% of a core meanwhile (default $RETRIES)
  --vswitchd PATH     vswitchd binary (default build/vswitch/vswitchd)
  --vsctl PATH        vsctl binary (default build/ctl/vsctl)
  --testpmd PATH      dpdk-testpmd binary (default $TESTPMD)
  --json FILE         also write the results as JSON to FILE
  --png FILE          bar chart (default /tmp/bench_linux_bridge.png; "" for none)
  --log-dir DIR       keep every process's log in DIR (default: a temporary
                      directory, removed on exit)
  -h, --help          this text
EOF
}

parse_args()
{
	while (($#)); do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--*) (($# >= 2)) || die "option $1 needs a value" ;;
		esac
		case $1 in
		--rounds) ROUNDS=${2-}; shift ;;
		--seconds) SECONDS_PER_TEST=${2-}; shift ;;
		--warmup) WARMUP=${2-}; shift ;;
		--only) ONLY=${2-}; shift ;;
		--tests) TESTS_WANTED=${2-}; shift ;;
		--port-type) PORT_TYPE=${2-}; shift ;;
		--quiet-wait) QUIET_WAIT=${2-}; shift ;;
		--retries) RETRIES=${2-}; shift ;;
		--vswitchd) VSWITCHD=${2-}; shift ;;
		--vsctl) VSCTL=${2-}; shift ;;
		--testpmd) TESTPMD=${2-}; shift ;;
		--json) JSON_FILE=${2-}; shift ;;
		--png) PNG_FILE=${2-}; shift ;;
		--log-dir) LOG_DIR=${2-}; shift ;;
		*) usage >&2; die "unknown option \"$1\"" ;;
		esac
		shift
	done
	is_uint "$ROUNDS" && ((ROUNDS >= 1)) || die "--rounds: expected an integer >= 1, got \"$ROUNDS\""
	is_uint "$SECONDS_PER_TEST" && ((SECONDS_PER_TEST >= 2)) ||
		die "--seconds: expected an integer >= 2, got \"$SECONDS_PER_TEST\""
	is_uint "$WARMUP" || die "--warmup: expected an integer >= 0, got \"$WARMUP\""
	is_uint "$QUIET_WAIT" || die "--quiet-wait: expected an integer >= 0, got \"$QUIET_WAIT\""
	is_uint "$RETRIES" || die "--retries: expected an integer >= 0, got \"$RETRIES\""
	local x
	for x in ${ONLY//,/ }; do
		[[ " $ALL_SIDES " == *" $x "* ]] || die "--only: expected linux or vswitchd, got \"$x\""
	done
	[[ -n ${ONLY//,/} ]] || die "--only: empty"
	for x in ${TESTS_WANTED//,/ }; do
		[[ " $ALL_TESTS " == *" $x "* ]] || die "--tests: unknown test \"$x\"; expected udp, tcp, ping or vm"
	done
	[[ -n ${TESTS_WANTED//,/} ]] || die "--tests: empty"
	[[ $PORT_TYPE == afxdp || $PORT_TYPE == afpacket ]] ||
		die "--port-type: expected afxdp or afpacket, got \"$PORT_TYPE\""
}

side_wanted()
{
	[[ ,$ONLY, == *,$1,* ]]
}

test_wanted()
{
	[[ ,$TESTS_WANTED, == *,$1,* ]]
}

metric_wanted()
{
	test_wanted "${1%%_*}"
}

kernel_tests_wanted()
{
	test_wanted udp || test_wanted tcp || test_wanted ping
}

# ---- processes, namespaces, links, hugepages ----------------------------------------
# Processes are started and stopped by pid, see stop_pid in bench_lib.sh.

# Waits up to $2 s for process $1 to exit by itself; stops it after that. Returns its
# exit status, or 124 when it had to be stopped.
wait_pid()
{
	local pid=$1 limit=$2 i rc
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		stop_pid "$pid"
		return 124
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	forget_pid "$pid"
	return "$rc"
}

stop_all()
{
	close_gen_fd
	stop_pids
}

# Removes the namespaces and host links this script creates; also what a run killed
# with SIGKILL left (the lock guarantees that no other run owns them).
remove_topology()
{
	local ns l
	for ns in "$NS_H1" "$NS_H2" "$NS_SW"; do
		[[ -e /run/netns/$ns ]] && ip netns del "$ns" 2>/dev/null
	done
	for l in "$PORT1" "$PORT2"; do
		ip link show "$l" >/dev/null 2>&1 && ip link del "$l" 2>/dev/null
	done
	NETNS=()
	LINKS=()
	return 0
}

# Run on exit by cleanup (bench_lib.sh), after stop_all.
cleanup_extra()
{
	remove_topology
}

# ---- CPU accounting ------------------------------------------------------------------
# cpu_mark saves a sample; cpu_since prints "busy0 busy1 others" since then: how busy
# cores 0 and 1 were (percent, idle, iowait and steal excluded), and the CPU time that
# processes outside this script's session took, in percent of one core. Those are the
# other users of the machine (another DPDK process polling a core, a test suite). A
# process that started after the mark counts with all its time. One that ended counts
# through its parent, once reaped (the children's time of the parent), with all its
# life's time: that can overstate a disturbance, never hide it. Capped at 2 cores.

# Prints "pid jiffies" for every process outside our session, its reaped children
# included. Fields after the ")" that closes the command name: 4 session, 7 flags,
# 12 utime, 13 stime, 14 cutime, 15 cstime. Kernel threads (flag 0x200000) are the
# kernel's work, ours included.
others_jiffies()
{
	# cat goes on past the processes that exit meanwhile.
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v sid="$OUR_SID" '{
		pid = $1
		sub(/^.*\) /, "")
		if ($4 == sid || int($7 / 2097152) % 2)
			next
		printf "%s %.0f\n", pid, $12 + $13 + $14 + $15
	}'
}

# Prints "all0 busy0 all1 busy1" of cores 0 and 1, in jiffies.
core_jiffies()
{
	awk '/^cpu[01] / {
		all = 0
		for (i = 2; i <= 9; i++)
			all += $i
		out = out sprintf("%.0f %.0f ", all, all - $5 - $6 - $9)
	}
	END { print out }' /proc/stat
}

CPU_MARK=""

cpu_mark()
{
	others_jiffies >"$TMP/cpu_mark.procs"
	CPU_MARK=$(core_jiffies)
}

cpu_since()
{
	local now oth
	now=$(core_jiffies)
	oth=$(others_jiffies | awk -v mark="$TMP/cpu_mark.procs" 'FILENAME == mark { was[$1] = $2; next }
		{ d = $2 - was[$1]; if (d > 0) s += d }
		END { printf "%.0f\n", s }' "$TMP/cpu_mark.procs" -)
	awk -v a="$CPU_MARK" -v b="$now" -v oth="$oth" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		d0 = y[1] - x[1]; d1 = y[3] - x[3]
		b0 = d0 > 0 ? 100 * (y[2] - x[2]) / d0 : 0
		b1 = d1 > 0 ? 100 * (y[4] - x[4]) / d1 : 0
		o = d0 + d1 > 0 ? 200 * oth / (d0 + d1) : 0
		if (o > 200)
			o = 200
		printf "%.0f %.0f %.0f\n", b0, b1, o
	}'
}

# Succeeds when the last test's CPU_NOTE says that others took too much.
disturbed()
{
	local o
	[[ -n $CPU_NOTE ]] || return 1
	read -r _ _ o <<<"$CPU_NOTE"
	((o > OTHERS_LIMIT))
}

# Waits up to QUIET_WAIT s until processes outside the benchmark take at most
# OTHERS_LIMIT% of a core over half a second.
wait_quiet()
{
	local end=$((SECONDS + QUIET_WAIT)) o said=0
	((QUIET_WAIT > 0)) || return 0
	while :; do
		cpu_mark
		sleep 0.5
		read -r _ _ o <<<"$(cpu_since)"
		((o <= OTHERS_LIMIT)) && break
		if ((SECONDS >= end)); then
			log "other processes still take $o% of a core after $QUIET_WAIT s; measuring anyway"
			break
		fi
		((said)) || log "other processes take $o% of a core; waiting up to $QUIET_WAIT s" \
			"for them to calm down"
		said=1
		sleep 1
	done
	((said)) && log "waited $((SECONDS - end + QUIET_WAIT)) s for other processes"
	return 0
}

cpu_busy_now()
{
	cpu_mark
	sleep 1
	cpu_since
}

# ---- the topology --------------------------------------------------------------------

# Runs a command in namespace $1 ("" for the host's namespace).
in_ns()
{
	local ns=$1
	shift
	if [[ -n $ns ]]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

new_netns()
{
	local ns=$1
	ip netns add "$ns" || return 1
	NETNS+=("$ns")
	# IPv6 off on every interface created in it (they inherit "default"): no router
	# solicitations, DAD or MLD reports in the measurements.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null &&
		ip -n "$ns" link set lo up
}

# Host namespace $1 with veth0 at address $2, its peer $3 created in namespace $4
# ("" for the host's namespace), both with MTU $MTU and brought up.
add_host()
{
	local ns=$1 addr=$2 port=$3 port_ns=$4
	new_netns "$ns" || return 1
	if [[ -n $port_ns ]]; then
		ip -n "$port_ns" link add "$port" mtu "$MTU" type veth \
			peer name "$HOST_IF" mtu "$MTU" netns "$ns" || return 1
	else
		ip link add "$port" mtu "$MTU" type veth peer name "$HOST_IF" mtu "$MTU" netns "$ns" ||
			return 1
		LINKS+=("$port")
		echo 1 >"/proc/sys/net/ipv6/conf/$port/disable_ipv6" || return 1
	fi
	# Checksums computed by the sending stack, not left to the device. A frame sent
	# with CHECKSUM_PARTIAL has no valid checksum on the wire: a userspace switch hands
	# it on as it is and the receiver drops it. Turning TX checksumming off also turns
	# TSO off (it needs checksum offload); GSO stays on, so the stack still builds large
	# segments and cuts them in software before the veth. Set on both sides alike.
	ip netns exec "$ns" ethtool -K "$HOST_IF" tx off >/dev/null &&
		ip -n "$ns" addr add "$addr/$PREFIX_LEN" dev "$HOST_IF" &&
		ip -n "$ns" link set "$HOST_IF" up &&
		in_ns "$port_ns" ip link set "$port" up
}

# The two hosts; their ports are created in namespace $1 ("" for the host's).
add_hosts()
{
	add_host "$NS_H1" "$IP1" "$PORT1" "$1" && add_host "$NS_H2" "$IP2" "$PORT2" "$1"
}

# Succeeds once a ping from host 1 reaches host 2, within $1 s. Also resolves ARP and
# teaches the switch both hosts' MACs before the measurements.
hosts_connected()
{
	local limit=$1 end=$((SECONDS + $1))
	while ((SECONDS < end)); do
		ip netns exec "$NS_H1" ping -n -q -c 1 -W 1 "$IP2" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	log "no ping from $NS_H1 to $NS_H2 in $limit s"
	return 1
}

# The Linux side. The bridge sits in namespace NS_SW so that bridge netfilter can be
# turned off there without touching the host's settings.
# shellcheck disable=SC2016 # the sh -c script expands its own variables
setup_linux()
{
	local out=$2
	{
		new_netns "$NS_SW" &&
			ip -n "$NS_SW" link add br0 mtu "$MTU" type bridge stp_state 0 &&
			# br_netfilter may be loaded (it is on the test machine, with
			# bridge-nf-call-iptables=1): bridged frames would go through the
			# netfilter hooks. vswitchd has no such step.
			ip netns exec "$NS_SW" sh -c 'd=/proc/sys/net/bridge
				[ ! -d $d ] || for f in iptables ip6tables arptables; do
					echo 0 > $d/bridge-nf-call-$f || exit 1
				done' &&
			add_hosts "$NS_SW" &&
			ip -n "$NS_SW" link set "$PORT1" master br0 &&
			ip -n "$NS_SW" link set "$PORT2" master br0 &&
			ip -n "$NS_SW" link set br0 up
	} >>"$out" 2>&1 || return 1
	if [[ $(ip netns exec "$NS_SW" cat /sys/class/net/br0/bridge/vlan_filtering 2>/dev/null || echo 0) != 0 ]]; then
		ip -n "$NS_SW" link set br0 type bridge vlan_filtering 0 >>"$out" 2>&1 || return 1
	fi
	{
		echo "+ ip -d link show (namespace $NS_SW)"
		ip -n "$NS_SW" -d link show
		echo "+ bridge link"
		bridge -n "$NS_SW" link
	} >>"$out" 2>&1
	return 0
}

# What vswitchd changed on a kernel interface it opened: the lines of ethtool -k and
# ip -d link that differ from before (first vswitchd round only, see setup_vswitchd).
iface_state()
{
	ethtool -k "$1" 2>/dev/null | grep -v '\[fixed\]'
	ip -d link show "$1" 2>/dev/null | sed -e 's/^[0-9]*: //' -e 's/@if[0-9]*//'
}

VS_CHANGES=""		# what vswitchd did to the afxdp interfaces, for the settings
VS_CHANGES_DONE=0
KERNEL_PORTS_OK=0	# the afxdp ports were added

setup_vswitchd()
{
	local dir=$1 out=$2 before="" after=""
	KERNEL_PORTS_OK=0
	if kernel_tests_wanted; then
		add_hosts "" >>"$out" 2>&1 || return 1
		before=$(iface_state "$PORT1")
	fi
	start_vswitchd_br0 "$dir" "$out" blbvs || return 1
	if test_wanted vm; then
		add_vhost_ports "$dir" "$out" || return 1
	fi
	if kernel_tests_wanted; then
		if vsctl_run "$dir" "$out" add-port br0 h1 type="$PORT_TYPE" iface="$PORT1" &&
			vsctl_run "$dir" "$out" add-port br0 h2 type="$PORT_TYPE" iface="$PORT2"; then
			KERNEL_PORTS_OK=1
			if ((!VS_CHANGES_DONE)); then
				sleep 1
				after=$(iface_state "$PORT1")
				VS_CHANGES=$(diff <(echo "$before") <(echo "$after") |
					sed -n 's/^> *//p' | sed 's/^\t*//')
				VS_CHANGES_DONE=1
			fi
		else
			log "vswitchd refused the $PORT_TYPE ports:"
			grep -A2 -- '+ vsctl add-port br0 h' "$out" | sed 's/^/    /' >&2
		fi
	fi
	vsctl_run "$dir" "$out" show
	return 0
}

diag_vswitchd()
{
	local l
	vswitchd_diag "$1" "$2"
	# Frames the kernel dropped on the way to vswitchd (a full AF_XDP ring) show here,
	# not in port-stats.
	for l in "$PORT1" "$PORT2"; do
		ip link show "$l" >/dev/null 2>&1 || continue
		{
			echo "+ ethtool -S $l (non-zero)"
			ethtool -S "$l" | awk '$NF != 0'
			echo "+ ip -s link show $l"
			ip -s link show "$l"
		} >>"$2" 2>&1
	done
}

diag_linux()
{
	{
		echo "+ ip -s link show (namespace $NS_SW)"
		ip -n "$NS_SW" -s link show
		echo "+ bridge fdb show br br0 (learned entries)"
		bridge -n "$NS_SW" fdb show br br0 | grep -v permanent
	} >>"$2" 2>&1
}

# ---- the measurements ---------------------------------------------------------------
# Each sets RESULT (value(s), or empty on failure) and NOTE (details for the round line).

RESULT=""
NOTE=""

# Prints "time udp_rx frames_rx frames_tx": host 2's UDP datagrams received
# (InDatagrams + NoPorts) and veth0 frames received, host 1's veth0 frames sent.
udp_counters()
{
	local t=$EPOCHREALTIME rx tx
	rx=$(ip netns exec "$NS_H2" sh -c \
		"cat /sys/class/net/$HOST_IF/statistics/rx_packets /proc/net/snmp" | awk '
		NR == 1 { frames = $1 }
		$1 == "Udp:" {
			if (!hdr) { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1 }
			else udp = $col["InDatagrams"] + $col["NoPorts"]
		}
		END { printf "%.0f %.0f\n", udp, frames }')
	tx=$(ip netns exec "$NS_H1" cat "/sys/class/net/$HOST_IF/statistics/tx_packets")
	echo "$t $rx $tx"
}

test_udp()
{
	local log=$1 mac2 pid i t0 u0 f0 s0 t1 u1 f1 s1 ub
	RESULT="" NOTE=""
	mac2=$(ip netns exec "$NS_H2" cat "/sys/class/net/$HOST_IF/address") || return
	use_prefix blbudp
	ip netns exec "$NS_H1" taskset -c 0 "$TESTPMD" --lcores '0@0,1@0' --in-memory --no-pci \
		--file-prefix blbudp \
		--vdev "net_af_packet0,iface=$HOST_IF,blocksz=4096,framesz=2048,framecnt=512" \
		-- -a --forward-mode=txonly --txpkts=$FRAME_LEN --eth-peer="0,$mac2" \
		--tx-ip="$IP1,$IP2" --tx-udp="$UDP_PORT,$UDP_PORT" --nb-cores=1 \
		--total-num-mbufs=$NB_MBUFS --stats-period 1 </dev/null >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	# Wait for the first delivered datagrams, then for the warm-up.
	read -r _ ub _ <<<"$(udp_counters)"
	u0=$ub
	for ((i = 0; i < 150; i++)); do
		sleep 0.2
		kill -0 "$pid" 2>/dev/null || break
		read -r t0 u0 _ <<<"$(udp_counters)"
		((u0 > ub)) && break
	done
	if ! kill -0 "$pid" 2>/dev/null || ((u0 <= ub)); then
		NOTE="no datagram reached $NS_H2"
		stop_pid "$pid"
		show_log "$log"
		return
	fi
	sleep "$WARMUP"
	cpu_mark
	read -r t0 u0 f0 s0 <<<"$(udp_counters)"
	sleep "$SECONDS_PER_TEST"
	read -r t1 u1 f1 s1 <<<"$(udp_counters)"
	CPU_NOTE=$(cpu_since)
	kill -0 "$pid" 2>/dev/null || NOTE="generator exited early; "
	stop_pid "$pid"
	read -r RESULT NOTE2 <<<"$(awk -v dt="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		-v u="$((u1 - u0))" -v f="$((f1 - f0))" -v s="$((s1 - s0))" 'BEGIN {
		printf "%.3f offered %.3f Mpps, frames into %s %.3f Mpps\n", u / dt / 1e6, s / dt / 1e6, "'"$NS_H2"'", f / dt / 1e6
	}')"
	NOTE+=$NOTE2
}

test_tcp()
{
	local slog=$1 clog=$2 spid cpid i rc
	RESULT="" NOTE=""
	ip netns exec "$NS_H2" taskset -c 0 iperf3 -s -1 -B "$IP2" -p $IPERF_PORT </dev/null \
		>"$slog" 2>&1 &
	spid=$!
	PIDS+=("$spid")
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ip netns exec "$NS_H2" ss -Hltn "sport = :$IPERF_PORT" 2>/dev/null) ]] && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	cpu_mark
	ip netns exec "$NS_H1" taskset -c 0 iperf3 -c "$IP2" -p $IPERF_PORT -t "$SECONDS_PER_TEST" \
		-O 1 -f m </dev/null >"$clog" 2>&1 &
	cpid=$!
	PIDS+=("$cpid")
	wait_pid "$cpid" $((SECONDS_PER_TEST + 30))
	rc=$?
	CPU_NOTE=$(cpu_since)
	wait_pid "$spid" 5
	local mbits retr
	read -r mbits retr <<<"$(awk '
		/receiver$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") r = $(i - 1) }
		/sender$/ { s = $(NF - 1) }
		END { print (r == "" ? "-" : r), (s == "" ? "-" : s) }' "$clog")"
	if ((rc != 0)) || [[ $mbits == - ]]; then
		NOTE="iperf3 failed (exit $rc)"
		show_log "$clog"
		show_log "$slog"
		return
	fi
	RESULT=$(awk -v m="$mbits" 'BEGIN { printf "%.3f", m / 1000 }')
	NOTE="retransmits $retr"
}

test_ping()
{
	local log=$1 count=$((SECONDS_PER_TEST * PING_PER_SECOND)) pid rc n med p99
	RESULT="" NOTE=""
	cpu_mark
	ip netns exec "$NS_H1" taskset -c 0 ping -n -i "$(awk -v r=$PING_PER_SECOND 'BEGIN { print 1 / r }')" \
		-c "$count" -W 1 "$IP2" </dev/null >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_pid "$pid" $((SECONDS_PER_TEST * 2 + 20))
	rc=$?
	CPU_NOTE=$(cpu_since)
	# Per-packet RTTs in microseconds; median, and the 99th percentile by nearest rank.
	read -r n med p99 <<<"$(sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$log" | sort -g | awk '
		{ v[n++] = $1 * 1000 }
		END {
			if (!n) { print 0, "-", "-"; exit }
			med = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			r = int((99 * n + 99) / 100)
			printf "%d %.1f %.1f\n", n, med, v[r - 1]
		}')"
	if ((n == 0)); then
		NOTE="no reply (ping exit $rc)"
		show_log "$log"
		return
	fi
	RESULT="$med $p99"
	NOTE="$n of $count replies"
}

close_gen_fd()
{
	if [[ -n $GEN_FD ]]; then
		exec {GEN_FD}>&-
		GEN_FD=""
	fi
}

# Sends one command to the interactive generator. In a subshell: if the generator is
# gone, the write's SIGPIPE ends the subshell, not the script.
gen_cmd()
{
	(printf '%s\n' "$1" >&"$GEN_FD") 2>/dev/null
}

# Prints "rx0 rx1": RX-packets of ports 0 and 1 in the last "show port stats all" of a
# testpmd log (the forward statistics that testpmd prints when it stops are not taken).
last_port_rx()
{
	awk '/NIC statistics for port/ && !/cleared/ { port = $(NF - 1); want = 1; next }
		want && /RX-packets:/ { rx[port] = $2; want = 0 }
		END { printf "%.0f %.0f\n", rx[0], rx[1] }' "$1"
}

# One run of the VM-like loop on side $1, logs to $2, vhost-user sockets in $3. The
# generator runs interactively, fed through a FIFO: the taps of the Linux side exist
# only once testpmd created them and must be on the bridge before the first burst goes
# out, so the burst ("start tx_first", what --tx-first does at start) is sent by command
# once the ports are ready; the vswitchd side is driven the same way. Sets RESULT.
vm_run()
{
	local side=$1 log=$2 dir=$3 fifo=$TMP/gen.fifo pid i ns="" t0 t1 rx0 rx1
	local -a vdevs
	RESULT="" NOTE=""
	if [[ $side == linux ]]; then
		ns=$NS_SW
		vdevs=(--vdev "net_tap0,iface=$TAP0,mac=$VM_MAC0" --vdev "net_tap1,iface=$TAP1,mac=$VM_MAC1")
	else
		vdevs=(--vdev "virtio_user0,path=$dir/vm0.sock,queues=1,mac=$VM_MAC0"
			--vdev "virtio_user1,path=$dir/vm1.sock,queues=1,mac=$VM_MAC1")
	fi
	rm -f "$fifo"
	mkfifo "$fifo" || return
	# Created here: testpmd's shell opens the FIFO first and the log after that.
	: >"$log"
	use_prefix blbgen
	in_ns "$ns" taskset -c 0 stdbuf -oL "$TESTPMD" --lcores '0@0,1@0' --in-memory \
		--single-file-segments --no-pci --file-prefix blbgen "${vdevs[@]}" \
		-- -i --forward-mode=mac --eth-peer="0,$VM_MAC1" --eth-peer="1,$VM_MAC0" \
		--txpkts=$FRAME_LEN --nb-cores=1 --total-num-mbufs=$NB_MBUFS <"$fifo" >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	exec {GEN_FD}>"$fifo"
	for ((i = 0; i < 300; i++)); do
		grep -q 'testpmd>' "$log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'testpmd>' "$log"; then
		NOTE="generator did not come up"
		close_gen_fd
		stop_pid "$pid"
		show_log "$log"
		return
	fi
	if [[ $side == linux ]]; then
		# net_tap gives the kernel side of each tap the port's own MAC. A bridge takes
		# its ports' MACs for its own addresses and delivers frames sent to them
		# locally: give the taps other MACs, as a VM's tap has.
		{
			ip netns exec "$NS_SW" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$TAP0/disable_ipv6;
				echo 1 > /proc/sys/net/ipv6/conf/$TAP1/disable_ipv6" &&
				ip -n "$NS_SW" link set "$TAP0" address $TAP_KMAC0 mtu "$MTU" master br0 up &&
				ip -n "$NS_SW" link set "$TAP1" address $TAP_KMAC1 mtu "$MTU" master br0 up
		} >>"$log.setup" 2>&1 || {
			NOTE="cannot put the taps on the bridge"
			show_log "$log.setup"
			close_gen_fd
			stop_pid "$pid"
			return
		}
	fi
	gen_cmd "start tx_first"
	sleep $((WARMUP + 1))
	cpu_mark
	gen_cmd "clear port stats all"
	t0=$EPOCHREALTIME
	sleep "$SECONDS_PER_TEST"
	gen_cmd "show port stats all"
	t1=$EPOCHREALTIME
	CPU_NOTE=$(cpu_since)
	sleep 0.2
	gen_cmd "quit"
	close_gen_fd
	wait_pid "$pid" 20
	read -r rx0 rx1 <<<"$(last_port_rx "$log")"
	read -r RESULT R0 R1 <<<"$(awk -v a="$t0" -v b="$t1" -v x="$rx0" -v y="$rx1" 'BEGIN {
		dt = b - a
		printf "%.3f %.3f %.3f\n", (x + y) / dt / 1e6, x / dt / 1e6, y / dt / 1e6 }')"
	NOTE="port0 rx $R0, port1 rx $R1 Mpps"
	if [[ $RESULT == 0.000 ]]; then
		NOTE="no packet came back"
		show_log "$log"
	fi
}

# The loop holds only the burst per direction that tx_first sent: a switch that drops
# it once leaves that direction empty for good. A new generator usually gets it going.
test_vm()
{
	local side=$1 logbase=$2 dir=$3 try log
	for ((try = 1; try <= MAX_TRIES; try++)); do
		log=$logbase.log
		((try == 1)) || log=$logbase-try$try.log
		vm_run "$side" "$log" "$dir"
		[[ -n $RESULT && $RESULT != 0.000 ]] || return
		lopsided "$R0" "$R1" || break
		log "$side: VM loop port0 rx $R0 Mpps but port1 rx $R1 Mpps: one direction" \
			"lost its packets (try $try of $MAX_TRIES)"
	done
	((try == 1)) || NOTE+="; tries $((try > MAX_TRIES ? MAX_TRIES : try))"
	((try > MAX_TRIES)) && NOTE+=", LOPSIDED"
	return 0
}

# ---- rounds --------------------------------------------------------------------------

declare -A RES		# "side metric" -> per-round values, "-" when a round failed
declare -A CPU0 CPU1 OTH	# "side test" -> per-round core 0 / core 1 busy, others (%)
declare -A SUSPECT	# "side test" -> rounds whose result others disturbed
CPU_NOTE=""

# Appends result $3 of metric $2 on side $1, and the CPU figures of the test.
record()
{
	local side=$1 metric=$2 value=${3:--}
	RES["$side $metric"]+=" $value"
}

record_cpu()
{
	local side=$1 test=$2 b0="-" b1="-" o="-"
	[[ -n $CPU_NOTE ]] && read -r b0 b1 o <<<"$CPU_NOTE"
	CPU0["$side $test"]+=" $b0"
	CPU1["$side $test"]+=" $b1"
	OTH["$side $test"]+=" $o"
}

round_line()
{
	local side=$1 test=$2 text=$3 b0 b1 o=0 details=$NOTE
	if [[ -n $CPU_NOTE ]]; then
		read -r b0 b1 o <<<"$CPU_NOTE"
		details+="${details:+; }cpu0 $b0% cpu1 $b1% others $o%"
		((o > OTHERS_LIMIT)) && details+=" SUSPECT"
	fi
	printf 'round %d/%d  %-8s %-4s  %s%s\n' "$ROUND" "$ROUNDS" "$side" "$test" "$text" \
		"${details:+  ($details)}"
	if ((o > OTHERS_LIMIT)); then
		log "round $ROUND: $side $test: other processes took $o% of a core meanwhile;" \
			"this round is suspect"
	fi
}

# Runs test $2 on side $1 and records it; $3: whether the topology for it is up.
run_test()
{
	local side=$1 test=$2 why=$3 dir=$4 base="$LOG_DIR/r$ROUND-$1-$2"
	test_wanted "$test" || return 0
	RESULT="" NOTE="" CPU_NOTE=""
	if [[ -z $why ]]; then
		local try o
		for ((try = 0; ; try++)); do
			wait_quiet
			case $test in
			udp) test_udp "$base-gen.log" ;;
			tcp) test_tcp "$base-server.log" "$base-client.log" ;;
			ping) test_ping "$base.log" ;;
			vm) test_vm "$side" "$base-gen" "$dir" ;;
			esac
			[[ -n $RESULT && $RESULT != 0.000 ]] && disturbed && ((try < RETRIES)) || break
			read -r _ _ o <<<"$CPU_NOTE"
			log "round $ROUND: $side $test: other processes took $o% of a core" \
				"meanwhile; measuring again"
		done
		((try == 0)) || NOTE+="; measured $((try + 1)) times, others disturbed"
		disturbed && SUSPECT["$side $test"]+=" $ROUND"
	else
		NOTE="not run: $why"
	fi
	case $test in
	udp)
		record "$side" udp "$RESULT"
		round_line "$side" "$test" "${RESULT:--} Mpps delivered" ;;
	tcp)
		record "$side" tcp "$RESULT"
		round_line "$side" "$test" "${RESULT:--} Gbit/s" ;;
	ping)
		local med="" p99=""
		[[ -n $RESULT ]] && read -r med p99 <<<"$RESULT"
		record "$side" ping_median "$med"
		record "$side" ping_p99 "$p99"
		round_line "$side" "$test" "median ${med:--} us, p99 ${p99:--} us" ;;
	vm)
		[[ $RESULT == 0.000 ]] && RESULT=""
		record "$side" vm "$RESULT"
		round_line "$side" "$test" "${RESULT:--} Mpps" ;;
	esac
	record_cpu "$side" "$test"
}

measure_side()
{
	local side=$1 dir="$TMP/r$ROUND-$1" out="$LOG_DIR/r$ROUND-$1.log" why="" kwhy="" t
	mkdir -p "$dir"
	: >"$out"
	if ! "setup_$side" "$dir" "$out"; then
		log "round $ROUND: $side: the topology did not come up"
		show_log "$out"
		why="the topology did not come up"
	fi
	# Why the kernel-host tests cannot run, if they cannot.
	kwhy=$why
	if [[ -z $why ]] && kernel_tests_wanted; then
		if [[ $side == vswitchd ]] && ((!KERNEL_PORTS_OK)); then
			kwhy="vswitchd refused the $PORT_TYPE ports"
		elif ! hosts_connected 15; then
			kwhy="no ping between the hosts"
		fi
	fi
	for t in $ALL_TESTS; do
		if [[ $t == vm ]]; then
			run_test "$side" "$t" "$why" "$dir"
		else
			run_test "$side" "$t" "$kwhy" "$dir"
		fi
	done
	[[ -n $why ]] || "diag_$side" "$dir" "$out"
	stop_all
	remove_topology
	rm -rf "$dir"
}

# ---- settings, report ------------------------------------------------------------------

# What the benchmark sets on each side, for the output, the JSON and the README.
define_settings()
{
	SETTINGS_BOTH=(
		"peers on core 0: testpmd --lcores 0@0,1@0 and taskset -c 0 for testpmd, iperf3, ping"
		"host namespaces: ethtool -K $HOST_IF tx off (TX checksum offload off, which also turns TSO off; GSO stays on). Needed for TCP through a userspace switch (CHECKSUM_PARTIAL frames would arrive with bad checksums); applied on the Linux side too, so both carry the same MTU-sized, fully checksummed frames"
		"MTU $MTU on every veth, tap and the bridge; default offloads otherwise"
		"IPv6 disabled on every interface the benchmark creates (no RS, DAD, MLD)"
		"UDP generator: testpmd txonly, ${FRAME_LEN}-byte frames, $IP1:$UDP_PORT -> $IP2:$UDP_PORT, destination MAC of $NS_H2's $HOST_IF; af_packet vdev blocksz=4096,framesz=2048,framecnt=512. Nothing listens on port $UDP_PORT: $NS_H2 counts each datagram (Udp NoPorts) and drops it, with rate-limited ICMP port-unreachable replies"
		"VM loop: testpmd mac forwarding, ${FRAME_LEN}-byte frames, one burst per port (start tx_first), $NB_MBUFS mbufs"
	)
	SETTINGS_LINUX=(
		"Linux bridge br0 in namespace $NS_SW (so that bridge netfilter can be switched off there alone); stp_state 0 and vlan_filtering 0 (the defaults; no VLANs are used), other attributes default (ageing 300 s, multicast snooping on)"
		"bridge-nf-call-iptables/ip6tables/arptables = 0 in $NS_SW when br_netfilter is loaded (it is on the test machine, and 1 in the host's namespace): else every bridged frame goes through the netfilter hooks, a step vswitchd does not have"
		"taps: kernel-side MACs $TAP_KMAC0, $TAP_KMAC1 (net_tap gives them the DPDK port's MAC, which the bridge would take as its own address and deliver locally; a VM's tap differs from the guest MAC too); default tap qdisc and txqueuelen"
	)
	SETTINGS_VSWITCHD=(
		"vswitchd --no-default-bridge --pmd-cores 1 (PMD busy-polls core 1; control thread on core 0); bridge br0 with defaults (mac-aging 300, mac-table-size 8192)"
		"ports: $PORT_TYPE on $PORT1/$PORT2 (MTU taken from the interface), vhostuser vm0/vm1"
	)
}

print_settings()
{
	local s
	echo "Settings (both sides):"
	for s in "${SETTINGS_BOTH[@]}"; do echo "  - $s"; done
	echo "Linux bridge side:"
	for s in "${SETTINGS_LINUX[@]}"; do echo "  - $s"; done
	echo "vswitchd side:"
	for s in "${SETTINGS_VSWITCHD[@]}"; do echo "  - $s"; done
	echo
}

# Prints "min max" of a list of values ("-" skipped), nothing if none.
min_max()
{
	tr ' ' '\n' | grep -v -e '^-$' -e '^$' | sort -g | awk '
	NR == 1 { lo = $1 } { hi = $1 } END { if (NR) print lo, hi }'
}

json_str()
{
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/ }
	printf '"%s"' "$s"
}

json_str_list()
{
	local out="" s
	for s in "$@"; do
		out+="${out:+, }$(json_str "$s")"
	done
	echo "[$out]"
}

declare -A MED RAT

# Prints the per-round values $1 with a "*" after those of the rounds in $2.
mark_suspect()
{
	local out="" v i=0
	for v in $1; do
		i=$((i + 1))
		[[ " $2 " == *" $i "* ]] && v+="*"
		out+="${out:+ }$v"
	done
	echo "$out"
}

report()
{
	local m side v line
	echo
	printf '%-30s %-7s %12s %12s %9s  %s\n' "test" "unit" "linux-bridge" "vswitchd" \
		"ratio" "(ratio = vswitchd / Linux bridge, medians over rounds)"
	for m in $METRICS; do
		metric_wanted "$m" || continue
		for side in $ALL_SIDES; do
			MED["$side $m"]=$(median <<<"${RES["$side $m"]-}")
		done
		RAT[$m]=$(ratio "${MED["vswitchd $m"]}" "${MED["linux $m"]}" 2)
		if [[ -n ${RAT[$m]} ]]; then
			v="${RAT[$m]}x"
		else
			v="-"
		fi
		printf '%-30s %-7s %12s %12s %9s  %s\n' "${M_TEXT[$m]}" "${M_UNIT[$m]}" \
			"${MED["linux $m"]:--}" "${MED["vswitchd $m"]:--}" "$v" \
			"${M_BETTER[$m]} is better"
	done
	echo
	echo "per round (* = other processes took more than $OTHERS_LIMIT% of a core during that test):"
	for m in $METRICS; do
		metric_wanted "$m" || continue
		for side in $ALL_SIDES; do
			side_wanted "$side" || continue
			printf '  %-22s %-8s %s\n' "$m" "$side" \
				"$(mark_suspect "${RES["$side $m"]-}" "${SUSPECT["$side ${m%%_*}"]-}")"
		done
	done
	echo "udp counts datagrams that reached $NS_H2's UDP layer (Udp InDatagrams + NoPorts)."
	echo "cpuN in the round lines: how busy core N was during the test. The Linux bridge"
	echo "forwards in the softirq of the sending core (core 0, shared with the peers);"
	echo "vswitchd adds its PMD, which busy-polls core 1 whatever the load."
	if [[ -n $VS_CHANGES ]]; then
		echo "vswitchd changed on $PORT1 when it opened it (ethtool -k, ip -d link):"
		while IFS= read -r line; do echo "  $line"; done <<<"$VS_CHANGES"
	fi
	echo "elapsed: $((SECONDS - START)) s"
	[[ -z $JSON_FILE ]] || write_json
	[[ -z $PNG_FILE ]] || write_png
}

write_json()
{
	local m side t sep
	{
		echo "{"
		echo "  \"benchmark\": \"bench_linux_bridge\", \"frame_len\": $FRAME_LEN,"
		echo "  \"rounds\": $ROUNDS, \"seconds\": $SECONDS_PER_TEST, \"warmup_s\": $WARMUP,"
		local -a sides
		read -ra sides <<<"${ONLY//,/ }"
		echo "  \"elapsed_s\": $((SECONDS - START)), \"sides\": $(json_str_list "${sides[@]}"),"
		echo "  \"udp_counted_at\": $(json_str "UDP layer of $NS_H2: Udp InDatagrams + NoPorts"),"
		echo "  \"settings\": {"
		echo "    \"both\": $(json_str_list "${SETTINGS_BOTH[@]}"),"
		echo "    \"linux\": $(json_str_list "${SETTINGS_LINUX[@]}"),"
		echo "    \"vswitchd\": $(json_str_list "${SETTINGS_VSWITCHD[@]}"),"
		local -a changes=()
		[[ -n $VS_CHANGES ]] && mapfile -t changes <<<"$VS_CHANGES"
		echo "    \"vswitchd_changed_on_host_port\": $(json_str_list "${changes[@]}")"
		echo "  },"
		echo "  \"metrics\": {"
		sep=""
		for m in $METRICS; do
			t=${m%%_*}
			printf '%s    "%s": {"unit": "%s", "better": "%s", "what": %s,\n' "$sep" "$m" \
				"${M_UNIT[$m]}" "${M_BETTER[$m]}" "$(json_str "${M_TEXT[$m]}")"
			for side in $ALL_SIDES; do
				if ! side_wanted "$side"; then
					printf '      "%s": null,\n' "$side"
					continue
				fi
				printf '      "%s": {"median": %s, "per_round": %s, "cpu_core0_pct": %s, "cpu_core1_pct": %s, "others_cpu_pct": %s, "suspect_rounds": %s},\n' \
					"$side" "${MED["$side $m"]:-null}" "$(json_list "${RES["$side $m"]-}")" \
					"$(json_list "${CPU0["$side $t"]-}")" "$(json_list "${CPU1["$side $t"]-}")" \
					"$(json_list "${OTH["$side $t"]-}")" "$(json_list "${SUSPECT["$side $t"]-}")"
			done
			printf '      "ratio_vswitchd_over_linux": %s}' "${RAT[$m]:-null}"
			sep=$',\n'
		done
		echo
		echo "  }"
		echo "}"
	} >"$JSON_FILE" || die "cannot write $JSON_FILE"
	log "results written to $JSON_FILE"
}

write_png()
{
	if ! command -v gnuplot >/dev/null; then
		log "gnuplot not found (apt-get install gnuplot-nox): no chart"
		return 0
	fi
	local dir m side i=0 lo hi med data=$TMP/chart
	dir=$(dirname "$PNG_FILE")
	mkdir -p "$dir" "$data" || { log "cannot create $dir: no chart"; return 0; }
	local plots="" n=0
	for m in $METRICS; do
		metric_wanted "$m" || continue
		n=$((n + 1))
		: >"$data/$m.dat"
		for side in $ALL_SIDES; do
			med=${MED["$side $m"]:-NaN}
			read -r lo hi <<<"$(min_max <<<"${RES["$side $m"]-}")"
			echo "$i $med ${lo:-NaN} ${hi:-NaN} \"$side\"" >>"$data/$m.dat"
			i=$((i + 1))
		done
		i=0
		plots+="set title \"${M_TEXT[$m]}\\n${M_UNIT[$m]}, ${M_BETTER[$m]} is better"
		[[ -n ${RAT[$m]} ]] && plots+="\\nvswitchd/linux = ${RAT[$m]}"
		plots+="\"
"
		if [[ -z ${MED["linux $m"]}${MED["vswitchd $m"]} ]]; then
			plots+="set label 1 'no result' at graph 0.5, graph 0.5 center
plot [-0.6:1.6] [0:1] -1 notitle
unset label 1
"
			continue
		fi
		plots+="plot '$data/$m.dat' using 1:2:(0.7):(\$1 + 1) with boxes lc variable notitle, \\
     '' using 1:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle, \\
     '' using 1:(0):(sprintf('%.3g', \$2)) with labels offset 0,0.8 notitle
"
	done
	gnuplot >"$TMP/gnuplot.log" 2>&1 <<EOF || { log "gnuplot failed:"; sed 's/^/    /' "$TMP/gnuplot.log" >&2; return 0; }
set terminal pngcairo size $((120 + 300 * n)),520 font ",10"
set output '$PNG_FILE'
set multiplot layout 1,$n title "vswitchd vs. Linux bridge: medians of $ROUNDS round(s) of $SECONDS_PER_TEST s (bars: min..max)"
set datafile missing "NaN"
set style fill solid 0.8 border -1
set linetype 1 lc rgb '#7f7f7f'
set linetype 2 lc rgb '#1f77b4'
set xrange [-0.6:1.6]
set xtics ("Linux bridge" 0, "vswitchd" 1)
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set grid ytics
$plots
unset multiplot
EOF
	log "chart written to $PNG_FILE"
}

# ---- main ----------------------------------------------------------------------------

check_prerequisites()
{
	local c
	check_root_cores_testpmd "namespaces, hugepages, vhost-user sockets" \
		"peers on 0, vswitchd's PMD on 1"
	for c in ip ethtool taskset stdbuf ss; do
		command -v "$c" >/dev/null || die "$c not found"
	done
	if test_wanted tcp; then
		command -v iperf3 >/dev/null || die "iperf3 not found: apt-get install iperf3"
	fi
	if test_wanted ping; then
		command -v ping >/dev/null || die "ping not found: apt-get install iputils-ping"
	fi
	[[ -z $PNG_FILE ]] || command -v gnuplot >/dev/null ||
		log "warning: gnuplot not found (apt-get install gnuplot-nox): no chart"
	check_hugepages
	if side_wanted vswitchd; then
		check_vswitchd "use --only linux"
	fi
	if [[ -n $PNG_FILE ]]; then
		mkdir -p "$(dirname "$PNG_FILE")" || die "cannot create the directory of --png $PNG_FILE"
	fi
	local b0 b1
	read -r b0 b1 _ <<<"$(cpu_busy_now)"
	if ((b0 > 20 || b1 > 20)); then
		log "warning: cores already busy before the benchmark (core 0: $b0%, core 1: $b1%);" \
			"numbers will be low"
		ps -eo pid,pcpu,comm --sort=-pcpu | awk 'NR > 1 && $2 > 10' | head -5 |
			sed 's/^/    busy: /' >&2
	fi
}

main()
{
	parse_args "$@"
	lock_and_trap
	OUR_SID=$(awk '{ sub(/^.*\) /, ""); print $4 }' /proc/$$/stat)
	TMP=$(mktemp -d /tmp/bench_linux_bridge.XXXXXX) || die "mktemp failed"
	check_prerequisites
	# Left by a run that was killed outright: the lock says that no run owns them.
	remove_topology

	make_log_dir
	define_settings
	print_settings
	START=$SECONDS
	local side sides
	for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
		# Alternate which side goes first, so that drift favours neither.
		if ((ROUND % 2)); then sides="linux vswitchd"; else sides="vswitchd linux"; fi
		for side in $sides; do
			side_wanted "$side" && measure_side "$side"
		done
	done
	report
}

main "$@"
