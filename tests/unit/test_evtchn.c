/*
 * tests/unit/test_evtchn.c — event channels on the host: the port state
 * machine (hv/event/port.c: every operation, every error, each error leaving
 * the state unchanged) and lab 4's delivery into the shared info page
 * (evtchn_set_pending / evtchn_unmask: pending and mask bits, the selector,
 * the upcall flag and the upcall mask that stands in for the interrupt flag).
 */
#include <criterion/criterion.h>
#include <string.h>
#include "event/port.h"
#include "event/lab4.h"

static struct evtchn_domain A, B, C;   /* domains 1, 2, 3 */

static void setup(void)
{
    evtchn_domain_init(&A, 1);
    evtchn_domain_init(&B, 2);
    evtchn_domain_init(&C, 3);
}

/* Error cases: take a snapshot of A and B, make the failing calls, then
 * check that neither table changed. */
static struct evtchn_domain a0, b0;

static void snapshot(void)
{
    a0 = A;
    b0 = B;
}

static void unchanged(void)
{
    cr_assert(memcmp(&A, &a0, sizeof A) == 0, "A changed on error");
    cr_assert(memcmp(&B, &b0, sizeof B) == 0, "B changed on error");
}

/* A connected pair: A allocates for B, B binds.  Returns A's port. */
static int connect(uint32_t *bport)
{
    int ap = evtchn_alloc_unbound(&A, 2);
    cr_assert_gt(ap, 0);
    int bp = evtchn_bind_interdomain(&B, &A, (uint32_t)ap);
    cr_assert_gt(bp, 0);
    *bport = (uint32_t)bp;
    return ap;
}

TestSuite(evtchn, .init = setup);

Test(evtchn, init_everything_closed)
{
    struct evtchn_status st;
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++) {
        cr_assert_eq(evtchn_status(&A, p, &st), 0);
        cr_assert_eq(st.status, EVTCHNSTAT_closed);
    }
    cr_assert_eq(evtchn_virq_port(&A, VIRQ_TIMER), 0);
}

Test(evtchn, alloc_unbound_gives_lowest_port_from_1)
{
    cr_assert_eq(evtchn_alloc_unbound(&A, 2), 1);
    cr_assert_eq(evtchn_alloc_unbound(&A, 3), 2);
    struct evtchn_status st;
    cr_assert_eq(evtchn_status(&A, 1, &st), 0);
    cr_assert_eq(st.status, EVTCHNSTAT_unbound);
    cr_assert_eq(st.u.unbound.dom, 2);
    cr_assert_eq(st.vcpu, 0);
}

Test(evtchn, alloc_unbound_table_full)
{
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++)
        cr_assert_eq(evtchn_alloc_unbound(&A, 2), (int)p);
    snapshot();
    cr_assert_eq(evtchn_alloc_unbound(&A, 2), -HV_ENOSPC);
    cr_assert_eq(evtchn_bind_virq(&A, VIRQ_TIMER), -HV_ENOSPC);
    cr_assert_eq(evtchn_bind_pirq(&A, 4, 1), -HV_ENOSPC);
    cr_assert_eq(evtchn_bind_interdomain(&A, &B, 1), -HV_EINVAL); /* B's 1 closed */
    unchanged();
    /* A valid bind that fails only because A is full leaves B's port
     * reserved, not half-connected. */
    int bp = evtchn_alloc_unbound(&B, 1);
    snapshot();
    cr_assert_eq(evtchn_bind_interdomain(&A, &B, (uint32_t)bp), -HV_ENOSPC);
    unchanged();
}

