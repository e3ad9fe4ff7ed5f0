/*
 * hv/mm/pt_steps.h — pin, unpin and new base pointer of a page DIRECTORY
 * done in steps a hypercall can stop between (hv/mm/pt_steps.c).
 *
 * Validating a directory validates every page table it names that is not
 * one yet, and devalidating it may devalidate every one in turn: up to
 * 1007 tables of 1024 entries behind one request, milliseconds of work
 * with interrupts off.  Lab 2's rules do it all in one go (get_page_type,
 * put_page_type).  This file arranges that they never have to: before the
 * rule that would cascade runs, the directory's tables are given one
 * TEMPORARY type reference each, one at a time, stopping whenever the
 * caller's stop() says so (the hypercall then continues later, see
 * hv/core/continuation.h) -- validating a table is one step.  Then the
 * operation itself runs, cheaply: every table it touches is already
 * validated and stays so.  Then the temporary references are dropped, one
 * at a time again: dropping the last one devalidates that table, one step.
 *
 * The state between steps is the domain's (struct pt_steps in struct
 * domain_mm): held[k][i] is the table entry i of the directory pointed to
 * when its reference was taken.  Taking again only what differs makes the
 * covering idempotent, so a guest that changes the directory between two
 * steps only makes more steps, never a long one.  A guest that does not
 * continue an operation keeps its temporary references (its own frames,
 * held as page tables a little longer) until its next one, which gives
 * them back first.
 */
#ifndef HV_PT_STEPS_H
#define HV_PT_STEPS_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/address_space.h"

/* Not a rule: "stopped part-way, call again to go on".  Above every
 * MMRULE_*. */
#define PT_STEPPED      100

/* The operations done in steps. */
#define PT_OP_PIN_L2    1
#define PT_OP_UNPIN     2   /* of any table; only a directory needs steps */
#define PT_OP_NEW_BASE  3

struct pt_steps {
    uint32_t op, mfn;              /* the operation in progress; op 0: none */
    uint32_t phase;
    int      result;               /* its rule, once it has run */
    int      base_changed;         /* NEW_BASE ran and succeeded: load CR3 */
    uint32_t nr_held;              /* temporary references held now */
    /* [0]: the tables of the directory operated on; [1]: those of the old
     * base pointer (NEW_BASE).  Index = directory entry; 0 = none held.
     * Two pages the caller provides (zeroed) while an operation is in
     * progress: most domains never need them, so they are not part of
     * every struct domain. */
    uint32_t *held[2];
};

/* The cascade an operation may do in one go: entries of tables it may
 * validate or devalidate on the way (about 20 to 50 instructions each). */
#define PT_DIRECT_BUDGET 4096

/*
 * Must this operation go in steps?  1 if one is in progress in s, or if
 * the tables it would validate or devalidate in one go hold more than
 * PT_DIRECT_BUDGET entries; 0 if it can simply run (the common case: a
 * process's directory, whose tables are the kernel's, validated for good).
 * The count is exact for devalidation (a table goes only if every one of
 * its type references is one of this directory's entries) and an upper
 * bound for validation (1024 per table not validated yet).
 */
int pt_dir_op_plan(domid_t d, const struct pt_steps *s, uint32_t op, uint32_t mfn,
                   uint32_t base);

/*
 * Run (or go on with) operation op on frame mfn for domain d: PT_STEPPED if
 * stop() said so before it was finished, else the operation's rule.
 * stepped: what pt_dir_op_plan said (0: run it in one go, s->held unused).
 * resume: this call continues the operation left in s (a continued
 * hypercall); otherwise anything left in s is finished first.  base: the
 * domain's base pointer (NEW_BASE changes it; see pt_new_base).  When
 * stepped, s->held must point to two zeroed arrays of GUEST_NR_SLOTS
 * words; when this returns anything but PT_STEPPED they are zero again (s->op
 * is 0, s->nr_held 0).
 */
int pt_dir_op(domid_t d, struct pt_steps *s, uint32_t op, uint32_t mfn, uint32_t *base,
              int stepped, int resume, int (*stop)(void));

#endif
