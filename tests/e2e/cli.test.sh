# The command line and the VMM's own errors.

t_cli_help_and_version() {
	run "$RRV" --help
	expect_status 0
	expect_stdout_has '^usage: rrv '
	expect_stdout_has '^  boot '
	run "$RRV" --version
	expect_status 0
	expect_stdout_has '^rrv [0-9]+\.[0-9]+\.[0-9]+ \(hypercall ABI [0-9]+\)$'
	run "$RRV" help boot
	expect_status 0
	expect_stdout_has '--kernel-cmdline'
}

t_cli_usage_errors() {
	run "$RRV"
	expect_status 64
	run "$RRV" frobnicate
	expect_status 64
	expect_stderr_has "^rrv: unknown command 'frobnicate' \(see 'rrv help'\)$"
	run "$RRV" --frob
	expect_status 64
	run "$RRV" boot --no-such-option
	expect_status 64
	expect_stderr_has "unknown option '--no-such-option'"
	run "$RRV" boot --memory=lots
	expect_status 64
}

t_cli_memory_out_of_range() {
	run "$RRV" boot --memory=1M
	expect_status 64
	expect_stderr_has '--memory=1M: not a size from 64M to 3072M'
	run "$RRV" boot --memory=16G
	expect_status 64
}

t_vmm_missing_kvm_device() {
	RRV_KVM_DEVICE=/nonexistent/kvm run "$RRV" boot
	expect_status 70
	expect_stderr_has '^rrv: /nonexistent/kvm not found: .*tools/with-kvm'
}

t_vmm_kvm_permission_denied() {
	# Whatever the device's mode, an unprivileged user without the kvm
	# group cannot open it: the error must say what to do.
	local as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	if $as_nobody sh -c 'exec 3<>/dev/kvm' 2>/dev/null; then
		return 0 # this host lets everyone use KVM: nothing to deny
	fi
	run $as_nobody "$RRV" boot
	expect_status 70
	expect_stderr_has 'permission denied .*kvm group'
}

t_vmm_not_a_kvm_device() {
	RRV_KVM_DEVICE=/dev/null run "$RRV" boot
	expect_status 70
	expect_stderr_has '^rrv: KVM API version'
}

t_cli_dynamic_program_missing_interpreter() {
	# Dynamically linked programs run (tests/dynamic); one whose
	# interpreter does not exist fails as execve does, with ENOENT.
	local src=$E2E_ROOT/dyn.c prog=$E2E_ROOT/dyn-noint
	printf 'int main(void) { return 3; }\n' >"$src"
	gcc -o "$prog" "$src" || return 1
	run "$RRV" run "$prog"
	expect_status 3
	sed -i 's#/lib64/ld-linux-x86-64.so.2#/lib64/ld-nonexist-x86.so.2#' "$prog"
	run "$RRV" run "$prog"
	expect_status 127
	expect_stderr_has "^rrv: cannot run .*dyn-noint: No such file or directory"
}
