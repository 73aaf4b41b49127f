# The guest kernel boots, prints through the write hypercall, and exits
# through the exit hypercall with the status asked for.

t_boot_default_prints_memory_size() {
	run "$RRV" boot
	expect_status 0
	expect_stdout $'rekernel-rr: booted, 1024 MiB of guest memory\n'
	expect_stderr ''
	run "$RRV" boot --memory=256M
	expect_status 0
	expect_stdout $'rekernel-rr: booted, 256 MiB of guest memory\n'
}

t_boot_hello_exits_with_requested_status() {
	local n
	for n in 0 1 3 42 255; do
		run "$RRV" boot --kernel-cmdline="ktest=hello exit=$n"
		expect_status "$n"
		expect_stdout $'hello from rekernel-rr\n'
		expect_stderr ''
	done
	run "$RRV" boot --kernel-cmdline="ktest=hello msg=another-message exit=9"
	expect_status 9
	expect_stdout $'another-message\n'
}

t_boot_stdout_and_stderr_are_separate() {
	run "$RRV" boot --kernel-cmdline=ktest=stderr
	expect_status 0
	expect_stdout $'to stdout\n'
	expect_stderr $'to stderr\n'
}

t_boot_strings_reach_the_guest() {
	run "$RRV" boot --kernel-cmdline=ktest=args -- first 'with space' ''
	expect_status 0
	expect_stdout_has '^argc=3'
	expect_stdout_has '^argv\[0\]=first$'
	expect_stdout_has '^argv\[1\]=with space$'
	expect_stdout_has '^argv\[2\]=$'
}

t_boot_stats_count_exits() {
	run "$RRV" boot --stats --kernel-cmdline=ktest=hello
	expect_status 0
	expect_stderr_has '^rrv: stats: [0-9]+ VM exits'
	expect_stderr_has 'io \(hypercalls\) +[0-9]+'
	expect_stderr_has 'boot +1$'
	expect_stderr_has 'exit +1$'
}

t_boot_unknown_ktest_fails() {
	run "$RRV" boot --kernel-cmdline=ktest=no-such-test
	expect_status 2
	expect_stderr_has '^rrv: guest: '
}
