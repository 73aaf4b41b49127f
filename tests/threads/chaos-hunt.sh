#!/usr/bin/env bash
# A race hunt, as a user would run one: race.c oversells a show only when
# a thread switch falls inside a two-instruction window.  For glibc and
# musl builds:
#   - `rrv run` without --chaos (the default deterministic scheduler)
#     never hits it, twice;
#   - `rrv record --chaos=SEED` for SEED = 1, 2, ... finds a failing run
#     within 50 seeds;
#   - replaying that trace fails the same way (status and output) every
#     time, 5 times.
#
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/threads/chaos-hunt.sh
#
# RRV names the rrv binary (default build/rrv).  Exit status 0 when every
# check passed.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

SUITE=chaos-hunt
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAX_SEEDS=50
REPLAYS=5
build race

for l in glibc musl; do
	name=race-$l
	prog=$OUT/$name
	for i in 1 2; do
		out=$(timeout 120 "$RRV" run "$prog" 2>"$TMP/err")
		st=$?
		if [ $st = 0 ] && [ "$out" = "sold 40 seats" ]; then
			ok "$name: rrv run without --chaos, run $i: $out"
		else
			bad "$name: rrv run without --chaos, run $i" "status $st, '$out'"
		fi
	done

	found=
	for seed in $(seq 1 $MAX_SEEDS); do
		trace=$TMP/$name-$seed.rrv
		timeout 120 "$RRV" record --chaos="$seed" -o "$trace" "$prog" \
			>"$TMP/rec" 2>"$TMP/err"
		st=$?
		if [ $st = 0 ]; then
			rm -f "$trace"
			continue
		fi
		if ! grep -q '^oversold' "$TMP/rec"; then
			bad "$name chaos=$seed" "recording failed, status $st, without the race's message"
			break
		fi
		found=$seed
		break
	done
	if [ -z "$found" ]; then
		[ $st = 0 ] && bad "$name" "no seed in 1..$MAX_SEEDS hit the race"
		continue
	fi
	ok "$name: seed $found hit the race (status $st): $(cat "$TMP/rec")"

	good=1
	for i in $(seq 1 $REPLAYS); do
		timeout 120 "$RRV" replay "$trace" >"$TMP/rep" 2>"$TMP/err"
		rs=$?
		if [ $rs != $st ] || ! cmp -s "$TMP/rec" "$TMP/rep"; then
			bad "$name chaos=$found replay $i" "status $rs (recorded $st), printed '$(cat "$TMP/rep")'"
			good=0
			break
		fi
	done
	[ $good = 1 ] && ok "$name chaos=$found: $REPLAYS replays fail the same way"
done

echo "chaos-hunt: $pass passed, $fail failed"
[ $fail = 0 ]
