/*
 * minios-guest/arch/pv/pvops-hv.c — minios as a paravirtualized guest of hvkit: the PV pv-ops
 * and the PV half of boot (everything after boot-pv.S).
 *
 * Where this sits in the story (course: paravirtualization, ring
 * deprivileging): this kernel runs in ring 1.  It may not execute cli, hlt,
 * lidt or outb, and does not try: each pv-op is either a hypercall (int
 * $0x82, hypercall.h) or a plain write to the shared-info page the
 * hypervisor reads.  Compare with pvops-native.c, operation by operation.
 * This file, pvops-hv.h, hypercall.h, boot-pv.S, the event code
 * (kernel/events.c, events.h) and lab 4's upcall.c are *all* the
 * paravirtualization minios needed (README.md counts the lines).
 */
#include <stdint.h>
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "public/memory.h"
#include "public/mmu.h"

struct start_info *start_info;
struct shared_info *shared_info;

/* Console: one console_io hypercall.  The hypervisor checks the buffer
 * (it may not trust us) and returns -EFAULT for a bad one. */
static int hv_console_write(const char *buf, uint32_t len)
{
    return HYPERVISOR_console_io(CONSOLEIO_write, len, buf);
}

/* The virtual interrupt flag is a byte in shared memory: "disabling
 * interrupts" costs one store, no trap.  Enabling is a store too -- but an
 * event that arrived while we were masked is waiting (evtchn_upcall_pending),
 * and the hypervisor only bounces us on its way back from ring 0.  So when
 * one waits, make a harmless hypercall (xen_version, as Linux does): on its
 * way back the hypervisor sees "pending, not masked" and upcalls. */
static void hv_irq_disable(void)
{
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    barrier();
}

static void hv_irq_enable(void)
{
    barrier();
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
    barrier();
    if (shared_info->vcpu_info[0].evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, 0);
}

static int hv_irq_enabled(void)
{
    return shared_info->vcpu_info[0].evtchn_upcall_mask == 0;
}

/* ---- time: the shared-info records (course: "Xen and time") ----------- */

/* TSC ticks -> ns with the hypervisor's scale: shift, then multiply by a
 * 32.32 fixed-point fraction.  64x32 multiply done in two halves so no
 * 128-bit arithmetic (and no libgcc call) is needed. */
static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift >= 0)
        delta <<= shift;
    else
        delta >>= -shift;
    uint64_t lo = (delta & 0xFFFFFFFFu) * mul;
    uint64_t hi = (delta >> 32) * mul;
    return hi + (lo >> 32);
}

static uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Read the versioned record: copy, and retry if the hypervisor was writing
 * (odd version) or wrote meanwhile (version changed) -- a seqlock.  Then
 * extrapolate from tsc_timestamp to now with our own rdtsc. */
static void read_time(uint64_t *sys, uint64_t *virt)
{
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t version;
    uint64_t stamp, s, v, now;
    uint32_t mul;
    int8_t shift;
    do {
        version = t->version;
        barrier();
        stamp = t->tsc_timestamp;
        s = t->system_time;
        v = t->virtual_time;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        now = rdtsc64();
        barrier();
    } while ((version & 1) || version != t->version);
    uint64_t d = now > stamp ? scale_delta(now - stamp, mul, shift) : 0;
    *sys = s + d;
    /* Virtual time advances only while we run -- and we are running. */
    *virt = v + d;
}

static uint64_t hv_system_ns(void)
{
    uint64_t s, v;
    read_time(&s, &v);
    return s;
}

static uint64_t hv_virtual_ns(void)
{
    uint64_t s, v;
    read_time(&s, &v);
    return v;
}

static void hv_wall_clock(uint32_t *sec, uint32_t *nsec)
{
    volatile struct shared_info *si = shared_info;
    uint32_t version, s, ns;
    do {
        version = si->wc_version;
        barrier();
        s = si->wc_sec;
        ns = si->wc_nsec;
        barrier();
    } while ((version & 1) || version != si->wc_version);
    /* wc_* is the wall time at system time 0: add system time. */
    uint64_t total = (uint64_t)ns + hv_system_ns();
    *sec = s + (uint32_t)(total / 1000000000u);
    *nsec = (uint32_t)(total % 1000000000u);
}

static void hv_set_timer(uint64_t deadline_ns)
{
    HYPERVISOR_set_timer_op((uint32_t)deadline_ns, (uint32_t)(deadline_ns >> 32));
}

/* hlt would trap (privileged in ring 1); we ask to be blocked instead.
 * SCHEDOP_block clears the upcall mask and blocks in one step (returning at
 * once if an event is already pending); on the way back the hypervisor
 * bounces us into the upcall, which handles the event and unmasks.  The
 * caller expects to come back masked, as natively after "sti; hlt; cli". */
