#!/usr/bin/env bash
# grading/handout.sh — write the student distribution of the kit (`make handout`).
#
#   grading/handout.sh [--lab N] [--out DIR] [--no-tar]
#     --lab N   the handout for lab N: lab N's reference is nowhere in it,
#               not even as an object (`make handout LAB=N`)
#     --out DIR where the tree goes (default build/handout/hvkit, or
#               build/handout-labN/hvkit-labN); a .tar.gz is written next to it
#
# Every lab stands alone: the student tree has the stubs of every lab
# (labs/labN/) and, in prebuilt/labN/, the reference of every other lab as
# objects (stripped of debug information), so a student doing lab 3 needs
# nothing of lab 1 or 2 to boot.  The Makefile links a prebuilt object
# when lab N is not the student's own (LAB=N, or MINE= to use their earlier
# labs: cumulative, as JOS's labs are).
#
# Left out: solutions/ (the reference sources), grading/ (this grader, the
# hidden tests, the mutants, the instructor notes), slides/ (the lecture
# decks, built from runs of the reference), the instructor's own
# checks (tests/check-lab-stubs.sh, tests/checks/grading*.sh, handout.sh), local.mk,
# and every block of text between "instructor-only:begin" and
# "instructor-only:end" lines (the Makefile's handout and grading targets,
# README paragraphs).  The tree is checked afterwards for any mention of
# solutions/ or grading/ (tests/checks/handout.sh does so too).
#
# Exit status: 0 written and clean; 3 written, but something in it mentions
# what a student does not have (listed); 1 or 2 not written.

cd "$(dirname "$0")/.." || exit 2
KIT=$(pwd)
LAB="" OUT="" TAR=1
while [ $# -gt 0 ]; do
    case "$1" in
        --lab) LAB=$2; shift ;;
        --out) OUT=$2; shift ;;
        --no-tar) TAR=0 ;;
        *) echo "usage: $0 [--lab N] [--out DIR] [--no-tar]" >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$LAB" ] && [ ! -f "labs/lab$LAB/lab.mk" ]; then
    echo "handout: there is no lab $LAB (labs/lab$LAB/lab.mk)" >&2; exit 2
fi
if [ -z "$OUT" ]; then
    if [ -n "$LAB" ]; then OUT=build/handout-lab$LAB/hvkit-lab$LAB; else OUT=build/handout/hvkit; fi
fi
OBJ_BUILD=${HANDOUT_OBJ_BUILD:-build}     # the reference build the objects come from
say() { printf 'handout: %s\n' "$*"; }
die() { printf 'handout: %s\n' "$*" >&2; exit 1; }

# The files of the kit: what git knows (tracked, or new and not ignored),
# or everything outside build/ when this is not a git checkout.
kit_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files --cached --others --exclude-standard
    else
        find . -path ./build -prune -o -type f -print | sed 's#^\./##'
    fi
}

# Is this file the instructor's only?
instructor_only() {
    case "$1" in
        solutions/*|grading/*|prebuilt/*|local.mk) return 0 ;;
        tests/check-lab-stubs.sh|tests/checks/grading*|tests/checks/handout*) return 0 ;;
        # The lecture decks: built by the instructor from runs of the
        # reference (their figures name its files), given to students as
        # HTML.
        slides/*|mk/slides.mk|tests/checks/slides*) return 0 ;;
    esac
    return 1
}

copy_tree() {
    local f
    rm -rf "$OUT"
    mkdir -p "$OUT"
    while IFS= read -r f; do
        [ -f "$f" ] || continue          # deleted but still in the index
        instructor_only "$f" && continue
        mkdir -p "$OUT/$(dirname "$f")"
        if grep -q 'instructor-only:begin' "$f" 2>/dev/null; then
            # Drop the marked blocks, markers included.
            awk '/instructor-only:begin/ { skip = 1; next }
                 /instructor-only:end/   { skip = 0; next }
                 !skip' "$f" >"$OUT/$f"
            chmod --reference="$f" "$OUT/$f"
        else
            cp -p "$f" "$OUT/$f"
        fi
    done < <(kit_files | sort)
    # The prebuilt objects must reach a student's own git repository.
    printf '%s\n' '!prebuilt/**/*.o' >>"$OUT/.gitignore"
    # Without slides/, the lines that send a student there go too.
    sed -i -e '/make slides/d' -e '/^| `slides\/` |/d' \
        -e 's/, and for the slides npm and Chromium)/)/' -e 's/, the book, the slides)/, the book)/' \
        "$OUT/README.md"
    sed -i -e '/^npm  *npm$/d' -e '/^chromium  *chromium$/d' \
        -e 's/"npm and chromium (the lecture slides: slides\/README.md); xmllint, zip;"/"xmllint, zip;"/' \
        -e "s/needs, not the slides' browser)/needs)/" "$OUT/tools/ensure-deps.sh"
    [ -f "$OUT/docs/tracer.md" ] && sed -i -e 's/^`data-t-us`, `data-evt-us`), so the numbers can be read back. The lecture$/`data-t-us`, `data-evt-us`), so the numbers can be read back./' \
        -e '/^slides (`make slides`) draw lab 3.s pictures with it.$/d' "$OUT/docs/tracer.md"
    [ -f "$OUT/viz/README.md" ] && sed -i 's/, `make slides` draws the lecture decks'"'"' diagrams with all three;/;/' "$OUT/viz/README.md"
    # The tour reads each lab's reference next to the framework that calls
    # it; the student's tour reads only the stubs (with the lab's
    # handout), and the reading order is made again from it.
    if [ -f "$OUT/docs/tour.txt" ]; then
        sed -i -e '/^solutions\//d' -e 's#, labs/ and solutions/)#, and labs/)#' "$OUT/docs/tour.txt"
        (cd "$OUT" && python3 tools/tour.py reading-order >docs/reading-order.md) ||
            say "warning: could not remake docs/reading-order.md"
    fi
}

