#!/usr/bin/env bash
# The process tests: builds procs.c static with glibc and musl, runs each
# natively, under `rrv run`, and recorded then replayed from an empty
# directory, and compares stdout and the exit status (the program prints
# nothing that differs between runs: no pids, no times).  procs.c covers
# fork and vfork, exit statuses and deaths by signal, wait4 with WNOHANG,
# waitid, SIGCHLD (caught and ignored), pipes across processes, execve
# (of itself, of a missing file, of files that are not programs, of
# scripts, from a process with two threads), execveat and fexecve by
# descriptor, copy-on-write memory both
# ways, process groups and orphans.  One recording per libc also runs
# with --chaos, which interleaves the processes differently.
#
#   tests/procs/run.sh [--rrv PATH]
#
# Without KVM:
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/procs/run.sh
# Exit status 0 when every check passed.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RRV=$ROOT/build/rrv
[ "${1:-}" = --rrv ] && RRV=$2
case $RRV in /*) ;; *) RRV=$PWD/$RRV ;; esac
# Built where the nested VM of tools/with-kvm can see them.
OUT=$ROOT/build/tests/procs
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rrv-procs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

gcc -O2 -Wall -static "$HERE/procs.c" -o "$OUT/procs-glibc" || exit 2
musl-gcc -O2 -Wall -static "$HERE/procs.c" -o "$OUT/procs-musl" || exit 2

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1: $2"
	for f in "$WORK"/native.out "$WORK"/$3.out "$WORK"/$3.err; do
		[ -s "$f" ] && { echo "--- $f"; head -c 2000 "$f"; }
	done
}

# record_replay PREFIX TRACE [RECORD-OPTIONS...]: records $prog with the
# options into TRACE, replays TRACE from $WORK/empty-$l, and checks the
# recording against the native run and the replay against the recording;
# PREFIX starts the names of the checks ("chaos ").
record_replay() {
	local what=$1 trace=$2
	shift 2
	timeout 300 "$RRV" record "$@" -o "$trace" -- "$prog" "$prog" \
		>"$WORK/rec.out" 2>"$WORK/rec.err"
	echo $? >"$WORK/rec.rc"
	(cd "$WORK/empty-$l" && timeout 300 "$RRV" replay "$trace" >"$WORK/rep.out" 2>"$WORK/rep.err")
	echo $? >"$WORK/rep.rc"
	if ! cmp -s "$WORK/native.out" "$WORK/rec.out" || ! cmp -s "$WORK/native.rc" "$WORK/rec.rc"; then
		bad "${what}record $l" "the recording differs from native" rec
	elif ! cmp -s "$WORK/rec.out" "$WORK/rep.out" || ! cmp -s "$WORK/rec.rc" "$WORK/rep.rc"; then
		bad "${what}replay $l" "the replay differs from the recording" rep
	else
		ok "${what}record and replay $l"
	fi
}

for l in glibc musl; do
	prog=$OUT/procs-$l
	# The program execs itself by the path it is given.
	"$prog" "$prog" >"$WORK/native.out" 2>/dev/null
	echo $? >"$WORK/native.rc"
	timeout 300 "$RRV" run -- "$prog" "$prog" >"$WORK/run.out" 2>"$WORK/run.err"
	echo $? >"$WORK/run.rc"
	if ! cmp -s "$WORK/native.rc" "$WORK/run.rc"; then
		bad "run $l" "exit status $(cat "$WORK/run.rc"), natively $(cat "$WORK/native.rc")" run
	elif ! cmp -s "$WORK/native.out" "$WORK/run.out"; then
		bad "run $l" "stdout differs from native" run
	else
		ok "run $l"
	fi

	mkdir -p "$WORK/empty-$l"
	record_replay "" "$WORK/procs-$l.rrv"

	# The processes interleave differently under --chaos; the program
	# synchronises by waits and pipes, so it prints the same, and the
	# replay repeats the recording's interleaving exactly.
	record_replay "chaos " "$WORK/procs-$l-chaos.rrv" --chaos=7
done

echo "procs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