static void hv_idle(void)
{
    HYPERVISOR_sched_op(SCHEDOP_block, 0);
    hv_irq_disable();
}

/* Let the other domains run, then come back to us. */
static void hv_yield_machine(void)
{
    HYPERVISOR_sched_op(SCHEDOP_yield, 0);
}

/* The hypervisor owns the IDT; it keeps our table and bounces to it. */
static int hv_install_traps(const struct trap_info *table)
{
    return HYPERVISOR_set_trap_table(table);
}

/* The TSS belongs to the hypervisor too: it writes ss1/esp1 for us. */
static void hv_set_kernel_stack(uint32_t esp)
{
    int r = HYPERVISOR_stack_switch(FLAT_RING1_DS, esp);
    if (r < 0)
        panic("stack_switch(0x%x) failed: %d", esp, r);
}

/*
 * Shutdown does not return.  If it does, the hypervisor refused it (or, in
 * lab 1, its dispatcher is still a stub): remove our exception handlers and
 * raise an exception.  With no handler to bounce to, any hypervisor must
 * end the domain — a guest never spins forever waiting for a grader's
 * timeout.
 */
static void __attribute__((noreturn)) last_resort(void)
{
    HYPERVISOR_set_trap_table(0);
    for (;;)
        __asm__ __volatile__("ud2");
}

static void hv_shutdown(unsigned reason)
{
    struct sched_shutdown s = { .reason = reason };
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    last_resort();
}

/* Ring 1 cannot read %cr2: the hypervisor leaves the address here. */
static uint32_t hv_fault_addr(void)
{
    return shared_info->vcpu_info[0].arch.cr2;
}

/* ---- page tables: requests, batched (course: direct paging) -------------
 *
 * Our page tables are read-only to us; every change is a request.  The
 * requests vm.c makes while creating a process or serving a fault are
 * queued here in order -- entry updates (mmu_update), remappings of a page
 * (update_va_mapping), pins and unpins (mmuext_op) -- and pt_flush sends
 * them all in ONE multicall: one trap instead of one per entry.  Any refusal
 * is a bug of ours (the hypervisor checks what we should have got right),
 * so it is fatal.  With "mm=unbatched" every entry is instead written with
 * a plain store, which faults, and the hypervisor emulates it (ptwr). */
#define MC_MAX   32
#define MMU_MAX  128
#define EXT_MAX  32

static struct multicall_entry mc[MC_MAX];
static struct mmu_update mmu_q[MMU_MAX];
static struct mmuext_op ext_q[EXT_MAX];
static uint32_t mc_n, mmu_n, ext_n;
static int unbatched;
static int tlb_stale;         /* a present entry changed: flush at pt_flush */
uint32_t pv_mm_hypercalls;    /* hypercalls made for page tables (bench) */
uint32_t pv_mm_stores;        /* direct stores to page tables: one trap each */

static const uint32_t *p2m(void) { return (const uint32_t *)start_info->mfn_list; }

static uint32_t hv_pt_mfn(const void *kva)
{
    return p2m()[((uint32_t)kva - KERNBASE) >> 12];
}

/* The hypervisor's M2P table, mapped read-only for every guest. */
static uint32_t hv_pt_pfn(uint32_t mfn)
{
    return ((const volatile uint32_t *)HV_M2P_VIRT_START)[mfn];
}

static void queue_ext(uint32_t cmd, uint32_t mfn);

static void hv_pt_flush(void)
{
    if (tlb_stale) {
        /* A present entry changed: the TLB may still hold the old one.
         * One more request at the end of the batch (unbatched: on its
         * own).  Cleared first: queueing may itself flush a full queue. */
        tlb_stale = 0;
        queue_ext(MMUEXT_TLB_FLUSH_LOCAL, 0);
    }
    if (mc_n == 0)
        return;
    int r, batched = 0;
    if (mc_n == 1) {                    /* one call: no need to wrap it */
        struct multicall_entry *e = &mc[0];
        r = hypercall(e->op, e->args[0], e->args[1], e->args[2], e->args[3], e->args[4]);
        e->result = r;
    } else {
        /* The bare trap: the loop below reads the results anyway, so the
         * refusal log gets the refused entries only on the way to the
         * panic, and a batch that went through costs no second walk. */
        r = hypercall_trap(__HYPERVISOR_multicall, (uint32_t)mc, mc_n, 0, 0, 0);
        if (r < 0)
            refusal_note(__HYPERVISOR_multicall, r);
        batched = (r == 0);
    }
    pv_mm_hypercalls++;
    for (uint32_t i = 0; i < mc_n && r == 0; i++)
        r = mc[i].result;
    if (r != 0) {
        if (batched)
            refusal_note_batch(mc, mc_n);
        panic("page-table request refused by the hypervisor: %d", r);
    }
    mc_n = mmu_n = ext_n = 0;
}

