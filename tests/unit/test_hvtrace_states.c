/*
 * tests/unit/test_hvtrace_states.c — VM states in the tracer: the state
 * model's VM state machine (dom_state records), `hvtrace stats`' time in
 * each state and `hvtrace dot vmstates`' diagram.
 *
 * Where this sits in the story (course: VM states — running, blocked,
 * paused, suspended, inactive; the toolstack in dom0 creates, pauses and
 * destroys domains): what the live view, the summary and the diagram show
 * must be what the hypervisor's dom_state records say.  A domain's life is
 * written here record by record, as the hypervisor writes it
 * (hv/core/domain.c: domain_set_state): created paused, unpaused, blocked,
 * paused while blocked, dead, destroyed, and the same id created again —
 * and records lost in between.  The recorded toolstack-lifecycle run
 * (tests/fixtures/toolstack-lifecycle.bin: d1 created three times in one
 * slot, paused for 20 ms) checks the same on a real trace, and its diagram
 * is given to Graphviz's `dot`.
 * (Run from the repository root, as tests/run-all.sh does.)
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

#define LIFECYCLE "tests/fixtures/toolstack-lifecycle.bin"

enum {
    INACTIVE = DOMCTL_STATE_NONE, RUNNING = DOMCTL_STATE_RUNNABLE,
    BLOCKED = DOMCTL_STATE_BLOCKED, DEAD = DOMCTL_STATE_DEAD, PAUSED = DOMCTL_STATE_PAUSED,
};

/* A trace built in memory: one record at a time, at the tsc given. */
static struct trace_record recs[64];
static struct hvt_trace tr;

static void R(uint64_t tsc, uint16_t dom, uint16_t event, int n, uint32_t a0, uint32_t a1,
              uint32_t a2)
{
    cr_assert_lt(tr.n, 64);
    struct trace_record *r = &recs[tr.n];
    memset(r, 0, sizeof *r);
    r->seq = (uint32_t)tr.n;
    r->tsc = tsc;
    r->event = event;
    r->domain = dom;
    r->nargs = (uint8_t)n;
    uint32_t a[3] = { a0, a1, a2 };
    for (int i = 0; i < n && i < 3; i++)
        r->args[i] = a[i];
    tr.n++;
}

static void ST(uint64_t tsc, uint16_t dom, uint32_t old, uint32_t new)
{
    R(tsc, dom, TRC_DOM_STATE, 2, old, new, 0);
}

static void model_of(struct hvt_model *m, const struct hvt_trace *t)
{
    hvt_model_init(m);
    for (size_t i = 0; i < t->n; i++)
        hvt_model_feed(m, &t->recs[i]);
    hvt_model_finish(m, m->last_tsc);
}

static struct hvt_trace load(const char *path)
{
    struct hvt_trace t;
    char err[256];
    cr_assert_eq(hvt_trace_load(&t, path, NULL, NULL, err, sizeof err), 0, "%s: %s", path, err);
    cr_assert_gt(t.n, 0);
    return t;
}

/* Run an exporter into a string (malloc'd). */
static char *stats_text(const struct hvt_trace *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hvt_stats_print(f, t);
    fclose(f);
    return buf;
}

static char *dot_text(const struct hvt_trace *t, enum hvt_dot_kind kind, int *rc, char *err,
                      size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    struct hvt_dot_opts o = { .kind = kind };
    FILE *f = open_memstream(&buf, &len);
    *rc = hvt_dot_write(f, t, &o, err, errlen);
    fclose(f);
    return buf;
}

