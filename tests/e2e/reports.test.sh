# Crash and deadlock reports (docs/reports.md): the signal, the
# instruction, the registers and a backtrace named by function, file:line
# and shared library, in rrv run, rrv record and rrv replay alike.

P=$PWD/build/tests/e2e
SRC=$PWD/tests/e2e/programs

# line_of FILE TEXT: the number of the line of FILE holding TEXT (fixed
# string), so that the expectations follow the source.
line_of() {
	grep -nF -- "$2" "$SRC/$1" | head -1 | cut -d: -f1
}

# in_three_modes STATUS CHECK PROG ARGS...: runs PROG under rrv run, then
# rrv record, then rrv replay of that recording, each expected to end with
# STATUS and to pass CHECK (a function of expect_* lines, reading the
# last run's stderr).  The replay's report must be the recording's, line
# for line.
in_three_modes() {
	local status=$1 check=$2
	shift 2
	run "$RRV" run "$@"
	expect_status "$status"
	"$check" run
	run "$RRV" record -o "$E2E_TMP/t.rrv" "$@"
	expect_status "$status"
	"$check" record
	grep -v '^rrv: trace written' "$E2E_TMP/err" >"$E2E_TMP/recorded.err"
	run "$RRV" replay "$E2E_TMP/t.rrv"
	expect_status "$status"
	"$check" replay
	cmp -s "$E2E_TMP/recorded.err" "$E2E_TMP/err" ||
		fail "replay's report differs from the recording's: $(diff "$E2E_TMP/recorded.err" "$E2E_TMP/err" | head -5)"
}

# frame_no REGEX: the number of the first backtrace frame matching REGEX
# in the last stderr, or 99.
frame_no() {
	sed -nE "s/^rrv:     #([0-9]+) 0x[0-9a-f]{16}.*$1.*/\\1/p" "$E2E_TMP/err" |
		head -1 | grep . || echo 99
}

check_segv() {
	local store call caller
	store=$(line_of report_crash.c '*p = 42;')
	call=$(line_of report_crash.c 'crash_here(p);')
	caller=$(line_of report_crash.c 'crash_caller(p);')
	expect_stderr_has '^rrv: program killed by SIGSEGV \(signal 11\) at rip 0x[0-9a-f]+, address 0x0'
	expect_stderr_has "^rrv:   program at 0x[0-9a-f]+ <crash_here \\(report_crash\\.c:$store\\)>: mov dword ptr \\[rdi\\], 0x2a$"
	expect_stderr_has '^rrv:   rax [0-9a-f]{16} rbx [0-9a-f]{16} rcx [0-9a-f]{16} rdx [0-9a-f]{16}$'
	expect_stderr_has '^rrv:   rsi [0-9a-f]{16} rdi 0000000000000000 '
	expect_stderr_has "^rrv:     #0 0x[0-9a-f]{16} crash_here \\(report_crash\\.c:$store\\)$"
	expect_stderr_has "^rrv:     #1 0x[0-9a-f]{16} crash_caller\\+0x[0-9a-f]+ \\(report_crash\\.c:$call\\)$"
	expect_stderr_has "^rrv:     #2 0x[0-9a-f]{16} main\\+0x[0-9a-f]+ \\(report_crash\\.c:$caller\\)$"
	expect_stdout ''
}

t_reports_crash_static() {
	in_three_modes 139 check_segv "$P/report_crash" segv
}

check_segv_dyn() {
	check_segv
	# Past main, the frames are libc's, named as its: the backtrace
	# crossed into the shared library through its own unwind tables.
	expect_stderr_has '^rrv:     #[3-9] 0x00007f[0-9a-f]{10} __libc_start_main\+0x[0-9a-f]+ \(libc-start\.c:[0-9]+\) in libc\.so\.6$'
	expect_stderr_has '^rrv:     #[4-9] 0x[0-9a-f]{16} _start\+0x[0-9a-f]+$'
}

t_reports_crash_dynamic() {
	in_three_modes 139 check_segv_dyn "$P/report_crash_dyn" segv
}

