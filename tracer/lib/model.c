/*
 * tracer/lib/model.c — the state of the system, rebuilt from its events.
 *
 * Where this sits in the story: a trace is a list of things that happened;
 * what a student wants to see is the state those things add up to — which
 * domain was running, which were blocked, how long each had the CPU, who
 * sent events to whom.  This file replays events in order and keeps that
 * state, the way xenalyze does for Xen.  Every view of the live tracer and
 * every exporter is built on it, so they all agree.
 *
 * The meaning of each event is the one documented in trace-events.def:
 *   SCHEDULE prev next reason   prev stops running (blocked if reason is
 *                               block, dead if exit, else still runnable);
 *                               next runs.  The record's domain is next.
 *   BLOCK domid / WAKE domid    blocked / runnable again.
 *   DOM_START, DOM_SHUTDOWN     runnable / dead; TRAP_FATAL: dead.
 *   DOM_STATE old new           the VM state machine (course: running,
 *                               blocked, paused, suspended, inactive): the
 *                               record's domain moves from old to new.  To
 *                               inactive is a destroy (the id may come back:
 *                               a new life; its scheduling state starts
 *                               again from none); from inactive a create.
 *   HYPERCALL nr ... ret        ret < 0 is a rejected call.
 *   EVTCHN_SEND port to ...     an event from the record's domain to `to`.
 *   MMU_UPDATE ... ret rule     a page-table write; refused: which rule.
 *   GNT_MAP / GNT_UNMAP / GNT_RELEASE   a grant mapping made / undone by its
 *                               holder / undone for a holder that died;
 *                               GNT_COPY a copy through grants.
 *   DEV_CREATE, DEV_STATE       a split device and its ends' states;
 *   DEV_PUBLISH                 the front end's ring grant and port; the
 *                               back end's port is its bind_interdomain
 *                               (EVTCHN_OP) to that port, and the ring is
 *                               mapped by its GNT_MAP of that grant.
 *   RING_PUSH                   its ring's indices at a push, and whether
 *                               the pusher notified.
 *   IO_REQ / IO_RSP             the back end took / answered request id; an
 *                               answer while an older request it took still
 *                               waits is out of order (the ring allows it).
 *   NET_PKT                     a packet demultiplexed: its verdict.
 *   CONS_WRITE                  a console back end wrote its front end's
 *                               bytes (lines) to the serial line.
 *   PIRQ irq port               a device interrupt became an event in the
 *                               record's domain.
 *   LOST count                  count events were dropped by the hypervisor.
 */
#include <string.h>

#include "hvtrace.h"

int hvt_dom_slot(uint32_t domid)
{
    if (domid == DOMID_IDLE)
        return HVT_SLOT_IDLE;
    if (domid == DOMID_HV)
        return HVT_SLOT_HV;
    if (domid < HVT_SLOT_IDLE)
        return (int)domid;
    return -1;
}

uint16_t hvt_slot_dom(int slot)
{
    if (slot == HVT_SLOT_IDLE)
        return DOMID_IDLE;
    if (slot == HVT_SLOT_HV)
        return DOMID_HV;
    return (uint16_t)slot;
}

const char *hvt_state_name(enum hvt_dstate s)
{
    static const char *names[HVT_NSTATES] = {
        "none", "runnable", "running", "blocked", "dead",
    };
    return (unsigned)s < HVT_NSTATES ? names[s] : "?";
}

const char *hvt_vmstate_name(uint32_t s)
{
    const char *n = hvt_enum_name("domstate", s);
    return n ? n : "?";
}

const char *hvt_dom_state_text(const struct hvt_dom *d)
{
    return d->vm_known ? hvt_vmstate_name(d->vm_state) : hvt_state_name(d->state);
}

void hvt_model_init(struct hvt_model *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < HVT_MAX_DOMS; i++)
        m->dom[i].id = hvt_slot_dom(i);
}

static struct hvt_dom *dom_of(struct hvt_model *m, uint32_t domid)
{
    int slot = hvt_dom_slot(domid);
    if (slot < 0)
        return NULL;
    m->dom[slot].seen = 1;
    return &m->dom[slot];
}

