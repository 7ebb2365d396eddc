/* switch_alone.c — the hand-written coroutine switch of one architecture
 * (bench/coro/switch_<arch>.S) on its own, without the harness, so that it also runs, built with
 * a cross compiler, under qemu-user on a machine of another architecture (make test: natively,
 * and for aarch64 under qemu-aarch64). One op is one switch.
 *
 * What it checks, each as an "ok"/"FAIL" line (exit 1 if any failed):
 *   - a new context runs entry(arg) with arg intact;
 *   - the stack is aligned as a function entry needs (a 16-aligned local is 16-aligned, also
 *     one call further down);
 *   - values live across a switch survive while the other side fills the same callee-saved
 *     registers (general and floating point) with its own: the compiler keeps them there;
 *   - each context keeps its own floating-point control: its rounding mode as fegetround() reads
 *     it (x86-64: the x87 control word; aarch64: FPCR) and as a division rounds (x86-64: MXCSR),
 *     and a new context starts with its creator's;
 *   - ROUNDS rounds of main -> ping -> pong -> main (a switch between two coroutines and one
 *     each way between a coroutine and the main stack) go round exactly. */
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void cvp_switch(void *from, void *to);
void cvp_switch_make(void *ctx, char *top, void (*entry)(void *), void *arg);
extern const char cvp_switch_arch[];

enum { STACK_BYTES = 64 * 1024, ROUNDS = 200000 };

struct side {
	void *ctx;
	int mode;           /* its rounding mode */
	uint64_t seed;      /* for its live values */
	int turns;          /* switches it made */
	void **next;        /* the context it switches to */
	int bad_arg, bad_align, bad_live, bad_mode, bad_div, bad_start_mode;
	double third;       /* 1/3 as its mode rounds it, first seen */
	char *stack;
};

static void *main_ctx;
static struct side sides[2];
static int failed;

static void check(int ok, const char *what)
{
	printf("%s  %s: %s\n", ok ? "ok  " : "FAIL", cvp_switch_arch, what);
	failed |= !ok;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	return x;
}

/* A 16-aligned local, in a frame of its own, is where the compiler put it assuming the ABI's
 * alignment at entry. (Its address passes through an empty asm, or the compiler, which knows the
 * answer, would fold the test away.) */
static __attribute__((noinline)) int local_aligned(void)
{
	_Alignas(16) volatile char probe[16];
	probe[0] = 1;
	uintptr_t at = (uintptr_t)probe;
	__asm__ volatile("" : "+r"(at));
	return (at & 15) == 0;
}

/* Twelve integers and eight doubles live across the switch from -> to: more than fit in
 * caller-saved registers, so the compiler keeps them in callee-saved ones. Returns their sum. */
static __attribute__((noinline)) uint64_t live_across(uint64_t seed, void *from, void *to)
{
	uint64_t a = mix(seed + 1), b = mix(seed + 2), c = mix(seed + 3), d = mix(seed + 4);
	uint64_t e = mix(seed + 5), f = mix(seed + 6), g = mix(seed + 7), h = mix(seed + 8);
	uint64_t i = mix(seed + 9), j = mix(seed + 10), k = mix(seed + 11), l = mix(seed + 12);
	double p = (double)(a >> 40), q = (double)(b >> 40), r = (double)(c >> 40);
	double s = (double)(d >> 40), t = (double)(e >> 40), u = (double)(f >> 40);
	double v = (double)(g >> 40), w = (double)(h >> 40);
	if (from)
		cvp_switch(from, to);
	return a + 3 * b + 5 * c + 7 * d + 11 * e + 13 * f + 17 * g + 19 * h + 23 * i + 29 * j +
	       31 * k + 37 * l + (uint64_t)(p + 2 * q + 3 * r + 4 * s + 5 * t + 6 * u + 7 * v + 8 * w);
}

static double one_third(void)
{
	volatile double one = 1.0, three = 3.0;
	return one / three;
}

static void entry(void *arg)
{
	struct side *me = arg;
	me->bad_arg = me != &sides[0] && me != &sides[1];
	me->bad_align = !local_aligned();
	me->bad_start_mode = fegetround() != me->mode;
	fesetround(me->mode);
	me->third = one_third();
	for (;;) {
		me->turns++;
		uint64_t want = live_across(me->seed + me->turns, NULL, NULL);
		me->bad_live += live_across(me->seed + me->turns, &me->ctx, me->next) != want;
		me->bad_mode += fegetround() != me->mode;
		me->bad_div += one_third() != me->third;
		me->bad_align += !local_aligned();
	}
}

int main(void)
{
	static const int modes[2] = {FE_UPWARD, FE_DOWNWARD};
	for (int n = 0; n < 2; n++) {
		struct side *sd = &sides[n];
		*sd = (struct side){.mode = modes[n], .seed = 1000003ULL * (n + 1)};
		sd->stack = aligned_alloc(16, STACK_BYTES);
		if (!sd->stack)
			return 2;
		/* The new context gets the creator's floating-point control: made under its mode. */
		fesetround(sd->mode);
		cvp_switch_make(&sd->ctx, sd->stack + STACK_BYTES, entry, sd);
	}
	sides[0].next = &sides[1].ctx;
	sides[1].next = &main_ctx;
	fesetround(FE_TONEAREST);
	double third = one_third();

	/* Rounds of main -> ping -> pong -> main; each side counts its turns. */
	int main_bad = 0, rounds = 0;
	for (; rounds < ROUNDS && sides[0].turns == rounds && sides[1].turns == rounds; rounds++) {
		uint64_t want = live_across(7 + rounds, NULL, NULL);
		main_bad += live_across(7 + rounds, &main_ctx, &sides[0].ctx) != want;
		main_bad += fegetround() != FE_TONEAREST || one_third() != third;
	}

	int bad_arg = 0, bad_align = 0, bad_live = 0, bad_mode = 0, bad_start = 0;
	for (int n = 0; n < 2; n++) {
		bad_arg += sides[n].bad_arg;
		bad_align += sides[n].bad_align;
		bad_live += sides[n].bad_live;
		bad_mode += sides[n].bad_mode + sides[n].bad_div;
		bad_start += sides[n].bad_start_mode;
	}
	check(!bad_arg, "a new context runs entry(arg) with its argument");
	check(!bad_align, "the stack is 16-byte aligned at entry and after every switch");
	check(!bad_live && !main_bad, "values in callee-saved registers survive the other side's");
	check(sides[0].third != sides[1].third && !bad_mode,
	      "each context keeps its own rounding mode (control word and division)");
	check(!bad_start, "a new context starts with its creator's floating-point control");
	check(rounds == ROUNDS && sides[0].turns == ROUNDS && sides[1].turns == ROUNDS,
	      "200 000 rounds of main -> ping -> pong -> main go round exactly");
	for (int n = 0; n < 2; n++)
		free(sides[n].stack);
	return failed;
}