static void dot_parses(const char *text)
{
    char path[] = "/tmp/hvkit-vmstates-XXXXXX";
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

/*
 * d1's two lives in slot 1, as the toolstack makes them (tsc in ticks,
 * tsc_khz 1000: a tick is a microsecond):
 *   100 create     inactive -> paused          (dom_create after it)
 *   200 unpause    paused -> running
 *   250 dom_start  (the scheduling machine: runnable)
 *   300 block      running -> blocked
 *   400 pause      blocked -> paused
 *   600 unpause    paused -> running
 *   700 poweroff   running -> dead             (dom_shutdown)
 *   800 destroy    dead -> inactive
 *   900 create     inactive -> paused          (the id again: a new life)
 *  1000 destroy    paused -> dead, dead -> inactive
 *  1100 (the last record: d0's)
 */
static void two_lives(void)
{
    memset(&tr, 0, sizeof tr);
    tr.recs = recs;
    tr.tsc_khz = 1000;
    ST(100, 1, INACTIVE, PAUSED);
    R(100, 1, TRC_DOM_CREATE, 3, 1, 0, 0);
    ST(200, 1, PAUSED, RUNNING);
    R(250, 1, TRC_DOM_START, 3, 1, 0xc0000000, 0);
    ST(300, 1, RUNNING, BLOCKED);
    R(300, 1, TRC_BLOCK, 1, 1, 0, 0);
    ST(400, 1, BLOCKED, PAUSED);
    ST(600, 1, PAUSED, RUNNING);
    ST(700, 1, RUNNING, DEAD);
    R(700, 1, TRC_DOM_SHUTDOWN, 2, 1, 0, 0);
    ST(800, 1, DEAD, INACTIVE);
    ST(900, 1, INACTIVE, PAUSED);
    R(900, 1, TRC_DOM_CREATE, 3, 1, 0, 0);
    ST(1000, 1, PAUSED, DEAD);
    R(1000, 1, TRC_DOM_SHUTDOWN, 2, 1, 5, 0);
    ST(1000, 1, DEAD, INACTIVE);
    R(1100, 0, TRC_HYPERCALL, 3, 40, 0, 0);
}

Test(hvtrace_vmstates, two_lives_in_one_slot)
{
    static struct hvt_model m;
    two_lives();
    model_of(&m, &tr);
    const struct hvt_dom *d = &m.dom[1];
    cr_assert(d->vm_known);
    cr_assert_eq(d->vm_state, INACTIVE, "destroyed at the end");
    cr_assert_eq(d->vm_lives, 2);
    cr_assert_eq(d->vm_destroys, 2);
    cr_assert_eq(d->vm_mismatch, 0);
    cr_assert_eq(d->vm_trans[INACTIVE][PAUSED], 2, "created paused, twice");
    cr_assert_eq(d->vm_trans[PAUSED][RUNNING], 2);
    cr_assert_eq(d->vm_trans[BLOCKED][PAUSED], 1, "paused while blocked");
    cr_assert_eq(d->vm_trans[RUNNING][BLOCKED], 1);
    cr_assert_eq(d->vm_trans[RUNNING][DEAD], 1);
    cr_assert_eq(d->vm_trans[PAUSED][DEAD], 1, "destroyed before it ran");
    cr_assert_eq(d->vm_trans[DEAD][INACTIVE], 2);
    /* Time in each state, from the first record (100) to the end (1100). */
    cr_assert_eq(d->vm_time[PAUSED], (200 - 100) + (600 - 400) + (1000 - 900));
    cr_assert_eq(d->vm_time[RUNNING], (300 - 200) + (700 - 600));
    cr_assert_eq(d->vm_time[BLOCKED], 400 - 300);
    cr_assert_eq(d->vm_time[DEAD], 800 - 700);
    cr_assert_eq(d->vm_time[INACTIVE], (900 - 800) + (1100 - 1000));
    uint64_t sum = 0;
    for (int s = 0; s < HVT_NVMSTATES; s++)
        sum += d->vm_time[s];
    cr_assert_eq(sum, 1100 - 100, "every tick in exactly one state");
    cr_assert_str_eq(hvt_dom_state_text(d), "inactive");
    /* The scheduling machine forgot the first life at its destroy: the
     * second one starts from none, not from the first one's dead. */
    cr_assert_eq(d->state, HVT_S_NONE);
    cr_assert_eq(d->trans[HVT_S_DEAD][HVT_S_NONE], 0, "a destroy is no transition");
    cr_assert_eq(d->trans[HVT_S_NONE][HVT_S_RUNNABLE], 1, "the first life's dom_start");
    /* d0 wrote no dom_state: its state is the scheduling machine's. */
    cr_assert(!m.dom[0].vm_known);
    cr_assert_str_eq(hvt_dom_state_text(&m.dom[0]), hvt_state_name(m.dom[0].state));
}

Test(hvtrace_vmstates, paused_now)
{
    static struct hvt_model m;
    two_lives();
    tr.n = 7;                   /* up to the pause at 400 */
    hvt_model_init(&m);
    for (size_t i = 0; i < tr.n; i++)
        hvt_model_feed(&m, &tr.recs[i]);
    cr_assert_eq(m.dom[1].vm_state, PAUSED);
    cr_assert_str_eq(hvt_dom_state_text(&m.dom[1]), "paused");
    cr_assert_eq(m.dom[1].vm_lives, 1);
    cr_assert_eq(m.dom[1].vm_since, 400, "paused since the record");
}

/* A record lost in between: the record's old state is believed (and the
 * gap counted), and its time goes to the state we had. */
Test(hvtrace_vmstates, lost_records_are_counted)
{
    static struct hvt_model m;
    memset(&tr, 0, sizeof tr);
    tr.recs = recs;
    tr.tsc_khz = 1000;
    ST(100, 2, INACTIVE, PAUSED);
    /* lost: paused -> running at 200 */
    ST(300, 2, RUNNING, PAUSED);
    ST(400, 2, PAUSED, RUNNING);
    R(400, 2, TRC_DOM_STATE, 2, 9, RUNNING, 0);   /* no such state: ignored */
    model_of(&m, &tr);
    cr_assert_eq(m.dom[2].vm_mismatch, 1);
    cr_assert_eq(m.dom[2].vm_state, RUNNING);
    cr_assert_eq(m.dom[2].vm_trans[RUNNING][PAUSED], 1);
    cr_assert_eq(m.dom[2].vm_trans[PAUSED][RUNNING], 1);
    cr_assert_eq(m.dom[2].vm_time[PAUSED], (300 - 100) + (400 - 300));
}

/* The names are trace-events.def's, and there is one for every state the
 * hypervisor has (public/domctl.h). */
Test(hvtrace_vmstates, names_are_the_def_files)
{
    cr_assert_str_eq(hvt_vmstate_name(DOMCTL_STATE_NONE), "inactive");
    cr_assert_str_eq(hvt_vmstate_name(DOMCTL_STATE_RUNNABLE), "running");
    cr_assert_str_eq(hvt_vmstate_name(DOMCTL_STATE_PAUSED), "paused");
    cr_assert_str_eq(hvt_vmstate_name(DOMCTL_STATE_SUSPENDED), "suspended");
    for (uint32_t s = 0; s < HVT_NVMSTATES; s++)
        cr_assert_str_neq(hvt_vmstate_name(s), "?", "state %u has no name", s);
    cr_assert_str_eq(hvt_vmstate_name(HVT_NVMSTATES), "?");
}

Test(hvtrace_vmstates, stats_and_diagram)
{
    char err[256] = "";
    int rc;
    two_lives();
    char *s = stats_text(&tr);
    cr_assert(strstr(s, "VM states") != NULL, "%s", s);
    /* d1: inactive 200, running 200, blocked 100, dead 100, paused 400 us. */
    cr_assert(strstr(s, "d1          200.0       200.0       100.0       100.0       400.0"
                        "         0.0     2        2  inactive") != NULL, "%s", s);
    cr_assert(strstr(s, "blocked->paused=1") != NULL, "%s", s);
    free(s);
    char *g = dot_text(&tr, HVT_DOT_VMSTATES, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_assert(strstr(g, "d1: 2 lives, 2 destroys; now inactive") != NULL, "%s", g);
    cr_assert(strstr(g, "d1_blocked -> d1_paused [label=\"\xc3\x97" "1\"") != NULL, "%s", g);
    cr_assert(strstr(g, "d1_inactive -> d1_paused [label=\"\xc3\x97" "2\"") != NULL, "%s", g);
    cr_assert(strstr(g, "d1_paused [label=\"paused\\n400 us\"") != NULL, "%s", g);
    cr_assert(strstr(g, "d0_") == NULL, "d0 has no VM-state records: no diagram");
    cr_assert(strstr(g, "suspended") == NULL, "a state never seen is not drawn");
    dot_parses(g);
    free(g);
}

Test(hvtrace_vmstates, no_records_no_diagram)
{
    char err[256] = "";
    int rc;
    memset(&tr, 0, sizeof tr);
    tr.recs = recs;
    R(100, 0, TRC_HYPERCALL, 3, 40, 0, 0);
    char *g = dot_text(&tr, HVT_DOT_VMSTATES, &rc, err, sizeof err);
    cr_assert_eq(rc, -1);
    cr_assert(strstr(err, "no dom_state records") != NULL, "%s", err);
    free(g);
    enum hvt_dot_kind k;
    cr_assert_eq(hvt_dot_kind_parse("vmstates", &k), 0);
    cr_assert_eq(k, HVT_DOT_VMSTATES);
}

/* The recorded run: xl in dom0 creates "web" (d1), pauses it for 20 ms of
 * guest time (`sleep 20`), unpauses it, destroys it after it powers off;
 * then from the console a "web" whose load is refused (destroyed while
 * paused) and a third destroyed while it runs: three lives in slot 1. */
Test(hvtrace_vmstates, recorded_toolstack_lifecycle)
{
    struct hvt_trace t = load(LIFECYCLE);
    static struct hvt_model m;
    model_of(&m, &t);
    const struct hvt_dom *d1 = &m.dom[1], *d0 = &m.dom[0];
    cr_assert_eq(m.lost + t.missing, 0);
    cr_assert_eq(d1->vm_lives, 3);
    cr_assert_eq(d1->vm_destroys, 3);
    cr_assert_eq(d1->vm_state, INACTIVE);
    cr_assert_eq(d1->vm_mismatch, 0, "each record follows on from the one before");
    cr_assert_eq(d1->vm_trans[INACTIVE][PAUSED], 3, "every create leaves it paused");
    cr_assert_eq(d1->vm_trans[PAUSED][RUNNING], 3, "two creates' unpauses and the unpause");
    cr_assert_eq(d1->vm_trans[RUNNING][PAUSED] + d1->vm_trans[BLOCKED][PAUSED], 1,
                 "paused once by xl's pause");
    cr_assert_eq(d1->vm_trans[PAUSED][DEAD], 1, "the refused load: destroyed while paused");
    cr_assert_eq(d1->vm_trans[DEAD][INACTIVE], 3);
    /* `sleep 20` while paused: at least 20 ms in paused. */
    cr_assert_geq(hvt_tsc_to_us(d1->vm_time[PAUSED], t.tsc_khz), 20000.0);
    cr_assert_lt(hvt_tsc_to_us(d1->vm_time[PAUSED], t.tsc_khz), 30000.0);
    /* dom0: one life, never paused, ends dead (it powers off last). */
    cr_assert_eq(d0->vm_lives, 1);
    cr_assert_eq(d0->vm_state, DEAD);
    cr_assert_eq(d0->vm_time[PAUSED], 0);
    cr_assert_eq(d0->vm_trans[RUNNING][BLOCKED], d0->vm_trans[BLOCKED][RUNNING]);
    /* The dom_state running <-> blocked records agree with block: each
     * block record of d1 comes with a running -> blocked. */
    uint64_t blocks = 0;
    for (size_t i = 0; i < t.n; i++)
        blocks += t.recs[i].event == TRC_BLOCK && t.recs[i].args[0] == 1;
    cr_assert_eq(d1->vm_trans[RUNNING][BLOCKED], blocks);

    char err[256] = "";
    int rc;
    char *g = dot_text(&t, HVT_DOT_VMSTATES, &rc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    cr_assert(strstr(g, "d1_inactive -> d1_paused [label=\"\xc3\x97" "3\"") != NULL, "%s", g);
    cr_assert(strstr(g, "d1_paused -> d1_running [label=\"\xc3\x97" "3\"") != NULL, "%s", g);
    cr_assert(strstr(g, "d1: 3 lives, 3 destroys; now inactive") != NULL, "%s", g);
    dot_parses(g);
    free(g);
    hvt_trace_free(&t);
}