/* The state machine's one operation: d moves to state s at time tsc. */
static void set_state(struct hvt_dom *d, enum hvt_dstate s, uint64_t tsc)
{
    if (!d || d->state == s)
        return;
    if (d->state != HVT_S_NONE && tsc >= d->since)
        d->time_in[d->state] += tsc - d->since;
    d->trans[d->state][s]++;
    d->state = s;
    d->since = tsc;
}

/* A destroyed domain's slot: the scheduling machine forgets it (the time
 * it spent dead is counted; no transition), so the id's next life starts
 * from none like a new domain. */
static void sched_forget(struct hvt_dom *d, uint64_t tsc)
{
    if (d->state != HVT_S_NONE && tsc >= d->since)
        d->time_in[d->state] += tsc - d->since;
    d->state = HVT_S_NONE;
    d->since = tsc;
}

/* DOM_STATE: the VM state machine's one operation.  The record's old state
 * is the truth (after lost records ours may be stale: counted). */
static void vm_state(struct hvt_dom *d, uint32_t old, uint32_t new, uint64_t tsc)
{
    if (!d || old >= HVT_NVMSTATES || new >= HVT_NVMSTATES)
        return;
    if (!d->vm_known) {
        d->vm_known = 1;
        d->vm_since = tsc;
    } else {
        if (old != d->vm_state)
            d->vm_mismatch++;
        if (tsc >= d->vm_since)
            d->vm_time[d->vm_state] += tsc - d->vm_since;
    }
    d->vm_trans[old][new]++;
    if (old == DOMCTL_STATE_NONE && new != DOMCTL_STATE_NONE)
        d->vm_lives++;
    if (new == DOMCTL_STATE_NONE && old != DOMCTL_STATE_NONE) {
        d->vm_destroys++;
        sched_forget(d, tsc);
    }
    d->vm_state = new;
    d->vm_since = tsc;
}

static int is_error(uint32_t ret)
{
    return (int32_t)ret < 0;
}

static void feed_sched(struct hvt_model *m, const struct trace_record *r)
{
    struct hvt_dom *d;

    switch (r->event) {
    case TRC_SCHEDULE: {
        struct hvt_dom *prev = dom_of(m, r->args[0]), *next = dom_of(m, r->args[1]);
        uint32_t why = r->args[2];
        if (prev && prev != next &&
            (prev->state == HVT_S_RUNNING || prev->state == HVT_S_NONE))
            set_state(prev, why == 2 ? HVT_S_BLOCKED : why == 4 ? HVT_S_DEAD
                                     : HVT_S_RUNNABLE, r->tsc);
        set_state(next, HVT_S_RUNNING, r->tsc);
        break;
    }
    case TRC_BLOCK:
        set_state(dom_of(m, r->args[0]), HVT_S_BLOCKED, r->tsc);
        break;
    case TRC_WAKE:
        d = dom_of(m, r->args[0]);
        if (d && d->state != HVT_S_RUNNING)
            set_state(d, HVT_S_RUNNABLE, r->tsc);
        break;
    }
}

static void feed_dom(struct hvt_model *m, const struct trace_record *r)
{
    struct hvt_dom *d;

    switch (r->event) {
    case TRC_DOM_CREATE:
        dom_of(m, r->args[0]);
        break;
    case TRC_DOM_START:
        d = dom_of(m, r->args[0]);
        if (d && d->state == HVT_S_NONE)
            set_state(d, HVT_S_RUNNABLE, r->tsc);
        break;
    case TRC_DOM_SHUTDOWN:
        set_state(dom_of(m, r->args[0]), HVT_S_DEAD, r->tsc);
        break;
    case TRC_DOM_STATE:
        if (r->nargs >= 2)
            vm_state(dom_of(m, r->domain), r->args[0], r->args[1], r->tsc);
        break;
    }
}

