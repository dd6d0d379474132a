#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Flow rule adds per second through the JSON-RPC API, while traffic runs, and a check
# that the traffic lost nothing to the rule changes.
#
# vswitchd runs with bridge br0 and two vhostuser ports, vm1 and vm2, its PMD on core 1.
# Two rules forward between them:
#   table=0,priority=65535,in_port=vm1,actions=output:vm2   (and vm2 -> vm1)
# One dpdk-testpmd on core 0 plays both VMs: two virtio_user ports in "io" mode, so what
# arrives from vm2 is sent again into vm1 and the other way round. "start tx_first" seeds
# each direction with one burst of 64-byte frames. The loop is self-clocked: a frame is
# sent only when one came back, so no ring can overflow (each holds more descriptors than
# the loop has frames) and a frame the switch loses is gone for good. Losses are therefore
# attributable, which a generator at full rate would not allow.
#
# While the loop runs, bench_flow_updates.py pushes --rules new rules in flow.bundle
# requests of --bundle "add" operations: ten mask shapes (prefixes, ports, MACs, VLANs,
# DSCP), priorities below the forwarding rules and never two overlapping rules at one
# priority, so the daemon accepts them all and none changes where the loop's frames go.
# It reports adds per second (rules / summed wall time of the requests), each bundle's
# latency, the loop's rate before, during and after, and the daemon's VmRSS growth per
# rule (control side) beside the compiled tables' growth (datapath side).
#
# Then the loop is stopped (testpmd "stop": the switch drains what is in flight) and the
# counters must balance: for each direction, rx_packets on the input port = tx_packets on
# the output port + every drop reason, the forwarding rule counted every frame that
# reached the tables, and no other rule matched any. Drops a slow receiver causes
# (tx_queue_full) are reported apart; with the loop there should be none.
#
# Last (unless --no-idle), the rules are deleted (one flow.del, timed) and added again
# with the loop stopped: the same figure without testpmd competing for core 0, which is
# where vswitchd's control thread runs. Run with --help for the options.

# "a && b || die" is meant throughout: die when either fails.
# shellcheck disable=SC2015

set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

readonly BENCH_NAME=bench_flow_updates
readonly LOCK_FILE=/tmp/bench_flow_updates.lock
readonly NEED_HUGE_MB=512
readonly MAC1=02:00:00:00:00:01
readonly MAC2=02:00:00:00:00:02
readonly FRAME_LEN=64
readonly NB_MBUFS=16384
readonly VS_PREFIX=benchfu
readonly GEN_PREFIX=benchfugen
readonly MAX_TRIES=3
readonly COOKIE=0xf10

RULES=100000
BUNDLE=10000
RATE_SECONDS=3
BURSTS=1
IDLE=1
WAIT_FOREIGN=600
JSON_FILE=""
LOG_DIR=""
PYTHON=""
PERF_FILE=""
CLIENT="$SCRIPT_DIR/bench_flow_updates.py"
GEN_FD=""	# write end of testpmd's command FIFO
GEN_PID=""
GEN_LOG=""

usage()
{
	cat <<EOF
usage: $0 [options]
Adds flow rules to a running vswitchd through flow.bundle requests while a vhost-user
loop forwards through two rules, and checks that the loop lost nothing.
Needs root, cores 0 and 1, hugepages, dpdk-testpmd and python3; runs only when no
other vswitchd is running.

  --rules N           rules to add (default $RULES)
  --bundle N          "add" operations per flow.bundle request (default $BUNDLE)
  --rate-seconds S    loop rate measured over S seconds before and after (default $RATE_SECONDS)
  --bursts N          bursts per direction that seed the loop (default $BURSTS)
  --no-idle           skip the second run of adds with the loop stopped
  --wait S            wait up to S seconds for other vswitchd processes to end (default $WAIT_FOREIGN)
  --vswitchd PATH     vswitchd binary (default build/vswitch/vswitchd)
  --vsctl PATH        vsctl binary (default build/ctl/vsctl)
  --testpmd PATH      dpdk-testpmd binary (default $TESTPMD)
  --python PATH       python3 (default /usr/bin/python3, else python3 on PATH)
  --perf-record FILE  record vswitchd with "perf record -g" while the rules are added
                      under traffic (perf report -i FILE afterwards)
  --json FILE         append each phase's results to FILE, one JSON object per line
  --log-dir DIR       keep vswitchd's and testpmd's logs in DIR (default: a temporary
                      dir, removed on exit)
  -h, --help          this help
EOF
}

