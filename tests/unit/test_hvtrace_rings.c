/*
 * tests/unit/test_hvtrace_rings.c — ring I/O in the tracer: the state
 * model's per-device figures (requests taken and answered, out-of-order
 * answers, packets by verdict, device interrupts, how the ends met) and
 * `hvtrace seq`'s chart of one request and one packet.
 *
 * Where this sits in the story (course: split drivers): what the ring view
 * and the sequence chart show must be what the records say.  The block and
 * network drivers' traces are written here record by record, in the formats
 * of trace-events.def (io_req, io_rsp, net_pkt, pirq, ring_push, ...), as
 * their back ends emit them: a block request answered out of order after
 * the disk's interrupt, packets from the wire, between domUs and to nobody.
 * The echo device's recorded trace (tests/fixtures/grant-echo.bin) checks
 * the chart of a device whose back end writes no io_req.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

#define GRANT_ECHO "tests/fixtures/grant-echo.bin"

/* A trace built in memory: one record at a time, tsc +100 each. */
static struct trace_record recs[256];
static struct hvt_trace tr;

static void R(uint16_t dom, uint16_t event, int n, uint32_t a0, uint32_t a1, uint32_t a2,
              uint32_t a3, uint32_t a4, uint32_t a5, uint32_t a6)
{
    cr_assert_lt(tr.n, 256);
    struct trace_record *r = &recs[tr.n];
    memset(r, 0, sizeof *r);
    r->seq = (uint32_t)tr.n;
    r->tsc = 1000 + 100 * tr.n;
    r->event = event;
    r->domain = dom;
    r->nargs = (uint8_t)n;
    uint32_t a[7] = { a0, a1, a2, a3, a4, a5, a6 };
    for (int i = 0; i < n; i++)
        r->args[i] = a[i];
    tr.n++;
}

