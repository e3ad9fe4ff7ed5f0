/*
 * minios-guest/kernel/proc.c — the process table, process creation, and the round-robin
 * scheduler.  Preemptive (the timer tick, the PIT natively and VIRQ_TIMER
 * under hvkit, takes the CPU from a ring-3 program) and single-CPU, like
 * xv6.
 *
 * Where this sits in the story (course: rings 0/1/3, no ring compression):
 * the kernel runs in ring 1 under hvkit (ring 0 natively) and its programs
 * in ring 3.  When a program traps (system call or fault) the CPU switches
 * to a kernel stack -- whichever the kernel last named with
 * pv_ops.set_kernel_stack.  So every switch to a process must name that
 * process's kernel stack: natively that is a write to the TSS, under hvkit
 * a stack_switch hypercall (the guest cannot write the real TSS: it belongs
 * to the hypervisor).
 *
 * Interrupts (events, under hvkit) and switching: the scheduler loop runs
 * with them off and switches to a process with them off; every process
 * restores its own state when it runs again (proc_yield saves it), and a
 * new one turns them on as it starts.  So a program is always entered with
 * the timer live, and the loop is never interrupted between "nobody is
 * runnable" and "wait for something" (pv_ops.idle makes that atomic).
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "lib/string.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "public/sched.h"

static struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));

static struct proc *current;              /* the running process, or 0 */
static struct context *scheduler_context; /* where scheduler() waits */
static int next_pid = 1;
static volatile int need_resched;       /* set by the timer */
volatile uint32_t proc_ticks, proc_preemptions;

void swtch(struct context **old, struct context *new);  /* entry.S */
void trapret(void);                                    /* entry.S */
void user_return(void);                                /* entry.S, ring 3 */

struct proc *myproc(void)
{
    return current;
}

/* A kernel task starts here, on its own kernel stack, interrupts on. */
static void kernel_task_start(void)
{
    pv_ops.irq_enable();
    proc_exit(current->prog->main());
}

/* A ring-3 program's first switch lands here; returning "returns" into
 * trapret (proc_spawn put its address above this frame), whose iret enters
 * the program.  Under hvkit iret cannot set the virtual interrupt flag, so
 * it must be turned on here. */
static void user_task_start(void)
{
    pv_ops.irq_enable();
}

/* A free slot with a new pid, still UNUSED until its caller makes it
 * RUNNABLE; 0 if there is none.  A slot is free until it is first used,
 * and again once its process has finished and the parent collected the
 * exit code (proc_waitpid).  A process nobody waits for -- every program
 * started from the command line -- stays DONE for good, so that proc_wait
 * can still read its exit status. */
static struct proc *alloc_proc(const struct program *prog)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state != UNUSED)
            continue;
        p->pid = next_pid++;
        p->name = prog->name;
        p->prog = prog;
        p->kstack = kstacks[i];
        p->pgdir = 0;
        p->parent = 0;
        p->exit_code = 0;
        p->killed_by = -1;
        p->chan = 0;
        p->wake_at = 0;
        return p;
    }
    kprintf("minios: no free process slot for %s\n", prog->name);
    return 0;
}

/* A new address space for a ring-3 program (vm.c), with the top page of
 * its stack already there: it holds main's return address, user_return,
 * which makes the exit system call.  Written through the kernel's mapping
 * of that page. */
static uint32_t *new_user_space(void)
{
    uint32_t *pd = vm_create();
    uint32_t *top = pd ? vm_map_zero(pd, USTACK_TOP - 4096) : 0;
    if (!top) {
        if (pd)
            vm_destroy(pd);
        return 0;
    }
    top[1023] = (uint32_t)user_return;
    return pd;
}

/* The registers a ring-3 program starts with: at main, the stack pointer
 * at that return address. */
static void user_start_frame(struct trapframe *tf, const struct program *prog)
{
    memset(tf, 0, sizeof *tf);
    tf->cs = pv_ops.user_cs;
    tf->ds = tf->es = tf->fs = tf->gs = pv_ops.user_ds;
    tf->ss = pv_ops.user_ds;
    tf->esp = USTACK_TOP - 4;
    tf->eip = (uint32_t)prog->main;
    /* IF=1 as a program normally runs: natively this is what lets the
     * timer interrupt it; under hvkit ring 1 cannot change the real IF
     * anyway (the CPU ignores it in iret), the upcall mask is what counts
     * (user_task_start clears it). */
    tf->eflags = 0x202;
}

