/*
 * hv/x86/fpu.h — the x87 registers per domain, switched lazily with CR0.TS
 * and #NM (hv/x86/fpu.c).
 */
#ifndef HV_FPU_H
#define HV_FPU_H

struct domain;

/* The size of the FNSAVE image. */
#define FPU_STATE_SIZE 108

void fpu_init(void);                     /* at boot: MP on, TS set */
void fpu_switch_to(struct domain *next); /* at a domain switch (sched.c) */
void fpu_trap(struct domain *d);         /* #NM from d: give it its registers */
void fpu_domain_dead(struct domain *d);  /* its registers are nobody's now */

#endif
