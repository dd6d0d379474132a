# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers shared by the benchmarks that start DPDK processes and vswitchd:
# bench_vhost_loop.sh and bench_linux_bridge.sh both source this file, right after
# "set -uo pipefail", with
#   . "$(dirname "$0")/bench_lib.sh"
# It is not meant to be run by itself. It holds:
#   - the shared defaults of --testpmd, --vswitchd and --vsctl, and the state every
#     run keeps: TMP, PIDS, PREFIXES
#   - log, die, is_uint
#   - processes started in the background and stopped by pid (stop_pid, stop_pids,
#     forget_pid, wait_path), DPDK file prefixes and their hugepage leftovers
#     (use_prefix, clean_prefix), the lock, traps and cleanup on exit, the log
#     directory, the end of a log (show_log)
#   - the prerequisite checks both scripts make
#   - vswitchd with bridge br0 and two vhostuser ports (start_vswitchd_br0,
#     add_vhost_ports, vsctl_run, vswitchd_diag)
#   - the report arithmetic: median, ratio, lopsided, json_list
#
# What the sourcing script sets (read when a function runs, not when this is sourced):
#   BENCH_NAME       its name without ".sh": the prefix of log lines, the lock message
#   LOCK_FILE        the lock that allows one run at a time
#   NEED_HUGE_MB     the free hugepage memory it needs, in MiB
#   LOG_DIR          --log-dir, "" for a directory in TMP
#   SHOW_LOG_LINES   how many lines show_log prints (default 20)
#   stop_all         a function that stops all it started (stop_pids, and more);
#                    cleanup_extra, if defined, runs after it on exit
# shellcheck disable=SC2154 # BENCH_NAME, LOCK_FILE, NEED_HUGE_MB, LOG_DIR: see above

# "a && b || die" is meant throughout: die when either fails.
# shellcheck disable=SC2015

TESTPMD=$(command -v dpdk-testpmd || echo /usr/bin/dpdk-testpmd)
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VSWITCHD="$SCRIPT_DIR/../build/vswitch/vswitchd"
VSCTL="$SCRIPT_DIR/../build/ctl/vsctl"
SHOW_LOG_LINES=20

TMP=""		# the run's temporary directory, removed on exit
PIDS=()		# processes started by the script and still running, oldest first
PREFIXES=()	# DPDK --file-prefix values used, for hugepage and runtime dir cleanup
VS_PID=""	# the vswitchd that start_vswitchd_br0 started last

log()
{
	echo "$BENCH_NAME: $*" >&2
}

die()
{
	log "error: $*"
	exit 1
}

is_uint()
{
	[[ $1 =~ ^[0-9]+$ ]]
}

# ---- processes, hugepages, cleanup ----------------------------------------------------
# Every process is started in the background with its pid pushed on PIDS, and stopped by
# pid: SIGTERM, then SIGKILL if it is still there after 10 s.

stop_pid()
{
	local pid=$1 i
	if kill -TERM "$pid" 2>/dev/null; then
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	forget_pid "$pid"
	return 0
}

forget_pid()
{
	local i
	for i in "${!PIDS[@]}"; do
		[[ ${PIDS[i]} == "$1" ]] && unset 'PIDS[i]'
	done
	PIDS=("${PIDS[@]}")
}

# Stops every process in PIDS, the newest first.
stop_pids()
{
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${PIDS[i]}"
	done
	PIDS=()
}

hugepage_dirs()
{
	awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts
}

# Removes what a DPDK process with this --file-prefix leaves behind when it is killed:
# its hugepage files (named <prefix>map_N) and its runtime directory.
clean_prefix()
{
	local prefix=$1 dir
	for dir in $(hugepage_dirs); do
		rm -f "$dir/${prefix}map_"*
	done
	rm -rf "/var/run/dpdk/$prefix"
}

use_prefix()
{
	clean_prefix "$1"
	[[ " ${PREFIXES[*]} " == *" $1 "* ]] || PREFIXES+=("$1")
}

# The EXIT trap: stops everything (the script's stop_all, then its cleanup_extra if
# it has one), removes the DPDK prefixes' leftovers and TMP, and keeps the exit status.
cleanup()
{
	local rc=$? prefix
	trap - EXIT INT TERM
	stop_all
	declare -F cleanup_extra >/dev/null && cleanup_extra
	for prefix in "${PREFIXES[@]}"; do
		clean_prefix "$prefix"
	done
	[[ -n $TMP ]] && rm -rf "$TMP"
	exit "$rc"
}

# Takes LOCK_FILE (one run at a time) and sets the traps: cleanup on exit, a message
# on Ctrl-C and SIGTERM.
lock_and_trap()
{
	exec 9>"$LOCK_FILE"
	flock -n 9 || die "another $BENCH_NAME.sh is running (lock $LOCK_FILE)"
	trap cleanup EXIT
	trap 'log "interrupted; cleaning up"; exit 130' INT
	trap 'log "terminated; cleaning up"; exit 143' TERM
}

# Makes LOG_DIR absolute and creates it; without --log-dir, it is TMP/logs.
make_log_dir()
{
	if [[ -n $LOG_DIR ]]; then
		mkdir -p "$LOG_DIR" || die "cannot create --log-dir $LOG_DIR"
		LOG_DIR=$(cd "$LOG_DIR" && pwd)
	else
		LOG_DIR=$TMP/logs
		mkdir -p "$LOG_DIR"
	fi
}

