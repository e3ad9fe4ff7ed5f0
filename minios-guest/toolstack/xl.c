/*
 * minios-guest/toolstack/xl.c — dom0's toolstack: a small `xl`, the
 * policy half of domain control, as a kernel task of dom0.
 *
 * Where this sits in the story (course: separation of mechanism and
 * policy; VM states): the hypervisor knows how to create, load, start,
 * pause and destroy a domain and how to bound its memory
 * (hv/core/domctl.c); it never decides to.  Every decision -- which VM to
 * start, with how much memory, which to pause, how much memory each
 * should give back -- is made here, in dom0, and reaches the hypervisor as
 * domctl operations (public/domctl.h).  The commands are named after
 * Xen's xl:
 *
 *   list                       every domain: name, id, memory, maximum,
 *                              state, CPU time, hypercalls (like xl list)
 *   create NAME [mem=SIZE]     a new VM from the inactive VM NAME -- on
 *                              dom0's disk (toolstack/vmdisk.c: its image
 *                              and configuration), or a boot image with
 *                              name=NAME: create, load, setregs, unpause;
 *                              SIZE as 512K / 2M (default: the
 *                              configuration's mem=, else 2M)
 *                              (the configuration's devices: disk=K,
 *                              ip=A.B.C.D, console=split; below)
 *   destroy ID | pause ID | unpause ID
 *   console ID                 attach dom0's console to dID's: each line
 *                              typed (or each command of a script) goes
 *                              to it, until a line "^]" (or Ctrl-])
 *   mem-set ID SIZE            the target its balloon should meet
 *   mem-max ID SIZE            the most it may hold
 *   info                       free frames, domains, images (xl info)
 *   top [MS]                   each domain's CPU share and hypercall rate
 *                              over the next MS ms (default 100; xl top, once)
 *   fill NAME [mem=SIZE] [target=SIZE]   (bench) create NAME until a
 *                              create is refused, ballooning each new one
 *                              down to SIZE first if target= is given;
 *                              say how many fitted, destroy them all
 * and, for scripts (an instructor's demo, a scenario):
 *   sleep MS | wait ID [MS] (until dead, at most MS: 5000) | wait-target ID (its balloon met
 *   the target) | mark (note the free frames) | check-free (the free
 *   frames are back at the mark: PASS or FAIL) | quit
 *
 * Commands come from the command line first -- every word after `xl:`,
 * commands separated by ';' ("run=xl xl: list; create web mem=1M; list")
 * -- then, with the word `console` on the command line, from dom0's
 * console, one per line, until `quit` (serial input: VIRQ_CONSOLE, as in
 * workloads-dom0.c).  An inactive VM is an image and a configuration:
 * on dom0's disk (the VM store, toolstack/vmdisk.h, read when xl starts;
 * `list` shows the ones not running as `inactive`), or a boot module
 * marked `inactive` the hypervisor keeps for us.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "public/domctl.h"
#include "public/console.h"
#include "public/event_channel.h"
#include "toolstack/vmdisk.h"
#include "kernel/devices.h"
#include "net/net.h"
#include "public/blkif.h"
#include "workloads/workloads.h"

/* A VM's devices (course: split drivers; "the toolstack writes the
 * device's entries, the back end watches for them"): words of its
 * configuration that are for xl, not for the guest --
 *   disk=K         a block device whose back end is dom0 (blk-back vms),
 *                  serving partition K of dom0's disk (BLKIF_INFO_PARTITION)
 *   ip=A.B.C.D     a network device (net-back vms), with that address
 *                  (netif.h's info[]: ip, gateway, netmask; net-back vms)
 *   console=split  a console device (con-back vms); the word stays on the
 *                  guest's command line too: it tells the guest's kernel
 *                  to use its split console
 * xl makes each device in the device store (DEVOP_create, front: the new
 * domain, back: dom0) and publishes the toolstack's choice in dom0's end;
 * the back end, a task of dom0 started with the word vms, finds the new device,
 * checks the choice and connects when the front end has published.
 * Destroying the VM closes its ends (the hypervisor does), the back end
 * closes its own, and the store frees the record. */

