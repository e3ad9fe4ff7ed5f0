/*
 * hv/include/public/console.h — console_io, the hypervisor's emergency console.
 *
 * Before split drivers exist (and as a debugging lifeline afterwards), a
 * guest can print straight to the hypervisor's serial port.  (A domU
 * started with console=split prints through its split console instead --
 * a ring to dom0, public/consif.h -- and keeps console_io for the time
 * before that is connected and for a panic.)  Output is
 * buffered per domain and printed a line at a time with a "(dN) " prefix, so
 * the lines of several domains interleave cleanly on one serial port.
 *
 * HYPERVISOR_console_io(cmd, count, buf):
 *   CONSOLEIO_write  write count bytes from buf.  Returns count.
 *   CONSOLEIO_read   read up to count bytes of serial input into buf, without
 *                    waiting.  Returns the number of bytes read (maybe 0).
 *                    Only dom0 owns the keyboard: others get -HV_EPERM.
 *
 * Errors: -HV_EFAULT if buf..buf+count is not readable (write) or writable
 * (read) guest memory below the hole, -HV_EINVAL for count > CONSOLEIO_MAX
 * or an unknown cmd.
 */
#ifndef HVKIT_PUBLIC_CONSOLE_H
#define HVKIT_PUBLIC_CONSOLE_H

#define CONSOLEIO_write  0
#define CONSOLEIO_read   1
#define CONSOLEIO_MAX    4096   /* bytes per call */
/* A long write is done in pieces: the hypervisor continues it by having the
 * guest re-execute the call with what is left, and the bytes written so far
 * in cmd's bits from CONSOLEIO_DONE_SHIFT up (a guest passes 0 there); the
 * result is still the whole count. */
#define CONSOLEIO_CMD_MASK   0xFFu
#define CONSOLEIO_DONE_SHIFT 16

#endif
