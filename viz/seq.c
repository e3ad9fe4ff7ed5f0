/*
 * viz/seq.c — `hvtrace seq`: one I/O request, or one packet, end to end.
 *
 * Where this sits in the story (course: split drivers, "data through shared
 * asynchronous rings of descriptors"): the lecture's picture of a split
 * driver is a message sequence chart — the front end puts a request on the
 * ring and pushes it, an event wakes the back end (unless it was already
 * awake: the notification was suppressed), the back end takes the request,
 * drives the real device, whose interrupt comes back as an event, answers on
 * the ring, and an event wakes the front end.  This file finds, in a trace,
 * the records of exactly those steps for one request, and draws them, in
 * trace order, as lifelines (front end, hypervisor, back end, hardware) in
 * text or as a Graphviz graph.
 *
 * How a step is found (the records of trace-events.def; ports and the ring
 * from the state model, tracer/lib/model.c):
 *   request     the back end's io_req with that id (the first from --from);
 *               its place k on the ring is how many requests the back end
 *               took before it (back ends take requests in ring order).
 *               A device whose back end writes no io_req (the echo device)
 *               is asked by place: --req K is the K-th request on its ring.
 *   pushed      the front end's first ring_push with req_prod > k;
 *   events      the pusher's evtchn_send on its end's port next to the push
 *               (notify=sent), then the other end's evtchn_pending and
 *               evtchn_upcall on its port;
 *   the work    pirq records in the back end's domain, and its grant
 *               operations on the front end's grants, between io_req and
 *               io_rsp;
 *   answered    the io_rsp with that id, then the back end's first
 *               ring_push after it, and its event to the front end.
 * A packet (--pkt N, the N-th net_pkt record) is: how it came (a front
 * end's transmit request, or the network card's interrupt), the
 * demultiplexing verdict, and, when it was put on a domU's receive ring,
 * that answer, push and event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

/* Lifelines: front end(s), hypervisor, back end, hardware. */
enum { L_FRONT, L_HV, L_BACK, L_HW, L_FRONT2, NLANES };

struct step {
    size_t idx;                 /* record index in the trace */
    int    from, to;            /* lanes; from == to: something one side did */
    char   label[120];
};

#define MAX_STEPS 400

struct chart {
    const struct hvt_trace *t;
    struct step s[MAX_STEPS];
    int    n;
    int    lane_used[NLANES];
    char   lane_name[NLANES][24];
    char   title[200];
    char   notes[4][200];
    int    nnotes;
    uint32_t type[HVT_MAX_DEVS + 1];    /* each device's type (dev_create) */
};

static const struct trace_record *rec(const struct chart *c, size_t i)
{
    return &c->t->recs[i];
}

static void add(struct chart *c, size_t idx, int from, int to, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void add(struct chart *c, size_t idx, int from, int to, const char *fmt, ...)
{
    if (c->n == MAX_STEPS)
        return;
    for (int i = 0; i < c->n; i++)
        if (c->s[i].idx == idx)
            return;             /* a record is one step */
    struct step *s = &c->s[c->n++];
    s->idx = idx;
    s->from = from;
    s->to = to;
    c->lane_used[from] = c->lane_used[to] = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->label, sizeof s->label, fmt, ap);
    va_end(ap);
}

static void note(struct chart *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct chart *c, const char *fmt, ...)
{
    if (c->nnotes == 4)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->notes[c->nnotes++], sizeof c->notes[0], fmt, ap);
    va_end(ap);
}

/* The model as it stood just before record `upto`: the device's ends,
 * ring and ports. */
static void model_upto(struct hvt_model *m, const struct hvt_trace *t, size_t upto)
{
    hvt_model_init(m);
    for (size_t i = 0; i < upto && i < t->n; i++)
        hvt_model_feed(m, &t->recs[i]);
}

static int is_dev(const struct trace_record *r, uint16_t event, uint32_t dev)
{
    return r->event == event && r->nargs >= 1 && r->args[0] == dev;
}

/* The device's last dev_create before record `before` (its ring starts
 * there), or 0. */
static size_t created_at(const struct hvt_trace *t, uint32_t dev, size_t before)
{
    size_t at = 0;
    for (size_t i = 0; i < before && i < t->n; i++)
        if (is_dev(&t->recs[i], TRC_DEV_CREATE, dev) && (int32_t)t->recs[i].args[4] >= 0)
            at = i;
    return at;
}

