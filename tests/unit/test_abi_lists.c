/*
 * tests/unit/test_abi_lists.c — the lists of the ABI, hypercalls.def,
 * mm-rules.def and grant-rules.def, are well formed, and docs/abi.md says
 * what they say.
 *
 * Everything the code knows about a hypercall or a memory rule is made from
 * its list by the preprocessor, so the code cannot disagree with the list.
 * What the compiler cannot see is checked here: names used once, each
 * handler really written in the file the list names, each rule's trace name
 * its symbol in lower case and its errno one the tracer can name -- and the
 * documentation, which a student reads instead of the list.  docs/abi.md
 * holds each list as a table between two marker lines; the table must be
 * exactly the one rendered here from the list (on a difference the test
 * prints the whole table as it should read, to paste in), and every
 * hypercall must have exactly one row in the prose tables that say what it
 * does.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvtrace.h"
#include "public/hvkit.h"

/* ---- the lists, as data ------------------------------------------------------ */

struct hc_arg {
    char kind;                 /* 'N' number, 'C' command, 'P' guest pointer */
    const char *type;          /* PTR: the pointed-to type; CMD: the prefix */
    const char *name;
};

struct hc {
    const char *name;
    unsigned number, lab;
    const char *file;
    unsigned nargs;
    struct hc_arg args[5];
};

#define NUM(name)          { 'N', "", #name }
#define CMD(prefix, name)  { 'C', #prefix, #name }
#define PTR(type, name)    { 'P', #type, #name }
#define HYPERCALL(name, number, lab, file, ...)                               \
    { #name, number, lab, file,                                               \
      sizeof((struct hc_arg[]){ __VA_ARGS__ }) / sizeof(struct hc_arg),       \
      { __VA_ARGS__ } },
static const struct hc hcs[] = {
#include "public/hypercalls.def"
};
#undef HYPERCALL
#undef NUM
#undef CMD
#undef PTR
#define NHC (sizeof hcs / sizeof hcs[0])

struct rule {
    const char *sym;
    unsigned number, err;
    const char *name, *what;
};
#define MM_RULE(sym, number, err, name, what) { #sym, number, err, name, what },
static const struct rule rules[] = {
#include "public/mm-rules.def"
};
#undef MM_RULE
#define NRULES (sizeof rules / sizeof rules[0])

#define GNT_RULE(sym, number, err, name, what) { #sym, number, err, name, what },
static const struct rule gnt_rules[] = {
#include "public/grant-rules.def"
};
#undef GNT_RULE
#define NGNTRULES (sizeof gnt_rules / sizeof gnt_rules[0])

/* ---- the lists themselves ---------------------------------------------------- */

Test(abi_lists, hypercalls_are_well_formed)
{
    cr_assert_geq(NHC, 10);
    for (unsigned i = 0; i < NHC; i++) {
        const struct hc *h = &hcs[i];
        cr_expect_lt(h->number, HV_NR_HYPERCALLS, "%s: number %u", h->name, h->number);
        cr_expect(h->lab >= 1 && h->lab <= 5, "%s: lab %u", h->name, h->lab);
        cr_expect(h->nargs >= 1 && h->nargs <= 5, "%s: %u arguments", h->name, h->nargs);
        for (unsigned j = 0; j < i; j++) {
            cr_expect_neq(h->number, hcs[j].number, "%s and %s share a number",
                          h->name, hcs[j].name);
            cr_expect_str_neq(h->name, hcs[j].name, "%s listed twice", h->name);
        }
        for (unsigned a = 0; a < h->nargs; a++)
            for (unsigned b = 0; b < a; b++)
                cr_expect_str_neq(h->args[a].name, h->args[b].name, "%s: two arguments named %s",
                                  h->name, h->args[a].name);
        /* The tracer names it from the same list. */
        const char *traced = hvt_enum_name("hcall", h->number);
        cr_expect(traced && strcmp(traced, h->name) == 0, "%s: the tracer says %s",
                  h->name, traced ? traced : "(nothing)");
    }
}

/* "int32_t do_NAME(" at the start of a line of the file the list names:
 * the list says where the handler is, and it must be true. */
Test(abi_lists, each_handler_is_where_the_list_says)
{
    for (unsigned i = 0; i < NHC; i++) {
        const struct hc *h = &hcs[i];
        FILE *f = fopen(h->file, "r");
        cr_assert_not_null(f, "%s: cannot open %s (run the tests from the repository root)",
                           h->name, h->file);
        char want[128], line[512];
        snprintf(want, sizeof want, "int32_t do_%s(", h->name);
        int found = 0;
        while (!found && fgets(line, sizeof line, f))
            found = strncmp(line, want, strlen(want)) == 0;
        fclose(f);
        cr_expect(found, "%s: no line starting \"%s\" in %s", h->name, want, h->file);
    }
}

