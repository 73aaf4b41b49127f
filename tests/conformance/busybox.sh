#!/usr/bin/env bash
# Conformance with a real program: Debian's static busybox (package
# busybox-static), one applet per run; most are a single process, the
# last group runs children (shell pipelines, find -exec, xargs). Every
# case runs natively and under rrv (or natively twice)
# in a fresh directory with the same fixtures, and stdout, stderr and the
# exit status are compared. See tests/conformance/README.md.
#
#   tests/conformance/busybox.sh [--native-twice | --rrv PATH] \
#       [--busybox PATH] [REGEX]
#
#   --native-twice  run each case natively twice (the default)
#   --rrv PATH      run each case natively and as `PATH run ./busybox ...`
#   --record-replay PATH  record each case with `PATH record` (compared with
#                   native), then compare `PATH replay` with the recording
#   --busybox PATH  the busybox binary (default /bin/busybox)
#   REGEX           run only cases whose "busybox ARGS" matches (bash =~)
#
# Exit status 0 when every case passed.
# shellcheck disable=SC2016 # the applets' $ expressions are literal
set -u

CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$CONF_DIR/lib.sh"

busybox=/bin/busybox

# The options of this script alone (conf_parse_args, lib.sh).
# shellcheck disable=SC2034 # conf_parse_args reads CONF_TOOK
conf_option() {
	CONF_TOOK=0
	case $1 in
	--busybox)
		[ $# -ge 2 ] || conf_usage
		busybox=$2
		CONF_TOOK=2
		;;
	esac
}

conf_parse_args "$@"
conf_check_rrv busybox.sh

if [ ! -x "$busybox" ]; then
	echo "busybox.sh: no $busybox (Debian: apt-get install busybox-static)" >&2
	exit 2
fi
if readelf -l "$busybox" 2>/dev/null | grep -q INTERP; then
	echo "busybox.sh: $busybox is not statically linked" >&2
	exit 2
fi
export CONF_BIN=$busybox

# Fixed time for every fixture: 2020-01-02 03:04:05 UTC.
FIXED_TIME=@1577934245
FIX=$CONF_WORK/fixtures

# Data files, made once; copied into every run directory.
make_data() {
	awk 'BEGIN {
		split("alpha bravo charlie delta echo foxtrot golf hotel", w, " ")
		for (i = 1; i <= 3000; i++)
			printf "%04d %s %s %d\n", i, w[(i * 7) % 8 + 1],
				w[(i * 3) % 8 + 1], (i * 37) % 1000
	}' >"$FIX/data.txt"
	printf '%s\n' pear apple fig banana apple cherry date fig Apple \
		elderberry >"$FIX/words.txt"
	printf '%s\n' 10 9 100 -3 0 42 7.5 1e3 008 33 >"$FIX/numbers.txt"
	printf '%s\n' 'ann:31:paris' 'bob:7:oslo' 'cyd:19:lima' \
		'dan:7:rome' 'eve:100:kyiv' >"$FIX/table.txt"
	local i oct=
	for i in $(seq 0 255); do
		oct="$oct\\$(printf '%03o' "$i")"
	done
	# shellcheck disable=SC2059 # the format holds the bytes
	printf "$oct" >"$FIX/bin.dat"
	# The archive gunzip reads, made by this busybox natively.
	"$busybox" gzip -c "$FIX/data.txt" >"$FIX/data.txt.gz"
}

