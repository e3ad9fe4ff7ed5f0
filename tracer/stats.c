/*
 * tracer/stats.c — `hvtrace stats`: a summary of a whole trace, in the style
 * of xenalyze's summary for Xen.
 *
 * Where this sits in the story: the dump is every event; this is the answer
 * to "where did the time go, and what went wrong": each domain's share of
 * the CPU (from the scheduling state machine in model.c), its hypercalls
 * and how many were refused, event channels, memory updates refused and by
 * which rule, and the records that were lost.
 *
 * Hypercall path length: the hypervisor writes ONE record per hypercall,
 * when it returns, so the trace does not hold the entry time.  What it does
 * hold is the time since the same domain's previous record; the smallest
 * such gap is an upper bound on the round trip (guest work in between is
 * included).  That is what "gap" means below; `make bench` measures the
 * exact path length inside the guest.
 */
#include <string.h>

#include "hvtrace.h"

static void dom_name(char *buf, size_t len, int slot)
{
    hvt_format_dom(buf, len, hvt_slot_dom(slot));
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

    fprintf(out, "\nhypercalls (gap: tsc since the domain's previous record, an "
            "upper bound on the path length)\n");
    for (int i = 0; i < HVT_MAX_DOMS; i++) {
        const struct hvt_dom *d = &m.dom[i];
        char name[16];
        if (!d->hcall_total)
            continue;
        dom_name(name, sizeof name, i);
        fprintf(out, "  %-5s %llu calls, %llu refused", name,
                (unsigned long long)d->hcall_total, (unsigned long long)d->hcall_rejects);
        if (d->hcall_gaps)
            fprintf(out, ", gap min %llu mean %llu ticks",
                    (unsigned long long)d->hcall_gap_min,
                    (unsigned long long)(d->hcall_gap_sum / d->hcall_gaps));
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
}