/* grantee -> granter bookkeeping; the slots must both exist. */
static void grant_edge(uint64_t (*edges)[HVT_MAX_DOMS], uint32_t from, uint32_t to, int delta)
{
    int a = hvt_dom_slot(from), b = hvt_dom_slot(to);
    if (a < 0 || b < 0)
        return;
    if (delta > 0)
        edges[a][b]++;
    else if (edges[a][b] > 0)
        edges[a][b]--;
}

static void feed_grant(struct hvt_model *m, struct hvt_dom *d, const struct trace_record *r)
{
    uint32_t ret, rule;
    switch (r->event) {
    case TRC_GNT_MAP:     ret = r->args[5]; rule = r->args[6]; break;
    case TRC_GNT_UNMAP:   ret = r->args[4]; rule = r->args[5]; break;
    case TRC_GNT_COPY:    ret = r->args[5]; rule = r->args[6]; break;
    case TRC_GNT_OP:      ret = r->args[3]; rule = r->args[4]; break;
    case TRC_GNT_RELEASE:
        grant_edge(m->grant_held, r->domain, r->args[0], -1);
        for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++) {
            struct hvt_device *v = &m->dev[id];
            if (v->seen && v->ring_mapped && v->dom[1] == r->domain &&
                v->ring_handle == r->args[2])
                v->ring_mapped = 0;
        }
        return;
    default:
        return;
    }
    d->gnt_ops++;
    if (is_error(ret)) {
        d->gnt_rejects++;
        m->grant_rules[rule & 31]++;
        return;
    }
    if (r->event == TRC_GNT_MAP) {
        grant_edge(m->grant_held, r->domain, r->args[0], 1);
        grant_edge(m->grant_maps, r->domain, r->args[0], 1);
        /* A back end mapping its front end's ring. */
        for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++) {
            struct hvt_device *v = &m->dev[id];
            if (v->seen && v->dom[1] == r->domain && v->dom[0] == r->args[0] &&
                v->ring_ref && v->ring_ref == r->args[1] && !v->ring_mapped) {
                v->ring_mapped = 1;
                v->ring_handle = r->args[4];
                break;
            }
        }
    } else if (r->event == TRC_GNT_UNMAP) {
        grant_edge(m->grant_held, r->domain, r->args[2], -1);
        for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++) {
            struct hvt_device *v = &m->dev[id];
            if (v->seen && v->ring_mapped && v->dom[1] == r->domain &&
                v->ring_handle == r->args[0])
                v->ring_mapped = 0;
        }
    } else if (r->event == TRC_GNT_COPY) {
        /* A side whose domain is not the caller's is a grant. */
        if (r->args[0] != r->domain)
            grant_edge(m->grant_copies, r->domain, r->args[0], 1);
        if (r->args[2] != r->domain)
            grant_edge(m->grant_copies, r->domain, r->args[2], 1);
    }
}