conf_setup_dir() {
	local d=$1 f
	for f in data.txt words.txt numbers.txt table.txt bin.dat \
		data.txt.gz; do
		cp "$FIX/$f" "$d/$f"
	done
	mkdir -p "$d/tree/sub/deeper" "$d/tree/empty"
	printf 'alpha\nbeta\ngamma\n' >"$d/tree/a.txt"
	printf 'alpha\nBETA\ngamma\ndelta\n' >"$d/tree/b.txt"
	printf '#!/bin/sh\necho hi\n' >"$d/tree/sub/run.sh"
	printf 'deep\n' >"$d/tree/sub/deeper/file.dat"
	: >"$d/tree/sub/empty.txt"
	ln -s a.txt "$d/tree/link-to-a"
	chmod 0644 "$d"/*.txt "$d/bin.dat" "$d/tree/a.txt" "$d/tree/b.txt" \
		"$d/tree/sub/empty.txt"
	chmod 0755 "$d/tree" "$d/tree/sub" "$d/tree/sub/run.sh"
	chmod 0750 "$d/tree/sub/deeper"
	chmod 0700 "$d/tree/empty"
	chmod 0600 "$d/tree/sub/deeper/file.dat"
	# Contents before their directories, links themselves (-h).
	find "$d" -depth -exec touch -h -d "$FIXED_TIME" {} +
}

# bb STATUS STDIN ARG...: one case, busybox ARG... (see cases for STDIN).
bb() {
	local status=$1 stdin=$2
	shift 2
	local label="busybox $*"
	[ "$stdin" != - ] && label="$label < $stdin"
	if [ -n "$CONF_FILTER" ] && ! [[ "busybox $*" =~ $CONF_FILTER ]]; then
		return 0
	fi
	conf_case "$label" "$status" busybox "$stdin" "$@"
}

conf_make_stdin_fixtures
make_data
echo "busybox conformance: mode $CONF_MODE, $busybox"

# Checksums.
bb 0 - sha256sum data.txt tree/a.txt bin.dat
bb 0 - md5sum data.txt words.txt
bb 0 - sha1sum bin.dat
bb 0 - sha512sum tree/b.txt
bb 0 pipe:big sha256sum
bb 1 - sha256sum missing-file

# Sorting and counting.
bb 0 - sort words.txt
bb 0 - sort -r -u words.txt
bb 0 - sort -f words.txt
bb 0 - sort -n numbers.txt
bb 0 - sort -t : -k 2,2n -k 1,1r table.txt
bb 0 - sort -k 3 -k 1,1n data.txt
bb 0 pipe:big sort -r
bb 0 - wc data.txt
bb 0 - wc -l -w -c tree/a.txt tree/b.txt tree/sub/empty.txt
bb 0 file:text wc
bb 0 pipe:big wc -l
bb 0 - uniq -c words.txt
bb 0 - tac tree/b.txt

# Listing.
bb 0 - ls -l tree
bb 0 - ls -lR tree
bb 0 - ls -la tree/sub
bb 0 - ls -ln tree/sub/deeper
bb 0 - ls -1 tree
bb 0 - ls -ld tree tree/empty tree/link-to-a
bb 1 - ls -l missing-file
bb 0 - stat -c '%n %s %a %A %F %h' tree/a.txt tree/sub tree/link-to-a
bb 0 - readlink tree/link-to-a
bb 0 - find tree
bb 0 - find tree -name '*.txt'
bb 0 - find tree -type d
bb 0 - find tree -type f -size -1
bb 0 - find tree -mtime +30
bb 0 - find tree -perm 0600

# Compression: separate invocations, no pipelines.
bb 0 - gzip -c data.txt
bb 0 - gzip -c -1 tree/b.txt
bb 0 - gunzip -c data.txt.gz
bb 0 - gzip -t data.txt.gz
bb 1 - gunzip -c data.txt
bb 0 - tar -cf - tree

# Text processing.
bb 0 - awk '{ s += $4; n[$2]++ } END { print s, NR; print n["alpha"], n["golf"] }' data.txt
bb 0 - awk -F : '{ printf "%-5s|%6.2f|%s\n", toupper($1), $2 / 3, substr($3, 2, 2) }' table.txt
bb 0 - awk 'BEGIN { for (i = 1; i <= 10; i++) printf "%d %d %.4f %x\n", i, i * i * i, i / 7, i * 4096 }'
bb 0 - awk 'length($0) > 22 { c++ } END { print c + 0 }' data.txt
bb 0 file:text awk '{ print NR ": " length($0) ": " $1 }'
bb 0 - sed 's/fox/cat/g; s/[0-9][0-9]*$/N/' data.txt
bb 0 - sed -n '2,5p; 2998,$p' data.txt
bb 0 - sed -e '/alpha/d' -e 's/^\(....\) \([a-z]*\)/\2 \1/' data.txt
bb 0 pipe:text sed 's/a/A/g'
bb 0 - grep -n golf data.txt
bb 0 - grep -c -E '^0+1[0-9] ' data.txt
bb 0 - grep -v -i beta tree/b.txt
bb 0 - grep -r -l alpha tree
bb 1 - grep nomatch-anywhere data.txt
bb 2 - grep alpha missing-file
bb 0 - cut -d ' ' -f 2,4 data.txt
bb 0 file:text tr a-z A-Z
bb 0 pipe:big tr -d 0-9
bb 0 - head -n 5 data.txt
bb 0 - tail -n 5 data.txt
bb 0 - tail -c 100 data.txt
bb 0 - cat -n tree/b.txt
bb 1 - cat missing-file
bb 0 - rev tree/b.txt
bb 0 - nl tree/b.txt
bb 0 - expand tree/b.txt
bb 1 - cmp tree/a.txt tree/b.txt
bb 1 - diff tree/a.txt tree/b.txt

# Bytes.
bb 0 - od -An -tx1 tree/a.txt
bb 0 - od -c bin.dat
bb 0 - od -t d4 bin.dat
bb 0 - hexdump -C bin.dat
bb 0 - xxd tree/b.txt
bb 0 - base64 bin.dat
bb 0 - crc32 data.txt

# Small computations and the environment.
bb 0 - seq 1 3 20
bb 0 - factor 123456789 600851475143
bb 0 - expr 7 '*' 6
bb 1 - expr 0 + 0
bb 0 - printf '%05d|%-4s|%x|%s\n' 42 ab 255 'two words'
bb 0 - echo one 'two words' ''
bb 0 - date -u -d @1577934245 '+%Y-%m-%d %H:%M:%S %j %a'
bb 0 - uname -s -m
bb 0 - env
bb 0 - sleep 0.05
bb 0 - true
bb 1 - false
bb 0 - basename /a/b/c.txt .txt
bb 0 - dirname /a/b/c.txt

# Processes: the shell forks for pipelines, subshells and command
# substitution, find -exec and xargs run commands, and a child killed by
# a signal or exiting with a status is seen by its parent.
bb 0 - sh -c 'echo one two | tr a-z A-Z; (exit 3); echo "status $?"; x=$(echo sub); echo "$x"'
bb 0 - sh -c 'sh -c "kill -TERM \$\$"; echo "killed: $?"; sh -c "exit 300"; echo "exit: $?"'
bb 0 - sh -c 'sort words.txt | uniq -c | sort -rn | head -n 3'
bb 3 - sh -c 'true && exit 3'
bb 0 - find tree -name '*.txt' -exec cat '{}' ';'
bb 0 - sh -c 'xargs -n 3 echo < words.txt'

conf_summary