#define MS 1000000ull
#define MAX_SCRIPT 1024

static char names[DOMCTL_MAX_DOMAINS][16];   /* names of the VMs we created */
static int bench_mode;       /* `bench` on the command line: creates print their costs */

/* The time stamp counter: guest instructions under -icount (bench/). */
static uint64_t tsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static uint32_t free_mark, own_mark;     /* frames free; dom0's own pages free */

/* A request with every other field zero (dinit), and the call (dctl). */
static void dinit(struct hv_domctl *c, uint32_t cmd, domid_t dom)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->interface_version = HV_DOMCTL_INTERFACE_VERSION;
    c->domain = dom;
}

static void copy_str(char *dst, const char *src, uint32_t size)
{
    uint32_t n = 0;
    while (src[n] && n + 1 < size) {
        dst[n] = src[n];
        n++;
    }
    dst[n] = 0;
}

static int dctl(struct hv_domctl *c, uint32_t cmd, domid_t dom)
{
    dinit(c, cmd, dom);
    return HYPERVISOR_domctl(c);
}

/* Like xl's messages: the error's name and what it means here. */
static const char *errname(int r)
{
    switch (r) {
    case -HV_EPERM:  return "EPERM (not permitted)";
    case -HV_ESRCH:  return "ESRCH (no such domain)";
    case -HV_ENOENT: return "ENOENT (no such device)";
    case -HV_ENOMEM: return "ENOMEM (not enough memory)";
    case -HV_EBUSY:  return "EBUSY (not in a state for it)";
    case -HV_EINVAL: return "EINVAL (bad argument or image)";
    case -HV_ENOSPC: return "ENOSPC (no free slot: a domain's, or a device's)";
    case -HV_EACCES: return "EACCES (another domctl version)";
    case -HV_ENOSYS: return "ENOSYS (not with this scheduler)";
    case -HV_EIO:    return "EIO (the disk failed or the image's CRC is wrong)";
    default:         return "error";
    }
}

static const char *state_name(uint32_t s)
{
    static const char *const n[] = { "-", "running", "blocked", "dead", "paused", "suspended" };
    return s < sizeof n / sizeof n[0] ? n[s] : "?";
}

static const char *name_of(uint32_t id)
{
    static char buf[8];
    if (id == 0)
        return "Domain-0";
    if (id < DOMCTL_MAX_DOMAINS && names[id][0])
        return names[id];
    buf[0] = 'd';
    buf[1] = (char)('0' + id / 10);
    buf[2] = (char)('0' + id % 10);
    buf[3] = 0;
    if (id < 10) {
        buf[1] = (char)('0' + id);
        buf[2] = 0;
    }
    return buf;
}

/* "512K", "2M", "1G"; a bare number is KiB (as in Xen).  Pages, or 0. */
static uint32_t parse_pages(const char *s)
{
    uint32_t v = 0;
    if (*s < '0' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint32_t)(*s++ - '0');
    if (*s == 'M' || *s == 'm')
        v *= 1024;
    else if (*s == 'G' || *s == 'g')
        v *= 1024 * 1024;
    return v / 4;
}

