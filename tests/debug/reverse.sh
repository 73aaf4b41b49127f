#!/usr/bin/env bash
# rrv debug's tests of going backwards (docs/debugging.md, "Going
# backwards"): records programs of tests/debug (built by make
# debug-progs, static glibc and musl, -g -O0) and runs Debian's gdb in
# batch mode on their replays (rrv debug TRACE -- -batch -nx -x SCRIPT),
# checking its output with grep:
#   rstep        reverse-stepi onto the callee's ret, reverse-step back
#                into the call's last line, reverse-finish back to the
#                call, reverse-next back over it
#   rbreak       reverse-continue stops at a breakpoint hit in the past;
#                twice on the same registers; then at the start of the
#                recording ("No more reverse-execution history")
#   rwatch       a watchpoint on a global another function overwrote:
#                reverse-continue stops at the writing line
#   rcheckpoint  gdb's checkpoint and restart 1 come back to the place
#   heap         a heap overflow that aborts later: from the SIGABRT, a
#                watchpoint on the corrupted byte and reverse-continue
#                stop in the memcpy, called by name()
#   heap-dyn     the same, dynamically linked with glibc (build/tests/
#                debug/heap-dyn): the memcpy is libc.so's, reached
#                through the PLT, its code paged in from the file
# and after each, continuing to the end prints the recorded output and
# rrv debug exits with the recorded status.
#
#   tools/with-kvm sh tests/debug/reverse.sh [REGEX]
#
# RRV names the rrv binary (default build/rrv), GDB the gdb (default gdb).
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
RRV=${RRV:-$ROOT/build/rrv}
GDB=${GDB:-gdb}
BIN=$ROOT/build/tests/debug
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rrv-reverse.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export RRV_TRACE_DIR=$TMP/traces RRV_NO_PROGRESS=1
filter=${1:-.}
pass=0
fail=0

