/*
 * tracer/lib/format.c — one trace record as one line of text.
 *
 * Where this sits in the story: this is what a student actually reads
 * (`hvtrace dump`), and what the grading scenarios compare against, so the
 * layout is fixed:
 *
 *        5         102345 d1   hypercall nr=console_io a1=0x0 ... ret=5
 *     seq (%8u)  tsc (%14llu)  dom (%-4s)  event  then " name=value" per arg
 *
 * A domain prints as d0, d1, ..., "hv" for DOMID_HV (the hypervisor itself)
 * and "idle" for DOMID_IDLE (no domain was running).
 *
 * How each value prints comes from its format word in trace-events.def
 * (u, d, x, err, dom, or the name of a TRACE_ENUM type).  Nothing in a record
 * is trusted: an unknown id, a wild nargs or an out-of-range enum value still
 * prints something sensible.
 */
#include <stdarg.h>
#include <string.h>

#include "hvtrace.h"

/* An snprintf that appends, and counts what would not fit (as snprintf does). */
struct out {
    char  *buf;
    size_t len;
    size_t pos;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
    char  *dst  = o->pos < o->len ? o->buf + o->pos : NULL;
    size_t room = o->pos < o->len ? o->len - o->pos : 0;
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->pos += (size_t)n;
}

int hvt_format_dom(char *buf, size_t len, uint32_t dom)
{
    if (dom == DOMID_HV)
        return snprintf(buf, len, "hv");
    if (dom == DOMID_IDLE)      /* no domain runs: the CPU is idle */
        return snprintf(buf, len, "idle");
    return snprintf(buf, len, "d%u", dom);
}

int hvt_format_value(char *buf, size_t len, const char *fmt, uint32_t v)
{
    if (strcmp(fmt, "u") == 0)
        return snprintf(buf, len, "%u", v);
    if (strcmp(fmt, "d") == 0)
        return snprintf(buf, len, "%d", (int32_t)v);
    if (strcmp(fmt, "x") == 0)
        return snprintf(buf, len, "0x%x", v);
    if (strcmp(fmt, "dom") == 0)
        return hvt_format_dom(buf, len, v);
    if (strcmp(fmt, "ip") == 0)         /* network byte order: first octet lowest */
        return snprintf(buf, len, "%u.%u.%u.%u", v & 0xFF, (v >> 8) & 0xFF,
                        (v >> 16) & 0xFF, v >> 24);
    if (strcmp(fmt, "err") == 0) {
        /* A hypercall result: >= 0 is a value, < 0 is -errno (hvkit.h). */
        if ((int32_t)v >= 0)
            return snprintf(buf, len, "%d", (int32_t)v);
        const char *name = hvt_errno_name(0u - v);
        if (name)
            return snprintf(buf, len, "-%s", name);
        return snprintf(buf, len, "%d", (int32_t)v);
    }
    /* Any other word is a TRACE_ENUM type. */
    const char *name = hvt_enum_name(fmt, v);
    if (name)
        return snprintf(buf, len, "%s", name);
    return snprintf(buf, len, "%u", v);
}

int hvt_format_record(char *buf, size_t len, const struct trace_record *r)
{
    struct out o = { buf, len, 0 };
    const struct hvt_event *ev = hvt_event_by_id(r->event);
    struct hvt_arg args[TRACE_MAX_ARGS];
    char dom[16], unknown[24], val[HVT_LINE_MAX];
    int nnamed = 0;

    if (len > 0)
        buf[0] = '\0';
    hvt_format_dom(dom, sizeof dom, r->domain);
    if (ev) {
        nnamed = hvt_event_args(ev, args);
        if (nnamed < 0)     /* a malformed .def line; the unit tests forbid it */
            nnamed = 0;
    } else {
        snprintf(unknown, sizeof unknown, "unknown_0x%04x", r->event);
    }
    put(&o, "%8u %14llu %-4s %s", r->seq, (unsigned long long)r->tsc, dom,
        ev ? ev->name : unknown);

    /* nargs comes from the record: never read past args[]. */
    unsigned n = r->nargs < TRACE_MAX_ARGS ? r->nargs : TRACE_MAX_ARGS;
    for (unsigned i = 0; i < n; i++) {
        if ((int)i < nnamed) {
            hvt_format_value(val, sizeof val, args[i].fmt, r->args[i]);
            put(&o, " %s=%s", args[i].name, val);
        } else {
            /* Unknown event, or more args than the definition names. */
            put(&o, " a%u=0x%x", i, r->args[i]);
        }
    }
    return (int)o.pos;
}