static int parse_id(const char *s)
{
    int v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

/* A configuration's mem= in pages (default 2 MiB). */
static uint32_t config_pages(const char *config)
{
    char v[16];
    uint32_t p = vmdisk_config_value(config, "mem=", v, sizeof v) ? parse_pages(v) : 0;
    return p ? p : 512;
}

static uint32_t free_frames(void)
{
    struct hv_domctl c;
    return dctl(&c, DOMCTL_physinfo, 0) == 0 ? c.u.phys.free_frames : 0;
}

static void cmd_list(void)
{
    struct hv_domctl l, c;
    if (dctl(&l, DOMCTL_list, 0) < 0) {
        kprintf("xl: list: refused\n");
        return;
    }
    kprintf("xl: %12s %3s %9s %9s %8s %9s %10s\n", "Name", "ID", "Mem(KiB)", "Max(KiB)",
            "State", "Time(ms)", "Hypercalls");
    for (uint32_t id = 0; id < DOMCTL_MAX_DOMAINS; id++) {
        if (!l.u.list.state[id] || dctl(&c, DOMCTL_getinfo, (domid_t)id) < 0)
            continue;
        kprintf("xl: %12s %3u %9u %9u %8s %9u %10u\n", name_of(id), id,
                c.u.info.nr_pages * 4, c.u.info.max_pages * 4, state_name(c.u.info.state),
                (uint32_t)(c.u.info.cpu_ns / MS), c.u.info.nr_hypercalls);
    }
    /* The inactive VMs: on the disk, with no domain of that name.  Their
     * memory is what their configuration asks for; they hold none. */
    for (uint32_t i = 0; i < vmdisk.nr; i++) {
        const struct vmdisk_entry *e = &vmdisk.vm[i];
        int running = 0;
        for (uint32_t id = 1; id < DOMCTL_MAX_DOMAINS; id++)
            running |= l.u.list.state[id] && strcmp(names[id], e->name) == 0;
        if (running)
            continue;
        kprintf("xl: %12s %3s %9u %9s %8s %9s %10s\n", e->name, "-", config_pages(e->config) * 4,
                "-", "inactive", "-", "-");
    }
}

/* xl top, once: each domain's share of the CPU and its hypercall rate
 * over the next ms milliseconds (two samples of its accounting). */
static void cmd_top(uint32_t ms)
{
    static uint64_t cpu0[DOMCTL_MAX_DOMAINS];
    static uint32_t hc0[DOMCTL_MAX_DOMAINS];
    struct hv_domctl l, c;
    if (!ms || dctl(&l, DOMCTL_list, 0) < 0)
        return;
    for (uint32_t id = 0; id < DOMCTL_MAX_DOMAINS; id++)
        if (l.u.list.state[id] && dctl(&c, DOMCTL_getinfo, (domid_t)id) == 0) {
            cpu0[id] = c.u.info.cpu_ns;
            hc0[id] = c.u.info.nr_hypercalls;
        }
    proc_sleep_ns((uint64_t)ms * MS);
    kprintf("xl: %12s %3s %8s %6s %12s\n", "Name", "ID", "State", "CPU%", "Hypercalls/s");
    for (uint32_t id = 0; id < DOMCTL_MAX_DOMAINS; id++) {
        if (!l.u.list.state[id] || dctl(&c, DOMCTL_getinfo, (domid_t)id) < 0)
            continue;
        uint32_t pct = (uint32_t)((c.u.info.cpu_ns - cpu0[id]) * 100 / ((uint64_t)ms * MS));
        kprintf("xl: %12s %3u %8s %5u%% %12u\n", name_of(id), id, state_name(c.u.info.state), pct,
                (c.u.info.nr_hypercalls - hc0[id]) * 1000 / ms);
    }
}

static void cmd_info(void)
{
    struct hv_domctl c;
    if (dctl(&c, DOMCTL_physinfo, 0) < 0)
        return;
    kprintf("xl: frames: %u free of %u; domains: %u of %u; images: %u\n", c.u.phys.free_frames,
            c.u.phys.total_frames, c.u.phys.nr_domains, c.u.phys.max_domains,
            c.u.phys.nr_images);
    uint32_t n = c.u.phys.nr_images;
    for (uint32_t i = 0; i < n; i++) {
        struct hv_domctl q;
        dinit(&q, DOMCTL_image_info, 0);
        q.u.image.index = i;
        if (HYPERVISOR_domctl(&q) == 0)
            kprintf("xl: image %u: %s (%s, %u bytes, loaded %u times): %s\n", i, q.u.image.name,
                    q.u.image.file, q.u.image.size, q.u.image.nr_loaded, q.u.image.args);
    }
    for (uint32_t i = 0; i < vmdisk.nr; i++)
        kprintf("xl: disk VM %u: %s (%u bytes at sector %u): %s\n", i, vmdisk.vm[i].name,
                vmdisk.vm[i].image_bytes, vmdisk.start + vmdisk.vm[i].image_sector,
                vmdisk.vm[i].config);
}

/* The inactive image called name, or -1. */
static int find_image(const char *name)
{
    struct hv_domctl c;
    if (dctl(&c, DOMCTL_physinfo, 0) < 0)
        return -1;
    uint32_t n = c.u.phys.nr_images;
    for (uint32_t i = 0; i < n; i++) {
        dinit(&c, DOMCTL_image_info, 0);
        c.u.image.index = i;
        if (HYPERVISOR_domctl(&c) == 0 && strcmp(c.u.image.name, name) == 0)
            return (int)i;
    }
    return -1;
}

/* The guest's command line from a configuration: every word but xl's own
 * (name=, mem=, weight=, disk=, ip=), which are for the toolstack, not the
 * guest.  0 if it
 * does not fit. */
static int guest_cmdline(const char *config, char *out, uint32_t size)
{
    uint32_t n = 0;
    const char *s = config;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        uint32_t wl = (uint32_t)(s - w);
        if (!wl || strncmp(w, "mem=", 4) == 0 || strncmp(w, "weight=", 7) == 0 ||
            strncmp(w, "disk=", 5) == 0 || strncmp(w, "ip=", 3) == 0 ||
            strncmp(w, "name=", 5) == 0)
            continue;
        if (n + wl + 2 > size)
            return 0;
        if (n)
            out[n++] = ' ';
        memcpy(out + n, w, wl);
        n += wl;
    }
    out[n] = 0;
    return 1;
}

