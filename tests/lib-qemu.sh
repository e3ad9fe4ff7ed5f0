# tests/lib-qemu.sh — how hvkit boots under QEMU, written once.
#
# Sourced (never run) by tests/run-scenario.sh, tools/run.sh, tools/gdb.sh and
# bench/run.sh, so that a scenario test, the interactive demo, a debugging
# session and a benchmark all boot the kit the same way.  It gives them:
#
#   - the scenario language: describe, hv_args, domain, native, memory,
#     time_limit, insn_limit, expect_exit, expect_* (a .scn file is a shell
#     fragment that calls these; see tests/scenarios/README or any .scn file);
#
#     insn_limit MILLIONS
#         the hypervisor stops the run after this many million guest
#         instructions (hv_args insn_limit=, hv/core/progress.c), reported
#         as exit "limit".  Unlike time_limit (wall seconds, a backstop) it
#         is the same on every machine, however loaded.
#
#     serial_input TEXT
#         TEXT and a newline are typed on the serial console (COM1) from the
#         start of the run (several lines: several serial_input).  QEMU then
#         reads the console from stdin instead of nothing; output still goes
#         to serial.log.
#
#     qemu_args 'ARGS'  /  before_run 'CMD'  /  during_run 'CMD'  /  after_run 'CMD'
#         the machine's devices and the host's part of a test: more QEMU
#         arguments (a -drive, a -netdev and NIC); a host command before
#         QEMU starts (make a disk image), one beside it (a UDP client that
#         talks to the guests), one after (read the image back).  The
#         exit status of a during/after command is a check.  $DIR, $BUILD,
#         $HVK_ROOT and $UDP_PORT1..3 are put in when the run starts: write
#         them in single quotes (more where the functions are defined).
#
#     expect_trace_matches_guest
#         every result the guest was refused with is the result the trace
#         records, in order, and every record that refused a call says the
#         call's result (tests/trace-matches-guest.sh says exactly what is
#         compared).  Needs a workload that prints its refusal log
#         (refusals_print in minios-guest/arch/pv/refusals.c).
#
#     expect_cpu_share DOM PERCENT TOLERANCE [FROM_RE [TO_RE]]
#         DOM (d1, d2 ...) ran PERCENT% +- TOLERANCE percentage points of the
#         time in a window of the trace.  Computed from trace.txt alone: each
#         "schedule prev=.. next=.." record says who runs from its timestamp
#         (TSC) on, so a domain's running time is the sum of the intervals it
#         was "next".  The window starts at the LAST record matching FROM_RE
#         (e.g. "dom_start": once every domain has started) and ends at the
#         FIRST record after it matching TO_RE (e.g. "dom_shutdown": before
#         the first one leaves); without them, the whole trace.  The share is
#         of the whole window, idle time included.
#   - qemu_build_cmd: the QEMU command line for the loaded configuration;
#   - exit_status_name: what a QEMU exit status means (hv/include/public/exit.h);
#   - recorder_start / recorder_stop: the host trace recorder around a run.
#
# shellcheck shell=bash disable=SC2034,SC2054
# (SC2034: the SCN_* variables are read by the scripts that source this file;
#  SC2054: commas inside QEMU options are QEMU's, not array separators.)
#
# Everything here is plain bash; nothing runs when the file is sourced except
# the definitions and a cd to the repository root.

# The repository root: the scripts run from there, so every path below
# (and in cmdline.txt) is relative to it and can be pasted back in a shell.
HVK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HVK_ROOT" || exit 2
BUILD=${BUILD:-build}

QEMU=${QEMU:-qemu-system-i386}

say()  { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 2; }

# ---------------------------------------------------------------------------
# The scenario language.  Sourcing a .scn file calls these functions; they
# only record what the file asks for.  Nothing is booted or checked while the
# file is read, so the order of the lines does not matter (except domains,
# whose order is the order of the modules: the first one is dom0).

