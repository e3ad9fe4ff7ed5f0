/*
 * proc.h — processes: the programs minios runs, one at a time, in turn.
 *
 * Where this sits in the story: a process is either a ring-3 program (a
 * function compiled into the image that only uses system calls, see
 * user-programs.c) or a "kernel task" (a demo that must run in the kernel's
 * ring, e.g. the hypercall tests).  Each has its own kernel stack; a ring-3
 * program also has its own user stack.  Scheduling is cooperative: a process
 * runs until it yields, exits or is killed.
 *
 * Each ring-3 program has its own address space (vm.c): a page directory
 * whose kernel half is shared and whose user half -- its stack below
 * USTACK_TOP, its data at UDATA_BASE -- is private and demand-zero.
 * Kernel tasks run on the kernel's own directory.
 */
#ifndef MINIOS_PROC_H
#define MINIOS_PROC_H

#include <stdint.h>

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

enum procstate { UNUSED, RUNNABLE, RUNNING, DONE };

struct proc {
    enum procstate state;
    int pid;
    const char *name;
    const struct program *prog;
    struct context *context;   /* where swtch left this process's kernel stack */
    uint8_t *kstack;           /* bottom of its kernel stack (KSTACK_SIZE) */
    uint32_t *pgdir;           /* its page directory (vm.c), ring-3 programs only */
    int exit_code;             /* valid when DONE */
    int killed_by;             /* trap vector that killed it, or -1 */
};

struct proc *myproc(void);
int  proc_spawn(const struct program *prog);    /* returns pid, or -1 */
void proc_yield(void);                          /* let another process run */
int  proc_others_runnable(void);
void proc_exit(int code) __attribute__((noreturn));
void proc_kill(struct proc *p, int vector) __attribute__((noreturn));
struct proc *proc_wait(int pid);                /* until pid is DONE */
void scheduler(void) __attribute__((noreturn));

#endif
