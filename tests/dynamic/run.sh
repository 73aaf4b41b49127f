#!/usr/bin/env bash
# Dynamically linked programs: hello built against glibc and musl (not
# -static), then everyday tools from Debian packages.  Each case runs
# natively and under `rrv run` in the same fresh directory, comparing
# stdout, stderr and exit status; then `rrv record` in another fresh
# directory and `rrv replay` of that trace from an empty one (nothing of
# the recording's world left), comparing the two.
#
#   tests/dynamic/run.sh [--rrv PATH] [REGEX]
#
# Without KVM, run it inside the nested VM:
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/dynamic/run.sh
# Exit status 0 when every case passed.
#
# Several processes run in the one guest (fork, vfork, execve, wait4 and
# pipes between them): `tar czf` and `tar cJf` run gzip and xz as children
# through /bin/sh, and shell pipelines run each command as a process.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RRV=$ROOT/build/rrv
filter=
while [ $# -gt 0 ]; do
	case $1 in
	--rrv) RRV=$2; shift ;;
	-*) sed -n '2,17p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
	*) filter=$1 ;;
	esac
	shift
done
case $RRV in /*) ;; *) RRV=$PWD/$RRV ;; esac

# The programs are built where the nested VM can see them (its /tmp is
# its own).
BIN=$ROOT/build/tests/dynamic
mkdir -p "$BIN"
gcc -O2 -Wall -o "$BIN/hello-glibc" "$ROOT/tests/dynamic/hello.c" || exit 2
musl-gcc -O2 -Wall -o "$BIN/hello-musl" "$ROOT/tests/dynamic/hello.c" || exit 2
gcc -O2 -Wall -o "$BIN/maps-glibc" "$ROOT/tests/dynamic/maps.c" || exit 2
musl-gcc -O2 -Wall -o "$BIN/maps-musl" "$ROOT/tests/dynamic/maps.c" || exit 2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rrv-dynamic.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The input files every case starts with, made afresh in each directory.
setup() {
	mkdir -p "$1" && cd "$1" || exit 2
	printf 'pear\napple\nfig\nbanana\napple\n' >fruit.txt
	seq 1 500 >numbers.txt
	mkdir -p tree/sub && echo one >tree/a.txt && echo two >tree/sub/b.txt
	touch -d '2020-01-02 03:04:05' fruit.txt numbers.txt tree tree/a.txt tree/sub tree/sub/b.txt
	tar cf tree.tar tree
	mkdir -p x && cp fruit.txt x/ && tar cf arch.tar x && rm -r x
	gzip -n -c fruit.txt >fruit.txt.gz
}

pass=0
failed=()
# check NAME CMD...: runs CMD natively, under rrv, recorded and replayed.
check() {
	local name=$1
	shift
	[[ -z $filter || $name =~ $filter ]] || return 0
	local d=$WORK/$name ok=1 why=
	(setup "$d/native" && "$@" >../native.out 2>../native.err; echo $? >../native.rc)
	(setup "$d/run" && "$RRV" run -- "$@" >../run.out 2>../run.err; echo $? >../run.rc)
	(setup "$d/rec" && "$RRV" record -o "$d/trace.rrv" -- "$@" >../rec.out 2>../rec.err;
	 echo $? >../rec.rc)
	(mkdir -p "$d/rep" && cd "$d/rep" && "$RRV" replay "$d/trace.rrv" >../rep.out 2>../rep.err;
	 echo $? >../rep.rc)
	cd "$d" || exit 2
	for k in run rec; do
		cmp -s native.out $k.out || { ok=0; why+=" $k-stdout"; }
		cmp -s native.rc $k.rc || { ok=0; why+=" $k-status($(cat native.rc)/$(cat $k.rc))"; }
		# rrv's own lines (the record summary) are not the program's.
		grep -v '^rrv: ' $k.err >$k.err.prog
		cmp -s native.err $k.err.prog || { ok=0; why+=" $k-stderr"; }
	done
	cmp -s rec.out rep.out || { ok=0; why+=" replay-stdout"; }
	cmp -s rec.rc rep.rc || { ok=0; why+=" replay-status"; }
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		failed+=("$name")
		echo "FAIL $name:$why"
		for f in native.out run.out native.err run.err rep.err; do
			echo "--- $f"; head -c 1500 "$f"
		done
	fi
	cd "$ROOT" || exit 2
}

check hello-glibc "$BIN/hello-glibc" a b
check hello-musl "$BIN/hello-musl" a b
check maps-glibc "$BIN/maps-glibc"
check maps-musl "$BIN/maps-musl"
check ls /bin/ls -l --time-style=+%F fruit.txt numbers.txt tree
# ls -l of the guest's own /proc/self/fd and /proc/self/task (#18): the
# descriptors ls has (bash closes every inherited one above 2 first, so
# that the native run has none the guest lacks), where each link leads,
# modes, sizes and owners; pids, pipe inodes, times and the task
# directory's link count (which varies with the kernel) are normalised.
check ls-proc /bin/bash -c 'for ((i = 3; i < 256; i++)); do eval "exec $i>&-"; done
ls -l --time-style=+X /proc/self/fd/ /proc/self/task/ 2>&1 </dev/null |
sed -E "s/pipe:\[[0-9]+\]/pipe:[N]/; s|/proc/[0-9]+/|/proc/PID/|; s/^(d[^ ]+) +[0-9]+ /\1 N /; s/ X [0-9]+\$/ X PID/"'
check cat /bin/cat fruit.txt numbers.txt
check sort /usr/bin/sort fruit.txt
check sha256sum /usr/bin/sha256sum fruit.txt numbers.txt
check wc /usr/bin/wc fruit.txt numbers.txt
check date /bin/date -u -d @1700000000 +%FT%T
check seq /usr/bin/seq 5 3 40
check stat /usr/bin/stat -c '%n %s %F %a' fruit.txt tree
check grep /bin/grep -n -E 'ap+le|fig' fruit.txt
check sed /bin/sed -e 's/a/A/g' -e '3d' fruit.txt
check find /usr/bin/find tree -name '*.txt' -newer /nonexistent-or-not
check find2 /usr/bin/find tree -type f
# tar on its own, one process each: create to stdout, extract an archive
# made natively, compare one with the files.
check tar-c /bin/tar --sort=name --owner=0 --group=0 -cf - tree fruit.txt
check tar-x /bin/tar -xvf arch.tar
check tar-d /bin/tar -dvf tree.tar
# The compressed round trips: tar runs `/bin/sh -c gzip` (or xz) as a
# child joined by pipes, in both directions.  gzip reading a pipe stores
# no name and time, so the archive's bytes are the same in every run.
tar_round_trip='tar --sort=name --owner=0 --group=0 --mtime=@0 -c$1f t.$2 tree fruit.txt &&
mkdir out && tar -x$1f t.$2 -C out && diff -r tree out/tree && cmp fruit.txt out/fruit.txt &&
sha256sum t.$2 && tar -t$1vf t.$2'
check tar-gz /bin/sh -c "$tar_round_trip" sh z tgz
check tar-xz /bin/sh -c "$tar_round_trip" sh J txz
# Shells: pipelines, subshells, exit statuses, a child killed by a signal.
check sh-pipeline /bin/sh -c 'echo a | cat; (exit 3); echo $?; sort fruit.txt | uniq -c | sort -n | tail -2
sh -c "kill -TERM \$\$"; echo "killed: $?"; false || echo "false: $?"; x=$(seq 3 | wc -l); echo "x=$x"'
# Each process has its own working directory: two subshells cd at once
# (the classic tar pipe), and the shell's own stays where it was.
check sh-cwd /bin/sh -c 'mkdir -p d1/sub d2 && echo x >d1/sub/f
(cd d1 && tar cf - sub) | (cd d2 && tar xf -); cat d2/sub/f; ls d2
(cd d1/sub && /bin/pwd -P | sed "s|.*/||"); ls; cd nonexistent 2>/dev/null; echo "cd missing: $?"
python3 -c "import os; os.chdir(\"d1\"); print(os.path.basename(os.getcwd())); os.fchdir(os.open(\"sub\", os.O_RDONLY)); print(os.listdir(\".\"))"'
check busybox-sh /usr/bin/busybox sh -c 'echo a | cat; (exit 3); echo $?; busybox seq 4 | busybox wc -l
busybox sh -c "exit 7"; echo "sub: $?"; for i in 1 2; do echo "$i" | busybox tr 12 xy; done'
check gzip /bin/gzip -9 -n -c numbers.txt
check gunzip /bin/gzip -d -c fruit.txt.gz
check python3 /usr/bin/python3 -c 'import json
d = {"fruit": open("fruit.txt").read().split(), "n": sum(map(int, open("numbers.txt")))}
open("out.json", "w").write(json.dumps(d, sort_keys=True))
print(json.load(open("out.json")))'
check sqlite3 /usr/bin/sqlite3 db.sqlite 'create table t(name text, n int); insert into t values ("a", 1), ("b", 2), ("a", 3); select name, sum(n) from t group by name order by name;'

echo "dynamic: $pass passed, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