/* A list of rules (mm-rules.def, grant-rules.def): numbered 0, 1, ... in
 * order, named by their symbol in lower case, rule 0 the OK one, every
 * errno one the tracer can name, and the tracer's enum `traced_as` the
 * same names. */
static void check_rules(const struct rule *list, unsigned n, const char *traced_as)
{
    cr_assert_geq(n, 10);
    for (unsigned i = 0; i < n; i++) {
        const struct rule *r = &list[i];
        /* Numbered 0, 1, 2, ... in order: the trace carries the numbers. */
        cr_expect_eq(r->number, i, "rule %s is number %u, not %u", r->sym, r->number, i);
        char lower[64];
        size_t n = strlen(r->sym);
        cr_assert_lt(n, sizeof lower);
        for (size_t k = 0; k <= n; k++)
            lower[k] = (char)tolower((unsigned char)r->sym[k]);
        cr_expect_str_eq(r->name, lower, "rule %s is named \"%s\" in the trace", r->sym, r->name);
        if (i == 0)
            cr_expect_eq(r->err, 0, "rule 0 (%s) must be the OK one", r->sym);
        else
            cr_expect_not_null(hvt_errno_name(r->err), "rule %s: errno %u has no name",
                               r->sym, r->err);
        const char *traced = hvt_enum_name(traced_as, r->number);
        cr_expect(traced && strcmp(traced, r->name) == 0, "rule %s: the tracer says %s",
                  r->sym, traced ? traced : "(nothing)");
    }
}

Test(abi_lists, memory_rules_are_well_formed)
{
    check_rules(rules, NRULES, "mmrule");
}

Test(abi_lists, grant_rules_are_well_formed)
{
    check_rules(gnt_rules, NGNTRULES, "gntrule");
}

/* ---- docs/abi.md --------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (run the tests from the repository root)", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    cr_assert_gt(n, 0);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The text between the line containing `begin` and the line containing
 * `end` (both excluded), as a new string. */
static char *between(const char *doc, const char *begin, const char *end)
{
    const char *b = strstr(doc, begin);
    cr_assert_not_null(b, "docs/abi.md has no line with \"%s\"", begin);
    b = strchr(b, '\n');
    cr_assert_not_null(b);
    b++;
    const char *e = strstr(b, end);
    cr_assert_not_null(e, "docs/abi.md has no line with \"%s\" after \"%s\"", end, begin);
    while (e > b && e[-1] != '\n')
        e--;
    return strndup(b, (size_t)(e - b));
}

/* One argument as the table shows it. */
static void render_arg(char *out, size_t size, const struct hc_arg *a)
{
    if (a->kind == 'P')
        snprintf(out, size, "`%s *%s`", a->type, a->name);
    else if (a->kind == 'C')
        snprintf(out, size, "`%s` (`%s_*`)", a->name, a->type);
    else
        snprintf(out, size, "`%s`", a->name);
}

/* The hypercall table, by number, as docs/abi.md must hold it. */
static void render_hypercalls(char *out, size_t size)
{
    size_t len = (size_t)snprintf(out, size,
        "| nr | hypercall | arguments: %%ebx, %%ecx, %%edx, %%esi, %%edi | handler | lab |\n"
        "|---|---|---|---|---|\n");
    for (unsigned nr = 0; nr < HV_NR_HYPERCALLS; nr++) {
        for (unsigned i = 0; i < NHC; i++) {
            const struct hc *h = &hcs[i];
            if (h->number != nr)
                continue;
            char args[512] = "";
            for (unsigned a = 0; a < h->nargs; a++) {
                char one[128];
                render_arg(one, sizeof one, &h->args[a]);
                snprintf(args + strlen(args), sizeof args - strlen(args), "%s%s",
                         a ? ", " : "", one);
            }
            len += (size_t)snprintf(out + len, size - len, "| %u | `%s` | %s | `do_%s` in `%s` | %u |\n",
                                    h->number, h->name, args, h->name, h->file, h->lab);
        }
    }
}

