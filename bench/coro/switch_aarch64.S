/* switch_aarch64.S — the hand-written coroutine switch for AArch64 (AAPCS64): the asm backend of
 * bench/coro/switch.c, as switch_x86_64.S is for x86-64. A switch is an ordinary call, so only
 * what the procedure call standard says a callee must preserve is saved: x19-x28, the frame
 * pointer x29, the link register x30, the stack pointer, the low halves d8-d15 of v8-v15, and
 * FPCR, the floating-point control register (rounding mode, flush-to-zero, default NaN), the
 * counterpart of x86-64's MXCSR and x87 control word. Everything goes on the running coroutine's
 * own stack; its context is the one word that holds the stack pointer. The signal mask is not
 * touched: no system call.
 *
 * A suspended context's stack, from its saved stack pointer up (176 bytes, a multiple of 16, so
 * the saved stack pointer stays 16-byte aligned as AArch64 requires):
 *     +0 x19 x20  +16 x21 x22  +32 x23 x24  +48 x25 x26  +64 x27 x28  +80 x29 x30 (where to resume)
 *     +96 d8 d9  +112 d10 d11  +128 d12 d13  +144 d14 d15  +160 FPCR, 8 bytes of padding
 *
 * Tested on its own under qemu-user (tests/switch_alone.c, built with Debian's cross compiler:
 * make test). Entry points start with BTI C (a no-op hint where branch protection is absent); no
 * .note.gnu.property, so the program is not marked as needing it. */
#if defined(__aarch64__)

	.text

/* void cvp_switch(void *from, void *to): from receives the running context's stack pointer; to
 * holds the stack pointer of the context to resume. */
	.globl	cvp_switch
	.type	cvp_switch, %function
	.p2align 4
cvp_switch:
	.cfi_startproc
	hint	#34			/* bti c */
	sub	sp, sp, #176
	.cfi_adjust_cfa_offset 176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x9, fpcr
	str	x9, [sp, #160]
	mov	x9, sp
	str	x9, [x0]
	ldr	x9, [x1]
	mov	sp, x9			/* the other context's stack, laid out the same way */
	ldr	x9, [sp, #160]
	msr	fpcr, x9
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	.cfi_adjust_cfa_offset -176
	ret
	.cfi_endproc
	.size	cvp_switch, .-cvp_switch

/* void cvp_switch_make(void *ctx, char *top, void (*entry)(void *), void *arg): a new context at
 * the top of a stack, as cvp_switch would have left it, resuming at cvp_switch_start with entry
 * in x19 and arg in x20; x29 = 0 ends the frame chain. Its FPCR is the caller's, as getcontext
 * would give it. */
	.globl	cvp_switch_make
	.type	cvp_switch_make, %function
	.p2align 4
cvp_switch_make:
	.cfi_startproc
	hint	#34			/* bti c */
	and	x1, x1, #0xfffffffffffffff0
	sub	x9, x1, #176		/* the saved stack pointer, 16-aligned */
	stp	xzr, xzr, [x9, #0]	/* every register slot 0 to begin with */
	stp	xzr, xzr, [x9, #16]
	stp	xzr, xzr, [x9, #32]
	stp	xzr, xzr, [x9, #48]
	stp	xzr, xzr, [x9, #64]
	stp	xzr, xzr, [x9, #80]
	stp	xzr, xzr, [x9, #96]
	stp	xzr, xzr, [x9, #112]
	stp	xzr, xzr, [x9, #128]
	stp	xzr, xzr, [x9, #144]
	stp	xzr, xzr, [x9, #160]
	str	x2, [x9, #0]		/* x19: entry */
	str	x3, [x9, #8]		/* x20: arg */
	adr	x10, cvp_switch_start
	str	x10, [x9, #88]		/* x30: resume at cvp_switch_start */
	mrs	x10, fpcr
	str	x10, [x9, #160]
	str	x9, [x0]
	ret
	.cfi_endproc
	.size	cvp_switch_make, .-cvp_switch_make

/* A new context's first instructions: the stack pointer is top, 16-aligned. entry never
 * returns; if it did, brk traps. */
	.type	cvp_switch_start, %function
	.p2align 4
cvp_switch_start:
	.cfi_startproc
	.cfi_undefined x30		/* the outermost frame: unwinders stop here */
	mov	x0, x20
	blr	x19
	brk	#1
	.cfi_endproc
	.size	cvp_switch_start, .-cvp_switch_start

	.section .rodata
	.globl	cvp_switch_arch
	.type	cvp_switch_arch, %object
cvp_switch_arch:
	.asciz	"aarch64"
	.size	cvp_switch_arch, .-cvp_switch_arch

#endif
	.section .note.GNU-stack, "", %progbits