/* The scheduler's weight from a configuration's weight= (BVT; sched=rr
 * has none: said, and not an error). */
static void set_weight(domid_t id, const char *config)
{
    char v[16];
    if (!vmdisk_config_value(config, "weight=", v, sizeof v))
        return;
    struct hv_domctl c;
    int r = dctl(&c, DOMCTL_sched_get, id);
    if (r == 0) {
        struct hv_domctl_sched p = c.u.sched;
        dinit(&c, DOMCTL_sched_set, id);
        c.u.sched = p;
        c.u.sched.weight = (uint32_t)parse_id(v);
        r = HYPERVISOR_domctl(&c);
    }
    if (r < 0)
        kprintf("xl: d%u: weight %s: refused: %d %s\n", id, v, r, errname(r));
}

/* One device of the VM: create it and publish xl's choice (info, or
 * none). */
static int make_device(domid_t id, uint32_t type, const char *what, const uint32_t info[4])
{
    uint32_t dev = 0;
    int r = device_create(type, id, (domid_t)boot_info.domid, &dev);
    if (r == 0 && info)
        r = device_publish(dev, 0, 0, info);
    kprintf("xl: d%u: %s: device %u (%d)\n", id, what, dev, r);
    return r;
}

/* The devices a configuration asks for: 0, or the first refusal.  Then
 * dom0's back ends are woken once: dom0 made the devices, and the
 * hypervisor tells nobody of a domain's own doing. */
static int make_devices(domid_t id, const char *config)
{
    char v[20];
    int r = 0;
    if (vmdisk_config_value(config, "disk=", v, sizeof v)) {
        int k = parse_id(v);
        uint32_t info[4] = { 0 };
        info[BLKIF_INFO_PARTITION] = (uint32_t)k;
        if (k > 0) {
            r = make_device(id, DEV_TYPE_BLOCK, "disk", info);
        } else {
            kprintf("xl: d%u: disk=%s: not a partition number\n", id, v);
            r = -HV_EINVAL;
        }
    }
    if (r == 0 && vmdisk_config_value(config, "ip=", v, sizeof v)) {
        const char *end = 0;
        uint32_t info[4] = { net_parse_ip(v, &end), NET_IP(10, 0, 2, 2), NET_IP(255, 255, 255, 0), 0 };
        if (info[0] && !(end && *end)) {
            r = make_device(id, DEV_TYPE_NET, "nic", info);
        } else {
            kprintf("xl: d%u: ip=%s: not an address\n", id, v);
            r = -HV_EINVAL;
        }
    }
    if (r == 0 && vmdisk_config_value(config, "console=", v, sizeof v) && strcmp(v, "split") == 0)
        r = make_device(id, DEV_TYPE_CONSOLE, "console", 0);
    io_poke();
    return r;
}

/* xl create: the builder's steps, one control operation each.  The VM is
 * found on dom0's disk first, then among the boot images; pages 0: the
 * configuration's mem=.  The new domain's id, or the refusal (< 0); quiet:
 * no line for a success (fill). */
