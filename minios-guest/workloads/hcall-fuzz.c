/*
 * minios-guest/workloads/hcall-fuzz.c — a random hypercall fuzzer (kernel
 * task "hcall-fuzz"): fuzz_calls= (100000) hypercalls with random numbers
 * and arguments, from a domU, while the victim in dom0 measures its gap.
 *
 * Where this sits in the story (course: isolation; "every guest is
 * hostile"): the attack scenarios try what someone thought of; a fuzzer
 * tries what nobody did.  The hypervisor must answer every call with an
 * error code or a result, and never crash, hang, or let the victim wait.
 * What it throws, in a mix chosen by a seeded generator (fuzz_seed=, so a
 * failure can be replayed):
 *
 *   - any hypercall number (mostly the table's 64, sometimes any 32 bits)
 *     with arguments drawn from "interesting" values: 0, -1, small
 *     numbers, the edges of the hole (0xFBFFF000..0xFBFFFFFF, 0xFC000000,
 *     0xFFFFFFFF), unmapped addresses, our own buffer, machine frames of
 *     ours, of dom0, of the hypervisor, the shared-info frame, and plain
 *     random words;
 *   - structured random batches: mmu_update and mmuext_op requests on the
 *     page tables of a scratch address space, multicalls of random calls,
 *     memory_op extent lists, event-channel and domctl structures;
 *   - random direct stores into those page tables (the writable-page-table
 *     path), faults included.
 *
 * It only keeps itself alive: a hypercall may legally destroy the caller
 * (unmap its own kernel, clear its trap table, shut it down), and a fuzzer
 * that dies after 50 calls proves nothing.  So every pointer that would
 * land in our own memory lands in our scratch buffer instead; page-table
 * requests aimed at our own kernel's tables go to the scratch tables;
 * a new base pointer is only ever ours, and put back; shutdown and block
 * are never asked; and whatever a call could have changed about how we
 * are entered (trap table, callbacks, kernel stack) is put back after it,
 * events masked meanwhile.  Everything else is as random as the generator.
 *
 * At the end: "hcall-fuzz: N calls (...), M direct stores, seed S".
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/proc.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "workloads/workloads.h"
#include "public/memory.h"
#include "public/mmu.h"

/* ---- the generator: xorshift32, seeded from the command line ------------ */

static uint32_t rng;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

/* ---- what we keep alive, and what we throw ------------------------------- */

#define ARENA_PAGES   8                 /* junk the hypervisor may read or write */
#define SCRATCH_L1S   2
#define NR_DATA       4
#define M2P_ENTRIES   15360             /* frames the read-only M2P covers */

static uint8_t *arena_page[ARENA_PAGES];  /* random bytes the hypervisor may read or write */
static uint8_t *batch;                  /* the batches we build, sanitised: one page */
static char *dots;                      /* what random console writes print */
static uint32_t *scratch_pd, *scratch_l1[SCRATCH_L1S];
static uint32_t scratch_pd_mfn, scratch_l1_mfn[SCRATCH_L1S], data_mfn[NR_DATA];
static uint32_t kernel_pd_mfn, kernel_l1_mfn, spare_mfn, spare_pfn;
static uint32_t sacrificial_va, sacrificial_mfn;
static uint32_t own_bits[M2P_ENTRIES / 32];
static uint32_t calls, in_batches, stores, by_result[5];
static uint32_t scratch_va[SCRATCH_L1S] = { UDATA_BASE, 0x00400000u };

static int own_frame(uint32_t mfn)
{
    return mfn < M2P_ENTRIES && (own_bits[mfn / 32] >> (mfn % 32) & 1);
}

static int scratch_frame(uint32_t mfn)
{
    if (mfn == scratch_pd_mfn || mfn == spare_mfn)
        return 1;
    for (int i = 0; i < SCRATCH_L1S; i++)
        if (mfn == scratch_l1_mfn[i])
            return 1;
    for (int i = 0; i < NR_DATA; i++)
        if (mfn == data_mfn[i])
            return 1;
    return 0;
}