parse_args()
{
	while (($#)); do
		case $1 in
		--rules) RULES=${2-}; shift ;;
		--bundle) BUNDLE=${2-}; shift ;;
		--rate-seconds) RATE_SECONDS=${2-}; shift ;;
		--bursts) BURSTS=${2-}; shift ;;
		--no-idle) IDLE=0 ;;
		--wait) WAIT_FOREIGN=${2-}; shift ;;
		--vswitchd) VSWITCHD=${2-}; shift ;;
		--vsctl) VSCTL=${2-}; shift ;;
		--testpmd) TESTPMD=${2-}; shift ;;
		--python) PYTHON=${2-}; shift ;;
		--perf-record) PERF_FILE=${2-}; shift ;;
		--json) JSON_FILE=${2-}; shift ;;
		--log-dir) LOG_DIR=${2-}; shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; die "unknown option \"$1\"" ;;
		esac
		shift
	done
	is_uint "$RULES" && ((RULES >= 1 && RULES <= 262000)) ||
		die "--rules: expected an integer 1..262000 (the bridge holds 262,144), got \"$RULES\""
	is_uint "$BUNDLE" && ((BUNDLE >= 1 && BUNDLE <= 100000)) ||
		die "--bundle: expected an integer 1..100000, got \"$BUNDLE\""
	is_uint "$RATE_SECONDS" && ((RATE_SECONDS >= 1)) ||
		die "--rate-seconds: expected an integer >= 1, got \"$RATE_SECONDS\""
	is_uint "$BURSTS" && ((BURSTS >= 1 && BURSTS <= 4)) ||
		die "--bursts: expected an integer 1..4 (the rings must hold the whole loop), got \"$BURSTS\""
	is_uint "$WAIT_FOREIGN" || die "--wait: expected an integer >= 0, got \"$WAIT_FOREIGN\""
	if [[ -n $JSON_FILE ]]; then
		: >"$JSON_FILE" || die "cannot write --json $JSON_FILE"
		JSON_FILE=$(cd "$(dirname "$JSON_FILE")" && pwd)/$(basename "$JSON_FILE")
	fi
}

check_python()
{
	if [[ -z $PYTHON ]]; then
		if [[ -x /usr/bin/python3 ]]; then
			PYTHON=/usr/bin/python3
		else
			PYTHON=$(command -v python3) || die "python3 not found: apt-get install python3"
		fi
	fi
	"$PYTHON" -c 'import json, socket' 2>/dev/null || die "\"$PYTHON\" is not a working python3"
	[[ -f $CLIENT ]] || die "the client $CLIENT is missing"
}

# vswitchd processes that are not ours.
foreign_vswitchd()
{
	local p
	for p in $(pgrep -x vswitchd); do
		[[ $p == "$VS_PID" ]] || echo "$p"
	done
}

# Another vswitchd polls core 1 too: its PMD would take half of ours, and its tests
# would suffer from ours. Wait for it to end.
wait_foreign()
{
	local i others
	for ((i = 0; ; i++)); do
		others=$(foreign_vswitchd)
		[[ -z $others ]] && return 0
		((i == 0)) && log "waiting up to $WAIT_FOREIGN s for other vswitchd processes to end:" \
			"$(echo "$others" | tr '\n' ' ')"
		((i >= WAIT_FOREIGN)) && die "other vswitchd processes still running after" \
			"$WAIT_FOREIGN s: $(echo "$others" | tr '\n' ' ')"
		sleep 1
	done
}

close_gen_fd()
{
	if [[ -n $GEN_FD ]]; then
		exec {GEN_FD}>&-
		GEN_FD=""
	fi
}

stop_all()
{
	if [[ -n $GEN_FD ]]; then
		gen_cmd quit 2>/dev/null
		sleep 0.5
	fi
	close_gen_fd
	stop_pids
}

gen_cmd()
{
	echo "$*" >&"$GEN_FD"
}

client()
{
	"$PYTHON" "$CLIENT" "$1" --socket "$TMP/vs.sock" --bridge br0 \
		${JSON_FILE:+--json "$JSON_FILE"} "${@:2}"
}

start_switch()
{
	local out=$LOG_DIR/vswitchd.log
	: >"$out"
	start_vswitchd_br0 "$TMP" "$out" "$VS_PREFIX" || { show_log "$out"; die "vswitchd did not start"; }
	vsctl_run "$TMP" "$out" add-port br0 vm1 type=vhostuser socket="$TMP/vm1.sock" &&
		vsctl_run "$TMP" "$out" add-port br0 vm2 type=vhostuser socket="$TMP/vm2.sock" &&
		wait_path "$TMP/vm1.sock" 30 "$VS_PID" && wait_path "$TMP/vm2.sock" 30 "$VS_PID" &&
		vsctl_run "$TMP" "$out" add-flow br0 "table=0,priority=65535,in_port=vm1,actions=output:vm2" &&
		vsctl_run "$TMP" "$out" add-flow br0 "table=0,priority=65535,in_port=vm2,actions=output:vm1" ||
		{ show_log "$out"; die "cannot set up br0, its ports and forwarding rules"; }
}

