# mk/book.mk — `make book`: the whole kit in reading order as one HTML file
# (included by the top-level Makefile).
#
# docs/tour.txt is the reading order; tools/tour.py turns it into one
# pandoc document (each chapter's concept and README, then each file's
# opening comment as prose and its code, highlighted) and pandoc
# --self-contained writes $(BUILD)/book/hvkit-book.html, which opens offline.
# tests/checks/book.sh builds it in `make test` and checks it; the tour
# itself is checked by tests/checks/tour.sh.
BOOK       := $(BUILD)/book/hvkit-book.html
BOOK_DEPS  := $(shell python3 tools/tour.py deps 2>/dev/null)

.PHONY: book
book: deps
	@$(MAKE) --no-print-directory $(BOOK)

$(BOOK): $(BOOK_DEPS)
	@mkdir -p $(dir $@)
	python3 tools/tour.py book -o $@