# The frames above abort: glibc's own (raise, abort, the heap check's)
# come first, then free, then the program's free_twice and main.
check_abort() {
	local second caller
	second=$(line_of report_crash.c 'free(again);')
	caller=$(line_of report_crash.c 'free_twice(p);')
	expect_stderr_has '^free\(\): double free detected in tcache 2$'
	expect_stderr_has '^rrv: program killed by SIGABRT \(signal 6\) at rip 0x[0-9a-f]+'
	expect_stderr_has '^rrv:   thread [0-9]+, in system call [0-9]+ \(tgkill\)$'
	expect_stderr_has ' syscall \(the system call instruction, just before the saved rip\)$'
	expect_stderr_has "^rrv:     #[0-9]+ 0x[0-9a-f]{16} free_twice\\+0x[0-9a-f]+ \\(report_crash\\.c:$second\\)$"
	expect_stderr_has "^rrv:     #[0-9]+ 0x[0-9a-f]{16} main\\+0x[0-9a-f]+ \\(report_crash\\.c:$caller\\)$"
	local abort free twice
	abort=$(frame_no ' abort\+0x')
	free=$(frame_no ' free\+0x')
	twice=$(frame_no ' free_twice\+0x')
	[ "$abort" -lt "$free" ] && [ "$free" -lt "$twice" ] && [ "$twice" -lt 99 ] ||
		fail "expected abort (#$abort) above free (#$free) above free_twice (#$twice)"
}

# With libc6-dbg (tools/deps.sh installs it) libc's internal functions
# have names and lines too, found through its build id.
check_abort_dyn() {
	check_abort
	expect_stderr_has '^rrv:     #[0-9]+ 0x[0-9a-f]{16} abort\+0x[0-9a-f]+ \(abort\.c:[0-9]+\) in libc\.so\.6$'
	expect_stderr_has '^rrv:     #[0-9]+ 0x[0-9a-f]{16} malloc_printerr\+0x[0-9a-f]+ \(malloc\.c:[0-9]+\) in libc\.so\.6$'
	expect_stderr_has '^rrv:     #[0-9]+ 0x[0-9a-f]{16} free\+0x[0-9a-f]+ \(malloc\.c:[0-9]+\) in libc\.so\.6$'
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} __pthread_kill_implementation\+0x[0-9a-f]+ \(pthread_kill\.c:[0-9]+\) in libc\.so\.6$'
}

check_abort_static() {
	check_abort
	# A static glibc keeps the names of its internal functions too.
	expect_stderr_has '^rrv:     #[0-9]+ 0x[0-9a-f]{16} malloc_printerr\+0x[0-9a-f]+$'
}

t_reports_abort_double_free_dynamic() {
	in_three_modes 134 check_abort_dyn "$P/report_crash_dyn" doublefree
}

t_reports_abort_double_free_static() {
	in_three_modes 134 check_abort_static "$P/report_crash" doublefree
}

# Two processes, each reading the pipe the other would write: both
# threads appear with their read and its descriptor, and a backtrace each.
check_pipes() {
	local req rep
	req=$(line_of report_deadlock.c 'return (int)read(fd, &c, 1);')
	rep=$(grep -nF 'return (int)read(fd, &c, 1);' "$SRC/report_deadlock.c" | sed -n 2p | cut -d: -f1)
	expect_stderr_has '^rrv: deadlock: all 2 threads of the program wait and none can wake another'
	[ "$(grep -cE '^rrv: thread [0-9]+ \(process [0-9]+\) waits in read\(fd [0-9]+, buf 0x[0-9a-f]+, count 1\)$' "$E2E_TMP/err")" -eq 2 ] ||
		fail "expected two threads waiting in read"
	# The two processes are different ones, on different descriptors.
	[ "$(sed -nE 's/^rrv: thread [0-9]+ \(process ([0-9]+)\) waits in read\(fd ([0-9]+),.*/\1 \2/p' "$E2E_TMP/err" | sort -u | wc -l)" -eq 2 ] ||
		fail "expected two processes on two descriptors"
	expect_stderr_has "^rrv:     #[0-9] 0x[0-9a-f]{16} read_request\\+0x[0-9a-f]+ \\(report_deadlock\\.c:$req\\)$"
	expect_stderr_has "^rrv:     #[0-9] 0x[0-9a-f]{16} read_reply\\+0x[0-9a-f]+ \\(report_deadlock\\.c:$rep\\)$"
	[ "$(grep -c '^rrv:   backtrace:$' "$E2E_TMP/err")" -eq 2 ] ||
		fail "expected two backtraces"
	expect_stderr_has '^rrv: program killed by SIGKILL \(signal 9\)'
	expect_stderr_lacks '^rrv: guest: deadlock'
}

