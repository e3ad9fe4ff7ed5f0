/*
 * tests/unit/test_trace_record.c — `hvtrace record` against a fake QEMU RAM
 * file.
 *
 * Where this sits in the story: the recorder and the hypervisor share a ring
 * through a file and nothing else.  To test that without QEMU, a child
 * process plays the hypervisor: it creates the "RAM file" (late, and too
 * small at first, as a slow QEMU might), writes the anchor at
 * TRACE_ANCHOR_PADDR and formats a ring with the real hv/trace/trace.c, and emits
 * events with the real emitters.  The parent runs the recorder (the library
 * behind `hvtrace record --pid CHILD`), which stops when the child exits,
 * then reads the file back with the decoder and checks that every record
 * arrived, or that every loss is accounted for.  Garbage RAM files must be
 * waited on, never crash.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace/trace.h"      /* hv/trace/trace.h: the real emitters */
#include "hvtrace.h"

#define RAM_SIZE   (1u << 20)
#define RING_PADDR 0x10000u

static char dir[64], ramfile[128], outfile[128], logfile[128];

static void make_dir(void)
{
    strcpy(dir, "/tmp/hvtrace-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(ramfile, sizeof ramfile, "%s/ram", dir);
    snprintf(outfile, sizeof outfile, "%s/trace.bin", dir);
    snprintf(logfile, sizeof logfile, "%s/log", dir);
}

static void remove_dir(void)
{
    unlink(ramfile);
    unlink(outfile);
    unlink(logfile);
    rmdir(dir);
}

TestSuite(record, .init = make_dir, .fini = remove_dir, .timeout = 20);

/* ---- the fake hypervisor ---------------------------------------------------- */

static unsigned char *map_ram(int create)
{
    int fd = open(ramfile, O_RDWR | (create ? O_CREAT : 0), 0600);
    if (fd < 0)
        _exit(10);
    if (create && ftruncate(fd, RAM_SIZE) < 0)
        _exit(11);
    void *p = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        _exit(12);
    return p;
}

static void write_anchor(unsigned char *ram, uint32_t ring_bytes)
{
    struct trace_anchor a = { .magic = TRACE_ANCHOR_MAGIC, .version = TRACE_FORMAT_VERSION,
                              .ring_paddr = RING_PADDR, .ring_bytes = ring_bytes,
                              .boot_id = 1234 };
    memcpy(ram + TRACE_ANCHOR_PADDR, &a, sizeof a);
}

static uint32_t ring_bytes(uint32_t nrec)
{
    return sizeof(struct trace_ring) + nrec * sizeof(struct trace_record);
}

/* Wait until the reader has taken `room` slots' worth (or everything). */
static void wait_room(uint32_t room)
{
    while (trace_ring->nr_records - (trace_ring->prod - trace_ring->cons) < room)
        usleep(50);
}

static void wait_drained(void)
{
    wait_room(trace_ring->nr_records);
}

/* Run the recorder until the child exits, keeping at most max records
 * (0: all); returns its result code. */
static int record_capped(pid_t child, struct hvt_record_result *res, uint64_t max)
{
    FILE *log = fopen(logfile, "w");
    cr_assert_not_null(log);
    struct hvt_record_opts o = { .ramfile = ramfile, .out = outfile, .pid = child,
                                 .poll_us = 200, .log = log, .max_records = max };
    int rc = hvt_record(&o, res);
    fclose(log);

    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "the fake hypervisor failed (status 0x%x)", status);
    return rc;
}

static int record_until_exit(pid_t child, struct hvt_record_result *res)
{
    return record_capped(child, res, 0);
}

