# cvp — concurrency vs parallelism, measured. `make bench` is the main job; `make test` tests.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -I. -Ibench
HWLOC_CFLAGS = $(shell pkg-config --cflags hwloc 2>/dev/null)
HWLOC_LIBS   = $(shell pkg-config --libs hwloc 2>/dev/null)
LDLIBS  += $(HWLOC_LIBS) -lpthread -lm
B       := build

# bench/ by layer, each using only those below it: main.c; run/ (the run's steps, the options,
# the row); server/ (the delay server); models/ (one file per model) and seam/ (what workloads
# call to wait, hold and hand off); coro/ (the coroutine scheduler and its event loop); core/
# (the run, the model interface, a unit's life, barriers); sys/ (checks, clocks, futexes,
# placement with hwloc, limits, cleanup).
BENCH_SRC := $(filter-out bench/tools/%,$(wildcard bench/*.c bench/*/*.c))
# Hand-written coroutine switches, one file per architecture (bench/coro/switch_<arch>.S): each
# is assembled everywhere and is empty but on its own architecture.
ASM_SRC   := $(wildcard bench/*/*.S)
HDR       := $(wildcard bench/*/*.h workloads/*.h)
MODEL_SRC := $(wildcard bench/models/*.c)
WL_SRC    := $(wildcard workloads/*.c)
OBJ := $(BENCH_SRC:%.c=$(B)/%.o) $(ASM_SRC:%.S=$(B)/%.o) $(WL_SRC:%.c=$(B)/%.o) $(B)/registry.o

# What a fresh Debian/Ubuntu machine lacks: the commands and headers this Makefile uses.
DEPS_PKGS := libhwloc-dev pkg-config gnuplot-nox hyperfine hwloc python3 procps shellcheck \
	openssl gzip strace

.PHONY: all deps test sanitize bench plots table compare clean
all: deps $(B)/cvp $(B)/cvp-filter

deps: $(B)/.deps-ok
$(B)/.deps-ok: Makefile scripts/deps.sh
	@sh scripts/deps.sh $(DEPS_PKGS)
	@mkdir -p $(B) && touch $@

$(B)/cvp: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Tools built beside build/cvp that units run as child processes (the subprocess workload).
$(B)/cvp-%: bench/tools/%.c $(HDR) | $(B)/.deps-ok
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $<

$(B)/%.o: %.c $(HDR) | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(HWLOC_CFLAGS) -c -o $@ $<

$(B)/%.o: %.S | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The tables of models and workloads, generated from the file lists: adding a model or a
# workload is adding one file. Models are listed by their .rank (the serial baseline first).
MODELS_BY_RANK = $(shell for f in $(MODEL_SRC); do \
	printf '%s %s\n' "$$(sed -n 's/^[[:space:]]*\.rank = \([0-9]*\),.*/\1/p' $$f)" \
	"$$(basename $$f .c)"; done | sort -n | cut -d' ' -f2)
$(B)/registry.c: $(WL_SRC) $(MODEL_SRC) Makefile
	@mkdir -p $(B)
	@{ echo '#include "core/cvp.h"'; \
	  for f in $(MODELS_BY_RANK); do echo "extern const struct model model_$$f;"; done; \
	  echo 'const struct model *const models[] = {'; \
	  for f in $(MODELS_BY_RANK); do echo "	&model_$$f,"; done; \
	  echo '	0,'; echo '};'; \
	  for f in $(basename $(notdir $(WL_SRC))); do echo "extern const struct workload workload_$$f;"; done; \
	  echo 'const struct workload *const workloads[] = {'; \
	  for f in $(basename $(notdir $(WL_SRC))); do echo "	&workload_$$f,"; done; \
	  echo '	0,'; echo '};'; } > $@.tmp && mv $@.tmp $@

$(B)/registry.o: $(B)/registry.c $(HDR)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# For the tests only: the same program with fault switches (CVP_FAULT=crash:N, core/unit.c).
$(B)/cvp-faults: $(filter-out $(B)/bench/core/unit.o,$(OBJ)) $(B)/faults/unit.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/faults/unit.o: bench/core/unit.c $(HDR) | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DCVP_FAULTS $(CFLAGS) $(WARN) $(HWLOC_CFLAGS) -c -o $@ $<

# For the tests only: the same program without the hand-written switch, as on an architecture
# with no switch_<arch>.S (--switch asm is skipped there, exit 4).
$(B)/cvp-noasm: $(filter-out $(ASM_SRC:%.S=$(B)/%.o),$(OBJ))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# For the tests only: each hand-written switch alone (tests/switch_alone.c with the switch files):
# natively, and for every other architecture with a file, built with Debian's cross compiler and
# run under qemu-user (tests/test_switch.sh); make test installs them.
HOST_ARCH   := $(shell $(CC) -dumpmachine | cut -d- -f1)
CROSS_ARCHS := $(filter-out $(HOST_ARCH),$(ASM_SRC:bench/coro/switch_%.S=%))
CROSS_PKGS  := $(foreach a,$(CROSS_ARCHS),gcc-$(subst _,-,$(a))-linux-gnu) $(if $(CROSS_ARCHS),qemu-user)
$(B)/switch-alone: tests/switch_alone.c $(ASM_SRC) | $(B)/.deps-ok
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -frounding-math -o $@ $^ -lm
$(B)/switch-alone-%: tests/switch_alone.c $(ASM_SRC) | $(B)/.cross-deps-ok
	$*-linux-gnu-gcc $(CPPFLAGS) -O2 -static $(WARN) -frounding-math -o $@ $^ -lm
$(B)/.cross-deps-ok: Makefile scripts/deps.sh
	@sh scripts/deps.sh $(CROSS_PKGS)
	@mkdir -p $(B) && touch $@

test: all $(B)/cvp-faults $(B)/cvp-noasm $(B)/switch-alone $(CROSS_ARCHS:%=$(B)/switch-alone-%)
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
		$(B)/$(s)/cvp $(B)/$(s)/cvp-faults $(B)/$(s)/cvp-filter >/dev/null &&) true
	@CVP=$(B)/asan/cvp CVP_FAULTS_BIN=$(B)/asan/cvp-faults UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/run.sh tests/test_badinput.sh tests/test_faults.sh tests/test_security.sh \
		tests/sanitize.sh

# The matrix under hyperfine into results/<host>-<UTC time>/ (PROFILE=quick|default|full;
# WORKLOADS=a,b and MODELS=x,y for a subset); plots and table regenerate from RESULTS (default:
# the newest run) without running anything.
PROFILE ?= default
RESULTS ?= results/latest
bench: all
	@CC="$(CC)" CFLAGS="$(CFLAGS)" PROFILE="$(PROFILE)" RESUME="$(RESUME)" \
		WORKLOADS="$(WORKLOADS)" MODELS="$(MODELS)" sh scripts/bench.sh

plots:
	@python3 scripts/report.py derive "$(RESULTS)"
	@sh scripts/plots.sh "$(RESULTS)"
	@ls "$(RESULTS)"/plots/*.png "$(RESULTS)"/plots/*.svg

table:
	@python3 scripts/report.py table "$(RESULTS)"
	@cat "$(RESULTS)/TABLE.md"

# Two runs side by side (say, two hosts): make compare BASE=folder OTHER=folder [OUT=folder].
compare:
	@test -n "$(BASE)" && test -n "$(OTHER)" || \
		{ echo "make compare: give BASE=folder OTHER=folder" >&2; exit 2; }
	@python3 scripts/compare.py "$(BASE)" "$(OTHER)" $(OUT)

clean:
	rm -rf $(B)