Test(evtchn, interdomain_pair_end_to_end)
{
    uint32_t bp;
    int ap = connect(&bp);
    struct evtchn_status st;

    cr_assert_eq(evtchn_status(&A, (uint32_t)ap, &st), 0);
    cr_assert_eq(st.status, EVTCHNSTAT_interdomain);
    cr_assert_eq(st.u.interdomain.dom, 2);
    cr_assert_eq(st.u.interdomain.port, bp);
    cr_assert_eq(evtchn_status(&B, bp, &st), 0);
    cr_assert_eq(st.status, EVTCHNSTAT_interdomain);
    cr_assert_eq(st.u.interdomain.dom, 1);
    cr_assert_eq(st.u.interdomain.port, (uint32_t)ap);

    struct evtchn_target to;
    cr_assert_eq(evtchn_send(&A, (uint32_t)ap, &to), 0);
    cr_assert_eq(to.dom, 2);
    cr_assert_eq(to.port, bp);
    cr_assert_eq(evtchn_send(&B, bp, &to), 0);
    cr_assert_eq(to.dom, 1);
    cr_assert_eq(to.port, (uint32_t)ap);
    cr_assert_eq(evtchn_peer(&A, (uint32_t)ap), 2);
    cr_assert_eq(evtchn_peer(&B, bp), 1);
}

Test(evtchn, interdomain_send_marks_the_right_domains_page)
{
    static struct shared_info sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    /* Make the two ports differ, so a mix-up shows. */
    evtchn_bind_virq(&A, VIRQ_TIMER);                 /* A:1 */
    uint32_t bp;
    int ap = connect(&bp);                           /* A:2 <-> B:1 */
    cr_assert_eq(ap, 2);
    cr_assert_eq(bp, 1);

    struct evtchn_target to;
    cr_assert_eq(evtchn_send(&A, (uint32_t)ap, &to), 0);
    cr_assert_eq(to.dom, B.id);
    cr_assert_eq(evtchn_set_pending(&sb, to.port), 1);
    cr_assert_eq(sb.evtchn_pending[0], 1u << 1);
    cr_assert_eq(sa.evtchn_pending[0], 0);

    cr_assert_eq(evtchn_send(&B, bp, &to), 0);
    cr_assert_eq(to.dom, A.id);
    cr_assert_eq(evtchn_set_pending(&sa, to.port), 1);
    cr_assert_eq(sa.evtchn_pending[0], 1u << 2);
}

Test(evtchn, loopback_channel)
{
    int p1 = evtchn_alloc_unbound(&A, 1);
    int p2 = evtchn_bind_interdomain(&A, &A, (uint32_t)p1);
    cr_assert_eq(p1, 1);
    cr_assert_eq(p2, 2);
    struct evtchn_target to;
    cr_assert_eq(evtchn_send(&A, 2, &to), 0);
    cr_assert_eq(to.dom, 1);
    cr_assert_eq(to.port, 1);
    cr_assert_eq(evtchn_close(&A, 1, &A), 0);
    cr_assert_eq(A.port[1].state, EVTCHNSTAT_closed);
    cr_assert_eq(A.port[2].state, EVTCHNSTAT_unbound);
    cr_assert_eq(A.port[2].u.unbound_remote, 1);
}

Test(evtchn, bind_interdomain_errors_change_nothing)
{
    int cport = evtchn_alloc_unbound(&A, 3);         /* A:1 reserved for C */
    int bport = evtchn_alloc_unbound(&A, 2);         /* A:2 reserved for B */
    int vport = evtchn_bind_virq(&A, VIRQ_CONSOLE);  /* A:3 */
    snapshot();
    cr_assert_eq(evtchn_bind_interdomain(&B, NULL, (uint32_t)bport), -HV_ESRCH);
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, 0), -HV_EINVAL);
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, EVTCHN_NR_PORTS), -HV_EINVAL);
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, 0xFFFFFFFFu), -HV_EINVAL);
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, 40), -HV_EINVAL);     /* closed */
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, (uint32_t)vport), -HV_EINVAL);
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, (uint32_t)cport), -HV_EPERM);
    unchanged();

    /* Binding twice: the second bind (by B or anyone) finds it connected. */
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, (uint32_t)bport), 1);
    snapshot();
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, (uint32_t)bport), -HV_EBUSY);
    unchanged();
}

