#!/usr/bin/env python3
"""slides/build.py — turns one Markdown deck of slides/ into one HTML file.

Where this sits in the story: a lecture must show what the kit really does,
so nothing on a slide that the kit can produce is typed by hand.  This script
reads a deck (slides/NAME.md), replaces every reference to the kit by what
the kit says, from real runs made by the build (`make slides`: scenarios under
QEMU, see slides/README.md), then hands the result to pandoc's reveal.js
writer, which embeds everything into one self-contained HTML file:

  ![caption](fig:NAME)    a diagram named in slides/figures.txt, drawn now
                          by viz/ (`hvtrace dot ... | dot -Tsvg`, or
                          `hvtrace timeline`) from the trace of a run
  {{NAME}}                a figure (a number, a line) named in
                          slides/facts.txt, read now from a run's serial
                          log, trace, `hvtrace stats`, or a file of the kit
  @code PATH fn=NAME      a function of the kit's source, as it is now
  @code PATH from=RE to=RE    the lines from the first match of RE to the
                          next match of the second (both included)
  @quote PATH from=RE to=RE   the same lines as a quotation, comment
                          markers removed: the kit's own words
  @serial RUN RE [max=N]  the lines of a run's console that match RE
  @trace RUN RE [max=N]   the lines of a run's trace (`hvtrace dump`) that
                          match RE

A slide starts at a level-1 heading.  Every slide must have speaker notes (a
`::: notes` block); the build fails on one that has none, on a fact or a
figure it cannot find, and on any warning of pandoc's.

    slides/build.py --build build --out build/slides/lab1.html slides/lab1.md
    slides/build.py --facts        print every fact (with what it came from)

Runs: a name like `hello` is tests/scenarios/hello.scn, whose results are in
BUILD/scenarios/hello/; `bench/native` is bench/native.scn, run into
BUILD/slides/runs/native/.  The Makefile (mk/slides.mk) runs them first.
"""

import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SLIDES = os.path.join(ROOT, "slides")


class BuildError(Exception):
    pass


def rel(path):
    return os.path.relpath(path, ROOT)


# ---- runs ---------------------------------------------------------------------

class Runs:
    """The results of the scenarios the decks use, read on first use."""

    def __init__(self, build):
        self.build = build
        self.hvtrace = os.path.join(build, "bin", "hvtrace")
        self.used = set()               # files read, for the depfile
        self._dumps = {}

    def dir(self, run):
        if run.startswith("bench/"):
            return os.path.join(self.build, "slides", "runs", run[len("bench/"):])
        return os.path.join(self.build, "scenarios", run)

    def file(self, run, name):
        path = os.path.join(self.dir(run), name)
        if not os.path.exists(path):
            raise BuildError("%s: no %s (was the run made? `make slides` runs it)" % (run, rel(path)))
        self.used.add(path)
        return path

    def text(self, run, name):
        with open(self.file(run, name), encoding="utf-8", errors="replace") as f:
            return f.read()

    def dump(self, run):
        """The trace as (index, microseconds since the first record, line)."""
        if run not in self._dumps:
            out = self.tool([self.hvtrace, "dump", self.file(run, "trace.bin")])
            rows, t0, khz = [], None, 0
            for i, line in enumerate(out.splitlines()):
                parts = line.split(None, 4)
                tsc = int(parts[1])
                if t0 is None:
                    t0 = tsc
                    m = re.search(r"tsc_khz=(\d+)", line)
                    khz = int(m.group(1)) if m else 0
                us = (tsc - t0) * 1000.0 / khz if khz else float(tsc - t0)
                rows.append((i, us, line))
            self._dumps[run] = rows
        return self._dumps[run]

    def find(self, run, pattern, what):
        for row in self.dump(run):
            if re.search(pattern, row[2]):
                return row
        raise BuildError("%s: no trace record matches /%s/ (%s)" % (run, pattern, what))

    def tool(self, argv, stdin=None):
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True)
        if p.returncode != 0:
            raise BuildError("%s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
        return p.stdout


# ---- manifests ----------------------------------------------------------------

def read_manifest(name, ncols):
    """Rows of slides/NAME: `|`-separated columns, # comments; the last
    column keeps any further `|` (a regular expression may hold one)."""
    rows = {}
    path = os.path.join(SLIDES, name)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("|", ncols - 1)]
            if len(cols) != ncols:
                raise BuildError("%s:%d: want %d columns separated by |" % (rel(path), n, ncols))
            if cols[0] in rows:
                raise BuildError("%s:%d: %s defined twice" % (rel(path), n, cols[0]))
            rows[cols[0]] = cols[1:] + ["%s:%d" % (rel(path), n)]
    return rows


