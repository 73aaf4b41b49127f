#!/usr/bin/env bash
# The thread tests: builds every program here static with glibc
# (gcc -static -pthread) and musl (musl-gcc -static), then
#   - runs the deterministic ones natively and under `rrv run` and compares
#     stdout and the exit status;
#   - records the lock-free counter with --chaos under 5 seeds, checks that
#     the seeds give different counts, that the same seed gives the same
#     count twice, and that 20 replays of each recording print exactly
#     what the recording printed;
#   - hostpipe: a thread blocked reading a host pipe (a FIFO the script
#     feeds only after the other thread's result appeared) must not stop
#     the other thread, under rrv run and rrv record, and replays;
#   - records the spinning programs (spinflag: while (!flag) waits;
#     spinlock: a spin lock whose holder is preempted while it holds it;
#     spinsignal: a signal delivered to a preempted spinner),
#     which need asynchronous preemption, checks that the trace holds
#     preemption points and names the method, and that replays print
#     exactly what the recording printed; then edits a recorded point
#     (build/tests/e2e/trace_edit --preempt) and checks that the replay
#     stops with a divergence report instead, and that a point counted
#     as with a performance counter replays here, where there is none.
#
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/threads/run.sh
#
# RRV names the rrv binary (default build/rrv).  Exit status 0 when every
# check passed.

# Run as `sh run.sh` too: the rest is bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

SUITE=threads
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROGS="counter prodcons many sigthreads pipewait hostpipe spinflag spinlock spinsignal"
LIBCS="glibc musl"
for p in $PROGS; do
	build "$p"
done

# ------------------------------------------------- native against rrv run

for p in prodcons many sigthreads pipewait spinflag spinlock spinsignal; do
	for l in $LIBCS; do
		name="$p-$l"
		"$OUT/$name" >"$TMP/native" 2>/dev/null
		ns=$?
		timeout 120 "$RRV" run "$OUT/$name" >"$TMP/rrv" 2>"$TMP/err"
		rs=$?
		if [ "$ns" != "$rs" ]; then
			bad "$name" "exit status $rs under rrv, $ns natively"
		elif ! cmp -s "$TMP/native" "$TMP/rrv"; then
			bad "$name" "stdout differs from native: $(diff "$TMP/native" "$TMP/rrv" | head -5 | tr '\n' ' ')"
		else
			ok "$name"
		fi
	done
done

# ------------------------------------------- chaos: record, replay, compare

for l in $LIBCS; do
	name="counter-$l"
	values=""
	for seed in 1 2 3 4 5; do
		trace="$TMP/$name-$seed.rrv"
		timeout 120 "$RRV" record --chaos="$seed" -o "$trace" "$OUT/$name" \
			>"$TMP/rec" 2>"$TMP/err"
		if [ $? != 0 ] || ! grep -q "^rrv: chaos seed $seed\$" "$TMP/err"; then
			bad "$name chaos=$seed record" "failed, or no 'rrv: chaos seed' line"
			continue
		fi
		values="$values $(cat "$TMP/rec" | tr -d '\n' | sed 's/counter \([0-9]*\).*/\1/')"
		if ! "$RRV" info "$trace" 2>"$TMP/err" | grep -q "^chaos seed *$seed\$"; then
			bad "$name chaos=$seed info" "rrv info does not show the seed"
		fi
		good=1
		for i in $(seq 1 20); do
			timeout 120 "$RRV" replay "$trace" >"$TMP/rep" 2>"$TMP/err"
			if [ $? != 0 ] || ! cmp -s "$TMP/rec" "$TMP/rep"; then
				bad "$name chaos=$seed replay $i" "printed '$(cat "$TMP/rep")', recorded '$(cat "$TMP/rec")'"
				good=0
				break
			fi
		done
		[ $good = 1 ] && ok "$name chaos=$seed: $(cat "$TMP/rec"), 20 replays identical"
	done
	ndistinct=$(echo "$values" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)
	if [ "$ndistinct" -ge 2 ]; then
		ok "$name: seeds give $ndistinct different counts:$values"
	else
		bad "$name" "every seed gave the same count:$values"
	fi
	# The same seed, the same interleaving, without recording.
	a=$(timeout 120 "$RRV" run --chaos=3 "$OUT/$name" 2>/dev/null)
	b=$(timeout 120 "$RRV" run --chaos=3 "$OUT/$name" 2>/dev/null)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ok "$name: rrv run --chaos=3 twice: $a"
	else
		bad "$name" "rrv run --chaos=3 gave '$a' then '$b'"
	fi
