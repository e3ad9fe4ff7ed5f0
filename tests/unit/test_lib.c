/*
 * tests/unit/test_lib.c — the hypervisor's memcpy and memset (hv/core/lib.c),
 * on the host: every alignment of the destination (and source), every
 * length around the word boundaries, and not one byte written outside.
 *
 * lib.c defines the C library's own names, so it is compiled in here under
 * other names (hv_memcpy, ...), the host's libc keeping its own.  The rep
 * instructions it uses work the same in 64-bit mode.
 */
#define memcpy    hv_memcpy
#define memset    hv_memset
#define memcmp    hv_memcmp
#define strlen    hv_strlen
#define strncmp   hv_strncmp
#define strcmp    hv_strcmp
#define strlcpy   hv_strlcpy
#define vsnprintf hv_vsnprintf
#define snprintf  hv_snprintf
#include "core/lib.c"
#undef memcpy
#undef memset
#undef memcmp
#undef strlen
#undef strncmp
#undef strcmp
#undef strlcpy
#undef vsnprintf
#undef snprintf

#include <criterion/criterion.h>

/* lib.c counts its rep iterations for the benchmarks (x86/x86.h); in the
 * hypervisor the counter lives in hv/x86/traps.c. */
uint32_t rep_iters;
#include <string.h>

#define GUARD 16
#define MAXLEN 80

Test(hv_lib, memset_every_alignment_and_length)
{
    unsigned char buf[GUARD + 8 + MAXLEN + GUARD], want[sizeof buf];
    for (int align = 0; align < 8; align++)
        for (size_t n = 0; n <= MAXLEN; n++)
            for (int c = 0; c < 2; c++) {
                int value = c ? 0x1A5 : 0;          /* only the low byte counts */
                memset(buf, 0xEE, sizeof buf);
                memcpy(want, buf, sizeof buf);
                memset(want + GUARD + align, value & 0xFF, n);
                void *r = hv_memset(buf + GUARD + align, value, n);
                cr_assert_eq(r, buf + GUARD + align);
                cr_assert(memcmp(buf, want, sizeof buf) == 0,
                          "memset align %d length %zu value %#x", align, n, value);
            }
}

Test(hv_lib, memcpy_every_alignment_and_length)
{
    unsigned char src[8 + MAXLEN], buf[GUARD + 8 + MAXLEN + GUARD], want[sizeof buf];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)(i * 7 + 1);
    for (int da = 0; da < 8; da++)
        for (int sa = 0; sa < 8; sa++)
            for (size_t n = 0; n <= MAXLEN; n++) {
                memset(buf, 0xEE, sizeof buf);
                memcpy(want, buf, sizeof buf);
                memcpy(want + GUARD + da, src + sa, n);
                void *r = hv_memcpy(buf + GUARD + da, src + sa, n);
                cr_assert_eq(r, buf + GUARD + da);
                cr_assert(memcmp(buf, want, sizeof buf) == 0,
                          "memcpy dst align %d src align %d length %zu", da, sa, n);
            }
}

/* A whole page, as frame_alloc clears it and the builder copies an image. */
Test(hv_lib, whole_pages)
{
    static unsigned char page[4096 + 4], copy[4096 + 4];
    memset(page, 0xAB, sizeof page);
    hv_memset(page, 0, 4096);
    for (int i = 0; i < 4096; i++)
        cr_assert_eq(page[i], 0, "byte %d", i);
    cr_assert_eq(page[4096], 0xAB);
    for (int i = 0; i < 4096; i++)
        page[i] = (unsigned char)i;
    hv_memcpy(copy, page, 4096);
    cr_assert(memcmp(copy, page, 4096) == 0);
}
