#!/usr/bin/env bash
# tools/ensure-deps.sh — make sure this machine has what hvkit needs.
#
#   tools/ensure-deps.sh        (run by `make run`, `make test`, `make deps`)
#   tools/ensure-deps.sh THING...   only these things of the list below (the
#                               Gradescope autograder asks for what grading
#                               needs, not the slides' browser)
#
# The README promises that `make run` and `make test` work on a fresh
# Debian/Ubuntu machine.  This script is that promise: it checks every
# command and header the kit uses and, if something is missing, installs the
# Debian packages that provide it (when it may: as root, or with password-less
# sudo), or prints the exact line to run.  When everything is there it prints
# nothing and takes a few milliseconds: it only looks at PATH and files.

# What is needed, as "thing package": a command is looked up in PATH, a path
# starting with / must exist.
NEEDS='
i686-linux-gnu-gcc                 gcc-i686-linux-gnu
i686-linux-gnu-ld                  binutils-i686-linux-gnu
qemu-system-i386                   qemu-system-x86
gcc                                gcc
make                               make
tmux                               tmux
dot                                graphviz
gdb                                gdb
timeout                            coreutils
/usr/include/criterion/criterion.h libcriterion-dev
/usr/include/ncurses.h             libncurses-dev
/usr/include/cjson/cJSON.h         libcjson-dev
clang                              clang
python3                            python3
/usr/sbin/sfdisk                   fdisk
/usr/lib/python3/dist-packages/jsonschema python3-jsonschema
xmllint                            libxml2-utils
zip                                zip
i686-linux-gnu-addr2line           binutils-i686-linux-gnu
pandoc                             pandoc
npm                                npm
chromium                           chromium
'

# missing_packages — prints the packages whose thing is missing, one per line.
missing_packages() {
    local thing pkg
    while read -r thing pkg; do
        [ -n "$thing" ] || continue
        if [ ${#ONLY[@]} -gt 0 ]; then
            case " ${ONLY[*]} " in *" $thing "*) ;; *) continue ;; esac
        fi
        case "$thing" in
            /*) [ -e "$thing" ] && continue ;;
            *)  command -v "$thing" >/dev/null 2>&1 && continue ;;
        esac
        echo "$pkg"
    done <<<"$NEEDS"
}

# How we may install: "" as root, "sudo" when sudo needs no password, or
# nothing at all (returns 1).
install_prefix() {
    if [ "$(id -u)" = 0 ]; then echo ""; return 0; fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then echo sudo; return 0; fi
    return 1
}

install_packages() {
    local sudo=$1; shift
    echo "hvkit: installing missing packages: $*"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
        echo "hvkit: apt-get update failed; trying the install anyway" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}

ONLY=("$@")

main() {
    local missing sudo
    missing=$(missing_packages | sort -u | tr '\n' ' ')
    missing=${missing% }
    [ -z "$missing" ] && exit 0

    if ! command -v apt-get >/dev/null 2>&1; then
        echo "hvkit needs these (Debian package names; find your system's equivalents):" >&2
        echo "  $missing" >&2
        echo "commands: i686-linux-gnu-gcc/ld (a GCC cross-compiler for i686-linux-gnu)," >&2
        echo "qemu-system-i386, gcc, make, tmux, dot (graphviz), gdb, timeout, python3, pandoc," >&2
        echo "npm and chromium (the lecture slides: slides/README.md); xmllint, zip;" >&2
        echo "headers: criterion, ncurses, cJSON; python3's jsonschema." >&2
        exit 1
    fi
    if ! sudo=$(install_prefix); then
        echo "hvkit: some packages are missing, and this script may not install them." >&2
        echo "Run this, then try again:" >&2
        echo "  sudo apt-get install -y --no-install-recommends $missing" >&2
        exit 1
    fi
    # shellcheck disable=SC2086  # one word per package, on purpose
    install_packages "$sudo" $missing || {
        echo "hvkit: apt-get install failed (see above). The line to run by hand:" >&2
        echo "  sudo apt-get install -y --no-install-recommends $missing" >&2
        exit 1
    }
    missing=$(missing_packages | sort -u | tr '\n' ' ')
    missing=${missing% }
    if [ -n "$missing" ]; then
        echo "hvkit: still missing after the install: $missing" >&2
        exit 1
    fi
    echo "hvkit: all dependencies are installed."
}

main "$@"
