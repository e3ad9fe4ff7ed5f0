#!/usr/bin/env bash
# tests/run-scenario.sh — boot one scenario under QEMU and check what it did.
#
#   tests/run-scenario.sh NAME           runs tests/scenarios/NAME.scn
#   tests/run-scenario.sh path/to/X.scn  runs a scenario file kept elsewhere
#                                        (bench/ keeps its own)
#   environment: BUILD (default build)     which build to boot
#                KEEP_RAM=1                keep the 64 MiB guest RAM file
#                SCENARIO_OUT (default $BUILD/scenarios)  where results go
#
# This is how hvkit is tested end to end, and how a lab is graded: a scenario
# file (a small shell fragment, see tests/lib-qemu.sh for its language) says
# what to boot and what must be seen on the serial console and in the trace.
# The run is deterministic (-icount) and bounded (timeout), so a student's
# hypervisor that hangs, panics or triple-faults is reported as such.
#
# Results in $BUILD/scenarios/NAME/: serial.log, trace.bin, trace.txt (the
# decoded trace), qemu.log, qemu.stderr, hvtrace.log, and cmdline.txt, the
# exact QEMU command, to run it again by hand; result.txt, the verdict for
# programs (tests/grade.sh): "key value" lines verdict, ended, cause, first,
# guest_ms, failed, missed.  Exit status 0 only on PASS.
#
# When a run ends the wrong way, the report starts from the cause: the
# exit check comes first and says how the run ended and why (a panic's
# message with its eip turned into function and file:line, why a run that
# could not go on was stopped, ...); the checks that fail after a fatal end (panic, a stop,
# triple fault, timeout) are shown as "miss" and not counted as failures of
# their own: they are consequences, not more bugs.

. "$(dirname "$0")/lib-qemu.sh"

list_scenarios() {
    say "available scenarios (tests/scenarios/):"
    local f
    for f in tests/scenarios/*.scn; do
        [ -e "$f" ] || { say "  (none yet)"; return; }
        f=${f##*/}; say "  ${f%.scn}"
    done
}

