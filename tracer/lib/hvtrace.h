/*
 * tracer/lib/hvtrace.h — the host trace library: what the hvtrace tool, its
 * live view, the exporters in viz/ and the unit tests use to read a trace.
 *
 * Where this sits in the story: the hypervisor writes fixed-size binary
 * records into a ring in guest RAM (hv/include/public/trace.h).  On the host,
 * QEMU's RAM is a shared file; this library
 *
 *   - knows every event by name, compiled from the same trace-events.def the
 *     hypervisor is compiled from (tracer/lib/events.c), so the two cannot disagree;
 *   - turns one record into one line of text (format.c);
 *   - reads a trace file and says, with the file offset, what is wrong with
 *     it: damage, unknown events, and above all missing records (reader.c) —
 *     loss is never silent;
 *   - finds the ring in a running QEMU's RAM file and consumes it, as the
 *     "reader" side of the ring protocol (ramfile.c; tracer/record.c is
 *     the command that uses it);
 *   - loads a whole trace, filters it, and rebuilds the state of the
 *     system from it (load.c, filter.c, model.c) for the views and the
 *     exporters (tracer/stats.c, viz/dot.c, viz/chrome.c, viz/timeline.c).
 *
 * Nothing here aborts or exits: every error comes back as a message.
 */
#ifndef HVTRACE_H
#define HVTRACE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "public/domctl.h"
#include "public/hvkit.h"
#include "public/trace.h"

/* ---- the event definitions (events.c) ------------------------------------- */

struct hvt_class {
    unsigned    num;        /* high byte of the event ids in this class */
    const char *sym;        /* "HCALL" */
    const char *name;       /* "hcall" */
};

struct hvt_event {
    uint16_t    id;
    uint8_t     nargs;
    const char *sym;        /* "HYPERCALL" */
    const char *name;       /* "hypercall" */
    const char *args;       /* "nr:hcall a1:x ...", as written in the .def */
};

struct hvt_enum {
    const char *type;       /* "hcall" */
    uint32_t    value;
    const char *name;       /* "console_io" */
};

extern const struct hvt_class hvt_classes[];
extern const unsigned         hvt_nclasses;
extern const struct hvt_event hvt_events[];
extern const unsigned         hvt_nevents;
extern const struct hvt_enum  hvt_enums[];
extern const unsigned         hvt_nenums;

/* NULL when the id, class, or (type, value) is not in trace-events.def. */
const struct hvt_event *hvt_event_by_id(uint16_t id);
const char *hvt_class_name(unsigned cls);
const char *hvt_enum_name(const char *type, uint32_t value);
int hvt_enum_type_known(const char *type);

/* "EFAULT" for HV_EFAULT (a positive number), NULL if it has no name. */
const char *hvt_errno_name(uint32_t err);

/* One "name:fmt" word of an event's argument list. */
#define HVT_NAME_MAX 32
struct hvt_arg {
    char name[HVT_NAME_MAX];
    char fmt[HVT_NAME_MAX];
};

/*
 * Split ev->args into words.  Returns how many there are, or -1 if there are
 * more than TRACE_MAX_ARGS or a word is not "name:fmt" (the unit tests check
 * that this never happens for the real .def file).
 */
int hvt_event_args(const struct hvt_event *ev, struct hvt_arg args[TRACE_MAX_ARGS]);

/* ---- formatting (format.c) ------------------------------------------------ */

/* Long enough for any record: 7 args with 31-char names and enum names. */
#define HVT_LINE_MAX 640

/*
 * The dump line, without a newline:
 *     printf("%8u %14llu %-4s %s", seq, tsc, dom, event_name)
 * then " name=value" per argument.  Like snprintf, these return the length
 * the full text has (the output is truncated to fit len, always terminated).
 */
int hvt_format_record(char *buf, size_t len, const struct trace_record *r);
/* "d3"; "hv" for DOMID_HV, "idle" for DOMID_IDLE. */
int hvt_format_dom(char *buf, size_t len, uint32_t dom);
/* One argument value in format fmt: u d x err dom, or an enum type. */
int hvt_format_value(char *buf, size_t len, const char *fmt, uint32_t v);

/* ---- reading a trace file (reader.c) -------------------------------------- */

