#!/usr/bin/env python3
"""tools/tour.py — the kit's reading order (docs/tour.txt): check it, print it, render it.

    python3 tools/tour.py check                 the tour checks of `make test`
    python3 tools/tour.py reading-order         docs/reading-order.md, generated
    python3 tools/tour.py book -o FILE.html     the book (`make book`), with pandoc
    python3 tools/tour.py check-book FILE.html  the book has every file, nothing external
    python3 tools/tour.py deps                  every file the book is made from

docs/tour.txt names every source file of the kit once, in reading order,
grouped in chapters (its header says the format).  Everything else is
generated from it or checked against it, so the reading order cannot go
stale: a new file that is not in the tour, a tour entry that is no longer a
file, a file whose opening comment does not begin with its own path, a
chapter README whose "Files" list disagrees with the tour -- each fails
`make test` with a message that says what to add or change where.

Python's standard library only; the book also needs pandoc (Debian's, 2.17:
--self-contained), which tools/ensure-deps.sh installs.
"""

import html
import html.parser
import os
import re
import subprocess
import sys
import tempfile

# The kit's top folder: this file's parent's parent (so a copy of the kit
# is checked by its own copy of this file: tests/checks/tour.sh does that).
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOUR = "docs/tour.txt"
READING_ORDER = "docs/reading-order.md"
BOOK_CSS = "tools/book.css"
BOOK_LUA = "tools/book.lua"

SOURCE_EXTS = (".c", ".h", ".S", ".ld", ".def")
# The folders whose every source file the tour must name (the rest -- tests/,
# bench/, fuzz/ -- are outside the story; docs/tour.txt says why).
TOUR_ROOTS = ("hv", "minios-guest", "tracer", "viz", "labs", "solutions")
# The folders whose README.md files are chapter READMEs with a checked file
# list.  (labs/labN/README.md are handouts: chapters too, but free-form.)
README_ROOTS = ("hv", "minios-guest", "tracer", "viz")
TAG_DASH = " \u2014 "          # "path — summary": an em dash between spaces

HIGHLIGHT = {".c": "c", ".h": "c", ".def": "c", ".ld": "c", ".S": "gnuassembler"}


# ----------------------------------------------------------------------------
# The tour file

class Chapter:
    def __init__(self, title, line):
        self.title = title
        self.line = line          # line number in docs/tour.txt
        self.concept = None
        self.readme = None
        self.files = []           # repository-relative paths, in order


def parse_tour(text):
    """The chapters of docs/tour.txt, and the format errors found."""
    chapters, errors = [], []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        where = "%s:%d" % (TOUR, n)
        if word == "chapter":
            if not rest:
                errors.append("%s: a chapter needs a title" % where)
            chapters.append(Chapter(rest, n))
        elif word in ("concept", "readme"):
            if not chapters:
                errors.append("%s: '%s' before the first chapter" % (where, word))
            elif not rest:
                errors.append("%s: '%s' needs a value" % (where, word))
            elif getattr(chapters[-1], word) is not None:
                errors.append("%s: chapter '%s' has two %s lines" % (where, chapters[-1].title, word))
            else:
                setattr(chapters[-1], word, rest)
        elif rest:
            errors.append("%s: unknown line %r (a file line is one path; "
                          "keywords: chapter, concept, readme)" % (where, line))
        elif not chapters:
            errors.append("%s: file %s before the first chapter" % (where, word))
        else:
            chapters[-1].files.append(word)
    for ch in chapters:
        if ch.concept is None:
            errors.append("%s:%d: chapter '%s' has no concept line" % (TOUR, ch.line, ch.title))
        if ch.readme is None:
            errors.append("%s:%d: chapter '%s' has no readme line" % (TOUR, ch.line, ch.title))
    return chapters, errors


def load_tour():
    with open(os.path.join(ROOT, TOUR), encoding="utf-8") as f:
        return parse_tour(f.read())


def tour_files(chapters):
    return [f for ch in chapters for f in ch.files]


# ----------------------------------------------------------------------------
# The repository's files

