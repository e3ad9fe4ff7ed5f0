/*
 * minios-guest/programs/mm-programs.c — the programs of the memory scenarios and benchmarks
 * (tests/scenarios/mm-*.scn).
 *
 *   mm-private   RING 3, three copies: private memory.  Each process finds
 *                a fresh zero page at UDATA_BASE, writes its own value
 *                there and on its stack, lets the others run, and checks
 *                that nobody else's value showed up (same virtual address,
 *                different page: the point of one page directory each).
 *   mm-fork      RING 3: fork's copy of the address space.  The parent
 *                writes values to its stack and data, forks; the child
 *                finds them, writes its own, execs mm-fork-exec; the
 *                parent checks that it still sees its own values (copy-
 *                on-write), and that the child's exit code came back.
 *
 * The malicious one, mm-attacks, is in mm-attacks.c; the memory
 * benchmarks (demand-zero and copy-on-write faults, fork, mmap) are in
 * bench-programs.c.
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "programs/ulib.h"
#include "kernel/vm.h"
#include "lib/x86.h"

int mm_private_main(void)
{
    volatile int *data = (volatile int *)UDATA_BASE;
    int pid = getpid();
    int fails = 0;
    volatile int on_stack = pid * 77;

    if (*data != 0) {
        printf("mm-private: pid %d: FAIL: fresh data page holds %d\n", pid, *data);
        fails++;
    } else {
        printf("mm-private: pid %d: fresh data page is zero\n", pid);
    }
    *data = pid * 1000 + 7;
    data[1024 * 3] = pid;                    /* a fourth page, also demand-zero */
    for (int i = 0; i < 3; i++)
        yield();
    if (*data == pid * 1000 + 7 && data[1024 * 3] == pid && on_stack == pid * 77) {
        printf("mm-private: pid %d: private value %d intact\n", pid, *data);
    } else {
        printf("mm-private: pid %d: FAIL: found %d and %d\n", pid, *data, on_stack);
        fails++;
    }
    return fails;
}

/* mm-fork: fork copies the address space (copy-on-write), exec replaces
 * it, waitpid brings the exit code back; mmap and munmap on the way. */
#define FORK_DATA (UDATA_BASE + 8 * 4096)

struct forktally {
    int passed, failed;
};

static void fcheck(struct forktally *t, const char *what, int ok)
{
    printf("mm-fork: %s: %s\n", what, ok ? "PASS" : "FAIL");
    if (ok)
        t->passed++;
    else
        t->failed++;
}

int mm_fork_main(void)
{
    volatile uint32_t *data = (volatile uint32_t *)FORK_DATA;
    volatile uint32_t on_stack = 1111;
    struct forktally t = { 0, 0 };

    data[0] = 2222;
    data[1024] = 3333;                       /* the next page */
    int parent = getpid();
    int pid = fork();
    if (pid == 0) {
        /* The child: the parent's values, at the same addresses. */
        if (on_stack != 1111 || data[0] != 2222 || data[1024] != 3333 || getpid() == parent)
            exit(10);
        printf("mm-fork: child: the parent's values are here\n");
        on_stack = 4444;                     /* copy-on-write: our own copies */
        data[0] = 5555;
        if (on_stack != 4444 || data[0] != 5555)
            exit(11);
        if (execve("no-such-program") != -ENOENT || execve("mm-attacks") != -ENOENT)
            exit(12);                        /* unknown, and a kernel task */
        execve("mm-fork-exec");
        exit(13);                            /* not reached */
    }
    fcheck(&t, "fork returns the child's pid", pid > parent);
    int code = waitpid(pid);
    fcheck(&t, "the child saw the parent's values, wrote its own, exec'd (exit code 42)",
           code == 42);
    fcheck(&t, "the parent's values are its own (copy-on-write)",
           on_stack == 1111 && data[0] == 2222 && data[1024] == 3333);
    data[0] = 6666;                          /* the last sharer: made writable again */
    fcheck(&t, "writable again after the child is gone", data[0] == 6666);
    fcheck(&t, "waitpid twice gives -ECHILD", waitpid(pid) == -ECHILD);

    uint32_t m = UDATA_BASE + 100 * 4096;
    volatile uint32_t *mp = (volatile uint32_t *)m;
    fcheck(&t, "mmap 2 pages", mmap(m, 2) == 0 && mp[0] == 0 && mp[1024] == 0);
    mp[1024] = 77;
    fcheck(&t, "mmap over a mapped page gives -EINVAL", mmap(m + 4096, 1) == -EINVAL);
    fcheck(&t, "mmap outside the data area gives -EINVAL", mmap(USTACK_TOP - 4096, 1) == -EINVAL);
    fcheck(&t, "munmap, then a fresh zero page there", munmap(m, 2) == 0 && mp[1024] == 0);
    printf("mm-fork: %d passed, %d failed\n", t.passed, t.failed);
    return t.failed;
}

int mm_fork_exec_main(void)
{
    volatile uint32_t *data = (volatile uint32_t *)FORK_DATA;
    if (*data != 0) {
        printf("mm-fork-exec: FAIL: the old program's data is still here (%u)\n", *data);
        return 1;
    }
    printf("mm-fork-exec: a new image in a fresh address space\n");
    return 42;
}