check_pipes_dyn() {
	check_pipes
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} read\+0x[0-9a-f]+ \(read\.c:[0-9]+\) in libc\.so\.6$'
}

t_reports_deadlock_pipes_static() {
	in_three_modes 137 check_pipes "$P/report_deadlock"
}

t_reports_deadlock_pipes_dynamic() {
	in_three_modes 137 check_pipes_dyn "$P/report_deadlock_dyn"
}

# Threads over two mutexes: each waits in futex on the other's mutex,
# whose address the report names.
check_locks() {
	local first second
	first=$(sed -n 's/^first //p' "$E2E_TMP/out")
	second=$(sed -n 's/^second //p' "$E2E_TMP/out")
	[ -n "$first" ] && [ -n "$second" ] || fail "the program printed no addresses"
	expect_stderr_has '^rrv: deadlock: all 2 threads of the program wait'
	expect_stderr_has "^rrv: thread [0-9]+ \\(process [0-9]+\\) waits in futex\\(uaddr $first, FUTEX_WAIT(_PRIVATE)?, val [0-9]+, "
	expect_stderr_has "^rrv: thread [0-9]+ \\(process [0-9]+\\) waits in futex\\(uaddr $second, FUTEX_WAIT(_PRIVATE)?, val [0-9]+, "
	expect_stderr_has '^rrv:     #[0-9] 0x[0-9a-f]{16} lock_first\+0x[0-9a-f]+ \(report_locks\.c:[0-9]+\)$'
	expect_stderr_has '^rrv:     #[0-9] 0x[0-9a-f]{16} lock_second\+0x[0-9a-f]+ \(report_locks\.c:[0-9]+\)$'
}

t_reports_deadlock_mutexes() {
	in_three_modes 137 check_locks "$P/report_locks"
}

# A crash inside a shared library built with -g: its frames carry the
# library's file:line and name.  Then the library's file changes or goes
# before the replay: the report says so and names nothing by the new file.
t_reports_crash_in_shared_library() {
	local lib=$E2E_TMP/lib store entry
	mkdir -p "$lib"
	cp "$P/libreport.so" "$lib/libreport.so"
	store=$(grep -nF '*p = 7;' "$PWD/tests/e2e/libreport.c" | cut -d: -f1)
	entry=$(grep -nF 'lib_store(p);' "$PWD/tests/e2e/libreport.c" | cut -d: -f1)
	run env LD_LIBRARY_PATH="$lib" "$RRV" record -o "$E2E_TMP/lib.rrv" "$P/report_libmain"
	expect_status 139
	expect_stderr_has "^rrv:   program at 0x[0-9a-f]+ <lib_store \\(libreport\\.c:$store\\) in libreport\\.so>: mov dword ptr \\[rdi\\], 7$"
	expect_stderr_has "^rrv:     #0 0x[0-9a-f]{16} lib_store \\(libreport\\.c:$store\\) in libreport\\.so$"
	expect_stderr_has "^rrv:     #1 0x[0-9a-f]{16} lib_entry\\+0x[0-9a-f]+ \\(libreport\\.c:$entry\\) in libreport\\.so$"
	expect_stderr_has '^rrv:     #2 0x[0-9a-f]{16} main\+0x[0-9a-f]+ \(report_libmain\.c:[0-9]+\)$'
	expect_stderr_lacks 'no symbols'

	# Another build of the library in its place: not used for names.
	cp "$P/libreport-changed.so" "$lib/libreport.so"
	run "$RRV" replay "$E2E_TMP/lib.rrv"
	expect_status 139
	expect_stderr_has "^rrv:   \\(no symbols for $lib/libreport\\.so at 0x[0-9a-f]+: the file differs from the one the program mapped\\)$"
	expect_stderr_lacks 'lib_store|lib_padding'
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} \?\?$'

	# No library at all: named as missing.
	rm "$lib/libreport.so"
	run "$RRV" replay "$E2E_TMP/lib.rrv"
	expect_status 139
	expect_stderr_has "^rrv:   \\(no symbols for $lib/libreport\\.so at 0x[0-9a-f]+: cannot read it: No such file or directory\\)$"
	expect_stderr_has '^rrv: program killed by SIGSEGV \(signal 11\)'
}