#define IP(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* Block device 1 (front d1, back d0) and net devices 2 (d1) and 3 (d2). */
static void build(void)
{
    memset(&tr, 0, sizeof tr);
    tr.recs = recs;
    tr.tsc_khz = 1000;
    R(0, TRC_DEV_CREATE, 5, 1, 3, 1, 0, 0, 0, 0);             /* 0: block d1 <- d0 */
    R(0, TRC_DEV_CREATE, 5, 2, 4, 1, 0, 0, 0, 0);             /* 1: net d1 */
    R(0, TRC_DEV_CREATE, 5, 3, 4, 2, 0, 0, 0, 0);             /* 2: net d2 */
    R(1, TRC_DEV_PUBLISH, 5, 1, 0, 8, 5, 0, 0, 0);            /* 3: ring grant 8, port 5 */
    R(0, TRC_GNT_MAP, 7, 1, 8, 1, 0xf0001000, 3, 0, 0);       /* 4: d0 maps it, handle 3 */
    R(0, TRC_EVTCHN_OP, 5, 0, 9, 1, 5, 0, 0, 0);              /* 5: d0 port 9 <-> d1 port 5 */
    R(0, TRC_DEV_STATE, 5, 1, 1, 2, 4, 0, 0, 0);              /* 6: back connected */
    R(1, TRC_DEV_STATE, 5, 1, 0, 3, 4, 0, 0, 0);              /* 7: front connected */
    /* Two requests: the first push notifies, the second is suppressed. */
    R(1, TRC_EVTCHN_SEND, 4, 5, 0, 9, 0, 0, 0, 0);            /* 8 */
    R(1, TRC_RING_PUSH, 7, 1, 0, 1, 0, 1, 1, 1);              /* 9: req_prod 1, sent */
    R(1, TRC_RING_PUSH, 7, 1, 0, 2, 0, 1, 1, 0);              /* 10: req_prod 2, suppressed */
    R(0, TRC_EVTCHN_PENDING, 4, 9, 0, 0, 1, 0, 0, 0);         /* 11 */
    R(0, TRC_EVTCHN_UPCALL, 3, 0xc0100000, 1, 1, 0, 0, 0, 0); /* 12 */
    R(0, TRC_IO_REQ, 6, 1, 1, 70, 1, 100, 8, 0);              /* 13: id 70 read sector 100 */
    R(0, TRC_IO_REQ, 6, 1, 1, 71, 2, 5, 1, 0);                /* 14: id 71 write sector 5 */
    R(0, TRC_PIRQ, 2, 14, 3, 0, 0, 0, 0, 0);                  /* 15: the disk */
    R(0, TRC_IO_RSP, 5, 1, 1, 71, 2, 0, 0, 0);                /* 16: 71 first: out of order */
    R(0, TRC_PIRQ, 2, 14, 3, 0, 0, 0, 0, 0);                  /* 17 */
    R(0, TRC_IO_RSP, 5, 1, 1, 70, 1, (uint32_t)-5, 0, 0);     /* 18: 70 failed (-EIO) */
    R(0, TRC_EVTCHN_SEND, 4, 9, 1, 5, 0, 0, 0, 0);            /* 19 */
    R(0, TRC_RING_PUSH, 7, 1, 1, 2, 2, 3, 3, 1);              /* 20: rsp_prod 2, sent */
    R(1, TRC_EVTCHN_PENDING, 4, 5, 0, 0, 1, 0, 0, 0);         /* 21 */
    R(1, TRC_EVTCHN_UPCALL, 3, 0xc0100000, 1, 1, 0, 0, 0, 0); /* 22 */
    /* Network: from the wire to d1, d1 to d2, and to nobody. */
    R(0, TRC_PIRQ, 2, 9, 4, 0, 0, 0, 0, 0);                   /* 23: the card */
    R(0, TRC_NET_PKT, 7, 2, IP(10, 0, 2, 2), IP(10, 0, 2, 16), 17, 40, 1, 2); /* 24 */
    R(0, TRC_IO_RSP, 5, 2, 1, 3, 4, 40, 0, 0);                /* 25: rx buffer 3 filled */
    R(0, TRC_RING_PUSH, 7, 2, 1, 8, 1, 1, 2, 1);              /* 26 */
    R(0, TRC_IO_REQ, 6, 2, 1, 9, 3, 0, 60, 0);                /* 27: d1 sends: tx id 9 */
    R(0, TRC_NET_PKT, 7, 2, IP(10, 0, 2, 16), IP(10, 0, 2, 17), 17, 60, 3, 3); /* 28 */
    R(0, TRC_IO_RSP, 5, 3, 1, 1, 4, 60, 0, 0);                /* 29: into d2's buffer 1 */
    R(0, TRC_RING_PUSH, 7, 3, 1, 8, 1, 1, 2, 0);              /* 30: d2 not asking */
    R(0, TRC_NET_PKT, 7, 2, IP(10, 0, 2, 16), IP(10, 0, 2, 99), 17, 40, 4, 0); /* 31 */
    R(0, TRC_GNT_UNMAP, 6, 3, 0xf0001000, 1, 8, 0, 0, 0);     /* 32: ring unmapped */
}

Test(hvtrace_rings, block_requests_taken_answered_out_of_order)
{
    build();
    struct hvt_model m;
    hvt_model_init(&m);
    for (size_t i = 0; i < 23; i++)
        hvt_model_feed(&m, &tr.recs[i]);
    const struct hvt_device *v = &m.dev[1];
    cr_assert(v->seen);
    cr_expect_eq(v->type, 3);
    cr_expect_eq(v->ring_ref, 8);
    cr_expect_eq(v->port[0], 5, "the front end's published port");
    cr_expect_eq(v->port[1], 9, "the back end's bind_interdomain to it");
    cr_expect(v->ring_mapped, "the back end mapped grant 8");
    cr_expect_eq(v->io_taken, 2);
    cr_expect_eq(v->io_answered, 2);
    cr_expect_eq(v->io_out_of_order, 1, "71 answered while 70 waited");
    cr_expect_eq(v->io_errors, 1, "70 answered -EIO");
    cr_expect_eq(v->ntaken, 0, "none waiting");
    cr_expect_eq(v->io_unmatched, 0);
    cr_expect_eq(v->sent[0], 1);
    cr_expect_eq(v->suppressed[0], 1);
    cr_expect_eq(v->sent[1], 1);
    cr_expect_eq(v->req_prod - v->rsp_prod, 0, "nothing in flight");
    cr_expect_eq(v->events[1], 1, "one event at the back end's port");
    cr_expect_eq(v->events[0], 1, "one at the front end's");
    cr_expect_eq(m.pirq[14], 2, "two disk interrupts");
    cr_expect_eq(m.pirq_dom[14], 0);
    cr_expect_eq(m.pirq_port[14], 3);
}

