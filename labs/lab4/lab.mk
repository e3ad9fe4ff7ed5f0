# labs/lab4/lab.mk — lab 4 declares itself to the build (included by the
# top-level Makefile, which has no per-lab lines): its files and which side
# each is compiled into.  Lab 4: event channels: delivery in the hypervisor
# and the guest's upcall handler.
#
#   LAB4_HV_FILES     hypervisor (ring 0) only
#   LAB4_PURE_FILES   hypervisor logic that touches no hardware: also built
#                     for the host and unit-tested there (tests/unit/)
#   LAB4_GUEST_FILES  the teaching OS (minios-guest/)
#
# Each file is yours (labs/lab4/) when LAB=4 is given (you are working on
# this lab) or MINE names lab 4; otherwise the reference is built in (see
# lab_file in the top-level Makefile).
LABS += 4
LAB4_HV_FILES    :=
LAB4_PURE_FILES  := evtchn_deliver.c
LAB4_GUEST_FILES := upcall.c
