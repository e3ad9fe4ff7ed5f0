/*
 * viz/dot.c — `hvtrace dot KIND`: Graphviz pictures rebuilt from a trace.
 *
 * Where this sits in the story: four pictures the course draws on the board,
 * drawn instead from what the hypervisor actually did:
 *   pagetable  one domain's page tables at a chosen point: virtual ranges ->
 *              page-table pages (L2 directory, L1 tables) -> pseudo-physical
 *              frames -> machine frames.  Rebuilt from PT_RUN snapshots
 *              (written when a table is pinned, and by the domain builder)
 *              plus the MMU_UPDATE deltas that succeeded after them; only
 *              the tables in use (reachable from the last new_baseptr) are
 *              drawn.  Runs of entries that map consecutive frames with the
 *              same flags are collapsed into one row: the graph stays
 *              readable.
 *   topology   domains and the hypervisor, edges counted: hypercalls,
 *              traps bounced, event-channel sends; split devices (front
 *              end -> device -> back end: the ring's grant, figures and
 *              requests, each end's port and events), grants (grantee ->
 *              granter: mapped, copied) and the hardware's interrupts.
 *   states     each domain's scheduling state machine with how often each
 *              transition happened (model.c).
 *   vmstates   the course's VM-state diagram (running, blocked, paused,
 *              suspended, dead, inactive), drawn from the dom_state records
 *              of the run: one per domain, only the states and transitions
 *              the trace saw, each edge with its count ("x3"), each state
 *              with the time spent in it; paused and inactive stand out.
 *              An id reused after destroys is one diagram ("3 lives").
 *   sequence   a message sequence chart of a window of records: who talked
 *              to whom (hypercalls, schedules, block/wake, events, upcalls,
 *              ring pushes, a back end's io notes, device interrupts).
 *              (One I/O request end to end: `hvtrace seq`, viz/seq.c.)
 * Render with: dot -Tsvg file.dot -o file.svg (`make graphs` draws each kind).
 */
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"
#include "public/hvkit.h"
#include "public/mmu.h"

int hvt_dot_kind_parse(const char *name, enum hvt_dot_kind *kind)
{
    static const char *names[] = { "pagetable", "topology", "states", "sequence", "vmstates" };
    for (unsigned i = 0; i < 5; i++)
        if (strcmp(name, names[i]) == 0) {
            *kind = (enum hvt_dot_kind)i;
            return 0;
        }
    return -1;
}

static void dom_label(char *buf, size_t len, int slot)
{
    hvt_format_dom(buf, len, hvt_slot_dom(slot));
}

static void feed_all(struct hvt_model *m, const struct hvt_trace *t)
{
    hvt_model_init(m);
    for (size_t i = 0; i < t->n; i++)
        hvt_model_feed(m, &t->recs[i]);
}

/* ---- topology --------------------------------------------------------------- */

