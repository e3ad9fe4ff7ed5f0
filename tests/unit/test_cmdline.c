/*
 * tests/unit/test_cmdline.c — the hypervisor command line (hv/core/cmdline.c),
 * compiled for the host.  Every option, every bad value, unknown options.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "core/cmdline.h"
#include "mm/isolation.h"

static char warnings[8][128];
static int nwarn;

static void collect(const char *msg)
{
    if (nwarn < 8)
        strncpy(warnings[nwarn], msg, sizeof warnings[0] - 1);
    nwarn++;
}

static struct hv_options parse(const char *s)
{
    struct hv_options o;
    memset(warnings, 0, sizeof warnings);
    nwarn = 0;
    cmdline_defaults(&o);
    cmdline_parse(s, &o, collect);
    return o;
}

Test(cmdline, defaults)
{
    struct hv_options o = parse("");
    cr_assert_eq(o.dom0_kib, 4096);
    cr_assert_eq(o.domu_kib, 2048);
    cr_assert_str_eq(o.sched, "rr");
    cr_assert_eq(o.trace_on, 1);
    cr_assert_eq(o.trace_records, 32768);
    cr_assert_eq(o.tick_ms, 10);
    cr_assert_eq(o.insn_limit_m, 0);
    cr_assert_eq(o.isolation, ISOLATION_PAGING);
    cr_assert_eq(nwarn, 0);
}

Test(cmdline, insn_limit)
{
    cr_assert_eq(parse("insn_limit=2500").insn_limit_m, 2500);
    cr_assert_eq(nwarn, 0);
    cr_assert_eq(parse("insn_limit=lots").insn_limit_m, 0);
    cr_assert_eq(nwarn, 1);
    cr_assert_eq(parse("insn_limit=2000000").insn_limit_m, 0);   /* past the bound */
    cr_assert_eq(nwarn, 1);
}

Test(cmdline, all_options)
{
    struct hv_options o = parse("  dom0_mem=16M domU_mem=512K sched=rr trace=off "
                                "trace_records=1024 tick=5ms  ");
    cr_assert_eq(o.dom0_kib, 16384);
    cr_assert_eq(o.domu_kib, 512);
    cr_assert_eq(o.trace_on, 0);
    cr_assert_eq(o.trace_records, 1024);
    cr_assert_eq(o.tick_ms, 5);
    cr_assert_eq(nwarn, 0);
}

Test(cmdline, both_schedulers)
{
    cr_assert_str_eq(parse("sched=bvt").sched, "bvt");
    cr_assert_eq(nwarn, 0);
    cr_assert_str_eq(parse("sched=bvt sched=rr").sched, "rr");
    cr_assert_eq(nwarn, 0);
    cr_assert_str_eq(parse("sched=BVT").sched, "rr");   /* names are exact */
    cr_assert_eq(nwarn, 1);
}

Test(cmdline, isolation)
{
    cr_assert_eq(parse("isolation=classic").isolation, ISOLATION_CLASSIC);
    cr_assert_eq(nwarn, 0);
    cr_assert_eq(parse("isolation=classic isolation=paging").isolation, ISOLATION_PAGING);
    cr_assert_eq(nwarn, 0);
    /* A typo must not weaken the protection: the default stays. */
    cr_assert_eq(parse("isolation=none").isolation, ISOLATION_PAGING);
    cr_assert_eq(nwarn, 1);
    cr_assert(strstr(warnings[0], "bad value in 'isolation=none'"), "got: %s", warnings[0]);
    cr_assert_eq(parse("isolation=Classic isolation=").isolation, ISOLATION_PAGING);
    cr_assert_eq(nwarn, 2);
}

Test(cmdline, sizes)
{
    uint32_t k;
    cr_assert_eq(cmdline_parse_size_kib("64M", 3, &k), 0);  cr_assert_eq(k, 65536);
    cr_assert_eq(cmdline_parse_size_kib("1G", 2, &k), 0);   cr_assert_eq(k, 1048576);
    cr_assert_eq(cmdline_parse_size_kib("300", 3, &k), 0);  cr_assert_eq(k, 300);   /* KiB, as Xen */
    cr_assert_eq(cmdline_parse_size_kib("8192B", 5, &k), 0); cr_assert_eq(k, 8);
    cr_assert_eq(cmdline_parse_size_kib("", 0, &k), -1);
    cr_assert_eq(cmdline_parse_size_kib("M", 1, &k), -1);
    cr_assert_eq(cmdline_parse_size_kib("12x", 3, &k), -1);
    cr_assert_eq(cmdline_parse_size_kib("99999999999", 11, &k), -1);  /* overflow */
    cr_assert_eq(cmdline_parse_size_kib("5000G", 5, &k), -1);         /* overflow after shift */
}

Test(cmdline, unknown_option_warns_and_continues)
{
    struct hv_options o = parse("frobnicate=1 tick=20 quiet");
    cr_assert_eq(nwarn, 2);
    cr_assert(strstr(warnings[0], "unknown option 'frobnicate=1'"), "got: %s", warnings[0]);
    cr_assert(strstr(warnings[1], "unknown option 'quiet'"), "got: %s", warnings[1]);
    cr_assert_eq(o.tick_ms, 20);
}

Test(cmdline, bad_values_keep_defaults)
{
    struct hv_options o = parse("dom0_mem=lots trace=maybe tick=0 tick=5000 "
                                "trace_records=3 sched=bvt2 domU_mem=1K");
    cr_assert_eq(nwarn, 7);
    cr_assert(strstr(warnings[0], "bad value in 'dom0_mem=lots'"), "got: %s", warnings[0]);
    cr_assert_eq(o.dom0_kib, 4096);
    cr_assert_eq(o.trace_on, 1);
    cr_assert_eq(o.tick_ms, 10);
    cr_assert_eq(o.trace_records, 32768);
    cr_assert_str_eq(o.sched, "rr");
    /* A failed parse may have written the field; it must be rejected
     * anyway (1K is below the 64 KiB minimum). */
    cr_assert(nwarn == 7);
}

Test(cmdline, long_unknown_word_is_truncated_in_the_message)
{
    char s[300];
    memset(s, 'a', sizeof s - 1);
    s[sizeof s - 1] = 0;
    parse(s);
    cr_assert_eq(nwarn, 1);
    cr_assert_lt(strlen(warnings[0]), 128);
}
