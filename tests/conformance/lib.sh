# shellcheck shell=bash
# Shared by run.sh and busybox.sh (sourced, not run).
#
# One comparison = two runs of the same program with the same arguments,
# the same standard input, the same fresh directory (same absolute path),
# and the same minimal environment:
#   native twice:  native vs native (are the programs deterministic?)
#   rrv:           native vs `$RRV run ./prog args...`
#   record-replay: native vs `$RRV record`, then that recording vs
#                  `$RRV replay` of its trace, run from another (empty)
#                  directory after the run directory is gone, with no stdin
# Compared: stdout, stderr (lines starting with "rrv: " are dropped from
# rrv's), and the exit status, which must also be the expected one.
#
# With CONF_KEEP=DIR in the environment, both runs' outputs of every case
# are kept in DIR (DIR/index lists the cases by number).
#
# The sourcing script defines conf_setup_dir DIR (makes the fixtures a run
# needs in the fresh directory DIR) and then calls conf_case for each case.

CONF_TIMEOUT=${CONF_TIMEOUT:-120}
CONF_WORK=$(mktemp -d "${TMPDIR:-/tmp}/rrv-conformance.XXXXXX")
trap 'rm -rf "$CONF_WORK"' EXIT
mkdir -p "$CONF_WORK/fixtures" "$CONF_WORK/results"
CONF_PASS=0
CONF_FAIL=0
CONF_MODE=native-twice
CONF_RRV=

# The REGEX of the command line (conf_parse_args); the sourcing script
# runs only the cases it matches.
# shellcheck disable=SC2034 # read by the sourcing script
CONF_FILTER=

# Prints the comment at the top of the script that sourced this file (its
# usage, up to the first line that is not a comment) and exits 2.
conf_usage() {
	awk 'NR > 1 && /^#/ && !/shellcheck/ { sub(/^# ?/, ""); print; next }
	     NR > 1 { exit }' "${BASH_SOURCE[-1]}" >&2
	exit 2
}

# Parses the command line: the options every conformance script takes
# (--native-twice, --rrv PATH, --record-replay PATH, -h/--help) and a REGEX,
# which goes to CONF_FILTER.  Any other option goes to the sourcing
# script's conf_option OPTION [VALUE...], which sets CONF_TOOK to the number
# of arguments it used, or to 0 when it does not know OPTION.  A bad
# command line ends in conf_usage.
# shellcheck disable=SC2034 # CONF_FILTER is read by the sourcing script
conf_parse_args() {
	while [ $# -gt 0 ]; do
		CONF_TOOK=1
		case $1 in
		--native-twice) CONF_MODE=native-twice ;;
		--rrv | --record-replay)
			[ $# -ge 2 ] || conf_usage
			CONF_MODE=${1#--}
			CONF_RRV=$2
			CONF_TOOK=2
			;;
		-h | --help) conf_usage ;;
		-*)
			conf_option "$@"
			[ "$CONF_TOOK" -gt 0 ] || conf_usage
			;;
		*) CONF_FILTER=$1 ;;
		esac
		shift "$CONF_TOOK"
	done
}

