/*
 * tracer/live.c — `hvtrace live`: the trace as it happens, in a terminal.
 *
 * Where this sits in the story: this is what an instructor projects during a
 * lecture and what a student leaves open while their lab code runs.  It
 * reads records either from a running QEMU (the same RAM-file ring that
 * `hvtrace record` consumes: ramfile.c) or from a recorded trace file (-r),
 * replayed at a chosen speed with pause and single-step.  Every record goes
 * through the same state model as the exporters (model.c), and the screen
 * shows one of six views:
 *
 *   F1 log       one line per event (the dump line), coloured by class
 *   F2 counters  events per class and per domain, total and per second,
 *                and each domain's VM state (running, blocked, paused,
 *                dead, inactive: the dom_state records), how long it has
 *                been in it and its lives (an id reused after a destroy);
 *                a paused domain's row stands out, a destroyed one is dim
 *   F3 timeline  one strip per domain: running / runnable / blocked /
 *                paused, and the hypervisor's own activity
 *   F4 memory    page-table updates, pins, refusals and the rule that failed
 *   F5 events    event-channel sends (who to whom) and upcalls
 *   F6 rings     split devices (also the key i): each end's state, the
 *                ring's requests, responses and requests in flight, the
 *                notifications each side sent and suppressed; the ring's
 *                grant, each end's port and the events that arrived there;
 *                what the back end took and answered (io_req / io_rsp),
 *                answers out of order, a network device's packets by
 *                verdict; the grants mapped between domains and the device
 *                interrupts (pirq)
 *
 * The keys are the ones kvm_stat, xentop and csysdig users expect (h help,
 * f filter, p pause, s sort, r reset, / search, q quit).  The screen is
 * redrawn from the state on every tick, so a resize just redraws.
 * `-b` (batch) prints the counters as text instead: for scripts and tests.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <ncurses.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "hvtrace.h"

#define LOGN     4096       /* records kept for the log view */
#define TLCOLS   1024       /* timeline columns kept */
#define BATCH    512
#define TICK_MS  10         /* how often the ring is drained */
#define DRAW_MS  50         /* how often the screen is redrawn (20 a second) */

enum view { V_LOG, V_COUNTERS, V_TIMELINE, V_MEMORY, V_EVENTS, V_RINGS, NVIEWS };
static const char *view_names[NVIEWS] = { "log", "counters", "timeline", "memory", "events", "rings" };

enum sort_key { SORT_NAME, SORT_TOTAL, SORT_RATE, NSORTS };
static const char *sort_names[NSORTS] = { "name", "total", "rate" };

/* What one timeline column saw, per domain: a bit per state. */
#define TL_RUN   1
#define TL_READY 2
#define TL_BLOCK 4
#define TL_DEAD  8
#define TL_PAUSE 16

/* A domain's bit in a timeline column: the VM state's paused when the
 * trace says so (the scheduling machine does not know pauses), else the
 * scheduling state. */
static uint8_t tl_bits(const struct hvt_dom *d)
{
    if (d->vm_known && d->vm_state == DOMCTL_STATE_PAUSED)
        return TL_PAUSE;
    enum hvt_dstate st = d->state;
    return st == HVT_S_RUNNING ? TL_RUN : st == HVT_S_RUNNABLE ? TL_READY
         : st == HVT_S_BLOCKED ? TL_BLOCK : st == HVT_S_DEAD ? TL_DEAD : 0;
}

struct live {
    /* where records come from */
    int            replay;
    struct hvt_trace trace;         /* replay: the whole file */
    size_t         pos;             /* replay: next record */
    double         speed;           /* trace us per real us; 0 = no waiting */
    double         clock_us;        /* replay: trace time reached */
    const char    *ramfile;
    struct hvt_ram ram;
    /* live: how we know the run has ended (see run_has_ended) */
    pid_t          watch_pid;       /* --pid PID: the run ends when it exits */
    pid_t          writer;          /* the process found with the RAM file mapped:
                                       >0 its pid, 0 none, -1 cannot tell */
    int            writer_known;    /* looked for it (once, at the first attach) */
    char           writer_comm[32];
    double         last_end_check;
    int            run_over;        /* the run has ended: nothing more will come */
    char           end_why[320];    /* how we know */
    int            keep;            /* -k: keep the last screen after the end */
    FILE          *out;             /* live -o: copy of everything */
    uint32_t       ring_lost;
    const char    *source;          /* file name, for the header */
    uint32_t       tsc_khz;

    /* what has been seen */
    struct hvt_model model;         /* every record (states, memory, events) */
    uint64_t       total;           /* every record */
    uint64_t       missing;         /* seq gaps */
    uint32_t       next_seq;
    int            have_seq;
    uint64_t       first_tsc;
    int            have_first;
    /* counters of records that pass the filter (reset with r) */
    uint64_t       cls_total[HVT_NCLASS], cls_snap[HVT_NCLASS], cls_rate[HVT_NCLASS];
    uint64_t       dom_total[HVT_MAX_DOMS], dom_snap[HVT_MAX_DOMS], dom_rate[HVT_MAX_DOMS];
    uint64_t       all_snap, all_rate;
    double         last_snap;       /* real time of the last per-second snapshot */

    /* log of the latest records (all of them; the filter applies on show) */
    struct trace_record log[LOGN];
    uint64_t       nlog;
    int            scroll;          /* lines up from the newest; 0 = follow */

    /* timeline */
    uint64_t       tl_ticks;        /* tsc per column */
    uint64_t       tl_col;          /* current column number */
    uint8_t        tl[TLCOLS][HVT_MAX_DOMS];
    uint16_t       tl_hv[TLCOLS];   /* hypervisor events in the column */