static int dot_topology(FILE *f, const struct hvt_trace *t)
{
    struct hvt_model m;
    feed_all(&m, t);
    fprintf(f, "digraph topology {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
            "  hv [label=\"hypervisor\", shape=box, style=filled, fillcolor=\"#ffe8b0\"];\n");
    for (int s = 0; s < HVT_SLOT_IDLE; s++) {
        const struct hvt_dom *d = &m.dom[s];
        char name[16];
        if (!d->seen)
            continue;
        dom_label(name, sizeof name, s);
        fprintf(f, "  %s [label=\"%s\\n%llu events\", shape=ellipse, style=filled, "
                "fillcolor=\"#d0e8ff\"];\n", name, name, (unsigned long long)d->events);
        if (d->hcall_total)
            fprintf(f, "  %s -> hv [label=\"%llu hypercalls\\n(%llu refused)\"];\n", name,
                    (unsigned long long)d->hcall_total, (unsigned long long)d->hcall_rejects);
        if (d->traps + d->emulates)
            fprintf(f, "  hv -> %s [label=\"%llu traps bounced\\n%llu emulated\", "
                    "style=dashed];\n", name, (unsigned long long)d->traps,
                    (unsigned long long)d->emulates);
        if (d->evt_upcalls)
            fprintf(f, "  hv -> %s [label=\"%llu upcalls\", color=\"#2060c0\"];\n", name,
                    (unsigned long long)d->evt_upcalls);
        if (d->mmu_updates + d->pins)
            fprintf(f, "  %s -> hv [label=\"%llu page-table updates\\n%llu pins, "
                    "%llu refused\", color=\"#208040\"];\n", name,
                    (unsigned long long)d->mmu_updates, (unsigned long long)d->pins,
                    (unsigned long long)d->mmu_rejects);
    }
    for (int a = 0; a < HVT_MAX_DOMS; a++)
        for (int b = 0; b < HVT_MAX_DOMS; b++) {
            char na[16], nb[16];
            if (!m.evt_edges[a][b])
                continue;
            dom_label(na, sizeof na, a);
            dom_label(nb, sizeof nb, b);
            fprintf(f, "  %s -> %s [label=\"%llu events\", color=\"#c02020\", "
                    "penwidth=2];\n", na, nb, (unsigned long long)m.evt_edges[a][b]);
        }
    /* Split devices: front end -> device -> back end.  The device's node
     * is its ring: the grant it lives in, its indices, the notifications
     * each end sent and suppressed, what the back end said it took and
     * answered, its packets; each end's edge carries its state and its
     * event-channel port with the events that arrived there. */
    for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++) {
        const struct hvt_device *v = &m.dev[id];
        char fe[16], be[16];
        if (!v->seen)
            continue;
        const char *type = hvt_enum_name("devtype", v->type);
        const char *fs = hvt_enum_name("devstate", v->state[0]);
        const char *bs = hvt_enum_name("devstate", v->state[1]);
        hvt_format_dom(fe, sizeof fe, v->dom[0]);
        hvt_format_dom(be, sizeof be, v->dom[1]);
        fprintf(f, "  dev%u [label=\"%s device %u\\nring: %u requests, %u responses\\n"
                "notified %llu+%llu, suppressed %llu+%llu\\nring grant ref %u (%s by %s)",
                id, type ? type : "?", id, v->req_prod, v->rsp_prod,
                (unsigned long long)v->sent[0], (unsigned long long)v->sent[1],
                (unsigned long long)v->suppressed[0], (unsigned long long)v->suppressed[1],
                v->ring_ref, v->ring_mapped ? "mapped" : "not mapped now", be);
        if (v->io_taken + v->io_answered)
            fprintf(f, "\\ntaken %llu, answered %llu (%llu out of order, %llu failed)",
                    (unsigned long long)v->io_taken, (unsigned long long)v->io_answered,
                    (unsigned long long)v->io_out_of_order, (unsigned long long)v->io_errors);
        uint64_t pk = v->pkts_to;
        for (int k = 0; k < HVT_NVERDICTS; k++)
            pk += v->pkts[k];
        if (pk) {
            fprintf(f, "\\npackets:");
            for (int k = 0; k < HVT_NVERDICTS; k++)
                if (v->pkts[k]) {
                    const char *vn = hvt_enum_name("netverdict", (uint32_t)k);
                    fprintf(f, " %s %llu", vn ? vn : "?", (unsigned long long)v->pkts[k]);
                }
            fprintf(f, ", %llu onto its ring", (unsigned long long)v->pkts_to);
        }
        fprintf(f, "\", shape=note, style=filled, fillcolor=\"#e0f0d0\"];\n");
        fprintf(f, "  %s -> dev%u [label=\"front end (%s)\\nport %u, %llu events in\", "
                "color=\"#406020\"];\n", fe, id, fs ? fs : "?", v->port[0],
                (unsigned long long)v->events[0]);
        fprintf(f, "  dev%u -> %s [label=\"back end (%s)\\nport %u, %llu events in\", "
                "color=\"#406020\"];\n", id, be, bs ? bs : "?", v->port[1],
                (unsigned long long)v->events[1]);
    }
    /* The hardware's interrupts, each an event in the domain that bound it. */
    int any_irq = 0;
    for (int i = 0; i < HVT_MAX_IRQ; i++)
        if (m.pirq[i]) {
            char dn[16];
            hvt_format_dom(dn, sizeof dn, m.pirq_dom[i]);
            if (!any_irq++)
                fprintf(f, "  hw [label=\"hardware\\n(QEMU's devices)\", shape=box3d];\n");
            fprintf(f, "  hw -> %s [label=\"irq %d: %llu interrupts\\n-> port %u\", "
                    "color=\"#a06000\"];\n", dn, i, (unsigned long long)m.pirq[i],
                    m.pirq_port[i]);
        }
    for (int a = 0; a < HVT_MAX_DOMS; a++)
        for (int b = 0; b < HVT_MAX_DOMS; b++) {
            char na[16], nb[16];
            if (!m.grant_maps[a][b] && !m.grant_copies[a][b])
                continue;
            dom_label(na, sizeof na, a);
            dom_label(nb, sizeof nb, b);
            fprintf(f, "  %s -> %s [label=\"grants: %llu mapped, %llu copies\\n(%llu still "
                    "mapped)\", color=\"#8040a0\", style=dotted];\n", na, nb,
                    (unsigned long long)m.grant_maps[a][b], (unsigned long long)m.grant_copies[a][b],
                    (unsigned long long)m.grant_held[a][b]);
        }
    fprintf(f, "}\n");
    return 0;
}