Test(hvtrace_rings, in_flight_waiting_and_unmatched_answers)
{
    build();
    struct hvt_model m;
    hvt_model_init(&m);
    for (size_t i = 0; i < 15; i++)     /* up to both io_req */
        hvt_model_feed(&m, &tr.recs[i]);
    cr_expect_eq(m.dev[1].ntaken, 2, "70 and 71 wait");
    cr_expect_eq(m.dev[1].taken[0], 70, "oldest first");
    cr_expect_eq(m.dev[1].req_prod - m.dev[1].rsp_prod, 2, "two in flight on the ring");
    /* An answer to a request never taken is counted, not matched. */
    struct trace_record r = tr.recs[16];
    r.args[2] = 1234;
    hvt_model_feed(&m, &r);
    cr_expect_eq(m.dev[1].io_unmatched, 1);
    cr_expect_eq(m.dev[1].ntaken, 2);
    /* More waiting than kept: the oldest are forgotten, and counted. */
    for (uint32_t id = 0; id < HVT_MAX_TAKEN + 3; id++) {
        r = tr.recs[13];
        r.args[2] = 1000 + id;
        hvt_model_feed(&m, &r);
    }
    cr_expect_eq(m.dev[1].ntaken, HVT_MAX_TAKEN);
    cr_expect_eq(m.dev[1].taken_dropped, 5);
}

Test(hvtrace_rings, packets_by_verdict_and_ring_unmapped)
{
    build();
    struct hvt_model m;
    hvt_model_init(&m);
    for (size_t i = 0; i < tr.n; i++)
        hvt_model_feed(&m, &tr.recs[i]);
    cr_expect_eq(m.dev[2].pkts[1], 1, "one packet from the wire for d1");
    cr_expect_eq(m.dev[2].pkts[3], 1, "d1's packet forwarded to d2");
    cr_expect_eq(m.dev[2].pkts[4], 1, "and one to nobody");
    cr_expect_eq(m.dev[2].pkts_to, 1, "one packet put on d1's ring");
    cr_expect_eq(m.dev[3].pkts_to, 1, "and one on d2's");
    cr_expect_eq(m.dev[2].io_taken, 1);
    cr_expect_eq(m.pirq[9], 1);
    cr_expect(!m.dev[1].ring_mapped, "unmapped by its handle");
    /* Each packet is counted once, by the device it was handled for. */
    uint64_t sum = 0;
    for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++)
        for (int k = 0; k < HVT_NVERDICTS; k++)
            sum += m.dev[id].pkts[k];
    cr_expect_eq(sum, 3);
}

static char *seq_text(const struct hvt_seq_opts *o, int *rc, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *rc = hvt_seq_write(f, &tr, o, err, errlen);
    fclose(f);
    return buf;
}

/* The lines of the chart must come in this order. */
static void expect_in_order(const char *text, const char **want, int n)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        const char *q = strstr(p, want[i]);
        cr_expect(q, "'%s' missing (or out of order) in:\n%s", want[i], text);
        if (q)
            p = q;
    }
}

