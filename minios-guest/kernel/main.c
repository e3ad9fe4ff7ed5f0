/*
 * minios-guest/kernel/main.c — the minios kernel proper: the same code in both modes.
 *
 * Where this sits in the story: by the time kernel_main runs, one of the two
 * entry paths has filled in the pv-ops table and boot_info:
 *
 *   native:  boot-native.S -> native_main (pvops-native.c) -> kernel_main
 *   hvkit:   boot-pv.S     -> pv_main     (pvops-hv.c)     -> kernel_main
 *
 * From here on nothing knows which machine it is on, except by asking
 * pv_ops.  The first line printed reads the ring from %cs: 0 on bare
 * hardware, 1 under hvkit -- ring deprivileging, visible in one instruction.
 *
 * Command line: "run=prog1+prog2+..." chooses the programs (default
 * run=hello; '+' because QEMU splits -initrd modules at commas), and
 * "notraps" leaves the trap table empty (for experiments with faults).
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "lib/string.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "lib/x86.h"

struct pv_ops pv_ops;
struct boot_info boot_info;
struct kcounters kcounters;

/* Is word one of the space-separated words of the command line? */
int cmdline_has(const char *word)
{
    const char *s = boot_info.cmdline;
    uint32_t n = strlen(word);
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\0'))
            return 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

/* Find "run=" and start each program it names. */
static void start_programs(void)
{
    const char *s = boot_info.cmdline;
    const char *list = "hello";
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, "run=", 4) == 0) {
            list = s + 4;
            break;
        }
        while (*s && *s != ' ')
            s++;
    }

    while (*list && *list != ' ') {
        char name[32];
        uint32_t n = 0;
        while (*list && *list != ' ' && *list != '+') {
            if (n < sizeof name - 1)
                name[n++] = *list;
            list++;
        }
        name[n] = '\0';
        if (*list == '+')
            list++;
        if (n == 0)
            continue;

        const struct program *prog = find_program(name);
        if (prog == 0) {
            kprintf("minios: unknown program '%s', skipped\n", name);
            continue;
        }
        for (int i = 0; i < prog->copies; i++) {
            int pid = proc_spawn(prog);
            if (pid > 0)
                kprintf("minios: started %s (pid %d, ring %d)\n",
                        prog->name, pid, prog->ring == 3 ? 3 : (int)(read_cs() & 3));
        }
    }
}

void kernel_main(void)
{
    kprintf("minios: kernel running in ring %u\n", read_cs() & 3);
    kprintf("minios: mode=%s\n", pv_ops.name);
    if (pv_ops.paravirt)
        kprintf("minios: domain %d, %u pages (%u KiB)\n",
                boot_info.domid, boot_info.nr_pages, boot_info.nr_pages * 4);
    else
        kprintf("minios: %u pages (%u KiB) mapped\n",
                boot_info.nr_pages, boot_info.nr_pages * 4);
    kprintf("minios: command line '%s'\n", boot_info.cmdline);

    if (cmdline_has("notraps")) {
        kprintf("minios: notraps: no trap table installed\n");
    } else {
        int r = trap_install();
        if (r < 0)
            panic("installing the trap table failed: %d", r);
        /* The tick that makes scheduling preemptive (and sleep possible).
         * A hypervisor without event channels says -ENOSYS: then minios
         * falls back to cooperative scheduling, and says so. */
        r = pv_ops.timer_start();
        if (r < 0)
            kprintf("minios: no timer (%d): cooperative scheduling only\n", r);
    }

    vm_init();
    /* console=split: the programs start once the split console is
     * connected (consfront.c); otherwise now. */
    if (!console_split_start(start_programs))
        start_programs();
    scheduler();
}
