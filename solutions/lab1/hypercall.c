/*
 * solutions/lab1/hypercall.c — LAB 1 reference: the hypercall dispatcher and
 * the console hypercall.
 *
 * A hypercall is to a guest kernel what a system call is to a program: the
 * one door into a more privileged layer.  int $0x82 lands in trap()
 * (hv/x86/traps.c), which passes the number and the five argument registers
 * here, and puts what we return in the guest's %eax.  The dispatcher's job
 * is small and must be exact: refuse numbers it does not know (-ENOSYS,
 * never an out-of-bounds table read), call the handler through its adapter
 * (hv/core/hypercall_table.c: it turns the registers into the handler's
 * typed arguments), and leave a trace record of every call, with the very
 * value the guest gets, so a student can see what the guest asked for and
 * what it was told.
 */
#include "core/hypercall.h"
#include "core/continuation.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "trace/trace.h"
#include "public/console.h"
#include "public/start_info.h"

int32_t hypercall_dispatch(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5)
{
    int32_t ret;

    if (nr >= HV_NR_HYPERCALLS || !hypercall_table[nr])
        ret = -HV_ENOSYS;
    else
        ret = hypercall_table[nr](a1, a2, a3, a4, a5);

    trace7(TRC_HYPERCALL, current->id, nr, a1, a2, a3, a4, a5, (uint32_t)ret);
    return ret;
}

/*
 * console_io(cmd, count, buf).  The buffer is a guest pointer: copy it in
 * chunks through copy_from_guest, which checks the range and survives
 * unmapped pages.  Check count before anything else, so a huge count cannot
 * make us loop for long -- and, between chunks, let the timer in: a long
 * write is continued in pieces.
 */
int32_t do_console_io(uint32_t cmd, uint32_t count, guest_ptr buf)
{
    struct domain *d = current;
    char chunk[128];
    /* Bytes of this write already done by earlier pieces of the same call
     * (0 when the guest calls; see below). */
    uint32_t before = cmd >> CONSOLEIO_DONE_SHIFT;

    if (count > CONSOLEIO_MAX || before > CONSOLEIO_MAX - count)
        return -HV_EINVAL;

    switch (cmd & CONSOLEIO_CMD_MASK) {
    case CONSOLEIO_write:
        if (!guest_range_ok(buf.va, count))
            return -HV_EFAULT;
        for (uint32_t done = 0; done < count; ) {
            /* A real UART takes about 87 us a byte: a 4 KiB write is a
             * third of a second.  Between chunks, if the timer is due,
             * stop and be continued with what is left
             * (hv/core/continuation.h); the bytes so far ride along in the
             * command, so the guest still gets the whole count back. */
            if (done && hypercall_preempt_check())
                return hypercall_continue(__HYPERVISOR_console_io,
                                          CONSOLEIO_write | ((before + done) << CONSOLEIO_DONE_SHIFT),
                                          count - done, guest_ptr_add(buf, done).va, 0, 0);
            uint32_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
            if (copy_from_guest(chunk, guest_ptr_add(buf, done), n))
                return -HV_EFAULT;
            console_guest_write(d, chunk, n);
            done += n;
        }
        return (int32_t)(before + count);

    case CONSOLEIO_read: {
        if (!(d->flags & SIF_INITDOMAIN))
            return -HV_EPERM;
        if (!guest_range_ok(buf.va, count))
            return -HV_EFAULT;
        uint32_t n = 0;
        int c;
        while (n < count && n < sizeof chunk && (c = serial_getc()) >= 0)
            chunk[n++] = (char)c;
        if (n && copy_to_guest(buf, chunk, n))
            return -HV_EFAULT;
        return (int32_t)n;
    }
    }
    return -HV_EINVAL;
}
