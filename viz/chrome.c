/*
 * viz/chrome.c — `hvtrace chrome`: the trace as Chrome trace-event JSON,
 * which Perfetto (ui.perfetto.dev) and chrome://tracing open.
 *
 * Where this sits in the story: a timeline is the best picture of a
 * scheduler.  Each domain becomes a "process" with three rows (threads):
 *   tid 1 "cpu"        a slice for each time it was running (from the
 *                      scheduling state machine in model.c);
 *   tid 2 "hypercalls" a slice per hypercall.  The hypervisor writes one
 *                      record per call, at its return, with the time since
 *                      its entry (since_entry), so a slice runs exactly from
 *                      the entry to the return; in a trace from before that
 *                      field, from the domain's previous record (or the
 *                      start of its run): the call lies inside it;
 *   tid 3 "events"     event-channel sends and upcalls, joined by flow
 *                      arrows from each send to the upcall that delivered it;
 *   tid 4 "I/O"        ring I/O: each request a back end took, from its
 *                      io_req to its io_rsp (an async slice: requests in
 *                      flight together stack, answers out of order show),
 *                      and ring pushes, packets, device interrupts.
 * The hypervisor is a process too, with LOST markers and a counter of the
 * runnable domains.  Times are microseconds since the first record.  The
 * events are sorted by time (longer slices first at the same time) so that
 * slices nest as the format requires.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

struct cev {
    double ts, dur;
    size_t order;
    char  *json;
};

struct out {
    struct cev *ev;
    size_t n, cap;
    int failed;
};

__attribute__((format(printf, 4, 5)))
static void add(struct out *o, double ts, double dur, const char *fmt, ...)
{
    if (o->failed)
        return;
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 1024;
        struct cev *bigger = realloc(o->ev, cap * sizeof *bigger);
        if (!bigger) {
            o->failed = 1;
            return;
        }
        o->ev = bigger;
        o->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *s;
    int rc = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        o->failed = 1;
        return;
    }
    o->ev[o->n] = (struct cev){ ts, dur, o->n, s };
    o->n++;
}

static int by_time(const void *a, const void *b)
{
    const struct cev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->dur != y->dur)               /* the enclosing slice first */
        return x->dur > y->dur ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

#define PID(slot) ((slot) + 1)