/* What can be wrong in a trace file. */
enum hvt_problem_kind {
    HVT_P_HEADER,       /* no valid file header: nothing can be read */
    HVT_P_TRUNCATED,    /* the file ends in the middle of a record */
    HVT_P_UNKNOWN,      /* event id not in trace-events.def */
    HVT_P_NARGS,        /* nargs is not what trace-events.def says */
    HVT_P_SEQ_GAP,      /* sequence numbers skip: records are missing */
    HVT_P_SEQ_BACK,     /* sequence numbers go backwards (a new boot?) */
    HVT_P_IO,           /* the operating system could not read the file */
};

struct hvt_problem {
    enum hvt_problem_kind kind;
    uint64_t offset;        /* byte offset in the file where it was found */
    int      is_error;      /* 0: reported loss the hypervisor owned up to
                               (a LOST record); 1: damage or unexplained loss */
    char     msg[256];      /* "offset 112: 3 records missing (seq 2..4)" */
};

typedef void hvt_problem_fn(void *ctx, const struct hvt_problem *p);

struct hvt_reader {
    FILE    *f;
    int      own_f;             /* we opened it, so we close it */
    struct trace_file_header hdr;
    uint64_t offset;            /* of the next record */
    uint32_t next_seq;          /* the seq we expect next */
    uint64_t nrecords;          /* records returned so far */
    uint64_t missing;           /* records known missing (seq gaps) */
    uint64_t nerrors;           /* problems with is_error set */
    int      done;
    hvt_problem_fn *report;     /* may be NULL: problems are only counted */
    void    *report_ctx;
    char     err[256];          /* why open failed */
};

/*
 * Open a trace file and check its header.  Returns 0, or -1 with r->err
 * saying what is wrong and where ("offset 0: bad magic ...").  path "-"
 * reads standard input.  Problems found later go to report(ctx, problem).
 */
int hvt_reader_open(struct hvt_reader *r, const char *path,
                    hvt_problem_fn *report, void *ctx);
/* The same on a FILE the caller opened (and closes); for tests and fuzzing. */
int hvt_reader_fopen(struct hvt_reader *r, FILE *f,
                     hvt_problem_fn *report, void *ctx);
/*
 * The next record: 1 and *rec filled, or 0 at the end of the data (also after
 * a truncated final record or a read error, which are reported first).
 * A record with an unknown id or a wrong nargs is reported and still returned.
 */
int hvt_reader_next(struct hvt_reader *r, struct trace_record *rec);
void hvt_reader_close(struct hvt_reader *r);

/* Write a trace file header (tsc_khz from the ring).  0 or -1 (errno). */
int hvt_write_header(FILE *f, uint32_t tsc_khz);

/* ---- the ring in a running QEMU's RAM file (ramfile.c) ---------------------- */

/*
 * The RAM file is guest-physical memory: byte N of the file is physical
 * address N.  The anchor at TRACE_ANCHOR_PADDR says where the ring is.
 */
struct hvt_ram {
    int       fd;
    dev_t     dev;              /* which file we mapped, to notice a new one */
    ino_t     ino;
    uint8_t  *map;              /* the whole file, shared, read-write */
    size_t    size;
    struct trace_anchor anchor; /* a copy, as found when we attached */
    size_t    ring_off;         /* = anchor.ring_paddr */
    volatile struct trace_ring *ring;
    uint32_t  nr_records;       /* validated copies of the ring header */
    uint32_t  tsc_khz;
    uint32_t  cons;             /* our copy of ring->cons (we own it) */
    char      why[256];         /* why we are not attached (yet), or why a
                                   drain failed */
};

void hvt_ram_init(struct hvt_ram *m);
/*
 * Try once to find a valid ring in the RAM file.  Returns 1 attached, 0 not
 * yet (m->why says what is missing: the file, the anchor, a valid ring; the
 * caller sleeps and tries again), -1 never (the file cannot be opened or
 * mapped; m->why says why).  Garbage in the file is "not yet", never a crash.
 */
int hvt_ram_try_attach(struct hvt_ram *m, const char *path);
/*
 * Consume up to max records (from cons to prod), copying them to out, then
 * hand the slots back to the hypervisor by advancing ring->cons.  Returns how
 * many, or -1 if the ring no longer makes sense (m->why says why; the caller
 * re-attaches).
 */
