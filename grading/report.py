#!/usr/bin/env python3
"""grading/report.py — one submission's results, as a report, Gradescope JSON and JUnit XML.

    report.py submission RESULTS_DIR OUT_DIR --id ID --kit KIT_ID [--intake FILE]
              [--hidden-visibility V]
    report.py class OUT_DIR ID...          the class table (OUT_DIR/class.csv)
    report.py validate OUT_DIR SCHEMA_DIR  results.json against the JSON schema,
                                           junit.xml against the XSD (xmllint)

Where this sits: grading/grade grades each submission with tests/grade.sh,
which leaves RESULTS_DIR/labN/results.tsv (one line per test: name, score,
max_score, status, visibility, guest_ms, wall_s, summary) and one NAME.out
per test (the test's whole report).  This turns them into:

    report.txt    for people: per lab, gradelib-style lines and the score
    results.json  Gradescope's format: score, execution_time, output,
                  tests[] with name, number, score, max_score, status,
                  output, visibility, tags
    junit.xml     a testsuite per lab, a testcase per test, a failure with
                  the first failing check (CI systems, GitLab)
    timing.txt    wall times (they differ from run to run, so they are kept
                  out of the three files above)

Deterministic: the same submission gives the same three files byte for
byte, on any machine: nothing in them depends on the time, the machine or
the folder graded in.  Times in them are guest time (under -icount, guest
instructions), not wall time.

Nothing from the submission is trusted as structure: what a test printed
(the serial log tail in NAME.out) is only ever text, stripped of control
characters, capped in length, and escaped for JSON and XML.
"""
import csv
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

MAX_OUTPUT = 6000          # characters of a test's report kept in results.json / junit.xml

_bad = re.compile(r"[^\t\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]")


def clean(text, limit=None):
    """Printable text only (no control characters, valid in XML 1.0)."""
    text = _bad.sub("?", text)
    if limit and len(text) > limit:
        text = text[:limit] + "\n... (%d more characters not shown)" % (len(text) - limit)
    return text


def read_text(path, limit=None):
    try:
        with open(path, "rb") as f:
            data = f.read(4 * MAX_OUTPUT if limit else -1)
    except OSError:
        return ""
    return clean(data.decode("utf-8", "replace"), limit)


def lab_title(kit, n):
    try:
        with open(os.path.join(kit, "labs", "lab%s" % n, "README.md"), encoding="utf-8") as f:
            line = f.readline().strip()
        return line.lstrip("# ").strip() or "Lab %s" % n
    except OSError:
        return "Lab %s" % n


def load_results(results_dir):
    """{lab: [test dict, ...]} in the order of the lab's list."""
    labs = {}
    for entry in sorted(os.listdir(results_dir), key=lambda e: (len(e), e)):
        m = re.fullmatch(r"lab(\d+)", entry)
        path = os.path.join(results_dir, entry, "results.tsv")
        if not m or not os.path.isfile(path):
            continue
        tests = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 8:
                    continue
                name, score, max_score, status, vis, guest_ms, wall_s = parts[:7]
                summary = "\t".join(parts[7:])
                key = re.sub(r"[^A-Za-z0-9_.-]", "-", name)
                tests.append({
                    "name": name, "score": int(score), "max_score": int(max_score),
                    "status": "passed" if status == "passed" else "failed",
                    "skipped": status == "skipped",
                    "visibility": vis, "guest_ms": int(guest_ms or 0), "wall_s": wall_s,
                    "summary": clean(summary, 400),
                    "output": read_text(os.path.join(results_dir, entry, key + ".out"), MAX_OUTPUT),
                })
        labs[m.group(1)] = tests
    return labs


def gradelib_line(t):
    secs = "%.2f s guest" % (t["guest_ms"] / 1000.0)
    if t["status"] == "passed":
        return "== %s == OK (%s)" % (t["name"], secs)
    if t["skipped"]:
        return "== %s == SKIPPED" % t["name"]
    return "== %s == FAIL (%s)" % (t["name"], secs)


