/*
 * minios-guest/arch/pvops.h — the pv-ops table: every operation that differs between bare
 * hardware and the hvkit hypervisor, gathered in one structure of function
 * pointers.
 *
 * Where this sits in the story (course: paravirtualization, "pv-ops"): a
 * paravirtualized kernel is an ordinary kernel *ported* to a machine that is
 * almost an x86 PC.  Linux does it with its paravirt_ops table; minios does
 * the same on a small scale.  The rest of the kernel never executes cli, hlt,
 * lidt or outb itself: it calls pv_ops.irq_disable(), pv_ops.idle() and so
 * on.  At boot the entry point that ran decides which table to copy in:
 *
 *   boot-native.S -> native_main()  -> pv_ops = native_pv_ops (pvops-native.c)
 *   boot-pv.S     -> pv_main()      -> pv_ops = hv_pv_ops     (pvops-hv.c)
 *
 * So one ELF image runs both ways, and the size of pvops-hv.c (plus
 * pvops-hv.h, hypercall.h, boot-pv.S, the event code and lab 4's upcall.c)
 * is the honest price of paravirtualization for this kernel: see README.md
 * for the count.
 */
#ifndef MINIOS_PVOPS_H
#define MINIOS_PVOPS_H

#include <stdint.h>
#include "public/trap.h"

struct pv_ops {
    const char *name;        /* "native" or "pv": printed at boot */
    int paravirt;            /* 1 under hvkit; demo programs look at it */

    /* Segment selectors.  Natively minios has its own GDT (ring 0 and 3);
     * under hvkit it uses the hypervisor's FLAT_RING1_* / FLAT_RING3_*. */
    uint16_t kernel_cs, kernel_ds, user_cs, user_ds;

    /* Write len bytes to the console.  Returns len, or a negative error
     * (-14, EFAULT) if buf..buf+len is not readable memory of this kernel. */
    int (*console_write)(const char *buf, uint32_t len);

    /* The interrupt flag.  Native: cli / sti.  PV: a byte in the shared-info
     * page (the upcall mask) -- an ordinary memory write, no trap. */
    void (*irq_disable)(void);
    void (*irq_enable)(void);

    /* Is the interrupt flag on (events enabled)?  Native: EFLAGS.IF.  PV:
     * the upcall mask is 0.  proc.c saves it across a process switch. */
    int (*irq_enabled)(void);

    /* Nothing to do until something happens: called with interrupts (events)
     * disabled, returns with them disabled, after the handler of whatever
     * woke us has run.  Native: sti; hlt; cli (sti's one-instruction shadow
     * makes "enable and wait" atomic).  PV: sched_op(SCHEDOP_block), which
     * clears the upcall mask and blocks in one hypercall -- the same
     * atomicity, so a wake-up between "nothing to do" and "wait" is never
     * lost. */
    void (*idle)(void);

    /* Time (course: "Xen and time").  system_ns: ns since boot.
     * virtual_ns: ns this machine has actually run -- under hvkit the
     * domain's virtual time, which stops while other domains run; natively
     * the same as system_ns (nobody else runs).  wall_clock: seconds and ns
     * since 1970.  Native: TSC calibrated against the PIT, and the CMOS RTC.
     * PV: the versioned time records of the shared-info page. */
    uint64_t (*system_ns)(void);
    uint64_t (*virtual_ns)(void);
    void (*wall_clock)(uint32_t *sec, uint32_t *nsec);

    /* Start the periodic tick that drives process preemption (after the
     * trap table is in).  Native: the 8259 PIC and the PIT at 100 Hz on
     * vector 32.  PV: register the event callback and bind VIRQ_TIMER.
     * Returns 0 or -errno. */
    int (*timer_start)(void);

    /* One-shot wake-up at absolute system time deadline_ns (0: none).
     * PV: set_timer_op.  Native: nothing -- the 100 Hz tick notices the
     * deadline (10 ms resolution). */
    void (*set_timer)(uint64_t deadline_ns);

    /* Native only: acknowledge the timer interrupt at the PIC (EOI).
     * NULL under hvkit: events need no acknowledgement. */
    void (*timer_ack)(void);

    /* No process of ours wants the CPU right now, but we are not idle
     * either: let another domain run.  Native: there is nobody else. */
    void (*yield_machine)(void);

    /* Install the exception and system-call handlers.  The table is the
     * ABI's struct trap_info[] (ended by an entry with address 0) in both
     * modes: native turns it into IDT gates and runs lidt, PV hands it to
     * the hypervisor.  NULL removes every handler.  Returns 0 or -errno. */
    int (*install_traps)(const struct trap_info *table);

    /* The stack the CPU switches to when a ring-3 program traps into the
     * kernel.  Native: tss.esp0.  PV: HYPERVISOR_stack_switch. */
    void (*set_kernel_stack)(uint32_t esp);

    /* The machine is done: reason is SHUTDOWN_poweroff or SHUTDOWN_crash
     * (public/sched.h).  Native: the QEMU debug-exit port.  Does not return. */
    void (*shutdown)(unsigned reason);

    /* The address that caused the last page fault.  Native: %cr2.  PV:
     * shared_info->vcpu_info[0].arch.cr2 (ring 1 cannot read %cr2). */
    uint32_t (*fault_addr)(void);

    /* ---- page tables (vm.c; course: direct paging) --------------------
     * Entries hold MACHINE frame numbers under hvkit, physical ones
     * natively; pt_mfn/pt_pfn translate (PV: the P2M list and the
     * hypervisor's read-only M2P table). */
    uint32_t (*pt_mfn)(const void *kva);   /* frame of a kernel-mapped page */
    uint32_t (*pt_pfn)(uint32_t mfn);      /* and back: its (pseudo-)physical page */
    /* table[idx] = val.  Native: a store.  PV: queued for one mmu_update
     * batch -- or, with "mm=unbatched", a plain store that traps and is
     * emulated.  If it replaced a present entry, the TLB is flushed at
     * the next pt_flush (native: a CR3 load; PV: a TLB_FLUSH request in
     * the batch). */
    void (*set_pte)(uint32_t *table, uint32_t idx, uint32_t val);
    /* The same for the entry that maps va in the CURRENT address space,
     * done at once (a page fault's one entry), and if it replaced a
     * present entry, va's translation is dropped (invlpg).  PV:
     * update_va_mapping, which finds the entry itself: no batch to build,
     * nothing to copy. */
    void (*set_pte_va)(uint32_t va, uint32_t *table, uint32_t idx, uint32_t val);
    /* An ordinary page becomes a page table (level 1 or 2) / stops being
     * one.  Native: nothing to do.  PV: map it read-only in the kernel map
     * (and pin a directory) / unpin and map it writable again. */
    void (*make_pt)(void *page, int level);
    void (*release_pt)(void *page, int level);
    /* Run on page directory pd.  Native: mov to %cr3.  PV: new_baseptr. */
    void (*load_pgdir)(uint32_t *pd);
    /* Send what set_pte/make_pt/release_pt queued (PV: one multicall).
     * Every page-table change is complete when this returns. */
    void (*pt_flush)(void);
};

/* The table in use, filled in once at boot. */
extern struct pv_ops pv_ops;

/* The two implementations. */
extern const struct pv_ops native_pv_ops;
extern const struct pv_ops hv_pv_ops;

#endif