    /* user state */
    enum view      view;
    enum sort_key  sort;
    int            paused, help, ended, quit;
    struct hvt_filter filter;
    int            has_search;
    regex_t        search;
    char           search_text[128];
    char           status[400];     /* one-off message for the bottom line */
    int            batch;
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static double now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

/* ---- taking in one record ---------------------------------------------------- */

static void tl_advance(struct live *L, uint64_t tsc)
{
    uint64_t col = (tsc - L->first_tsc) / L->tl_ticks;
    if (col < L->tl_col)
        return;
    /* Columns with no event keep the states as they were. */
    uint64_t from = L->tl_col, steps = col - L->tl_col;
    if (steps > TLCOLS)
        from = col - TLCOLS;
    for (uint64_t c = from + 1; c <= col; c++) {
        uint8_t *cell = L->tl[c % TLCOLS];
        for (int s = 0; s < HVT_MAX_DOMS; s++)
            cell[s] = tl_bits(&L->model.dom[s]);
        L->tl_hv[c % TLCOLS] = 0;
    }
    L->tl_col = col;
}

/* The counters count what passes the filter. */
static void count(struct live *L, const struct trace_record *r)
{
    if (!hvt_filter_match(&L->filter, r))
        return;
    unsigned cls = TRACE_CLASS_OF(r->event);
    if (cls < HVT_NCLASS)
        L->cls_total[cls]++;
    int slot = hvt_dom_slot(r->domain);
    if (slot >= 0)
        L->dom_total[slot]++;
}

static void take(struct live *L, const struct trace_record *r)
{
    if (!L->have_first) {
        L->first_tsc = r->tsc;
        L->have_first = 1;
        memset(L->tl, 0, sizeof L->tl);
        L->tl_col = 0;
    }
    if (L->have_seq && r->seq != L->next_seq && r->seq - L->next_seq < 0x80000000u)
        L->missing += r->seq - L->next_seq;
    L->next_seq = r->seq + 1;
    L->have_seq = 1;
    L->total++;

    if (r->tsc >= L->first_tsc)     /* before the origin: column 0 */
        tl_advance(L, r->tsc);
    hvt_model_feed(&L->model, r);
    /* Mark in the current column every state a domain passed through. */
    uint8_t *cell = L->tl[L->tl_col % TLCOLS];
    for (int s = 0; s < HVT_MAX_DOMS; s++)
        cell[s] |= tl_bits(&L->model.dom[s]);
    unsigned cls = TRACE_CLASS_OF(r->event);
    if (cls == TRACE_CLASS_HCALL || cls == TRACE_CLASS_TRAP || cls == TRACE_CLASS_MEM ||
        cls == TRACE_CLASS_EVT)
        L->tl_hv[L->tl_col % TLCOLS]++;

    L->log[L->nlog % LOGN] = *r;   /* every record: the filter applies on show */
    L->nlog++;
    count(L, r);
}

static uint64_t filtered_total(const struct live *L)
{
    uint64_t n = 0;
    for (int c = 0; c < HVT_NCLASS; c++)
        n += L->cls_total[c];
    return n;
}

static void snapshot_rates(struct live *L)
{
    double t = now_us();
    if (t - L->last_snap < 1e6)
        return;
    uint64_t all = filtered_total(L);
    for (int c = 0; c < HVT_NCLASS; c++) {
        L->cls_rate[c] = L->cls_total[c] - L->cls_snap[c];
        L->cls_snap[c] = L->cls_total[c];
    }
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        L->dom_rate[s] = L->dom_total[s] - L->dom_snap[s];
        L->dom_snap[s] = L->dom_total[s];
    }
    L->all_rate = all - L->all_snap;
    L->all_snap = all;
    L->last_snap = t;
}

static void reset_counters(struct live *L)
{
    memset(L->cls_total, 0, sizeof L->cls_total);
    memset(L->cls_snap, 0, sizeof L->cls_snap);
    memset(L->cls_rate, 0, sizeof L->cls_rate);
    memset(L->dom_total, 0, sizeof L->dom_total);
    memset(L->dom_snap, 0, sizeof L->dom_snap);
    memset(L->dom_rate, 0, sizeof L->dom_rate);
    L->all_snap = L->all_rate = 0;
}

/* A new filter: count again what was seen (replay: the whole trace so far;
 * live: the records still in the log), rates from the next second on. */
static void recount(struct live *L)
{
    reset_counters(L);
    if (L->replay) {
        for (size_t i = 0; i < L->pos; i++)
            count(L, &L->trace.recs[i]);
    } else {
        uint64_t have = L->nlog < LOGN ? L->nlog : LOGN;
        for (uint64_t k = L->nlog - have; k < L->nlog; k++)
            count(L, &L->log[k % LOGN]);
    }
    L->all_snap = filtered_total(L);
    for (int c = 0; c < HVT_NCLASS; c++)
        L->cls_snap[c] = L->cls_total[c];
    for (int d = 0; d < HVT_MAX_DOMS; d++)
        L->dom_snap[d] = L->dom_total[d];
}

/* ---- sources ------------------------------------------------------------------ */

/* Replay: take the records whose time has come (all of them at speed 0). */
static void replay_tick(struct live *L, double real_elapsed_us, int step)
{
    struct hvt_trace *t = &L->trace;
    if (L->pos >= t->n) {
        L->ended = 1;
        return;
    }
    if (step) {
        take(L, &t->recs[L->pos++]);
        L->clock_us = hvt_tsc_to_us(t->recs[L->pos - 1].tsc - t->recs[0].tsc, t->tsc_khz);
        return;
    }
    if (L->paused)
        return;
    if (L->speed <= 0) {
        while (L->pos < t->n)
            take(L, &t->recs[L->pos++]);
    } else {
        L->clock_us += real_elapsed_us * L->speed;
        while (L->pos < t->n &&
               hvt_tsc_to_us(t->recs[L->pos].tsc - t->recs[0].tsc, t->tsc_khz) <= L->clock_us)
            take(L, &t->recs[L->pos++]);
    }
    if (L->pos >= t->n)
        L->ended = 1;
}

/* Live: empty the ring (nothing is lost at our side while we keep up). */
static void live_tick(struct live *L)
{
    struct trace_record buf[BATCH];

    if (!L->ram.ring) {
        int a = hvt_ram_try_attach(&L->ram, L->ramfile);
        if (a <= 0) {
            snprintf(L->status, sizeof L->status, "waiting: %s", L->ram.why);
            if (a < 0)
                L->ended = 1;
            return;
        }
        L->tsc_khz = L->ram.tsc_khz;
        if (!L->tl_ticks)
            L->tl_ticks = L->tsc_khz ? (uint64_t)L->tsc_khz : 1000000;  /* 1 ms */
        if (L->out && ftell(L->out) == 0)
            hvt_write_header(L->out, L->tsc_khz);
        snprintf(L->status, sizeof L->status, "attached: ring of %u records", L->ram.nr_records);
        if (!L->writer_known && !L->watch_pid) {
            L->writer = hvt_ram_writer(&L->ram);
            if (L->writer > 0)
                hvt_pid_comm(L->writer, L->writer_comm, sizeof L->writer_comm);
            L->writer_known = 1;
        }
    }
    long n;
    while ((n = hvt_ram_drain(&L->ram, buf, BATCH)) > 0) {
        if (L->out)
            fwrite(buf, sizeof buf[0], (size_t)n, L->out);
        for (long i = 0; i < n; i++)
            take(L, &buf[i]);
        if (n < BATCH)
            break;
    }
    if (n < 0) {
        snprintf(L->status, sizeof L->status, "%s; looking again", L->ram.why);
        L->ram.ring = NULL;
    } else if (L->ram.ring) {
        L->ring_lost = hvt_ram_lost(&L->ram);
    }
    if (L->out)
        fflush(L->out);
}

/*
 * Live: has the run ended?  The RAM file stays when QEMU exits, with the
 * last run's ring in it, and nothing in it says "finished"; so we watch the
 * process that writes it instead, as `hvtrace record --pid` does:
 *   - with --pid PID (a harness that knows QEMU's pid), that process;
 *   - else the process found, when we attached, with the file mapped;
 *   - not found (none, or processes we may not look at): ask the kernel
 *     whether anyone else still has the file open (hvt_ram_shared); nobody
 *     means the run is over, or was over before we came (a left-over file:
 *     we read what is still in its ring, then stop);
 *   - cannot tell that either: the file deleted (tools/run.sh deletes it
 *     after QEMU) is the last sign.
 * Looked at ten times a second: cheap, and a prompt end.  Fills end_why.
 */
