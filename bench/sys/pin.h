/* pin.h — topology and placement with hwloc. The only place that binds anything. */
#ifndef CVP_PIN_H
#define CVP_PIN_H

#include <stdint.h>
#include <stdio.h>

#include "sys/sys.h"

enum pin_mode { PIN_COMPACT, PIN_SCATTER, PIN_NONE };
struct pin;

/* Loads the topology, restricted to the caller's affinity and cgroup cpuset. */
struct pin *pin_open(void);
void pin_close(struct pin *p);
/* Cores this run may use. */
unsigned pin_cores(const struct pin *p);
/* Chooses `cores` cores by mode and assigns `units` units to them; 0 or an exit status. */
int pin_plan(struct pin *p, unsigned cores, enum pin_mode mode, uint64_t units);
/* The OS indexes of the PUs unit u may run on, space-separated, into buf. */
void pin_unit_pus(const struct pin *p, uint64_t u, char *buf, size_t len);
/* OS index of the PU unit u is bound to, or -1 when it is bound to the whole set. */
int pin_unit_pu(const struct pin *p, uint64_t u);
/* Binds the calling thread / the calling process to unit u's place. 0 or -1 (errno). */
int pin_bind_thread(const struct pin *p, uint64_t u);
int pin_bind_process(const struct pin *p, uint64_t u);
/* Binds the calling process to every PU of the run's cores (a unit's child: the OS places it
 * there, not where its parent unit was bound). 0 or -1 (errno). */
int pin_bind_all(const struct pin *p);
/* Binds the calling thread to the PU of OS index pu. 0 or -1 (errno). */
int pin_bind_pu(const struct pin *p, int pu);
/* Two PUs for a hand-off: on two different cores, or (siblings) two PUs of one core (SMT);
 * false when the machine has no such pair. */
bool pin_pair(const struct pin *p, bool siblings, int *a, int *b);
/* One line describing the machine: CPU model, synthetic topology, hwloc version. */
void pin_describe(const struct pin *p, FILE *f);

#endif
