/*
 * minios-guest/workloads/domctl-attacks.c — the control interface under
 * attack: a domU that tries every control operation, and dom0's own
 * mistakes the hypervisor must refuse.
 *
 * Where this sits in the story (course: isolation; mechanism in the
 * hypervisor, policy in dom0): the control interface can create, stop and
 * destroy any domain and move memory between them, so it is the most
 * dangerous door of all.  Two tasks:
 *
 *   domctl-attacks (a domU)  calls every domctl command, on dom0 and on
 *       itself: all -EPERM but reading its own accounting.  Then the
 *       balloon's primitives out of bounds: populate past the maximum dom0
 *       set for it (-ENOMEM, rule over_max), populate a page it holds or
 *       has not got (-EINVAL, bad_pfn), give back a page its kernel still
 *       maps, or one granted and mapped through the grant (-EBUSY, in_use).
 *   domctl-checks (dom0)     lowers the domU's maximum (for the attack
 *       above), then tries what a buggy toolstack would: destroy or pause
 *       itself, destroy a domain twice or one that never was, create past
 *       the free memory and past MAX_DOMAINS, unpause a domain never
 *       loaded, load a bad image and one too big for its reservation,
 *       load from frames that are not its ordinary pages (none, too
 *       many, the hypervisor's, its shared-info and start-info frames,
 *       its own page directory, past the machine) or from a list it
 *       cannot read -- and checks that the free-frame count is back where
 *       it was.
 *
 * Both print their refusal logs (refusals_print): the scenario compares
 * them with the trace (tests/scenarios/domctl-attacks.scn).
 */
#include "kernel/kernel.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "arch/pv/hypercall.h"
#include "workloads/workloads.h"
#include "public/domctl.h"
#include "public/memory.h"
#include "lib/string.h"

static struct checks ck;

static int dc(uint32_t cmd, domid_t dom)
{
    struct hv_domctl c;
    domctl_init(&c, cmd, dom);
    c.u.mem.pages = 1;                  /* a plausible argument for every command */
    return HYPERVISOR_domctl(&c);
}

static int mem_op(uint32_t cmd, uint32_t *pfn)
{
    struct xen_memory_reservation r = {
        .extent_start = (uint32_t)pfn, .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF,
    };
    return HYPERVISOR_memory_op(cmd, &r);
}

static struct hv_domctl info(domid_t dom)
{
    struct hv_domctl c;
    domctl_init(&c, DOMCTL_getinfo, dom);
    HYPERVISOR_domctl(&c);
    return c;
}

