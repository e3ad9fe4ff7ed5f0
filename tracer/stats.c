/*
 * tracer/stats.c — `hvtrace stats`: a summary of a whole trace, in the style
 * of xenalyze's summary for Xen.
 *
 * Where this sits in the story: the dump is every event; this is the answer
 * to "where did the time go, and what went wrong": each domain's share of
 * the CPU (from the scheduling state machine in model.c), the time it
 * spent in each VM state (running, blocked, paused, dead, inactive: the
 * dom_state records), its hypercalls and how many were refused, event channels, memory updates refused and by
 * which rule, and the records that were lost.
 *
 * Hypercall path lengths, exact: the hypervisor writes ONE record per
 * hypercall, as it returns, and every record carries since_entry, the time
 * since the hypervisor was entered for it (public/trace.h).  So a
 * hypercall's since_entry is its path length from trap() to its record,
 * and tsc - since_entry is when the entry began: records with the same
 * entry time were written in the same entry.  The calls inside a multicall
 * share the multicall's entry; only the outermost call of an entry (the
 * last hypercall record with that entry time: the multicall's own) counts
 * as a path here, the inner ones are counted apart.  Per hypercall: min,
 * median, 99th percentile and max, in tsc ticks (guest instructions under
 * -icount).  Not in the figure: the entry stub before trap() and the way
 * out after the record (the guest's own rdtsc around a call sees those
 * too: `make bench`).
 */
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

/* One hypercall number's path lengths. */
struct paths {
    uint32_t *v;
    size_t n, cap;
    uint64_t saturated;        /* since_entry == TRACE_SINCE_MAX: longer */
    uint64_t inner;            /* calls inside a multicall */
};

static void paths_add(struct paths *p, uint32_t v)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        uint32_t *nv = realloc(p->v, cap * sizeof *nv);
        if (!nv)
            return;                  /* out of memory: the figure has fewer samples */
        p->v = nv;
        p->cap = cap;
    }
    p->v[p->n++] = v;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The value at quantile q of sorted v (nearest rank). */
