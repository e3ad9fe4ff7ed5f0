# Makefile — builds all of hvkit into build/ and runs it.
#
#   make            build the hypervisor, the teaching OS and the host tools
#   make run        boot the demo (hypervisor + two domains) with the console here
#                   and the live tracer below (NAME=<scenario>: that scenario's setup)
#   make test       unit tests on the host + every scenario under QEMU; ends
#                   with "N passed, N failed"
#   make scenario NAME=hello     boot one scenario, check it (build/scenarios/hello/)
#   make LAB=1 ...  build with the student stubs of lab 1 (labs/lab1/) instead
#                   of the reference solution (solutions/lab1/)
#   make qemu-gdb / make gdb     debug (two terminals), see README
#   make bench      path lengths under -icount, in guest instructions: one table,
#                   bench/results.json, and the documents' figures from it
#                   (SAVE=name: bench/saved/name.json instead, documents untouched)
#   make bench-compare A=x B=y   what changed between two saved results
#   make fuzz-long  10^6 random hypercalls from a domU beside a victim
#                   (SEED=n for another seed; make test runs 10^5)
#
# `make run` and `make test` first run tools/ensure-deps.sh, which installs
# what a fresh Debian/Ubuntu machine lacks (or says exactly what to install).

# ---------------------------------------------------------------------------
# Where things go.  With LAB=N the whole build goes to build/labN/, so the
# stub build never mixes with the reference build.
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
CFLAGS32 := -std=c11 $(WARN) -O2 -g -ffreestanding -fno-builtin -nostdlib \
            -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
            -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -mno-80387 \
            -march=i686 -m32 -Ihv/include
ASFLAGS32 := -m32 -g -Ihv/include -D__ASSEMBLY__
LDFLAGS32 := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack
# Host tools and unit tests.  (hv/ is searched only for #include "...":
# hv/time/time.h must not hide the system's <time.h>.)
HOSTCFLAGS := -std=c11 $(WARN) -O2 -g -D_GNU_SOURCE -Ihv/include -Itracer/lib -Iviz

# ---------------------------------------------------------------------------
# Labs.  Each lab declares itself in labs/labN/lab.mk (its files, and which
# side of the kit each is compiled into); nothing here names a lab.  The
# build takes a lab file from solutions/labN/ when that file exists (the kit
# as the instructor has it), from labs/labN/ otherwise (the student
# distribution), and always from labs/labN/ when LAB=N is given (a student
# working on lab N).
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

# lab_file N FILE: where lab N's FILE is taken from (see above).
define lab_file
$(if $(and $(filter $(1),$(LAB)),$(wildcard labs/lab$(1)/$(2))),labs/lab$(1)/$(2),$(if $(wildcard solutions/lab$(1)/$(2)),solutions/lab$(1)/$(2),labs/lab$(1)/$(2)))
endef
# lab_files SIDE: every lab's files of that side (HV, PURE or GUEST).
lab_files = $(foreach n,$(LABS),$(foreach f,$(LAB$(n)_$(1)_FILES),$(call lab_file,$(n),$(f))))

HV_LAB_SRCS := $(call lab_files,HV)
# The pure lab files (no hardware) are also built for the host and
# unit-tested there.
HV_LAB_HOST_SRCS := $(wildcard $(call lab_files,PURE))
HV_LAB_SRCS += $(HV_LAB_HOST_SRCS)

# ---------------------------------------------------------------------------
# The hypervisor: everything in hv/ plus the lab files.
# (Every chapter folder of hv/, e.g. hv/mm/ and hv/mm/shadow/; the public
# headers in hv/include/ are not compiled on their own.)
HV_SRCS  := $(shell find hv -name '*.c' -not -path 'hv/include/*' | sort) $(HV_LAB_SRCS)
HV_ASMS  := $(shell find hv -name '*.S' -not -path 'hv/include/*' | sort)
HV_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(HV_SRCS)) \
            $(patsubst %.S,$(BUILD)/obj/%.o,$(HV_ASMS))
HV_ELF   := $(BUILD)/hv.elf