static int create_vm(const char *name, uint32_t pages, int quiet)
{
    const struct vmdisk_entry *disk = vmdisk_find(name);
    int image = disk ? -1 : find_image(name);
    if (!disk && image < 0) {
        kprintf("xl: create %s: no inactive VM of that name\n", name);
        return -HV_ESRCH;
    }
    char cmdline[DOMCTL_CMDLINE_MAX];
    if (disk && !guest_cmdline(disk->config, cmdline, sizeof cmdline)) {
        kprintf("xl: create %s: its configuration is too long for a command line\n", name);
        return -HV_EINVAL;
    }
    if (!pages)
        pages = disk ? config_pages(disk->config) : 512;
    uint32_t before = free_frames();
    struct hv_domctl c;
    /* The bench's clock starts at the first control operation: finding
     * the VM and counting the free frames (physinfo walks the whole frame
     * table) are the toolstack's bookkeeping, not the creation. */
    uint64_t t0 = tsc64();
    dinit(&c, DOMCTL_createdomain, 0);
    c.u.create.max_pages = pages;
    int r = HYPERVISOR_domctl(&c);
    if (r < 0) {
        kprintf("xl: create %s: %u KiB: refused: %d %s; %u frames free\n", name, pages * 4, r,
                errname(r), before);
        return r;
    }
    domid_t id = c.domain;
    const char *step = "load";
    if (disk) {
        r = vmdisk_load(disk, id, cmdline);
    } else {
        dinit(&c, DOMCTL_load, id);
        c.u.load.image = (uint32_t)image;
        r = HYPERVISOR_domctl(&c);
    }
    if (r == 0 && disk)
        set_weight(id, disk->config);
    if (r == 0 && disk) {
        step = "devices";
        r = make_devices(id, disk->config);
    }
    if (r == 0) {
        step = "setregs";
        r = dctl(&c, DOMCTL_setregs, id);
    }
    if (r == 0) {
        step = "unpause";
        r = dctl(&c, DOMCTL_unpause, id);
    }
    if (r < 0) {
        kprintf("xl: create %s: %s refused: %d %s; destroying d%u\n", name, step, r, errname(r), id);
        dctl(&c, DOMCTL_destroy, id);
        return r;
    }
    uint64_t t1 = tsc64();
    copy_str(names[id], name, sizeof names[id]);
    /* bench/ts-create.scn: from here to the new domain's first dispatch is
     * in the trace; read: the image off the disk; control: the domctls. */
    if (bench_mode)
        kprintf("bench: create %s d%u %u KiB %s start=%llu read=%u control=%u\n", name, id,
                pages * 4, disk ? "disk" : "image", t0, disk ? vmdisk_read_insns : 0,
                (uint32_t)(t1 - t0) - (disk ? vmdisk_read_insns : 0));
    if (!quiet)
        kprintf("xl: created %s: d%u, %u KiB%s; frames free %u -> %u\n", name, id, pages * 4,
                disk ? " from the disk" : "", before, free_frames());
    return id;
}

static void cmd_create(const char *name, uint32_t pages)
{
    create_vm(name, pages, 0);
}

/* Our ends of a destroyed domain's channels became unbound (the
 * hypervisor closed its ends); they are ours to close, or every create
 * would leave one more behind -- except a back end's (a port with a
 * handler: blk-back's, con-back's ring channel), which that back end
 * closes when it sees the front end gone. */
static void close_ports_to(domid_t id)
{
    for (evtchn_port_t p = 1; p < EVENTS_NR_PORTS; p++) {
        struct evtchn_status st;
        memset(&st, 0, sizeof st);
        if (!evtchn_has_handler(p) && evtchn_status(DOMID_SELF, p, &st) == 0 &&
            st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == id)
            evtchn_close(p);
    }
}

