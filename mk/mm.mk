# mk/mm.mk — the memory subsystem's part of the build (included by Makefile).
#
# Lab 2 (labs/lab2/lab.mk) is the validation core of direct paging: the
# reference counts, the frame types and the check of one page-table entry
# (hv/mm/page_type.h says what each function must do).

# Hypervisor memory logic that touches no hardware: the operations on top
# of lab 2 (hv/mm/pt_update.c, and hv/mm/pt_steps.c for directories in steps)
# and the store decoder of the writable-page-table
# emulation (hv/x86/pt_decode.c).
HV_HOST_SRCS_EXTRA += hv/mm/pt_update.c hv/mm/pt_steps.c hv/x86/pt_decode.c