Test(hvtrace_seq, one_block_request_end_to_end)
{
    build();
    struct hvt_seq_opts o = { .dev = 1, .req = 70 };
    char err[256] = "";
    int rc;
    char *text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    const char *order[] = {
        "evtchn_send port 5 -> d0 port 9",
        "ring_push requests: req_prod=1 (notify=sent)",
        "event pending on port 9, upcall due",
        "upcall (the event handler runs)",
        "io_req id=70 read a=100 b=8 (taken)",
        "pirq irq 14 -> port 3",
        "io_rsp id=70 read status=-EIO (answered)",
        "evtchn_send port 9 -> d1 port 5",
        "ring_push responses: rsp_prod=2 (notify=sent)",
        "event pending on port 5, upcall due",
        "upcall (the event handler runs)",
    };
    expect_in_order(text, order, (int)(sizeof order / sizeof order[0]));
    cr_expect(strstr(text, "request id 70 of block device 1 (front d1, back d0), slot 0"),
              "%s", text);
    /* Arrows: the front end's push goes right, into the hypervisor. */
    cr_expect(strstr(text, "|------------>|             |             |  ring_push requests"), "%s", text);
    free(text);

    /* The second request was pushed without an event: the chart says why. */
    o.req = 71;
    text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_expect(strstr(text, "slot 1"), "%s", text);
    cr_expect(strstr(text, "ring_push requests: req_prod=2 (notify=suppressed)"), "%s", text);
    cr_expect(strstr(text, "sent no event: the back end had not asked"), "%s", text);
    cr_expect(strstr(text, "io_rsp id=71 write status=0"), "%s", text);
    free(text);

    /* The card's interrupt (irq 9, public/hw_devices.def) in between is
     * not the disk's: not part of a block request. */
    recs[17].args[0] = 9;
    o.req = 70;
    text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_expect(!strstr(text, "pirq irq 9"), "%s", text);
    cr_expect(!strstr(text, "pirq irq 14"), "the disk's interrupt before 71's answer was "
              "71's (the elevator served it first):\n%s", text);
    cr_expect(strstr(text, "io_rsp id=70 read status=-EIO (answered)"), "%s", text);
    free(text);
    recs[17].args[0] = 14;

    /* No such request: an error that says so. */
    o.req = 5;
    text = seq_text(&o, &rc, err, sizeof err);
    cr_expect_eq(rc, -1);
    cr_expect(strstr(err, "no io_req with id 5"), "%s", err);
    free(text);
}

Test(hvtrace_seq, packets_from_the_wire_and_between_domus)
{
    build();
    struct hvt_seq_opts o = { .pkt = 1 };
    char err[256] = "";
    int rc;
    char *text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    const char *wire[] = {
        "pirq irq 9 -> port 4 (the card has a packet)",
        "net_pkt 10.0.2.2 -> 10.0.2.16 proto 17 len 40: to_guest to dev 2",
        "io_rsp id=3 rx on dev 2 status=40",
        "ring_push responses: rsp_prod=1 (notify=sent)",
    };
    expect_in_order(text, wire, 4);
    cr_expect(strstr(text, "packet 1: 10.0.2.2 -> 10.0.2.16, to_guest (from the wire)"), "%s",
              text);
    free(text);

    o.pkt = 2;
    text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_expect(strstr(text, "io_req id=9 tx len=60 (taken)"), "%s", text);
    cr_expect(strstr(text, "forward to dev 3"), "%s", text);
    cr_expect(strstr(text, "d2 front (dev 3)"), "the receiver's lifeline:\n%s", text);
    cr_expect(strstr(text, "io_rsp id=1 rx on dev 3 status=60"), "%s", text);
    cr_expect(strstr(text, "sent no event: the front end had not asked"), "%s", text);
    free(text);

    /* To nobody: sent by d1's front end (its last push), answered on its
     * ring, put on no other. */
    o.pkt = 3;
    text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_expect(strstr(text, "packet 3: 10.0.2.16 -> 10.0.2.99, drop_nobody (from a domU's front "
                     "end)"), "%s", text);
    cr_expect(strstr(text, "notes no io_req: the packet is drawn as sent by the front end's "
                     "last push"), "%s", text);
    free(text);

    o.pkt = 9;
    text = seq_text(&o, &rc, err, sizeof err);
    cr_expect_eq(rc, -1);
    cr_expect(strstr(err, "3 net_pkt records"), "%s", err);
    free(text);
}