static int log_has(const char *text)
{
    char buf[8192] = "";
    FILE *f = fopen(logfile, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

/* Read the recorded file back; problems are counted in *r. */
static uint64_t read_back(struct hvt_reader *r, uint32_t *last_arg)
{
    struct trace_record rec;
    cr_assert_eq(hvt_reader_open(r, outfile, NULL, NULL), 0, "%s", r->err);
    while (hvt_reader_next(r, &rec) > 0)
        if (rec.event == TRC_SCHEDULE)
            *last_arg = rec.args[2];
    hvt_reader_close(r);
    return r->nrecords;
}

/* ---- tests ------------------------------------------------------------------ */

Test(record, late_file_late_ring_every_record_arrives)
{
    enum { N = 5000 };
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        /* The file appears late, and small: QEMU has not sized it yet. */
        usleep(20000);
        int fd = open(ramfile, O_RDWR | O_CREAT, 0600);
        if (fd < 0 || ftruncate(fd, 4096) < 0)
            _exit(1);
        close(fd);
        usleep(20000);
        unsigned char *ram = map_ram(1);
        /* The anchor before the ring is formatted: the reader must wait. */
        write_anchor(ram, ring_bytes(16));
        usleep(20000);
        trace_init(ram + RING_PADDR, ring_bytes(16), 1000, 1);
        trace3(TRC_TRACE_START, DOMID_HV, 1000, 16, 1);
        for (uint32_t i = 0; i < N; i++) {
            wait_room(1);       /* a polite producer: nothing is lost */
            trace5(TRC_SCHEDULE, 0, 0, 1, i, 0, 0);
        }
        _exit(0);
    }

    struct hvt_record_result res;
    cr_assert_eq(record_until_exit(child, &res), 0);
    cr_assert(res.attached);
    cr_assert_eq(res.records, N + 1);
    cr_assert_eq(res.lost, 0);
    cr_assert(log_has("to appear"), "the recorder said it was waiting for the file");
    cr_assert(log_has("waiting for the trace ring"), "and for the ring");
    cr_assert(log_has("recording: ring at physical 0x10000, 16 records, 1000 kHz"));

    struct hvt_reader r;
    uint32_t last = 0;
    cr_assert_eq(read_back(&r, &last), N + 1);
    cr_assert_eq(r.nerrors, 0);
    cr_assert_eq(r.missing, 0);
    cr_assert_eq(r.hdr.tsc_khz, 1000);
    cr_assert_eq(last, N - 1);
}

/* A run that loops writes records without end: with a cap, the file keeps
 * the first and the last half, and says how many it left out. */
Test(record, cap_keeps_the_first_and_the_last_records)
{
    enum { N = 3000, MAX = 1000 };
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        unsigned char *ram = map_ram(1);
        trace_init(ram + RING_PADDR, ring_bytes(64), 1000, 1);
        write_anchor(ram, ring_bytes(64));
        for (uint32_t i = 0; i < N; i++) {
            wait_room(1);
            trace5(TRC_SCHEDULE, 0, 0, 1, i, 0, 0);
        }
        wait_drained();
        _exit(0);
    }

    struct hvt_record_result res;
    cr_assert_eq(record_capped(child, &res, MAX), 0);
    cr_assert_eq(res.records, MAX);
    cr_assert_eq(res.not_kept, N - MAX);
    cr_assert(log_has("were not kept (--max-records 1000)"));

    struct hvt_reader r;
    struct trace_record rec;
    cr_assert_eq(hvt_reader_open(&r, outfile, NULL, NULL), 0, "%s", r.err);
    uint32_t i = 0, first_of_tail = 0;
    while (hvt_reader_next(&r, &rec) > 0) {
        if (i == MAX / 2)
            first_of_tail = rec.args[2];
        i++;
    }
    hvt_reader_close(&r);
    cr_assert_eq(i, MAX);
    cr_assert_eq(first_of_tail, N - MAX / 2, "the tail is the last records");
    cr_assert_eq(rec.args[2], N - 1, "down to the very last one");
    cr_assert_eq(r.missing, N - MAX, "the reader sees the gap");
}

Test(record, loss_is_counted_and_accounted_for)
{
    enum { N = 20000 };
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        unsigned char *ram = map_ram(1);
        trace_init(ram + RING_PADDR, ring_bytes(4), 1000, 1);
        write_anchor(ram, ring_bytes(4));
        for (uint32_t i = 0; i < N; i++)    /* far faster than a 200 us poll */
            trace5(TRC_SCHEDULE, 0, 0, 1, i, 0, 0);
        wait_drained();
        trace5(TRC_SCHEDULE, 0, 0, 1, N, 0, 0);   /* room again: the LOST record goes out */
        wait_drained();
        _exit(0);
    }

    struct hvt_record_result res;
    cr_assert_eq(record_until_exit(child, &res), 0);
    cr_assert_gt(res.lost, 0, "a 4-record ring must overflow");
    cr_assert_eq(res.lost_seen, res.lost, "every loss has its LOST record");

    struct hvt_reader r;
    uint32_t last = 0;
    cr_assert_eq(read_back(&r, &last), res.records);
    cr_assert_eq(last, N);
    cr_assert_eq(r.nerrors, 0, "gaps explained by LOST records are not errors");
    cr_assert_eq(r.missing, res.lost, "the seq gaps add up to ring->lost");
    cr_assert_eq(r.next_seq, r.nrecords + r.missing, "every seq is a record or a loss");
}

Test(record, hypervisor_restart_is_followed)
{
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        unsigned char *ram = map_ram(1);
        trace_init(ram + RING_PADDR, ring_bytes(8), 1000, 1);
        write_anchor(ram, ring_bytes(8));
        for (uint32_t i = 0; i < 5; i++)
            trace5(TRC_SCHEDULE, 0, 0, 1, i, 0, 0);
        wait_drained();
        usleep(5000);
        /* A reboot: the ring is formatted again, prod and cons back to 0. */
        trace_init(ram + RING_PADDR, ring_bytes(8), 1000, 1);
        for (uint32_t i = 0; i < 3; i++)
            trace5(TRC_SCHEDULE, 0, 0, 1, 100 + i, 0, 0);
        wait_drained();
        _exit(0);
    }

    struct hvt_record_result res;
    cr_assert_eq(record_until_exit(child, &res), 0);
    cr_assert_eq(res.records, 8);
    cr_assert(log_has("looking for the ring again"));

    struct hvt_reader r;
    uint32_t last = 0;
    cr_assert_eq(read_back(&r, &last), 8);
    cr_assert_eq(last, 102);
    cr_assert_eq(r.nerrors, 1, "the new boot shows as seq going back");
}

