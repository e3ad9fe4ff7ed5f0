/*
 * solutions/lab4/upcall.c — lab 4, the guest's half: the upcall handler's
 * scan of the pending bitmaps (reference version; the stub students edit
 * is labs/lab4/upcall.c).
 *
 * Where this sits in the story (course: event channels): the hypervisor's
 * half (evtchn_deliver.c) set a port's bit in evtchn_pending, its word's
 * bit in vcpu_info[0].evtchn_pending_sel, and evtchn_upcall_pending, then
 * bounced into minios's callback with the upcall mask set.  Now the guest
 * must find *which* ports fired.  A two-level bitmap makes that cheap: the
 * selector says which 32-bit words of the 1024-bit pending map to look at.
 *
 * The hypervisor may set bits at any moment (this is one CPU, but the
 * hypervisor runs whenever a real interrupt arrives, even in the middle of
 * this function), so every read-and-clear is one atomic instruction:
 * xchg for the selector, lock btr for a pending bit.  A plain load then
 * store could lose a bit set in between.
 *
 * Called from events_upcall() (minios-guest/kernel/events.c), which afterwards
 * unmasks events and re-checks evtchn_upcall_pending.
 */
#include <stdint.h>
#include "kernel/events.h"

/* Atomically clear bit `bit` of *word; returns its old value (lock btr). */
static int test_and_clear_bit(volatile uint32_t *word, unsigned bit)
{
    uint8_t old;
    __asm__ volatile("lock btrl %2, %1; setc %0"
                     : "=q"(old), "+m"(*word)
                     : "Ir"(bit)
                     : "memory", "cc");
    return old;
}

/* Atomically read *p and put 0 there (xchg is always locked on x86). */
static uint32_t xchg_zero(volatile uint32_t *p)
{
    uint32_t v = 0;
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

int evtchn_do_upcall(struct shared_info *s)
{
    struct vcpu_info *v = &s->vcpu_info[0];
    int dispatched = 0;

    /* Clear the flag *before* scanning: an event that arrives during the
     * scan sets it again, and the loop (or events_upcall's re-check) sees
     * it.  Cleared after, that event would be forgotten. */
    v->evtchn_upcall_pending = 0;
    __asm__ volatile("" : : : "memory");

    uint32_t sel = xchg_zero(&v->evtchn_pending_sel);
    while (sel) {
        unsigned w = (unsigned)__builtin_ctz(sel);
        sel &= sel - 1;
        /* Masked ports stay pending: they are delivered at unmask. */
        uint32_t bits = s->evtchn_pending[w] & ~s->evtchn_mask[w];
        while (bits) {
            unsigned b = (unsigned)__builtin_ctz(bits);
            bits &= bits - 1;
            if (test_and_clear_bit(&s->evtchn_pending[w], b)) {
                evtchn_dispatch(w * 32 + b);
                dispatched++;
            }
        }
    }
    return dispatched;
}
