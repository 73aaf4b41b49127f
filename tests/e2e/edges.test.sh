# Linux's limits, not rrv's: argv and environment as large as Linux takes
# and E2BIG past that, #! scripts, a full disk, and the small errors of
# the command line (each in the form "rrv: <what failed>: <why> (<what to
# do>)").

P=$PWD/build/tests/e2e

# A run of N strings of LEN characters each (a NUL makes LEN+1 bytes),
# into the array named by $1.
edges_strings() {
	local -n into=$1
	local n=$2 len=$3 s
	printf -v s '%*s' "$len" ''
	s=${s// /a}
	into=()
	for ((i = 0; i < n; i++)); do
		into+=("$s")
	done
}

t_edges_argv_of_1mib_records_and_replays() {
	local args
	edges_strings args 1024 1023 # 1 MiB with the NULs, over the old 256 KiB
	"$P/argsize" "${args[@]}" >"$E2E_TMP/native.out" ||
		fail "argsize did not run natively"
	run "$RRV" run "$P/argsize" "${args[@]}"
	expect_status 0
	cmp -s "$E2E_TMP/out" "$E2E_TMP/native.out" ||
		fail "rrv run saw other arguments than a native run: $(cat "$E2E_TMP/native.out")"
	run "$RRV" record -o "$E2E_TMP/big.rrv" "$P/argsize" "${args[@]}"
	expect_status 0
	cmp -s "$E2E_TMP/out" "$E2E_TMP/native.out" || fail "rrv record saw other arguments"
	run "$RRV" replay "$E2E_TMP/big.rrv"
	expect_status 0
	cmp -s "$E2E_TMP/out" "$E2E_TMP/native.out" || fail "the replay saw other arguments"
	expect_stderr ''
	run "$RRV" info "$E2E_TMP/big.rrv"
	expect_status 0
	expect_stdout_has '\(1025 in all\)'
}

# An environment as large as the arguments above goes through as well.
t_edges_big_environment_runs() {
	local big
	printf -v big '%*s' 131000 ''
	export EDGES_BIG1=${big// /e} EDGES_BIG2=${big// /f} EDGES_BIG3=${big// /g}
	"$P/argsize" >"$E2E_TMP/native.out"
	run "$RRV" run "$P/argsize"
	expect_status 0
	cmp -s "$E2E_TMP/out" "$E2E_TMP/native.out" ||
		fail "the environment differs from a native run's"
}

# The guest kernel's rule for every exec is Linux's: bigexec execs itself
# with arguments of a given size, natively and in the guest, and both say
# the same, up to the last byte that fits.
t_edges_exec_limit_is_linux_s() {
	ulimit -s 8192 # Linux's default: a 2 MiB limit, here and in the guest
	local cases=("1048576 1024" "2200000 4096" "300000 131073" "300000 131072")
	# The largest total that fits natively (4096-byte strings), found by
	# bisection, and one byte more.
	local lo=1048576 hi=2097152 mid
	while ((hi - lo > 1)); do
		mid=$(((lo + hi) / 2))
		if "$P/bigexec" "$mid" 4096 | grep -q '^child'; then lo=$mid; else hi=$mid; fi
	done
	cases+=("$lo 4096" "$hi 4096")
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		"$P/bigexec" $c >"$E2E_TMP/native.out"
		# shellcheck disable=SC2086
		run "$RRV" run "$P/bigexec" $c
		cmp -s "$E2E_TMP/out" "$E2E_TMP/native.out" ||
			fail "bigexec $c: natively '$(cat "$E2E_TMP/native.out")'"
	done
	grep -q '^child' <<<"$("$P/bigexec" $lo 4096)" || fail "no native edge found"
}

# rrv itself ran, but what its program would get does not fit: a script
# whose #! line adds a long argument.  Natively that exec fails with E2BIG;
# rrv says so before it builds a VM, with a shell's status.
t_edges_argv_past_the_limit_is_e2big() {
	local arg script=$E2E_TMP/long-arg.sh
	printf -v arg '%*s' 240 ''
	arg=${arg// /x}
	printf '#!/bin/sh %s\necho ran\n' "$arg" >"$script"
	chmod +x "$script"
	# Sizes with a 2 MiB limit (8 MiB stack) and no environment: what rrv's
	# own exec carries (its path twice, "run", the script, the strings)
	# and what the interpreter's would (/bin/sh twice, the #! argument,
	# the script, the strings) differ by the window; the strings are cut
	# so that the second lands in its middle.
	local limit=2097152 r=$((${#RRV} + 1)) s=$((${#script} + 1)) n=512
	local ptrs=$(((3 + n) * 8))
	local window=$(((16 + ${#arg} + 1) - (2 * r + 4)))
	((window > 64)) || { fail "the rrv path is too long for this test"; return; }
	local strings=$((limit + window / 2 - ptrs - (16 + ${#arg} + 1) - s))
	local q=$((strings / n)) extra=$((strings % n)) args=() a b
	printf -v a '%*s' $((q - 1)) ''
	printf -v b '%*s' "$q" ''
	for ((i = 0; i < n; i++)); do
		if ((i < extra)); then args+=("${b// /b}"); else args+=("${a// /a}"); fi
	done
	(ulimit -s 8192 && exec -c "$script" "${args[@]}") >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	STATUS=$? LAST_CMD="(native) $script"
	expect_status 126
	expect_stderr_has 'Argument list too long'
	(ulimit -s 8192 && exec -c "$RRV" run "$script" "${args[@]}") \
		>"$E2E_TMP/out" 2>"$E2E_TMP/err"
	STATUS=$? LAST_CMD="rrv run $script (${#args[@]} arguments)"
	expect_status 126
	expect_stderr_has "^rrv: cannot run $script: argument list too long \\(E2BIG: .* Linux allows 2097152 .*ulimit -s"
	expect_stderr_lacks 'panic|BOOT'
	expect_stdout ''
}

t_edges_sh_script_records_and_replays() {
	cd "$E2E_TMP" || return 1
	printf '#!/bin/sh\necho "script $0 got $# first $1"\nexit 3\n' >s.sh
	chmod +x s.sh
	./s.sh one two >native.out
	run "$RRV" record -o "$E2E_TMP/sh.rrv" ./s.sh one two
	expect_status 3
	cmp -s "$E2E_TMP/out" native.out || fail "recorded script printed otherwise: $(cat native.out)"
	expect_stderr_has "^rrv: trace written to $E2E_TMP/sh.rrv"
	run "$RRV" replay "$E2E_TMP/sh.rrv"
	expect_status 3
	cmp -s "$E2E_TMP/out" native.out || fail "replayed script printed otherwise"
	expect_stderr ''
	# The trace runs the interpreter, whose ELF it keeps for symbols.
	run "$RRV" info "$E2E_TMP/sh.rrv"
	expect_stdout_has '^program +/bin/sh$'
	expect_stdout_has '^argv +/bin/sh \./s\.sh one two'
	expect_stdout_has '^program ELF +stored'
	# From $PATH too, as a shell finds it.
	PATH=$E2E_TMP:$PATH run "$RRV" run s.sh one
	expect_status 3
	expect_stdout_has "^script $E2E_TMP/s.sh got 1 first one$"
}

t_edges_busybox_script_records_and_replays() {
	cd "$E2E_TMP" || return 1
	# An interpreter with an argument, and a script as an interpreter.
	printf '#!/bin/busybox sh\necho "busybox $0: $*"; exit 4\n' >bb.sh
	printf '#!%s/bb.sh\n' "$E2E_TMP" >outer.sh
	chmod +x bb.sh outer.sh
	./bb.sh a b >native.out
	run "$RRV" record -o "$E2E_TMP/bb.rrv" ./bb.sh a b
	expect_status 4
	cmp -s "$E2E_TMP/out" native.out || fail "busybox script printed otherwise: $(cat native.out)"
	run "$RRV" replay "$E2E_TMP/bb.rrv"
	expect_status 4
	cmp -s "$E2E_TMP/out" native.out || fail "replayed busybox script printed otherwise"
	run "$RRV" info "$E2E_TMP/bb.rrv"
	expect_stdout_has '^argv +/bin/busybox sh \./bb\.sh a b'
	./outer.sh c >native.out
	run "$RRV" record -o "$E2E_TMP/outer.rrv" ./outer.sh c
	expect_status 4
	cmp -s "$E2E_TMP/out" native.out || fail "nested script printed otherwise: $(cat native.out)"
	run "$RRV" replay "$E2E_TMP/outer.rrv"
	expect_status 4
	cmp -s "$E2E_TMP/out" native.out || fail "replayed nested script printed otherwise"
}

t_edges_script_without_interpreter() {
	cd "$E2E_TMP" || return 1
	printf '#!/no/such/interpreter -x\necho hi\n' >m.sh
	printf '#!\n' >empty.sh
	printf '#!%s/m.sh\n' "$E2E_TMP" >via.sh
	chmod +x m.sh empty.sh via.sh
	run "$RRV" run ./m.sh
	expect_status 127
	expect_stderr_has "^rrv: cannot run \./m\.sh: its interpreter /no/such/interpreter does not exist \(ENOENT\) \(fix the script's #! line or install the interpreter\)$"
	expect_stdout ''
	run "$RRV" record -o "$E2E_TMP/m.rrv" ./via.sh
	expect_status 127
	expect_stderr_has "^rrv: cannot run \./via\.sh: its interpreter /no/such/interpreter does not exist"
	[ -e "$E2E_TMP/m.rrv" ] && fail "a trace was left for a program that never ran"
	run "$RRV" run ./empty.sh
	expect_status 126
	expect_stderr_has '^rrv: cannot run \./empty\.sh: exec format error \(ENOEXEC\) \(its #! line names no interpreter\)$'
	# An interpreter that is neither an ELF nor a script: execve's
	# ENOEXEC (a shell would run the text itself; execve does not).
	printf 'echo hi\n' >text
	printf '#!%s/text\n' "$E2E_TMP" >t.sh
	chmod +x text t.sh
	run "$RRV" run ./t.sh
	expect_status 126
	expect_stderr_has "^rrv: cannot run \./t\.sh: its interpreter $E2E_TMP/text is not an ELF file nor a #! script \("
	# Scripts naming scripts stop at 4, as in Linux (ELOOP).
	printf '#!%s/loop.sh\n' "$E2E_TMP" >loop.sh
	chmod +x loop.sh
	run "$RRV" run ./loop.sh
	expect_status 126
	expect_stderr_has '^rrv: cannot run \./loop\.sh: too many levels of #! interpreters \(ELOOP\) \(Linux follows at most 4\)$'
}

# Runs CMD... in a mount namespace where DIR is a fresh tmpfs of SIZE
# bytes; a copy of DIR's files is left in DIR.copy (the tmpfs goes with
# the namespace).  Root in the nested VM; elsewhere a user namespace.
edges_small_disk() {
	local size=$1 dir=$2
	shift 2
	mkdir -p "$dir" "$dir.copy"
	local flags=-rm
	[ "$(id -u)" = 0 ] && flags=-m
	run unshare $flags sh -c 'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 99
		d=$2; shift 2
		"$@"; s=$?
		cp -a "$d"/. "$d.copy"/
		exit $s' sh "$size" "$dir" "$@"
}

t_edges_full_disk_counts_what_replay_reads() {
	# The header alone: a trace of a run that asks for nothing.
	"$RRV" record -o "$E2E_TMP/probe.rrv" "$P/spew" 0 >/dev/null 2>&1 ||
		{ fail "the probe recording failed"; return; }
	local header=$(stat -c %s "$E2E_TMP/probe.rrv")
	# Room for the header and about three chunks of 256 KiB of random
	# pages; the run would write 12 MiB.
	edges_small_disk $((header + 800 * 1024)) "$E2E_TMP/disk" \
		"$RRV" record -o "$E2E_TMP/disk/full.rrv" "$P/spew" 3000
	expect_status 70
	expect_stderr_has "^rrv: cannot write the trace $E2E_TMP/disk/full.rrv: no space left on the device \(free some space\)$"
	local said events bytes
	said=$(sed -n 's/^rrv: trace kept, incomplete, in .* (\([0-9]*\) events, \([0-9]*\) bytes).*/\1 \2/p' "$E2E_TMP/err")
	read -r events bytes <<<"$said"
	[ -n "$events" ] || { fail "no summary line with the counts"; return; }
	[ "$events" -gt 10 ] || fail "only $events events kept"
	local t=$E2E_TMP/disk.copy/full.rrv
	[ "$(stat -c %s "$t")" = "$bytes" ] ||
		fail "said $bytes bytes, the file has $(stat -c %s "$t")"
	run "$RRV" info "$t"
	expect_status 0
	expect_stdout_has "^events +$events \\("
	expect_stdout_has '^status +the trace ends early'
	run "$RRV" dump "$t"
	expect_status 69
	expect_stderr_has "the trace ends early after event $events "
	run "$RRV" replay "$t"
	expect_status 69
	expect_stderr_has "the trace ends early, after $events events"
}

t_edges_full_disk_from_the_start_leaves_nothing() {
	edges_small_disk 65536 "$E2E_TMP/tiny" \
		"$RRV" record -o "$E2E_TMP/tiny/t.rrv" "$P/spew" 1
	expect_status 70
	expect_stderr_has "^rrv: cannot write the trace $E2E_TMP/tiny/t.rrv: no space left on the device \(free some space\)$"
	expect_stderr_has "^rrv: nothing was recorded: .* $E2E_TMP/tiny/t.rrv is removed \(free some space and record again\)$"
	expect_stderr_lacks 'events|replay it with'
	[ -z "$(ls -A "$E2E_TMP/tiny.copy")" ] ||
		fail "files left on the full disk: $(ls -A "$E2E_TMP/tiny.copy")"
	# In the trace directory, 'latest' must not point at nothing.
	edges_small_disk 65536 "$E2E_TMP/tdir" \
		env RRV_TRACE_DIR="$E2E_TMP/tdir" "$RRV" record "$P/spew" 1
	expect_status 70
	[ -z "$(ls -A "$E2E_TMP/tdir.copy")" ] ||
		fail "files left in the trace directory: $(ls -A "$E2E_TMP/tdir.copy")"
}

# replay, info and dump give one answer for a damaged footer: the events
# are read, the damage is named, the status is 66.
t_edges_damaged_footer_same_answer_everywhere() {
	run "$RRV" record -o "$E2E_TMP/f.rrv" "$P/argsize" x
	expect_status 0
	cp "$E2E_TMP/out" "$E2E_TMP/recorded.out"
	local size=$(stat -c %s "$E2E_TMP/f.rrv") at byte
	at=$((size - 17)) # the footer's last byte, before the 16-byte trailer
	byte=$(od -An -tu1 -j "$at" -N1 "$E2E_TMP/f.rrv" | tr -d ' ')
	printf "\\$(printf '%03o' $(((byte + 1) % 256)))" |
		dd of="$E2E_TMP/f.rrv" bs=1 seek="$at" conv=notrunc status=none
	run "$RRV" replay "$E2E_TMP/f.rrv"
	expect_status 66
	cmp -s "$E2E_TMP/out" "$E2E_TMP/recorded.out" || fail "the replay did not run to the end"
	expect_stderr_has "^rrv: replay: $E2E_TMP/f.rrv is damaged after its last event: the footer is damaged \(the events before it are intact\) \(replayed all [0-9]+ events"
	run "$RRV" info "$E2E_TMP/f.rrv"
	expect_status 66
	expect_stdout_has '^status +the footer is damaged \(the events before it are intact\), after event [0-9]+'
	run "$RRV" dump "$E2E_TMP/f.rrv"
	expect_status 66
	expect_stderr_has "^rrv: $E2E_TMP/f.rrv: the footer is damaged \(the events before it are intact\) after event [0-9]+"
}

t_edges_command_line_errors() {
	run "$RRV" record -o
	expect_status 64
	expect_stderr "rrv: record: option '-o' needs the trace's file name (see 'rrv help record')
"
	run "$RRV" record --output
	expect_status 64
	expect_stderr_has "^rrv: record: option '--output' needs the trace's file name \(see 'rrv help record'\)$"
	run "$RRV" run --memory
	expect_status 64
	expect_stderr_has "^rrv: run: option '--memory' needs a value \(see 'rrv help run'\)$"
	run "$RRV" replay /dev/null
	expect_status 66
	expect_stderr "rrv: cannot replay /dev/null: not a regular file (it is a device; give a trace file written by rrv record)
"
	run "$RRV" info "$E2E_TMP"
	expect_status 66
	expect_stderr "rrv: cannot read $E2E_TMP: not a regular file (it is a directory; give a trace file written by rrv record)
"
	run "$RRV" dump /dev/null
	expect_status 66
	expect_stderr_has '^rrv: cannot read /dev/null: not a regular file \(it is a device; '
	# A trace is written to a new file: never "remove it" for a device.
	run "$RRV" record -o /dev/null "$P/argsize"
	expect_status 70
	expect_stderr_has '^rrv: cannot create the trace /dev/null: it is not a regular file \(give the name of a new file\)$'
	run "$RRV" record -o "$E2E_TMP" "$P/argsize"
	expect_status 70
	expect_stderr_has "^rrv: cannot create the trace $E2E_TMP: it is a directory \(give the name of a new file\)$"
	run "$RRV" help replay
	expect_status 0
	expect_stdout_has '^usage: rrv replay .*\[--no-pmu\]'
	expect_stdout_has '^  --no-pmu '
	run "$RRV" help record
	expect_stdout_has '^usage: rrv record .*\[--chaos\[=SEED\]\] \[--no-pmu\]'
}

t_edges_info_names_the_guest_cmdline() {
	run "$RRV" record -o "$E2E_TMP/c.rrv" --chaos=7 "$P/argsize"
	expect_status 0
	run "$RRV" info "$E2E_TMP/c.rrv"
	expect_status 0
	expect_stdout_has '^guest cmdline +chaos=7$'
	expect_stdout_has '^chaos seed +7$'
}
