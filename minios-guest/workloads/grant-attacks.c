/*
 * minios-guest/workloads/grant-attacks.c — a malicious grantee and front
 * end: what Xen's I/O security advisories are made of, each refused or
 * contained.
 *
 * Where this sits in the story (course: isolation of I/O; every guest is
 * hostile, and so is every front end a back end serves): the grant table
 * is the one way a domain reaches another's memory, and the ring is
 * memory the other side writes at will.  This kernel task tries:
 *
 *   A. grant_table_op itself abused: unknown command, batch too long, bad
 *      pointers, another domain's table, a table too big;
 *   B. another domain's grants: mapping or copying d1's grants, made to
 *      dom0, and entries d1 never made;
 *   C. revoking while mapped: the revoke fails; cheating (clearing the
 *      entry anyway) changes nothing -- the frame stays held, cannot be
 *      given back, the mapping still works, new mappings are refused;
 *      the grant's page-table entry cannot be changed by any memory
 *      request; after the unmap the page is gone from our address space;
 *   D. writing through a read-only grant: a writable mapping refused, a
 *      store through the read-only one faults, a copy into it refused;
 *   E. granting frames it does not own: the hypervisor's, another
 *      domain's, its own shared-info page and grant table; a page table
 *      writable;
 *   F. mapping at addresses that are no place for it;
 *   G. copies past the end of a page, into a page table, with bad flags;
 *   H. a batch that stops at the first failure;
 *   I. as the front end of an echo device of dom0's: the device store
 *      abused, then requests that lie (a reference never granted, a length
 *      too big, a piece past the page, an unknown operation), then a
 *      req_prod 1000 past the ring.  dom0's back end answers each lie with
 *      an error, disconnects us at the index, and goes on serving d1
 *      (tests/scenarios/grant-attacks.scn checks d1's echo).
 *
 * Each check prints PASS or FAIL; the refusal log at the end lets the
 * scenario hold every refusal against the trace.
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "arch/pv/pvops-hv.h"
#include "lib/string.h"
#include "public/io_ring.h"
#include "workloads/workloads.h"

static struct checks checks = { .who = "grant-attacks" };

static void expect(const char *what, int got, int want)
{
    check_eq(&checks, what, got, want);
}

/* A store or a load that may fault: 1 if it did (minios resumes at the
 * fixup address instead of panicking). */
static int faulting_store(volatile uint32_t *p, uint32_t val)
{
    int faulted;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movl %2, (%1)\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted) : "r"(p), "r"(val) : "memory");
    return faulted;
}

static int faulting_load(volatile uint32_t *p, uint32_t *val)
{
    int faulted;
    uint32_t v = 0;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movl (%2), %1\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted), "+r"(v) : "r"(p) : "memory");
    *val = v;
    return faulted;
}

static int map_one(domid_t dom, grant_ref_t ref, uint32_t flags, uint32_t va, grant_handle_t *h)
{
    return gnttab_map_at(va, dom, ref, flags, h);
}

/* A grant of our own to ourselves (loopback), entered by hand as a
 * cheating granter may: frame may be anything. */
static grant_ref_t raw_grant(grant_ref_t ref, uint32_t frame, int readonly)
{
    volatile struct grant_entry_v1 *e = &gnttab_entries[ref];
    e->domid = (domid_t)boot_info.domid;
    e->frame = frame;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    e->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    return ref;
}

static int copy(uint32_t src, domid_t sdom, uint16_t soff, uint32_t dst, domid_t ddom,
                uint16_t doff, uint16_t len, uint16_t flags)
{
    struct gnttab_copy op = {
        .source = { .u.ref = src, .domid = sdom, .offset = soff },
        .dest = { .u.ref = dst, .domid = ddom, .offset = doff },
        .len = len, .flags = flags,
    };
    return gnttab_copy(&op);
}

/* The machine address of the page-table entry that maps va (kernel
 * directory), for mmu_update. */
static uint32_t pte_maddr(uint32_t va)
{
    uint32_t pde = vm_kernel_pgdir()[va >> 22];
    return (pde & PTE_ADDR) | (((va >> 12) & 0x3FF) << 2);
}

