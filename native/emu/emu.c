/*
 * The SGX driver emulator's process side (loaded by the binding's emuEnable, see
 * ../src/sys_table.h): it takes over the binding's open/close/ioctl/mmap/munmap and fd-passing
 * hooks. Calls on anything that is not an emulated device path or an emulated enclave fd go to
 * the previous table entries (libc) untouched; the rest go to the driver emulated for the
 * enclave (mainline.c, isgx.c). The enclave files and this process's references to them are
 * in state.c; the ENCLS leaves both drivers use, in encls.c; the shared EPC (eviction, and ELDU
 * when the touch hook here finds an evicted page), in epc.c. Also here: the configuration
 * (costs, EPC size and file) and the install.
 */
#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- the table entries ---- */

static int emu_open(const char *path, int flags) {
  if (strncmp(path, "emu:", 4) != 0) return emu_next.open(path, flags);
  /* sgx_open(): one fd is one enclave, created empty */
  /* emu:isgx: the device fd of the out-of-tree driver; its enclaves live in VMAs (isgx.c) */
  int driver = strcmp(path, "emu:mainline") == 0 ? 1 : strcmp(path, "emu:isgx") == 0 ? 2 : 0;
  if (driver == 0) {
    errno = ENOENT;
    return -1;
  }
  int fd = memfd_create("sgx_enclave (eaddbench emulator)", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
  if (fd < 0) return -1;
  if (fd >= MAX_FD || ftruncate(fd, EMU_HDR_BYTES) != 0) {
    close(fd);
    errno = EMFILE;
    return -1;
  }
  struct emu_encl *e = emu_map_file(fd, EMU_HDR_BYTES);
  if (e == NULL) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  memset(e, 0, sizeof *e);
  e->driver = (uint32_t)driver;
  e->last_einit = -1;
  e->costs = emu_costs;
  memcpy(e->profile, emu_profile, sizeof e->profile);
  __atomic_store_n(&e->magic, EMU_MAGIC, __ATOMIC_RELEASE);
  munmap(e, EMU_HDR_BYTES);
  emu_lock();
  struct fdent *f = emu_find_locked(fd); /* registers it: this process holds the enclave */
  emu_unlock();
  if (f == NULL) {
    close(fd);
    errno = ENOMEM;
    return -1;
  }
  return fd;
}

static int emu_close(int fd) {
  emu_lock();
  if (fd >= 0 && fd < MAX_FD && emu_fds[fd].used) emu_drop_fd(fd); /* the last reference releases the enclave */
  /* close_fd() with the table locked: an ioctl or mmap of another thread on this number must
   * not register it again between the drop and the real close (it would count as a leak). */
  int ret = emu_next.close(fd);
  int err = errno;
  emu_unlock();
  errno = err;
  return ret;
}

static long emu_ioctl(int fd, unsigned long request, void *arg) {
  emu_lock();
  struct fdent *f = emu_find_locked(fd);
  /* fdget(): the ioctl holds the file, so a close by another thread does not release it under us */
  struct eref *r = f ? f->r : NULL;
  if (r) r->refs++;
  emu_unlock();
  if (r == NULL) return emu_next.ioctl(fd, request, arg);
  emu_clear_debug();
  long ret = r->hdr->driver == 2 ? emu_isgx_ioctl(request, arg) : emu_mainline_ioctl(fd, r->hdr, request, arg);
  emu_lock();
  emu_put_ref(r);
  emu_unlock();
  if (ret < 0) {
    errno = (int)-ret;
    return -1;
  }
  return ret;
}

static void *emu_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  if (fd < 0 || (flags & MAP_ANONYMOUS)) return emu_next.mmap(addr, len, prot, flags, fd, off);
  emu_lock();
  struct fdent *f = emu_find_locked(fd);
  if (f == NULL) {
    emu_unlock();
    return emu_next.mmap(addr, len, prot, flags, fd, off);
  }
  emu_clear_debug();
  int slot = -1;
  for (int i = 0; i < MAX_MAPS && slot < 0; i++)
    if (!emu_maps[i].used) slot = i;
  int isgx = f->r->hdr->driver == 2;
  int ret = slot < 0 ? -ENOMEM : isgx ? 0 : emu_mainline_may_map(f->r->hdr, (uint64_t)(uintptr_t)addr, len, prot, flags);
  void *p = MAP_FAILED;
  if (ret == 0 && isgx) {
    ret = emu_isgx_mmap(addr, len, prot, flags, &p);
    if (ret == 0) {
      f->r->refs++; /* the VMA holds the file */
      emu_maps[slot] = (struct mapent){1, (uint64_t)(uintptr_t)p, len, f->r};
      if (slot >= emu_maps_hi) emu_maps_hi = slot + 1;
    }
  } else if (ret == 0) {
    /* The pages an access from outside the enclave sees: anonymous memory standing in for the
     * enclave's VM_PFNMAP range (real enclave pages read as the abort page from outside). */
    p = emu_next.mmap(addr, len, prot, (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      ret = -errno;
    } else {
      f->r->refs++; /* the VMA holds the file */
      emu_maps[slot] = (struct mapent){1, (uint64_t)(uintptr_t)p, len, f->r};
      if (slot >= emu_maps_hi) emu_maps_hi = slot + 1;
    }
  }
  emu_unlock();
  if (ret != 0) {
    errno = -ret;
    return MAP_FAILED;
  }
  return p;
}

/* munmap: drops the emulated mappings inside [addr, addr+len) (a partial unmap trims them). */
static int emu_munmap(void *addr, size_t len) {
  int r = emu_next.munmap(addr, len);
  if (r != 0) return r;
  emu_isgx_munmap((uint64_t)(uintptr_t)addr, len);
  uint64_t a = (uint64_t)(uintptr_t)addr, end = a + len;
  emu_lock();
  for (int i = 0; i < MAX_MAPS; i++) {
    struct mapent *m = &emu_maps[i];
    if (!m->used || m->addr + m->len <= a || m->addr >= end) continue;
    if (m->addr < a && m->addr + m->len > end) continue; /* a hole in the middle: the mapping stays */
    if (m->addr < a) {
      m->len = a - m->addr;
      continue;
    }
    if (m->addr + m->len > end) {
      m->len = m->addr + m->len - end;
      m->addr = end;
      continue;
    }
    m->used = 0;
    emu_put_ref(m->r);
  }
  emu_unlock();
  return 0;
}

/* The fault an access to an emulated mainline enclave's mapping takes (sgx_vma_fault, ELDU of
 * an evicted page; epc.c): the mapping is anonymous memory, so the binding's touchPages calls
 * this before it reads. isgx's fault handler (sgx_do_fault) refuses an enclave before EINIT,
 * and the emulated isgx EINIT never succeeds (no launch token), so no isgx access reaches ELDU. */
static void emu_touch(uint64_t addr, uint64_t pages) {
  uint64_t end = addr + pages * EMU_PAGE;
  for (uint64_t a = addr; a < end;) {
    emu_lock();
    /* the mapping holding a, or else where the next one starts (most touches hit none: the
     * background's faults on anonymous memory, so only the slots ever used are scanned) */
    struct mapent *hit = NULL;
    uint64_t next = end;
    for (int i = 0; i < emu_maps_hi && !hit; i++) {
      struct mapent *m = &emu_maps[i];
      if (!m->used) continue;
      if (a >= m->addr && a < m->addr + m->len) hit = m;
      else if (m->addr > a && m->addr < next) next = m->addr;
    }
    if (hit == NULL) {
      emu_unlock();
      a = next;
      continue;
    }
    struct eref *r = hit->r;
    uint64_t stop = hit->addr + hit->len < end ? hit->addr + hit->len : end;
    struct emu_encl *e = r->hdr;
    /* the mapping holds the enclave; the touch holds a reference while it spins */
    int usable = e->driver == 1 && (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & EMU_ENCL_CREATED) && r->maplen >= emu_encl_bytes(e->npages);
    if (usable) r->refs++;
    emu_unlock();
    if (usable) {
      uint64_t lo = a > e->base ? a : e->base, hi = stop < e->base + e->size ? stop : e->base + e->size;
      if (hi > lo) emu_eldu_pages(e, (lo - e->base) / EMU_PAGE, (hi - lo + EMU_PAGE - 1) / EMU_PAGE);
      emu_lock();
      emu_put_ref(r);
      emu_unlock();
    }
    a = stop;
  }
}

static void emu_fd_sent(int fd) {
  emu_lock();
  struct fdent *f = emu_find_locked(fd);
  if (f) __atomic_add_fetch(&f->r->hdr->in_flight, 1, __ATOMIC_ACQ_REL);
  emu_unlock();
}

static void emu_fd_received(int fd) {
  emu_lock();
  struct fdent *f = emu_find_locked(fd); /* registers this process as a holder */
  if (f) __atomic_sub_fetch(&f->r->hdr->in_flight, 1, __ATOMIC_ACQ_REL);
  emu_unlock();
}

/* ---- configuration and install ---- */

static int parse_config(const char *config, char *err, size_t errlen, char *epc_file, size_t epc_len, int64_t *epc_pages) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", config);
  struct {
    const char *key;
    uint64_t *dst;
  } costs[] = {{"ecreate", &emu_costs.ecreate}, {"eadd", &emu_costs.eadd}, {"eextend", &emu_costs.eextend}, {"einit", &emu_costs.einit},
               {"eremove", &emu_costs.eremove}, {"ewb", &emu_costs.ewb}, {"eldu", &emu_costs.eldu}};
  char *save = NULL;
  for (char *kv = strtok_r(buf, ";", &save); kv != NULL; kv = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(kv, '=');
    if (eq == NULL) {
      snprintf(err, errlen, "emulator config: '%s' is not key=value", kv);
      return -1;
    }
    *eq = '\0';
    const char *key = kv, *val = eq + 1;
    int done = 0;
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
      if (strcmp(key, costs[i].key) == 0) {
        char *endp;
        double v = strtod(val, &endp);
        if (*endp != '\0' || v < 0 || v > 1e9) {
          snprintf(err, errlen, "emulator config: %s=%s is not a cost in ns (0..1e9)", key, val);
          return -1;
        }
        *costs[i].dst = (uint64_t)(v + 0.5);
        done = 1;
      }
    }
    if (done) continue;
    if (strcmp(key, "profile") == 0) {
      snprintf(emu_profile, sizeof emu_profile, "%s", val);
    } else if (strcmp(key, "epc_pages") == 0) {
      char *endp;
      long long v = strtoll(val, &endp, 10);
      if (*endp != '\0' || v < 1) {
        snprintf(err, errlen, "emulator config: epc_pages=%s is not a positive integer", val);
        return -1;
      }
      *epc_pages = v;
    } else if (strcmp(key, "signal_every") == 0) {
      char *endp;
      long long v = strtoll(val, &endp, 10);
      if (*endp != '\0' || v < 0) {
        snprintf(err, errlen, "emulator config: signal_every=%s is not an integer >= 0", val);
        return -1;
      }
      __atomic_store_n(&emu_signal_every, (uint64_t)v, __ATOMIC_RELAXED);
    } else if (strcmp(key, "epc_file") == 0) {
      snprintf(epc_file, epc_len, "%s", val);
    } else {
      snprintf(err, errlen, "emulator config: unknown key '%s' (ecreate, eadd, eextend, einit, eremove, ewb, eldu, profile, epc_pages, epc_file, signal_every)", key);
      return -1;
    }
  }
  return 0;
}

