/* switch_x86_64.S — the hand-written coroutine switch for x86-64 (System V ABI): the asm backend
 * of bench/coro/switch.c. A switch is an ordinary call, so only what the ABI says a callee must
 * preserve is saved: rbx, rbp, r12-r15, the stack pointer, and the two control registers of the
 * floating-point units — MXCSR (SSE rounding, exception masks, flush-to-zero) and the x87 control
 * word (precision, rounding, masks). Everything goes on the running coroutine's own stack; its
 * context is the one word that holds the stack pointer. The signal mask is not touched: that is
 * the system call glibc's swapcontext makes on every switch and this one does not.
 *
 * A suspended context's stack, from its saved stack pointer up (64 bytes):
 *     +0  x87 control word (2 bytes)   +4  MXCSR (4 bytes)
 *     +8  r15  +16 r14  +24 r13  +32 r12  +40 rbx  +48 rbp  +56 where to resume
 * The saved stack pointer is 16-byte aligned, since the call into cvp_switch left it at 8 mod 16
 * and 56 bytes go below that.
 *
 * tests/switch_alone.c checks this file on its own (make test).
 *
 * No .note.gnu.property: this switch moves return addresses between stacks, which a shadow stack
 * (CET SHSTK) would refuse, so the linker must not mark the program as shadow-stack ready. With
 * -fcf-protection the entry points start with endbr64 (indirect branch tracking). */
#if defined(__x86_64__)

#if defined(__CET__) && (__CET__ & 1)
#define ENDBR endbr64
#else
#define ENDBR
#endif

	.text

/* void cvp_switch(void *from, void *to): from receives the running context's stack pointer; to
 * holds the stack pointer of the context to resume. */
	.globl	cvp_switch
	.type	cvp_switch, @function
	.p2align 4
cvp_switch:
	.cfi_startproc
	ENDBR
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	fnstcw	(%rsp)
	stmxcsr	4(%rsp)
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp		/* the other context's stack, laid out the same way */
	fldcw	(%rsp)
	ldmxcsr	4(%rsp)
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%r15
	.cfi_adjust_cfa_offset -8
	popq	%r14
	.cfi_adjust_cfa_offset -8
	popq	%r13
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	cvp_switch, .-cvp_switch

/* void cvp_switch_make(void *ctx, char *top, void (*entry)(void *), void *arg): a new context
 * at the top of a stack, as cvp_switch would have left it, resuming at cvp_switch_start with
 * entry in r12 and arg in r13. Its MXCSR and x87 control word are the caller's, as getcontext
 * would give them. Below top: 16 bytes of zeros (the end of the frame chain), then the frame. */
	.globl	cvp_switch_make
	.type	cvp_switch_make, @function
	.p2align 4
cvp_switch_make:
	.cfi_startproc
	ENDBR
	andq	$-16, %rsi
	leaq	-80(%rsi), %rax		/* 16 + 64 bytes: the saved stack pointer, 16-aligned */
	movq	$0, 72(%rax)
	movq	$0, 64(%rax)
	leaq	cvp_switch_start(%rip), %r8
	movq	%r8, 56(%rax)		/* resume at cvp_switch_start */
	movq	$0, 48(%rax)		/* rbp: no frame above */
	movq	$0, 40(%rax)		/* rbx */
	movq	%rdx, 32(%rax)		/* r12: entry */
	movq	%rcx, 24(%rax)		/* r13: arg */
	movq	$0, 16(%rax)		/* r14 */
	movq	$0, 8(%rax)		/* r15 */
	movq	$0, (%rax)
	fnstcw	(%rax)
	stmxcsr	4(%rax)
	movq	%rax, (%rdi)
	ret
	.cfi_endproc
	.size	cvp_switch_make, .-cvp_switch_make

/* A new context's first instructions: the stack pointer is top - 16, 16-aligned, so the call
 * leaves it at 8 mod 16 on entry, as the ABI wants. entry never returns; if it did, ud2 traps. */
	.type	cvp_switch_start, @function
	.p2align 4
cvp_switch_start:
	.cfi_startproc
	.cfi_undefined rip		/* the outermost frame: unwinders stop here */
	movq	%r13, %rdi
	call	*%r12
	ud2
	.cfi_endproc
	.size	cvp_switch_start, .-cvp_switch_start

	.section .rodata
	.globl	cvp_switch_arch
	.type	cvp_switch_arch, @object
cvp_switch_arch:
	.asciz	"x86_64"
	.size	cvp_switch_arch, .-cvp_switch_arch

#endif
	.section .note.GNU-stack, "", @progbits