static int mmu_update_one(uint32_t ptr, uint32_t val)
{
    struct mmu_update u = { .ptr = ptr, .val = val };
    return HYPERVISOR_mmu_update(&u, 1, 0, DOMID_SELF);
}

/* ---- A ------------------------------------------------------------------- */
static void bad_calls(void)
{
    struct gnttab_map_grant_ref m = { 0 };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    struct gnttab_query_size q = { .dom = DOMID_SELF };

    expect("unknown grant_table_op command 77", HYPERVISOR_grant_table_op(77, &m, 1), -HV_ENOSYS);
    expect("a batch of 65 maps", HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 65),
           -HV_EINVAL);
    expect("map with a NULL argument", HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, 0, 1),
           -HV_EFAULT);
    expect("map with an argument in the hypervisor hole",
           HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, (void *)0xFC000000u, 1), -HV_EFAULT);
    expect("a batch of 0: nothing to do", HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 0), 0);
    st.dom = 0;
    expect("setup_table of dom0's table", HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1),
           -HV_EPERM);
    st.dom = DOMID_SELF;
    st.nr_frames = GNTTAB_MAX_FRAMES + 1;
    expect("setup_table of 5 frames", HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1),
           -HV_EINVAL);
    st.nr_frames = 0;
    expect("setup_table of 0 frames", HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1),
           -HV_EINVAL);
    q.dom = 0;
    expect("query_size of dom0's table", HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1),
           -HV_EPERM);
    q.dom = DOMID_SELF;
    int r = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);
    expect("query_size of ours: 1 frame of 4", r == 0 ? (int)(q.nr_frames * 10 + q.max_nr_frames) : r, 14);
}

/* ---- B ------------------------------------------------------------------- */
static void others_grants(void)
{
    uint32_t va = (uint32_t)iomap_alloc();
    grant_handle_t h;
    /* d1's front end grants its ring (reference 1) to dom0 early; until it
     * has a table the reference does not exist (-EINVAL), until it has
     * granted it is empty (-ENOENT). */
    int r = 0;
    for (int tries = 0; tries < 3000; tries++) {
        r = map_one(1, 1, GNTMAP_host_map, va, &h);
        if (r != -HV_EINVAL && r != -HV_ENOENT)
            break;
        proc_sleep_ns(1 * MS);
    }
    expect("map d1's grant 1 (its ring, made to dom0)", r, -HV_EPERM);
    expect("map d1's grant 2 (its data page, made to dom0), read-only",
           map_one(1, 2, GNTMAP_host_map | GNTMAP_readonly, va, &h), -HV_EPERM);
    expect("map d1's entry 300 (never granted)", map_one(1, 300, GNTMAP_host_map, va, &h), -HV_ENOENT);
    expect("map d1's entry 600 (past its table)", map_one(1, 600, GNTMAP_host_map, va, &h), -HV_EINVAL);
    expect("map a grant of domain 77", map_one(77, 1, GNTMAP_host_map, va, &h), -HV_ESRCH);
    uint8_t *page = page_alloc();
    uint32_t mfn = pv_ops.pt_mfn(page);
    expect("copy from d1's grant 2 into our page",
           copy(2, 1, 0, mfn, DOMID_SELF, 0, 64, GNTCOPY_source_gref), -HV_EPERM);
    expect("copy into d1's grant 2",
           copy(mfn, DOMID_SELF, 0, 2, 1, 0, 64, GNTCOPY_dest_gref), -HV_EPERM);
    /* A frame of d1's named directly, as if it were ours: d1's grant 1's
     * frame is not ours to know, so any frame we do not own will do. */
    expect("copy naming one of our frames as domain 1's", copy(mfn, 1, 0, mfn, DOMID_SELF, 64, 64, 0),
           -HV_EPERM);
    iomap_free((void *)va);
}

