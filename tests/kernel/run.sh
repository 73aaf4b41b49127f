#!/usr/bin/env bash
# (kvm-all starts it with sh: the script needs bash.)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# tests/kernel/run.sh: the guest kernel's own tests.  Builds the programs
# beside this script (glibc and musl, static and static-PIE) into
# build/tests/kernel/, runs each natively and under `rrv run`, and compares
# stdout and the exit status; then checks what only rrv does: its reports
# for fatal signals, --stats (system calls served in the guest cost no VM
# exit), the ENOSYS notice, --log=syscalls, exec errors and running out of
# guest memory.
#
#   tools/with-kvm tests/kernel/run.sh [FILTER]
#
# RRV names the rrv binary (default build/rrv).  FILTER, a bash regex,
# limits the checks to those whose name matches.  Exit status 0 when every
# check passed.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
RRV=${RRV:-build/rrv}
OUT=build/tests/kernel
SRC=tests/kernel
FILTER=${1:-}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rrv-kernel.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass=0
fail=0

ok() {
	pass=$((pass + 1))
	printf 'PASS %s\n' "$1"
}

bad() {
	fail=$((fail + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
	[ -s "$TMP/err" ] && sed 's/^/    | /' "$TMP/err" | head -15
}

wanted() {
	[ -z "$FILTER" ] || [[ $1 =~ $FILTER ]]
}

# ---------------------------------------------------------------- build

MUSL=/usr/lib/x86_64-linux-musl
CFLAGS="-O2 -Wall -Wextra -Wno-unused-parameter"

# musl-gcc has no working -static-pie: link by hand with musl's rcrt1.o.
musl_static_pie() {
	local src=$1 out=$2
	gcc -nostdinc -isystem /usr/include/x86_64-linux-musl \
		-isystem "$(gcc -print-file-name=include)" -fPIE $CFLAGS \
		-c "$src" -o "$out.o" &&
		gcc -static-pie -nostdlib -nostartfiles "$MUSL/rcrt1.o" "$MUSL/crti.o" \
			"$(gcc -print-file-name=crtbeginS.o)" "$out.o" "$MUSL/libc.a" \
			"$(gcc -print-libgcc-file-name)" "$(gcc -print-file-name=crtendS.o)" \
			"$MUSL/crtn.o" -o "$out" && rm -f "$out.o"
}

build() {
	mkdir -p "$OUT"
	for prog in hello exitcode getpid_loop fault mem time auxv procinfo; do
		gcc -static $CFLAGS -o "$OUT/$prog-glibc" "$SRC/$prog.c" || return 1
		musl-gcc -static $CFLAGS -o "$OUT/$prog-musl" "$SRC/$prog.c" || return 1
	done
	for prog in hello mem auxv; do
		gcc -static-pie $CFLAGS -o "$OUT/$prog-glibc-pie" "$SRC/$prog.c" || return 1
		musl_static_pie "$SRC/$prog.c" "$OUT/$prog-musl-pie" || return 1
	done
}

if ! build; then
	echo "FAIL build: the test programs did not compile"
	exit 1
fi
if [ ! -x "$RRV" ]; then
	echo "FAIL setup: $RRV is missing (run make)"
	exit 1
fi

# ---------------------------------------------------------------- compare

# same NAME PROG ARGS...: stdout and exit status equal natively and in rrv.
same() {
	local name=$1
	shift
	wanted "$name" || return 0
	"$@" >"$TMP/native" 2>/dev/null
	local ns=$?
	"$RRV" run "$@" >"$TMP/rrv" 2>"$TMP/err"
	local rs=$?
	if [ "$ns" != "$rs" ]; then
		bad "$name" "exit status native $ns, rrv $rs"
	elif ! cmp -s "$TMP/native" "$TMP/rrv"; then
		bad "$name" "stdout differs: $(diff "$TMP/native" "$TMP/rrv" | head -5 | tr '\n' ' ')"
	else
		ok "$name"
	fi
}

for libc in glibc musl glibc-pie musl-pie; do
	same "hello-$libc" "$OUT/hello-$libc" one 'two words' ''
	same "auxv-$libc" "$OUT/auxv-$libc" a bb ccc
	same "mem-$libc" "$OUT/mem-$libc"
done
for libc in glibc musl; do
	for how in return exit _exit sys_exit; do
		same "exitcode-$how-$libc" "$OUT/exitcode-$libc" 42 $how
	done
	same "exitcode-0-$libc" "$OUT/exitcode-$libc" 0
	same "exitcode-255-$libc" "$OUT/exitcode-$libc" 255 exit
	same "time-$libc" "$OUT/time-$libc"
	same "procinfo-$libc" "$OUT/procinfo-$libc"
	same "getpid_loop-$libc" "$OUT/getpid_loop-$libc" 1000
done

# ---------------------------------------------------------------- faults

# fault NAME KIND SIGNAME: dies as natively, and rrv names the signal.
fault() {
	local name=$1 kind=$2 sig=$3
	wanted "$name" || return 0
	# Through a shell that exits with the status, so that the caller's
	# shell does not announce the native crash.
	bash -c '"$@"; exit $?' _ "$OUT/fault-glibc" "$kind" >/dev/null 2>&1
	local ns=$?
	"$RRV" run "$OUT/fault-glibc" "$kind" >/dev/null 2>"$TMP/err"
	local rs=$?
	if [ "$ns" != "$rs" ]; then
		bad "$name" "exit status native $ns, rrv $rs"
	elif [ "$ns" -lt 128 ]; then
		# QEMU's software CPU (tools/with-kvm) never raises #AC.
		ok "$name (no fault natively either: this CPU does not check it)"
	elif ! grep -q "^rrv: program killed by $sig (signal $((rs - 128)))" "$TMP/err"; then
		bad "$name" "no 'rrv: program killed by $sig' report"
	else
		ok "$name"
	fi
}

fault fault-null null SIGSEGV
fault fault-write-text write-text SIGSEGV
fault fault-int3 int3 SIGTRAP
fault fault-ud2 ud2 SIGILL
fault fault-div0 div0 SIGFPE
fault fault-hlt hlt SIGSEGV
fault fault-int1 int1 SIGSEGV
fault fault-stack stack SIGSEGV
fault fault-align align SIGBUS

if wanted fault-null-address; then
	"$RRV" run "$OUT/fault-glibc" null >/dev/null 2>"$TMP/err"
	if grep -q 'SIGSEGV (signal 11) at rip 0x[0-9a-f]*, address 0x0 ' "$TMP/err"; then
		ok fault-null-address
	else
		bad fault-null-address "the report does not give address 0x0"
	fi
fi

# ---------------------------------------------------------------- stats

# The VM exits of a run, from --stats.
exits() {
	"$RRV" run --stats "$@" 2>&1 >/dev/null | sed -n 's/^rrv: stats: \([0-9]*\) VM exits$/\1/p'
}

if wanted stats-getpid; then
	one=$(exits "$OUT/getpid_loop-glibc" 1)
	many=$(exits "$OUT/getpid_loop-glibc" 1000000)
	if [ -n "$one" ] && [ -n "$many" ] && [ "$many" -le "$one" ]; then
		ok "stats-getpid ($one VM exits for 1 getpid, $many for 1000000)"
	else
		bad stats-getpid "VM exits: '$one' for 1 getpid, '$many' for 1000000"
	fi
fi

if wanted stats-counts; then
	"$RRV" run --stats "$OUT/getpid_loop-musl" 100000 >/dev/null 2>"$TMP/err"
	if grep -Eq '^rrv: stats: 1000[0-9][0-9] system calls, 1000[0-9][0-9] served in the guest, [0-9] needed the host$' "$TMP/err"; then
		ok stats-counts
	else
		bad stats-counts "no system call counts around 100000 served in the guest"
	fi
fi

if wanted stats-memory; then
	one=$(exits "$OUT/mem-musl")
	two=$(exits "$OUT/mem-glibc")
	# mem's faults, brk, mmap, mprotect, mremap and signals need no host;
	# its exits are output, clocks of the signal handler... a handful.
	if [ -n "$one" ] && [ "$one" -lt 200 ] && [ -n "$two" ] && [ "$two" -lt 200 ]; then
		ok "stats-memory ($one and $two VM exits for 64 MiB of page faults)"
	else
		bad stats-memory "VM exits: '$one' (musl), '$two' (glibc)"
	fi
fi

# ---------------------------------------------------------------- logs

if wanted log-enosys; then
	"$RRV" run "$OUT/procinfo-musl" >/dev/null 2>"$TMP/err"
	if grep -qx 'rrv: guest: unimplemented system call syscall_999 (nr 999): returned ENOSYS' "$TMP/err"; then
		ok log-enosys
	else
		bad log-enosys "no ENOSYS notice for system call 999"
	fi
fi

if wanted log-syscalls; then
	"$RRV" run --log=syscalls "$OUT/exitcode-musl" 3 >/dev/null 2>"$TMP/err"
	if grep -Eqx 'rrv: guest: \[tid [0-9]+\] exit_group\(3\) = \?' "$TMP/err" &&
		grep -q '^rrv: guest: \[tid [0-9]*\] set_tid_address(0x[0-9a-f]*) = [0-9]*$' "$TMP/err" &&
		grep -q '^rrv: guest: \[tid [0-9]*\] ioctl(1, ' "$TMP/err"; then
		ok log-syscalls
	else
		bad log-syscalls "the strace-style lines are missing"
	fi
	"$RRV" run --log=syscalls "$OUT/getpid_loop-glibc" 1 >/dev/null 2>"$TMP/err"
	if grep -q '^rrv: guest: \[tid [0-9]*\] getpid() = [0-9]*$' "$TMP/err" &&
		grep -q '^rrv: guest: \[tid [0-9]*\] brk(NULL) = 0x[0-9a-f]*$' "$TMP/err"; then
		ok log-syscalls-glibc
	else
		bad log-syscalls-glibc "getpid or brk line missing"
	fi
fi

# ---------------------------------------------------------------- exec

if wanted exec-truncated; then
	head -c 200 "$OUT/hello-glibc" >"$TMP/truncated"
	chmod +x "$TMP/truncated"
	"$RRV" run "$TMP/truncated" >/dev/null 2>"$TMP/err"
	s=$?
	if [ $s = 126 ] && grep -q 'Exec format error' "$TMP/err"; then
		ok exec-truncated
	else
		bad exec-truncated "status $s"
	fi
fi

if wanted exec-enomem; then
	# A program whose one segment is 96 MiB of file (a sparse file of
	# zeros, made here) cannot be loaded into 64 MiB: exec fails with
	# ENOMEM, and rrv says what to do.
	python3 - "$TMP/huge" <<'PY'
import struct, sys
size = 96 << 20
ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1,
                   0x400078, 64, 0, 0, 64, 56, 1, 64, 0, 0)
phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, size, size, 0x1000)
with open(sys.argv[1], "wb") as f:
    f.write(ehdr + phdr + b"\xeb\xfe")  # entry: jmp .
    f.truncate(size)