/* The event one end raised next to its push at record p (notify=sent): the
 * evtchn_send on its port, the last one in the few records before the push
 * (drivers send, then report the push; not past the same end's previous
 * push), else the first in the few after. */
static void push_event(struct chart *c, size_t p, const struct hvt_device *v, int end,
                       int lane_from, int lane_to)
{
    const struct trace_record *pr = rec(c, p);
    uint32_t dev = pr->args[0];
    size_t lo = p, hi = p + 8 < c->t->n ? p + 8 : c->t->n;
    while (lo > 0 && lo + 6 > p && !(is_dev(rec(c, lo - 1), TRC_RING_PUSH, dev) &&
                                     (rec(c, lo - 1)->args[1] & 1) == (uint32_t)end))
        lo--;
    size_t send = (size_t)-1;
    for (size_t i = lo; i < hi; i++) {
        const struct trace_record *r = rec(c, i);
        if (r->event == TRC_EVTCHN_SEND && r->domain == v->dom[end] &&
            (!v->port[end] || r->args[0] == v->port[end]) && r->args[1] == v->dom[!end]) {
            send = i;
            if (i > p)
                break;          /* the nearest after the push... */
        }
        if (i >= p && send != (size_t)-1)
            break;              /* ... or the last before it */
    }
    if (send == (size_t)-1) {
        note(c, "no evtchn_send found next to record %u's push", pr->seq);
        return;
    }
    const struct trace_record *sr = rec(c, send);
    add(c, send, lane_from, L_HV, "evtchn_send port %u -> d%u port %u", sr->args[0],
        sr->args[1], sr->args[2]);
    /* Where it arrived: pending (and upcall) in the other end's domain. */
    uint32_t other = v->dom[!end], oport = v->port[!end] ? v->port[!end] : sr->args[2];
    for (size_t i = send + 1; i < c->t->n && i < send + 400; i++) {
        const struct trace_record *r = rec(c, i);
        if (r->event == TRC_EVTCHN_PENDING && r->domain == other && r->args[0] == oport) {
            add(c, i, L_HV, lane_to, "event pending on port %u%s%s", oport,
                r->args[1] ? " (already pending)" : "", r->args[3] ? ", upcall due" : "");
            if (!r->args[3])
                return;         /* no upcall for this one: pending or masked already */
            for (size_t j = i + 1; j < c->t->n && j < i + 400; j++) {
                const struct trace_record *u = rec(c, j);
                if (u->event == TRC_EVTCHN_UPCALL && u->domain == other) {
                    add(c, j, L_HV, lane_to, "upcall (the event handler runs)");
                    break;
                }
            }
            return;
        }
    }
}

static void add_push(struct chart *c, size_t p, const struct hvt_device *v, int end,
                     int lane_from, int lane_to)
{
    const struct trace_record *r = rec(c, p);
    if (end == 0)
        add(c, p, lane_from, L_HV, "ring_push requests: req_prod=%u (notify=%s)", r->args[2],
            r->args[6] ? "sent" : "suppressed");
    else
        add(c, p, lane_from, L_HV, "ring_push responses: rsp_prod=%u (notify=%s)", r->args[3],
            r->args[6] ? "sent" : "suppressed");
    if (r->args[6])
        push_event(c, p, v, end, lane_from, lane_to);
    else if (end == 0)
        note(c, "the push of record %u sent no event: the back end had not asked "
             "(req_event %u): it was awake, and looks at the ring again before it "
             "sleeps", r->seq, r->args[4]);
    else
        note(c, "the push of record %u sent no event: the front end had not asked "
             "(rsp_event %u)", r->seq, r->args[5]);
}

/* The real device (public/hw_devices.def) behind a kind of split device:
 * its interrupt line is the one a back end of that kind waits for.  1 if
 * irq is such a line for type, or if no listed device serves that type. */
static int irq_serves(uint32_t irq, uint32_t type)
{
    static const struct { const char *name; uint32_t irq; } hw[] = {
#define HW_DEVICE(name, irq, port, count) { #name, irq },
#include "public/hw_devices.def"
#undef HW_DEVICE
    };
    const char *kind = type == 3 /* block */ ? "ide" : type == 4 /* net */ ? "ne2k" : NULL;
    int any = 0;
    for (unsigned i = 0; kind && i < sizeof hw / sizeof hw[0]; i++)
        if (strncmp(hw[i].name, kind, strlen(kind)) == 0) {
            any = 1;
            if (hw[i].irq == irq)
                return 1;
        }
    return !any;
}