Test(hvtrace_seq, echo_request_by_its_place_on_the_ring)
{
    struct hvt_trace t;
    char err[256] = "";
    cr_assert_eq(hvt_trace_load(&t, GRANT_ECHO, NULL, NULL, err, sizeof err), 0, "%s", err);
    struct hvt_seq_opts o = { .dev = 2, .req = 1 };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = hvt_seq_write(f, &t, &o, err, sizeof err);
    fclose(f);
    cr_assert_eq(rc, 0, "%s", err);
    /* The first request of d2's batch: pushed with an event, which arrives
     * at dom0's port 6 (its bind_interdomain to d2's port 4); the batch's
     * responses come back in one push, with an event to d2's port 4. */
    const char *order[] = {
        "request 1 on the ring of echo device 2 (front d2, back d0)",
        "evtchn_send port 4 -> d0 port 6",
        "event pending on port 6",
        "ring_push requests: req_prod=1 (notify=sent)",
        "upcall (the event handler runs)",
        "gnt_copy 200 bytes d2 -> d0 = 0",
        "evtchn_send port 6 -> d2 port 4",
        "event pending on port 4",
        "ring_push responses: rsp_prod=8 (notify=sent)",
        "note: device 2's back end writes no io_req/io_rsp",
    };
    expect_in_order(buf, order, (int)(sizeof order / sizeof order[0]));
    free(buf);
    /* Past the last request: an error. */
    o.req = 65;
    f = open_memstream(&buf, &len);
    rc = hvt_seq_write(f, &t, &o, err, sizeof err);
    fclose(f);
    free(buf);
    cr_expect_eq(rc, -1);
    cr_expect(strstr(err, "no request 65"), "%s", err);
    hvt_trace_free(&t);
}

Test(hvtrace_seq, graphviz_accepts_the_chart)
{
    build();
    struct hvt_seq_opts o = { .dev = 1, .req = 70, .dot = 1 };
    char err[256] = "";
    int rc;
    char *text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    char path[] = "/tmp/hvkit-test-seq-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "dot -Tsvg -o /dev/null %s 2>&1", path);
    int st = system(cmd);
    unlink(path);
    cr_expect_eq(st, 0, "dot rejected:\n%s", text);
    cr_expect(strstr(text, "io_req id=70 read"), "%s", text);
    free(text);
}

Test(hvtrace_stats, per_device_figures)
{
    build();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hvt_stats_print(f, &tr);
    fclose(f);
    cr_expect(strstr(buf, "  dev 1 block d1->d0: 2 requests, 2 responses, 0 in flight; notified "
                     "1/1, suppressed 1/0 (front/back), 1.00 events per request\n"), "%s", buf);
    cr_expect(strstr(buf, "    back end: 2 taken, 2 answered, 1 out of order, 1 failed, "
                     "0 unmatched, 0 waiting\n"), "%s", buf);
    cr_expect(strstr(buf, "    packets: to_guest=1 forward=1 drop_nobody=1, onto its ring=1\n"),
              "%s", buf);
    cr_expect(strstr(buf, "  irq 14: 2 interrupts, events at d0 port 3\n"), "%s", buf);
    free(buf);
}

