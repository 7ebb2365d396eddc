/* query.c — what a workload may ask of the run or tell it: another workload by name, the stack
 * its units have, and why a hook fails. */
#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "core/cvp.h"

const struct workload *wl_find(const char *name)
{
	for (int i = 0; workloads[i]; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	return NULL;
}

int wl_refuse(const struct wl_ctx *ctx, enum wl_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->run->why, sizeof ctx->run->why, fmt, ap);
	va_end(ap);
	return status;
}

int wl_tool_path(const char *name, char *buf, size_t len)
{
	char self[4096];
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k <= 0)
		return -1;
	self[k] = 0;
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	if ((size_t)snprintf(buf, len, "%s/%s", self, name) >= len)
		return -1;
	return access(buf, X_OK);
}

uint64_t wl_unit_stack_kib(const struct wl_ctx *ctx)
{
	const struct run *r = ctx->run;
	return r->model->stack_kib ? r->model->stack_kib(r) : 0;
}
