/*
 * tests/unit/test_hvtrace_timeline.c — `hvtrace timeline` (viz/timeline.c):
 * the SVG picture of who ran when and of BVT's virtual time.
 *
 * Where this sits in the story: the lecture slides draw the BVT timeline
 * from a real run, so the picture must say exactly what the trace says.
 * A small trace written here by hand (two domains of weights 1 and 2, a
 * block, known times) pins the bars and the points to the microsecond; the
 * recorded ping-pong run checks that the bars add up to the state model's
 * own running time for every domain; and every picture must be well-formed
 * XML (python3's parser reads it, as a browser would).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

/* Records at tsc = µs (tsc_khz 1000). */
static struct trace_record mk(uint64_t us, uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1,
                              uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    static uint32_t seq;
    struct trace_record r = { .tsc = us, .seq = seq++, .event = ev, .domain = dom,
                              .args = { a0, a1, a2, a3, a4, a5 } };
    const struct hvt_event *e = hvt_event_by_id(ev);
    r.nargs = e ? e->nargs : 0;
    return r;
}

/*
 * d1 (weight 1) runs 100..1100 µs, d2 (weight 2) 1100..3100, d1 again
 * 3100..3600 and blocks, d2 runs to the end (4000).  The SCHED_VT records
 * say what BVT saw at each decision: d1 gained 1000 µs of virtual time for
 * 1000 µs of CPU, d2 1000 for 2000.
 */
static struct hvt_trace small_bvt_trace(void)
{
    static struct trace_record r[32];
    size_t n = 0;
    r[n++] = mk(0, TRC_TRACE_START, DOMID_HV, 1000, 64, 1, 0, 0, 0);
    r[n++] = mk(100, TRC_SCHEDULE, 1, DOMID_IDLE, 1, 0, 1000, 0, 0);
    r[n++] = mk(101, TRC_SCHED_VT, 1, 1, 0, 0, 0, 1, 1);
    r[n++] = mk(102, TRC_SCHED_VT, 2, 2, 0, 0, 0, 2, 1);
    r[n++] = mk(1100, TRC_SCHEDULE, 2, 1, 2, 3, 2000, 0, 0);
    r[n++] = mk(1101, TRC_SCHED_VT, 1, 1, 1000, 1000, 1000, 1, 1);
    r[n++] = mk(1102, TRC_SCHED_VT, 2, 2, 0, 0, 0, 2, 1);
    r[n++] = mk(3100, TRC_SCHEDULE, 1, 2, 1, 3, 500, 1000, 0);
    r[n++] = mk(3101, TRC_SCHED_VT, 1, 1, 1000, 1000, 1000, 1, 1);
    r[n++] = mk(3102, TRC_SCHED_VT, 2, 2, 1000, 1000, 2000, 2, 1);
    r[n++] = mk(3600, TRC_BLOCK, 1, 1, 0, 0, 0, 0, 0);
    r[n++] = mk(3600, TRC_SCHEDULE, 2, 1, 2, 2, 1000, 1000, 0);
    r[n++] = mk(3601, TRC_SCHED_VT, 1, 1, 1500, 1500, 1500, 1, 0);
    r[n++] = mk(3602, TRC_SCHED_VT, 2, 2, 1000, 1000, 2000, 2, 1);
    r[n++] = mk(4000, TRC_TIMER_SET, 2, 0, 0, 0, 0, 0, 0);
    return (struct hvt_trace){ .recs = r, .n = n, .tsc_khz = 1000 };
}

/* (noinline: inlined, gcc takes the returned buffer for the local `buf`.) */
__attribute__((noinline))
static char *timeline(const struct hvt_trace *t, double from, double to, int *rc, char *err)
{
    struct hvt_timeline_opts o = { .from_us = from, .to_us = to };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *rc = hvt_timeline_write(f, t, &o, err, 256);
    fclose(f);
    return buf;
}

/* python3's XML parser must accept the picture. */
static void assert_well_formed(const char *svg)
{
    char path[] = "/tmp/hvkit-test-svg-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(svg, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 -c 'import sys, xml.dom.minidom; "
             "xml.dom.minidom.parse(sys.argv[1])' %s 2>&1", path);
    int rc = system(cmd);
    unlink(path);
    cr_assert_eq(rc, 0, "not well-formed XML:\n%s", svg);
}

static int has(const char *svg, const char *needle)
{
    return strstr(svg, needle) != NULL;
}

