# labs/lab3/lab.mk — lab 3 declares itself to the build (included by the
# top-level Makefile, which has no per-lab lines): its files and which side
# each is compiled into.  Lab 3: scheduling: Borrowed Virtual Time (pick
# next, account, warp).
#
#   LAB3_HV_FILES     hypervisor (ring 0) only
#   LAB3_PURE_FILES   hypervisor logic that touches no hardware: also built
#                     for the host and unit-tested there (tests/unit/)
#   LAB3_GUEST_FILES  the teaching OS (minios-guest/)
#
# Each file is taken from solutions/lab3/ when it exists there (the kit as
# the instructor has it), else from labs/lab3/ (the student's), and always
# from labs/lab3/ when LAB=3 is given (a student working on this lab).
LABS += 3
LAB3_HV_FILES    :=
LAB3_PURE_FILES  := bvt.c
LAB3_GUEST_FILES :=
