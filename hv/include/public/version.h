/*
 * hv/include/public/version.h — xen_version: a guest asks which hypervisor it runs on.
 *
 * HYPERVISOR_xen_version(cmd, buf):
 *   XENVER_version       buf ignored; returns (major << 16) | minor.
 *                        Also the cheapest hypercall there is, so the
 *                        benchmarks use it as the "null hypercall".
 *   XENVER_extraversion  copies a NUL-terminated string of at most
 *                        XENVER_EXTRAVERSION_LEN bytes (e.g. "-hvkit") to buf;
 *                        returns 0.  A bad buf gives -HV_EFAULT.
 * Unknown cmd: -HV_ENOSYS.
 */
#ifndef HVKIT_PUBLIC_VERSION_H
#define HVKIT_PUBLIC_VERSION_H

#define XENVER_version        0
#define XENVER_extraversion   1
#define XENVER_EXTRAVERSION_LEN 16

#define HVKIT_VERSION_MAJOR   0
#define HVKIT_VERSION_MINOR   1

#endif
