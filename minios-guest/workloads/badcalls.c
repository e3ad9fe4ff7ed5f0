/*
 * minios-guest/workloads/badcalls.c — a kernel task that attacks the hypervisor's front door:
 * every hypercall with bad numbers, bad pointers and bad values.
 *
 * Where this sits in the story (course: hypercalls and protection,
 * isolation): the hypervisor must not trust its guests.  A guest kernel can
 * pass any number and any pointer -- NULL, into the hypervisor's hole at
 * 0xFC000000, across its edge, to memory it does not have -- and the answer
 * must be a clean error code, never a hypervisor crash and never a peek into
 * someone else's memory.  Each check prints "badcalls: <what>: PASS" or
 * "...: FAIL (got X, want Y)", then a summary line, then the log of every
 * refusal it received (arch/pv/refusals.c), which the scenario compares
 * with the hypervisor's trace.  It is lab 1's acceptance test.  Natively
 * there is no hypervisor, and it says so.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/proc.h"
#include "lib/string.h"
#include "kernel/trap.h"

static int passed, failed;

static void check(const char *what, int got, int want)
{
    if (got == want) {
        kprintf("badcalls: %s: PASS\n", what);
        passed++;
    } else {
        kprintf("badcalls: %s: FAIL (got %d, want %d)\n", what, got, want);
        failed++;
    }
}

#define HOLE        HYPERVISOR_VIRT_START
#define UNMAPPED    0x10000000u   /* below the kernel: nothing mapped there */

static void check_numbers(void)
{
    check("hypercall 2 (unused number) gives -ENOSYS", hypercall(2, 0, 0, 0, 0, 0), -HV_ENOSYS);
    check("hypercall 63 (unused number) gives -ENOSYS", hypercall(63, 0, 0, 0, 0, 0), -HV_ENOSYS);
    check("hypercall 64 (past the table) gives -ENOSYS", hypercall(64, 0, 0, 0, 0, 0), -HV_ENOSYS);
    check("hypercall 1000 gives -ENOSYS", hypercall(1000, 0, 0, 0, 0, 0), -HV_ENOSYS);
    check("hypercall 0xFFFFFFFF gives -ENOSYS", hypercall(0xFFFFFFFFu, 0, 0, 0, 0, 0), -HV_ENOSYS);
}

static void check_console(void)
{
    static const char ok[] = "badcalls: (a console_io write)\n";

    check("console_io write of a good buffer returns its length",
          HYPERVISOR_console_io(CONSOLEIO_write, sizeof ok - 1, ok), sizeof ok - 1);
    check("console_io write from NULL gives -EFAULT",
          HYPERVISOR_console_io(CONSOLEIO_write, 16, 0), -HV_EFAULT);
    check("console_io write from 0xFC000000 gives -EFAULT",
          HYPERVISOR_console_io(CONSOLEIO_write, 16, (void *)HOLE), -HV_EFAULT);
    check("console_io write from 0xFBFFFFF0 count 0x100 (into the hole) gives -EFAULT",
          HYPERVISOR_console_io(CONSOLEIO_write, 0x100, (void *)0xFBFFFFF0u), -HV_EFAULT);
    check("console_io write from an unmapped address gives -EFAULT",
          HYPERVISOR_console_io(CONSOLEIO_write, 16, (void *)UNMAPPED), -HV_EFAULT);
    /* 1 MiB past our last page (unless the shared-info page happens to be
     * mapped there, which the ABI allows). */
    uint32_t past = KERNBASE + start_info->nr_pages * HV_PAGE_SIZE + 0x100000;
    if (start_info->shared_info_va + HV_PAGE_SIZE <= past ||
        start_info->shared_info_va >= past + HV_PAGE_SIZE)
        check("console_io write past the end of our memory gives -EFAULT",
              HYPERVISOR_console_io(CONSOLEIO_write, 16, (void *)past), -HV_EFAULT);
    check("console_io write with count > CONSOLEIO_MAX gives -EINVAL",
          HYPERVISOR_console_io(CONSOLEIO_write, CONSOLEIO_MAX + 1, ok), -HV_EINVAL);
    check("console_io unknown cmd 7 gives -EINVAL",
          HYPERVISOR_console_io(7, 4, ok), -HV_EINVAL);
    /* Reading the console is dom0's privilege (it owns the console). */
    char in[8];
    if (boot_info.domid == 0)
        check("console_io read in dom0 is allowed (nothing typed: 0 bytes)",
              HYPERVISOR_console_io(CONSOLEIO_read, sizeof in, in), 0);
    else
        check("console_io read in a domU gives -EPERM",
              HYPERVISOR_console_io(CONSOLEIO_read, sizeof in, in), -HV_EPERM);
}