long hvt_ram_drain(struct hvt_ram *m, struct trace_record *out, size_t max);
/* ring->lost: events the hypervisor dropped since boot. */
uint32_t hvt_ram_lost(const struct hvt_ram *m);
void hvt_ram_detach(struct hvt_ram *m);

/*
 * Who is running the guest whose RAM file m has mapped: the RAM file says
 * nothing when QEMU exits (it stays, full of the last run), so a reader
 * that is not told QEMU's pid looks for the process that has the same file
 * mapped (/proc/PID/maps, matched by device and inode), and then watches
 * that process with hvt_pid_gone.  Returns its pid, 0 if no other process
 * has the file mapped (the run is over: a stale file), or -1 if we cannot
 * tell (no /proc, or processes we may not look at).  Call it once attached.
 */
pid_t hvt_ram_writer(const struct hvt_ram *m);
/*
 * Does any other process still have the RAM file open (QEMU keeps it open
 * and mapped while it runs)?  Asked of the kernel without /proc: a write
 * lease (fcntl F_SETLEASE) is granted only on a file nobody else has open,
 * and is given back at once.  1 yes, 0 no (the run is over), -1 cannot
 * tell (not the file's owner, or a file system without leases).  A caller
 * should ignore SIGIO, the lease-break signal, in case another process
 * opens the file in the instant we hold the lease.
 */
int hvt_ram_shared(const struct hvt_ram *m);
/* Has process pid exited?  An exited but unreaped process (a zombie)
 * counts as gone. */
int hvt_pid_gone(pid_t pid);
/* Its command name (/proc/PID/comm, e.g. "qemu-system-i38"), for messages;
 * "?" when it cannot be read. */
void hvt_pid_comm(pid_t pid, char *comm, size_t len);

/* ---- `hvtrace record`: ring -> trace file (tracer/record.c) ----------------- */

struct hvt_record_opts {
    const char *ramfile;
    const char *out;                    /* trace file to write */
    pid_t       pid;                    /* 0, or stop when this process exits */
    volatile sig_atomic_t *stop;        /* set (by a signal handler) to stop */
    unsigned    poll_us;                /* sleep between polls; 0 = 1000 */
    FILE       *log;                    /* progress and warnings; may be NULL */
    uint64_t    max_records;            /* 0: keep all; else at most this many,
                                           the first and the last halves */
};

struct hvt_record_result {
    uint64_t records;       /* written to the file */
    uint32_t lost;          /* ring->lost at the end */
    uint64_t lost_seen;     /* sum of LOST records in the file */
    int      attached;      /* did we ever find the ring? */
    uint64_t not_kept;      /* read but not written (max_records) */
};

/*
 * Wait for the ring, copy records to o->out until *o->stop is set or o->pid
 * exits, then drain once more and flush.  Returns 0, or 1 with a message on
 * o->log (could not write, or never found a ring: then o->out is left
 * empty, 0 bytes).
 */
int hvt_record(const struct hvt_record_opts *o, struct hvt_record_result *res);

/* ---- a whole trace in memory (load.c) ------------------------------------- */

/* What the exporters (dot, chrome, timeline, stats) and replay work on. */
struct hvt_trace {
    struct trace_record *recs;
    size_t   n;
    uint32_t tsc_khz;           /* from the file header; 0 = unknown */
    uint64_t missing;           /* records known missing (seq gaps) */
    uint64_t nerrors;           /* problems with is_error set */
};

/* Read every record of path.  0, or -1 with err saying why (bad header, no
 * memory).  Problems inside the file go to report(ctx, p) as they are found
 * and the readable records are kept. */
int hvt_trace_load(struct hvt_trace *t, const char *path, hvt_problem_fn *report,
                   void *ctx, char *err, size_t errlen);
/* The same on a FILE the caller opened (and closes); for tests and fuzzing. */
int hvt_trace_fload(struct hvt_trace *t, FILE *f, hvt_problem_fn *report,
                    void *ctx, char *err, size_t errlen);
