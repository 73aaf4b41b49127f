#!/usr/bin/env bash
# Checkpoints of rrv debug on real traces (docs/debugging.md,
# "Checkpoints"), through rrv replay --check-checkpoints: a threaded
# program whose hand-overs are asynchronous preemption points (cp_spin)
# and one that forks (cp_fork), each static with glibc and musl, are
# recorded; each replay takes snapshots, runs to the end, goes back to
# every snapshot and runs to the end again, and must end as the first run
# did (the same hypercalls, output, events and status), including from a
# snapshot taken after a restore; the output is the recorded one.  Then
# the same under a small memory bound, which must drop snapshots and still
# check.  Builds nothing: make debug-progs builds build/tests/debug/.
#
#   tools/with-kvm sh tests/debug/checkpoints.sh
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u
cd "$(dirname "$0")/../.." || exit 1
RRV=${RRV:-build/rrv}
BIN=build/tests/debug
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rrv-checkpoints.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export RRV_TRACE_DIR="$TMP/traces" RRV_NO_PROGRESS=1
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $1"; }
bad() { fails=$((fails + 1)); echo "FAIL: $1: $2"; }

for p in cp_spin cp_fork; do
	for l in glibc musl; do
		name=$p-$l
		exe=$BIN/$name
		if [ ! -x "$exe" ]; then
			bad "$name" "$exe is not built (make debug-progs builds it)"
			continue
		fi
		trace=$TMP/$name.rrv
		timeout 120 "$RRV" record -o "$trace" "$exe" >"$TMP/rec.out" 2>"$TMP/rec.err"
		rs=$?
		if [ "$rs" -ge 64 ] || [ ! -s "$trace" ]; then
			bad "$name" "record failed ($rs): $(head -3 "$TMP/rec.err")"
			continue
		fi
		# Threads must have given the trace preemption points, else
		# the test checks less than it says.
		if [ "$p" = cp_spin ] && ! "$RRV" dump "$trace" 2>/dev/null | grep -q ' preempt('; then
			bad "$name" "the trace holds no preemption point"
			continue
		fi
		for every in 3 7; do
			timeout 300 "$RRV" replay --check-checkpoints=$every "$trace" \
				>"$TMP/chk.out" 2>"$TMP/chk.err"
			cs=$?
			if [ "$cs" != "$rs" ]; then
				bad "$name/$every" "status $cs, recorded $rs: $(grep -v '^rrv: guest' "$TMP/chk.err" | head -5)"
			elif ! cmp -s "$TMP/rec.out" "$TMP/chk.out"; then
				bad "$name/$every" "output differs from the recording's"
			elif ! grep -Eq '^rrv: replay: [0-9]+ checkpoints checked: each ran to the end as the first run did' "$TMP/chk.err"; then
				bad "$name/$every" "no check summary: $(tail -3 "$TMP/chk.err")"
			else
				n=$(sed -n 's/^rrv: replay: \([0-9]*\) checkpoints checked.*/\1/p' "$TMP/chk.err")
				# At least the first, a few spaced ones and the one
				# taken after a restore.
				if [ "$n" -lt 4 ]; then
					bad "$name/$every" "only $n checkpoints checked"
				else
					ok "$name every $every events: $n checkpoints"
				fi
			fi
		done
		# A bound smaller than the snapshots: some are dropped (their
		# pages merged into the next), and the rest still check.
		timeout 300 "$RRV" replay --check-checkpoints=2 --checkpoint-memory=1M \
			"$trace" >"$TMP/chk.out" 2>"$TMP/chk.err"
		cs=$?
		dropped=$(sed -n 's/.*(\([0-9]*\) dropped for the bound).*/\1/p' "$TMP/chk.err")
		if [ "$cs" != "$rs" ] || ! cmp -s "$TMP/rec.out" "$TMP/chk.out"; then
			bad "$name/bound" "status $cs (recorded $rs) or output differs: $(grep -v '^rrv: guest' "$TMP/chk.err" | head -5)"
		elif [ -z "$dropped" ] || [ "$dropped" -lt 1 ]; then
			bad "$name/bound" "a 1M bound dropped no snapshot: $(tail -1 "$TMP/chk.err")"
		else
			ok "$name under a 1M bound: $dropped dropped"
		fi
	done
done
echo "checkpoints: $passes passed, $fails failed"
[ "$fails" = 0 ]