static void check_version(void)
{
    char extra[XENVER_EXTRAVERSION_LEN];

    check("xen_version(version) gives the ABI version",
          HYPERVISOR_xen_version(XENVER_version, 0),
          (HVKIT_VERSION_MAJOR << 16) | HVKIT_VERSION_MINOR);
    check("xen_version(extraversion) into a good buffer gives 0",
          HYPERVISOR_xen_version(XENVER_extraversion, extra), 0);
    check("xen_version(extraversion, 0xFC000000) gives -EFAULT",
          HYPERVISOR_xen_version(XENVER_extraversion, (void *)HOLE), -HV_EFAULT);
    check("xen_version unknown cmd 99 gives -ENOSYS",
          HYPERVISOR_xen_version(99, extra), -HV_ENOSYS);
}

static void check_sched(void)
{
    check("sched_op unknown cmd 99 gives -EINVAL",
          HYPERVISOR_sched_op(99, 0), -HV_EINVAL);
    check("sched_op shutdown with a pointer into the hole gives -EFAULT",
          HYPERVISOR_sched_op(SCHEDOP_shutdown, (void *)HOLE), -HV_EFAULT);
    struct sched_shutdown bad = { .reason = 99 };
    check("sched_op shutdown with reason 99 gives -EINVAL",
          HYPERVISOR_sched_op(SCHEDOP_shutdown, &bad), -HV_EINVAL);
    check("sched_op yield gives 0", HYPERVISOR_sched_op(SCHEDOP_yield, 0), 0);
}

static void check_traps(void)
{
    extern const uint32_t trap_entries[20];
    struct trap_info t[2];

    check("set_trap_table with a pointer into the hole gives -EFAULT",
          HYPERVISOR_set_trap_table((void *)HOLE), -HV_EFAULT);

    memset(t, 0, sizeof t);
    t[0].vector = TRAP_divide_error;
    t[0].cs = FLAT_RING1_CS;
    t[0].address = HOLE + 0x1000;          /* a handler inside the hypervisor */
    check("set_trap_table with a handler in the hole gives -EINVAL",
          HYPERVISOR_set_trap_table(t), -HV_EINVAL);

    t[0].address = trap_entries[0];
    t[0].cs = FLAT_RING3_CS;               /* a handler "in ring 3": refused */
    check("set_trap_table with cs != FLAT_RING1_CS gives -EINVAL",
          HYPERVISOR_set_trap_table(t), -HV_EINVAL);

    /* Whatever the hypervisor did with those, put our real table back. */
    check("set_trap_table reinstalling the good table gives 0", trap_install(), 0);

    uint32_t kstack = (uint32_t)(myproc()->kstack + KSTACK_SIZE);
    check("stack_switch with ss != FLAT_RING1_DS gives -EINVAL",
          HYPERVISOR_stack_switch(FLAT_RING3_DS, kstack), -HV_EINVAL);
    check("stack_switch with esp in the hole gives -EINVAL",
          HYPERVISOR_stack_switch(FLAT_RING1_DS, HOLE + 0x100), -HV_EINVAL);
    check("stack_switch with a good stack gives 0",
          HYPERVISOR_stack_switch(FLAT_RING1_DS, kstack), 0);
}

static struct multicall_entry too_many[MULTICALL_MAX + 1];