/* ---- C ------------------------------------------------------------------- */
static void revoke_while_mapped(void)
{
    domid_t me = (domid_t)boot_info.domid;
    volatile uint32_t *p = page_alloc();
    uint32_t mfn = pv_ops.pt_mfn((void *)p);
    int ref = gnttab_grant(me, mfn, 0);
    void *va = 0;
    grant_handle_t h = 0;
    expect("map our own writable grant", gnttab_map(me, (grant_ref_t)ref, 0, &va, &h), 0);
    volatile uint32_t *m = va;
    m[5] = 0x1234abcdu;
    expect("a store through the mapping is in the page", p[5] == 0x1234abcdu, 1);
    expect("revoke while mapped: the exchange fails", gnttab_end((grant_ref_t)ref), -HV_EBUSY);
    expect("the entry says reading and writing",
           (gnttab_entries[ref].flags & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing), 1);
    expect("give the page back while mapped", hv_give_back_page((void *)p), -HV_EBUSY);
    /* The grant's page-table entry is the hypervisor's. */
    expect("update_va_mapping clears the grant's entry",
           HYPERVISOR_update_va_mapping((uint32_t)va, 0, 0, UVMF_INVLPG), -HV_EPERM);
    expect("update_va_mapping points the grant's entry elsewhere",
           HYPERVISOR_update_va_mapping((uint32_t)va, (mfn << 12) | PTE_P | PTE_RW, 0, UVMF_INVLPG),
           -HV_EPERM);
    expect("mmu_update clears the grant's entry", mmu_update_one(pte_maddr((uint32_t)va), 0), -HV_EPERM);
    void *other = iomap_alloc();
    expect("mmu_update writes an entry marked as a grant's",
           mmu_update_one(pte_maddr((uint32_t)other), (mfn << 12) | PTE_P | PTE_GRANT), -HV_EPERM);
    iomap_free(other);
    /* The cheat: clear the entry regardless. */
    gnttab_entries[ref].flags = 0;
    grant_handle_t h2;
    void *va2 = iomap_alloc();
    expect("map the cleared entry again", map_one(me, (grant_ref_t)ref, GNTMAP_host_map,
                                                  (uint32_t)va2, &h2), -HV_ENOENT);
    m[6] = 0x5678u;
    expect("the old mapping still works", p[6] == 0x5678u, 1);
    expect("the page still cannot be given back", hv_give_back_page((void *)p), -HV_EBUSY);
    expect("unmap", gnttab_unmap(va, h), 0);
    uint32_t v;
    expect("after the unmap the page is gone from the window", faulting_load(m, &v), 1);
    expect("the page itself is intact", p[5] == 0x1234abcdu && p[6] == 0x5678u, 1);
    expect("unmap the same handle again", gnttab_unmap_at((uint32_t)va, h), -HV_EINVAL);
    expect("unmap handle 999", gnttab_unmap_at((uint32_t)va, 999), -HV_EINVAL);
    /* A handle with somebody else's address. */
    int ref2 = gnttab_grant(me, mfn, 1);
    expect("map a read-only grant of it", gnttab_map_at((uint32_t)va2, me, (grant_ref_t)ref2,
                                                         GNTMAP_host_map | GNTMAP_readonly, &h2), 0);
    expect("unmap it at another address", gnttab_unmap_at((uint32_t)va2 + 4096, h2), -HV_EINVAL);
    expect("unmap it at its own", gnttab_unmap_at((uint32_t)va2, h2), 0);
    expect("revoke it now", gnttab_end((grant_ref_t)ref2), 0);
    iomap_free(va2);
}

/* ---- D ------------------------------------------------------------------- */
static void read_only(void)
{
    domid_t me = (domid_t)boot_info.domid;
    volatile uint32_t *p = page_alloc();
    uint32_t mfn = pv_ops.pt_mfn((void *)p);
    p[0] = 77;
    int ref = gnttab_grant(me, mfn, 1);
    uint32_t va = (uint32_t)iomap_alloc();
    grant_handle_t h;
    expect("a writable mapping of a read-only grant", map_one(me, (grant_ref_t)ref, GNTMAP_host_map, va, &h),
           -HV_EACCES);
    expect("a read-only mapping of it", map_one(me, (grant_ref_t)ref,
                                                GNTMAP_host_map | GNTMAP_readonly, va, &h), 0);
    volatile uint32_t *m = (volatile uint32_t *)va;
    expect("reading through it", m[0], 77);
    expect("a store through it faults", faulting_store(m, 99), 1);
    expect("the page is unchanged", p[0], 77);
    expect("update_va_mapping makes it writable",
           HYPERVISOR_update_va_mapping(va, (mfn << 12) | PTE_P | PTE_RW | PTE_GRANT, 0, UVMF_INVLPG),
           -HV_EPERM);
    uint8_t *mine = page_alloc();
    expect("a copy into the read-only grant",
           copy(pv_ops.pt_mfn(mine), DOMID_SELF, 0, (uint32_t)ref, me, 0, 16, GNTCOPY_dest_gref),
           -HV_EACCES);
    expect("a copy out of it", copy((uint32_t)ref, me, 0, pv_ops.pt_mfn(mine), DOMID_SELF, 0, 16,
                                    GNTCOPY_source_gref), 0);
    expect("the copy has its bytes", ((uint32_t *)mine)[0], 77);
    expect("unmap", gnttab_unmap_at(va, h), 0);
    expect("revoke", gnttab_end((grant_ref_t)ref), 0);
    iomap_free((void *)va);
}

