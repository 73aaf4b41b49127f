# Finding and reading recordings: rrv ps, rrv dump's ranges, filters and
# inputs, rrv ls, and rrv replay --log=syscalls, checked against traces of
# a known process family (programs/family.c: a parent, a thread, a child
# that execs) and traces forged from them.

P=$PWD/build/tests/e2e
ROOT=$PWD

# Records family into $E2E_TMP/fam.rrv from $E2E_TMP/w, and sets PP (the
# parent's pid), TT (the thread's tid) and CP (the child's pid) from what
# it printed.
record_family() {
	mkdir -p "$E2E_TMP/w" && cd "$E2E_TMP/w" || return 1
	echo "hello data" >data.txt
	run "$RRV" record -o "$E2E_TMP/fam.rrv" "$@" "$P/family" data.txt
	expect_status 3
	cp "$E2E_TMP/out" "$E2E_TMP/fam.out"
	PP=$(sed -n 's/^parent pid=\([0-9]*\)$/\1/p' "$E2E_TMP/fam.out")
	TT=$(sed -n 's/^thread tid=\([0-9]*\)$/\1/p' "$E2E_TMP/fam.out")
	CP=$(sed -n 's/^child pid=\([0-9]*\)$/\1/p' "$E2E_TMP/fam.out")
	[ -n "$PP" ] && [ -n "$TT" ] && [ -n "$CP" ] ||
		fail "family did not print its pids: $(cat "$E2E_TMP/fam.out")"
	[ "$PP" != "$TT" ] && [ "$TT" != "$CP" ] || fail "ids not distinct"
}

t_tracetools_ps_lists_the_family() {
	record_family
	run "$RRV" ps "$E2E_TMP/fam.rrv"
	expect_status 0
	expect_stdout "$(printf 'PID\tPPID\tEXIT\tCMD\n%s\t--\t3\t%s data.txt\n%s\t%s\t7\t%s child x\n' \
		"$PP" "$P/family" "$CP" "$PP" "$P/family")
"
	# A trace from before ABI v8 has no process events: said, not faked.
	run "$RRV" ps "$ROOT/tests/traces/valid-v2.0.rrv"
	expect_status 66
	expect_stderr_has 'valid-v2.0.rrv holds no process events'
	expect_stdout ''
	run "$RRV" ps --bogus
	expect_status 64
	expect_stderr_has "^rrv: ps: unknown option '--bogus' \\(see 'rrv help ps'\\)$"
	# A trace cut inside its last chunk (the trailer's first 8 bytes are
	# the footer's offset): the processes up to there, and a clear word.
	local size foot
	size=$(stat -c %s "$E2E_TMP/fam.rrv")
	foot=$(tail -c 16 "$E2E_TMP/fam.rrv" | head -c 8 | od -An -t u8 | tr -d ' ')
	[ -n "$foot" ] && [ "$foot" -lt "$size" ] || fail "no footer offset"
	head -c $((foot - 10)) "$E2E_TMP/fam.rrv" >"$E2E_TMP/cut.rrv"
	run "$RRV" ps "$E2E_TMP/cut.rrv"
	expect_status 69
	expect_stdout_has "^$PP	--	"
	expect_stderr_has 'the trace ends early after event [0-9]+ \(the recording was cut off: the processes up to there are listed\)'
}

t_tracetools_ps_cuts_long_command_lines() {
	mkdir -p "$E2E_TMP/w" && cd "$E2E_TMP/w" || return 1
	echo "hello data" >data.txt
	# 40 arguments of 20 bytes: more than the 384 bytes kept.
	local args=() i
	for i in $(seq 10 49); do
		args+=("argument-number-$i-x")
	done
	run "$RRV" record -o "$E2E_TMP/long.rrv" "$P/family" data.txt "${args[@]}"
	expect_status 3
	run "$RRV" ps "$E2E_TMP/long.rrv"
	expect_status 0
	expect_stdout_has "^[0-9]+	--	3	$P/family data.txt argument-number-10-x argument-number-11-x .* \\.\\.\\.$"
	grep -q 'argument-number-49-x' "$E2E_TMP/out" && fail "the cut line kept everything"
	# The child's exec'd line is whole.
	expect_stdout_has "^[0-9]+	[0-9]+	7	$P/family child x$"
}