# A crash in a thread other than the first: its backtrace, up to the
# thread's start, while main waits in pthread_join.
check_thread() {
	local store
	store=$(line_of report_crash.c '*p = 42;')
	expect_stderr_has '^rrv: program killed by SIGSEGV \(signal 11\) at rip 0x[0-9a-f]+, address 0x0'
	expect_stderr_has "^rrv:     #0 0x[0-9a-f]{16} crash_here \\(report_crash\\.c:$store\\)$"
	expect_stderr_has '^rrv:     #1 0x[0-9a-f]{16} crash_caller\+0x[0-9a-f]+ \(report_crash\.c:[0-9]+\)$'
	expect_stderr_has "^rrv:     #2 0x[0-9a-f]{16} thread_main\\+0x[0-9a-f]+ \\(report_crash\\.c:$(line_of report_crash.c 'crash_caller(arg);')\\)$"
	expect_stderr_has '^rrv:     #3 0x[0-9a-f]{16} start_thread\+0x[0-9a-f]+$'
	expect_stderr_lacks ' main\+0x'
}

t_reports_crash_in_a_thread() {
	in_three_modes 139 check_thread "$P/report_crash" thread
}

# SIGFPE: the fault address is the faulting instruction's.
check_fpe() {
	expect_stderr_has '^rrv: program killed by SIGFPE \(signal 8\) at rip 0x[0-9a-f]+, address 0x[0-9a-f]+'
	local rip addr
	rip=$(sed -nE 's/^rrv: program killed by SIGFPE \(signal 8\) at rip (0x[0-9a-f]+), address (0x[0-9a-f]+).*/\1/p' "$E2E_TMP/err")
	addr=$(sed -nE 's/^rrv: program killed by SIGFPE \(signal 8\) at rip (0x[0-9a-f]+), address (0x[0-9a-f]+).*/\2/p' "$E2E_TMP/err")
	[ -n "$rip" ] && [ "$rip" = "$addr" ] || fail "fault address $addr is not rip $rip"
	expect_stderr_has "^rrv:   program at $rip <divide\\+0x[0-9a-f]+ \\(report_crash\\.c:$(line_of report_crash.c 'return a / b;')\\)>: idiv "
	expect_stderr_has '^rrv:     #1 0x[0-9a-f]{16} main\+0x[0-9a-f]+ \(report_crash\.c:[0-9]+\)$'
}

t_reports_divide_by_zero() {
	in_three_modes 136 check_fpe "$P/report_crash" fpe
}

# Endless recursion: the backtrace stops at its bound.
check_overflow() {
	expect_stderr_has '^rrv: program killed by SIGSEGV \(signal 11\)'
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} recurse\+0x[0-9a-f]+ \(report_crash\.c:[0-9]+\)$'
	expect_stderr_has '^rrv:     #31 0x[0-9a-f]{16} recurse\+0x[0-9a-f]+ \(report_crash\.c:[0-9]+\)$'
	expect_stderr_has '^rrv:     \(stopped after 32 frames\)$'
}