static int run_has_ended(struct live *L)
{
    double t = now_us();
    if (t - L->last_end_check < 100000)
        return 0;
    L->last_end_check = t;

    if (L->watch_pid > 0) {
        if (!hvt_pid_gone(L->watch_pid))
            return 0;
        snprintf(L->end_why, sizeof L->end_why, "process %d (--pid) has exited",
                 (int)L->watch_pid);
        return 1;
    }
    if (!L->writer_known)
        return 0;           /* not attached yet: wait for the run, as always */
    if (L->writer > 0) {
        if (!hvt_pid_gone(L->writer))
            return 0;
        snprintf(L->end_why, sizeof L->end_why,
                 "process %d (%s), which had %s mapped, has exited",
                 (int)L->writer, L->writer_comm, L->ramfile);
        return 1;
    }
    int shared = hvt_ram_shared(&L->ram);
    if (shared == 1)
        return 0;
    if (shared == 0 || L->writer == 0) {
        snprintf(L->end_why, sizeof L->end_why,
                 "no other process has %s open (QEMU has exited)", L->ramfile);
        return 1;
    }
    struct stat st;
    if (L->ram.fd >= 0 && fstat(L->ram.fd, &st) == 0 && st.st_nlink == 0) {
        snprintf(L->end_why, sizeof L->end_why, "%s was deleted", L->ramfile);
        return 1;
    }
    return 0;
}

/* Live: one poll.  The end is decided before draining, so that the drain
 * after it is the last one and catches the run's final records. */
static void live_poll(struct live *L)
{
    if (L->run_over)
        return;
    int ending = run_has_ended(L);
    live_tick(L);
    if (ending) {
        L->run_over = 1;
        snprintf(L->status, sizeof L->status, " the run has ended: %s%s", L->end_why,
                 L->keep ? "; q quits" : "");
    }
}

/* ---- counters as lines (the counters view and batch mode) ---------------------- */

struct row {
    char     name[16];
    uint64_t total, rate;
    uint64_t extra1, extra2;
};

static int cmp_rows_sort;
static int cmp_rows(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (cmp_rows_sort == SORT_TOTAL && x->total != y->total)
        return x->total > y->total ? -1 : 1;
    if (cmp_rows_sort == SORT_RATE && x->rate != y->rate)
        return x->rate > y->rate ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int class_rows(const struct live *L, struct row *rows)
{
    int n = 0;
    for (unsigned c = 0; c < HVT_NCLASS; c++) {
        const char *name = hvt_class_name(c);
        if (!name)
            continue;
        snprintf(rows[n].name, sizeof rows[n].name, "%s", name);
        rows[n].total = L->cls_total[c];
        rows[n].rate = L->cls_rate[c];
        n++;
    }
    cmp_rows_sort = L->sort;
    qsort(rows, (size_t)n, sizeof *rows, cmp_rows);
    return n;
}

static int dom_rows(const struct live *L, struct row *rows)
{
    int n = 0;
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        if (!L->model.dom[s].seen)
            continue;
        hvt_format_dom(rows[n].name, sizeof rows[n].name, hvt_slot_dom(s));
        rows[n].total = L->dom_total[s];
        rows[n].rate = L->dom_rate[s];
        rows[n].extra1 = L->model.dom[s].hcall_total;
        rows[n].extra2 = L->model.dom[s].hcall_rejects;
        n++;
    }
    cmp_rows_sort = L->sort;
    qsort(rows, (size_t)n, sizeof *rows, cmp_rows);
    return n;
}

/* The VM-state columns of a domain's row: its state, how long it has been
 * in it (trace time, to the latest record) and its lives; "-" where the
 * trace has no dom_state record of it. */
static void vm_columns(char *buf, size_t len, const struct live *L, int slot)
{
    const struct hvt_dom *d = &L->model.dom[slot];
    if (!d->vm_known) {
        snprintf(buf, len, "%-9s %8s %5s", hvt_state_name(d->state), "-", "-");
        return;
    }
    uint64_t since = L->model.last_tsc >= d->vm_since ? L->model.last_tsc - d->vm_since : 0;
    snprintf(buf, len, "%-9s %8.0f %5llu", hvt_vmstate_name(d->vm_state),
             hvt_tsc_to_us(since, L->tsc_khz), (unsigned long long)d->vm_lives);
}

static uint64_t lost_total(const struct live *L)
{
    uint64_t a = L->model.lost > L->missing ? L->model.lost : L->missing;
    return a > L->ring_lost ? a : L->ring_lost;
}

/* The line said when the live view stops because the run ended. */
static void say_run_ended(const struct live *L)
{
    fprintf(stderr, "hvtrace live: the run has ended: %s; %llu records, %llu lost\n",
            L->end_why, (unsigned long long)L->total, (unsigned long long)lost_total(L));
}

/* One line per split device (ring_line) and one of grants between domains
 * (grant_line), for the rings view and the batch print. */
static const char ring_header[] =
    "dev type     front               back                requests responses in_flight"
    "  front sent/supp  back sent/supp";

static void ring_line(char *buf, size_t len, const struct hvt_device *v, uint32_t id)
{
    char f[16], b[16];
    const char *type = hvt_enum_name("devtype", v->type);
    const char *fs = hvt_enum_name("devstate", v->state[0]);
    const char *bs = hvt_enum_name("devstate", v->state[1]);
    hvt_format_dom(f, sizeof f, v->dom[0]);
    hvt_format_dom(b, sizeof b, v->dom[1]);
    snprintf(buf, len, "%-3u %-8s %-4s %-14s %-4s %-14s %8u %9u %9u %8llu/%-8llu %6llu/%-8llu",
             id, type ? type : "?", f, fs ? fs : "?", b, bs ? bs : "?", v->req_prod,
             v->rsp_prod, v->req_prod - v->rsp_prod, (unsigned long long)v->sent[0],
             (unsigned long long)v->suppressed[0], (unsigned long long)v->sent[1],
             (unsigned long long)v->suppressed[1]);
}

/* The second line of a device: how its ends met (ring grant, ports), the
 * events that arrived at each end, what the back end said it did with the
 * requests (io_req / io_rsp) and, for a network device, its packets by
 * verdict.  "-" where the trace has no such records. */
static void ring_line2(char *buf, size_t len, const struct hvt_device *v)
{
    size_t n;
    snprintf(buf, len, "    ring ref %u %s, ports %u/%u, events in %llu/%llu", v->ring_ref,
             v->ring_mapped ? "mapped" : "unmapped", v->port[0], v->port[1],
             (unsigned long long)v->events[0], (unsigned long long)v->events[1]);
    n = strlen(buf);
    if (v->io_answered)
        snprintf(buf + n, len - n, "; taken %llu answered %llu out_of_order %llu "
                 "failed %llu waiting %u", (unsigned long long)v->io_taken,
                 (unsigned long long)v->io_answered, (unsigned long long)v->io_out_of_order,
                 (unsigned long long)v->io_errors, v->ntaken);
    else if (v->io_taken)           /* a console's back end notes no answers */
        snprintf(buf + n, len - n, "; taken %llu (no answers noted)",
                 (unsigned long long)v->io_taken);
    else
        snprintf(buf + n, len - n, "; taken - answered - (no io_req/io_rsp)");
    n = strlen(buf);
    if (v->io_unmatched)
        snprintf(buf + n, len - n, " unmatched %llu", (unsigned long long)v->io_unmatched);
    n = strlen(buf);
    if (v->io_front)
        snprintf(buf + n, len - n, "; front noted %llu", (unsigned long long)v->io_front);
    n = strlen(buf);
    if (v->cons_bytes + v->cons_lines)
        snprintf(buf + n, len - n, "; wrote %llu bytes, %llu lines",
                 (unsigned long long)v->cons_bytes, (unsigned long long)v->cons_lines);
    uint64_t any = v->pkts_to;
    for (int k = 0; k < HVT_NVERDICTS; k++)
        any += v->pkts[k];
    if (any || v->type == 4 /* DEV_TYPE_NET */) {
        n = strlen(buf);
        snprintf(buf + n, len - n, "; packets:");
        for (int k = 0; k < HVT_NVERDICTS; k++)
            if (v->pkts[k]) {
                const char *name = hvt_enum_name("netverdict", (uint32_t)k);
                n = strlen(buf);
                snprintf(buf + n, len - n, " %s=%llu", name ? name : "?",
                         (unsigned long long)v->pkts[k]);
            }
        n = strlen(buf);
        snprintf(buf + n, len - n, " onto_ring=%llu", (unsigned long long)v->pkts_to);
    }
}

