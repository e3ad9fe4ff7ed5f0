/*
 * hv/include/public/domctl.h — the domain-control hypercall: how dom0 (the control
 * domain) creates, loads, starts, pauses, destroys and lists domains, sets
 * their memory, reads their accounting and sets their scheduling
 * parameters.  Shared by the hypervisor, the teaching OS and host tools.
 *
 * In the course's picture, policy lives in dom0 and mechanism in the
 * hypervisor: the hypervisor schedules, builds and tears down, but *which*
 * domains exist, with how much memory and what share, is decided in dom0
 * (Xen's `xl create`, `xl mem-set`, `xl sched-credit`; the toolstack in
 * minios-guest/toolstack/).  Call:
 *
 *     %eax = __HYPERVISOR_domctl (36)
 *     %ebx = guest virtual address of a struct hv_domctl
 *
 * The hypervisor copies the structure in, does the command, and for the
 * "get" commands copies it back out.  Result: 0, or
 *     -HV_EACCES  interface_version is not HV_DOMCTL_INTERFACE_VERSION
 *     -HV_EPERM   the caller is not privileged (only DOMCTL_getinfo on
 *                 DOMID_SELF is allowed to every domain)
 *     -HV_ESRCH   no such domain (or destroyed already)
 *     -HV_EINVAL  unknown command, a parameter out of range, or an
 *                 operation on the caller itself that only another may do
 *                 (destroy, pause)
 *     -HV_EBUSY   the domain is not in a state for it (load twice, unpause
 *                 one never loaded, ...)
 *     -HV_ENOMEM  not enough free frames (create, load)
 *     -HV_ENOSPC  no free domain slot (create: MAX_DOMAINS)
 *     -HV_ENOSYS  the running scheduler has no such parameters (sched=rr)
 *     -HV_EFAULT  bad pointer
 * Every control command (not the reads) and every refusal leaves a
 * `domctl` trace record with the result the caller got.
 *
 * Each command's number stands next to the structure it uses, as in Xen's
 * public headers; struct hv_domctl, which carries them all, comes last.
 */
#ifndef HVKIT_PUBLIC_DOMCTL_H
#define HVKIT_PUBLIC_DOMCTL_H

#include <stddef.h>
#include <stdint.h>
#include "hvkit.h"

/*
 * THE INTERFACE VERSION.  domctl is the toolstack's interface: dom0's
 * tools are built from these headers, and a dom0 built against an older
 * layout would hand the hypervisor a structure it reads wrongly -- silently.
 * So every call carries the version of this header it was built from, and
 * the hypervisor refuses any other (-HV_EACCES) before it reads anything
 * else, as Xen does with XEN_DOMCTL_INTERFACE_VERSION.  Whoever changes a
 * layout or a meaning below must increase the number.
 *
 * (The guest-facing hypercalls need no such field: their structures are
 * Xen's, never change, and are checked byte for byte by
 * tests/unit/test_abi_layout.c.)
 */
#define HV_DOMCTL_INTERFACE_VERSION  2   /* 2: the toolstack's commands (create .. physinfo) */

/*
 * DOMCTL_getinfo: a domain's state, memory and CPU accounting.  Every
 * domain may ask about itself (DOMID_SELF); dom0 may ask about any, even
 * one that is dead, to read its final accounting.
 */
#define DOMCTL_getinfo      1   /* OUT u.info */

/* The VM states of the course (info.state, list.state[]).  "Inactive" is
 * no state of the hypervisor's: an inactive VM is an image and a
 * configuration the toolstack keeps (on dom0's disk, or a boot module
 * marked `inactive`), with no domain at all -- slot state 0. */
#define DOMCTL_STATE_NONE      0   /* no domain in this slot (inactive VMs live in dom0) */
#define DOMCTL_STATE_RUNNABLE  1   /* running, or waiting for the CPU */
#define DOMCTL_STATE_BLOCKED   2   /* waiting for an event */
#define DOMCTL_STATE_DEAD      3   /* shut down (or crashed); destroy frees it */
#define DOMCTL_STATE_PAUSED    4   /* stopped by dom0 (also: created, not yet unpaused) */
#define DOMCTL_STATE_SUSPENDED 5   /* reserved: save/restore (the migration issue) */