static uint32_t quantile(const uint32_t *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

static int is_hcall(const struct trace_record *r)
{
    return r->event == TRC_HYPERCALL && r->nargs >= 1;
}

/* The exact path lengths of every hypercall in the trace, by number. */
static void print_paths(FILE *out, const struct hvt_trace *t)
{
    static struct paths by_nr[HVT_MAX_HCALL];
    int any = 0, old = 0;
    memset(by_nr, 0, sizeof by_nr);
    for (size_t i = 0; i < t->n; i++) {
        const struct trace_record *r = &t->recs[i];
        if (!is_hcall(r) || r->args[0] >= HVT_MAX_HCALL)
            continue;
        if (r->since_entry == 0) {
            old = 1;                 /* a file from before since_entry */
            continue;
        }
        struct paths *p = &by_nr[r->args[0]];
        if (r->since_entry == TRACE_SINCE_MAX) {
            p->saturated++;
            continue;
        }
        /* Inner call of a multicall: a later hypercall record of the same
         * entry (same domain, same entry time) follows before any record of
         * another entry. */
        uint64_t entry = r->tsc - r->since_entry;
        int inner = 0;
        for (size_t j = i + 1; j < t->n; j++) {
            const struct trace_record *s = &t->recs[j];
            if (s->since_entry == 0 || s->since_entry == TRACE_SINCE_MAX ||
                s->tsc - s->since_entry != entry)
                break;
            if (is_hcall(s) && s->domain == r->domain) {
                inner = 1;
                break;
            }
        }
        if (inner)
            p->inner++;
        else
            paths_add(p, r->since_entry);
    }
    fprintf(out, "\nhypercall path lengths (tsc ticks from the hypervisor's entry, trap(), to the "
            "call's record; exact)\n");
    if (old) {
        fprintf(out, "  (this trace's records carry no entry time: made before since_entry)\n");
        return;
    }
    fprintf(out, "  %-18s %8s %8s %8s %8s %8s %s\n", "hypercall", "calls", "min", "median",
            "p99", "max", "");
    for (unsigned nr = 0; nr < HVT_MAX_HCALL; nr++) {
        struct paths *p = &by_nr[nr];
        if (!p->n && !p->saturated && !p->inner)
            continue;
        any = 1;
        const char *hn = hvt_enum_name("hcall", nr);
        char name[24];
        if (hn)
            snprintf(name, sizeof name, "%s", hn);
        else
            snprintf(name, sizeof name, "#%u", nr);
        char more[96] = "";
        int m = 0;
        if (p->saturated)
            m += snprintf(more + m, sizeof more - (size_t)m, " %llu longer than %u",
                          (unsigned long long)p->saturated, TRACE_SINCE_MAX - 1);
        if (p->inner)
            snprintf(more + m, sizeof more - (size_t)m, " %llu inside multicalls",
                     (unsigned long long)p->inner);
        if (p->n) {
            qsort(p->v, p->n, sizeof *p->v, cmp_u32);
            fprintf(out, "  %-18s %8zu %8u %8u %8u %8u%s\n", name, p->n, p->v[0],
                    quantile(p->v, p->n, 0.5), quantile(p->v, p->n, 0.99), p->v[p->n - 1], more);
        } else {
            fprintf(out, "  %-18s %8d %8s %8s %8s %8s%s\n", name, 0, "-", "-", "-", "-", more);
        }
        free(p->v);
        p->v = 0;
    }
    if (!any)
        fprintf(out, "  (no hypercalls)\n");
}

static void dom_name(char *buf, size_t len, int slot)
{
    hvt_format_dom(buf, len, hvt_slot_dom(slot));
}

/* Per split device: its ring, the notifications each end sent and
 * suppressed (and so the events per request), what the back end said it
 * took and answered, packets by verdict; then the device interrupts. */
static void print_devices(FILE *out, const struct hvt_model *m)
{
    int any = 0;
    for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++) {
        const struct hvt_device *v = &m->dev[id];
        if (!v->seen)
            continue;
        if (!any++)
            fprintf(out, "\nsplit devices (ring_push, io_req/io_rsp, net_pkt):\n");
        const char *type = hvt_enum_name("devtype", v->type);
        char fe[16], be[16];
        hvt_format_dom(fe, sizeof fe, v->dom[0]);
        hvt_format_dom(be, sizeof be, v->dom[1]);
        uint64_t notes = v->sent[0] + v->sent[1];
        fprintf(out, "  dev %u %s %s->%s: %u requests, %u responses, %u in flight; "
                "notified %llu/%llu, suppressed %llu/%llu (front/back)", id,
                type ? type : "?", fe, be, v->req_prod, v->rsp_prod, v->req_prod - v->rsp_prod,
                (unsigned long long)v->sent[0], (unsigned long long)v->sent[1],
                (unsigned long long)v->suppressed[0], (unsigned long long)v->suppressed[1]);
        if (v->req_prod)
            fprintf(out, ", %.2f events per request", (double)notes / (double)v->req_prod);
        fprintf(out, "\n");
        if (v->io_taken + v->io_answered)
            fprintf(out, "    back end: %llu taken, %llu answered, %llu out of order, "
                    "%llu failed, %llu unmatched, %u waiting\n",
                    (unsigned long long)v->io_taken, (unsigned long long)v->io_answered,
                    (unsigned long long)v->io_out_of_order, (unsigned long long)v->io_errors,
                    (unsigned long long)v->io_unmatched, v->ntaken);
        int anyp = 0;
        for (int k = 0; k < HVT_NVERDICTS; k++)
            if (v->pkts[k]) {
                const char *vn = hvt_enum_name("netverdict", (uint32_t)k);
                fprintf(out, "%s %s=%llu", anyp++ ? "" : "    packets:", vn ? vn : "?",
                        (unsigned long long)v->pkts[k]);
            }
        if (anyp || v->pkts_to)
            fprintf(out, "%s onto its ring=%llu\n", anyp ? "," : "    packets:",
                    (unsigned long long)v->pkts_to);
    }
    for (int i = 0; i < HVT_MAX_IRQ; i++)
        if (m->pirq[i]) {
            char dn[16];
            hvt_format_dom(dn, sizeof dn, m->pirq_dom[i]);
            fprintf(out, "  irq %d: %llu interrupts, events at %s port %u\n", i,
                    (unsigned long long)m->pirq[i], dn, m->pirq_port[i]);
        }
}