int hvt_chrome_write(FILE *f, const struct hvt_trace *t)
{
    struct out o = { 0 };
    struct hvt_model m;
    uint64_t t0 = t->n ? t->recs[0].tsc : 0;
    double run_start[HVT_MAX_DOMS] = { 0 };
    uint64_t last_rec[HVT_MAX_DOMS] = { 0 };
    /* Sends waiting for their upcall, per receiving domain (flow ids). */
    enum { MAXQ = 64 };
    unsigned pending[HVT_MAX_DOMS][MAXQ], npending[HVT_MAX_DOMS];
    unsigned flow_id = 0;
    /* I/O requests a back end took and has not answered: (device, request
     * id) -> the async slice's id, so that an answer ends its own slice
     * even when answers come out of order and ids are reused. */
    enum { MAXIO = 512 };
    static struct { uint32_t dev, id, async; } io[MAXIO];
    unsigned nio = 0, async_id = 0;

    memset(npending, 0, sizeof npending);
    hvt_model_init(&m);
#define US(tsc) hvt_tsc_to_us((tsc) >= t0 ? (tsc) - t0 : 0, t->tsc_khz)

    for (size_t i = 0; i < t->n; i++) {
        const struct trace_record *r = &t->recs[i];
        enum hvt_dstate before[HVT_MAX_DOMS];
        for (int s = 0; s < HVT_MAX_DOMS; s++)
            before[s] = m.dom[s].state;
        hvt_model_feed(&m, r);
        double ts = US(r->tsc);

        /* Run slices and the run-queue counter, from state changes. */
        int changed = 0;
        for (int s = 0; s < HVT_MAX_DOMS; s++) {
            enum hvt_dstate now = m.dom[s].state;
            if (now == before[s])
                continue;
            changed = 1;
            if (now == HVT_S_RUNNING)
                run_start[s] = ts;
            else if (before[s] == HVT_S_RUNNING)
                add(&o, run_start[s], ts - run_start[s],
                    "{\"name\":\"running\",\"cat\":\"sched\",\"ph\":\"X\",\"pid\":%d,"
                    "\"tid\":1,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"then\":\"%s\"}}",
                    PID(s), run_start[s], ts - run_start[s], hvt_state_name(now));
        }
        if (changed) {
            int ready = 0;
            for (int s = 0; s < HVT_SLOT_IDLE; s++)
                ready += m.dom[s].state == HVT_S_RUNNABLE || m.dom[s].state == HVT_S_RUNNING;
            add(&o, ts, 0, "{\"name\":\"runnable domains\",\"ph\":\"C\",\"pid\":%d,"
                "\"ts\":%.3f,\"args\":{\"domains\":%d}}", PID(HVT_SLOT_HV), ts, ready);
        }

        int slot = hvt_dom_slot(r->domain);
        if (slot < 0)
            continue;
        switch (r->event) {
        case TRC_HYPERCALL: {
            double start;
            if (r->since_entry && r->since_entry != TRACE_SINCE_MAX) {
                start = US(r->tsc - r->since_entry);
            } else {
                start = US(last_rec[slot] ? last_rec[slot] : r->tsc);
                if (m.dom[slot].state == HVT_S_RUNNING && run_start[slot] > start)
                    start = run_start[slot];
            }
            const char *name = hvt_enum_name("hcall", r->args[0]);
            char num[16];
            if (!name) {
                snprintf(num, sizeof num, "hcall_%u", r->args[0]);
                name = num;
            }
            add(&o, start, ts - start,
                "{\"name\":\"%s\",\"cat\":\"hcall\",\"ph\":\"X\",\"pid\":%d,\"tid\":2,"
                "\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"ret\":%d,\"a1\":\"0x%x\","
                "\"a2\":\"0x%x\",\"a3\":\"0x%x\",\"seq\":%u}}", name, PID(slot), start,
                ts - start, (int32_t)r->args[6], r->args[1], r->args[2], r->args[3], r->seq);
            add(&o, ts, 0, "{\"name\":\"hypercalls\",\"ph\":\"C\",\"pid\":%d,\"ts\":%.3f,"
                "\"args\":{\"total\":%llu}}", PID(slot), ts,
                (unsigned long long)m.dom[slot].hcall_total);
            break;
        }
        case TRC_EVTCHN_SEND: {
            int to = hvt_dom_slot(r->args[1]);
            add(&o, ts, 0.1, "{\"name\":\"send port %u\",\"cat\":\"evt\",\"ph\":\"X\","
                "\"pid\":%d,\"tid\":3,\"ts\":%.3f,\"dur\":0.1,\"args\":{\"to_port\":%u,"
                "\"ret\":%d}}", r->args[0], PID(slot), ts, r->args[2], (int32_t)r->args[3]);
            if (to >= 0 && (int32_t)r->args[3] >= 0 && npending[to] < MAXQ) {
                unsigned id = ++flow_id;
                pending[to][npending[to]++] = id;
                add(&o, ts, 0, "{\"name\":\"event\",\"cat\":\"evt\",\"ph\":\"s\","
                    "\"id\":%u,\"pid\":%d,\"tid\":3,\"ts\":%.3f}", id, PID(slot), ts);
            }
            break;
        }
        case TRC_EVTCHN_UPCALL:
            add(&o, ts, 0.1, "{\"name\":\"upcall\",\"cat\":\"evt\",\"ph\":\"X\","
                "\"pid\":%d,\"tid\":3,\"ts\":%.3f,\"dur\":0.1,\"args\":{\"eip\":\"0x%x\"}}",
                PID(slot), ts, r->args[0]);
            for (unsigned q = 0; q < npending[slot]; q++)
                add(&o, ts, 0, "{\"name\":\"event\",\"cat\":\"evt\",\"ph\":\"f\","
                    "\"bp\":\"e\",\"id\":%u,\"pid\":%d,\"tid\":3,\"ts\":%.3f}",
                    pending[slot][q], PID(slot), ts);
            npending[slot] = 0;
            break;
        /* Ring I/O on the domain's fourth row: each request a back end
         * took is an async slice from io_req to its io_rsp (Perfetto
         * draws overlapping requests side by side: out of order shows);
         * pushes, packets and device interrupts are instants. */
        case TRC_IO_REQ: {
            const char *op = hvt_enum_name("ioop", r->args[3]);
            if (nio == MAXIO) {         /* forget the oldest */
                memmove(io, io + 1, (MAXIO - 1) * sizeof io[0]);
                nio--;
            }
            io[nio].dev = r->args[0];
            io[nio].id = r->args[2];
            io[nio].async = ++async_id;
            add(&o, ts, 0, "{\"name\":\"dev %u %s\",\"cat\":\"io\",\"ph\":\"b\",\"id\":%u,"
                "\"pid\":%d,\"tid\":4,\"ts\":%.3f,\"args\":{\"id\":%u,\"a\":%u,\"b\":%u,"
                "\"seq\":%u}}", r->args[0], op ? op : "?", io[nio].async, PID(slot), ts,
                r->args[2], r->args[4], r->args[5], r->seq);
            nio++;
            break;
        }
        case TRC_IO_RSP: {
            const char *op = hvt_enum_name("ioop", r->args[3]);
            unsigned k = 0;
            while (k < nio && !(io[k].dev == r->args[0] && io[k].id == r->args[2]))
                k++;
            if (k == nio)
                break;                  /* an answer to nothing we saw taken */
            add(&o, ts, 0, "{\"name\":\"dev %u %s\",\"cat\":\"io\",\"ph\":\"e\",\"id\":%u,"
                "\"pid\":%d,\"tid\":4,\"ts\":%.3f,\"args\":{\"status\":%d}}", r->args[0],
                op ? op : "?", io[k].async, PID(slot), ts, (int32_t)r->args[4]);
            memmove(io + k, io + k + 1, (nio - k - 1) * sizeof io[0]);
            nio--;
            break;
        }
        case TRC_RING_PUSH:
            add(&o, ts, 0, "{\"name\":\"push dev %u %s (%s)\",\"ph\":\"i\",\"s\":\"t\","
                "\"pid\":%d,\"tid\":4,\"ts\":%.3f,\"args\":{\"req_prod\":%u,\"rsp_prod\":%u}}",
                r->args[0], r->args[1] & 1 ? "responses" : "requests",
                r->args[6] ? "notify" : "suppressed", PID(slot), ts, r->args[2], r->args[3]);
            break;
        case TRC_NET_PKT: {
            const char *v = hvt_enum_name("netverdict", r->args[5]);
            add(&o, ts, 0, "{\"name\":\"packet %s\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,"
                "\"tid\":4,\"ts\":%.3f,\"args\":{\"dev\":%u,\"len\":%u,\"to_dev\":%u}}",
                v ? v : "?", PID(slot), ts, r->args[0], r->args[4], r->args[6]);
            break;
        }
        case TRC_PIRQ:
            add(&o, ts, 0, "{\"name\":\"irq %u\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,"
                "\"tid\":4,\"ts\":%.3f,\"args\":{\"port\":%u}}", r->args[0], PID(slot), ts,
                r->args[1]);
            break;
        case TRC_LOST:
            add(&o, ts, 0, "{\"name\":\"LOST %u\",\"ph\":\"i\",\"s\":\"p\",\"pid\":%d,"
                "\"tid\":1,\"ts\":%.3f}", r->args[0], PID(slot), ts);
            break;
        default:
            if (TRACE_CLASS_OF(r->event) == TRACE_CLASS_TRAP ||
                TRACE_CLASS_OF(r->event) == TRACE_CLASS_DOM) {
                const struct hvt_event *ev = hvt_event_by_id(r->event);
                add(&o, ts, 0, "{\"name\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,"
                    "\"tid\":1,\"ts\":%.3f}", ev ? ev->name : "?", PID(slot), ts);
            }
        }
        last_rec[slot] = r->tsc;
    }
    /* Close the runs still open at the end of the trace. */
    double end = t->n ? US(t->recs[t->n - 1].tsc) : 0;
    for (int s = 0; s < HVT_MAX_DOMS; s++)
        if (m.dom[s].state == HVT_S_RUNNING)
            add(&o, run_start[s], end - run_start[s],
                "{\"name\":\"running\",\"cat\":\"sched\",\"ph\":\"X\",\"pid\":%d,"
                "\"tid\":1,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"then\":\"end of trace\"}}",
                PID(s), run_start[s], end - run_start[s]);
#undef US
    if (o.failed) {
        for (size_t i = 0; i < o.n; i++)
            free(o.ev[i].json);
        free(o.ev);
        return -1;
    }
    if (o.n)
        qsort(o.ev, o.n, sizeof *o.ev, by_time);

    /* Metadata first: names of the processes and their rows. */
    fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":\"hvkit hvtrace\","
            "\"tsc_khz\":%u,\"records\":%zu},\n\"traceEvents\":[\n", t->tsc_khz, t->n);
    int first = 1;
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        char name[16];
        if (!m.dom[s].seen)
            continue;
        hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
        fprintf(f, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":\"%s\"}}",
                first ? "" : ",\n", PID(s), name);
        fprintf(f, ",\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"sort_index\":%d}}",
                PID(s), s);
        static const char *rows[] = { NULL, "cpu", "hypercalls", "events", "I/O" };
        for (int tid = 1; tid <= 4; tid++)
            fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
                    "\"args\":{\"name\":\"%s\"}}", PID(s), tid, rows[tid]);
        first = 0;
    }
    for (size_t i = 0; i < o.n; i++) {
        fprintf(f, "%s%s", first ? "" : ",\n", o.ev[i].json);
        first = 0;
        free(o.ev[i].json);
    }
    fprintf(f, "\n]}\n");
    free(o.ev);
    return ferror(f) ? -1 : 0;
}
