/*
 * tests/unit/test_hvtrace_exporters.c — the tracer's state model, filters
 * and exporters (stats, dot, chrome) on the checked-in fixtures.
 *
 * Where this sits in the story: the pictures a student is shown must say
 * what really happened.  So each test here loads a trace made by the kit
 * (tests/fixtures/: recorded from scenarios, or synthetic-mm-evt.bin written
 * with the hypervisor's real emitters) and checks a fact the trace implies:
 * how many hypercalls, which transitions, which page is mapped where.  The
 * DOT output is given to Graphviz's `dot`, the JSON to cJSON.
 * (Run from the repository root, as tests/run-all.sh does.)
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

#define TWO_DOMAINS "tests/fixtures/two-domains.bin"
#define SYNTH       "tests/fixtures/synthetic-mm-evt.bin"
#define BAD_HCALLS  "tests/fixtures/bad-hypercalls.bin"

static struct hvt_trace load(const char *path)
{
    struct hvt_trace t;
    char err[256];
    cr_assert_eq(hvt_trace_load(&t, path, NULL, NULL, err, sizeof err), 0,
                 "%s: %s", path, err);
    cr_assert_gt(t.n, 0);
    return t;
}

static void model_of(struct hvt_model *m, const struct hvt_trace *t)
{
    hvt_model_init(m);
    for (size_t i = 0; i < t->n; i++)
        hvt_model_feed(m, &t->recs[i]);
    hvt_model_finish(m, m->last_tsc);
}

/* Run an exporter into a string (malloc'd). */
static char *capture(int (*fn)(FILE *, void *), void *arg, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *rc = fn(f, arg);
    fclose(f);
    return buf;
}

struct dot_args { const struct hvt_trace *t; struct hvt_dot_opts o; char err[256]; };
static int run_dot(FILE *f, void *a)
{
    struct dot_args *d = a;
    return hvt_dot_write(f, d->t, &d->o, d->err, sizeof d->err);
}
static int run_chrome(FILE *f, void *a) { return hvt_chrome_write(f, a); }
static int run_stats(FILE *f, void *a) { hvt_stats_print(f, a); return 0; }

/* Graphviz must accept the text: `dot -Tsvg` exits 0. */
static void assert_dot_accepts(const char *text)
{
    char path[] = "/tmp/hvkit-test-dot-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "dot -Tsvg -o /dev/null %s 2>&1", path);
    int rc = system(cmd);
    unlink(path);
    cr_assert_eq(rc, 0, "dot rejected the graph:\n%s", text);
}

/* ---- the state model ---------------------------------------------------------- */

Test(hvtrace_model, recorded_two_domains)
{
    struct hvt_trace t = load(TWO_DOMAINS);
    static struct hvt_model m;
    model_of(&m, &t);
    /* The two-domains scenario: each domain makes 21 hypercalls, none
     * refused, yields 5 times, then powers off; the idle domain runs last. */
    cr_assert_eq(m.dom[0].hcall_total, 21);
    cr_assert_eq(m.dom[1].hcall_total, 21);
    cr_assert_eq(m.dom[0].hcall_rejects, 0);
    cr_assert_eq(m.dom[0].hcalls[18] + m.dom[0].hcalls[29] + m.dom[0].hcalls[0] +
                 m.dom[0].hcalls[3], 21);
    cr_assert_eq(m.dom[0].state, HVT_S_DEAD);
    cr_assert_eq(m.dom[1].state, HVT_S_DEAD);
    cr_assert_eq(m.dom[HVT_SLOT_IDLE].state, HVT_S_RUNNING);
    cr_assert_gt(m.dom[0].trans[HVT_S_RUNNING][HVT_S_RUNNABLE], 0, "d0 yielded");
    cr_assert_eq(m.dom[0].trans[HVT_S_RUNNING][HVT_S_RUNNABLE],
                 m.dom[0].trans[HVT_S_RUNNABLE][HVT_S_RUNNING],
                 "every yield of d0 was followed by it running again");
    cr_assert_gt(m.dom[0].time_in[HVT_S_RUNNING], 0);
    cr_assert_eq(m.lost, 0);
    hvt_trace_free(&t);
}

