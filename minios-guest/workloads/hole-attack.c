/*
 * minios-guest/workloads/hole-attack.c — a hostile guest kernel against the
 * memory split (kernel task "hole-attack"), and the domain it tries to
 * reach (kernel task "hole-victim").
 *
 * Where this sits in the story (course: the memory split; ring
 * deprivileging): the hypervisor lives in the top 64 MiB of every address
 * space, and a guest kernel runs in ring 1, which paging counts as
 * "supervisor" -- so the U/S bit cannot keep it out.  The guest segments'
 * limit (0xFBFFFFFF) does, on real hardware.  QEMU's TCG does not check
 * segment limits on data accesses.  This task simply tries: plain `mov`
 * instructions at and above 0xFC000000, no hypercall involved.
 *
 *   1. it reads one word of every page of the hole and, with `lock orl $0`
 *      (a write that changes nothing), tests whether the page is writable,
 *      and prints what it found: which pages, readable or writable;
 *   2. it reads the hypervisor's first page (its Multiboot header) and
 *      tests the IDT and the GDT (sidt and sgdt tell a ring-1 kernel where
 *      they are);
 *   3. it looks for the hypervisor's version string ("-hvkit", which
 *      xen_version gives) in the hypervisor's image and overwrites it --
 *      xen_version then tells whether the hypervisor's read-only data was
 *      patched, and the hypervisor's own check at the end of the run says
 *      so too;
 *   4. it looks through the hypervisor's direct map of machine memory for
 *      the victim's canary page and overwrites it; the victim notices.
 *
 * Under isolation=classic (tests/scenarios/isolation-hole-classic.scn) all
 * of it succeeds on TCG.  Under isolation=paging, the default
 * (tests/scenarios/isolation-hole.scn), the only pages there are are the
 * entry trampoline's, every other access is a page fault bounced back to
 * this kernel, which resumes past it (vm_fixup_eip), and nothing is
 * reached.  On real hardware the segment limit would stop every access
 * first, with a #GP.
 *
 * The victim fills a page with a pattern nobody else has (computed, never
 * stored in the image) and checks it every few milliseconds for a while.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pv/pvops-hv.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "workloads/workloads.h"
#include "public/version.h"

#define HOLE_PAGES   16384u     /* 64 MiB from HYPERVISOR_VIRT_START to the top */
#define HV_IMAGE_VA  (HYPERVISOR_VIRT_START + 0x100000u)  /* machine 1 MiB, direct-mapped */
#define DIRECT_PAGES 15360u                               /* the 60 MiB direct map */

/* The victim's pattern, word i of its canary page.  Computed by both
 * sides, so it is in nobody's image. */
static uint32_t canary(uint32_t i)
{
    return 0x5EC0DE00u ^ (i * 2654435761u);
}

/* ---- probes: one instruction each, any exception resumes past it ------- */

/* Read the word at va: 1 (and *out) if it could be read, 0 if it faulted. */
static int probe_read(uint32_t va, uint32_t *out)
{
    int ok;
    uint32_t v = 0;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movl (%2), %1\n\t"
                     "movl $1, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $0, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(ok), "+r"(v) : "r"(va) : "memory");
    *out = v;
    return ok;
}

/* Is the word at va writable?  `lock orl $0` is a write that changes
 * nothing, in one instruction nobody can come between. */
static int probe_writable(uint32_t va)
{
    int ok;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "lock orl $0, (%1)\n\t"
                     "movl $1, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $0, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(ok) : "r"(va) : "memory");
    return ok;
}

/* Store one byte at va: 1 if it went in, 0 if it faulted. */
static int probe_store8(uint32_t va, uint8_t b)
{
    int ok;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movb %2, (%1)\n\t"
                     "movl $1, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $0, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(ok) : "r"(va), "q"(b) : "memory");
    return ok;
}

static const char *fault_name(void)
{
    switch (vm_fixup_trapno) {
    case 13: return "general protection fault (the segment limit)";
    case 14: return "page fault";
    default: return "fault";
    }
}