/* The type of device id (its dev_create, c->type[]), 0 if unknown. */
static uint32_t type_of(const struct chart *c, uint32_t dev)
{
    return dev <= HVT_MAX_DEVS ? c->type[dev] : 0;
}

/* What the back end did for the request between records a and b: the
 * interrupts of the device behind it, and its grant operations on the
 * front end's grants (copies of `len` bytes only, when len is not 0: a
 * packet's).  A back end that serves several requests at once (an
 * elevator) does this one's work after answering the one before, of the
 * same kind of device: start there. */
static void add_work(struct chart *c, size_t a, size_t b, const struct hvt_device *v, int lane,
                     uint32_t len)
{
    unsigned grants = 0, shown = 0;
    for (size_t i = b; i-- > a + 1;)
        if (rec(c, i)->event == TRC_IO_RSP && rec(c, i)->domain == v->dom[1] &&
            type_of(c, rec(c, i)->args[0]) == v->type) {
            a = i;
            break;
        }
    for (size_t i = a + 1; i < b && i < c->t->n; i++) {
        const struct trace_record *r = rec(c, i);
        char val[32];
        if (r->event == TRC_PIRQ && r->domain == v->dom[1] && irq_serves(r->args[0], v->type)) {
            add(c, i, L_HW, lane, "pirq irq %u -> port %u (the device interrupts)",
                r->args[0], r->args[1]);
        } else if (r->domain == v->dom[1] &&
                   ((!len && r->event == TRC_GNT_MAP && r->args[0] == v->dom[0]) ||
                    (!len && r->event == TRC_GNT_UNMAP && r->args[2] == v->dom[0]) ||
                    (r->event == TRC_GNT_COPY && (!len || r->args[4] == len) &&
                     (r->args[0] == v->dom[0] || r->args[2] == v->dom[0])))) {
            grants++;
            if (shown >= 4)
                continue;
            shown++;
            if (r->event == TRC_GNT_MAP) {
                hvt_format_value(val, sizeof val, "err", r->args[5]);
                add(c, i, lane, L_HV, "gnt_map d%u ref %u = %s", r->args[0], r->args[1], val);
            } else if (r->event == TRC_GNT_UNMAP) {
                hvt_format_value(val, sizeof val, "err", r->args[4]);
                add(c, i, lane, L_HV, "gnt_unmap d%u ref %u = %s", r->args[2], r->args[3], val);
            } else {
                hvt_format_value(val, sizeof val, "err", r->args[5]);
                add(c, i, lane, L_HV, "gnt_copy %u bytes d%u -> d%u = %s", r->args[4],
                    r->args[0], r->args[2], val);
            }
        }
    }
    if (grants > shown)
        note(c, "%u more grant operations by d%u on d%u's grants in between (other "
             "requests' too, when the back end serves several at once)", grants - shown,
             v->dom[1], v->dom[0]);
}

static void name_lanes(struct chart *c, const struct hvt_device *v, uint32_t dev,
                       const struct hvt_device *v2, uint32_t dev2)
{
    snprintf(c->lane_name[L_FRONT], sizeof c->lane_name[0], "d%u front", v->dom[0]);
    snprintf(c->lane_name[L_HV], sizeof c->lane_name[0], "hypervisor");
    snprintf(c->lane_name[L_BACK], sizeof c->lane_name[0], "d%u back", v->dom[1]);
    snprintf(c->lane_name[L_HW], sizeof c->lane_name[0], "hardware");
    if (v2)
        snprintf(c->lane_name[L_FRONT2], sizeof c->lane_name[0], "d%u front (dev %u)",
                 v2->dom[0], dev2);
    (void)dev;
}

static const char *type_name(uint32_t type)
{
    const char *n = hvt_enum_name("devtype", type);
    return n ? n : "?";
}