t_reports_stack_overflow() {
	run "$RRV" run "$P/report_crash" overflow
	expect_status 139
	check_overflow
}

# A stack pointer of 0: nothing above the faulting frame can be read, and
# the report says what it can without failing.
t_reports_smashed_stack() {
	run "$RRV" run "$P/report_crash" smash
	expect_status 139
	expect_stderr_has '^rrv: program killed by SIGSEGV \(signal 11\) at rip 0x[0-9a-f]+, address 0x0'
	expect_stderr_has '^rrv:   program at 0x[0-9a-f]+ <smash\+0x[0-9a-f]+ \(report_crash\.c:[0-9]+\)>: mov dword ptr \[rsp\], 1$'
	expect_stderr_has '^rrv:   rsi [0-9a-f]{16} rdi [0-9a-f]{16} rbp [0-9a-f]{16} rsp 0000000000000000$'
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} smash\+0x[0-9a-f]+ \(report_crash\.c:[0-9]+\)$'
	expect_stderr_lacks 'panic|bug in rrv'
}

# One process alone, reading the pipe only it could write.
check_alone() {
	expect_stderr_has '^rrv: deadlock: the program.s only thread waits and nothing can wake it'
	expect_stderr_has '^rrv: thread [0-9]+ \(process [0-9]+\) waits in read\(fd 3, buf 0x[0-9a-f]+, count 1\)$'
	expect_stderr_has '^rrv:     #1 0x[0-9a-f]{16} read_reply\+0x[0-9a-f]+ \(report_deadlock\.c:[0-9]+\)$'
	expect_stderr_has '^rrv: program killed by SIGKILL \(signal 9\)'
}

t_reports_deadlock_alone() {
	in_three_modes 137 check_alone "$P/report_deadlock" alone
}

# musl's dynamic loader fills DT_DEBUG too; its libc is the loader, whose
# start code (static functions, not in its .dynsym) is named by offset.
check_segv_musl() {
	check_segv
	expect_stderr_has '^rrv:     #3 0x00007f[0-9a-f]{10} ld-musl-x86_64\.so\.1\+0x[0-9a-f]+$'
}

t_reports_crash_musl_dynamic() {
	in_three_modes 139 check_segv_musl "$P/report_crash_musl" segv
}

# A stripped library whose DWARF and symbols are in a separate debug file
# beside it (.gnu_debuglink): the report reads that file for lines.
t_reports_separate_debug_file() {
	local lib=$E2E_TMP/lib store
	mkdir -p "$lib"
	cp "$P/stripped/libreport.so" "$P/stripped/libreport.so.debug" "$lib/"
	store=$(grep -nF '*p = 7;' "$PWD/tests/e2e/libreport.c" | cut -d: -f1)
	run env LD_LIBRARY_PATH="$lib" "$RRV" run "$P/report_libmain"
	expect_status 139
	expect_stderr_has "^rrv:     #0 0x[0-9a-f]{16} lib_store \\(libreport\\.c:$store\\) in libreport\\.so$"
	# Without it, the stripped library's exported names only.
	rm "$lib/libreport.so.debug"
	run env LD_LIBRARY_PATH="$lib" "$RRV" run "$P/report_libmain"
	expect_status 139
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} lib_store in libreport\.so$'
	expect_stderr_lacks 'libreport\.c:'
}

# The program exec'd another (report_crash), which crashes: rrv knows the
# ELF of the program it started only, so the report names nothing rather
# than naming report_crash's addresses by branchy's symbols.
check_after_exec() {
	expect_stderr_has '^rrv: program killed by SIGSEGV \(signal 11\)'
	expect_stderr_has "^rrv:   \\(no symbols: thread [0-9]+'s process runs a program it exec'd"
	expect_stderr_has '^rrv:     #0 0x[0-9a-f]{16} \?\?$'
	expect_stderr_lacks 'crash_here|main\+0x|branchy'
}

t_reports_crash_after_exec() {
	in_three_modes 139 check_after_exec "$P/branchy" -x "$P/report_crash" segv
}
