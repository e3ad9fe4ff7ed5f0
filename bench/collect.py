#!/usr/bin/env python3
"""bench/collect.py — the results file: every figure `make bench` measured, read from its runs.

    python3 bench/collect.py OUT RESULTS.json     (bench/run.sh calls it)
    environment: HVTRACE (default build/bin/hvtrace), for the trace's path lengths

OUT is the directory bench/run.sh booted the benchmark scenarios into
(build/bench/: one folder per configuration with its serial.log and
trace.txt, and host.txt with the host-side benchmarks' output).  The
results file is JSON; bench/report.py makes every table and every figure
the documentation quotes from it, and `make test` checks the documents
against the committed one (bench/results.json).  Nothing here is typed
in by hand: a figure that is not in a run's output is missing, not
guessed (the run fails).

What the guest prints (minios-guest/lib/benchstat.h): per row
    bench: row=<id> per=<ops> n=<samples> min=.. max=.. sum=.. sumsq=..
    bench: kctr=<id> <the kernel's five counters>
    bench: hctr=<id> <the hypervisor's five counters>
From those, per operation (a sample is `per` operations): min, mean, the
standard deviation of the samples, max, and each counter's mean.  The
domain switch comes from bench-switch's stamps (see switch_samples).

Python's standard library only.
"""

import json
import math
import os
import re
import subprocess
import sys

# The configurations that run the whole bench program (bench/<name>.scn).
ROW_CONFIGS = {
    "native": "natively, on bare QEMU (the baseline)",
    "pv": "paravirtualized, the defaults: isolation=paging, round-robin, batched page-table updates, trace=off",
    "pv-trace": "the same with trace=on",
    "pv-classic": "the same under isolation=classic (no CR3 loads on entry and exit)",
    "pv-unbatched": "the same with mm=unbatched (every page-table store trapped and emulated)",
}
# Two domains yielding to each other (bench/switch-<name>.scn).
SWITCH_CONFIGS = {
    "rr": "sched=rr (the default), isolation=paging",
    "bvt": "sched=bvt, isolation=paging",
    "classic": "sched=rr, isolation=classic",
}
COUNTERS = ["k_entries", "k_cr3_loads", "k_invlpgs", "k_zero_iters", "k_copy_iters",
            "hv_entries", "hv_cr3_loads", "hv_invlpgs", "hv_rep_iters", "hv_switches"]

ROW_RE = re.compile(r"^(?:\(d(\d+)\) )?bench: row=(\S+) per=(\d+) n=(\d+) min=(\d+) "
                    r"max=(\d+) sum=(\d+) sumsq=(\d+)\s*$")
CTR_RE = re.compile(r"^(?:\(d(\d+)\) )?bench: ([kh])ctr=(\S+) (-?\d+(?:,-?\d+){4})\s*$")
STAMP_HDR_RE = re.compile(r"^\(d(\d+)\) bench: stamps dom=(\d+) n=(\d+) tsc_cost=(\d+)\s*$")
STAMP_RE = re.compile(r"^\(d(\d+)\) bench: stamps dom=(\d+) i=(\d+)((?: \d+)+)\s*$")


class Missing(Exception):
    pass


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        raise Missing(f"{path}: not there (did the run fail?)")


def stats(n, per, mn, mx, total, sumsq):
    """Per operation: min, mean, standard deviation (of the samples), max."""
    mean = total / n
    var = max(sumsq / n - mean * mean, 0.0)
    return {"n": n, "per": per, "min": mn / per, "mean": mean / per,
            "sd": math.sqrt(var) / per, "max": mx / per}


def sample_stats(samples):
    n = len(samples)
    if n == 0:
        return None
    return stats(n, 1, min(samples), max(samples), sum(samples), sum(x * x for x in samples))


