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
# Each file is yours (labs/lab3/) when LAB=3 is given (you are working on
# this lab) or MINE names lab 3; otherwise the reference is built in (see
# lab_file in the top-level Makefile).
LABS += 3
LAB3_HV_FILES    :=
LAB3_PURE_FILES  := bvt.c
LAB3_GUEST_FILES :=