/* ---- scheduling state machines ------------------------------------------------- */

static int dot_states(FILE *f, const struct hvt_trace *t)
{
    struct hvt_model m;
    feed_all(&m, t);
    hvt_model_finish(&m, m.last_tsc);
    fprintf(f, "digraph states {\n  node [fontname=\"Helvetica\", shape=circle];\n");
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        const struct hvt_dom *d = &m.dom[s];
        char name[16];
        int any = 0;
        if (!d->seen || s == HVT_SLOT_HV)
            continue;
        for (int a = 0; a < HVT_NSTATES; a++)
            for (int b = 0; b < HVT_NSTATES; b++)
                any |= d->trans[a][b] != 0;
        if (!any)
            continue;
        dom_label(name, sizeof name, s);
        fprintf(f, "  subgraph cluster_%s {\n    label=\"%s\";\n", name, name);
        for (int st = 0; st < HVT_NSTATES; st++) {
            int used = 0;
            for (int o = 0; o < HVT_NSTATES; o++)
                used |= d->trans[st][o] || d->trans[o][st];
            if (used)
                fprintf(f, "    %s_%s [label=\"%s\\n%.0f us\"%s];\n", name,
                        hvt_state_name(st), hvt_state_name(st),
                        hvt_tsc_to_us(d->time_in[st], t->tsc_khz),
                        st == HVT_S_RUNNING ? ", style=filled, fillcolor=\"#b0f0b0\"" : "");
        }
        for (int a = 0; a < HVT_NSTATES; a++)
            for (int b = 0; b < HVT_NSTATES; b++)
                if (d->trans[a][b])
                    fprintf(f, "    %s_%s -> %s_%s [label=\"%llu\"];\n", name,
                            hvt_state_name(a), name, hvt_state_name(b),
                            (unsigned long long)d->trans[a][b]);
        fprintf(f, "  }\n");
    }
    fprintf(f, "}\n");
    return 0;
}

/* ---- VM states ------------------------------------------------------------------ */

static const char *vm_color(uint32_t st)
{
    switch (st) {
    case DOMCTL_STATE_RUNNABLE:  return "#b0f0b0";
    case DOMCTL_STATE_BLOCKED:   return "#d0e0ff";
    case DOMCTL_STATE_PAUSED:    return "#ffc060";
    case DOMCTL_STATE_DEAD:      return "#f0b0b0";
    case DOMCTL_STATE_SUSPENDED: return "#e0c0f0";
    default:                     return "#e8e8e8";      /* inactive: no domain */
    }
}

static int dot_vmstates(FILE *f, const struct hvt_trace *t, char *err, size_t errlen)
{
    struct hvt_model m;
    int ndoms = 0;
    feed_all(&m, t);
    hvt_model_finish(&m, m.last_tsc);
    for (int s = 0; s < HVT_MAX_DOMS; s++)
        ndoms += m.dom[s].vm_known;
    if (!ndoms) {
        snprintf(err, errlen, "no dom_state records: a trace from before the hypervisor "
                 "traced VM states?");
        return -1;
    }
    fprintf(f, "digraph vmstates {\n  label=\"VM states seen in the trace (dom_state records): "
            "edges counted, time in each state\";\n  labelloc=t; fontname=\"Helvetica\";\n"
            "  node [fontname=\"Helvetica\", shape=ellipse, style=filled];\n"
            "  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        const struct hvt_dom *d = &m.dom[s];
        char name[16];
        if (!d->vm_known)
            continue;
        dom_label(name, sizeof name, s);
        fprintf(f, "  subgraph cluster_%s {\n    label=\"%s: %llu li%s, %llu destroy%s; "
                "now %s\";\n", name, name, (unsigned long long)d->vm_lives,
                d->vm_lives == 1 ? "fe" : "ves", (unsigned long long)d->vm_destroys,
                d->vm_destroys == 1 ? "" : "s", hvt_vmstate_name(d->vm_state));
        for (uint32_t st = 0; st < HVT_NVMSTATES; st++) {
            int used = d->vm_state == st;
            for (uint32_t o = 0; o < HVT_NVMSTATES; o++)
                used |= d->vm_trans[st][o] || d->vm_trans[o][st];
            if (!used)
                continue;
            fprintf(f, "    %s_%s [label=\"%s\\n%.0f us\", fillcolor=\"%s\"%s];\n", name,
                    hvt_vmstate_name(st), hvt_vmstate_name(st),
                    hvt_tsc_to_us(d->vm_time[st], t->tsc_khz), vm_color(st),
                    st == DOMCTL_STATE_PAUSED ? ", penwidth=3, shape=octagon"
                    : st == DOMCTL_STATE_NONE ? ", style=\"filled,dashed\"" : "");
        }
        for (uint32_t a = 0; a < HVT_NVMSTATES; a++)
            for (uint32_t b = 0; b < HVT_NVMSTATES; b++)
                if (d->vm_trans[a][b])
                    fprintf(f, "    %s_%s -> %s_%s [label=\"\xc3\x97%llu\"%s];\n", name,
                            hvt_vmstate_name(a), name, hvt_vmstate_name(b),
                            (unsigned long long)d->vm_trans[a][b],
                            a == DOMCTL_STATE_PAUSED || b == DOMCTL_STATE_PAUSED
                                ? ", color=\"#c07000\", penwidth=2" : "");
        fprintf(f, "  }\n");
    }
    fprintf(f, "}\n");
    return 0;
}

