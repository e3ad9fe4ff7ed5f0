/*
 * hv/core/console.c — serial output for the hypervisor and its guests; panic.
 *
 * The 16550 UART at 0x3F8 (COM1) is the only device the hypervisor drives
 * itself.  Output is polled (wait for the transmit register to be empty,
 * write a byte): slow on real hardware, instant under QEMU, and simple
 * enough to trust inside a panic.  Input is interrupt-driven (IRQ 4): the
 * bytes go into a small buffer here, and dom0 — the domain that owns the
 * console — gets VIRQ_CONSOLE and reads them with console_io(read).  This
 * is the course's rule in miniature: the interrupt belongs to the
 * hypervisor, the guest gets an event.  A domU with a split console
 * (public/consif.h) writes to dom0 instead, and dom0's back end hands its
 * lines back here (console_write_for) to be printed under the domU's name.
 */
#include <stdarg.h>
#include "core/console.h"
#include "core/domain.h"
#include "core/lib.h"
#include "x86/traps.h"
#include "x86/x86.h"
#include "public/exit.h"

#define COM1 0x3F8

void serial_init(void)
{
    outb(COM1 + 1, 0x00);  /* no UART interrupts: we poll */
    outb(COM1 + 3, 0x80);  /* DLAB on to set the speed */
    outb(COM1 + 0, 0x01);  /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);  /* 8 bits, no parity, 1 stop bit */
    /* FIFOs stay off (16450 mode: one received byte at a time, an
     * interrupt for each).  Turning them on would empty them — a 16550
     * resets both when the enable bit changes — and lose what was typed
     * before or while we boot; with one byte at a time the sender simply
     * waits until we have read the last one. */
    outb(COM1 + 2, 0x00);
    outb(COM1 + 4, 0x0B);  /* DTR, RTS, OUT2 (which gates the IRQ line on a PC) */
    outb(COM1 + 1, 0x01);  /* interrupt when a byte arrives */
}

/* Input that arrived and no one has read yet: a ring of bytes. */
static char rx_buf[256];
static uint32_t rx_head, rx_tail;      /* free-running; head - tail = bytes */

/* Move what the UART holds into rx_buf; how many bytes. */
static int serial_drain(void)
{
    int n = 0;
    while (inb(COM1 + 5) & 0x01) {
        char c = (char)inb(COM1);
        if (rx_head - rx_tail < sizeof rx_buf) {   /* full: drop, never block */
            rx_buf[rx_head++ % sizeof rx_buf] = c;
            n++;
        }
    }
    return n;
}

int serial_rx_interrupt(void)
{
    return serial_drain();
}

int serial_input_pending(void)
{
    return rx_head != rx_tail;
}

/* Wait for the transmitter, then send.  The wait is bounded: a UART that
 * never becomes ready (no serial device configured) must cost a lost byte,
 * not a hypervisor that hangs with interrupts off. */
void serial_putc(char c)
{
    if (c == '\n')
        serial_putc('\r');
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (uint8_t)c);
}

int serial_getc(void)
{
    serial_drain();                    /* anything still in the UART's FIFO */
    if (rx_head == rx_tail)
        return -1;
    return (unsigned char)rx_buf[rx_tail++ % sizeof rx_buf];
}

