/*
 * hv/core/cmdline.c — parsing the hypervisor command line.  See cmdline.h for
 * the options.  Policy lives in dom0 later; for now these few knobs are how
 * an instructor or a test changes the machine without recompiling.
 */
#include "core/cmdline.h"
#include "mm/isolation.h"

#ifdef HV
#include "core/lib.h"
#else
#include <stdio.h>
#include <string.h>
#endif

/* Copy a policy name, cut to fit: sched_init() (hv/sched/sched.c) is what
 * decides whether the name means anything. */
static void set_sched(struct hv_options *o, const char *name)
{
    uint32_t i = 0;
    for (; name[i] && i + 1 < sizeof o->sched; i++)
        o->sched[i] = name[i];
    o->sched[i] = 0;
}

/* The machine a lecture demo gets without any option: small domains (the
 * teaching OS needs little), the simplest policy, tracing on so that
 * there is always something to look at, and Xen's classic 10 ms tick. */
void cmdline_defaults(struct hv_options *o)
{
    o->dom0_kib = 4096;
    o->domu_kib = 2048;
    set_sched(o, "rr");
    o->trace_on = 1;
    o->trace_records = 32768;
    o->tick_ms = 10;
    o->insn_limit_m = 0;
    o->isolation = ISOLATION_PAGING;
}

/* A decimal number of exactly len characters (the words are not
 * NUL-terminated: they point into the command line).  The 64-bit
 * accumulator is checked after every digit, so no input can wrap it. */
static int parse_uint(const char *s, uint32_t len, uint32_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return -1;
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
        if (v > 0xFFFFFFFFu)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cmdline_parse_size_kib(const char *s, uint32_t len, uint32_t *kib)
{
    uint32_t shift_kib = 0;     /* multiply by 2^shift_kib */
    int bytes = 0;
    if (len == 0)
        return -1;
    switch (s[len - 1]) {
    case 'k': case 'K': shift_kib = 0;  len--; break;
    case 'm': case 'M': shift_kib = 10; len--; break;
    case 'g': case 'G': shift_kib = 20; len--; break;
    case 'b': case 'B': bytes = 1;      len--; break;
    }
    uint32_t v;
    if (parse_uint(s, len, &v) < 0)
        return -1;
    if (bytes) {
        *kib = v / 1024;
        return 0;
    }
    if (shift_kib && v > (0xFFFFFFFFu >> shift_kib))
        return -1;
    *kib = v << shift_kib;
    return 0;
}

static int word_is(const char *key, uint32_t klen, const char *name)
{
    return strlen(name) == klen && strncmp(key, name, klen) == 0;
}

static void warn_word(cmdline_warn_fn warn, const char *what, const char *w, uint32_t len)
{
    char msg[128];
    snprintf(msg, sizeof msg, "%s '%.*s' ignored", what, (int)(len > 60 ? 60 : len), w);
    if (warn)
        warn(msg);
}

/* One pass over the words, each split at its first '='.  Nothing is
 * copied or terminated: key and value stay (pointer, length) pairs into
 * the boot loader's string. */
int cmdline_parse(const char *s, struct hv_options *o, cmdline_warn_fn warn)
{
    int warnings = 0;
    while (s && *s) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        uint32_t len = (uint32_t)(s - w);
        if (!len)
            break;

        const char *eq = w;
        while (eq < s && *eq != '=')
            eq++;
        uint32_t klen = (uint32_t)(eq - w);
        const char *val = eq < s ? eq + 1 : s;
        uint32_t vlen = (uint32_t)(s - val);
        int bad = 0;

        if (word_is(w, klen, "dom0_mem")) {
            bad = cmdline_parse_size_kib(val, vlen, &o->dom0_kib) < 0 || o->dom0_kib < 64;
        } else if (word_is(w, klen, "domU_mem")) {
            bad = cmdline_parse_size_kib(val, vlen, &o->domu_kib) < 0 || o->domu_kib < 64;
        } else if (word_is(w, klen, "sched")) {
            if (vlen == 2 && strncmp(val, "rr", 2) == 0)
                set_sched(o, "rr");
            else if (vlen == 3 && strncmp(val, "bvt", 3) == 0)
                set_sched(o, "bvt");
            else
                bad = 1;
        } else if (word_is(w, klen, "trace")) {
            if (vlen == 2 && strncmp(val, "on", 2) == 0)
                o->trace_on = 1;
            else if (vlen == 3 && strncmp(val, "off", 3) == 0)
                o->trace_on = 0;
            else
                bad = 1;
        } else if (word_is(w, klen, "trace_records")) {
            uint32_t n;
            bad = parse_uint(val, vlen, &n) < 0 || n < 64 || n > (1u << 20);
            if (!bad)
                o->trace_records = n;
        } else if (word_is(w, klen, "isolation")) {
            if (vlen == 6 && strncmp(val, "paging", 6) == 0)
                o->isolation = ISOLATION_PAGING;
            else if (vlen == 7 && strncmp(val, "classic", 7) == 0)
                o->isolation = ISOLATION_CLASSIC;
            else
                bad = 1;
        } else if (word_is(w, klen, "tick")) {
            uint32_t n;
            uint32_t l = vlen;
            if (l > 2 && val[l - 2] == 'm' && val[l - 1] == 's')
                l -= 2;
            bad = parse_uint(val, l, &n) < 0 || n < 1 || n > 1000;
            if (!bad)
                o->tick_ms = n;
        } else if (word_is(w, klen, "insn_limit")) {
            uint32_t n;
            bad = parse_uint(val, vlen, &n) < 0 || n > 1000000;
            if (!bad)
                o->insn_limit_m = n;
        } else {
            warn_word(warn, "unknown option", w, len);
            warnings++;
            continue;
        }
        if (bad) {
            warn_word(warn, "bad value in", w, len);
            warnings++;
        }
    }
    return warnings;
}
