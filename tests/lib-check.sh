# tests/lib-check.sh — the scaffolding of the host-side checks, written once.
#
# Sourced (never run) by the scripts in tests/checks/ that need it.  It lives
# here, not in tests/checks/, because tests/run-all.sh runs every
# tests/checks/*.sh as a test of its own.  A check sources it first (before
# tests/lib-qemu.sh, if it uses that too: this file finds the repository
# from where it lies, before anything has changed directory), sets -u
# itself, and calls check_start.  It gives:
#
#   check_start
#       cd to the repository root; BUILD (default build, exported, so that
#       the scenario runner a check starts builds in the same tree) and
#       HVTRACE (default $BUILD/bin/hvtrace); CHECK_DIR, a temporary
#       directory removed when the check exits.
#
#   fail MSG
#       prints "FAIL: MSG", then what the check has to show: the screen of
#       the tmux session under test if there is one (tmux_start), then
#       whatever the check's own function on_fail prints if it defines one;
#       exits 1.
#
#   in_order FILE RE...
#       the lines of FILE matching each (extended) RE come in this order;
#       if not, prints FILE and the RE not found, and returns 1.
#
#   tmux_start NAME
#       for the checks that drive `hvtrace live` in a terminal: requires
#       tmux and a built $HVTRACE; a tmux server of our own (TMUX_TMPDIR in
#       CHECK_DIR), killed when the check exits, kept alive by a session of
#       its own; SESSION=NAME, the session under test, for the helpers
#       below and for the check's own tmux commands.
#   tmux_session WIDTH HEIGHT CMD
#       (re)starts the session under test: a WIDTHxHEIGHT terminal running
#       CMD (the one before, if any, is killed first).
#   screen                  the session's screen, as text (capture-pane)
#   wait_for TEXT [SECONDS]     until the screen shows TEXT (a fixed string),
#   wait_for_re RE [SECONDS]    or a line matching RE (extended); at most
#                               SECONDS (default 5), else fail
#   keys KEY...             types the keys (tmux send-keys), then waits a
#                           little for the screen to be redrawn

# Where the repository is, from where this file lies: the check's $0 may be
# a path relative to a directory it has already left.
CHECK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Set by tmux_start: there is a tmux server to kill and a screen to show.
CHECK_TMUX=

check_start() {
    cd "$CHECK_ROOT" || exit 2
    BUILD=${BUILD:-build}
    export BUILD
    HVTRACE=${HVTRACE:-$BUILD/bin/hvtrace}
    CHECK_DIR=$(mktemp -d)
    trap check_cleanup EXIT
}

# On exit: the tmux server first (its socket is in CHECK_DIR), then the
# directory.
check_cleanup() {
    [ -n "$CHECK_TMUX" ] && tmux kill-server 2>/dev/null
    rm -rf "$CHECK_DIR"
}

fail() {
    echo "FAIL: $*"
    if [ -n "$CHECK_TMUX" ]; then
        # 2>/dev/null: a check may fail before its first session is started.
        echo "--- screen:"
        screen 2>/dev/null
    fi
    if declare -F on_fail >/dev/null; then
        on_fail
    fi
    exit 1
}

in_order() {
    local f=$1 n=0 re line
    shift
    for re in "$@"; do
        line=$(grep -nE -- "$re" "$f" | awk -F: -v n="$n" '$1 > n { print $1; exit }')
        [ -n "$line" ] || { cat "$f"; echo "not found after line $n: $re"; return 1; }
        n=$line
    done
}

# ---- tmux ---------------------------------------------------------------------
tmux_start() {
    command -v tmux >/dev/null || { echo "tmux is not installed (tools/ensure-deps.sh)"; exit 1; }
    [ -x "$HVTRACE" ] || { echo "$HVTRACE is not built"; exit 1; }
    # A private server: the checks may run side by side, and never touch a
    # tmux the person running them has open.
    export TMUX_TMPDIR=$CHECK_DIR/tmux
    mkdir -p "$TMUX_TMPDIR"
    SESSION=$1
    CHECK_TMUX=1
    # A session that only keeps the tmux server alive: killing the one session
    # under test would end the server, and the next new-session could reach it
    # while it exits ("server exited unexpectedly": seen on a loaded machine).
    tmux new-session -d -s "$SESSION-keep" "sleep 600"
}

tmux_session() {
    tmux kill-session -t "$SESSION" 2>/dev/null
    tmux new-session -d -s "$SESSION" -x "$1" -y "$2" "$3"
}

screen() { tmux capture-pane -p -t "$SESSION"; }

wait_for() { screen_wait -F "$1" "${2:-5}" "'$1'"; }
wait_for_re() { screen_wait -E "$1" "${2:-5}" "/$1/"; }

# screen_wait GREP_FLAG PATTERN SECONDS SHOWN — the loop behind both: the
# screen is read every tenth of a second; SHOWN is how the failure names
# PATTERN.
screen_wait() {
    local i
    for i in $(seq $(( $3 * 10 ))); do
        screen | grep -q "$1" -- "$2" && return 0
        sleep 0.1
    done
    fail "the screen never showed $4"
}

# The pause: a key's effect is not on the screen at once, and the next key
# or capture should see it.
keys() { tmux send-keys -t "$SESSION" "$@"; sleep 0.3; }
