#!/usr/bin/env bash
# Prepares a Debian 12 host for building, running and testing vswitch:
# Debian packages, 2 MiB hugepages and their mount. Idempotent; run as root.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	dpdk dpdk-dev libdpdk-dev
	libjansson-dev libsqlite3-dev libcmocka-dev
	libnl-3-dev libnl-route-3-dev libbpf-dev libxdp-dev
	iproute2 python3
	# Integration tests and perf/bench_linux_bridge.sh: real Linux stacks as peers.
	iputils-ping ethtool netcat-openbsd iperf3 tcpdump gnuplot-nox
	# This kernel has no 802.1Q module: the tests tag frames with tc BPF programs.
	clang libbpf-dev
)
hugepages=${VSWITCH_HUGEPAGES:-2048}

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-host: run as root (it installs packages and reserves hugepages)" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup-host: installing ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# vhost-user shares guest memory through hugepage files: DPDK needs them mounted.
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$hugepages" ]; then
	echo "$hugepages" > /proc/sys/vm/nr_hugepages
fi
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 512 ]; then
	echo "setup-host: only $(cat /proc/sys/vm/nr_hugepages) hugepages could be reserved; need 512 or more" >&2
	exit 1
fi
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
