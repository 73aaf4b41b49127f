#!/bin/sh
# tools/deps.sh: install the Debian packages that rrv's build and tests
# need. Quiet and quick when everything is there, so that `make deps` can
# run before every build.
#
# qemu-system-x86, busybox-static, cpio and xz-utils are for tools/with-kvm
# (the nested VM used where the machine has no /dev/kvm).  libc6-dbg is the
# C library's separate debug file: crash reports name its internal
# functions and lines with it (docs/reports.md), and the tests expect them.
# gdb is rrv debug's client; make unit-test drives it against the gdb stub
# (tests/unit/gdbstub-gdb.sh).

PACKAGES="gcc make clang gdb libelf-dev libzstd-dev libcapstone-dev libunwind-dev libdw-dev libc6-dbg libcmocka-dev pkg-config qemu-system-x86 busybox-static musl-tools cpio zstd xz-utils python3 sqlite3 wget curl"

set -u

# missing_packages: dpkg-query is local and fast, and asking it package by
# package tells "not installed" from "half removed" (both count as missing).
missing_packages() {
	for pkg in $PACKAGES; do
		state=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)
		[ "$state" = installed ] || printf '%s ' "$pkg"
	done
}

command -v dpkg-query >/dev/null 2>&1 || {
	echo "deps: cannot check the packages: dpkg-query is missing (tools/deps.sh knows only Debian and Ubuntu; install these by hand: $PACKAGES)" >&2
	exit 1
}

missing=$(missing_packages)
missing=${missing% }
[ -n "$missing" ] || exit 0

# Root installs directly; anyone else goes through sudo, which is the only
# way a developer's account should gain the right to install packages.
if [ "$(id -u)" = 0 ]; then
	as_root=
elif command -v sudo >/dev/null 2>&1; then
	as_root=sudo
else
	echo "deps: cannot install $missing: not root and sudo is missing (run tools/deps.sh as root)" >&2
	exit 1
fi

echo "deps: installing: $missing"
# The package lists may be stale or absent (fresh containers); without an
# update, install fails on versions the mirror no longer has.
$as_root apt-get update || {
	echo "deps: apt-get update failed (check the network and /etc/apt/sources.list)" >&2
	exit 1
}
# shellcheck disable=SC2086 # the list is meant to split into words
$as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends $missing || {
	echo "deps: apt-get install failed for: $missing" >&2
	exit 1
}