/* The same for a terminal narrower than the table (80 columns): up to
 * five short lines per device, into l[0..4]; returns how many. */
static int ring_compact(char l[5][160], const struct hvt_device *v, uint32_t id)
{
    char f[16], b[16];
    const char *type = hvt_enum_name("devtype", v->type);
    const char *fs = hvt_enum_name("devstate", v->state[0]);
    const char *bs = hvt_enum_name("devstate", v->state[1]);
    int n = 0;
    hvt_format_dom(f, sizeof f, v->dom[0]);
    hvt_format_dom(b, sizeof b, v->dom[1]);
    snprintf(l[n++], 160, "%-3u %-7s %s %s -> %s %s: requests %u responses %u in_flight %u",
             id, type ? type : "?", f, fs ? fs : "?", b, bs ? bs : "?", v->req_prod,
             v->rsp_prod, v->req_prod - v->rsp_prod);
    snprintf(l[n++], 160, "    sent/supp %llu/%llu front, %llu/%llu back; ring %u %s; "
             "ports %u/%u got %llu/%llu", (unsigned long long)v->sent[0],
             (unsigned long long)v->suppressed[0], (unsigned long long)v->sent[1],
             (unsigned long long)v->suppressed[1], v->ring_ref,
             v->ring_mapped ? "mapped" : "unmapped", v->port[0], v->port[1],
             (unsigned long long)v->events[0], (unsigned long long)v->events[1]);
    if (v->io_answered)
        snprintf(l[n++], 160, "    taken %llu answered %llu out_of_order %llu failed %llu "
                 "waiting %u", (unsigned long long)v->io_taken,
                 (unsigned long long)v->io_answered, (unsigned long long)v->io_out_of_order,
                 (unsigned long long)v->io_errors, v->ntaken);
    else if (v->io_taken)
        snprintf(l[n++], 160, "    taken %llu (no answers noted)",
                 (unsigned long long)v->io_taken);
    if (v->io_front || v->cons_bytes + v->cons_lines)
        snprintf(l[n++], 160, "    front noted %llu; wrote %llu bytes, %llu lines",
                 (unsigned long long)v->io_front, (unsigned long long)v->cons_bytes,
                 (unsigned long long)v->cons_lines);
    uint64_t any = v->pkts_to;
    for (int k = 0; k < HVT_NVERDICTS; k++)
        any += v->pkts[k];
    if (any) {
        snprintf(l[n], 160, "    packets:");
        for (int k = 0; k < HVT_NVERDICTS; k++)
            if (v->pkts[k]) {
                const char *name = hvt_enum_name("netverdict", (uint32_t)k);
                size_t m = strlen(l[n]);
                snprintf(l[n] + m, 160 - m, " %s=%llu", name ? name : "?",
                         (unsigned long long)v->pkts[k]);
            }
        size_t m = strlen(l[n]);
        snprintf(l[n] + m, 160 - m, " ring=%llu", (unsigned long long)v->pkts_to);
        n++;
    }
    return n;
}

/* Device interrupts that became events: "irq14->d0:7=120". */
static void pirq_line(char *buf, size_t len, const struct hvt_model *m)
{
    snprintf(buf, len, "device interrupts (pirq), irq->domain:port=count:");
    for (int i = 0; i < HVT_MAX_IRQ; i++)
        if (m->pirq[i]) {
            char dn[16];
            size_t n = strlen(buf);
            hvt_format_dom(dn, sizeof dn, m->pirq_dom[i]);
            snprintf(buf + n, len - n, " irq%d->%s:%u=%llu", i, dn, m->pirq_port[i],
                     (unsigned long long)m->pirq[i]);
        }
}

static int any_device(const struct live *L)
{
    for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++)
        if (L->model.dev[id].seen)
            return 1;
    return 0;
}

static void grant_line(char *buf, size_t len, const struct hvt_model *m)
{
    snprintf(buf, len, "grants mapped now (ever), copies, grantee->granter:");
    for (int a = 0; a < HVT_MAX_DOMS; a++)
        for (int b = 0; b < HVT_MAX_DOMS; b++)
            if (m->grant_maps[a][b] || m->grant_copies[a][b]) {
                char na[16], nb[16];
                hvt_format_dom(na, sizeof na, hvt_slot_dom(a));
                hvt_format_dom(nb, sizeof nb, hvt_slot_dom(b));
                size_t n = strlen(buf);
                snprintf(buf + n, len - n, " %s->%s=%llu(%llu),%llu", na, nb,
                         (unsigned long long)m->grant_held[a][b],
                         (unsigned long long)m->grant_maps[a][b],
                         (unsigned long long)m->grant_copies[a][b]);
            }
}

static void print_counters(FILE *f, const struct live *L, double span_s)
{
    struct row rows[HVT_MAX_DOMS + HVT_NCLASS];
    int n;

    fprintf(f, "records %llu, lost %llu, filter \"%s\"\n", (unsigned long long)L->total,
            (unsigned long long)lost_total(L), L->filter.text);
    fprintf(f, "%-8s %10s %10s\n", "class", "total", "per_s");
    n = class_rows(L, rows);
    for (int i = 0; i < n; i++)
        fprintf(f, "%-8s %10llu %10.0f\n", rows[i].name, (unsigned long long)rows[i].total,
                span_s > 0 ? (double)rows[i].total / span_s : 0.0);
    fprintf(f, "%-8s %10s %10s %10s %10s %-9s %8s %5s\n", "domain", "total", "per_s",
            "hcalls", "refused", "state", "for_us", "lives");
    n = dom_rows(L, rows);
    for (int i = 0; i < n; i++) {
        int slot = hvt_dom_slot(hvt_parse_dom(rows[i].name));
        char vm[64] = "?";
        if (slot >= 0)
            vm_columns(vm, sizeof vm, L, slot);
        fprintf(f, "%-8s %10llu %10.0f %10llu %10llu %s\n", rows[i].name,
                (unsigned long long)rows[i].total,
                span_s > 0 ? (double)rows[i].total / span_s : 0.0,
                (unsigned long long)rows[i].extra1, (unsigned long long)rows[i].extra2, vm);
    }
    if (any_device(L)) {
        char line[400];
        fprintf(f, "%s\n", ring_header);
        for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++)
            if (L->model.dev[id].seen) {
                ring_line(line, sizeof line, &L->model.dev[id], id);
                fprintf(f, "%s\n", line);
                ring_line2(line, sizeof line, &L->model.dev[id]);
                fprintf(f, "%s\n", line);
            }
        grant_line(line, sizeof line, &L->model);
        fprintf(f, "%s\n", line);
        pirq_line(line, sizeof line, &L->model);
        fprintf(f, "%s\n", line);
    }
}

