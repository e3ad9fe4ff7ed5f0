/*
 * hv/core/domctl.c — hypercall 36, domctl(struct hv_domctl *): the control
 * interface dom0's toolstack drives -- create, load, start, pause, destroy,
 * list domains, set their memory; read their accounting and set their
 * scheduling parameters (public/domctl.h).
 *
 * Course: separation of mechanism and policy.  Everything here is
 * mechanism: how to build a domain, stop it, take it apart.  Which domains
 * exist, with how much memory and what share, is decided in dom0
 * (minios-guest/toolstack/xl.c) -- and only in dom0: a domU asking for any
 * of it gets -EPERM, and a domctl trace record saying so.  The one thing
 * any domain may do is read its own accounting.  A caller built from
 * another version of public/domctl.h gets -EACCES, whoever it is.
 *
 * Where the builder runs: Xen's toolstack builds a new domain from dom0,
 * writing its memory through privileged mappings of the new domain's
 * frames (libxc's xc_dom_*).  hvkit's hypervisor already has a step-wise
 * builder (hv/core/domain_build.c) it runs at boot, checked by lab 2's
 * rules; so here dom0 only names an image -- one the hypervisor holds (a
 * boot module marked `inactive`: DOMCTL_load), or one it read from its
 * disk into its own pages (DOMCTL_load_frames: it names the frames, the
 * builder reads them) -- and asks for each step.  No domain ever maps
 * another's frames, the image cannot change under the builder (it reads
 * dom0's frames within one hypercall), and there is one builder to read,
 * not two.
 *
 * Every command that changes something, and every refusal, leaves one
 * domctl record with the result the caller got (the hypercall record
 * follows it with the same result: tests/trace-matches-guest.sh).
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/domain_build.h"
#include "core/console.h"
#include "core/elf.h"
#include "core/guest_access.h"
#include "core/lib.h"
#include "event/port.h"
#include "event/upcall.h"
#include "mm/mm.h"
#include "sched/sched.h"
#include "time/time.h"
#include "x86/x86.h"
#include "trace/trace.h"
#include "public/domctl.h"
#include "public/event_channel.h"
#include "public/start_info.h"

/* The public ABI's states: the hypervisor's enum is numbered to match
 * (core/domain.h), and this is the one place that relies on it. */
_Static_assert(DOM_UNUSED == DOMCTL_STATE_NONE && DOM_RUNNABLE == DOMCTL_STATE_RUNNABLE &&
               DOM_BLOCKED == DOMCTL_STATE_BLOCKED && DOM_DEAD == DOMCTL_STATE_DEAD &&
               DOM_PAUSED == DOMCTL_STATE_PAUSED, "domain states: one numbering");
_Static_assert(DOMCTL_MAX_DOMAINS == MAX_DOMAINS, "DOMCTL_list has a state per slot");

static uint32_t state_of(const struct domain *d)
{
    return (uint32_t)d->state;
}

/* Frames the hypervisor hands out: free, or owned by somebody (so the
 * toolstack can say how much of the machine a domain takes). */
static uint32_t frames_total(void)
{
    uint32_t n = 0;
    for (uint32_t f = 0; f < MAX_FRAMES; f++)
        n += frame_table[f].use == FRAME_FREE || frame_table[f].use == FRAME_GUEST ||
             frame_table[f].use == FRAME_SHARED || frame_table[f].use == FRAME_ORPHAN;
    return n;
}

/* Commands that only read are not traced when they succeed: a toolstack's
 * `list` would fill the trace with them. */
static int reads_only(uint32_t cmd)
{
    return cmd == DOMCTL_getinfo || cmd == DOMCTL_sched_get || cmd == DOMCTL_list ||
           cmd == DOMCTL_image_info || cmd == DOMCTL_physinfo;
}

/* ---- the life of a domain ----------------------------------------------------------- */

/* A new empty domain, paused, with a reservation of max_pages.  The check
 * against the free frames is made now, so `create` fails at once for want
 * of memory (the balloon scenario); the frames are taken by the load. */
static int create(const struct hv_domctl_create *c, domid_t *out)
{
    if (c->flags != 0 || c->max_pages == 0 || c->max_pages > DOMAIN_MAX_PAGES)
        return -HV_EINVAL;
    int id = domain_free_slot();
    if (id < 0)
        return -HV_ENOSPC;
    if (frames_free_count() < c->max_pages + 1)      /* +1: its shared-info page */
        return -HV_ENOMEM;
    struct domain *d = domain_alloc((domid_t)id);
    d->max_pages = c->max_pages;
    d->build = BUILD_EMPTY;
    if (sched_add_domain(d) < 0) {
        d->state = DOM_UNUSED;          /* never was: no state to trace */
        return -HV_ENOSPC;
    }
    domain_set_state(d, DOM_PAUSED);
    trace3(TRC_DOM_CREATE, d->id, d->id, 0, d->flags);
    printk("d%u: created by dom0, paused, reservation %u pages\n", d->id, d->max_pages);
    *out = d->id;
    return 0;
}