Test(hvtrace_model, synthetic_memory_and_events)
{
    struct hvt_trace t = load(SYNTH);
    static struct hvt_model m;
    model_of(&m, &t);
    cr_assert_eq(m.dom[0].hcall_total, 4);
    cr_assert_eq(m.dom[0].hcall_rejects, 1);
    cr_assert_eq(m.dom[0].mmu_updates, 2);
    cr_assert_eq(m.dom[0].mmu_rejects, 1);
    cr_assert_eq(m.mem_rules[5], 1, "one refusal by rule hv_slot");
    cr_assert_eq(m.dom[0].pins, 1);
    cr_assert_eq(m.evt_edges[0][1], 1, "d0 sent one event to d1");
    cr_assert_eq(m.evt_edges[1][0], 0, "d1's send was refused: no edge");
    cr_assert_eq(m.dom[1].evt_rejects, 1);
    cr_assert_eq(m.dom[1].evt_upcalls, 1);
    /* d1: ran, blocked, was woken (runnable), ran again. */
    cr_assert_eq(m.dom[1].trans[HVT_S_RUNNING][HVT_S_BLOCKED], 1);
    cr_assert_eq(m.dom[1].trans[HVT_S_BLOCKED][HVT_S_RUNNABLE], 1);
    cr_assert_eq(m.dom[1].trans[HVT_S_RUNNABLE][HVT_S_RUNNING], 2);
    hvt_trace_free(&t);
}

Test(hvtrace_model, lost_records_are_counted)
{
    struct trace_record r = { .tsc = 5, .seq = 9, .event = TRC_LOST, .domain = DOMID_HV,
                              .nargs = 1, .args = { 7 } };
    static struct hvt_model m;
    hvt_model_init(&m);
    hvt_model_feed(&m, &r);
    cr_assert_eq(m.lost, 7);
}

/* The hypervisor holds 32 domains (MAX_DOMAINS): the model keeps every one
 * apart, the highest included, and apart from idle and the hypervisor. */
Test(hvtrace_model, every_domain_the_hypervisor_holds_has_a_slot)
{
    for (uint32_t id = 0; id < 32; id++) {
        int slot = hvt_dom_slot(id);
        cr_assert(slot >= 0 && slot != HVT_SLOT_IDLE && slot != HVT_SLOT_HV, "d%u", id);
    }
    struct trace_record r = { .tsc = 5, .seq = 1, .event = TRC_DOM_CREATE, .domain = 31,
                              .nargs = 3, .args = { 31, 384, 0 } };
    static struct hvt_model m;
    hvt_model_init(&m);
    hvt_model_feed(&m, &r);
    cr_assert(m.dom[hvt_dom_slot(31)].seen);
}

/* ---- filters -------------------------------------------------------------------- */

static struct trace_record rec(uint16_t ev, uint16_t dom, uint32_t a0)
{
    struct trace_record r = { .event = ev, .domain = dom, .args = { a0 } };
    const struct hvt_event *e = hvt_event_by_id(ev);
    r.nargs = e ? e->nargs : 0;
    return r;
}

