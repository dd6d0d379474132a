#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Packets per second through a vhost-user loop, for three forwarders side by side.
#
# The generator is one dpdk-testpmd on core 0 that owns two virtio_user ports (the two
# "VMs") and forwards in "mac" mode: what arrives on one port leaves through the other,
# with the source MAC set to the port's own and the destination to the other VM's, so a
# learning switch sees known unicast. --tx-first seeds the loop with one burst per port;
# from then on the rate is set by the slower of the generator and the forwarder under
# test, which runs its polling thread alone on core 1:
#   ceiling   testpmd "io" between two net_vhost ports: vhost-user alone, no switching
#   vswitchd  our switch: one bridge, two vhostuser ports, L2 learning
#   ovs-dpdk  ovs-vswitchd-dpdk: one netdev bridge, two dpdkvhostuser ports, NORMAL
# The figure is the generator's Rx rate summed over both ports, averaged over the
# stats periods after the warm-up. Rates drift between runs on this kind of machine,
# so the forwarders are measured in turn within each round and the table quotes
# medians over rounds. Run with --help for the options.

# "a && b || die" is meant throughout: die when either fails.
# shellcheck disable=SC2015

set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

readonly BENCH_NAME=bench_vhost_loop
readonly MAC0=02:00:00:00:00:01
readonly MAC1=02:00:00:00:00:02
readonly FRAME_LEN=64
readonly NB_MBUFS=16384
readonly OVS_DIR=/usr/lib/openvswitch-switch-dpdk
readonly OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
# Our OVS bridge gets a tap device of this name in the host namespace; it is named
# so that it does not clash with a "br0" that tests may create there.
readonly OVS_BRIDGE=benchbr0
# Free hugepage memory (MiB) needed at once: generator, forwarder, and OVS's
# dpdk-socket-mem of 1024.
readonly NEED_HUGE_MB=1536
readonly LOCK_FILE=/tmp/bench_vhost_loop.lock

ROUNDS=3
SECONDS_PER_ROUND=10
WARMUP=2
ONLY="ceiling,vswitchd,ovs-dpdk"
JSON_FILE=""
LOG_DIR=""
INSTALL_OVS=0

# TESTPMD, VSWITCHD, VSCTL, TMP, PIDS and PREFIXES: see bench_lib.sh.
LINKS=()	# host network devices created on our behalf (OVS's taps)
SOCKS=()	# the two vhost-user sockets of the forwarder being measured
GEN_SUMMARY=""	# the generator's last result, see summarize()
OTHERS=0	# CPU others took during the last generator run, see generate()

usage()
{
	cat <<EOF
usage: $0 [options]
Measures 64-byte throughput (Mpps, both directions summed) of a vhost-user loop
through testpmd io (ceiling), vswitchd, and OVS-DPDK, alternating in each round.
Needs root, cores 0 and 1, hugepages and dpdk-testpmd.

  --rounds N          rounds, each measures every forwarder once (default $ROUNDS)
  --seconds S         measured seconds per forwarder and round (default $SECONDS_PER_ROUND)
  --warmup W          stats periods (1 s) discarded once traffic flows (default $WARMUP)
  --only LIST         comma-separated subset of ceiling,vswitchd,ovs-dpdk
  --vswitchd PATH     vswitchd binary (default build/vswitch/vswitchd)
  --vsctl PATH        vsctl binary (default build/ctl/vsctl)
  --testpmd PATH      dpdk-testpmd binary (default $TESTPMD)
  --install-ovs       apt-get install openvswitch-switch-dpdk first, and keep its
                      system service stopped
  --json FILE         also write the results as JSON to FILE
  --log-dir DIR       keep every process's log in DIR (default: a temporary dir,
                      removed on exit)
  -h, --help          this help
EOF
}