# --- where the scenario is ------------------------------------------------
resolve_scenario() {
    case "$1" in
        ""|-h|--help)
            say "usage: $0 NAME   (or a path to a .scn file)"; list_scenarios; exit 2 ;;
        */*|*.scn)
            SCN_PATH=$1 ;;
        *)
            SCN_PATH=tests/scenarios/$1.scn ;;
    esac
    if [ ! -f "$SCN_PATH" ]; then
        say "no scenario '$1' ($SCN_PATH does not exist)"
        list_scenarios
        exit 2
    fi
    NAME=$(basename "$SCN_PATH" .scn)
    DIR=${SCENARIO_OUT:-$BUILD/scenarios}/$NAME
}

# --- the run ----------------------------------------------------------------
QPID=""      # QEMU's (timeout's) pid while it runs
# shellcheck disable=SC2034  # used by recorder_start/stop in tests/lib-qemu.sh
REC_PID=""   # the recorder's

# Ctrl-C (or a kill from run-all.sh) must not leave QEMU or the recorder
# behind.  timeout(1) passes the TERM on to QEMU.
on_signal() {
    [ -n "$QPID" ] && kill -TERM "$QPID" 2>/dev/null
    local pid
    for pid in "${DURING_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    recorder_stop
    [ "${KEEP_RAM:-0}" = 1 ] || rm -f "$DIR/ram.bin"
    say "scenario $NAME: FAIL (interrupted)"
    exit 130
}

# run_qemu — boots the scenario and sets STATUS (QEMU's exit status).
#
# The recorder must know QEMU's pid (it stops when QEMU is gone) and should be
# waiting before the first trace record is written.  So QEMU's process is
# created first but held at a gate (a read on a FIFO) until the recorder has
# been started; then it execs timeout(1), which keeps the pid, and QEMU.  The
# FIFO is opened read-write, which never blocks, so the gate cannot hang.
run_qemu() {
    local gate=$DIR/.gate
    rm -f "$gate"; mkfifo "$gate" || die "cannot create $gate"
    exec 3<>"$gate"
    rm -f "$gate"
    # serial_input: QEMU's stdin is the typed text, its stdout the serial log.
    local in=/dev/null out=$DIR/qemu.stderr
    if [ -n "$SCN_INPUT" ]; then
        printf '%s' "$SCN_INPUT" >"$DIR/serial.in"
        in=$DIR/serial.in out=$DIR/serial.log
    fi
    ( read -r _ <&3
      ulimit -f "$(qemu_file_limit_kib)"
      exec timeout -k 5 "$SCN_LIMIT" "${QEMU_CMD[@]}" 3<&- <"$in" >"$out"
    ) 2>"$DIR/qemu.stderr" &
    QPID=$!
    recorder_start "$DIR" "$QPID" || true
    echo go >&3
    exec 3>&-
    during_start
    wait "$QPID"; STATUS=$?
    QPID=""
    recorder_stop
    during_stop
}

# --- the host's part: before_run, during_run, after_run (tests/lib-qemu.sh) ---
# Each runs with bash in the kit's root, and sees DIR, BUILD, HVK_ROOT and
# UDP_PORT1..3 in its environment.
DURING_PIDS=() DURING_RC=()

before_run_all() {
    local c i=0
    for c in "${SCN_BEFORE[@]}"; do
        i=$((i + 1))
        if ! (cd "$HVK_ROOT" && bash -c "$(scn_expand "$c" "$DIR")") >"$DIR/before$i.log" 2>&1; then
            say "  error: before_run '$c' failed:"
            tail -n 10 "$DIR/before$i.log" | sed 's/^/  | /'
            return 1
        fi
    done
}

during_start() {
    local c i=0
    : >"$DIR/during.log"
    for c in "${SCN_DURING[@]}"; do
        i=$((i + 1))
        ( cd "$HVK_ROOT" && exec bash -c "$(scn_expand "$c" "$DIR")" ) \
            > >(sed "s/^/[$i] /" >>"$DIR/during.log") 2>&1 &
        DURING_PIDS+=($!)
    done
}

# QEMU has ended: a host command still running gets 3 s to finish (it may
# be reading the guests' last answers), then it is stopped and fails.
during_stop() {
    local i pid t
    for i in "${!DURING_PIDS[@]}"; do
        pid=${DURING_PIDS[$i]}
        for t in 1 2 3 4 5 6; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            DURING_RC[$i]=killed
        else
            wait "$pid"; DURING_RC[$i]=$?
        fi
    done
    DURING_PIDS=()
}

check_host() {
    local i c rc
    for i in "${!SCN_DURING[@]}"; do
        c=${SCN_DURING[$i]} rc=${DURING_RC[$i]-"not started"}
        if [ "$rc" = 0 ]; then ok "during: $c"
        else
            fail "during: $c: $( [ "$rc" = killed ] && echo "still running when QEMU ended (stopped)" || echo "exit status $rc") (see $DIR/during.log)"
            grep "^\[$((i + 1))\] " "$DIR/during.log" | tail -n 8 | sed 's/^/       /'
        fi
    done
    i=0
    for c in "${SCN_AFTER[@]}"; do
        i=$((i + 1))
        if (cd "$HVK_ROOT" && bash -c "$(scn_expand "$c" "$DIR")") >"$DIR/after$i.log" 2>&1; then
            ok "after: $c"
            [ -s "$DIR/after$i.log" ] && tail -n 3 "$DIR/after$i.log" | sed 's/^/       /'
        else
            fail "after: $c failed (see $DIR/after$i.log)"
            tail -n 8 "$DIR/after$i.log" | sed 's/^/       /'
        fi
    done
}

# After the run: a serial log without the CRs of "\r\n" (so `$` in a regex
# and `diff` behave), and the decoded trace when there is one.
collect_outputs() {
    touch "$DIR/serial.log"
    tr -d '\r' <"$DIR/serial.log" >"$DIR/serial.tmp" && mv "$DIR/serial.tmp" "$DIR/serial.log"
    TRACE_NOTE=""
    if [ ! -x "$BUILD/bin/hvtrace" ]; then
        TRACE_NOTE="no trace: $BUILD/bin/hvtrace is not built"
    elif [ ! -s "$DIR/trace.bin" ]; then
        TRACE_NOTE="no trace recorded: see $DIR/hvtrace.log"
    else
        # hvtrace dump: 0 fine, 1 problems in the data (lost or damaged
        # records: the rest is still worth checking, and said), 2 and up
        # (or 124, timed out) no usable dump.
        timeout 30 "$BUILD/bin/hvtrace" dump "$DIR/trace.bin" >"$DIR/trace.txt" 2>"$DIR/dump.err"
        case $? in
            0) ;;
            1) say "  note: hvtrace dump reports problems in the trace: $(tail -n 1 "$DIR/dump.err") (see $DIR/dump.err)" ;;
            *) TRACE_NOTE="hvtrace dump failed: see $DIR/dump.err" ;;
        esac
    fi
    [ -n "$TRACE_NOTE" ] && rm -f "$DIR/trace.txt"
    [ "${KEEP_RAM:-0}" = 1 ] || rm -f "$DIR/ram.bin"
}

# --- how the run ended, and why --------------------------------------------------
# Text from the serial log is the guest's and the lab code's: only printable
# characters of it are kept, and not too many.
clean_text() { tr -cd '[:print:]' | cut -c1-"${1:-300}"; }

# symbolize ADDR... — "function (file:line)" for each address that is code:
# the hypervisor's (0xFC000000 and up) from hv.elf, the teaching OS's from
# minios.elf.  Paths are made relative to the kit, so the text is the same on
# every machine; a lab file shows as labs/labN/... when it is the student's.
symbolize() {
    local a elf out words=() fn loc here
    for a in "$@"; do
        a=${a#0x}
        case "$a" in ''|*[!0-9a-fA-F]*) continue ;; esac
        if [ $((16#$a)) -ge $((16#fc000000)) ]; then elf=$BUILD/hv.elf
        else elf=$BUILD/guest/minios.elf; fi
        [ -f "$elf" ] || continue
        # -i: an inlined function is followed by the one it was inlined into.
        out=$(i686-linux-gnu-addr2line -f -i -e "$elf" "$a" 2>/dev/null) || continue
        here=""
        while IFS= read -r fn && IFS= read -r loc; do
            [ "$fn" = "??" ] && continue
            loc=${loc#"$HVK_ROOT"/}; loc=${loc#./}; loc=${loc%% (discriminator*}
            here="${here:+$here inlined in }$fn ($loc)"
        done <<<"$out"
        # The panic machinery itself is not where the problem is.
        case "$here" in panic\ *|panic_regs\ *|vpanic\ *|backtrace\ *) continue ;; esac
        [ -n "$here" ] && words+=("$here")
    done
    local IFS=';'; printf '%s' "${words[*]}" | sed 's/;/, called from /g'
}

# explain_end — CAUSE: why the run ended as it did (GOT), from the
# hypervisor's own last words; empty when there is nothing to add.
explain_end() {
    local S=$DIR/serial.log line addrs where
    CAUSE=""
    case "$GOT" in
        panic)
            line=$(grep -a -m1 'PANIC: ' "$S" | sed 's/.*PANIC: //' | clean_text 200)
            addrs=$(grep -a -m1 '  backtrace:' "$S" | sed 's/.*backtrace://' | clean_text 200)
            [ -n "$addrs" ] || addrs=$(grep -ao -m1 'at eip [0-9a-f]*' <<<"$line" | sed 's/at eip //')
            # shellcheck disable=SC2086  # one word per address
            where=$(symbolize $addrs)
            CAUSE="PANIC: ${line:-(no message)}${where:+ — in $where}"
            # A panic that sums up refusals (no domain could be built):
            # the first refusal is the real cause.
            line=$(grep -a -m1 '^(hv) .*refused: ' "$S" | sed 's/^(hv) //' | clean_text 200)
            [ -n "$line" ] && CAUSE="$CAUSE; first: $line" ;;
        deadlock|stuck|limit)
            line=$(grep -a -m1 'STOPPED: ' "$S" | sed 's/.*STOPPED: //' | clean_text 250)
            addrs=$(grep -ao -m1 'at eip [0-9a-f]*' <<<"$line" | sed 's/at eip //')
            # shellcheck disable=SC2086
            where=$(symbolize $addrs)
            CAUSE="${line:-the hypervisor stopped the run}${where:+ — in $where}" ;;
        timeout)
            if [ -n "$SCN_INSN_LIMIT" ]; then
                CAUSE="killed after $SCN_LIMIT s of wall time without reaching insn_limit $SCN_INSN_LIMIT: the hypervisor stopped taking timer interrupts (a loop in ring 0 with interrupts off?) or the machine is very slow"
            else
                CAUSE="killed after $SCN_LIMIT s of wall time"
            fi ;;
        triple-fault)
            # QEMU logs no registers for it (-d cpu_reset shows the state
            # after the reset); the last trace record is the best clue.
            line=$( [ -s "$DIR/trace.txt" ] && tail -n 1 "$DIR/trace.txt" | sed 's/^ *//; s/  */ /g' | clean_text 160)
            CAUSE="the CPU reset: an exception while the CPU delivered another (a broken IDT, TSS, GDT or hypervisor stack)${line:+; the last trace record: $line}" ;;
        flood)
            CAUSE="QEMU wrote more than $(qemu_file_limit_kib) KiB to a file: the console was flooded" ;;
        crashed)
            line=$(grep -a -m1 '(hv) d[0-9]*: crashed: ' "$S" | sed 's/^(hv) //' | clean_text 200)
            addrs=$(grep -ao -m1 'at eip [0-9a-f]*' <<<"$line" | sed 's/at eip //')
            # shellcheck disable=SC2086
            where=$(symbolize $addrs)
            CAUSE="$line${where:+ — in $where}" ;;
    esac
}

