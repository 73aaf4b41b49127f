# rrv record and rrv replay: exact replay without the host, bad traces,
# cut-off recordings and deliberately broken replays.

P=$PWD/build/tests/e2e

t_record_replay_nondeterministic_inputs() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	mkdir -p "$E2E_TMP/work" "$E2E_TMP/elsewhere"
	echo "first line" >"$E2E_TMP/work/data.txt"
	echo "second line" >>"$E2E_TMP/work/data.txt"
	cd "$E2E_TMP/work" || return 1
	run "$RRV" record -o "$E2E_TMP/nondet.rrv" "$P/nondet" data.txt
	expect_status 3
	expect_stdout_has '^file: second line$'
	expect_stderr_has "^rrv: trace written to $E2E_TMP/nondet.rrv \\([0-9]+ events"
	cp "$E2E_TMP/out" "$E2E_TMP/recorded.out"
	# The file changes, then goes; replay runs from elsewhere.
	echo "changed" >data.txt
	rm data.txt
	cd "$E2E_TMP/elsewhere" || return 1
	run "$RRV" replay "$E2E_TMP/nondet.rrv"
	expect_status 3
	cmp -s "$E2E_TMP/out" "$E2E_TMP/recorded.out" ||
		fail "replayed output differs from the recording"
	expect_stderr ''
	# And again: every replay is the same.
	run "$RRV" replay "$E2E_TMP/nondet.rrv"
	cmp -s "$E2E_TMP/out" "$E2E_TMP/recorded.out" || fail "second replay differs"
}

t_record_default_directory_and_latest() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	run "$RRV" record "$P/nondet"
	expect_status 3
	expect_stderr_has "^rrv: trace written to $E2E_TMP/traces/nondet-[0-9]{8}-[0-9]{6}-[0-9]+\\.rrv"
	[ -L "$E2E_TMP/traces/latest" ] || fail "no latest link"
	cp "$E2E_TMP/out" "$E2E_TMP/recorded.out"
	run "$RRV" replay
	expect_status 3
	cmp -s "$E2E_TMP/out" "$E2E_TMP/recorded.out" || fail "replay of latest differs"
	run "$RRV" info
	expect_status 0
	expect_stdout_has '^program +.*/nondet$'
	expect_stdout_has '^status +complete$'
	expect_stdout_has '^exit +status 3$'
	run "$RRV" dump
	expect_status 0
	expect_stdout_has '^ +0 \[tid 0\] boot\('
	expect_stdout_has 'exit\(how=0, status=3'
	run "$RRV" dump --json
	expect_status 0
	expect_stdout_has '^\{"index":0,"type":"hypercall","tid":[0-9]+,"nr":1,"name":"boot"'
}

t_record_concurrent_latest_stays_valid() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	local i
	for i in 1 2 3 4; do
		"$RRV" record "$P/nondet" >/dev/null 2>&1 &
	done
	wait
	run "$RRV" replay
	expect_status 3
	[ "$(ls "$E2E_TMP/traces" | grep -c '\.rrv$')" -eq 4 ] || fail "expected 4 traces"
}

t_record_killed_replays_its_prefix() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	"$RRV" record -o "$E2E_TMP/killed.rrv" "$P/ticker" >"$E2E_TMP/rec.out" 2>/dev/null &
	local pid=$!
	sleep 3
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	[ -s "$E2E_TMP/rec.out" ] || fail "the recording printed nothing before the kill"
	run "$RRV" replay "$E2E_TMP/killed.rrv"
	expect_status 69
	expect_stderr_has 'the trace ends early'
	expect_stdout_has '^tick 0$'
	# Everything replayed is what the recording printed, in order.
	head -c "$(wc -c <"$E2E_TMP/out")" "$E2E_TMP/rec.out" | cmp -s - "$E2E_TMP/out" ||
		fail "replayed prefix differs from the recording's output"
	run "$RRV" info "$E2E_TMP/killed.rrv"
	expect_stdout_has '^status +the trace ends early'
}

t_replay_catches_an_edited_read() {
	mkdir -p "$E2E_TMP/w" && cd "$E2E_TMP/w" || return 1
	printf 'GOOD' >input
	run "$RRV" record -o "$E2E_TMP/good.rrv" "$P/branchy" input
	expect_status 0
	expect_stdout $'good input\n'
	"$P/trace_edit" "$E2E_TMP/good.rrv" "$E2E_TMP/bad.rrv" GOOD EVIL ||
		fail "could not edit the trace"
	run "$RRV" replay "$E2E_TMP/bad.rrv"
	expect_status 65
	expect_stderr_has '^rrv: replay diverged at event [0-9]+ of [0-9]+'
	expect_stderr_has '^rrv:   expected: '
	expect_stderr_has '^rrv:   got: '
	expect_stderr_has '^rrv:   thread [0-9]+'
	expect_stderr_has '^rrv:   program at 0x[0-9a-f]+ <[^>]+>: syscall'
	expect_stderr_has '^rrv:     #[0-9]+ 0x[0-9a-f]+ main\+0x'
}

# The divergence is in a program the first one exec'd: the trace holds
# only the first one's ELF, so the report names no symbols rather than
# wrong ones.
t_replay_report_after_exec() {
	mkdir -p "$E2E_TMP/x" && cd "$E2E_TMP/x" || return 1
	printf 'GOOD' >input
	run "$RRV" record -o "$E2E_TMP/exec.rrv" "$P/branchy" -x "$P/nondet" input
	expect_status 3
	expect_stdout_has '^file: GOOD'
	"$P/trace_edit" "$E2E_TMP/exec.rrv" "$E2E_TMP/exec-bad.rrv" GOOD EVIL ||
		fail "could not edit the trace"
	run "$RRV" replay "$E2E_TMP/exec-bad.rrv"
	expect_status 65
	expect_stderr_has '^rrv: replay diverged at event [0-9]+ of [0-9]+'
	expect_stderr_has "^rrv:   \(no symbols: thread [0-9]+'s process runs a program it exec'd"
	expect_stderr_lacks '^rrv:     #[0-9]+ 0x[0-9a-f]+ main\+0x'
}

t_replay_refuses_bad_traces() {
	run "$RRV" replay tests/traces/not-a-trace.rrv
	expect_status 66
	expect_stderr_has '^rrv: cannot replay tests/traces/not-a-trace.rrv: not an rrv trace \(give a file written by rrv record\)$'
	run "$RRV" replay tests/traces/newer-major-v3.rrv
	expect_status 66
	expect_stderr_has 'newer trace format \(replay it with a newer rrv\)'
	run "$RRV" replay /nonexistent.rrv
	expect_status 66
	expect_stderr_has 'No such file or directory \(check the path\)'
	run "$RRV" dump tests/traces/bad-checksum.rrv
	expect_status 66
	expect_stderr_has 'checksum mismatch: the trace is corrupt after event 2'
	run "$RRV" dump tests/traces/truncated.rrv
	expect_status 69
	expect_stderr_has 'the trace ends early after event 2 \(the recording was cut off\)'
	RRV_TRACE_DIR=$E2E_TMP/empty run "$RRV" replay
	expect_status 66
	expect_stderr_has 'no trace to replay'
}
