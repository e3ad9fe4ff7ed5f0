/*
 * hv/include/public/exit.h — how a run under QEMU ends, as seen by the test harness.
 *
 * QEMU is started with `-device isa-debug-exit,iobase=0xf4,iosize=4`.  Writing
 * a byte v to port 0xf4 ends QEMU with exit status (v << 1) | 1.  The
 * hypervisor writes one of these when the last domain is gone (or it panics);
 * the teaching OS booted natively writes them itself.  A plain QEMU exit (0)
 * with no such write means something else happened: a triple fault with
 * -no-reboot, or a timeout kill.
 *
 * The three codes below PANIC end a run that can make no progress, as soon as
 * that is certain, instead of letting it spin until the harness's clock runs
 * out (hv/core/progress.c says how each is decided).
 */
#ifndef HVKIT_PUBLIC_EXIT_H
#define HVKIT_PUBLIC_EXIT_H

/* The statuses these give (33, 35, 37) cannot be mistaken for QEMU's own
 * (0, or 1 on an error) or for a timeout's kill. */
#define HV_DEBUG_EXIT_PORT   0xf4
#define HV_EXIT_DONE         0x10  /* every domain shut down cleanly   -> QEMU status 33 */
#define HV_EXIT_CRASHED      0x11  /* all gone, at least one crashed   -> QEMU status 35 */
#define HV_EXIT_PANIC        0x12  /* the hypervisor itself panicked   -> QEMU status 37 */
#define HV_EXIT_DEADLOCK     0x13  /* every domain blocked for good    -> QEMU status 39 */
#define HV_EXIT_STUCK        0x14  /* one trap at one eip, again and again -> status 41 */
#define HV_EXIT_LIMIT        0x15  /* insn_limit= guest instructions ran -> QEMU status 43 */
#define HV_EXIT_STATUS(v)    (((v) << 1) | 1)

#endif
