#!/usr/bin/env bash
# grading/gradescope/build.sh — the Gradescope autograder zip (`make gradescope`).
#
#   grading/gradescope/build.sh [OUT]     default build/gradescope/autograder.zip
#
# The zip's root, as Gradescope wants it: setup.sh and run_autograder, and
# what they use: kit/ (the student distribution, grading/handout.sh: every
# lab's reference as prebuilt objects, no solutions/) and grading/ (the
# grader, the report writer and schemas, the hidden tests).  Gradescope
# unpacks it in /autograder/source.
cd "$(dirname "$0")/../.." || exit 2
OUT=${1:-build/gradescope/autograder.zip}
STAGE=$(dirname "$OUT")/stage
set -e
rm -rf "$STAGE" "$OUT"
mkdir -p "$STAGE/grading"
grading/handout.sh --out "$STAGE/kit" --no-tar || [ $? = 3 ]    # 3: written, with warnings (above)
cp grading/grade grading/report.py grading/README.md "$STAGE/grading/"
cp -R grading/schema grading/hidden "$STAGE/grading/"
cp grading/gradescope/setup.sh grading/gradescope/run_autograder "$STAGE/"
chmod +x "$STAGE/setup.sh" "$STAGE/run_autograder" "$STAGE/grading/grade"
# Fixed times and order: the same kit gives the same zip.
find "$STAGE" -exec touch -h -d '2000-01-01 00:00:00' {} +
(cd "$STAGE" && find . -type f | LC_ALL=C sort | sed 's#^\./##' | zip -q -X -@ "$(cd .. && pwd)/$(basename "$OUT")")
rm -rf "$STAGE"
echo "gradescope: wrote $OUT ($(du -k "$OUT" | cut -f1) KiB): upload it as the autograder"