Test(hvtrace_filter, classes_domains_and_regex)
{
    struct hvt_filter f;
    char err[160];
    struct trace_record h0 = rec(TRC_HYPERCALL, 0, 18), h1 = rec(TRC_HYPERCALL, 1, 29),
                        s1 = rec(TRC_SCHEDULE, 1, 0);

    cr_assert_eq(hvt_filter_parse(&f, "", err, sizeof err), 0);
    cr_assert(hvt_filter_match(&f, &h0) && hvt_filter_match(&f, &s1), "empty passes all");
    hvt_filter_free(&f);

    cr_assert_eq(hvt_filter_parse(&f, "hcall d1", err, sizeof err), 0);
    cr_assert(!hvt_filter_match(&f, &h0), "wrong domain");
    cr_assert(hvt_filter_match(&f, &h1));
    cr_assert(!hvt_filter_match(&f, &s1), "wrong class");
    hvt_filter_free(&f);

    cr_assert_eq(hvt_filter_parse(&f, "hcall sched", err, sizeof err), 0);
    cr_assert(hvt_filter_match(&f, &h0) && hvt_filter_match(&f, &s1), "classes are OR-ed");
    hvt_filter_free(&f);

    cr_assert_eq(hvt_filter_parse(&f, "console_io", err, sizeof err), 0);
    cr_assert(hvt_filter_match(&f, &h0), "the dump line of h0 says console_io");
    cr_assert(!hvt_filter_match(&f, &h1), "h1 is sched_op");
    hvt_filter_free(&f);

    cr_assert_eq(hvt_filter_parse(&f, "nr=(sched|console)", err, sizeof err), 0);
    cr_assert(hvt_filter_match(&f, &h0) && hvt_filter_match(&f, &h1));
    hvt_filter_free(&f);
}

Test(hvtrace_filter, bad_regex_is_an_error_with_the_pattern)
{
    struct hvt_filter f;
    char err[160] = "";
    cr_assert_eq(hvt_filter_parse(&f, "hcall (unclosed", err, sizeof err), -1);
    cr_assert(strstr(err, "(unclosed") != NULL, "message: %s", err);
}

Test(hvtrace_filter, domain_words)
{
    cr_assert_eq(hvt_parse_dom("d0"), 0);
    cr_assert_eq(hvt_parse_dom("d12"), 12);
    cr_assert_eq(hvt_parse_dom("hv"), DOMID_HV);
    cr_assert_eq(hvt_parse_dom("idle"), DOMID_IDLE);
    cr_assert_eq(hvt_parse_dom("dx"), -1);
    cr_assert_eq(hvt_parse_dom("d1x"), -1);
    cr_assert_eq(hvt_parse_dom("sched"), -1);
}

/* ---- stats ------------------------------------------------------------------------- */

Test(hvtrace_stats, summary_of_a_recorded_run)
{
    struct hvt_trace t = load(TWO_DOMAINS);
    int rc;
    char *s = capture(run_stats, &t, &rc);
    cr_assert(strstr(s, "records 62") != NULL, "%s", s);
    cr_assert(strstr(s, "d0    21 calls, 0 refused") != NULL, "%s", s);
    cr_assert(strstr(s, "console_io=13") != NULL, "%s", s);
    cr_assert(strstr(s, "lost: 0 events") != NULL, "%s", s);
    free(s);
    hvt_trace_free(&t);
}

Test(hvtrace_stats, refusals_by_rule_and_sends)
{
    struct hvt_trace t = load(SYNTH);
    int rc;
    char *s = capture(run_stats, &t, &rc);
    cr_assert(strstr(s, "hv_slot") != NULL, "%s", s);
    cr_assert(strstr(s, "d0 -> d1  1") != NULL, "%s", s);
    free(s);
    hvt_trace_free(&t);
}

Test(hvtrace_stats, refused_hypercalls_of_the_bad_hypercalls_scenario)
{
    struct hvt_trace t = load(BAD_HCALLS);
    static struct hvt_model m;
    model_of(&m, &t);
    cr_assert_gt(m.dom[0].hcall_rejects, 0, "bad-hypercalls makes refused calls");
    hvt_trace_free(&t);
}

/* ---- dot -------------------------------------------------------------------------------- */

Test(hvtrace_dot, every_kind_is_accepted_by_graphviz)
{
    struct hvt_trace synth = load(SYNTH), two = load(TWO_DOMAINS);
    for (int k = 0; k < 4; k++) {
        struct dot_args a = { .t = k == HVT_DOT_PAGETABLE || k == HVT_DOT_TOPOLOGY ? &synth : &two,
                              .o = { .kind = (enum hvt_dot_kind)k } };
        int rc;
        char *s = capture(run_dot, &a, &rc);
        cr_assert_eq(rc, 0, "kind %d: %s", k, a.err);
        assert_dot_accepts(s);
        free(s);
    }
    hvt_trace_free(&synth);
    hvt_trace_free(&two);
}