struct hv_domctl_getinfo {
    uint32_t state;        /* DOMCTL_STATE_* */
    uint32_t nr_pages;     /* frames it holds now (its balloon's pages excluded) */
    uint64_t cpu_ns;       /* real time it has run */
    uint64_t virtual_ns;   /* same as cpu_ns: a domain's virtual time
                              advances only while it runs */
    uint64_t system_ns;    /* system time now, for shares */
    uint32_t nr_hypercalls;
    uint32_t nr_switches;  /* times it was scheduled in */
    uint32_t max_pages;    /* it may never hold more (DOMCTL_max_mem) */
    uint32_t target_pages; /* what its balloon should hold it to (DOMCTL_set_target; 0: none) */
    uint32_t flags;        /* SIF_* (public/start_info.h) */
    uint32_t shutdown_reason;   /* SHUTDOWN_*, once dead */
};
_Static_assert(sizeof(struct hv_domctl_getinfo) == 56, "hv_domctl_getinfo: 56 bytes");

/*
 * DOMCTL_sched_get / DOMCTL_sched_set: the scheduler's parameters of one
 * domain, dom0 only.  Borrowed Virtual Time (course: domain scheduling;
 * hv/sched/sched_bvt.c).  Times in ns; weight 1..1000; warp_ns 0 disables
 * warping.
 */
#define DOMCTL_sched_get    2   /* OUT u.sched */
#define DOMCTL_sched_set    3   /* IN u.sched (weight and the three warp times) */

struct hv_domctl_sched {
    uint32_t weight;
    uint32_t pad;            /* keeps the 64-bit fields 8-aligned on x86_64 too */
    uint64_t warp_ns;        /* W: how far back a wake may warp */
    uint64_t warp_limit_ns;  /* L: run time allowed while warped (0: none) */
    uint64_t unwarp_req_ns;  /* U: time unwarped before warping again */
    uint64_t avt_ns;         /* OUT: actual virtual time */
    int64_t  evt_ns;         /* OUT: effective virtual time */
};
_Static_assert(sizeof(struct hv_domctl_sched) == 48, "hv_domctl_sched: 48 bytes");

/*
 * THE LIFE OF A DOMAIN, dom0 only (the builder's steps of
 * hv/core/domain_build.h, one control operation each, as Xen's libxc
 * drives them -- but the work is done in the hypervisor, see
 * hv/core/README.md "Where the builder runs"):
 *
 *   DOMCTL_createdomain  IN u.create: a new, empty domain, PAUSED, with a
 *                        memory reservation of max_pages (checked against
 *                        the free frames now; nothing is allocated yet).
 *                        OUT: its id in `domain`.  -ENOSPC (no slot),
 *                        -ENOMEM (not that many free frames), -EINVAL
 *                        (max_pages 0 or above DOMAIN_MAX_PAGES, flags).
 *   DOMCTL_load          IN u.load: give it its memory (max_pages frames)
 *                        and load boot image `image` (DOMCTL_image_info)
 *                        into it: the ELF segments, the page tables, the
 *                        start-info page with cmdline (empty: the image's
 *                        own arguments).  -EINVAL (no such image, or
 *                        not a kernel we can load: the domctl trace
 *                        record says which ELF check failed), -ENOMEM
 *                        (too big for its reservation, or no free
 *                        frames), -EBUSY (loaded already).  On a refusal nothing is left
 *                        allocated: the domain is empty again.
 *   DOMCTL_setregs       its first registers (the image's entry, the boot
 *                        stack, %esi = start info) and its event channel
 *                        to dom0.  -EBUSY before a load or after the start.
 *   DOMCTL_unpause       PAUSED -> running (its first unpause starts it).
 *                        -EBUSY if it is not paused or has no registers.
 *   DOMCTL_pause         running or blocked -> PAUSED: never scheduled
 *                        until unpaused; events and timers wait for it.
 *                        -EBUSY if it is not running or blocked; -EINVAL
 *                        for the caller itself.
 *   DOMCTL_destroy       gone: its frames back to the pool, its event
 *                        channels closed (its peers' ends become unbound,
 *                        and hear it), its grants released, its device
 *                        ends closed, its slot free.  -EINVAL for the
 *                        caller itself, -ESRCH for no such domain (a
 *                        second destroy).
 */