# The teaching OS: one image that boots both natively and under hvkit.
GUEST_LAB_SRCS := $(wildcard $(call lab_files,GUEST))
GUEST_OWN_SRCS := $(shell find minios-guest -name '*.c' | sort)
GUEST_SRCS := $(GUEST_OWN_SRCS) $(GUEST_LAB_SRCS)
GUEST_ASMS := $(shell find minios-guest -name '*.S' | sort)
GUEST_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(GUEST_OWN_SRCS)) \
              $(patsubst %.c,$(BUILD)/obj/guest-labs/%.o,$(GUEST_LAB_SRCS)) \
              $(patsubst %.S,$(BUILD)/obj/%.o,$(GUEST_ASMS))
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
HV_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard $(HV_HOST_SRCS)) $(HV_LAB_HOST_SRCS))
UNIT_SRCS    := $(wildcard tests/unit/*.c)
UNIT_BIN     := $(BUILD)/tests/unit-tests

.PHONY: all hv guest tools unit-tests test run scenario scenarios bench bench-compare fuzz-long \
        qemu-gdb gdb deps clean
all: hv guest tools

hv: $(HV_ELF)
guest: $(GUEST_ELF) $(BAD_IMAGES)
tools: $(HVTRACE)

# ---------------------------------------------------------------------------
$(BUILD)/obj/hv/%.o: hv/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Ihv -DHV -MMD -c $< -o $@
$(BUILD)/obj/hv/%.o: hv/%.S
	@mkdir -p $(dir $@)
	$(CC32) $(ASFLAGS32) -Ihv -DHV -MMD -c $< -o $@
$(BUILD)/obj/solutions/%.o: solutions/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Ihv -DHV -MMD -c $< -o $@
$(BUILD)/obj/labs/%.o: labs/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Ihv -DHV -MMD -c $< -o $@

$(HV_ELF): $(HV_OBJS) hv/x86/hv.ld
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) $(LDFLAGS32) -T hv/x86/hv.ld -o $@ $(HV_OBJS) -lgcc

$(BUILD)/obj/minios-guest/%.o: minios-guest/%.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Iminios-guest -MMD -c $< -o $@
$(BUILD)/obj/guest-labs/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -Iminios-guest -MMD -c $< -o $@
$(BUILD)/obj/minios-guest/%.o: minios-guest/%.S
	@mkdir -p $(dir $@)
	$(CC32) $(ASFLAGS32) -Iminios-guest -MMD -c $< -o $@

# The image booted is small: its debug information goes to minios.debug
# beside it (gdb finds it through the image's debug link), so that the boot
# loader's copies of it -- one per domain until the domains are built --
# cost a quarter of the memory.
$(GUEST_ELF): $(GUEST_OBJS) minios-guest/minios.ld
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) $(LDFLAGS32) -T minios-guest/minios.ld -o $@ $(GUEST_OBJS) -lgcc
	$(OBJCOPY32) --only-keep-debug $@ $(@:.elf=.debug)
	$(OBJCOPY32) --strip-debug --add-gnu-debuglink=$(@:.elf=.debug) $@

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
	$(HOSTCC) $(HOSTCFLAGS) -iquote hv -MMD -c $< -o $@

$(TRACER_LIB): $(TRACER_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(HVTRACE): $(BUILD)/host/tracer/hvtrace.o $(TRACER_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $^ $(TRACER_LDLIBS)

$(UNIT_BIN): $(patsubst %.c,$(BUILD)/host/%.o,$(UNIT_SRCS)) $(HV_HOST_OBJS) $(TRACER_LIB)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $^ $(UNIT_LDLIBS)

unit-tests: $(UNIT_BIN)

# bench/sched-cost.c: the scheduling policies' per-decision cost, on the host.
$(BUILD)/bin/sched-cost: $(BUILD)/host/bench/sched-cost.o $(BUILD)/host/hv/sched/sched_rr.o \
                        $(BUILD)/host/hv/sched/sched_bvt.o $(BUILD)/host/hv/sched/sched_heap.o \
                        $(patsubst %.c,$(BUILD)/host/%.o,$(filter %/bvt.c,$(HV_LAB_HOST_SRCS)))
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $^

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
	@BUILD=$(BUILD) tools/gdb.sh qemu $(NAME)

gdb:
	@BUILD=$(BUILD) tools/gdb.sh gdb $(NAME)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
