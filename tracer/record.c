/*
 * tracer/record.c — `hvtrace record`: copy the live trace ring into a file.
 *
 * Where this sits in the story: a run under QEMU lasts a fraction of a second
 * to a few minutes; the ring in guest RAM holds only the last few thousand
 * events.  The recorder keeps the ring empty by copying records out as they
 * arrive (polling every millisecond: the hypervisor never tells the host
 * anything, it only writes memory) and appends them to a trace file that
 * `hvtrace dump` and friends read afterwards.
 *
 * It is started before or after QEMU, so it waits patiently for the RAM file,
 * then the anchor, then a valid ring.  It stops when told to (a signal sets
 * *stop) or when the QEMU process it watches exits, and drains the ring one
 * last time first: the records written just before the end are usually the
 * interesting ones.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "hvtrace.h"

#define BATCH 256   /* records copied per drain call */

__attribute__((format(printf, 2, 3)))
static void say(FILE *log, const char *fmt, ...)
{
    va_list ap;

    if (!log)
        return;
    va_start(ap, fmt);
    fputs("hvtrace: ", log);
    vfprintf(log, fmt, ap);
    fputc('\n', log);
    va_end(ap);
}

/* usleep, not nanosleep: <time.h> would be hv/time/time.h under -Ihv.  A signal
 * cuts the sleep short, which is what we want. */
static void sleep_us(unsigned us)
{
    usleep(us);
}

int hvt_record(const struct hvt_record_opts *o, struct hvt_record_result *res)
{
    struct trace_record buf[BATCH];
    struct hvt_ram m;
    char last_why[sizeof m.why] = "";
    unsigned poll_us = o->poll_us ? o->poll_us : 1000;
    int rc = 0;

    memset(res, 0, sizeof *res);
    FILE *out = fopen(o->out, "wb");
    if (!out) {
        say(o->log, "cannot create %s: %s", o->out, strerror(errno));
        return 1;
    }
    hvt_ram_init(&m);

    for (;;) {
        /* Decide before draining, so the drain below is the final one. */
        int stop = (o->stop && *o->stop) || (o->pid > 0 && hvt_pid_gone(o->pid));

        if (!m.ring) {
            int a = hvt_ram_try_attach(&m, o->ramfile);
            if (a < 0) {
                say(o->log, "%s", m.why);
                rc = 1;
                break;
            }
            if (a == 0) {
                if (strcmp(m.why, last_why) != 0)   /* say each thing once */
                    say(o->log, "%s", m.why);
                strcpy(last_why, m.why);
                if (stop)
                    break;
                sleep_us(poll_us);
                continue;
            }
            if (!res->attached && hvt_write_header(out, m.tsc_khz) < 0) {
                say(o->log, "cannot write %s: %s", o->out, strerror(errno));
                rc = 1;
                break;
            }
            say(o->log, "recording: ring at physical 0x%zx, %u records, %u kHz",
                 m.ring_off, m.nr_records, m.tsc_khz);
            if (!m.ring->enabled)
                say(o->log, "the hypervisor was booted with trace=off: "
                    "it will write no records");
            res->attached = 1;
            last_why[0] = '\0';
        }

        /* Empty the ring. */
        long n;
        while ((n = hvt_ram_drain(&m, buf, BATCH)) > 0) {
            if (fwrite(buf, sizeof buf[0], (size_t)n, out) != (size_t)n) {
                say(o->log, "cannot write %s: %s", o->out, strerror(errno));
                rc = 1;
                goto done;
            }
            res->records += (uint64_t)n;
            for (long i = 0; i < n; i++)
                if (buf[i].event == TRC_LOST && buf[i].nargs >= 1)
                    res->lost_seen += buf[i].args[0];
            if (n < BATCH)
                break;
        }
        if (m.ring)
            res->lost = hvt_ram_lost(&m);
        if (n < 0) {
            say(o->log, "%s; looking for the ring again", m.why);
            m.ring = NULL;   /* keep the mapping; try_attach re-checks it */
        }
        fflush(out);         /* so a crash, or a reader tailing the file, sees it */
        if (stop)
            break;
        sleep_us(poll_us);
    }
done:
    if (!res->attached) {
        /* OUT stays empty (0 bytes, not a stale trace from an earlier run):
         * "nothing was recorded" is then plain to scripts and to dump. */
        say(o->log, "no trace ring found in %s (%s)", o->ramfile,
            m.why[0] ? m.why : "stopped");
        rc = 1;
    }
    if (fclose(out) != 0) {
        say(o->log, "cannot write %s: %s", o->out, strerror(errno));
        rc = 1;
    }
    hvt_ram_detach(&m);
    return rc;
}
