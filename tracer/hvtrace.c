/*
 * tracer/hvtrace.c — the `hvtrace` command: record, dump, watch live, summarise
 * and export (Graphviz, Chrome/Perfetto JSON, an SVG timeline) traces of the
 * hypervisor.
 *
 * Where this sits in the story: this is the student's and the instructor's
 * window into the hypervisor.  A run under QEMU is recorded with
 *
 *     hvtrace record -o trace.bin ram.file     (while QEMU runs)
 *     hvtrace dump trace.bin                   (afterwards)
 *
 * This file is only the command line: the work is done by the library in
 * tracer/lib/ (hvtrace.h), the commands in tracer/ and the exporters in
 * viz/.  Each subcommand is one row of the table at the end
 * plus one function; add a row to add a command.
 *
 * Exit status, for scripts and the grader: 0 all well, 1 the data had
 * problems (damaged or incomplete trace, no ring found), 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

struct command {
    const char *name;
    int (*run)(int argc, char **argv);  /* argv[0] is the command's name */
    const char *args;                   /* for the usage line */
    const char *summary;                /* one line, for `hvtrace help` */
    const char *help;                   /* the rest, for `hvtrace help NAME` */
};

static const struct command *find_command(const char *name);
static int usage(const struct command *c);
static int help(const struct command *c);

/* ---- hvtrace dump FILE ---------------------------------------------------- */

/* Problems in the file go to stderr, after any lines already printed, so a
 * warning appears next to the record it is about. */
static void print_problem(void *ctx, const struct hvt_problem *p)
{
    fflush(stdout);
    fprintf(stderr, "hvtrace: %s: %s\n", (const char *)ctx, p->msg);
}

static int cmd_dump(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h')
            return help(find_command("dump"));
        return usage(find_command("dump"));
    }
    if (argc - optind != 1)
        return usage(find_command("dump"));

    const char *path = argv[optind];
    struct hvt_reader r;
    if (hvt_reader_open(&r, path, print_problem, (void *)path) < 0) {
        fprintf(stderr, "hvtrace: %s: %s\n", path, r.err);
        return EXIT_DATA;
    }

    struct trace_record rec;
    char line[HVT_LINE_MAX];
    while (hvt_reader_next(&r, &rec) > 0) {
        hvt_format_record(line, sizeof line, &rec);
        puts(line);
    }
    fflush(stdout);
    hvt_reader_close(&r);

    if (r.nerrors)
        fprintf(stderr, "hvtrace: %s: %llu problem%s\n", path,
                (unsigned long long)r.nerrors, r.nerrors == 1 ? "" : "s");
    fprintf(stderr, "%llu records, %llu lost\n",
            (unsigned long long)r.nrecords, (unsigned long long)r.missing);
    return r.nerrors ? EXIT_DATA : EXIT_OK;
}

/* ---- hvtrace record [-o OUT] [--pid PID] RAMFILE -------------------------- */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int cmd_record(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "pid",    required_argument, NULL, 'p' },
        { "max-records", required_argument, NULL, 'm' },
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct hvt_record_opts o = { .out = "trace.bin", .stop = &stop_requested,
                                 .log = stderr };
    int c;

    while ((c = getopt_long(argc, argv, "o:p:m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out = optarg;
            break;
        case 'm': {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || n < 2 || optarg[0] == '-') {
                fprintf(stderr, "hvtrace: record: bad --max-records '%s' (at least 2)\n", optarg);
                return usage(find_command("record"));
            }
            o.max_records = n;
            break;
        }
        case 'p': {
            char *end;
            errno = 0;
            long pid = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || pid <= 0 || pid != (pid_t)pid) {
                fprintf(stderr, "hvtrace: record: bad --pid '%s'\n", optarg);
                return usage(find_command("record"));
            }
            o.pid = (pid_t)pid;
            break;
        }
        case 'h':
            return help(find_command("record"));
        default:
            return usage(find_command("record"));
        }
    }
    if (argc - optind != 1)
        return usage(find_command("record"));
    o.ramfile = argv[optind];

    /* Ctrl-C or kill: finish cleanly (final drain, flush), not die. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct hvt_record_result res;
    int rc = hvt_record(&o, &res);

    fprintf(stderr, "%llu records, %u lost\n", (unsigned long long)res.records, res.lost);
    if (res.not_kept)
        fprintf(stderr, "hvtrace: %llu records not kept (--max-records)\n",
                (unsigned long long)res.not_kept);
    if (res.attached && res.lost > res.lost_seen)
        fprintf(stderr, "hvtrace: %llu of the lost events have no LOST record in "
                "%s (dropped at the very end of the run?)\n",
                (unsigned long long)(res.lost - res.lost_seen), o.out);
    return rc ? EXIT_DATA : EXIT_OK;
}

/* ---- whole-trace commands: stats, dot, chrome ------------------------------ */