/* The VM states (dom_state records): time in each per domain, from its
 * first record to the end of the trace, its lives (creations) and
 * destroys, and the transitions seen with their counts. */
static void print_vm_states(FILE *out, const struct hvt_model *m, uint32_t tsc_khz)
{
    int any = 0;
    for (int i = 0; i < HVT_MAX_DOMS; i++) {
        const struct hvt_dom *d = &m->dom[i];
        char name[16];
        if (!d->vm_known)
            continue;
        if (!any++) {
            fprintf(out, "\nVM states (dom_state records; us from each domain's first one)\n");
            fprintf(out, "%-5s", "dom");
            for (uint32_t s = 0; s < HVT_NVMSTATES; s++)
                fprintf(out, " %11s", hvt_vmstate_name(s));
            fprintf(out, " %5s %8s  %s\n", "lives", "destroys", "now");
        }
        dom_name(name, sizeof name, i);
        fprintf(out, "%-5s", name);
        for (uint32_t s = 0; s < HVT_NVMSTATES; s++)
            fprintf(out, " %11.1f", hvt_tsc_to_us(d->vm_time[s], tsc_khz));
        fprintf(out, " %5llu %8llu  %s\n", (unsigned long long)d->vm_lives,
                (unsigned long long)d->vm_destroys, hvt_vmstate_name(d->vm_state));
        fprintf(out, "      transitions:");
        for (uint32_t a = 0; a < HVT_NVMSTATES; a++)
            for (uint32_t b = 0; b < HVT_NVMSTATES; b++)
                if (d->vm_trans[a][b])
                    fprintf(out, " %s->%s=%llu", hvt_vmstate_name(a), hvt_vmstate_name(b),
                            (unsigned long long)d->vm_trans[a][b]);
        if (d->vm_mismatch)
            fprintf(out, " (%llu records did not follow on: lost records?)",
                    (unsigned long long)d->vm_mismatch);
        fprintf(out, "\n");
    }
}

