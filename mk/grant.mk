# mk/grant.mk — the grant tables' and split devices' part of the build
# (included by the top-level Makefile).
#
# The hypervisor logic of hv/grant/ that touches no hardware -- the checks
# and reference counting of one grant entry (lab 5's grant_entry.c, a lab
# file: labs/lab5/lab.mk), and the device store's connection states -- is
# also built for the host and unit-tested there
# (tests/unit/test_grant.c, test_device.c; the ring arithmetic of
# public/io_ring.h is header-only: test_io_ring.c).
HV_HOST_SRCS_EXTRA += hv/grant/device_store.c