/* ---- E ------------------------------------------------------------------- */
static void not_our_frames(void)
{
    domid_t me = (domid_t)boot_info.domid;
    uint32_t va = (uint32_t)iomap_alloc();
    grant_handle_t h;
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    /* A frame that is in no pfn of ours: just above our highest. */
    uint32_t foreign = p2m[0] + 1;
    for (uint32_t pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (p2m[pfn] == foreign)
            foreign = 0;
    struct { const char *what; uint32_t frame; int want; } cases[] = {
        { "grant the hypervisor's frame 0x100 and map it", 0x100, -HV_EPERM },
        { "grant a frame not ours and map it", foreign, -HV_EPERM },
        { "grant frame 0xfffff (no RAM) and map it", 0xFFFFF, -HV_EPERM },
        { "grant our shared-info page and map it", start_info->shared_info >> 12, -HV_EPERM },
        { "grant our grant table itself and map it", gnttab_frame, -HV_EPERM },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        raw_grant(400 + i, cases[i].frame, 0);
        expect(cases[i].what, map_one(me, 400 + i, GNTMAP_host_map | GNTMAP_readonly, va, &h),
               cases[i].want);
        gnttab_entries[400 + i].flags = 0;
    }
    /* A page table of ours: read-only fine, writable never. */
    uint32_t l1 = vm_kernel_pgdir()[IOMAP_BASE >> 22] >> 12;
    raw_grant(410, l1, 0);
    expect("map our I/O window's page table writable", map_one(me, 410, GNTMAP_host_map, va, &h),
           -HV_EINVAL);
    expect("map it read-only", map_one(me, 410, GNTMAP_host_map | GNTMAP_readonly, va, &h), 0);
    expect("unmap it", gnttab_unmap_at(va, h), 0);
    gnttab_entries[410].flags = 0;
    iomap_free((void *)va);
}

/* ---- F, G, H --------------------------------------------------------------- */
static void addresses_copies_batches(void)
{
    domid_t me = (domid_t)boot_info.domid;
    uint8_t *page = page_alloc();
    uint32_t mfn = pv_ops.pt_mfn(page);
    int ref = gnttab_grant(me, mfn, 0);
    grant_handle_t h;
    uint32_t va = (uint32_t)iomap_alloc();
    expect("map at an address not page-aligned", map_one(me, (grant_ref_t)ref, GNTMAP_host_map, va + 8, &h),
           -HV_EINVAL);
    expect("map at 0xfc000000 (the hypervisor's)",
           map_one(me, (grant_ref_t)ref, GNTMAP_host_map, 0xFC000000u, &h), -HV_EINVAL);
    expect("map where no page table is (0x80000000)",
           map_one(me, (grant_ref_t)ref, GNTMAP_host_map, 0x80000000u, &h), -HV_EINVAL);
    expect("map over a page already mapped (our own kernel page)",
           map_one(me, (grant_ref_t)ref, GNTMAP_host_map, (uint32_t)page, &h), -HV_EBUSY);
    expect("map with unknown flags", map_one(me, (grant_ref_t)ref, GNTMAP_host_map | 0x100, va, &h),
           -HV_EINVAL);
    expect("map without GNTMAP_host_map", map_one(me, (grant_ref_t)ref, GNTMAP_readonly, va, &h), -HV_EINVAL);

    uint8_t *other = page_alloc();
    uint32_t omfn = pv_ops.pt_mfn(other);
    expect("a copy past the end of the page (4000 + 200)",
           copy((uint32_t)ref, me, 4000, omfn, DOMID_SELF, 0, 200, GNTCOPY_source_gref), -HV_EINVAL);
    expect("a copy into our page directory",
           copy(omfn, DOMID_SELF, 0, pv_ops.pt_mfn(vm_kernel_pgdir()), DOMID_SELF, 0, 4, 0), -HV_EINVAL);
    expect("a copy into the hypervisor's frame 0x100",
           copy(omfn, DOMID_SELF, 0, 0x100, DOMID_SELF, 0, 4, 0), -HV_EPERM);
    expect("a copy with unknown flags", copy(omfn, DOMID_SELF, 0, omfn, DOMID_SELF, 8, 4, 0x80),
           -HV_EINVAL);
    other[0] = 5;
    expect("a copy within one page of ours", copy(omfn, DOMID_SELF, 0, omfn, DOMID_SELF, 1, 8, 0), 0);
    expect("it moved the bytes (overlapping)", other[1], 5);

    /* A batch: ok, refused, never looked at. */
    struct gnttab_map_grant_ref b[3] = {
        { .host_addr = va, .flags = GNTMAP_host_map, .ref = (grant_ref_t)ref, .dom = DOMID_SELF },
        { .host_addr = va + 4096, .flags = GNTMAP_host_map, .ref = 3000, .dom = DOMID_SELF },
        { .host_addr = va + 8192, .flags = GNTMAP_host_map, .ref = (grant_ref_t)ref, .dom = DOMID_SELF },
    };
    b[2].status = 12345;
    expect("a batch of three maps, the second bad",
           HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, b, 3), -HV_EINVAL);
    expect("the first was done", b[0].status, 0);
    expect("the second has its error", b[1].status, -HV_EINVAL);
    expect("the third was not looked at", b[2].status, 12345);
    expect("unmap the first", gnttab_unmap_at(va, b[0].handle), 0);
    expect("revoke", gnttab_end((grant_ref_t)ref), 0);
    iomap_free((void *)va);
}

