# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers for the flow-rule integration tests, on top of netns_lib.sh (source
# that first). Rules go through vsctl's flow commands when this vsctl has them
# (`vsctl help` lists them), else through `vsctl call flow.*` (raw JSON-RPC,
# docs/api.md "Flow rules"). FLOW_VIA=rpc or FLOW_VIA=vsctl forces one.
#
#   flow_add RULE                 add-flow / flow.add
#   flow_del [FILTER] [--strict]  del-flows / flow.del
#   flow_mod RULE [--strict]      mod-flows / flow.mod
#   flow_replace RULE...          replace-flows / flow.replace
#   flow_bundle OP...             bundle / flow.bundle; OP is "add RULE", "del RULE",
#                                 "del-strict RULE", "mod RULE" or "mod-strict RULE"
#   fl_counts KEY                 added/removed/modified of the last of these changes
#   flow_dump [FILTER]            dump-flows -j / flow.dump: the JSON object
#   flow_stat COOKIE FIELD        a member of the rule with that cookie ("none": no such rule)
#   fl_pick COOKIE FIELD          the same from a dump on stdin
#   flow_set [FILTER]             the rules without counters, one line each, sorted
#   flow_n                        how many rules the bridge has
#   expect_flow_packets COOKIE N [BYTES]   the rule counted exactly N packets (and BYTES)
#   fl_neigh, fl_static_arp       permanent neighbour entries in the hosts
#   fl_capture_start, fl_capture_complete, fl_capture_vv, expect_checksums_ok
#                                 whole-frame captures, their -vv text, checksum checks
#   fl_rpc METHOD                 raw JSON-RPC on the socket, params on stdin
#
# Every call of these goes to bridge $FL_BR ($NS_BR unless set). Hosts get
# static neighbour entries (fl_neigh) so that no ARP crosses the switch and
# counters and captures hold only the test's own packets.

FL_BR=${FL_BR:-$NS_BR}
FL_FILES=0

# fl_via CMD: "vsctl" when this vsctl has the command (and FLOW_VIA allows it), else "rpc".
fl_via() {
	case ${FLOW_VIA:-auto} in
	rpc) echo rpc ;;
	vsctl) echo vsctl ;;
	*)
		if [ -z "${FL_HELP:-}" ]; then
			FL_HELP=$("$VSCTL" help 2>&1)
		fi
		if grep -qE "^  $1( |\$)" <<<"$FL_HELP"; then echo vsctl; else echo rpc; fi
		;;
	esac
}

# fl_note_via: says once which path the flow commands take.
fl_note_via() {
	local c out=""
	for c in add-flow del-flows mod-flows replace-flows bundle dump-flows; do
		out+="$c:$(fl_via "$c") "
	done
	note "flow commands via: $out"
}

# fl_params KEY=VALUE...: a params object for the bridge; "strict" is a boolean,
# "rules=@FILE" a list of the file's lines, "ops=@FILE" bundle operations from
# a file in the bundle syntax.
fl_params() {
	$PY - "$FL_BR" "$@" <<'EOF'
import json, sys
p = {"bridge": sys.argv[1]}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    if k == "strict":
        p[k] = v == "true"
    elif k == "rules":
        p[k] = [l.strip() for l in open(v[1:]) if l.strip() and not l.strip().startswith("#")]
    elif k == "ops":
        ops = []
        for l in open(v[1:]):
            l = l.strip()
            if not l or l.startswith("#"):
                continue
            word, _, rest = l.partition(" ")
            if any(c in word for c in "=,:"):
                word, rest = "add", l
            op = {"op": word.replace("-strict", ""), "rule": rest.strip()}
            if word.endswith("-strict"):
                op["strict"] = True
            ops.append(op)
        p[k] = ops
    else:
        p[k] = v
print(json.dumps(p))
EOF
}