# The reference objects: the instructor's reference build, compiled from
# solutions/ (nothing else is ever taken from there).
build_reference() {
    say "building the reference objects ($OBJ_BUILD)"
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j"${JOBS:-2}" \
        BUILD="$OBJ_BUILD" LAB= MINE= hv guest unit-tests >"$OBJ_BUILD/handout-make.log" 2>&1 ||
        die "the reference does not build: see $OBJ_BUILD/handout-make.log"
}

# strip_copy CROSS SRC DST — the object without its debug information (the
# line table would point into solutions/).
strip_copy() {
    mkdir -p "$(dirname "$3")"
    "${1}objcopy" --strip-debug --remove-section=.comment "$2" "$3" || die "cannot strip $2"
}

write_prebuilt() {
    local n side f o count=0
    while read -r n side f; do
        [ "$n" = "$LAB" ] && continue
        o=${f%.c}.o
        case "$side" in
            HV)    strip_copy i686-linux-gnu- "$OBJ_BUILD/obj/solutions/lab$n/$o" "$OUT/prebuilt/lab$n/hv/$o" ;;
            PURE)  strip_copy i686-linux-gnu- "$OBJ_BUILD/obj/solutions/lab$n/$o" "$OUT/prebuilt/lab$n/hv/$o"
                   strip_copy "" "$OBJ_BUILD/host/solutions/lab$n/$o" "$OUT/prebuilt/lab$n/host/$o" ;;
            GUEST) strip_copy i686-linux-gnu- "$OBJ_BUILD/obj/guest-labs/solutions/lab$n/$o" "$OUT/prebuilt/lab$n/guest/$o" ;;
        esac
        count=$((count + 1))
    done < <(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s lab-files)
    cat >"$OUT/prebuilt/README.md" <<EOF
# prebuilt/ — the reference of the labs, as objects

Every lab stands alone: while you work on lab N (\`make LAB=N ...\`), lab N
is yours (\`labs/labN/\`) and every other lab is linked from here, compiled
from the reference solution. So lab 3 needs nothing of yours from labs 1
and 2: a bug there costs you nothing in lab 3.

| folder | what |
|---|---|
| \`prebuilt/labN/hv/\` | for the hypervisor (i686): the lab's hypervisor files |
| \`prebuilt/labN/host/\` | the same pure logic built for this machine: the unit tests |
| \`prebuilt/labN/guest/\` | for the teaching OS (i686): the lab's guest files |

$( [ -n "$LAB" ] && echo "Lab $LAB is not here: it is yours to write." )

To build on your own earlier labs instead (cumulative, as in JOS), say
which labs are yours: \`make LAB=3 MINE="1 2"\`, or \`MINE=earlier\` (every lab
before LAB), or \`MINE=all\`. Put the line \`MINE = earlier\` in a file
\`local.mk\` at the top of the kit to make it stick. \`make grade\` always
grades each lab alone (with \`MINE\` ignored), as the instructor's grader
does.
EOF
    say "$count reference objects in $OUT/prebuilt/"
}

# Nothing in the tree may point at what is not there.
check_tree() {
    local hits
    hits=$(grep -rIl -e 'solutions/' -e 'grading/' "$OUT" 2>/dev/null | sed "s#^$OUT/##")
    if [ -n "$hits" ]; then
        say "warning: these files still mention solutions/ or grading/:"
        printf '  %s\n' $hits
        return 1
    fi
    if [ -n "$LAB" ] && [ -e "$OUT/prebuilt/lab$LAB" ]; then
        say "error: lab $LAB's reference is in the tree"; return 1
    fi
    return 0
}

main() {
    build_reference
    copy_tree
    write_prebuilt
    local rc=0
    check_tree || rc=3          # written, but not clean: said above

    if [ "$TAR" = 1 ]; then
        local base; base=$(basename "$OUT")
        tar -C "$(dirname "$OUT")" --sort=name --owner=0 --group=0 --numeric-owner \
            --mtime='2000-01-01 00:00:00' -czf "$OUT.tar.gz" "$base"
        say "wrote $OUT/ and $OUT.tar.gz${LAB:+ (for lab $LAB: its reference left out)}"
    else
        say "wrote $OUT/${LAB:+ (for lab $LAB: its reference left out)}"
    fi
    return $rc
}

main