static int install_locked(struct eb_sys_table *t, const char *epc_file, int64_t epc_pages, char *err, size_t errlen);

int eb_emu_install(struct eb_sys_table *t, const char *config, char *err, size_t errlen) {
  if (t == NULL || t->version != EB_SYS_TABLE_VERSION) {
    snprintf(err, errlen, "emulator: system-call table version mismatch (binding and emulator built from different sources)");
    return -1;
  }
  char epc_file[2048] = "";
  int64_t epc_pages = 98041856 / EMU_PAGE;
  /* Called again (another case, another thread): new costs for enclaves opened from now on. */
  emu_lock();
  __atomic_store_n(&emu_signal_every, 0, __ATOMIC_RELAXED); /* only a configuration that asks for it */
  int ret = parse_config(config, err, errlen, epc_file, sizeof epc_file, &epc_pages);
  if (ret == 0) ret = install_locked(t, epc_file, epc_pages, err, errlen);
  emu_unlock();
  return ret;
}

static int installed;

static int install_locked(struct eb_sys_table *t, const char *epc_file, int64_t epc_pages, char *err, size_t errlen) {
  if (!installed) emu_next = *t;
  /* the EPC size of the profile of the case being run (every process of a case has the same) */
  if (emu_epc_attach(epc_file, epc_pages, err, errlen) != 0) return -1;
  t->open = emu_open;
  t->close = emu_close;
  t->ioctl = emu_ioctl;
  t->mmap = emu_mmap;
  t->munmap = emu_munmap;
  t->fd_sent = emu_fd_sent;
  t->fd_received = emu_fd_received;
  t->touch = emu_touch;
  if (!installed) atexit(emu_exit);
  installed = 1;
  return 0;
}