Test(evtchn, bind_virq_once)
{
    int p = evtchn_bind_virq(&A, VIRQ_TIMER);
    cr_assert_eq(p, 1);
    cr_assert_eq(evtchn_virq_port(&A, VIRQ_TIMER), 1);
    cr_assert_eq(evtchn_virq_port(&B, VIRQ_TIMER), 0);   /* per domain */
    struct evtchn_status st;
    cr_assert_eq(evtchn_status(&A, 1, &st), 0);
    cr_assert_eq(st.status, EVTCHNSTAT_virq);
    cr_assert_eq(st.u.virq, VIRQ_TIMER);

    snapshot();
    cr_assert_eq(evtchn_bind_virq(&A, VIRQ_TIMER), -HV_EEXIST);
    cr_assert_eq(evtchn_bind_virq(&A, NR_VIRQS), -HV_EINVAL);
    cr_assert_eq(evtchn_bind_virq(&A, 0xFFFFFFFFu), -HV_EINVAL);
    unchanged();
    cr_assert_eq(evtchn_virq_port(&A, NR_VIRQS), 0);

    /* Another domain may bind the same VIRQ; closing frees it for rebinding. */
    cr_assert_eq(evtchn_bind_virq(&B, VIRQ_TIMER), 1);
    cr_assert_eq(evtchn_bind_virq(&A, VIRQ_CONSOLE), 2);
    cr_assert_eq(evtchn_close(&A, 1, NULL), 0);
    cr_assert_eq(evtchn_virq_port(&A, VIRQ_TIMER), 0);
    cr_assert_eq(evtchn_virq_port(&A, VIRQ_CONSOLE), 2);
    cr_assert_eq(evtchn_bind_virq(&A, VIRQ_TIMER), 1);
}

Test(evtchn, bind_pirq_only_privileged)
{
    snapshot();
    cr_assert_eq(evtchn_bind_pirq(&A, 14, 0), -HV_EPERM);
    cr_assert_eq(evtchn_bind_pirq(&A, 99, 0), -HV_EPERM);   /* privilege first */
    cr_assert_eq(evtchn_bind_pirq(&A, EVTCHN_NR_PIRQS, 1), -HV_EINVAL);
    unchanged();

    cr_assert_eq(evtchn_bind_pirq(&A, 14, 1), 1);
    cr_assert_eq(evtchn_pirq_port(&A, 14), 1);
    cr_assert_eq(evtchn_pirq_port(&A, 99), 0);
    struct evtchn_status st;
    cr_assert_eq(evtchn_status(&A, 1, &st), 0);
    cr_assert_eq(st.status, EVTCHNSTAT_pirq);
    cr_assert_eq(st.u.pirq, 14);

    snapshot();
    cr_assert_eq(evtchn_bind_pirq(&A, 14, 1), -HV_EEXIST);
    unchanged();

    cr_assert_eq(evtchn_close(&A, 1, NULL), 0);
    cr_assert_eq(evtchn_pirq_port(&A, 14), 0);
    cr_assert_eq(evtchn_bind_pirq(&A, 14, 1), 1);
}

Test(evtchn, close_from_the_binding_end)
{
    uint32_t bp;
    int ap = connect(&bp);
    cr_assert_eq(evtchn_close(&B, bp, &A), 0);
    cr_assert_eq(B.port[bp].state, EVTCHNSTAT_closed);
    /* A's end waits for B again. */
    struct evtchn_status st;
    cr_assert_eq(evtchn_status(&A, (uint32_t)ap, &st), 0);
    cr_assert_eq(st.status, EVTCHNSTAT_unbound);
    cr_assert_eq(st.u.unbound.dom, 2);
    struct evtchn_target to;
    cr_assert_eq(evtchn_send(&A, (uint32_t)ap, &to), -HV_EINVAL);
    cr_assert_eq(evtchn_send(&B, bp, &to), -HV_EINVAL);
    /* ... and B can bind to it again. */
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, (uint32_t)ap), (int)bp);
    cr_assert_eq(evtchn_send(&A, (uint32_t)ap, &to), 0);
}

Test(evtchn, close_from_the_allocating_end)
{
    uint32_t bp;
    int ap = connect(&bp);
    cr_assert_eq(evtchn_close(&A, (uint32_t)ap, &B), 0);
    cr_assert_eq(A.port[ap].state, EVTCHNSTAT_closed);
    cr_assert_eq(B.port[bp].state, EVTCHNSTAT_unbound);
    cr_assert_eq(B.port[bp].u.unbound_remote, 1);
    /* The roles turn round: A may now bind to B's port. */
    cr_assert_eq(evtchn_bind_interdomain(&A, &B, bp), ap);
    cr_assert_eq(evtchn_peer(&B, bp), 1);
}

