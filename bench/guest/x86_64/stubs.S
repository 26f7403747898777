/* stubs.S: the guest's entry, services, exception and interrupt stubs (x86_64, AT&T).
 * The guest function runs in ring 3; these stubs are its ring 0.  Entering ring 0
 * from ring 3 switches to the TSS's rsp0 stack, so no frame lands on the red zone
 * of the host-compiled function that was interrupted; exceptions use IST2 so that
 * a broken stack still reports.  Offsets: abi.hpp Mailbox. */
	.text
	.globl ringlab_guest_start
	.type ringlab_guest_start, @function
ringlab_guest_start:
	/* ring 3; rsp is 16-byte aligned here: the call leaves it as the ABI expects. */
	call *%rsi
	movq ringlab_guest_mailbox(%rip), %rcx
	movq %rax, 0x00(%rcx)
	movw $0xe0, %dx
	outb %al, %dx
1:	jmp 1b
	.size ringlab_guest_start, .-ringlab_guest_start

/* #GP from ring 3: ring 3 may not halt, and may not do port I/O where the
 * hypervisor ignores IOPL (PVM).  Do `outb %al, %dx` (0xee) or `hlt` (0xf4) on its
 * behalf and return past it; any other #GP is a fault.  The halt waits only if
 * mailbox.irqs still equals rdi (the count the caller saw before its last check):
 * interrupts are off from the gate to sti, and sti's shadow covers hlt, so a call
 * cannot slip in between the check and the wait. */
	.balign 16
	.globl ringlab_guest_gp
ringlab_guest_gp:
	pushq %rax
	pushq %rcx
	movq 24(%rsp), %rcx
	cmpb $0xee, (%rcx)
	je 3f
	cmpb $0xf4, (%rcx)
	je 4f
	popq %rcx
	popq %rax
	pushq $13
	jmp ringlab_guest_exc_common
3:	movq 8(%rsp), %rax
	outb %al, %dx
	jmp 6f
4:	movq ringlab_guest_mailbox(%rip), %rax
	cmpq 0x38(%rax), %rdi
	jne 5f
	incq 0x48(%rax)
	sti
	hlt
	cli
	jmp 6f
5:	incq 0x50(%rax)
6:	incq 24(%rsp)
	popq %rcx
	popq %rax
	addq $8, %rsp
	iretq

/* Vectors 0..31: one 16-byte stub each; the CPU pushes an error code for 8, 10-14, 17, 21, 29, 30. */
	.macro EXC n
	.balign 16
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp ringlab_guest_exc_common
	.endm

	.balign 16
	.globl ringlab_guest_exc_table
ringlab_guest_exc_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC \n
	.endr

	.balign 16
	.globl ringlab_guest_irq_unexpected
ringlab_guest_irq_unexpected:
	pushq $0
	pushq $32
	jmp ringlab_guest_exc_common

/* Frame: vector, error, rip, cs, rflags, rsp, ss.  Record it and tell the host. */
ringlab_guest_exc_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	movq ringlab_guest_mailbox(%rip), %rax
	movq 24(%rsp), %rcx
	movq %rcx, 0x10(%rax)
	movq 32(%rsp), %rcx
	movq %rcx, 0x18(%rax)
	movq 40(%rsp), %rcx
	movq %rcx, 0x20(%rax)
	movq 64(%rsp), %rcx
	movq %rcx, 0x28(%rax)
	movq %cr2, %rcx
	movq %rcx, 0x30(%rax)
	movq $1, 0x08(%rax)
	movw $0xe1, %dx
	outb %al, %dx
2:	cli
	hlt
	jmp 2b

/* The call interrupt: count it, end it at the local APIC, return. */
	.balign 16
	.globl ringlab_guest_irq_call
ringlab_guest_irq_call:
	pushq %rax
	movq ringlab_guest_mailbox(%rip), %rax
	lock incq 0x38(%rax)
	movl $0xfee000b0, %eax
	movl $0, (%rax)
	popq %rax
	iretq

	.balign 16
	.globl ringlab_guest_irq_spurious
ringlab_guest_irq_spurious:
	pushq %rax
	movq ringlab_guest_mailbox(%rip), %rax
	lock incq 0x40(%rax)
	popq %rax
	iretq

	.section .note.GNU-stack,"",@progbits
