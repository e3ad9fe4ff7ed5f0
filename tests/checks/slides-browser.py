#!/usr/bin/env python3
"""tests/checks/slides-browser.py — open every lecture deck in headless
Chromium, the way a lecturer's browser would, offline; used by
tests/checks/slides.sh.

    tests/checks/slides-browser.py --shots DIR DECK.html...

A deck passes when
  1. its HTML names no resource outside itself: every src, href, srcset,
     poster and CSS url() is a data: URI or a #fragment (the static check);
  2. in the browser, the only request it makes is for the deck's own file,
     apart from data: URIs: no other file, nothing from the network
     (the DevTools protocol reports every request the page makes);
  3. every image loaded and decoded (natural width above 0), and every image
     on the first slides has a size on the screen;
  4. every slide has speaker notes (an <aside class="notes"> with text);
  5. the first slides are screenshotted (DIR/DECK-N.png) with content on them.
After all decks, Chromium's network log must show no byte sent to any
address: Chromium runs with every host name mapped to "not found", so even
its own background requests (update checks and the like, which no flag
entirely turns off) cannot leave the machine; the log proves none did.

Before the decks, the checker is pointed at a page made to fail (an image
from the network, an image file that does not exist, a slide without notes)
and must report each of those: a check that cannot fail checks nothing.

Chromium speaks the DevTools protocol over a pipe (--remote-debugging-pipe:
file descriptors 3 and 4, JSON messages ending in a NUL byte), so no
WebSocket library and no npm package is needed.
"""

import argparse
import base64
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

FIRST_SLIDES = 3
LOCAL = ("data:",)


# ---- 1. the static check ------------------------------------------------------

class Refs(html.parser.HTMLParser):
    """Every reference to another resource in an HTML file."""

    ATTRS = ("src", "href", "srcset", "poster", "data-src", "data-background",
             "data-background-image", "action", "background")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs = []          # (tag, attribute, value)
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        for k, v in attrs:
            if v is None:
                continue
            if k in self.ATTRS:
                self.refs.append((tag, k, v))
            if k == "style":
                for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", v):
                    self.refs.append((tag, "style url()", u))

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", data):
                self.refs.append(("style", "url()", u))
            for u in re.findall(r"@import\s+['\"]([^'\"]+)", data):
                self.refs.append(("style", "@import", u))