#define DOMCTL_createdomain 4   /* IN u.create; OUT domain */
#define DOMCTL_load         5   /* IN u.load */
#define DOMCTL_setregs      6
#define DOMCTL_unpause      7
#define DOMCTL_pause        8
#define DOMCTL_destroy      9

struct hv_domctl_create {
    uint32_t max_pages;      /* the reservation: pages it may hold */
    uint32_t flags;          /* must be 0 (no second privileged domain) */
};
_Static_assert(sizeof(struct hv_domctl_create) == 8, "hv_domctl_create: 8 bytes");

#define DOMCTL_CMDLINE_MAX 72
struct hv_domctl_load {
    uint32_t image;          /* which boot image (DOMCTL_image_info's index) */
    uint32_t pad;
    char     cmdline[DOMCTL_CMDLINE_MAX];   /* NUL-terminated; "" = the image's own */
};
_Static_assert(sizeof(struct hv_domctl_load) == 80, "hv_domctl_load: 80 bytes");

/*
 * DOMCTL_list: every domain slot's state, dom0 only.  OUT u.list:
 * state[i] is slot i's DOMCTL_STATE_* (0: none); nr how many are in use.
 */
#define DOMCTL_list        10   /* OUT u.list */
#define DOMCTL_MAX_DOMAINS 32
struct hv_domctl_list {
    uint32_t nr;
    uint8_t  state[DOMCTL_MAX_DOMAINS];
};
_Static_assert(sizeof(struct hv_domctl_list) == 36, "hv_domctl_list: 36 bytes");

/*
 * DOMCTL_max_mem / DOMCTL_set_target: a domain's memory, in pages, dom0
 * only (Xen's XEN_DOMCTL_max_mem and the balloon's memory/target).  max:
 * populate_physmap refuses to take it past this (it may be below what it
 * holds: then it only shrinks).  target: written into its start-info page
 * (start_info.mem_target) and announced with VIRQ_BALLOON; its balloon
 * driver gives pages back or asks for them again to meet it.  The
 * hypervisor enforces only the maximum; the target is a request.
 */
#define DOMCTL_max_mem     11   /* IN u.mem */
#define DOMCTL_set_target  12   /* IN u.mem */
struct hv_domctl_mem {
    uint32_t pages;
    uint32_t pad;
};
_Static_assert(sizeof(struct hv_domctl_mem) == 8, "hv_domctl_mem: 8 bytes");

/*
 * DOMCTL_image_info: boot image `index` (IN), dom0 only.  The images the
 * hypervisor was given but did not start (Multiboot modules whose
 * arguments say `inactive`): the inactive VMs, until dom0 has a disk to
 * keep them on.  -EINVAL past the last one.  OUT: its size, how many
 * domains were loaded from it, its file's base name, the value of its
 * `name=` argument (how the toolstack names the VM: `xl create web`) and
 * the start of its arguments (without the word `inactive`; a load gets
 * them all).
 */
#define DOMCTL_image_info  13   /* IN u.image.index; OUT u.image */
struct hv_domctl_image {
    uint32_t index;
    uint32_t size;           /* bytes */
    uint32_t nr_loaded;      /* domains loaded from it so far */
    uint32_t pad;
    char     file[16];       /* base name of the module's file */
    char     name[16];       /* its name= argument ("" if none) */
    char     args[40];       /* its arguments, NUL-terminated (cut to fit) */
};
_Static_assert(sizeof(struct hv_domctl_image) == 88, "hv_domctl_image: 88 bytes");

