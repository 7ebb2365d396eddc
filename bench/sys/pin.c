/* pin.c — hwloc topology, core choice and unit placement.
 * compact: K consecutive cores, units fill them core by core.
 * scatter: K cores spread over packages and caches first (hwloc_distrib), units round-robin.
 * none:    the compact K cores as one set; the OS places units inside it.
 * Every unit is bound to a single PU (hwloc_bitmap_singlify) so it never hops between SMT
 * siblings. */
#include "sys/pin.h"

#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <stdlib.h>

struct pin {
	hwloc_topology_t topo;
	unsigned ncores;
	hwloc_obj_type_t core_type; /* CORE, or PU when the topology has no cores */
	unsigned nsets;
	hwloc_bitmap_t *sets; /* one per chosen core, singlified, in unit order */
	hwloc_bitmap_t all;   /* the union: what --pin none binds to */
	enum pin_mode mode;
};

struct pin *pin_open(void)
{
	struct pin *p = calloc(1, sizeof *p);
	CHECK_MEM(p);
	CHECK(hwloc_topology_init(&p->topo) == 0);
	/* A synthetic topology (tests) has no binding to restrict to. */
	if (!getenv("HWLOC_SYNTHETIC") && !getenv("HWLOC_XMLFILE"))
		CHECK(hwloc_topology_set_flags(p->topo, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
							HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING) == 0);
	CHECK(hwloc_topology_load(p->topo) == 0);
	p->core_type = HWLOC_OBJ_CORE;
	int n = hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_CORE);
	if (n <= 0) {
		p->core_type = HWLOC_OBJ_PU;
		n = hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_PU);
	}
	CHECK(n > 0);
	p->ncores = n;
	return p;
}

void pin_close(struct pin *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nsets; i++)
		hwloc_bitmap_free(p->sets[i]);
	free(p->sets);
	hwloc_bitmap_free(p->all);
	hwloc_topology_destroy(p->topo);
	free(p);
}

unsigned pin_cores(const struct pin *p)
{
	return p->ncores;
}

int pin_plan(struct pin *p, unsigned cores, enum pin_mode mode, uint64_t units)
{
	(void)units;
	CHECK(cores >= 1 && cores <= p->ncores);
	p->mode = mode;
	p->nsets = cores;
	p->sets = calloc(cores, sizeof *p->sets);
	CHECK(p->sets);
	if (mode == PIN_SCATTER) {
		hwloc_obj_t root = hwloc_get_root_obj(p->topo);
		int depth = hwloc_get_type_depth(p->topo, p->core_type);
		CHECK(depth >= 0);
		/* until is a depth: stop dividing at the core level. */
		CHECK(hwloc_distrib(p->topo, &root, 1, p->sets, cores, depth, 0) == 0);
	} else {
		for (unsigned i = 0; i < cores; i++) {
			hwloc_obj_t core = hwloc_get_obj_by_type(p->topo, p->core_type, i);
			CHECK(core);
			p->sets[i] = hwloc_bitmap_dup(core->cpuset);
			CHECK(p->sets[i]);
		}
	}
	p->all = hwloc_bitmap_alloc();
	CHECK(p->all);
	for (unsigned i = 0; i < cores; i++) {
		CHECK(hwloc_bitmap_singlify(p->sets[i]) == 0);
		CHECK(hwloc_bitmap_or(p->all, p->all, p->sets[i]) == 0);
	}
	return 0;
}

static hwloc_const_bitmap_t unit_set(const struct pin *p, uint64_t u)
{
	return p->mode == PIN_NONE ? p->all : p->sets[u % p->nsets];
}

void pin_unit_pus(const struct pin *p, uint64_t u, char *buf, size_t len)
{
	size_t k = 0;
	unsigned pu;
	buf[0] = 0;
	hwloc_bitmap_foreach_begin(pu, unit_set(p, u))
		if (k < len)
			k += snprintf(buf + k, len - k, "%s%u", k ? " " : "", pu);
	hwloc_bitmap_foreach_end();
}

int pin_unit_pu(const struct pin *p, uint64_t u)
{
	if (p->mode == PIN_NONE && p->nsets > 1)
		return -1;
	return hwloc_bitmap_first(unit_set(p, u));
}

/* A synthetic topology is not this machine: binding to it would be meaningless. */
static int bind(const struct pin *p, uint64_t u, int flags)
{
	if (!hwloc_topology_is_thissystem(p->topo))
		return 0;
	return hwloc_set_cpubind(p->topo, unit_set(p, u), flags);
}

int pin_bind_thread(const struct pin *p, uint64_t u)
{
	return bind(p, u, HWLOC_CPUBIND_THREAD);
}

int pin_bind_process(const struct pin *p, uint64_t u)
{
	return bind(p, u, HWLOC_CPUBIND_PROCESS);
}

int pin_bind_all(const struct pin *p)
{
	if (!hwloc_topology_is_thissystem(p->topo))
		return 0;
	return hwloc_set_cpubind(p->topo, p->all, HWLOC_CPUBIND_PROCESS);
}

int pin_bind_pu(const struct pin *p, int pu)
{
	if (!hwloc_topology_is_thissystem(p->topo))
		return 0;
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	CHECK_MEM(set);
	hwloc_bitmap_only(set, pu);
	int rc = hwloc_set_cpubind(p->topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return rc;
}

bool pin_pair(const struct pin *p, bool siblings, int *a, int *b)
{
	int ncores = hwloc_get_nbobjs_by_type(p->topo, p->core_type);
	for (int i = 0; i < ncores; i++) {
		hwloc_obj_t core = hwloc_get_obj_by_type(p->topo, p->core_type, i);
		int first = hwloc_bitmap_first(core->cpuset);
		if (siblings) {
			int next = hwloc_bitmap_next(core->cpuset, first);
			if (next >= 0) {
				*a = first;
				*b = next;
				return true;
			}
		} else if (i + 1 < ncores) {
			hwloc_obj_t other = hwloc_get_obj_by_type(p->topo, p->core_type, i + 1);
			*a = first;
			*b = hwloc_bitmap_first(other->cpuset);
			return true;
		}
	}
	return false;
}

void pin_describe(const struct pin *p, FILE *f)
{
	hwloc_obj_t root = hwloc_get_root_obj(p->topo);
	const char *cpu = hwloc_obj_get_info_by_name(root, "CPUModel");
	char synth[512];
	if (hwloc_topology_export_synthetic(p->topo, synth, sizeof synth,
					    HWLOC_TOPOLOGY_EXPORT_SYNTHETIC_FLAG_NO_ATTRS) < 0)
		snprintf(synth, sizeof synth, "?");
	fprintf(f, "cpu=%s topology=\"%s\" cores=%u pus=%d hwloc=%s", cpu ? cpu : "?", synth,
		p->ncores, hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_PU), HWLOC_VERSION);
}