/* A new multicall slot (flushing first if the queue is full). */
static struct multicall_entry *mc_slot(uint32_t op)
{
    if (mc_n == MC_MAX || mmu_n == MMU_MAX || ext_n == EXT_MAX)
        hv_pt_flush();
    struct multicall_entry *e = &mc[mc_n++];
    e->op = op;          /* field by field: this is on every page fault */
    e->result = 0;
    for (int i = 0; i < 6; i++)
        e->args[i] = 0;
    return e;
}

static void hv_set_pte(uint32_t *table, uint32_t idx, uint32_t val)
{
    if (table[idx] & PTE_P)          /* our tables are readable, just not writable */
        tlb_stale = 1;
    if (unbatched) {
        /* A plain store to a read-only page: it traps, and the
         * hypervisor checks and applies it (writable page tables). */
        *(volatile uint32_t *)&table[idx] = val;
        pv_mm_stores++;
        return;
    }
    struct multicall_entry *last = mc_n ? &mc[mc_n - 1] : 0;
    if (!last || last->op != __HYPERVISOR_mmu_update || mmu_n == MMU_MAX) {
        last = mc_slot(__HYPERVISOR_mmu_update);
        last->args[0] = (uint32_t)&mmu_q[mmu_n];
        last->args[3] = DOMID_SELF;
    }
    mmu_q[mmu_n].ptr = ((uint64_t)hv_pt_mfn(table) << 12) | (idx * 4) | MMU_NORMAL_PT_UPDATE;
    mmu_q[mmu_n].val = val;
    mmu_n++;
    last->args[1]++;
}

static void hv_set_pte_va(uint32_t va, uint32_t *table, uint32_t idx, uint32_t val)
{
    if (unbatched) {
        hv_set_pte(table, idx, val);
        hv_pt_flush();                  /* the TLB flush, if it replaced one */
        return;
    }
    if (mc_n)
        hv_pt_flush();                  /* keep the order of requests */
    /* Replacing a present entry (copy-on-write): drop va's translation. */
    int r = HYPERVISOR_update_va_mapping(va, val, 0,
                                         (table[idx] & PTE_P) ? UVMF_INVLPG : UVMF_NONE);
    pv_mm_hypercalls++;
    if (r != 0)
        panic("update_va_mapping(0x%x) refused by the hypervisor: %d", va, r);
}

static void queue_uva(void *page, uint32_t val)
{
    struct multicall_entry *e = mc_slot(__HYPERVISOR_update_va_mapping);
    e->args[0] = (uint32_t)page;
    e->args[1] = val;
    e->args[3] = UVMF_INVLPG;
}

static void queue_ext(uint32_t cmd, uint32_t mfn)
{
    struct multicall_entry *e = mc_slot(__HYPERVISOR_mmuext_op);
    ext_q[ext_n].cmd = cmd;
    ext_q[ext_n].arg1.mfn = mfn;
    e->args[0] = (uint32_t)&ext_q[ext_n];
    e->args[1] = 1;
    e->args[3] = DOMID_SELF;
    ext_n++;
}

/* Hand a page over as a table: our kernel mapping of it becomes read-only
 * (a table may not be writable), and a directory is pinned. */
static void hv_make_pt(void *page, int level)
{
    uint32_t mfn = hv_pt_mfn(page);
    queue_uva(page, (mfn << 12) | PTE_P | PTE_US);             /* NOT writable */
    if (level == 2)
        queue_ext(MMUEXT_PIN_L2_TABLE, mfn);
    if (unbatched)
        hv_pt_flush();
}

static void hv_release_pt(void *page, int level)
{
    uint32_t mfn = hv_pt_mfn(page);
    if (level == 2)
        queue_ext(MMUEXT_UNPIN_TABLE, mfn);
    queue_uva(page, (mfn << 12) | PTE_P | PTE_RW | PTE_US);    /* writable again */
    if (unbatched)
        hv_pt_flush();
}

/* Give the page at kernel address kva back to the hypervisor (memory_op,
 * XENMEM_decrease_reservation; course: ballooning).  The hypervisor refuses
 * a frame anything still maps, and our own kernel map maps every page: that
 * mapping goes first (as Linux's balloon driver does).  On success the pfn
 * becomes a hole in our P2M list as well.  Returns memory_op's result: 1
 * page given back, or -errno, and then the kernel mapping is put back.  A
 * page given back is not ours any more: never page_free it. */
