#!/usr/bin/env python3
"""tests/io/check-order.py — from the trace alone: every request a back end
took was answered exactly once, and some were answered out of order.

    tests/io/check-order.py TRACE.txt DEV...

Where this sits in the story (course: "requests and responses can happen
in any order"): the front end says how many responses came back out of
order, but that is the guest's word.  The trace has the back end's own
notes (DEVOP_io_note): an io_req record when it took a request, an io_rsp
when it answered.  For each device named, this reads them in trace order
and counts the responses given while an older request of the same device
(a smaller id, taken before) was still waiting -- the elevator's work --
and checks that no request was answered twice or never.  Exit 0 if every
device named has each request answered once and at least one out of order.
"""
import re
import sys

REC = re.compile(r"\b(io_req|io_rsp) +dev=(\d+) +end=\w+ +id=(\d+)")


def main(argv):
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1])
        return 2
    devs = {int(d): {"waiting": set(), "taken": 0, "answered": 0, "ooo": 0, "bad": 0}
            for d in argv[1:]}
    with open(argv[0]) as f:
        for line in f:
            m = REC.search(line)
            if not m or int(m.group(2)) not in devs:
                continue
            d, rid = devs[int(m.group(2))], int(m.group(3))
            if m.group(1) == "io_req":
                d["bad"] += rid in d["waiting"]
                d["waiting"].add(rid)
                d["taken"] += 1
            else:
                if rid not in d["waiting"]:
                    d["bad"] += 1
                    continue
                d["waiting"].discard(rid)
                d["answered"] += 1
                d["ooo"] += any(w < rid for w in d["waiting"])
    ok = True
    for n, d in sorted(devs.items()):
        good = d["taken"] > 0 and not d["waiting"] and not d["bad"] and d["ooo"] > 0
        ok &= good
        print(f"check-order: device {n}: {d['taken']} requests taken, {d['answered']} answered, "
              f"{d['ooo']} while an older one waited, {len(d['waiting'])} never answered, "
              f"{d['bad']} answered twice or never taken: {'PASS' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
