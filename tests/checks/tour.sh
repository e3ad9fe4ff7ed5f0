#!/usr/bin/env bash
# tests/checks/tour.sh — the reading order cannot go stale (docs/tour.txt,
# checked by tools/tour.py check).
#
# First the kit as it is: every source file of hv/ minios-guest/ tracer/
# viz/ labs/ (and the reference solutions) named once in the tour, every name a file, every
# source file opening with its own path and a summary, every chapter
# README's Files list in the tour's order, docs/reading-order.md as
# generated.  Then the check itself: each kind of damage, made to a copy of
# the kit, must fail the check with its own message (a check that cannot
# fail is no check).
#
# One test of `make test`: exit 0 = pass.
set -u
cd "$(dirname "$0")/../.." || exit 2
fail() { echo "FAIL: $*"; exit 1; }

python3 tools/tour.py check || fail "the tour check found the problems above"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
KIT=$tmp/kit

# fresh_copy — $KIT becomes a copy of the kit's files (git's list when this
# is a checkout, so stray files of a work tree do not count; else all but
# build/).
fresh_copy() {
    rm -rf "$KIT"; mkdir -p "$KIT"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$KIT" -xf -
    else
        tar --exclude=./build -cf - . | tar -C "$KIT" -xf -
    fi
}

# expect_caught WHAT MESSAGE — the check of the damaged $KIT fails and says MESSAGE.
expect_caught() {
    local what=$1 message=$2 out
    if out=$(cd "$KIT" && python3 tools/tour.py check 2>&1); then
        echo "$out" | tail -n 5
        fail "damage not caught: $what"
    fi
    grep -qF -- "$message" <<<"$out" || { echo "$out" | tail -n 8; fail "$what: no message '$message'"; }
    echo "ok caught: $what"
}

fresh_copy
(cd "$KIT" && python3 tools/tour.py check >/dev/null) || fail "an undamaged copy of the kit fails the check"
echo "ok: an undamaged copy passes"

fresh_copy; sed -i '/^hv\/mm\/mm\.c$/d' "$KIT/docs/tour.txt"
expect_caught "a file left out of the tour" "hv/mm/mm.c is missing from docs/tour.txt"

fresh_copy; sed -i 's/^hv\/mm\/mm\.c$/&\nhv\/mm\/gone.c/' "$KIT/docs/tour.txt"
expect_caught "a tour entry that is no file" "names hv/mm/gone.c, which is no file"

fresh_copy; sed -i 's/^hv\/mm\/mm\.c$/&\nhv\/mm\/mm.c/' "$KIT/docs/tour.txt"
expect_caught "a file named twice" "names hv/mm/mm.c twice"

fresh_copy; sed -i '1,3s/ \* hv\/mm\/mm\.c — / * mm.c — /' "$KIT/hv/mm/mm.c"
expect_caught "an opening comment without the file's path" "hv/mm/mm.c: its opening comment does not begin with its own path"

fresh_copy; sed -i '1,3s/ \* hv\/mm\/mm\.c — .*/ * hv\/mm\/mm.c — /' "$KIT/hv/mm/mm.c"
expect_caught "a tag without a summary" "hv/mm/mm.c: its opening comment has no summary"

fresh_copy; sed -i '1,/\*\//d' "$KIT/hv/time/timer.h"
expect_caught "a file with no opening comment" "hv/time/timer.h: does not open with a comment"

fresh_copy; mkdir -p "$KIT/hv/newchapter"
printf '/*\n * hv/newchapter/table.c — a chapter not written yet.\n */\n' > "$KIT/hv/newchapter/table.c"
(cd "$KIT" && git init -q . 2>/dev/null && git add -A 2>/dev/null) || true
expect_caught "a new file, not in the tour" "hv/newchapter/table.c is missing from docs/tour.txt"
sed -i 's/^hv\/mm\/memory_op\.c$/&\nhv\/newchapter\/table.c/' "$KIT/docs/tour.txt"
expect_caught "a new folder that no README describes" "hv/README.md: its Files section does not name hv/newchapter/table.c"
printf '# hv/newchapter/\n' > "$KIT/hv/newchapter/README.md"
(cd "$KIT" && git add -A 2>/dev/null) || true
expect_caught "a README that is no chapter" "hv/newchapter/README.md is no chapter of docs/tour.txt"

fresh_copy
python3 - "$KIT/hv/mm/README.md" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
a = next(i for i, l in enumerate(lines) if l.startswith("| `mm.h`"))
b = next(i for i, l in enumerate(lines) if l.startswith("| `page.h`"))
lines[a], lines[b] = lines[b], lines[a]
open(p, "w").write("\n".join(lines))
PY
expect_caught "a README's files out of the tour's order" "hv/mm/README.md: its Files section is not in the tour's order"

fresh_copy; sed -i '/`page.h`/d' "$KIT/hv/mm/README.md"
expect_caught "a README that leaves out a file of its folder" "hv/mm/README.md: its Files section does not name hv/mm/page.h"

fresh_copy; echo "- \`hv/mm/old.c\` — a file long gone" >> "$KIT/docs/reading-order.md"
expect_caught "docs/reading-order.md edited by hand" "docs/reading-order.md is not what docs/tour.txt says"

echo "tour check: the kit passes, and every damage tried was caught"
