/*
 * tracer/lib/reader.c — reading a trace file, and saying exactly what is wrong
 * with it.
 *
 * Where this sits in the story: `hvtrace record` writes a file (a 64-byte
 * struct trace_file_header, then 48-byte records back to back, see
 * public/trace.h); everything else (dump, stats, viz/) reads it through
 * here.  A trace is evidence, so the reader never guesses quietly: every
 * problem is reported with the byte offset in the file where it was found,
 * and the reader carries on where that makes sense.
 *
 * Loss is the problem that matters most.  The hypervisor gives every event it
 * *attempts* a sequence number, so a dropped event leaves a gap in seq.  When
 * the ring was full, the hypervisor also writes a LOST record (with the count)
 * as soon as it can, and that record arrives right after the gap: such a gap
 * is reported as loss the hypervisor owned up to, any other gap as an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "hvtrace.h"

__attribute__((format(printf, 5, 6)))
static void problem(struct hvt_reader *r, enum hvt_problem_kind kind,
                    uint64_t offset, int is_error, const char *fmt, ...)
{
    struct hvt_problem p = { .kind = kind, .offset = offset, .is_error = is_error };
    int n = snprintf(p.msg, sizeof p.msg, "offset %llu: ", (unsigned long long)offset);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p.msg + n, sizeof p.msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (is_error)
        r->nerrors++;
    if (r->report)
        r->report(r->report_ctx, &p);
}

/* Say why the header is not usable (into r->err); returns -1 for the caller. */
__attribute__((format(printf, 2, 3)))
static int bad_header(struct hvt_reader *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    r->done = 1;
    r->nerrors++;
    return -1;
}

int hvt_reader_fopen(struct hvt_reader *r, FILE *f, hvt_problem_fn *report, void *ctx)
{
    struct trace_file_header *h = &r->hdr;

    memset(r, 0, sizeof *r);
    r->f = f;
    r->report = report;
    r->report_ctx = ctx;

    size_t got = fread(h, 1, sizeof *h, f);
    if (ferror(f))
        return bad_header(r, "offset 0: cannot read: %s", strerror(errno));
    if (got < sizeof h->magic)
        return bad_header(r, "offset 0: file too short for a trace header "
                          "(%zu of %zu bytes)", got, sizeof *h);
    if (memcmp(h->magic, TRACE_FILE_MAGIC, sizeof h->magic) != 0) {
        char shown[sizeof h->magic + 1];
        for (size_t i = 0; i < sizeof h->magic; i++)
            shown[i] = h->magic[i] >= 0x20 && h->magic[i] < 0x7f ? h->magic[i] : '.';
        shown[sizeof h->magic] = '\0';
        return bad_header(r, "offset 0: bad magic \"%s\" (expected \"%s\"): "
                          "not an hvkit trace file", shown, TRACE_FILE_MAGIC);
    }
    if (got < sizeof *h)
        return bad_header(r, "offset %zu: file too short for a trace header "
                          "(%zu of %zu bytes)", got, got, sizeof *h);
    if (h->version != TRACE_FORMAT_VERSION)
        return bad_header(r, "offset %zu: unsupported version %u (this hvtrace "
                          "reads version %u)", offsetof(struct trace_file_header, version),
                          h->version, TRACE_FORMAT_VERSION);
    if (h->record_size != sizeof(struct trace_record))
        return bad_header(r, "offset %zu: record size %u, expected %zu",
                          offsetof(struct trace_file_header, record_size),
                          h->record_size, sizeof(struct trace_record));
    if (h->header_size != sizeof *h)
        return bad_header(r, "offset %zu: header size %u, expected %zu",
                          offsetof(struct trace_file_header, header_size),
                          h->header_size, sizeof *h);
    r->offset = sizeof *h;
    return 0;
}

int hvt_reader_open(struct hvt_reader *r, const char *path, hvt_problem_fn *report, void *ctx)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

    if (!f) {
        memset(r, 0, sizeof *r);
        snprintf(r->err, sizeof r->err, "cannot open: %s", strerror(errno));
        r->done = 1;
        return -1;
    }
    int rc = hvt_reader_fopen(r, f, report, ctx);
    r->own_f = f != stdin;
    return rc;
}

/* Sequence numbers: one per event attempted, so a gap is a loss. */
static void check_seq(struct hvt_reader *r, const struct trace_record *rec, uint64_t off)
{
    uint32_t expect = r->next_seq;
    uint32_t gap = rec->seq - expect;      /* modulo 2^32, like the counter */

    r->next_seq = rec->seq + 1;
    if (gap == 0)
        return;
    if (r->nrecords > 0 && gap >= 0x80000000u) {
        problem(r, HVT_P_SEQ_BACK, off, 1, "sequence number went back from %u "
                "to %u (a new boot, or records out of order)", expect - 1, rec->seq);
        return;
    }

    /* A LOST record right after the gap, with the same count, explains it. */
    int is_lost = rec->event == TRC_LOST && rec->nargs >= 1;
    int explained = is_lost && rec->args[0] == gap;
    char why[96] = "";
    if (explained)
        snprintf(why, sizeof why, ", dropped by the hypervisor (ring full)");
    else if (is_lost)
        snprintf(why, sizeof why, " (the LOST record here says %u)", rec->args[0]);

    r->missing += gap;
    problem(r, HVT_P_SEQ_GAP, off, !explained, "%u record%s missing (seq %u..%u)%s",
            gap, gap == 1 ? "" : "s", expect, rec->seq - 1, why);
}

int hvt_reader_next(struct hvt_reader *r, struct trace_record *rec)
{
    if (r->done || !r->f)
        return 0;

    uint64_t off = r->offset;
    size_t got = fread(rec, 1, sizeof *rec, r->f);
    if (got < sizeof *rec) {
        r->done = 1;
        if (ferror(r->f))
            problem(r, HVT_P_IO, off + got, 1, "read error: %s", strerror(errno));
        else if (got > 0)
            problem(r, HVT_P_TRUNCATED, off, 1, "truncated final record "
                    "(%zu of %zu bytes)", got, sizeof *rec);
        return 0;
    }
    r->offset += sizeof *rec;

    check_seq(r, rec, off);

    const struct hvt_event *ev = hvt_event_by_id(rec->event);
    if (!ev)
        problem(r, HVT_P_UNKNOWN, off, 1, "unknown event id 0x%04x "
                "(not in trace-events.def)", rec->event);
    else if (rec->nargs != ev->nargs)
        problem(r, HVT_P_NARGS, off, 1, "event %s has nargs %u, "
                "trace-events.def says %u", ev->name, rec->nargs, ev->nargs);

    r->nrecords++;
    return 1;
}

void hvt_reader_close(struct hvt_reader *r)
{
    if (r->own_f && r->f)
        fclose(r->f);
    r->f = NULL;
    r->own_f = 0;
}

int hvt_write_header(FILE *f, uint32_t tsc_khz)
{
    struct trace_file_header h;

    memset(&h, 0, sizeof h);
    memcpy(h.magic, TRACE_FILE_MAGIC, sizeof h.magic);
    h.version = TRACE_FORMAT_VERSION;
    h.record_size = sizeof(struct trace_record);
    h.header_size = sizeof h;
    h.tsc_khz = tsc_khz;
    return fwrite(&h, sizeof h, 1, f) == 1 ? 0 : -1;
}