parse_args()
{
	while (($#)); do
		case $1 in
		--rounds) ROUNDS=${2-}; shift ;;
		--seconds) SECONDS_PER_ROUND=${2-}; shift ;;
		--warmup) WARMUP=${2-}; shift ;;
		--only) ONLY=${2-}; shift ;;
		--vswitchd) VSWITCHD=${2-}; shift ;;
		--vsctl) VSCTL=${2-}; shift ;;
		--testpmd) TESTPMD=${2-}; shift ;;
		--json) JSON_FILE=${2-}; shift ;;
		--log-dir) LOG_DIR=${2-}; shift ;;
		--install-ovs) INSTALL_OVS=1 ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown option \"$1\"" ;;
		esac
		shift
	done
	is_uint "$ROUNDS" && ((ROUNDS >= 1)) || die "--rounds: expected an integer >= 1, got \"$ROUNDS\""
	is_uint "$SECONDS_PER_ROUND" && ((SECONDS_PER_ROUND >= 1)) ||
		die "--seconds: expected an integer >= 1, got \"$SECONDS_PER_ROUND\""
	is_uint "$WARMUP" || die "--warmup: expected an integer >= 0, got \"$WARMUP\""
	local d
	for d in ${ONLY//,/ }; do
		case $d in
		ceiling | vswitchd | ovs-dpdk) ;;
		*) die "--only: unknown forwarder \"$d\"; expected ceiling, vswitchd or ovs-dpdk" ;;
		esac
	done
}

wanted()
{
	[[ ,$ONLY, == *,$1,* ]]
}

# Stops every process started here (see stop_pids) and deletes OVS's taps.
stop_all()
{
	local i
	stop_pids
	for i in "${LINKS[@]}"; do
		ip link del "$i" 2>/dev/null
	done
	LINKS=()
}

cpu_busy_percent()
{
	# Prints "busy0 busy1": how busy cores 0 and 1 were over one second.
	local a b
	a=$(grep -E '^cpu[01] ' /proc/stat)
	sleep 1
	b=$(grep -E '^cpu[01] ' /proc/stat)
	printf '%s\n%s\n' "$a" "$b" | awk '{
		idle = $5 + $6; total = 0
		for (i = 2; i <= NF; i++) total += $i
		if ($1 in t) printf "%d ", 100 - 100 * (idle - d[$1]) / (total - t[$1])
		else { t[$1] = total; d[$1] = idle }
	}'
}

check_prerequisites()
{
	check_root_cores_testpmd "hugepages, vhost-user sockets, OVS's tap devices" \
		"the generator on 0, the forwarder on 1"
	check_hugepages
	if wanted vswitchd; then
		check_vswitchd "leave it out with --only"
	fi
	local b0 b1
	read -r b0 b1 <<<"$(cpu_busy_percent)"
	if ((b0 > 20 || b1 > 20)); then
		log "warning: cores already busy before the benchmark" \
			"(core 0: $b0%, core 1: $b1%); numbers will be low"
	fi
	if pgrep -x ovs-vswitchd >/dev/null || pgrep -x ovs-vswitchd-dp >/dev/null; then
		log "warning: an ovs-vswitchd not started by this script is running; it may poll core 1"
	fi
}

ovs_present()
{
	[[ -x $OVS_DIR/ovs-vswitchd-dpdk && -f $OVS_SCHEMA ]] &&
		command -v ovsdb-server >/dev/null && command -v ovsdb-tool >/dev/null &&
		command -v ovs-vsctl >/dev/null
}

ovs_system_running()
{
	# Process names are cut to 15 characters: ovs-vswitchd-dpdk is "ovs-vswitchd-dp".
	pgrep -x ovsdb-server >/dev/null || pgrep -x ovs-vswitchd >/dev/null ||
		pgrep -x ovs-vswitchd-dp >/dev/null
}

# Installs OVS-DPDK. If installing starts the system's Open vSwitch service, it is
# stopped and disabled again: it would otherwise keep a switch on the machine
# that competes with the benchmark.
install_ovs()
{
	local was_running=0
	ovs_system_running && was_running=1
	log "installing openvswitch-switch-dpdk"
	if ! apt-get install -y openvswitch-switch-dpdk >&2; then
		apt-get update >&2 && apt-get install -y openvswitch-switch-dpdk >&2 ||
			die "apt-get install openvswitch-switch-dpdk failed"
	fi
	((was_running)) && return 0
	if [[ -d /run/systemd/system ]]; then
		systemctl stop openvswitch-switch.service ovs-vswitchd.service ovsdb-server.service 2>/dev/null
	elif ovs_system_running; then
		service openvswitch-switch stop >&2
	fi
	systemctl disable openvswitch-switch.service >/dev/null 2>&1
	ovs_system_running && log "warning: the system's Open vSwitch is still running after the install"
	return 0
}