void hvt_trace_free(struct hvt_trace *t);
/* tsc -> microseconds (tsc_khz 0: the tsc itself is taken as nanoseconds). */
double hvt_tsc_to_us(uint64_t tsc, uint32_t tsc_khz);

/* ---- filters (filter.c) --------------------------------------------------- */

/*
 * A filter is what the live view's `f` key and `--filter` take: words
 * separated by spaces, each one of
 *     a class name (hcall, sched, ...)     keep only these classes
 *     a domain (d0, d1, hv, idle)          keep only these domains
 *     anything else                        a regular expression (POSIX
 *                                          extended) the dump line must match
 * Classes are OR-ed together, so are domains; the three kinds are AND-ed.
 */
#define HVT_MAX_FILTER_DOMS 8
struct hvt_filter {
    int      any_class;         /* no class word: every class passes */
    uint8_t  class_on[256];
    int      ndoms;             /* 0: every domain passes */
    uint16_t doms[HVT_MAX_FILTER_DOMS];
    int      has_re;
    void    *re;                /* a regex_t, allocated */
    char     text[128];         /* the filter as typed, for the header line */
};
/* 0, or -1 with err saying which word is wrong.  An empty spec passes all. */
int hvt_filter_parse(struct hvt_filter *f, const char *spec, char *err, size_t errlen);
int hvt_filter_match(const struct hvt_filter *f, const struct trace_record *r);
void hvt_filter_free(struct hvt_filter *f);
/* "d3" / "hv" / "idle" -> domain id; -1 if it is not a domain word. */
int hvt_parse_dom(const char *word);

/* ---- the state of the system, rebuilt from events (model.c) ---------------- */

/*
 * Per-domain state, rebuilt by replaying events in order: the scheduling
 * state machine (SCHEDULE/BLOCK/WAKE/DOM_*), CPU time in each state, and
 * counters.  Every view and exporter is built on this.
 */
enum hvt_dstate {
    HVT_S_NONE,             /* not seen yet */
    HVT_S_RUNNABLE,         /* ready, waiting for the CPU */
    HVT_S_RUNNING,
    HVT_S_BLOCKED,          /* waiting for an event (sched_op block) */
    HVT_S_DEAD,             /* shut down or crashed */
    HVT_NSTATES
};

/* Domains 0..HVT_MAX_DOMS-3 by id; the last two slots are idle and hv.
 * 32 + 2: every domain the hypervisor can hold (MAX_DOMAINS in
 * hv/core/domain.h) has a slot of its own. */
#define HVT_MAX_DOMS   34
#define HVT_SLOT_IDLE  (HVT_MAX_DOMS - 2)
#define HVT_SLOT_HV    (HVT_MAX_DOMS - 1)
#define HVT_MAX_HCALL  64
#define HVT_NCLASS     16       /* classes 0..15 counted one by one */

/*
 * The VM states of the course (running, blocked, paused, suspended,
 * inactive), as the hypervisor's dom_state records name them: the values
 * are public/domctl.h's DOMCTL_STATE_* and the names trace-events.def's
 * domstate ("running" is the hypervisor's runnable: on the CPU or waiting
 * for it; the scheduling machine above says which).  Inactive is "no
 * domain in this slot": a create leaves it, a destroy comes back to it, and
 * the next create may reuse the id.
 */
#define HVT_NVMSTATES  (DOMCTL_STATE_SUSPENDED + 1)