def repo_files():
    """Every file of the kit: git's list in a checkout, else a walk (a tarball)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
        if os.path.realpath(top) != os.path.realpath(ROOT):
            raise OSError("not the kit's own checkout")
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        files = [f for f in out.stdout.decode("utf-8").split("\0") if f]
        # A file deleted in the work tree but not yet in git is gone.
        return sorted(f for f in files if os.path.isfile(os.path.join(ROOT, f)))
    except (OSError, subprocess.CalledProcessError):
        found = []
        for top, dirs, names in os.walk(ROOT):
            rel = os.path.relpath(top, ROOT)
            dirs[:] = [d for d in dirs if not (rel == "." and d in ("build", ".git"))]
            found += [os.path.normpath(os.path.join(rel, n)) for n in names]
        return sorted(found)


def is_source(path):
    return path.endswith(SOURCE_EXTS)


def under(path, roots):
    return path.split("/", 1)[0] in roots


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


# ----------------------------------------------------------------------------
# Opening comments: the tag ("hv/mm/mm.c — the machine-frame allocator.")

def opening_comment(text):
    """(comment lines without their ' * ' frame, index of the first code line),
    or (None, 0) when the file does not open with a comment."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return None, 0
    first = lines[i].lstrip()
    body = []
    if first.startswith("/*"):
        rest = first[2:]
        while True:
            end = rest.find("*/")
            if end >= 0:
                body.append(rest[:end])
                break
            body.append(rest)
            i += 1
            if i == len(lines):
                return None, 0
            rest = lines[i]
        i += 1
        cleaned = []
        for b in body:
            s = b.rstrip()
            m = re.match(r"^\s*\* ?", s)
            if m and not s.lstrip().startswith("*/"):
                s = s[m.end():]
            cleaned.append(s)
        body = cleaned
    elif first.startswith("//"):
        while i < len(lines) and lines[i].lstrip().startswith("//"):
            s = lines[i].lstrip()[2:]
            body.append(s[1:] if s.startswith(" ") else s)
            i += 1
    else:
        return None, 0
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    while i < len(lines) and not lines[i].strip():
        i += 1
    return body, i


def first_paragraph(body):
    para = []
    for b in body:
        if not b.strip():
            break
        para.append(b.strip())
    return " ".join(para)


def tag_problem(path, text):
    """None if the file opens with its tag, else what is wrong."""
    body, _ = opening_comment(text)
    if body is None:
        return "does not open with a comment"
    if not body:
        return "its opening comment is empty"
    para = first_paragraph(body)
    if para.startswith(path) and para[len(path):].strip() == TAG_DASH.strip():
        return "its opening comment has no summary after '%s'" % TAG_DASH.strip()
    if not para.startswith(path + TAG_DASH):
        return ("its opening comment does not begin with its own path: want %r, found %r"
                % (path + TAG_DASH + "summary", para[:len(path) + 20]))
    if len(para[len(path) + len(TAG_DASH):].strip()) < 3:
        return "its opening comment has no summary after '%s'" % TAG_DASH.strip()
    return None


def summary(path, text):
    """The first sentence after 'path — ' in the opening comment."""
    body, _ = opening_comment(text)
    para = first_paragraph(body or [])
    rest = para[len(path) + len(TAG_DASH):] if para.startswith(path + TAG_DASH) else para
    depth = 0
    for i, c in enumerate(rest):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c in ".?!" and depth == 0 and (i + 1 == len(rest) or rest[i + 1] == " "):
            word = rest[:i].split(" ")[-1]
            if word.lower() in ("e.g", "i.e", "etc", "vs", "cf"):
                continue
            return rest[:i + 1]
    return rest


# ----------------------------------------------------------------------------
# Chapter READMEs: their "Files" list must be the tour's, for their folder

def readme_dirs(files):
    return sorted(os.path.dirname(f) for f in files
                  if os.path.basename(f) == "README.md" and under(f, README_ROOTS))


def nearest(dirpath, dirs, include_self=True):
    """The nearest folder of `dirs` that is dirpath or above it (within its root)."""
    d = dirpath if include_self else os.path.dirname(dirpath)
    while d:
        if d in dirs:
            return d
        d = os.path.dirname(d)
    return None