static int load(struct domain *d, const struct hv_domctl_load *l, uint32_t *why)
{
    if (d->build != BUILD_EMPTY || d->state != DOM_PAUSED)
        return -HV_EBUSY;
    if (l->image >= nr_boot_images)
        return -HV_EINVAL;
    struct boot_image *b = &boot_images[l->image];
    char cmdline[DOMCTL_CMDLINE_MAX];
    memcpy(cmdline, l->cmdline, sizeof cmdline);     /* a copy: the guest's may change */
    cmdline[sizeof cmdline - 1] = 0;
    struct elf_image im = { b->len, b->data, 0 };
    int err = dombuild_load(d, &im, cmdline[0] ? cmdline : b->args);
    if (err) {
        *why = (uint32_t)err;
        printk("d%u: image %u (%s): refused: %s\n", d->id, l->image, b->file, elf_strerror(err));
        return err == ELF_ERR_NO_MEMORY || err == ELF_ERR_TOO_BIG ? -HV_ENOMEM : -HV_EINVAL;
    }
    b->nr_loaded++;
    return 0;
}

/* The same from dom0's own pages (public/domctl.h, DOMCTL_load_frames):
 * every frame checked before a byte is read; the frames stay dom0's. */
static uint32_t lf_mfn[DOMCTL_LOAD_MAX_FRAMES];
static const uint8_t *lf_page[DOMCTL_LOAD_MAX_FRAMES];

static int load_frames(struct domain *self, struct domain *d,
                       const struct hv_domctl_load_frames *l, uint32_t *why)
{
    if (d->build != BUILD_EMPTY || d->state != DOM_PAUSED)
        return -HV_EBUSY;
    uint32_t n = l->nr_frames;
    if (n == 0 || n > DOMCTL_LOAD_MAX_FRAMES || l->len == 0 ||
        l->len > n * HV_PAGE_SIZE || l->len <= (n - 1) * HV_PAGE_SIZE)
        return -HV_EINVAL;
    if (copy_from_guest(lf_mfn, guest_ptr_at(l->frames), n * sizeof lf_mfn[0]))
        return -HV_EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t mfn = lf_mfn[i];
        /* A page table is dom0's too, but no image: a toolstack naming one
         * is confused, and is told so rather than built from. */
        if (mfn == 0 || mfn >= MAX_FRAMES || frame_table[mfn].use != FRAME_GUEST ||
            frame_table[mfn].owner != self->id ||
            (frame_table[mfn].type_count && frame_table[mfn].type >= PGT_L1))
            return -HV_EINVAL;
        lf_page[i] = mfn_to_virt(mfn);
    }
    char cmdline[DOMCTL_CMDLINE_MAX];
    memcpy(cmdline, l->cmdline, sizeof cmdline);
    cmdline[sizeof cmdline - 1] = 0;
    struct elf_image im = { l->len, 0, lf_page };
    int err = dombuild_load(d, &im, cmdline);
    if (err) {
        *why = (uint32_t)err;
        printk("d%u: image from d%u's %u frames: refused: %s\n", d->id, self->id, n,
               elf_strerror(err));
        return err == ELF_ERR_NO_MEMORY || err == ELF_ERR_TOO_BIG ? -HV_ENOMEM : -HV_EINVAL;
    }
    return 0;
}

/* Step 7, and the channel to dom0 every domU gets (as the boot domains
 * got theirs from events_connect_dom0): the domain's port in start info. */
static int setregs(struct domain *d)
{
    if (d->build != BUILD_LOADED || d->state != DOM_PAUSED)
        return -HV_EBUSY;
    dombuild_registers(d, &d->lay, d->entry);
    struct domain *dom0 = domain_lookup(0);
    if (dom0) {
        int p0 = evtchn_alloc_unbound(&dom0->evtchn, d->id);
        int pu = p0 < 0 ? p0 : evtchn_bind_interdomain(&d->evtchn, &dom0->evtchn, (uint32_t)p0);
        trace5(TRC_EVTCHN_OP, d->id, EVTCHNOP_bind_interdomain, pu < 0 ? 0 : (uint32_t)pu,
               0, p0 < 0 ? 0 : (uint32_t)p0, (uint32_t)(pu < 0 ? pu : 0));
        if (pu >= 0)
            ((struct start_info *)mfn_to_virt(d->start_info_mfn))->dom0_evtchn = (uint32_t)pu;
    }
    d->build = BUILD_READY;
    return 0;
}

