# Makefile — builds all of hvkit into build/ and runs it.
#
#   make            build the hypervisor, the teaching OS and the host tools
#   make run        boot the demo (hypervisor + two domains) with the console here
#                   and the live tracer below (NAME=<scenario>: that scenario's setup)
#   make test       unit tests on the host + every scenario under QEMU; ends
#                   with "N passed, N failed"
#   make scenario NAME=hello     boot one scenario, check it (build/scenarios/hello/)
#   make LAB=1 ...  build with your lab 1 (labs/lab1/) and the reference of
#                   every other lab, into build/lab1/
#   make grade      every lab's tests with their points (labs/labN/tests.txt):
#                   gradelib-style lines, "Score: T/P"; make grade LAB=N: lab N
#                   only, graded as yours (labs/labN/)
#   make qemu-gdb / make gdb     debug (two terminals), see README
#   make bench      path lengths under -icount, in guest instructions: one table,
#                   bench/results.json, and the documents' figures from it
#                   (SAVE=name: bench/saved/name.json instead, documents untouched)
#   make bench-compare A=x B=y   what changed between two saved results
#   make fuzz-long  10^6 random hypercalls from a domU beside a victim
#                   (SEED=n for another seed; make test runs 10^5)
# instructor-only:begin
#   make handout [LAB=N]   the student distribution (grading/handout.sh)
#   make gradescope        the Gradescope autograder zip (grading/gradescope/)
#   make test-long         the exhaustive checks of the handouts and mutants
# instructor-only:end
#
# `make run` and `make test` first run tools/ensure-deps.sh, which installs
# what a fresh Debian/Ubuntu machine lacks (or says exactly what to install).

# ---------------------------------------------------------------------------
# Where things go.  With LAB=N the whole build goes to build/labN/, so your
# lab N never mixes with the reference build.
ifdef LAB
BUILD ?= build/lab$(LAB)
else
BUILD ?= build
endif

CROSS    ?= i686-linux-gnu-
CC32     := $(CROSS)gcc
LD32     := $(CROSS)ld
OBJCOPY32 := $(CROSS)objcopy
HOSTCC   ?= gcc

WARN     := -Wall -Wextra -Werror
# Freestanding 32-bit code for ring 0 (hypervisor) and rings 1/3 (guest).
# -ffile-prefix-map: debug information (and __FILE__) name the files
# relative to the kit, whichever folder it is built in, so addr2line's
# answers, and the grader's reports, are the same on every machine.
PREFIX_MAP := -ffile-prefix-map=$(CURDIR)=.
CFLAGS32 := -std=c11 $(WARN) -O2 -g $(PREFIX_MAP) -ffreestanding -fno-builtin -nostdlib \
            -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
            -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -mno-80387 \
            -march=i686 -m32 -Ihv/include
ASFLAGS32 := -m32 -g -Ihv/include -D__ASSEMBLY__
LDFLAGS32 := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack
# Host tools and unit tests.  (hv/ is searched only for #include "...":
# hv/time/time.h must not hide the system's <time.h>.)
HOSTCFLAGS := -std=c11 $(WARN) -O2 -g $(PREFIX_MAP) -D_GNU_SOURCE -Ihv/include -Itracer/lib -Iviz

# ---------------------------------------------------------------------------
# Labs.  Each lab declares itself in labs/labN/lab.mk (its files, and which
# side of the kit each is compiled into); nothing here names a lab.  Where
# each lab file comes from is lab_file's business (below).
LABS :=
include $(sort $(wildcard labs/lab*/lab.mk))