/* The answer to (dev, id) after record `from`: io_rsp, the push, the event. */
static void add_answer(struct chart *c, uint32_t dev, uint32_t id, size_t from,
                       const struct hvt_device *v, int lane_front)
{
    size_t rsp = (size_t)-1;
    for (size_t i = from + 1; i < c->t->n; i++)
        if (is_dev(rec(c, i), TRC_IO_RSP, dev) && rec(c, i)->args[2] == id) {
            rsp = i;
            break;
        }
    if (rsp == (size_t)-1) {
        note(c, "no io_rsp for id %u on device %u after record %u", id, dev,
             rec(c, from)->seq);
        return;
    }
    const struct trace_record *r = rec(c, rsp);
    const char *op = hvt_enum_name("ioop", r->args[3]);
    char st[32];
    hvt_format_value(st, sizeof st, "err", r->args[4]);
    add(c, rsp, L_BACK, L_BACK, "io_rsp id=%u %s status=%s (answered)", id, op ? op : "?", st);
    const struct trace_record *q = rec(c, from);
    add_work(c, from, rsp, v, L_BACK, q->event == TRC_IO_REQ && q->args[3] == 3 /* tx */ ?
             q->args[5] : 0);
    for (size_t i = rsp + 1; i < c->t->n; i++)
        if (is_dev(rec(c, i), TRC_RING_PUSH, dev) && (rec(c, i)->args[1] & 1) == 1) {
            add_push(c, i, v, 1, L_BACK, lane_front);
            return;
        }
    note(c, "the back end never pushed its responses after record %u", r->seq);
}

/* A request of device `dev` taken at record q (io_req), or, when q is
 * (size_t)-1, the k-th request on the ring by place only. */
static int chart_request(struct chart *c, uint32_t dev, uint32_t id, size_t q, uint32_t k,
                         char *err, size_t errlen)
{
    const struct hvt_trace *t = c->t;
    size_t anchor = q != (size_t)-1 ? q : t->n;
    size_t born = created_at(t, dev, anchor);
    struct hvt_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    model_upto(m, t, q != (size_t)-1 ? q : t->n);
    struct hvt_device v = m->dev[dev];
    free(m);
    if (!v.seen) {
        snprintf(err, errlen, "no device %u in the trace (no dev_create)", dev);
        return -1;
    }
    name_lanes(c, &v, dev, NULL, 0);

    if (q != (size_t)-1) {
        /* Its place on the ring: the requests the back end took before. */
        k = 0;
        for (size_t i = born; i < q; i++)
            if (is_dev(rec(c, i), TRC_IO_REQ, dev))
                k++;
    }
    /* The front end's push that published it. */
    size_t push = (size_t)-1, last_before = (size_t)-1;
    for (size_t i = born; i < t->n && i < anchor; i++) {
        const struct trace_record *r = rec(c, i);
        if (is_dev(r, TRC_RING_PUSH, dev) && (r->args[1] & 1) == 0) {
            last_before = i;
            if (push == (size_t)-1 && r->args[2] > k)
                push = i;
        }
    }
    if (push == (size_t)-1 && q != (size_t)-1)
        push = last_before;     /* the back end noted fewer requests than it took */
    if (q == (size_t)-1 && push == (size_t)-1) {
        snprintf(err, errlen, "device %u: no request %u on its ring (no ring_push with "
                 "req_prod > %u)", dev, k + 1, k);
        return -1;
    }
    if (push != (size_t)-1)
        add_push(c, push, &v, 0, L_FRONT, L_BACK);
    else
        note(c, "no ring_push of the front end before the request was taken");

    if (q != (size_t)-1) {
        const struct trace_record *r = rec(c, q);
        const char *op = hvt_enum_name("ioop", r->args[3]);
        add(c, q, L_BACK, L_BACK, "io_req id=%u %s a=%u b=%u (taken)", id, op ? op : "?",
            r->args[4], r->args[5]);
        add_answer(c, dev, id, q, &v, L_FRONT);
        snprintf(c->title, sizeof c->title, "request id %u of %s device %u (front d%u, back "
                 "d%u), slot %u of its ring", id, type_name(v.type), dev, v.dom[0], v.dom[1], k);
    } else {
        /* By place only: the back end's first push of responses that
         * reaches past k (the response is in it or in one before). */
        for (size_t i = push; i < t->n; i++) {
            const struct trace_record *r = rec(c, i);
            if (is_dev(r, TRC_RING_PUSH, dev) && (r->args[1] & 1) == 1 && r->args[3] > k) {
                add_work(c, push, i, &v, L_BACK, 0);
                add_push(c, i, &v, 1, L_BACK, L_FRONT);
                break;
            }
        }
        note(c, "device %u's back end writes no io_req/io_rsp: request %u is taken by its "
             "place on the ring, and its answer is in the first push that reaches "
             "rsp_prod %u or in one before", dev, k + 1, k + 1);
        snprintf(c->title, sizeof c->title, "request %u on the ring of %s device %u (front "
                 "d%u, back d%u)", k + 1, type_name(v.type), dev, v.dom[0], v.dom[1]);
    }
    return 0;
}

