/*
 * tracer/hvtrace.c — the `hvtrace` command: record, dump (and, later, live
 * and stats) traces of the hypervisor.
 *
 * Where this sits in the story: this is the student's and the instructor's
 * window into the hypervisor.  A run under QEMU is recorded with
 *
 *     hvtrace record -o trace.bin ram.file     (while QEMU runs)
 *     hvtrace dump trace.bin                   (afterwards)
 *
 * This file is only the command line: the work is done by the library in
 * tracer/ (hvtrace.h).  Each subcommand is one row of the table at the end
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
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct hvt_record_opts o = { .out = "trace.bin", .stop = &stop_requested,
                                 .log = stderr };
    int c;

    while ((c = getopt_long(argc, argv, "o:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out = optarg;
            break;
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
    if (res.attached && res.lost > res.lost_seen)
        fprintf(stderr, "hvtrace: %llu of the lost events have no LOST record in "
                "%s (dropped at the very end of the run?)\n",
                (unsigned long long)(res.lost - res.lost_seen), o.out);
    return rc ? EXIT_DATA : EXIT_OK;
}

/* ---- hvtrace help [COMMAND] ----------------------------------------------- */

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    { "dump", cmd_dump, "FILE",
      "print every record of a trace file, one per line",
      "  Lines go to stdout:  seq  tsc  domain  event  name=value ...\n"
      "  Problems (damage, unknown events, missing records) go to stderr with\n"
      "  their byte offset in FILE, then a summary: \"N records, M lost\".\n"
      "  FILE may be - for standard input.  Exit status 1 if FILE has problems.\n" },
    { "record", cmd_record, "[-o OUT] [--pid PID] RAMFILE",
      "copy the trace ring of a running QEMU into a trace file",
      "  RAMFILE is QEMU's guest RAM, shared:\n"
      "    -object memory-backend-file,id=ram,size=64M,mem-path=RAMFILE,share=on\n"
      "    -machine memory-backend=ram\n"
      "  Waits for RAMFILE and the hypervisor's trace ring to appear, then\n"
      "  copies records into OUT until interrupted (Ctrl-C, SIGTERM) or until\n"
      "  process PID exits, after a final drain of the ring.\n"
      "    -o, --output OUT   trace file to write (default trace.bin)\n"
      "    -p, --pid PID      stop when process PID (e.g. QEMU) exits\n" },
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
        fprintf(f, "  %-7s %-30s %s\n", commands[i].name, commands[i].args,
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