t_tracetools_dump_paths_bytes_and_threads() {
	record_family
	local T=$E2E_TMP/fam.rrv
	# The path of an openat, with the thread that made it.
	run "$RRV" dump --call=openat "$T"
	expect_status 0
	expect_stdout_has "^ +[0-9]+ \\[tid $PP\\] openat\\(dir=-100, flags=0x0, mode=0x0, \"data.txt\"\\) = [0-9]+ "
	# Only openat lines.
	grep -Ev '^ +[0-9]+ \[tid [0-9]+\] openat\(' "$E2E_TMP/out" | grep -q . &&
		fail "--call=openat printed other calls"
	# Written bytes: 32 by default, cut with ..., more with -s.
	run "$RRV" dump --call=write "$T"
	expect_stdout_has "\\[tid $PP\\] write\\(handle=1, iovcnt=1, \"a line that is longer than thirt\"\\.\\.\\.\\) = 55"
	expect_stdout_has "\\[tid $PP\\] write\\(handle=1, iovcnt=1, \"file: hello data\\\\n\"\\) = 17"
	run "$RRV" dump --call=write -s 100 "$T"
	expect_stdout_has "write\\(handle=1, iovcnt=1, \"a line that is longer than thirty-two bytes, to be cut\\\\n\"\\) = 55"
	run "$RRV" dump --call=write -s8 "$T"
	expect_stdout_has "\\[tid $CP\\] write\\(handle=1, iovcnt=1, \"child pi\"\\.\\.\\.\\) = "
	# The thread's events are its own.
	run "$RRV" dump --tid="$TT" "$T"
	expect_status 0
	expect_stdout_has "^ +[0-9]+ \\[tid $TT\\] write\\(handle=1, iovcnt=1, \"thread tid=$TT\\\\n\"\\) = "
	grep -v "\\[tid $TT\\]" "$E2E_TMP/out" | grep -q . && fail "--tid showed other threads"
	# Both filters at once, and a name list.
	run "$RRV" dump --tid="$CP" --call=write,openat "$T"
	expect_stdout_has "\\[tid $CP\\] openat\\("
	expect_stdout_has "\\[tid $CP\\] write\\("
	grep -Ev "\\[tid $CP\\] (write|openat)\\(" "$E2E_TMP/out" | grep -q . &&
		fail "--tid with --call showed other events"
	# The process events are in the dump too.
	run "$RRV" dump --call=process "$T"
	expect_stdout_has "process\\(event=1, pid=$CP, ppid=$PP, "
	expect_stdout_has "process\\(event=2, pid=$CP, ppid=$PP, status=0x0, argc=3\\)"
	expect_stdout_has "process\\(event=3, pid=$CP, ppid=$PP, status=0x700, "
	expect_stdout_has "process\\(event=3, pid=$PP, .*status=0x300, "
}

t_tracetools_dump_ranges() {
	record_family
	local T=$E2E_TMP/fam.rrv n
	run "$RRV" dump "$T"
	n=$(wc -l <"$E2E_TMP/out")
	[ "$n" -gt 50 ] || fail "only $n events"
	sed -n '11p' "$E2E_TMP/out" >"$E2E_TMP/line10"
	run "$RRV" dump --event=10 "$T"
	expect_status 0
	cmp -s "$E2E_TMP/out" "$E2E_TMP/line10" || fail "--event=10 is not the 11th line"
	run "$RRV" dump --from=5 --to=9 "$T"
	expect_status 0
	[ "$(wc -l <"$E2E_TMP/out")" -eq 5 ] || fail "--from=5 --to=9 is not 5 events"
	expect_stdout_has '^ +5 \['
	expect_stdout_has '^ +9 \['
	run "$RRV" dump --from=$((n - 2)) "$T"
	[ "$(wc -l <"$E2E_TMP/out")" -eq 2 ] || fail "--from near the end"
	run "$RRV" dump --to=0 "$T"
	expect_stdout_has '^ +0 \[tid 0\] boot\('
	[ "$(wc -l <"$E2E_TMP/out")" -eq 1 ] || fail "--to=0 is not one event"
	# Bad values, in the project's form.
	run "$RRV" dump --event=abc "$T"
	expect_status 64
	expect_stderr "rrv: dump: --event wants a number, not 'abc' (see 'rrv help dump')
"
	run "$RRV" dump --from=9 --to=5 "$T"
	expect_status 64
	expect_stderr_has "^rrv: dump: --from=9 is after --to=5 \\(see 'rrv help dump'\\)$"
	run "$RRV" dump --event=3 --from=1 "$T"
	expect_status 64
	run "$RRV" dump --tid=-1 "$T"
	expect_status 64
	run "$RRV" dump --call=nosuchcall "$T"
	expect_status 64
	expect_stderr_has "^rrv: dump: --call: no hypercall is named 'nosuchcall'"
	run "$RRV" dump -s x "$T"
	expect_status 64
	run "$RRV" dump --event=$((n + 5)) "$T"
	expect_status 64
	expect_stderr_has "holds $n events \\(0 to $((n - 1))\\): there is no event $((n + 5))"
}

