# rrv pack: a dynamically linked program's libraries go into its trace
# (report_libmain with its own libreport.so, glibc's libc and loader),
# once; the packed trace lists them, dumps and replays as before, and
# serves the library after it was renamed away; a library that changed
# since the recording is refused, and a full disk leaves the trace as it
# was; musl's loader and a program exec'd by a shell are packed too.

P=$PWD/build/tests/e2e

# Records report_libmain (a crash in libreport.so, status 139) with the
# library copied into $E2E_TMP/lib, into $E2E_TMP/lib.rrv.
pack_record() {
	mkdir -p "$E2E_TMP/lib"
	cp "$P/libreport.so" "$E2E_TMP/lib/libreport.so"
	run env LD_LIBRARY_PATH="$E2E_TMP/lib" "$RRV" record -o "$E2E_TMP/lib.rrv" \
		"$P/report_libmain"
	expect_status 139
}

t_pack_dynamic_program() {
	local lib=$E2E_TMP/lib t=$E2E_TMP/lib.rrv
	pack_record
	cp "$t" "$E2E_TMP/plain.rrv"
	run "$RRV" info "$t"
	expect_stdout_has '^packed files  none '
	run "$RRV" dump "$E2E_TMP/plain.rrv"
	cp "$E2E_TMP/out" "$E2E_TMP/plain.dump"
	run "$RRV" replay "$E2E_TMP/plain.rrv"
	cp "$E2E_TMP/err" "$E2E_TMP/plain.replay"

	local size=$(stat -c %s "$lib/libreport.so")
	run "$RRV" pack "$t"
	expect_status 0
	expect_stdout_has "^packed  $lib/libreport\\.so \\($size bytes\\)$"
	expect_stdout_has '^packed  /.*/libc\.so\.6 \([0-9]+ bytes\)$'
	expect_stdout_has '^packed  /.*/ld-linux-x86-64\.so\.2 \([0-9]+ bytes\)$'
	expect_stdout_has "^rrv pack: $t: 3 files added, [0-9]+ bytes"
	# The program itself is in every trace already: not packed again.
	grep -q "report_libmain" "$E2E_TMP/out" && fail "the program was packed again"

	run "$RRV" info "$t"
	expect_status 0
	expect_stdout_has '^format        2\.2$'
	expect_stdout_has '^packed files  3, [0-9]+ bytes \([0-9]+ stored\)$'
	expect_stdout_has "^  $lib/libreport\\.so \\($size bytes\\)$"
	expect_stdout_has '^  /usr/lib/x86_64-linux-gnu/libc\.so\.6 \([0-9]+ bytes, also /lib/x86_64-linux-gnu/libc\.so\.6\)$'
	# The events are untouched: the same dump, the same replay.
	run "$RRV" dump "$t"
	expect_status 0
	cmp -s "$E2E_TMP/out" "$E2E_TMP/plain.dump" || fail "the packed trace dumps differently"
	run "$RRV" replay "$t"
	expect_status 139
	cmp -s "$E2E_TMP/err" "$E2E_TMP/plain.replay" || fail "the packed trace replays differently"

	# Packing again adds nothing and leaves the file alone.
	cp "$t" "$E2E_TMP/packed.rrv"
	run "$RRV" pack "$t"
	expect_status 0
	expect_stdout "rrv pack: $t: nothing new to pack (the trace holds 3 packed files)
"
	cmp -s "$t" "$E2E_TMP/packed.rrv" || fail "packing twice changed the trace"

	# The library renamed away: the debugger's file source still has it;
	# a rebuilt one in its place does not replace it.
	mv "$lib/libreport.so" "$lib/moved.so"
	run "$RRV" pack --cat="$lib/libreport.so" "$t"
	expect_status 0
	expect_stderr ''
	cmp -s "$E2E_TMP/out" "$lib/moved.so" || fail "--cat did not serve the packed library"
	cp "$P/libreport-changed.so" "$lib/libreport.so"
	run "$RRV" pack --cat="$lib/libreport.so" "$t"
	cmp -s "$E2E_TMP/out" "$lib/moved.so" || fail "a changed host file won over the packed copy"
	# Not packed, not here: named.
	run "$RRV" pack --cat="$lib/libnothere.so" "$t"
	expect_status 1
	expect_stderr_has "^rrv: debug: $lib/libnothere\\.so is not in the trace and not on this machine: gdb will have no symbols for it \\(rrv pack the trace where it was recorded\\)$"
	# The unpacked trace has only the host's file, whatever it is now.
	run "$RRV" pack --cat="$lib/libreport.so" "$E2E_TMP/plain.rrv"
	cmp -s "$E2E_TMP/out" "$P/libreport-changed.so" || fail "--cat of an unpacked trace"
}

