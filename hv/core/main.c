/*
 * hv/core/main.c — the hypervisor's boot sequence, from boot.S to the first guest.
 *
 * Read this file first: it is the table of contents of the hypervisor.
 *
 *   1. serial console, so we can say what we are doing;
 *   2. the command line (dom0_mem=, trace=, ...);
 *   3. segments and interrupt table: the rings (hv/x86/segments.c);
 *   4. machine memory: the frame allocator (hv/mm/mm.c), and what keeps
 *      guests out of the hypervisor's memory (hv/mm/isolation.c);
 *   5. time: PIC, TSC, PIT, RTC (hv/time/clock.c);
 *   6. the trace ring, announced to the host at TRACE_ANCHOR_PADDR;
 *   7. one domain per boot module (hv/core/domain_build.c), except the
 *      modules marked `inactive`, kept as images for dom0's toolstack;
 *   8. the timer ticks and the NMI watchdog (hv/x86/watchdog.c); start
 *      scheduling: enter the first domain in ring 1 and never return.
 */
#include "core/cmdline.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/domain_build.h"
#include "core/lib.h"
#include "core/progress.h"
#include "mm/isolation.h"
#include "mm/mm.h"
#include "x86/multiboot.h"
#include "mm/page.h"
#include "sched/sched.h"
#include "event/upcall.h"
#include "time/time.h"
#include "trace/trace.h"
#include "x86/traps.h"
#include "x86/fpu.h"
#include "x86/watchdog.h"
#include "x86/x86.h"
#include "public/trace.h"

static struct hv_options opts;

/* The trace's time stamps are raw TSC cycles (the record carries tsc_khz
 * to convert); trace.c calls this on its slow path, the host tests supply
 * a fake one. */
uint64_t trace_clock(void)
{
    return rdtsc();
}

static void warn(const char *msg)
{
    printk("warning: %s\n", msg);
}

/* Skip the first word of a Multiboot command line: QEMU puts the file name
 * there. */
static const char *skip_first_word(const char *s)
{
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

/* Is word one of the space-separated words of s? */
static int word_in(const char *s, const char *word)
{
    uint32_t n = strlen(word);
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == 0))
            return 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

/* The base name of the module's file, for messages. */
static void module_name(const char *s, char *out, uint32_t size)
{
    const char *base = s;
    for (const char *p = s; *p && *p != ' '; p++)
        if (*p == '/')
            base = p + 1;
    uint32_t n = 0;
    while (base[n] && base[n] != ' ' && n + 1 < size) {
        out[n] = base[n];
        n++;
    }
    out[n] = 0;
}

/* Format the trace ring and tell the host where it is.  The host reads the
 * guest's RAM as a file (public/trace.h), so it needs a place to look that
 * does not depend on where the ring landed: the anchor, at a fixed
 * physical address in low memory the hypervisor never otherwise uses.
 * The magic is written last, after a compiler barrier: a reader polling
 * for it never sees an anchor whose other fields are not there yet (x86
 * keeps stores in order; only the compiler could reorder them). */
static void trace_setup(uint32_t ring_maddr, uint32_t ring_bytes)
{
    trace_init(maddr_to_virt(ring_maddr), ring_bytes, tsc_khz, opts.trace_on);
    struct trace_anchor *a = maddr_to_virt(TRACE_ANCHOR_PADDR);
    a->version = TRACE_FORMAT_VERSION;
    a->ring_paddr = ring_maddr;
    a->ring_bytes = ring_bytes;
    a->boot_id = (uint32_t)rdtsc();
    __asm__ __volatile__("" ::: "memory");
    memcpy(a->magic, TRACE_ANCHOR_MAGIC, 8);   /* last: the reader waits for it */
    trace3(TRC_TRACE_START, DOMID_HV, tsc_khz, trace_ring->nr_records, TRACE_FORMAT_VERSION);
    printk("trace: %s, %u records at machine address %x\n",
           opts.trace_on ? "on" : "off", trace_ring->nr_records, ring_maddr);
}

