# labs/lab6/lab.mk — lab 6 declares itself to the build (included by the
# top-level Makefile, which has no per-lab lines): its files and which side
# each is compiled into.  Lab 6: the balloon and memory reservation: the
# hypervisor's rules of giving a page back and backing a hole again, the
# memory_op hypercall that moves the frames, and the guest's balloon driver.
#
#   LAB6_HV_FILES     hypervisor (ring 0) only
#   LAB6_PURE_FILES   hypervisor logic that touches no hardware: also built
#                     for the host and unit-tested there (tests/unit/)
#   LAB6_GUEST_FILES  the teaching OS (minios-guest/)
#
# Each file is yours (labs/lab6/) when LAB=6 is given (you are working on
# this lab) or MINE names lab 6; otherwise the reference is built in (see
# lab_file in the top-level Makefile).
LABS += 6
LAB6_HV_FILES    := memory_op.c
LAB6_PURE_FILES  := reservation.c
LAB6_GUEST_FILES := balloon.c
# Lab 6's rules read lab 2's reference counts, and its unit tests set them
# with lab 2's operations and lab 5's grants (a frame mapped by a grant
# cannot be given back): they cannot pass next to those labs' stubs.
LAB6_BUILDS_ON   := 2 5
