# labs/lab1/lab.mk — lab 1 declares itself to the build (included by the
# top-level Makefile, which has no per-lab lines): its files and which side
# each is compiled into.  Lab 1: hypercalls and protection: the dispatcher,
# trap & emulate, bouncing an exception.
#
#   LAB1_HV_FILES     hypervisor (ring 0) only
#   LAB1_PURE_FILES   hypervisor logic that touches no hardware: also built
#                     for the host and unit-tested there (tests/unit/)
#   LAB1_GUEST_FILES  the teaching OS (minios-guest/)
#
# Each file is yours (labs/lab1/) when LAB=1 is given (you are working on
# this lab) or MINE names lab 1; otherwise the reference is built in (see
# lab_file in the top-level Makefile).
LABS += 1
LAB1_HV_FILES    := hypercall.c emulate.c bounce.c
LAB1_PURE_FILES  :=
LAB1_GUEST_FILES :=
