/*
 * hv/core/console.h — the hypervisor's serial console.
 *
 * One serial port (COM1) carries everything: the hypervisor's own messages,
 * prefixed "(hv) ", and each guest's console_io output, a line at a time,
 * prefixed "(dN) ".  Line buffering per domain keeps the lines of different
 * domains from mixing mid-line when the scheduler interleaves them.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <stdint.h>

struct domain;
struct cpu_regs;

/* The UART itself.  Output is polled; input arrives by IRQ 4 into a
 * buffer that dom0 drains with console_io(read) when VIRQ_CONSOLE says
 * there is something to read. */
void serial_init(void);
void serial_putc(char c);
int serial_getc(void);                 /* -1 if no byte is waiting */
int serial_rx_interrupt(void);         /* IRQ 4: buffer what arrived; how many */
int serial_input_pending(void);        /* unread input in the buffer? */

/* The hypervisor's own messages ("(hv) "), and a guest's console_io
 * output, kept per domain until its line is complete ("(dN) "). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_guest_write(struct domain *d, const char *buf, uint32_t n);
void console_guest_flush(struct domain *d);
/* The split console: text a console back end hands over for domain
 * `front` (DEVOP_console_write), printed at once as front's "(dN) "
 * lines, apart from front's own console_io buffer.  How many lines. */
uint32_t console_write_for(uint16_t front, const char *buf, uint32_t n);

/* Stop the machine: print the message (and the registers, if any), tell
 * QEMU to exit with HV_EXIT_PANIC. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void panic_regs(const struct cpu_regs *regs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void dump_regs(const struct cpu_regs *regs);

/* End the run: write `code` to QEMU's isa-debug-exit port. */
void machine_exit(int code) __attribute__((noreturn));

#endif
