#!/usr/bin/env bash
# tests/checks/slides.sh — the lecture slides build and open offline.
#
# `make slides` builds every deck of slides/ (from runs of the kit: after
# the scenarios of `make test` the runs are reused, so this is quick), then
# tests/checks/slides-browser.py opens each deck in headless Chromium with
# every host name mapped to "not found", and fails on a resource the HTML
# does not carry inside itself, on any request other than the deck's own
# file, on an image that did not load, on a slide without speaker notes, and
# on anything Chromium's network log shows leaving the machine.  The first
# slides of each deck are screenshotted into $BUILD/slides/screenshots/.
#
# One test of `make test`: exit 0 = pass.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
fail() { echo "FAIL: $*"; exit 1; }

start=$(date +%s)
make --no-print-directory -j2 BUILD="$BUILD" slides || fail "make slides"
decks=("$BUILD"/slides/*.html)
[ -e "${decks[0]}" ] || fail "make slides made no deck in $BUILD/slides/"
ndecks=$(ls slides/*.md | grep -vc README.md)
[ "${#decks[@]}" -eq "$ndecks" ] || fail "${#decks[@]} decks built for $ndecks in slides/"
echo "ok make slides: ${#decks[@]} decks ($(( $(date +%s) - start )) s)"

timeout -k 5 120 python3 tests/checks/slides-browser.py \
    --shots "$BUILD/slides/screenshots" "${decks[@]}" || fail "in the browser (see above)"
echo "slides: all ok ($(( $(date +%s) - start )) s)"
