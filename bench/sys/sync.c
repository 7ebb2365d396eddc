/* sync.c — memory shared with every unit (also across fork), and futex words in it: a futex in
 * MAP_SHARED memory works the same between threads and between forked processes, so every
 * model waits the same way (core/barrier.c builds the barriers on it). */
#include <limits.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/sys.h"

void *wl_shared_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void wl_shared_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

void futex_wait(_Atomic uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

void futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}
