#!/usr/bin/env bash
# The conformance suite: runs every case of tests/conformance/cases, for
# each libc, natively and under rrv (or natively twice), and compares
# stdout, stderr and the exit status. See tests/conformance/README.md.
#
#   tests/conformance/run.sh [--native-twice | --rrv PATH] \
#       [--libc LIBCS] [--build DIR] [--no-build] [REGEX]
#
#   --native-twice  run each case natively twice (the default): proves the
#                   programs print the same thing on every run
#   --rrv PATH      run each case natively and as `PATH run ./NAME ARGS`
#   --record-replay PATH  record each case with `PATH record` (compared with
#                   native), then compare `PATH replay` with the recording
#   --libc LIBCS    which builds to run: glibc, musl, glibc-dyn or
#                   musl-dyn (dynamically linked), both (the two static
#                   ones, the default), dynamic (the two dynamic ones) or
#                   all four
#   --build DIR     where conformance.mk put the programs (default build,
#                   relative to the repository root)
#   --no-build      do not run make first
#   REGEX           run only cases whose "NAME ARGS" matches (bash =~)
#
# Exit status 0 when every case passed.
set -u

CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$CONF_DIR/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$CONF_DIR/lib.sh"

libcs="glibc musl"
build=build
do_build=1

# The options of this script alone (conf_parse_args, lib.sh).
# shellcheck disable=SC2034 # conf_parse_args reads CONF_TOOK
conf_option() {
	CONF_TOOK=0
	case $1 in
	--libc)
		[ $# -ge 2 ] || conf_usage
		case $2 in
		glibc | musl | glibc-dyn | musl-dyn) libcs=$2 ;;
		both) libcs="glibc musl" ;;
		dynamic) libcs="glibc-dyn musl-dyn" ;;
		all) libcs="glibc musl glibc-dyn musl-dyn" ;;
		*) conf_usage ;;
		esac
		CONF_TOOK=2
		;;
	--build)
		[ $# -ge 2 ] || conf_usage
		build=$2
		CONF_TOOK=2
		;;
	--no-build)
		do_build=0
		CONF_TOOK=1
		;;
	esac
}

conf_parse_args "$@"

case $build in
/*) ;;
*) build=$ROOT/$build ;;
esac

conf_check_rrv run.sh

if [ "$do_build" = 1 ]; then
	make -s --no-print-directory -C "$ROOT" \
		-f tests/conformance/conformance.mk BUILD="$build" \
		conformance-build || {
		echo "run.sh: building the conformance programs failed" >&2
		exit 2
	}
fi

# Every run gets the same fresh directory, with these fixtures in it.
conf_setup_dir() {
	local d=$1
	printf 'target-content\n' >"$d/target"
	ln -s target "$d/link"
	ln -s missing-file "$d/dangling"
}

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

conf_make_stdin_fixtures

# SIGBUS from an alignment check needs a CPU that checks alignment when
# EFLAGS.AC and CR0.AM are set.  QEMU's software CPU (tools/with-kvm's
# nested VM) does not, so natively those cases cannot fault either; they
# are reported as skipped there, loudly, and run everywhere else.
cpu_checks_alignment=1
probe=$build/conformance/glibc/faults
if [ -x "$probe" ]; then
	(cd "${TMPDIR:-/tmp}" && "$probe" bus die) >/dev/null 2>&1
	[ $? -eq 135 ] || cpu_checks_alignment=0
fi
CONF_SKIP=0

echo "conformance: mode $CONF_MODE, libc $libcs"
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'' | '#'*) continue ;;
	esac
	IFS='|' read -r name args stdin expected <<<"$line"
	name=$(trim "$name")
	args=$(trim "$args")
	stdin=$(trim "$stdin")
	expected=$(trim "$expected")
	if [ -z "$name" ] || [ -z "$expected" ]; then
		echo "run.sh: bad line in cases: $line" >&2
		exit 2
	fi
	if [ -n "$CONF_FILTER" ] && ! [[ "$name $args" =~ $CONF_FILTER ]]; then
		continue
	fi
	# ARGS are shell words: quotes work; $, `, ;, &, <, >, ( and ) are
	# refused so that eval expands nothing.
	case $args in
	*[\$\`\;\&\<\>\(\)]*)
		echo "run.sh: ARGS may not hold \$ \` ; & < > ( ): $line" >&2
		exit 2
		;;
	esac
	argv=()
	eval "argv=($args)"
	if [ "$name" = faults ] && [ "${argv[0]:-}" = bus ] && [ $cpu_checks_alignment = 0 ]; then
		echo "skip $name $args: this CPU does not raise #AC (QEMU TCG), so not even a native run faults"
		CONF_SKIP=$((CONF_SKIP + 1))
		continue
	fi
	for libc in $libcs; do
		CONF_BIN=$build/conformance/$libc/$name
		label="$libc/$name${args:+ $args}"
		[ "$stdin" != - ] && label="$label < $stdin"
		if [ ! -x "$CONF_BIN" ]; then
			echo "FAIL $label"
			echo "  $CONF_BIN is missing"
			CONF_FAIL=$((CONF_FAIL + 1))
			continue
		fi
		conf_case "$label" "$expected" "$name" "$stdin" "${argv[@]}"
	done
done <"$CONF_DIR/cases"

[ "$CONF_SKIP" -gt 0 ] && echo "$CONF_SKIP case(s) skipped, each for the reason printed above"
conf_summary
