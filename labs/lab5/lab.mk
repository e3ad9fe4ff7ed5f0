# labs/lab5/lab.mk — lab 5 declares itself to the build (included by the
# top-level Makefile, which has no per-lab lines): its files and which side
# each is compiled into.  Lab 5: grant tables and rings: the hypervisor's
# checks and reference bookkeeping of one grant entry, and the back end's
# request loop over a ring.
#
#   LAB5_HV_FILES     hypervisor (ring 0) only
#   LAB5_PURE_FILES   hypervisor logic that touches no hardware: also built
#                     for the host and unit-tested there (tests/unit/)
#   LAB5_GUEST_FILES  the teaching OS (minios-guest/)
#
# Each file is yours (labs/lab5/) when LAB=5 is given (you are working on
# this lab) or MINE names lab 5; otherwise the reference is built in (see
# lab_file in the top-level Makefile).
LABS += 5
LAB5_HV_FILES    :=
LAB5_PURE_FILES  := grant_entry.c
LAB5_GUEST_FILES := echo_serve.c
# Lab 5's grants take lab 2's frame reference counts (get_page,
# get_page_type): its unit tests run on lab 2's code, so they cannot pass
# next to lab 2's stubs (the handout check does not ask them to).
LAB5_BUILDS_ON   := 2