# testpmd runs interactively, fed through a FIFO, so that the loop is seeded only once
# both vhost-user links are up, and stopped (not killed) before the final count.
start_gen()
{
	local fifo=$TMP/gen.fifo i
	GEN_LOG=$LOG_DIR/testpmd.log
	mkfifo "$fifo" || die "mkfifo $fifo failed"
	: >"$GEN_LOG"
	use_prefix "$GEN_PREFIX"
	taskset -c 0 stdbuf -oL "$TESTPMD" --lcores '0@0,1@0' --in-memory --single-file-segments \
		--no-pci --file-prefix "$GEN_PREFIX" \
		--vdev "virtio_user0,path=$TMP/vm1.sock,queues=1,mac=$MAC1" \
		--vdev "virtio_user1,path=$TMP/vm2.sock,queues=1,mac=$MAC2" \
		-- -i --forward-mode=io --txpkts=$FRAME_LEN --nb-cores=1 \
		--total-num-mbufs=$NB_MBUFS <"$fifo" >>"$GEN_LOG" 2>&1 &
	GEN_PID=$!
	PIDS+=("$GEN_PID")
	exec {GEN_FD}>"$fifo"
	for ((i = 0; i < 300; i++)); do
		grep -q 'testpmd>' "$GEN_LOG" && break
		kill -0 "$GEN_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q 'testpmd>' "$GEN_LOG" || { show_log "$GEN_LOG"; die "testpmd did not come up"; }
	for ((i = 0; i < 100; i++)); do
		(($("$VSCTL" --socket "$TMP/vs.sock" -j show | grep -o '"link": *"up"' | wc -l) >= 2)) &&
			return 0
		sleep 0.1
	done
	vsctl_run "$TMP" "$LOG_DIR/vswitchd.log" show
	show_log "$LOG_DIR/vswitchd.log"
	die "the vhost-user links did not come up"
}

# Seeds the loop and checks that both directions carry frames; a direction whose burst
# was lost (a link that was not quite ready) gets another one.
start_loop()
{
	local try r1 r2
	for ((try = 1; try <= MAX_TRIES; try++)); do
		gen_cmd "start tx_first $BURSTS"
		sleep 1
		read -r r1 r2 <<<"$("$PYTHON" "$CLIENT" rate --socket "$TMP/vs.sock" --seconds 1)"
		log "loop rate, try $try: vm1->vm2 ${r1:-?} Mpps, vm2->vm1 ${r2:-?} Mpps"
		if [[ -n ${r1-} && -n ${r2-} ]] &&
			awk -v a="$r1" -v b="$r2" 'BEGIN { exit !(a > 0 && b > 0) }'; then
			return 0
		fi
		gen_cmd "stop"
		sleep 0.5
	done
	show_log "$GEN_LOG"
	die "the loop does not run in both directions"
}

# testpmd's own totals, from the statistics "stop" printed: per port RX and TX.
gen_totals()
{
	awk '/Forward statistics for port/ { port = $(NF - 1) }
		/RX-packets:/ && port != "" { rx[port] = $2 }
		/TX-packets:/ && port != "" { tx[port] = $2 }
		/Accumulated forward statistics/ { port = "" }
		END { printf "testpmd: port 0 (vm1) rx %s tx %s, port 1 (vm2) rx %s tx %s\n",
			rx[0], tx[0], rx[1], tx[1] }' "$GEN_LOG"
}

main()
{
	parse_args "$@"
	lock_and_trap
	check_root_cores_testpmd "hugepages, vhost-user sockets" "testpmd on 0, the PMD on 1"
	check_hugepages
	check_vswitchd "build it first"
	check_python
	wait_foreign

	TMP=$(mktemp -d /tmp/bench_flow_updates.XXXXXX) || die "mktemp failed"
	make_log_dir
	START=$SECONDS
	echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(basename "$0"): $RULES rules in bundles of $BUNDLE;" \
		"vswitchd $VSWITCHD (PMD on core 1, control thread on core 0), testpmd loop on core 0"

	start_switch
	start_gen
	start_loop

	local rc=0 perf_pid=""
	if [[ -n $PERF_FILE ]]; then
		command -v perf >/dev/null || die "--perf-record: perf not found"
		perf record -g -o "$PERF_FILE" -p "$VS_PID" >>"$LOG_DIR/perf.log" 2>&1 &
		perf_pid=$!
		PIDS+=("$perf_pid")
		sleep 1
	fi
	client add --label traffic --pid "$VS_PID" --rules "$RULES" --bundle "$BUNDLE" \
		--cookie "$COOKIE" --rate-seconds "$RATE_SECONDS" || rc=1
	if [[ -n $perf_pid ]]; then
		kill -INT "$perf_pid" 2>/dev/null
		wait "$perf_pid" 2>/dev/null
		forget_pid "$perf_pid"
	fi
	[[ -z $(foreign_vswitchd) ]] ||
		log "warning: another vswitchd started meanwhile; the figures are suspect"

	# The final count: with the loop stopped, the switch drains what is in flight and
	# the counters stop moving.
	gen_cmd "stop"
	sleep 1
	client account --rules "$RULES" --cookie "$COOKIE" || rc=1
	gen_totals

	if ((IDLE && rc == 0)); then
		client del --label delete --cookie "$COOKIE" || rc=1
		client add --label idle --pid "$VS_PID" --rules "$RULES" --bundle "$BUNDLE" \
			--cookie "$COOKIE" --rate-seconds 0 || rc=1
	fi
	vsctl_run "$TMP" "$LOG_DIR/vswitchd.log" show
	vsctl_run "$TMP" "$LOG_DIR/vswitchd.log" port-stats
	echo "elapsed: $((SECONDS - START)) s"
	return $rc
}

main "$@"