# ---- facts ---------------------------------------------------------------------

def strip_comments(text, path):
    if path.endswith((".c", ".h", ".S", ".ld")):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
        text = re.sub(r"//[^\n]*", "", text)
    return text


def code_lines(paths):
    """Lines that are neither blank nor comment (C and assembly comments), as
    minios-guest/README.md counts them."""
    n = 0
    for p in paths:
        with open(p, encoding="utf-8") as f:
            n += sum(1 for l in strip_comments(f.read(), p).split("\n") if l.strip())
    return n


def expand_globs(spec, used):
    """`a/*.c b.h !a/demo.c`: the files, minus the ones after `!`."""
    keep, drop = [], set()
    for word in spec.split():
        target = drop if word.startswith("!") else None
        pats = glob.glob(os.path.join(ROOT, word.lstrip("!")), recursive=True)
        if not pats:
            raise BuildError("no file matches %s" % word)
        for p in sorted(pats):
            if target is not None:
                drop.add(p)
            elif p not in keep:
                keep.append(p)
    files = [p for p in keep if p not in drop]
    used.update(files)
    return files


def fmt_number(v):
    if isinstance(v, int) and abs(v) >= 1000:
        return "{:,}".format(v)
    return str(v)


class Facts:
    def __init__(self, runs):
        self.runs = runs
        self.rows = read_manifest("facts.txt", 4)
        self.values = {}
        self.sources = {}

    def get(self, name, stack=()):
        if name in self.values:
            return self.values[name]
        if name not in self.rows:
            raise BuildError("no fact {{%s}} in slides/facts.txt" % name)
        if name in stack:
            raise BuildError("fact %s depends on itself" % name)
        run, source, how, where = self.rows[name]
        try:
            value, said = self.compute(name, run, source, how, stack + (name,))
        except BuildError as e:
            raise BuildError("%s (fact %s): %s" % (where, name, e))
        self.values[name] = value
        self.sources[name] = said
        return value

    def compute(self, name, run, source, how, stack):
        if run == "=" or source == "arith":
            # Arithmetic on other facts: "{a} / {b}" with a %-format.
            if run != "=" or source != "arith":
                raise BuildError("arithmetic is written `NAME | = | arith | {a} / {b} as %.1f`")
            expr, _, form = how.partition(" as ")
            names = re.findall(r"\{(\w+)\}", expr)
            env = {}
            for n in names:
                v = self.get(n, stack).replace(",", "").rstrip("%")
                env[n] = float(v)
            value = eval(re.sub(r"\{(\w+)\}", r"\1", expr), {"__builtins__": {}}, env)
            return ((form or "%g") % value), "= " + expr
        if source == "codelines":
            return fmt_number(code_lines(expand_globs(how, self.runs.used))), "code lines of " + how
        if source == "files":
            return fmt_number(len(expand_globs(how, self.runs.used))), "files " + how
        if source.startswith("file:"):
            path = os.path.join(ROOT, source[len("file:"):])
            self.runs.used.add(path)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            said = rel(path)
        elif source in ("serial", "trace", "stats", "count"):
            if source == "serial":
                text = self.runs.text(run, "serial.log")
            elif source == "stats":
                text = self.runs.tool([self.runs.hvtrace, "stats", self.runs.file(run, "trace.bin")])
            else:
                text = "\n".join(r[2] for r in self.runs.dump(run))
            said = "%s of %s" % ("trace" if source == "count" else source, run)
            if source == "count":
                return fmt_number(len(re.findall(how, text, re.M))), "records /%s/ in %s" % (how, run)
        else:
            raise BuildError("unknown source %r (serial, trace, stats, count, file:PATH, "
                             "codelines, files, arith)" % source)
        m = re.search(how, text, re.M)
        if not m:
            raise BuildError("/%s/ not found in the %s" % (how, said))
        value = m.group(1) if m.groups() else m.group(0)
        if re.fullmatch(r"\d+", value):
            value = fmt_number(int(value))
        return value, "/%s/ in the %s" % (how, said)


# ---- figures -------------------------------------------------------------------

