/*
 * tracer/lib/events.c — the event tables, compiled from trace-events.def (and
 * the names of hypercalls, memory rules and grant rules, from
 * hypercalls.def, mm-rules.def and grant-rules.def).
 *
 * Where this sits in the story: the hypervisor and the host must agree on
 * what event 0x0101 is and how to print its arguments.  Rather than keep two
 * lists, both include the same definition file with the macros defined to
 * suit.  Here each TRACE_CLASS, TRACE_EVENT and TRACE_ENUM line becomes one
 * row of a table (the "X-macro" technique).  Adding an event to the .def file
 * adds it here with no edit.
 *
 * The tables are small (tens of rows), so lookups are plain linear scans:
 * easier to read than a hash, and fast enough for millions of records.
 */
#include <string.h>

#include "hvtrace.h"

const struct hvt_class hvt_classes[] = {
#define TRACE_CLASS(sym, num, name) { num, #sym, name },
#define TRACE_EVENT(sym, id, nargs, name, args)
#define TRACE_ENUM(type, value, name)
#include "public/trace-events.def"
#undef TRACE_CLASS
#undef TRACE_EVENT
#undef TRACE_ENUM
};
const unsigned hvt_nclasses = sizeof(hvt_classes) / sizeof(hvt_classes[0]);

const struct hvt_event hvt_events[] = {
#define TRACE_CLASS(sym, num, name)
#define TRACE_EVENT(sym, id, nargs, name, args) { id, nargs, #sym, name, args },
#define TRACE_ENUM(type, value, name)
#include "public/trace-events.def"
#undef TRACE_CLASS
#undef TRACE_EVENT
#undef TRACE_ENUM
};
const unsigned hvt_nevents = sizeof(hvt_events) / sizeof(hvt_events[0]);

const struct hvt_enum hvt_enums[] = {
#define TRACE_CLASS(sym, num, name)
#define TRACE_EVENT(sym, id, nargs, name, args)
#define TRACE_ENUM(type, value, name) { #type, value, name },
#include "public/trace-events.def"
#undef TRACE_CLASS
#undef TRACE_EVENT
#undef TRACE_ENUM
/* The hypercalls' names (nr:hcall), the memory rules' (rule:mmrule) and
 * the grant rules' (rule:gntrule) come from their own lists, the same ones
 * the hypervisor is built from. */
#define HYPERCALL(name, number, lab, file, ...) { "hcall", number, #name },
#include "public/hypercalls.def"
#undef HYPERCALL
#define MM_RULE(sym, number, err, name, what) { "mmrule", number, name },
#include "public/mm-rules.def"
#undef MM_RULE
#define GNT_RULE(sym, number, err, name, what) { "gntrule", number, name },
#include "public/grant-rules.def"
#undef GNT_RULE
};
const unsigned hvt_nenums = sizeof(hvt_enums) / sizeof(hvt_enums[0]);

/*
 * Error names for "err" arguments.  These cannot come from the .def file:
 * they are #defines in public/hvkit.h, which C cannot enumerate.  When an
 * HV_E* code is added there, add it here too (tests/unit/test_errno_names.c
 * checks that nothing is missing).
 */
#define E(name) { HV_##name, #name }
static const struct { uint32_t num; const char *name; } errnames[] = {
    E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(E2BIG), E(EBADF),
    E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST),
    E(ENODEV), E(EINVAL), E(ENOSPC), E(ERANGE), E(ENOSYS), E(ERESTART),
};
#undef E

const struct hvt_event *hvt_event_by_id(uint16_t id)
{
    for (unsigned i = 0; i < hvt_nevents; i++)
        if (hvt_events[i].id == id)
            return &hvt_events[i];
    return NULL;
}

const char *hvt_class_name(unsigned cls)
{
    for (unsigned i = 0; i < hvt_nclasses; i++)
        if (hvt_classes[i].num == cls)
            return hvt_classes[i].name;
    return NULL;
}

const char *hvt_enum_name(const char *type, uint32_t value)
{
    for (unsigned i = 0; i < hvt_nenums; i++)
        if (hvt_enums[i].value == value && strcmp(hvt_enums[i].type, type) == 0)
            return hvt_enums[i].name;
    return NULL;
}

int hvt_enum_type_known(const char *type)
{
    for (unsigned i = 0; i < hvt_nenums; i++)
        if (strcmp(hvt_enums[i].type, type) == 0)
            return 1;
    return 0;
}

const char *hvt_errno_name(uint32_t err)
{
    for (unsigned i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
        if (errnames[i].num == err)
            return errnames[i].name;
    return NULL;
}

/* Copy one word of at most HVT_NAME_MAX - 1 characters; -1 if longer. */
static int copy_word(char *dst, const char *src, size_t n)
{
    if (n == 0 || n >= HVT_NAME_MAX)
        return -1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

int hvt_event_args(const struct hvt_event *ev, struct hvt_arg args[TRACE_MAX_ARGS])
{
    const char *p = ev->args;
    int n = 0;

    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return n;
        if (n == TRACE_MAX_ARGS)
            return -1;

        /* One word: name ':' fmt, ended by a space or the end. */
        size_t len = strcspn(p, " ");
        const char *colon = memchr(p, ':', len);
        if (!colon)
            return -1;
        if (copy_word(args[n].name, p, (size_t)(colon - p)) < 0 ||
            copy_word(args[n].fmt, colon + 1, len - (size_t)(colon - p) - 1) < 0)
            return -1;
        n++;
        p += len;
    }
}