/*
 * DOMCTL_physinfo: the machine's memory and domain table, dom0 only
 * (Xen's sysctl physinfo).  The free-frame count is what the toolstack
 * compares before a create and after a destroy: nothing leaked.
 */
#define DOMCTL_physinfo    14   /* OUT u.phys */
struct hv_domctl_physinfo {
    uint32_t total_frames;   /* frames the hypervisor hands out (free or owned) */
    uint32_t free_frames;
    uint32_t nr_domains;     /* slots in use */
    uint32_t max_domains;
    uint32_t nr_images;      /* boot images (DOMCTL_image_info) */
    uint32_t pad;
};
_Static_assert(sizeof(struct hv_domctl_physinfo) == 24, "hv_domctl_physinfo: 24 bytes");

/*
 * DOMCTL_load_frames: DOMCTL_load, but the image is in dom0's own memory
 * (IN u.frames), dom0 only.  Where an inactive VM lives once dom0 has a
 * disk: the toolstack reads the image from its disk into pages of its
 * own (minios-guest/toolstack/vmdisk.c) and names them, machine frame by
 * machine frame, in order: frame i holds bytes i*4096.. of the file.
 * The hypervisor checks every frame before it reads one byte -- below
 * the direct map, owned by the caller, an ordinary page (FRAME_GUEST:
 * not a page table's frame, not shared info) -- and then builds exactly as
 * DOMCTL_load does, reading the image through the frames (it is never
 * copied whole: the builder copies each segment from the frames into the
 * new domain's memory).  The frames stay dom0's: the hypervisor only
 * reads them, within this one hypercall (one CPU, no preemption in the
 * hypervisor: the image cannot change under the builder), so dom0 frees
 * them afterwards whether the load was refused or not, and a refusal
 * leaves the new domain empty, as DOMCTL_load's does.
 * -EINVAL: nr_frames 0 or above DOMCTL_LOAD_MAX_FRAMES, len not within
 * them, a frame not the caller's ordinary page (why = 0), or an image we
 * cannot load (why = the ELF check); -EFAULT: the list unreadable;
 * -ENOMEM, -EBUSY: as DOMCTL_load.
 */
#define DOMCTL_load_frames 15   /* IN u.frames */
#define DOMCTL_LOAD_MAX_FRAMES 512      /* images up to 2 MiB */
struct hv_domctl_load_frames {
    uint32_t frames;         /* guest virtual address of uint32_t mfn[nr_frames] */
    uint32_t nr_frames;
    uint32_t len;            /* the image's length in bytes */
    uint32_t pad;
    char     cmdline[DOMCTL_CMDLINE_MAX];   /* NUL-terminated: the guest's command line */
};
_Static_assert(sizeof(struct hv_domctl_load_frames) == 88, "hv_domctl_load_frames: 88 bytes");

/*
 * The structure every command travels in.  The union starts at offset 16,
 * a multiple of 8, so that a uint64_t inside it has the same offset on
 * i386 (which aligns uint64_t to 4) and on x86_64 (which aligns it to 8):
 * host tools read the same bytes the guest wrote.
 */
struct hv_domctl {
    uint32_t cmd;                /* DOMCTL_* */
    uint32_t interface_version;  /* HV_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;             /* which domain (DOMID_SELF allowed) */
    uint16_t pad[3];
    union {
        struct hv_domctl_getinfo  info;
        struct hv_domctl_sched    sched;
        struct hv_domctl_create   create;
        struct hv_domctl_load     load;
        struct hv_domctl_list     list;
        struct hv_domctl_mem      mem;
        struct hv_domctl_image    image;
        struct hv_domctl_physinfo phys;
        struct hv_domctl_load_frames frames;
    } u;
};
_Static_assert(offsetof(struct hv_domctl, u) == 16, "hv_domctl: the union at 16");
_Static_assert(sizeof(struct hv_domctl) == 104, "hv_domctl: 104 bytes (the union: 88)");

#endif
