#!/usr/bin/env python3
"""bench/report.py — every table and figure of the benchmarks, from one results file.

    python3 bench/report.py table   [RESULTS]    the tables `make bench` prints
    python3 bench/report.py csv     RESULTS OUT  the main table as CSV
    python3 bench/report.py docs    [RESULTS]    rewrite the figures in the documents
    python3 bench/report.py check   [RESULTS] [--top DIR]   `make test`: do the documents
                                                 (under DIR, default the kit) say what the
                                                 results say?  (exit 1 if not)
    python3 bench/report.py compare A B          what changed from results A to B
    RESULTS defaults to bench/results.json, the committed results.

ONE OWNER FOR EVERY FIGURE.  `make bench` measures (bench/run.sh) and
writes the results file (bench/collect.py); every number the documents
quote about the kit's performance is generated from that file, here,
between marker comments that Markdown does not show:

    <!--table:NAME-->  ...a whole generated table...  <!--/table-->
    <!--fig:KEY-->159<!--/fig-->      one figure in running text
    <!--given-->1.8×<!--/given-->     a figure that is given, not measured
                                      (a budget, the Xen paper's): not checked

`docs` rewrites what is between the markers; `check` (tests/checks/
bench-docs.sh, part of `make test`) fails when a document's figure is not
the one the committed results give, when a marker names something the
results do not have, and when a document carries a hand-typed figure (a
number of instructions, or a ratio, outside any marker).  So a figure
cannot go stale: change the code, run `make bench`, commit the results
and the documents together.

Figure keys (KEY above), for the running text:
    row.CONFIG.ROW.STAT        STAT: min mean sd max, or a counter
                               (k_entries ... hv_switches, ring0, cr3,
                               invlpg, rep, bulk), or nobulk (min without
                               the page zeroing and copying)
    ratio.ROW.STAT             pv / native, e.g. 1.47×
    ratio.CONFIG.CONFIG.ROW.STAT   any two configurations
    diff.CONFIG.CONFIG.ROW.STAT    the first minus the second
    switch.SCHED.KIND.STAT     KIND: switch noswitch yield_rt
    events.KEY, host.KEY       events and host-side figures (see collect.py)
    trace.HYPERCALL.STAT       the trace's exact path length (hvtrace stats):
                               calls min median p99 max
    block.CONFIG.KEY.STAT      the block device (CONFIG: seq random b1; KEY:
                               write_kib_per_minsn read_kib_per_minsn
                               write_insns_per_request read_insns_per_request
                               events_per_100; STAT: median min max), and
    block.CONFIG.runs          how many runs those are
    net.PATH.KEY.STAT          the split network (PATH: domu_domu domu_host;
                               KEY: pkts_per_minsn insns_per_pkt; STAT:
                               median min max), and net.PATH.runs
    ring.BATCH.KEY             the echo ring (BATCH: b1 b8 b32; KEY:
                               insns_per_request events_per_100)
    ring.ratio.A.B             instructions per request at A over those at B
    toolstack.create.SRC.KIB.KEY.STAT   xl create (SRC: disk image; KIB: 1536
                               2048 4096 8192 16384; KEY: total read
                               control; STAT: median min max), and
    toolstack.runs             how many runs those are
    toolstack.balloon.KIND.KEY the balloon (KIND: inflate deflate; KEY:
                               pages pages_per_minsn insns_per_page)
    toolstack.fill.MODE.KEY    domains that fit (MODE: fixed balloon; KEY:
                               domains vm_kib target_kib stopped_by)

Python's standard library only.
"""

import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
DEFAULT = os.path.join(HERE, "results.json")

# The documents whose figures are generated (paths from the top folder).
DOCS = ["README.md", "docs/performance.md", "docs/address-space.md", "docs/trace-format.md"]

