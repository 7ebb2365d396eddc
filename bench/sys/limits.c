/* limits.c — which system limit stopped the creation of a thread or process. fork() and
 * pthread_create() say only EAGAIN or ENOMEM; this looks at the limits in the order they bite
 * and names the one that is reached, with its value, so exit 3 says what to raise. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sys/sys.h"

/* The first number in a file, or -1. */
static long long read_num(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Tasks (threads and processes) in the system: the denominator of /proc/loadavg's 4th field. */
static long long system_tasks(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	long long running = -1, total = -1;
	if (f) {
		if (fscanf(f, "%*s %*s %*s %lld/%lld", &running, &total) != 2)
			total = -1;
		fclose(f);
	}
	return total;
}

/* The cgroup v2 pids controller of this process, if it caps anything: 1 and the values. */
static int cgroup_pids(long long *cur, long long *max)
{
	char line[512], path[700];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/pids.max", line + 3);
			*max = read_num(path); /* "max" reads as no number: -1 */
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/pids.current", line + 3);
			*cur = read_num(path);
			found = *max > 0 && *cur >= 0;
		}
	fclose(f);
	return found;
}

void limit_name(int err, char *buf, size_t len)
{
	enum { SLACK = 16 }; /* tasks may come and go around us meanwhile */
	long long tasks = system_tasks();
	long long threads_max = read_num("/proc/sys/kernel/threads-max");
	long long pid_max = read_num("/proc/sys/kernel/pid_max");
	long long cur, max;
	struct rlimit rl;

	if (tasks >= 0 && threads_max > 0 && tasks + SLACK >= threads_max)
		snprintf(buf, len, "threads-max (/proc/sys/kernel/threads-max = %lld, %lld tasks)",
			 threads_max, tasks);
	else if (tasks >= 0 && pid_max > 0 && tasks + SLACK >= pid_max)
		snprintf(buf, len, "pid_max (/proc/sys/kernel/pid_max = %lld, %lld tasks)", pid_max,
			 tasks);
	else if (cgroup_pids(&cur, &max) && cur + SLACK >= max)
		snprintf(buf, len, "the cgroup's pids.max (%lld, %lld in use)", max, cur);
	else if (err == EAGAIN && getuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 &&
		 rl.rlim_cur != RLIM_INFINITY)
		snprintf(buf, len, "ulimit -u (RLIMIT_NPROC = %llu processes and threads of this user)",
			 (unsigned long long)rl.rlim_cur);
	else if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(buf, len, "memory: ulimit -v (RLIMIT_AS = %llu KiB)",
			 (unsigned long long)rl.rlim_cur / 1024);
	else
		snprintf(buf, len, "memory (or, in a container, a pids or memory cgroup limit)");
}