/* The window sequence chart (hvtrace dot sequence) draws ring I/O too. */
Test(hvtrace_dot, sequence_window_shows_ring_io)
{
    build();
    struct hvt_dot_opts o = { .kind = HVT_DOT_SEQUENCE, .from = 8, .count = 16 };
    char err[256] = "", *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = hvt_dot_write(f, &tr, &o, err, sizeof err);
    fclose(f);
    cr_assert_eq(rc, 0, "%s", err);
    cr_expect(strstr(buf, "#9 ring_push dev 1 requests (notify)"), "%s", buf);
    cr_expect(strstr(buf, "#10 ring_push dev 1 requests (suppressed)"), "%s", buf);
    cr_expect(strstr(buf, "#13 io_req dev 1 id 70 read"), "%s", buf);
    cr_expect(strstr(buf, "p33_7 -> p0_7 [label=\"#15 pirq irq 14\""), "from the hypervisor "
              "to d0:\n%s", buf);
    cr_expect(strstr(buf, "#16 io_rsp dev 1 id 71 write"), "%s", buf);
    free(buf);
}

/* Perfetto: each request taken is an async slice ended by its own answer,
 * out of order as it happened. */
Test(hvtrace_chrome, io_requests_are_async_slices)
{
    build();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(hvt_chrome_write(f, &tr), 0);
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    cr_assert_not_null(j, "not JSON:\n%s", buf);
    cJSON *e;
    int begin70 = -1, begin71 = -1, end_first = -1, ends = 0, irqs = 0, io_row = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "traceEvents")) {
        const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "name"));
        cJSON *args = cJSON_GetObjectItem(e, "args");
        if (!strcmp(ph, "M") && !strcmp(name, "thread_name") &&
            !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(args, "name")), "I/O"))
            io_row++;
        if (!strcmp(ph, "b")) {
            int rid = cJSON_GetObjectItem(args, "id")->valueint;
            int aid = cJSON_GetObjectItem(e, "id")->valueint;
            if (rid == 70) begin70 = aid;
            if (rid == 71) begin71 = aid;
        } else if (!strcmp(ph, "e")) {
            if (end_first < 0)
                end_first = cJSON_GetObjectItem(e, "id")->valueint;
            ends++;
        } else if (!strcmp(ph, "i") && !strncmp(name, "irq ", 4)) {
            irqs++;
        }
    }
    cr_expect_gt(io_row, 0, "an I/O row");
    cr_expect(begin70 > 0 && begin71 > 0 && begin70 != begin71);
    cr_expect_eq(end_first, begin71, "71 answered first");
    cr_expect_eq(ends, 2, "the two block requests (the net device's tx is never answered)");
    cr_expect_eq(irqs, 3);
    cJSON_Delete(j);
    free(buf);
}

/* The network back end as it really writes its notes (net-split): the
 * transmit request taken and answered, the packet copied into the
 * receiver's buffer and pushed, and only then the net_pkt record. */