# An end that stops everything: the checks after it are consequences.
fatal_end() {
    case "$GOT" in done|crashed) return 1 ;; esac
    return 0
}

# guest_ms — the run's length in guest time (ms), from the last trace
# record's TSC; under -icount the same on every machine.
guest_ms() {
    [ -s "$DIR/trace.txt" ] || { echo 0; return; }
    awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^tsc_khz=/) khz = substr($i, 9) }
         { t = $2 }
         END { if (khz > 0) printf "%d\n", t / khz; else print 0 }' "$DIR/trace.txt"
}

# --- the checks ---------------------------------------------------------------
FAILS=0 FIRST_FAIL="" MISSED=0 COUNTING=1

ok()   { say "  ok   $*"; }
fail() {
    if [ "$COUNTING" = 1 ]; then
        say "  FAIL $*"; FAILS=$((FAILS + 1)); [ -n "$FIRST_FAIL" ] || FIRST_FAIL=$*
    else
        say "  miss $*"; MISSED=$((MISSED + 1))
    fi
}

check_exit() {
    GOT=$(exit_status_name "$STATUS" "$DIR/qemu.log")
    explain_end
    local how=$GOT
    [ "$GOT" = timeout ] && how="timeout (killed after $SCN_LIMIT s)"
    if [ "$GOT" = "$SCN_EXIT" ]; then
        ok "exit: $how"
    else
        fail "exit: expected $SCN_EXIT, got $GOT${CAUSE:+: $CAUSE}"
        # After a panic, a stop, a reset or a kill, what is missing
        # is missing because of it.
        fatal_end && COUNTING=0
    fi
}