done

# ------------------------------------- a thread blocked on a host pipe

# feed OUTFILE CMD...: runs CMD with stdin from a fresh FIFO and stdout to
# OUTFILE, and writes "hello" into the FIFO only once CMD has printed its
# computer's line: if the blocked reader stopped the other thread, that
# line never comes and the wait gives up after 60 s.  Sets fed=1 when the
# line came, and st to CMD's exit status.
feed() {
	local out=$1 fifo=$TMP/fifo i
	shift
	rm -f "$fifo" && mkfifo "$fifo" || exit 2
	exec 3<>"$fifo"
	timeout 120 "$@" <"$fifo" >"$out" 2>"$TMP/err" &
	local pid=$!
	fed=0
	for i in $(seq 1 600); do
		if grep -q '^computer: done' "$out"; then
			fed=1
			break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	echo hello >&3
	exec 3>&-
	wait $pid
	st=$?
}

for l in $LIBCS; do
	name="hostpipe-$l"
	feed "$TMP/native" "$OUT/$name"
	ns=$st
	feed "$TMP/rrv" "$RRV" run "$OUT/$name"
	if [ $fed = 0 ]; then
		bad "$name" "the computing thread did not finish while the reader waited on the host pipe"
	elif [ "$ns" != "$st" ] || ! cmp -s "$TMP/native" "$TMP/rrv"; then
		bad "$name" "rrv run: status $st (native $ns), printed '$(cat "$TMP/rrv")', natively '$(cat "$TMP/native")'"
	else
		ok "$name: rrv run, the reader waited while the other thread computed"
	fi
	feed "$TMP/rec" "$RRV" record -o "$TMP/$name.rrv" "$OUT/$name"
	if [ $fed = 0 ] || [ "$st" != 0 ] || ! cmp -s "$TMP/native" "$TMP/rec"; then
		bad "$name record" "status $st, printed '$(cat "$TMP/rec")'"
		continue
	fi
	timeout 120 "$RRV" replay "$TMP/$name.rrv" </dev/null >"$TMP/rep" 2>"$TMP/err"
	rs=$?
	if [ $rs = 0 ] && cmp -s "$TMP/rec" "$TMP/rep"; then
		ok "$name: recorded and replayed"
	else
		bad "$name replay" "status $rs, printed '$(cat "$TMP/rep")'"
	fi
done

# ------------------------- asynchronous preemption: record, replay, edit