# Forwarders. start_<name> DIR LOG starts one with its vhost-user sockets in DIR and its
# output appended to LOG, and sets SOCKS to the two socket paths; it returns non-zero on
# failure. (Not run in a subshell: the pids it starts must reach PIDS.) Everything that
# writes to LOG appends: a writer at its own offset would overwrite the others' lines.

start_ceiling()
{
	local dir=$1 out=$2 pid
	use_prefix benchceil
	"$TESTPMD" -l 0,1 --main-lcore 0 --no-pci --file-prefix benchceil \
		--vdev "net_vhost0,iface=$dir/vm0.sock,queues=1" \
		--vdev "net_vhost1,iface=$dir/vm1.sock,queues=1" \
		-- -a --forward-mode=io --nb-cores=1 --total-num-mbufs=$NB_MBUFS \
		--stats-period 3600 </dev/null >>"$out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_path "$dir/vm0.sock" 30 "$pid" && wait_path "$dir/vm1.sock" 30 "$pid" || return 1
	SOCKS=("$dir/vm0.sock" "$dir/vm1.sock")
}

start_vswitchd()
{
	local dir=$1 out=$2
	start_vswitchd_br0 "$dir" "$out" benchvs && add_vhost_ports "$dir" "$out" || return 1
	SOCKS=("$dir/vm0.sock" "$dir/vm1.sock")
}

# OVS runs with its own ovsdb-server and database in DIR/ovs: OVS_ENV (the command
# prefix env OVS_RUNDIR=DIR/ovs ...) keeps every file it writes there, away from the
# system's installation. The daemons are started through env(1), which execs, so
# that $! is the daemon's pid (a shell function run with & would be a subshell).
OVS_ENV=()

ovs_vsctl()
{
	local o=$1
	shift
	"${OVS_ENV[@]}" ovs-vsctl --db="unix:$o/db.sock" --timeout=30 "$@" >>"$o/ovs-vsctl.log" 2>&1
}

start_ovs-dpdk()
{
	local dir=$1 out=$2 o=$1/ovs pid l
	use_prefix benchovs
	mkdir -p "$o"
	OVS_ENV=(env OVS_RUNDIR="$o" OVS_DBDIR="$o" OVS_LOGDIR="$o" OVS_SYSCONFDIR="$o")
	ovsdb-tool create "$o/conf.db" "$OVS_SCHEMA" >>"$out" 2>&1 || return 1
	"${OVS_ENV[@]}" ovsdb-server "$o/conf.db" --remote="punix:$o/db.sock" \
		--unixctl="$o/ovsdb-server.ctl" --log-file="$o/ovsdb-server.log" --no-chdir \
		</dev/null >>"$out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_path "$o/db.sock" 30 "$pid" || return 1
	ovs_vsctl "$o" --no-wait init &&
		ovs_vsctl "$o" --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
			other_config:dpdk-socket-mem=1024 other_config:dpdk-socket-limit=1024 \
			"other_config:dpdk-extra=--file-prefix=benchovs --no-pci" || return 1
	# The netdev datapath creates persistent taps for itself and for the bridge:
	# remove them afterwards unless they were there before.
	for l in ovs-netdev "$OVS_BRIDGE"; do
		ip link show "$l" >/dev/null 2>&1 || LINKS+=("$l")
	done
	"${OVS_ENV[@]}" "$OVS_DIR/ovs-vswitchd-dpdk" "unix:$o/db.sock" \
		--unixctl="$o/ovs-vswitchd.ctl" --log-file="$o/ovs-vswitchd.log" --no-chdir \
		</dev/null >>"$out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	ovs_vsctl "$o" add-br "$OVS_BRIDGE" -- set bridge "$OVS_BRIDGE" datapath_type=netdev &&
		ovs_vsctl "$o" add-port "$OVS_BRIDGE" vm0 -- set Interface vm0 type=dpdkvhostuser &&
		ovs_vsctl "$o" add-port "$OVS_BRIDGE" vm1 -- set Interface vm1 type=dpdkvhostuser || return 1
	wait_path "$o/vm0" 30 "$pid" && wait_path "$o/vm1" 30 "$pid" || return 1
	SOCKS=("$o/vm0" "$o/vm1")
}