/* A ring-3 process's kernel stack before it first runs: the trap frame
 * its first iret will use (a copy of tf), under it trapret's address, and
 * a context that makes swtch "return" into user_task_start. */
static void user_kstack(struct proc *p, const struct trapframe *tf)
{
    uint8_t *sp = p->kstack + KSTACK_SIZE;
    sp -= sizeof *tf;
    memcpy(sp, tf, sizeof *tf);
    sp -= 4;
    *(uint32_t *)sp = (uint32_t)trapret;   /* user_task_start returns there */
    sp -= sizeof(struct context);
    p->context = (struct context *)sp;
    memset(p->context, 0, sizeof *p->context);
    p->context->eip = (uint32_t)user_task_start;
}

int proc_spawn(const struct program *prog)
{
    struct proc *p = alloc_proc(prog);
    if (!p)
        return -1;

    if (prog->ring == 3) {
        /* Its own address space, spawned from the image. */
        p->pgdir = new_user_space();
        if (!p->pgdir) {
            kprintf("minios: no memory for %s\n", prog->name);
            return -1;
        }
        struct trapframe tf;
        user_start_frame(&tf, prog);
        user_kstack(p, &tf);
    } else {
        /* A kernel task starts in kernel_task_start on its own stack. */
        uint8_t *sp = p->kstack + KSTACK_SIZE;
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

/*
 * fork (course: process creation).  The child is the parent's copy: the
 * same program, the same registers (its trap frame is the parent's,
 * except %eax: fork returns 0 in the child), and an address space that
 * holds what the parent's does, shared copy-on-write (vm_fork).  It
 * starts the way a spawned program does, through user_task_start and the
 * iret of trapret, on its own kernel stack.
 */
int proc_fork(struct trapframe *tf)
{
    struct proc *parent = current;
    struct proc *p = alloc_proc(parent->prog);
    if (!p)
        return -EAGAIN;
    p->pgdir = vm_fork(parent->pgdir);
    if (!p->pgdir)
        return -ENOMEM;                   /* the slot stays UNUSED */
    p->name = parent->name;
    p->parent = parent->pid;
    struct trapframe child = *tf;
    child.eax = 0;
    user_kstack(p, &child);
    p->state = RUNNABLE;
    return p->pid;
}

/*
 * exec: the running program becomes prog.  A new address space first (if
 * that fails, the old program goes on and gets -ENOMEM), then the switch
 * to it, then the old one goes back -- we are running on the kernel stack,
 * which every directory maps.  The trap frame is rewritten so that the
 * return from this system call enters prog's main.
 */
int proc_exec(const struct program *prog, struct trapframe *tf)
{
    struct proc *p = current;
    uint32_t *pd = new_user_space();
    if (!pd)
        return -ENOMEM;
    uint32_t *old = p->pgdir;
    p->pgdir = pd;
    vm_switch(pd);
    vm_destroy(old);
    p->prog = prog;
    p->name = prog->name;
    user_start_frame(tf, prog);
    return 0;
}

int proc_count_live(void)
{
    int n = 0;
    for (int i = 0; i < NPROC; i++)
        n += procs[i].state != UNUSED && procs[i].state != DONE;
    return n;
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

/* Give the CPU to the scheduler loop, interrupts off across the switch;
 * back here, they are as they were. */
void proc_yield(void)
{
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    current->state = RUNNABLE;
    sched();
    if (was)
        pv_ops.irq_enable();
}

/* Sleep until proc_wakeup(chan).  The caller has interrupts off and has
 * just tested its condition: so no wake-up can come between the test and
 * the sleep (xv6's lost wake-up).  Returns with them still off. */
void proc_sleep_on(void *chan)
{
    current->chan = chan;
    current->wake_at = 0;
    current->state = SLEEPING;
    sched();
    current->chan = 0;
}

void proc_wakeup(void *chan)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == SLEEPING && procs[i].chan == chan && chan)
            procs[i].state = RUNNABLE;
}

/* Arm the one-shot timer for the earliest sleeper (PV: set_timer_op, so a
 * blocked domain is woken in time; natively the 100 Hz tick will do). */
static void program_timer(void)
{
    uint64_t first = 0;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == SLEEPING && procs[i].wake_at &&
            (first == 0 || procs[i].wake_at < first))
            first = procs[i].wake_at;
    if (first)
        pv_ops.set_timer(first);
}