def rows_of(lines, dom="0"):
    """Every row printed by domain dom (or by the native kernel)."""
    rows = {}
    ctrs = {}
    for line in lines:
        m = ROW_RE.match(line)
        if m and (m.group(1) in (None, dom)):
            _, rid, per, n, mn, mx, total, sumsq = m.groups()
            n, per = int(n), int(per)
            if n == 0:
                continue
            rows[rid] = stats(n, per, int(mn), int(mx), int(total), int(sumsq))
            continue
        m = CTR_RE.match(line)
        if m and (m.group(1) in (None, dom)):
            _, kind, rid, vals = m.groups()
            ctrs.setdefault(rid, {})[kind] = [int(v) for v in vals.split(",")]
    for rid, r in rows.items():
        c = ctrs.get(rid, {})
        if "k" not in c or "h" not in c:
            raise Missing(f"row {rid}: its counter lines are missing")
        ops = r["n"] * r["per"]
        r["counters"] = {name: v / ops for name, v in zip(COUNTERS, c["k"] + c["h"])}
    return rows


def switch_samples(lines):
    """The domain switch, off bench-switch's stamps.

    Each domain stamps the TSC just before each yield (b) and just after it
    returns (a).  Under -icount that is one clock for the machine, so the
    stamps of both domains merge into one timeline.  Within the stretch
    where both domains are in their loops, the event just before a domain's
    "a" is either the other domain's "b" -- the yield switched, and the
    sample is the whole path from one domain's yield to the other running --
    or its own "b": the scheduler let it go on, a yield without a switch.
    """
    cost = {}
    stamps = {}
    for line in lines:
        m = STAMP_HDR_RE.match(line)
        if m:
            cost[m.group(2)] = int(m.group(4))
            continue
        m = STAMP_RE.match(line)
        if m:
            vals = [int(v) for v in m.group(4).split()]
            stamps.setdefault(m.group(2), []).extend(zip(vals[0::2], vals[1::2]))
    if len(stamps) != 2:
        raise Missing("bench-switch: stamps of two domains expected")
    events = []
    for dom, pairs in stamps.items():
        for b, a in pairs:
            events.append((b, dom, "b"))
            events.append((a, dom, "a"))
    lo = max(pairs[0][0] for pairs in stamps.values())
    hi = min(pairs[-1][1] for pairs in stamps.values())
    events.sort()
    switch, noswitch = [], []
    for prev, ev in zip(events, events[1:]):
        if ev[2] != "a" or prev[2] != "b" or prev[0] < lo or ev[0] > hi:
            continue
        d = ev[0] - prev[0] - cost[ev[1]]
        (noswitch if prev[1] == ev[1] else switch).append(d)
    return {"switch": sample_stats(switch), "noswitch": sample_stats(noswitch),
            "yields": len(switch) + len(noswitch)}


def send_upcall(trace_lines):
    """Each delivered evtchn_send to the receiver's next upcall (trace=on)."""
    want, samples = {}, []
    for line in trace_lines:
        f = line.split()
        if len(f) < 4:
            continue
        if f[3] == "evtchn_send" and " ret=0" in line:
            m = re.search(r"to=(d\d+)", line)
            if m:
                want[m.group(1)] = int(f[1])
        elif f[3] == "evtchn_upcall" and f[2] in want:
            samples.append(int(f[1]) - want.pop(f[2]))
    return sample_stats(samples)


def one(pattern, lines, what):
    for line in lines:
        m = re.search(pattern, line)
        if m:
            return m
    raise Missing(f"{what}: no line matching {pattern!r}")


def host(lines):
    """bench/parts/host.sh's output: the decoder and the scheduler's cost."""
    out = {}
    m = one(r"decode: read\s+([0-9.]+) Mrec/s", lines, "decoder")
    out["decode_mrec_s"] = float(m.group(1))
    m = one(r"decode: \+model\s+([0-9.]+) Mrec/s", lines, "decoder + model")
    out["decode_model_mrec_s"] = float(m.group(1))
    sc = []
    for line in lines:
        m = re.match(r"^\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)x\s+([0-9.]+)\s+([0-9.]+)x"
                     r"\s+([0-9.]+)\s+([0-9.]+)x\s*$", line)
        if m:
            v = [float(x) for x in m.groups()]
            sc.append({"domains": int(v[0]), "bvt_ns": v[1], "rr_ns": v[3], "scan_ns": v[5]})
    if not sc:
        raise Missing("sched-cost: no table")
    out["sched_cost"] = sc
    return out


