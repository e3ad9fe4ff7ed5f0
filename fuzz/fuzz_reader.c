/*
 * fuzz/fuzz_reader.c — a fuzz target for everything that reads a trace file.
 *
 * Where this sits in the story: a trace file is input from outside (a
 * student's run, a truncated copy, a file that is not a trace at all).  The
 * kit's rule is that bad input gets a message with its offset, never a
 * crash.  libFuzzer (clang -fsanitize=fuzzer,address) calls this function
 * with millions of mutated inputs, starting from the fixtures in
 * tests/fixtures/; AddressSanitizer turns any out-of-bounds access into a
 * failure.  Each input goes through the reader, the loader, the state model
 * and every exporter, so they are all covered.
 *
 * Run: build/fuzz/fuzz-reader -max_total_time=10 tests/fixtures
 * (tests/checks/tracer-fuzz.sh does, in `make test`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

static void count_problem(void *ctx, const struct hvt_problem *p)
{
    /* Every message must say where: "offset N: ..." */
    if (strncmp(p->msg, "offset ", 7) != 0)
        __builtin_trap();
    (*(unsigned long *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The bytes as a file, in memory (fmemopen): no disk I/O per run. */
    FILE *in = fmemopen((void *)data, size ? size : 1, "rb");
    if (!in)
        return 0;
    if (!size)
        fseek(in, 0, SEEK_END);         /* fmemopen needs size > 0: read nothing */
    unsigned long problems = 0;
    struct hvt_trace t;
    char err[256];
    if (hvt_trace_fload(&t, in, count_problem, &problems, err, sizeof err) == 0) {
        FILE *null = fopen("/dev/null", "w");
        char line[HVT_LINE_MAX];
        for (size_t i = 0; i < t.n; i++)
            hvt_format_record(line, sizeof line, &t.recs[i]);
        hvt_stats_print(null, &t);
        hvt_chrome_write(null, &t);
        for (int k = 0; k < 4; k++) {
            struct hvt_dot_opts o = { .kind = (enum hvt_dot_kind)k, .dom = 0 };
            hvt_dot_write(null, &t, &o, err, sizeof err);
        }
        struct hvt_timeline_opts to = { 0 };
        hvt_timeline_write(null, &t, &to, err, sizeof err);
        struct hvt_seq_opts so = { .dev = 1, .req = 1 };
        hvt_seq_write(null, &t, &so, err, sizeof err);
        so.pkt = 1;
        hvt_seq_write(null, &t, &so, err, sizeof err);
        fclose(null);
        hvt_trace_free(&t);
    } else if (strncmp(err, "offset ", 7) != 0 && strncmp(err, "out of memory", 13) != 0) {
        __builtin_trap();          /* a header error must say where, too */
    }
    fclose(in);
    return 0;
}
