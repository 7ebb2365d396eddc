/* host.h — the host's own constants: what one system call, page fault, swapcontext, thread
 * create, fork and cache-line hand-off cost here (constants.c says how each is measured). */
#ifndef CVP_HOST_H
#define CVP_HOST_H

#include <stdio.h>

#include "sys/sys.h"

/* Measures every constant and writes them to f (csv: constant,value,unit,min,max,what; an empty
 * value where one cannot be measured here). Returns the exit status. */
int host_constants(enum out_format fmt, FILE *f);

#endif
