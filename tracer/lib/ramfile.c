/*
 * tracer/lib/ramfile.c — the host end of the trace ring: find it in a running
 * QEMU's RAM file, and consume it.
 *
 * Where this sits in the story: QEMU can keep guest RAM in a shared file
 * (-object memory-backend-file,...,share=on), where byte N of the file is
 * guest-physical address N.  The hypervisor formats a ring in its own memory
 * and writes an anchor at the fixed physical address TRACE_ANCHOR_PADDR
 * saying where the ring is.  We mmap the file and play the "reader" of the
 * ring protocol (public/trace.h):
 *
 *     the hypervisor writes records, then prod;  we only ever write cons.
 *     read prod; barrier; copy records cons..prod; barrier; write cons.
 *
 * The first barrier keeps us from reading a slot before the hypervisor's
 * write of prod says it is full; the second keeps the hypervisor from reusing
 * a slot before we have copied it.  No locks: each index has one writer.
 *
 * Everything in the file is untrusted (it may be a stale file, a guest that
 * scribbled over the ring, or the hypervisor half-way through booting), so
 * every field is checked before it is used as an offset.
 *
 * The file itself never says the run is over: QEMU leaves it behind, ring
 * and all.  The end of this file has the ways to find out from the
 * processes instead (who has it mapped, whether anyone still has it open,
 * whether a given process has exited), for readers not told QEMU's pid.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hvtrace.h"

#define RING_HDR  sizeof(struct trace_ring)     /* 64 bytes */
#define REC_SIZE  sizeof(struct trace_record)   /* 48 bytes */

_Static_assert(sizeof(struct trace_ring) == 64, "ring header is 64 bytes");
_Static_assert(sizeof(struct trace_record) == 48, "a record is 48 bytes");

__attribute__((format(printf, 2, 3)))
static void why(struct hvt_ram *m, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(m->why, sizeof m->why, fmt, ap);
    va_end(ap);
}

void hvt_ram_init(struct hvt_ram *m)
{
    memset(m, 0, sizeof *m);
    m->fd = -1;
}

static void unmap(struct hvt_ram *m)
{
    if (m->map)
        munmap(m->map, m->size);
    m->map = NULL;
    m->size = 0;
    m->ring = NULL;
}

void hvt_ram_detach(struct hvt_ram *m)
{
    unmap(m);
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

static int is_pow2(uint32_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

/* Open (or re-open, if the path now names a new file) and map all of it. */
static int map_file(struct hvt_ram *m, const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        why(m, "waiting for %s to appear", path);
        return 0;
    }
    if (m->fd >= 0 && (st.st_dev != m->dev || st.st_ino != m->ino))
        hvt_ram_detach(m);      /* replaced (a new QEMU run): start over */
    if (m->fd < 0) {
        m->fd = open(path, O_RDWR | O_CLOEXEC);
        if (m->fd < 0) {
            int e = errno;
            why(m, "cannot open %s: %s", path, strerror(e));
            return e == ENOENT ? 0 : -1;
        }
        if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            why(m, "%s is not a regular file", path);
            hvt_ram_detach(m);
            return -1;
        }
        m->dev = st.st_dev;
        m->ino = st.st_ino;
    } else if (fstat(m->fd, &st) < 0) {
        why(m, "cannot stat %s: %s", path, strerror(errno));
        return -1;
    }

    if ((uint64_t)st.st_size < TRACE_ANCHOR_PADDR + sizeof(struct trace_anchor)) {
        why(m, "waiting for %s to grow (%lld bytes so far)", path, (long long)st.st_size);
        return 0;
    }
    if ((size_t)st.st_size != m->size) {   /* first time, or the file grew */
        unmap(m);
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
        if (p == MAP_FAILED) {
            why(m, "cannot map %s: %s", path, strerror(errno));
            return -1;
        }
        m->map = p;
        m->size = (size_t)st.st_size;
    }
    return 1;
}

int hvt_ram_try_attach(struct hvt_ram *m, const char *path)
{
    struct trace_anchor a;
    struct trace_ring h;

    m->ring = NULL;
    int rc = map_file(m, path);
    if (rc <= 0)
        return rc;

    /* The anchor, copied so it cannot change while we check it. */
    memcpy(&a, m->map + TRACE_ANCHOR_PADDR, sizeof a);
    if (memcmp(a.magic, TRACE_ANCHOR_MAGIC, sizeof a.magic) != 0) {
        why(m, "waiting for the trace anchor at physical 0x%x", TRACE_ANCHOR_PADDR);
        return 0;
    }
    if (a.version != TRACE_FORMAT_VERSION) {
        why(m, "trace anchor has version %u, this hvtrace reads %u", a.version,
            TRACE_FORMAT_VERSION);
        return 0;
    }
    if (a.ring_paddr % 8 != 0) {
        why(m, "trace anchor points at 0x%x, which is not 8-byte aligned", a.ring_paddr);
        return 0;
    }
    if ((uint64_t)a.ring_paddr + RING_HDR > m->size) {
        why(m, "trace anchor points at 0x%x, outside the %zu-byte RAM file",
            a.ring_paddr, m->size);
        return 0;
    }

    /* The ring header, likewise copied, then checked field by field. */
    memcpy(&h, m->map + a.ring_paddr, sizeof h);
    if (memcmp(h.magic, TRACE_RING_MAGIC, sizeof h.magic) != 0) {
        why(m, "waiting for the trace ring at physical 0x%x", a.ring_paddr);
        return 0;
    }
    if (h.version != TRACE_FORMAT_VERSION || h.record_size != REC_SIZE) {
        why(m, "trace ring has version %u and %u-byte records; this hvtrace "
            "reads version %u, %zu-byte records", h.version, h.record_size,
            TRACE_FORMAT_VERSION, REC_SIZE);
        return 0;
    }
    if (!is_pow2(h.nr_records)) {
        why(m, "trace ring has %u records, not a power of two", h.nr_records);
        return 0;
    }
    uint64_t ring_end = (uint64_t)a.ring_paddr + RING_HDR + (uint64_t)h.nr_records * REC_SIZE;
    if (ring_end > m->size) {
        why(m, "trace ring (0x%x, %u records) runs past the end of the RAM file",
            a.ring_paddr, h.nr_records);
        return 0;
    }
    if (ring_end - a.ring_paddr > a.ring_bytes) {
        why(m, "trace ring has %u records, more than the anchor's %u bytes hold",
            h.nr_records, a.ring_bytes);
        return 0;
    }
    if (h.prod - h.cons > h.nr_records) {
        why(m, "trace ring indices make no sense (prod %u, cons %u)", h.prod, h.cons);
        return 0;
    }

    m->anchor = a;
    m->ring_off = a.ring_paddr;
    m->ring = (volatile struct trace_ring *)(m->map + a.ring_paddr);
    m->nr_records = h.nr_records;
    m->tsc_khz = h.tsc_khz;
    m->cons = h.cons;
    m->why[0] = '\0';
    return 1;
}

