/*
 * minios-guest/programs/programs.c — the list of programs the command line can name (run=...).
 *
 * Where this sits in the story: minios has no file system; its programs are
 * compiled into the image.  Ring-3 programs live in user-programs.c and use
 * only system calls.  Kernel tasks are demos that must run in the kernel's
 * own ring (ring 1 under hvkit, ring 0 natively) because what they show --
 * hypercalls, privileged instructions, the kernel's own faults -- only
 * exists there.
 */
#include "kernel/proc.h"
#include "lib/string.h"

/* Ring-3 programs (user-programs.c). */
int hello_main(void);
int count_main(void);
int syscalls_main(void);
int fault_main(void);
int spin_main(void);
int badcalls_ring3_main(void);
int spinner_main(void);         /* user-workloads.c */
int share_spinner_main(void);   /* user-workloads.c */
int hog_main(void);
int sleepy_main(void);

int mm_private_main(void);      /* mm-programs.c */
int mm_fork_main(void);
int mm_fork_exec_main(void);
int bench_user_main(void);      /* bench-programs.c */
int bench_nop_main(void);

/* Kernel tasks. */
int mm_attacks_main(void);      /* mm-attacks.c */
int badcalls_main(void);        /* badcalls.c */
int privileged_main(void);      /* privileged.c */
int crash_gp_main(void);        /* crash.c */
int crash_handled_main(void);   /* crash.c */
int crash_upcall_nocb_main(void);   /* crash.c */
int crash_upcall_stack_main(void);  /* crash.c */
int bench_main(void);           /* bench.c */
int ctl_shares_main(void);      /* workloads.c */
int ctl_warp_main(void);
int warp_sleeper_main(void);
int pingpong_main(void);
int attacks_main(void);
int dom0_events_main(void);     /* workloads-dom0.c */
int timecheck_main(void);
int bench_switch_main(void);
int masking_main(void);
int victim_main(void);          /* victim.c */
int iso_attack_main(void);      /* iso-attacks.c */
int hcall_fuzz_main(void);      /* hcall-fuzz.c */
int hole_attack_main(void);     /* hole-attack.c */
int hole_victim_main(void);
int echo_front_main(void);      /* echo.c */
int echo_back_main(void);
int grant_attacks_main(void);   /* grant-attacks.c */
int blk_back_main(void);        /* blkback.c */
int blk_front_main(void);       /* blkfront.c */
int con_back_main(void);        /* console.c */
int con_echo_main(void);
int con_flood_main(void);
int net_back_main(void);        /* net-back.c */
int net_front_main(void);       /* net-front.c */
int net_attack_main(void);      /* net-attacks.c */
int balloon_main(void);         /* lab 6: labs/lab6/balloon.c */
int memcheck_main(void);        /* memcheck.c */
int xl_main(void);              /* toolstack/xl.c */
int domctl_attacks_main(void);  /* domctl-attacks.c */
int domctl_checks_main(void);

static const struct program programs[] = {
    /* name              ring copies main */
    { "hello",             3, 1, hello_main },
    { "count",             3, 1, count_main },
    { "syscalls",          3, 2, syscalls_main },
    { "fault",             3, 1, fault_main },
    { "spin",              3, 1, spin_main },
    { "badcalls-ring3",    3, 1, badcalls_ring3_main },
    { "mm-private",        3, 3, mm_private_main },
    { "mm-fork",           3, 1, mm_fork_main },
    { "mm-fork-exec",      3, 1, mm_fork_exec_main },
    { "bench-user",        3, 1, bench_user_main },
    { "bench-nop",         3, 1, bench_nop_main },
    { "badcalls",          0, 1, badcalls_main },
    { "mm-attacks",        0, 1, mm_attacks_main },
    { "privileged",        0, 1, privileged_main },
    { "crash-gp",          0, 1, crash_gp_main },
    { "crash-handled",     0, 1, crash_handled_main },
    { "crash-upcall-nocb", 0, 1, crash_upcall_nocb_main },
    { "crash-upcall-stack", 0, 1, crash_upcall_stack_main },
    { "bench",             0, 1, bench_main },
    { "spinner",           3, 1, spinner_main },
    { "share-spinner",     3, 1, share_spinner_main },
    { "hog",               3, 1, hog_main },
    { "sleepy",            3, 1, sleepy_main },
    { "ctl-shares",        0, 1, ctl_shares_main },
    { "ctl-warp",          0, 1, ctl_warp_main },
    { "warp-sleeper",      0, 1, warp_sleeper_main },
    { "pingpong",          0, 1, pingpong_main },
    { "attacks",           0, 1, attacks_main },
    { "dom0-events",       0, 1, dom0_events_main },
    { "timecheck",         0, 1, timecheck_main },
    { "bench-switch",      0, 1, bench_switch_main },
    { "masking",           0, 1, masking_main },
    { "victim",            0, 1, victim_main },
    { "iso-attack",        0, 1, iso_attack_main },
    { "hcall-fuzz",        0, 1, hcall_fuzz_main },
    { "hole-attack",       0, 1, hole_attack_main },
    { "hole-victim",       0, 1, hole_victim_main },
    { "echo-front",        0, 1, echo_front_main },
    { "echo-back",         0, 1, echo_back_main },
    { "grant-attacks",     0, 1, grant_attacks_main },
    { "blk-back",          0, 1, blk_back_main },
    { "blk-front",         0, 1, blk_front_main },
    { "con-back",          0, 1, con_back_main },
    { "con-echo",          0, 1, con_echo_main },
    { "con-flood",         0, 1, con_flood_main },
    { "net-back",          0, 1, net_back_main },
    { "net-front",         0, 1, net_front_main },
    { "net-attack",        0, 1, net_attack_main },
    { "balloon",           0, 1, balloon_main },
    { "memcheck",          0, 1, memcheck_main },
    { "xl",                0, 1, xl_main },
    { "domctl-attacks",    0, 1, domctl_attacks_main },
    { "domctl-checks",     0, 1, domctl_checks_main },
};

const struct program *find_program(const char *name)
{
    for (unsigned i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (strcmp(programs[i].name, name) == 0)
            return &programs[i];
    return 0;
}
