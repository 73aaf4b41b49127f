#!/bin/bash
# rrv's benchmarks: figures, not pass/fail.  Run by `make bench` (through
# tools/with-kvm).  Counts (VM exits, events, bytes) hold on any machine;
# times and ratios depend on it, so the machine is printed first.
#
#   bench/run.sh [startup|getpid|compute|record|threads|preempt|snapshots|reverse|all]
set -u
cd "$(dirname "$0")/.." || exit 1
RRV=build/rrv
B=build/bench
what=${1:-all}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rrv-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# time_ms N CMD...: the median wall time of N runs, in ms.
time_ms() {
	local n=$1 i t0 times=()
	shift
	for ((i = 0; i < n; i++)); do
		t0=$(now_ms)
		"$@" >/dev/null 2>&1
		times+=($(( $(now_ms) - t0 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p"
}

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

stat_of() { # stat_of WHAT: a figure from the last --stats output
	grep -E "$1" "$tmp/stats" | head -1 | grep -oE '[0-9]+' | head -1
}

machine() {
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
	     "$(nproc) CPUs, kernel $(uname -r)"
	if [ -d /sys/module/kvm_amd ] || [ -d /sys/module/kvm_intel ]; then
		if grep -q '^flags.* hypervisor' /proc/cpuinfo; then
			echo "KVM: nested (this kernel runs in a VM; under tools/with-kvm's TCG VM, exits cost ~50-75 us)"
		else
			echo "KVM: hardware"
		fi
	fi
	echo
}

startup() {
	echo "== startup of rrv run on a trivial program"
	$RRV run --stats $B/trivial 2>"$tmp/stats"
	echo "VM exits: $(stat_of 'VM exits')   hypercalls: $(stat_of 'hypercalls$')"
	echo "wall time (median of 5): $(time_ms 5 $RRV run $B/trivial) ms (native: $(time_ms 5 $B/trivial) ms)"
	echo
}

getpid() {
	echo "== getpid is served in the guest: VM exits do not grow with calls"
	local n exits1 exitsN
	$RRV run --stats $B/getpid_loop 1 2>"$tmp/stats"
	exits1=$(stat_of 'VM exits')
	$RRV run --stats $B/getpid_loop 1000000 2>"$tmp/stats"
	exitsN=$(stat_of 'VM exits')
	echo "1 getpid: $exits1 VM exits; 1000000 getpid: $exitsN VM exits"
	grep 'system calls' "$tmp/stats" | sed 's/^rrv: stats: /  /'
	echo
}

compute() {
	echo "== compute-bound program (200M iterations of xorshift)"
	local native run
	native=$(time_ms 3 $B/compute)
	run=$(time_ms 3 $RRV run $B/compute)
	echo "native: $native ms   rrv run: $run ms   ratio: $(ratio "$run" "$native")"
	echo
}

record() {
	echo "== recording and replay"
	local prog args native run rec rep events size
	for prog in compute syscall_heavy; do
		args=""
		[ $prog = compute ] && args=50000000
		[ $prog = syscall_heavy ] && args="20000 $tmp/sh.tmp"
		native=$(time_ms 3 $B/$prog $args)
		run=$(time_ms 3 $RRV run $B/$prog $args)
		rec=$(time_ms 3 sh -c "rm -f $tmp/$prog.rrv; $RRV record -o $tmp/$prog.rrv $B/$prog $args")
		rep=$(time_ms 3 $RRV replay $tmp/$prog.rrv)
		$RRV info $tmp/$prog.rrv >"$tmp/info"
		events=$(grep -E '^events' "$tmp/info" | grep -oE '[0-9]+' | head -1)
		size=$(grep -E '^size' "$tmp/info" | grep -oE '[0-9]+' | head -1)
		echo "$prog: native $native ms, run $run ms, record $rec ms, replay $rep ms"
		echo "  record/run $(ratio "$rec" "$run"), record/native $(ratio "$rec" "$native"), replay/record $(ratio "$rep" "$rec")"
		echo "  trace: $events events, $size bytes, $(ratio "$size" "$events") bytes/event (incl. header with kernel and program ELF)"
	done
	echo
}

threads() {
	echo "== a lock-heavy multi-threaded program (4 threads, one mutex, 20000 sections each)"
	local native run rec rep
	native=$(time_ms 3 $B/locks)
	run=$(time_ms 3 $RRV run $B/locks)
	rec=$(time_ms 3 sh -c "rm -f $tmp/locks.rrv; $RRV record -o $tmp/locks.rrv $B/locks")
	rep=$(time_ms 3 $RRV replay $tmp/locks.rrv)
	echo "native $native ms, run $run ms, record $rec ms, replay $rep ms"
	echo "  record/run $(ratio "$rec" "$run"), record/native $(ratio "$rec" "$native"), replay/record $(ratio "$rep" "$rec")"
	$RRV run --stats $B/locks 2>"$tmp/stats" >/dev/null
	echo "  rrv run: $(stat_of 'VM exits') VM exits, $(stat_of 'hypercalls$') hypercalls"
	grep 'system calls' "$tmp/stats" | sed 's/^rrv: stats: /  /'
	$RRV info $tmp/locks.rrv >"$tmp/info"
	echo "  trace: $(grep -E '^events' "$tmp/info" | grep -oE '[0-9]+' | head -1) events, $(grep -E '^size' "$tmp/info" | grep -oE '[0-9]+' | head -1) bytes"
	echo
}

# preempt_one NAME CMD...: records CMD once and replays it once (each
# within BENCH_PREEMPT_LIMIT seconds, default 900), and prints the times,
# the points the trace holds and the breakpoint passes both runs took.
preempt_one() {
	local name=$1 limit=${BENCH_PREEMPT_LIMIT:-900} t0 rec rep rs points rpass ppass
	shift
	rm -f "$tmp/p.rrv"
	t0=$(now_ms)
	timeout "$limit" $RRV record --stats -o "$tmp/p.rrv" "$@" >/dev/null 2>"$tmp/stats"
	rec=$(( $(now_ms) - t0 ))
	rpass=$(stat_of 'breakpoint passes')
	points=$($RRV info "$tmp/p.rrv" 2>/dev/null | sed -n 's/^  preempt *\([0-9]*\)$/\1/p')
	t0=$(now_ms)
	timeout "$limit" $RRV replay --stats "$tmp/p.rrv" >/dev/null 2>"$tmp/stats"
	rs=$?
	rep=$(( $(now_ms) - t0 ))
	ppass=$(stat_of 'breakpoint passes')
	if [ $rs = 124 ]; then
		rep="over ${limit}000"
	fi
	echo "  $name: record $rec ms, replay $rep ms, replay/record $(ratio "${rep#over }" "$rec");" \
	     "${points:-0} points; breakpoint passes: ${rpass:-0} recording, ${ppass:-0} replay"
}

preempt() {
	echo "== asynchronous preemption: programs that make no system calls while they spin or compute"
	echo "   (one recording and one replay each; docs/threads.md, \"Points that are cheap to find\")"
	local r
	for r in 300 3000 30000; do
		preempt_one "spin lock, 2 threads, $r rounds each" $B/spin $r
	done
	preempt_one "4 CPU-bound threads, 20M steps each" $B/cpu4
	echo
}

snapshots() {
	echo "== snapshots: a replay taking one at every event (rrv replay --check-checkpoints=1)"
	echo "   of a program dirtying MIB MiB between two events, 8 times"
	local mib line taken pages us rpages rus
	for mib in 1 16 64; do
		rm -f "$tmp/dirty.rrv"
		$RRV record -o "$tmp/dirty.rrv" $B/dirty $mib 8 >/dev/null 2>&1
		$RRV replay --verbose --check-checkpoints=1 "$tmp/dirty.rrv" \
			>/dev/null 2>"$tmp/chk"
		line=$(grep 'snapshots: [0-9]* taken' "$tmp/chk")
		taken=$(echo "$line" | sed -n 's/.*snapshots: \([0-9]*\) taken.*/\1/p')
		pages=$(echo "$line" | sed -n 's/.*taken, \([0-9]*\) pages.*/\1/p')
		us=$(echo "$line" | sed -n 's/.*copied in \([0-9]*\) us;.*/\1/p')
		rpages=$(echo "$line" | sed -n 's/.*restores, \([0-9]*\) pages.*/\1/p')
		rus=$(echo "$line" | sed -n 's/.*copied back in \([0-9]*\) us.*/\1/p')
		echo "  $mib MiB dirtied per round: $taken snapshots, $((pages / 256)) MiB copied in $((us / 1000)) ms" \
		     "($(ratio "$((us / 1000))" "$((pages / 256))") ms per MiB);" \
		     "restores: $((rpages / 256)) MiB back in $((rus / 1000)) ms"
		grep 'checkpoints checked' "$tmp/chk" | sed 's/.*snapshots hold/  held at the end:/'
	done
	echo
}

# rdebug SCRIPT: ms that reverse-continue took in a gdb session over
# SCRIPT on $tmp/ev.rrv (gdb prints the time before and after it), or
# "failed".
rdebug() {
	timeout 900 $RRV debug "$tmp/ev.rrv" -- -batch -nx -x "$1" >"$tmp/gdb.out" 2>&1
	local t
	t=$(grep -E '^T[01] [0-9]+$' "$tmp/gdb.out" | awk '{ v[$1] = $2 } END { if (v["T0"] && v["T1"]) print int((v["T1"] - v["T0"]) / 1000000) }')
	if [ -n "$t" ] && grep -q '^mark' "$tmp/gdb.out"; then
		echo "$t"
	else
		echo "failed: $(grep -v '^T[01] ' "$tmp/gdb.out" | tail -2 | tr '\n' ' ')"
	fi
}

reverse() {
	# gdb reaches rrv over loopback, down in tools/with-kvm's nested VM.
	if command -v ip >/dev/null && ip link show lo 2>/dev/null | grep -q 'state DOWN'; then
		ip link set lo up 2>/dev/null
	fi
	local n
	cat >"$tmp/back.gdb" <<-EOF
		break done
		continue
		break mark
		shell echo T0 \$(date +%s%N)
		reverse-continue
		shell echo T1 \$(date +%s%N)
		info symbol \$pc
	EOF
	echo "== reverse-continue from done() back to mark(), N events between (getrandom each)"
	for n in 10 1000 100000; do
		rm -f "$tmp/ev.rrv"
		$RRV record -o "$tmp/ev.rrv" $B/events $n >/dev/null 2>&1
		echo "  $n events: $(rdebug "$tmp/back.gdb") ms"
	done
	echo "== reverse-continue across a hot loop of N iterations, no event in it"
	for n in 1000000 10000000; do
		rm -f "$tmp/ev.rrv"
		$RRV record -o "$tmp/ev.rrv" $B/events loop $n >/dev/null 2>&1
		echo "  $n iterations: $(rdebug "$tmp/back.gdb") ms"
	done
	echo
}

machine
case $what in
startup | getpid | compute | record | threads | preempt | snapshots | reverse) $what ;;
all) startup; getpid; compute; record; threads; preempt; snapshots; reverse ;;
*) echo "usage: bench/run.sh [startup|getpid|compute|record|threads|preempt|snapshots|reverse|all]" >&2; exit 64 ;;
esac