Test(hvtrace_dot, pagetable_at_a_point_in_the_trace)
{
    struct hvt_trace t = load(SYNTH);
    /* Record 14 is the mmu_update that maps mfn 0x500 at entry 320. */
    cr_assert_eq(t.recs[14].event, TRC_MMU_UPDATE);
    struct dot_args before = { .t = &t, .o = { .kind = HVT_DOT_PAGETABLE, .dom = 0, .at = 14 } };
    struct dot_args after = { .t = &t, .o = { .kind = HVT_DOT_PAGETABLE, .dom = 0 } };
    int rc;
    char *b = capture(run_dot, &before, &rc);
    cr_assert_eq(rc, 0);
    char *a = capture(run_dot, &after, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(b, "mfn 0x500") == NULL, "not mapped yet:\n%s", b);
    cr_assert(strstr(a, "label=\"mfn 0x500\"") != NULL, "mapped:\n%s", a);
    cr_assert(strstr(a, "pfn 0x180") != NULL, "m2p_update gave its pfn:\n%s", a);
    /* Runs are collapsed: 256 entries in one row, the refused write absent. */
    cr_assert(strstr(a, "[0..255]") != NULL);
    cr_assert(strstr(a, "pfn 0x0-0xff") != NULL);
    /* A run gives its first machine frame only (consecutive pfns need not
     * be consecutive mfns): the rest are left to the p2m. */
    cr_assert(strstr(a, "mfn 0x200, ... (p2m)") != NULL, "%s", a);
    cr_assert(strstr(a, "0x600") == NULL, "a refused update must not appear");
    cr_assert(strstr(a, "(cr3)") != NULL, "new_baseptr marks the root");
    cr_assert(strstr(a, "va 0xc0000000-0xc00fffff") != NULL, "%s", a);
    free(a);
    free(b);
    hvt_trace_free(&t);
}

Test(hvtrace_dot, pagetable_without_memory_events_says_so)
{
    struct hvt_trace t = load(TWO_DOMAINS);
    struct dot_args a = { .t = &t, .o = { .kind = HVT_DOT_PAGETABLE, .dom = 0 } };
    int rc;
    char *s = capture(run_dot, &a, &rc);
    cr_assert_eq(rc, -1);
    cr_assert(strstr(a.err, "no page-table events") != NULL, "%s", a.err);
    free(s);
    hvt_trace_free(&t);
}

Test(hvtrace_dot, states_and_topology_carry_the_counts)
{
    struct hvt_trace t = load(SYNTH);
    struct dot_args st = { .t = &t, .o = { .kind = HVT_DOT_STATES } };
    struct dot_args tp = { .t = &t, .o = { .kind = HVT_DOT_TOPOLOGY } };
    int rc;
    char *s = capture(run_dot, &st, &rc);
    cr_assert(strstr(s, "d1_blocked -> d1_runnable [label=\"1\"]") != NULL, "%s", s);
    char *p = capture(run_dot, &tp, &rc);
    cr_assert(strstr(p, "d0 -> d1 [label=\"1 events\"") != NULL, "%s", p);
    cr_assert(strstr(p, "d0 -> hv [label=\"4 hypercalls\\n(1 refused)\"]") != NULL, "%s", p);
    free(s);
    free(p);
    hvt_trace_free(&t);
}

Test(hvtrace_dot, kind_names)
{
    enum hvt_dot_kind k;
    cr_assert_eq(hvt_dot_kind_parse("states", &k), 0);
    cr_assert_eq(k, HVT_DOT_STATES);
    cr_assert_eq(hvt_dot_kind_parse("pie", &k), -1);
}

/* ---- chrome JSON ---------------------------------------------------------------------- */

