/*
 * minios-guest/programs/user-programs.c — RING 3 programs.  Each is a main() compiled into the
 * kernel image that uses nothing but ulib.h (system calls and printf).
 *
 * Where this sits in the story (course: rings 0/1/3): under hvkit these run
 * in ring 3, their kernel in ring 1 and the hypervisor in ring 0 -- three
 * levels, no "ring compression".  Natively: ring 3 under a ring-0 kernel.
 * Either way the program cannot tell which (try it: hello prints its ring).
 *
 * The lines they print are checked by the scenarios in tests/scenarios/: keep them
 * stable.  Programs are named on the kernel command line (run=...), see
 * programs.c.
 */
#include "programs/ulib.h"
#include "lib/x86.h"          /* read_cs and rdtsc: unprivileged instructions */

/* hello: the smallest program.  %cs's low bits are the ring we run in. */
int hello_main(void)
{
    printf("hello: user program running in ring %u\n", read_cs() & 3);
    printf("hello: my pid is %d\n", getpid());
    return 0;
}

/* count: 1..5, giving the CPU away after each line.  With no other process
 * in this kernel, yield goes to the hypervisor (SCHEDOP_yield), so two
 * domains running count print interleaved lines. */
int count_main(void)
{
    for (int n = 1; n <= 5; n++) {
        printf("count: %d\n", n);
        yield();
    }
    printf("count: done\n");
    return 0;
}

/* syscalls: every system call, good and bad; started as two processes.
 * Each keeps its own tally on its own stack (the two processes share one
 * address space, see proc.h, so static variables would be shared). */
struct tally {
    int pid, passed, failed;
};

static void check(struct tally *t, const char *what, int got, int want)
{
    if (got == want) {
        printf("syscalls: pid %d: %s: PASS\n", t->pid, what);
        t->passed++;
    } else {
        printf("syscalls: pid %d: %s: FAIL (got %d, want %d)\n",
               t->pid, what, got, want);
        t->failed++;
    }
}

int syscalls_main(void)
{
    static const char msg[] = "syscalls: hello from write\n";
    struct tally t = { getpid(), 0, 0 };

    check(&t, "getpid is positive", t.pid > 0, 1);
    check(&t, "write returns its length", write(1, msg, sizeof msg - 1),
          (int)sizeof msg - 1);
    check(&t, "yield returns 0", yield(), 0);
    check(&t, "unknown syscall 999 gives -ENOSYS", usyscall(999, 0, 0, 0), -38);
    check(&t, "write to fd 7 gives -EBADF", write(7, msg, 1), -9);
    check(&t, "write from NULL gives -EFAULT", write(1, (void *)0, 4), -14);
    check(&t, "write from 0xFC000000 (hypervisor hole) gives -EFAULT",
          write(1, (void *)0xFC000000u, 16), -14);
    check(&t, "write from 0xFBFFFFF0 crossing into the hole gives -EFAULT",
          write(1, (void *)0xFBFFFFF0u, 0x100), -14);
    check(&t, "write with a wrapping length gives -EFAULT",
          write(1, msg, 0xFFFFFFF0u), -14);
    yield();
    check(&t, "getpid is stable across yield", getpid(), t.pid);
    printf("syscalls: pid %d: %d passed, %d failed\n", t.pid, t.passed, t.failed);
    exit(t.failed);
    /* not reached -- unless SYS_exit is broken */
    printf("syscalls: pid %d: exit returned: FAIL\n", t.pid);
    return 1;
}

/* fault: dereference NULL.  The kernel kills the program (#PF) and goes on. */
int fault_main(void)
{
    /* Nothing is mapped there (it is outside the demand-zero areas of
     * kernel/vm.h).  Not address 0, so that the fault address the kernel
     * prints -- which the hypervisor left in the shared-info page, since
     * the guest cannot read %cr2 -- shows that it was really passed on. */
    printf("fault: reading address 0x0badbad0\n");
    volatile int *p = (volatile int *)0x0badbad0u;
    printf("fault: FAIL: read %d and survived\n", *p);
    return 1;
}

/* spin: a program that never yields and never ends — what a student's
 * buggy lab code looks like to the grader.  The scenario harness must stop
 * it and report "timeout", never hang (tests/scenarios/hang.scn). */
int spin_main(void)
{
    printf("spin: looping forever without yielding\n");
    for (volatile unsigned i = 0;; i++)
        ;
    return 0;
}

/* badcalls-ring3: a program tries to make a hypercall.  The hypervisor's
 * gate for int $0x82 has DPL 1, so the CPU raises #GP; the hypervisor
 * bounces it to our kernel, which kills the program. */
int badcalls_ring3_main(void)
{
    int r;
    printf("badcalls-ring3: executing int $0x82 in ring %u\n", read_cs() & 3);
    __asm__ volatile("int $0x82" : "=a"(r) : "a"(17), "b"(0) : "memory");
    printf("badcalls-ring3: FAIL: int $0x82 returned %d to ring 3\n", r);
    return 1;
}
