/*
 * tests/unit/test_errno_names.c — the tracer names every error code the
 * ABI defines.
 *
 * The HV_E* codes are #defines in hv/include/public/hvkit.h, which C cannot
 * enumerate, so tracer/lib/events.c keeps its own table of their names (for
 * "err" arguments: ret=-EFAULT).  This test reads the header itself and
 * checks that every code defined there has its name in that table: adding
 * an error code without teaching the tracer fails here, not in a lecture.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvtrace.h"

Test(errno_names, every_hv_errno_in_the_abi_has_a_name)
{
    FILE *f = fopen("hv/include/public/hvkit.h", "r");
    cr_assert_not_null(f, "run the tests from the repository root");
    regex_t re;
    cr_assert_eq(regcomp(&re, "^#define HV_(E[A-Z0-9]+)[ \t]+([0-9]+)", REG_EXTENDED), 0);

    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        regmatch_t m[3];
        if (regexec(&re, line, 3, m, 0) != 0)
            continue;
        char name[32];
        int len = (int)(m[1].rm_eo - m[1].rm_so);
        snprintf(name, sizeof name, "%.*s", len, line + m[1].rm_so);
        uint32_t num = (uint32_t)strtoul(line + m[2].rm_so, NULL, 10);
        const char *got = hvt_errno_name(num);
        cr_expect_not_null(got, "HV_%s (%u) has no name in tracer/lib/events.c", name, num);
        if (got)
            cr_expect_str_eq(got, name, "error %u", num);
        found++;
    }
    regfree(&re);
    fclose(f);
    cr_assert_geq(found, 10, "only %d HV_E* codes found: did the header change form?", found);
}