/* ---- message sequence ------------------------------------------------------------ */

/* One arrow of the chart: from, to (slots), and a label. */
static int message(const struct trace_record *r, int *from, int *to, char *label, size_t len)
{
    int me = hvt_dom_slot(r->domain), hv = HVT_SLOT_HV;
    const char *n;

    switch (r->event) {
    case TRC_HYPERCALL:
        n = hvt_enum_name("hcall", r->args[0]);
        snprintf(label, len, "%s = %d", n ? n : "hypercall", (int32_t)r->args[6]);
        *from = me; *to = hv;
        return me >= 0;
    case TRC_SCHEDULE:
        n = hvt_enum_name("schedwhy", r->args[2]);
        snprintf(label, len, "schedule (%s)", n ? n : "?");
        *from = hv; *to = hvt_dom_slot(r->args[1]);
        return *to >= 0;
    case TRC_EVTCHN_SEND:
        snprintf(label, len, "send port %u", r->args[0]);
        *from = me; *to = hvt_dom_slot(r->args[1]);
        return me >= 0 && *to >= 0;
    case TRC_EVTCHN_UPCALL:
        snprintf(label, len, "upcall");
        *from = hv; *to = me;
        return me >= 0;
    case TRC_TRAP_BOUNCE:
        n = hvt_enum_name("trap", r->args[0]);
        snprintf(label, len, "bounce %s", n ? n : "trap");
        *from = hv; *to = me;
        return me >= 0;
    case TRC_EMULATE:
        n = hvt_enum_name("insn", r->args[0]);
        snprintf(label, len, "emulate %s", n ? n : "insn");
        *from = me; *to = hv;
        return me >= 0;
    case TRC_BLOCK:
        snprintf(label, len, "block");
        *from = me; *to = hv;
        return me >= 0;
    case TRC_WAKE:
        snprintf(label, len, "wake");
        *from = hv; *to = hvt_dom_slot(r->args[0]);
        return *to >= 0;
    /* Ring I/O: a push (the pusher to the hypervisor, which reads the
     * ring), what a back end noted, a device interrupt become an event. */
    case TRC_RING_PUSH:
        snprintf(label, len, "ring_push dev %u %s (%s)", r->args[0],
                 r->args[1] & 1 ? "responses" : "requests", r->args[6] ? "notify" : "suppressed");
        *from = me; *to = hv;
        return me >= 0;
    case TRC_IO_REQ: case TRC_IO_RSP:
        n = hvt_enum_name("ioop", r->args[3]);
        snprintf(label, len, "%s dev %u id %u %s", r->event == TRC_IO_REQ ? "io_req" : "io_rsp",
                 r->args[0], r->args[2], n ? n : "?");
        *from = me; *to = me;
        return me >= 0;
    case TRC_NET_PKT:
        n = hvt_enum_name("netverdict", r->args[5]);
        snprintf(label, len, "net_pkt dev %u: %s", r->args[0], n ? n : "?");
        *from = me; *to = me;
        return me >= 0;
    case TRC_PIRQ:
        snprintf(label, len, "pirq irq %u", r->args[0]);
        *from = hv; *to = me;
        return me >= 0;
    case TRC_DOM_START: case TRC_DOM_SHUTDOWN: case TRC_DOM_CREATE: {
        const struct hvt_event *ev = hvt_event_by_id(r->event);
        snprintf(label, len, "%s", ev->name);
        *from = hv; *to = hvt_dom_slot(r->args[0]);
        return *to >= 0 && *to != hv;
    }
    }
    return 0;
}