t_tracetools_dump_json() {
	record_family
	run "$RRV" dump --json "$E2E_TMP/fam.rrv"
	expect_status 0
	cp "$E2E_TMP/out" "$E2E_TMP/all.json"
	python3 - "$E2E_TMP/all.json" "$PP" "$TT" "$CP" >"$E2E_TMP/py.out" 2>&1 <<'EOF' ||
import json, sys
path, pp, tt, cp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
events = [json.loads(l) for l in open(path)]
assert [e["index"] for e in events] == list(range(len(events))), "indexes"
tids = {e["tid"] for e in events}
assert {0, pp, tt, cp} <= tids, "tids %s" % tids
opens = [e for e in events if e.get("name") == "openat" and e["tid"] == pp]
paths = [i["data"] for e in opens for i in e["inputs"]]
assert "data.txt" in paths, paths
writes = [e for e in events if e.get("name") == "write" and e["tid"] == tt]
assert len(writes) == 1, writes
w = writes[0]["inputs"][0]
assert w["data"] == "thread tid=%d\n" % tt and w["len"] == len(w["data"]), w
longw = [e["inputs"][0] for e in events if e.get("name") == "write" and e["ret"] == 55]
assert longw and longw[0]["len"] == 55 and len(longw[0]["data"]) == 32, longw
procs = [e for e in events if e.get("name") == "process"]
assert len(procs) >= 5, procs
print("ok")
EOF
		fail "JSON check failed: $(cat "$E2E_TMP/py.out")"
	run "$RRV" dump --json --tid="$TT" -s 100 "$E2E_TMP/fam.rrv"
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$E2E_TMP/out" ||
		fail "filtered JSON does not parse"
	expect_stdout_has "\"tid\":$TT,"
	! grep -qv "\"tid\":$TT," "$E2E_TMP/out" || fail "--json --tid showed other threads"
}

t_tracetools_replay_log_syscalls() {
	record_family
	# Recorded without --log; the replay logs, and is still exact.
	run "$RRV" replay --log=syscalls "$E2E_TMP/fam.rrv"
	expect_status 3
	cmp -s "$E2E_TMP/out" "$E2E_TMP/fam.out" || fail "replayed output differs"
	expect_stderr_has "^rrv: guest: \\[tid $PP\\] openat\\(AT_FDCWD, \"data.txt\", O_RDONLY"
	expect_stderr_has "^rrv: guest: \\[tid $TT\\] write\\(1, 0x[0-9a-f]+, [0-9]+\\) = [0-9]+$"
	expect_stderr_has "^rrv: guest: \\[tid $CP\\] exit_group\\(7\\) = \\?$"
	expect_stderr_has "^rrv: guest: \\[tid $PP\\] wait4\\($CP, "
	# Every log line names its thread.
	grep '^rrv: guest: ' "$E2E_TMP/err" | grep -Ev '^rrv: guest: \[tid [0-9]+\] ' | grep -q . &&
		fail "a log line without its thread"
	run "$RRV" replay "$E2E_TMP/fam.rrv"
	expect_status 3
	expect_stderr ''
	run "$RRV" replay --log=nonsense "$E2E_TMP/fam.rrv"
	expect_status 64
	expect_stderr_has "^rrv: replay: --log takes 'syscalls', not 'nonsense'"
	# rrv run --log=syscalls names threads the same way.
	run "$RRV" run --log=syscalls "$P/family" data.txt
	expect_status 3
	expect_stderr_has '^rrv: guest: \[tid [0-9]+\] openat\(AT_FDCWD, "data.txt", O_RDONLY'
}