t_pack_refuses_a_changed_library() {
	local lib=$E2E_TMP/lib t=$E2E_TMP/lib.rrv
	pack_record
	cp "$t" "$E2E_TMP/plain.rrv"
	cp "$P/libreport-changed.so" "$lib/libreport.so"
	run "$RRV" pack "$t"
	expect_status 1
	expect_stderr_has "^rrv: pack: $lib/libreport\\.so changed since the recording: its [0-9]+ bytes at offset [0-9]+ differ from what the program read \\(pack the trace where it was recorded, before the file changes\\)$"
	expect_stderr_has "^rrv: pack: $t is left as it was \\(1 file cannot be packed\\)$"
	cmp -s "$t" "$E2E_TMP/plain.rrv" || fail "a refused pack changed the trace"
	rm "$lib/libreport.so"
	run "$RRV" pack "$t"
	expect_status 1
	expect_stderr_has "^rrv: pack: $lib/libreport\\.so, which the program mapped, is not on this machine: No such file or directory \\(pack the trace where it was recorded\\)$"
	cmp -s "$t" "$E2E_TMP/plain.rrv" || fail "a refused pack changed the trace"
	[ "$(ls "$E2E_TMP" | grep -c pack)" = 0 ] || fail "files left: $(ls "$E2E_TMP")"
}

# In a mount namespace with a tmpfs of SIZE bytes at DIR holding the
# trace: pack it there, then keep a copy of what is left in DIR.copy.
pack_small_disk() {
	local size=$1 dir=$2
	mkdir -p "$dir" "$dir.copy"
	local flags=-rm
	[ "$(id -u)" = 0 ] && flags=-m
	run unshare $flags sh -c 'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 99
		cp "$3" "$2/t.rrv" || exit 98
		env LD_LIBRARY_PATH="$4" "$5" pack "$2/t.rrv"; s=$?
		cp -a "$2"/. "$2.copy"/
		exit $s' sh "$size" "$dir" "$E2E_TMP/lib.rrv" "$E2E_TMP/lib" "$RRV"
}

t_pack_full_disk_keeps_the_trace() {
	pack_record
	local size=$(stat -c %s "$E2E_TMP/lib.rrv")
	# Room for the trace and 200 KiB: the packed copy needs about 1 MiB more.
	pack_small_disk $((size + 200 * 1024)) "$E2E_TMP/disk"
	expect_status 1
	expect_stderr_has "^rrv: pack: cannot write the packed trace beside $E2E_TMP/disk/t\\.rrv: no space left on the device \\(free some space; the trace is left as it was\\)$"
	[ "$(ls -A "$E2E_TMP/disk.copy")" = t.rrv ] ||
		fail "files left on the full disk: $(ls -A "$E2E_TMP/disk.copy")"
	cmp -s "$E2E_TMP/disk.copy/t.rrv" "$E2E_TMP/lib.rrv" || fail "the trace changed"
}

# A static program maps no ELF but itself, which every trace holds.
t_pack_static_program_has_nothing_to_add() {
	run "$RRV" record -o "$E2E_TMP/s.rrv" "$P/spew" 1
	expect_status 0
	run "$RRV" pack "$E2E_TMP/s.rrv"
	expect_status 0
	expect_stdout "rrv pack: $E2E_TMP/s.rrv: nothing new to pack (the trace holds 0 packed files)
"
	run "$RRV" pack --bogus
	expect_status 64
	expect_stderr_has "^rrv: pack: unknown option '--bogus' \\(see 'rrv help pack'\\)$"
}

# musl's loader is its libc: one file under two names.  A program a
# process exec'd (the shell runs /bin/true) is packed too.
t_pack_musl_and_exec() {
	run "$RRV" record -o "$E2E_TMP/m.rrv" "$P/report_crash_musl" segv
	expect_status 139
	run "$RRV" pack "$E2E_TMP/m.rrv"
	expect_status 0
	expect_stdout_has '^packed  /.*musl.*/libc\.so \([0-9]+ bytes\)$'
	run "$RRV" info "$E2E_TMP/m.rrv"
	expect_stdout_has '^packed files  1, '
	expect_stdout_has '^  /.*libc\.so \([0-9]+ bytes, also /lib/ld-musl-x86_64\.so\.1\)$'

	run "$RRV" record -o "$E2E_TMP/e.rrv" /bin/sh -c '/bin/true; exit 4'
	expect_status 4
	run "$RRV" pack "$E2E_TMP/e.rrv"
	expect_status 0
	expect_stdout_has '^packed  /usr/bin/true \([0-9]+ bytes\)$'
	expect_stdout_has '^packed  /.*/libc\.so\.6 '
	run "$RRV" replay "$E2E_TMP/e.rrv"
	expect_status 4
}