# What the forwarder says about itself after the measurement, for the logs.
diag_vswitchd()
{
	vswitchd_diag "$1" "$2"
}

diag_ovs-dpdk()
{
	local o=$1/ovs
	{
		echo "+ dpif-netdev/pmd-stats-show"
		ovs-appctl -t "$o/ovs-vswitchd.ctl" dpif-netdev/pmd-stats-show
		echo "+ fdb/show"
		ovs-appctl -t "$o/ovs-vswitchd.ctl" fdb/show "$OVS_BRIDGE"
		cat "$o/ovs-vswitchd.log"
	} >>"$2" 2>&1
}

# Reads testpmd's periodic stats in $1 and prints "periods measured rate rate0 rate1":
# stats periods seen, periods averaged, and the mean Rx rates in Mpps (both ports,
# port 0, port 1). Leading periods without traffic (ports still coming up) and then
# $2 more (the first may be partial) are skipped; the next $3 are averaged.
summarize()
{
	awk -v warm="$2" -v want="$3" '
	/NIC statistics for port/ { port = $(NF - 1) }
	/Rx-pps:/ {
		rx[port] = $2
		if (port != 1)
			next
		n++
		if (!flowing && rx[0] + rx[1] > 0)
			flowing = 1
		if (flowing && ++k > warm && k <= warm + want) {
			m++; s0 += rx[0]; s1 += rx[1]
		}
	}
	END {
		if (m)
			printf "%d %d %.3f %.3f %.3f\n", n, m, (s0 + s1) / m / 1e6, s0 / m / 1e6, s1 / m / 1e6
		else
			printf "%d 0 0.000 0.000 0.000\n", n
	}' "$1"
}

# Prints "all busy ours": jiffies of cores 0 and 1 in all, busy (neither idle, nor
# waiting for I/O, nor stolen by the hypervisor), and the CPU time of the processes
# in PIDS, all their threads included.
cpu_sample()
{
	local p j ours=0
	for p in "${PIDS[@]}"; do
		# Fields 14 and 15 (utime, stime), counted after the ")" closing the name.
		j=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) &&
			ours=$((ours + j))
	done
	awk -v ours="$ours" '/^cpu[01] / {
		for (i = 2; i <= NF; i++) {
			all += $i
			if (i != 5 && i != 6 && i != 9)
				busy += $i
		}
	}
	END { print all, busy, ours }' /proc/stat
}

# Runs the generator against sockets $1 and $2 until it has $SECONDS_PER_ROUND
# measured periods, output in $3. Sets GEN_SUMMARY to the summarize line and OTHERS
# to the CPU that processes not ours took meanwhile, in percent of one core: on a
# shared machine that is what makes one round an outlier.
generate()
{
	local sock0=$1 sock1=$2 out=$3 pid n m rest deadline a0 b0 o0 a1 b1 o1
	use_prefix benchgen
	read -r a0 b0 o0 <<<"$(cpu_sample)"
	"$TESTPMD" --lcores '0@0,1@0' --in-memory --single-file-segments --no-pci \
		--file-prefix benchgen \
		--vdev "virtio_user0,path=$sock0,queues=1,mac=$MAC0" \
		--vdev "virtio_user1,path=$sock1,queues=1,mac=$MAC1" \
		-- -a --forward-mode=mac --eth-peer=0,$MAC1 --eth-peer=1,$MAC0 --tx-first \
		--txpkts=$FRAME_LEN --nb-cores=1 --total-num-mbufs=$NB_MBUFS --stats-period 1 \
		</dev/null >"$out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	deadline=$((SECONDS + WARMUP + SECONDS_PER_ROUND + 40))
	while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
		sleep 0.5
		read -r n m rest <<<"$(summarize "$out" "$WARMUP" "$SECONDS_PER_ROUND")"
		((m >= SECONDS_PER_ROUND)) && break
		# Twenty periods more than needed and nothing measured: the loop is not
		# going to start.
		((m == 0 && n >= WARMUP + SECONDS_PER_ROUND + 20)) && break
	done
	kill -0 "$pid" 2>/dev/null || log "generator exited early"
	read -r a1 b1 o1 <<<"$(cpu_sample)"
	OTHERS=$(((b1 - b0 - (o1 - o0)) * 200 / (a1 - a0 + 1)))
	((OTHERS >= 0)) || OTHERS=0
	stop_pid "$pid"
	GEN_SUMMARY=$(summarize "$out" "$WARMUP" "$SECONDS_PER_ROUND")
}