scn_reset() {
    SCN_DESC=""
    SCN_HV_ARGS=""
    SCN_DOMAINS=()           # "image args" per domain, dom0 first
    SCN_NATIVE=""            # "image args" when the OS runs alone
    SCN_MEM=64               # MiB
    SCN_LIMIT=60             # wall seconds
    SCN_INSN_LIMIT=""        # million guest instructions (insn_limit), or none
    SCN_EXIT="done"          # done | crashed | panic | triple-fault | timeout
                             # | deadlock | stuck | limit (hv/core/progress.c)
    SCN_EXPECTS=()           # one "kind<US>arg<US>arg..." per expectation
    SCN_ERRORS=()            # mistakes found in the file itself
    SCN_INPUT=""             # typed on the serial console (serial_input)
    SCN_QEMU_ARGS=()         # qemu_args: more of QEMU's command line (devices)
    SCN_BEFORE=()            # before_run: host commands before QEMU starts
    SCN_DURING=()            # during_run: host commands while QEMU runs
    SCN_AFTER=()             # after_run: host checks after it ended
}

# Arguments of one expectation are kept in a single array element, joined by
# the ASCII unit separator, which no sensible pattern contains.
US=$'\037'
scn_expect() { local IFS="$US"; SCN_EXPECTS+=("$*"); }

describe()    { SCN_DESC="$*"; }
hv_args()     { SCN_HV_ARGS="$*"; }
domain()      { SCN_DOMAINS+=("$*"); }
native()      { SCN_NATIVE="$*"; }
serial_input() { SCN_INPUT+="$*"$'\n'; }
memory()      { SCN_MEM="$1"; }
time_limit()  { SCN_LIMIT="$1"; }
insn_limit()  { SCN_INSN_LIMIT="$1"; }
# The machine's devices and the host's part of a test (course: split
# drivers -- dom0 drives QEMU's real disk and NIC, and the host is the
# rest of the world: it makes the disk image, talks to the guests over
# UDP, and reads the image afterwards).  Each takes one string, kept as
# written; in it $DIR (this run's output folder), $BUILD, $HVK_ROOT and
# $UDP_PORT1..3 (free UDP ports on 127.0.0.1, picked for this run) are
# replaced when the run starts -- so write them in SINGLE quotes.
#   qemu_args  'ARGS'  more QEMU arguments (split at spaces), e.g. a -drive
#   before_run 'CMD'   a host command (bash, in the kit's root) before QEMU
#                      starts; if it fails, so does the scenario
#   during_run 'CMD'   started right after QEMU, in the background; killed
#                      when QEMU ends; its exit status is a check
#   after_run  'CMD'   run after QEMU ended; its exit status is a check
qemu_args()   { SCN_QEMU_ARGS+=("$*"); }
before_run()  { SCN_BEFORE+=("$*"); }
during_run()  { SCN_DURING+=("$*"); }
after_run()   { SCN_AFTER+=("$*"); }
EXIT_NAMES="done crashed panic triple-fault timeout deadlock stuck limit"
expect_exit() {
    case " $EXIT_NAMES " in
        *" $1 "*) SCN_EXIT="$1" ;;
        *) SCN_ERRORS+=("expect_exit: '$1' is not one of $EXIT_NAMES") ;;
    esac
}
expect_serial()       { scn_expect serial "$1"; }
expect_serial_re()    { scn_expect serial_re "$1"; }
expect_no_serial()    { scn_expect no_serial "$1"; }
expect_serial_order() { scn_expect serial_order "$@"; }
expect_trace()        { scn_expect trace "$1"; }
expect_trace_re()     { scn_expect trace_re "$1"; }
expect_trace_count()  { scn_expect trace_count "$1" "$2"; }
expect_no_trace()     { scn_expect no_trace "$1"; }
expect_trace_matches_guest() { scn_expect trace_matches_guest; }
expect_cpu_share()    {
    case "$1:$2:$3" in
        d[0-9]*:[0-9]*:[0-9]*) scn_expect cpu_share "$@" ;;
        *) SCN_ERRORS+=("expect_cpu_share: '$1 $2 $3' is not DOM PERCENT TOLERANCE (e.g. d1 14.3 5)") ;;
    esac
}

# cpu_share TRACE DOM FROM_RE TO_RE — prints "PERCENT RAN_TSC WINDOW_TSC" for
# DOM in the window (see expect_cpu_share), or nothing if the window is empty.
# trace.txt lines: index tsc dom event args...
cpu_share() {
    awk -v dom="$2" -v from="$3" -v to="$4" '
        { line[NR] = $0; tsc[NR] = $2 }
        from != "" && $0 ~ from { start = NR }
        END {
            if (from == "") start = 1
            if (!start) exit
            stop = NR
            for (i = start + 1; i <= NR; i++) if (to != "" && line[i] ~ to) { stop = i; break }
            # who runs at the start: the last schedule record before it
            cur = ""
            for (i = 1; i <= start; i++) if (line[i] ~ / schedule /) cur = next_of(line[i])
            t = tsc[start]; ran = 0
            for (i = start + 1; i <= stop; i++) {
                if (line[i] !~ / schedule /) continue
                if (cur == dom) ran += tsc[i] - t
                cur = next_of(line[i]); t = tsc[i]
            }
            if (cur == dom) ran += tsc[stop] - t
            w = tsc[stop] - tsc[start]
            if (w > 0) printf "%.2f %d %d\n", 100 * ran / w, ran, w
        }
        function next_of(l,   m) { match(l, /next=[^ ]+/); return substr(l, RSTART + 5, RLENGTH - 5) }
    ' "$1"
}