int hv_give_back_page(void *kva)
{
    uint32_t pfn = ((uint32_t)kva - KERNBASE) >> 12, mfn = p2m()[pfn];
    if (mc_n)
        hv_pt_flush();
    int r = HYPERVISOR_update_va_mapping((uint32_t)kva, 0, 0, UVMF_INVLPG);
    if (r != 0)
        return r;
    struct xen_memory_reservation res = {
        .extent_start = (uint32_t)&pfn, .nr_extents = 1, .extent_order = 0,
        .domid = DOMID_SELF,
    };
    r = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &res);
    if (r == 1) {
        ((uint32_t *)start_info->mfn_list)[pfn] = 0xFFFFFFFFu;   /* a hole now */
        return 1;
    }
    HYPERVISOR_update_va_mapping((uint32_t)kva, (mfn << 12) | PTE_P | PTE_RW | PTE_US, 0,
                                 UVMF_INVLPG);
    return r;
}

/* The other way (the balloon deflating): ask the hypervisor for a frame
 * for our hole pfn (memory_op XENMEM_populate_physmap, which writes the new
 * frame's number over the pfn in our list), put it in our P2M list and map
 * it again in the kernel map, where every page of ours lives.  Returns 1,
 * or -errno (the pfn stays a hole). */
int hv_reclaim_page(uint32_t pfn)
{
    uint32_t slot = pfn;
    if (mc_n)
        hv_pt_flush();
    struct xen_memory_reservation res = {
        .extent_start = (uint32_t)&slot, .nr_extents = 1, .extent_order = 0,
        .domid = DOMID_SELF,
    };
    int r = HYPERVISOR_memory_op(XENMEM_populate_physmap, &res);
    if (r != 1)
        return r;
    uint32_t mfn = slot;
    ((uint32_t *)start_info->mfn_list)[pfn] = mfn;     /* no hole any more */
    r = HYPERVISOR_update_va_mapping(KERNBASE + (pfn << 12), (mfn << 12) | PTE_P | PTE_RW | PTE_US,
                                     0, UVMF_INVLPG);
    return r == 0 ? 1 : r;
}

static void hv_load_pgdir(uint32_t *pd)
{
    queue_ext(MMUEXT_NEW_BASEPTR, hv_pt_mfn(pd));
    hv_pt_flush();
}

const struct pv_ops hv_pv_ops = {
    .name = "pv",
    .paravirt = 1,
    .kernel_cs = FLAT_RING1_CS,
    .kernel_ds = FLAT_RING1_DS,
    .user_cs = FLAT_RING3_CS,
    .user_ds = FLAT_RING3_DS,
    .console_write = hv_console_write,
    .irq_disable = hv_irq_disable,
    .irq_enable = hv_irq_enable,
    .irq_enabled = hv_irq_enabled,
    .idle = hv_idle,
    .system_ns = hv_system_ns,
    .virtual_ns = hv_virtual_ns,
    .wall_clock = hv_wall_clock,
    .timer_start = events_init,
    .set_timer = hv_set_timer,
    .timer_ack = 0,
    .yield_machine = hv_yield_machine,
    .install_traps = hv_install_traps,
    .set_kernel_stack = hv_set_kernel_stack,
    .shutdown = hv_shutdown,
    .fault_addr = hv_fault_addr,
    .pt_mfn = hv_pt_mfn,
    .pt_pfn = hv_pt_pfn,
    .set_pte = hv_set_pte,
    .set_pte_va = hv_set_pte_va,
    .make_pt = hv_make_pt,
    .release_pt = hv_release_pt,
    .load_pgdir = hv_load_pgdir,
    .pt_flush = hv_pt_flush,
};

/* Called from boot-pv.S, in ring 1, with the start-info page. */
void pv_main(struct start_info *si)
{
    static const char bad[] = "minios: bad start_info magic, giving up\n";
    static const char magic[] = START_INFO_MAGIC;

    if (strncmp(si->magic, magic, sizeof magic) != 0) {
        /* Not the hypervisor we were built for: nothing is safe to use
         * except the console hypercall and shutdown. */
        HYPERVISOR_console_io(CONSOLEIO_write, sizeof bad - 1, bad);
        struct sched_shutdown s = { .reason = SHUTDOWN_crash };
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
        last_resort();
    }

    start_info = si;
    shared_info = (struct shared_info *)si->shared_info_va;
    pv_ops = hv_pv_ops;
    pv_ops.irq_disable();      /* it already is (the builder masks events) */

    boot_info.domid = (int)si->domid;
    boot_info.nr_pages = si->nr_pages;
    si->cmd_line[MAX_GUEST_CMDLINE - 1] = '\0';   /* trust, but terminate */
    boot_info.cmdline = si->cmd_line;   /* already without the image path */
    unbatched = cmdline_has("mm=unbatched");
    kernel_main();
}
