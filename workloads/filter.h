/* filter.h — what the default filter does to a stream, said once for both sides: the filter
 * program (bench/tools/filter.c, built as build/cvp-filter) and the subprocess workload that
 * checks its output. Each 8-byte word (little-endian) becomes FILTER_ROUNDS rounds of mixing of
 * itself: enough work per byte that the children, not the pipes, are what a run measures. */
#ifndef CVP_FILTER_H
#define CVP_FILTER_H

#include <stdint.h>

enum { FILTER_ROUNDS = 16 };

static inline uint64_t filter_word(uint64_t v)
{
	for (unsigned i = 0; i < FILTER_ROUNDS; i++) {
		v ^= v >> 30;
		v *= 0xbf58476d1ce4e5b9ULL;
		v ^= v >> 27;
		v *= 0x94d049bb133111ebULL;
		v ^= v >> 31;
		v += i;
	}
	return v;
}

#endif