# The lmbench-style rows, in the table's order: id, what it measures.
ROWS = [
    ("null_syscall", "null system call: `getpid` from ring 3 and back"),
    ("null_hypercall", "null hypercall: `xen_version` from the guest kernel and back (PV only)"),
    ("pvop_irq", "virtual interrupt flag off + on: `cli`/`sti` natively, two stores to shared memory PV"),
    ("fork_exit", "fork + exit + wait: the child gets the parent's address space copy-on-write and exits at once"),
    ("fork_exec", "fork + exec + exit + wait: the child execs a new image (`bench-nop`) that exits at once"),
    ("ctxsw", "context switch between two processes: half a `yield` round trip (with the system call)"),
    ("pf_zero", "demand-zero page fault: first write to a data page; the kernel zeroes a page and maps it"),
    ("prot_fault", "protection fault: write to a read-only page; the kernel makes it writable (copy-on-write, last sharer: no copy)"),
    ("cow_fault", "copy-on-write fault: write to a page a live child shares; the kernel copies 4 KiB and maps the copy"),
    ("mmap16", "map 16 pages: `mmap` of 16 zeroed pages (PV: one batch)"),
    ("munmap16", "unmap 16 pages: `munmap` (PV: one batch with its TLB flush)"),
]
LABEL = dict(ROWS)
SHORT = {
    "null_syscall": "null system call", "null_hypercall": "null hypercall",
    "pvop_irq": "virtual IF off + on", "fork_exit": "fork + exit + wait",
    "fork_exec": "fork + exec + wait", "ctxsw": "process context switch",
    "pf_zero": "demand-zero page fault", "prot_fault": "protection fault",
    "cow_fault": "copy-on-write fault", "mmap16": "mmap 16 pages", "munmap16": "munmap 16 pages",
}
# The Xen paper (SOSP 2003), lmbench: XenoLinux against native Linux, only
# where the operation is the same one.
XEN_PAPER = {
    "fork_exit": ("fork proc: fork + exit + wait", "1.8×"),
}

CONFIG_NAMES = {
    "native": "native", "pv": "PV", "pv-trace": "PV trace=on",
    "pv-classic": "PV isolation=classic", "pv-unbatched": "PV mm=unbatched",
}


class Unknown(Exception):
    pass


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---- numbers ---------------------------------------------------------------

def num(x, digits=0):
    """1234.5 -> '1,235' (digits=0) or '1,234.5'."""
    if x is None:
        return "—"
    if digits == 0:
        return f"{int(round(x)):,}"
    return f"{x:,.{digits}f}"


def sd_text(x):
    return num(x, 1) if x < 100 else num(x)