static void simple(const char *what, uint32_t cmd, int id)
{
    struct hv_domctl c;
    if (id < 0) {
        kprintf("xl: %s: which domain?\n", what);
        return;
    }
    uint32_t before = free_frames();
    int r = dctl(&c, cmd, (domid_t)id);
    if (r < 0)
        kprintf("xl: %s %d: refused: %d %s\n", what, id, r, errname(r));
    else if (cmd == DOMCTL_destroy)
        kprintf("xl: destroyed %s (d%d): frames free %u -> %u\n", name_of((uint32_t)id), id,
                before, free_frames());
    else
        kprintf("xl: %s %s (d%d): done\n", what, name_of((uint32_t)id), id);
    if (r == 0 && cmd == DOMCTL_destroy && id < DOMCTL_MAX_DOMAINS) {
        names[id][0] = 0;
        close_ports_to((domid_t)id);
    }
}

/* bench/ts-fill.scn: how many domains of `pages` fit (each ballooned down
 * to `target` pages first, if not 0) before a create is refused. */
static int wait_for(int id, int target, uint32_t ms_max, struct hv_domctl *c);

static void cmd_fill(const char *name, uint32_t pages, uint32_t target)
{
    static domid_t made[DOMCTL_MAX_DOMAINS];
    uint32_t n = 0, start = free_frames();
    int r;
    struct hv_domctl c;
    if (!pages) {                      /* as create_vm will choose */
        const struct vmdisk_entry *e = vmdisk_find(name);
        pages = e ? config_pages(e->config) : 512;
    }
    while ((r = create_vm(name, pages, 1)) >= 0 && n < DOMCTL_MAX_DOMAINS) {
        made[n++] = (domid_t)r;
        if (!target)
            continue;
        dinit(&c, DOMCTL_set_target, (domid_t)r);
        c.u.mem.pages = target;
        if (HYPERVISOR_domctl(&c) < 0 || !wait_for(r, 1, 5000, &c)) {
            kprintf("xl: fill: d%d did not meet its target\n", r);
            break;
        }
    }
    kprintf("bench: fill %s %u KiB target %u KiB: %u domains, then %s; %u of %u frames free\n",
            name, pages * 4, target * 4, n, errname(r), free_frames(), start);
    for (uint32_t i = 0; i < n; i++) {
        dctl(&c, DOMCTL_destroy, made[i]);
        names[made[i]][0] = 0;
        close_ports_to(made[i]);
    }
    kprintf("xl: fill: destroyed %u; frames free %u (%u before)\n", n, free_frames(), start);
}

static void cmd_mem(const char *what, uint32_t cmd, int id, uint32_t pages)
{
    struct hv_domctl c;
    dinit(&c, cmd, (domid_t)id);
    c.u.mem.pages = pages;
    int r = id < 0 ? -HV_ESRCH : HYPERVISOR_domctl(&c);
    if (r < 0)
        kprintf("xl: %s %d %u KiB: refused: %d %s\n", what, id, pages * 4, r, errname(r));
    else
        kprintf("xl: %s %s (d%d): %u KiB (%u pages)\n", what, name_of((uint32_t)id), id,
                pages * 4, pages);
}

/* Poll d's accounting every ms until done() says so, at most ms_max. */
static int wait_for(int id, int target, uint32_t ms_max, struct hv_domctl *c)
{
    for (uint32_t t = 0; t <= ms_max; t++) {
        if (dctl(c, DOMCTL_getinfo, (domid_t)id) < 0)
            return 1;                            /* gone */
        if (target ? c->u.info.target_pages && c->u.info.nr_pages == c->u.info.target_pages
                   : c->u.info.state == DOMCTL_STATE_DEAD)
            return 1;
        proc_sleep_ns(MS);
    }
    return 0;
}

/* The words of one command: up to 4, split at spaces, in place. */
static int split(char *s, char *w[4])
{
    int n = 0;
    while (*s && n < 4) {
        while (*s == ' ')
            *s++ = 0;
        if (!*s)
            break;
        w[n++] = s;
        while (*s && *s != ' ')
            s++;
    }
    while (*s == ' ')
        *s++ = 0;
    return n;
}

/* xl console: the domain our lines go to, or -1 (xl's own commands). */
static int attached = -1;