static cJSON *chrome_json(const char *path, struct hvt_trace *t)
{
    *t = load(path);
    int rc;
    char *s = capture(run_chrome, t, &rc);
    cr_assert_eq(rc, 0);
    cJSON *j = cJSON_Parse(s);
    cr_assert_not_null(j, "not JSON near: %.80s", cJSON_GetErrorPtr());
    free(s);
    return j;
}

Test(hvtrace_chrome, structure_sorted_and_nested)
{
    struct hvt_trace t;
    cJSON *j = chrome_json(TWO_DOMAINS, &t);
    cJSON *evs = cJSON_GetObjectItem(j, "traceEvents");
    cr_assert(cJSON_IsArray(evs));
    int names = 0, runs = 0, hcalls = 0;
    double last_ts = -1;
    double run_end[64] = { 0 };
    cJSON *e;
    cJSON_ArrayForEach(e, evs) {
        const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
        cr_assert_not_null(ph);
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(e, "pid")));
        if (strcmp(ph, "M") == 0) {
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "name")), "process_name") == 0)
                names++;
            continue;
        }
        double ts = cJSON_GetObjectItem(e, "ts")->valuedouble;
        cr_assert_geq(ts, last_ts, "events sorted by time");
        last_ts = ts;
        if (strcmp(ph, "X") != 0)
            continue;
        double dur = cJSON_GetObjectItem(e, "dur")->valuedouble;
        cr_assert_geq(dur, 0);
        int pid = cJSON_GetObjectItem(e, "pid")->valueint;
        int tid = cJSON_GetObjectItem(e, "tid")->valueint;
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "name"));
        if (tid == 1 && strcmp(name, "running") == 0) {
            /* A domain's runs never overlap: one CPU. */
            cr_assert_geq(ts + 1e-6, run_end[pid], "runs of pid %d overlap", pid);
            run_end[pid] = ts + dur;
            runs++;
        }
        if (tid == 2)
            hcalls++;
    }
    cr_assert_eq(names, 4, "d0, d1, idle, hv");
    cr_assert_eq(hcalls, 42);
    cr_assert_gt(runs, 10);
    cJSON_Delete(j);
    hvt_trace_free(&t);
}

Test(hvtrace_chrome, a_send_flows_to_its_upcall)
{
    struct hvt_trace t;
    cJSON *j = chrome_json(SYNTH, &t);
    cJSON *evs = cJSON_GetObjectItem(j, "traceEvents"), *e;
    int start_id = -1, end_id = -2, start_pid = 0, end_pid = 0;
    cJSON_ArrayForEach(e, evs) {
        const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
        if (strcmp(ph, "s") == 0) {
            start_id = cJSON_GetObjectItem(e, "id")->valueint;
            start_pid = cJSON_GetObjectItem(e, "pid")->valueint;
        } else if (strcmp(ph, "f") == 0) {
            end_id = cJSON_GetObjectItem(e, "id")->valueint;
            end_pid = cJSON_GetObjectItem(e, "pid")->valueint;
        }
    }
    cr_assert_eq(start_id, end_id, "one flow, from send to upcall");
    cr_assert_eq(start_pid, 1, "from d0 (pid 1)");
    cr_assert_eq(end_pid, 2, "to d1 (pid 2)");
    cJSON_Delete(j);
    hvt_trace_free(&t);
}

/* ---- damaged files ----------------------------------------------------------------------- */

static void no_report(void *ctx, const struct hvt_problem *p)
{
    char *last = ctx;
    snprintf(last, 256, "%s", p->msg);
}

Test(hvtrace_load, truncated_fixture_keeps_the_whole_records_and_says_where)
{
    FILE *in = fopen(TWO_DOMAINS, "rb");
    cr_assert_not_null(in);
    static unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    char path[] = "/tmp/hvkit-test-trunc-XXXXXX";
    int fd = mkstemp(path);
    size_t keep = 64 + 10 * 48 + 20;            /* 10 records and 20 bytes */
    cr_assert_lt(keep, n);
    cr_assert_eq(write(fd, buf, keep), (ssize_t)keep);
    close(fd);

    struct hvt_trace t;
    char err[256], last[256] = "";
    cr_assert_eq(hvt_trace_load(&t, path, no_report, last, err, sizeof err), 0);
    unlink(path);
    cr_assert_eq(t.n, 10);
    cr_assert_eq(t.nerrors, 1);
    cr_assert_str_eq(last, "offset 544: truncated final record (20 of 48 bytes)");
    hvt_trace_free(&t);
}