Test(evtchn, close_when_the_peer_is_gone)
{
    uint32_t bp;
    int ap = connect(&bp);
    cr_assert_eq(evtchn_close(&A, (uint32_t)ap, NULL), 0);
    cr_assert_eq(A.port[ap].state, EVTCHNSTAT_closed);
}

Test(evtchn, close_errors_change_nothing)
{
    uint32_t bp;
    int ap = connect(&bp);
    evtchn_alloc_unbound(&C, 1);
    snapshot();
    cr_assert_eq(evtchn_close(&A, 0, NULL), -HV_EINVAL);
    cr_assert_eq(evtchn_close(&A, EVTCHN_NR_PORTS, NULL), -HV_EINVAL);
    cr_assert_eq(evtchn_close(&A, 30, NULL), -HV_EINVAL);          /* closed */
    cr_assert_eq(evtchn_close(&A, (uint32_t)ap, &C), -HV_EINVAL);  /* wrong peer */
    /* Right domain id, but its port does not point back at us. */
    struct evtchn_domain fake;
    evtchn_domain_init(&fake, 2);
    cr_assert_eq(evtchn_close(&A, (uint32_t)ap, &fake), -HV_EINVAL);
    unchanged();
    cr_assert_eq(evtchn_peer(&A, 30), -HV_EINVAL);
    cr_assert_eq(evtchn_peer(&A, 0), -HV_EINVAL);
}

Test(evtchn, close_unbound_port)
{
    int p = evtchn_alloc_unbound(&A, 2);
    cr_assert_eq(evtchn_close(&A, (uint32_t)p, NULL), 0);
    cr_assert_eq(A.port[p].state, EVTCHNSTAT_closed);
    cr_assert_eq(evtchn_bind_interdomain(&B, &A, (uint32_t)p), -HV_EINVAL);
    cr_assert_eq(evtchn_close(&A, (uint32_t)p, NULL), -HV_EINVAL);   /* twice */
}

Test(evtchn, send_errors)
{
    int up = evtchn_alloc_unbound(&A, 2);
    int vp = evtchn_bind_virq(&A, VIRQ_TIMER);
    int pp = evtchn_bind_pirq(&A, 1, 1);
    struct evtchn_target to = { 77, 77 };
    snapshot();
    cr_assert_eq(evtchn_send(&A, 0, &to), -HV_EINVAL);
    cr_assert_eq(evtchn_send(&A, EVTCHN_NR_PORTS, &to), -HV_EINVAL);
    cr_assert_eq(evtchn_send(&A, 0x80000000u, &to), -HV_EINVAL);
    cr_assert_eq(evtchn_send(&A, 50, &to), -HV_EINVAL);            /* closed */
    cr_assert_eq(evtchn_send(&A, (uint32_t)up, &to), -HV_EINVAL);  /* unbound */
    cr_assert_eq(evtchn_send(&A, (uint32_t)vp, &to), -HV_EINVAL);  /* virq */
    cr_assert_eq(evtchn_send(&A, (uint32_t)pp, &to), -HV_EINVAL);  /* pirq */
    unchanged();
    cr_assert_eq(to.dom, 77);
    cr_assert_eq(to.port, 77);
}

Test(evtchn, status_and_unmask_range)
{
    struct evtchn_status st;
    cr_assert_eq(evtchn_status(&A, 0, &st), -HV_EINVAL);
    cr_assert_eq(evtchn_status(&A, EVTCHN_NR_PORTS, &st), -HV_EINVAL);
    cr_assert_eq(evtchn_unmask_check(&A, 0), -HV_EINVAL);
    cr_assert_eq(evtchn_unmask_check(&A, EVTCHN_NR_PORTS), -HV_EINVAL);
    cr_assert_eq(evtchn_unmask_check(&A, 1), 0);
    cr_assert_eq(evtchn_unmask_check(&A, EVTCHN_NR_PORTS - 1), 0);
}

/* ------------------------------------------------------------------------
 * Delivery (lab 4).
 * ------------------------------------------------------------------------ */
static struct shared_info S;

static void clear_page(void)
{
    memset(&S, 0, sizeof S);
}

TestSuite(deliver, .init = clear_page);