/* ---- drawing -------------------------------------------------------------------- */

static void put(int y, int x, int attr, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(int y, int x, int attr, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (y < 0 || y >= LINES || x >= COLS)
        return;
    attron(attr);
    mvaddnstr(y, x, buf, COLS - x);
    attroff(attr);
}

/* How a paused domain is shown: reverse video, bold, and yellow on black
 * where there are colours (pair 9). */
static int paused_attr(void)
{
    return (int)(A_REVERSE | A_BOLD | (has_colors() ? COLOR_PAIR(9) : 0));
}

static int class_color(unsigned cls)
{
    return has_colors() ? COLOR_PAIR(1 + cls % 7) : 0;
}

static void draw_header(struct live *L)
{
    char buf[256];
    uint64_t lost = lost_total(L);
    const char *mode = L->replay ? (L->paused ? "PAUSED" : L->ended ? "END" : "REPLAY")
                                 : (L->run_over ? "ENDED" : L->paused ? "PAUSED"
                                    : L->ram.ring ? "LIVE" : "WAITING");
    attron(A_REVERSE);
    mvhline(0, 0, ' ', COLS);
    /* Most important first, so an 80-column terminal shows all that matters:
     * mode, view, rate, total, LOST, filter; the source name if room is left. */
    char sp[32] = "";
    if (L->replay)
        snprintf(sp, sizeof sp, " x%g", L->speed);
    snprintf(buf, sizeof buf, " %s%s | %s | %llu/s | total %llu | ", mode, sp,
             view_names[L->view], (unsigned long long)L->all_rate,
             (unsigned long long)L->total);
    mvaddnstr(0, 0, buf, COLS);
    int x = (int)strlen(buf);
    if (x < COLS) {
        int a = lost ? (has_colors() ? COLOR_PAIR(8) | A_BOLD : A_BOLD) : 0;
        snprintf(buf, sizeof buf, "LOST %llu", (unsigned long long)lost);
        attron(a);
        mvaddnstr(0, x, buf, COLS - x);
        attroff(a);
        attron(A_REVERSE);
        x += (int)strlen(buf);
    }
    if (x < COLS) {
        snprintf(buf, sizeof buf, " | filter: %s | %s", L->filter.text[0] ? L->filter.text : "-",
                 L->source);
        mvaddnstr(0, x, buf, COLS - x);
    }
    attroff(A_REVERSE);
}

static void draw_footer(struct live *L)
{
    attron(A_REVERSE);
    mvhline(LINES - 1, 0, ' ', COLS);
    if (L->status[0])
        mvaddnstr(LINES - 1, 0, L->status, COLS);
    else
        mvaddnstr(LINES - 1, 0, " Tab/F1-F6 view  i rings  h help  f filter  p pause  "
                  "r reset  / search  q quit", COLS);
    attroff(A_REVERSE);
}

static void draw_log(struct live *L, int top, int rows, unsigned only_class)
{
    char line[HVT_LINE_MAX];
    uint64_t have = L->nlog < LOGN ? L->nlog : LOGN;
    /* Newest at the bottom; `scroll` lines back from the newest. */
    uint64_t shown[512];
    int n = 0;
    uint64_t skip = only_class ? 0 : (uint64_t)L->scroll;
    for (uint64_t k = 0; k < have && n < rows && n < 512; k++) {
        uint64_t idx = L->nlog - 1 - k;
        const struct trace_record *r = &L->log[idx % LOGN];
        if (only_class && TRACE_CLASS_OF(r->event) != only_class)
            continue;
        if (!only_class && !hvt_filter_match(&L->filter, r))
            continue;
        if (skip) {
            skip--;
            continue;
        }
        shown[n++] = idx;
    }
    for (int i = 0; i < n; i++) {
        const struct trace_record *r = &L->log[shown[n - 1 - i] % LOGN];
        hvt_format_record(line, sizeof line, r);
        int attr = class_color(TRACE_CLASS_OF(r->event));
        if (L->has_search && regexec(&L->search, line, 0, NULL, 0) == 0)
            attr |= A_REVERSE;
        put(top + i, 0, attr, "%s", line);
    }
    if (n == 0)
        put(top, 0, 0, "(no events%s yet)", only_class ? " of this class" : "");
}

static void draw_counters(struct live *L, int top, int rows)
{
    struct row r[HVT_MAX_DOMS + HVT_NCLASS];
    int y = top, n;

    put(y++, 0, A_BOLD, "%-8s %12s %10s      sorted by %s (s)", "class", "total", "per_s",
        sort_names[L->sort]);
    n = class_rows(L, r);
    for (int i = 0; i < n && y < top + rows; i++)
        put(y++, 0, 0, "%-8s %12llu %10llu", r[i].name, (unsigned long long)r[i].total,
            (unsigned long long)r[i].rate);
    y++;
    put(y++, 0, A_BOLD, "%-8s %12s %10s %10s %10s  %-9s %8s %5s", "domain", "total",
        "per_s", "hcalls", "refused", "state", "for_us", "lives");
    n = dom_rows(L, r);
    for (int i = 0; i < n && y < top + rows; i++) {
        int slot = hvt_dom_slot(hvt_parse_dom(r[i].name));
        char vm[64] = "?";
        int attr = 0;
        if (slot >= 0) {
            const struct hvt_dom *d = &L->model.dom[slot];
            vm_columns(vm, sizeof vm, L, slot);
            /* Paused stands out (the toolstack stopped it: it runs no
             * instruction); a destroyed domain's row is dim. */
            if (d->vm_known && d->vm_state == DOMCTL_STATE_PAUSED)
                attr = paused_attr();
            else if (d->vm_known && d->vm_state == DOMCTL_STATE_NONE)
                attr = (int)A_DIM;
        }
        put(y++, 0, attr, "%-8s %12llu %10llu %10llu %10llu  %s", r[i].name,
            (unsigned long long)r[i].total, (unsigned long long)r[i].rate,
            (unsigned long long)r[i].extra1, (unsigned long long)r[i].extra2, vm);
    }
}

static void draw_timeline(struct live *L, int top, int rows)
{
    int width = COLS - 7, y = top;
    if (width < 1)
        return;
    put(y++, 0, A_BOLD, "one column = %.0f us of trace time (z/Z zoom)   "
        "# running - runnable P paused . blocked x dead",
        hvt_tsc_to_us(L->tl_ticks, L->tsc_khz));
    uint64_t last = L->tl_col, ncols = last + 1 < (uint64_t)width ? last + 1 : (uint64_t)width;
    if (ncols > TLCOLS)
        ncols = TLCOLS;
    for (int s = 0; s < HVT_MAX_DOMS && y < top + rows - 1; s++) {
        if (!L->model.dom[s].seen || s == HVT_SLOT_HV)
            continue;
        char name[16];
        hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
        put(y, 0, A_BOLD, "%-6s", name);
        for (uint64_t k = 0; k < ncols; k++) {
            uint8_t c = L->tl[(last - ncols + 1 + k) % TLCOLS][s];
            char ch = c & TL_RUN ? '#' : c & TL_READY ? '-' : c & TL_PAUSE ? 'P' :
                      c & TL_BLOCK ? '.' : c & TL_DEAD ? 'x' : ' ';
            int attr = 0;
            if (c & TL_RUN)
                attr = (int)(has_colors() ? COLOR_PAIR(3) | A_BOLD : A_BOLD);
            else if (ch == 'P')
                attr = paused_attr();
            if (7 + (int)k < COLS) {
                attron(attr);
                mvaddch(y, 7 + (int)k, (chtype)ch);
                attroff(attr);
            }
        }
        y++;
    }
    put(y, 0, A_BOLD, "%-6s", "hv");
    for (uint64_t k = 0; k < ncols; k++) {
        uint16_t v = L->tl_hv[(last - ncols + 1 + k) % TLCOLS];
        char ch = v == 0 ? ' ' : v < 4 ? '.' : v < 16 ? ':' : v < 64 ? '*' : '@';
        if (7 + (int)k < COLS)
            mvaddch(y, 7 + (int)k, (chtype)ch);
    }
    put(y + 2, 0, 0, "hv: hypercalls, traps, memory and event work per column "
        "(. <4  : <16  * <64  @ more)");
}

/*
 * One memory event, short enough for 80 columns with the verdict first:
 * "  118 d1   mmu_update REFUSED hv_slot (-EPERM) ptr=0xfc000000 new=0x0".
 */
static void mem_line(char *buf, size_t len, const struct trace_record *r)
{
    char dom[16], err[24] = "", what[96] = "";
    const struct hvt_event *ev = hvt_event_by_id(r->event);
    uint32_t ret = 0, rule = 0;
    const char *name;

    hvt_format_dom(dom, sizeof dom, r->domain);
    switch (r->event) {
    case TRC_MMU_UPDATE:
        ret = r->args[5]; rule = r->args[6];
        name = hvt_enum_name("mmvia", r->args[4]);
        snprintf(what, sizeof what, "ptr=0x%x new=0x%x L%u via %s", r->args[0], r->args[2],
                 r->args[3], name ? name : "?");
        break;
    case TRC_MMUEXT:
        ret = r->args[2]; rule = r->args[3];
        name = hvt_enum_name("mmuextop", r->args[0]);
        snprintf(what, sizeof what, "%s mfn=0x%x", name ? name : "op?", r->args[1]);
        break;
    case TRC_PTWR:
        ret = r->args[4];
        snprintf(what, sizeof what, "va=0x%x new=0x%x eip=0x%x", r->args[0], r->args[3],
                 r->args[1]);
        break;
    case TRC_M2P_UPDATE:
        ret = r->args[2];
        snprintf(what, sizeof what, "mfn 0x%x -> pfn 0x%x", r->args[0], r->args[1]);
        break;
    case TRC_PT_RUN:
        snprintf(what, sizeof what, "table 0x%x L%u [%u..%u] -> pfn 0x%x", r->args[0],
                 r->args[1], r->args[2], r->args[2] + r->args[3] - 1, r->args[5]);
        break;
    }
    if ((int32_t)ret < 0) {
        const char *rn = rule ? hvt_enum_name("mmrule", rule) : NULL;
        hvt_format_value(err, sizeof err, "err", ret);
        snprintf(buf, len, "%8u %-4s %-10s REFUSED %s (%s) %s", r->seq, dom,
                 ev ? ev->name : "?", rn ? rn : "", err, what);
    } else {
        snprintf(buf, len, "%8u %-4s %-10s ok %s", r->seq, dom, ev ? ev->name : "?", what);
    }
}

static void draw_mem_log(struct live *L, int top, int rows)
{
    uint64_t have = L->nlog < LOGN ? L->nlog : LOGN;
    uint64_t shown[512];
    int n = 0;
    for (uint64_t k = 0; k < have && n < rows && n < 512; k++) {
        uint64_t idx = L->nlog - 1 - k;
        if (TRACE_CLASS_OF(L->log[idx % LOGN].event) == TRACE_CLASS_MEM)
            shown[n++] = idx;
    }
    for (int i = 0; i < n; i++) {
        const struct trace_record *r = &L->log[shown[n - 1 - i] % LOGN];
        char line[256];
        mem_line(line, sizeof line, r);
        int refused = strstr(line, " REFUSED ") != NULL;
        put(top + i, 0, refused ? (has_colors() ? COLOR_PAIR(7) | A_BOLD : A_BOLD) : 0,
            "%s", line);
    }
    if (n == 0)
        put(top, 0, 0, "(no memory events yet)");
}

static void draw_memory(struct live *L, int top, int rows)
{
    int y = top;
    put(y++, 0, A_BOLD, "%-6s %10s %8s %10s", "domain", "pt_updates", "pins", "refused");
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        const struct hvt_dom *d = &L->model.dom[s];
        if (!d->seen || !(d->mmu_updates + d->pins + d->mmu_rejects))
            continue;
        char name[16];
        hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
        put(y++, 0, 0, "%-6s %10llu %8llu %10llu", name, (unsigned long long)d->mmu_updates,
            (unsigned long long)d->pins, (unsigned long long)d->mmu_rejects);
    }
    char rules[256] = "refused by rule:";
    for (unsigned k = 1; k < 32; k++)
        if (L->model.mem_rules[k]) {
            const char *rn = hvt_enum_name("mmrule", k);
            size_t len = strlen(rules);
            snprintf(rules + len, sizeof rules - len, " %s=%llu", rn ? rn : "?",
                     (unsigned long long)L->model.mem_rules[k]);
        }
    put(y++, 0, 0, "%s", rules);
    y++;
    put(y++, 0, A_BOLD, "latest memory events (refused ones first say why):");
    draw_mem_log(L, y, top + rows - y);
}

