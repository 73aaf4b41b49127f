/* Embeds the guest kernel so that rrv is one file to install.  The build
 * passes the image's path in RRV_KERNEL_ELF. */
	.section .rodata.rrv_kernel, "a"
	.balign 64
	.globl rrv_kernel_image
rrv_kernel_image:
	.incbin RRV_KERNEL_ELF
	.globl rrv_kernel_image_end
rrv_kernel_image_end:
	.section .note.GNU-stack, "", @progbits