static void render_rules(char *out, size_t size, const struct rule *list, unsigned n)
{
    size_t len = (size_t)snprintf(out, size,
        "| rule (trace name) | number | the guest gets | what it refuses |\n"
        "|---|---|---|---|\n");
    for (unsigned i = 0; i < n; i++) {
        const struct rule *r = &list[i];
        char err[32];
        if (r->err)
            snprintf(err, sizeof err, "`-%s`", hvt_errno_name(r->err));
        else
            snprintf(err, sizeof err, "0");
        len += (size_t)snprintf(out + len, size - len, "| `%s` | %u | %s | %s |\n",
                                r->name, r->number, err, r->what);
    }
}

#define HC_BEGIN   "<!-- BEGIN hypercalls.def"
#define HC_END     "<!-- END hypercalls.def"
#define RULE_BEGIN "<!-- BEGIN mm-rules.def"
#define RULE_END   "<!-- END mm-rules.def"
#define GRULE_BEGIN "<!-- BEGIN grant-rules.def"
#define GRULE_END   "<!-- END grant-rules.def"

Test(abi_lists, docs_hypercall_table_is_the_list)
{
    char *doc = read_file("docs/abi.md");
    char *got = between(doc, HC_BEGIN, HC_END);
    static char want[16384];
    render_hypercalls(want, sizeof want);
    cr_expect_str_eq(got, want,
                     "docs/abi.md's hypercall table differs from hv/include/public/hypercalls.def.\n"
                     "Between its %s... and %s... lines it should read:\n\n%s",
                     HC_BEGIN, HC_END, want);
    free(got);
    free(doc);
}

Test(abi_lists, docs_rule_table_is_the_list)
{
    char *doc = read_file("docs/abi.md");
    char *got = between(doc, RULE_BEGIN, RULE_END);
    static char want[16384];
    render_rules(want, sizeof want, rules, NRULES);
    cr_expect_str_eq(got, want,
                     "docs/abi.md's table of memory rules differs from hv/include/public/mm-rules.def.\n"
                     "Between its %s... and %s... lines it should read:\n\n%s",
                     RULE_BEGIN, RULE_END, want);
    free(got);
    free(doc);
}

Test(abi_lists, docs_grant_rule_table_is_the_list)
{
    char *doc = read_file("docs/abi.md");
    char *got = between(doc, GRULE_BEGIN, GRULE_END);
    static char want[16384];
    render_rules(want, sizeof want, gnt_rules, NGNTRULES);
    cr_expect_str_eq(got, want,
                     "docs/abi.md's table of grant rules differs from hv/include/public/grant-rules.def.\n"
                     "Between its %s... and %s... lines it should read:\n\n%s",
                     GRULE_BEGIN, GRULE_END, want);
    free(got);
    free(doc);
}

/* Every hypercall is described once (a prose row "| `name` | ..." outside
 * the generated table), and no such row names a call the list lacks. */
Test(abi_lists, docs_describe_each_hypercall_once)
{
    char *doc = read_file("docs/abi.md");
    char *table = strstr(doc, HC_BEGIN);
    char *table_end = table ? strstr(table, HC_END) : NULL;
    cr_assert(table && table_end);
    unsigned described[sizeof hcs / sizeof hcs[0]] = { 0 };
    for (char *line = doc; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (line >= table && line < table_end)
            continue;
        if (strncmp(line, "| `", 3) != 0)
            continue;
        const char *name = line + 3, *tick = strchr(name, '`');
        cr_assert_not_null(tick);
        size_t n = (size_t)(tick - name);
        if (strncmp(tick, "` |", 3) != 0)
            continue;                  /* a row of another table */
        int known = 0;
        for (unsigned i = 0; i < NHC; i++) {
            if (strlen(hcs[i].name) == n && strncmp(hcs[i].name, name, n) == 0) {
                described[i]++;
                known = 1;
            }
        }
        /* Rows of the rules table start the same way: only rules may be
         * unknown names. */
        for (unsigned i = 0; !known && i < NRULES; i++)
            known = strlen(rules[i].name) == n && strncmp(rules[i].name, name, n) == 0;
        for (unsigned i = 0; !known && i < NGNTRULES; i++)
            known = strlen(gnt_rules[i].name) == n && strncmp(gnt_rules[i].name, name, n) == 0;
        cr_expect(known, "docs/abi.md describes \"%.*s\", which is no hypercall of the list",
                  (int)n, name);
    }
    for (unsigned i = 0; i < NHC; i++)
        cr_expect_eq(described[i], 1, "docs/abi.md describes %s %u times (want once: a row "
                     "\"| `%s` | ...\")", hcs[i].name, described[i], hcs[i].name);
    free(doc);
}