static void feed_dev(struct hvt_model *m, struct hvt_dom *d, const struct trace_record *r)
{
    uint32_t id = r->args[0];
    struct hvt_device *v = id >= 1 && id <= HVT_MAX_DEVS ? &m->dev[id] : NULL;
    switch (r->event) {
    case TRC_DEV_CREATE:
        d->dev_ops++;
        if (is_error(r->args[4])) {
            d->dev_rejects++;
        } else if (v) {
            memset(v, 0, sizeof *v);
            v->seen = 1;
            v->type = r->args[1];
            v->dom[0] = (uint16_t)r->args[2];
            v->dom[1] = (uint16_t)r->args[3];
            v->state[0] = v->state[1] = 1;         /* both INITIALISING */
        }
        break;
    case TRC_DEV_STATE:
        d->dev_ops++;
        if (is_error(r->args[4]))
            d->dev_rejects++;
        else if (v && v->seen)
            v->state[r->args[1] & 1] = r->args[3];
        break;
    case TRC_DEV_PUBLISH:
        d->dev_ops++;
        if (is_error(r->args[4])) {
            d->dev_rejects++;
        } else if (v && v->seen && (r->args[1] & 1) == 0) {
            v->ring_ref = r->args[2];
            v->port[0] = r->args[3];
        } else if (v && v->seen && r->args[3]) {
            v->port[1] = r->args[3];
        }
        break;
    case TRC_IO_REQ:
        if (v && v->seen && (r->args[1] & 1) == 0)
            v->io_front++;
        if (!v || !v->seen || (r->args[1] & 1) != 1)
            break;                  /* the back end's view: what it took */
        v->io_taken++;
        if (v->ntaken == HVT_MAX_TAKEN) {      /* forget the oldest */
            memmove(v->taken, v->taken + 1, (HVT_MAX_TAKEN - 1) * sizeof v->taken[0]);
            v->ntaken--;
            v->taken_dropped++;
        }
        v->taken[v->ntaken++] = r->args[2];
        break;
    case TRC_IO_RSP: {
        if (!v || !v->seen || (r->args[1] & 1) != 1)
            break;
        v->io_answered++;
        if (is_error(r->args[4]))
            v->io_errors++;
        unsigned k = 0;
        while (k < v->ntaken && v->taken[k] != r->args[2])
            k++;
        if (k == v->ntaken) {
            v->io_unmatched++;
            break;
        }
        if (k > 0)                  /* an older request is still waiting */
            v->io_out_of_order++;
        memmove(v->taken + k, v->taken + k + 1, (v->ntaken - k - 1) * sizeof v->taken[0]);
        v->ntaken--;
        break;
    }
    case TRC_CONS_WRITE:
        if (v && v->seen && !is_error(r->args[4])) {
            v->cons_bytes += r->args[2];
            v->cons_lines += r->args[3];
        }
        break;
    case TRC_NET_PKT: {
        if (v && v->seen)
            v->pkts[r->args[5] < HVT_NVERDICTS ? r->args[5] : 0]++;
        uint32_t to = r->args[6];
        if (to >= 1 && to <= HVT_MAX_DEVS && m->dev[to].seen)
            m->dev[to].pkts_to++;
        break;
    }
    case TRC_DEV_OP:
        d->dev_ops++;
        if (is_error(r->args[2]))
            d->dev_rejects++;
        break;
    case TRC_RING_PUSH:
        if (!v || !v->seen)
            break;
        v->req_prod = r->args[2];
        v->rsp_prod = r->args[3];
        v->req_event = r->args[4];
        v->rsp_event = r->args[5];
        v->pushes[r->args[1] & 1]++;
        if (r->args[6])
            v->sent[r->args[1] & 1]++;
        else
            v->suppressed[r->args[1] & 1]++;
        break;
    }
}

/* A back end binding its end of a device's channel: bind_interdomain to
 * the port the front end published.  (A port closed is forgotten.) */
static void feed_dev_port(struct hvt_model *m, const struct trace_record *r)
{
    for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++) {
        struct hvt_device *v = &m->dev[id];
        if (!v->seen)
            continue;
        if (r->args[0] == 0 /* bind_interdomain */ && v->dom[1] == r->domain &&
            v->dom[0] == r->args[2] && v->port[0] && v->port[0] == r->args[3])
            v->port[1] = r->args[1];
    }
}