/* ---- recorded runs with the memory and event-channel events ---------------------- */

#define PINGPONG   "tests/fixtures/evtchn-pingpong.bin"
#define MM_ATTACKS "tests/fixtures/mm-attacks.bin"
#define TWO_MM     "tests/fixtures/two-domains-mm.bin"

Test(hvtrace_recorded, pingpong_edges_and_blocking)
{
    struct hvt_trace t = load(PINGPONG);
    static struct hvt_model m;
    model_of(&m, &t);
    /* evtchn-pingpong: d2 sends first, then they take turns, 201 sends. */
    cr_assert_eq(m.evt_edges[1][2], 100);
    cr_assert_eq(m.evt_edges[2][1], 101);
    cr_assert_eq(m.dom[1].evt_upcalls, 101);
    cr_assert_eq(m.dom[2].evt_upcalls, 100);
    /* Each turn a domain blocks and is woken by the other's send. */
    cr_assert_eq(m.dom[1].trans[HVT_S_RUNNING][HVT_S_BLOCKED], 101);
    cr_assert_eq(m.dom[1].trans[HVT_S_BLOCKED][HVT_S_RUNNABLE], 101);
    cr_assert_eq(m.dom[2].hcall_rejects, 2, "two refused binds (EBUSY, EINVAL)");
    hvt_trace_free(&t);
}

Test(hvtrace_recorded, pingpong_chrome_flows_pair_every_send_with_an_upcall)
{
    struct hvt_trace t;
    cJSON *j = chrome_json(PINGPONG, &t);
    cJSON *evs = cJSON_GetObjectItem(j, "traceEvents"), *e;
    static int starts[4096], ends[4096];
    int ns = 0, ne = 0;
    cJSON_ArrayForEach(e, evs) {
        const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
        if (strcmp(ph, "s") == 0 && ns < 4096)
            starts[ns++] = cJSON_GetObjectItem(e, "id")->valueint;
        else if (strcmp(ph, "f") == 0 && ne < 4096)
            ends[ne++] = cJSON_GetObjectItem(e, "id")->valueint;
    }
    cr_assert_eq(ns, 201, "one flow per successful send");
    cr_assert_eq(ne, 201, "each one reaches an upcall");
    for (int i = 0; i < ns; i++)
        cr_assert_eq(starts[i], ends[i], "flow %d ends in order", i);
    cJSON_Delete(j);
    hvt_trace_free(&t);
}

Test(hvtrace_recorded, mm_attacks_refusals_by_rule)
{
    struct hvt_trace t = load(MM_ATTACKS);
    static struct hvt_model m;
    model_of(&m, &t);
    /* The rules the mm-attacks scenario breaks, as its dump shows them. */
    cr_assert_eq(m.mem_rules[1], 2, "not_owner");
    cr_assert_eq(m.mem_rules[2], 3, "hv_frame");
    cr_assert_eq(m.mem_rules[3], 3, "pt_writable");
    cr_assert_eq(m.mem_rules[4], 1, "l2_needs_l1");
    cr_assert_eq(m.mem_rules[5], 2, "hv_slot");
    cr_assert_eq(m.mem_rules[6], 1, "large_page");
    cr_assert_eq(m.mem_rules[10], 2, "in_use");
    cr_assert_eq(m.mem_rules[12], 2, "bad_pointer");
    hvt_trace_free(&t);
}