# scn_load FILE — read a scenario file.  A misspelt command would otherwise
# only print "command not found" and be ignored, so such lines are collected
# (through a file, because bash runs the not-found handler in a subshell) and
# reported as errors of the scenario.
scn_load() {
    local file=$1 errs
    scn_reset
    errs=$(mktemp)
    # shellcheck disable=SC2317  # called by bash, not by us
    command_not_found_handle() {
        printf 'unknown command "%s"\n' "$1" >>"$SCN_ERRFILE"
        return 127
    }
    SCN_ERRFILE=$errs
    # shellcheck source=/dev/null
    . "$file"
    unset -f command_not_found_handle
    while IFS= read -r line; do SCN_ERRORS+=("$line"); done <"$errs"
    rm -f "$errs"

    if [ -n "$SCN_NATIVE" ] && { [ ${#SCN_DOMAINS[@]} -gt 0 ] || [ -n "$SCN_HV_ARGS" ]; }; then
        SCN_ERRORS+=("use either native or hv_args/domain, not both")
    fi
    if [ -z "$SCN_NATIVE" ] && [ ${#SCN_DOMAINS[@]} -eq 0 ]; then
        SCN_ERRORS+=("no domain (and not native): nothing to boot")
    fi
    case "$SCN_MEM"   in ''|*[!0-9]*) SCN_ERRORS+=("memory: '$SCN_MEM' is not a number of MiB") ;; esac
    case "$SCN_LIMIT" in ''|*[!0-9]*) SCN_ERRORS+=("time_limit: '$SCN_LIMIT' is not a number of seconds") ;; esac
    case "$SCN_INSN_LIMIT" in *[!0-9]*) SCN_ERRORS+=("insn_limit: '$SCN_INSN_LIMIT' is not a number (millions of instructions)") ;; esac
    if [ -n "$SCN_INSN_LIMIT" ] && [ -n "$SCN_NATIVE" ]; then
        SCN_ERRORS+=("insn_limit needs the hypervisor (it enforces it): not with native")
    fi
    local d
    for d in "${SCN_DOMAINS[@]}" "$SCN_NATIVE"; do
        case "$d" in *,*) SCN_ERRORS+=("'$d': no commas allowed (QEMU separates modules with them)") ;; esac
    done
}

# ---------------------------------------------------------------------------
# The QEMU command line.
#
# qemu_build_cmd MODE DIR — fills the array QEMU_CMD for the loaded scenario.
#   MODE test:  headless and deterministic; serial to DIR/serial.log; RAM in
#               DIR/ram.bin so the trace recorder can read the trace ring.
#   MODE run:   the console here (-serial mon:stdio); RAM in DIR/ram.bin too.
#   MODE gdb:   like run, plus a gdb stub, halted before the first instruction.
#
# Why each option (all checked with QEMU 7.2):
#   -kernel/-append/-initrd  Multiboot v1: QEMU is the boot loader.  Each
#       -initrd module is "path args"; its Multiboot string is that whole text
#       (so a module's command line starts with its path, and the kernel's
#       command line starts with the kernel's path: the hypervisor and the
#       teaching OS skip that first word).
#   -object memory-backend-file,...,share=on -machine pc,memory-backend=ram
#       guest RAM is a plain file the host recorder maps (hv/include/public/trace.h).
#   -icount shift=0,sleep=off  one guest instruction = one tick of the virtual
#       clock, and no waiting in real time: the same run every time, and
#       rdtsc differences are instruction counts (bench/).
#   -rtc base=2000-01-01T00:00:00,clock=vm  the CMOS clock the hypervisor reads
#       for the wall-clock offset is fixed too, so the output does not
#       depend on today's date.
#   -no-reboot  a triple fault stops QEMU (status 0) instead of rebooting
#       forever; -d cpu_reset then logs "Triple fault" in qemu.log.
#   -device isa-debug-exit,iobase=0xf4,iosize=4  lets the kit end QEMU with a
#       status that says how it ended (hv/include/public/exit.h).
qemu_build_cmd() {
    local mode=$1 dir=$2 kernel append modules="" d img args
    if [ -n "$SCN_NATIVE" ]; then
        img=${SCN_NATIVE%% *}; args=${SCN_NATIVE#"$img"}; args=${args# }
        kernel=$BUILD/guest/$img
        append=$args
    else
        kernel=$BUILD/hv.elf
        append=$SCN_HV_ARGS
        # The instruction limit counts TSC ticks, which are instructions
        # only under -icount: `make run` (real time) has no such bound.
        [ -n "$SCN_INSN_LIMIT" ] && [ "$mode" != run ] &&
            append="${append:+$append }insn_limit=$SCN_INSN_LIMIT"
        for d in "${SCN_DOMAINS[@]}"; do
            modules="${modules:+$modules,}$BUILD/guest/$d"
        done
    fi
    QEMU_CMD=("$QEMU" -kernel "$kernel" -append "$append")
    [ -n "$modules" ] && QEMU_CMD+=(-initrd "$modules")
    QEMU_CMD+=(-m "$SCN_MEM"
        -object "memory-backend-file,id=ram,size=${SCN_MEM}M,mem-path=$dir/ram.bin,share=on"
        -machine pc,memory-backend=ram)
    case "$mode" in
        test)
            QEMU_CMD+=(-icount shift=0,sleep=off
                -rtc base=2000-01-01T00:00:00,clock=vm -display none -monitor none)
            # With serial_input the console is QEMU's stdin and stdout,
            # which run-scenario.sh points at serial.in and serial.log.
            if [ -n "$SCN_INPUT" ]; then QEMU_CMD+=(-serial stdio)
            else QEMU_CMD+=(-serial "file:$dir/serial.log"); fi ;;
        run)
            QEMU_CMD+=(-display none -serial mon:stdio) ;;
        gdb)
            QEMU_CMD+=(-icount shift=0,sleep=off
                -rtc base=2000-01-01T00:00:00,clock=vm
                -display none -serial mon:stdio -S -gdb "tcp:localhost:$GDBPORT") ;;
    esac
    QEMU_CMD+=(-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4
        -d cpu_reset,guest_errors -D "$dir/qemu.log")
    local extra words
    for extra in "${SCN_QEMU_ARGS[@]}"; do
        read -r -a words <<<"$(scn_expand "$extra" "$dir")"
        QEMU_CMD+=("${words[@]}")
    done
}

