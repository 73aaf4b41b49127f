#!/usr/bin/env bash
# Exact replay of threads preempted while spinning (issue 12;
# docs/threads.md, "What identifies a point"): four programs whose
# spinning passes differ only in memory, built static with glibc and musl:
#   spincount   a worker counts its passes in a global until main's flag
#   spinmemcpy  a worker's only progress is memcpy into a 1 MiB heap buffer
#   spinholder  a spin lock whose holder computes with its state in globals
#   spinring    a producer and a consumer on a lock-free ring buffer
# Each is recorded RRV_SPIN_RECORDINGS times (default 5) and every
# recording replayed RRV_SPIN_REPLAYS times (default 5); a replay passes
# when it exits 0 and prints what the recording printed.  Every program
# must have been preempted asynchronously (a preempt or hostsig event in
# `rrv dump`) in at least one recording, else nothing was tested.
#
# Knobs (environment):
#   RRV_SPIN_RECORDINGS  recordings per program and libc (default 5)
#   RRV_SPIN_REPLAYS     replays per recording (default 5)
#   RRV_SPIN_TIMEOUT     seconds each record or replay may take (default
#                        300), so that a hang is a failure, not a stuck
#                        suite; a replay is deterministic, so after one
#                        replay of a recording timed out its remaining
#                        replays are counted as failed without being run
#   RRV_SPIN_PROGS       which programs (default all four), e.g.
#                        "spincount spinring"
#   RRV_SPIN_LIBCS       which builds (default "glibc musl")
#
# Prints a line per recording (record time, points, each replay's time
# and verdict) and one per program and libc: recordings, points, exact
# replays, longest record and replay times.
#
#   tools/with-kvm sh tests/threads/spinexact.sh
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

SUITE=spinexact
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECS=${RRV_SPIN_RECORDINGS:-5}
REPS=${RRV_SPIN_REPLAYS:-5}
LIMIT=${RRV_SPIN_TIMEOUT:-300}
PROGS=${RRV_SPIN_PROGS:-spincount spinmemcpy spinholder spinring}
LIBCS=${RRV_SPIN_LIBCS:-glibc musl}
for p in $PROGS; do
	build "$p"
done

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# clear_dr: a run killed (timeout) or failed may have stopped with the
# guest's breakpoint armed, which QEMU 7.2's software SVM leaves installed
# in the nested VM (docs/with-kvm.md, "Debug registers leak"); any guest
# run to its end clears it again, before this script's own processes or
# a later suite's native runs meet it.
clear_dr() { "$RRV" boot >/dev/null 2>&1; }

for p in $PROGS; do
	for l in $LIBCS; do
		name="$p-$l"
		points=0 max_rec=0 max_rep=0 preempted=0 good=0
		for ((i = 1; i <= RECS; i++)); do
			tr="$TMP/$name-$i.rrv"
			rm -f "$tr"
			t0=$(ms)
			timeout "$LIMIT" "$RRV" record -o "$tr" "$OUT/$name" >"$TMP/rec.out" 2>"$TMP/err"
			rs=$?
			rec=$(( $(ms) - t0 )); [ $rec -gt $max_rec ] && max_rec=$rec
			[ $rs != 0 ] && clear_dr
			if [ $rs = 124 ]; then
				bad "$name recording $i" "rrv record timed out after $LIMIT s"
				continue
			elif [ $rs != 0 ]; then
				bad "$name recording $i" "rrv record exited $rs"
				continue
			fi
			n=$("$RRV" dump "$tr" 2>/dev/null | grep -cE '\] (preempt|hostsig)\(')
			points=$((points + n))
			[ "$n" -gt 0 ] && preempted=$((preempted + 1))
			line="  $name recording $i: record $rec ms, $n points, '$(head -c 80 "$TMP/rec.out" | tr -d '\n')'; replays:"
			for ((j = 1; j <= REPS; j++)); do
				t0=$(ms)
				timeout "$LIMIT" "$RRV" replay "$tr" >"$TMP/rep.out" 2>"$TMP/err"
				rs=$?
				t=$(( $(ms) - t0 )); [ $t -gt $max_rep ] && max_rep=$t
				[ $rs != 0 ] && clear_dr
				if [ $rs = 124 ]; then
					line="$line $t ms timed out"
					bad "$name recording $i ($n points) replay $j" \
					    "rrv replay timed out after $LIMIT s"
					if [ "$j" -lt "$REPS" ]; then
						line="$line, replays $((j + 1))-$REPS not run"
						fail=$((fail + REPS - j))
					fi
					break
				elif [ $rs != 0 ]; then
					line="$line $t ms exit $rs"
					bad "$name recording $i ($n points) replay $j" \
					    "rrv replay exited $rs after $t ms"
				elif ! cmp -s "$TMP/rec.out" "$TMP/rep.out"; then
					line="$line $t ms differs"
					bad "$name recording $i ($n points) replay $j" \
					    "printed '$(head -c 200 "$TMP/rep.out")', the recording '$(head -c 200 "$TMP/rec.out")'"
				else
					line="$line $t ms ok"
					good=$((good + 1))
				fi
			done
			echo "$line"
		done
		echo "$name: $RECS recordings ($preempted preempted, $points points in all), $good of $((RECS * REPS)) replays exact; longest record $max_rec ms, replay $max_rep ms"
		: >"$TMP/err"
		if [ $preempted = 0 ]; then
			bad "$name" "no recording was preempted asynchronously: nothing was tested"
		elif [ $good = $((RECS * REPS)) ]; then
			ok "$name"
		fi
	done
done

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" = 0 ]