class Figures:
    def __init__(self, runs, outdir):
        self.runs = runs
        self.rows = read_manifest("figures.txt", 3)
        self.outdir = outdir
        self.made = {}

    def path(self, name):
        if name in self.made:
            return self.made[name]
        if name not in self.rows:
            raise BuildError("no figure fig:%s in slides/figures.txt" % name)
        run, how, where = self.rows[name]
        try:
            svg = self.draw(run, how)
        except BuildError as e:
            raise BuildError("%s (figure %s): %s" % (where, name, e))
        os.makedirs(self.outdir, exist_ok=True)
        out = os.path.join(self.outdir, name + ".svg")
        fd, tmp = tempfile.mkstemp(dir=self.outdir, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(svg)
        os.replace(tmp, out)            # decks are built in parallel
        self.made[name] = out
        return out

    def draw(self, run, how):
        """hvtrace arguments, with the record positions found in the trace:
        from=/RE/ [back=K] -> -f (sequence), n=N -> -n, at=/RE/ -> -a
        (pagetable), tfrom=/RE/ [before=US] [tlen=US] -> -f/-t in
        microseconds (timeline).  /RE/ may hold spaces."""
        opts = {}
        def take(m):
            opts[m.group(1)] = m.group(2)
            return " "
        how = re.sub(r"\b(from|at|tfrom)=/((?:[^/\\]|\\.)*)/", take, how)
        words = shlex.split(how)
        if not words or words[0] not in ("dot", "timeline"):
            raise BuildError("want `dot KIND ...` or `timeline ...`")
        args = []
        for w in words[1:]:
            key, eq, val = w.partition("=")
            if eq and key in ("back", "tlen", "before"):
                opts[key] = val
            elif eq and key == "n":
                args += ["-n", val]
            else:
                args.append(w)
        for key in ("from", "at", "tfrom"):
            if key in opts:
                pat = opts[key]
                idx, us, _ = self.runs.find(run, pat, key)
                if key == "from":
                    args += ["-f", str(max(0, idx - int(opts.get("back", "0"))))]
                elif key == "at":
                    args += ["-a", str(idx)]
                else:
                    start = max(0, us - float(opts.get("before", "0")))
                    args += ["-f", "%d" % start]
                    if "tlen" in opts:
                        args += ["-t", "%d" % (start + float(opts["tlen"]))]
        trace = self.runs.file(run, "trace.bin")
        if words[0] == "timeline":
            return self.runs.tool([self.runs.hvtrace, "timeline"] + args + [trace])
        kind = args[0] if args else ""
        text = self.runs.tool([self.runs.hvtrace, "dot"] + args[1:] + [kind, trace])
        return self.runs.tool(["dot", "-Tsvg"], stdin=text)


# ---- the deck -------------------------------------------------------------------

def source_lines(path, used):
    full = os.path.join(ROOT, path)
    if not os.path.isfile(full):
        raise BuildError("no file %s" % path)
    used.add(full)
    with open(full, encoding="utf-8") as f:
        return f.read().split("\n")


def excerpt(path, opts, used):
    lines = source_lines(path, used)
    if "fn" in opts:
        # The function's definition: its name at the start of a line (or after
        # the return type) followed by "(", not ending in ";", to the first "}"
        # in column 0.  The comment just above it comes along.
        name = re.escape(opts["fn"])
        for i, l in enumerate(lines):
            if re.match(r"^[A-Za-z_][\w \*]*\b%s\(" % name, l) and not l.rstrip().endswith(";"):
                j = i
                while j < len(lines) and lines[j] != "}":
                    j += 1
                if j == len(lines):
                    raise BuildError("%s: %s() has no closing brace in column 0" % (path, opts["fn"]))
                k = i
                if "nocomment" not in opts:
                    while k > 0 and lines[k - 1].strip().startswith(("/*", "*", "//")):
                        k -= 1
                return lines[k:j + 1], "%s, %s()" % (path, opts["fn"])
        raise BuildError("%s: no function %s()" % (path, opts["fn"]))
    if "from" in opts:
        start = next((i for i, l in enumerate(lines) if re.search(opts["from"], l)), None)
        if start is None:
            raise BuildError("%s: nothing matches from=/%s/" % (path, opts["from"]))
        end = start
        if "to" in opts:
            end = next((i for i in range(start + 1, len(lines)) if re.search(opts["to"], lines[i])),
                       None)
            if end is None:
                raise BuildError("%s: nothing after line %d matches to=/%s/" % (path, start + 1, opts["to"]))
        return lines[start:end + 1], path
    raise BuildError("@code/@quote %s: say fn=NAME or from=RE [to=RE]" % path)


def uncomment(lines):
    out = []
    for l in lines:
        l = re.sub(r"^\s*(/\*+|\*+/|\*|//|#)\s?", "", l)
        l = re.sub(r"\s*\*/\s*$", "", l)
        out.append(l)
    return out


def quote(lines, caption):
    """The kit's words as a quotation: prose stays prose; runs of indented
    lines (tables, pictures, code in a comment) keep their layout."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    out, block = [], []

    def flush():
        if block:
            out.extend(["> ```txt"] + ["> " + b for b in block] + ["> ```", ">"])
            block.clear()

    for l in lines:
        if l.startswith("  ") and l.strip():
            block.append(l[2:])
        else:
            flush()
            out.append("> " + l if l.strip() else ">")
    flush()
    while out and out[-1] == ">":
        out.pop()
    return "\n".join(out) + "\n\n[%s]{.source}" % caption


def parse_directive(line):
    words = shlex.split(line)
    pos, opts = [], {}
    for w in words[1:]:
        key, eq, val = w.partition("=")
        if eq and key in ("fn", "from", "to", "lang", "max", "nocomment"):
            opts[key] = val
        else:
            pos.append(w)
    return words[0], pos, opts


def fence(lines, lang, caption):
    body = "\n".join(lines).strip("\n")
    tick = "```"
    while tick in body:
        tick += "`"
    return "%s {.%s}\n%s\n%s\n\n[%s]{.source}" % (tick, lang, body, tick, caption)


def expand(md, facts, figures, runs):
    out = []
    in_fence = None
    for line in md.split("\n"):
        if in_fence is None and re.match(r"^(```+|~~~+)", line):
            in_fence = re.match(r"^(```+|~~~+)", line).group(1)
            out.append(line)
            continue
        if in_fence is not None:
            if line.startswith(in_fence):
                in_fence = None
            out.append(facts_in(line, facts))
            continue
        if line.startswith("@"):
            kind, pos, opts = parse_directive(line)
            if kind in ("@code", "@quote") and len(pos) == 1:
                lines, caption = excerpt(pos[0], opts, runs.used)
                if kind == "@code":
                    lang = opts.get("lang", "c" if pos[0].endswith((".c", ".h")) else "txt")
                    out.append(fence(lines, lang, caption))
                else:
                    out.append(quote(uncomment(lines), caption))
            elif kind in ("@serial", "@trace") and len(pos) == 2:
                run, pat = pos
                if kind == "@serial":
                    src = runs.text(run, "serial.log").split("\n")
                    what = "console of the %s run" % run
                else:
                    src = [r[2].rstrip() for r in runs.dump(run)]
                    what = "trace of the %s run (`hvtrace dump`)" % run
                got = [l for l in src if re.search(pat, l)]
                if not got:
                    raise BuildError("%s: no line of the %s matches /%s/" % (kind, what, pat))
                n = int(opts.get("max", "12"))
                if len(got) > n:
                    got = got[:n] + ["... (%d more)" % (len(got) - n)]
                if kind == "@trace":
                    got = [re.sub(r"^\s*(\d+)\s+(\d+)\s+", r"\1 ", l) for l in got]
                out.append(fence(got, "txt", what))
            else:
                raise BuildError("cannot read directive: %s" % line)
            continue
        line = re.sub(r"\]\(fig:([\w.-]+)\)", lambda m: "](%s)" % figures.path(m.group(1)), line)
        out.append(facts_in(line, facts))
    return "\n".join(out)


def facts_in(line, facts):
    return re.sub(r"\{\{(\w+)\}\}", lambda m: facts.get(m.group(1)), line)


def check_notes(md, path):
    """Every slide (a level-1 heading) has a `::: notes` block."""
    slides, cur = [], None
    in_fence = None
    lines = md.split("\n")
    body = 0                            # the first line after the front matter
    if lines and lines[0].strip() == "---":
        body = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    for n, line in enumerate(lines, 1):
        if n <= body:
            continue
        if in_fence is None and re.match(r"^(```+|~~~+)", line):
            in_fence = re.match(r"^(```+|~~~+)", line).group(1)
        elif in_fence is not None and line.startswith(in_fence):
            in_fence = None
        elif in_fence is None and line.startswith("# "):
            cur = [line[2:].strip(), n, False]
            slides.append(cur)
        elif in_fence is None and cur and re.match(r"^:::+\s*\{?\.?notes\}?\s*$", line):
            cur[2] = True
    if not slides:
        raise BuildError("%s: no slides (a slide starts at a `# ` heading)" % rel(path))
    # Anything but the YAML front matter before the first heading would be a
    # slide of its own, without a title or notes.
    if any(l.strip() for l in lines[body:slides[0][1] - 1]):
        raise BuildError("%s: text before the first `# ` heading (put comments in the "
                         "front matter, as YAML # lines)" % rel(path))
    bare = ["%s:%d %s" % (rel(path), n, t) for t, n, ok in slides if not ok]
    if bare:
        raise BuildError("slides without speaker notes (::: notes):\n  " + "\n  ".join(bare))
    return len(slides)


def pandoc(src, out, reveal_dir):
    ver = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout
    m = re.search(r"pandoc\S* (\d+)\.(\d+)", ver)
    major, minor = (int(m.group(1)), int(m.group(2))) if m else (2, 0)
    # pandoc 2.19 renamed --self-contained to --embed-resources --standalone.
    embed = ["--embed-resources", "--standalone"] if (major, minor) >= (2, 19) else ["--self-contained"]
    argv = ["pandoc", "--from", "markdown-tex_math_dollars-tex_math_single_backslash",
            "--to", "revealjs", "--slide-level", "1", *embed, "--fail-if-warnings",
            "--highlight-style", "pygments",
            "--css", os.path.join(SLIDES, "style.css"),
            "--resource-path", os.path.dirname(src),
            "-V", "revealjs-url=" + reveal_dir,
            "-V", "theme=white", "-V", "hash=true", "-V", "slideNumber=true",
            "-V", "transition=none", "-V", "width=1280", "-V", "height=800",
            "-V", "controlsTutorial=false", "-V", "center=false",
            "-o", out, src]
    p = subprocess.run(argv, capture_output=True, text=True, cwd=os.path.dirname(src))
    if p.returncode != 0 or p.stderr.strip():
        raise BuildError("pandoc failed on %s:\n%s" % (rel(src), p.stderr.strip()))


def build_deck(deck, out, build):
    out = os.path.abspath(out)
    runs = Runs(build)
    outdir = os.path.dirname(os.path.abspath(out))
    facts, figures = Facts(runs), Figures(runs, os.path.join(outdir, "fig"))
    with open(deck, encoding="utf-8") as f:
        md = f.read()
    nslides = check_notes(md, deck)
    text = expand(md, facts, figures, runs)
    srcdir = os.path.join(outdir, "src")
    os.makedirs(srcdir, exist_ok=True)
    src = os.path.join(srcdir, os.path.basename(deck))
    with open(src, "w", encoding="utf-8") as f:
        f.write(text)
    reveal = os.path.join(outdir, "npm", "node_modules", "reveal.js")
    if not os.path.isfile(os.path.join(reveal, "dist", "reveal.js")):
        raise BuildError("reveal.js is not installed in %s (make slides installs it)" % rel(reveal))
    tmp = out + ".tmp.html"
    pandoc(src, tmp, reveal)
    os.replace(tmp, out)
    # What the deck was made from, for make: rebuild when any of it changes.
    with open(os.path.splitext(out)[0] + ".d", "w") as f:
        deps = sorted(rel(p) if os.path.isabs(p) else p for p in runs.used)
        f.write("%s: %s\n" % (rel(os.path.abspath(out)), " ".join(deps)))
        # An empty rule per file (gcc -MP does the same): a file that was
        # moved or removed since (a lab's file going to labs/) makes the
        # deck be rebuilt instead of stopping make with "No rule".
        for d in deps:
            f.write("\n%s:\n" % d)
    return nslides, len(figures.made), len(facts.values)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--out")
    ap.add_argument("--facts", action="store_true", help="print every fact and where it came from")
    ap.add_argument("deck", nargs="?")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    try:
        if a.facts:
            facts = Facts(Runs(build))
            for name in facts.rows:
                v = facts.get(name)
                print("%-28s %-14s %s" % (name, v, facts.sources[name]))
            return 0
        if not a.deck or not a.out:
            ap.error("give a deck and --out")
        n, nfig, nfact = build_deck(a.deck, a.out, build)
        print("  %s: %d slides, %d diagrams, %d facts" % (rel(os.path.abspath(a.out)), n, nfig, nfact))
        return 0
    except BuildError as e:
        print("slides/build.py: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