static int set_target(struct domain *d, uint32_t pages)
{
    if (d->state == DOM_DEAD || d->build == BUILD_EMPTY)
        return -HV_EBUSY;
    if (pages > d->nr_pages)
        return -HV_EINVAL;              /* more than it has pfns for */
    d->target_pages = pages;
    ((struct start_info *)mfn_to_virt(d->start_info_mfn))->mem_target = pages;
    events_raise_virq(d, VIRQ_BALLOON);
    return 0;
}

static int image_info(struct hv_domctl_image *im)
{
    if (im->index >= nr_boot_images)
        return -HV_EINVAL;
    const struct boot_image *b = &boot_images[im->index];
    uint32_t index = im->index;
    memset(im, 0, sizeof *im);
    im->index = index;
    im->size = b->len;
    im->nr_loaded = b->nr_loaded;
    strlcpy(im->file, b->file, sizeof im->file);
    strlcpy(im->name, b->name, sizeof im->name);
    strlcpy(im->args, b->args, sizeof im->args);
    return 0;
}

/* ---- the hypercall ------------------------------------------------------------------- */

/* The commands about one domain, with d found and the caller's privilege
 * checked.  *arg and *why are for the trace record. */
static int32_t domain_op(struct hv_domctl *c, struct domain *self, struct domain *d,
                         uint32_t *arg, uint32_t *why)
{
    struct sched_params p;
    switch (c->cmd) {
    case DOMCTL_getinfo: {
        /* CPU time is the domain's virtual time (it advances only while
         * it runs); for the caller itself that includes the slice it is
         * in now, or a domain timing itself would see its clock stand
         * still between switches. */
        uint64_t cpu = tsc_to_ns(d->cpu_tsc);
        if (d == current)
            cpu += tsc_to_ns(rdtsc() - sched_dispatch_tsc());
        memset(&c->u.info, 0, sizeof c->u.info);
        c->u.info.state = state_of(d);
        c->u.info.nr_pages = d->tot_pages;
        c->u.info.cpu_ns = cpu;
        c->u.info.virtual_ns = cpu;
        c->u.info.system_ns = time_now_ns();
        c->u.info.nr_hypercalls = d->nr_hypercalls;
        c->u.info.nr_switches = d->nr_switches;
        c->u.info.max_pages = d->max_pages;
        c->u.info.target_pages = d->target_pages;
        c->u.info.flags = d->flags;
        c->u.info.shutdown_reason = d->shutdown_reason;
        return 0;
    }
    case DOMCTL_sched_get:
        if (d->state == DOM_DEAD)
            return -HV_ESRCH;
        sched_get_params(d, &p);
        c->u.sched.weight = p.weight;
        c->u.sched.warp_ns = p.warp_ns;
        c->u.sched.warp_limit_ns = p.warp_limit_ns;
        c->u.sched.unwarp_req_ns = p.unwarp_req_ns;
        c->u.sched.avt_ns = d->vcpu.avt;
        c->u.sched.evt_ns = d->vcpu.evt;
        return 0;
    case DOMCTL_sched_set: {
        /* The policy checks the values (sched_set_params); what is checked
         * here is only who may ask.  A successful change is traced, so the
         * shares seen later in the trace can be explained. */
        if (d->state == DOM_DEAD)
            return -HV_ESRCH;
        p.weight = c->u.sched.weight;
        p.warp_ns = c->u.sched.warp_ns;
        p.warp_limit_ns = c->u.sched.warp_limit_ns;
        p.unwarp_req_ns = c->u.sched.unwarp_req_ns;
        int r = sched_set_params(d, &p);
        if (r == 0)
            trace5(TRC_SCHED_PARAMS, self->id, d->id, p.weight,
                   (uint32_t)(p.warp_ns / 1000), (uint32_t)(p.warp_limit_ns / 1000),
                   (uint32_t)(p.unwarp_req_ns / 1000));
        *arg = p.weight;
        return r;
    }
    case DOMCTL_load:
        *arg = c->u.load.image;
        return load(d, &c->u.load, why);
    case DOMCTL_load_frames:
        *arg = c->u.frames.nr_frames;
        return load_frames(self, d, &c->u.frames, why);
    case DOMCTL_setregs:
        return setregs(d);
    case DOMCTL_unpause:
        if (d->state != DOM_PAUSED || d->build != BUILD_READY)
            return -HV_EBUSY;
        domain_unpause(d);
        return 0;
    case DOMCTL_pause:
        /* Never itself: a paused dom0 could never unpause anyone. */
        if (d == self)
            return -HV_EINVAL;
        if (d->state != DOM_RUNNABLE && d->state != DOM_BLOCKED)
            return -HV_EBUSY;
        domain_pause(d);
        return 0;
    case DOMCTL_destroy:
        /* Never itself (shutdown is how a domain ends itself, and dom0's
         * end is the end of the control plane); a dead domain may be, and
         * once destroyed it is "no such domain" (-ESRCH). */
        if (d == self)
            return -HV_EINVAL;
        if (d->destroyed)
            return -HV_ESRCH;
        *arg = d->tot_pages;
        domain_destroy(d);
        return 0;
    case DOMCTL_max_mem:
        if (d->state == DOM_DEAD)
            return -HV_ESRCH;
        if (c->u.mem.pages > DOMAIN_MAX_PAGES)
            return -HV_EINVAL;
        *arg = c->u.mem.pages;
        d->max_pages = c->u.mem.pages;
        return 0;
    case DOMCTL_set_target:
        *arg = c->u.mem.pages;
        return set_target(d, c->u.mem.pages);
    }
    return -HV_EINVAL;
}