void hvt_model_feed(struct hvt_model *m, const struct trace_record *r)
{
    unsigned cls = TRACE_CLASS_OF(r->event);
    struct hvt_dom *d = dom_of(m, r->domain);

    if (m->records == 0)
        m->first_tsc = r->tsc;
    if (r->tsc > m->last_tsc)
        m->last_tsc = r->tsc;
    m->records++;
    if (cls < HVT_NCLASS)
        m->by_class[cls]++;
    if (d) {
        d->events++;
        if (cls < HVT_NCLASS)
            d->by_class[cls]++;
    }

    switch (cls) {
    case TRACE_CLASS_TRACE:
        if (r->event == TRC_LOST && r->nargs >= 1)
            m->lost += r->args[0];
        break;
    case TRACE_CLASS_HCALL:
        if (r->event == TRC_HYPERCALL && d) {
            uint32_t nr = r->args[0];
            if (nr < HVT_MAX_HCALL) {
                d->hcalls[nr]++;
                m->hcall_by_nr[nr]++;
            }
            d->hcall_total++;
            if (is_error(r->args[6]))
                d->hcall_rejects++;
            /* The gap since this domain's previous record: an upper bound on
             * the call's path length (one record per call, at return). */
            if (d->last_tsc && r->tsc >= d->last_tsc) {
                uint64_t gap = r->tsc - d->last_tsc;
                if (d->hcall_gaps == 0 || gap < d->hcall_gap_min)
                    d->hcall_gap_min = gap;
                d->hcall_gap_sum += gap;
                d->hcall_gaps++;
            }
        }
        break;
    case TRACE_CLASS_TRAP:
        if (!d)
            break;
        if (r->event == TRC_TRAP_BOUNCE)
            d->traps++;
        else if (r->event == TRC_EMULATE)
            d->emulates++;
        else if (r->event == TRC_TRAP_FATAL)
            set_state(d, HVT_S_DEAD, r->tsc);
        break;
    case TRACE_CLASS_DOM:
        feed_dom(m, r);
        break;
    case TRACE_CLASS_SCHED:
        feed_sched(m, r);
        break;
    case TRACE_CLASS_MEM:
        if (!d)
            break;
        if (r->event == TRC_MMU_UPDATE) {
            d->mmu_updates++;
            if (is_error(r->args[5])) {
                d->mmu_rejects++;
                m->mem_rules[r->args[6] & 31]++;
            }
        } else if (r->event == TRC_MMUEXT) {
            if (r->args[0] <= 1 && !is_error(r->args[2]))
                d->pins++;
            if (is_error(r->args[2])) {
                d->mmu_rejects++;
                m->mem_rules[r->args[3] & 31]++;
            }
        } else if (r->event == TRC_PTWR && is_error(r->args[4])) {
            d->mmu_rejects++;
        }
        break;
    case TRACE_CLASS_EVT:
        if (!d)
            break;
        if (r->event == TRC_EVTCHN_SEND) {
            d->evt_sent++;
            if (is_error(r->args[3])) {
                d->evt_rejects++;
            } else {
                int to = hvt_dom_slot(r->args[1]);
                if (to >= 0)
                    m->evt_edges[hvt_dom_slot(r->domain)][to]++;
            }
        } else if (r->event == TRC_EVTCHN_UPCALL) {
            d->evt_upcalls++;
        } else if (r->event == TRC_EVTCHN_OP && is_error(r->args[4])) {
            d->evt_rejects++;
        } else if (r->event == TRC_EVTCHN_OP) {
            feed_dev_port(m, r);
        } else if (r->event == TRC_EVTCHN_PENDING) {
            /* An event arrived at a device end's port. */
            for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++)
                for (int e = 0; e < 2; e++)
                    if (m->dev[id].seen && m->dev[id].port[e] == r->args[0] &&
                        m->dev[id].port[e] && m->dev[id].dom[e] == r->domain)
                        m->dev[id].events[e]++;
        } else if (r->event == TRC_PIRQ && r->args[0] < HVT_MAX_IRQ) {
            m->pirq[r->args[0]]++;
            m->pirq_dom[r->args[0]] = r->domain;
            m->pirq_port[r->args[0]] = r->args[1];
        }
        break;
    case TRACE_CLASS_GNT:
        if (d)
            feed_grant(m, d, r);
        break;
    case TRACE_CLASS_DEV:
        if (d)
            feed_dev(m, d, r);
        break;
    }
    if (d)
        d->last_tsc = r->tsc;
}

void hvt_model_finish(struct hvt_model *m, uint64_t end)
{
    for (int i = 0; i < HVT_MAX_DOMS; i++) {
        struct hvt_dom *d = &m->dom[i];
        if (d->state != HVT_S_NONE && end >= d->since) {
            d->time_in[d->state] += end - d->since;
            d->since = end;
        }
        if (d->vm_known && end >= d->vm_since) {
            d->vm_time[d->vm_state] += end - d->vm_since;
            d->vm_since = end;
        }
    }
}