/* A machine frame worth naming. */
static uint32_t any_frame(void)
{
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    switch (below(10)) {
    case 0: return scratch_pd_mfn;
    case 1: return scratch_l1_mfn[below(SCRATCH_L1S)];
    case 2: return data_mfn[below(NR_DATA)];
    case 3: return p2m[0] + 1 + below(64);                 /* dom0's last frames */
    case 4: return 0x100 + below(64);                      /* the hypervisor's image */
    case 5: return start_info->shared_info >> 12;
    case 6: return p2m[below(start_info->nr_pages)];       /* one of ours (sanitised later) */
    case 7: return M2P_ENTRIES - 1 + below(3);             /* the direct map's edge */
    case 8: return below(1u << 20);
    default: return kernel_l1_mfn;
    }
}

/* A word worth passing. */
static uint32_t any_word(void)
{
    static const uint32_t edges[] = {
        0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF,
        0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFEu, 0xFBFFFFFFu, 0xFBFFFFFCu, 0xFBFFF000u,
        0xFBC00000u, 0xFC000000u, 0xFC100000u, 0xFFC00000u, 0x10000000u, DOMID_SELF,
    };
    switch (below(6)) {
    case 0: return edges[below(sizeof edges / sizeof edges[0])];
    case 1: return (uint32_t)arena_page[below(ARENA_PAGES)] + below(4096 - 256);
    case 2: return 0xFBFFF000u + below(0x1000);            /* the hole's edge */
    case 3: return 0xFC000000u + (rnd() & 0x03FFFFFF);     /* in the hole */
    case 4: return (any_frame() << 12) | below(8);
    default: return rnd();
    }
}

/* A pointer the hypervisor may read or write: never into our own memory
 * (kernel image, stacks, page tables), except our junk arena. */
static uint32_t safe_ptr(uint32_t p)
{
    uint32_t own_end = KERNBASE + start_info->nr_pages * 4096;
    uint32_t sh = start_info->shared_info_va;
    int in_arena = 0;
    for (int i = 0; i < ARENA_PAGES; i++)
        if (p >= (uint32_t)arena_page[i] && p + 256 <= (uint32_t)arena_page[i] + 4096)
            in_arena = 1;
    if (in_arena)
        return p;
    if ((p >= KERNBASE - 4096 && p < own_end + 4096) || (p >= sh - 4096 && p < sh + 8192))
        return (uint32_t)arena_page[p % ARENA_PAGES] + (p & 0x7FF);
    return p;
}

/* A virtual address for update_va_mapping / invlpg: never one of our
 * kernel's own pages but the one we sacrifice. */
static uint32_t any_va(void)
{
    switch (below(6)) {
    case 0: return scratch_va[below(SCRATCH_L1S)] + below(8) * 4096;
    case 1: return sacrificial_va;
    case 2: return 0xFBC00000u + below(0x400) * 4096;      /* the M2P slot */
    case 3: return 0xFC000000u + below(0x4000) * 4096;
    case 4: return below(0xC0000) << 12;                   /* anywhere below the kernel */
    default: return 0xFFFFF000u;
    }
}

/* A page-table entry's machine address: in a scratch table, or anywhere
 * but our kernel's own tables. */
static uint32_t any_pt_ptr(void)
{
    uint32_t mfn, idx = below(1024);
    switch (below(5)) {
    case 0: mfn = scratch_pd_mfn; idx = below(KERNBASE >> 22); break;   /* the user half */
    case 1: case 2: mfn = scratch_l1_mfn[below(SCRATCH_L1S)]; break;
    default: mfn = any_frame(); break;
    }
    if (own_frame(mfn) && !scratch_frame(mfn))
        mfn = scratch_l1_mfn[below(SCRATCH_L1S)];
    if (mfn == scratch_pd_mfn && idx >= (KERNBASE >> 22))
        idx = below(KERNBASE >> 22);
    return (mfn << 12) | (idx << 2);
}

/* An entry value: a frame, and flags including the ones no guest gets. */
static uint32_t any_pte(void)
{
    static const uint32_t flags[] = { 0x1, 0x3, 0x5, 0x7, 0x0, 0x2, 0x67, 0x87, 0x103, 0x183,
                                      0x7 | 0x100, 0x7 | 0x80 };
    if (below(8) == 0)
        return rnd();
    return (any_frame() << 12) | flags[below(sizeof flags / sizeof flags[0])];
}

