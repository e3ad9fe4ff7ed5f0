/*
 * tracer/lib/load.c — a whole trace file in memory.
 *
 * Where this sits in the story: the exporters (stats, dot, chrome) and the
 * live view's replay (-r) look at a trace more than once, or go back in it,
 * so they read it all first.  A recorded run is small (48 bytes an event, a
 * few thousand to a few million events), so memory is not a concern.  The
 * reading itself is reader.c's: every problem is reported with its offset.
 */
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

static int load(struct hvt_trace *t, struct hvt_reader *r, char *err, size_t errlen);

int hvt_trace_load(struct hvt_trace *t, const char *path, hvt_problem_fn *report,
                   void *ctx, char *err, size_t errlen)
{
    struct hvt_reader r;

    memset(t, 0, sizeof *t);
    if (hvt_reader_open(&r, path, report, ctx) < 0) {
        snprintf(err, errlen, "%s", r.err);
        hvt_reader_close(&r);           /* the file, if it was opened */
        return -1;
    }
    return load(t, &r, err, errlen);
}

int hvt_trace_fload(struct hvt_trace *t, FILE *f, hvt_problem_fn *report,
                    void *ctx, char *err, size_t errlen)
{
    struct hvt_reader r;

    memset(t, 0, sizeof *t);
    if (hvt_reader_fopen(&r, f, report, ctx) < 0) {
        snprintf(err, errlen, "%s", r.err);
        return -1;
    }
    return load(t, &r, err, errlen);
}

/* Read every record of an opened reader into t, then close the reader. */
static int load(struct hvt_trace *t, struct hvt_reader *r, char *err, size_t errlen)
{
    size_t cap = 1024;

    t->tsc_khz = r->hdr.tsc_khz;
    t->recs = malloc(cap * sizeof *t->recs);
    if (!t->recs) {
        hvt_reader_close(r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (;;) {
        if (t->n == cap) {
            struct trace_record *bigger = realloc(t->recs, 2 * cap * sizeof *t->recs);
            if (!bigger) {
                hvt_reader_close(r);
                hvt_trace_free(t);
                snprintf(err, errlen, "out of memory after %zu records", cap);
                return -1;
            }
            t->recs = bigger;
            cap *= 2;
        }
        if (hvt_reader_next(r, &t->recs[t->n]) <= 0)
            break;
        t->n++;
    }
    t->missing = r->missing;
    t->nerrors = r->nerrors;
    hvt_reader_close(r);
    return 0;
}

void hvt_trace_free(struct hvt_trace *t)
{
    free(t->recs);
    t->recs = NULL;
    t->n = 0;
}

/* The TSC counts at tsc_khz thousand ticks a second, so one microsecond is
 * tsc_khz / 1000 ticks.  Under QEMU -icount the "TSC" counts instructions
 * and the hypervisor's calibration still gives a rate, so the figure is
 * consistent within a trace, which is what a timeline needs. */
double hvt_tsc_to_us(uint64_t tsc, uint32_t tsc_khz)
{
    if (tsc_khz == 0)
        return (double)tsc / 1000.0;
    return (double)tsc * 1000.0 / (double)tsc_khz;
}