PY
	chmod +x "$TMP/huge"
	"$RRV" run --memory=64M "$TMP/huge" >/dev/null 2>"$TMP/err"
	s=$?
	if [ $s = 126 ] && grep -q 'Cannot allocate memory (give the guest more memory with --memory)' "$TMP/err"; then
		ok exec-enomem
	else
		bad exec-enomem "status $s"
	fi
fi

if wanted oom-kill; then
	# 64 MiB of guest memory cannot hold mem's 64 MiB block: the
	# program is killed as by the OOM killer, with a hint.
	"$RRV" run --memory=64M "$OUT/mem-musl" >/dev/null 2>"$TMP/err"
	s=$?
	if [ $s = 137 ] && grep -q 'out of guest memory: .*--memory' "$TMP/err" &&
		grep -q '^rrv: program killed by SIGKILL' "$TMP/err"; then
		ok oom-kill
	else
		bad oom-kill "status $s"
	fi
fi

# ---------------------------------------------------------------- busybox

if wanted busybox && [ -x /bin/busybox ]; then
	same busybox-echo /bin/busybox echo hi there
	head -c 100000 "$OUT/hello-glibc" >"$TMP/data"
	same busybox-sha256sum /bin/busybox sha256sum "$TMP/data"
	same busybox-true /bin/busybox true
	same busybox-false /bin/busybox false
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
