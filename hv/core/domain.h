/*
 * hv/core/domain.h — a domain: one virtual machine as the hypervisor sees it.
 *
 * Each domain has one virtual CPU in hvkit, so the domain *is* the unit of
 * scheduling.  Its saved registers live here while it is not running; its
 * memory is machine frames owned by it (frame_table[mfn].owner), listed in
 * pseudo-physical order in p2m[].
 *
 * What is NOT here matters as much: no page tables, no process list, no
 * device state.  A paravirtualized guest keeps its own kernel's data in its
 * own memory; the hypervisor holds only what it needs to enforce isolation
 * (which frames are the domain's, which table is its CR3), to run it (its
 * registers, its ring-1 stack, its virtual IDT) and to deliver its events.
 * That is what keeps the hypervisor small enough to read.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/shared_info.h"
#include "public/trap.h"
#include "x86/traps.h"
#include "x86/fpu.h"
#include "mm/domain_mm.h"
#include "event/port.h"
#include "grant/grant.h"
#include "sched/sched_policy.h"
#include "core/domain_build.h"

/* Fixed-size tables, no allocator: the hypervisor never runs out of memory
 * in the middle of a hypercall, and a domain id is simply an index. */
#define MAX_DOMAINS       32
#define DOMAIN_MAX_PAGES  8192     /* 32 MiB per domain: plenty for the teaching OS */

/* The VM states of the course, numbered as public/domctl.h's
 * DOMCTL_STATE_* and the trace's domstate (so the three never disagree).
 * Every change goes through domain_set_state(), which traces it. */
enum domain_state {
    DOM_UNUSED = 0, /* no domain: an inactive VM is an image in dom0's hands */
    DOM_RUNNABLE,   /* wants the CPU (running or waiting for it) */
    DOM_BLOCKED,    /* sched_op block: waits for an event; hlt: also for a tick */
    DOM_DEAD,       /* shut down: poweroff, crash, ...; dom0 destroys it */
    DOM_PAUSED,     /* stopped by dom0 (DOMCTL_pause), or created and not yet
                       unpaused: never scheduled; its events and timer wait */
};

/* Why a domain ended, beside the guest's own SHUTDOWN_* (0..SHUTDOWN_MAX,
 * public/sched.h): dom0 destroyed it while it lived.  Never a guest's
 * reason: sched_op shutdown refuses anything above SHUTDOWN_MAX. */
#define SHUTDOWN_destroyed  4

/* How far dom0's toolstack has built a domain it created (DOMCTL_load,
 * DOMCTL_setregs); boot-built domains are BUILD_READY at once. */
#define BUILD_EMPTY   0     /* a slot and a reservation, no memory */
#define BUILD_LOADED  1     /* memory, image, page tables, start info */
#define BUILD_READY   2     /* first registers set: may be unpaused */

struct domain {
    domid_t  id;
    int      state;
    uint32_t flags;                 /* SIF_* from start_info.h */
    uint32_t shutdown_reason;       /* SHUTDOWN_*, once DOM_DEAD */
    int      started;               /* has run at least once */
    int      freed;                 /* its frames have gone back to the pool */
    int      build;                 /* BUILD_*: how far its builder got */
    int      destroyed;             /* dom0 destroyed it; the slot waits only
                                       for the last grant mapping of its frames */

    /* Saved while not running.  While it runs, its live registers are the
     * frame at the top of the hypervisor stack instead (guest_regs()), and
     * this copy is stale until the next switch away. */
    struct cpu_regs regs;
    uint32_t cr3;                   /* machine address of its page directory */

    /* The ring-1 stack for entries from ring 3 (stack_switch). */
    uint32_t kernel_ss, kernel_esp;
    /* The virtual IDT (set_trap_table), indexed by vector. */
    struct trap_info traps[HV_MAX_TRAPS];
    /* Upcall entry points (set_callbacks), used by event channels. */
    uint32_t event_cs, event_eip, failsafe_cs, failsafe_eip;

