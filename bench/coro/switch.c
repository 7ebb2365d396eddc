/* switch.c — the coroutine switch backends behind switch.h: glibc's ucontext, and the
 * hand-written switch of this architecture where there is a file for it (switch_<arch>.S).
 *
 * Every switch_*.S is assembled on every architecture and is empty except on its own, so the
 * asm backend exists exactly when this architecture's file defined its symbols; they are weak
 * here, and NULL where none did. Adding an architecture is adding its file. */
#include "coro/switch.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <ucontext.h>

#include "sys/sys.h"

const char *const switch_names[] = {[SWITCH_UCONTEXT] = "ucontext", [SWITCH_ASM] = "asm", NULL};

/* ---- ucontext */

/* makecontext passes int arguments: each pointer travels as two 32-bit halves. */
static uintptr_t join(unsigned hi, unsigned lo)
{
	return (uintptr_t)hi << 32 | lo;
}

static void uc_entry(unsigned fn_hi, unsigned fn_lo, unsigned arg_hi, unsigned arg_lo)
{
	void (*entry)(void *) = (void (*)(void *))join(fn_hi, fn_lo);
	entry((void *)join(arg_hi, arg_lo));
}

static void uc_make(void *ctx, void *link, char *stack, size_t size, void (*entry)(void *),
		    void *arg)
{
	ucontext_t *uc = ctx;
	CHECK(getcontext(uc) == 0);
	uc->uc_stack.ss_sp = stack;
	uc->uc_stack.ss_size = size;
	uc->uc_link = link; /* NULL would exit the process, status 0, if entry returned */
	uintptr_t f = (uintptr_t)entry, a = (uintptr_t)arg;
	makecontext(uc, (void (*)(void))uc_entry, 4, (unsigned)(f >> 32), (unsigned)f,
		    (unsigned)(a >> 32), (unsigned)a);
}

static void uc_swap(void *from, void *to)
{
	CHECK(swapcontext(from, to) == 0);
}

/* ---- asm: bench/coro/switch_<arch>.S */

/* Saves the callee-saved registers, MXCSR and the x87 control word (or the architecture's
 * equivalents) on the running stack, stores the stack pointer in *from, and resumes the
 * context whose stack pointer *to holds. */
void cvp_switch(void *from, void *to) __attribute__((weak));
/* Writes, below top, the frame a first cvp_switch into it pops: it calls entry(arg) with the
 * stack aligned as a function entry needs; stores that stack pointer in *ctx. */
void cvp_switch_make(void *ctx, char *top, void (*entry)(void *), void *arg)
	__attribute__((weak));
/* The architecture the file was written for. */
extern const char cvp_switch_arch[] __attribute__((weak));

static void asm_make(void *ctx, void *link, char *stack, size_t size, void (*entry)(void *),
		     void *arg)
{
	(void)link; /* entry never returns; if it did, the frame's end traps */
	cvp_switch_make(ctx, stack + size, entry, arg);
}

static const struct switch_ops backends[] = {
	[SWITCH_UCONTEXT] = {"ucontext", (sizeof(ucontext_t) + 15) / 16 * 16, uc_make, uc_swap},
	[SWITCH_ASM] = {"asm", sizeof(void *), asm_make, cvp_switch},
};

const struct switch_ops *switch_backend(enum switch_kind k, const char **why)
{
	if (k == SWITCH_ASM && (!cvp_switch || !cvp_switch_make || !cvp_switch_arch)) {
		static char reason[256];
		struct utsname u;
		snprintf(reason, sizeof reason,
			 "no hand-written switch for %s in this build (bench/coro/switch_<arch>.S; "
			 "--switch ucontext works everywhere)",
			 uname(&u) == 0 ? u.machine : "this architecture");
		*why = reason;
		return NULL;
	}
	return &backends[k];
}