def readme_sections(text, headings=("Files", "Chapters")):
    """The lines of every '## Files...' / '## Chapters...' section."""
    out, keep = [], False
    for line in text.split("\n"):
        if line.startswith("#"):
            m = re.match(r"^##\s+(\w+)", line)
            keep = bool(m and m.group(1) in headings and not line.startswith("###"))
            continue
        if keep:
            out.append(line)
    return out


def resolve(token, base):
    """A README's name for a file or folder, as a repository path."""
    if token.split("/", 1)[0] in TOUR_ROOTS + ("docs", "tests", "bench", "fuzz", "tools"):
        p = token
    else:
        p = os.path.join(base, token)
    p = os.path.normpath(p)
    return p + "/" if token.endswith("/") else p


def check_readmes(chapters, files, errors):
    """Each chapter README under hv/ minios-guest/ tracer/ viz/ covers the
    source files of its folder and of the folders below it that have no
    README of their own.  Its '## Files...' (or '## Chapters...') sections
    must name each of those files, and each README folder just below it
    (`mm/`), in the tour's order.  A name is relative to the README's folder
    (`mm.c`, `native/boot-native.S`) or a path from the top (`hv/...`,
    `labs/...`); every name given must exist."""
    rdirs = readme_dirs(files)
    rset = set(rdirs)
    position = {}                       # tour file or chapter folder -> place in the tour
    n = 0
    for ch in chapters:
        position[os.path.dirname(ch.readme or "") + "/"] = n
        n += 1
        for f in ch.files:
            position.setdefault(f, n)
            n += 1
    readmes = {ch.readme for ch in chapters}
    for d in rdirs:
        if d + "/README.md" not in readmes:
            errors.append("%s/README.md is no chapter of %s: add a chapter for it" % (d, TOUR))
    covered = {d: [] for d in rdirs}
    children = {d: [] for d in rdirs}
    for f in files:
        if is_source(f) and under(f, README_ROOTS):
            d = nearest(os.path.dirname(f), rset)
            if d is None:
                errors.append("%s: no README.md covers its folder (add %s/README.md)"
                              % (f, os.path.dirname(f)))
            else:
                covered[d].append(f)
    for d in rdirs:
        p = nearest(d, rset, include_self=False)
        if p:
            children[p].append(d + "/")
    for d in rdirs:
        readme = d + "/README.md"
        want = set(covered[d]) | set(children[d])
        lines = readme_sections(read(readme))
        if not want:
            continue
        if not lines:
            errors.append("%s: no '## Files' section naming %s" % (readme, ", ".join(sorted(want))))
            continue
        named = []
        for line in lines:
            for token in re.findall(r"`([^`]+)`", line):
                for t in re.split(r"[\s,]+", token):
                    if t.endswith(SOURCE_EXTS) or t.endswith("/"):
                        p = resolve(t, d)
                        if p.endswith("/"):
                            if not os.path.isdir(os.path.join(ROOT, p)):
                                errors.append("%s names %s, which is no folder" % (readme, t))
                        elif not os.path.isfile(os.path.join(ROOT, p)):
                            errors.append("%s names %s, which is no file (%s)" % (readme, t, p))
                        if p in want and p not in named:
                            named.append(p)
        for missing in sorted(want - set(named)):
            hint = ""
            if not missing.endswith("/") and os.path.dirname(missing) != d:
                hint = " (or give %s/ a README.md of its own)" % os.path.dirname(missing)
            errors.append("%s: its Files section does not name %s%s" % (readme, missing, hint))
        inorder = [p for p in named if p in position]
        if inorder != sorted(inorder, key=lambda p: position[p]):
            errors.append("%s: its Files section is not in the tour's order; the tour reads: %s"
                          % (readme, ", ".join(sorted(inorder, key=lambda p: position[p]))))


# ----------------------------------------------------------------------------
# The checks

