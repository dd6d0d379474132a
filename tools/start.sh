#!/usr/bin/env bash
# The README's first command: set up the host, build, and start vswitchd on its
# embedded default (store /var/lib/vswitch/conf.db; bridge br0 with the
# vhost-user client port vm0 on first start), then show how to attach a VM.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sock=/run/vswitch/vswitchd.sock
log=/var/log/vswitch/vswitchd.log

"$top/tools/setup-host.sh"
"$top/tools/build.sh"
vsctl="$top/build/ctl/vsctl"

if "$vsctl" --socket "$sock" --timeout 2 show >/dev/null 2>&1; then
	echo "vswitchd is already running on $sock"
else
	mkdir -p "$(dirname "$log")"
	setsid "$top/build/vswitch/vswitchd" --log-file "$log" >>"$log" 2>&1 < /dev/null &
	for _ in $(seq 100); do
		"$vsctl" --socket "$sock" --timeout 1 show >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! "$vsctl" --socket "$sock" --timeout 1 show >/dev/null 2>&1; then
		echo "vswitchd did not start; its log ($log) says:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	echo "vswitchd started (pid $!); log: $log"
fi

"$vsctl" show
port=$("$vsctl" list-ports br0 2>/dev/null | head -n 1 || true)
if [ -n "$port" ]; then
	echo
	"$vsctl" attach-info "$port"
fi
cat <<EOT

Use $vsctl (or 'meson install -C $top/build' to put vsctl and vswitchd on PATH):
  vsctl add-port br0 vm1 type=vhostuser-client socket=/run/vswitch/vm1.sock
  vsctl help
Stop the switch with: kill \$(pidof vswitchd)
EOT
