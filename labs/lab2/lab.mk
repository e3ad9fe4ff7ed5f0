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
# Each file is yours (labs/lab2/) when LAB=2 is given (you are working on
# this lab) or MINE names lab 2; otherwise the reference is built in (see
# lab_file in the top-level Makefile).
LABS += 2
LAB2_HV_FILES    :=
LAB2_PURE_FILES  := page_type.c
LAB2_GUEST_FILES :=