static void check_multicall(void)
{
    static const char line[] = "badcalls: (a console_io write inside a multicall)\n";
    char extra[XENVER_EXTRAVERSION_LEN];
    struct multicall_entry mc[3];

    /* A good batch: three calls, one trap. */
    memset(mc, 0, sizeof mc);
    mc[0].op = __HYPERVISOR_xen_version;
    mc[0].args[0] = XENVER_version;
    mc[1].op = __HYPERVISOR_console_io;
    mc[1].args[0] = CONSOLEIO_write;
    mc[1].args[1] = sizeof line - 1;
    mc[1].args[2] = (uint32_t)line;
    mc[2].op = __HYPERVISOR_xen_version;
    mc[2].args[0] = XENVER_extraversion;
    mc[2].args[1] = (uint32_t)extra;
    for (int i = 0; i < 3; i++)
        mc[i].result = 12345;              /* must be overwritten */
    check("multicall of a good batch gives 0", HYPERVISOR_multicall(mc, 3), 0);
    check("multicall result[0] (xen_version) written back", mc[0].result,
          (HVKIT_VERSION_MAJOR << 16) | HVKIT_VERSION_MINOR);
    check("multicall result[1] (console_io) written back", mc[1].result, sizeof line - 1);
    check("multicall result[2] (extraversion) written back", mc[2].result, 0);

    check("multicall with the batch in the hole gives -EFAULT",
          HYPERVISOR_multicall((void *)HOLE, 1), -HV_EFAULT);

    for (int i = 0; i <= MULTICALL_MAX; i++) {
        too_many[i].op = __HYPERVISOR_xen_version;
        too_many[i].args[0] = XENVER_version;
    }
    check("multicall with nr > MULTICALL_MAX gives -EINVAL",
          HYPERVISOR_multicall(too_many, MULTICALL_MAX + 1), -HV_EINVAL);

    /* A multicall inside a multicall: that entry fails, the batch goes on. */
    memset(mc, 0, sizeof mc);
    mc[0].op = __HYPERVISOR_multicall;
    mc[0].args[0] = (uint32_t)&mc[1];
    mc[0].args[1] = 1;
    mc[1].op = __HYPERVISOR_xen_version;
    mc[1].args[0] = XENVER_version;
    int r = HYPERVISOR_multicall(mc, 2);
    check("multicall containing a multicall gives 0", r, 0);
    check("the nested multicall entry's result is -EINVAL", mc[0].result, -HV_EINVAL);
    check("the entry after it still ran", mc[1].result,
          (HVKIT_VERSION_MAJOR << 16) | HVKIT_VERSION_MINOR);

    /* A shutdown inside a batch would never return to finish the batch. */
    struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };
    memset(mc, 0, sizeof mc);
    mc[0].op = __HYPERVISOR_sched_op;
    mc[0].args[0] = SCHEDOP_shutdown;
    mc[0].args[1] = (uint32_t)&off;
    HYPERVISOR_multicall(mc, 1);
    check("multicall containing sched_op shutdown: that entry gives -EINVAL",
          mc[0].result, -HV_EINVAL);
}

/* A ring-3 program tries int $0x82: it must be killed with #GP. */
static void check_ring3_hypercall(void)
{
    int pid = proc_spawn(find_program("badcalls-ring3"));
    struct proc *p = proc_wait(pid);
    check("int $0x82 from ring 3 is bounced as #GP and the program killed",
          p ? p->killed_by : -2, TRAP_gp_fault);
}

int badcalls_main(void)
{
    if (!pv_ops.paravirt) {
        kprintf("badcalls: native mode: there is no hypervisor to call, skipped\n");
        return 0;
    }
    passed = failed = 0;
    check_numbers();
    check_console();
    check_version();
    check_sched();
    check_traps();
    check_multicall();
    check_ring3_hypercall();
    kprintf("badcalls: %d passed, %d failed\n", passed, failed);
    /* What we were refused, in order, for the scenario to hold against
     * the trace (arch/pv/refusals.c). */
    refusals_print();
    return failed;
}
