/* switch.h — how the scheduler saves one coroutine's context and resumes another: the one place
 * the backend (coros --switch) is chosen. Both backends run the same scheduler (sched.c) and
 * keep the same ABI promise: a switch is a call that returns when something switches back, with
 * the callee-saved registers, the stack pointer, MXCSR and the x87 control word as they were.
 *   ucontext  glibc's makecontext/swapcontext: portable, always there; each switch also saves
 *             and restores the signal mask (one rt_sigprocmask system call); ~1 KiB a context
 *   asm       a hand-written switch, one file per architecture (switch_<arch>.S): no system
 *             call, one word a context (the registers go on the coroutine's own stack) */
#ifndef CVP_SWITCH_H
#define CVP_SWITCH_H

#include <stddef.h>

enum switch_kind { SWITCH_UCONTEXT, SWITCH_ASM };
/* The backends' names by enum switch_kind, NULL-ended: the choices of --switch. */
extern const char *const switch_names[];

struct switch_ops {
	const char *name;
	size_t ctx_bytes; /* one saved context, a multiple of its alignment */
	/* Prepares ctx so that resuming it runs entry(arg) on [stack, stack + size). entry never
	 * returns: it ends by switching away for good. (ucontext resumes link if it did.) */
	void (*make)(void *ctx, void *link, char *stack, size_t size, void (*entry)(void *),
		     void *arg);
	/* Saves the running context in from and resumes to; returns when something resumes from. */
	void (*swap)(void *from, void *to);
};

/* The backend of kind k; NULL, with the reason in *why, where this architecture has none. */
const struct switch_ops *switch_backend(enum switch_kind k, const char **why);

#endif
