/*
 * tests/unit/test_mm_ptwr.c — the store decoder of the writable-page-table
 * emulation (hv/x86/pt_decode.c): the forms gcc emits for `pte[i] = v`, their
 * lengths (eip must step exactly past them), and what is not emulated.
 */
#include <criterion/criterion.h>
#include "mm/ptwr.h"

struct form {
    const char *what;
    uint8_t bytes[12];
    uint32_t n, len;
    int reg;
    uint32_t imm;
};

static const struct form forms[] = {
    { "mov %ebx,(%eax)",              { 0x89, 0x18 }, 2, 2, 3, 0 },
    { "mov %eax,0x8(%esp)",           { 0x89, 0x44, 0x24, 0x08 }, 4, 4, 0, 0 },
    { "mov %edx,0x1000(,%eax,4)",     { 0x89, 0x14, 0x85, 0x00, 0x10, 0x00, 0x00 }, 7, 7, 2, 0 },
    { "mov %ecx,(%edx,%eax,4)",       { 0x89, 0x0c, 0x82 }, 3, 3, 1, 0 },
    { "mov %esi,0x12345678",          { 0x89, 0x35, 0x78, 0x56, 0x34, 0x12 }, 6, 6, 6, 0 },
    { "mov %edi,0x100(%ebx)",         { 0x89, 0xbb, 0x00, 0x01, 0x00, 0x00 }, 6, 6, 7, 0 },
    { "movl $0x0,(%eax)",             { 0xc7, 0x00, 0, 0, 0, 0 }, 6, 6, -1, 0 },
    { "movl $0x12345678,0x10(%eax)",  { 0xc7, 0x40, 0x10, 0x78, 0x56, 0x34, 0x12 }, 7, 7, -1, 0x12345678 },
    { "movl $0x7,(%edx,%ecx,4)",      { 0xc7, 0x04, 0x8a, 7, 0, 0, 0 }, 7, 7, -1, 7 },
    /* Not emulated: */
    { "mov (%eax),%eax (a load)",     { 0x8b, 0x00 }, 2, 0, 0, 0 },
    { "mov %ax,(%ebx) (16-bit)",      { 0x66, 0x89, 0x03 }, 3, 0, 0, 0 },
    { "mov %eax,%eax (no memory)",    { 0x89, 0xc0 }, 2, 0, 0, 0 },
    { "movl $imm truncated",          { 0xc7, 0x00, 1, 2 }, 4, 0, 0, 0 },
    { "c7 /1 is not mov",             { 0xc7, 0x08, 0, 0, 0, 0 }, 6, 0, 0, 0 },
    { "one byte only",                { 0x89 }, 1, 0, 0, 0 },
};

Test(mm_ptwr, decode_store_forms)
{
    for (unsigned i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        const struct form *f = &forms[i];
        int reg = 99;
        uint32_t imm = 0xdeadbeef;
        uint32_t len = ptwr_decode(f->bytes, f->n, &reg, &imm);
        cr_expect_eq(len, f->len, "%s: length %u, want %u", f->what, len, f->len);
        if (f->len) {
            cr_expect_eq(reg, f->reg, "%s: reg %d, want %d", f->what, reg, f->reg);
            if (f->reg < 0)
                cr_expect_eq(imm, f->imm, "%s: imm %x, want %x", f->what, imm, f->imm);
        }
    }
}
