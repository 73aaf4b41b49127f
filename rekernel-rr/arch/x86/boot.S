/*
 * The kernel's entry point, reached from the VMM in the state described by
 * include/rrv/boot.h: long mode, ring 0, IF clear, the VMM's page tables,
 * rsp undefined.  Everything here runs before there is a stack.
 */
#include "arch/x86/vm.h"

	.section .text.boot, "ax"
	.globl _start
_start:
	cli
	cld			/* the C ABI wants DF clear; the contract says nothing */

	/* Zero .bss.  The VMM's loader already zeroes memsz beyond filesz,
	 * but the boot contract does not promise it.  This wipes the boot
	 * stack too, which is fine: nothing is on it yet. */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb

	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp		/* ends frame-pointer walks here */
	call kmain

	/* kmain never returns; if it does, stop rather than run off. */
1:	cli
	hlt
	jmp 1b

/* kmain's stack, laid out as a struct kstack (vm.h) so that vm_init unmaps
 * the guard page below it like every other kernel stack's. */
	.section .bss.kstack, "aw", @nobits
	.balign PGSIZE
	.skip PGSIZE
	.globl boot_stack_top
	.skip KSTACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
