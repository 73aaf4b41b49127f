#!/usr/bin/env bash
# Exact replay of threads preempted while spinning, without a performance
# counter (docs/threads.md, "What identifies a point"): four programs whose
# spinning passes differ only in memory, built static with glibc and musl:
#   spincount   a worker counts its passes in a global until main's flag
#   spinmemcpy  a worker's only progress is memcpy into a 1 MiB heap buffer
#   spinholder  a spin lock whose holder computes with its state in globals
#   spinring    a producer and a consumer on a lock-free ring buffer
# Each is recorded RRV_SPIN_RECORDINGS times (default 5) and every
# recording replayed RRV_SPIN_REPLAYS times (default 5); a replay passes
# when it exits 0 and prints what the recording printed.  Every program
# must have been preempted asynchronously in at least one recording (else
# nothing was tested).  Per program it prints the points the traces hold
# and the longest record and replay times.  RRV_SPIN_TIMEOUT (seconds,
# default 300) bounds each replay, so a hang is a failure, not a stuck run.
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
PROGS="spincount spinmemcpy spinholder spinring"
for p in $PROGS; do
	build "$p"
done

ms() { echo $(( $(date +%s%N) / 1000000 )); }

for p in $PROGS; do
	for l in glibc musl; do
		name="$p-$l"
		points=0 max_rec=0 max_rep=0 preempted=0 good=0
		for ((i = 1; i <= RECS; i++)); do
			tr="$TMP/$name-$i.rrv"
			t0=$(ms)
			"$RRV" record -o "$tr" "$OUT/$name" >"$TMP/rec.out" 2>"$TMP/err"
			rs=$?
			t=$(( $(ms) - t0 )); [ $t -gt $max_rec ] && max_rec=$t
			if [ $rs != 0 ]; then
				bad "$name recording $i" "rrv record exited $rs"
				continue
			fi
			n=$("$RRV" dump "$tr" 2>/dev/null | grep -cE '\] (preempt|hostsig)\(')
			points=$((points + n))
			[ "$n" -gt 0 ] && preempted=$((preempted + 1))
			for ((j = 1; j <= REPS; j++)); do
				t0=$(ms)
				timeout "$LIMIT" "$RRV" replay "$tr" >"$TMP/rep.out" 2>"$TMP/err"
				rs=$?
				t=$(( $(ms) - t0 )); [ $t -gt $max_rep ] && max_rep=$t
				if [ $rs != 0 ]; then
					bad "$name recording $i ($n points) replay $j" \
					    "rrv replay exited $rs after $t ms"
				elif ! cmp -s "$TMP/rec.out" "$TMP/rep.out"; then
					bad "$name recording $i replay $j" \
					    "printed '$(head -c 200 "$TMP/rep.out")', the recording '$(head -c 200 "$TMP/rec.out")'"
				else
					good=$((good + 1))
				fi
			done
		done
		echo "$name: $RECS recordings ($preempted preempted, $points points in all), $good of $((RECS * REPS)) replays exact; longest record $max_rec ms, replay $max_rep ms"
		if [ $preempted = 0 ]; then
			bad "$name" "no recording was preempted asynchronously: nothing was tested"
		elif [ $good = $((RECS * REPS)) ]; then
			ok "$name"
		fi
	done
done

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" = 0 ]