def ratio_text(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def counter(row, name, native):
    """A counter of the cost model, per operation, as the tables show it."""
    c = row["counters"]
    if name == "ring0":          # entries into ring 0: the kernel's natively, the hypervisor's PV
        return c["k_entries"] if native else c["hv_entries"]
    if name == "cr3":
        return c["k_cr3_loads"] if native else c["hv_cr3_loads"]
    if name == "invlpg":
        return c["k_invlpgs"] if native else c["hv_invlpgs"]
    if name == "rep":            # every rep iteration, the guest's and the hypervisor's
        return c["k_zero_iters"] + c["k_copy_iters"] + c["hv_rep_iters"]
    if name == "bulk":           # the guest kernel's page zeroing and copying
        return c["k_zero_iters"] + c["k_copy_iters"]
    if name in c:
        return c[name]
    raise Unknown(f"no counter {name}")


def stat(res, config, rid, what):
    rows = res["rows"].get(config)
    if rows is None:
        raise Unknown(f"no configuration {config}")
    row = rows.get(rid)
    if row is None:
        return None
    if what in ("min", "mean", "sd", "max", "n"):
        return row[what]
    if what == "nobulk":
        return row["min"] - counter(row, "bulk", config == "native")
    if what == "nobulk_mean":
        return row["mean"] - counter(row, "bulk", config == "native")
    return counter(row, what, config == "native")


# ---- figures by key ----------------------------------------------------------

def counter_digits(v):
    return 0 if abs(v - round(v)) < 0.005 else 2


def figure(res, key):
    """The text of one figure, by key (see the module's docstring)."""
    p = key.split(".")
    try:
        if p[0] == "row" and len(p) == 4:
            v = stat(res, p[1], p[2], p[3])
            if v is None:
                raise Unknown(key)
            if p[3] == "sd":
                return sd_text(v)
            return num(v, counter_digits(v) if p[3] not in ("min", "mean", "max", "nobulk") else 0)
        if p[0] == "ratio" and len(p) == 3:
            return ratio_text(stat(res, "pv", p[1], p[2]), stat(res, "native", p[1], p[2]))
        if p[0] == "ratio" and len(p) == 5:
            return ratio_text(stat(res, p[1], p[3], p[4]), stat(res, p[2], p[3], p[4]))
        if p[0] == "diff" and len(p) == 5:
            a, b = stat(res, p[1], p[3], p[4]), stat(res, p[2], p[3], p[4])
            if a is None or b is None:
                raise Unknown(key)
            return num(a - b, counter_digits(a - b))
        if p[0] == "switch" and len(p) == 4:
            s = res["switch"][p[1]][p[2]]
            if s is None:
                raise Unknown(key)
            if p[3] in ("min", "mean", "max", "n"):
                return num(s[p[3]])
            if p[3] == "sd":
                return sd_text(s["sd"])
            return num(s["counters"][p[3]], counter_digits(s["counters"][p[3]]))
        if p[0] == "events" and len(p) >= 2:
            v = res["events"][p[1]]
            if len(p) == 3:
                v = v[p[2]]
            return num(v)
        if p[0] == "host" and len(p) == 2:
            return num(res["host"][p[1]], 1)
        if p[0] == "trace" and len(p) == 3:
            return num(res["trace_paths"][p[1]][p[2]])
        if p[0] == "block" and len(p) == 3 and p[2] == "runs":
            return num(res["block"][p[1]]["runs"])
        if p[0] == "block" and len(p) == 4:
            v = res["block"][p[1]][p[2]][p[3]]
            return num(v, 1 if "kib" in p[2] else 0)
        if p[0] == "ring" and len(p) == 3:
            return num(res["ring"][p[1]][p[2]])
        if p[0] == "ring" and len(p) == 4 and p[1] == "ratio":
            a, b = res["ring"][p[2]]["insns_per_request"], res["ring"][p[3]]["insns_per_request"]
            return f"{a / b:.1f}"
        if p[0] == "toolstack" and len(p) == 2 and p[1] == "runs":
            return num(res["toolstack"]["runs"])
        if p[0] == "toolstack" and len(p) == 6 and p[1] == "create":
            return num(res["toolstack"]["create"][p[2]][p[3]][p[4]][p[5]])
        if p[0] == "toolstack" and len(p) == 4 and p[1] == "balloon":
            return num(res["toolstack"]["balloon"][p[2]][p[3]], 0 if p[3] != "pages_per_minsn" else 1)
        if p[0] == "toolstack" and len(p) == 4 and p[1] == "fill":
            v = res["toolstack"]["fill"][p[2]][p[3]]
            return v if isinstance(v, str) else num(v)
        if p[0] == "net" and len(p) == 3 and p[2] == "runs":
            return num(res["net"][p[1]]["runs"])
        if p[0] == "net" and len(p) == 4:
            return num(res["net"][p[1]][p[2]][p[3]], 1 if p[2] == "pkts_per_minsn" else 0)
    except (KeyError, TypeError):
        pass
    raise Unknown(key)


# ---- tables --------------------------------------------------------------------

def md_table(head, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(head) - 1)
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    return "\n".join(out)


def has_bulk(res, rid):
    for cfg in ("native", "pv"):
        r = res["rows"][cfg].get(rid)
        if r and counter(r, "bulk", cfg == "native") > 0:
            return True
    return False


def lmbench_rows(res, short=False):
    """[label, native min, mean ± sd, PV min, mean ± sd, ratio] per row and sub-row."""
    out = []
    for rid, label in ROWS:
        n = res["rows"]["native"].get(rid)
        v = res["rows"]["pv"].get(rid)
        if n is None and v is None:
            continue

        def cells(r):
            if r is None:
                return ["—", "—"]
            return [num(r["min"]), f"{num(r['mean'])} ± {sd_text(r['sd'])}"]
        ratio = ratio_text(v["min"] if v else None, n["min"] if n else None)
        out.append([SHORT[rid] if short else label] + cells(n) + cells(v) + [ratio])
        if has_bulk(res, rid):
            nb = stat(res, "native", rid, "bulk")
            what = "copying" if rid == "cow_fault" else "zeroing" if rid in ("pf_zero", "mmap16") \
                else "zeroing and copying"
            lab = f"… without the page {what} ({num(nb)} rep iterations natively)"
            nn = stat(res, "native", rid, "nobulk")
            nm = stat(res, "native", rid, "nobulk_mean")
            pn = stat(res, "pv", rid, "nobulk")
            pm = stat(res, "pv", rid, "nobulk_mean")
            out.append(["  " + lab if short else lab, num(nn), num(nm), num(pn), num(pm),
                        ratio_text(pn, nn)])
    return out


def table_lmbench(res):
    head = ["operation", "native min", "native mean ± sd", "PV min", "PV mean ± sd", "PV / native (min)"]
    rows = [[r[0].replace("  ", "")] + r[1:] for r in lmbench_rows(res)]
    return md_table(head, rows)


COST_HEAD = ["operation", "ring-0 entries", "CR3 loads", "invlpg", "rep iterations"]


def table_costmodel(res):
    head = ["operation",
            "native: ring-0 entries", "CR3", "invlpg", "rep",
            "PV: ring-0 entries", "guest kernel entries", "CR3", "invlpg", "rep"]
    out = []
    for rid, _ in ROWS:
        n = res["rows"]["native"].get(rid)
        v = res["rows"]["pv"].get(rid)
        cells = [SHORT[rid]]
        for r, nat in ((n, True), (v, False)):
            if r is None:
                cells += ["—"] * (4 if nat else 5)
                continue
            vals = [counter(r, "ring0", nat)]
            if not nat:
                vals.append(r["counters"]["k_entries"])
            vals += [counter(r, "cr3", nat), counter(r, "invlpg", nat), counter(r, "rep", nat)]
            cells += [num(x, counter_digits(x)) for x in vals]
        out.append(cells)
    return md_table(head, out)


def table_variants(res):
    """Minimums of every row under each PV variant, against the default."""
    cfgs = ["pv", "pv-classic", "pv-unbatched", "pv-trace"]
    head = ["operation", "native", "PV (default)", "isolation=classic", "mm=unbatched",
            "trace=on", "PV CR3 loads: default / classic"]
    out = []
    for rid, _ in ROWS:
        if res["rows"]["pv"].get(rid) is None:
            continue
        cells = [SHORT[rid], num(stat(res, "native", rid, "min"))]
        base = stat(res, "pv", rid, "min")
        for c in cfgs:
            v = stat(res, c, rid, "min")
            if c == "pv" or v is None:
                cells.append(num(v))
            else:
                cells.append(f"{num(v)} ({v - base:+,.0f})")
        cr = [stat(res, c, rid, "cr3") for c in ("pv", "pv-classic")]
        cells.append(" / ".join(num(x, counter_digits(x)) for x in cr))
        out.append(cells)
    return md_table(head, out)


def table_switch(res):
    head = ["scheduler, isolation", "yield that switches: min", "mean ± sd", "samples",
            "yield that does not switch: min", "mean ± sd", "samples"]
    out = []
    names = {"rr": "round-robin, paging", "bvt": "BVT, paging", "classic": "round-robin, classic"}
    for key in ("rr", "bvt", "classic"):
        sw = res["switch"][key]
        cells = [names[key]]
        for kind in ("switch", "noswitch"):
            s = sw[kind]
            if s is None:
                cells += ["—", "—", "0"]
            else:
                cells += [num(s["min"]), f"{num(s['mean'])} ± {sd_text(s['sd'])}", num(s["n"])]
        out.append(cells)
    return md_table(head, out)


def table_isolation(res):
    """isolation=paging (the default) against isolation=classic."""
    rows = []

    def cells(label, a, b, ca, cb):
        rows.append([label, num(b), num(cb, counter_digits(cb)), num(a), num(ca, counter_digits(ca)),
                     f"{a - b:+,.0f}"])
    for rid in ("null_hypercall", "pf_zero", "fork_exit"):
        cells(SHORT[rid], stat(res, "pv", rid, "min"), stat(res, "pv-classic", rid, "min"),
              stat(res, "pv", rid, "cr3"), stat(res, "pv-classic", rid, "cr3"))
    sp, sc = res["switch"]["rr"], res["switch"]["classic"]
    cells("yield that switches to the other domain", sp["switch"]["min"], sc["switch"]["min"],
          sp["yield_rt"]["counters"]["hv_cr3_loads"] / 2, sc["yield_rt"]["counters"]["hv_cr3_loads"] / 2)
    return md_table(["path", "classic", "CR3 loads", "paging (default)", "CR3 loads", "paging − classic"],
                    rows)


def table_events(res):
    e = res["events"]
    su = e["send_upcall"]
    rows = [
        ["event send → upcall running in the other domain (trace=on: includes waking it, "
         "the domain switch and the trace records)",
         f"{num(su['mean'])} mean (min {num(su['min'])}, {num(su['n'])} sends)"],
        ["event round trip d1 → d2 → d1, guest to guest (each side: upcall, wake its task, send back)",
         f"{num(e['evtchn_rt_off'])} trace=off / {num(e['evtchn_rt_on'])} trace=on"],
        ["wake-up latency of a 3 ms sleeper against two CPU hogs, BVT without warp (system time)",
         f"mean {num(e['wake_nowarp_mean_us'])} µs, max {num(e['wake_nowarp_max_us'])} µs"],
        ["the same with warp 20 ms (limit 5 ms)",
         f"mean {num(e['wake_warp_mean_us'])} µs, max {num(e['wake_warp_max_us'])} µs"],
    ]
    return md_table(["figure", "value"], rows, ["---", "---:"])


def table_sched_cost(res):
    sc = res["host"]["sched_cost"]
    base = sc[0]
    out = []
    for r in sc:
        out.append([num(r["domains"]),
                    num(r["bvt_ns"], 1), f"{r['bvt_ns'] / base['bvt_ns']:.2f}",
                    num(r["rr_ns"], 1), f"{r['rr_ns'] / base['rr_ns']:.2f}",
                    num(r["scan_ns"], 1), f"{r['scan_ns'] / base['scan_ns']:.2f}"])
    n0 = num(base["domains"])
    return md_table(["domains", "BVT (heaps)", f"× n={n0}", "round-robin", f"× n={n0}",
                     "linear scan (reference)", f"× n={n0}"], out)


def table_tracing(res):
    h = res["host"]
    rows = [
        ["null hypercall, trace=off / trace=on",
         f"{figure(res, 'row.pv.null_hypercall.min')} / {figure(res, 'row.pv-trace.null_hypercall.min')}"],
        ["one enabled trace event (the 7-argument `hypercall` record): trace=on − trace=off",
         figure(res, "diff.pv-trace.pv.null_hypercall.min")],
        ["host decoder: read and check every record (wall clock, this machine)",
         f"{num(h['decode_mrec_s'], 1)} M records/s"],
        ["host decoder + state model (what stats, chrome, dot and live run)",
         f"{num(h['decode_model_mrec_s'], 1)} M records/s"],
    ]
    return md_table(["figure", "value"], rows, ["---", "---:"])


def table_trace_paths(res):
    rows = []
    for name, p in sorted(res["trace_paths"].items(), key=lambda kv: -kv[1]["calls"]):
        rows.append([f"`{name}`", num(p["calls"]), num(p["min"]), num(p["median"]),
                     num(p["p99"]), num(p["max"])])
    return md_table(["hypercall", "calls", "min", "median", "p99", "max"], rows)


def table_meta(res):
    rows = [["measured from", f"`{res['source']}`"], ["QEMU", res["qemu"]],
            ["unit", res["unit"]]]
    for name, c in res["configs"].items():
        rows.append([f"`{c['scenario']}`", c["what"]])
    return md_table(["", ""], rows, ["---", "---"])


def table_block(res):
    """The split block device: throughput and events per request, per configuration."""
    rows = []
    for name in ("seq", "random", "b1"):
        b = res["block"][name]

        def rng(k, d=0):
            v = b[k]
            return f"{num(v['median'], d)} ({num(v['min'], d)}–{num(v['max'], d)})"
        rows.append([f"`{b['scenario']}`: {b['what']}", rng("write_kib_per_minsn", 1),
                     rng("read_kib_per_minsn", 1), rng("write_insns_per_request"),
                     rng("read_insns_per_request"), num(b["events_per_100"]["median"])])
    return md_table(["configuration", "write KiB / M insns", "read KiB / M insns",
                     "insns / write", "insns / read", "events / 100 requests"], rows)


def table_toolstack(res):
    """xl create by memory: the command to the new domain's first
    instruction, from dom0's disk and from a boot image, with its parts."""
    t = res["toolstack"]["create"]
    rows = []

    def rng(v):
        return num(v["median"]) if v["min"] == v["max"] else \
            f"{num(v['median'])} ({num(v['min'])}–{num(v['max'])})"
    for kib in sorted(t["disk"], key=int):
        d, i = t["disk"][kib], t["image"][kib]
        rows.append([f"{int(kib) / 1024:g} MiB", rng(d["total"]), rng(d["read"]), rng(d["control"]),
                     rng(i["total"]), rng(i["control"])])
    return md_table(["memory", "from the disk: total", "reading the image", "the domctls",
                     "from a boot image: total", "the domctls"], rows)


TABLES = {
    "block": table_block, "toolstack": table_toolstack,
    "lmbench": table_lmbench, "costmodel": table_costmodel, "variants": table_variants,
    "switch": table_switch, "events": table_events, "sched_cost": table_sched_cost,
    "tracing": table_tracing, "meta": table_meta, "isolation": table_isolation,
    "trace_paths": table_trace_paths,
}


# ---- the terminal --------------------------------------------------------------

def text_table(head, rows):
    cols = list(zip(*([head] + rows)))
    width = [max(len(str(c)) for c in col) for col in cols]
    out = []
    for i, r in enumerate([head] + rows):
        cells = [str(c).ljust(width[0]) if j == 0 else str(c).rjust(width[j])
                 for j, c in enumerate(r)]
        out.append("  ".join(cells).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in width))
    return "\n".join(out)