Test(hvtrace_seq, a_forwarded_packet_delivered_before_its_record)
{
    memset(&tr, 0, sizeof tr);
    tr.recs = recs;
    tr.tsc_khz = 1000;
    R(0, TRC_DEV_CREATE, 5, 2, 4, 1, 0, 0, 0, 0);             /* 0: net d1 */
    R(0, TRC_DEV_CREATE, 5, 3, 4, 2, 0, 0, 0, 0);             /* 1: net d2 */
    R(1, TRC_DEV_PUBLISH, 5, 2, 0, 1, 4, 0, 0, 0);            /* 2 */
    R(2, TRC_DEV_PUBLISH, 5, 3, 0, 1, 4, 0, 0, 0);            /* 3 */
    R(0, TRC_EVTCHN_OP, 5, 0, 6, 1, 4, 0, 0, 0);              /* 4: d0 port 6 <-> d1 port 4 */
    R(0, TRC_EVTCHN_OP, 5, 0, 7, 2, 4, 0, 0, 0);              /* 5: d0 port 7 <-> d2 port 4 */
    R(1, TRC_RING_PUSH, 7, 2, 0, 19, 2, 18, 3, 0);            /* 6: d1 pushes, suppressed */
    R(0, TRC_IO_REQ, 6, 2, 1, 256, 3, 0, 60, 0);              /* 7: tx taken */
    R(0, TRC_GNT_COPY, 7, 1, 0x12, 0, 0x3918, 60, 0, 0);      /* 8: d1 -> d0 */
    R(0, TRC_IO_RSP, 5, 2, 1, 256, 3, 60, 0, 0);              /* 9: tx answered */
    R(0, TRC_GNT_COPY, 7, 0, 0x3918, 2, 0x3, 60, 0, 0);       /* 10: d0 -> d2 */
    R(0, TRC_IO_RSP, 5, 3, 1, 1, 4, 60, 0, 0);                /* 11: d2's buffer 1 */
    R(0, TRC_EVTCHN_SEND, 4, 7, 2, 4, 0, 0, 0, 0);            /* 12 */
    R(0, TRC_RING_PUSH, 7, 3, 1, 18, 2, 19, 2, 1);            /* 13: to d2, sent */
    R(0, TRC_NET_PKT, 7, 2, IP(10, 0, 2, 16), IP(10, 0, 2, 17), 17, 60, 3, 3); /* 14 */
    R(0, TRC_EVTCHN_SEND, 4, 6, 1, 4, 0, 0, 0, 0);            /* 15 */
    R(0, TRC_RING_PUSH, 7, 2, 1, 19, 3, 20, 3, 1);            /* 16: d1's tx answer */
    struct hvt_seq_opts o = { .pkt = 1 };
    char err[256] = "";
    int rc;
    char *text = seq_text(&o, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    const char *order[] = {
        "ring_push requests: req_prod=19 (notify=suppressed)",
        "io_req id=256 tx len=60 (taken)",
        "gnt_copy 60 bytes d1 -> d0 = 0",
        "io_rsp id=256 tx status=60 (answered)",
        "gnt_copy 60 bytes d0 -> d2 = 0",
        "io_rsp id=1 rx on dev 3 status=60 (a receive buffer filled)",
        "evtchn_send port 7 -> d2 port 4",
        "ring_push responses: rsp_prod=2 (notify=sent)",
        "net_pkt 10.0.2.16 -> 10.0.2.17 proto 17 len 60: forward to dev 3",
        "evtchn_send port 6 -> d1 port 4",
        "ring_push responses: rsp_prod=3 (notify=sent)",
    };
    expect_in_order(text, order, (int)(sizeof order / sizeof order[0]));
    cr_expect(strstr(text, "packet 1: 10.0.2.16 -> 10.0.2.17, forward (from a domU's front end)"),
              "%s", text);
    free(text);
}

/* A split console: its front end notes its output pushes, its back end
 * writes the bytes to the serial line (cons_write); a refused write adds
 * nothing. */
Test(hvtrace_rings, console_notes_and_writes)
{
    memset(&tr, 0, sizeof tr);
    tr.recs = recs;
    R(0, TRC_DEV_CREATE, 5, 1, 2, 1, 0, 0, 0, 0);
    R(1, TRC_IO_REQ, 6, 1, 0, 1, 5, 1, 74, 0);                /* front: cons_out */
    R(1, TRC_IO_REQ, 6, 1, 0, 2, 5, 0, 41, 0);
    R(0, TRC_IO_REQ, 6, 1, 1, 1, 6, 1, 46, 0);                /* back: cons_in */
    R(0, TRC_CONS_WRITE, 5, 1, 1, 115, 2, 115, 0, 0);
    R(0, TRC_CONS_WRITE, 5, 1, 1, 9, 1, (uint32_t)-14, 0, 0);  /* -EFAULT */
    struct hvt_model m;
    hvt_model_init(&m);
    for (size_t i = 0; i < tr.n; i++)
        hvt_model_feed(&m, &tr.recs[i]);
    cr_expect_eq(m.dev[1].io_front, 2);
    cr_expect_eq(m.dev[1].io_taken, 1);
    cr_expect_eq(m.dev[1].io_answered, 0);
    cr_expect_eq(m.dev[1].cons_bytes, 115);
    cr_expect_eq(m.dev[1].cons_lines, 2);
}