static void draw_events(struct live *L, int top, int rows)
{
    int y = top;
    put(y++, 0, A_BOLD, "%-6s %8s %8s %8s", "domain", "sent", "upcalls", "refused");
    for (int s = 0; s < HVT_MAX_DOMS; s++) {
        const struct hvt_dom *d = &L->model.dom[s];
        if (!d->seen || !(d->evt_sent + d->evt_upcalls + d->evt_rejects))
            continue;
        char name[16];
        hvt_format_dom(name, sizeof name, hvt_slot_dom(s));
        put(y++, 0, 0, "%-6s %8llu %8llu %8llu", name, (unsigned long long)d->evt_sent,
            (unsigned long long)d->evt_upcalls, (unsigned long long)d->evt_rejects);
    }
    char edges[256] = "sends:";
    for (int a = 0; a < HVT_MAX_DOMS; a++)
        for (int b = 0; b < HVT_MAX_DOMS; b++)
            if (L->model.evt_edges[a][b]) {
                char na[16], nb[16];
                hvt_format_dom(na, sizeof na, hvt_slot_dom(a));
                hvt_format_dom(nb, sizeof nb, hvt_slot_dom(b));
                size_t len = strlen(edges);
                snprintf(edges + len, sizeof edges - len, " %s->%s=%llu", na, nb,
                         (unsigned long long)L->model.evt_edges[a][b]);
            }
    put(y++, 0, 0, "%s", edges);
    y++;
    put(y++, 0, A_BOLD, "latest event-channel events:");
    draw_log(L, y, top + rows - y, TRACE_CLASS_EVT);
}