# serial_in_order FILE PATTERN... — each fixed string on a line strictly
# after the line that matched the previous one; prints the first one missing.
serial_in_order() {
    local file=$1 pats; shift
    pats=$(mktemp); printf '%s\n' "$@" >"$pats"
    awk -v pats="$pats" '
        BEGIN { while ((getline l < pats) > 0) p[++n] = l; i = 1 }
        i <= n && index($0, p[i]) { i++ }
        END { if (i <= n) { print p[i]; exit 1 } }' "$file"
    local rc=$?; rm -f "$pats"; return $rc
}

# The trace checks need a trace; without one they fail and say why.
need_trace() {
    [ -z "$TRACE_NOTE" ] && return 0
    fail "$1 ($TRACE_NOTE)"; return 1
}

check_one() {
    local kind a b n missing parts
    IFS=$US read -r -a parts <<<"$1"
    set -- "${parts[@]}"
    kind=$1; shift
    a=${1-} b=${2-}
    local S=$DIR/serial.log T=$DIR/trace.txt
    case "$kind" in
        serial)    if grep -qF -- "$a" "$S"; then ok "serial: \"$a\""
                   else fail "serial: \"$a\" not found (see $S)"; fi ;;
        serial_re) if grep -qE -- "$a" "$S"; then ok "serial: /$a/"
                   else fail "serial: /$a/ not matched (see $S)"; fi ;;
        no_serial) if ! grep -qF -- "$a" "$S"; then ok "serial: no \"$a\""
                   else fail "serial: \"$a\" must not appear, but does (see $S)"; fi ;;
        serial_order)
                   if missing=$(serial_in_order "$S" "$@"); then ok "serial order: $*"
                   else fail "serial order: \"$missing\" not found after the previous lines (see $S)"; fi ;;
        trace)     need_trace "trace: \"$a\"" || return 0
                   if grep -qF -- "$a" "$T"; then ok "trace: \"$a\""
                   else fail "trace: \"$a\" not found (see $T)"; fi ;;
        trace_re)  need_trace "trace: /$a/" || return 0
                   if grep -qE -- "$a" "$T"; then ok "trace: /$a/"
                   else fail "trace: /$a/ not matched (see $T)"; fi ;;
        trace_count)
                   need_trace "trace: at least $a \"$b\"" || return 0
                   n=$(grep -cF -- "$b" "$T")
                   if [ "$n" -ge "$a" ]; then ok "trace: $n x \"$b\" (at least $a)"
                   else fail "trace: only $n x \"$b\", expected at least $a (see $T)"; fi ;;
        cpu_share)
                   local pct=$2 tol=$3 got
                   need_trace "cpu share of $a" || return 0
                   got=$(cpu_share "$T" "$a" "${4-}" "${5-}")
                   if [ -z "$got" ]; then
                       fail "cpu share of $a: empty window (from /${4-}/ to /${5-}/) in $T"
                   elif awk -v g="${got%% *}" -v p="$pct" -v t="$tol" 'BEGIN { exit !(g >= p - t && g <= p + t) }'; then
                       ok "cpu share of $a: ${got%% *}% (want $pct +- $tol)"
                   else
                       fail "cpu share of $a: ${got%% *}% of the window, want $pct +- $tol (ran ${got#* } TSC ticks; see $T)"
                   fi ;;
        trace_matches_guest)
                   local out
                   need_trace "trace matches what the guest got" || return 0
                   if out=$(tests/trace-matches-guest.sh "$DIR" 2>&1); then
                       while IFS= read -r line; do ok "trace matches guest: $line"; done <<<"$out"
                   else
                       while IFS= read -r line; do say "       $line"; done <<<"$out"
                       fail "trace does not match what the guest got (tests/trace-matches-guest.sh $DIR)"
                   fi ;;
        no_trace)  need_trace "trace: no \"$a\"" || return 0
                   if ! grep -qF -- "$a" "$T"; then ok "trace: no \"$a\""
                   else fail "trace: \"$a\" must not appear, but does (see $T)"; fi ;;
    esac
}

