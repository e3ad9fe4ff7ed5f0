#!/usr/bin/env bash
# tools/run.sh — `make run`: boot the hvkit demo, with the live tracer beside
# its console (the lecture view).
#
#   tools/run.sh          environment: BUILD (default build), KEEP_RAM=1,
#                         NAME=<scenario> (boot tests/scenarios/NAME.scn's
#                         configuration instead of the demo: make run NAME=...),
#                         HVK_PLAIN=1 (console only, no tmux),
#                         HVK_NO_RECORDER=1 (no trace.bin: another reader,
#                         e.g. `hvtrace live`, consumes the ring)
#
# The lecture view: in a terminal with tmux, the screen is split: the guest
# consoles (QEMU's serial line) on top, `hvtrace live` attached to the same
# run below, recording the trace to $BUILD/run/trace.bin as it shows it.
# Quit QEMU with Ctrl-A x, the tracer with q.  Without a terminal (CI, a
# pipe) or without tmux it is the plain run below, so it can never hang.
#
# The demo is the toolstack's lecture (course: separation of mechanism and
# policy, VM states, the balloon): the hypervisor boots dom0 alone, with a
# disk (made on the host by tests/io/make-vm-disk.py) holding three
# inactive VMs -- web, db and mail, each the teaching OS's image and a line
# of configuration -- and dom0 runs xl reading its console.  The instructor
# types in the top pane, e.g.
#     create web        list        pause 1        unpause 1
#     mem-set 1 1536K   top         destroy 1      info       quit
#     create mail       console ID (a line for mail's split console; ^] ends)
# and the live tracer below shows each domctl, state change and balloon
# page as it happens.  Each VM runs memcheck (a checksum line a second,
# which stops while it is paused) and a balloon driver (mem-set).
# Without a terminal on stdin (CI, a pipe) nobody can type, so xl runs a
# scripted session of the same commands and the run ends by itself; and
# QEMU is given a time bound there (HVK_RUN_TIMEOUT seconds, default 180),
# so `make run` can never hang a pipeline.  Console lines come out
# prefixed with their domain, e.g. "(d0) ".  While it runs, the trace
# recorder copies every trace record out of the guest RAM file into
# $BUILD/run/trace.bin (how: hv/include/public/trace.h).
#
# The QEMU command comes from tests/lib-qemu.sh, like the scenario tests',
# but interactive: no -icount (real time is nicer to watch) and the serial
# line multiplexed with QEMU's monitor on this terminal (-serial mon:stdio).

. "$(dirname "$0")/../tests/lib-qemu.sh"

DIR=$BUILD/run

# The demo, in the scenario language (see tests/scenarios/*.scn) -- or, with
# NAME=, any scenario's configuration (its domains, hypervisor options and
# memory; its expectations are for the tests and are not checked here), so
# a lecture can show e.g. make run NAME=sched-shares live.
demo_config() {
    if [ -n "${NAME:-}" ]; then
        local file=tests/scenarios/$NAME.scn
        [ -f "$file" ] || die "no scenario '$NAME' (see tests/scenarios/)"
        scn_load "$file"
        [ ${#SCN_ERRORS[@]} -eq 0 ] || die "$file: ${SCN_ERRORS[*]}"
        return
    fi
    # The scripted lecture is a scenario (so make test keeps the demo
    # working); at a terminal, dom0's xl reads the console instead.
    scn_load tests/scenarios/toolstack-demo.scn
    [ ${#SCN_ERRORS[@]} -eq 0 ] || die "toolstack-demo.scn: ${SCN_ERRORS[*]}"
    if [ -t 0 ]; then
        describe "the toolstack: dom0 runs xl on its console; inactive VMs web, db, mail on its disk"
        SCN_DOMAINS[0]="minios.elf run=xl+con-back console vms xl: info; list"
    fi
}

banner() {
    cat <<MSG
=== hvkit demo: $SCN_DESC
$([ -z "${NAME:-}" ] && [ -t 0 ] && echo "    type (xl in dom0): create web | list | pause 1 | unpause 1 | mem-set 1 1536K | top | destroy 1 | info | quit
                       create mail | console ID (then a line for mail; ^] ends)")
    quit:          Ctrl-A then x     (Ctrl-A then c: QEMU monitor, Ctrl-A then h: help)
    trace:         recorded to $DIR/trace.bin while it runs
    QEMU command:  $DIR/cmdline.txt
===
MSG
}

# How it ended, in words, and where the trace is.
epilogue() {
    local status=$1 how
    how=$(exit_status_name "$status" "$DIR/qemu.log")
    echo
    case "$how" in
        done)         echo "=== hvkit: every domain shut down; the hypervisor ended the run." ;;
        crashed)      echo "=== hvkit: the domains are gone, at least one of them crashed." ;;
        panic)        echo "=== hvkit: the hypervisor panicked (see the console above)." ;;
        triple-fault) echo "=== hvkit: triple fault: the CPU reset ($DIR/qemu.log says where)." ;;
        *)            echo "=== QEMU ended (status $status): you quit, or it stopped on its own." ;;
    esac
    if [ -s "$DIR/trace.bin" ]; then
        echo "    trace: $DIR/trace.bin; read it with:  $BUILD/bin/hvtrace dump $DIR/trace.bin | less"
    else
        echo "    no trace was recorded (see $DIR/hvtrace.log)"
    fi
}

