/*
 * viz/timeline.c — `hvtrace timeline`: the scheduler's picture, as SVG.
 *
 * Where this sits in the story: Borrowed Virtual Time is easiest to see as
 * two drawings one above the other, both rebuilt from what the hypervisor
 * actually did:
 *   lanes     one strip per domain over real time: a solid bar while it
 *             ran, a pale one while it was runnable and waiting for the
 *             CPU, nothing while it was blocked or dead.  The states come
 *             from the tracer's one state model (tracer/lib/model.c), so
 *             the bars agree with `hvtrace stats`, `live` and `chrome`.
 *   virtual   each domain's effective virtual time, from the SCHED_VT
 *   time      records the hypervisor writes at every scheduling decision
 *             (one per runnable domain).  BVT runs the domain whose line is
 *             lowest; a running domain's line climbs at 1/weight of real
 *             time, so a heavy domain climbs slowly and gets the CPU more
 *             often; a warped domain's line drops by its warp (a ring on
 *             the point).  Under round-robin every value is 0 and the panel
 *             is left out.
 * Only runnable domains compete, so a domain's line is drawn only while it
 * is runnable (a blocked domain's line stops, and starts again when it
 * wakes), and the scale is set by the runnable values.
 * Between two decisions a domain that ran climbs in a straight line (its
 * virtual time grows at a constant rate while it runs); one that did not
 * run keeps its value and jumps at the next decision, where the change
 * (a warp on wake, a sleeper brought up to the scheduler's virtual time)
 * was made.  So the line is exact at the decisions and honest in between.
 *
 * Output: one standalone SVG document (no scripts, no external resources)
 * that a browser or `rsvg-convert` shows as it is.  Every bar and point
 * carries data-* attributes with its domain and times in microseconds, so a
 * test (or a student) can read the numbers back from the picture.
 */
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

/* One bar of a lane: slot s was in state st from a to b (µs since t0). */
struct bar {
    int    slot;
    enum hvt_dstate st;
    double a, b;
};

/* One virtual-time point: slot s had effective virtual time evt (µs) at t. */
struct vt_point {
    int      slot;
    double   t;
    int32_t  evt;
    uint32_t weight;
    int      warped;
    int      runnable;      /* only runnable domains compete for the CPU */
};

struct tl {
    struct bar *bars;
    size_t nbars, capbars;
    struct vt_point *pts;
    size_t npts, cappts;
    int failed;
};

static void add_bar(struct tl *l, int slot, enum hvt_dstate st, double a, double b,
                    double from, double to)
{
    if (a < from)
        a = from;
    if (b > to)
        b = to;
    if (b <= a || l->failed)
        return;
    if (l->nbars == l->capbars) {
        size_t cap = l->capbars ? 2 * l->capbars : 256;
        struct bar *bigger = realloc(l->bars, cap * sizeof *bigger);
        if (!bigger) {
            l->failed = 1;
            return;
        }
        l->bars = bigger;
        l->capbars = cap;
    }
    l->bars[l->nbars++] = (struct bar){ slot, st, a, b };
}

static void add_point(struct tl *l, struct vt_point p)
{
    if (l->failed)
        return;
    if (l->npts == l->cappts) {
        size_t cap = l->cappts ? 2 * l->cappts : 256;
        struct vt_point *bigger = realloc(l->pts, cap * sizeof *bigger);
        if (!bigger) {
            l->failed = 1;
            return;
        }
        l->pts = bigger;
        l->cappts = cap;
    }
    l->pts[l->npts++] = p;
}

/* Was slot s running at time t (µs)?  (From the bars of the model.)  The
 * bars are in the order they ended, and one CPU runs one domain at a time,
 * so the first running bar that ends after t is the only one that can hold
 * t.  A caller asks about increasing times, so *cur (start it at 0) only
 * moves forward: linear, not quadratic, over a whole trace. */
static int running_at(const struct tl *l, int s, double t, size_t *cur)
{
    while (*cur < l->nbars && l->bars[*cur].b <= t)
        ++*cur;
    for (size_t i = *cur; i < l->nbars; i++)
        if (l->bars[i].st == HVT_S_RUNNING)
            return l->bars[i].slot == s && l->bars[i].a <= t;
    return 0;
}