/* The last record before `before` (and after `after`) that is a ring_push
 * of `dev` by end `end`; (size_t)-1 if none. */
static size_t last_push(const struct chart *c, uint32_t dev, int end, size_t after, size_t before)
{
    for (size_t i = before; i-- > after;)
        if (is_dev(rec(c, i), TRC_RING_PUSH, dev) && (rec(c, i)->args[1] & 1) == (uint32_t)end)
            return i;
    return (size_t)-1;
}

/* A packet (net_pkt at record p, len bytes) put on device dev's ring: the
 * receive buffer the back end filled -- its rx io_rsp of that length
 * nearest the record (back ends may deliver before they write the net_pkt:
 * looked for back to `lo`, then forward to the back end's next packet) --
 * and the back end's first push on dev after it.  A back end that notes no
 * answers: its first push on dev after the record. */
static void add_delivery(struct chart *c, uint32_t dev, size_t p, size_t lo, uint32_t len,
                         const struct hvt_device *v, int lane)
{
    const struct trace_record *pk = rec(c, p);
    size_t got = (size_t)-1;
    for (size_t i = p; got == (size_t)-1 && i-- > lo;) {
        const struct trace_record *r = rec(c, i);
        if (r->event == TRC_NET_PKT && r->domain == pk->domain)
            break;
        if (is_dev(r, TRC_IO_RSP, dev) && (r->args[1] & 1) && r->args[3] == 4 /* rx */ &&
            r->args[4] == len)
            got = i;
    }
    for (size_t i = p + 1; got == (size_t)-1 && i < c->t->n; i++) {
        const struct trace_record *r = rec(c, i);
        if (r->event == TRC_NET_PKT && r->domain == pk->domain)
            break;
        if (is_dev(r, TRC_IO_RSP, dev) && (r->args[1] & 1) && r->args[3] == 4 &&
            r->args[4] == len)
            got = i;
    }
    size_t from = p;
    if (got != (size_t)-1) {
        const struct trace_record *r = rec(c, got);
        add(c, got, L_BACK, L_BACK, "io_rsp id=%u rx on dev %u status=%d (a receive buffer "
            "filled)", r->args[2], dev, (int32_t)r->args[4]);
        add_work(c, got > p ? p : lo, got, v, L_BACK, len);
        from = got;
    }
    for (size_t i = from + 1; i < c->t->n; i++)
        if (is_dev(rec(c, i), TRC_RING_PUSH, dev) && (rec(c, i)->args[1] & 1) == 1) {
            add_push(c, i, v, 1, L_BACK, lane);
            return;
        }
    note(c, "the back end never pushed on device %u's ring after record %u", dev,
         rec(c, from)->seq);
}

/*
 * The n-th net_pkt (of device dev, or of any if dev is 0).  The record
 * names the device the back end handled it for (dev) and the one it put it
 * on (to_dev, 0 = none).  It came from the wire when it was put on dev's
 * own ring as to_guest, or was an ARP request from the wire answered there
 * (arp_reply, to_dev 0); else from dev's front end, which pushed it on its
 * ring as a transmit request.  The cause drawn is the back end's io_req of
 * that transmit if it notes them, else the front end's last push before
 * the record; for the wire, the card's last interrupt before it.
 */