def static_problems(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p = Refs()
    p.feed(text)
    bad = []
    for tag, attr, val in p.refs:
        v = val.strip()
        if v.startswith(LOCAL) or v.startswith("#") or v == "":
            continue
        if tag == "img" and attr == "srcset":
            continue
        bad.append("<%s %s=%s> is not inside the file" % (tag, attr, v[:80]))
    return bad


# ---- the DevTools protocol over a pipe -------------------------------------------

class Browser:
    def __init__(self, netlog):
        self.profile = tempfile.mkdtemp(prefix="hvkit-chromium-")
        r3, w3 = os.pipe()      # we write, Chromium reads its fd 3
        r4, w4 = os.pipe()      # Chromium writes its fd 4, we read

        def child():
            os.dup2(r3, 3)
            os.dup2(w4, 4)

        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise SystemExit("FAIL: no chromium (tools/ensure-deps.sh installs Debian's)")
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + self.profile,
             "--host-resolver-rules=MAP * ~NOTFOUND",
             "--log-net-log=" + netlog, "--net-log-capture-mode=Default",
             "--remote-debugging-pipe", "--window-size=1280,800",
             "--hide-scrollbars", "--mute-audio", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r3)
        os.close(w4)
        self.out, self.inp = w3, r4
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def recv(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.inp, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=20):
        want = self.send(method, params, session)
        deadline = time.time() + timeout
        while True:
            m = self.recv(deadline)
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, timeout=20):
        deadline = time.time() + timeout
        for i, m in enumerate(self.events):
            if m.get("method") == method and m.get("sessionId") == session:
                del self.events[i]
                return m
        while True:
            m = self.recv(deadline)
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self.events.append(m)

    def js(self, session, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, session)
        if "exceptionDetails" in r:
            raise RuntimeError("page script failed: %s" % r["exceptionDetails"].get("text"))
        return r["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


# ---- 2-5. one deck in the browser -------------------------------------------------

PAGE_FACTS = """(() => {
  const imgs = [...document.images];
  const slides = window.Reveal ? Reveal.getSlides() : [...document.querySelectorAll('section')];
  return {
    reveal: !!(window.Reveal && Reveal.isReady()),
    total: window.Reveal ? Reveal.getTotalSlides() : slides.length,
    images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                .map(i => (i.getAttribute('src') || i.getAttribute('data-src') || '?').slice(0, 90)),
    no_notes: slides.filter(s => { const n = s.querySelector('aside.notes');
                                   return !n || !n.textContent.trim(); })
                    .map(s => (s.querySelector('h1,h2') || s).textContent.trim().slice(0, 60)),
  };
})()"""

SLIDE_IMAGES = """(() => {
  const imgs = [...Reveal.getCurrentSlide().querySelectorAll('img')];
  const name = i => (i.getAttribute('src') || i.getAttribute('data-src') || '?').slice(0, 90);
  return {
    loading: imgs.filter(i => !i.complete).map(name),
    broken: imgs.filter(i => i.complete && !(i.naturalWidth > 0)).map(name),
  };
})()"""

ON_SCREEN = """(() => {
  const s = Reveal.getCurrentSlide();
  const r = s.getBoundingClientRect();
  return {
    title: (s.querySelector('h1,h2') || s).textContent.trim().slice(0, 60),
    text: s.innerText.replace(/\\s+/g, ' ').trim().length,
    visible: r.width > 100 && r.height > 50,
    images: [...s.querySelectorAll('img')].map(i => {
      const b = i.getBoundingClientRect();
      return [i.src.slice(0, 60), Math.round(b.width), Math.round(b.height)];
    }),
  };
})()"""


def open_deck(b, path, shots, nshots):
    """Problems found in the deck at path (a list of strings)."""
    problems = []
    url = "file://" + os.path.abspath(path)
    target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Runtime"):
        b.call(domain + ".enable", session=s)
    b.events = [m for m in b.events if m.get("sessionId") != s]
    b.call("Page.navigate", {"url": url}, session=s)
    b.wait_event("Page.loadEventFired", s, timeout=30)
    for _ in range(50):                 # reveal.js initialises after load
        if b.js(s, "!!(window.Reveal && Reveal.isReady && Reveal.isReady())"):
            break
        time.sleep(0.1)
    facts = b.js(s, PAGE_FACTS)
    if not facts["reveal"]:
        problems.append("reveal.js did not start")
    # Images load as their slide comes near (pandoc writes data-src, reveal.js
    # loads it): visit every slide as a lecturer would, and give each slide's
    # images a moment to decode.
    broken = set()
    if facts["reveal"]:
        for i in range(facts["total"]):
            b.js(s, "Reveal.slide(%d, 0)" % i)
            for _ in range(40):
                pending = b.js(s, SLIDE_IMAGES)
                if not pending["loading"]:
                    break
                time.sleep(0.05)
            broken.update(pending["broken"] + pending["loading"])
    else:
        broken.update(facts["broken"])
    problems += ["image did not load: %s" % u for u in sorted(broken)]
    if facts["no_notes"]:
        problems += ["slide without speaker notes: %s" % t for t in facts["no_notes"]]

    name = os.path.splitext(os.path.basename(path))[0]
    for i in range(min(nshots, facts["total"] or 0)):
        b.js(s, "Reveal.slide(%d, 0)" % i)
        time.sleep(0.25)
        seen = b.js(s, ON_SCREEN)
        if not seen["visible"] or seen["text"] == 0:
            problems.append("slide %d (%s) shows nothing" % (i + 1, seen["title"]))
        for src, w, h in seen["images"]:
            if w < 50 or h < 30:
                problems.append("slide %d (%s): image %s is %dx%d on screen"
                                % (i + 1, seen["title"], src, w, h))
        png = base64.b64decode(b.call("Page.captureScreenshot", {"format": "png"}, s)["data"])
        shot = os.path.join(shots, "%s-%d.png" % (name, i + 1))
        with open(shot, "wb") as f:
            f.write(png)
        if len(png) < 4000:
            problems.append("slide %d screenshot is blank (%d bytes)" % (i + 1, len(png)))

    # Every request the page made, as the protocol reported it.
    for m in b.events:
        if m.get("sessionId") != s:
            continue
        p = m.get("params", {})
        if m.get("method") == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if not (u.startswith(LOCAL) or u == url or u.split("#")[0] == url.split("#")[0]):
                problems.append("requested %s (%s)" % (u[:100], p.get("type", "?")))
        elif m.get("method") == "Network.loadingFailed":
            problems.append("a request failed: %s" % p.get("errorText"))
    b.events = [m for m in b.events if m.get("sessionId") != s]
    b.call("Target.closeTarget", {"targetId": target})
    return problems, facts


# ---- after all decks: what the network log says ------------------------------------

SELF_TEST_HOST = "example.invalid"     # the page made to fail asks for it


def netlog_problems(path):
    """Page-made requests for anything but a local file, and any byte sent.
    The self-test page's request must be in the log (it proves the log sees
    what a page asks for) and is the only one allowed."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            log = json.loads(text)
        except ValueError:              # Chromium killed before it closed the list
            log = json.loads(text.rstrip().rstrip(",") + "]}")
    except (OSError, ValueError) as e:
        return ["cannot read Chromium's network log %s: %s" % (path, e)], 0
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    problems, blocked, saw_self_test = [], 0, False
    for e in log.get("events", []):
        kind = names.get(e["type"], "?")
        p = e.get("params", {})
        if kind == "URL_REQUEST_START_JOB" and "url" in p:
            u = p["url"]
            if u.startswith(("file:", "data:")):
                continue
            if p.get("initiator") == "not an origin":
                blocked += 1            # Chromium's own, not the deck's
            elif "//" + SELF_TEST_HOST + "/" in u:
                saw_self_test = True
            else:
                problems.append("the page asked for %s" % u[:100])
        if kind in ("SOCKET_BYTES_SENT", "UDP_BYTES_SENT", "SSL_SOCKET_BYTES_SENT",
                    "TCP_CONNECT_ATTEMPT") and not (kind == "TCP_CONNECT_ATTEMPT" and
                                                    "127.0.0.1" in json.dumps(p)):
            problems.append("network log: %s %s" % (kind, json.dumps(p)[:100]))
    if not saw_self_test:
        problems.append("the log does not show the self-test page's request for %s: "
                        "it would not show a deck's either" % SELF_TEST_HOST)
    return problems, blocked


# ---- the page made to fail ------------------------------------------------------------

BAD_PAGE = """<!DOCTYPE html><html><head><title>bad</title></head><body>
<div class="reveal"><div class="slides">
<section><h1>a slide without notes</h1>
<img src="http://%s/remote.png"><img src="no-such-image.svg"></section>
</div></div></body></html>"""


def self_test(b, tmp):
    page = os.path.join(tmp, "bad.html")
    with open(page, "w") as f:
        f.write(BAD_PAGE % SELF_TEST_HOST)
    static = static_problems(page)
    problems, _ = open_deck(b, page, tmp, 0)
    want = {
        "static check names the remote image": any("example.invalid" in p for p in static),
        "static check names the missing file": any("no-such-image" in p for p in static),
        "the remote request is seen": any("requested http://example.invalid" in p for p in problems),
        "the missing file is seen": any("no-such-image" in p and "requested" in p for p in problems),
        "broken images are seen": sum("image did not load" in p for p in problems) == 2,
        "the slide without notes is seen": any("without speaker notes" in p for p in problems),
    }
    missed = [k for k, ok in want.items() if not ok]
    return missed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", required=True, help="directory for the screenshots")
    ap.add_argument("--first", type=int, default=FIRST_SLIDES)
    ap.add_argument("decks", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.shots, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="hvkit-slides-check-")
    netlog = os.path.join(tmp, "netlog.json")
    failed = 0
    b = Browser(netlog)
    try:
        missed = self_test(b, tmp)
        if missed:
            print("FAIL: the checker missed, on a page made to fail: " + "; ".join(missed))
            failed += 1
        else:
            print("ok   the checker catches a remote image, a missing image and missing notes")
        for deck in a.decks:
            problems = ["static: " + p for p in static_problems(deck)]
            more, facts = open_deck(b, deck, a.shots, a.first)
            problems += more
            if problems:
                failed += 1
                print("FAIL %s:" % deck)
                for p in problems:
                    print("       " + p)
            else:
                print("ok   %s: %d slides, %d images, all with notes; first %d screenshotted"
                      % (deck, facts["total"], facts["images"], min(a.first, facts["total"])))
    finally:
        b.close()
    problems, blocked = netlog_problems(netlog)
    if problems:
        failed += 1
        print("FAIL network:")
        for p in problems[:20]:
            print("       " + p)
    else:
        print("ok   network log: nothing sent anywhere (%d requests of Chromium's own, "
              "all refused by the resolver rule)" % blocked)
    shutil.rmtree(tmp, ignore_errors=True)
    print("slides-browser: %s" % ("all ok" if not failed else "%d failing" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