void proc_sleep_ns(uint64_t ns)
{
    uint64_t deadline = pv_ops.system_ns() + ns;
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    while (pv_ops.system_ns() < deadline) {
        current->chan = 0;
        current->wake_at = deadline;
        current->state = SLEEPING;
        program_timer();
        sched();
    }
    current->wake_at = 0;
    if (was)
        pv_ops.irq_enable();
}

/* proc_sleep_on with a deadline: until proc_wakeup(chan) or system time
 * `deadline` (ns), whichever comes first; interrupts off, as there.  What
 * a driver waiting for a reply that may never come needs (net/netfront.c). */
void proc_sleep_on_until(void *chan, uint64_t deadline)
{
    if (pv_ops.system_ns() >= deadline)
        return;
    current->chan = chan;
    current->wake_at = deadline;
    current->state = SLEEPING;
    program_timer();
    sched();
    current->chan = 0;
    current->wake_at = 0;
}

void proc_timer_tick(void)
{
    uint64_t now = pv_ops.system_ns();
    int woke = 0;
    proc_ticks++;
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state == SLEEPING && p->wake_at && p->wake_at <= now) {
            p->wake_at = 0;
            p->state = RUNNABLE;
            woke = 1;
        }
    }
    if (woke)
        program_timer();        /* the next sleeper, if any */
    need_resched = 1;
}

void proc_preempt(void)
{
    if (!need_resched || current == 0 || current->state != RUNNING)
        return;
    need_resched = 0;
    if (proc_others_runnable()) {
        proc_preemptions++;
        proc_yield();
    }
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
    proc_wakeup(p);                  /* whoever waits for it (proc_wait) */
    sched();
    panic("a finished process was scheduled again");
}

void proc_exit(int code)
{
    /* A forked child's exit code goes to its parent (proc_waitpid); only
     * the programs the kernel started are reported on the console. */
    if (!current->parent)
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

/* Wait until process pid has finished, asleep meanwhile (finish wakes us:
 * the channel is the process itself).  0 if there is no such process. */
struct proc *proc_wait(int pid)
{
    struct proc *p = 0;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].pid == pid && procs[i].state != UNUSED)
            p = &procs[i];
    if (!p)
        return 0;
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    while (p->state != DONE)
        proc_sleep_on(p);
    if (was)
        pv_ops.irq_enable();
    return p;
}

/* waitpid: only a child of the caller; its slot is free again afterwards. */
int proc_waitpid(int pid)
{
    int mine = 0;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != UNUSED && procs[i].pid == pid &&
            procs[i].parent == current->pid)
            mine = 1;
    if (!mine)
        return -ECHILD;
    struct proc *p = proc_wait(pid);
    int code = p->exit_code;
    p->state = UNUSED;
    return code;
}

/*
 * The scheduler loop, on the boot stack, interrupts off.  Round robin over
 * the table; when nobody is runnable but someone sleeps, idle (PV: block
 * the domain until an event, so other domains get the CPU); when every
 * process has finished, the machine (or the domain) powers off.
 */
void scheduler(void)
{
    int last = NPROC - 1;
    for (;;) {
        int alive = 0, ran = 0;
        pv_ops.irq_disable();
        for (int k = 1; k <= NPROC; k++) {
            int i = (last + k) % NPROC;
            struct proc *p = &procs[i];
            if (p->state == RUNNABLE || p->state == RUNNING || p->state == SLEEPING)
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
            ran = 1;
            break;
        }
        if (alive && !ran) {
            program_timer();
            pv_ops.idle();
        }
        if (!alive) {
            kprintf("minios: all programs done\n");
            console_close();          /* a split console: let dom0 print the rest */
            pv_ops.shutdown(SHUTDOWN_poweroff);
        }
    }
}