t_tracetools_ls_lists_the_trace_directory() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	mkdir -p "$RRV_TRACE_DIR" "$E2E_TMP/w" && cd "$E2E_TMP/w" || return 1
	echo "hello data" >data.txt
	run "$RRV" record "$P/family" data.txt
	expect_status 3
	local rec
	rec=$(basename "$(readlink "$RRV_TRACE_DIR/latest")")
	[ -f "$RRV_TRACE_DIR/$rec" ] || fail "no latest trace"
	local n
	n=$("$RRV" dump "$RRV_TRACE_DIR/$rec" | wc -l)
	# A cut-short copy (no footer, no trailer), a diverging one, junk.
	local size
	size=$(stat -c %s "$RRV_TRACE_DIR/$rec")
	# Cut inside the last chunk: the trailer's first 8 bytes are the
	# footer's offset, and the last chunk ends there.
	local foot
	foot=$(tail -c 16 "$RRV_TRACE_DIR/$rec" | head -c 8 | od -An -t u8 | tr -d ' ')
	[ -n "$foot" ] && [ "$foot" -lt "$size" ] || fail "no footer offset"
	head -c $((foot - 10)) "$RRV_TRACE_DIR/$rec" >"$RRV_TRACE_DIR/cut.rrv"
	"$P/trace_edit" "$RRV_TRACE_DIR/$rec" "$RRV_TRACE_DIR/edited.rrv" \
		"hello data" "HELLO DATA" || fail "could not edit the trace"
	# Footer tag 69: what rrv record writes when a signal stopped it.
	"$P/trace_edit" --footer 69 "$RRV_TRACE_DIR/$rec" "$RRV_TRACE_DIR/stopped.rrv" ||
		fail "could not add the footer tag"
	echo "not a trace" >"$RRV_TRACE_DIR/junk.rrv"
	echo "ignored" >"$RRV_TRACE_DIR/notes.txt"
	run "$RRV" replay "$RRV_TRACE_DIR/edited.rrv"
	expect_status 65
	[ -f "$RRV_TRACE_DIR/edited.rrv.replay" ] || fail "no replay note"
	run "$RRV" replay
	expect_status 3
	# A trace outside the trace directory gets no note.
	cp "$RRV_TRACE_DIR/edited.rrv" "$E2E_TMP/outside.rrv"
	run "$RRV" replay "$E2E_TMP/outside.rrv"
	expect_status 65
	[ -e "$E2E_TMP/outside.rrv.replay" ] && fail "a note beside a trace outside the directory"

	run "$RRV" ls
	expect_status 0
	expect_stdout_has '^  NAME +PROGRAM +DATE +SIZE +EVENTS +STATUS$'
	expect_stdout_has "^\\* $rec +family +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +[0-9.]+[BKMG] +$n +complete$"
	expect_stdout_has "^  edited\\.rrv +family +.* +$n +complete, diverged on replay$"
	expect_stdout_has '^  cut\.rrv +family +.* +[0-9]+ +cut short$'
	expect_stdout_has "^  stopped\\.rrv +family +.* +$n +interrupted$"
	expect_stdout_has '^  junk\.rrv +- +.* +0 +unreadable: not an rrv trace$'
	grep -q 'notes\.txt\|\.replay' "$E2E_TMP/out" && fail "ls listed files that are not traces"
	[ "$(wc -l <"$E2E_TMP/out")" -eq 6 ] || fail "expected a header and 5 traces"
	# Newest first: the dates never go up.
	sed 1d "$E2E_TMP/out" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}' >"$E2E_TMP/dates"
	sort -r "$E2E_TMP/dates" | cmp -s - "$E2E_TMP/dates" || fail "not newest first"
	# The cut copy holds fewer events than the whole trace, and replays them.
	local cut
	cut=$(awk '$1 == "cut.rrv" { print $(NF - 2) }' "$E2E_TMP/out")
	[ -n "$cut" ] && [ "$cut" -lt "$n" ] || fail "cut.rrv has $cut events of $n"
	# Another directory, and one that does not exist.
	run "$RRV" ls "$E2E_TMP/w"
	expect_status 0
	expect_stdout_has '^no traces in '
	run "$RRV" ls "$E2E_TMP/nowhere"
	expect_status 1
	expect_stderr_has "^rrv: cannot list $E2E_TMP/nowhere: No such file or directory \\("
}

t_tracetools_help_describes_the_commands() {
	run "$RRV" --help
	expect_stdout_has '^  ps +list the processes of a recording'
	expect_stdout_has '^  ls +list the traces in the trace directory'
	run "$RRV" help dump
	expect_status 0
	expect_stdout_has '--event=N'
	expect_stdout_has '--from=N'
	expect_stdout_has '--to=M'
	expect_stdout_has '--tid=T'
	expect_stdout_has '--call=NAME'
	expect_stdout_has '-s N'
	run "$RRV" help ps
	expect_stdout_has '^usage: rrv ps \[FILE\]'
	expect_stdout_has 'PPID'
	run "$RRV" help ls
	expect_stdout_has 'diverged'
	run "$RRV" help replay
	expect_stdout_has '--log=syscalls'
}
