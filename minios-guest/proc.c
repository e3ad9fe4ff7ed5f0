/*
 * proc.c — the process table, process creation, and the round-robin
 * scheduler.  Cooperative and single-CPU, like a first xv6.
 *
 * Where this sits in the story (course: rings 0/1/3, no ring compression):
 * the kernel runs in ring 1 under hvkit (ring 0 natively) and its programs
 * in ring 3.  When a program traps (system call or fault) the CPU switches
 * to a kernel stack -- whichever the kernel last named with
 * pv_ops.set_kernel_stack.  So every switch to a process must name that
 * process's kernel stack: natively that is a write to the TSS, under hvkit
 * a stack_switch hypercall (the guest cannot write the real TSS: it belongs
 * to the hypervisor).
 */
#include "kernel.h"
#include "pvops.h"
#include "proc.h"
#include "string.h"
#include "trap.h"
#include "vm.h"
#include "public/sched.h"

static struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));

static struct proc *current;              /* the running process, or 0 */
static struct context *scheduler_context; /* where scheduler() waits */
static int next_pid = 1;

void swtch(struct context **old, struct context *new);  /* entry.S */
void trapret(void);                                    /* entry.S */
void user_return(void);                                /* entry.S, ring 3 */

struct proc *myproc(void)
{
    return current;
}

/* A kernel task starts here, on its own kernel stack. */
static void kernel_task_start(void)
{
    proc_exit(current->prog->main());
}

int proc_spawn(const struct program *prog)
{
    int i;
    for (i = 0; i < NPROC; i++)
        if (procs[i].state == UNUSED)
            break;
    if (i == NPROC) {
        kprintf("minios: no free process slot for %s\n", prog->name);
        return -1;
    }

    /* Slots are never reused: every program runs once, and a finished
     * process stays DONE so that proc_wait can read its exit status. */
    struct proc *p = &procs[i];
    p->pid = next_pid++;
    p->name = prog->name;
    p->prog = prog;
    p->kstack = kstacks[i];
    p->killed_by = -1;

    uint8_t *sp = p->kstack + KSTACK_SIZE;

    if (prog->ring == 3) {
        /* Its own address space (spawn from the image, vm.c), with the top
         * page of its stack already there: it holds main's return address.
         * We write it through the kernel's mapping of that page. */
        p->pgdir = vm_create();
        uint32_t *top = p->pgdir ? vm_map_zero(p->pgdir, USTACK_TOP - 4096) : 0;
        if (!top) {
            kprintf("minios: no memory for %s\n", prog->name);
            if (p->pgdir)
                vm_destroy(p->pgdir);
            p->pgdir = 0;
            return -1;
        }
        top[1023] = (uint32_t)user_return;   /* main() returns into SYS_exit */
        uint32_t usp = USTACK_TOP - 4;

        sp -= sizeof(struct trapframe);
        struct trapframe *tf = (struct trapframe *)sp;
        memset(tf, 0, sizeof *tf);
        tf->cs = pv_ops.user_cs;
        tf->ds = tf->es = tf->fs = tf->gs = pv_ops.user_ds;
        tf->ss = pv_ops.user_ds;
        tf->esp = usp;
        tf->eip = (uint32_t)prog->main;
        /* IF=1 as a program normally runs.  Natively every interrupt line
         * is masked at the PIC, so nothing arrives; under hvkit ring 1
         * cannot change the real IF anyway (the CPU ignores it in iret). */
        tf->eflags = 0x202;

        sp -= sizeof(struct context);
        p->context = (struct context *)sp;
        memset(p->context, 0, sizeof *p->context);
        p->context->eip = (uint32_t)trapret;
    } else {
        /* A kernel task starts in kernel_task_start on its own stack. */
        sp -= 4;
        *(uint32_t *)sp = 0;              /* fake return address */
        sp -= sizeof(struct context);
        p->context = (struct context *)sp;
        memset(p->context, 0, sizeof *p->context);
        p->context->eip = (uint32_t)kernel_task_start;
    }

    p->state = RUNNABLE;
    return p->pid;
}

int proc_others_runnable(void)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == RUNNABLE && &procs[i] != current)
            return 1;
    return 0;
}

/* Back to the scheduler loop; we come back here when picked again. */
static void sched(void)
{
    swtch(&current->context, scheduler_context);
}

void proc_yield(void)
{
    current->state = RUNNABLE;
    sched();
}

static void finish(struct proc *p, int code, int vector)
{
    /* Its memory goes back now; we run on its kernel stack, which is
     * kernel memory, mapped in every directory. */
    if (p->pgdir) {
        vm_destroy(p->pgdir);
        p->pgdir = 0;
    }
    p->exit_code = code;
    p->killed_by = vector;
    p->state = DONE;
    sched();
    panic("a finished process was scheduled again");
}

void proc_exit(int code)
{
    kprintf("minios: %s (pid %d) exited with code %d\n",
            current->name, current->pid, code);
    finish(current, code, -1);
    for (;;)
        ;
}

void proc_kill(struct proc *p, int vector)
{
    finish(p, -1, vector);
    for (;;)
        ;
}

/* Wait until process pid has finished; give the CPU away meanwhile. */
struct proc *proc_wait(int pid)
{
    for (;;) {
        for (int i = 0; i < NPROC; i++) {
            if (procs[i].pid == pid && procs[i].state == DONE)
                return &procs[i];
            if (procs[i].pid == pid && procs[i].state == UNUSED)
                return 0;
        }
        if (proc_others_runnable())
            proc_yield();
        else
            pv_ops.yield_machine();
    }
}

/*
 * The scheduler loop, on the boot stack.  Round robin over the table;
 * when every process has finished, the machine (or the domain) powers off.
 */
void scheduler(void)
{
    int last = NPROC - 1;
    for (;;) {
        int alive = 0;
        for (int k = 1; k <= NPROC; k++) {
            int i = (last + k) % NPROC;
            struct proc *p = &procs[i];
            if (p->state == RUNNABLE || p->state == RUNNING)
                alive = 1;
            if (p->state != RUNNABLE)
                continue;
            last = i;
            current = p;
            p->state = RUNNING;
            pv_ops.set_kernel_stack((uint32_t)(p->kstack + KSTACK_SIZE));
            vm_switch(p->pgdir);          /* its address space (0: the kernel's) */
            swtch(&scheduler_context, p->context);
            current = 0;
            break;
        }
        if (!alive) {
            kprintf("minios: all programs done\n");
            pv_ops.shutdown(SHUTDOWN_poweroff);
        }
    }
}