def print_tables(res, out=sys.stdout):
    p = lambda s="": print(s, file=out)
    p("hvkit benchmarks: " + res["unit"])
    p("min / mean ± standard deviation per operation; PV = the defaults (isolation=paging,")
    p("round-robin, batched page-table updates, trace=off).  Measured from " + res["source"] + ".")
    p()
    p(text_table(["operation", "native min", "mean ± sd", "PV min", "mean ± sd", "PV/native (min)"],
                 lmbench_rows(res, short=True)))
    p()
    p("cost model: per operation, what an instruction count weighs wrongly")
    p("(ring-0 entries: the kernel's natively, the hypervisor's PV; CR3 loads and invlpg likewise;")
    p(" rep: every rep iteration, guest and hypervisor; kernel entries: the guest kernel's, PV)")
    rows = []
    for rid, _ in ROWS:
        n, v = res["rows"]["native"].get(rid), res["rows"]["pv"].get(rid)
        cells = [SHORT[rid]]
        for r, nat in ((n, True), (v, False)):
            names = ["ring0", "cr3", "invlpg", "rep"] if nat else ["ring0", "k_entries", "cr3", "invlpg", "rep"]
            cells += ["—" if r is None else num(counter(r, x, nat), counter_digits(counter(r, x, nat)))
                      for x in names]
        rows.append(cells)
    p(text_table(["operation", "nat ring0", "cr3", "invlpg", "rep",
                  "PV ring0", "kernel", "cr3", "invlpg", "rep"], rows))
    p()
    p("PV variants (minimums; change from the default in parentheses)")
    md = table_variants(res).splitlines()
    p(text_table([c.strip() for c in md[0].strip("|").split("|")],
                 [[c.strip() for c in line.strip("|").split("|")] for line in md[2:]]))
    p()
    p("domain switch, two domains yielding (from the merged stamps: a yield to the other")
    p("domain running / a yield the scheduler let go on)")
    md = table_switch(res).splitlines()
    p(text_table([c.strip() for c in md[0].strip("|").split("|")],
                 [[c.strip() for c in line.strip("|").split("|")] for line in md[2:]]))
    p()
    p("split block device: median (min-max) over the runs; the only guest figures that")
    p("depend on the host (when QEMU completes a disk transfer: bench/parts/block.sh)")
    md = table_block(res).splitlines()
    p(text_table([c.strip() for c in md[0].strip("|").split("|")],
                 [[c.strip().replace("`", "") for c in line.strip("|").split("|")] for line in md[2:]]))
    p()
    if "toolstack" in res:
        p("xl create, guest instructions from the command to the new domain's first dispatch")
        p("(median, and the range over the runs when they differ: the disk's part varies)")
        md = table_toolstack(res).splitlines()
        p(text_table([c.strip() for c in md[0].strip("|").split("|")],
                     [[c.strip() for c in line.strip("|").split("|")] for line in md[2:]]))
        b, f = res["toolstack"]["balloon"], res["toolstack"]["fill"]
        p(f"  balloon: inflate {num(b['inflate']['pages_per_minsn'], 1)} pages / M insns, "
          f"deflate {num(b['deflate']['pages_per_minsn'], 1)}")
        p(f"  domains of {num(f['fixed']['vm_kib'])} KiB that fit: {f['fixed']['domains']}; "
          f"ballooned to {num(f['balloon']['target_kib'])} KiB: {f['balloon']['domains']}")
        p()
    p("events, tracing, host (wall-clock figures vary with the machine and its load)")
    for t in (table_events, table_tracing):
        for line in t(res).splitlines()[2:]:
            a, b = [c.strip() for c in line.strip("|").split("|")]
            p(f"  {a}: {b}")
    p()
    md = table_sched_cost(res).splitlines()
    p("scheduler cost per decision, host ns (bench/sched-cost.c)")
    p(text_table([c.strip() for c in md[0].strip("|").split("|")],
                 [[c.strip() for c in line.strip("|").split("|")] for line in md[2:]]))


