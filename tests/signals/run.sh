#!/usr/bin/env bash
# The signal tests: builds every program here static with glibc and musl,
# runs each case natively and under `rrv run` (or natively twice), and
# compares stdout, stderr (less rrv's own "rrv: " lines) and the exit
# status, which must also be the one the case expects.
#
#   tests/signals/run.sh [--rrv PATH | --native-twice] [--libc glibc|musl]
#                        [--keep DIR] [REGEX]
#
#   --rrv PATH      the rrv binary (default build/rrv)
#   --native-twice  check the programs themselves are deterministic
#   --libc          only that libc's builds
#   --keep DIR      keep every run's output in DIR
#   REGEX           only cases whose "PROGRAM ARGS" matches (bash =~)
#
# Under a machine without KVM:
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/signals/run.sh
# Exit status 0 when every case passed.

# Run as `sh run.sh` too: the rest is bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/build/tests/signals
mode=rrv
rrv=$ROOT/build/rrv
libcs="glibc musl"
keep=
filter=

while [ $# -gt 0 ]; do
	case $1 in
	--rrv) rrv=$2; shift ;;
	--native-twice) mode=native-twice ;;
	--libc) libcs=$2; shift ;;
	--keep) keep=$2; shift ;;
	-h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) filter=$1 ;;
	esac
	shift
done
case $rrv in /*) ;; *) rrv=$PWD/$rrv ;; esac
if [ "$mode" = rrv ] && [ ! -x "$rrv" ]; then
	echo "run.sh: $rrv is not an executable (make first)" >&2
	exit 2
fi

# PROGRAM ARGS... EXPECTED-STATUS, one case a line.  A trailing "?" marks
# a case that needs a CPU check QEMU's software CPU (under tools/with-kvm)
# does not make (#AC alignment checks, fxrstor's reserved MXCSR bits): it
# is skipped when the native run does not give the expected status.
CASES='
basic info 0
basic errors 0
basic order 0
basic flags 0
basic ignore 0
basic wait 0
altstack 0
regs 0
fpu state 0
fpu badmxcsr 139 ?
fpu misaligned 139
faults segv catch 0
faults segvw catch 0
faults segvro catch 0
faults gp catch 0
faults fpe catch 0
faults ill catch 0
faults trap catch 0
faults bus catch 0
faults segv die 139
faults gp die 139
faults fpe die 136
faults ill die 132
faults trap die 133
faults bus die 135 ?
faults segv blocked 139
faults fpe blocked 136
faults ill ignored 132
faults trap ignored 133
faults segvw ignored 139
fatal abort 134
fatal term 143
fatal usr1 138
fatal quit 131
fatal rt 168
fatal kill 137
fatal killblocked 137
fatal pipe 141
fatal pipeign 0
fatal resethand 138
fatal norestorer 139
fatal badstack 139
fatal badstack2 139
fatal altoverflow 139
fatal badsigreturn 139
fatal unblock 143
fatal ignored 7
fatal sigsegvdfl 139
'

# Build: one binary per program and libc.
mkdir -p "$OUT"
for src in "$HERE"/*.c; do
	name=$(basename "$src" .c)
	for libc in $libcs; do
		cc=gcc
		[ "$libc" = musl ] && cc=musl-gcc
		bin=$OUT/$name.$libc
		if [ ! -e "$bin" ] || [ "$src" -nt "$bin" ] || [ "$HERE/sigtest.h" -nt "$bin" ]; then
			if ! $cc -static -O1 -Wall -Wextra -Werror -o "$bin" "$src" -lm; then
				echo "run.sh: cannot build $name for $libc" >&2
				exit 2
			fi
		fi
	done
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rrv-signals.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$keep" ] && mkdir -p "$keep"

# run KIND PREFIX BIN ARGS...: one run in a fresh directory, as a process
# group leader (so kill(0, ...) reaches only the program), with a fixed
# environment; leaves PREFIX.out, .err, .status.
run() {
	local kind=$1 prefix=$2 bin=$3
	shift 3
	rm -rf "$work/dir"
	mkdir "$work/dir"
	cp "$bin" "$work/dir/prog"
	local -a cmd=(env -i PATH=/usr/bin:/bin)
	[ "$kind" = rrv ] && cmd+=("$rrv" run)
	# The outer redirection silences bash's "Killed"-style reports.
	{
		(
			cd "$work/dir" || exit 125
			ulimit -c 0
			exec timeout -k 5 60 setsid -w "${cmd[@]}" ./prog "$@" \
				</dev/null >"$prefix.out" 2>"$prefix.err"
		)
		echo $? >"$prefix.status"
	} 2>/dev/null
	if [ "$kind" = rrv ]; then
		grep -v '^rrv: ' "$prefix.err" >"$prefix.err2"
		mv "$prefix.err2" "$prefix.err"
	fi
}

pass=0
fail=0
skip=0
n=0
while read -r line; do
	[ -z "$line" ] && continue
	set -- $line
	optional=
	if [ "${!#}" = "?" ]; then
		optional=1
		set -- "${@:1:$#-1}"
	fi
	want=${!#}
	prog=$1
	args=("${@:2:$#-2}")
	desc="$prog ${args[*]}"
	[ -n "$filter" ] && ! [[ $desc =~ $filter ]] && continue
	for libc in $libcs; do
		n=$((n + 1))
		a=$work/$n.a
		b=$work/$n.b
		run native "$a" "$OUT/$prog.$libc" "${args[@]}"
		if [ "$mode" = rrv ]; then
			run rrv "$b" "$OUT/$prog.$libc" "${args[@]}"
		else
			run native "$b" "$OUT/$prog.$libc" "${args[@]}"
		fi
		if [ -n "$optional" ] && [ "$(cat "$a.status")" != "$want" ]; then
			skip=$((skip + 1))
			echo "SKIP $libc $desc: native status $(cat "$a.status"), this CPU lacks the check"
			continue
		fi
		why=
		[ "$(cat "$a.status")" = "$want" ] || why="native status $(cat "$a.status"), wanted $want"
		[ "$(cat "$b.status")" = "$want" ] || why="${why:+$why; }$mode status $(cat "$b.status"), wanted $want"
		cmp -s "$a.out" "$b.out" || why="${why:+$why; }stdout differs"
		cmp -s "$a.err" "$b.err" || why="${why:+$why; }stderr differs"
		if [ -z "$why" ]; then
			pass=$((pass + 1))
			echo "PASS $libc $desc"
		else
			fail=$((fail + 1))
			echo "FAIL $libc $desc: $why"
			diff -u --label native "$a.out" --label "$mode" "$b.out" | head -20
			diff -u --label native.err "$a.err" --label "$mode.err" "$b.err" | head -10
		fi
		if [ -n "$keep" ]; then
			for f in "$a".* "$b".*; do
				cp "$f" "$keep/$libc.$prog.${args[*]// /.}.$(basename "$f" | cut -d. -f2-)"
			done
		fi
	done
done <<<"$CASES"

echo "signals: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