ok() { pass=$((pass + 1)); printf 'PASS %s\n' "$1"; }
bad() {
	fail=$((fail + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
	[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/    | /' "$3" | tail -25
}

for p in basic heap; do
	for l in glibc musl; do
		[ -x "$BIN/$p-$l" ] || { echo "missing $BIN/$p-$l (run make debug-progs)"; exit 2; }
	done
done
[ -x "$BIN/heap-dyn" ] || { echo "missing $BIN/heap-dyn (run make debug-progs)"; exit 2; }
command -v "$GDB" >/dev/null || { echo "no gdb ($GDB): this suite needs it"; exit 2; }
# gdb reaches rrv over loopback, which tools/with-kvm's nested VM starts
# with down (as tests/debug/run.sh does).
if command -v ip >/dev/null && ip link show lo 2>/dev/null | grep -q 'state DOWN'; then
	ip link set lo up 2>/dev/null || echo "reverse: loopback is down and cannot be brought up" >&2
fi

# record NAME PROGRAM: $TMP/NAME.rrv, its stdout and status.
record() {
	timeout 120 "$RRV" record -o "$TMP/$1.rrv" "$2" >"$TMP/$1.out" 2>"$TMP/$1.rec-err"
	echo $? >"$TMP/$1.status"
}

# debug TEST TRACE SCRIPT: gdb's output in $TMP/TEST.gdb, rrv's status
# in $dstatus.
debug() {
	timeout 300 "$RRV" debug --debugger="$GDB" "$TMP/$2.rrv" -- -batch -nx \
		-x "$HERE/$3" >"$TMP/$1.gdb" 2>&1
	dstatus=$?
}

expect() { # TEST PATTERN WHAT
	if grep -Eq -- "$2" "$TMP/$1.gdb"; then
		ok "$1: $3"
	else
		bad "$1: $3" "no line matches /$2/" "$TMP/$1.gdb"
	fi
}

ends() { # TEST TRACE: the recorded output, in order, and status
	local want
	want=$(cat "$TMP/$2.status")
	if [ "$dstatus" != "$want" ]; then
		bad "$1: recorded status" "rrv debug exited $dstatus, the recording $want" "$TMP/$1.gdb"
	elif ! grep -Fxf "$TMP/$2.out" "$TMP/$1.gdb" | cmp -s - "$TMP/$2.out"; then
		bad "$1: recorded output" "the program's output differs from the recording's" "$TMP/$1.gdb"
	else
		ok "$1: continue to the end gives the recorded output and status $want"
	fi
}

want() { [[ $1 =~ $filter ]]; }

for l in glibc musl; do
	record "basic-$l" "$BIN/basic-$l"
	if want "rstep-$l"; then
		t=rstep-$l
		debug "$t" "basic-$l" rstep.gdb
		expect "$t" '^0x[0-9a-f]+ in overwrite \(v=11\) at .*basic\.c:19$' \
			"reverse-stepi goes back onto the callee's last instruction"
		expect "$t" '^#0 +overwrite \(v=11\) at .*basic\.c:19$' \
			"reverse-step goes back into the call"
		expect "$t" '^0x[0-9a-f]+ in main \(\) at .*basic\.c:25$' "reverse-finish stops at the call in main"
		expect "$t" '^25[[:space:]]+overwrite\(11\);' "reverse-next goes back over the call"
		ends "$t" "basic-$l"
	fi
	if want "rbreak-$l"; then
		t=rbreak-$l
		debug "$t" "basic-$l" rbreak.gdb
		expect "$t" '^Breakpoint 2, overwrite \(v=11\) at .*basic\.c:18$' \
			"reverse-continue stops at a breakpoint hit in the past"
		first=$(sed -n '/^== first/,/^rdi/p' "$TMP/$t.gdb" | grep -E '^(rip|rsp|rbp|rax|rdi) ')
		second=$(sed -n '/^== second/,/^rdi/p' "$TMP/$t.gdb" | grep -E '^(rip|rsp|rbp|rax|rdi) ')
		if [ -n "$first" ] && [ "$(echo "$first" | wc -l)" = 5 ] && [ "$first" = "$second" ]; then
			ok "$t: the same reverse-continue twice lands on the same registers"
		else
			bad "$t: the same reverse-continue twice" "registers differ or are missing" "$TMP/$t.gdb"
		fi
		expect "$t" '^No more reverse-execution history\.$' \
			"reverse-continue with nothing before stops at the start"
		ends "$t" "basic-$l"
	fi
	if want "rwatch-$l"; then
		t=rwatch-$l
		debug "$t" "basic-$l" rwatch.gdb
		expect "$t" '^#0 +(0x[0-9a-f]+ in )?overwrite \(v=11\) at .*basic\.c:18$' \
			"reverse-continue with a watchpoint stops at the writing line"
		ends "$t" "basic-$l"
	fi
	if want "rcheckpoint-$l"; then
		t=rcheckpoint-$l
		debug "$t" "basic-$l" rcheckpoint.gdb
		at=$(grep -m1 -E '^rip ' "$TMP/$t.gdb")
		again=$(sed -n '/^== restarted/,$p' "$TMP/$t.gdb" | grep -m1 -E '^rip ')
		if [ -n "$at" ] && [ "$at" = "$again" ]; then
			ok "$t: restart 1 comes back to the checkpoint's place"
		else
			bad "$t: restart 1" "rip '$again', the checkpoint's '$at'" "$TMP/$t.gdb"
		fi
		expect "$t" '^1: event [0-9]+, thread [0-9]+, pc 0x' "info checkpoints lists it"
		ends "$t" "basic-$l"
	fi
	if want "heap-$l"; then
		t=heap-$l
		record "$t" "$BIN/heap-$l"
		debug "$t" "$t" heap.gdb
		expect "$t" 'SIGABRT' "the overflow aborts later, in check()"
		expect "$t" '^#[0-9] +(0x[0-9a-f]+ in )?name \(r=0x[0-9a-f]+, src=0x[0-9a-f]+ "abcdefghijklmnop"\) at .*heap\.c:22$' \
			"reverse-continue to the watched byte stops in the memcpy of name()"
		expect "$t" '^#0 +0x[0-9a-f]+ in .*(memcpy|memmove)' "the stop is in memcpy"
		ends "$t" "$t"
	fi
done
# The dynamic glibc build: gdb has libc's symbols (through vFile) and,
# with Debian's debug info, its line, so frame 0 may show no address.
if want heap-dyn; then
	t=heap-dyn
	record "$t" "$BIN/heap-dyn"
	debug "$t" "$t" heap.gdb
	expect "$t" 'SIGABRT' "the overflow aborts later, in check()"
	expect "$t" '^#[0-9] +(0x[0-9a-f]+ in )?name \(r=0x[0-9a-f]+, src=0x[0-9a-f]+ "abcdefghijklmnop"\) at .*heap\.c:22$' \
		"reverse-continue to the watched byte stops in libc.so's memcpy, called by name()"
	expect "$t" '^#0 +(0x[0-9a-f]+ in )?[_a-zA-Z]*(memcpy|memmove)' "the stop is in memcpy"
	if grep -q 'rrv: debug: .*failed\|an rrv bug' "$TMP/$t.gdb"; then
		bad "$t: going back" "rrv reported a failure" "$TMP/$t.gdb"
	else
		ok "$t: going back reports no failure"
	fi
	ends "$t" "$t"
fi
echo "reverse: $pass passed, $fail failed"
[ "$fail" = 0 ]
