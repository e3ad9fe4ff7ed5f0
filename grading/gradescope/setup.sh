#!/usr/bin/env bash
# setup.sh — Gradescope runs this once, as root, when it builds the
# autograder's image (the zip is unpacked in /autograder/source).
#
# It installs the kit's Debian packages — the kit's own tools/ensure-deps.sh
# knows them and installs only what is missing — and prepares the kit once
# (grading/grade --prepare-only): the student distribution with one build
# per lab, which every submission's build then starts from.  The zip holds
# the student distribution (reference labs as prebuilt objects), never the
# reference sources: lab code runs in this container (see grading/README.md).
#
# AUTOGRADER_ROOT (default /autograder) lets the kit's own test run this
# under a temporary prefix.
set -eu
A=${AUTOGRADER_ROOT:-/autograder}
S=$A/source
"$S/kit/tools/ensure-deps.sh"
"$S/grading/grade" --prepare-only --kit "$A/kit" --from-handout "$S/kit"