static void draw_rings(struct live *L, int top, int rows)
{
    int y = top;
    char line[400];
    int wide = COLS >= (int)sizeof ring_header;    /* else three short lines each */
    if (wide)
        put(y++, 0, A_BOLD, "%s", ring_header);
    else
        put(y++, 0, A_BOLD, "dev type    front -> back: ring; notifications, grant, ports, "
            "events in; I/O");
    for (uint32_t id = 1; id <= HVT_MAX_DEVS; id++)
        if (L->model.dev[id].seen && wide) {
            ring_line(line, sizeof line, &L->model.dev[id], id);
            put(y++, 0, 0, "%s", line);
            ring_line2(line, sizeof line, &L->model.dev[id]);
            put(y++, 0, 0, "%s", line);
        } else if (L->model.dev[id].seen) {
            char l[5][160];
            int n = ring_compact(l, &L->model.dev[id], id);
            for (int k = 0; k < n; k++)
                put(y++, 0, 0, "%s", l[k]);
        }
    if (!any_device(L))
        put(y++, 0, 0, "(no split device yet)");
    grant_line(line, sizeof line, &L->model);
    put(y++, 0, 0, "%s", line);
    pirq_line(line, sizeof line, &L->model);
    put(y++, 0, 0, "%s", line);
    snprintf(line, sizeof line, "refused grant operations by rule:");
    for (unsigned k = 1; k < 32; k++)
        if (L->model.grant_rules[k]) {
            const char *rn = hvt_enum_name("gntrule", k);
            size_t len = strlen(line);
            snprintf(line + len, sizeof line - len, " %s=%llu", rn ? rn : "?",
                     (unsigned long long)L->model.grant_rules[k]);
        }
    put(y++, 0, 0, "%s", line);
    y++;
    put(y++, 0, A_BOLD, "latest device and ring events:");
    draw_log(L, y, top + rows - y, TRACE_CLASS_DEV);
}

static void draw_help(void)
{
    static const char *lines[] = {
        "hvtrace live - keys",
        "",
        "  Tab / F1..F6   next view / log, counters, timeline, memory, events, rings",
        "  i              the rings view: split devices, their I/O, grants, irqs",
        "  h or ?         this help (any key closes it)",
        "  f              filter: class names, domains (d0 hv), else a regex",
        "  p or space     pause / resume",
        "  n              replay: one event forward (when paused)",
        "  + / -          replay: faster / slower",
        "  s              sort counters by name, total, rate",
        "  r              reset the counters",
        "  /              search: highlight log lines matching a regex",
        "  z / Z          timeline: zoom in / out",
        "  Up Down PgUp PgDn End   scroll the log",
        "  q              quit",
    };
    int n = (int)(sizeof lines / sizeof lines[0]);
    int w = 72 < COLS ? 72 : COLS, h = n + 2 < LINES ? n + 2 : LINES;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    for (int i = 0; i < h; i++)
        mvhline(y0 + i, x0, ' ', w);
    for (int i = 0; i < n && i + 1 < h; i++)
        mvaddnstr(y0 + 1 + i, x0 + 1, lines[i], w - 2);
    attron(A_BOLD);
    mvaddnstr(y0 + 1, x0 + 1, lines[0], w - 2);
    attroff(A_BOLD);
}

static void draw(struct live *L)
{
    erase();
    int top = 1, rows = LINES - 2;
    if (rows > 0) {
        switch (L->view) {
        case V_LOG:      draw_log(L, top, rows, 0); break;
        case V_COUNTERS: draw_counters(L, top, rows); break;
        case V_TIMELINE: draw_timeline(L, top, rows); break;
        case V_MEMORY:   draw_memory(L, top, rows); break;
        case V_EVENTS:   draw_events(L, top, rows); break;
        case V_RINGS:    draw_rings(L, top, rows); break;
        default: break;
        }
    }
    draw_header(L);
    if (LINES > 1)
        draw_footer(L);
    if (L->help)
        draw_help();
    refresh();
}

/* Read a line at the bottom of the screen; 0 with text, -1 if cancelled. */
static int prompt(const char *what, char *buf, size_t len)
{
    int n = 0, ch;
    buf[0] = '\0';
    timeout(-1);
    for (;;) {
        attron(A_REVERSE);
        mvhline(LINES - 1, 0, ' ', COLS);
        mvprintw(LINES - 1, 0, "%s%s", what, buf);
        attroff(A_REVERSE);
        refresh();
        ch = getch();
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            break;
        if (ch == 27) {
            timeout(TICK_MS);
            return -1;
        }
        if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
            buf[--n] = '\0';
        else if (ch >= 32 && ch < 127 && (size_t)n + 1 < len) {
            buf[n++] = (char)ch;
            buf[n] = '\0';
        }
    }
    timeout(TICK_MS);
    return 0;
}

static void key(struct live *L, int ch)
{
    char text[128], err[160];

    L->status[0] = '\0';
    if (L->help) {              /* any key closes the help */
        L->help = 0;
        if (ch != 'q')
            return;
    }
    switch (ch) {
    case 'q': case 'Q': L->quit = 1; break;
    case '\t': L->view = (L->view + 1) % NVIEWS; break;
    case KEY_BTAB: L->view = (L->view + NVIEWS - 1) % NVIEWS; break;
    case KEY_F(1): case KEY_F(2): case KEY_F(3): case KEY_F(4): case KEY_F(5): case KEY_F(6):
        L->view = (enum view)(ch - KEY_F(1));
        break;
    case '1': case '2': case '3': case '4': case '5': case '6':
        L->view = (enum view)(ch - '1');
        break;
    case 'i': L->view = V_RINGS; break;
    case 'h': case '?': L->help = 1; break;
    case 'p': case ' ': L->paused = !L->paused; break;
    case 's': L->sort = (L->sort + 1) % NSORTS; break;
    case 'r': reset_counters(L); snprintf(L->status, sizeof L->status, " counters reset"); break;
    case 'z': if (L->tl_ticks > 10) L->tl_ticks /= 2; break;
    case 'Z': L->tl_ticks *= 2; break;
    case '+': if (L->replay) L->speed = L->speed > 0 ? L->speed * 2 : 1; break;
    case '-': if (L->replay && L->speed > 1e-6) L->speed /= 2; break;
    case 'n': if (L->replay) { L->paused = 1; replay_tick(L, 0, 1); } break;
    case KEY_UP: L->scroll++; break;
    case KEY_DOWN: if (L->scroll > 0) L->scroll--; break;
    case KEY_PPAGE: L->scroll += LINES - 3; break;
    case KEY_NPAGE: L->scroll = L->scroll > LINES - 3 ? L->scroll - (LINES - 3) : 0; break;
    case KEY_END: L->scroll = 0; break;
    case 'f':
        if (prompt(" filter (class, d0/hv, regex; empty = all): ", text, sizeof text) == 0) {
            struct hvt_filter nf;
            if (hvt_filter_parse(&nf, text, err, sizeof err) < 0) {
                snprintf(L->status, sizeof L->status, " bad filter: %s", err);
            } else {
                hvt_filter_free(&L->filter);
                L->filter = nf;
                recount(L);
                L->scroll = 0;
            }
        }
        break;
    case '/':
        if (prompt(" search (regex; empty = none): ", text, sizeof text) == 0) {
            if (L->has_search)
                regfree(&L->search);
            L->has_search = 0;
            L->search_text[0] = '\0';
            if (text[0]) {
                if (regcomp(&L->search, text, REG_EXTENDED | REG_NOSUB) != 0) {
                    snprintf(L->status, sizeof L->status, " bad regex '%s'", text);
                } else {
                    L->has_search = 1;
                    snprintf(L->search_text, sizeof L->search_text, "%s", text);
                }
            }
        }
        break;
    case KEY_RESIZE: break;     /* the next draw uses the new LINES/COLS */
    default: break;
    }
}