static int dot_sequence(FILE *f, const struct hvt_trace *t, const struct hvt_dot_opts *o,
                        char *err, size_t errlen)
{
    size_t from = o->from, count = o->count ? o->count : 40;
    int used[HVT_MAX_DOMS] = { 0 };
    size_t end = from + count < t->n ? from + count : t->n;
    int a, b, nmsg = 0;
    char label[96];

    if (from >= t->n) {
        snprintf(err, errlen, "window starts at record %zu, the trace has %zu", from, t->n);
        return -1;
    }
    used[HVT_SLOT_HV] = 1;
    for (size_t i = from; i < end; i++)
        if (message(&t->recs[i], &a, &b, label, sizeof label))
            used[a] = used[b] = 1;

    /* Lifelines: one column per participant, one row per message; an
     * invisible chain keeps each column's points in order. */
    fprintf(f, "digraph sequence {\n  rankdir=TB; splines=false; nodesep=1.2;\n"
            "  node [fontname=\"Helvetica\"]; edge [fontname=\"Helvetica\", fontsize=10];\n");
    /* Columns: the hypervisor on the left, then the domains by id. */
    int order[HVT_MAX_DOMS], nord = 0;
    order[nord++] = HVT_SLOT_HV;
    for (int s = 0; s < HVT_SLOT_HV; s++)
        if (used[s])
            order[nord++] = s;
    fprintf(f, "  { rank=same;");
    for (int k = 0; k < nord; k++) {
        int s = order[k];
        char name[16];
        dom_label(name, sizeof name, s);
        fprintf(f, " p%d_top [label=\"%s\", shape=box];", s,
                s == HVT_SLOT_HV ? "hypervisor" : name);
    }
    fprintf(f, " }\n");
    int row = 0;
    for (size_t i = from; i < end; i++) {
        if (!message(&t->recs[i], &a, &b, label, sizeof label))
            continue;
        row++;
        fprintf(f, "  { rank=same;");
        for (int k = 0; k < nord; k++)
            fprintf(f, " p%d_%d [shape=point, width=0.05];", order[k], row);
        fprintf(f, " }\n");
        fprintf(f, "  p%d_%d -> p%d_%d [label=\"#%u %s\", constraint=false];\n",
                a, row, b, row, t->recs[i].seq, label);
        nmsg++;
    }
    for (int k = 0; k < nord; k++) {
        int s = order[k];
        fprintf(f, "  p%d_top", s);
        for (int k = 1; k <= row; k++)
            fprintf(f, " -> p%d_%d", s, k);
        fprintf(f, " [arrowhead=none, style=dashed, color=gray];\n");
    }
    fprintf(f, "  label=\"records %zu..%zu (%d messages)\";\n}\n", from, end - 1, nmsg);
    return 0;
}

/* ---- page tables ---------------------------------------------------------------- */

/*
 * A page-table page as the trace lets us rebuild it.  What a record says
 * about an entry may be partial: a pt_run gives the first entry's value
 * (machine frame and flags) and, for every entry of the run, the
 * pseudo-physical frame (pfn0 + k) and the flags, but not the machine frames
 * after the first (consecutive pfns need not be consecutive mfns).  So each
 * entry keeps what is known; the p2m/m2p pairs learnt anywhere in the trace
 * (first entries of runs, m2p_update) fill in the rest when drawing.
 */
#define PT_MAX_TABLES 256
#define PT_NO_PFN     0xffffffffu       /* pt_run: not one of the domain's frames */

struct pt_entry {
    uint32_t flags;                     /* low 12 bits of the entry */
    uint32_t mfn, pfn;
    uint8_t  present, mfn_known, pfn_known;
};

struct pt_table {
    uint32_t mfn;
    unsigned level;
    struct pt_entry e[1024];
};

#define PT_MAX_PAIRS 8192
struct pt_state {
    struct pt_table *t;                 /* grows as tables appear */
    unsigned n, cap;
    uint32_t root;                      /* mfn of the last new_baseptr, or 0 */
    uint32_t pair_mfn[PT_MAX_PAIRS], pair_pfn[PT_MAX_PAIRS];
    unsigned npairs;
};

static struct pt_table *pt_find(struct pt_state *s, uint32_t mfn, unsigned level, int create)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->t[i].mfn == mfn)
            return &s->t[i];
    if (!create || s->n == PT_MAX_TABLES)
        return NULL;
    if (s->n == s->cap) {
        unsigned cap = s->cap ? 2 * s->cap : 8;
        struct pt_table *bigger = realloc(s->t, cap * sizeof *bigger);
        if (!bigger)
            return NULL;
        s->t = bigger;
        s->cap = cap;
    }
    struct pt_table *p = &s->t[s->n++];
    memset(p, 0, sizeof *p);
    p->mfn = mfn;
    p->level = level;
    return p;
}