def submission(args):
    results_dir, out_dir = args.pop(0), args.pop(0)
    opts = dict(zip(args[::2], args[1::2]))
    sid, kit_id = opts["--id"], opts["--kit"]
    kit = opts.get("--kit-dir", ".")
    hidden_vis = opts.get("--hidden-visibility", "after_published")
    intake = read_text(opts["--intake"]) if "--intake" in opts else ""
    labs = load_results(results_dir)
    os.makedirs(out_dir, exist_ok=True)

    total = sum(t["score"] for ts in labs.values() for t in ts)
    possible = sum(t["max_score"] for ts in labs.values() for t in ts)
    guest_ms = sum(t["guest_ms"] for ts in labs.values() for t in ts)

    # ---- report.txt
    lines = ["hvkit grading report for %s" % sid, "kit %s" % kit_id, ""]
    if intake:
        lines += [intake.rstrip("\n"), ""]
    for n, tests in labs.items():
        got = sum(t["score"] for t in tests)
        mx = sum(t["max_score"] for t in tests)
        lines.append("%s: %d/%d" % (lab_title(kit, n), got, mx))
        for t in tests:
            tag = " [hidden]" if t["visibility"] == "hidden" else ""
            lines.append("  " + gradelib_line(t) + tag + "  %d/%d" % (t["score"], t["max_score"]))
            if t["status"] != "passed" and t["summary"]:
                lines.append("      " + t["summary"])
        lines.append("")
    npass = sum(t["status"] == "passed" for ts in labs.values() for t in ts)
    nfail = sum(t["status"] != "passed" for ts in labs.values() for t in ts)
    lines += ["Score: %d/%d" % (total, possible), "%d passed, %d failed" % (npass, nfail)]
    report = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "report.txt"), "w", encoding="utf-8") as f:
        f.write(report)

    # ---- results.json (Gradescope)
    tests_json = []
    for n, tests in labs.items():
        for i, t in enumerate(tests, 1):
            out = t["summary"] + "\n\n" + t["output"] if t["status"] != "passed" else t["output"]
            tests_json.append({
                "name": "Lab %s: %s" % (n, t["name"]),
                "number": "%s.%d" % (n, i),
                "score": t["score"],
                "max_score": t["max_score"],
                "status": t["status"],
                "output": clean(out.strip(), MAX_OUTPUT),
                "tags": ["lab%s" % n],
                "visibility": hidden_vis if t["visibility"] == "hidden" else "visible",
            })
    doc = {
        "score": total,
        "execution_time": round(guest_ms / 1000.0),
        "output": clean(report, 20000),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests_json,
    }
    with open(os.path.join(out_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")

    # ---- junit.xml
    suites = ET.Element("testsuites", {
        "name": "hvkit %s" % sid, "tests": str(npass + nfail), "failures": str(nfail),
        "errors": "0", "time": "%.3f" % (guest_ms / 1000.0)})
    for n, tests in labs.items():
        fails = sum(t["status"] != "passed" and not t["skipped"] for t in tests)
        skips = sum(t["skipped"] for t in tests)
        suite = ET.SubElement(suites, "testsuite", {
            "name": "lab%s" % n, "tests": str(len(tests)), "failures": str(fails),
            "errors": "0", "skipped": str(skips),
            "time": "%.3f" % (sum(t["guest_ms"] for t in tests) / 1000.0)})
        for t in tests:
            case = ET.SubElement(suite, "testcase", {
                "name": t["name"], "classname": "lab%s" % n,
                "time": "%.3f" % (t["guest_ms"] / 1000.0)})
            if t["skipped"]:
                ET.SubElement(case, "skipped", {"message": t["summary"] or "not run"})
            elif t["status"] != "passed":
                kind = t["summary"].split(":", 1)[0][:40] if t["summary"] else "failed"
                fail = ET.SubElement(case, "failure", {"message": t["summary"] or "failed",
                                                        "type": kind})
                fail.text = t["output"]
            else:
                ET.SubElement(case, "system-out").text = t["output"]
    ET.indent(suites)
    with open(os.path.join(out_dir, "junit.xml"), "wb") as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(ET.tostring(suites, encoding="utf-8"))
        f.write(b"\n")

    # ---- timing.txt (wall time: not deterministic, so apart)
    with open(os.path.join(out_dir, "timing.txt"), "w", encoding="utf-8") as f:
        for n, tests in labs.items():
            for t in tests:
                f.write("lab%s %s %s s\n" % (n, t["name"], t["wall_s"]))

    # ---- scores.tsv: what the class table reads
    with open(os.path.join(out_dir, "scores.tsv"), "w", encoding="utf-8") as f:
        for n, tests in labs.items():
            f.write("%s\t%d\t%d\n" % (n, sum(t["score"] for t in tests),
                                      sum(t["max_score"] for t in tests)))
    return 0


def class_table(args):
    out_dir = args.pop(0)
    rows, labs = [], set()
    for sid in args:
        scores = {}
        try:
            with open(os.path.join(out_dir, sid, "scores.tsv"), encoding="utf-8") as f:
                for line in f:
                    n, got, mx = line.split("\t")
                    scores[n] = (int(got), int(mx))
        except OSError:
            pass
        labs.update(scores)
        rows.append((sid, scores))
    labs = sorted(labs, key=int)
    with open(os.path.join(out_dir, "class.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["submission"] + ["lab%s" % n for n in labs] + ["total", "max", "note"])
        for sid, scores in rows:
            got = [scores[n][0] if n in scores else "" for n in labs]
            total = sum(v for v in got if v != "")
            mx = sum(scores[n][1] for n in labs if n in scores)
            note = "" if scores else "not graded (see %s/)" % sid
            w.writerow([sid] + got + [total, mx, note])
    return 0


def validate(args):
    out_dir, schema_dir = args
    import jsonschema
    with open(os.path.join(schema_dir, "gradescope-results.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    with open(os.path.join(out_dir, "results.json"), encoding="utf-8") as f:
        doc = json.load(f)
    jsonschema.validate(doc, schema)
    r = subprocess.run(["xmllint", "--noout", "--schema",
                        os.path.join(schema_dir, "junit.xsd"),
                        os.path.join(out_dir, "junit.xml")], capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        return 1
    return 0


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "submission":
        return submission(args)
    if cmd == "class":
        return class_table(args)
    if cmd == "validate":
        try:
            return validate(args)
        except Exception as e:          # a schema violation: say it, fail
            sys.stderr.write("validate: %s\n" % str(e).split("\n")[0])
            return 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