void hvt_stats_print(FILE *out, const struct hvt_trace *t)
{
    struct hvt_model m;
    hvt_model_init(&m);
    for (size_t i = 0; i < t->n; i++)
        hvt_model_feed(&m, &t->recs[i]);
    hvt_model_finish(&m, m.last_tsc);

    uint64_t span = m.last_tsc - m.first_tsc;
    double span_us = hvt_tsc_to_us(span, t->tsc_khz);

    fprintf(out, "records %llu, span %.1f us (%llu tsc ticks, tsc_khz %u)\n",
            (unsigned long long)m.records, span_us, (unsigned long long)span, t->tsc_khz);
    fprintf(out, "lost: %llu event%s reported by LOST records, %llu missing in the "
            "sequence numbers\n", (unsigned long long)m.lost, m.lost == 1 ? "" : "s",
            (unsigned long long)t->missing);

    fprintf(out, "\nevents by class:");
    for (unsigned c = 0; c < HVT_NCLASS; c++) {
        const char *name = hvt_class_name(c);
        if (m.by_class[c] && name)
            fprintf(out, " %s=%llu", name, (unsigned long long)m.by_class[c]);
    }
    fprintf(out, "\n");

    /* CPU share: of the time the scheduler handed out (every domain's
     * running time, idle included), not of the whole trace: the trace also
     * covers the hypervisor's boot, before the first schedule. */
    uint64_t sched_time = 0;
    for (int i = 0; i < HVT_MAX_DOMS; i++)
        sched_time += m.dom[i].time_in[HVT_S_RUNNING];

    fprintf(out, "\n%-5s %7s %9s %9s %9s %7s %7s %7s %6s %6s %6s\n", "dom", "cpu%",
            "run_us", "ready_us", "block_us", "events", "hcalls", "hc_rej",
            "ev_tx", "ev_up", "mm_rej");
    for (int i = 0; i < HVT_MAX_DOMS; i++) {
        const struct hvt_dom *d = &m.dom[i];
        char name[16];
        if (!d->seen)
            continue;
        dom_name(name, sizeof name, i);
        double share = sched_time ? 100.0 * (double)d->time_in[HVT_S_RUNNING] / (double)sched_time : 0;
        fprintf(out, "%-5s %6.1f%% %9.1f %9.1f %9.1f %7llu %7llu %7llu %6llu %6llu %6llu\n",
                name, share,
                hvt_tsc_to_us(d->time_in[HVT_S_RUNNING], t->tsc_khz),
                hvt_tsc_to_us(d->time_in[HVT_S_RUNNABLE], t->tsc_khz),
                hvt_tsc_to_us(d->time_in[HVT_S_BLOCKED], t->tsc_khz),
                (unsigned long long)d->events, (unsigned long long)d->hcall_total,
                (unsigned long long)d->hcall_rejects, (unsigned long long)d->evt_sent,
                (unsigned long long)d->evt_upcalls, (unsigned long long)d->mmu_rejects);
    }
    fprintf(out, "(cpu%%: share of the scheduled time, %.1f us from the first schedule; "
            "idle is the CPU with no domain)\n", hvt_tsc_to_us(sched_time, t->tsc_khz));

    print_vm_states(out, &m, t->tsc_khz);

    fprintf(out, "\nhypercalls by domain\n");
    for (int i = 0; i < HVT_MAX_DOMS; i++) {
        const struct hvt_dom *d = &m.dom[i];
        char name[16];
        if (!d->hcall_total)
            continue;
        dom_name(name, sizeof name, i);
        fprintf(out, "  %-5s %llu calls, %llu refused", name,
                (unsigned long long)d->hcall_total, (unsigned long long)d->hcall_rejects);
        fprintf(out, "\n       ");
        for (unsigned nr = 0; nr < HVT_MAX_HCALL; nr++) {
            if (!d->hcalls[nr])
                continue;
            const char *hn = hvt_enum_name("hcall", nr);
            if (hn)
                fprintf(out, " %s=%llu", hn, (unsigned long long)d->hcalls[nr]);
            else
                fprintf(out, " #%u=%llu", nr, (unsigned long long)d->hcalls[nr]);
        }
        fprintf(out, "\n");
    }

    print_paths(out, t);

    int any = 0;
    for (unsigned rule = 1; rule < 32; rule++) {
        if (!m.mem_rules[rule])
            continue;
        if (!any++)
            fprintf(out, "\nmemory requests refused, by rule:\n");
        const char *rn = hvt_enum_name("mmrule", rule);
        fprintf(out, "  %-18s %llu\n", rn ? rn : "?", (unsigned long long)m.mem_rules[rule]);
    }

    any = 0;
    for (int a = 0; a < HVT_MAX_DOMS; a++)
        for (int b = 0; b < HVT_MAX_DOMS; b++) {
            char na[16], nb[16];
            if (!m.evt_edges[a][b])
                continue;
            if (!any++)
                fprintf(out, "\nevent-channel sends:\n");
            dom_name(na, sizeof na, a);
            dom_name(nb, sizeof nb, b);
            fprintf(out, "  %s -> %s  %llu\n", na, nb, (unsigned long long)m.evt_edges[a][b]);
        }

    print_devices(out, &m);
}
