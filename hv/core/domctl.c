/*
 * hv/core/domctl.c — hypercall 36, domctl(struct hv_domctl *): how the control
 * domain (dom0) reads domains' CPU accounting and sets their scheduling
 * parameters (public/domctl.h).
 *
 * Course: policy in dom0, mechanism in the hypervisor.  The hypervisor
 * enforces the shares; who gets which share is dom0's decision, and only
 * dom0's: a domU asking to raise its own weight gets -EPERM (and the
 * hypercall record in the trace says so).  A caller built from another
 * version of public/domctl.h gets -EACCES, whoever it is.
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "core/lib.h"
#include "sched/sched.h"
#include "time/time.h"
#include "x86/x86.h"
#include "trace/trace.h"
#include "public/domctl.h"
#include "public/start_info.h"

/* The public ABI's states, not the hypervisor's enum: dom0's tools must
 * not depend on how the hypervisor numbers its own. */
static uint32_t state_of(const struct domain *d)
{
    return d->state == DOM_RUNNABLE ? DOMCTL_STATE_RUNNABLE :
           d->state == DOM_BLOCKED ? DOMCTL_STATE_BLOCKED : DOMCTL_STATE_DEAD;
}

int32_t do_domctl(guest_ptr op)
{
    struct hv_domctl c;
    struct domain *self = current;
    if (copy_from_guest(&c, op, sizeof c))
        return -HV_EFAULT;
    /* A caller built against another layout of struct hv_domctl: refuse
     * before trusting any other field (public/domctl.h, THE INTERFACE
     * VERSION).  Even the privilege check waits: `cmd` and `domain` may
     * not be where this hypervisor expects them. */
    if (c.interface_version != HV_DOMCTL_INTERFACE_VERSION)
        return -HV_EACCES;

    /* Privilege first, before the domain is even looked up: a domU
     * learns nothing about other domains, not even whether they exist.
     * The one thing any domain may do is read its own accounting. */
    int is_self = c.domain == DOMID_SELF || c.domain == self->id;
    if (!(self->flags & SIF_PRIVILEGED) && !(is_self && c.cmd == DOMCTL_getinfo))
        return -HV_EPERM;
    /* dom0 may also read a dead domain's final accounting. */
    struct domain *d = is_self ? self :
        (c.domain < MAX_DOMAINS && domains[c.domain].state != DOM_UNUSED ?
         &domains[c.domain] : 0);
    if (!d)
        return -HV_ESRCH;

    struct sched_params p;
    switch (c.cmd) {
    case DOMCTL_getinfo: {
        /* CPU time is the domain's virtual time (it advances only while
         * it runs); for the caller itself that includes the slice it is
         * in now, or a domain timing itself would see its clock stand
         * still between switches. */
        uint64_t cpu = tsc_to_ns(d->cpu_tsc);
        if (d == current)
            cpu += tsc_to_ns(rdtsc() - sched_dispatch_tsc());
        memset(&c.u.info, 0, sizeof c.u.info);
        c.u.info.state = state_of(d);
        c.u.info.nr_pages = d->nr_pages;
        c.u.info.cpu_ns = cpu;
        c.u.info.virtual_ns = cpu;
        c.u.info.system_ns = time_now_ns();
        c.u.info.nr_hypercalls = d->nr_hypercalls;
        c.u.info.nr_switches = d->nr_switches;
        break;
    }
    case DOMCTL_sched_get:
        if (d->state == DOM_DEAD)
            return -HV_ESRCH;
        sched_get_params(d, &p);
        c.u.sched.weight = p.weight;
        c.u.sched.warp_ns = p.warp_ns;
        c.u.sched.warp_limit_ns = p.warp_limit_ns;
        c.u.sched.unwarp_req_ns = p.unwarp_req_ns;
        c.u.sched.avt_ns = d->vcpu.avt;
        c.u.sched.evt_ns = d->vcpu.evt;
        break;
    case DOMCTL_sched_set: {
        /* The policy checks the values (sched_set_params); what is checked
         * here is only who may ask.  A successful change is traced, so the
         * shares seen later in the trace can be explained. */
        if (d->state == DOM_DEAD)
            return -HV_ESRCH;
        p.weight = c.u.sched.weight;
        p.warp_ns = c.u.sched.warp_ns;
        p.warp_limit_ns = c.u.sched.warp_limit_ns;
        p.unwarp_req_ns = c.u.sched.unwarp_req_ns;
        int r = sched_set_params(d, &p);
        if (r == 0)
            trace5(TRC_SCHED_PARAMS, self->id, d->id, p.weight,
                   (uint32_t)(p.warp_ns / 1000), (uint32_t)(p.warp_limit_ns / 1000),
                   (uint32_t)(p.unwarp_req_ns / 1000));
        return r;
    }
    default:
        return -HV_EINVAL;
    }
    if (copy_to_guest(op, &c, sizeof c))
        return -HV_EFAULT;
    return 0;
}