Test(record, no_ring_ever_gives_an_empty_file_and_status_1)
{
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        map_ram(1);         /* a RAM file, but no hypervisor writes to it */
        usleep(30000);
        _exit(0);
    }

    struct hvt_record_result res;
    cr_assert_eq(record_until_exit(child, &res), 1);
    cr_assert_not(res.attached);
    cr_assert(log_has("no trace ring found"));

    struct stat st;
    cr_assert_eq(stat(outfile, &st), 0);
    cr_assert_eq(st.st_size, 0, "nothing recorded: an empty file, not a stale one");
}

Test(record, stop_flag_still_drains_what_is_there)
{
    unsigned char *ram = map_ram(1);
    trace_init(ram + RING_PADDR, ring_bytes(16), 1000, 1);
    write_anchor(ram, ring_bytes(16));
    for (uint32_t i = 0; i < 10; i++)
        trace5(TRC_SCHEDULE, 0, 0, 1, i, 0, 0);

    volatile sig_atomic_t stop = 1;
    struct hvt_record_opts o = { .ramfile = ramfile, .out = outfile, .stop = &stop };
    struct hvt_record_result res;
    cr_assert_eq(hvt_record(&o, &res), 0);
    cr_assert_eq(res.records, 10);
    cr_assert_eq(trace_ring->cons, trace_ring->prod, "the slots were handed back");
}

Test(record, unwritable_output_fails_cleanly)
{
    volatile sig_atomic_t stop = 1;
    struct hvt_record_opts o = { .ramfile = ramfile, .out = "/nonexistent/dir/t.bin",
                                 .stop = &stop };
    struct hvt_record_result res;
    cr_assert_eq(hvt_record(&o, &res), 1);
}

/* ---- garbage in the RAM file: "not yet", never a crash ------------------------ */

static unsigned char *ram;

/* A RAM file with a good anchor and ring, for the tests to spoil. */
static void good_ram(void)
{
    ram = map_ram(1);
    trace_init(ram + RING_PADDR, ring_bytes(16), 1000, 1);
    write_anchor(ram, ring_bytes(16));
}

static void expect_not_yet(const char *why_part)
{
    struct hvt_ram m;
    hvt_ram_init(&m);
    int rc = hvt_ram_try_attach(&m, ramfile);
    cr_assert_eq(rc, 0, "attached to garbage");
    cr_assert(strstr(m.why, why_part), "why: '%s', expected '%s'", m.why, why_part);
    hvt_ram_detach(&m);
}

static struct trace_anchor *anchor(void)
{
    return (struct trace_anchor *)(ram + TRACE_ANCHOR_PADDR);
}

Test(record, good_ram_attaches)
{
    good_ram();
    struct hvt_ram m;
    hvt_ram_init(&m);
    cr_assert_eq(hvt_ram_try_attach(&m, ramfile), 1, "%s", m.why);
    cr_assert_eq(m.nr_records, 16);
    hvt_ram_detach(&m);
}

Test(record, garbage_is_waited_on)
{
    expect_not_yet("to appear");

    good_ram();
    anchor()->magic[0] = 'X';
    expect_not_yet("waiting for the trace anchor at physical 0x5000");

    good_ram();
    anchor()->version = 9;
    expect_not_yet("anchor has version 9");

    good_ram();
    anchor()->ring_paddr = RAM_SIZE - 8;
    expect_not_yet("outside the");

    good_ram();
    anchor()->ring_paddr = 0xFFFFFFF8u;     /* would wrap a 32-bit sum */
    expect_not_yet("outside the");

    good_ram();
    anchor()->ring_paddr = RING_PADDR + 4;
    expect_not_yet("not 8-byte aligned");

    good_ram();
    trace_ring->magic[0] = 'X';
    expect_not_yet("waiting for the trace ring");

    good_ram();
    trace_ring->record_size = 40;
    expect_not_yet("40-byte records");

    good_ram();
    trace_ring->nr_records = 12;
    expect_not_yet("not a power of two");

    good_ram();
    trace_ring->nr_records = 0;
    expect_not_yet("not a power of two");

    good_ram();
    trace_ring->nr_records = 1u << 31;
    expect_not_yet("past the end");

    good_ram();
    trace_ring->nr_records = 32;            /* fits the file, not the anchor's bytes */
    expect_not_yet("more than the anchor");

    good_ram();
    trace_ring->prod = 100;
    expect_not_yet("make no sense");
}

Test(record, a_small_file_is_waited_on)
{
    int fd = open(ramfile, O_RDWR | O_CREAT, 0600);
    cr_assert(fd >= 0 && ftruncate(fd, TRACE_ANCHOR_PADDR) == 0);
    close(fd);
    expect_not_yet("to grow");
}

Test(record, not_a_file_is_an_error)
{
    struct hvt_ram m;
    hvt_ram_init(&m);
    cr_assert_eq(hvt_ram_try_attach(&m, dir), -1);
    hvt_ram_detach(&m);
}
