# mk/slides.mk — the lecture slides' part of the build (included by Makefile).
#
#   make slides     every deck slides/*.md -> $(BUILD)/slides/NAME.html, one
#                   self-contained HTML file each (slides/README.md)
#
# A deck's diagrams and figures come from real runs of the kit, made here
# first: the scenarios the decks name (tests/scenarios/NAME.scn, results in
# $(BUILD)/scenarios/NAME/, the same place `make scenario` and `make test`
# put them, so a run that is newer than the kit is not made again) and the
# benchmark boots they name (bench/NAME.scn, run into $(BUILD)/slides/runs/).
# slides/build.py turns each deck into Markdown with those figures in it and
# runs pandoc's reveal.js writer; reveal.js comes from npm, pinned by
# slides/package-lock.json, into $(BUILD)/slides/npm/.
.DEFAULT_GOAL := all
.PHONY: slides slides-decks

SLIDES_DIR   := $(BUILD)/slides
SLIDES_DECKS := $(filter-out slides/README.md,$(wildcard slides/*.md))
SLIDES_HTML  := $(patsubst slides/%.md,$(SLIDES_DIR)/%.html,$(SLIDES_DECKS))
SLIDES_REVEAL := $(SLIDES_DIR)/npm/node_modules/reveal.js/dist/reveal.js

# The runs: the second column of slides/figures.txt and slides/facts.txt
# (except "=" and "-"), and the first word after @serial / @trace in a deck.
SLIDES_RUNS := $(sort \
    $(shell awk -F'|' '!/^[ \t]*(\#|$$)/ && NF >= 3 { gsub(/[ \t]/, "", $$2); \
        if ($$2 != "=" && $$2 != "-") print $$2 }' slides/figures.txt slides/facts.txt 2>/dev/null) \
    $(shell sed -n 's/^@\(serial\|trace\)  *\([^ ]*\).*/\2/p' $(SLIDES_DECKS) 2>/dev/null))
SLIDES_RUN_FILES := $(foreach r,$(SLIDES_RUNS),$(if $(filter bench/%,$(r)),\
    $(SLIDES_DIR)/runs/$(notdir $(r))/serial.log,$(BUILD)/scenarios/$(r)/trace.bin))
# A run is made again when the hypervisor or the teaching OS changed; the
# recorder (hvtrace) and the broken images only have to be there.  (The
# Makefile names these after including this file, and prerequisites are
# expanded when read: name them here.)
SLIDES_KIT := $(BUILD)/hv.elf $(BUILD)/guest/minios.elf | $(BUILD)/bin/hvtrace \
              $(BUILD)/guest/not-elf.img $(BUILD)/guest/elf64.img $(BUILD)/guest/in-hole.img

# First what the machine lacks (pandoc, npm, chromium: tools/ensure-deps.sh),
# then the decks, in a second make so nothing starts before the install.
# A run the decks name whose scenario file is gone must stop the build: its
# old result would otherwise count as up to date, and stale slides pass.
SLIDES_MISSING := $(strip $(foreach r,$(SLIDES_RUNS),$(if $(filter bench/%,$(r)),\
    $(if $(wildcard $(r).scn),,$(r).scn),\
    $(if $(wildcard tests/scenarios/$(r).scn),,tests/scenarios/$(r).scn))))
slides: deps
	$(if $(SLIDES_MISSING),$(error the slides name runs that do not exist: $(SLIDES_MISSING)))
	@$(MAKE) --no-print-directory slides-decks
slides-decks: $(SLIDES_HTML)

# The runs' results are kept (make would otherwise delete them as
# intermediate files once the decks are built).
.PRECIOUS: $(BUILD)/scenarios/%/trace.bin $(SLIDES_DIR)/runs/%/serial.log

$(SLIDES_DIR)/%.html: slides/%.md slides/build.py slides/figures.txt slides/facts.txt \
                      slides/style.css $(SLIDES_REVEAL) $(SLIDES_RUN_FILES) $(BUILD)/bin/hvtrace
	@python3 slides/build.py --build $(BUILD) --out $@ $<

# reveal.js, exactly the version and bytes the lock file names; from npm's
# cache when it has them (offline), else from the registry.
$(SLIDES_REVEAL): slides/package.json slides/package-lock.json
	@mkdir -p $(SLIDES_DIR)/npm
	cp slides/package.json slides/package-lock.json $(SLIDES_DIR)/npm/
	cd $(SLIDES_DIR)/npm && npm ci --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error
	@test -f $@ && touch $@

# A run that fails leaves no result behind, so the next `make slides` tries
# again instead of drawing from a failed run.
$(BUILD)/scenarios/%/trace.bin: tests/scenarios/%.scn $(SLIDES_KIT)
	@mkdir -p $(SLIDES_DIR)/logs
	@BUILD=$(BUILD) tests/run-scenario.sh $* >$(SLIDES_DIR)/logs/$*.out 2>&1 || \
	    { cat $(SLIDES_DIR)/logs/$*.out; rm -f $@; exit 1; }
	@tail -n 1 $(SLIDES_DIR)/logs/$*.out
$(SLIDES_DIR)/runs/%/serial.log: bench/%.scn $(SLIDES_KIT)
	@mkdir -p $(SLIDES_DIR)/logs
	@BUILD=$(BUILD) SCENARIO_OUT=$(SLIDES_DIR)/runs tests/run-scenario.sh bench/$*.scn \
	    >$(SLIDES_DIR)/logs/bench-$*.out 2>&1 || \
	    { cat $(SLIDES_DIR)/logs/bench-$*.out; rm -f $@; exit 1; }
	@tail -n 1 $(SLIDES_DIR)/logs/bench-$*.out

# slides/build.py writes $(SLIDES_DIR)/NAME.d: every file the deck quoted
# (code, facts), so editing one rebuilds the deck; the Makefile's closing
# -include of $(BUILD)/**/*.d reads it.