# fl_call METHOD PARAMS: vsctl call, result on stdout (discarded by callers that
# only need the status), vsctl's message on stderr. Params too large for one
# command-line argument (128 KiB) go straight to the socket (fl_rpc).
fl_call() {
	if [ ${#2} -lt 100000 ]; then
		vsctl call "$1" "$2"
	else
		printf '%s' "$2" | fl_rpc "$1"
	fi
}

# fl_rpc METHOD: one JSON-RPC request on the control socket, params read from
# stdin. Prints the result; on an error prints "rpc: MESSAGE (error CODE)" to
# stderr and returns 1.
fl_rpc() {
	$PY -c '
import json, socket, sys
params = json.loads(sys.stdin.read())
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(120)
s.connect(sys.argv[1])
req = {"jsonrpc": "2.0", "id": 1, "method": sys.argv[2], "params": params}
s.sendall(json.dumps(req).encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    buf += chunk
try:
    resp = json.loads(buf)
except Exception:
    sys.stderr.write("rpc: unparsable response %r\n" % buf[:200])
    sys.exit(2)
if "error" in resp:
    sys.stderr.write("rpc: %s (error %s)\n" % (resp["error"].get("message"), resp["error"].get("code")))
    sys.exit(1)
print(json.dumps(resp.get("result"), indent=2))' "$NS_SOCK" "$1"
}

# A new file in the temp dir holding the arguments, one per line.
fl_file() {
	FL_FILES=$((FL_FILES + 1))
	FL_FILE="$NS_DIR/rules.$FL_FILES"
	printf '%s\n' "$@" >"$FL_FILE"
}

# Every change below writes the counts of its result ({"added": N, "removed":
# N, "modified": N}) to $NS_DIR/counts.json (read them with fl_counts) and
# prints nothing; a refusal's message goes to stderr and the status is 1.
fl_do() {
	local cmd=$1 method=$2 params=$3
	shift 3
	if [ "$(fl_via "$cmd")" = vsctl ]; then
		vsctl -j "$cmd" "$FL_BR" "$@" >"$NS_DIR/counts.json"
	else
		fl_call "$method" "$params" >"$NS_DIR/counts.json"
	fi
}

# fl_counts KEY: added, removed or modified of the last change.
fl_counts() {
	$PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$NS_DIR/counts.json" "$1"
}

flow_add() { fl_do add-flow flow.add "$(fl_params rule="$1")" "$1"; }

# flow_del [FILTER] [--strict]
flow_del() {
	local filter="" strict=false a kv=() args=()
	for a in "$@"; do
		if [ "$a" = --strict ]; then strict=true; else filter=$a; fi
	done
	[ -n "$filter" ] && kv+=(filter="$filter") && args+=("$filter")
	[ "$strict" = true ] && kv+=(strict=true) && args+=(--strict)
	fl_do del-flows flow.del "$(fl_params "${kv[@]}")" "${args[@]}"
}

# flow_mod RULE [--strict]
flow_mod() {
	local kv=(rule="$1")
	[ "${2:-}" = --strict ] && kv+=(strict=true)
	fl_do mod-flows flow.mod "$(fl_params "${kv[@]}")" "$@"
}

# flow_replace RULE...: these become the bridge's only rules.
flow_replace() {
	fl_file "$@"
	flow_replace_file "$FL_FILE"
}

flow_replace_file() { fl_do replace-flows flow.replace "$(fl_params rules=@"$1")" "$1"; }

# flow_bundle OP...: "add RULE", "del[-strict] RULE", "mod[-strict] RULE", in order, all or none.
flow_bundle() {
	fl_file "$@"
	flow_bundle_file "$FL_FILE"
}

flow_bundle_file() { fl_do bundle flow.bundle "$(fl_params ops=@"$1")" "$1"; }

# flow_dump [FILTER]: the dump as JSON ({"bridge": ..., "flows": [...]}).
flow_dump() {
	if [ "$(fl_via dump-flows)" = vsctl ]; then
		vsctl -j dump-flows "$FL_BR" "$@"
	else
		local kv=()
		[ $# -gt 0 ] && kv+=(filter="$1")
		fl_call flow.dump "$(fl_params "${kv[@]}")"
	fi
}

# Python that reads a dump on stdin into `flows` (a list), for the helpers below.
FL_PY_LOAD='
import json, sys
raw = sys.stdin.read()
try:
    d = json.loads(raw)
except Exception as e:
    print("unparsable dump (%s): %r" % (e, raw[:200])); sys.exit(3)
flows = d["flows"] if isinstance(d, dict) else d
'

# flow_stat COOKIE FIELD: FIELD of the rule whose cookie is COOKIE (a number,
# compared by value); "none" when there is no such rule, "dup" for several.
flow_stat() { flow_dump | fl_pick "$@"; }

# fl_pick COOKIE FIELD: flow_stat on a dump read from stdin.
fl_pick() {
	$PY -c "$FL_PY_LOAD"'
want = int(sys.argv[1], 0)
hits = [f for f in flows if int(str(f.get("cookie", "0")), 0) == want]
if not hits:
    print("none")
elif len(hits) > 1:
    print("dup")
else:
    v = hits[0].get(sys.argv[2])
    print("<absent>" if v is None else v)' "$1" "$2"
}

# flow_set [FILTER]: the rules, without counters and ages, one per line in
# rule syntax with timeouts, sorted: what a restart must bring back.
flow_set() {
	flow_dump "$@" | $PY -c "$FL_PY_LOAD"'
out = []
for f in flows:
    parts = ["table=%s" % f["table"], "priority=%s" % f["priority"],
             "cookie=%s" % hex(int(str(f["cookie"]), 0))]
    if f.get("idle_timeout"):
        parts.append("idle_timeout=%s" % f["idle_timeout"])
    if f.get("hard_timeout"):
        parts.append("hard_timeout=%s" % f["hard_timeout"])
    if f["match"]:
        parts.append(f["match"])
    parts.append("actions=" + f["actions"])
    out.append(",".join(parts))
for line in sorted(out):
    print(line)'
}

# flow_n: how many rules the bridge has.
flow_n() {
	flow_dump | $PY -c "$FL_PY_LOAD"'
print(len(flows))'
}

fl_stat_is() { [ "$(flow_stat "$1" "$2")" = "$3" ]; }

# expect_flow_packets COOKIE N [BYTES]: the rule's n_packets reaches N within 3 s
# and is exactly N (and n_bytes exactly BYTES).
expect_flow_packets() {
	local cookie=$1 n=$2 bytes=${3:-} seen
	wait_until 3 fl_stat_is "$cookie" n_packets "$n"
	seen=$(flow_stat "$cookie" n_packets)
	[ "$seen" = "$n" ] || fail "rule cookie=$cookie: n_packets $seen, expected exactly $n"
	if [ -n "$bytes" ]; then
		seen=$(flow_stat "$cookie" n_bytes)
		[ "$seen" = "$bytes" ] || fail "rule cookie=$cookie: n_bytes $seen, expected exactly $bytes ($n packets)"
	fi
	ok "rule cookie=$cookie counted $n packets${bytes:+, $bytes bytes}"
}

# fl_neigh H IP MAC [DEV]: a permanent neighbour entry in H.
fl_neigh() {
	in_ns "$1" ip neigh replace "$2" lladdr "$3" dev "${4:-eth0}" nud permanent ||
		fail "cannot add neighbour $2 -> $3 in $1"
}

# fl_static_arp H:IP...: every listed host knows every other one's MAC.
fl_static_arp() {
	local a b ha hb ib
	for a in "$@"; do
		ha=${a%%:*}
		for b in "$@"; do
			hb=${b%%:*} ib=${b#*:}
			[ "$ha" = "$hb" ] && continue
			fl_neigh "$ha" "$ib" "$(host_mac "$hb")"
		done
	done
}

# fl_capture_start TAG H IFACE: like capture_start, but whole frames (checksums
# can only be verified on complete packets) and a 16 MiB buffer, so that a
# burst of TCP segments is not lost to the capture (see fl_capture_complete).
fl_capture_start() {
	local tag=$1 h=$2 dev=$3
	rm -f "$NS_DIR/$tag.pcap" "$NS_DIR/$tag.err"
	bg_start tcpdump ip netns exec "$(ns_of "$h")" tcpdump -i "$dev" -nn -U --immediate-mode \
		-Z root -s 0 -B 16384 -w "$NS_DIR/$tag.pcap" 2>"$NS_DIR/$tag.err"
	# shellcheck disable=SC2034 # netns_lib.sh's capture_stop reads it
	CAP_PID[$tag]=$BG_PID
	wait_until 5 grep -q "listening on" "$NS_DIR/$tag.err" ||
		fail "tcpdump on $dev in $h did not start: $(cat "$NS_DIR/$tag.err")"
}

# fl_capture_complete TAG: after capture_stop, fails when tcpdump says the
# kernel dropped frames it should have captured (counts would be wrong).
fl_capture_complete() {
	local tag=$1 dropped
	dropped=$(awk '/packets dropped by kernel/ {print $1}' "$NS_DIR/$tag.err")
	[ "$dropped" = 0 ] || fail "capture $tag is incomplete: tcpdump says '${dropped:-?}' packets dropped by kernel"
}

# fl_capture_vv TAG [FILTER]: tcpdump -vv of the capture, each frame on one line
# (tcpdump continues a frame on indented lines: they are joined).
fl_capture_vv() {
	local tag=$1
	shift
	tcpdump -r "$NS_DIR/$tag.pcap" -e -nn -vv "$@" 2>/dev/null | awk '
		/^[ \t]/ { line = line " " $0; next }
		{ if (line != "") print line; line = $0 }
		END { if (line != "") print line }'
}

# expect_checksums_ok TAG WHAT [FILTER]: every IPv4 frame of the capture that
# matches has a correct IP header checksum, and its TCP or UDP checksum is
# verified correct by tcpdump ("[udp sum ok]", "cksum 0x... (correct)").
expect_checksums_ok() {
	local tag=$1 what=$2 lines n bad unverified
	shift 2
	lines=$(fl_capture_vv "$tag" "$@")
	n=$(grep -c . <<<"$lines")
	[ "$n" -gt 0 ] || fail "$what: no frame in the capture to check"
	bad=$(grep -E 'bad cksum|incorrect|bad udp cksum' <<<"$lines" | head -n 3)
	[ -z "$bad" ] || fail "$what: tcpdump reports bad checksums: $bad"
	unverified=$(grep -E ' (UDP|udp|TCP|tcp|Flags) ' <<<"$lines" |
		grep -vE 'udp sum ok|\(correct\)' | head -n 3)
	[ -z "$unverified" ] || fail "$what: tcpdump did not verify these checksums: $unverified"
	ok "$what: $n frames, IP and TCP/UDP checksums correct"
}