/* Load FILE for a whole-trace command; problems go to stderr with offsets. */
static int load_or_say(struct hvt_trace *t, const char *path)
{
    char err[256];
    if (hvt_trace_load(t, path, print_problem, (void *)path, err, sizeof err) < 0) {
        fprintf(stderr, "hvtrace: %s: %s\n", path, err);
        return -1;
    }
    return 0;
}

/* Parse a non-negative number for an option; -1 if it is not one. */
static long long number_arg(const char *cmd, const char *opt, const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end || end == s || v < 0) {
        fprintf(stderr, "hvtrace %s: bad %s '%s'\n", cmd, opt, s);
        return -1;
    }
    return v;
}

static int cmd_stats(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "h")) != -1)
        return c == 'h' ? help(find_command("stats")) : usage(find_command("stats"));
    if (argc - optind != 1)
        return usage(find_command("stats"));
    struct hvt_trace t;
    if (load_or_say(&t, argv[optind]) < 0)
        return EXIT_DATA;
    hvt_stats_print(stdout, &t);
    int rc = t.nerrors ? EXIT_DATA : EXIT_OK;
    hvt_trace_free(&t);
    return rc;
}

static int cmd_dot(int argc, char **argv)
{
    struct hvt_dot_opts o = { .dom = 0 };
    long long v;
    int c;

    while ((c = getopt(argc, argv, "d:a:f:n:h")) != -1) {
        switch (c) {
        case 'd':
            if ((v = hvt_parse_dom(optarg)) < 0 &&
                (v = number_arg("dot", "-d", optarg)) < 0)
                return usage(find_command("dot"));
            o.dom = (int)v;
            break;
        case 'a': case 'f': case 'n':
            if ((v = number_arg("dot", c == 'a' ? "-a" : c == 'f' ? "-f" : "-n", optarg)) < 0)
                return usage(find_command("dot"));
            if (c == 'a') o.at = (uint64_t)v + 1;
            else if (c == 'f') o.from = (uint64_t)v;
            else o.count = (uint64_t)v;
            break;
        case 'h':
            return help(find_command("dot"));
        default:
            return usage(find_command("dot"));
        }
    }
    if (argc - optind != 2)
        return usage(find_command("dot"));
    if (hvt_dot_kind_parse(argv[optind], &o.kind) < 0) {
        fprintf(stderr, "hvtrace dot: no graph kind '%s' (pagetable, topology, states, "
                "sequence, vmstates)\n", argv[optind]);
        return usage(find_command("dot"));
    }
    struct hvt_trace t;
    if (load_or_say(&t, argv[optind + 1]) < 0)
        return EXIT_DATA;
    char err[256];
    int rc = hvt_dot_write(stdout, &t, &o, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "hvtrace dot: %s: %s\n", argv[optind + 1], err);
    hvt_trace_free(&t);
    return rc < 0 || t.nerrors ? EXIT_DATA : EXIT_OK;
}