static void puts_raw(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

/* The hypervisor's own messages: "(hv) " at the start of every line. */
static int hv_at_line_start = 1;

static void vprintk(const char *fmt, va_list ap)
{
    char buf[256];
    vsnprintf(buf, sizeof buf, fmt, ap);
    for (const char *p = buf; *p; p++) {
        if (hv_at_line_start)
            puts_raw("(hv) ");
        serial_putc(*p);
        hv_at_line_start = (*p == '\n');
    }
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

/* A guest's line is complete (or its buffer is full): print it whole.
 * Every line a guest prints starts with its own "(dN) ", written by the
 * hypervisor: a guest cannot make a line that looks like "(hv) ..." or
 * like another domain's, which the test scripts (and a student reading the
 * log) rely on to know who said what. */
void console_guest_flush(struct domain *d)
{
    char prefix[16];
    if (!d->con_len)
        return;
    snprintf(prefix, sizeof prefix, "(d%u) ", d->id);
    puts_raw(prefix);
    for (uint32_t i = 0; i < d->con_len; i++)
        serial_putc(d->con_buf[i]);
    if (d->con_buf[d->con_len - 1] != '\n')
        serial_putc('\n');
    d->con_len = 0;
}

void console_guest_write(struct domain *d, const char *buf, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char c = buf[i];
        /* Keep the serial log printable: no escape sequences from guests,
         * and no '\r' that would move the cursor back over the prefix. */
        if ((c < 32 && c != '\n' && c != '\t') || c == 127)
            c = '?';
        d->con_buf[d->con_len++] = c;
        if (c == '\n' || d->con_len == sizeof d->con_buf)
            console_guest_flush(d);
    }
}

/* The split console's lines (DEVOP_console_write, hv/grant/device_op.c):
 * the same "(dN) " and the same filter as the domain's own, a line at a
 * time; a last piece without '\n' is a line too (the back end sends whole
 * lines, or a line it cut). */
uint32_t console_write_for(uint16_t front, const char *buf, uint32_t n)
{
    char prefix[16];
    uint32_t lines = 0;
    int at_start = 1;
    snprintf(prefix, sizeof prefix, "(d%u) ", front);
    for (uint32_t i = 0; i < n; i++) {
        char c = buf[i];
        if ((c < 32 && c != '\n' && c != '\t') || c == 127)
            c = '?';
        if (at_start)
            puts_raw(prefix);
        serial_putc(c);
        at_start = c == '\n';
        lines += at_start;
    }
    if (!at_start) {
        serial_putc('\n');
        lines++;
    }
    return lines;
}

/* The exit status tells the test harness how the run ended
 * (public/exit.h).  Without the isa-debug-exit device the write does
 * nothing, so halt with interrupts off: the machine stops here either way. */
void machine_exit(int code)
{
    for (;;) {
        outb(0xf4, (uint8_t)code);   /* isa-debug-exit: QEMU exits here */
        cli();
        __asm__ __volatile__("hlt");
    }
}

void dump_regs(const struct cpu_regs *r)
{
    printk("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", r->eax, r->ebx, r->ecx, r->edx);
    printk("  esi=%08x edi=%08x ebp=%08x\n", r->esi, r->edi, r->ebp);
    printk("  eip=%08x cs=%04x eflags=%08x vector=%u error=%x\n",
           r->eip, r->cs & 0xffff, r->eflags, r->vector, r->error_code);
    if (r->cs & 3)
        printk("  esp=%08x ss=%04x (guest stack)\n", r->esp, r->ss & 0xffff);
    printk("  ds=%04x es=%04x fs=%04x gs=%04x cr2=%08x cr3=%08x\n",
           r->ds & 0xffff, r->es & 0xffff, r->fs & 0xffff, r->gs & 0xffff,
           read_cr2(), read_cr3());
}

extern char hv_stack[], hv_stack_top[], hv_image_start[], hv_image_end[];

static int in_image(uint32_t a)
{
    return a >= (uint32_t)hv_image_start && a < (uint32_t)hv_image_end;
}

/*
 * Where the panic came from: the return addresses on the hypervisor stack,
 * by the frame-pointer chain (everything is built with
 * -fno-omit-frame-pointer: each frame starts with the caller's ebp, then
 * the return address).  Only words inside the stack are followed, so a
 * smashed stack ends the walk instead of faulting again.  The test harness
 * turns each address into a function and file:line (addr2line on hv.elf).
 * For an exception in ring 0 the CPU pushed no esp: the interrupted stack
 * continues right where the frame ends, and when eip itself is not code
 * (a call through a bad pointer) its top word is the return address of
 * that call: the caller, printed first.
 */
static void backtrace(const struct cpu_regs *r)
{
    uint32_t ebp = r ? r->ebp : (uint32_t)__builtin_frame_address(0);
    printk("  backtrace:");
    if (r && !(r->cs & 3)) {
        printk(" %x", r->eip);
        uint32_t top = *(const uint32_t *)&r->esp;
        if (!in_image(r->eip) && in_image(top))
            printk(" %x", top);
    }
    for (int i = 0; i < 12; i++) {
        if (ebp < (uint32_t)hv_stack || ebp + 8 > (uint32_t)hv_stack_top || (ebp & 3))
            break;
        uint32_t ret = ((const uint32_t *)ebp)[1];
        if (!in_image(ret))
            break;
        printk(" %x", ret);
        ebp = ((const uint32_t *)ebp)[0];
    }
    printk("\n");
}

/* Interrupts off first: a panic means the hypervisor's own state is not
 * to be trusted, so no timer may schedule a guest on top of it.  The
 * output path is the polled UART, which needs nothing else to work. */
static void __attribute__((noreturn)) vpanic(const struct cpu_regs *regs, const char *fmt, va_list ap)
{
    cli();
    if (!hv_at_line_start)
        serial_putc('\n'), hv_at_line_start = 1;
    printk("PANIC: ");
    vprintk(fmt, ap);
    if (!hv_at_line_start)
        serial_putc('\n'), hv_at_line_start = 1;
    if (regs)
        dump_regs(regs);
    if (!regs || !(regs->cs & 3))
        backtrace(regs);
    printk("the hypervisor has stopped.\n");
    machine_exit(HV_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vpanic(0, fmt, ap);
}

void panic_regs(const struct cpu_regs *regs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vpanic(regs, fmt, ap);
}
