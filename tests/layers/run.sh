#!/bin/sh
# tests/layers/run.sh: the include layering of the tree follows layers.conf
# (tools/layers check), and the check really fails on a bad include: a
# copy of the tree where lib/ reaches up into net/, one where mm/ includes
# through ../, and one with a folder layers.conf does not know.
set -u
cd "$(dirname "$0")/../.." || exit 1

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

if out=$(tools/layers check 2>&1); then
	ok "the tree follows layers.conf"
else
	bad "the tree breaks layers.conf:"
	printf '%s\n' "$out"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rrv-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# copy NAME: a fresh copy of what the check reads, in $tmp/NAME.
copy() {
	mkdir -p "$tmp/$1"
	cp -r layers.conf include rekernel-rr "$tmp/$1/"
	for d in $(awk -F: '/^[a-z]/ && $1 !~ /^allow/ { split($1, p, "/"); print p[1] }' layers.conf | sort -u); do
		[ -e "$tmp/$1/$d" ] || cp -r "$d" "$tmp/$1/" 2>/dev/null || true
	done
}

# expect NAME PATTERN: the check of copy NAME fails and says PATTERN.
expect() {
	if out=$(tools/layers check --root "$tmp/$1" 2>&1); then
		bad "$1: the check passed"
	elif printf '%s\n' "$out" | grep -q "$2"; then
		ok "$1: refused ($(printf '%s\n' "$out" | grep "$2" | head -n 1))"
	else
		bad "$1: refused, but without '$2':"
		printf '%s\n' "$out"
	fi
}

copy upward
printf '#include "net/net.h"\n' >>"$tmp/upward/rekernel-rr/lib/string.c"
expect upward "lib/string.c:.*layer rekernel-rr/lib may not include layer rekernel-rr/net"

copy top
printf '#include "kernel/syscall.h"\n' >>"$tmp/top/rekernel-rr/fs/pipe.c"
expect top "fs/pipe.c:.*may not include layer rekernel-rr/kernel"

# Siblings on the host: the replayer may not use the recorder.
copy sibling
printf '#include "record/record.h"\n' >>"$tmp/sibling/replay/replay.c"
expect sibling "replay/replay.c:.*layer replay may not include layer record"

copy dotdot
printf '#include "../proc/proc.h"\n' >>"$tmp/dotdot/rekernel-rr/mm/kalloc.c"
expect dotdot "mm/kalloc.c:.*through \.\./"

copy unlisted
mkdir -p "$tmp/unlisted/rekernel-rr/drivers"
printf 'int x;\n' >"$tmp/unlisted/rekernel-rr/drivers/tty.c"
expect unlisted "drivers/tty.c: in no folder of layers.conf"

copy noreason
printf 'allow rekernel-rr/lib/string.c -> rekernel-rr/net:\n' >>"$tmp/noreason/layers.conf"
expect noreason "an allow needs a reason"

echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