static int cmd_chrome(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "h")) != -1)
        return c == 'h' ? help(find_command("chrome")) : usage(find_command("chrome"));
    if (argc - optind != 1)
        return usage(find_command("chrome"));
    struct hvt_trace t;
    if (load_or_say(&t, argv[optind]) < 0)
        return EXIT_DATA;
    int rc = hvt_chrome_write(stdout, &t);
    if (rc < 0)
        fprintf(stderr, "hvtrace chrome: could not write the JSON (out of memory?)\n");
    hvt_trace_free(&t);
    return rc < 0 || t.nerrors ? EXIT_DATA : EXIT_OK;
}

static int cmd_timeline(int argc, char **argv)
{
    struct hvt_timeline_opts o = { 0 };
    long long v;
    int c;

    while ((c = getopt(argc, argv, "f:t:w:h")) != -1) {
        switch (c) {
        case 'f': case 't': case 'w':
            if ((v = number_arg("timeline", c == 'f' ? "-f" : c == 't' ? "-t" : "-w",
                                optarg)) < 0)
                return usage(find_command("timeline"));
            if (c == 'f') o.from_us = (double)v;
            else if (c == 't') o.to_us = (double)v;
            else o.width = (unsigned)(v < 200 ? 200 : v > 8000 ? 8000 : v);
            break;
        case 'h':
            return help(find_command("timeline"));
        default:
            return usage(find_command("timeline"));
        }
    }
    if (argc - optind != 1)
        return usage(find_command("timeline"));
    struct hvt_trace t;
    if (load_or_say(&t, argv[optind]) < 0)
        return EXIT_DATA;
    char err[256];
    int rc = hvt_timeline_write(stdout, &t, &o, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "hvtrace timeline: %s: %s\n", argv[optind], err);
    hvt_trace_free(&t);
    return rc < 0 || t.nerrors ? EXIT_DATA : EXIT_OK;
}

