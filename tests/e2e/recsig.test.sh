# Signals to rrv during record, run and replay (docs/signals.md, "Signals
# to rrv"), and the trace directory's latest link for interrupted
# recordings.  Each test starts rrv in the background, waits until the
# program printed "ready" (it has installed its handler), then signals rrv
# itself, as a terminal's Ctrl-C or a kill would.

P=$PWD/build/tests/e2e

# recsig_start OUT CMD...: runs CMD in the background with stdout to OUT
# and stderr to OUT.err; REC_PID is its pid.
recsig_start() {
	local out=$1
	shift
	"$@" >"$out" 2>"$out.err" &
	REC_PID=$!
}

# recsig_wait_for FILE REGEX: polls FILE until a line matches (the nested
# VM is slow: up to 120 s), failing the test if it never does.
recsig_wait_for() {
	local i
	for i in $(seq 1 1200); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "never saw /$2/ in $1: $(head -c 400 "$1" "$1.err" 2>/dev/null)"
	return 1
}

# recsig_end: waits for rrv (at most 120 s more) and sets STATUS, with
# the recording's output as the last command's, for the expect helpers.
recsig_end() {
	local i
	LAST_CMD="rrv (background) -> $1"
	for i in $(seq 1 1200); do
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$REC_PID" 2>/dev/null; then
		fail "rrv did not end after the signal"
		kill -KILL "$REC_PID"
	fi
	wait "$REC_PID"
	STATUS=$?
	cp "$1" "$E2E_TMP/out"
	cp "$1.err" "$E2E_TMP/err"
	LAST_CMD="rrv (background) -> $1"
}

# recsig_replay_same TRACE|"" REC_OUT STATUS: replays (latest without a
# trace) and checks status and stdout against the recording's.
recsig_replay_same() {
	if [ -n "$1" ]; then
		run "$RRV" replay "$1"
	else
		run "$RRV" replay
	fi
	expect_status "$3"
	cmp -s "$E2E_TMP/out" "$2" || fail "the replay's output differs from the recording's"
}

# A SIGINT handler that runs while the program sleeps on the host: its
# output appears, the program ends normally, the trace is complete and
# replays identically, through latest.
t_recsig_sigint_handler_sleep_replays_through_latest() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" exit sleep
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 0
	expect_stdout_has '^handler: got SIGINT$'
	expect_stdout_has '^done$'
	expect_stderr_has '^rrv: SIGINT: passed on to the program'
	expect_stderr_has '^rrv: trace written to '
	expect_stderr_lacks 'interrupted'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	run "$RRV" info
	expect_status 0
	expect_stdout_has '^status +complete$'
	expect_stdout_has '^exit +status 0$'
	expect_stdout_has '^  hostsig +1$'
	recsig_replay_same "" "$E2E_TMP/rec.out" 0
	expect_stderr ''
}

# The same while the program waits in pause(), in the guest: no host call
# is in progress, the guest waits for a signal to rrv.
t_recsig_sigint_handler_pause() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" exit pause
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 0
	expect_stdout $'ready\nhandler: got SIGINT\ndone\n'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	recsig_replay_same "" "$E2E_TMP/rec.out" 0
}

# Blocked in a read of stdin (a pipe whose writer never writes): the read
# is cut short, the handler runs, and glibc's read returns EINTR (no
# SA_RESTART).
t_recsig_sigint_handler_read() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	sh -c 'echo $$ >"$1"; exec sleep 600' sh "$E2E_TMP/writer.pid" |
		"$RRV" record "$P/sigready" exit read >"$E2E_TMP/rec" 2>"$E2E_TMP/rec.err" &
	REC_PID=$!
	recsig_wait_for "$E2E_TMP/rec" '^ready$'
	local ready=$?
	[ $ready -eq 0 ] && kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	kill "$(cat "$E2E_TMP/writer.pid")" 2>/dev/null
	[ $ready -eq 0 ] || return
	expect_status 0
	expect_stdout $'ready\nhandler: got SIGINT\nread interrupted\ndone\n'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	recsig_replay_same "" "$E2E_TMP/rec.out" 0
}

# Spinning in user code, single-threaded, with no system call: the
# signal arrives at an instruction, and replay stops at the same one (the
# loop count printed after the handler is the same).
t_recsig_sigint_handler_spin() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" exit spin
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	sleep 0.5
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 0
	expect_stdout_has '^handler: got SIGINT$'
	expect_stdout_has '^spun [1-9][0-9]* times$'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	recsig_replay_same "" "$E2E_TMP/rec.out" 0
	expect_stderr ''
}

# Two threads: one spins in user code, the other waits in pause.  The
# signal lands in the spinner (a point replay finds again) and the
# handler runs in the waiter; the spinner's count is the same in replay.
t_recsig_sigint_threads() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" exit thread
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 0
	expect_stdout_has '^handler: got SIGINT$'
	expect_stdout_has '^spinner spun [0-9]+ times$'
	expect_stdout_has '^done$'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	recsig_replay_same "" "$E2E_TMP/rec.out" 0
	expect_stderr ''
}