static void pt_forget(struct pt_state *s, uint32_t mfn)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->t[i].mfn == mfn) {
            s->t[i] = s->t[--s->n];
            return;
        }
}

static void learn(struct pt_state *s, uint32_t mfn, uint32_t pfn)
{
    if (pfn == PT_NO_PFN)
        return;
    for (unsigned i = 0; i < s->npairs; i++)
        if (s->pair_mfn[i] == mfn || s->pair_pfn[i] == pfn) {
            s->pair_mfn[i] = mfn;
            s->pair_pfn[i] = pfn;
            return;
        }
    if (s->npairs < PT_MAX_PAIRS) {
        s->pair_mfn[s->npairs] = mfn;
        s->pair_pfn[s->npairs++] = pfn;
    }
}

static int m2p(const struct pt_state *s, uint32_t mfn, uint32_t *pfn)
{
    for (unsigned i = 0; i < s->npairs; i++)
        if (s->pair_mfn[i] == mfn) {
            *pfn = s->pair_pfn[i];
            return 1;
        }
    return 0;
}

static int p2m(const struct pt_state *s, uint32_t pfn, uint32_t *mfn)
{
    for (unsigned i = 0; i < s->npairs; i++)
        if (s->pair_pfn[i] == pfn) {
            *mfn = s->pair_mfn[i];
            return 1;
        }
    return 0;
}

static void pt_replay(struct pt_state *s, const struct hvt_trace *t, uint16_t dom, size_t upto)
{
    for (size_t i = 0; i < upto && i < t->n; i++) {
        const struct trace_record *r = &t->recs[i];
        if (r->domain != dom)
            continue;
        if (r->event == TRC_PT_RUN && r->nargs == 6) {
            struct pt_table *p = pt_find(s, r->args[0], r->args[1], 1);
            uint32_t first = r->args[2], count = r->args[3], val = r->args[4], pfn = r->args[5];
            if (!p)
                continue;
            p->level = r->args[1];
            learn(s, val >> HV_PAGE_SHIFT, pfn);
            for (uint32_t k = 0; k < count && first + k < 1024; k++) {
                struct pt_entry *e = &p->e[first + k];
                memset(e, 0, sizeof *e);
                e->present = 1;
                e->flags = val & ~PTE_ADDR;
                e->mfn = val >> HV_PAGE_SHIFT;
                e->mfn_known = k == 0;
                e->pfn = pfn == PT_NO_PFN ? 0 : pfn + k;
                e->pfn_known = pfn != PT_NO_PFN;
            }
        } else if (r->event == TRC_MMU_UPDATE && r->nargs == 7 && (int32_t)r->args[5] >= 0) {
            struct pt_table *p = pt_find(s, r->args[0] >> 12, r->args[3], 1);
            if (!p)
                continue;
            struct pt_entry *e = &p->e[(r->args[0] & 0xfff) / 4];
            memset(e, 0, sizeof *e);
            e->present = r->args[2] & PTE_P;
            e->flags = r->args[2] & ~PTE_ADDR;
            e->mfn = r->args[2] >> HV_PAGE_SHIFT;
            e->mfn_known = 1;
        } else if (r->event == TRC_MMUEXT && r->nargs == 4 && (int32_t)r->args[2] >= 0) {
            if (r->args[0] == MMUEXT_NEW_BASEPTR)
                s->root = r->args[1];
            else if (r->args[0] == MMUEXT_PIN_L2_TABLE)
                pt_find(s, r->args[1], 2, 1);
            else if (r->args[0] == MMUEXT_PIN_L1_TABLE)
                pt_find(s, r->args[1], 1, 1);
            else if (r->args[0] == MMUEXT_UNPIN_TABLE)   /* no longer a page table */
                pt_forget(s, r->args[1]);
        } else if (r->event == TRC_M2P_UPDATE && r->nargs == 3 && (int32_t)r->args[2] >= 0) {
            learn(s, r->args[0], r->args[1]);
        }
    }
    /* Fill in what the pairs tell. */
    for (unsigned ti = 0; ti < s->n; ti++)
        for (unsigned i = 0; i < 1024; i++) {
            struct pt_entry *e = &s->t[ti].e[i];
            if (!e->present)
                continue;
            if (!e->mfn_known && e->pfn_known)
                e->mfn_known = p2m(s, e->pfn, &e->mfn);
            if (!e->pfn_known && e->mfn_known)
                e->pfn_known = m2p(s, e->mfn, &e->pfn);
        }
}