/* ---- the calls ------------------------------------------------------------ */

static void count_result(int r)
{
    by_result[r >= 0 ? 0 : r == -HV_EINVAL ? 1 : r == -HV_EFAULT ? 2 : r == -HV_EPERM ? 3 : 4]++;
}

/* Make nr's pointer arguments safe, and refuse the calls that would end
 * us (returns 0 then). */
static int sanitise(uint32_t nr, uint32_t a[5])
{
    switch (nr) {
    case __HYPERVISOR_sched_op:
        if (a[0] == SCHEDOP_shutdown || a[0] == SCHEDOP_block)
            a[0] = SCHEDOP_yield;
        a[1] = safe_ptr(a[1]);
        return 1;
    case __HYPERVISOR_update_va_mapping:
        a[0] = any_va();
        return 1;
    case __HYPERVISOR_console_io:
        /* Junk on the console would run into our own lines: dots. */
        if ((uint32_t)(a[2] - KERNBASE) < 0x3C000000u)
            a[2] = (uint32_t)dots + below(64);
        return 1;
    case __HYPERVISOR_mmu_update:
    case __HYPERVISOR_mmuext_op:
    case __HYPERVISOR_multicall:
    case __HYPERVISOR_memory_op:
        /* Their batches are built in the batch area, sanitised (a random
         * "batch" could name our own page tables); here only pointers that
         * fault, and a safe done_out. */
        if ((uint32_t)(a[nr == __HYPERVISOR_memory_op ? 1 : 0] - KERNBASE) < 0x3C000000u)
            a[nr == __HYPERVISOR_memory_op ? 1 : 0] = 0xFBFFFFF0u + below(16);
        if (nr == __HYPERVISOR_mmu_update || nr == __HYPERVISOR_mmuext_op)
            a[2] = safe_ptr(a[2]);
        return 1;
    default:
        for (int i = 0; i < 5; i++)
            a[i] = safe_ptr(a[i]);
        return 1;
    }
}

/* What a call may have changed about how we are entered: put it back. */
static void restore_entry(void)
{
    extern void hypervisor_callback(void), failsafe_callback(void);
    trap_install();
    HYPERVISOR_set_callbacks(FLAT_RING1_CS, (uint32_t)hypervisor_callback,
                             FLAT_RING1_CS, (uint32_t)failsafe_callback);
    HYPERVISOR_stack_switch(FLAT_RING1_DS, (uint32_t)(myproc()->kstack + KSTACK_SIZE));
}

static int raw_call(uint32_t nr, uint32_t a[5])
{
    calls++;
    int r = hypercall(nr, a[0], a[1], a[2], a[3], a[4]);
    count_result(r);
    return r;
}

/* Calls after which we must put our entry points back. */
static int touches_entry(uint32_t nr)
{
    return nr == __HYPERVISOR_set_trap_table || nr == __HYPERVISOR_set_callbacks ||
           nr == __HYPERVISOR_stack_switch || nr == __HYPERVISOR_multicall;
}

static void back_to_kernel_pgdir(void)
{
    struct mmuext_op op = { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = kernel_pd_mfn };
    if (hypercall(__HYPERVISOR_mmuext_op, (uint32_t)&op, 1, 0, DOMID_SELF, 0) == 0)
        return;
    /* Refused: while we ran on the scratch directory, a random request may
     * have unpinned our own, and another mapped it (or one of its tables)
     * writable through the page we sacrifice.  Put that page back. */
    if (hypercall(__HYPERVISOR_update_va_mapping, sacrificial_va,
                  (sacrificial_mfn << 12) | PTE_P | PTE_RW, 0, UVMF_INVLPG, 0) != 0 ||
        hypercall(__HYPERVISOR_mmuext_op, (uint32_t)&op, 1, 0, DOMID_SELF, 0) != 0)
        panic("hcall-fuzz: cannot go back to the kernel's page directory");
}

