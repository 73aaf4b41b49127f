#!/usr/bin/env bash
# rrv debug's forward tests: records each program of tests/debug (built
# by `make debug-progs`, static with glibc and musl, -g -O0), then runs
# Debian's gdb in batch mode on the replay (rrv debug TRACE -- -batch -nx
# -x SCRIPT, or --port with gdb connecting itself) and checks gdb's
# output with grep, and that continuing to the end printed the recorded
# output and gave the recorded exit status:
#   basic    break at a function, bt with source lines, print of a local,
#            a global and a string, finish with the value returned
#   step     next and stepi inside a function
#   goto     -g EVENT stops after that event of rrv dump
#   watch    a hardware watchpoint on a global stops after the write, in
#            the function that wrote it; stepi from there is one step
#            (no SIGTRAP)
#   threads  info threads lists both threads; a breakpoint in the second
#            stops in it
#   spin     two threads spinning on flags (asynchronous preemption
#            points, found with DR0): breakpoints in one, and the replay
#            still matches the recording
#   forks    -p CHILD debugs the forked child
#   crash    SIGSEGV stops at the faulting line; bt names the caller
#   sort     /usr/bin/sort (dynamic, Debian's): a breakpoint in libc's
#            write, with libc frames in bt
#   packed   a trace packed by rrv pack (report_libmain and its
#            libreport.so, of tests/e2e) debugged after the library was
#            renamed away: bt names the library's function and line
#   errors   no gdb, a port in use, a bad option
#
#   tools/with-kvm sh tests/debug/run.sh [REGEX]
#
# RRV names the rrv binary (default build/rrv), GDB the gdb (default gdb).
# REGEX picks tests by name.  Exit status 0 when every check passed.

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
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rrv-debug.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
filter=${1:-.}
pass=0
fail=0

