#!/usr/bin/env bash
# setup.sh — Gradescope runs this once, as root, when it builds the
# autograder's image (the zip is unpacked in /autograder/source).
#
# It installs the Debian packages grading needs — the kit's own
# tools/ensure-deps.sh knows them and installs only what is missing — and
# prepares the kit once
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
# What grading needs of the kit's list (tools/ensure-deps.sh), not the
# lecture tools (a browser for the slides, pandoc for the book).
"$S/kit/tools/ensure-deps.sh" i686-linux-gnu-gcc i686-linux-gnu-ld i686-linux-gnu-addr2line \
    qemu-system-i386 gcc make timeout python3 zip xmllint \
    /usr/include/criterion/criterion.h /usr/include/ncurses.h /usr/include/cjson/cJSON.h \
    /usr/lib/python3/dist-packages/jsonschema
"$S/grading/grade" --prepare-only --kit "$A/kit" --from-handout "$S/kit"