/* mmu_update requests, structured. */
static uint32_t build_mmu(struct mmu_update *u, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ptr = any_pt_ptr(), val = any_pte();
        if (below(8) == 0) {
            /* MMU_MACHPHYS_UPDATE: only ever renumber our spare page to
             * its own pfn, or frames not ours, or out of range. */
            uint32_t mfn = any_frame();
            if (own_frame(mfn) || scratch_frame(mfn)) {
                mfn = spare_mfn;
                val = below(2) ? spare_pfn : start_info->nr_pages + below(1000);
            } else {
                val = below(start_info->nr_pages + 16);
            }
            ptr = (mfn << 12) | MMU_MACHPHYS_UPDATE;
        } else if (below(32) == 0) {
            ptr |= 2 + below(2);                             /* unknown commands */
        }
        u[i].ptr = ptr;
        u[i].val = val;
        if (below(64) == 0)
            u[i].ptr |= (uint64_t)1 << 32;                   /* above 4 GiB */
    }
    return n;
}

static uint32_t build_ext(struct mmuext_op *o, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        memset(&o[i], 0, sizeof o[i]);
        uint32_t cmd = below(10);
        if (cmd == 8)
            cmd = rnd();                                     /* nonsense */
        o[i].cmd = cmd;
        uint32_t mfn = below(4) ? any_frame() : scratch_pd_mfn;
        if (cmd == MMUEXT_NEW_BASEPTR)
            mfn = below(2) ? scratch_pd_mfn : kernel_pd_mfn;    /* only ours: we must live */
        else if (own_frame(mfn) && !scratch_frame(mfn) && mfn != kernel_pd_mfn &&
                 mfn != kernel_l1_mfn)
            mfn = scratch_l1_mfn[below(SCRATCH_L1S)];
        o[i].arg1.mfn = (cmd == MMUEXT_INVLPG_LOCAL) ? any_va() : mfn;
    }
    return n;
}