# The split block device (bench/blk-<name>.scn, booted by bench/parts/block.sh
# several times into OUT/block/<run>/).
BLOCK_CONFIGS = {
    "seq": "sequential, 4 KiB requests, 8 in flight",
    "random": "random order, 4 KiB requests, 8 in flight",
    "b1": "random order, 4 KiB requests, one at a time (no batching)",
}


def block(out):
    """Per configuration, over the runs: KiB per million instructions and
    instructions per request (the back end's lines: both domains' CPU
    time), for the writes and the reads, and the events per 100 requests
    (the front end's).  Median, min and max: these are the only figures
    that depend on the host (bench/parts/block.sh says why)."""
    base = os.path.join(out, "block")
    runs = sorted(d for d in os.listdir(base) if d.isdigit()) if os.path.isdir(base) else []
    if not runs:
        raise Missing("block: no runs in " + base)
    res = {}
    for name, what in BLOCK_CONFIGS.items():
        vals = {}
        for r in runs:
            lines = read(os.path.join(base, r, f"blk-{name}", "serial.log"))
            for op in ("write", "read"):
                m = one(rf"bench: blk_{op} (\d+) KiB in (\d+) requests, (\d+) instructions",
                        lines, f"blk-{name} {op}")
                kib, reqs, insns = (int(x) for x in m.groups())
                vals.setdefault(f"{op}_kib_per_minsn", []).append(kib * 1e6 / insns)
                vals.setdefault(f"{op}_insns_per_request", []).append(insns / reqs)
            m = one(r"bench: blk_events_per_100_batch\d+ (\d+) events", lines, f"blk-{name} events")
            vals.setdefault("events_per_100", []).append(int(m.group(1)))
        cfg = {"what": what, "scenario": f"bench/blk-{name}.scn", "runs": len(runs)}
        for k, v in vals.items():
            v = sorted(v)
            cfg[k] = {"median": v[(len(v) - 1) // 2], "min": v[0], "max": v[-1]}
        res[name] = cfg
    return res


# The split network (bench/net-domu.scn, bench/net-host.scn, booted by
# bench/parts/net.sh several times into OUT/net/<run>/).
NET_PATHS = {
    "domu_domu": ("net-domu", "round trips", 2,
                  "domU to domU through dom0's back end, a datagram and its answer (two packets)"),
    "domu_host": ("net-host", "datagrams taken", 1,
                  "domU to the host through dom0's NE2000 and QEMU's user network"),
}


def net(out):
    """Per path, over the runs: packets per million guest instructions and
    instructions per packet, everyone's (d1's rdtsc around 200 packets).
    Median, min and max over the runs: the host path goes through QEMU's
    user network, which runs on a thread of its own (bench/parts/net.sh)."""
    base = os.path.join(out, "net")
    runs = sorted(d for d in os.listdir(base) if d.isdigit()) if os.path.isdir(base) else []
    if not runs:
        raise Missing("net: no runs in " + base)
    res = {}
    for key, (scn, unit, per, what) in NET_PATHS.items():
        vals = {}
        for r in runs:
            lines = read(os.path.join(base, r, scn, "serial.log"))
            m = one(rf"bench: (\d+) of \d+ {unit}, (\d+) instructions", lines, f"{scn} run {r}")
            pkts, insns = int(m.group(1)) * per, int(m.group(2))
            vals.setdefault("pkts_per_minsn", []).append(pkts * 1e6 / insns)
            vals.setdefault("insns_per_pkt", []).append(insns / pkts)
        cfg = {"what": what, "scenario": f"bench/{scn}.scn", "runs": len(runs)}
        for k, v in vals.items():
            v = sorted(v)
            cfg[k] = {"median": v[(len(v) - 1) // 2], "min": v[0], "max": v[-1]}
        res[key] = cfg
    return res


# The toolstack (bench/ts-*.scn, booted by bench/parts/toolstack.sh into
# OUT/toolstack/<run>/ts-create and OUT/toolstack/once/ts-{balloon,fill}).
CREATE_RE = re.compile(r"^\(d0\) bench: create \S+ d(\d+) (\d+) KiB (disk|image) start=(\d+) "
                       r"read=(\d+) control=(\d+)\s*$")


def first_dispatch(trace, dom, after):
    """The TSC of the first record that switches to d<dom> after `after`."""
    for tsc, line in trace:
        if tsc > after and " schedule " in line and f"next=d{dom} " in line:
            return tsc
    raise Missing(f"ts-create: no dispatch of d{dom} after {after}")


def timed_trace(path):
    out = []
    for line in read(path):
        f = line.split()
        if len(f) >= 4 and f[1].isdigit():
            out.append((int(f[1]), line + " "))
    return out


def med(v):
    v = sorted(v)
    return {"median": v[(len(v) - 1) // 2], "min": v[0], "max": v[-1]}


def toolstack(out):
    """xl create's cost by source and memory (median, min, max over the
    runs of ts-create): total (xl's `create` to the new domain's first
    dispatch), read (the image off dom0's disk, CRC included), control
    (the domctls); the balloon's pages per million instructions; the
    domains that fit without and with ballooning."""
    base = os.path.join(out, "toolstack")
    runs = sorted(d for d in os.listdir(base) if d.isdigit()) if os.path.isdir(base) else []
    if not runs:
        raise Missing("toolstack: no runs in " + base)
    create = {}
    for r in runs:
        d = os.path.join(base, r, "ts-create")
        trace = timed_trace(os.path.join(d, "trace.txt"))
        n = 0
        for line in read(os.path.join(d, "serial.log")):
            m = CREATE_RE.match(line)
            if not m:
                continue
            dom, kib, src, start, rd, ctl = m.groups()
            total = first_dispatch(trace, dom, int(start)) - int(start)
            c = create.setdefault(src, {}).setdefault(kib, {})
            for k, v in (("total", total), ("read", int(rd)), ("control", int(ctl))):
                c.setdefault(k, []).append(v)
            n += 1
        if n != 10:
            raise Missing(f"ts-create run {r}: {n} creates, 10 expected")
    res = {"runs": len(runs), "scenario": "bench/ts-create.scn", "create": {}}
    for src, by in create.items():
        res["create"][src] = {kib: {k: med(v) for k, v in keys.items()} for kib, keys in by.items()}

    once = os.path.join(base, "once")
    trace = timed_trace(os.path.join(once, "ts-balloon", "trace.txt"))
    bal = {}
    sets = [(t, l) for t, l in trace if " domctl " in l and "op=set_target" in l and " ret=0 " in l]
    if len(sets) != 2:
        raise Missing("ts-balloon: two set_target records expected")
    for (kind, rec), (t0, _), t1 in (("inflate", "mem_release"), sets[0], sets[1][0]), \
                                    (("deflate", "mem_populate"), sets[1], None):
        pages = [t for t, l in trace if t > t0 and (t1 is None or t < t1) and
                 f" {rec} " in l and " ret=0 " in l and l.split()[2] == "d1"]
        if not pages:
            raise Missing(f"ts-balloon: no {rec} records")
        insns = pages[-1] - t0
        bal[kind] = {"pages": len(pages), "insns": insns,
                     "pages_per_minsn": len(pages) * 1e6 / insns, "insns_per_page": insns / len(pages)}
    res["balloon"] = bal

    fill = {}
    for line in read(os.path.join(once, "ts-fill", "serial.log")):
        m = re.search(r"bench: fill \S+ (\d+) KiB target (\d+) KiB: (\d+) domains, then (\S+)", line)
        if m:
            fill["balloon" if int(m.group(2)) else "fixed"] = {
                "vm_kib": int(m.group(1)), "target_kib": int(m.group(2)),
                "domains": int(m.group(3)), "stopped_by": m.group(4)}
    if set(fill) != {"fixed", "balloon"}:
        raise Missing("ts-fill: two fill lines expected")
    res["fill"] = fill
    return res


def ring(out):
    """The echo ring (bench/parts/rings.sh): per batch size (1, 8, 32), the
    instructions of one request front -> back -> front and the events
    both sides raised per 100 requests, as the front end printed them."""
    res = {}
    for b in (1, 8, 32):
        lines = read(os.path.join(out, f"ring-b{b}", "serial.log"))
        res[f"b{b}"] = {
            "insns_per_request": int(one(rf"bench: echo_request_batch{b} (\d+)", lines,
                                         f"ring-b{b}").group(1)),
            "events_per_100": int(one(rf"bench: echo_events_per_100_batch{b} (\d+)", lines,
                                      f"ring-b{b}").group(1)),
        }
    return res


def trace_paths(trace_bin, hvtrace):
    """`hvtrace stats`'s exact hypercall path lengths (the since_entry of
    each record), for the trace=on run of the bench program."""
    try:
        out = subprocess.run([hvtrace, "stats", trace_bin], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError) as e:
        raise Missing(f"hvtrace stats {trace_bin}: {e}")
    paths, on = {}, False
    for line in out:
        if line.startswith("hypercall path lengths"):
            on = True
            continue
        if on and not line.startswith("  "):
            break
        m = re.match(r"^\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", line)
        if on and m:
            paths[m.group(1)] = {k: int(v) for k, v in
                                 zip(("calls", "min", "median", "p99", "max"), m.groups()[1:])}
    if "xen_version" not in paths:
        raise Missing(f"hvtrace stats {trace_bin}: no path lengths")
    return paths


def git_describe():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def qemu_version():
    try:
        out = subprocess.run(["qemu-system-i386", "--version"], capture_output=True,
                             text=True, check=True).stdout
        return out.splitlines()[0].strip()
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def collect(out, hvtrace):
    res = {
        "format": 1,
        "unit": "guest instructions under qemu-system-i386 -icount shift=0,sleep=off "
                "(the TSC advances once per instruction: exact and repeatable)",
        "source": git_describe(),
        "qemu": qemu_version(),
        "configs": {},
        "rows": {},
        "switch": {},
    }
    for name, what in ROW_CONFIGS.items():
        res["configs"][name] = {"what": what, "scenario": f"bench/{name}.scn"}
        rows = rows_of(read(os.path.join(out, name, "serial.log")))
        if "null_syscall" not in rows:
            raise Missing(f"{name}: no rows")
        res["rows"][name] = rows
    for name, what in SWITCH_CONFIGS.items():
        scn = f"switch-{name}"
        res["configs"][scn] = {"what": what, "scenario": f"bench/{scn}.scn"}
        lines = read(os.path.join(out, scn, "serial.log"))
        sw = switch_samples(lines)
        rt = rows_of(lines).get("yield_rt")
        if rt is None:
            raise Missing(f"{scn}: no yield_rt row")
        sw["yield_rt"] = rt
        res["switch"][name] = sw

    ev = {}
    off = read(os.path.join(out, "events-off", "serial.log"))
    on = read(os.path.join(out, "events-on", "serial.log"))
    ev["evtchn_rt_off"] = int(one(r"bench: evtchn_roundtrip (\d+)", off, "events-off").group(1))
    ev["evtchn_rt_on"] = int(one(r"bench: evtchn_roundtrip (\d+)", on, "events-on").group(1))
    su = send_upcall(read(os.path.join(out, "events-on", "trace.txt")))
    if su is None:
        raise Missing("events-on: no send -> upcall pair in the trace")
    ev["send_upcall"] = su
    warp = read(os.path.join(out, "sched-warp", "serial.log"))
    for key, phase in (("nowarp", "without warp"), ("warp", "with warp")):
        m = one(rf"warp-sleeper: {phase}: .*latency mean (\d+) us, max (\d+) us", warp, phase)
        ev[f"wake_{key}_mean_us"] = int(m.group(1))
        ev[f"wake_{key}_max_us"] = int(m.group(2))
    res["events"] = ev
    res["trace_paths"] = trace_paths(os.path.join(out, "pv-trace", "trace.bin"), hvtrace)
    res["host"] = host(read(os.path.join(out, "host.txt")))
    res["block"] = block(out)
    res["net"] = net(out)
    res["ring"] = ring(out)
    res["toolstack"] = toolstack(out)
    return res


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        res = collect(argv[1], os.environ.get("HVTRACE", "build/bin/hvtrace"))
    except Missing as e:
        print(f"collect: {e}", file=sys.stderr)
        return 1
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
