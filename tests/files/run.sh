#!/usr/bin/env bash
# The file tests: builds the programs beside this script for glibc and
# musl (static), runs each case natively and under rrv in the same fresh
# directory, and compares stdout, stderr and the exit status.  Uses the
# conformance suite's harness (tests/conformance/lib.sh).
#
#   tests/files/run.sh [--rrv PATH | --record-replay PATH |
#                       --native-twice] [REGEX]
#
#   --rrv PATH      compare native runs with `PATH run` (the default,
#                   with build/rrv)
#   --record-replay PATH  compare native runs with `PATH record`, then
#                   the recording with `PATH replay` of its trace
#   --native-twice  run natively twice: are the programs deterministic?
#   REGEX           run only cases whose "NAME ARGS" matches (bash =~)
#
# Without KVM, run it inside the nested VM:
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/files/run.sh
# Exit status 0 when every case passed.

# Started with sh: the harness needs bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

FILES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$FILES_DIR/../.." && pwd)
# shellcheck source=../conformance/lib.sh
. "$ROOT/tests/conformance/lib.sh"

CONF_MODE=rrv
CONF_RRV=$ROOT/build/rrv
filter=

usage() {
	sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--rrv | --record-replay)
		[ $# -ge 2 ] || usage
		CONF_MODE=${1#--}
		CONF_RRV=$2
		shift
		;;
	--native-twice) CONF_MODE=native-twice ;;
	-*) usage ;;
	*) filter=$1 ;;
	esac
	shift
done
case $CONF_RRV in
/*) ;;
*) CONF_RRV=$PWD/$CONF_RRV ;;
esac
if [ "$CONF_MODE" != native-twice ] && [ ! -x "$CONF_RRV" ]; then
	echo "run.sh: $CONF_RRV is not an executable (run make first)" >&2
	exit 2
fi

# Build: one static binary per program and libc, when out of date.
out=$ROOT/build/tests/files
progs="fds pipes io stdin"
for libc in glibc musl; do
	cc=gcc
	[ $libc = musl ] && cc=musl-gcc
	if ! command -v $cc >/dev/null; then
		echo "run.sh: $cc is missing" >&2
		exit 2
	fi
	mkdir -p "$out/$libc"
	for p in $progs; do
		src=$FILES_DIR/$p.c
		bin=$out/$libc/$p
		if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$FILES_DIR/t.h" -nt "$bin" ]; then
			$cc -static -O1 -Wall -Wno-nonnull -Wno-stringop-overread \
				-o "$bin" "$src" || exit 2
		fi
	done
done

conf_setup_dir() {
	:
}

conf_make_stdin_fixtures

# NAME | ARGS | STDIN | STATUS, as in tests/conformance/cases.
cases='
fds   |       | -         | 0
pipes |       | -         | 0
io    |       | -         | 0
stdin | 1     | file:text | 0
stdin | 7     | pipe:text | 0
stdin | 4096  | file:big  | 0
stdin | 65536 | pipe:big  | 0
stdin | 0     | pipe:big  | 0
stdin | 100   | -         | 0
'

echo "file tests: mode $CONF_MODE"
while IFS='|' read -r name args stdin expected; do
	name=$(echo $name)
	[ -z "$name" ] && continue
	args=$(echo $args)
	stdin=$(echo $stdin)
	expected=$(echo $expected)
	if [ -n "$filter" ] && ! [[ "$name $args" =~ $filter ]]; then
		continue
	fi
	for libc in glibc musl; do
		CONF_BIN=$out/$libc/$name
		label="$libc/$name${args:+ $args}"
		[ "$stdin" != - ] && label="$label < $stdin"
		# shellcheck disable=SC2086 # ARGS are plain words
		conf_case "$label" "$expected" "$name" "$stdin" $args
	done
done <<<"$cases"

conf_summary