ok() { pass=$((pass + 1)); printf 'PASS %s\n' "$1"; }
bad() {
	fail=$((fail + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
	[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/    | /' "$3" | tail -25
}

for p in basic threads forks crash spin; do
	for l in glibc musl; do
		[ -x "$BIN/$p-$l" ] || { echo "missing $BIN/$p-$l (run make debug-progs)"; exit 2; }
	done
done
for f in report_libmain libreport.so; do
	[ -e "$ROOT/build/tests/e2e/$f" ] ||
		{ echo "missing build/tests/e2e/$f (run make debug-progs)"; exit 2; }
done
command -v "$GDB" >/dev/null || { echo "no gdb ($GDB): this suite needs it"; exit 2; }
# gdb reaches rrv over loopback, which tools/with-kvm's nested VM starts
# with down (as tests/net/run.sh does).
if command -v ip >/dev/null && ip link show lo 2>/dev/null | grep -q 'state DOWN'; then
	ip link set lo up 2>/dev/null || echo "debug: loopback is down and cannot be brought up" >&2
fi

# record NAME PROGRAM [ARGS...]: $TMP/NAME.rrv, its stdout and status.
record() {
	local name=$1
	shift
	timeout 120 "$RRV" record -o "$TMP/$name.rrv" "$@" >"$TMP/$name.out" \
		2>"$TMP/$name.rec-err"
	echo $? >"$TMP/$name.status"
}

# debug NAME SCRIPT [OPTIONS...]: gdb runs SCRIPT on NAME's replay; its
# output and the program's in $TMP/NAME.gdb, rrv's status in $dstatus.
debug() {
	local name=$1 script=$2
	shift 2
	timeout 300 "$RRV" debug --debugger="$GDB" "$@" "$TMP/$name.rrv" -- \
		-batch -nx -x "$HERE/$script" >"$TMP/$name.gdb" 2>&1
	dstatus=$?
}

# expect TEST NAME PATTERN WHAT: gdb's output matches the extended regex.
expect() {
	if grep -Eq -- "$3" "$TMP/$2.gdb"; then
		ok "$1: $4"
	else
		bad "$1: $4" "no line matches /$3/" "$TMP/$2.gdb"
	fi
}

# ends TEST NAME: the recorded output appeared, in order, and rrv debug
# exited with the recorded status.
ends() {
	local want
	want=$(cat "$TMP/$2.status")
	if [ "$dstatus" != "$want" ]; then
		bad "$1: recorded status" "rrv debug exited $dstatus, the recording $want" \
			"$TMP/$2.gdb"
		return
	fi
	if ! grep -Fxf "$TMP/$2.out" "$TMP/$2.gdb" | cmp -s - "$TMP/$2.out"; then
		bad "$1: recorded output" "the program's output differs from the recording's" \
			"$TMP/$2.gdb"
		return
	fi
	ok "$1: continue to the end gives the recorded output and status $want"
}

want() { [[ $1 =~ $filter ]]; }

for l in glibc musl; do
	if want "basic-$l"; then
		t=basic-$l
		record "$t" "$BIN/basic-$l"
		debug "$t" basic.gdb
		expect "$t" "$t" '^Breakpoint 1, square_plus \(x=5\) at .*basic\.c:1[0-9]' \
			"breakpoint at a function, with its argument"
		expect "$t" "$t" '^#1 +0x[0-9a-f]+ in main \(\) at .*basic\.c:2[0-9]' \
			"bt names main with its source line"
		expect "$t" "$t" '^\$1 = 5$' "print of an argument"
		expect "$t" "$t" '^\$2 = 7$' "print of a global"
		expect "$t" "$t" '^\$3 = 0x[0-9a-f]+ "basic"$' "print of a string"
		expect "$t" "$t" '^Value returned is \$4 = 32$' "finish returns the value"
		expect "$t" "$t" 'exited with code 03\]' "gdb sees the recorded exit"
		ends "$t" "$t"
	fi
	# glibc's printf asks about stdout (fstat) from main; musl's does not
	if [ "$l" = glibc ] && want "goto-$l"; then
		t=goto-$l
		if [ -s "$TMP/basic-$l.status" ]; then
			for f in rrv out status; do cp "$TMP/basic-$l.$f" "$TMP/$t.$f"; done
		else
			record "$t" "$BIN/basic-$l"
		fi
		# The event that asks about stdout (printf's first call), by
		# rrv dump's number.
		ev=$("$RRV" dump "$TMP/$t.rrv" 2>/dev/null | sed -n 's/^ *\([0-9]*\) .*fstat.*(dir=1,.*/\1/p' | head -1)
		debug "$t" goto.gdb -g "$ev"
		expect "$t" "$t" '^#[0-9]+ +0x[0-9a-f]+ in main \(\) at .*basic\.c:2[0-9]' \
			"-g $ev stops inside main's printf, after that event"
		if grep -q ' in _start ()' "$TMP/$t.gdb"; then
			bad "$t: not at the start" "gdb stopped at _start" "$TMP/$t.gdb"
		else
			ok "$t: not at the program's first instruction"
		fi
		ends "$t" "$t"
	fi
	if want "step-$l"; then
		t=step-$l
		# basic's recording when it was made, else one of its own
		if [ -s "$TMP/basic-$l.status" ]; then
			for f in rrv out status; do cp "$TMP/basic-$l.$f" "$TMP/$t.$f"; done
		else
			record "$t" "$BIN/basic-$l"
		fi
		debug "$t" step.gdb
		expect "$t" "$t" '^1[0-9][[:space:]]+int result = sq \+ counter;' \
			"next goes to the next line"
		expect "$t" "$t" '^\$1 = 25$' "a local after next"
		expect "$t" "$t" '^0x[0-9a-f]+[[:space:]]+1[0-9][[:space:]]' "stepi moves by instructions"
		ends "$t" "$t"
	fi
	if want "watch-$l"; then
		t=watch-$l
		record "$t" "$BIN/basic-$l"
		debug "$t" watch.gdb
		expect "$t" "$t" '^Hardware watchpoint 2: counter' "a hardware watchpoint"
		expect "$t" "$t" '^Old value = 7$' "the old value"
		expect "$t" "$t" '^New value = 33$' "the new value"
		expect "$t" "$t" '^#0 +overwrite \(v=11\) at .*basic\.c:1[0-9]' \
			"stopped in the function that wrote"
		expect "$t" "$t" '^\$1 = 1$' "stepi from the watchpoint stop moves on"
		if grep -q 'SIGTRAP' "$TMP/$t.gdb"; then
			bad "$t" "stepi from the watchpoint stop gave a SIGTRAP" "$TMP/$t.gdb"
		else
			ok "$t: stepi from the watchpoint stop is no signal"
		fi
		ends "$t" "$t"
	fi
	if want "threads-$l"; then
		t=threads-$l
		record "$t" "$BIN/threads-$l"
		debug "$t" threads.gdb
		expect "$t" "$t" 'hit Breakpoint 1, in_worker \(n=40\)' \
			"a breakpoint in the second thread"
		expect "$t" "$t" '^\* 2 +Thread ' "the stop is in thread 2"
		expect "$t" "$t" '^  1 +Thread ' "info threads lists the first thread"
		ends "$t" "$t"
	fi
	if want "spin-$l"; then
		t=spin-$l
		record "$t" "$BIN/spin-$l"
		if ! "$RRV" dump "$TMP/$t.rrv" 2>/dev/null | grep -qi preempt; then
			bad "$t" "the recording has no preemption point to keep" "$TMP/$t.rec-err"
		fi
		debug "$t" spin.gdb
		expect "$t" "$t" 'hit Breakpoint 1, add_turn \(r=0\)' "a breakpoint in the spinning worker"
		expect "$t" "$t" '^\$2 = 1$' "its second hit, in the next round"
		expect "$t" "$t" '^\$3 = 13$' "the total both threads made"
		ends "$t" "$t"
	fi
	if want "forks-$l"; then
		t=forks-$l
		record "$t" "$BIN/forks-$l"
		child=$(sed -n 's/^child \([0-9]*\):.*/\1/p' "$TMP/$t.out")
		if [ -z "$child" ]; then
			bad "$t" "the recording printed no child pid" "$TMP/$t.out"
		else
			debug "$t" forks.gdb -p "$child"
			expect "$t" "$t" '^Breakpoint 1, child_work \(k=21\)' \
				"-p $child stops in the child"
			expect "$t" "$t" '^\$1 = 21$' "the child's local"
			expect "$t" "$t" 'exited with code 05\]' "the child's exit status"
			ends "$t" "$t"
		fi
	fi
	if want "crash-$l"; then
		t=crash-$l
		record "$t" "$BIN/crash-$l"
		debug "$t" crash.gdb
		expect "$t" "$t" 'received signal SIGSEGV' "SIGSEGV stops the program"
		expect "$t" "$t" '^#0 +(0x[0-9a-f]+ in )?deref \(p=0x0\) at .*crash\.c:8' \
			"at the faulting line"
		expect "$t" "$t" '^#1 +0x[0-9a-f]+ in pass_null \(\) at .*crash\.c:1[0-9]' \
			"bt names the caller that passed the bad pointer"
		expect "$t" "$t" 'terminated with signal SIGSEGV' "then the recorded death"
		ends "$t" "$t"
	fi
done

if want sort; then
	t=sort
	printf 'pear\napple\nfig\n' >"$TMP/fruit"
	record "$t" /usr/bin/sort "$TMP/fruit"
	debug "$t" sort.gdb
	expect "$t" "$t" '^Breakpoint 1, .*write' "a breakpoint in libc's write"
	expect "$t" "$t" '^#[1-9] +0x[0-9a-f]+ in (_IO_new_file_write|new_do_write|_IO_new_do_write|_IO_file_write) ' \
		"bt shows libc's frames"
	ends "$t" "$t"
fi

if want packed; then
	t=packed
	lib=$TMP/packed-lib
	libmain=$ROOT/build/tests/e2e/report_libmain
	mkdir -p "$lib"
	cp "$ROOT/build/tests/e2e/libreport.so" "$lib/libreport.so"
	LD_LIBRARY_PATH=$lib record "$t" "$libmain"
	"$RRV" pack "$TMP/$t.rrv" >"$TMP/$t.pack" 2>&1 ||
		bad "$t: rrv pack" "status $?" "$TMP/$t.pack"
	mv "$lib/libreport.so" "$lib/renamed.so"
	debug "$t" packed.gdb
	expect "$t" "$t" "^Reading $lib/libreport\.so from remote target" \
		"gdb reads the library that is gone from the packed trace"
	expect "$t" "$t" '^#0 +lib_store \(p=0x0\) at .*libreport\.c:[0-9]+' \
		"bt names the packed library's function and line"
	expect "$t" "$t" '^#2 +0x[0-9a-f]+ in main \(.*report_libmain\.c:[0-9]+' \
		"and the program's caller"
	if grep -q 'libreport\.so is not in the trace' "$TMP/$t.gdb"; then
		bad "$t: no missing-file message" "the packed library was named as missing" \
			"$TMP/$t.gdb"
	else
		ok "$t: the packed library is not named as missing"
	fi
	ends "$t" "$t"
fi

if want errors; then
	record err "$BIN/basic-glibc"
	"$RRV" debug --debugger=/nonexistent/gdb "$TMP/err.rrv" >"$TMP/e1" 2>&1
	s=$?
	if [ $s = 71 ] && grep -q '^rrv: cannot start gdb: /nonexistent/gdb: .*(install gdb, or name one with --debugger=PATH)' "$TMP/e1"; then
		ok "errors: no gdb is a clear error, status 71"
	else
		bad "errors: no gdb" "status $s" "$TMP/e1"
	fi
	# A port held by another listener.
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$TMP/port" &
	holder=$!
	for _ in $(seq 1 120); do [ -s "$TMP/port" ] && break; sleep 0.5; done
	port=$(cat "$TMP/port")
	"$RRV" debug --port="$port" "$TMP/err.rrv" >"$TMP/e2" 2>&1
	s=$?
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	if [ $s = 71 ] && grep -q "^rrv: cannot listen for gdb on 127.0.0.1:$port: .*(choose another --port" "$TMP/e2"; then
		ok "errors: a port in use is a clear error, status 71"
	else
		bad "errors: port in use" "status $s" "$TMP/e2"
	fi
	"$RRV" debug --goto=x "$TMP/err.rrv" >"$TMP/e3" 2>&1
	s=$?
	if [ $s = 64 ] && grep -q "^rrv: debug: --goto takes an event number" "$TMP/e3"; then
		ok "errors: a bad --goto is a usage error"
	else
		bad "errors: bad --goto" "status $s" "$TMP/e3"
	fi
	# --port=0: rrv picks a port and says which; gdb connects itself.
	"$RRV" debug --port=0 "$TMP/err.rrv" >"$TMP/p.out" 2>"$TMP/p.err" &
	rrv_pid=$!
	for _ in $(seq 1 120); do grep -q 'waiting for gdb' "$TMP/p.err" && break; sleep 0.5; done
	port=$(sed -n 's/^rrv: waiting for gdb: target remote 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/p.err")
	if [ -n "$port" ]; then
		timeout 120 "$GDB" -batch -nx -ex "target remote 127.0.0.1:$port" \
			-ex 'break overwrite' -ex continue -ex 'print counter' \
			-ex continue >"$TMP/p.gdb" 2>&1
	fi
	wait "$rrv_pid"
	s=$?
	if [ -n "$port" ] && grep -q '^\$1 = 7$' "$TMP/p.gdb" && [ $s = 3 ] &&
		grep -qx 'counter now 33' "$TMP/p.out"; then
		ok "errors: --port=0 waits for a client, which debugs; status 3"
	else
		cat "$TMP/p.err" "$TMP/p.gdb" >"$TMP/p.all" 2>/dev/null
		bad "errors: --port=0" "port '$port', status $s" "$TMP/p.all"
	fi
fi

echo "debug: $pass passed, $fail failed"
[ $fail -eq 0 ]
