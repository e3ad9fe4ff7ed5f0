#!/usr/bin/env bash
# tests/checks/book.sh — `make book` writes the whole kit, in the tour's
# order, as one HTML file that opens offline.
#
# Builds $BUILD/book/hvkit-book.html and checks it (tools/tour.py
# check-book): a chapter for every chapter of docs/tour.txt, a section for
# every tour file holding the whole of its code, and no reference out of the
# page (every href is "#...", every src "data:", no url() or @import in the
# style sheet).  Then the check itself: a damaged copy of the book must be
# refused for each kind of damage.
#
# One test of `make test`: exit 0 = pass.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
BOOK=$BUILD/book/hvkit-book.html
fail() { echo "FAIL: $*"; exit 1; }

make --no-print-directory BUILD="$BUILD" book || fail "make book failed"
[ -s "$BOOK" ] || fail "make book wrote no $BOOK"
python3 tools/tour.py check-book "$BOOK" || fail "the book is incomplete or refers outside itself (above)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_refused WHAT MESSAGE PYTHON — a copy of the book damaged by the
# Python expression (on the page's text s) must fail with MESSAGE.
expect_refused() {
    local what=$1 message=$2 edit=$3 out
    python3 - "$BOOK" "$tmp/book.html" "$edit" <<'PY' || fail "could not damage the book: $1"
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
t = eval(sys.argv[3])
assert t != s, "the damage changed nothing"
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
    if out=$(python3 tools/tour.py check-book "$tmp/book.html" 2>&1); then
        fail "damage not refused: $what"
    fi
    grep -qF -- "$message" <<<"$out" || { echo "$out" | tail -n 5; fail "$what: no message '$message'"; }
    echo "ok refused: $what"
}

expect_refused "an image from the web" "refers outside itself" \
    's.replace("</body>", "<img src=\"http://example.com/x.png\"></body>", 1)'
expect_refused "a protocol-relative script" "refers outside itself" \
    's.replace("</head>", "<script src=\"//cdn.example.com/x.js\"></script></head>", 1)'
expect_refused "a link to a file beside the book" "refers outside itself" \
    's.replace("</body>", "<a href=\"../docs/abi.md\">abi</a></body>", 1)'
expect_refused "a style sheet fetching a font" "style sheet refers outside it" \
    's.replace("</style>", "@font-face { src: url(https://fonts.example.com/f.woff); }</style>", 1)'
expect_refused "a file's section missing" "no section for hv/mm/mm.c" \
    's.replace("id=\"f-hv-mm-mm-c\"", "id=\"gone\"", 1)'
expect_refused "a file's code cut short" "section for hv/mm/mm.c does not hold its whole code" \
    're.sub(r"(id=\"f-hv-mm-mm-c\".*?)<span id=\"cb[0-9]+-[0-9]+\">.*?\n", r"\1", s, count=1, flags=re.S)'

echo "book check: $BOOK is whole and self-contained, and every damage tried was refused"