static int chart_packet(struct chart *c, uint32_t dev, uint32_t nth, char *err, size_t errlen)
{
    const struct hvt_trace *t = c->t;
    size_t p = (size_t)-1;
    uint32_t seen = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->recs[i].event == TRC_NET_PKT && (!dev || t->recs[i].args[0] == dev ||
                                                t->recs[i].args[6] == dev))
            if (++seen == nth) {
                p = i;
                break;
            }
    if (p == (size_t)-1) {
        snprintf(err, errlen, "the trace has %u net_pkt records%s%.0u, not %u", seen,
                 dev ? " for device " : "", dev, nth);
        return -1;
    }
    const struct trace_record *r = rec(c, p);
    uint32_t from = r->args[0], to = r->args[6], verdict = r->args[5];
    struct hvt_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    model_upto(m, t, p);
    struct hvt_device none = { 0 };
    struct hvt_device vf = from >= 1 && from <= HVT_MAX_DEVS ? m->dev[from] : none;
    struct hvt_device vt = to >= 1 && to <= HVT_MAX_DEVS ? m->dev[to] : none;
    free(m);
    vf.dom[1] = vt.dom[1] = r->domain;     /* the back end wrote the record */
    /* How it came.  First: the latest transmit request the back end took
     * on that device (of the packet's length) since its previous packet:
     * this packet is it. */
    size_t q = (size_t)-1;
    for (size_t i = p; vf.seen && i-- > 0;) {
        const struct trace_record *x = rec(c, i);
        if (is_dev(x, TRC_NET_PKT, from))
            break;              /* that one was the packet before */
        if (is_dev(x, TRC_IO_REQ, from) && x->args[3] == 3 /* tx */ && (x->args[1] & 1) &&
            (x->args[5] == 0 || x->args[5] == r->args[4])) {
            q = i;
            break;
        }
    }
    /* Else an ARP the back end sent of its own (a gratuitous one: the
     * sender's address is the one asked for), or one from the wire. */
    int own = q == (size_t)-1 && verdict == 7 /* arp_reply */ && r->args[1] == r->args[2];
    int wire = q == (size_t)-1 && !own &&
               ((verdict == 1 /* to_guest */ && to == from) ||
                (verdict == 7 && to == 0) || !vf.seen);
    int front = !own && !wire;
    int other = vt.seen && to != from;     /* put on another domU's ring */
    name_lanes(c, vf.seen ? &vf : &vt, from, other && vf.seen ? &vt : NULL, to);
    snprintf(c->lane_name[L_BACK], sizeof c->lane_name[0], "d%u back", r->domain);
    if (other && vf.seen)
        c->lane_used[L_FRONT2] = 1;     /* the receiver, even if never woken */

    char src[24], dst[24];
    hvt_format_value(src, sizeof src, "ip", r->args[1]);
    hvt_format_value(dst, sizeof dst, "ip", r->args[2]);
    const char *vname = hvt_enum_name("netverdict", verdict);

    if (front) {
        size_t push = last_push(c, from, 0, created_at(t, from, p), q != (size_t)-1 ? q : p);
        if (push != (size_t)-1)
            add_push(c, push, &vf, 0, L_FRONT, L_BACK);
        if (q != (size_t)-1) {
            const struct trace_record *qr = rec(c, q);
            add(c, q, L_BACK, L_BACK, "io_req id=%u tx len=%u (taken)", qr->args[2], qr->args[5]);
        } else {
            note(c, "device %u's back end notes no io_req: the packet is drawn as sent by "
                 "the front end's last push before it", from);
        }
    } else if (wire) {
        /* The card's last interrupt before it (one may bring several). */
        size_t i = p;
        while (i-- > 0 && i + 200 > p)
            if (rec(c, i)->event == TRC_PIRQ && rec(c, i)->domain == r->domain &&
                irq_serves(rec(c, i)->args[0], 4 /* net */)) {
                add(c, i, L_HW, L_BACK, "pirq irq %u -> port %u (the card has a packet)",
                    rec(c, i)->args[0], rec(c, i)->args[1]);
                break;
            }
        if (i == (size_t)-1 || i + 200 <= p)
            note(c, "no interrupt of the card in the 200 records before the packet");
    } else {
        note(c, "d%u's back end sent it of its own: an ARP announcement of %s (gratuitous: "
             "sender and target the same)", r->domain, src);
    }
    /* What the back end decided; to_wire: it hands it to the card, and an
     * ARP answer from the wire goes back there too. */
    int out = verdict == 2 || (verdict == 7 && to == 0);
    add(c, p, L_BACK, out ? L_HW : L_BACK, "net_pkt %s -> %s proto %u len %u: %s%s%.0u", src,
        dst, r->args[3], r->args[4], vname ? vname : "?", to ? " to dev " : "", to);
    /* Where it went: onto a domU's receive buffer (a response on its ring). */
    if (vt.seen)
        add_delivery(c, to, p, q != (size_t)-1 ? q : (p > 100 ? p - 100 : 0), r->args[4], &vt,
                     other && vf.seen ? L_FRONT2 : L_FRONT);
    /* And the sender's transmit request answered. */
    if (front && to != from && q != (size_t)-1) {
        add_answer(c, from, rec(c, q)->args[2], q, &vf, L_FRONT);
    } else if (front && to != from) {
        for (size_t i = p + 1; i < t->n; i++)
            if (is_dev(rec(c, i), TRC_RING_PUSH, from) && (rec(c, i)->args[1] & 1) == 1) {
                add_push(c, i, &vf, 1, L_BACK, L_FRONT);
                break;
            }
    }
    snprintf(c->title, sizeof c->title, "packet %u%s%.0u: %s -> %s, %s (from %s)", nth,
             dev ? " of device " : "", dev, src, dst, vname ? vname : "?",
             wire ? "the wire" : own ? "the back end itself" : "a domU's front end");
    return 0;
}