int domctl_attacks_main(void)
{
    if (!need_pv("domctl-attacks"))
        return 0;
    ck.who = "domctl-attacks";
    check_eq(&ck, "getinfo on ourselves", dc(DOMCTL_getinfo, DOMID_SELF), 0);
    check_eq(&ck, "getinfo on dom0", dc(DOMCTL_getinfo, 0), -HV_EPERM);
    static const struct { uint32_t cmd; const char *what; } ops[] = {
        { DOMCTL_createdomain, "create a domain" },
        { DOMCTL_load,         "load dom0" },
        { DOMCTL_load_frames,  "load dom0 from our frames" },
        { DOMCTL_setregs,      "set dom0's registers" },
        { DOMCTL_unpause,      "unpause dom0" },
        { DOMCTL_pause,        "pause dom0" },
        { DOMCTL_destroy,      "destroy dom0" },
        { DOMCTL_list,         "list the domains" },
        { DOMCTL_max_mem,      "set dom0's maximum" },
        { DOMCTL_set_target,   "set dom0's target" },
        { DOMCTL_image_info,   "read the boot images" },
        { DOMCTL_physinfo,     "read the free memory" },
        { DOMCTL_sched_set,    "set dom0's weight" },
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        check_eq(&ck, ops[i].what, dc(ops[i].cmd, 0), -HV_EPERM);
    check_eq(&ck, "raise our own maximum", dc(DOMCTL_max_mem, DOMID_SELF), -HV_EPERM);
    check_eq(&ck, "destroy ourselves by domctl", dc(DOMCTL_destroy, DOMID_SELF), -HV_EPERM);
    check_eq(&ck, "unknown command 99", dc(99, 0), -HV_EPERM);

    /* dom0 lowers our maximum to one page below what we hold (it runs
     * domctl-checks); wait for it, at most 500 ms. */
    struct hv_domctl me = info(DOMID_SELF);
    for (int t = 0; t < 500 && me.u.info.max_pages >= me.u.info.nr_pages; t++) {
        proc_sleep_ns(MS);
        me = info(DOMID_SELF);
    }
    check_eq(&ck, "dom0 lowered our maximum below what we hold",
             me.u.info.max_pages < me.u.info.nr_pages, 1);

    void *page = page_alloc();
    uint32_t pfn = ((uint32_t)page - KERNBASE) >> 12, arg = pfn;
    check_eq(&ck, "give back a page our kernel still maps", mem_op(XENMEM_decrease_reservation, &arg),
             -HV_EBUSY);
    check_eq(&ck, "give it back properly (unmapped)", hv_give_back_page(page), 1);
    arg = pfn;
    check_eq(&ck, "populate it again: past our maximum", mem_op(XENMEM_populate_physmap, &arg),
             -HV_ENOMEM);
    arg = start_info->nr_pages;
    check_eq(&ck, "populate a pfn we never had", mem_op(XENMEM_populate_physmap, &arg), -HV_EINVAL);
    arg = 0;                            /* the first page of our kernel image */
    check_eq(&ck, "populate a pfn we hold (no hole)", mem_op(XENMEM_increase_reservation, &arg),
             -HV_EINVAL);
    check_eq(&ck, "the hole is still a hole", hv_reclaim_page(pfn), -HV_ENOMEM);
    me = info(DOMID_SELF);
    check_eq(&ck, "we hold one page less", (int)(start_info->nr_pages - me.u.info.nr_pages), 1);

    /* A page granted and mapped (here by ourselves: the grant mapping
     * holds a reference, as a back end's would) cannot be given back;
     * once unmapped and revoked, it can. */
    domid_t self = (domid_t)boot_info.domid;
    void *gp = page_alloc();
    uint32_t gmfn = ((const uint32_t *)start_info->mfn_list)[((uint32_t)gp - KERNBASE) >> 12];
    check_eq(&ck, "set up our grant table", gnttab_init(), 0);
    int ref = gnttab_grant(self, gmfn, 0);
    void *va = 0;
    grant_handle_t h = 0;
    check_eq(&ck, "grant a page and map the grant", ref > 0 ? gnttab_map(self, (grant_ref_t)ref, 0, &va, &h) : ref, 0);
    check_eq(&ck, "give back a page granted and mapped", hv_give_back_page(gp), -HV_EBUSY);
    check_eq(&ck, "unmap the grant", gnttab_unmap(va, h), 0);
    check_eq(&ck, "revoke it", gnttab_end((grant_ref_t)ref), 0);
    check_eq(&ck, "now it may be given back", hv_give_back_page(gp), 1);

    kprintf("domctl-attacks: %d passed, %d failed\n", ck.passed, ck.failed);
    refusals_print();
    return ck.failed != 0;
}

/* ---- dom0: a toolstack's mistakes ------------------------------------------------ */

static int create(uint32_t pages, domid_t *id)
{
    struct hv_domctl c;
    domctl_init(&c, DOMCTL_createdomain, 0);
    c.u.create.max_pages = pages;
    int r = HYPERVISOR_domctl(&c);
    *id = c.domain;
    return r;
}

static int load(domid_t id, uint32_t image)
{
    struct hv_domctl c;
    domctl_init(&c, DOMCTL_load, id);
    c.u.load.image = image;
    return HYPERVISOR_domctl(&c);
}

/* DOMCTL_load_frames of nr frames from list (len bytes). */
static int load_frames(domid_t id, const uint32_t *list, uint32_t nr, uint32_t len)
{
    struct hv_domctl c;
    domctl_init(&c, DOMCTL_load_frames, id);
    c.u.frames.frames = (uint32_t)list;
    c.u.frames.nr_frames = nr;
    c.u.frames.len = len;
    return HYPERVISOR_domctl(&c);
}

static struct hv_domctl physinfo(void)
{
    struct hv_domctl c;
    domctl_init(&c, DOMCTL_physinfo, 0);
    HYPERVISOR_domctl(&c);
    return c;
}

/* The boot image called name (its name= argument), or 99. */
static uint32_t image_named(const char *name)
{
    uint32_t n = physinfo().u.phys.nr_images;
    for (uint32_t i = 0; i < n; i++) {
        struct hv_domctl c;
        domctl_init(&c, DOMCTL_image_info, 0);
        c.u.image.index = i;
        if (HYPERVISOR_domctl(&c) == 0 && strcmp(c.u.image.name, name) == 0)
            return i;
    }
    return 99;
}

int domctl_checks_main(void)
{
    if (!need_pv("domctl-checks"))
        return 0;
    ck.who = "domctl-checks";
    /* For d1's attack: its maximum one page below what it holds. */
    struct hv_domctl d1 = info(1), c;
    domctl_init(&c, DOMCTL_max_mem, 1);
    c.u.mem.pages = d1.u.info.nr_pages - 1;
    check_eq(&ck, "lower d1's maximum", HYPERVISOR_domctl(&c), 0);
    /* Then let d1 finish its attack (its memory moves meanwhile). */
    for (int t = 0; t < 2000 && info(1).u.info.state != DOMCTL_STATE_DEAD; t++)
        proc_sleep_ns(MS);
    proc_sleep_ns(MS);

    uint32_t free0 = physinfo().u.phys.free_frames;
    check_eq(&ck, "destroy ourselves", dc(DOMCTL_destroy, 0), -HV_EINVAL);
    check_eq(&ck, "pause ourselves", dc(DOMCTL_pause, DOMID_SELF), -HV_EINVAL);
    check_eq(&ck, "destroy d9, which never was", dc(DOMCTL_destroy, 9), -HV_ESRCH);
    check_eq(&ck, "destroy d40 (past the table)", dc(DOMCTL_destroy, 40), -HV_ESRCH);
    domid_t id;
    check_eq(&ck, "create with more memory than is free", create(free0 + 16, &id), -HV_ENOMEM);
    check_eq(&ck, "create with no memory", create(0, &id), -HV_EINVAL);
    check_eq(&ck, "create with 64 pages", create(64, &id), 0);
    check_eq(&ck, "unpause it before it is loaded", dc(DOMCTL_unpause, id), -HV_EBUSY);
    check_eq(&ck, "set its registers before it is loaded", dc(DOMCTL_setregs, id), -HV_EBUSY);
    check_eq(&ck, "load image 99 (none)", load(id, 99), -HV_EINVAL);
    check_eq(&ck, "load a bad image (not ELF)", load(id, image_named("bad")), -HV_EINVAL);
    check_eq(&ck, "load a good image into 64 pages (too small)", load(id, image_named("good")),
             -HV_ENOMEM);
    /* From dom0's own frames (an image read from its disk): only its
     * ordinary pages, and only a list it can read. */
    static uint32_t fr[2];
    uint8_t *page = page_alloc();
    fr[0] = pv_ops.pt_mfn(page);
    check_eq(&ck, "load_frames of no frames", load_frames(id, fr, 0, 0), -HV_EINVAL);
    check_eq(&ck, "load_frames of 513 frames (past the limit)",
             load_frames(id, fr, DOMCTL_LOAD_MAX_FRAMES + 1, 4096), -HV_EINVAL);
    check_eq(&ck, "load_frames: a length past its frames", load_frames(id, fr, 1, 4097), -HV_EINVAL);
    check_eq(&ck, "load_frames: a length short of its frames", load_frames(id, fr, 2, 100),
             -HV_EINVAL);
    check_eq(&ck, "load_frames: a list we cannot read",
             load_frames(id, (const uint32_t *)0x1000, 1, 100), -HV_EFAULT);
    fr[0] = 1;                                   /* below 1 MiB: the hypervisor's */
    check_eq(&ck, "load_frames: a frame of the hypervisor's", load_frames(id, fr, 1, 100),
             -HV_EINVAL);
    fr[0] = start_info->shared_info >> 12;
    check_eq(&ck, "load_frames: our shared-info frame", load_frames(id, fr, 1, 100), -HV_EINVAL);
    fr[0] = pv_ops.pt_mfn(start_info);
    check_eq(&ck, "load_frames: our start-info frame", load_frames(id, fr, 1, 100), -HV_EINVAL);
    fr[0] = pv_ops.pt_mfn((void *)start_info->pt_base);
    check_eq(&ck, "load_frames: our page directory", load_frames(id, fr, 1, 100), -HV_EINVAL);
    fr[0] = 0x7fffffff;
    check_eq(&ck, "load_frames: a frame past the machine", load_frames(id, fr, 1, 100), -HV_EINVAL);
    fr[0] = pv_ops.pt_mfn(page);                 /* ours, ordinary, but zeros: not ELF */
    check_eq(&ck, "load_frames: our own page, no ELF in it", load_frames(id, fr, 1, 100),
             -HV_EINVAL);
    page_free(page);
    check_eq(&ck, "nothing of the refused loads is left",
             (int)(free0 - physinfo().u.phys.free_frames), 0);
    check_eq(&ck, "destroy it", dc(DOMCTL_destroy, id), 0);
    check_eq(&ck, "destroy it again", dc(DOMCTL_destroy, id), -HV_ESRCH);
    check_eq(&ck, "pause it, destroyed", dc(DOMCTL_pause, id), -HV_ESRCH);

    /* Past MAX_DOMAINS: empty one-page domains until the table is full. */
    domid_t made[DOMCTL_MAX_DOMAINS];
    int n = 0, r;
    while (n < DOMCTL_MAX_DOMAINS && (r = create(1, &made[n])) == 0)
        n++;
    check_eq(&ck, "creates until the table is full", n, DOMCTL_MAX_DOMAINS - 2);
    check_eq(&ck, "one more create", create(1, &id), -HV_ENOSPC);
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += dc(DOMCTL_destroy, made[i]) != 0;
    check_eq(&ck, "destroy them all", bad, 0);

    /* A whole domain, loaded, started, destroyed while it runs. */
    check_eq(&ck, "create a real one (2 MiB)", create(512, &id), 0);
    check_eq(&ck, "load it", load(id, image_named("good")), 0);
    check_eq(&ck, "load it twice", load(id, image_named("good")), -HV_EBUSY);
    check_eq(&ck, "set its registers", dc(DOMCTL_setregs, id), 0);
    check_eq(&ck, "unpause it", dc(DOMCTL_unpause, id), 0);
    check_eq(&ck, "unpause it twice", dc(DOMCTL_unpause, id), -HV_EBUSY);
    proc_sleep_ns(5 * MS);
    int port = find_port_to(id);
    check_eq(&ck, "it has a channel to us (setregs made it)", port > 0, 1);
    check_eq(&ck, "destroy it", dc(DOMCTL_destroy, id), 0);
    struct evtchn_status st;
    memset(&st, 0, sizeof st);
    evtchn_status(DOMID_SELF, (evtchn_port_t)port, &st);
    check_eq(&ck, "our end of its channel is unbound now (we saw the close)",
             st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == id, 1);
    check_eq(&ck, "close our end", evtchn_close((evtchn_port_t)port), 0);
    check_eq(&ck, "free frames back where they were", (int)(physinfo().u.phys.free_frames - free0), 0);

    kprintf("domctl-checks: %d passed, %d failed\n", ck.passed, ck.failed);
    refusals_print();
    return ck.failed != 0;
}