def write_csv(res, path):
    import csv
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["row", "config", "n", "per", "min", "mean", "sd", "max",
                    "min_without_zeroing", "ring0_entries", "kernel_entries", "cr3_loads",
                    "invlpgs", "rep_iters"])
        for cfg, rows in res["rows"].items():
            for rid, _ in ROWS:
                r = rows.get(rid)
                if r is None:
                    continue
                nat = cfg == "native"
                w.writerow([rid, cfg, r["n"], r["per"], r["min"], round(r["mean"], 2),
                            round(r["sd"], 2), r["max"], stat(res, cfg, rid, "nobulk"),
                            counter(r, "ring0", nat), r["counters"]["k_entries"],
                            counter(r, "cr3", nat), counter(r, "invlpg", nat),
                            counter(r, "rep", nat)])


# ---- the documents -------------------------------------------------------------

MARK_RE = re.compile(r"(<!--(table|fig):([A-Za-z0-9_.\-]+)-->)(.*?)(<!--/\2-->)", re.S)
# A figure given, not measured (a budget, the Xen paper's): left alone.
GIVEN_RE = re.compile(r"<!--given-->.*?<!--/given-->", re.S)
# A figure typed by hand: instructions, or a ratio, outside the markers.
HAND_RE = re.compile(r"\b\d[\d,]*(\.\d+)?\s+(guest\s+)?instructions\b|\b\d+(\.\d+)?×")