/* One round of the fuzzer: one top-level hypercall (or a direct store). */
static void one_round(void)
{
    uint32_t a[5];
    uint8_t *b = batch;
    switch (below(16)) {
    case 0: case 1: case 2: case 3: case 4: {           /* anything at all */
        uint32_t nr = below(8) ? below(HV_NR_HYPERCALLS) : rnd();
        for (int i = 0; i < 5; i++)
            a[i] = any_word();
        if (nr == __HYPERVISOR_mmu_update || nr == __HYPERVISOR_mmuext_op)
            a[1] = below(4) ? below(8) : any_word();
        sanitise(nr, a);
        int guard = touches_entry(nr);
        if (guard)
            pv_ops.irq_disable();
        raw_call(nr, a);
        if (guard) {
            restore_entry();
            pv_ops.irq_enable();
        }
        break;
    }
    case 5: case 6: {                                   /* an mmu_update batch */
        uint32_t n = 1 + below(16);
        build_mmu((struct mmu_update *)b, n);
        a[0] = (uint32_t)b; a[1] = n; a[2] = below(4) ? (uint32_t)(b + 3000) : 0;
        a[3] = below(16) ? DOMID_SELF : below(8); a[4] = 0;
        raw_call(__HYPERVISOR_mmu_update, a);
        in_batches += n;
        break;
    }
    case 7: case 8: {                                   /* an mmuext_op batch */
        uint32_t n = 1 + below(8);
        build_ext((struct mmuext_op *)b, n);
        a[0] = (uint32_t)b; a[1] = n; a[2] = below(2) ? (uint32_t)(b + 3000) : 0;
        a[3] = DOMID_SELF; a[4] = 0;
        raw_call(__HYPERVISOR_mmuext_op, a);
        back_to_kernel_pgdir();
        in_batches += n;
        break;
    }
    case 9: {                                           /* a multicall of random calls */
        struct multicall_entry *mc = (struct multicall_entry *)b;
        uint32_t n = 1 + below(8);
        for (uint32_t i = 0; i < n; i++) {
            memset(&mc[i], 0, sizeof mc[i]);
            uint32_t nr = below(HV_NR_HYPERCALLS);
            uint32_t x[5];
            for (int k = 0; k < 5; k++)
                x[k] = any_word();
            if (nr == __HYPERVISOR_mmu_update) {
                x[0] = (uint32_t)(b + 2048);
                x[1] = build_mmu((struct mmu_update *)(b + 2048), 1 + below(4));
            } else if (nr == __HYPERVISOR_mmuext_op) {
                x[0] = (uint32_t)(b + 2560);
                x[1] = build_ext((struct mmuext_op *)(b + 2560), 1 + below(4));
            }
            if (nr != __HYPERVISOR_mmu_update && nr != __HYPERVISOR_mmuext_op)
                sanitise(nr, x);
            x[2] = (nr == __HYPERVISOR_mmu_update || nr == __HYPERVISOR_mmuext_op) ? 0 : x[2];
            mc[i].op = nr;
            for (int k = 0; k < 5; k++)
                mc[i].args[k] = x[k];
        }
        a[0] = (uint32_t)mc; a[1] = n; a[2] = a[3] = a[4] = 0;
        pv_ops.irq_disable();
        raw_call(__HYPERVISOR_multicall, a);
        restore_entry();
        back_to_kernel_pgdir();
        pv_ops.irq_enable();
        in_batches += n;
        break;
    }
    case 10: {                                          /* memory_op with a random list */
        uint32_t *list = (uint32_t *)(b + 1024);
        uint32_t n = 1 + below(16);
        for (uint32_t i = 0; i < n; i++)
            list[i] = below(4) ? below(start_info->nr_pages + 8) : rnd();
        struct xen_memory_reservation *r = (struct xen_memory_reservation *)b;
        r->extent_start = below(8) ? (uint32_t)list : any_word();
        r->extent_start = safe_ptr(r->extent_start);
        r->nr_extents = below(8) ? n : any_word();
        r->extent_order = below(8) ? 0 : below(4);
        r->mem_flags = rnd();
        r->domid = below(8) ? DOMID_SELF : (domid_t)below(4);
        a[0] = below(8) ? XENMEM_decrease_reservation : any_word() & 0xFFFF;
        a[1] = (uint32_t)r; a[2] = a[3] = a[4] = 0;
        raw_call(__HYPERVISOR_memory_op, a);
        break;
    }
    case 11: {                                          /* update_va_mapping on the scratch space */
        struct mmuext_op op = { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = scratch_pd_mfn };
        if (hypercall(__HYPERVISOR_mmuext_op, (uint32_t)&op, 1, 0, DOMID_SELF, 0) == 0) {
            for (int k = 0; k < 4; k++) {
                a[0] = any_va(); a[1] = any_pte(); a[2] = below(16) ? 0 : rnd();
                a[3] = below(4); a[4] = 0;
                raw_call(__HYPERVISOR_update_va_mapping, a);
            }
        }
        back_to_kernel_pgdir();
        break;
    }
    case 12: case 13: {                                 /* a direct store into a scratch table */
        int t = below(SCRATCH_L1S + 1);
        uint32_t *table = t < SCRATCH_L1S ? scratch_l1[t] : scratch_pd;
        uint32_t idx = t < SCRATCH_L1S ? below(1024) : below(KERNBASE >> 22);
        uint32_t val = any_pte();
        __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                         "movl %1, (%0)\n"
                         "1:\tmovl $0, vm_fixup_eip"
                         : : "r"(&table[idx]), "r"(val) : "memory");
        stores++;
        break;
    }
    case 14: {                                          /* events and domctl, with junk */
        uint8_t *junk = arena_page[below(ARENA_PAGES)] + below(2048);
        for (int i = 0; i < 64; i++)
            junk[i] = (uint8_t)rnd();
        uint32_t nr = below(3) ? __HYPERVISOR_event_channel_op : __HYPERVISOR_domctl;
        if (nr == __HYPERVISOR_domctl) {
            struct hv_domctl *c = (struct hv_domctl *)junk;
            if (below(2))
                c->interface_version = HV_DOMCTL_INTERFACE_VERSION;
            a[0] = (uint32_t)junk;
        } else {
            a[0] = below(4) ? below(12) : rnd();
            a[1] = (uint32_t)junk;
        }
        a[2] = a[3] = a[4] = 0;
        if (nr == __HYPERVISOR_domctl)
            a[1] = 0;
        raw_call(nr, a);
        break;
    }
    default: {                                          /* the others' time */
        a[0] = SCHEDOP_yield; a[1] = a[2] = a[3] = a[4] = 0;
        raw_call(__HYPERVISOR_sched_op, a);
        break;
    }
    }
}