static void cmd_console(int id)
{
    struct hv_domctl c;
    if (id <= 0 || dctl(&c, DOMCTL_getinfo, (domid_t)id) < 0 ||
        c.u.info.state == DOMCTL_STATE_DEAD) {
        kprintf("xl: console %d: no such domain\n", id);
        return;
    }
    attached = id;
    kprintf("xl: console d%d: attached; its lines are the (d%d) lines; \"^]\" ends\n", id, id);
}

/* A line while attached: for the domain, unless it is the escape (Xen's
 * Ctrl-], or "^]" spelt out, which a script can hold). */
static void to_console(const char *line)
{
    int escape = strcmp(line, "^]") == 0;
    for (const char *p = line; *p; p++)
        escape |= *p == 0x1d;
    if (escape) {
        kprintf("xl: console d%d: detached\n", attached);
        attached = -1;
        return;
    }
    int r = con_back_input((domid_t)attached, line);
    if (r < 0)
        kprintf("xl: console d%d: not connected (%d %s): '%s' not sent\n", attached, r,
                errname(r), line);
}

/* One command; 0 after `quit`. */
static int run(char *line)
{
    char *w[4] = { 0, 0, 0, 0 };
    while (*line == ' ')
        line++;
    if (!*line)
        return 1;
    if (attached >= 0) {
        to_console(line);
        return 1;
    }
    kprintf("xl> %s\n", line);
    int n = split(line, w);
    struct hv_domctl c;
    const char *cmd = w[0];
    int id = n > 1 ? parse_id(w[1]) : -1;
    if (strcmp(cmd, "list") == 0) {
        cmd_list();
    } else if (strcmp(cmd, "info") == 0) {
        cmd_info();
    } else if (strcmp(cmd, "top") == 0) {
        cmd_top(n >= 2 ? (uint32_t)parse_id(w[1]) : 100);
    } else if (strcmp(cmd, "create") == 0 && n >= 2) {
        uint32_t pages = 0;
        if (n >= 3 && strncmp(w[2], "mem=", 4) == 0)
            pages = parse_pages(w[2] + 4);
        cmd_create(w[1], pages);
    } else if (strcmp(cmd, "fill") == 0 && n >= 2) {
        uint32_t pages = 0, target = 0;
        for (int i = 2; i < n; i++) {
            if (strncmp(w[i], "mem=", 4) == 0)
                pages = parse_pages(w[i] + 4);
            else if (strncmp(w[i], "target=", 7) == 0)
                target = parse_pages(w[i] + 7);
        }
        cmd_fill(w[1], pages, target);
    } else if (strcmp(cmd, "destroy") == 0) {
        simple("destroy", DOMCTL_destroy, id);
    } else if (strcmp(cmd, "pause") == 0) {
        simple("pause", DOMCTL_pause, id);
    } else if (strcmp(cmd, "unpause") == 0) {
        simple("unpause", DOMCTL_unpause, id);
    } else if (strcmp(cmd, "console") == 0) {
        cmd_console(id);
    } else if (strcmp(cmd, "mem-set") == 0 && n >= 3) {
        cmd_mem("mem-set", DOMCTL_set_target, id, parse_pages(w[2]));
    } else if (strcmp(cmd, "mem-max") == 0 && n >= 3) {
        cmd_mem("mem-max", DOMCTL_max_mem, id, parse_pages(w[2]));
    } else if (strcmp(cmd, "sleep") == 0 && n >= 2) {
        proc_sleep_ns((uint64_t)parse_id(w[1]) * MS);
    } else if (strcmp(cmd, "wait") == 0 && id >= 0) {
        uint32_t ms = n >= 3 && parse_id(w[2]) > 0 ? (uint32_t)parse_id(w[2]) : 5000;
        int ok = wait_for(id, 0, ms, &c);
        if (ok)
            kprintf("xl: d%d: dead\n", id);
        else
            kprintf("xl: d%d: still alive after %u ms\n", id, ms);
    } else if (strcmp(cmd, "wait-target") == 0 && id >= 0) {
        int ok = wait_for(id, 1, 2000, &c);
        kprintf("xl: d%d holds %u KiB, target %u KiB%s\n", id, c.u.info.nr_pages * 4,
                c.u.info.target_pages * 4, ok ? "" : ": not met after 2 s");
    } else if (strcmp(cmd, "mark") == 0) {
        free_mark = free_frames();
        own_mark = vm_stats.pages_free;
        kprintf("xl: mark: %u frames free\n", free_mark);
    } else if (strcmp(cmd, "check-free") == 0) {
        uint32_t now = free_frames();
        kprintf("xl: %u frames free, %u at the mark: %s\n", now, free_mark,
                now == free_mark ? "PASS" : "FAIL");
        /* With a disk, images pass through dom0's own pages: those come
         * back too, refused or not. */
        if (vmdisk.present)
            kprintf("xl: dom0's own pages: %u free, %u at the mark: %s\n", vm_stats.pages_free,
                    own_mark, vm_stats.pages_free == own_mark ? "PASS" : "FAIL");
    } else if (strcmp(cmd, "quit") == 0) {
        return 0;
    } else {
        kprintf("xl: unknown command or missing argument: '%s' (list, create NAME [mem=SIZE], "
                "destroy ID, pause ID, unpause ID, console ID, mem-set ID SIZE, mem-max ID SIZE, info, top [MS], "
                "sleep MS, wait ID [MS], wait-target ID, mark, check-free, quit)\n", cmd);
    }
    return 1;
}

