# labs/lab2/lab.mk — lab 2 declares itself to the build (included by the
# top-level Makefile, which has no per-lab lines): its files and which side
# each is compiled into.  Lab 2: memory virtualization: the page-table rules
# and frame type counts of direct paging.
#
#   LAB2_HV_FILES     hypervisor (ring 0) only
#   LAB2_PURE_FILES   hypervisor logic that touches no hardware: also built
#                     for the host and unit-tested there (tests/unit/)
#   LAB2_GUEST_FILES  the teaching OS (minios-guest/)
#
# Each file is taken from solutions/lab2/ when it exists there (the kit as
# the instructor has it), else from labs/lab2/ (the student's), and always
# from labs/lab2/ when LAB=2 is given (a student working on this lab).
LABS += 2
LAB2_HV_FILES    :=
LAB2_PURE_FILES  := page_type.c
LAB2_GUEST_FILES :=