Test(hvtrace_timeline, bars_are_the_running_and_waiting_times)
{
    struct hvt_trace t = small_bvt_trace();
    char err[256];
    int rc;
    char *svg = timeline(&t, 0, 0, &rc, err);
    cr_assert_eq(rc, 0, "%s", err);
    assert_well_formed(svg);
    cr_assert(has(svg, "class=\"running\" data-dom=\"d1\" data-from-us=\"100.000\" "
                       "data-to-us=\"1100.000\""), "%s", svg);
    cr_assert(has(svg, "class=\"running\" data-dom=\"d2\" data-from-us=\"1100.000\" "
                       "data-to-us=\"3100.000\""));
    cr_assert(has(svg, "class=\"running\" data-dom=\"d1\" data-from-us=\"3100.000\" "
                       "data-to-us=\"3600.000\""));
    cr_assert(has(svg, "class=\"running\" data-dom=\"d2\" data-from-us=\"3600.000\" "
                       "data-to-us=\"4000.000\""));
    /* d1 waited while d2 ran; after its block it is not drawn at all. */
    cr_assert(has(svg, "class=\"runnable\" data-dom=\"d1\" data-from-us=\"1100.000\" "
                       "data-to-us=\"3100.000\""));
    cr_assert(!has(svg, "data-dom=\"d1\" data-from-us=\"3600.000\""), "blocked is empty");
    /* The idle CPU never ran here, and is never drawn as waiting. */
    cr_assert(!has(svg, "data-dom=\"idle\""));
    /* BVT: the virtual-time panel, one line per domain, weights named. */
    cr_assert(has(svg, "polyline class=\"evt\" data-dom=\"d1\""));
    cr_assert(has(svg, "polyline class=\"evt\" data-dom=\"d2\""));
    cr_assert(has(svg, "d2 (weight 2)"));
    cr_assert(!has(svg, "class=\"warped\""), "nobody warped");
    free(svg);
}

Test(hvtrace_timeline, a_window_clips_the_bars)
{
    struct hvt_trace t = small_bvt_trace();
    char err[256];
    int rc;
    char *svg = timeline(&t, 1000, 2000, &rc, err);
    cr_assert_eq(rc, 0, "%s", err);
    assert_well_formed(svg);
    cr_assert(has(svg, "class=\"running\" data-dom=\"d1\" data-from-us=\"1000.000\" "
                       "data-to-us=\"1100.000\""), "%s", svg);
    cr_assert(has(svg, "class=\"running\" data-dom=\"d2\" data-from-us=\"1100.000\" "
                       "data-to-us=\"2000.000\""));
    cr_assert(!has(svg, "data-from-us=\"3100.000\""), "outside the window");
    free(svg);
}

Test(hvtrace_timeline, a_warped_domain_is_marked)
{
    struct hvt_trace t = small_bvt_trace();
    /* At the last decision d2 was warped 3000 µs below its actual time. */
    t.recs[13].args[2] = (uint32_t)-2000;
    t.recs[13].args[5] = 3;
    char err[256];
    int rc;
    char *svg = timeline(&t, 0, 0, &rc, err);
    cr_assert_eq(rc, 0, "%s", err);
    assert_well_formed(svg);
    cr_assert(has(svg, "class=\"warped\" data-dom=\"d2\" data-t-us=\"3602.000\" "
                       "data-evt-us=\"-2000\""), "%s", svg);
    cr_assert(has(svg, "-5 ms") || has(svg, "-2 ms") || has(svg, "-2000 us"),
              "the axis reaches below zero");
    free(svg);
}

Test(hvtrace_timeline, empty_window_and_nothing_scheduled_are_errors)
{
    struct hvt_trace t = small_bvt_trace();
    char err[256];
    int rc;
    free(timeline(&t, 5000, 0, &rc, err));
    cr_assert_eq(rc, -1);
    cr_assert(strstr(err, "empty window"), "%s", err);
    struct trace_record two[2] = { t.recs[0], t.recs[14] };  /* no schedule at all */
    struct hvt_trace quiet = { .recs = two, .n = 2, .tsc_khz = 1000 };
    free(timeline(&quiet, 0, 0, &rc, err));
    cr_assert_eq(rc, -1);
    cr_assert(strstr(err, "no domain ran"), "%s", err);
}

/* The recorded ping-pong (round-robin): the bars of each domain add up to
 * the model's running time, and there is no virtual-time panel. */
Test(hvtrace_timeline, recorded_pingpong_agrees_with_the_model)
{
    struct hvt_trace t;
    char err[256];
    cr_assert_eq(hvt_trace_load(&t, "tests/fixtures/evtchn-pingpong.bin", NULL, NULL,
                                err, sizeof err), 0, "%s", err);
    int rc;
    char *svg = timeline(&t, 0, 0, &rc, err);
    cr_assert_eq(rc, 0, "%s", err);
    assert_well_formed(svg);
    cr_assert(!has(svg, "<polyline"), "round-robin: no virtual time");

    static struct hvt_model m;
    hvt_model_init(&m);
    for (size_t i = 0; i < t.n; i++)
        hvt_model_feed(&m, &t.recs[i]);
    hvt_model_finish(&m, m.last_tsc);
    for (int dom = 1; dom <= 2; dom++) {
        char key[64];
        double sum = 0;
        snprintf(key, sizeof key, "class=\"running\" data-dom=\"d%d\" data-from-us=\"", dom);
        size_t at = 0;
        const char *hit;
        while ((hit = strstr(svg + at, key)) != NULL) {
            double a, b;
            at = (size_t)(hit - svg) + strlen(key);
            cr_assert_eq(sscanf(svg + at, "%lf\" data-to-us=\"%lf", &a, &b), 2);
            sum += b - a;
        }
        double want = hvt_tsc_to_us(m.dom[dom].time_in[HVT_S_RUNNING], t.tsc_khz);
        cr_assert_gt(want, 0);
        cr_assert(sum > want - 1.0 && sum < want + 1.0,      /* µs; bars print to 0.001 */
                  "d%d: bars %.3f us, model %.3f us", dom, sum, want);
    }
    free(svg);
    hvt_trace_free(&t);
}
