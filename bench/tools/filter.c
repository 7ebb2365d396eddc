/* filter.c — build/cvp-filter, the default child of the subprocess workload: reads stdin,
 * replaces each 8-byte word by filter_word() of it (workloads/filter.h), writes stdout, until
 * end of file; a last partial word is padded with zeros. A program of its own, not part of
 * build/cvp: the suite's children run it as they would openssl or gzip. Exit 0, or 1 on an
 * error reading or writing. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "workloads/filter.h"

enum { CHUNK = 64 * 1024 };

static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(1, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int main(void)
{
	static uint64_t buf[CHUNK / 8 + 1];
	size_t have = 0; /* bytes in buf not yet filtered (less than a word after each pass) */
	for (;;) {
		ssize_t k = read(0, (char *)buf + have, CHUNK - have);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return 1;
		if (k == 0)
			break;
		have += (size_t)k;
		size_t words = have / 8;
		for (size_t i = 0; i < words; i++)
			buf[i] = filter_word(buf[i]);
		if (write_all((const char *)buf, words * 8) != 0)
			return 1;
		memmove(buf, (char *)buf + words * 8, have - words * 8);
		have -= words * 8;
	}
	if (have) {
		memset((char *)buf + have, 0, 8 - have);
		buf[0] = filter_word(buf[0]);
		if (write_all((const char *)buf, 8) != 0)
			return 1;
	}
	return 0;
}
