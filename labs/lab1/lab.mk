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
# Each file is taken from solutions/lab1/ when it exists there (the kit as
# the instructor has it), else from labs/lab1/ (the student's), and always
# from labs/lab1/ when LAB=1 is given (a student working on this lab).
LABS += 1
LAB1_HV_FILES    := hypercall.c emulate.c bounce.c
LAB1_PURE_FILES  :=
LAB1_GUEST_FILES :=