# The lecture view: QEMU (this script again, plain, without its own
# recorder) in the top pane, the live tracer, which consumes the ring and
# records trace.bin, in the bottom one.  Inside tmux already: split this
# window; otherwise a new session, attached here.
lecture_view() {
    demo_config
    check_images || exit 1
    mkdir -p "$DIR"
    rm -f "$DIR"/{ram.bin,trace.bin,qemu.log,hvtrace.log}
    local me tracer session
    me="HVK_PLAIN=1 HVK_NO_RECORDER=1 BUILD=$BUILD tools/run.sh"
    me="$me; echo; echo '(the tracer is still below: q quits it; Enter closes this pane)'; read -r _"
    # -k: when QEMU ends, the tracer keeps its last screen (ENDED) until q.
    tracer="$BUILD/bin/hvtrace live -k -o $DIR/trace.bin $DIR/ram.bin"
    if [ -n "${TMUX:-}" ]; then
        tmux split-window -v -l 60% "$tracer"
        tmux select-pane -U
        exec bash -c "$me"
    fi
    session=hvkit-run-$$
    tmux new-session -d -s "$session" -x "$(tput cols 2>/dev/null || echo 120)" \
        -y "$(tput lines 2>/dev/null || echo 40)" "bash -c \"$me\""
    tmux split-window -v -l 60% -t "$session" "$tracer"
    tmux select-pane -t "$session" -U
    exec tmux attach -t "$session"
}

main() {
    if [ "${HVK_PLAIN:-0}" != 1 ] && [ -t 0 ] && [ -t 1 ] && command -v tmux >/dev/null 2>&1; then
        lecture_view
    fi
    demo_config
    check_images || exit 1
    mkdir -p "$DIR"
    [ "${HVK_NO_RECORDER:-0}" = 1 ] || rm -f "$DIR"/{ram.bin,trace.bin,qemu.log,hvtrace.log}
    # The host's part of the configuration (a disk image to make, a UDP
    # client to talk to the guests: tests/lib-qemu.sh): made before, and
    # started beside, QEMU; here nothing is checked.
    export DIR BUILD HVK_ROOT
    scn_pick_ports || die "no free UDP ports on 127.0.0.1"
    local c
    for c in "${SCN_BEFORE[@]}"; do
        bash -c "$(scn_expand "$c" "$DIR")" >"$DIR/before.log" 2>&1 ||
            die "before_run '$c' failed: see $DIR/before.log"
    done
    qemu_build_cmd run "$DIR"
    { echo "# the demo's QEMU command, from $HVK_ROOT"; qemu_cmd_line; echo; } >"$DIR/cmdline.txt"
    for c in "${SCN_DURING[@]}"; do
        bash -c "$(scn_expand "$c" "$DIR")" >>"$DIR/during.log" 2>&1 &
    done
    banner

    # QEMU runs in the foreground so it owns the terminal; the recorder
    # therefore watches this script's pid and is told to stop when QEMU ends.
    [ "${HVK_NO_RECORDER:-0}" = 1 ] || recorder_start "$DIR" $$ || true
    local tty_state="" status bound=()
    [ -t 0 ] && tty_state=$(stty -g 2>/dev/null)
    # Nobody at a keyboard: a bound, so a run that does not end by itself
    # (a scenario waiting for typed input, a bug) still ends.
    [ -t 0 ] || bound=(timeout --foreground "${HVK_RUN_TIMEOUT:-180}")
    "${bound[@]}" "${QEMU_CMD[@]}"
    status=$?
    # QEMU restores the terminal itself, except when it is killed.
    [ -n "$tty_state" ] && stty "$tty_state" 2>/dev/null
    recorder_stop --now
    [ "${KEEP_RAM:-0}" = 1 ] || rm -f "$DIR/ram.bin"
    epilogue "$status"
    # A run that ended as the kit intends is a success for make.
    case "$status" in 0|33) exit 0 ;; *) exit 1 ;; esac
}

main "$@"