def check():
    chapters, errors = load_tour()
    files = repo_files()
    exists = set(files)
    named = tour_files(chapters)
    seen = set()
    for f in named:
        if f in seen:
            errors.append("%s names %s twice" % (TOUR, f))
        seen.add(f)
        if not os.path.isfile(os.path.join(ROOT, f)):
            errors.append("%s names %s, which is no file of the kit" % (TOUR, f))
        elif not is_source(f) or not under(f, TOUR_ROOTS):
            errors.append("%s names %s, which is no source file under %s"
                          % (TOUR, f, "/, ".join(TOUR_ROOTS) + "/"))
    for f in files:
        if is_source(f) and under(f, TOUR_ROOTS) and f not in seen:
            errors.append("%s is missing from %s: add it to its chapter, in reading order"
                          % (f, TOUR))
    readmes = set()
    for r in [ch.readme for ch in chapters if ch.readme]:
        if not os.path.isfile(os.path.join(ROOT, r)):
            errors.append("%s: the chapter README %s does not exist" % (TOUR, r))
        if r in readmes:
            errors.append("%s: %s is the README of two chapters" % (TOUR, r))
        readmes.add(r)
    tagged = 0
    for f in files:
        if is_source(f):
            problem = tag_problem(f, read(f))
            if problem:
                errors.append("%s: %s" % (f, problem))
            tagged += 1
    check_readmes(chapters, files, errors)
    if os.path.isfile(os.path.join(ROOT, READING_ORDER)):
        if read(READING_ORDER) != reading_order(chapters):
            errors.append("%s is not what %s says: run `python3 tools/tour.py reading-order > %s`"
                          % (READING_ORDER, TOUR, READING_ORDER))
    else:
        errors.append("%s is missing: run `python3 tools/tour.py reading-order > %s`"
                      % (READING_ORDER, READING_ORDER))
    for e in errors:
        print("tour: " + e)
    print("tour: %d chapters, %d files in the tour, %d source files tagged; %d problems"
          % (len(chapters), len(named), tagged, len(errors)))
    return 1 if errors else 0


# ----------------------------------------------------------------------------
# docs/reading-order.md

def reading_order(chapters):
    out = ["# Reading order", "",
           "<!-- Generated from docs/tour.txt by `python3 tools/tour.py reading-order`;",
           "     edit the tour, not this file.  `make test` checks that they agree. -->",
           "",
           "The whole kit is meant to be read, in this order; each file builds on the",
           "ones before it.  `make book` renders the same order as one HTML file",
           "(`build/book/hvkit-book.html`): each chapter's README, then each file's",
           "opening comment as prose and its code.  The list itself is",
           "`docs/tour.txt`; each line below is the file's own summary, the first",
           "sentence of its opening comment.",
           "",
           "Not in the tour: `tests/`, `bench/` and `fuzz/`, which check and measure",
           "the kit rather than teach a concept of the course (`docs/tour.txt` says",
           "more).", ""]
    for i, ch in enumerate(chapters, 1):
        out.append("## %d. %s" % (i, ch.title))
        out.append("")
        out.append("*%s* (`%s`)" % (ch.concept, ch.readme))
        out.append("")
        for f in ch.files:
            try:
                s = summary(f, read(f))
            except OSError:
                s = "(missing)"
            out.append("- `%s` — %s" % (f, s))
        if ch.files:
            out.append("")
    return "\n".join(out)


# ----------------------------------------------------------------------------
# The book

def anchor(path):
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


PATH_RE = re.compile(r"(?<![\w/.-])((?:\.\./)*[\w][\w.-]*(?:/[\w.-]+)*\.(?:c|h|S|ld|def|md))(?![\w/])")


def link_paths(escaped, base, known):
    """Names of tour files in (escaped) prose become links to their section."""
    def sub(m):
        name = m.group(1)
        for p in (name, os.path.normpath(os.path.join(base, name))):
            if p in known:
                return '<a href="#%s">%s</a>' % (known[p], name)
        return name
    return PATH_RE.sub(sub, escaped)


EMPH_RE = re.compile(r"(?<![\w*])\*([A-Za-z][A-Za-z' -]{0,40}[A-Za-z]|[A-Za-z])\*(?![\w*])")