declare -A RESULTS	# forwarder -> space-separated per-round Mpps, "-" for a failed round
declare -A OTHERS_CPU	# forwarder -> per-round CPU of others in % of a core, see generate()
declare -A FLAGGED	# forwarder -> rounds whose directions stayed lopsided
readonly MAX_TRIES=3	# generator runs per round when one direction dies

# Measures forwarder $1 in round $2 and appends the result to RESULTS.
measure()
{
	local dev=$1 round=$2 dir="$TMP/r$2-$1" n m mpps r0 r1 try
	local sw_log="$LOG_DIR/r$round-$dev.log" gen_log="$LOG_DIR/r$round-$dev-gen.log"
	mkdir -p "$dir"
	: >"$sw_log"
	if ! "start_$dev" "$dir" "$sw_log"; then
		log "round $round: $dev did not start"
		show_log "$sw_log"
		[[ -f $dir/ovs/ovs-vswitchd.log ]] && show_log "$dir/ovs/ovs-vswitchd.log"
		stop_all
		rm -rf "$dir"
		RESULTS[$dev]+=" -"
		OTHERS_CPU[$dev]+=" -"
		printf 'round %d/%d  %-9s  failed to start\n' "$round" "$ROUNDS" "$dev"
		return
	fi
	# The loop carries only the burst per direction that --tx-first injected: if the
	# forwarder drops that burst once, that direction stays empty for the rest of the
	# run. OVS does so now and then while it re-enables the vhost queues just after
	# the generator connected. A new generator, with the forwarder left running,
	# usually gets both directions going.
	for ((try = 1; try <= MAX_TRIES; try++)); do
		((try == 1)) || gen_log="$LOG_DIR/r$round-$dev-gen-try$try.log"
		generate "${SOCKS[0]}" "${SOCKS[1]}" "$gen_log"
		read -r n m mpps r0 r1 <<<"$GEN_SUMMARY"
		lopsided "$r0" "$r1" || break
		log "round $round: $dev: port0 rx $r0 Mpps but port1 rx $r1 Mpps:" \
			"one direction lost its packets (try $try of $MAX_TRIES)"
	done
	if ((try > MAX_TRIES)); then
		log "round $round: $dev: the directions stayed lopsided; result kept and flagged"
		FLAGGED[$dev]+=" $round"
		show_log "$sw_log"
	fi
	declare -F "diag_$dev" >/dev/null && "diag_$dev" "$dir" "$sw_log"
	stop_all
	rm -rf "$dir"
	if ((m == 0)); then
		log "round $round: no packet came back through $dev in $n stats periods"
		show_log "$gen_log"
		show_log "$sw_log"
	elif ((m < SECONDS_PER_ROUND)); then
		log "round $round: $dev: only $m of $SECONDS_PER_ROUND periods measured"
		show_log "$gen_log"
	fi
	if ((OTHERS > 10)); then
		log "round $round: $dev: other processes took $OTHERS% of a core meanwhile;" \
			"this round is suspect"
	fi
	RESULTS[$dev]+=" $mpps"
	OTHERS_CPU[$dev]+=" $OTHERS"
	local note=""
	((try == 1)) || note="; tries $((try > MAX_TRIES ? MAX_TRIES : try))"
	((try > MAX_TRIES)) && note+=", LOPSIDED"
	printf 'round %d/%d  %-9s %8.3f Mpps  ' "$round" "$ROUNDS" "$dev" "$mpps"
	printf '(port0 rx %.3f, port1 rx %.3f; %d periods; others %d%%%s)\n' \
		"$r0" "$r1" "$m" "$OTHERS" "$note"
}