void hv_main(uint32_t magic, uint32_t mbi_phys)
{
    serial_init();
    printk("hvkit %u.%u: a teaching hypervisor (ring 0, top 64 MiB at %x)\n",
           0, 1, HYPERVISOR_VIRT_START);
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a Multiboot loader (magic %x)", magic);
    const struct multiboot_info *mbi = maddr_to_virt(mbi_phys);

    /* 2. Options. */
    cmdline_defaults(&opts);
    const char *cmd = (mbi->flags & MBI_FLAG_CMDLINE) ?
                      skip_first_word(maddr_to_virt(mbi->cmdline)) : "";
    printk("command line: \"%s\"\n", cmd);
    cmdline_parse(cmd, &opts, warn);
    progress_init(opts.insn_limit_m);

    /* The identity mapping of the first 4 MiB was only for boot.S.  Left
     * in, it would map low machine memory at virtual 0..4 MiB into the
     * hypervisor's own directory, under the guests' half of the memory
     * split.  Reloading CR3 flushes it from the TLB. */
    boot_pgdir[0] = 0;
    write_cr3(virt_to_maddr(boot_pgdir));

    /* 3. - 5. */
    segments_init();
    fpu_init();
    uint32_t ring_bytes = sizeof(struct trace_ring) +
                          opts.trace_records * sizeof(struct trace_record);
    uint32_t ring_maddr;
    mm_init(mbi, ring_bytes, &ring_maddr);
    /* The memory split: paging-enforced or segments only (isolation=);
     * before any domain, whose directory gets the hypervisor's slots. */
    isolation_init(opts.isolation);
    time_init(opts.tick_ms);
    if (sched_init(opts.sched) < 0)
        panic("unknown scheduler \"%s\"", opts.sched);
    printk("scheduler: %s\n", sched_name());

    /* 6. */
    trace_setup(ring_maddr, ring_bytes);

    /* 7. Domains: module 0 is dom0, the rest are domUs, numbered in order.
     * The hypervisor builds them now, like Xen builds dom0; a module whose
     * arguments say `inactive` is not built but kept, as an image dom0's
     * toolstack may create domains from later (DOMCTL_load: mechanism
     * here, the decision in dom0).  Every other module is offered to the
     * builder, even past MAX_DOMAINS: one that cannot become a domain is
     * refused out loud (a console line and a dom_refused record), never
     * dropped in silence. */
    uint32_t nmods = (mbi->flags & MBI_FLAG_MODS) ? mbi->mods_count : 0;
    const struct multiboot_module *mods = maddr_to_virt(mbi->mods_addr);
    if (nmods > MAX_DOMAINS)
        printk("warning: %u modules, but at most %u domains: modules from %u on are refused\n",
               nmods, MAX_DOMAINS, MAX_DOMAINS);
    uint32_t next_id = 0;
    for (uint32_t i = 0; i < nmods; i++) {
        const char *str = mods[i].string ? maddr_to_virt(mods[i].string) : "";
        char name[48];
        module_name(str, name, sizeof name);
        const char *args = skip_first_word(str);
        const void *data = maddr_to_virt(mods[i].mod_start);
        uint32_t len = mods[i].mod_end - mods[i].mod_start;
        if (i > 0 && word_in(args, "inactive")) {
            if (boot_image_keep(data, len, name, args) == 0) {
                /* Its frames stay the hypervisor's: not released below. */
                for (uint32_t a = mods[i].mod_start & ~0xFFFu; a < mods[i].mod_end &&
                     (a >> HV_PAGE_SHIFT) < MAX_FRAMES; a += HV_PAGE_SIZE)
                    frame_table[a >> HV_PAGE_SHIFT].use = FRAME_HV;
                printk("module %u (%s): kept as boot image %u for dom0 (inactive)\n",
                       i, name, nr_boot_images - 1);
            } else {
                printk("module %u (%s): refused: more than %u inactive images\n",
                       i, name, MAX_BOOT_IMAGES);
            }
            continue;
        }
        /* Past the table, every module gets the id MAX_DOMAINS, which has
         * no slot (a plain (domid_t)i would wrap around at 65536). */
        domid_t id = next_id < MAX_DOMAINS ? (domid_t)next_id : (domid_t)MAX_DOMAINS;
        next_id++;
        domain_build(id, i, data, len, name, args,
                     i == 0 ? opts.dom0_kib : opts.domu_kib);
    }
    /* The images are copied into their domains: their frames can now be
     * handed out (and the only copy of a domain's kernel is its own) --
     * all but the inactive images', which dom0 may still build from. */
    mm_release_modules();
    if (!domains_alive())
        panic("no domain could be built (%u modules given with -initrd)", nmods);

    /* Every domU gets one event channel to dom0 before anyone runs, so
     * neither side has to wait for the other to exist. */
    events_connect_dom0();

    /* 8.  The timer, its watchdog (hv/x86/watchdog.c), the first domain. */
    time_start_ticks();
    watchdog_init(tsc_khz);
    sched_start();
}
