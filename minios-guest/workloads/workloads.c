/*
 * minios-guest/workloads/workloads.c — kernel-task workloads: their shared helpers, and the clock
 * checks (timecheck).  The scheduling workloads are in workloads-sched.c,
 * the event-channel ones in workloads-evtchn.c.
 *
 * Where this sits in the story (course: "Xen and time"): a PV guest reads
 * time from the shared-info page -- system time, its own virtual time, the
 * wall clock -- without a trap; a native kernel reads the TSC and the CMOS
 * clock.  timecheck checks that what it reads makes sense, in both modes.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "arch/pv/hypercall.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "lib/string.h"
#include "workloads/workloads.h"
#include "lib/x86.h"

void check_eq(struct checks *c, const char *what, int got, int want)
{
    if (got == want) {
        kprintf("%s: %s: %d: PASS\n", c->who, what, got);
        c->passed++;
    } else {
        kprintf("%s: %s: FAIL (got %d, want %d)\n", c->who, what, got, want);
        c->failed++;
    }
}

void domctl_init(struct hv_domctl *c, uint32_t cmd, domid_t dom)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->interface_version = HV_DOMCTL_INTERFACE_VERSION;
    c->domain = dom;
}

const char *cmdline_value(const char *key)
{
    const char *s = boot_info.cmdline;
    uint32_t n = strlen(key);
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, key, n) == 0 && s[n] == '=')
            return s + n + 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

/* "key=N" on the command line, or def. */
int cmdline_int(const char *key, int def)
{
    const char *s = cmdline_value(key);
    if (!s)
        return def;
    int v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return v;
}

int need_pv(const char *name)
{
    if (pv_ops.paravirt)
        return 1;
    kprintf("%s: native mode: no hypervisor, no event channels: skipped\n", name);
    return 0;
}

void wait_for_victim(const char *who)
{
    if (cmdline_has("nowait") || !start_info->dom0_evtchn)
        return;
    kprintf("%s: waiting for dom0's go\n", who);
    evtchn_wait(start_info->dom0_evtchn, 1);
}

/* ---- timecheck: the clocks ---------------------------------------------- */

int timecheck_main(void)
{
    int bad = 0;
    /* 1. System time never goes backwards, over many reads (each read
     * extrapolates with rdtsc from the last record: the seams between
     * records are where a bug would show). */
    uint64_t prev = pv_ops.system_ns(), back = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t t = pv_ops.system_ns();
        if (t < prev)
            back++;
        prev = t;
        if (i % 2000 == 0)
            proc_sleep_ns(1 * MS);             /* cross some updates */
    }
    kprintf("timecheck: system time monotonic over 20000 reads: %s (%u went back)\n",
            back ? "FAIL" : "PASS", (uint32_t)back);
    bad += back != 0;

    /* 2. Virtual time against system time while sharing the CPU: spin for
     * 300 ms of system time.  Under hvkit a hog domain runs too, so we get
     * part of it: virtual time advances less.  Natively: all of it. */
    uint64_t s0 = pv_ops.system_ns(), v0 = pv_ops.virtual_ns();
    uint32_t ticks0 = proc_ticks;
    while (pv_ops.system_ns() - s0 < 300 * MS)
        ;
    uint64_t ds = pv_ops.system_ns() - s0, dv = pv_ops.virtual_ns() - v0;
    uint32_t ticks = proc_ticks - ticks0;
    uint32_t share = ds ? (uint32_t)(dv * 100 / ds) : 0;
    kprintf("timecheck: over %u us of system time we ran %u us of virtual time: share %u%%\n",
            (uint32_t)(ds / 1000), (uint32_t)(dv / 1000), share);
    if (pv_ops.paravirt) {
        int ok = dv < ds && dv > 0;
        kprintf("timecheck: virtual time < system time while sharing the CPU: %s\n",
                ok ? "PASS" : "FAIL");
        bad += !ok;
        ok = pv_ops.virtual_ns() < pv_ops.system_ns();
        kprintf("timecheck: virtual time since boot < system time since boot: %s\n",
                ok ? "PASS" : "FAIL");
        bad += !ok;
    } else {
        /* Alone on the machine virtual time is system time by definition;
         * what can be checked is the TSC calibration against the PIT: 300
         * ms of TSC-measured time must have seen 30 ticks of the 100 Hz
         * PIT interrupt (+- 2). */
        int ok = ticks >= 28 && ticks <= 32;
        kprintf("timecheck: native: 300 ms of TSC time saw %u PIT ticks (100 Hz): %s\n",
                ticks, ok ? "PASS" : "FAIL");
        bad += !ok;
    }

    /* 3. The wall clock: QEMU runs with -rtc base=2000-01-01, so within a
     * minute of 946684800 s since 1970. */
    uint32_t sec, nsec;
    pv_ops.wall_clock(&sec, &nsec);
    int ok = sec >= 946684800u && sec < 946684800u + 60 && nsec < 1000000000u;
    kprintf("timecheck: wall clock %u.%09u s since 1970 (2000-01-01 + %u s): %s\n",
            sec, nsec, sec - 946684800u, ok ? "PASS" : "FAIL");
    bad += !ok;
    kprintf("timecheck: %s\n", bad ? "FAIL" : "all PASS");
    return bad;
}