# scn_expand TEXT DIR — TEXT with the run's names put in (see qemu_args).
scn_expand() {
    local t=$1
    t=${t//\$DIR/$2}
    t=${t//\$BUILD/$BUILD}
    t=${t//\$HVK_ROOT/$HVK_ROOT}
    t=${t//\$UDP_PORT1/${UDP_PORT1-}}
    t=${t//\$UDP_PORT2/${UDP_PORT2-}}
    t=${t//\$UDP_PORT3/${UDP_PORT3-}}
    printf '%s' "$t"
}

# scn_pick_ports — UDP_PORT1..3: three UDP ports free on 127.0.0.1 now
# (the kernel's choice for port 0), only when the scenario names one.
scn_pick_ports() {
    case "${SCN_QEMU_ARGS[*]} ${SCN_BEFORE[*]} ${SCN_DURING[*]} ${SCN_AFTER[*]}" in
        *UDP_PORT*) ;;
        *) return 0 ;;
    esac
    local ports
    ports=$(python3 -c '
import socket
ss = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))') || return 1
    read -r UDP_PORT1 UDP_PORT2 UDP_PORT3 <<<"$ports"
    export UDP_PORT1 UDP_PORT2 UDP_PORT3
}

# The images a configuration needs, so a missing build is a clear message
# rather than a QEMU error.
scn_images() {
    local d
    if [ -n "$SCN_NATIVE" ]; then
        printf '%s\n' "$BUILD/guest/${SCN_NATIVE%% *}"
    else
        printf '%s\n' "$BUILD/hv.elf"
        for d in "${SCN_DOMAINS[@]}"; do printf '%s\n' "$BUILD/guest/${d%% *}"; done
    fi
}

check_images() {
    local f missing=0 how
    # The make line that builds this BUILD: build/labN is make LAB=N's.
    case "$BUILD" in
        build)                how="make all" ;;
        build/lab[0-9]*)      how="make LAB=${BUILD#build/lab} all" ;;
        *)                    how="make BUILD=$BUILD all" ;;
    esac
    while IFS= read -r f; do
        [ -f "$f" ] || { say "  missing $f (build it first: $how)"; missing=1; }
    done < <(scn_images | sort -u)
    return $missing
}