static int by_idx(const void *a, const void *b)
{
    const struct step *x = a, *y = b;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The same step again and again in a row (a disk interrupting once per
 * sector): one line, "x8, to record N". */
static void merge_repeats(struct chart *c)
{
    int out = 0;
    for (int i = 0; i < c->n; ) {
        int j = i + 1;
        while (j < c->n && c->s[j].from == c->s[i].from && c->s[j].to == c->s[i].to &&
               strcmp(c->s[j].label, c->s[i].label) == 0)
            j++;
        c->s[out] = c->s[i];
        if (j - i > 1) {
            size_t len = strlen(c->s[out].label);
            snprintf(c->s[out].label + len, sizeof c->s[out].label - len, " x%d, to record %u",
                     j - i, rec(c, c->s[j - 1].idx)->seq);
        }
        out++;
        i = j;
    }
    c->n = out;
}

/* ---- drawing ---------------------------------------------------------------- */

#define LANE_W 14

static void write_text(FILE *f, const struct chart *c)
{
    int lanes[NLANES], nl = 0;
    for (int l = 0; l < NLANES; l++)
        if (c->lane_used[l] || l == L_FRONT || l == L_HV || l == L_BACK)
            lanes[nl++] = l;
    int col[NLANES] = { 0 };
    for (int k = 0; k < nl; k++)
        col[lanes[k]] = 2 + k * LANE_W;
    int width = 2 + (nl - 1) * LANE_W + 2;

    fprintf(f, "%s\n\n", c->title);
    fprintf(f, "%8s %10s ", "record", "+us");
    char line[256];
    memset(line, ' ', sizeof line);
    for (int k = 0; k < nl; k++) {
        const char *nm = c->lane_name[lanes[k]];
        int x = col[lanes[k]] - (int)strlen(nm) / 2;
        if (x < 0)
            x = 0;
        memcpy(line + x, nm, strlen(nm));
    }
    int end = 0;
    for (int i = 0; i < (int)sizeof line; i++)
        if (line[i] != ' ')
            end = i + 1;
    fprintf(f, "%.*s\n", end, line);
    uint64_t t0 = c->n ? c->t->recs[c->s[0].idx].tsc : 0;
    for (int i = 0; i < c->n; i++) {
        const struct step *s = &c->s[i];
        const struct trace_record *r = rec(c, s->idx);
        memset(line, ' ', (size_t)width);
        for (int k = 0; k < nl; k++)
            line[col[lanes[k]]] = '|';
        int a = col[s->from], b = col[s->to];
        if (a == b) {
            line[a] = '*';
        } else {
            int lo = a < b ? a : b, hi = a < b ? b : a;
            for (int x = lo + 1; x < hi; x++)
                line[x] = '-';
            line[b > a ? hi - 1 : lo + 1] = b > a ? '>' : '<';
        }
        fprintf(f, "%8u %10.1f %.*s %s\n", r->seq,
                hvt_tsc_to_us(r->tsc - t0, c->t->tsc_khz), width, line, s->label);
    }
    for (int i = 0; i < c->nnotes; i++)
        fprintf(f, "note: %s\n", c->notes[i]);
}

static void dot_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static void write_dot(FILE *f, const struct chart *c)
{
    fprintf(f, "digraph seq {\n  rankdir=TB; splines=false; nodesep=1.0;\n"
            "  node [fontname=\"Helvetica\"]; edge [fontname=\"Helvetica\", fontsize=10];\n"
            "  label=\"");
    dot_escape(f, c->title);
    fprintf(f, "\"; labelloc=t;\n  { rank=same;");
    for (int l = 0; l < NLANES; l++)
        if (c->lane_used[l]) {
            fprintf(f, " l%d_0 [shape=box, label=\"", l);
            dot_escape(f, c->lane_name[l]);
            fprintf(f, "\"];");
        }
    fprintf(f, " }\n");
    /* The lifelines in their order, left to right: invisible edges in each
     * row keep Graphviz from swapping them to shorten the arrows. */
    for (int row = 0; row <= c->n; row++) {
        int prev = -1;
        for (int l = 0; l < NLANES; l++) {
            if (!c->lane_used[l])
                continue;
            if (prev >= 0)
                fprintf(f, "  l%d_%d -> l%d_%d [style=invis];\n", prev, row, l, row);
            prev = l;
        }
    }
    for (int i = 0; i < c->n; i++) {
        const struct step *s = &c->s[i];
        fprintf(f, "  { rank=same;");
        for (int l = 0; l < NLANES; l++)
            if (c->lane_used[l])
                fprintf(f, " l%d_%d [shape=point, width=0.05];", l, i + 1);
        fprintf(f, " }\n");
        fprintf(f, "  l%d_%d -> l%d_%d [label=\"#%u ", s->from, i + 1, s->to, i + 1,
                rec(c, s->idx)->seq);
        dot_escape(f, s->label);
        fprintf(f, "\", constraint=false%s];\n", s->from == s->to ? ", dir=none" : "");
    }
    for (int l = 0; l < NLANES; l++) {
        if (!c->lane_used[l])
            continue;
        fprintf(f, "  l%d_0", l);
        for (int i = 1; i <= c->n; i++)
            fprintf(f, " -> l%d_%d", l, i);
        fprintf(f, " [arrowhead=none, style=dashed, color=gray, weight=100];\n");
    }
    fprintf(f, "}\n");
}

int hvt_seq_write(FILE *out, const struct hvt_trace *t, const struct hvt_seq_opts *o,
                  char *err, size_t errlen)
{
    static struct chart c;      /* big: not on the stack */
    memset(&c, 0, sizeof c);
    c.t = t;
    c.lane_used[L_FRONT] = c.lane_used[L_HV] = c.lane_used[L_BACK] = 1;
    for (size_t i = 0; i < t->n; i++) {
        const struct trace_record *r = &t->recs[i];
        if (r->event == TRC_DEV_CREATE && r->args[0] <= HVT_MAX_DEVS && !c.type[r->args[0]] &&
            (int32_t)r->args[4] >= 0)
            c.type[r->args[0]] = r->args[1];
    }
    int rc;
    if (o->pkt) {
        rc = chart_packet(&c, o->dev, o->pkt, err, errlen);
    } else {
        if (o->dev < 1 || o->dev > HVT_MAX_DEVS) {
            snprintf(err, errlen, "no device %u (devices are 1..%u)", o->dev, HVT_MAX_DEVS);
            return -1;
        }
        /* By id, if the back end notes its requests; else by place. */
        size_t q = (size_t)-1;
        int any = 0;
        for (size_t i = 0; i < t->n; i++)
            if (is_dev(&t->recs[i], TRC_IO_REQ, o->dev)) {
                any = 1;
                if (t->recs[i].seq >= o->from_seq && t->recs[i].args[2] == o->req) {
                    q = i;
                    break;
                }
            }
        if (any && q == (size_t)-1) {
            snprintf(err, errlen, "device %u: no io_req with id %u%s", o->dev, o->req,
                     o->from_seq ? " from that record on" : "");
            return -1;
        }
        if (!any && o->req < 1) {
            snprintf(err, errlen, "device %u has no io_req records: --req K is the K-th "
                     "request on its ring, from 1", o->dev);
            return -1;
        }
        rc = chart_request(&c, o->dev, o->req, q, any ? 0 : o->req - 1, err, errlen);
    }
    if (rc < 0)
        return -1;
    qsort(c.s, (size_t)c.n, sizeof c.s[0], by_idx);
    merge_repeats(&c);
    if (o->dot)
        write_dot(out, &c);
    else
        write_text(out, &c);
    return 0;
}