/* ---- 1. every page of the hole ------------------------------------------ */

static uint8_t readable[HOLE_PAGES / 8];    /* one bit per page of the hole */

static int page_readable(uint32_t va)
{
    uint32_t i = (va - HYPERVISOR_VIRT_START) >> 12;
    return (readable[i >> 3] >> (i & 7)) & 1;
}

static void print_run(uint32_t first, uint32_t n, int writable)
{
    uint32_t lo = HYPERVISOR_VIRT_START + first * 4096;
    kprintf("hole-attack:   %08x-%08x (%u page%s): readable%s\n", lo, lo + n * 4096 - 1,
            n, n == 1 ? "" : "s", writable ? ", writable" : ", read-only");
}

static uint32_t scan_hole(uint32_t *nr_writable)
{
    uint32_t nr_read = 0, nr_write = 0;
    uint32_t run_first = 0, run_n = 0;
    int run_w = 0;
    memset(readable, 0, sizeof readable);
    for (uint32_t i = 0; i < HOLE_PAGES; i++) {
        uint32_t va = HYPERVISOR_VIRT_START + i * 4096, v;
        int r = probe_read(va, &v);
        int w = r && probe_writable(va);
        if (r) {
            readable[i >> 3] |= (uint8_t)(1u << (i & 7));
            nr_read++;
            nr_write += (uint32_t)w;
        }
        /* Runs of pages alike, printed as ranges. */
        if (run_n && (!r || w != run_w || i != run_first + run_n)) {
            print_run(run_first, run_n, run_w);
            run_n = 0;
        }
        if (r) {
            if (!run_n) {
                run_first = i;
                run_w = w;
            }
            run_n++;
        }
    }
    if (run_n)
        print_run(run_first, run_n, run_w);
    *nr_writable = nr_write;
    return nr_read;
}

/* ---- 2. named places ---------------------------------------------------- */