Test(deliver, pending_unmasked_gives_upcall)
{
    cr_assert_eq(evtchn_set_pending(&S, 5), 1);
    cr_assert_eq(S.evtchn_pending[0], 1u << 5);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 1u << 0);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 1);
}

Test(deliver, already_pending_no_second_upcall)
{
    cr_assert_eq(evtchn_set_pending(&S, 5), 1);
    /* The guest is now running its handler: it clears the flag and selector
     * but has not yet handled port 5. */
    S.vcpu_info[0].evtchn_upcall_pending = 0;
    S.vcpu_info[0].evtchn_pending_sel = 0;
    cr_assert_eq(evtchn_set_pending(&S, 5), 0);
    cr_assert_eq(S.evtchn_pending[0], 1u << 5);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 0);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 0);
    /* A different port still gets its own upcall. */
    cr_assert_eq(evtchn_set_pending(&S, 6), 1);
}

Test(deliver, masked_port_waits_for_unmask)
{
    S.evtchn_mask[1] = 1u << (40 - 32);
    cr_assert_eq(evtchn_set_pending(&S, 40), 0);
    cr_assert_eq(S.evtchn_pending[1], 1u << 8, "pending is recorded");
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 0);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 0);

    cr_assert_eq(evtchn_unmask(&S, 40), 1);
    cr_assert_eq(S.evtchn_mask[1], 0);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 1u << 1);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 1);
}

Test(deliver, unmask_without_pending_no_upcall)
{
    S.evtchn_mask[0] = 0xFFFFFFFFu;
    cr_assert_eq(evtchn_unmask(&S, 3), 0);
    cr_assert_eq(S.evtchn_mask[0], ~(1u << 3));
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 0);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 0);
}

Test(deliver, upcall_mask_records_but_does_not_upcall)
{
    S.vcpu_info[0].evtchn_upcall_mask = 1;      /* the guest did "cli" */
    cr_assert_eq(evtchn_set_pending(&S, 7), 0);
    cr_assert_eq(S.evtchn_pending[0], 1u << 7);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 1u);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 1,
                 "the guest sees it when it clears its upcall mask");
}

Test(deliver, unmask_with_upcall_mask_set_no_upcall)
{
    S.vcpu_info[0].evtchn_upcall_mask = 1;
    S.evtchn_mask[0] = 1u << 9;
    cr_assert_eq(evtchn_set_pending(&S, 9), 0);
    cr_assert_eq(evtchn_unmask(&S, 9), 0);
    cr_assert_eq(S.vcpu_info[0].evtchn_upcall_pending, 1);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 1u);
}

Test(deliver, selector_bits_per_word)
{
    cr_assert_eq(evtchn_set_pending(&S, 0), 1);
    cr_assert_eq(evtchn_set_pending(&S, 31), 1);
    cr_assert_eq(evtchn_set_pending(&S, 32), 1);
    cr_assert_eq(evtchn_set_pending(&S, 63), 1);
    cr_assert_eq(evtchn_set_pending(&S, 1023), 1);
    cr_assert_eq(S.evtchn_pending[0], 0x80000001u);
    cr_assert_eq(S.evtchn_pending[1], 0x80000001u);
    cr_assert_eq(S.evtchn_pending[31], 0x80000000u);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, (1u << 0) | (1u << 1) | (1u << 31));
}

Test(deliver, out_of_range_port_ignored)
{
    struct shared_info before;
    memcpy(&before, &S, sizeof S);
    cr_assert_eq(evtchn_set_pending(&S, HV_NR_EVENT_CHANNELS), 0);
    cr_assert_eq(evtchn_unmask(&S, 0xFFFFFFFFu), 0);
    cr_assert(memcmp(&S, &before, sizeof S) == 0);
}

Test(deliver, other_mask_bits_untouched)
{
    S.evtchn_mask[2] = 0xF0F0F0F0u;
    S.evtchn_pending[2] = 1u << 4;
    cr_assert_eq(evtchn_unmask(&S, 64 + 4), 1);
    cr_assert_eq(S.evtchn_mask[2], 0xF0F0F0E0u);
    cr_assert_eq(S.vcpu_info[0].evtchn_pending_sel, 1u << 2);
}