/* Entries i..j-1 that map consecutive frames with the same flags: one row. */
static unsigned run_end(const struct pt_table *p, unsigned i)
{
    const struct pt_entry *a = &p->e[i];
    unsigned j = i + 1;
    for (; j < 1024; j++) {
        const struct pt_entry *b = &p->e[j], *prev = &p->e[j - 1];
        if (!b->present || b->flags != a->flags || b->pfn_known != a->pfn_known)
            break;
        if (a->pfn_known ? b->pfn != prev->pfn + 1
                         : !(b->mfn_known && prev->mfn_known && b->mfn == prev->mfn + 1))
            break;
    }
    return j;
}

static void flags_text(char *buf, size_t len, uint32_t flags)
{
    snprintf(buf, len, "%s%s%s", flags & PTE_RW ? "RW" : "RO", flags & PTE_US ? " user" : "",
             flags & PTE_PS ? " 4M" : "");
}

/* The table an entry points at (an L2 entry's L1), if we know it. */
static const struct pt_table *points_at(struct pt_state *s, const struct pt_entry *e)
{
    if (!e->mfn_known)
        return NULL;
    return pt_find(s, e->mfn, 1, 0);
}

/* Which tables to draw: the ones reachable from the root, or all. */
static void pt_select(struct pt_state *s, uint8_t *show)
{
    const struct pt_table *root = s->root ? pt_find(s, s->root, 2, 0) : NULL;
    memset(show, 0, PT_MAX_TABLES);
    if (!root) {
        memset(show, 1, s->n);
        return;
    }
    show[root - s->t] = 1;
    for (unsigned i = 0; i < 1024; i++)
        if (root->e[i].present) {
            const struct pt_table *l1 = points_at(s, &root->e[i]);
            if (l1 && l1->level == 1)
                show[l1 - s->t] = 1;
        }
}

#define PT_MAX_ROWS 24

static void range_text(char *buf, size_t len, const char *what, int known, uint32_t first, unsigned n)
{
    if (!known)
        snprintf(buf, len, "%s ?", what);
    else if (n == 1)
        snprintf(buf, len, "%s 0x%x", what, first);
    else
        snprintf(buf, len, "%s 0x%x-0x%x", what, first, first + n - 1);
}

