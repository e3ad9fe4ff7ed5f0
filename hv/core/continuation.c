/*
 * hv/core/continuation.c — long hypercalls done in pieces (see
 * continuation.h for the story).
 */
#include "core/continuation.h"
#include "time/time.h"
#include "x86/traps.h"
#include "public/hvkit.h"

int hypercall_continued;             /* a continuation is pending */
static struct {
    uint32_t nr, args[5];
} cont;

int hypercall_preempt_check(void)
{
    return time_timer_due();
}

int32_t hypercall_continue(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5)
{
    hypercall_continued = 1;
    cont.nr = nr;
    cont.args[0] = a1;
    cont.args[1] = a2;
    cont.args[2] = a3;
    cont.args[3] = a4;
    cont.args[4] = a5;
    return -HV_ERESTART;
}

void hypercall_continuation_apply(struct cpu_regs *regs)
{
    hypercall_continued = 0;
    regs->eax = cont.nr;
    regs->ebx = cont.args[0];
    regs->ecx = cont.args[1];
    regs->edx = cont.args[2];
    regs->esi = cont.args[3];
    regs->edi = cont.args[4];
    regs->eip -= 2;              /* back over "int $0x82" (CD 82) */
}

int hypercall_continuation_take(uint32_t *nr, uint32_t args[5])
{
    if (!hypercall_continued)
        return 0;
    hypercall_continued = 0;
    *nr = cont.nr;
    for (int i = 0; i < 5; i++)
        args[i] = cont.args[i];
    return 1;
}
