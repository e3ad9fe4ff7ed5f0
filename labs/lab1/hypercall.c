/*
 * labs/lab1/hypercall.c — LAB 1, part 1: the hypercall dispatcher and the
 * console hypercall.  (Handout: labs/lab1/README.md.)
 *
 * A hypercall is to a guest kernel what a system call is to a program: the
 * one door into a more privileged layer.  int $0x82 lands in trap()
 * (hv/x86/traps.c), which calls hypercall_dispatch() with the number and the
 * guest's five argument registers, and puts what it returns in %eax.
 */
#include "core/hypercall.h"
#include "core/continuation.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "trace/trace.h"
#include "public/console.h"
#include "public/start_info.h"

/*
 * TODO(lab1): dispatch hypercall `nr` with the argument registers a1..a5
 * (%ebx %ecx %edx %esi %edi).
 *  - a number the table does not know (too big, or a NULL entry) must give
 *    -HV_ENOSYS, never a read outside hypercall_table[] (hv/core/hypercall.h);
 *  - otherwise call its entry with a1..a5 -- each entry is an adapter that
 *    passes the registers to the handler as its typed arguments -- and
 *    return what it returns: that is what the guest finds in %eax;
 *  - in both cases emit one TRC_HYPERCALL trace record (trace7 in
 *    hv/trace/trace.h) with the domain id, nr, the five arguments and the
 *    result -- the same value you return, or the trace lies to whoever
 *    reads it (the attack scenarios compare the two).
 */
int32_t hypercall_dispatch(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5)
{
    (void)nr; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
    return -HV_ENOSYS;
}

/*
 * TODO(lab1): console_io(cmd, count, buf) — see hv/include/public/console.h.
 * buf is a guest pointer (guest_ptr, hv/core/guest_access.h): only the
 * copies can use it, and guest_ptr_add(buf, n) walks along it.
 *  - count > CONSOLEIO_MAX: -HV_EINVAL (check it first: why?);
 *  - CONSOLEIO_write: copy the guest's bytes in (copy_from_guest, a chunk at
 *    a time) and hand them to console_guest_write(current, ...); return count;
 *    a bad buffer gives -HV_EFAULT.  Between two chunks, if
 *    hypercall_preempt_check() (hv/core/continuation.h) says the timer is
 *    due, stop: return hypercall_continue() with what is left -- count and
 *    buf moved past what you wrote, and the bytes written so far in the
 *    command's bits above CONSOLEIO_DONE_SHIFT, so the last piece can return
 *    the whole count (cmd & CONSOLEIO_CMD_MASK is the command itself);
 *  - CONSOLEIO_read: only the initial domain (SIF_INITDOMAIN) may read
 *    (-HV_EPERM otherwise); read what serial_getc() has, without waiting,
 *    copy it out with copy_to_guest; return the number of bytes;
 *  - any other cmd: -HV_EINVAL.
 */
int32_t do_console_io(uint32_t cmd, uint32_t count, guest_ptr buf)
{
    (void)cmd; (void)count; (void)buf;
    return -HV_ENOSYS;
}
