# The guest's /proc is the guest's (issue #18): what only a run under rrv
# can show, since natively these pids and paths are real.  The
# conformance case `procfs nopid` covers the pids no Linux has.

P=$PWD/build/tests/e2e

# A live host process, rrv's parent and the host's init are no process
# of the program's: their /proc/PID is missing, as for a process that
# exited.  The program's own /proc/PID is the guest's.
t_procfs_host_pids_are_not_the_guests() {
	sleep 300 &
	local sp=$!
	run "$RRV" run -- "$P/hostproc" ppid /proc/1/status "/proc/$sp/status" \
		"/proc/$sp/cmdline" self
	kill "$sp"
	expect_status 0
	expect_stdout "ppid: ENOENT
/proc/1/status: ENOENT
/proc/$sp/status: ENOENT
/proc/$sp/cmdline: ENOENT
self: Name:	hostproc
"
}

# Spellings of /proc/self that the guest kernel may not recognise reach
# the VMM, which must not answer them from its own /proc (it would say
# "Name: rrv"): the guest's answer, or ENOENT.
t_procfs_other_spellings_never_reach_rrvs_own() {
	ln -s /proc/self "$E2E_TMP/selflink"
	ln -s /proc "$E2E_TMP/proclink"
	run "$RRV" run -- "$P/hostproc" "$E2E_TMP/selflink/status" //proc//self/status \
		/proc/self/../self/status "$E2E_TMP/proclink/self/status" /proc/./self/status \
		"$E2E_TMP/../../proc/self/status" /proc/thread-self/status
	expect_status 0
	! grep -q 'Name:.rrv' "$E2E_TMP/out" || fail "a path gave rrv's own /proc/self/status"
	local bad
	bad=$(grep -Ev ': (ENOENT|Name:	hostproc)$' "$E2E_TMP/out")
	[ -z "$bad" ] || fail "answers other than the guest's own or ENOENT: $bad"
	[ "$(wc -l <"$E2E_TMP/out")" -eq 7 ] || fail "expected 7 lines"
}