def render(res, kind, name):
    if kind == "table":
        if name not in TABLES:
            raise Unknown(f"table {name}")
        try:
            return "\n" + TABLES[name](res) + "\n"
        except KeyError:
            raise Unknown(f"table {name}")
    return figure(res, name)


def process(res, text):
    """(new text, [problems]) for one document."""
    problems = []

    def sub(m):
        try:
            return m.group(1) + render(res, m.group(2), m.group(3)) + m.group(5)
        except Unknown as e:
            problems.append(f"marker {m.group(2)}:{m.group(3)}: the results have no {e}")
            return m.group(0)
    new = MARK_RE.sub(sub, text)
    # Hand-typed figures: outside markers and outside code blocks.
    stripped = GIVEN_RE.sub("", MARK_RE.sub("", text))
    stripped = re.sub(r"```.*?```", "", stripped, flags=re.S)
    for line in stripped.splitlines():
        for m in HAND_RE.finditer(line):
            problems.append(f"a hand-typed figure \"{m.group(0)}\" in: {line.strip()[:100]}")
    return new, problems


def docs(res, check, top=TOP):
    bad = 0
    for rel in DOCS:
        path = os.path.join(top, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new, problems = process(res, text)
        for p in problems:
            print(f"{rel}: {p}")
            bad += 1
        if new != text:
            if check:
                old_m = {(m.group(2), m.group(3), i): m.group(4)
                         for i, m in enumerate(MARK_RE.finditer(text))}
                for i, m in enumerate(MARK_RE.finditer(new)):
                    was = old_m.get((m.group(2), m.group(3), i))
                    if was is not None and was != m.group(4):
                        if m.group(2) == "fig":
                            print(f"{rel}: figure {m.group(3)} says {was!r}, the results {m.group(4)!r}")
                        else:
                            print(f"{rel}: table {m.group(3)} differs from the results")
                        bad += 1
            else:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
                print(f"report: {rel}: figures rewritten")
    if check and bad:
        print(f"report: {bad} problem(s); after `make bench`, `python3 bench/report.py docs` "
              f"rewrites the figures from bench/results.json")
    return 1 if check and bad else 0


# ---- comparing two results -------------------------------------------------------

def compare(a, b, out=sys.stdout, threshold=0.001):
    """Every figure that changed from a to b, by how much."""
    p = lambda s="": print(s, file=out)
    p(f"A: {a['source']}    B: {b['source']}")
    changed = 0

    def line(what, x, y, digits=0):
        nonlocal changed
        if x is None or y is None:
            if x is not y:
                p(f"  {what}: {num(x, digits)} -> {num(y, digits)}")
                changed += 1
            return
        if x == y or (x and abs(y - x) / abs(x) < threshold):
            return
        pct = f" ({(y - x) / x * 100:+.1f}%)" if x else ""
        p(f"  {what}: {num(x, digits)} -> {num(y, digits)}, {y - x:+,.{digits}f}{pct}")
        changed += 1

    for cfg in a["rows"]:
        if cfg not in b["rows"]:
            continue
        for rid, _ in ROWS:
            ra, rb = a["rows"][cfg].get(rid), b["rows"][cfg].get(rid)
            if ra is None and rb is None:
                continue
            for st in ("min", "mean"):
                line(f"{cfg:12} {SHORT[rid]}: {st}", ra and ra[st], rb and rb[st])
            if ra and rb:
                for c in ra["counters"]:
                    line(f"{cfg:12} {SHORT[rid]}: {c}", ra["counters"][c], rb["counters"][c], 2)
    for sched in a["switch"]:
        for kind in ("switch", "noswitch"):
            sa, sb = a["switch"][sched][kind], b["switch"].get(sched, {}).get(kind)
            for st in ("min", "mean", "n"):
                line(f"switch {sched:7} {kind}: {st}", sa and sa[st], sb and sb[st])
    for k, v in a["events"].items():
        if isinstance(v, dict):
            for st in ("min", "mean"):
                line(f"events {k}: {st}", v[st], b["events"].get(k, {}).get(st))
        else:
            line(f"events {k}", v, b["events"].get(k))
    p(f"{changed} figure(s) changed (host-side wall-clock figures not compared: "
      "they vary with the machine's load)")
    return 0


def results_path(name):
    """A results file by path, or by the name `make bench SAVE=name` gave it."""
    if name in ("", "results", "committed"):
        return DEFAULT
    if os.path.exists(name):
        return name
    return os.path.join(HERE, "saved", name + ".json")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "table":
            print_tables(load(results_path(args[0] if args else "")))
            return 0
        if cmd == "csv" and len(args) == 2:
            write_csv(load(results_path(args[0])), args[1])
            return 0
        if cmd in ("docs", "check"):
            top = TOP
            if len(args) >= 2 and args[-2] == "--top":
                top, args = args[-1], args[:-2]
            return docs(load(results_path(args[0] if args else "")), cmd == "check", top)
        if cmd == "compare" and len(args) == 2:
            return compare(load(results_path(args[0])), load(results_path(args[1])))
    except OSError as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