static void colors(void)
{
    if (!has_colors())
        return;
    start_color();
    use_default_colors();
    /* pairs 1..7: event classes (trace, hcall, trap, dom, sched, mem, evt) */
    static const short fg[7] = { COLOR_WHITE, COLOR_CYAN, COLOR_MAGENTA, COLOR_YELLOW,
                                 COLOR_GREEN, COLOR_BLUE, COLOR_RED };
    for (short i = 0; i < 7; i++)
        init_pair((short)(i + 1), fg[i], -1);
    init_pair(8, COLOR_WHITE, COLOR_RED);       /* LOST */
    init_pair(9, COLOR_YELLOW, -1);             /* a paused domain (reversed) */
}

static int run_screen(struct live *L)
{
    setlocale(LC_ALL, "");
    initscr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(TICK_MS);
    colors();

    double last = now_us(), last_draw = 0;
    L->last_snap = last;
    /* Drain often (the ring must not fill up), draw less often (drawing
     * costs more than reading and nobody sees more than 20 frames a
     * second). */
    while (!L->quit && !stop_flag) {
        double t = now_us();
        if (L->replay) {
            replay_tick(L, t - last, 0);
        } else {
            int was_over = L->run_over;
            live_poll(L);
            if (L->run_over && !was_over) {
                if (!L->keep)
                    break;          /* hvt_live_main says why, once the screen is gone */
                timeout(250);       /* nothing more to read: only keys and resizes */
            }
        }
        last = t;
        snapshot_rates(L);
        if (t - last_draw >= DRAW_MS * 1000.0) {
            draw(L);
            last_draw = t;
        }
        int ch = getch();
        while (ch != ERR) {
            key(L, ch);
            if (L->quit)
                break;
            draw(L);
            last_draw = now_us();
            nodelay(stdscr, TRUE);
            ch = getch();
            nodelay(stdscr, FALSE);
            timeout(L->run_over ? 250 : TICK_MS);
        }
    }
    endwin();
    return 0;
}

static int usage_live(void)
{
    fprintf(stderr, "usage: hvtrace live [-r FILE] [-b] [-k] [-s SPEED] [-f FILTER] [-o OUT] "
            "[--pid PID] [RAMFILE]\n");
    return 2;
}

static void print_problem(void *ctx, const struct hvt_problem *p)
{
    fprintf(stderr, "hvtrace: %s: %s\n", (const char *)ctx, p->msg);
}

int hvt_live_main(int argc, char **argv)
{
    static struct live L;       /* big (the log): not on the stack */
    const char *replay = NULL, *filter = "", *out = NULL;
    int c;
    char err[256];

    memset(&L, 0, sizeof L);
    L.speed = 1;
    static const struct option longopts[] = {
        { "pid", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    while ((c = getopt_long(argc, argv, "r:bks:f:o:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': replay = optarg; break;
        case 'b': L.batch = 1; break;
        case 'k': L.keep = 1; break;
        case 'p': {
            char *end;
            long pid = strtol(optarg, &end, 10);
            if (*end || pid <= 0) {
                fprintf(stderr, "hvtrace live: bad --pid '%s'\n", optarg);
                return usage_live();
            }
            L.watch_pid = (pid_t)pid;
            break;
        }
        case 's': {
            char *end;
            L.speed = strtod(optarg, &end);
            if (*end || L.speed < 0) {
                fprintf(stderr, "hvtrace live: bad speed '%s'\n", optarg);
                return usage_live();
            }
            break;
        }
        case 'f': filter = optarg; break;
        case 'o': out = optarg; break;
        case 'h':
            fprintf(stdout, "see: hvtrace help live, and docs/tracer.md\n");
            return 0;
        default: return usage_live();
        }
    }
    if ((replay && argc - optind != 0) || (!replay && argc - optind != 1))
        return usage_live();
    if (hvt_filter_parse(&L.filter, filter, err, sizeof err) < 0) {
        fprintf(stderr, "hvtrace live: bad filter: %s\n", err);
        return 2;
    }
    hvt_model_init(&L.model);

    if (replay) {
        L.replay = 1;
        L.source = replay;
        if (hvt_trace_load(&L.trace, replay, print_problem, (void *)replay, err, sizeof err) < 0) {
            fprintf(stderr, "hvtrace: %s: %s\n", replay, err);
            return 1;
        }
        L.tsc_khz = L.trace.tsc_khz;
        /* Timeline: about 70 columns for the whole trace, at least 1 us. */
        uint64_t span = L.trace.n ? L.trace.recs[L.trace.n - 1].tsc - L.trace.recs[0].tsc : 0;
        uint64_t one_us = L.tsc_khz ? L.tsc_khz / 1000 : 1;
        /* The timeline starts at the first scheduling event: before it the
         * hypervisor is booting and no domain can run. */
        uint64_t origin = L.trace.n ? L.trace.recs[0].tsc : 0;
        for (size_t i = 0; i < L.trace.n; i++)
            if (TRACE_CLASS_OF(L.trace.recs[i].event) == TRACE_CLASS_SCHED) {
                origin = L.trace.recs[i].tsc;
                break;
            }
        uint64_t tl_span = L.trace.n ? L.trace.recs[L.trace.n - 1].tsc - origin : 0;
        L.first_tsc = origin;
        L.have_first = 1;
        L.tl_ticks = tl_span / 70 > one_us ? tl_span / 70 : (one_us ? one_us : 1);
        if (L.batch) {
            while (L.pos < L.trace.n)
                take(&L, &L.trace.recs[L.pos++]);
            double span_s = hvt_tsc_to_us(span, L.tsc_khz) / 1e6;
            print_counters(stdout, &L, span_s);
            int rc = L.trace.nerrors ? 1 : 0;
            hvt_trace_free(&L.trace);
            return rc;
        }
    } else {
        L.ramfile = argv[optind];
        L.source = argv[optind];
        hvt_ram_init(&L.ram);
        if (out && !(L.out = fopen(out, "wb"))) {
            fprintf(stderr, "hvtrace live: cannot create %s: %s\n", out, strerror(errno));
            return 1;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGIO, SIG_IGN);     /* lease breaks: see hvt_ram_shared */

    if (L.batch) {
        /* Live batch: counters every second until interrupted or the
         * run ends. */
        double start = now_us(), next = start + 1e6;
        while (!stop_flag && !L.ended && !L.run_over) {
            live_poll(&L);
            if (now_us() >= next) {
                print_counters(stdout, &L, (now_us() - start) / 1e6);
                printf("\n");
                fflush(stdout);
                next += 1e6;
            }
            usleep(10000);
        }
        print_counters(stdout, &L, (now_us() - start) / 1e6);
        fflush(stdout);
    } else {
        run_screen(&L);
    }
    if (L.run_over)
        say_run_ended(&L);
    if (L.out)
        fclose(L.out);
    if (!L.replay)
        hvt_ram_detach(&L.ram);
    hvt_trace_free(&L.trace);
    hvt_filter_free(&L.filter);
    return 0;
}
