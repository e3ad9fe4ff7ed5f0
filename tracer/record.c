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
 *
 * A run that loops can write records for as long as it is allowed to run
 * (gigabytes).  With a cap (--max-records N) the file keeps the first N/2
 * records and the last N/2: how it started and how it ended, which is
 * where a bug shows; the records in between are counted and said, and the
 * reader sees the gap in their sequence numbers.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
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

/* The last half of a capped trace, kept in memory until the end: a ring of
 * `size` records, of which `n` are filled, the oldest at `first`. */
struct tail {
    struct trace_record *recs;
    uint64_t size, n, first;
};

static void tail_add(struct tail *t, const struct trace_record *rec, uint64_t *not_kept)
{
    if (t->n < t->size) {
        t->recs[(t->first + t->n++) % t->size] = *rec;
        return;
    }
    t->recs[t->first] = *rec;          /* the oldest one goes */
    t->first = (t->first + 1) % t->size;
    (*not_kept)++;
}

static int tail_write(const struct tail *t, FILE *out)
{
    for (uint64_t i = 0; i < t->n; i++)
        if (fwrite(&t->recs[(t->first + i) % t->size], sizeof t->recs[0], 1, out) != 1)
            return -1;
    return 0;
}

int hvt_record(const struct hvt_record_opts *o, struct hvt_record_result *res)
{
    struct trace_record buf[BATCH];
    struct hvt_ram m;
    char last_why[sizeof m.why] = "";
    unsigned poll_us = o->poll_us ? o->poll_us : 1000;
    int rc = 0;

    memset(res, 0, sizeof *res);
    uint64_t head = o->max_records ? o->max_records - o->max_records / 2 : 0;
    struct tail tail = { NULL, o->max_records / 2, 0, 0 };
    if (tail.size && !(tail.recs = calloc(tail.size, sizeof tail.recs[0]))) {
        say(o->log, "no memory for the last %llu records", (unsigned long long)tail.size);
        return 1;
    }
    FILE *out = fopen(o->out, "wb");
    if (!out) {
        say(o->log, "cannot create %s: %s", o->out, strerror(errno));
        free(tail.recs);
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
            /* The first `head` records go straight to the file; with a
             * cap, the rest wait in the tail. */
            long direct = n;
            if (o->max_records && res->records + (uint64_t)n > head)
                direct = (long)(head - res->records);
            if (direct > 0 && fwrite(buf, sizeof buf[0], (size_t)direct, out) != (size_t)direct) {
                say(o->log, "cannot write %s: %s", o->out, strerror(errno));
                rc = 1;
                goto done;
            }
            if (direct > 0)
                res->records += (uint64_t)direct;
            for (long i = direct > 0 ? direct : 0; i < n; i++) {
                if (res->not_kept == 0 && tail.n == 0)
                    say(o->log, "%llu records written: only the last %llu of the rest "
                        "will be kept (--max-records)", (unsigned long long)head,
                        (unsigned long long)tail.size);
                tail_add(&tail, &buf[i], &res->not_kept);
            }
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
    if (tail.n) {
        if (tail_write(&tail, out) < 0) {
            say(o->log, "cannot write %s: %s", o->out, strerror(errno));
            rc = 1;
        } else {
            res->records += tail.n;
        }
    }
    if (res->not_kept)
        say(o->log, "kept the first %llu and the last %llu records; %llu in between "
            "were not kept (--max-records %llu)", (unsigned long long)head,
            (unsigned long long)tail.n, (unsigned long long)res->not_kept,
            (unsigned long long)o->max_records);
    free(tail.recs);
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