struct hvt_dom {
    int      seen;
    uint16_t id;
    enum hvt_dstate state;
    uint64_t since;                             /* tsc of the last change */
    uint64_t time_in[HVT_NSTATES];              /* tsc spent in each state */
    uint64_t trans[HVT_NSTATES][HVT_NSTATES];   /* transition counts */
    uint64_t events;                            /* records about this domain */
    uint64_t by_class[HVT_NCLASS];
    uint64_t hcalls[HVT_MAX_HCALL];             /* by hypercall number */
    uint64_t hcall_total, hcall_rejects;
    uint64_t hcall_gap_min, hcall_gap_sum, hcall_gaps;
    uint64_t last_tsc;                          /* of this domain's last record */
    uint64_t evt_sent, evt_upcalls, evt_rejects;
    uint64_t mmu_updates, mmu_rejects, pins;
    uint64_t traps, emulates;
    uint64_t gnt_ops, gnt_rejects;              /* grant_table_op operations */
    uint64_t dev_ops, dev_rejects;              /* device_op commands */
    /* The VM state machine, from dom_state records only (the hypervisor
     * writes one at every change).  Known from this domain's first such
     * record on; times are counted from then.  A domain id reused after a
     * destroy keeps one machine: its lives are counted, and its
     * scheduling state starts again from none at each destroy. */
    int      vm_known;
    uint32_t vm_state;                          /* DOMCTL_STATE_* */
    uint64_t vm_since;                          /* tsc of the last change */
    uint64_t vm_time[HVT_NVMSTATES];            /* tsc spent in each */
    uint64_t vm_trans[HVT_NVMSTATES][HVT_NVMSTATES];
    uint64_t vm_lives;                          /* creations seen (inactive -> ...) */
    uint64_t vm_destroys;                       /* ... -> inactive */
    uint64_t vm_mismatch;                       /* a record's old state was not the
                                                   one we had: records were lost */
};

/* One split device, as the dev_create, dev_state and ring_push records tell
 * it (public/device.h): its ends, their states, and its ring as the last
 * push left it.  Indexed by device id (1..HVT_MAX_DEVS). */
#define HVT_MAX_DEVS   32
#define HVT_MAX_TAKEN  64       /* requests taken and not yet answered, kept */
#define HVT_NVERDICTS  8        /* netverdict values 0..7 (trace-events.def) */
#define HVT_MAX_IRQ    16       /* the 8259 pair's lines */
struct hvt_device {
    int      seen;
    uint32_t type;                              /* DEV_TYPE_* */
    uint16_t dom[2];                            /* [0] front end, [1] back end */
    uint32_t state[2];                          /* DEV_STATE_* of each end */
    uint32_t req_prod, rsp_prod, req_event, rsp_event;
    uint64_t pushes[2], sent[2], suppressed[2]; /* by the end that pushed */
    /* How the ends found each other: the ring's grant and each end's
     * event-channel port (dev_publish; the back end's from its
     * bind_interdomain to the front end's port), 0 = not known yet. */
    uint32_t ring_ref;
    uint32_t port[2];
    int      ring_mapped;                       /* the back end maps the ring now */
    uint32_t ring_handle;                       /* ... with this grant handle */
    uint64_t events[2];                         /* events arrived at each end's port */
    /* What the back end said it did (io_req / io_rsp, DEVOP_io_note). */
    uint64_t io_taken, io_answered, io_errors;  /* errors: answered with status < 0 */
    uint64_t io_out_of_order;                   /* answered while an older one waited */
    uint64_t io_unmatched;                      /* answers to no request taken */
    uint32_t taken[HVT_MAX_TAKEN];              /* ids waiting, oldest first */
    unsigned ntaken;
    uint64_t taken_dropped;                     /* too many waiting: forgot the oldest */
    /* Network (net_pkt): packets this device's back end demultiplexed, by
     * verdict, and packets it put on this device's ring (to_dev). */
    uint64_t pkts[HVT_NVERDICTS];
    uint64_t pkts_to;
    /* What the front end noted (io_req of end front: a console's output
     * pushes), and a console back end's writes to the serial line
     * (cons_write): bytes and lines. */
    uint64_t io_front;
    uint64_t cons_bytes, cons_lines;
};

struct hvt_model {
    struct hvt_dom dom[HVT_MAX_DOMS];
    uint64_t records, lost;                     /* lost: sum of LOST counts */
    uint64_t first_tsc, last_tsc;
    uint64_t by_class[HVT_NCLASS];
    uint64_t evt_edges[HVT_MAX_DOMS][HVT_MAX_DOMS];  /* sends, from -> to */
    uint64_t mem_rules[32];                     /* refusals by rule */
    uint64_t hcall_by_nr[HVT_MAX_HCALL];
    struct hvt_device dev[HVT_MAX_DEVS + 1];    /* [0] unused */
    /* Grants, grantee -> granter: mappings held now, mappings ever made,
     * copies through the granter's grants. */
    uint64_t grant_held[HVT_MAX_DOMS][HVT_MAX_DOMS];
    uint64_t grant_maps[HVT_MAX_DOMS][HVT_MAX_DOMS];
    uint64_t grant_copies[HVT_MAX_DOMS][HVT_MAX_DOMS];
    uint64_t grant_rules[32];                   /* refused grant operations by rule */
    /* Device interrupts that became events (pirq): by line, and the
     * domain and port of the last one. */
    uint64_t pirq[HVT_MAX_IRQ];
    uint16_t pirq_dom[HVT_MAX_IRQ];
    uint32_t pirq_port[HVT_MAX_IRQ];
};