Test(hvtrace_recorded, pagetable_of_a_real_domain)
{
    struct hvt_trace t = load(TWO_MM);
    struct dot_args a = { .t = &t, .o = { .kind = HVT_DOT_PAGETABLE, .dom = 0 } };
    int rc;
    char *s = capture(run_dot, &a, &rc);
    cr_assert_eq(rc, 0, "%s", a.err);
    /* The domain builder's snapshot: the kernel's 303 pages from pfn 0. */
    cr_assert(strstr(s, "(cr3)") != NULL, "%s", s);
    cr_assert(strstr(s, "[0..302]") != NULL, "%s", s);
    cr_assert(strstr(s, "pfn 0x0-0x12e") != NULL, "%s", s);
    cr_assert(strstr(s, "va 0xc0000000-0xc012efff") != NULL, "%s", s);
    assert_dot_accepts(s);
    free(s);
    hvt_trace_free(&t);
}

/* ---- split devices, rings and grants (grant-echo.bin) ------------------------ */

#define GRANT_ECHO "tests/fixtures/grant-echo.bin"

/* The grant-echo scenario: dom0 serves an echo device for d1 and one for
 * d2; each front end sends 64 requests in batches of 8, pushing each one,
 * so the back end is notified once a batch and 7 pushes are suppressed;
 * dom0 answers each batch in one push and maps each ring once, copying
 * twice per request. */
Test(hvtrace_model, devices_rings_and_grants)
{
    struct hvt_trace t = load(GRANT_ECHO);
    struct hvt_model m;
    model_of(&m, &t);
    for (uint32_t id = 1; id <= 2; id++) {
        const struct hvt_device *v = &m.dev[id];
        cr_assert(v->seen, "device %u", id);
        cr_expect_eq(v->type, 1, "an echo device");
        cr_expect_eq(v->dom[0], id, "device %u's front end is d%u", id, id);
        cr_expect_eq(v->dom[1], 0, "its back end is dom0");
        cr_expect_eq(v->state[0], 6, "front end closed at the end");
        cr_expect_eq(v->state[1], 6, "back end closed at the end");
        cr_expect_eq(v->req_prod, 64);
        cr_expect_eq(v->rsp_prod, 64);
        cr_expect_eq(v->pushes[0], 64, "one push per request");
        cr_expect_eq(v->sent[0], 8, "one notification per batch");
        cr_expect_eq(v->suppressed[0], 56, "the other pushes found the back end busy");
        cr_expect_eq(v->pushes[1], 8, "one push of responses per batch");
        cr_expect_eq(m.grant_maps[0][id], 1, "dom0 mapped d%u's ring once", id);
        cr_expect_eq(m.grant_held[0][id], 0, "and unmapped it");
        cr_expect_eq(m.grant_copies[0][id], 128, "two copies per request");
    }
    cr_expect(!m.dev[3].seen);
    cr_expect_eq(m.dom[0].gnt_rejects, 0);
    cr_expect_gt(m.dom[0].gnt_ops, 256);
    cr_expect_eq(m.dom[1].dev_rejects, 0);
    hvt_trace_free(&t);
}

Test(hvtrace_dot, topology_shows_devices_and_grants)
{
    struct hvt_trace t = load(GRANT_ECHO);
    struct dot_args a = { .t = &t, .o = { .kind = HVT_DOT_TOPOLOGY } };
    int rc;
    char *text = capture(run_dot, &a, &rc);
    cr_assert_eq(rc, 0, "%s", a.err);
    cr_expect(strstr(text, "dev1 [label=\"echo device 1\\nring: 64 requests, 64 responses"),
              "device 1 and its ring:\n%s", text);
    cr_expect(strstr(text, "ring grant ref 1 (not mapped now by d0)"), "%s", text);
    cr_expect(strstr(text, "d1 -> dev1 [label=\"front end (closed)\\nport 4, 8 events in\""),
              "%s", text);
    cr_expect(strstr(text, "dev2 -> d0 [label=\"back end (closed)\\nport 6, 8 events in\""),
              "%s", text);
    cr_expect(strstr(text, "d0 -> d2 [label=\"grants: 1 mapped, 128 copies\\n(0 still mapped)\""));
    assert_dot_accepts(text);
    free(text);
    hvt_trace_free(&t);
}
