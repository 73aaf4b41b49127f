/*
 * Switching kernel stacks between threads (sched.c).
 *
 * swtch(&old->ksp, new->ksp) saves the callee-saved registers on the
 * current kernel stack, parks rsp in *old_ksp, loads the new stack and
 * pops what the new thread saved when it last called swtch.  Everything
 * else a thread owns (its user registers in its trapframe, fs base, FPU
 * state, TSS.rsp0) is switched in C before the call: only what the C
 * compiler expects a call to preserve needs saving here.
 */
	.text
	.globl swtch
swtch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * Where a new thread's first swtch returns to: its kernel stack holds
 * only its trapframe (a copy of the creator's, rax = 0), so it leaves for
 * ring 3 at once, as clone's child returns 0 to user space.
 */
	.globl thread_first_entry
thread_first_entry:
	jmp trapret

	.section .note.GNU-stack, "", @progbits