def prose_html(path, body, known):
    """An opening comment as HTML: plain paragraphs as prose, anything laid
    out by hand (indented lists, tables, diagrams) kept as it is.  The tag
    (the file's own path) is the section's heading already: the summary
    after it opens the prose."""
    base = os.path.dirname(path)
    body = list(body)
    if body and body[0].startswith(path + TAG_DASH):
        lead = body[0][len(path) + len(TAG_DASH):]
        body[0] = lead[:1].upper() + lead[1:]
    blocks, cur = [], []
    for line in body:
        if line.strip():
            cur.append(line)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    out = []
    for n, b in enumerate(blocks):
        laid_out = any(l.startswith(" ") or re.search(r"\S {3,}\S", l) for l in b)
        if laid_out:
            out.append('<pre class="laid-out">%s</pre>'
                       % link_paths(html.escape("\n".join(b), quote=False), base, known))
        else:
            text = html.escape(" ".join(l.strip() for l in b), quote=False)
            text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
            text = EMPH_RE.sub(r"<em>\1</em>", text)
            out.append("<p%s>%s</p>" % (' class="lead"' if n == 0 else "", link_paths(text, base, known)))
    return '<div class="prose">\n%s\n</div>' % "\n".join(out)


def readme_markdown(path, known):
    """A chapter README, its headings one level down and its title dropped
    (the chapter's heading replaces it)."""
    lines = read(path).split("\n")
    out, fence, dropped = [], None, False
    for line in lines:
        m = re.match(r"^(```+|~~~+)", line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif line.startswith(fence):
                fence = None
        elif fence is None and re.match(r"^#{1,5} ", line):
            if line.startswith("# ") and not dropped and not [o for o in out if o.strip()]:
                dropped = True
                continue
            line = "#" + line.rstrip() + " {-}"       # README sections are not numbered
        out.append(line)
    return ("::: {.readme base=\"%s\"}\n%s\n:::\n" % (os.path.dirname(path), "\n".join(out)))


def file_markdown(path, known):
    text = read(path)
    body, code_start = opening_comment(text)
    lines = text.split("\n")
    code = "\n".join(lines[code_start:]).rstrip("\n")
    ext = os.path.splitext(path)[1]
    fence = "~" * max(4, 1 + max([len(r) for r in re.findall(r"~+", code)] or [0]))
    out = ["## %s {#%s .file}" % (path, known[path]), "",
           "```{=html}", prose_html(path, body or [], known), "```", ""]
    if code.strip():
        out += ['%s {.%s .numberLines startFrom="%d"}' % (fence, HIGHLIGHT[ext], code_start + 1),
                code, fence, ""]
    return "\n".join(out)


def git_version():
    try:
        rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
        return rev
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def book_markdown(chapters):
    known = {f: anchor(f) for f in tour_files(chapters)}
    out = ["::: {.front}",
           "This is the whole of hvkit, a teaching hypervisor kit, in the order it is",
           "meant to be read: %d chapters, %d files (the list is `docs/tour.txt`)."
           % (len(chapters), len(known)),
           "Each chapter opens with the course concept it teaches and its README;",
           "then, for each file, its opening comment as prose and its code, with",
           "line numbers as in the file.  Names of files in the text are links.",
           "Generated by `make book` from revision `%s`." % git_version(),
           ":::", ""]
    for i, ch in enumerate(chapters, 1):
        out += ["# %s {#ch-%d .chapter}" % (ch.title, i), "",
                "::: {.concept}", "**Concept.** " + ch.concept, ":::", ""]
        out.append(readme_markdown(ch.readme, known))
        for f in ch.files:
            out.append(file_markdown(f, known))
    return "\n".join(out)


def book(outfile):
    chapters, errors = load_tour()
    if errors:
        for e in errors:
            print("tour: " + e, file=sys.stderr)
        return 1
    md = book_markdown(chapters)
    os.makedirs(os.path.dirname(os.path.abspath(outfile)), exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as t:
        t.write(md)
        src = t.name
    paths = " ".join(tour_files(chapters))
    # pandoc 2.19 renamed --self-contained to --embed-resources --standalone
    # (and later ones warn about the old name); Debian 12's 2.17 has only it.
    try:
        usage = subprocess.run(["pandoc", "--help"], capture_output=True, text=True).stdout
    except OSError:
        print("book: pandoc is not installed (tools/ensure-deps.sh installs it)", file=sys.stderr)
        return 1
    embed = ["--embed-resources"] if "--embed-resources" in usage else ["--self-contained"]
    cmd = ["pandoc", "--from", "markdown-implicit_figures", "--to", "html5",
           "--standalone"] + embed + ["--toc", "--toc-depth=2",
           "--number-sections", "--section-divs",
           "--highlight-style=tango", "--css", os.path.join(ROOT, BOOK_CSS),
           "--lua-filter", os.path.join(ROOT, BOOK_LUA),
           "--resource-path", ROOT,
           "--metadata", "title=hvkit: the book",
           "--metadata", "subtitle=a teaching hypervisor, read in order",
           "--metadata", "lang=en",
           "--metadata", "tourfiles=" + paths,
           "-o", outfile, src]
    try:
        r = subprocess.run(cmd, cwd=ROOT)
    finally:
        os.unlink(src)
    if r.returncode == 0:
        print("book: %s (%d chapters, %d files, %d KiB)"
              % (outfile, len(chapters), len(tour_files(chapters)), os.path.getsize(outfile) // 1024))
    return r.returncode


# ----------------------------------------------------------------------------
# Checking the book

class BookReader(html.parser.HTMLParser):
    """Collects the text under each file's heading, and every reference out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = {}      # anchor -> text
        self.current = None
        self.refs = []          # (tag, attribute, value)
        self.styles = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "data", "poster", "action", "formaction", "srcset"):
            if k in a and a[k] is not None:
                self.refs.append((tag, k, a[k]))
        if tag == "section" and a.get("id"):
            self.current = a["id"] if a["id"].startswith("f-") else None
            if self.current:
                self.sections[self.current] = []
        if tag == "style":
            self.in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.styles.append(data)
        if self.current:
            self.sections[self.current].append(data)


def squash(s):
    return re.sub(r"\s+", "", s)


def check_book(path):
    chapters, errors = load_tour()
    with open(path, encoding="utf-8") as f:
        page = f.read()
    reader = BookReader()
    reader.feed(page)
    def words(s):
        return " ".join(s.replace("\u2019", "'").split())
    text = words(html.unescape(re.sub(r"<[^>]*>", " ", page)))
    for ch in chapters:
        if words(ch.title) not in text:
            errors.append("the book has no chapter '%s'" % ch.title)
    for f in tour_files(chapters):
        a = anchor(f)
        if a not in reader.sections:
            errors.append("the book has no section for %s (#%s)" % (f, a))
            continue
        body, start = opening_comment(read(f))
        code = "\n".join(read(f).split("\n")[start:])
        if squash(code) not in squash("".join(reader.sections[a])):
            errors.append("the book's section for %s does not hold its whole code" % f)
    for tag, attr, value in reader.refs:
        v = value.strip()
        if attr == "href" and v.startswith("#"):
            continue
        if attr == "src" and v.startswith("data:"):
            continue
        errors.append("the book refers outside itself: <%s %s=\"%s\">" % (tag, attr, v[:80]))
    for s in reader.styles:
        for m in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", s):
            if not m.group(1).startswith("data:"):
                errors.append("the book's style sheet refers outside it: url(%s)" % m.group(1)[:80])
        if "@import" in s:
            errors.append("the book's style sheet imports another")
    for e in errors:
        print("book: " + e)
    print("book: %s: %d chapters, %d files checked, %d references checked; %d problems"
          % (path, len(chapters), len(tour_files(chapters)), len(reader.refs), len(errors)))
    return 1 if errors else 0


# ----------------------------------------------------------------------------

def main(argv):
    if len(argv) >= 2 and argv[1] == "check":
        return check()
    if len(argv) >= 2 and argv[1] == "reading-order":
        chapters, errors = load_tour()
        if errors:
            print("\n".join("tour: " + e for e in errors), file=sys.stderr)
            return 1
        sys.stdout.write(reading_order(chapters))
        return 0
    if len(argv) == 4 and argv[1] == "book" and argv[2] == "-o":
        return book(argv[3])
    if len(argv) == 3 and argv[1] == "check-book":
        return check_book(argv[2])
    if len(argv) == 2 and argv[1] == "deps":
        chapters, _ = load_tour()
        print(" ".join([TOUR, BOOK_CSS, BOOK_LUA, "tools/tour.py"] +
                       [c.readme for c in chapters if c.readme] + tour_files(chapters)))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv))
