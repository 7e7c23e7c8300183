#!/usr/bin/env bash
# setup.sh: set up a Debian 12 node for npvs, build it, then run the demo or
# the whole test suite. Idempotent; run as root.
#
#   ./setup.sh demo     packages, hugepages, build, then the demo
#   ./setup.sh test     packages, hugepages, build, then every test
#   ./setup.sh build    packages, hugepages, build only
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${NPVS_BUILD_DIR:-$top/build}
hugepages=${NPVS_HUGEPAGES:-1024}        # 2 MiB pages: 2 GiB

packages=(dpdk dpdk-dev libdpdk-dev libyaml-dev libjansson-dev libcmocka-dev
	meson ninja-build pkg-config gcc iproute2 ethtool iperf3
	netcat-openbsd iputils-ping tcpdump containernetworking-plugins
	python3 procps)

die() { echo "setup.sh: $*" >&2; exit 1; }

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

setup_hugepages() {
	local f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	[ -w "$f" ] || die "cannot write $f (not root, or no 2 MiB hugepages)"
	if [ "$(cat "$f")" -lt "$hugepages" ]; then
		echo "$hugepages" > "$f"
	fi
	[ "$(cat "$f")" -ge 256 ] || die "only $(cat "$f") hugepages could be reserved"
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
}

do_build() {
	if [ -f "$build/build.ninja" ]; then
		meson setup --reconfigure "$build" "$top" >/dev/null
	else
		meson setup "$build" "$top" >/dev/null
	fi
	ninja -C "$build"
}

[ "$(id -u)" -eq 0 ] || die "run as root (packages, hugepages, network namespaces)"
cmd=${1:-}
case "$cmd" in
demo|test|build) ;;
*) echo "usage: $0 demo|test|build" >&2; exit 2 ;;
esac

install_packages
setup_hugepages
do_build

case "$cmd" in
demo) exec bash "$top/tests/demo/demo.sh" "$build" ;;
test) exec bash "$top/tests/run-tests.sh" "$build" ;;
build) ;;
esac