    /* The two pages the builder hands every domain beside its memory
     * (hv/core/domain_build.c): the shared-info page (not in its
     * pseudo-physical memory) and the start-info page (one of its own
     * pages).  Kept here so later code can find them: the dom0 event
     * channel is written into start info after the build, and the
     * toolstack and save/restore need both. */
    struct shared_info *shared;     /* hypervisor's view of its shared page */
    uint32_t shared_mfn;
    uint32_t start_info_mfn;        /* its struct start_info, in one of its pages */
    uint32_t nr_pages;              /* its pseudo-physical size: pfns 0..nr_pages-1 */
    /* Memory as the toolstack and the balloon see it (public/domctl.h):
     * tot_pages frames back its pfns now (nr_pages minus the holes its
     * balloon made); populate_physmap never takes it past max_pages;
     * target_pages is what dom0 asked its balloon for (0: nothing). */
    uint32_t tot_pages, max_pages, target_pages;
    /* What the builder decided for a domain dom0 creates step by step:
     * its layout and entry point, kept between DOMCTL_load and setregs. */
    struct domain_layout lay;
    uint32_t entry;
    /* Pseudo-physical -> machine, the hypervisor's own copy.  The guest has
     * its P2M list too (start_info.mfn_list), but that is guest memory the
     * guest may write anything into: every decision is made from this one
     * (kept in step with the M2P table, m2p_update and mem_release). */
    uint32_t p2m[DOMAIN_MAX_PAGES];
    struct domain_mm mm;            /* direct paging: base pointer, counters */

    /* console_io line buffer (console.c) */
    char     con_buf[120];
    uint32_t con_len;

    /* Events (hv/event/upcall.c): the port table, and the one-shot timer
     * (set_timer_op) as an absolute system time in ns, 0 = not set. */
    struct evtchn_domain evtchn;
    uint64_t timer_deadline;
    /* Grant tables (hv/grant/): its table, the entries in use, the
     * mappings it holds. */
    struct grant_domain grant;
    /* Blocked by an emulated hlt (not sched_op block): like a real hlt, the
     * next timer tick ends it even if no event is bound. */
    int      hlt_blocked;

    /* Its x87 registers while another domain owns the FPU (hv/x86/fpu.c),
     * as FNSAVE writes them; fpu_used: it has had them at least once. */
    uint8_t  fpu_state[FPU_STATE_SIZE] __attribute__((aligned(16)));
    int      fpu_used;

    /* Scheduling: the policy's record of this (single) virtual CPU. */
    struct sched_vcpu vcpu;

    /* Accounting. */
    uint64_t cpu_tsc;               /* TSC cycles spent running */
    uint32_t nr_hypercalls;
    uint32_t nr_bounces;
    uint32_t nr_switches;           /* times it was scheduled in */
    uint32_t nr_upcalls;
};

extern struct domain domains[MAX_DOMAINS];
extern struct domain *current;      /* the running domain; NULL when idle */

struct domain *domain_alloc(domid_t id);
/* A free slot for dom0's createdomain (the lowest), or -1. */
int  domain_free_slot(void);
/* Every change of d->state: the new state, and a dom_state record. */
void domain_set_state(struct domain *d, int state);
/* Pause / unpause (dom0's DOMCTL_pause, DOMCTL_unpause; never the running
 * domain itself): in and out of the scheduler's run queue. */
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/* dom0 destroys d (not itself): shut down if it still lives, then at once
 * (d is not running) its memory, ports, grants and device ends go, and its
 * slot is free -- or, while another domain still maps one of its frames
 * through a grant, free once that mapping goes. */
void domain_destroy(struct domain *d);
/* The domain is finished: record why, stop scheduling it.  Its memory is
 * freed once the CPU has switched away from its page tables. */
void domain_shutdown(struct domain *d, uint32_t reason);
/* The domain did something it cannot recover from; say what, and shut it
 * down with reason crash. */
void domain_crash(struct domain *d, const char *why);
void domain_free_memory(struct domain *d);
/* Point the IDT's int $0x80 gate at d's own system-call handler, if d
 * registered one that ring 3 may call; else back at the hypervisor. */
void domain_load_syscall_gate(struct domain *d);
int  domains_alive(void);
/* The live (runnable, blocked or paused) domain with this id, DOMID_SELF
 * meaning the caller; NULL if there is none. */
struct domain *domain_lookup(domid_t id);

#endif