long hvt_ram_drain(struct hvt_ram *m, struct trace_record *out, size_t max)
{
    volatile struct trace_ring *r = m->ring;
    struct stat st;

    if (!r) {
        why(m, "not attached");
        return -1;
    }
    /* Touching a page past the end of a shrunken file would kill us (SIGBUS). */
    if (fstat(m->fd, &st) < 0 || (size_t)st.st_size < m->size) {
        why(m, "the RAM file shrank or went away");
        return -1;
    }

    uint32_t prod = r->prod;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);   /* prod before the records */

    uint32_t avail = prod - m->cons;
    if (avail > m->nr_records || r->cons != m->cons) {
        /* The hypervisor re-formatted the ring (a reboot), or another reader
         * is consuming it, or the guest wrote over it. */
        why(m, "trace ring changed under us (prod %u, cons %u, expected cons %u)",
            prod, r->cons, m->cons);
        return -1;
    }

    size_t n = avail < max ? avail : max;
    const uint8_t *slots = m->map + m->ring_off + RING_HDR;
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = (m->cons + (uint32_t)i) & (m->nr_records - 1);
        memcpy(&out[i], slots + (size_t)slot * REC_SIZE, REC_SIZE);
    }

    __atomic_thread_fence(__ATOMIC_RELEASE);   /* copies before giving slots back */
    m->cons += (uint32_t)n;
    r->cons = m->cons;
    return (long)n;
}

uint32_t hvt_ram_lost(const struct hvt_ram *m)
{
    return m->ring ? m->ring->lost : 0;
}

/* ---- is the run still going? ------------------------------------------------ */

/* Does /proc/PID/maps show our file (same device and inode) mapped?
 * 1 yes, 0 no, -1 we may not look. */
static int maps_file(long pid, dev_t dev, ino_t ino)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/maps", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == EACCES || errno == EPERM ? -1 : 0;   /* ENOENT: it just exited */
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    /* "start-end perms offset major:minor inode path", numbers in hex
     * except the inode. */
    while (!found && getline(&line, &cap, f) > 0) {
        unsigned maj, min;
        unsigned long long inode;
        if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &inode) == 3 &&
            inode == (unsigned long long)ino && makedev(maj, min) == dev)
            found = 1;
    }
    free(line);
    fclose(f);
    return found;
}

pid_t hvt_ram_writer(const struct hvt_ram *m)
{
    if (m->fd < 0)
        return -1;
    DIR *proc = opendir("/proc");
    if (!proc)
        return -1;
    pid_t self = getpid(), found = 0;
    int unsure = 0;
    struct dirent *e;
    while (!found && (e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == self)
            continue;
        int r = maps_file(pid, m->dev, m->ino);
        if (r > 0)
            found = (pid_t)pid;
        else if (r < 0)
            unsure = 1;
    }
    closedir(proc);
    return found ? found : unsure ? -1 : 0;
}

int hvt_ram_shared(const struct hvt_ram *m)
{
    if (m->fd < 0)
        return -1;
    if (fcntl(m->fd, F_SETLEASE, F_WRLCK) == 0) {
        fcntl(m->fd, F_SETLEASE, F_UNLCK);
        return 0;
    }
    return errno == EAGAIN ? 1 : -1;
}

/*
 * kill(pid, 0) still succeeds for a zombie (exited, not yet reaped by its
 * parent, e.g. a shell script's QEMU), so look at its state in /proc too.
 */
int hvt_pid_gone(pid_t pid)
{
    char path[64], line[512];

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 1;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;   /* cannot tell: assume it is alive */
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* "pid (comm) S ...": the state follows the last ')'. */
    char *p = strrchr(line, ')');
    return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

void hvt_pid_comm(pid_t pid, char *comm, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    snprintf(comm, len, "?");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(comm, (int)len, f))
        comm[strcspn(comm, "\n")] = '\0';
    else
        snprintf(comm, len, "?");
    fclose(f);
}
