#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs perf/microbench_fwd over its scenarios and prints one table.
#
# Default mode: each scenario RUNS times (3), the table quotes medians of ns per
# packet for the whole loop, the harness alone (overhead) and their difference
# (pipeline). The machine is noisy, so compare medians, not single runs.
#
# --callgrind: each scenario once under valgrind's callgrind with collection
# switched on only inside fwd_burst() and fwd_flush(), so the count covers
# exactly the pipeline and everything it calls (rte_hash, the ethdev tx path,
# the ring PMD). The table quotes instructions per packet, a figure that does
# not depend on the machine's noise; --top N also lists the N functions with
# the most instructions per packet for each scenario.

set -euo pipefail

BUILD=build
BIN=
RUNS=3
PACKETS=2000000
CG_PACKETS=200000
SCENARIOS=unicast,flood,learn-miss,macs
MACS=10000
LCORE=0
CALLGRIND=0
TOP=0
KEEP=

usage() {
	cat <<EOF
usage: $0 [options]
  --build DIR        meson build directory holding perf/microbench_fwd (default: build)
  --bin PATH         the microbench_fwd binary (overrides --build)
  --scenarios LIST   comma-separated subset of unicast,flood,learn-miss,macs (default: all)
  --runs N           runs per scenario in timing mode (default: 3)
  --packets N        measured packets per run in timing mode (default: 2000000)
  --macs N           stations in the macs scenario (default: 10000)
  --lcore C          core to run on (default: 0)
  --callgrind        count instructions per packet under callgrind instead of timing
  --cg-packets N     measured packets per scenario under callgrind (default: 200000)
  --top N            with --callgrind: also list the N costliest functions per scenario
  --keep DIR         with --callgrind: keep the callgrind.out files in DIR
EOF
}

die() {
	echo "bench_fwd_pipeline: $*" >&2
	exit 1
}

need_arg() {
	[ $# -ge 2 ] || die "$1: missing value"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--build) need_arg "$@"; BUILD=$2; shift 2 ;;
	--bin) need_arg "$@"; BIN=$2; shift 2 ;;
	--scenarios) need_arg "$@"; SCENARIOS=$2; shift 2 ;;
	--runs) need_arg "$@"; RUNS=$2; shift 2 ;;
	--packets) need_arg "$@"; PACKETS=$2; shift 2 ;;
	--cg-packets) need_arg "$@"; CG_PACKETS=$2; shift 2 ;;
	--macs) need_arg "$@"; MACS=$2; shift 2 ;;
	--lcore) need_arg "$@"; LCORE=$2; shift 2 ;;
	--top) need_arg "$@"; TOP=$2; shift 2 ;;
	--keep) need_arg "$@"; KEEP=$2; shift 2 ;;
	--callgrind) CALLGRIND=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option \"$1\"" ;;
	esac
done

for v in RUNS PACKETS CG_PACKETS MACS LCORE TOP; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "--$(echo "$v" | tr 'A-Z_' 'a-z-'): \"${!v}\" is not a number"
done
[ "$RUNS" -ge 1 ] || die "--runs: must be at least 1"
[ -n "$BIN" ] || BIN=$BUILD/perf/microbench_fwd
[ -x "$BIN" ] || die "no binary at $BIN; build it with: ninja -C $BUILD perf/microbench_fwd"
IFS=, read -r -a SCEN <<<"$SCENARIOS"
for s in "${SCEN[@]}"; do
	case "$s" in
	unicast | flood | learn-miss | macs) ;;
	*) die "--scenarios: unknown scenario \"$s\"; expected unicast, flood, learn-miss, macs" ;;
	esac
done

TMP=$(mktemp -d /tmp/bench_fwd_pipeline.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# field NAME LINE: the value of NAME=value in the program's result line.
field() {
	local kv
	for kv in $2; do
		if [ "${kv%%=*}" = "$1" ]; then
			echo "${kv#*=}"
			return 0
		fi
	done
	return 1
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
		else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_bench OUTFILE ARGS...: runs the program, leaves its result line in OUTFILE.
run_bench() {
	local out=$1
	shift
	if ! "$@" >"$out" 2>"$out.err"; then
		cat "$out.err" "$out" >&2
		die "run failed: $*"
	fi
	grep -q 'check=ok' "$out" || die "sanity check did not pass: $(cat "$out")"
}

timing_mode() {
	local s r line
	printf '%-11s %9s %9s %9s %9s   %s\n' scenario ns/pkt overhead pipeline Mpps \
		"pipeline ns/pkt per run"
	for s in "${SCEN[@]}"; do
		local tot=() ovh=() pip=()
		for ((r = 0; r < RUNS; r++)); do
			run_bench "$TMP/out" "$BIN" --scenario "$s" --packets "$PACKETS" \
				--macs "$MACS" --lcore "$LCORE"
			line=$(cat "$TMP/out")
			tot+=("$(field ns_per_packet "$line")")
			ovh+=("$(field overhead_ns_per_packet "$line")")
			pip+=("$(field pipeline_ns_per_packet "$line")")
		done
		local mp
		mp=$(median "${pip[@]}")
		printf '%-11s %9s %9s %9s %9s   %s\n' "$s" "$(median "${tot[@]}")" \
			"$(median "${ovh[@]}")" "$mp" \
			"$(awk -v n="$mp" 'BEGIN { printf "%.2f", (n > 0 ? 1000 / n : 0) }')" \
			"${pip[*]}"
	done
}

# The "totals:" line of a callgrind output file: instructions collected.
cg_total() {
	awk '/^(totals|summary):/ { print $2; exit }' "$1"
}

cg_top() {
	local file=$1 pkts=$2
	callgrind_annotate --threshold=100 --auto=no "$file" 2>/dev/null |
		awk -v pkts="$pkts" -v top="$TOP" '
			/^-+$/ { sep++; next }
			sep == 6 && match($0, /^ *[0-9,]+ \( *[0-9.]+%\) +/) {
				if (++n > top) exit
				ir = $1; gsub(",", "", ir)
				fn = substr($0, RLENGTH + 1)
				sub(/ \[.*\//, " [", fn)
				printf "    %8.1f  %s\n", ir / pkts, fn
			}'
}

callgrind_mode() {
	local s line pkts ir file
	command -v valgrind >/dev/null || die "valgrind not found (apt-get install valgrind)"
	printf '%-11s %10s %12s %14s\n' scenario instr/pkt pipeline_pkts instructions
	for s in "${SCEN[@]}"; do
		file=$TMP/callgrind.out.$s
		run_bench "$TMP/out" valgrind --tool=callgrind --callgrind-out-file="$file" \
			--toggle-collect=fwd_burst --toggle-collect=fwd_flush \
			"$BIN" --scenario "$s" --packets "$CG_PACKETS" --rounds 1 \
			--macs "$MACS" --lcore "$LCORE"
		line=$(cat "$TMP/out")
		pkts=$(field pipeline_packets "$line")
		ir=$(cg_total "$file")
		if [ -z "$ir" ] || [ "$ir" -eq 0 ]; then
			die "$s: callgrind collected nothing"
		fi
		printf '%-11s %10s %12s %14s\n' "$s" \
			"$(awk -v i="$ir" -v p="$pkts" 'BEGIN { printf "%.1f", i / p }')" "$pkts" "$ir"
		if [ "$TOP" -gt 0 ]; then
			cg_top "$file" "$pkts"
		fi
		if [ -n "$KEEP" ]; then
			mkdir -p "$KEEP"
			cp "$file" "$KEEP/"
		fi
	done
}

if [ "$CALLGRIND" = 1 ]; then
	callgrind_mode
else
	timing_mode
fi
