# shellcheck shell=bash
# Shared by run.sh and chaos-hunt.sh (sourced, not run, from bash).
#
# The sourcing script sets SUITE, the name its temporary directory is
# made under.  Sets HERE (this directory), ROOT, RRV (the rrv binary:
# $RRV from the environment, or build/rrv), OUT (where programs are built),
# TMP (removed at exit) and the counts pass and fail; works from ROOT.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
RRV=${RRV:-$ROOT/build/rrv}
OUT=$ROOT/build/tests/threads
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rrv-$SUITE.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

pass=0
fail=0

# ok WHAT: a check passed.
ok() { pass=$((pass + 1)); printf 'PASS %s\n' "$1"; }

# bad WHAT WHY: a check failed; shows the start of $TMP/err, where the
# checks leave the stderr of the run that failed.
bad() {
	fail=$((fail + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
	[ -s "$TMP/err" ] && sed 's/^/    | /' "$TMP/err" | head -15
}

# build PROG: PROG.c here, static, as $OUT/PROG-glibc and $OUT/PROG-musl;
# a failed build ends the suite, since nothing can be checked without it.
build() {
	gcc -O2 -Wall -static -pthread "$HERE/$1.c" -o "$OUT/$1-glibc" ||
		{ echo "build of $1 (glibc) failed"; exit 1; }
	musl-gcc -O2 -Wall -static "$HERE/$1.c" -o "$OUT/$1-musl" ||
		{ echo "build of $1 (musl) failed"; exit 1; }
}
