/*
 * hv/include/public/sched.h — sched_op: how a guest gives the CPU back to the hypervisor.
 *
 * A guest kernel never executes hlt (it would trap: hlt is privileged); it
 * asks instead.  HYPERVISOR_sched_op(cmd, arg):
 *
 *   SCHEDOP_yield     arg ignored.  "Run someone else if they want the CPU,
 *                     then come back to me": the domain stays runnable.
 *   SCHEDOP_block     arg ignored.  "I have nothing to do until an event
 *                     arrives": the domain sleeps until one of its event
 *                     channels (or, before event channels exist, the next
 *                     timer tick) wakes it.  This is the PV version of hlt.
 *   SCHEDOP_shutdown  arg = pointer to struct sched_shutdown.  The domain is
 *                     finished; the reason is recorded and traced.  This call
 *                     does not return.
 *
 * Errors: -HV_EINVAL for an unknown cmd or reason, -HV_EFAULT for a bad arg.
 */
#ifndef HVKIT_PUBLIC_SCHED_H
#define HVKIT_PUBLIC_SCHED_H

#include <stdint.h>

/* yield and block take no argument structure. */
#define SCHEDOP_yield     0
#define SCHEDOP_block     1

/* shutdown: arg points to this.  (Xen's number and layout.) */
#define SCHEDOP_shutdown  2
struct sched_shutdown {
    uint32_t reason;      /* one of SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown: 4 bytes");

#define SHUTDOWN_poweroff  0   /* clean exit: the work is done */
#define SHUTDOWN_reboot    1   /* asks to be restarted (treated as poweroff for now) */
#define SHUTDOWN_suspend   2   /* save/restore: not implemented, ends the domain */
#define SHUTDOWN_crash     3   /* the guest (or the hypervisor, on its behalf) gave up */
#define SHUTDOWN_MAX       3

#endif
