/*
 * hv/core/hypercall.h — the hypercall handlers and the dispatcher that finds them.
 *
 * A handler takes the five argument registers (%ebx %ecx %edx %esi %edi) as
 * plain numbers — pointers among them are *guest* virtual addresses, to be
 * used only through copy_from_guest()/copy_to_guest() — and returns the
 * value for %eax: >= 0, or -HV_Exxx.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <stdint.h>
#include "public/hvkit.h"

typedef int32_t (*hypercall_fn)(uint32_t a1, uint32_t a2, uint32_t a3,
                                uint32_t a4, uint32_t a5);

/* Indexed by hypercall number; NULL = not implemented (-HV_ENOSYS). */
extern const hypercall_fn hypercall_table[HV_NR_HYPERCALLS];

/* Lab 1 (labs/lab1/hypercall.c): check the number, call the handler,
 * trace the call.  Used for int $0x82 and for each entry of a multicall. */
int32_t hypercall_dispatch(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5);

/* The handlers. */
int32_t do_set_trap_table(uint32_t table, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_stack_switch(uint32_t ss, uint32_t esp, uint32_t, uint32_t, uint32_t);
int32_t do_set_callbacks(uint32_t ev_cs, uint32_t ev_eip, uint32_t fs_cs,
                         uint32_t fs_eip, uint32_t);
int32_t do_multicall(uint32_t calls, uint32_t nr, uint32_t, uint32_t, uint32_t);
int32_t do_xen_version(uint32_t cmd, uint32_t buf, uint32_t, uint32_t, uint32_t);
int32_t do_console_io(uint32_t cmd, uint32_t count, uint32_t buf, uint32_t, uint32_t);
int32_t do_sched_op(uint32_t cmd, uint32_t arg, uint32_t, uint32_t, uint32_t);

/* Memory (hv/mm/mm_hypercalls.c): validated page-table updates. */
int32_t do_mmu_update(uint32_t reqs, uint32_t count, uint32_t done_out,
                      uint32_t domid, uint32_t);
int32_t do_update_va_mapping(uint32_t va, uint32_t val_lo, uint32_t val_hi,
                             uint32_t flags, uint32_t);
int32_t do_mmuext_op(uint32_t ops, uint32_t count, uint32_t done_out,
                     uint32_t domid, uint32_t);
int32_t do_memory_op(uint32_t cmd, uint32_t arg, uint32_t, uint32_t, uint32_t);   /* hv/mm/memory_op.c */

/* Events, time and scheduling (hv/event/channel_op.c, hv/sched/sched.c). */
int32_t do_event_channel_op(uint32_t cmd, uint32_t arg, uint32_t, uint32_t, uint32_t);
int32_t do_set_timer_op(uint32_t lo, uint32_t hi, uint32_t, uint32_t, uint32_t);
int32_t do_domctl(uint32_t arg, uint32_t, uint32_t, uint32_t, uint32_t);

#endif