json_num()
{
	echo "${1:-null}"
}

report()
{
	local dev med
	declare -A MED
	echo
	printf '%-20s %8s   %s\n' "forwarder" "median" "rounds (Mpps, 64-byte frames, both directions)"
	for dev in ceiling vswitchd ovs-dpdk; do
		if [[ -n ${SKIPPED[$dev]-} ]]; then
			printf '%-20s %8s   %s\n' "$dev" "-" "skipped: ${SKIPPED[$dev]}"
			continue
		fi
		med=$(median <<<"${RESULTS[$dev]}")
		MED[$dev]=$med
		printf '%-20s %8s  %s\n' "$dev" "${med:--}" "${RESULTS[$dev]}"
	done
	local vc vo
	vc=$(ratio "${MED[vswitchd]-}" "${MED[ceiling]-}")
	vo=$(ratio "${MED[vswitchd]-}" "${MED[ovs-dpdk]-}")
	printf '%-20s %8s\n' "vswitchd/ceiling" "${vc:--}" "vswitchd/ovs-dpdk" "${vo:--}"
	echo "elapsed: $((SECONDS - START)) s"
	[[ -n $JSON_FILE ]] || return 0
	{
		echo "{"
		echo "  \"unit\": \"Mpps\", \"frame_len\": $FRAME_LEN, \"rounds\": $ROUNDS,"
		echo "  \"seconds\": $SECONDS_PER_ROUND, \"warmup_periods\": $WARMUP,"
		echo "  \"elapsed_s\": $((SECONDS - START)),"
		echo "  \"results\": {"
		local sep=""
		for dev in ceiling vswitchd ovs-dpdk; do
			printf '%s    "%s": ' "$sep" "${dev/-/_}"
			if [[ -n ${SKIPPED[$dev]-} ]]; then
				printf '{"skipped": "%s"}' "${SKIPPED[$dev]}"
			else
				printf '{"median": %s, "per_round": %s, "others_cpu_pct": %s,' \
					"$(json_num "${MED[$dev]}")" "$(json_list "${RESULTS[$dev]}")" \
					"$(json_list "${OTHERS_CPU[$dev]}")"
				printf ' "lopsided_rounds": %s}' "$(json_list "${FLAGGED[$dev]-}")"
			fi
			sep=$',\n'
		done
		echo
		echo "  },"
		echo "  \"ratios\": {\"vswitchd_over_ceiling\": $(json_num "$vc"),"
		echo "             \"vswitchd_over_ovs_dpdk\": $(json_num "$vo")}"
		echo "}"
	} >"$JSON_FILE" || die "cannot write $JSON_FILE"
	log "results written to $JSON_FILE"
}

main()
{
	parse_args "$@"
	lock_and_trap

	((INSTALL_OVS)) && install_ovs
	declare -gA SKIPPED
	local dev
	for dev in ceiling vswitchd ovs-dpdk; do
		wanted "$dev" || SKIPPED[$dev]="not in --only"
	done
	if wanted ovs-dpdk && ! ovs_present; then
		SKIPPED[ovs-dpdk]="openvswitch-switch-dpdk not installed (--install-ovs installs it)"
		log "skipping ovs-dpdk: ${SKIPPED[ovs-dpdk]}"
	fi
	check_prerequisites

	TMP=$(mktemp -d /tmp/bench_vhost_loop.XXXXXX) || die "mktemp failed"
	make_log_dir
	START=$SECONDS
	local round
	for ((round = 1; round <= ROUNDS; round++)); do
		for dev in ceiling vswitchd ovs-dpdk; do
			[[ -n ${SKIPPED[$dev]-} ]] || measure "$dev" "$round"
		done
	done
	report
}

main "$@"
