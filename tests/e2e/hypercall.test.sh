# A guest that misuses the hypercall ABI gets error codes, not a crash.

t_hypercall_pointer_outside_memory_is_refused() {
	run "$RRV" boot --memory=64M --kernel-cmdline=ktest=badptr
	expect_status 0
	expect_stdout $'badptr: iov-beyond-memory -> -14\nbadptr: iov-wrapping -> -14\nbadptr: struct-outside-memory -> -14\n'
	RRV_DEBUG=1 run "$RRV" boot --memory=64M --kernel-cmdline=ktest=badptr
	expect_stderr_has 'refused guest range .* at vmm/'
}

t_hypercall_unknown_number_is_enosys() {
	run "$RRV" boot --kernel-cmdline=ktest=badnr
	expect_status 0
	expect_stdout_has '^badnr: -> -38$'
	expect_stderr_has 'unknown hypercall 254: answered ENOSYS'
}