# Parts of the build that grow with one subsystem keep their own fragment in
# mk/ (mk/mm.mk for memory, mk/tracer.mk for the host tracer).  A fragment
# may add to HV_HOST_SRCS_EXTRA (hypervisor logic also built for the host
# and unit-tested), TRACER_LDLIBS and UNIT_LDLIBS, and add targets.
HV_HOST_SRCS_EXTRA :=
TRACER_LDLIBS := -lncurses
UNIT_LDLIBS   := -lcriterion -lncurses
include $(sort $(wildcard mk/*.mk))

# Whose labs these are.  LAB=N: lab N is the student's own (labs/labN/), the
# lab being worked on.  MINE: more labs that are the student's own even where
# a reference is at hand -- a list of lab numbers, "earlier" (every lab
# before LAB: the cumulative way, each lab built on your own earlier ones)
# or "all".  It may be kept in local.mk (e.g. the line "MINE = earlier").
-include local.mk
MINE ?=
mine_earlier = $(filter $(LABS),$(if $(LAB),$(shell n=1; while [ $$n -lt $(LAB) ]; do echo $$n; n=$$((n + 1)); done)))
OWN_LABS := $(LAB) $(filter-out all earlier,$(MINE)) \
            $(if $(filter all,$(MINE)),$(LABS)) $(if $(filter earlier,$(MINE)),$(mine_earlier))

# instructor-only:begin
# The reference sources (the instructor's kit only).
REF_SRC := solutions
# instructor-only:end
# lab_file N FILE SIDE: what lab N's FILE is built from, first that applies:
#   labs/labN/FILE       when lab N is the student's own (LAB, MINE);
# instructor-only:begin
#   solutions/labN/FILE  the reference source (the instructor's kit);
# instructor-only:end
#   prebuilt/labN/SIDE/FILE.o  the reference as an object (the student
#                        distribution: every lab stands alone, so lab N
#                        needs nothing of yours but lab N); SIDE is hv (the
#                        hypervisor and the teaching OS, i686), host (for the
#                        unit tests) or guest;
#   labs/labN/FILE       otherwise (the stub).
lab_obj = prebuilt/lab$(1)/$(3)/$(patsubst %.c,%.o,$(2))
lab_file = $(strip $(if $(and $(filter $(1),$(OWN_LABS)),$(wildcard labs/lab$(1)/$(2))),labs/lab$(1)/$(2),$(if $(and $(REF_SRC),$(wildcard $(REF_SRC)/lab$(1)/$(2))),$(REF_SRC)/lab$(1)/$(2),$(if $(wildcard $(call lab_obj,$(1),$(2),$(3))),$(call lab_obj,$(1),$(2),$(3)),labs/lab$(1)/$(2)))))
# lab_files SIDE DIR: every lab's files of that side (HV, PURE or GUEST).
lab_files = $(foreach n,$(LABS),$(foreach f,$(LAB$(n)_$(1)_FILES),$(call lab_file,$(n),$(f),$(2))))

# Sources (.c) are compiled; prebuilt objects (.o) are linked as they are.
HV_LAB_PICKS     := $(call lab_files,HV,hv) $(call lab_files,PURE,hv)
HOST_LAB_PICKS   := $(call lab_files,PURE,host)
GUEST_LAB_PICKS  := $(call lab_files,GUEST,guest)
HV_LAB_SRCS      := $(filter %.c,$(HV_LAB_PICKS))
HV_LAB_PREBUILT  := $(filter %.o,$(HV_LAB_PICKS))
# The pure lab files (no hardware) are also built for the host and
# unit-tested there.
HV_LAB_HOST_SRCS := $(wildcard $(filter %.c,$(HOST_LAB_PICKS)))
HV_LAB_HOST_PREBUILT := $(filter %.o,$(HOST_LAB_PICKS))
GUEST_LAB_PREBUILT := $(filter %.o,$(GUEST_LAB_PICKS))

# Which file each lab file came from, in one line of $(BUILD)/lab-files.txt,
# rewritten only when it changes.  The images and the unit tests depend on
# it: make compares times, not lists, so switching a lab between yours and
# the reference (LAB, MINE) would otherwise keep a stale image.
LAB_PICKS_FILE := $(BUILD)/lab-files.txt
LAB_PICKS := $(HV_LAB_PICKS) $(HOST_LAB_PICKS) $(GUEST_LAB_PICKS)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && { echo '$(LAB_PICKS)' | cmp -s - $(LAB_PICKS_FILE) || echo '$(LAB_PICKS)' >$(LAB_PICKS_FILE); })
endif

# ---------------------------------------------------------------------------
# The hypervisor: everything in hv/ plus the lab files.
# (Every chapter folder of hv/, e.g. hv/mm/ and hv/mm/shadow/; the public
# headers in hv/include/ are not compiled on their own.)
HV_SRCS  := $(shell find hv -name '*.c' -not -path 'hv/include/*' | sort) $(HV_LAB_SRCS)
HV_ASMS  := $(shell find hv -name '*.S' -not -path 'hv/include/*' | sort)
HV_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(HV_SRCS)) \
            $(patsubst %.S,$(BUILD)/obj/%.o,$(HV_ASMS)) $(HV_LAB_PREBUILT)
HV_ELF   := $(BUILD)/hv.elf

# The teaching OS: one image that boots both natively and under hvkit.
GUEST_LAB_SRCS := $(wildcard $(filter %.c,$(GUEST_LAB_PICKS)))
GUEST_OWN_SRCS := $(shell find minios-guest -name '*.c' | sort)
GUEST_SRCS := $(GUEST_OWN_SRCS) $(GUEST_LAB_SRCS)
GUEST_ASMS := $(shell find minios-guest -name '*.S' | sort)
GUEST_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(GUEST_OWN_SRCS)) \
              $(patsubst %.c,$(BUILD)/obj/guest-labs/%.o,$(GUEST_LAB_SRCS)) \
              $(patsubst %.S,$(BUILD)/obj/%.o,$(GUEST_ASMS)) $(GUEST_LAB_PREBUILT)
GUEST_ELF  := $(BUILD)/guest/minios.elf

# Deliberately broken guest images, for the bad-images scenario: the domain
# builder must refuse each with a clear message and start the others.
BAD_IMAGES := $(BUILD)/guest/not-elf.img $(BUILD)/guest/elf64.img \
              $(BUILD)/guest/in-hole.img

# Host side: the trace library and the hvtrace tool.
# (The library in tracer/lib/, the commands' bodies in tracer/, the graph and
# Perfetto exporters in viz/; tracer/hvtrace.c is the command's main.)
TRACER_LIB_SRCS := $(filter-out tracer/hvtrace.c,$(wildcard tracer/*.c tracer/lib/*.c viz/*.c))
TRACER_LIB_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(TRACER_LIB_SRCS))
TRACER_LIB      := $(BUILD)/host/libhvtrace.a
HVTRACE         := $(BUILD)/bin/hvtrace

# Hypervisor logic that does not touch hardware, compiled for the host too
# and unit-tested there with Criterion.
HV_HOST_SRCS := hv/trace/trace.c hv/core/cmdline.c hv/core/elf.c hv/core/guest_range.c \
                hv/core/domain_layout.c \
                hv/event/port.c hv/sched/sched_bvt.c hv/sched/sched_rr.c hv/sched/sched_heap.c \
                $(HV_HOST_SRCS_EXTRA)
HV_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard $(HV_HOST_SRCS)) $(HV_LAB_HOST_SRCS)) \
                $(HV_LAB_HOST_PREBUILT)
UNIT_SRCS    := $(wildcard tests/unit/*.c)
UNIT_BIN     := $(BUILD)/tests/unit-tests

.PHONY: all hv guest tools unit-tests test run scenario scenarios bench bench-compare fuzz-long \
        qemu-gdb gdb deps clean grade lab-files ref-src handout gradescope test-long
all: hv guest tools

hv: $(HV_ELF)
guest: $(GUEST_ELF) $(BAD_IMAGES)
tools: $(HVTRACE)

# ---------------------------------------------------------------------------
$(BUILD)/obj/hv/%.o: hv/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Ihv -DHV -MMD -MP -c $< -o $@
$(BUILD)/obj/hv/%.o: hv/%.S
	@mkdir -p $(dir $@)
	$(CC32) $(ASFLAGS32) -Ihv -DHV -MMD -MP -c $< -o $@
# instructor-only:begin
$(BUILD)/obj/$(REF_SRC)/%.o: $(REF_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Ihv -DHV -MMD -MP -c $< -o $@
# instructor-only:end
$(BUILD)/obj/labs/%.o: labs/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Ihv -DHV -MMD -MP -c $< -o $@

$(HV_ELF): $(HV_OBJS) hv/x86/hv.ld $(LAB_PICKS_FILE)
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) $(LDFLAGS32) -T hv/x86/hv.ld -o $@ $(HV_OBJS) -lgcc

$(BUILD)/obj/minios-guest/%.o: minios-guest/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Iminios-guest -MMD -MP -c $< -o $@
$(BUILD)/obj/guest-labs/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Iminios-guest -MMD -MP -c $< -o $@
$(BUILD)/obj/minios-guest/%.o: minios-guest/%.S
	@mkdir -p $(dir $@)
	$(CC32) $(ASFLAGS32) -Iminios-guest -MMD -MP -c $< -o $@

# The image booted is small: its debug information goes to minios.debug
# beside it (gdb finds it through the image's debug link), so that the boot
# loader's copies of it -- one per domain until the domains are built --
# cost a quarter of the memory.  Its symbols too (--strip-all: gdb and
# addr2line find them in minios.debug through the link): 16 KiB less per
# copy, which is what lets many-domains' 33 copies fit.
$(GUEST_ELF): $(GUEST_OBJS) minios-guest/minios.ld $(LAB_PICKS_FILE)
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) $(LDFLAGS32) -T minios-guest/minios.ld -o $@ $(GUEST_OBJS) -lgcc
	$(OBJCOPY32) --only-keep-debug $@ $(@:.elf=.debug)
	$(OBJCOPY32) --strip-all --add-gnu-debuglink=$(@:.elf=.debug) $@

$(BUILD)/guest/not-elf.img:
	@mkdir -p $(dir $@)
	printf 'This is a text file, not a kernel.\n' > $@
$(BUILD)/guest/elf64.img:
	@mkdir -p $(dir $@)
	cp /bin/true $@                # a 64-bit host executable: wrong class
$(BUILD)/guest/in-hole.img: $(HV_ELF)
	cp $< $@                       # linked at 0xFC100000: inside the hole

# ---------------------------------------------------------------------------
$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -iquote hv -MMD -MP -c $< -o $@

$(TRACER_LIB): $(TRACER_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(HVTRACE): $(BUILD)/host/tracer/hvtrace.o $(TRACER_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $^ $(TRACER_LDLIBS)

$(UNIT_BIN): $(patsubst %.c,$(BUILD)/host/%.o,$(UNIT_SRCS)) $(HV_HOST_OBJS) $(TRACER_LIB) $(LAB_PICKS_FILE)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $(filter %.o %.a,$^) $(UNIT_LDLIBS)

unit-tests: $(UNIT_BIN)

# bench/sched-cost.c: the scheduling policies' per-decision cost, on the host.
$(BUILD)/bin/sched-cost: $(BUILD)/host/bench/sched-cost.o $(BUILD)/host/hv/sched/sched_rr.o \
                        $(BUILD)/host/hv/sched/sched_bvt.o $(BUILD)/host/hv/sched/sched_heap.o \
                        $(patsubst %.c,$(BUILD)/host/%.o,$(filter %/bvt.c,$(HV_LAB_HOST_SRCS))) \
                        $(filter %/bvt.o,$(HV_LAB_HOST_PREBUILT)) $(LAB_PICKS_FILE)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $(filter %.o,$^)

# ---------------------------------------------------------------------------
# Running things.  The scripts in tools/ and tests/ do the work; BUILD tells
# them which build to use.
deps:
	@tools/ensure-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) NAME=$(NAME) tools/run.sh

test: deps
	@$(MAKE) --no-print-directory all unit-tests
	@BUILD=$(BUILD) tests/run-all.sh

scenario: all
	@test -n "$(NAME)" || { echo "usage: make scenario NAME=<name> (see tests/scenarios/)"; exit 2; }
	@BUILD=$(BUILD) tests/run-scenario.sh $(NAME)

# Each lab is graded with that lab yours and every other lab the reference
# (tests/grade.sh says which build each uses).
grade: deps
	@tests/grade.sh $(if $(LAB),--student $(LAB))

# Where the reference sources are, if this kit has them (for scripts).
ref-src:
	@echo $(REF_SRC)

# Every lab file, one "LAB SIDE FILE" line each (for scripts).
lab-files:
	@$(foreach n,$(LABS),$(foreach s,HV PURE GUEST,$(foreach f,$(LAB$(n)_$(s)_FILES),echo "$(n) $(s) $(f)";)))

# instructor-only:begin
# The student distribution, and the checks of the kit's own grading.
handout:
	@grading/handout.sh $(if $(LAB),--lab $(LAB))

gradescope:
	@grading/gradescope/build.sh

# The exhaustive forms of the checks make test runs a subset of: every
# test in every handout, and every mutant with every test (make test stops
# each mutant at its first failing test).
test-long: all unit-tests
	@bash tests/checks/handout.sh --full
	@bash tests/checks/grading.sh --full
# instructor-only:end

scenarios: all
	@BUILD=$(BUILD) tests/run-all.sh --scenarios-only

bench: all
	@BUILD=$(BUILD) SAVE=$(SAVE) bench/run.sh

# Two results files, by SAVE name or path (A defaults to the committed
# bench/results.json): every figure that changed, and by how much.
bench-compare:
	@test -n "$(B)" || { echo "usage: make bench-compare [A=name] B=name (make bench SAVE=name saved them)"; exit 2; }
	@python3 bench/report.py compare "$(or $(A),results)" "$(B)"

fuzz-long: all
	@FUZZ_SEED=$(or $(SEED),12345) BUILD=$(BUILD) tests/run-scenario.sh tests/fuzz/hcall-fuzz-long.scn

qemu-gdb: all
	@BUILD=$(BUILD) LAB=$(LAB) tools/gdb.sh qemu $(NAME)

gdb:
	@BUILD=$(BUILD) LAB=$(LAB) tools/gdb.sh gdb $(NAME)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