static int cmd_seq(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "dev",  required_argument, NULL, 'd' },
        { "req",  required_argument, NULL, 'r' },
        { "from", required_argument, NULL, 'f' },
        { "pkt",  required_argument, NULL, 'p' },
        { "dot",  no_argument,       NULL, 'g' },
        { "help", no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct hvt_seq_opts o = { 0 };
    int c, have_req = 0;
    long long v;

    while ((c = getopt_long(argc, argv, "d:r:f:p:gh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': case 'r': case 'f': case 'p':
            if ((v = number_arg("seq", c == 'd' ? "--dev" : c == 'r' ? "--req" :
                                c == 'f' ? "--from" : "--pkt", optarg)) < 0 ||
                v > 0xffffffffll)
                return usage(find_command("seq"));
            if (c == 'd') o.dev = (uint32_t)v;
            else if (c == 'r') { o.req = (uint32_t)v; have_req = 1; }
            else if (c == 'f') o.from_seq = (uint64_t)v;
            else o.pkt = (uint32_t)v;
            break;
        case 'g':
            o.dot = 1;
            break;
        case 'h':
            return help(find_command("seq"));
        default:
            return usage(find_command("seq"));
        }
    }
    /* Either --dev and --req, or --pkt (with --dev, that device's). */
    if (argc - optind != 1 || (o.pkt ? have_req : !(have_req && o.dev)))
        return usage(find_command("seq"));
    struct hvt_trace t;
    if (load_or_say(&t, argv[optind]) < 0)
        return EXIT_DATA;
    char err[256];
    int rc = hvt_seq_write(stdout, &t, &o, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "hvtrace seq: %s: %s\n", argv[optind], err);
    hvt_trace_free(&t);
    return rc < 0 || t.nerrors ? EXIT_DATA : EXIT_OK;
}

int hvt_live_main(int argc, char **argv);   /* live.c */

/* ---- hvtrace help [COMMAND] ----------------------------------------------- */

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    { "dump", cmd_dump, "FILE",
      "print every record of a trace file, one per line",
      "  Lines go to stdout:  seq  tsc  domain  event  name=value ...\n"
      "  Problems (damage, unknown events, missing records) go to stderr with\n"
      "  their byte offset in FILE, then a summary: \"N records, M lost\".\n"
      "  FILE may be - for standard input.  Exit status 1 if FILE has problems.\n" },
    { "record", cmd_record, "[-o OUT] [--pid PID] [--max-records N] RAMFILE",
      "copy the trace ring of a running QEMU into a trace file",
      "  RAMFILE is QEMU's guest RAM, shared:\n"
      "    -object memory-backend-file,id=ram,size=64M,mem-path=RAMFILE,share=on\n"
      "    -machine memory-backend=ram\n"
      "  Waits for RAMFILE and the hypervisor's trace ring to appear, then\n"
      "  copies records into OUT until interrupted (Ctrl-C, SIGTERM) or until\n"
      "  process PID exits, after a final drain of the ring.\n"
      "    -o, --output OUT   trace file to write (default trace.bin)\n"
      "    -p, --pid PID      stop when process PID (e.g. QEMU) exits\n"
      "    -m, --max-records N  keep at most N records: the first N/2 and the\n"
      "                       last N/2 (a looping run cannot fill the disk);\n"
      "                       the ones in between are counted and said\n" },
    { "live", hvt_live_main, "[-r FILE] [-b] [-k] [-s SPEED] [-f FILTER] [-o OUT] [--pid PID] [RAMFILE]",
      "watch the trace as it happens (ncurses), or replay a recorded one",
      "  RAMFILE: attach to a running QEMU's RAM file, like `record`.  When\n"
      "  the run ends (the process that has RAMFILE mapped, or PID, exits)\n"
      "  it reads the ring a last time, says so in one line and exits.\n"
      "    --pid PID    the run is over when process PID (e.g. QEMU) exits\n"
      "    -k           keep the last screen after the run ends, until q\n"
      "    -r FILE      replay a recorded trace file instead (space pauses,\n"
      "                 n steps one event, +/- change the speed)\n"
      "    -s SPEED     replay speed: trace microseconds per real microsecond\n"
      "                 (default 1; 0 = as fast as possible)\n"
      "    -f FILTER    start with this filter (see docs/tracer.md)\n"
      "    -b           batch: no screen, print the counters as text at the end\n"
      "                 (with RAMFILE: every second, until the run ends or Ctrl-C)\n"
      "    -o OUT       also record everything to trace file OUT (live only)\n"
      "  The counters view (F2) gives each domain's VM state (running, blocked,\n"
      "  paused -- in reverse video --, dead, inactive), how long it has been in\n"
      "  it and its lives (an id reused after a destroy).\n"
      "  Keys: Tab/F1-F6 views, i the rings view, h/? help, f filter,\n"
      "        p/space pause, s sort,\n"
      "        r reset counters, / search, q quit.  docs/tracer.md says more.\n" },
    { "stats", cmd_stats, "FILE",
      "summary of a trace: CPU share, hypercalls, rejects, lost records",
      "  Per domain: share of the CPU and time runnable and blocked (from the\n"
      "  schedule/block/wake events), time in each VM state and the transitions\n"
      "  (dom_state: running, blocked, paused, dead, inactive), hypercall counts by number and refused,\n"
      "  event-channel sends and upcalls, memory requests refused by rule; the\n"
      "  records lost; and every hypercall's exact path length (min, median,\n"
      "  p99, max), from the entry time each record carries (docs/tracer.md).\n" },
    { "dot", cmd_dot, "[-d DOM] [-a REC] [-f REC -n N] KIND FILE",
      "a Graphviz graph of the trace: pagetable, topology, states, sequence, vmstates",
      "  Writes DOT to stdout; render with  dot -Tsvg -o out.svg.\n"
      "    pagetable   domain DOM's page tables (-d d1) after record REC (-a)\n"
      "    topology    domains, hypervisor, event channels, counts on edges\n"
      "    states      each domain's scheduling state machine, with counts\n"
      "    sequence    message sequence of records REC.. (-f, default 0),\n"
      "                N of them (-n, default 40)\n"
      "    vmstates    each domain's VM states (running, blocked, paused, dead,\n"
      "                inactive) as the dom_state records saw them: time in\n"
      "                each, transitions counted (running -> paused x1)\n" },
    { "seq", cmd_seq, "--dev N --req ID [--from REC] [--dot] FILE | --pkt N [--dev N] [--dot] FILE",
      "one I/O request or one packet end to end, as a message sequence chart",
      "  Lifelines: the front end, the hypervisor, the back end, the hardware;\n"
      "  one line per record, in trace order: the front end's ring_push, its\n"
      "  event (or why none was sent), the back end's io_req, the device's\n"
      "  interrupt (pirq), its grant operations, io_rsp, the back end's push\n"
      "  and the front end's event.\n"
      "    --dev N --req ID  request ID of device N (the first io_req with that\n"
      "                      id; --from REC: the first from record REC on).  A\n"
      "                      device whose back end writes no io_req (echo): the\n"
      "                      ID-th request on its ring\n"
      "    --pkt N           the N-th net_pkt record (of device N with --dev):\n"
      "                      how it came, its verdict, the ring it went to\n"
      "    --dot             a Graphviz graph instead of text\n" },
    { "chrome", cmd_chrome, "FILE",
      "Chrome/Perfetto trace-event JSON of a trace (open in ui.perfetto.dev)",
      "  One process per domain (rows: cpu, hypercalls, events), run slices,\n"
      "  hypercalls as slices, event sends as flows to the upcall, counters.\n"
      "  Times in microseconds since the first record.  JSON to stdout.\n" },
    { "timeline", cmd_timeline, "[-f US] [-t US] [-w PIXELS] FILE",
      "an SVG timeline: who ran when, and BVT's virtual time at each decision",
      "  One lane per domain: solid while running, pale while runnable (waiting\n"
      "  for the CPU), empty while blocked.  Under BVT (sched=bvt) a second\n"
      "  panel plots each domain's effective virtual time from the sched_vt\n"
      "  records; rings mark warped domains.  SVG to stdout.\n"
      "    -f US, -t US   the window, in microseconds since the first record\n"
      "                   (default: the whole trace)\n"
      "    -w PIXELS      width of the picture (default 960)\n" },
    { "help", cmd_help, "[COMMAND]",
      "say what the commands do", NULL },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void list_commands(FILE *f)
{
    fprintf(f, "usage: hvtrace COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n           %s\n", commands[i].name, commands[i].args,
                commands[i].summary);
    fprintf(f, "\n'hvtrace help COMMAND' says more.  Exit status: 0 ok, "
            "1 problems in the data, 2 bad usage.\n");
}

/* Bad arguments: say how it is used, on stderr, and return EXIT_USAGE. */
static int usage(const struct command *c)
{
    if (c)
        fprintf(stderr, "usage: hvtrace %s %s\n", c->name, c->args);
    else
        list_commands(stderr);
    return EXIT_USAGE;
}

/* Asked-for help goes to stdout (it is the output); usage errors to stderr. */
static int help(const struct command *c)
{
    printf("usage: hvtrace %s %s\n%s\n", c->name, c->args, c->summary);
    if (c->help)
        printf("\n%s", c->help);
    return EXIT_OK;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        list_commands(stdout);
        return EXIT_OK;
    }
    if (argc > 2)
        return usage(find_command("help"));
    const struct command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "hvtrace: help: no command '%s'\n", argv[1]);
        return usage(NULL);
    }
    return help(c);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(NULL);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
        return cmd_help(1, argv + 1);

    const struct command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "hvtrace: no command '%s'\n", argv[1]);
        return usage(NULL);
    }
    /* The command sees "hvtrace NAME" as argv[0]: getopt starts after it,
     * and prefixes its own messages with it. */
    char name[64];
    snprintf(name, sizeof name, "hvtrace %s", c->name);
    argv[1] = name;
    optind = 1;
    return c->run(argc - 1, argv + 1);
}
