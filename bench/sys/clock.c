/* clock.c — time and CPU time: CLOCK_MONOTONIC for every interval (never the wall clock), and
 * the CPU and minor page faults a thread has used, from getrusage. */
#include <sys/resource.h>
#include <time.h>

#include "sys/sys.h"

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t wl_now_ns(void)
{
	return now_ns();
}

void thread_usage(struct usage *u)
{
	struct rusage ru;
	CHECK(getrusage(RUSAGE_THREAD, &ru) == 0);
	u->user_us = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
	u->sys_us = ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
	u->minflt = ru.ru_minflt;
}

struct usage usage_since(const struct usage *b, const struct usage *a)
{
	return (struct usage){b->user_us - a->user_us, b->sys_us - a->sys_us, b->minflt - a->minflt};
}
