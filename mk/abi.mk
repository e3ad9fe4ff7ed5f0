# mk/abi.mk — the public ABI's part of the build (included by Makefile).
#
# tests/unit/test_abi_layout.c checks the byte layout of every public
# structure against tests/unit/abi_layout.def on the host (x86_64).  The
# same file with ABI_LAYOUT_STATIC, compiled here by the 32-bit compiler
# the hypervisor and the guest use, turns every line of that list into a
# _Static_assert: if i386 lays a structure out differently, `make
# unit-tests` stops with the name of the field.  Nothing is linked; the
# object only records that the check ran.
ABI_LAYOUT_I386 := $(BUILD)/obj/tests/abi-layout-i386.o

$(ABI_LAYOUT_I386): tests/unit/test_abi_layout.c tests/unit/abi_layout.def
	@mkdir -p $(dir $@)
	$(CC32) $(CFLAGS32) -DABI_LAYOUT_STATIC -MMD -MP -c $< -o $@

unit-tests: $(ABI_LAYOUT_I386)