struct table_reg {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static void try_place(const char *what, uint32_t va)
{
    uint32_t v;
    if (!probe_read(va, &v)) {
        kprintf("hole-attack: read %s at %08x: %s\n", what, va, fault_name());
        return;
    }
    int w = probe_writable(va);
    kprintf("hole-attack: read %s at %08x: %08x; writable: %s\n", what, va, v,
            w ? "yes" : fault_name());
}

/* ---- 3. patch the hypervisor's version string --------------------------- */

/* The first address in [lo, hi) where the n bytes of pat are, 0 if none,
 * looking only in readable pages (the probe scan's map). */
static uint32_t find_in_hole(uint32_t lo, uint32_t hi, const char *pat, uint32_t n)
{
    for (uint32_t a = lo; a + n <= hi; a++) {
        if (!page_readable(a & ~0xFFFu)) {
            a |= 0xFFF;                        /* skip the page */
            continue;
        }
        if (!page_readable((a + n - 1) & ~0xFFFu))
            continue;
        if (strncmp((const char *)a, pat, n) == 0)
            return a;
    }
    return 0;
}

static int patch_version(void)
{
    char ver[XENVER_EXTRAVERSION_LEN];
    memset(ver, 0, sizeof ver);
    if (HYPERVISOR_xen_version(XENVER_extraversion, ver) < 0)
        return 0;
    ver[sizeof ver - 1] = 0;
    uint32_t n = strlen(ver) + 1;              /* with its NUL: the whole string */
    uint32_t at = find_in_hole(HV_IMAGE_VA, HV_IMAGE_VA + 0x300000u, ver, n);
    if (!at) {
        kprintf("hole-attack: the hypervisor's version string \"%s\": not found "
                "(its image is not mapped here)\n", ver);
        return 0;
    }
    const char *mine = "-PWNED";
    int stored = 1;
    for (uint32_t i = 0; mine[i] && i + 1 < n; i++)
        stored &= probe_store8(at + i, (uint8_t)mine[i]);
    memset(ver, 0, sizeof ver);
    HYPERVISOR_xen_version(XENVER_extraversion, ver);
    ver[sizeof ver - 1] = 0;
    kprintf("hole-attack: version string at %08x %s; xen_version(extraversion) now says \"%s\"\n",
            at, stored ? "overwritten" : "not writable", ver);
    return stored;
}

/* ---- 4. the victim's canary, through the direct map --------------------- */

static int hit_victim(void)
{
    for (uint32_t mfn = 0; mfn < DIRECT_PAGES; mfn++) {
        uint32_t va = HYPERVISOR_VIRT_START + mfn * 4096;
        if (!page_readable(va))
            continue;
        volatile uint32_t *p = (volatile uint32_t *)va;
        if (p[0] != canary(0) || p[1] != canary(1) || p[2] != canary(2) || p[3] != canary(3))
            continue;
        int stored = probe_store8(va, 0xBA);
        kprintf("hole-attack: victim's canary page found at machine frame %x; written via the "
                "direct map: %s\n", mfn, stored ? "yes" : fault_name());
        return stored;
    }
    kprintf("hole-attack: the victim's canary page: not found (the direct map is not mapped here)\n");
    return 0;
}

int hole_attack_main(void)
{
    if (!need_pv("hole-attack"))
        return 0;
    struct xenver_hvkit_stats st;
    const char *mode = "unknown (the hypervisor does not say)";
    if (HYPERVISOR_xen_version(XENVER_hvkit_stats, &st) == 0)
        mode = st.isolation == HVKIT_ISOLATION_PAGING ? "paging" : "classic";
    kprintf("hole-attack: isolation=%s; plain loads and stores from ring 1 into the hole\n", mode);
    /* Let the victim set its page up first. */
    proc_sleep_ns(20 * MS);

    kprintf("hole-attack: every page of 0x%08x-0xffffffff, one word each:\n", HYPERVISOR_VIRT_START);
    uint32_t nw, nr = scan_hole(&nw);
    kprintf("hole-attack: %u of %u pages of the hole readable, %u writable\n",
            nr, HOLE_PAGES, nw);

    try_place("the hypervisor's first page (its Multiboot header)", HV_IMAGE_VA);
    struct table_reg idt, gdt;
    __asm__ volatile("sidt %0" : "=m"(idt));
    __asm__ volatile("sgdt %0" : "=m"(gdt));
    try_place("the IDT (sidt)", idt.base);
    try_place("the GDT (sgdt)", gdt.base);

    int patched = patch_version();
    int hit = hit_victim();
    int open = page_readable(HV_IMAGE_VA) || patched || hit;
    if (open)
        kprintf("hole-attack: the hole is OPEN: read the hypervisor%s%s\n",
                patched ? ", patched its read-only data" : "",
                hit ? ", wrote another domain" : "");
    else
        kprintf("hole-attack: the hole is CLOSED: only a %u-page entry trampoline, "
                "no other domain\n", nr);
    kprintf("hole-attack: done\n");
    return 0;
}

/* ---- the victim ---------------------------------------------------------- */

int hole_victim_main(void)
{
    uint32_t *page = page_alloc();
    if (!page)
        panic("hole-victim: out of memory");
    for (uint32_t i = 0; i < 1024; i++)
        page[i] = canary(i);
    uint32_t watch_ms = (uint32_t)cmdline_int("watch_ms", 600);
    kprintf("hole-victim: my canary page is ready (machine frame %x); watching it for %u ms\n",
            pv_ops.pt_mfn(page), watch_ms);
    for (uint32_t t = 0; t < watch_ms; t += 5) {
        proc_sleep_ns(5 * MS);
        for (uint32_t i = 0; i < 1024; i++)
            if (page[i] != canary(i)) {
                kprintf("hole-victim: my canary page was CHANGED (word %u: %08x, was %08x): "
                        "someone wrote it\n", i, page[i], canary(i));
                return 1;
            }
    }
    kprintf("hole-victim: my canary page is intact after %u ms\n", watch_ms);
    return 0;
}