/* ---- I: a hostile front end ------------------------------------------------- */
static void wait_back_state(uint32_t id, uint32_t state, struct hv_device *dev)
{
    uint32_t seen = io_events;
    while (device_find(id, dev) == 0 && dev->end[DEV_END_BACK].state != state &&
           dev->end[DEV_END_BACK].state != DEV_STATE_CLOSED)
        io_wait(&seen);
}

static void hostile_front_end(void)
{
    domid_t me = (domid_t)boot_info.domid;
    struct hv_device dev;
    struct devop_create c = { .type = DEV_TYPE_ECHO, .front = me, .back = 0 };
    expect("device_op create from a domU", HYPERVISOR_device_op(DEVOP_create, &c), -HV_EPERM);
    expect("device_op with a NULL argument", HYPERVISOR_device_op(DEVOP_get, 0), -HV_EFAULT);
    expect("unknown device_op command 77", HYPERVISOR_device_op(77, &c), -HV_ENOSYS);
    uint32_t seen = io_events;
    while (device_get(0, &dev) < 0)
        io_wait(&seen);
    expect("we are the front end of one device", device_get(1, &dev) == -HV_ENOENT &&
           device_get(0, &dev) == 0 && dev.end[DEV_END_FRONT].dom == me, 1);
    uint32_t id = dev.id;
    expect("set d1's device's state (we are no end of it)", device_set_state(id == 1 ? 2 : 1,
                                                                             DEV_STATE_CLOSED), -HV_EPERM);
    expect("set the state of device 99", device_set_state(99, DEV_STATE_CLOSED), -HV_ENOENT);
    expect("connected before publishing", device_set_state(id, DEV_STATE_CONNECTED), -HV_EINVAL);
    expect("a back end's state for a front end", device_set_state(id, DEV_STATE_INITWAIT), -HV_EINVAL);

    /* Connect as an honest front end would. */
    struct io_sring *sring = page_alloc();
    uint8_t *data = page_alloc();
    struct io_front ring;
    io_front_init(&ring, sring, 0);
    int ring_ref = gnttab_grant(0, pv_ops.pt_mfn(sring), 0);
    int data_ref = gnttab_grant(0, pv_ops.pt_mfn(data), 0);
    evtchn_port_t port = 0;
    evtchn_alloc_unbound(0, &port);
    io_watch_port(port);
    device_publish(id, (uint32_t)ring_ref, port, 0);
    device_set_state(id, DEV_STATE_INITIALISED);
    expect("publish again once initialised", device_publish(id, 1, 1, 0), -HV_EBUSY);
    wait_back_state(id, DEV_STATE_CONNECTED, &dev);
    expect("dom0 connected to us", dev.end[DEV_END_BACK].state, DEV_STATE_CONNECTED);
    device_set_state(id, DEV_STATE_CONNECTED);

    /* Requests that lie, and one that does not. */
    struct echo_request lies[] = {
        { .id = 1, .op = ECHO_OP_REVERSE, .gref = 300, .offset = 0, .len = 16 },      /* never granted */
        { .id = 2, .op = ECHO_OP_REVERSE, .gref = (uint32_t)data_ref, .offset = 0, .len = 5000 },
        { .id = 3, .op = ECHO_OP_REVERSE, .gref = (uint32_t)data_ref, .offset = 4000, .len = 200 },
        { .id = 4, .op = 9, .gref = (uint32_t)data_ref, .offset = 0, .len = 16 },
        { .id = 5, .op = ECHO_OP_REVERSE, .gref = (uint32_t)ring_ref, .offset = 0, .len = 0 },
        { .id = 6, .op = ECHO_OP_REVERSE, .gref = (uint32_t)data_ref, .offset = 100, .len = 4 },
    };
    int32_t want[] = { -HV_ENOENT, -HV_EINVAL, -HV_EINVAL, -HV_ENOSYS, -HV_EINVAL, 4 };
    const char *what[] = {
        "a request naming a reference never granted",
        "a request of 5000 bytes",
        "a request past the end of the page",
        "a request with an unknown operation",
        "a request of 0 bytes",
        "an honest request",
    };
    data[100] = 'a'; data[101] = 'b'; data[102] = 'c'; data[103] = 'd';
    for (unsigned i = 0; i < 6; i++)
        io_front_put_request(&ring, &lies[i], sizeof lies[i]);
    if (io_front_push_requests(&ring))
        evtchn_send(port);
    int32_t got[7] = { 0 };
    for (unsigned n = 0; n < 6;) {
        int broken;
        if (io_front_responses(&ring, &broken)) {
            struct echo_response p;
            io_front_get_response(&ring, &p, sizeof p);
            if (p.id >= 1 && p.id <= 6)
                got[p.id] = p.status;
            n++;
        } else if (broken) {
            break;
        } else if (!io_front_final_check(&ring)) {
            io_wait(&seen);
        }
    }
    for (unsigned i = 0; i < 6; i++)
        expect(what[i], got[i + 1], want[i]);
    expect("the honest one was reversed", data[100] == 'd' && data[103] == 'a', 1);

    /* The index attack: a req_prod 1000 past the ring. */
    sring->req_prod = ring.req_prod_pvt + 1000;
    evtchn_send(port);
    wait_back_state(id, DEV_STATE_CLOSED, &dev);
    expect("dom0 disconnected us", dev.end[DEV_END_BACK].state, DEV_STATE_CLOSED);
    expect("our ring grant is free to revoke (dom0 unmapped it)", gnttab_end((grant_ref_t)ring_ref), 0);
    expect("our data grant too", gnttab_end((grant_ref_t)data_ref), 0);
    expect("close our end", device_set_state(id, DEV_STATE_CLOSING) == 0 &&
           device_set_state(id, DEV_STATE_CLOSED) == 0, 1);
    evtchn_close(port);
}

int grant_attacks_main(void)
{
    if (!need_pv("grant-attacks"))
        return 0;
    expect("grant table set up", gnttab_init(), 0);
    expect("device events bound", io_events_init(), 0);
    bad_calls();
    others_grants();
    revoke_while_mapped();
    read_only();
    not_our_frames();
    addresses_copies_batches();
    hostile_front_end();
    kprintf("grant-attacks: %d passed, %d failed\n", checks.passed, checks.failed);
    refusals_print();
    return checks.failed;
}
