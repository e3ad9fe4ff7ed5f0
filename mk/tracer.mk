# mk/tracer.mk — the host tracer's part of the build (included by Makefile).
#
# Adds to the host side: the JSON library the exporter tests parse with,
# the decoder benchmark (bench/decode.c, run by `make bench`), the fuzz
# target of the trace reader (fuzz/, run briefly by `make test` through
# tests/checks/tracer-fuzz.sh), the program that writes the synthetic
# fixture, and `make graphs`: one SVG and PNG of each Graphviz graph kind.
#
# (The top-level Makefile includes this before its own first rule, so say
# which goal is the default.)
.DEFAULT_GOAL := all

UNIT_LDLIBS += -lcjson

# (The Makefile defines TRACER_LIB after including this file, and
# prerequisites are expanded when read: name the library here.)
TRACER_LIB_A  := $(BUILD)/host/libhvtrace.a
TRACER_C_SRCS := $(filter-out tracer/hvtrace.c,$(wildcard tracer/*.c tracer/lib/*.c viz/*.c))

BENCH_DECODE := $(BUILD)/bin/bench-decode
SYNTH        := $(BUILD)/host/synth-mm-evt
FUZZ_READER  := $(BUILD)/fuzz/fuzz-reader

tools: $(BENCH_DECODE) $(SYNTH) $(FUZZ_READER)

$(BENCH_DECODE): $(BUILD)/host/bench/decode.o $(TRACER_LIB_A)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $^ $(TRACER_LDLIBS)

$(SYNTH): $(BUILD)/host/tests/fixtures/synth-mm-evt.o $(BUILD)/host/hv/trace/trace.o
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $^

# The fuzz target: libFuzzer with AddressSanitizer when clang can link it
# (Debian's clang only *recommends* the libFuzzer runtime, so a clang may be
# there without it: try a one-line target); otherwise the same target
# linked with fuzz/driver.c, a plain mutation driver (gcc -fsanitize=address),
# so the check still runs.
FUZZ_SRCS := fuzz/fuzz_reader.c $(TRACER_C_SRCS)
HAVE_LIBFUZZER := $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
    clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_LIBFUZZER),yes)
$(FUZZ_READER): $(FUZZ_SRCS) tracer/lib/hvtrace.h
	@mkdir -p $(dir $@)
	clang -std=c11 $(WARN) -Wno-unused-command-line-argument -O1 -g -D_GNU_SOURCE \
	    -Ihv/include -Itracer/lib -Iviz -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $(FUZZ_SRCS) $(TRACER_LDLIBS)
else
$(FUZZ_READER): $(FUZZ_SRCS) fuzz/driver.c tracer/lib/hvtrace.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $(FUZZ_SRCS) fuzz/driver.c $(TRACER_LDLIBS)
endif

# `make fixtures`: rewrite the synthetic fixture (the recorded ones come
# from scenarios: tests/fixtures/README.md).
.PHONY: fixtures graphs
fixtures: $(SYNTH)
	$(SYNTH) tests/fixtures/synthetic-mm-evt.bin

# `make graphs`: one graph of each kind, as SVG and PNG, in $(BUILD)/graphs/,
# from recorded fixtures: d0's page tables in the two-domains scenario; the
# topology, state machines and a message sequence (one ping and pong) of
# the event-channel ping-pong between d1 and d2; the split devices of the
# grant-echo scenario (devices) and one echo request end to end
# (io-request, `hvtrace seq`); the VM states of the toolstack-lifecycle
# scenario (vmstates: created, paused, unpaused, destroyed, the id reused).
GRAPHS_DIR := $(BUILD)/graphs
graphs: $(HVTRACE)
	@mkdir -p $(GRAPHS_DIR)
	$(HVTRACE) dot -d d0 pagetable tests/fixtures/two-domains-mm.bin > $(GRAPHS_DIR)/pagetable.dot
	$(HVTRACE) dot topology tests/fixtures/evtchn-pingpong.bin > $(GRAPHS_DIR)/topology.dot
	$(HVTRACE) dot states tests/fixtures/evtchn-pingpong.bin > $(GRAPHS_DIR)/states.dot
	$(HVTRACE) dot -f 107 -n 28 sequence tests/fixtures/evtchn-pingpong.bin > $(GRAPHS_DIR)/sequence.dot
	$(HVTRACE) dot topology tests/fixtures/grant-echo.bin > $(GRAPHS_DIR)/devices.dot
	$(HVTRACE) seq --dot --dev 1 --req 1 tests/fixtures/grant-echo.bin > $(GRAPHS_DIR)/io-request.dot
	$(HVTRACE) dot vmstates tests/fixtures/toolstack-lifecycle.bin > $(GRAPHS_DIR)/vmstates.dot
	@for k in pagetable topology states sequence devices io-request vmstates; do \
	    dot -Tsvg $(GRAPHS_DIR)/$$k.dot -o $(GRAPHS_DIR)/$$k.svg && \
	    dot -Tpng $(GRAPHS_DIR)/$$k.dot -o $(GRAPHS_DIR)/$$k.png || exit 1; \
	    echo "  $(GRAPHS_DIR)/$$k.svg  $(GRAPHS_DIR)/$$k.png"; \
	done