# No handler: the program dies of SIGINT, status 130 as natively, and the
# trace (complete) replays to the same death.
t_recsig_sigint_no_handler_dies() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" none sleep
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 130
	expect_stderr_has 'program killed by SIGINT'
	expect_stdout $'ready\n'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	run "$RRV" info
	expect_stdout_has '^status +complete$'
	expect_stdout_has '^exit +killed by signal 2$'
	recsig_replay_same "" "$E2E_TMP/rec.out" 130
}

# A second SIGINT ends the recording at once: the trace is marked
# interrupted, latest names it, and it replays its prefix and says so.
t_recsig_second_sigint_interrupts() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" keep sleep
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_wait_for "$E2E_TMP/rec" '^still running after the handler$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 130
	expect_stderr_has '^rrv: recording interrupted by SIGINT'
	expect_stderr_has '^rrv: trace written to '
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	run "$RRV" info
	expect_status 0
	expect_stdout_has '^status +interrupted by SIGINT \(signal 2\) during recording'
	recsig_replay_same "" "$E2E_TMP/rec.out" 130
	expect_stderr_has '^rrv: replay: interrupted by SIGINT \(signal 2\) during recording'
}

# SIGTERM ends the recording at once, here of a program spinning in user
# code; latest names the interrupted trace.
t_recsig_sigterm_interrupts_spin() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/sigready" keep spin
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -TERM "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 143
	expect_stderr_has '^rrv: recording interrupted by SIGTERM'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	local trace
	trace=$(sed -n 's/^rrv: trace written to \(.*\) ([0-9]* events.*/\1/p' "$E2E_TMP/rec.err")
	[ "$(readlink "$E2E_TMP/traces/latest")" = "$trace" ] ||
		fail "latest names $(readlink "$E2E_TMP/traces/latest"), not $trace"
	recsig_replay_same "" "$E2E_TMP/rec.out" 143
	expect_stderr_has 'interrupted by SIGTERM \(signal 15\) during recording'
}

# SIGHUP (the terminal went away) ends the recording at once too.
t_recsig_sighup_interrupts() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record -o "$E2E_TMP/hup.rrv" "$P/sigready" keep sleep
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	kill -HUP "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 129
	expect_stderr_has '^rrv: recording interrupted by SIGHUP'
	cp "$E2E_TMP/rec" "$E2E_TMP/rec.out"
	recsig_replay_same "$E2E_TMP/hup.rrv" "$E2E_TMP/rec.out" 129
	expect_stderr_has 'interrupted by SIGHUP \(signal 1\) during recording'
}

# kill -9 leaves no footer, but the trace replays its prefix, and latest
# (set when the recording started) names it.
t_recsig_kill9_latest_names_prefix() {
	export RRV_TRACE_DIR=$E2E_TMP/traces
	recsig_start "$E2E_TMP/rec" "$RRV" record "$P/ticker"
	recsig_wait_for "$E2E_TMP/rec" '^tick 3$' || return
	kill -KILL "$REC_PID"
	wait "$REC_PID" 2>/dev/null
	[ -L "$E2E_TMP/traces/latest" ] || fail "no latest link after kill -9"
	run "$RRV" replay
	expect_status 69
	expect_stdout_has '^tick 0$'
	expect_stderr_has 'the trace ends early'
}

# rrv run: the first SIGINT reaches the program's handler; without a
# handler the program dies of it (130).
t_recsig_run_sigint() {
	recsig_start "$E2E_TMP/run" "$RRV" run "$P/sigready" exit sleep
	recsig_wait_for "$E2E_TMP/run" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/run"
	expect_status 0
	expect_stdout_has '^handler: got SIGINT$'
	expect_stdout_has '^done$'
	recsig_start "$E2E_TMP/run2" "$RRV" run "$P/sigready" none pause
	recsig_wait_for "$E2E_TMP/run2" '^ready$' || return
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/run2"
	expect_status 130
}

# Ctrl-C during a replay ends it cleanly, with a message and 130.  The
# replay of a program that spun for seconds before its SIGINT passes the
# recorded instruction at every turn of the loop (a breakpoint each time):
# it takes far longer than the recording, long enough to be interrupted.
t_recsig_replay_sigint_stops() {
	recsig_start "$E2E_TMP/rec" "$RRV" record -o "$E2E_TMP/spin.rrv" "$P/sigready" exit tight
	recsig_wait_for "$E2E_TMP/rec" '^ready$' || return
	sleep 2
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rec"
	expect_status 0
	recsig_start "$E2E_TMP/rep" "$RRV" replay "$E2E_TMP/spin.rrv"
	recsig_wait_for "$E2E_TMP/rep" '^ready$' || return
	sleep 1
	kill -INT "$REC_PID"
	recsig_end "$E2E_TMP/rep"
	expect_status 130
	expect_stdout $'ready\n'
	expect_stderr_has '^rrv: replay stopped by SIGINT after [0-9]+ events of [0-9]+'
}