/* ---- the task --------------------------------------------------------------- */

static void *page_or_die(void)
{
    void *p = page_alloc();
    if (!p)
        panic("hcall-fuzz: no memory");
    return p;
}

int hcall_fuzz_main(void)
{
    if (!need_pv("hcall-fuzz"))
        return 0;
    uint32_t n = (uint32_t)cmdline_int("fuzz_calls", 100000);
    uint32_t seed = (uint32_t)cmdline_int("fuzz_seed", 12345);
    rng = seed ? seed : 1;

    /* Our own frames, to keep our hands off them. */
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    for (uint32_t pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (p2m[pfn] < M2P_ENTRIES)
            own_bits[p2m[pfn] / 32] |= 1u << (p2m[pfn] % 32);
    for (int i = 0; i < ARENA_PAGES; i++) {
        arena_page[i] = page_or_die();
        for (int k = 0; k < 4096; k++)
            arena_page[i][k] = (uint8_t)rnd();
    }
    batch = page_or_die();
    dots = page_or_die();
    for (int k = 0; k < 4096; k++)
        dots[k] = (k % 64 == 63) ? '\n' : '.';
    /* A scratch address space: its directory's user half and two tables
     * are the fuzzer's to wreck. */
    scratch_pd = vm_create();
    if (!scratch_pd)
        panic("hcall-fuzz: no memory");
    scratch_pd_mfn = pv_ops.pt_mfn(scratch_pd);
    for (int i = 0; i < SCRATCH_L1S; i++) {
        for (int k = 0; k < NR_DATA / SCRATCH_L1S; k++) {
            void *d = vm_map_zero(scratch_pd, scratch_va[i] + k * 4096);
            if (!d)
                panic("hcall-fuzz: no memory");
            data_mfn[i * (NR_DATA / SCRATCH_L1S) + k] = pv_ops.pt_mfn(d);
        }
        scratch_l1_mfn[i] = scratch_pd[scratch_va[i] >> 22] >> 12;
        scratch_l1[i] = P2V(pv_ops.pt_pfn(scratch_l1_mfn[i]) << 12);
    }
    uint32_t *kpd = vm_kernel_pgdir();
    kernel_pd_mfn = pv_ops.pt_mfn(kpd);
    kernel_l1_mfn = kpd[KERNBASE >> 22] >> 12;
    void *spare = page_or_die();
    spare_mfn = pv_ops.pt_mfn(spare);
    spare_pfn = ((uint32_t)spare - KERNBASE) >> 12;
    void *sac = page_or_die();
    sacrificial_va = (uint32_t)sac;
    sacrificial_mfn = pv_ops.pt_mfn(sac);

    kprintf("hcall-fuzz: %u calls, seed %u; scratch directory 0x%x, tables 0x%x 0x%x\n",
            n, seed, scratch_pd_mfn, scratch_l1_mfn[0], scratch_l1_mfn[1]);
    wait_for_victim("hcall-fuzz");
    uint32_t step = n / 10 ? n / 10 : 1, next_report = step;
    while (calls < n) {
        one_round();
        if (calls >= next_report) {
            kprintf("hcall-fuzz: %u calls\n", calls);
            next_report += step;
        }
    }
    kprintf("hcall-fuzz: %u calls (%u requests in batches), %u direct stores, seed %u\n",
            calls, in_batches, stores, seed);
    kprintf("hcall-fuzz: results: %u >= 0, %u -EINVAL, %u -EFAULT, %u -EPERM, %u other errors\n",
            by_result[0], by_result[1], by_result[2], by_result[3], by_result[4]);
    /* Leave the address space behind: the tables may be in any state the
     * hypervisor allowed, which vm_destroy does not expect.  Our domain's
     * end gives everything back. */
    return 0;
}