# With --rrv or --record-replay: makes CONF_RRV an absolute path and exits
# 2, as the script named by $1, when it is not an executable.
conf_check_rrv() {
	[ -n "$CONF_RRV" ] || return 0
	case $CONF_RRV in
	/*) ;;
	*) CONF_RRV=$PWD/$CONF_RRV ;;
	esac
	if [ ! -x "$CONF_RRV" ]; then
		echo "$1: $CONF_RRV is not an executable" >&2
		exit 2
	fi
}

# Standard-input fixtures, named in a case's STDIN column.
conf_make_stdin_fixtures() {
	local f=$CONF_WORK/fixtures
	printf '%s\n' \
		'The conformance suite feeds this text to programs on stdin.' \
		'' \
		'	a line starting with a tab, and trailing spaces   ' \
		'0123456789 !"#$%&'"'"'()*+,-./:;<=>?@[\]^_`{|}~' \
		'last line follows without a newline' >"$f/text"
	printf 'no newline at the end' >>"$f/text"
	awk 'BEGIN { for (i = 0; i < 60000; i++)
		printf "%06d the quick brown fox jumps %d\n", i, (i * i) % 9973 }' \
		>"$f/big"
}

# conf_run_one KIND OUTPREFIX NAME STDIN ARG...: one run in a fresh
# $CONF_WORK/run holding ./NAME (copied from $CONF_BIN), writing
# OUTPREFIX.out, .err and .status. KIND is native or rrv.
conf_run_one() {
	local kind=$1 prefix=$2 name=$3 stdin=$4
	shift 4
	local run=$CONF_WORK/run
	rm -rf "$run"
	mkdir "$run"
	conf_setup_dir "$run"
	cp "$CONF_BIN" "$run/$name"
	chmod 0755 "$run/$name"
	local -a cmd=(env -i PATH=/usr/bin:/bin RRV_CONF=1)
	case $kind in
	rrv) cmd+=("$CONF_RRV" run "./$name" "$@") ;;
	record)
		rm -f "$CONF_WORK/results/trace.rrv"
		cmd+=("$CONF_RRV" record -o "$CONF_WORK/results/trace.rrv" "./$name" "$@")
		;;
	replay)
		# Nothing of the recording's world is left: not its
		# directory, not its stdin.
		rm -rf "$run"
		mkdir "$run"
		cmd+=("$CONF_RRV" replay "$CONF_WORK/results/trace.rrv")
		stdin=-
		;;
	*) cmd+=("./$name" "$@") ;;
	esac
	local status
	{
		(
			cd "$run" || exit 125
			ulimit -c 0
			umask 022
			case $stdin in
			- | '')
				timeout -k 5 "$CONF_TIMEOUT" "${cmd[@]}" </dev/null \
					>"$prefix.out" 2>"$prefix.err"
				;;
			file:*)
				timeout -k 5 "$CONF_TIMEOUT" "${cmd[@]}" \
					<"$CONF_WORK/fixtures/${stdin#file:}" \
					>"$prefix.out" 2>"$prefix.err"
				;;
			pipe:*)
				# shellcheck disable=SC2002 # the pipe is the point
				cat "$CONF_WORK/fixtures/${stdin#pipe:}" |
					timeout -k 5 "$CONF_TIMEOUT" "${cmd[@]}" \
						>"$prefix.out" 2>"$prefix.err"
				;;
			*)
				echo "bad STDIN column: $stdin" >"$prefix.err"
				exit 125
				;;
			esac
		)
		status=$?
	} 2>/dev/null
	echo "$status" >"$prefix.status"
	if [ "$kind" != native ]; then
		grep -v '^rrv: ' "$prefix.err" >"$prefix.err.filtered"
		mv "$prefix.err.filtered" "$prefix.err"
	fi
}

conf_show_diff() {
	local what=$1 a=$2 b=$3 la=$4 lb=$5
	echo "  $what differs:"
	diff -u -a --label "$la" --label "$lb" "$a" "$b" | head -n 80 |
		sed 's/^/    /'
}

# conf_case LABEL EXPECTED-STATUS NAME STDIN ARG...: the comparison for
# one case, using $CONF_BIN; prints "ok   LABEL" or "FAIL LABEL" and why.
conf_case() {
	local label=$1 expected=$2 name=$3 stdin=$4
	shift 4
	local a=$CONF_WORK/results/a b=$CONF_WORK/results/b la lb kind_b
	conf_run_one native "$a" "$name" "$stdin" "$@"
	if [ "$CONF_MODE" = rrv ]; then
		kind_b=rrv la=native lb=rrv
	elif [ "$CONF_MODE" = record-replay ]; then
		kind_b=record la=native lb=record
	else
		kind_b=native la=native-1 lb=native-2
	fi
	conf_run_one "$kind_b" "$b" "$name" "$stdin" "$@"

	if [ -n "${CONF_KEEP:-}" ]; then
		local n=$((CONF_PASS + CONF_FAIL + 1))
		mkdir -p "$CONF_KEEP"
		printf '%03d %s\n' "$n" "$label" >>"$CONF_KEEP/index"
		local ext
		for ext in out err status; do
			cp "$a.$ext" "$CONF_KEEP/$(printf %03d "$n").$la.$ext"
			cp "$b.$ext" "$CONF_KEEP/$(printf %03d "$n").$lb.$ext"
		done
	fi

	local -a why=()
	local sa sb
	sa=$(cat "$a.status")
	sb=$(cat "$b.status")
	[ "$sa" = "$expected" ] || why+=("$la exit status $sa, expected $expected")
	[ "$sa" = "$sb" ] || why+=("exit status: $la $sa, $lb $sb")
	cmp -s "$a.out" "$b.out" || why+=(stdout)
	cmp -s "$a.err" "$b.err" || why+=(stderr)
	local c=$CONF_WORK/results/c
	if [ "$CONF_MODE" = record-replay ]; then
		conf_run_one replay "$c" "$name" "$stdin" "$@"
		local sc
		sc=$(cat "$c.status")
		[ "$sc" = "$sb" ] || why+=("exit status: record $sb, replay $sc")
		cmp -s "$b.out" "$c.out" || why+=(replay-stdout)
		cmp -s "$b.err" "$c.err" || why+=(replay-stderr)
	fi
	if [ ${#why[@]} -eq 0 ]; then
		echo "ok   $label"
		CONF_PASS=$((CONF_PASS + 1))
		return 0
	fi
	echo "FAIL $label"
	CONF_FAIL=$((CONF_FAIL + 1))
	local w
	for w in "${why[@]}"; do
		case $w in
		stdout) conf_show_diff stdout "$a.out" "$b.out" "$la" "$lb" ;;
		stderr) conf_show_diff stderr "$a.err" "$b.err" "$la" "$lb" ;;
		replay-stdout) conf_show_diff stdout "$b.out" "$c.out" record replay ;;
		replay-stderr) conf_show_diff stderr "$b.err" "$c.err" record replay ;;
		*) echo "  $w" ;;
		esac
	done
	if [ "$sa" != "$expected" ]; then
		# The programs print "FAIL: what" for each failed check; those
		# lines say why, wherever they are in the output.
		if grep -q '^FAIL: ' "$a.out"; then
			echo "  $la failed checks:"
			grep '^FAIL: ' "$a.out" | sed 's/^/    | /'
		fi
		echo "  $la stdout (last 20 lines):"
		tail -n 20 "$a.out" | sed 's/^/    | /'
		echo "  $la stderr (last 20 lines):"
		tail -n 20 "$a.err" | sed 's/^/    | /'
	fi
	return 1
}

conf_summary() {
	echo "$CONF_PASS passed, $CONF_FAIL failed"
	[ "$CONF_FAIL" -eq 0 ] && [ "$CONF_PASS" -gt 0 ]
}