/* The slot of a domain id (-1 if it has none); the id of a slot. */
int hvt_dom_slot(uint32_t domid);
uint16_t hvt_slot_dom(int slot);
const char *hvt_state_name(enum hvt_dstate s);
/* "paused" for DOMCTL_STATE_PAUSED (trace-events.def's domstate); "?" if
 * the value has no name. */
const char *hvt_vmstate_name(uint32_t s);
/* The state a view shows for a domain: its VM state when the trace has
 * dom_state records for it, else its scheduling state. */
const char *hvt_dom_state_text(const struct hvt_dom *d);
void hvt_model_init(struct hvt_model *m);
void hvt_model_feed(struct hvt_model *m, const struct trace_record *r);
/* Close the books at tsc `end`: time in the current states up to end. */
void hvt_model_finish(struct hvt_model *m, uint64_t end);

/* ---- exporters (tracer/stats.c, viz/dot.c, viz/chrome.c, viz/timeline.c) --- */

/* `hvtrace stats`: the xenalyze-style summary. */
void hvt_stats_print(FILE *out, const struct hvt_trace *t);

enum hvt_dot_kind { HVT_DOT_PAGETABLE, HVT_DOT_TOPOLOGY, HVT_DOT_STATES, HVT_DOT_SEQUENCE,
                    HVT_DOT_VMSTATES };
struct hvt_dot_opts {
    enum hvt_dot_kind kind;
    int      dom;               /* pagetable: the domain (default 0) */
    uint64_t at;                /* pagetable: the record index to stop at
                                   (default: the end) */
    uint64_t from, count;       /* sequence: window of record indices */
};
/* -1 with err if the kind name is unknown. */
int hvt_dot_kind_parse(const char *name, enum hvt_dot_kind *kind);
/* Write the graph; 0, or -1 with err (e.g. no page tables for that domain). */
int hvt_dot_write(FILE *out, const struct hvt_trace *t, const struct hvt_dot_opts *o,
                  char *err, size_t errlen);

/* `hvtrace seq`: one I/O request, or one packet, end to end, as a message
 * sequence chart (viz/seq.c): front end, hypervisor, back end, hardware. */
struct hvt_seq_opts {
    uint32_t dev;               /* the device (1..HVT_MAX_DEVS) */
    uint32_t req;               /* the request's id (io_req); a device with no
                                   io_req records: its place on the ring, from 1 */
    uint64_t from_seq;          /* the first io_req with that id from this
                                   record on (ids are reused) */
    uint32_t pkt;               /* else: the pkt-th net_pkt record (of dev, if
                                   dev is not 0), from 1 */
    int      dot;               /* Graphviz instead of text */
};
/* Write the chart; 0, or -1 with err (no such device, request, packet). */
int hvt_seq_write(FILE *out, const struct hvt_trace *t, const struct hvt_seq_opts *o,
                  char *err, size_t errlen);

/* `hvtrace chrome`: Chrome trace-event JSON (opens in Perfetto). */
int hvt_chrome_write(FILE *out, const struct hvt_trace *t);

/* `hvtrace timeline`: an SVG of who ran when (one lane per domain) and of
 * each domain's BVT effective virtual time at every decision. */
struct hvt_timeline_opts {
    double   from_us, to_us;    /* window, µs since the first record;
                                   to_us 0 = the end of the trace */
    unsigned width;             /* pixels; 0 = 960 */
};
/* Write the SVG; 0, or -1 with err (empty window, nothing scheduled). */
int hvt_timeline_write(FILE *out, const struct hvt_trace *t,
                       const struct hvt_timeline_opts *o, char *err, size_t errlen);

#endif
