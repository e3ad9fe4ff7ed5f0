/*
 * minios-guest/kernel/proc.h — processes: the programs minios runs, one at a time, in turn.
 *
 * Where this sits in the story: a process is either a ring-3 program (a
 * function compiled into the image that only uses system calls, see
 * user-programs.c) or a "kernel task" (a demo that must run in the kernel's
 * ring, e.g. the hypercall tests).  Each has its own kernel stack; a ring-3
 * program also has its own user stack.  Scheduling is preemptive for ring-3
 * programs: the timer (native IRQ 0, or the VIRQ_TIMER event under hvkit)
 * takes the CPU from a program that runs past its tick; kernel code is
 * never preempted, it runs until it yields, sleeps, exits or is killed.
 *
 * Each ring-3 program has its own address space (vm.c): a page directory
 * whose kernel half is shared and whose user half -- its stack below
 * USTACK_TOP, its data at UDATA_BASE -- is private and demand-zero.
 * Kernel tasks run on the kernel's own directory.  A program is started
 * from the image (proc_spawn, or exec, which replaces the running one) or
 * as a copy of another (fork: copy-on-write, vm.c); a forked child's exit
 * code goes to its parent (waitpid), whose wait frees the child's slot.
 */
#ifndef MINIOS_PROC_H
#define MINIOS_PROC_H

#include <stdint.h>

struct trapframe;

#define NPROC          8
#define KSTACK_SIZE    8192
#define USTACK_SIZE    8192

/* A program that can be named on the command line (programs.c). */
struct program {
    const char *name;
    int ring;              /* 3: a ring-3 program; 0: a kernel task (ring 0/1) */
    int copies;            /* how many processes "run=name" starts */
    int (*main)(void);     /* returns the exit code */
};
const struct program *find_program(const char *name);

/* Saved registers of a process that is not running (swtch in entry.S). */
struct context {
    uint32_t edi, esi, ebx, ebp, eip;
};

enum procstate { UNUSED, RUNNABLE, RUNNING, SLEEPING, DONE };

struct proc {
    enum procstate state;
    int pid;
    const char *name;
    const struct program *prog;
    struct context *context;   /* where swtch left this process's kernel stack */
    uint8_t *kstack;           /* bottom of its kernel stack (KSTACK_SIZE) */
    uint32_t *pgdir;           /* its page directory (vm.c), ring-3 programs only */
    int parent;                /* pid of the process that forked it, or 0 */
    int exit_code;             /* valid when DONE */
    int killed_by;             /* trap vector that killed it, or -1 */
    void *chan;                /* SLEEPING: what it waits for (proc_wakeup) */
    uint64_t wake_at;          /* SLEEPING: system time to wake at, or 0 */
};

struct proc *myproc(void);
int  proc_spawn(const struct program *prog);    /* returns pid, or -1 */
void proc_yield(void);                          /* let another process run */
int  proc_others_runnable(void);
int  proc_count_live(void);                     /* processes not finished (itself too) */
void proc_exit(int code) __attribute__((noreturn));
void proc_kill(struct proc *p, int vector) __attribute__((noreturn));
struct proc *proc_wait(int pid);                /* until pid is DONE */
/* The system calls that make and replace processes (syscall.c), for the
 * running ring-3 program whose trap frame is tf:
 *   proc_fork     a child with a copy of its address space (copy-on-write)
 *                 and of tf, except that the child's fork returns 0;
 *                 returns the child's pid, or -errno;
 *   proc_exec     replace its program by prog (a ring-3 program of the
 *                 image): a new address space, tf set to enter prog's main;
 *   proc_waitpid  wait for its child pid to finish, free the child's slot,
 *                 return the child's exit code (-ECHILD: no such child). */
int proc_fork(struct trapframe *tf);
int proc_exec(const struct program *prog, struct trapframe *tf);
int proc_waitpid(int pid);
void scheduler(void) __attribute__((noreturn));

/* Sleeping and waking (events masked by the caller of proc_sleep_on). */
void proc_sleep_on(void *chan);                 /* until proc_wakeup(chan) */
void proc_wakeup(void *chan);                   /* from a handler too */
void proc_sleep_ns(uint64_t ns);                /* at least ns of system time */
void proc_sleep_on_until(void *chan, uint64_t deadline);   /* either; deadline in system ns */

/* The timer: wake sleepers whose time has come, ask for a process switch
 * (events masked; from the timer handler).  proc_preempt: switch now if
 * one was asked for and someone else can run (only for ring-3 code). */
void proc_timer_tick(void);
void proc_preempt(void);
extern volatile uint32_t proc_ticks, proc_preemptions;

#endif