# Waits up to $2 s for path $1 to exist while process $3 lives.
wait_path()
{
	local path=$1 limit=$2 pid=$3 i
	for ((i = 0; i < limit * 10; i++)); do
		[[ -e $path ]] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Prints the last SHOW_LOG_LINES lines of a log, without vhost-user message traces and
# testpmd's goodbyes, which would push what matters out of view.
show_log()
{
	local file=$1
	if [[ ! -s $file ]]; then
		log "$file is empty"
		return 0
	fi
	log "last lines of $file:"
	awk '(!/VHOST_CONFIG/ || /[Ee]rr|[Ff]ail/) && !/^ *$/ &&
		!/^(Stopping port|Done|Shutting down port|Closing ports|Port [0-9]+ is closed|Bye)/' \
		"$file" | tail -n "$SHOW_LOG_LINES" | sed 's/^/    /' >&2
}

# ---- prerequisites -------------------------------------------------------------------

# Dies unless run as root ($1: what for), with cores 0 and 1 online ($2: what runs on
# which) and dpdk-testpmd at TESTPMD.
check_root_cores_testpmd()
{
	((EUID == 0)) || die "must run as root ($1)"
	local cpus
	cpus=$(cat /sys/devices/system/cpu/online)
	[[ $cpus == 0-* || $cpus == 0,1* ]] || die "needs cores 0 and 1 online ($2); online: $cpus"
	[[ -x $TESTPMD ]] ||
		die "dpdk-testpmd not found at \"$TESTPMD\": apt-get install dpdk, or --testpmd PATH"
}

# Dies unless hugetlbfs is mounted with NEED_HUGE_MB MiB free.
check_hugepages()
{
	[[ -n $(hugepage_dirs) ]] ||
		die "no hugetlbfs mounted: mkdir -p /dev/hugepages &&" \
			"mount -t hugetlbfs none /dev/hugepages"
	local free_mb
	free_mb=$(awk '/^HugePages_Free:/ { n = $2 } /^Hugepagesize:/ { s = $2 }
		END { print int(n * s / 1024) }' /proc/meminfo)
	((free_mb >= NEED_HUGE_MB)) ||
		die "$free_mb MiB of hugepages free, $NEED_HUGE_MB MiB needed:" \
			"echo 2048 > /proc/sys/vm/nr_hugepages"
}

# Dies unless VSWITCHD and VSCTL are there; $1: how to run without vswitchd.
check_vswitchd()
{
	[[ -x $VSWITCHD ]] ||
		die "vswitchd not found at \"$VSWITCHD\": build it (meson setup build &&" \
			"ninja -C build), pass --vswitchd PATH, or $1"
	[[ -x $VSCTL ]] || die "vsctl not found at \"$VSCTL\": build it, or pass --vsctl PATH"
}

# ---- vswitchd --------------------------------------------------------------------------

# Runs vsctl against the vswitchd whose control socket is in $1, output appended to $2.
vsctl_run()
{
	local dir=$1 out=$2
	shift 2
	echo "+ vsctl $*" >>"$out"
	"$VSCTL" --socket "$dir/vs.sock" "$@" >>"$out" 2>&1
}

# Starts vswitchd with its control socket and database in $1, its output appended to
# $2, DPDK file prefix $3 and its PMD on core 1, and adds bridge br0. Sets VS_PID;
# returns non-zero on failure. (Not to be run in a subshell: the pid must reach PIDS.)
start_vswitchd_br0()
{
	local dir=$1 out=$2 prefix=$3 i
	use_prefix "$prefix"
	"$VSWITCHD" --no-default-bridge --socket "$dir/vs.sock" --db "$dir/conf.db" \
		--pmd-cores 1 --file-prefix "$prefix" </dev/null >>"$out" 2>&1 &
	VS_PID=$!
	PIDS+=("$VS_PID")
	wait_path "$dir/vs.sock" 30 "$VS_PID" || return 1
	# The socket can exist a moment before the server accepts on it.
	for ((i = 0; i < 20; i++)); do
		vsctl_run "$dir" "$out" add-br br0 && return 0
		kill -0 "$VS_PID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# Adds vhostuser ports vm0 and vm1 (sockets $1/vm0.sock and $1/vm1.sock) to br0 of the
# vswitchd that start_vswitchd_br0 started, and waits for the sockets.
add_vhost_ports()
{
	local dir=$1 out=$2
	vsctl_run "$dir" "$out" add-port br0 vm0 type=vhostuser socket="$dir/vm0.sock" &&
		vsctl_run "$dir" "$out" add-port br0 vm1 type=vhostuser socket="$dir/vm1.sock" &&
		wait_path "$dir/vm0.sock" 30 "$VS_PID" && wait_path "$dir/vm1.sock" 30 "$VS_PID"
}

# What vswitchd says about itself after the measurement, appended to log $2.
vswitchd_diag()
{
	vsctl_run "$1" "$2" show
	vsctl_run "$1" "$2" port-stats
	vsctl_run "$1" "$2" fdb-show br0
}

# ---- report arithmetic -----------------------------------------------------------------

# Succeeds when one direction carried less than 90% of the other.
lopsided()
{
	awk -v a="$1" -v b="$2" 'BEGIN { exit !((a < 0.9 * b) || (b < 0.9 * a)) }'
}

# The median of the values on stdin, separated by spaces; "-" (a failed round) skipped.
median()
{
	tr ' ' '\n' | grep -v -e '^-$' -e '^$' | sort -g | awk '
	{ v[n++] = $1 }
	END { if (n) printf "%.3f", n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 }'
}

# Prints $1 / $2 with $3 decimals (default 3); nothing if either is empty or $2 is 0.
ratio()
{
	[[ -n $1 && -n $2 ]] &&
		awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { if (b > 0) printf "%." d "f", a / b }'
}

# A space-separated list as a JSON array, "-" as null.
json_list()
{
	local out="" v
	for v in $1; do
		[[ $v == - ]] && v=null
		out+="${out:+, }$v"
	done
	echo "[$out]"
}
