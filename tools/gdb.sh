#!/usr/bin/env bash
# tools/gdb.sh — debug the hypervisor and the teaching OS with GDB (two terminals).
#
#   tools/gdb.sh qemu [NAME]            `make qemu-gdb [NAME=...]`: boot scenario
#                                       NAME (default hello) halted, gdb stub on
#   tools/gdb.sh gdb  [NAME] [GDB ARGS] `make gdb`: gdb, attached to that QEMU
#   environment: BUILD (default build), GDBPORT (default 26000 + uid % 5000)
#
# QEMU's built-in gdb stub sees the machine as it is: one CPU that runs the
# hypervisor in ring 0 and the guest kernels in ring 1.  So one gdb session
# can step through a hypercall from the guest's `int $0x82` into the
# hypervisor and back.  gdb gets both symbol tables: the hypervisor's and the
# teaching OS's, each linked at the virtual addresses it runs at.
#
# The gdb commands go into $BUILD/gdbinit, passed with -x, so no ~/.gdbinit
# "auto-load safe-path" permission is needed.

. "$(dirname "$0")/../tests/lib-qemu.sh"

usage() {
    echo "usage: $0 qemu [NAME]     boot scenario NAME (default hello) halted, for gdb"
    echo "       $0 gdb [NAME] [GDB ARGS]  start gdb and attach to it"
    exit 2
}

# The configuration to debug: a scenario file, so "make qemu-gdb NAME=x"
# debugs exactly what "make scenario NAME=x" tests.
load_config() {
    local file=tests/scenarios/$NAME.scn
    if [ ! -f "$file" ]; then
        echo "no scenario '$NAME' ($file); available:"
        local f
        for f in tests/scenarios/*.scn; do [ -e "$f" ] && f=${f##*/} && echo "  ${f%.scn}"; done
        exit 2
    fi
    scn_load "$file"
    if [ ${#SCN_ERRORS[@]} -gt 0 ]; then
        printf 'error in %s: %s\n' "$file" "${SCN_ERRORS[@]}"; exit 2
    fi
}

write_gdbinit() {
    local out=$BUILD/gdbinit
    mkdir -p "$BUILD"
    {
        echo "# $out — written by tools/gdb.sh for scenario $NAME; rewritten every time."
        echo "# Used as: gdb -x $out"
        echo "set confirm off"
        echo "set pagination off"
        echo "# The kit runs in 32-bit protected mode.  (QEMU halts in its BIOS, in real"
        echo "# mode, which gdb shows as odd 32-bit code: just continue to a breakpoint.)"
        echo "set architecture i386"
        if [ -n "$SCN_NATIVE" ]; then
            echo "# The teaching OS alone on bare QEMU (native): its symbols only."
            echo "file $BUILD/guest/${SCN_NATIVE%% *}"
        else
            echo "# The hypervisor's symbols (ring 0)."
            echo "file $BUILD/hv.elf"
            echo "# The teaching OS kernel's symbols (ring 1), linked at its final"
            echo "# virtual addresses, so no load address is needed."
            echo "add-symbol-file $BUILD/guest/minios.elf"
        fi
        echo "set confirm on"
        echo "# Show the next instruction at every stop."
        echo "display/i \$pc"
        echo "target remote localhost:$GDBPORT"
        echo "#"
        echo "# Hints:"
        echo "#  - break in the guest kernel like anywhere: 'break <function>' with a"
        echo "#    name from minios-guest/; every domain runs the same image, so a"
        echo "#    breakpoint there stops in whichever domain gets there first."
        echo "#  - QEMU starts at the Multiboot entry, before paging is on: code"
        echo "#    linked high is not at its virtual address yet; use 'hbreak' on"
        echo "#    a function that runs after paging is enabled."
        echo "#  - 'info registers cs' shows the ring: the low 2 bits of %cs."
    } >"$out"
    echo "$out"
}

run_qemu_halted() {
    local dir=$BUILD/gdb
    check_images || exit 1
    mkdir -p "$dir"; rm -f "$dir/ram.bin"
    qemu_build_cmd gdb "$dir"
    write_gdbinit >/dev/null
    cat <<MSG
=== QEMU is halted before the first instruction, waiting for gdb on localhost:$GDBPORT
    scenario:  $NAME${SCN_DESC:+ — $SCN_DESC}
    now, in another terminal:  make ${LAB:+LAB=$LAB }gdb${NAME:+ NAME=$NAME}   (or: gdb -x $BUILD/gdbinit)
    quit QEMU: Ctrl-A then x
===
MSG
    "${QEMU_CMD[@]}"
    local status=$?
    rm -f "$dir/ram.bin"
    local how; how=$(exit_status_name "$status" "$dir/qemu.log")
    case "$how" in unexpected*) how="status $status" ;; esac
    echo "=== QEMU ended: $how"
}

run_gdb() {
    local init
    init=$(write_gdbinit)
    [ -f "$BUILD/hv.elf" ] || [ -n "$SCN_NATIVE" ] || echo "warning: $BUILD/hv.elf is not built (make)" >&2
    exec gdb -q -x "$init" "$@"
}

main() {
    local mode=${1-}; shift || true
    NAME=hello
    case "${1-}" in ""|-*) ;; *) NAME=$1; shift ;; esac
    case "$mode" in
        qemu) load_config; run_qemu_halted ;;
        gdb)  load_config; run_gdb "$@" ;;
        *)    usage ;;
    esac
}

main "$@"
