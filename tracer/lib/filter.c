/*
 * tracer/lib/filter.c — which events to show: by class, by domain, by pattern.
 *
 * Where this sits in the story: a busy hypervisor emits thousands of events
 * a second; a student looking for "what did my event channel do" filters on
 * the evt class and their domain, like kvm_stat's and xentop's filters.  The
 * same filter is used by the live view (the `f` key) and `--filter`.
 *
 * A filter is words: class names and domains are matched on the record's
 * fields (cheap); anything else is a POSIX extended regular expression
 * matched on the dump line (the text the student sees, so what they see is
 * what they can search for).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace.h"

int hvt_parse_dom(const char *w)
{
    if (strcmp(w, "hv") == 0)
        return DOMID_HV;
    if (strcmp(w, "idle") == 0)
        return DOMID_IDLE;
    if (w[0] != 'd' || w[1] < '0' || w[1] > '9')
        return -1;
    char *end;
    long v = strtol(w + 1, &end, 10);
    if (*end || v < 0 || v >= DOMID_SELF)
        return -1;
    return (int)v;
}

static int class_by_name(const char *w)
{
    for (unsigned i = 0; i < hvt_nclasses; i++)
        if (strcmp(hvt_classes[i].name, w) == 0)
            return (int)hvt_classes[i].num;
    return -1;
}

int hvt_filter_parse(struct hvt_filter *f, const char *spec, char *err, size_t errlen)
{
    char buf[sizeof f->text], pattern[sizeof f->text] = "";
    char *save, *w;

    memset(f, 0, sizeof *f);
    f->any_class = 1;
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, errlen, "filter too long (at most %zu characters)", sizeof buf - 1);
        return -1;
    }
    snprintf(f->text, sizeof f->text, "%s", spec);
    snprintf(buf, sizeof buf, "%s", spec);

    for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        int cls = class_by_name(w), dom = hvt_parse_dom(w);
        if (cls >= 0) {
            f->any_class = 0;
            f->class_on[cls] = 1;
        } else if (dom >= 0) {
            if (f->ndoms == HVT_MAX_FILTER_DOMS) {
                snprintf(err, errlen, "'%s': at most %d domains", w, HVT_MAX_FILTER_DOMS);
                return -1;
            }
            f->doms[f->ndoms++] = (uint16_t)dom;
        } else {
            /* Pattern words are joined back with one space. */
            if (pattern[0])
                strcat(pattern, " ");
            strcat(pattern, w);
        }
    }
    if (pattern[0]) {
        regex_t *re = malloc(sizeof *re);
        if (!re) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, re, why, sizeof why);
            free(re);
            snprintf(err, errlen, "'%s': %s", pattern, why);
            return -1;
        }
        f->re = re;
        f->has_re = 1;
    }
    return 0;
}

int hvt_filter_match(const struct hvt_filter *f, const struct trace_record *r)
{
    if (!f->any_class && !f->class_on[TRACE_CLASS_OF(r->event) & 0xff])
        return 0;
    if (f->ndoms) {
        int found = 0;
        for (int i = 0; i < f->ndoms; i++)
            found |= f->doms[i] == r->domain;
        if (!found)
            return 0;
    }
    if (f->has_re) {
        char line[HVT_LINE_MAX];
        hvt_format_record(line, sizeof line, r);
        if (regexec(f->re, line, 0, NULL, 0) != 0)
            return 0;
    }
    return 1;
}

void hvt_filter_free(struct hvt_filter *f)
{
    if (f->re) {
        regfree(f->re);
        free(f->re);
    }
    f->re = NULL;
    f->has_re = 0;
}
