/*
 * hv/core/lab1.h — the functions lab 1 asks students to write.
 *
 * You write their bodies in labs/lab1/ (the reference is built in when lab 1
 * is not yours); the framework in hv/ only calls them.  See labs/lab1/README.md.
 *
 *   hypercall.c  hypercall_dispatch() (hypercall.h: it looks the number up
 *                in the table of adapters, hv/core/hypercall_table.c) and
 *                do_console_io() (its prototype, like every handler's, is
 *                made from hv/include/public/hypercalls.def)
 *   emulate.c    emulate_privileged(): trap & emulate cli, sti, hlt
 *   bounce.c     bounce_exception(): deliver an exception to the guest kernel
 */
#ifndef HV_LAB1_H
#define HV_LAB1_H

#include <stdint.h>

struct domain;
struct cpu_regs;

/* Instruction kinds for the trace ("insn" enum in trace-events.def). */
#define EMUL_CLI 1
#define EMUL_STI 2
#define EMUL_HLT 3

/* A #GP from ring 1: if the faulting instruction is one we emulate, do it,
 * step eip past it and return 1.  Otherwise change nothing, return 0.
 * Trap & emulate (course: ring deprivileging): the instruction did not
 * run, because ring 1 may not run it, so the hypervisor does to the
 * VIRTUAL CPU what it would have done to the real one -- cli and sti set
 * and clear the upcall mask, hlt blocks the domain. */
int emulate_privileged(struct domain *d, struct cpu_regs *regs);

/* Results of bounce_exception(). */
#define BOUNCE_OK          0
#define BOUNCE_NO_HANDLER  1   /* the guest registered no handler for it */
#define BOUNCE_FAULTED     2   /* the guest's stack could not take the frame */

/* Deliver exception `vector` (error code in regs->error_code, page-fault
 * address `cr2`) to the guest kernel's registered handler: build the frame
 * described in public/trap.h on the guest's ring-1 stack and point regs at
 * the handler, so that the return from trap() enters it.
 * Bouncing exists because ring 0 owns the real IDT: the CPU delivers every
 * exception to the hypervisor, even one that is plainly the guest
 * kernel's business, and the hypervisor hands it on as if the CPU had. */
int bounce_exception(struct domain *d, struct cpu_regs *regs, uint32_t vector,
                     uint32_t cr2);

#endif
