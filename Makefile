# cvp — concurrency vs parallelism, measured. `make bench` is the main job; `make test` tests.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE
HWLOC_CFLAGS = $(shell pkg-config --cflags hwloc 2>/dev/null)
HWLOC_LIBS   = $(shell pkg-config --libs hwloc 2>/dev/null)
LDLIBS  += $(HWLOC_LIBS) -lpthread -lm
B       := build

BENCH_SRC := $(wildcard bench/*.c)
WL_SRC    := $(wildcard workloads/*.c)
OBJ := $(BENCH_SRC:%.c=$(B)/%.o) $(WL_SRC:%.c=$(B)/%.o) $(B)/registry.o

# What a fresh Debian/Ubuntu machine lacks: the commands and headers this Makefile uses.
DEPS_PKGS := libhwloc-dev pkg-config gnuplot-nox hyperfine hwloc python3 procps shellcheck

.PHONY: all deps test sanitize bench plots table clean
all: deps $(B)/cvp

deps: $(B)/.deps-ok
$(B)/.deps-ok: Makefile scripts/deps.sh
	@sh scripts/deps.sh $(DEPS_PKGS)
	@mkdir -p $(B) && touch $@

$(B)/cvp: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: %.c bench/*.h workloads/workload.h | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(HWLOC_CFLAGS) -c -o $@ $<

# The workload table, generated from the file list: adding a workload is adding one file.
$(B)/registry.c: $(WL_SRC) Makefile
	@mkdir -p $(B)
	@{ echo '#include "workloads/workload.h"'; \
	  for f in $(basename $(notdir $(WL_SRC))); do echo "extern const struct workload workload_$$f;"; done; \
	  echo 'const struct workload *const workloads[] = {'; \
	  for f in $(basename $(notdir $(WL_SRC))); do echo "	&workload_$$f,"; done; \
	  echo '	0,'; echo '};'; } > $@.tmp && mv $@.tmp $@

$(B)/registry.o: $(B)/registry.c
	$(CC) $(CPPFLAGS) -I. $(CFLAGS) $(WARN) -c -o $@ $<

# For the tests only: the same program with fault switches (CVP_FAULT=crash:N, bench/unit.c).
$(B)/cvp-faults: $(filter-out $(B)/bench/unit.o,$(OBJ)) $(B)/faults/unit.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/faults/unit.o: bench/unit.c bench/*.h workloads/workload.h | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DCVP_FAULTS $(CFLAGS) $(WARN) $(HWLOC_CFLAGS) -c -o $@ $<

test: all $(B)/cvp-faults
	@sh tests/run.sh

# The same programs under sanitizers, one build per flag set (a loop, not a rule each):
# build/asan (address + undefined behaviour) and build/tsan (thread); then the tests that hold
# under a slow binary run against build/asan, and tests/sanitize.sh runs every model x workload
# under both and valgrind memcheck on coroutines.
SAN_asan := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_tsan := -fsanitize=thread
sanitize: all
	@sh scripts/deps.sh valgrind
	@$(foreach s,asan tsan,$(MAKE) --no-print-directory B=$(B)/$(s) CFLAGS="-O1 -g $(SAN_$(s))" \
		$(B)/$(s)/cvp $(B)/$(s)/cvp-faults >/dev/null &&) true
	@CVP=$(B)/asan/cvp CVP_FAULTS_BIN=$(B)/asan/cvp-faults UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/run.sh tests/test_badinput.sh tests/test_faults.sh tests/test_security.sh \
		tests/sanitize.sh

# The matrix under hyperfine into results/<host>-<UTC time>/ (PROFILE=quick|default|full);
# plots and table regenerate from RESULTS (default: the newest run) without running anything.
PROFILE ?= default
RESULTS ?= results/latest
bench: all
	@CC="$(CC)" CFLAGS="$(CFLAGS)" PROFILE="$(PROFILE)" RESUME="$(RESUME)" sh scripts/bench.sh

plots:
	@sh scripts/plots.sh "$(RESULTS)"
	@ls "$(RESULTS)"/plots/*.png "$(RESULTS)"/plots/*.svg

table:
	@python3 scripts/report.py table "$(RESULTS)"
	@cat "$(RESULTS)/TABLE.md"

clean:
	rm -rf $(B)
