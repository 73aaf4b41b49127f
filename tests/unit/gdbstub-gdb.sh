#!/bin/sh
# The gdb stub against Debian's gdb, with no KVM: gdbstub_fake serves a
# fake process made of a real static ELF (gdbstub_prog), and gdb in batch
# mode connects three times: reading the program through vFile, its
# registers, code, threads and a breakpoint's stop, then detaching; a
# watchpoint, reverse execution reaching the history's start and a
# continue to the exit; a single step and a kill.  Each check greps gdb's
# own output.
#
#   tests/unit/gdbstub-gdb.sh FAKE PROG
set -u
fake=$1
prog=$2
gdb=${GDB:-gdb}
if ! command -v "$gdb" >/dev/null 2>&1; then
	echo "gdbstub-gdb: FAIL: no gdb ($gdb) on PATH (make deps installs it)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$fake" "$prog" "$tmp/port" 3 2>"$tmp/fake.err" &
fakepid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -s "$tmp/port" ]; then
	echo "gdbstub-gdb: FAIL: the fake target did not start" >&2
	cat "$tmp/fake.err" >&2
	exit 1
fi
port=$(cat "$tmp/port")

# Session one: what gdb sees of a stopped process, then detach.
printf '%s\n' \
	'set confirm off' 'set pagination off' "target remote :$port" \
	'info registers rip' 'x/2i $pc' 'break main' 'continue' 'info threads' \
	'thread 2' 'print $fs_base' 'print $orig_rax' 'print $mxcsr' \
	'info registers eflags' 'print $ftag' 'print $xmm0.uint128' 'print $st0' \
	'monitor help' 'monitor nosuch' 'detach' >"$tmp/one.gdb"
# Session two: running forwards and backwards.
printf '%s\n' \
	'set confirm off' 'set pagination off' "target remote :$port" \
	'break bump' 'continue' 'rwatch counter' 'continue' 'delete' \
	'reverse-continue' 'reverse-stepi' 'continue' >"$tmp/two.gdb"
# Session three: a single step (the fake moves rip one byte), then kill.
printf '%s\n' \
	'set confirm off' "target remote :$port" 'stepi' 'info sharedlibrary' 'kill' \
	>"$tmp/three.gdb"
timeout 60 "$gdb" -batch -nx -x "$tmp/one.gdb" >"$tmp/one.out" 2>&1
timeout 60 "$gdb" -batch -nx -x "$tmp/two.gdb" >"$tmp/two.out" 2>&1
timeout 60 "$gdb" -batch -nx -x "$tmp/three.gdb" >"$tmp/three.out" 2>&1
wait $fakepid
fakerc=$?

# The ELF's entry point, e_entry (8 bytes at offset 24), in hex.
entry=$(od -An -j24 -N8 -t x8 "$prog" | tr -d ' ' | sed 's/^0*//')
failed=0
check() { # SESSION WHAT REGEX: gdb's output must match REGEX (grep -E)
	if ! grep -Eq -- "$3" "$tmp/$1.out"; then
		echo "gdbstub-gdb: FAIL: $2 (no /$3/ in gdb's output)" >&2
		failed=1
	fi
}
check one "gdb read the program through vFile" "Reading symbols from target:.*gdbstub_prog"
check one "rip is the ELF's entry point" "^rip +0x0*$entry +0x0*$entry <_start>"
check one "x/2i disassembles the entry" "^=> 0x0*$entry <_start>:"
check one "x/2i shows a second instruction" "^   0x[0-9a-f]+ <_start\+[0-9]+>:"
check one "break main resolves through the line table" "^Breakpoint 1 at 0x[0-9a-f]+: file .*gdbstub_prog.c, line [0-9]+"
check one "continue stops at the breakpoint" "hit Breakpoint 1, main \(\) at .*gdbstub_prog.c:[0-9]+"
check one "info threads lists the first thread, named" "^\* 1 +Thread 4242\.4242 \"gdbstub_prog\" +main \(\)"
check one "info threads lists the second thread" "^  2 +Thread 4242\.4243 \"worker\""
check one "thread 2 switches" "Switching to thread 2 \(Thread 4242\.4243\)"
check one "fs_base comes from the segments feature" '^\$1 = 5010304$'
check one "orig_rax from the linux feature" '^\$2 = -1$'
check one "mxcsr with its flags" '^\$3 = \[ IM DM ZM OM UM PM \]$'
check one "eflags with its flags" "^eflags +0x202 +\[ IF \]"
check one "ftag: FXSAVE's abridged tags made whole (all empty)" '^\$4 = 65535$'
check one "xmm0 through the vec128 union" '^\$5 = 0$'
check one "st0, an x87 register" '^\$6 = 0$'
check one "monitor output reaches gdb" "^fake target: no monitor commands but this one$"
check one "an unknown monitor command is named" "^rrv: unknown monitor command: 'nosuch'"
check one "detach" "Inferior 1 \(process 4242\) detached"
check two "a breakpoint in a function" "Breakpoint 1, .*bump \("
check two "a read watchpoint is set in hardware" "^Hardware read watchpoint 2: counter$"
check two "and its stop is reported as one" "^Value = 0$"
check two "reverse-continue reaches the start of the history" "No more reverse-execution history"
check two "continue runs to the exit" "Inferior 1 \(process 4242\) exited normally"
entry1=$(printf '%x' $((0x$entry + 1)))
check three "stepi reports the new pc" "^0x0*$entry1 in _start \(\)$"
check three "a static program has no shared libraries (libraries-svr4)" "^No shared libraries loaded at this time\.$"
check three "kill" "Inferior 1 \(process 4242\) killed"
if [ "$fakerc" -ne 0 ]; then
	echo "gdbstub-gdb: FAIL: the fake target's sessions did not end cleanly" >&2
	failed=1
fi
if [ $failed -ne 0 ]; then
	for f in one two three; do
		echo "---- gdb's output, session $f:" >&2
		cat "$tmp/$f.out" >&2
	done
	echo "---- the fake target:" >&2
	cat "$tmp/fake.err" >&2
	exit 1
fi
echo "gdbstub-gdb: all 27 checks of gdb's output passed"
