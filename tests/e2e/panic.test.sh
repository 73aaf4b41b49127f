# A CPU exception in the guest kernel gives a clear panic report naming the
# exception and the faulting instruction, and rrv exits with status 70.

panic_case() { # KIND EXPECTED-EXCEPTION-REGEX EXPECTED-INSTRUCTION-REGEX
	run "$RRV" boot --kernel-cmdline="ktest=fault kind=$1"
	expect_status 70
	expect_stdout ''
	expect_stderr_has "^rrv: guest kernel panic: $2"
	expect_stderr_has "^rrv:   faulting instruction at 0xffffffff8[0-9a-f]+ <[a-z_0-9]+\+0x[0-9a-f]+>: $3"
}

t_panic_invalid_opcode() { panic_case ud 'invalid opcode \(#UD\).*vector 6' 'ud2'; }
t_panic_general_protection() { panic_case gp 'general protection \(#GP\).*vector 13' 'mov'; }
t_panic_divide_error() { panic_case de 'divide error \(#DE\).*vector 0' 'i?div'; }
t_panic_breakpoint() { panic_case bp 'breakpoint \(#BP\).*vector 3' ''; }

t_panic_page_fault_reports_cr2() {
	panic_case pf 'page fault \(#PF\).*vector 14' 'mov'
	expect_stderr_has 'cr2 0x000000000dead000'
	panic_case null 'page fault \(#PF\).*vector 14' 'mov'
	expect_stderr_has 'cr2 0x0000000000000000'
}

t_panic_double_fault_is_caught() {
	run "$RRV" boot --kernel-cmdline="ktest=fault kind=df"
	expect_status 70
	expect_stderr_has '^rrv: guest kernel panic: double fault \(#DF\).*vector 8'
}

t_panic_explicit_message() {
	run "$RRV" boot --kernel-cmdline=ktest=panic
	expect_status 70
	expect_stderr_has '^rrv: guest kernel panic: self-test panic 42$'
}
