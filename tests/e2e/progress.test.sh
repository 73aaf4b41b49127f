# rrv record shows a progress line on a terminal (stderr a tty, work
# longer than a second), and never in a pipe or with RRV_NO_PROGRESS.
# `script` gives the command a pseudo-terminal; it copies what was
# written there (stdout and stderr together) to its own stdout.

t_record_progress_on_a_terminal() {
	command -v script >/dev/null || { fail "no script(1) (util-linux)"; return; }
	local prog
	prog=$(command -v busybox) || { fail "no busybox"; return; }
	run script -qec "$RRV record -o $E2E_TMP/t.rrv $prog sleep 1.5" /dev/null
	expect_status 0
	expect_stdout_has 'rrv: recording: [0-9]+ events, [0-9.]+ MiB, [0-9]+ s'
	expect_stdout_has 'rrv: trace written to'
	# Taken off the line again before rrv's last words.
	grep -q $'\r\033\\[Krrv: trace written' "$E2E_TMP/out" ||
		fail "the progress line was not cleared before the final message"

	RRV_NO_PROGRESS=1 run script -qec "$RRV record -o $E2E_TMP/u.rrv $prog sleep 1.5" /dev/null
	expect_status 0
	grep -q 'recording:' "$E2E_TMP/out" && fail "progress shown with RRV_NO_PROGRESS=1"

	run "$RRV" record -o "$E2E_TMP/v.rrv" "$prog" sleep 1.5
	expect_status 0
	expect_stderr_lacks 'recording:'
}