TRACE_EDIT=$ROOT/build/tests/e2e/trace_edit
for p in spinflag spinlock spinsignal; do
	for l in $LIBCS; do
		name="$p-$l"
		trace="$TMP/$name.rrv"
		timeout 120 "$RRV" record -o "$trace" "$OUT/$name" \
			>"$TMP/rec" 2>"$TMP/rec.err"
		st=$?
		cp "$TMP/rec.err" "$TMP/err"
		if [ $st != 0 ]; then
			bad "$name record" "exit status $st"
			continue
		fi
		npre=$("$RRV" info "$trace" 2>/dev/null | sed -n 's/^  preempt *\([0-9]*\)$/\1/p')
		if [ "${npre:-0}" -lt 1 ]; then
			bad "$name record" "the trace holds no preemption point"
			continue
		fi
		if ! "$RRV" info "$trace" 2>/dev/null | grep -q '^preemption *breakpoint (rip, register and stack digests; no performance counter'; then
			bad "$name info" "rrv info does not name the breakpoint method"
		fi
		# A waiter found the lock taken: its holder was preempted holding it.
		if [ $p = spinlock ] && ! grep -q '^contended [1-9]' "$TMP/rec.err"; then
			bad "$name record" "no acquisition found the lock held: $(grep contended "$TMP/rec.err")"
		fi
		grep -v '^rrv:' "$TMP/rec.err" >"$TMP/rec.err.prog"
		good=1
		for i in 1 2; do
			timeout 120 "$RRV" replay "$trace" >"$TMP/rep" 2>"$TMP/err"
			st=$?
			grep -v '^rrv:' "$TMP/err" >"$TMP/rep.err.prog"
			if [ $st != 0 ] || ! cmp -s "$TMP/rec" "$TMP/rep" ||
			   ! cmp -s "$TMP/rec.err.prog" "$TMP/rep.err.prog"; then
				bad "$name replay $i" "status $st, printed '$(cat "$TMP/rep")', recorded '$(cat "$TMP/rec")'"
				good=0
				break
			fi
		done
		[ $good = 1 ] && ok "$name: $npre preemption points, 2 replays identical"

		[ $l = glibc ] && [ $p != spinsignal ] || continue
		if [ ! -x "$TRACE_EDIT" ]; then
			bad "$name edited" "$TRACE_EDIT is missing (make build/tests/e2e/trace_edit)"
			continue
		fi
		# The point's digest edited: replay stops there, and the check
		# of the PREEMPT call finds the difference.
		"$TRACE_EDIT" --preempt 1 digest "$trace" "$TMP/bad.rrv" 2>"$TMP/edit" ||
			{ bad "$name edit" "$(cat "$TMP/edit")"; continue; }
		timeout 120 "$RRV" replay "$TMP/bad.rrv" >/dev/null 2>"$TMP/err"
		st=$?
		if [ $st = 65 ] && grep -q '^rrv: replay diverged at event' "$TMP/err" &&
		   grep -q '^rrv:   expected: preempt (hypercall 40)' "$TMP/err" &&
		   grep -q '^rrv:   got:      preempt (hypercall 40).*same call, other arguments' "$TMP/err" &&
		   grep -q '^rrv:   recorded: thread [0-9]* preempted at rip 0x.*; this run: thread' "$TMP/err" &&
		   grep -q '^rrv:   thread [0-9]*' "$TMP/err"; then
			ok "$name: an edited preemption digest is a divergence"
		else
			bad "$name edited digest" "replay status $st, not a clear divergence report"
		fi
		# A point as a recording with a performance counter makes it
		# (method BRANCHES and a count): a replay here, where KVM offers
		# no counter, finds it by digests and reports the recorded
		# count, so it replays the same; with its digest edited too,
		# the divergence report shows the counts.
		"$TRACE_EDIT" --preempt 1 counted "$trace" "$TMP/counted.rrv" 2>"$TMP/edit" ||
			{ bad "$name edit" "$(cat "$TMP/edit")"; continue; }
		timeout 120 "$RRV" replay "$TMP/counted.rrv" >"$TMP/rep" 2>"$TMP/err"
		st=$?
		if [ $st = 0 ] && cmp -s "$TMP/rec" "$TMP/rep"; then
			ok "$name: a counted point replays without a counter"
		else
			bad "$name counted" "replay status $st: $(head -c 600 "$TMP/err")"
		fi
		"$TRACE_EDIT" --preempt 1 digest "$TMP/counted.rrv" "$TMP/bad.rrv" 2>"$TMP/edit" ||
			{ bad "$name edit" "$(cat "$TMP/edit")"; continue; }
		timeout 120 "$RRV" replay "$TMP/bad.rrv" >/dev/null 2>"$TMP/err"
		st=$?
		if [ $st = 65 ] &&
		   grep -q '^rrv:   recorded: thread [0-9]* preempted at rip 0x[0-9a-f]* (registers [0-9a-f]*, stack [0-9a-f]*, after 1000003 conditional branches, stretch [0-9]*, [0-9]* written pages [0-9a-f]*); this run: thread' "$TMP/err"; then
			ok "$name: a counted point's report shows the count"
		else
			bad "$name counted report" "replay status $st: $(grep '^rrv:' "$TMP/err" | head -c 600)"
		fi
		# The point moved where no instruction starts: the thread runs
		# past it; a spinning thread makes no hypercall, so the watchdog
		# reports it.
		"$TRACE_EDIT" --preempt 1 rip "$trace" "$TMP/bad.rrv" 2>"$TMP/edit" ||
			{ bad "$name edit" "$(cat "$TMP/edit")"; continue; }
		RRV_PREEMPT_WATCHDOG=3 timeout 120 "$RRV" replay "$TMP/bad.rrv" >/dev/null 2>"$TMP/err"
		st=$?
		# That replay stopped with the guest's breakpoint armed, which
		# QEMU 7.2's software SVM leaves installed in the nested VM
		# (docs/with-kvm.md): any guest run to its end clears it again,
		# before the native runs of the suites that follow.
		"$RRV" boot >/dev/null 2>&1
		if [ $st = 65 ] && grep -q '^rrv: replay diverged at event' "$TMP/err" &&
		   grep -q '^rrv:   the recording preempted thread [0-9]* here, at rip 0x.*did not stop at that point' "$TMP/err"; then
			ok "$name: a moved preemption point is a divergence"
		else
			bad "$name moved point" "replay status $st, not a clear divergence report"
		fi
	done
done

echo "threads: $pass passed, $fail failed"
[ $fail = 0 ]