static int dot_pagetable(FILE *f, const struct hvt_trace *t, const struct hvt_dot_opts *o,
                         char *err, size_t errlen)
{
    struct pt_state *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t upto = o->at && o->at < t->n ? o->at : t->n;
    pt_replay(s, t, (uint16_t)o->dom, upto);
    if (s->n == 0) {
        snprintf(err, errlen, "no page-table events (pt_run, mmu_update, mmuext) for d%d "
                 "in records 0..%zu", o->dom, upto ? upto - 1 : 0);
        free(s->t);
        free(s);
        return -1;
    }
    uint8_t show[PT_MAX_TABLES];
    pt_select(s, show);
    unsigned nshow = 0;
    for (unsigned ti = 0; ti < s->n; ti++)
        nshow += show[ti];

    fprintf(f, "digraph pagetable {\n  rankdir=LR; node [fontname=\"Helvetica\", "
            "fontsize=10]; edge [fontsize=9];\n"
            "  label=\"d%d page tables after record %zu (%u of %u known tables: %s)\";\n",
            o->dom, upto - 1, nshow, s->n, s->root ? "those in use (cr3)" : "all");

    /* One record node per table, one field per run of entries. */
    for (unsigned ti = 0; ti < s->n; ti++) {
        const struct pt_table *p = &s->t[ti];
        uint32_t pfn;
        if (!show[ti])
            continue;
        fprintf(f, "  t%x [shape=record, style=filled, fillcolor=\"%s\", label=\"{L%u mfn 0x%x",
                p->mfn, p->level == 2 ? "#ffe0c0" : "#e0f0ff", p->level, p->mfn);
        if (m2p(s, p->mfn, &pfn))
            fprintf(f, " pfn 0x%x", pfn);
        fprintf(f, "%s", p->mfn == s->root ? " (cr3)" : "");
        unsigned rows = 0;
        for (unsigned i = 0; i < 1024; ) {
            if (!p->e[i].present) {
                i++;
                continue;
            }
            unsigned j = p->level == 2 ? i + 1 : run_end(p, i);
            if (++rows > PT_MAX_ROWS) {
                fprintf(f, "|more...");
                break;
            }
            fprintf(f, "|<e%u>[%u", i, i);
            if (j - i > 1)
                fprintf(f, "..%u", j - 1);
            fprintf(f, "]");
            i = j;
        }
        fprintf(f, "}\"];\n");
    }

    /* Edges: an L2 entry to its L1 (or to the frame it maps); an L1 run from
     * its virtual range, to its pseudo-physical frames, to machine frames. */
    for (unsigned ti = 0; ti < s->n; ti++) {
        const struct pt_table *p = &s->t[ti];
        if (!show[ti])
            continue;
        unsigned rows = 0;
        for (unsigned i = 0; i < 1024 && rows < PT_MAX_ROWS; ) {
            const struct pt_entry *e = &p->e[i];
            char fl[32], pr[48], mr[48];
            if (!e->present) {
                i++;
                continue;
            }
            rows++;
            flags_text(fl, sizeof fl, e->flags);
            if (p->level == 2) {
                const struct pt_table *l1 = points_at(s, e);
                if (l1 && show[l1 - s->t]) {
                    fprintf(f, "  t%x:e%u -> t%x [label=\"va 0x%08x\"];\n", p->mfn, i,
                            l1->mfn, i << 22);
                } else {
                    range_text(pr, sizeof pr, "pfn", e->pfn_known, e->pfn, 1);
                    range_text(mr, sizeof mr, "mfn", e->mfn_known, e->mfn, 1);
                    fprintf(f, "  t%x_f%u [shape=box, label=\"%s\\n%s (%s)\"];\n"
                            "  t%x:e%u -> t%x_f%u [label=\"va 0x%08x\"];\n", p->mfn, i,
                            pr, mr, fl, p->mfn, i, p->mfn, i, i << 22);
                }
                i++;
                continue;
            }
            unsigned j = run_end(p, i), n = j - i;
            int mfns_consecutive = 1;
            for (unsigned k = i + 1; k < j; k++)
                mfns_consecutive &= p->e[k].mfn_known && p->e[k].mfn == p->e[k - 1].mfn + 1;
            range_text(pr, sizeof pr, "pfn", e->pfn_known, e->pfn, n);
            if (e->mfn_known && mfns_consecutive)
                range_text(mr, sizeof mr, "mfn", 1, e->mfn, n);
            else if (e->mfn_known)
                snprintf(mr, sizeof mr, "mfn 0x%x, ... (p2m)", e->mfn);
            else
                snprintf(mr, sizeof mr, "mfn ? (p2m)");
            /* The virtual range: from the L2 entries that point here. */
            for (unsigned k = 0; k < s->n; k++) {
                if (!show[k] || s->t[k].level != 2)
                    continue;
                for (unsigned d = 0; d < 1024; d++) {
                    const struct pt_entry *de = &s->t[k].e[d];
                    if (de->present && points_at(s, de) == p) {
                        uint32_t va = (d << 22) | (i << 12);
                        fprintf(f, "  v%x_%u_%u [shape=plaintext, label=\"va 0x%08x-0x%08x\"];\n"
                                "  v%x_%u_%u -> t%x:e%u;\n", p->mfn, d, i, va,
                                va + (n << 12) - 1, p->mfn, d, i, p->mfn, i);
                    }
                }
            }
            fprintf(f, "  p%x_%u [shape=box, style=rounded, label=\"%s\"];\n"
                    "  t%x:e%u -> p%x_%u [label=\"%u page%s, %s\"];\n"
                    "  m%x_%u [shape=box, style=filled, fillcolor=\"#eeeeee\", label=\"%s\"];\n"
                    "  p%x_%u -> m%x_%u [label=\"p2m\"];\n",
                    p->mfn, i, pr, p->mfn, i, p->mfn, i, n, n == 1 ? "" : "s", fl,
                    p->mfn, i, mr, p->mfn, i, p->mfn, i);
            i = j;
        }
    }
    fprintf(f, "}\n");
    free(s->t);
    free(s);
    return 0;
}

int hvt_dot_write(FILE *f, const struct hvt_trace *t, const struct hvt_dot_opts *o,
                  char *err, size_t errlen)
{
    switch (o->kind) {
    case HVT_DOT_TOPOLOGY:  return dot_topology(f, t);
    case HVT_DOT_STATES:    return dot_states(f, t);
    case HVT_DOT_SEQUENCE:  return dot_sequence(f, t, o, err, errlen);
    case HVT_DOT_VMSTATES:  return dot_vmstates(f, t, err, errlen);
    case HVT_DOT_PAGETABLE: return dot_pagetable(f, t, o, err, errlen);
    }
    snprintf(err, errlen, "unknown graph kind");
    return -1;
}