/* A step of 1, 2 or 5 times a power of ten that gives about `want` ticks. */
static double nice_step(double span, int want)
{
    double raw = span / (want > 0 ? want : 1), p = 1;
    if (raw <= 0)
        return 1;
    while (p * 10 <= raw)
        p *= 10;
    while (p > raw)
        p /= 10;
    if (2 * p >= raw)
        return 2 * p;
    if (5 * p >= raw)
        return 5 * p;
    return 10 * p;
}

/* Colours by domain id: d0 grey (the control domain), then a palette. */
static const char *colour(int slot)
{
    static const char *pal[] = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                 "#b07aa1", "#76b7b2", "#edc948", "#9c755f" };
    if (slot == 0)
        return "#7f7f7f";
    if (slot == HVT_SLOT_IDLE)
        return "#c8c8c8";
    return pal[(slot - 1) % 8];
}

/* Times in the labels: µs below 10 ms, else ms. */
static void time_text(char *buf, size_t len, double us, double step)
{
    if (step >= 1000)
        snprintf(buf, len, "%g ms", us / 1000);
    else
        snprintf(buf, len, "%g us", us);
}

int hvt_timeline_write(FILE *f, const struct hvt_trace *t, const struct hvt_timeline_opts *o,
                       char *err, size_t errlen)
{
    struct tl l = { 0 };
    static struct hvt_model m;          /* large: not on the stack */
    double since[HVT_MAX_DOMS] = { 0 };
    uint32_t weight[HVT_MAX_DOMS] = { 0 };
    int lane_of[HVT_MAX_DOMS];
    uint64_t t0 = t->n ? t->recs[0].tsc : 0;
    unsigned width = o->width ? o->width : 960;

    if (t->n == 0) {
        snprintf(err, errlen, "the trace has no records");
        return -1;
    }
#define US(tsc) hvt_tsc_to_us((tsc) >= t0 ? (tsc) - t0 : 0, t->tsc_khz)
    double end = US(t->recs[t->n - 1].tsc);
    double from = o->from_us, to = o->to_us > 0 && o->to_us < end ? o->to_us : end;
    if (from >= to) {
        snprintf(err, errlen, "empty window: from %.0f us to %.0f us (the trace spans "
                 "0..%.0f us)", from, to, end);
        return -1;
    }

    /* Replay the model; every change of a domain's state closes a bar. */
    hvt_model_init(&m);
    for (size_t i = 0; i < t->n; i++) {
        const struct trace_record *r = &t->recs[i];
        enum hvt_dstate before[HVT_MAX_DOMS];
        for (int s = 0; s < HVT_MAX_DOMS; s++)
            before[s] = m.dom[s].state;
        hvt_model_feed(&m, r);
        double ts = US(r->tsc);
        for (int s = 0; s < HVT_MAX_DOMS; s++)
            if (m.dom[s].state != before[s]) {
                if (before[s] != HVT_S_NONE)
                    add_bar(&l, s, before[s], since[s], ts, from, to);
                since[s] = ts;
            }
        if (r->event == TRC_SCHED_VT && r->nargs == 6) {
            int s = hvt_dom_slot(r->args[0]);
            if (s >= 0 && s < HVT_SLOT_IDLE && ts >= from && ts <= to) {
                add_point(&l, (struct vt_point){ s, ts, (int32_t)r->args[2], r->args[4],
                                                 (r->args[5] & 2) != 0,
                                                 (r->args[5] & 1) != 0 });
                weight[s] = r->args[4];
            }
        }
    }
    for (int s = 0; s < HVT_MAX_DOMS; s++)
        if (m.dom[s].state != HVT_S_NONE)
            add_bar(&l, s, m.dom[s].state, since[s], end, from, to);
#undef US
    if (l.failed) {
        free(l.bars);
        free(l.pts);
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    /* Lanes: every domain (and idle) that ran or waited in the window. */
    int nlanes = 0;
    for (int s = 0; s < HVT_MAX_DOMS; s++)
        lane_of[s] = -1;
    for (int s = 0; s <= HVT_SLOT_IDLE; s++)
        for (size_t i = 0; i < l.nbars; i++)
            if (l.bars[i].slot == s && (l.bars[i].st == HVT_S_RUNNING ||
                                        (l.bars[i].st == HVT_S_RUNNABLE && s != HVT_SLOT_IDLE))) {
                lane_of[s] = nlanes++;
                break;
            }
    if (nlanes == 0) {
        free(l.bars);
        free(l.pts);
        snprintf(err, errlen, "no domain ran or waited between %.0f us and %.0f us "
                 "(no schedule events?)", from, to);
        return -1;
    }
    /* The scale: the values of the domains that competed (runnable), so a
     * long sleeper's old value does not squash the picture. */
    int have_vt = 0, any_warp = 0, nrun = 0;
    int32_t vmin = 0, vmax = 0;
    for (size_t i = 0; i < l.npts; i++) {
        if (l.pts[i].evt != 0)
            have_vt = 1;
        if (!l.pts[i].runnable)
            continue;
        any_warp |= l.pts[i].warped;
        if (nrun == 0 || l.pts[i].evt < vmin)
            vmin = l.pts[i].evt;
        if (nrun == 0 || l.pts[i].evt > vmax)
            vmax = l.pts[i].evt;
        nrun++;
    }

    /* Geometry. */
    const double left = 96, right = 24, top = 34, lane_h = 22, lane_gap = 8;
    const double plot_w = width - left - right;
    const double lanes_bottom = top + nlanes * (lane_h + lane_gap);
    const double axis_h = 34, vt_h = have_vt ? 220 : 0, vt_top = lanes_bottom + axis_h + 34;
    const double height = (have_vt ? vt_top + vt_h + 40 : lanes_bottom + axis_h) + 30;
    double tstep = nice_step(to - from, 8);
#define X(us) (left + ((us) - from) / (to - from) * plot_w)

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%.0f\" "
            "viewBox=\"0 0 %u %.0f\" font-family=\"Helvetica, Arial, sans-serif\" "
            "font-size=\"12\">\n", width, height, width, height);
    fprintf(f, "<desc>hvtrace timeline: %zu records, window %.1f..%.1f us, %d lanes, "
            "%zu virtual-time points</desc>\n", t->n, from, to, nlanes, l.npts);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%.0f\" fill=\"white\"/>\n",
            width, height);
    fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Who ran "
            "(solid), who waited for the CPU (pale)</text>\n", left);

    /* Time grid and axis under the lanes. */
    char label[48];
    for (double g = tstep * (double)(long long)(from / tstep); g <= to + 1e-9; g += tstep) {
        if (g < from - 1e-9)
            continue;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
                X(g), top - 4, X(g), lanes_bottom);
        time_text(label, sizeof label, g, tstep);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#444\">%s</text>\n",
                X(g), lanes_bottom + 16, label);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#444\">real time "
            "since the first record</text>\n", left + plot_w / 2, lanes_bottom + 32);

    /* Lane labels and bars. */
    for (int s = 0; s <= HVT_SLOT_IDLE; s++) {
        char name[16];
        if (lane_of[s] < 0)
            continue;
        double y = top + lane_of[s] * (lane_h + lane_gap);
        hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
        if (weight[s] && have_vt)
            fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s (weight %u)</text>\n",
                    left - 8, y + lane_h * 0.7, name, weight[s]);
        else
            fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    left - 8, y + lane_h * 0.7, s == HVT_SLOT_IDLE ? "idle CPU" : name);
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#bbbbbb\"/>\n",
                left, y + lane_h / 2, left + plot_w, y + lane_h / 2);
        for (size_t i = 0; i < l.nbars; i++) {
            const struct bar *b = &l.bars[i];
            /* (The idle CPU is "runnable" whenever a domain runs: not drawn.) */
            if (b->slot != s || (b->st != HVT_S_RUNNING &&
                                 (b->st != HVT_S_RUNNABLE || s == HVT_SLOT_IDLE)))
                continue;
            int run = b->st == HVT_S_RUNNING;
            double w = X(b->b) - X(b->a);
            fprintf(f, "<rect class=\"%s\" data-dom=\"%s\" data-from-us=\"%.3f\" "
                    "data-to-us=\"%.3f\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                    "fill=\"%s\"%s/>\n", run ? "running" : "runnable", name, b->a, b->b,
                    X(b->a), run ? y : y + lane_h / 4, w < 0.3 ? 0.3 : w,
                    run ? lane_h : lane_h / 2, colour(s), run ? "" : " fill-opacity=\"0.25\"");
        }
    }

    /* The virtual-time panel. */
    if (have_vt) {
        double span = vmax > vmin ? (double)vmax - vmin : 1;
        double vstep = nice_step(span, 5);
        double vlo = vstep * (double)(long long)((double)vmin / vstep - (vmin < 0 ? 1 : 0));
        double vhi = vlo;
        while (vhi < vmax)
            vhi += vstep;
        if (vhi <= vlo)
            vhi = vlo + vstep;
#define Y(v) (vt_top + vt_h - ((double)(v) - vlo) / (vhi - vlo) * vt_h)
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">"
                "Effective virtual time at each decision: BVT runs the lowest</text>\n",
                left, vt_top - 12);
        for (double g = vlo; g <= vhi + 1e-9; g += vstep) {
            fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
                    left, Y(g), left + plot_w, Y(g));
            time_text(label, sizeof label, g, vstep);
            fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444\">%s</text>\n",
                    left - 8, Y(g) + 4, label);
        }
        fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                "stroke=\"#999\"/>\n", left, vt_top, plot_w, vt_h);
        for (int s = 0; s < HVT_SLOT_IDLE; s++) {
            char name[16];
            size_t k = 0;
            if (lane_of[s] < 0)
                continue;
            hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
            for (size_t i = 0; i < l.npts; i++)
                k += l.pts[i].slot == s && l.pts[i].runnable;
            if (k == 0)
                continue;
            /* One polyline per stretch in which the domain stayed runnable:
             * while it is blocked it does not compete, and is not drawn. */
            const struct vt_point *prev = NULL, *first = NULL;
            size_t cursor = 0;
            for (size_t i = 0; i <= l.npts; i++) {
                const struct vt_point *p = i < l.npts ? &l.pts[i] : NULL;
                if (p && p->slot != s)
                    continue;
                if (!p || !p->runnable) {
                    if (prev)
                        fprintf(f, "\"/>\n");
                    if (prev && prev == first)  /* a stretch of one decision: a dot */
                        fprintf(f, "<circle class=\"evt1\" data-dom=\"%s\" cx=\"%.2f\" "
                                "cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n", name, X(prev->t),
                                Y(prev->evt), colour(s));
                    prev = first = NULL;
                    continue;
                }
                if (!prev)
                    first = p;
                if (!prev)
                    fprintf(f, "<polyline class=\"evt\" data-dom=\"%s\" fill=\"none\" "
                            "stroke=\"%s\" stroke-width=\"2\" points=\"", name, colour(s));
                else if (p->evt != prev->evt && !running_at(&l, s, (prev->t + p->t) / 2, &cursor))
                    fprintf(f, "%.2f,%.2f ", X(p->t), Y(prev->evt));   /* hold, then jump */
                fprintf(f, "%.2f,%.2f ", X(p->t), Y(p->evt));
                prev = p;
            }
            for (size_t i = 0; i < l.npts; i++)
                if (l.pts[i].slot == s && l.pts[i].warped && l.pts[i].runnable)
                    fprintf(f, "<circle class=\"warped\" data-dom=\"%s\" data-t-us=\"%.3f\" "
                            "data-evt-us=\"%d\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"none\" "
                            "stroke=\"%s\" stroke-width=\"1.5\"/>\n", name, l.pts[i].t,
                            l.pts[i].evt, X(l.pts[i].t), Y(l.pts[i].evt), colour(s));
        }
        /* Legend: one swatch per domain, and the warp mark. */
        double lx = left;
        for (int s = 0; s < HVT_SLOT_IDLE; s++) {
            char name[16];
            if (lane_of[s] < 0)
                continue;
            hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
            fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"3\"/><text x=\"%.0f\" y=\"%.1f\">%s</text>\n", lx,
                    vt_top + vt_h + 24, lx + 22, vt_top + vt_h + 24, colour(s), lx + 27,
                    vt_top + vt_h + 28, name);
            lx += 70;
        }
        if (any_warp)
            fprintf(f, "<circle cx=\"%.0f\" cy=\"%.1f\" r=\"4\" fill=\"none\" stroke=\"#333\"/>"
                    "<text x=\"%.0f\" y=\"%.1f\">warped at that decision</text>\n", lx + 6,
                    vt_top + vt_h + 24, lx + 16, vt_top + vt_h + 28);
#undef Y
    }
#undef X
    fprintf(f, "</svg>\n");
    free(l.bars);
    free(l.pts);
    return ferror(f) ? -1 : 0;
}