# The exact command as one shell line, quoted so it can be pasted back (single
# quotes only where a word needs them, so it stays readable).
shell_quote() {
    case "$1" in
        *[!A-Za-z0-9_./:=,+@%-]*|"") printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf '%s' "$1" ;;
    esac
}
qemu_cmd_line() {
    local a sep=""
    for a in "${QEMU_CMD[@]}"; do printf '%s' "$sep"; shell_quote "$a"; sep=" "; done
}

# ---------------------------------------------------------------------------
# exit_status_name STATUS QEMU_LOG — how the run ended, in the words of
# expect_exit.  The codes are hv/include/public/exit.h's HV_EXIT_* turned into
# QEMU statuses ((v << 1) | 1); 124 and 137 are timeout(1)'s (TERM, then KILL);
# 153 is SIGXFSZ: QEMU wrote a file (the serial log) past the size limit
# the harness sets (qemu_file_limit_kib), i.e. the console was flooded.
exit_status_name() {
    case "$1" in
        33) echo "done" ;;
        35) echo crashed ;;
        37) echo panic ;;
        39) echo deadlock ;;
        41) echo stuck ;;
        43) echo limit ;;
        124|137) echo timeout ;;
        153) echo flood ;;
        0|1)
            if [ -f "$2" ] && grep -q 'Triple fault' "$2"; then echo triple-fault
            else echo "unexpected exit $1"; fi ;;
        *) echo "unexpected exit $1" ;;
    esac
}

# ---------------------------------------------------------------------------
# The trace recorder (tracer/hvtrace.c).  `hvtrace record` maps the RAM file,
# waits for the hypervisor's anchor, copies records to a trace file, and stops
# by itself once the process given with --pid has gone (after a last drain).
# It keeps at most TRACE_MAX_RECORDS records (48 bytes each): the first and
# the last half, so a run that loops leaves a small trace that still shows
# how it started and how it ended.
TRACE_MAX_RECORDS=${TRACE_MAX_RECORDS:-400000}

# The largest file QEMU may write, in KiB (ulimit -f): the guest RAM file
# plus room for a long serial log.  A console flood beyond it ends QEMU
# with SIGXFSZ, reported as exit "flood".
qemu_file_limit_kib() {
    echo $(( (SCN_MEM + 32) * 1024 ))
}
#
# recorder_start DIR PID — sets REC_PID (empty when there is no recorder).
recorder_start() {
    local dir=$1 pid=$2
    REC_PID=""
    if [ ! -x "$BUILD/bin/hvtrace" ]; then
        warn "$BUILD/bin/hvtrace not built: no trace for this run"
        return 1
    fi
    "$BUILD/bin/hvtrace" record -o "$dir/trace.bin" --pid "$pid" \
        --max-records "$TRACE_MAX_RECORDS" "$dir/ram.bin" \
        </dev/null >"$dir/hvtrace.log" 2>&1 &
    REC_PID=$!
}

# recorder_stop [--now] — let the recorder finish its last drain and make sure
# it is gone.  Normally it stops by itself once QEMU has exited, so wait up to
# 5 s for that; with --now (QEMU's pid is not the one it watches) ask it to
# stop at once with TERM, which it also answers with a final drain.  Anything
# still there 2 s after the TERM is killed: a run must never hang here.
recorder_stop() {
    [ -n "$REC_PID" ] || return 0
    local i
    if [ "${1-}" != --now ]; then
        for i in $(seq 50); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
    fi
    if kill -0 "$REC_PID" 2>/dev/null; then
        kill -TERM "$REC_PID" 2>/dev/null
        for i in $(seq 20); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$REC_PID" 2>/dev/null
    fi
    wait "$REC_PID" 2>/dev/null
    REC_PID=""
}

# The port of QEMU's gdb stub: one per user, so two students on one machine
# do not collide (the xv6 convention); GDBPORT overrides it.
GDBPORT=${GDBPORT:-$((26000 + $(id -u) % 5000))}
