/*
 * hv/sched/sched_heap.c — the binary min-heap behind BVT's O(log n) decisions
 * (see sched_heap.h).
 *
 * The textbook array heap: v[0] is the lowest; the children of v[i] are
 * v[2i+1] and v[2i+2].  "Sift up" moves an entry towards the top while it
 * is lower than its parent; "sift down" moves it towards the leaves while
 * a child is lower.  Either way at most log2(n) swaps.
 */
#include "sched/sched_heap.h"

/* One heap type for both orders: the key is read from the vcpu, not
 * copied into the heap, so a vcpu whose evt or avt changed is out of
 * order until sched_heap_update() puts it back (the caller's duty). */
static int64_t key(const struct sched_heap *h, const struct sched_vcpu *v)
{
    return h->kind == SCHED_HEAP_EVT ? v->evt : (int64_t)v->avt;
}

/* Is a strictly before b?  Ties go to the lower id: deterministic. */
static int before(const struct sched_heap *h, const struct sched_vcpu *a,
                  const struct sched_vcpu *b)
{
    int64_t ka = key(h, a), kb = key(h, b);
    return ka < kb || (ka == kb && a->id < b->id);
}

/* Every move goes through here, so a vcpu's heap_pos is always where it
 * really is: that is what makes remove and update O(log n) with no search. */
static void place(struct sched_heap *h, int i, struct sched_vcpu *v)
{
    h->v[i] = v;
    v->heap_pos[h->kind] = i + 1;
}

static void sift_up(struct sched_heap *h, int i)
{
    struct sched_vcpu *v = h->v[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!before(h, v, h->v[parent]))
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, v);
}

static void sift_down(struct sched_heap *h, int i)
{
    struct sched_vcpu *v = h->v[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(h, h->v[c + 1], h->v[c]))
            c++;
        if (!before(h, h->v[c], v))
            break;
        place(h, i, h->v[c]);
        i = c;
    }
    place(h, i, v);
}

/* Already in, or full: nothing to do.  The heap has room for every vcpu
 * a queue can hold, so "full" cannot happen with a consistent caller. */
void sched_heap_insert(struct sched_heap *h, struct sched_vcpu *v)
{
    if (v->heap_pos[h->kind] || h->n >= SCHED_MAX_VCPUS)
        return;
    place(h, h->n++, v);
    sift_up(h, h->n - 1);
}

void sched_heap_remove(struct sched_heap *h, struct sched_vcpu *v)
{
    int i = v->heap_pos[h->kind] - 1;
    if (i < 0)
        return;
    v->heap_pos[h->kind] = 0;
    struct sched_vcpu *last = h->v[--h->n];
    if (i == h->n)
        return;                          /* it was the last one */
    place(h, i, last);                   /* the last fills the hole ... */
    sift_up(h, i);                       /* ... and moves whichever way */
    sift_down(h, last->heap_pos[h->kind] - 1);
}

void sched_heap_update(struct sched_heap *h, struct sched_vcpu *v)
{
    int i = v->heap_pos[h->kind] - 1;
    if (i < 0)
        return;
    sift_up(h, i);
    sift_down(h, v->heap_pos[h->kind] - 1);
}

struct sched_vcpu *sched_heap_min(const struct sched_heap *h)
{
    return h->n ? h->v[0] : 0;
}

struct sched_vcpu *sched_heap_min_except(const struct sched_heap *h,
                                         const struct sched_vcpu *skip)
{
    if (h->n == 0)
        return 0;
    if (h->v[0] != skip)
        return h->v[0];
    /* The top is `skip`: the lowest of the rest is one of its children. */
    if (h->n == 1)
        return 0;
    if (h->n == 2 || before(h, h->v[1], h->v[2]))
        return h->v[1];
    return h->v[2];
}
