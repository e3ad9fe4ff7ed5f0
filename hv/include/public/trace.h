/*
 * hv/include/public/trace.h — the trace record, the ring the hypervisor writes records into,
 * and the file format the host tools read.
 *
 * Where this sits in the story: the hypervisor is invisible by design; the
 * trace is how a student sees it work.  Every interesting thing the hypervisor
 * does (a hypercall, a bounced trap, an emulated instruction, a schedule
 * decision ...) becomes one fixed-size binary record.  Which events exist, and
 * how their arguments are named and printed, is listed once, in
 * trace-events.def next to this file; the hypervisor and the host decoder are
 * both compiled from that list.
 *
 * Transport (xentrace's model, with the host as the reader): the records go
 * into a ring buffer in ordinary machine memory.  QEMU is started with its
 * RAM in a shared file (-object memory-backend-file,...,share=on), and the
 * host tool `hvtrace record` maps that file and consumes the ring while the
 * guest runs.  No I/O instruction, no VM exit per event: the hypervisor only
 * writes memory.  The host finds the ring through a small anchor at a fixed
 * physical address.
 *
 * Loss is never silent: when the ring is full the hypervisor drops the event,
 * counts it, and as soon as there is room again writes a LOST record with the
 * count.  Every record also carries a sequence number that increases by one
 * per event *attempted*, so a gap in seq is visible even without the LOST
 * record.
 */
#ifndef HVKIT_PUBLIC_TRACE_H
#define HVKIT_PUBLIC_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* One event.  48 bytes, little-endian, the same in memory and in files. */
#define TRACE_MAX_ARGS 7
struct trace_record {
    uint64_t tsc;        /* time stamp counter when the event happened
                            (under QEMU -icount: guest instructions) */
    uint32_t seq;        /* sequence number: +1 per event attempted */
    uint16_t event;      /* event id, from trace-events.def */
    uint16_t domain;     /* domain the event is about; DOMID_HV = the hypervisor */
    uint8_t  cpu;        /* physical CPU (always 0 for now) */
    uint8_t  nargs;      /* how many of args[] are meaningful */
    uint16_t since_entry; /* tsc since the hypervisor was entered for this
                            event (trap(): a guest's entry, or an interrupt)
                            to this record, so tsc - since_entry is when
                            the entry began.  A hypercall's record is
                            written as it returns: this is its exact path
                            length.  TRACE_SINCE_MAX: that many or more, or
                            not known (a record of the boot); 0: not
                            recorded (files from before the field). */
    uint32_t args[TRACE_MAX_ARGS];
};
#define TRACE_SINCE_MAX 0xFFFFu
/* Written by the 32-bit hypervisor, read by 64-bit host tools: tsc first,
 * so the one 64-bit field sits at 0 and nothing depends on how either
 * compiler aligns a uint64_t. */
_Static_assert(sizeof(struct trace_record) == 48, "trace_record: 48 bytes");

/* Event classes: the high byte of an event id. */
#define TRACE_CLASS_OF(event)  ((event) >> 8)

/*
 * The anchor: at this fixed physical address (in low conventional memory,
 * which nothing else uses once the hypervisor runs) the hypervisor writes
 * where its ring is.  A reader that does not find the magic yet waits.
 */
#define TRACE_ANCHOR_PADDR   0x5000u
#define TRACE_ANCHOR_MAGIC   "HVKTANCH"
struct trace_anchor {
    char     magic[8];
    uint32_t version;       /* TRACE_FORMAT_VERSION */
    uint32_t ring_paddr;    /* physical address of struct trace_ring */
    uint32_t ring_bytes;    /* header + records */
    uint32_t boot_id;       /* changes every boot (TSC at boot), so a reader
                               can tell a new run from a stale file */
};
_Static_assert(sizeof(struct trace_anchor) == 24, "trace_anchor: 24 bytes");

#define TRACE_FORMAT_VERSION 1

/*
 * The ring: a header, then nr_records records.  Indices are free-running
 * 32-bit counters; slot = index % nr_records (nr_records is a power of two).
 * The hypervisor only writes prod; the reader only writes cons.
 * Empty: prod == cons.  Full: prod - cons == nr_records.
 */
#define TRACE_RING_MAGIC     "HVKTRING"
struct trace_ring {
    char     magic[8];
    uint32_t version;
    uint32_t record_size;          /* sizeof(struct trace_record) */
    uint32_t nr_records;
    uint32_t tsc_khz;              /* to turn tsc into time */
    volatile uint32_t prod;        /* next slot the hypervisor will fill */
    volatile uint32_t cons;        /* next slot the reader will read */
    volatile uint32_t lost;        /* events dropped since boot (ring full) */
    uint32_t enabled;              /* trace=on/off on the hypervisor command line */
    uint32_t reserved[6];          /* pads the header to 64 bytes */
    struct trace_record records[]; /* nr_records of them */
};
_Static_assert(offsetof(struct trace_ring, records) == 64, "trace_ring: records at 64");
_Static_assert(sizeof(struct trace_ring) == 64, "trace_ring: a 64-byte header");

/*
 * A trace file (what `hvtrace record` writes and `hvtrace dump` reads):
 * this 64-byte header, then records back to back.
 */
#define TRACE_FILE_MAGIC     "HVKTRACE"
struct trace_file_header {
    char     magic[8];
    uint32_t version;
    uint32_t record_size;
    uint32_t header_size;   /* sizeof(struct trace_file_header) */
    uint32_t tsc_khz;
    uint32_t reserved[10];
};
_Static_assert(sizeof(struct trace_file_header) == 64, "trace_file_header: 64 bytes");

/* Event ids as an enum, generated from trace-events.def. */
enum trace_event_id {
#define TRACE_CLASS(sym, num, name)
#define TRACE_ENUM(type, value, name)
#define TRACE_EVENT(sym, id, nargs, name, args) TRC_##sym = id,
#include "trace-events.def"
#undef TRACE_CLASS
#undef TRACE_ENUM
#undef TRACE_EVENT
};

/* Class numbers as an enum, from the same file. */
enum trace_class_id {
#define TRACE_CLASS(sym, num, name) TRACE_CLASS_##sym = num,
#define TRACE_ENUM(type, value, name)
#define TRACE_EVENT(sym, id, nargs, name, args)
#include "trace-events.def"
#undef TRACE_CLASS
#undef TRACE_ENUM
#undef TRACE_EVENT
};

#endif
