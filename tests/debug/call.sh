#!/usr/bin/env bash
# rrv debug's function calls (docs/debugging.md, "Calling functions"):
# records tests/debug/call.c (built by `make debug-progs`, static with
# glibc and musl, -g -O0), then runs Debian's gdb in batch mode on the
# replay and checks gdb's output with grep:
#   call      at a breakpoint, print square(3), bump(5) (which changes a
#             global), strlen(s) (libc's, cast: no debug info), the
#             global as changed, set var, then next (the recording's
#             value plus the line's own change) and continue: the program
#             prints the recorded value of the global (the call's change
#             and the set var undone), its recorded output and status
#   callrev   print bump(5), then reverse-continue: the recording's
#             machine first (back to the start), then forward to the
#             breakpoint again, where the global is the recorded one
#   callearly print square(3) at the first stop: its code's page is not
#             in memory yet (it would come from the file): a clear error,
#             and the replay ends as recorded
#   callhost  call puts(msg): the function needs the host (a write to
#             stdout), which a replay cannot give: a clear error, the
#             text never appears, a call after it is refused clearly,
#             and continue still gives the recorded output and status
#
#   tools/with-kvm sh tests/debug/call.sh [REGEX]
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
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rrv-call.XXXXXX")
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

for l in glibc musl; do
	[ -x "$BIN/call-$l" ] || { echo "missing $BIN/call-$l (run make debug-progs)"; exit 2; }
done
command -v "$GDB" >/dev/null || { echo "no gdb ($GDB): this suite needs it"; exit 2; }
# gdb reaches rrv over loopback, which tools/with-kvm's nested VM starts
# with down (as tests/debug/run.sh does).
if command -v ip >/dev/null && ip link show lo 2>/dev/null | grep -q 'state DOWN'; then
	ip link set lo up 2>/dev/null || echo "call: loopback is down and cannot be brought up" >&2
fi

# record NAME PROGRAM: $TMP/NAME.rrv, its stdout and status.
record() {
	timeout 120 "$RRV" record -o "$TMP/$1.rrv" "$2" >"$TMP/$1.out" 2>"$TMP/$1.rec-err"
	echo $? >"$TMP/$1.status"
}

# debug NAME SCRIPT: gdb runs SCRIPT on NAME's replay; its output, rrv's
# and the program's in $TMP/NAME.gdb, rrv's status in $dstatus.
debug() {
	timeout 300 "$RRV" debug --debugger="$GDB" "$TMP/$1.rrv" -- \
		-batch -nx -x "$HERE/$2" >"$TMP/$1.gdb" 2>&1
	dstatus=$?
}

# expect TEST PATTERN WHAT: the output matches the extended regex.
expect() {
	if grep -Eq -- "$2" "$TMP/$1.gdb"; then
		ok "$1: $3"
	else
		bad "$1: $3" "no line matches /$2/" "$TMP/$1.gdb"
	fi
}

# lacks TEST PATTERN WHAT: no line of the output matches.
lacks() {
	if grep -Eq -- "$2" "$TMP/$1.gdb"; then
		bad "$1: $3" "a line matches /$2/" "$TMP/$1.gdb"
	else
		ok "$1: $3"
	fi
}

# ends TEST: the recorded output appeared, in order, and rrv debug exited
# with the recorded status.
ends() {
	local want
	want=$(cat "$TMP/$1.status")
	if [ "$dstatus" != "$want" ]; then
		bad "$1: recorded status" "rrv debug exited $dstatus, the recording $want" \
			"$TMP/$1.gdb"
		return
	fi
	if ! grep -Fxf "$TMP/$1.out" "$TMP/$1.gdb" | cmp -s - "$TMP/$1.out"; then
		bad "$1: recorded output" "the program's output differs from the recording's" \
			"$TMP/$1.gdb"
		return
	fi
	ok "$1: continue to the end gives the recorded output and status $want"
}

want() { [[ $1 =~ $filter ]]; }

for l in glibc musl; do
	if want "call-$l"; then
		t=call-$l
		record "$t" "$BIN/call-$l"
		if ! grep -qx 'total 11 len 12' "$TMP/$t.out"; then
			bad "$t: the recording" "not the output call.c prints" "$TMP/$t.out"
		fi
		debug "$t" call.gdb
		expect "$t" '^\$1 = 9$' "print square(3) calls the program's function"
		expect "$t" '^\$2 = 15$' "print bump(5) returns the global it changed"
		expect "$t" '^\$3 = 15$' "the change is visible until the next resume"
		expect "$t" '^\$4 = 12$' "print strlen(s) calls libc's"
		expect "$t" '^\$5 = 99$' "set var changes the global for now"
		expect "$t" '^\$6 = 11$' "next first puts the recording back: the line adds 1 to the recorded 10"
		expect "$t" '^rrv: debug: .*throwaway copy of the machine' \
			"rrv says once that changes are thrown away"
		# total was 10 + 5 (bump) then 99 (set var) in gdb's copy; the
		# replay prints what the recording did: 11.
		lacks "$t" '^total (16|21|100) ' "the program never sees what the calls changed"
		expect "$t" 'exited with code 05\]' "gdb sees the recorded exit"
		ends "$t"
	fi
	if want "callrev-$l"; then
		t=callrev-$l
		record "$t" "$BIN/call-$l"
		debug "$t" callrev.gdb
		expect "$t" '^\$1 = 15$' "print bump(5) changes the global"
		expect "$t" 'No more reverse-execution history' \
			"reverse-continue after the call goes back to the start"
		expect "$t" '^\$2 = 10$' "at the breakpoint again the global is the recording's"
		expect "$t" 'exited with code 05\]' "gdb sees the recorded exit"
		ends "$t"
	fi
	if want "callearly-$l"; then
		t=callearly-$l
		record "$t" "$BIN/call-$l"
		debug "$t" callearly.gdb
		expect "$t" '^rrv: debug: the function gdb called touches a page the program had not touched yet' \
			"a call at the first stop, before the code's page came in: rrv says why"
		expect "$t" '^call failed: .*signaled while in a function called from GDB' \
			"gdb reports the call stopped by a signal"
		expect "$t" 'exited with code 05\]' "gdb sees the recorded exit"
		ends "$t"
	fi
	if want "callhost-$l"; then
		t=callhost-$l
		record "$t" "$BIN/call-$l"
		debug "$t" callhost.gdb
		expect "$t" '^rrv: debug: the function gdb called needs the host' \
			"a call that writes to stdout: rrv says why it stops"
		expect "$t" '^call 1 failed: .*signaled while in a function called from GDB' \
			"gdb reports the call stopped by a signal"
		expect "$t" '^\$1 = 16$' \
			"a call after it is set up again on the recording's machine"
		lacks "$t" '^from gdb$' "the called function's output never reaches the host"
		lacks "$t" 'diverge' "no divergence"
		expect "$t" 'exited with code 05\]' "gdb sees the recorded exit"
		ends "$t"
	fi
done

echo "call: $pass passed, $fail failed"
[ $fail -eq 0 ]