/* The commands after `xl:` on the command line, ';' between them. */
static int run_cmdline(void)
{
    const char *s = boot_info.cmdline;
    const char *p = 0;
    for (; *s; s++)
        if ((s == boot_info.cmdline || s[-1] == ' ') && strncmp(s, "xl:", 3) == 0) {
            p = s + 3;
            break;
        }
    if (!p)
        return 1;
    static char script[MAX_SCRIPT];
    copy_str(script, p, sizeof script);
    char *cmd = script;
    while (*cmd) {
        char *end = cmd;
        while (*end && *end != ';')
            end++;
        int more = *end == ';';
        *end = 0;
        if (!run(cmd))
            return 0;
        if (!more)
            break;
        cmd = end + 1;
    }
    return 1;
}

/* Lines typed on dom0's console (VIRQ_CONSOLE, console_io read). */
static void run_console(void)
{
    evtchn_port_t port = 0;
    int r = evtchn_bind_virq(VIRQ_CONSOLE, &port);
    if (r < 0 || port >= EVENTS_NR_PORTS) {
        kprintf("xl: no console input: %d\n", r);
        return;
    }
    kprintf("xl: reading commands from the console ('quit' ends)\n");
    static char line[160];
    uint32_t n = 0, events = 0;
    for (;;) {
        evtchn_wait(port, ++events);
        char buf[64];
        while ((r = HYPERVISOR_console_io(CONSOLEIO_read, sizeof buf, buf)) > 0) {
            for (int i = 0; i < r; i++) {
                char ch = buf[i];
                if (ch == '\r' || ch == '\n') {
                    line[n] = 0;
                    n = 0;
                    if (!run(line))
                        return;
                } else if (n < sizeof line - 1) {
                    line[n++] = ch;
                }
            }
        }
    }
}

/* The word `console` before `xl:` (after it, it is a command of the
 * script: "console 2"). */
static int console_before_script(void)
{
    const char *s = boot_info.cmdline;
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, "xl:", 3) == 0)
            return 0;
        if (strncmp(s, "console", 7) == 0 && (s[7] == ' ' || s[7] == '\0'))
            return 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

int xl_main(void)
{
    if (!pv_ops.paravirt || boot_info.domid != 0) {
        kprintf("xl: the toolstack runs in dom0 only\n");
        return 1;
    }
    bench_mode = cmdline_has("bench");
    int r = vmdisk_open();
    if (r == 0)
        kprintf("xl: disk: %u VMs in the store at sectors %u..%u\n", vmdisk.nr, vmdisk.start,
                vmdisk.start + vmdisk.sectors - 1);
    else if (cmdline_has("disk"))
        kprintf("xl: disk: no VM store (%d)\n", r);
    if (run_cmdline() && console_before_script())
        run_console();
    kprintf("xl: done\n");
    toolstack_quit = 1;                /* dom0's back ends may stop when idle */
    io_poke();
    return 0;
}
