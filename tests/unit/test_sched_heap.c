/*
 * tests/unit/test_sched_heap.c — the min-heap behind BVT's O(log n)
 * decisions (hv/sched/sched_heap.c), checked against a brute-force scan after
 * every one of thousands of random inserts, removals and key changes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "sched/sched_heap.h"

#define N 64

static struct sched_vcpu vc[N];
static int in_heap[N];
static struct sched_heap h;

/* The lowest (evt, id) among the vcpus in the heap, except skip. */
static struct sched_vcpu *brute_min(const struct sched_vcpu *skip)
{
    struct sched_vcpu *best = NULL;
    for (int i = 0; i < N; i++) {
        if (!in_heap[i] || &vc[i] == skip)
            continue;
        if (!best || vc[i].evt < best->evt ||
            (vc[i].evt == best->evt && vc[i].id < best->id))
            best = &vc[i];
    }
    return best;
}

static void check_positions(void)
{
    for (int i = 0; i < h.n; i++)
        cr_assert_eq(h.v[i]->heap_pos[SCHED_HEAP_EVT], i + 1);
    for (int i = 0; i < N; i++)
        cr_assert_eq(vc[i].heap_pos[SCHED_HEAP_EVT] != 0, in_heap[i], "vcpu %d", i);
}

Test(sched_heap, matches_a_linear_scan_under_random_operations)
{
    srand(12345);
    h.kind = SCHED_HEAP_EVT;
    for (int i = 0; i < N; i++) {
        vc[i].id = (uint32_t)i;
        vc[i].evt = rand() % 100;        /* many ties: the id must break them */
    }
    for (int step = 0; step < 20000; step++) {
        int i = rand() % N;
        int op = rand() % 3;
        if (op == 0 && !in_heap[i]) {
            sched_heap_insert(&h, &vc[i]);
            in_heap[i] = 1;
        } else if (op == 1 && in_heap[i]) {
            sched_heap_remove(&h, &vc[i]);
            in_heap[i] = 0;
        } else {
            vc[i].evt += rand() % 50 - 10;   /* mostly up, as virtual time goes */
            sched_heap_update(&h, &vc[i]);
        }
        check_positions();
        cr_assert_eq(sched_heap_min(&h), brute_min(NULL), "step %d", step);
        struct sched_vcpu *skip = &vc[rand() % N];
        cr_assert_eq(sched_heap_min_except(&h, skip), brute_min(skip), "step %d", step);
        struct sched_vcpu *top = sched_heap_min(&h);
        cr_assert_eq(sched_heap_min_except(&h, top), brute_min(top), "step %d", step);
    }
}

Test(sched_heap, empty_and_single)
{
    struct sched_heap e = { .kind = SCHED_HEAP_AVT };
    struct sched_vcpu a = { .id = 7, .avt = 3 };
    cr_assert_null(sched_heap_min(&e));
    cr_assert_null(sched_heap_min_except(&e, NULL));
    sched_heap_insert(&e, &a);
    sched_heap_insert(&e, &a);                 /* twice: still one entry */
    cr_assert_eq(e.n, 1);
    cr_assert_eq(sched_heap_min(&e), &a);
    cr_assert_null(sched_heap_min_except(&e, &a));
    sched_heap_remove(&e, &a);
    sched_heap_remove(&e, &a);                 /* not in it: no effect */
    cr_assert_eq(e.n, 0);
    cr_assert_eq(a.heap_pos[SCHED_HEAP_AVT], 0);
}