show_serial_tail() {
    say "  --- last lines of $DIR/serial.log ---"
    if [ -s "$DIR/serial.log" ]; then tail -n 15 "$DIR/serial.log" | sed 's/^/  | /'
    else say "  | (empty: nothing was printed)"; fi
    if [ -s "$DIR/qemu.stderr" ]; then
        say "  --- QEMU said ($DIR/qemu.stderr) ---"
        tail -n 5 "$DIR/qemu.stderr" | sed 's/^/  | /'
    fi
}

# --- main -----------------------------------------------------------------
main() {
    resolve_scenario "$1"
    scn_load "$SCN_PATH"
    say "scenario $NAME${SCN_DESC:+ — $SCN_DESC}"
    if [ ${#SCN_ERRORS[@]} -gt 0 ]; then
        printf '  error in %s: %s\n' "$SCN_PATH" "${SCN_ERRORS[@]}"
        say "scenario $NAME: FAIL (bad scenario file)"; exit 1
    fi
    if ! check_images; then
        say "scenario $NAME: FAIL (not built)"; exit 1
    fi

    mkdir -p "$DIR" || die "cannot create $DIR"
    rm -f "$DIR"/{ram.bin,serial.log,trace.bin,trace.txt,qemu.log,qemu.stderr,hvtrace.log,dump.err,result.txt,during.log,before*.log,after*.log}
    export DIR BUILD HVK_ROOT
    if ! scn_pick_ports; then
        say "scenario $NAME: FAIL (no free UDP ports on 127.0.0.1)"; exit 1
    fi
    if ! before_run_all; then
        say "scenario $NAME: FAIL (before_run failed)"; exit 1
    fi
    qemu_build_cmd test "$DIR"
    { say "# $NAME: the exact QEMU command, to run again from $HVK_ROOT"
      say "# (QEMU's exit status says how it ended: see hv/include/public/exit.h)"
      qemu_cmd_line; echo; } >"$DIR/cmdline.txt"

    trap on_signal INT TERM
    run_qemu
    collect_outputs
    trap - INT TERM

    check_exit
    check_host
    local e
    for e in "${SCN_EXPECTS[@]}"; do check_one "$e"; done

    write_result() {
        {
            echo "verdict $1"
            echo "ended $GOT"
            echo "cause $CAUSE"
            echo "first $FIRST_FAIL"
            echo "guest_ms $(guest_ms)"
            echo "failed $FAILS"
            echo "missed $MISSED"
        } >"$DIR/result.txt"
    }
    if [ "$FAILS" -eq 0 ]; then
        write_result PASS
        say "scenario $NAME: PASS"; exit 0
    fi
    write_result FAIL
    show_serial_tail
    local reason
    if [ "$GOT" != "$SCN_EXIT" ]; then
        reason="expected exit $SCN_EXIT, got $GOT"
        [ "$GOT" = timeout ] && reason="expected exit $SCN_EXIT, got timeout after $SCN_LIMIT s"
        [ "$FAILS" -gt 1 ] && reason="$reason; $FAILS checks failed"
        [ "$MISSED" -gt 0 ] && reason="$reason; $MISSED later checks not met (not counted)"
    else
        reason="$FAILS of $(( ${#SCN_EXPECTS[@]} + 1 )) checks failed"
    fi
    say "scenario $NAME: FAIL ($reason)"
    exit 1
}

main "$@"