int32_t do_domctl(guest_ptr op)
{
    struct hv_domctl c;
    struct domain *self = current;
    if (copy_from_guest(&c, op, sizeof c))
        return -HV_EFAULT;
    /* A caller built against another layout of struct hv_domctl: refuse
     * before trusting any other field (public/domctl.h, THE INTERFACE
     * VERSION).  Even the privilege check waits: `cmd` and `domain` may
     * not be where this hypervisor expects them. */
    if (c.interface_version != HV_DOMCTL_INTERFACE_VERSION)
        return -HV_EACCES;

    /* Privilege first, before the domain is even looked up: a domU
     * learns nothing about other domains, not even whether they exist.
     * The one thing any domain may do is read its own accounting. */
    int is_self = c.domain == DOMID_SELF || c.domain == self->id;
    int32_t r;
    uint32_t arg = 0, why = 0;
    domid_t target = is_self ? self->id : c.domain;
    if (!(self->flags & SIF_PRIVILEGED) && !(is_self && c.cmd == DOMCTL_getinfo)) {
        r = -HV_EPERM;
        goto out;
    }

    switch (c.cmd) {
    case DOMCTL_createdomain:
        arg = c.u.create.max_pages;
        r = create(&c.u.create, &c.domain);
        target = r == 0 ? c.domain : DOMID_HV;
        break;
    case DOMCTL_list:
        memset(&c.u.list, 0, sizeof c.u.list);
        for (int i = 0; i < MAX_DOMAINS; i++) {
            c.u.list.state[i] = (uint8_t)(domains[i].destroyed ? DOM_UNUSED : state_of(&domains[i]));
            c.u.list.nr += c.u.list.state[i] != DOM_UNUSED;
        }
        r = 0;
        break;
    case DOMCTL_image_info:
        r = image_info(&c.u.image);
        break;
    case DOMCTL_physinfo:
        memset(&c.u.phys, 0, sizeof c.u.phys);
        c.u.phys.total_frames = frames_total();
        c.u.phys.free_frames = frames_free_count();
        for (int i = 0; i < MAX_DOMAINS; i++)
            c.u.phys.nr_domains += domains[i].state != DOM_UNUSED && !domains[i].destroyed;
        c.u.phys.max_domains = MAX_DOMAINS;
        c.u.phys.nr_images = nr_boot_images;
        r = 0;
        break;
    default: {
        /* dom0 may also read a dead domain's final accounting; a slot
         * never used, or given back by a destroy, is no domain. */
        struct domain *d = is_self ? self :
            (c.domain < MAX_DOMAINS && domains[c.domain].state != DOM_UNUSED ?
             &domains[c.domain] : 0);
        if (!d) {
            r = -HV_ESRCH;
            break;
        }
        r = domain_op(&c, self, d, &arg, &why);
    }
    }
    if (r == 0 && (c.cmd == DOMCTL_getinfo || c.cmd == DOMCTL_sched_get || c.cmd == DOMCTL_list ||
                   c.cmd == DOMCTL_image_info || c.cmd == DOMCTL_physinfo ||
                   c.cmd == DOMCTL_createdomain) &&
        copy_to_guest(op, &c, sizeof c))
        r = -HV_EFAULT;
out:
    if (r < 0 || !reads_only(c.cmd))
        trace5(TRC_DOMCTL, self->id, c.cmd, target, arg, why, (uint32_t)r);
    return r;
}
