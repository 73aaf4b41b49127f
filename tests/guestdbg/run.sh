#!/bin/sh
# rrv debug's guest side, without the debugger (docs/debugging.md, "How
# the guest helps"): dbgevents, static with glibc and with musl, is
# recorded, replayed plainly, then replayed by guestdbg_check, which
# turns on guest_state.debug through the VMM's hooks and prints every
# DEBUG event.  Checked here: the events in order with their pids, tids,
# signals and statuses; four watchpoint hits in the process and none in
# its child; the debugged replay ends with the recorded output and
# status; a plain replay (no debugger) is unchanged.  Builds nothing
# (make kvm-test builds build/tests/guestdbg/).  Needs /dev/kvm.
cd "$(dirname "$0")/../.." || exit 1
RRV=build/rrv
BIN=build/tests/guestdbg
TMP=$(mktemp -d /tmp/guestdbg.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# has FILE REGEX WHAT: a line of FILE matches REGEX.
has() {
	grep -Eq "$2" "$1" || fail "$3 (no line matching '$2' in $1)"
}

# count FILE REGEX N WHAT: exactly N lines match.
count() {
	n=$(grep -Ec "$2" "$1")
	[ "$n" = "$3" ] || fail "$4: $n lines match '$2', expected $3"
}

# before FILE A B WHAT: the first line matching A comes before the first
# matching B.
before() {
	a=$(grep -En "$2" "$1" | head -1 | cut -d: -f1)
	b=$(grep -En "$3" "$1" | head -1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "$4 ('$2' at ${a:-none}, '$3' at ${b:-none})"
}

for prog in dbgevents dbgevents_musl; do
	exe=$BIN/$prog
	trace=$TMP/$prog.rrv
	watched=$(nm "$exe" | awk '$3 == "watched" { print "0x" $1 }')
	poke=$(nm -S "$exe" | awk '$4 == "poke" { print $1, $2 }')
	lo=0x${poke% *}
	size=0x${poke#* }
	hi=$(printf '0x%x' $((lo + size)))
	[ -n "$watched" ] && [ -n "$poke" ] || { fail "$prog: no symbols"; continue; }

	"$RRV" record -o "$trace" "$exe" >"$TMP/rec.out" 2>"$TMP/rec.err"
	st=$?
	[ "$st" = 7 ] || fail "$prog: record status $st: $(cat "$TMP/rec.err")"
	has "$TMP/rec.out" '^watched=3 child=3$' "$prog: recorded output"

	"$RRV" replay "$trace" >"$TMP/rep.out" 2>"$TMP/rep.err"
	st=$?
	[ "$st" = 7 ] || fail "$prog: plain replay status $st: $(cat "$TMP/rep.err")"
	cmp -s "$TMP/rec.out" "$TMP/rep.out" || fail "$prog: plain replay output differs"

	log=$TMP/$prog.events
	"$BIN/guestdbg_check" "$trace" "$watched" "$lo" "$hi" >"$log" 2>"$TMP/chk.err"
	st=$?
	echo "--- $prog: guestdbg_check exited $st"
	cat "$log" "$TMP/chk.err"
	[ "$st" = 0 ] || fail "$prog: guestdbg_check's own checks"
	has "$log" '^status 7$' "$prog: the debugged replay ends with the recorded status"
	has "$log" '^watched=3 child=3$' "$prog: the debugged replay prints the recorded output"

	pid=$(sed -n 's/^EXEC pid=\([0-9]*\) .*/\1/p' "$log" | head -1)
	[ -n "$pid" ] || { fail "$prog: no EXEC"; continue; }
	child=$(sed -n "s/^FORK pid=$pid .*detail=0x\([0-9a-f]*\) .*/\1/p" "$log")
	child=$(printf '%d' "0x${child:-0}")
	count "$log" '^EXEC ' 1 "$prog: one EXEC"
	count "$log" "^THREAD pid=$pid tid=$((pid + 1)) " 1 "$prog: the second thread"
	count "$log" "^WATCH pid=$pid " 4 "$prog: four writes in the process"
	count "$log" '^WATCH ' 4 "$prog: none in the child"
	count "$log" '^USER_RETURN ' 1 "$prog: one USER_RETURN while asked"
	count "$log" '^STEP exception=1 ' 1 "$prog: one KVM single step"
	count "$log" "^SIGNAL pid=$pid tid=$pid signo=10 code=-6 " 1 "$prog: SIGUSR1 from raise (SI_TKILL)"
	count "$log" "^SIGNAL pid=$pid tid=$pid signo=11 code=1 status=0 addr=0x0 " 1 \
		"$prog: the NULL write's SIGSEGV, once (SEGV_MAPERR, address 0)"
	count "$log" "^FORK pid=$pid " 1 "$prog: one fork"
	[ "$child" -gt "$pid" ] || fail "$prog: FORK names no child"
	count "$log" "^EXIT pid=$child .*status=768 " 1 "$prog: the child exits with 3"
	count "$log" "^EXIT pid=$pid .*status=1792 " 1 "$prog: the program exits with 7"
	before "$log" '^EXEC ' '^THREAD ' "$prog: EXEC first"
	before "$log" '^THREAD ' "signo=10 " "$prog: the thread before SIGUSR1"
	before "$log" "signo=10 " "signo=11 " "$prog: SIGUSR1 before SIGSEGV"
	before "$log" "signo=11 " '^FORK ' "$prog: SIGSEGV before the fork"
	before "$log" '^FORK ' "^EXIT pid=$child " "$prog: the fork before the child's exit"
	before "$log" "^EXIT pid=$child " "^EXIT pid=$pid " "$prog: the child's exit before the program's"
	before "$log" "^EXIT pid=$pid " '^status ' "$prog: the program's exit last"
done

if [ "$fails" -ne 0 ]; then
	echo "guestdbg: $fails failed"
	exit 1
fi
echo "guestdbg: all passed"
