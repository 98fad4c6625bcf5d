/*
 * The SGX driver emulator's process side (loaded by the binding's emuEnable, see
 * ../src/sys_table.h): it takes over the binding's open/close/ioctl/mmap/munmap and fd-passing
 * hooks. Calls on anything that is not an emulated device path or an emulated enclave fd go to
 * the previous table entries (libc) untouched.
 *
 * An enclave is a memfd whose first page is struct emu_encl and whose following bytes are one
 * byte per ELRANGE page; so the enclave fd is a real fd (dup, SCM_RIGHTS and fork carry it) and
 * every process that holds it sees the same enclave. Unknown fds are recognised by fstat (a
 * regular file) and the magic in their first bytes.
 *
 * Lifetime follows the kernel's struct file: the enclave is released (EREMOVE of its pages,
 * EPC returned) when no process holds an fd or a mapping of it and no fd is in flight on a
 * socket (sgx_release / the last fput).
 */
#define _GNU_SOURCE
#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct eb_sys_table emu_next;
struct emu_costs emu_costs;
char emu_profile[64];
static struct emu_epc local_epc;
struct emu_epc *emu_epc = &local_epc;

#define MAX_FD 4096
#define MAX_MAPS 1024
#define MAX_REFS 1024

/*
 * This process's references to one enclave (like the kernel's references to its struct file):
 * each fd, each mapping and each ioctl in progress holds one. When the last goes, this process
 * stops holding the enclave; when no process holds it, it is released.
 */
struct eref {
  int used;
  dev_t dev;
  ino_t ino;
  struct emu_encl *hdr;
  size_t maplen;
  struct emu_encl *old; /* the mapping before ECREATE grew the file, unmapped with the last reference */
  size_t oldlen;
  int refs;
};
struct fdent {
  int used;
  dev_t dev;
  ino_t ino;
  struct eref *r;
};
struct mapent {
  int used;
  uint64_t addr, len;
  struct eref *r;
};
static struct eref erefs[MAX_REFS];
static struct fdent fds[MAX_FD];
static struct mapent maps[MAX_MAPS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread char debug_msg[320];

void emu_debug(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(debug_msg, sizeof debug_msg, fmt, ap);
  va_end(ap);
}

/* The message of this thread's last rejected call (the kernel's pr_debug), then cleared. */
int eb_emu_take_debug(char *out, size_t n) {
  int len = (int)strlen(debug_msg);
  if (n > 0) snprintf(out, n, "%s", debug_msg);
  debug_msg[0] = '\0';
  return len;
}

uint64_t emu_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void emu_spin_until(uint64_t until) {
  while (emu_now_ns() < until) __builtin_ia32_pause();
}

void emu_charge(uint64_t *deadline, uint64_t cost) {
  *deadline += cost;
  emu_spin_until(*deadline);
}

int emu_copy_from_user(void *dst, uint64_t src, size_t n) {
  struct iovec local = {dst, n}, remote = {(void *)(uintptr_t)src, n};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

int emu_copy_to_user(uint64_t dst, const void *src, size_t n) {
  struct iovec local = {(void *)src, n}, remote = {(void *)(uintptr_t)dst, n};
  return process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

uint8_t *emu_pages(struct emu_encl *e) { return (uint8_t *)e + EMU_HDR_BYTES; }

static size_t file_bytes(uint64_t npages) { return EMU_HDR_BYTES + ((npages + EMU_PAGE - 1) / EMU_PAGE) * EMU_PAGE; }

static struct emu_encl *map_file(int fd, size_t len) {
  void *p = emu_next.mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* ---- references (lock held) ---- */

/* Dropped references whose release (EREMOVE spins) runs after the lock is let go. */
struct dropped {
  struct emu_encl *hdr, *old;
  size_t maplen, oldlen;
};
static __thread struct dropped pending[8];
static __thread int npending;

static void finish_drop(struct dropped d) {
  int left = __atomic_sub_fetch(&d.hdr->procs, 1, __ATOMIC_ACQ_REL);
  if (left == 0 && __atomic_load_n(&d.hdr->in_flight, __ATOMIC_ACQUIRE) == 0) emu_release_pages(d.hdr);
  munmap(d.hdr, d.maplen);
  if (d.old) munmap(d.old, d.oldlen);
}

/* Runs the releases put_ref deferred; call after unlocking. */
static void finish_pending(void) {
  while (npending > 0) finish_drop(pending[--npending]);
}

static void unlock(void) {
  pthread_mutex_unlock(&lock);
  finish_pending();
}

/* This process dropped its last reference: the last process releases the enclave. */
static void put_ref(struct eref *r) {
  if (--r->refs > 0) return;
  struct dropped d = {r->hdr, r->old, r->maplen, r->oldlen};
  memset(r, 0, sizeof *r);
  if (npending < (int)(sizeof pending / sizeof pending[0])) pending[npending++] = d;
  else finish_drop(d); /* (never in practice: one call drops one or two references) */
}

/* A reference to the enclave in file fd (dev, ino, size); maps it on the first. */
static struct eref *get_ref(int fd, const struct stat *st) {
  struct eref *free_slot = NULL;
  for (int i = 0; i < MAX_REFS; i++) {
    struct eref *r = &erefs[i];
    if (!r->used) {
      if (!free_slot) free_slot = r;
      continue;
    }
    if (r->dev != st->st_dev || r->ino != st->st_ino) continue;
    if ((size_t)st->st_size > r->maplen && r->old == NULL) {
      /* grown by ECREATE (here or in another process): map the page array too */
      struct emu_encl *e = map_file(fd, (size_t)st->st_size);
      if (e == NULL) return NULL;
      r->old = r->hdr, r->oldlen = r->maplen;
      r->hdr = e, r->maplen = (size_t)st->st_size;
    }
    r->refs++;
    return r;
  }
  if (free_slot == NULL) return NULL;
  struct emu_encl *e = map_file(fd, (size_t)st->st_size);
  if (e == NULL) return NULL;
  __atomic_add_fetch(&e->procs, 1, __ATOMIC_ACQ_REL);
  *free_slot = (struct eref){1, st->st_dev, st->st_ino, e, (size_t)st->st_size, NULL, 0, 1};
  return free_slot;
}

static void drop_fd(int fd) {
  struct fdent *f = &fds[fd];
  if (!f->used) return;
  f->used = 0;
  put_ref(f->r);
  f->r = NULL;
}

/* The enclave behind fd, or NULL when fd is not an emulated enclave. */
static struct fdent *find_locked(int fd) {
  if (fd < 0 || fd >= MAX_FD) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    drop_fd(fd);
    return NULL;
  }
  struct fdent *f = &fds[fd];
  if (f->used && (f->dev != st.st_dev || f->ino != st.st_ino)) drop_fd(fd); /* the number was reused */
  if (f->used) {
    if ((size_t)st.st_size > f->r->maplen) {
      struct eref *r = get_ref(fd, &st); /* remaps */
      if (r) put_ref(r);
    }
    return f;
  }
  if (!S_ISREG(st.st_mode) || st.st_size < (off_t)EMU_HDR_BYTES) return NULL;
  uint64_t magic = 0;
  if (pread(fd, &magic, sizeof magic, 0) != (ssize_t)sizeof magic || magic != EMU_MAGIC) return NULL;
  struct eref *r = get_ref(fd, &st);
  if (r == NULL) return NULL;
  *f = (struct fdent){1, st.st_dev, st.st_ino, r};
  return f;
}

struct emu_encl *emu_resize(int fd, uint64_t npages) {
  size_t len = file_bytes(npages);
  if (ftruncate(fd, (off_t)len) != 0) return NULL;
  pthread_mutex_lock(&lock);
  struct fdent *f = find_locked(fd);
  struct emu_encl *e = f ? f->r->hdr : NULL;
  unlock();
  return e;
}

/* exit_files() and exit_mmap() of a process that ends: every reference it holds goes. */
static void emu_exit(void) {
  emu_isgx_munmap(0, UINT64_MAX);
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_FD; i++) {
    drop_fd(i);
    unlock();
    pthread_mutex_lock(&lock);
  }
  for (int i = 0; i < MAX_MAPS; i++) {
    if (!maps[i].used) continue;
    maps[i].used = 0;
    put_ref(maps[i].r);
    unlock();
    pthread_mutex_lock(&lock);
  }
  unlock();
}

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
  struct emu_encl *e = map_file(fd, EMU_HDR_BYTES);
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
  pthread_mutex_lock(&lock);
  struct fdent *f = find_locked(fd); /* registers it: this process holds the enclave */
  unlock();
  if (f == NULL) {
    close(fd);
    errno = ENOMEM;
    return -1;
  }
  return fd;
}

static int emu_close(int fd) {
  pthread_mutex_lock(&lock);
  if (fd >= 0 && fd < MAX_FD && fds[fd].used) drop_fd(fd); /* the last reference releases the enclave */
  unlock();
  return emu_next.close(fd);
}

static long emu_ioctl(int fd, unsigned long request, void *arg) {
  pthread_mutex_lock(&lock);
  struct fdent *f = find_locked(fd);
  /* fdget(): the ioctl holds the file, so a close by another thread does not release it under us */
  struct eref *r = f ? f->r : NULL;
  if (r) r->refs++;
  unlock();
  if (r == NULL) return emu_next.ioctl(fd, request, arg);
  debug_msg[0] = '\0';
  long ret = r->hdr->driver == 2 ? emu_isgx_ioctl(request, arg) : emu_mainline_ioctl(fd, r->hdr, request, arg);
  pthread_mutex_lock(&lock);
  put_ref(r);
  unlock();
  if (ret < 0) {
    errno = (int)-ret;
    return -1;
  }
  return ret;
}

static void *emu_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  if (fd < 0 || (flags & MAP_ANONYMOUS)) return emu_next.mmap(addr, len, prot, flags, fd, off);
  pthread_mutex_lock(&lock);
  struct fdent *f = find_locked(fd);
  if (f == NULL) {
    unlock();
    return emu_next.mmap(addr, len, prot, flags, fd, off);
  }
  debug_msg[0] = '\0';
  int slot = -1;
  for (int i = 0; i < MAX_MAPS && slot < 0; i++)
    if (!maps[i].used) slot = i;
  int isgx = f->r->hdr->driver == 2;
  int ret = slot < 0 ? -ENOMEM : isgx ? 0 : emu_mainline_may_map(f->r->hdr, (uint64_t)(uintptr_t)addr, len, prot, flags);
  void *p = MAP_FAILED;
  if (ret == 0 && isgx) {
    ret = emu_isgx_mmap(addr, len, prot, flags, &p);
    if (ret == 0) {
      f->r->refs++; /* the VMA holds the file */
      maps[slot] = (struct mapent){1, (uint64_t)(uintptr_t)p, len, f->r};
    }
  } else if (ret == 0) {
    /* The pages an access from outside the enclave sees: anonymous memory standing in for the
     * enclave's VM_PFNMAP range (real enclave pages read as the abort page from outside). */
    p = emu_next.mmap(addr, len, prot, (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      ret = -errno;
    } else {
      f->r->refs++; /* the VMA holds the file */
      maps[slot] = (struct mapent){1, (uint64_t)(uintptr_t)p, len, f->r};
    }
  }
  unlock();
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
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_MAPS; i++) {
    struct mapent *m = &maps[i];
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
    put_ref(m->r);
  }
  unlock();
  return 0;
}

static void emu_fd_sent(int fd) {
  pthread_mutex_lock(&lock);
  struct fdent *f = find_locked(fd);
  if (f) __atomic_add_fetch(&f->r->hdr->in_flight, 1, __ATOMIC_ACQ_REL);
  unlock();
}

static void emu_fd_received(int fd) {
  pthread_mutex_lock(&lock);
  struct fdent *f = find_locked(fd); /* registers this process as a holder */
  if (f) __atomic_sub_fetch(&f->r->hdr->in_flight, 1, __ATOMIC_ACQ_REL);
  unlock();
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
    } else if (strcmp(key, "epc_file") == 0) {
      snprintf(epc_file, epc_len, "%s", val);
    } else {
      snprintf(err, errlen, "emulator config: unknown key '%s' (ecreate, eadd, eextend, einit, eremove, ewb, eldu, profile, epc_pages, epc_file)", key);
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
  pthread_mutex_lock(&lock);
  int ret = parse_config(config, err, errlen, epc_file, sizeof epc_file, &epc_pages);
  if (ret == 0) ret = install_locked(t, epc_file, epc_pages, err, errlen);
  unlock();
  return ret;
}

static int installed;
static char epc_path[2048];

static int install_locked(struct eb_sys_table *t, const char *epc_file, int64_t epc_pages, char *err, size_t errlen) {
  if (!installed) emu_next = *t;
  if (epc_file[0] != '\0' && strcmp(epc_file, epc_path) != 0) {
    int fd = open(epc_file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, EMU_PAGE) != 0) {
      snprintf(err, errlen, "emulator: cannot open the shared EPC file %s: %s", epc_file, strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    void *p = mmap(NULL, EMU_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
      snprintf(err, errlen, "emulator: cannot map the shared EPC file %s: %s", epc_file, strerror(errno));
      return -1;
    }
    emu_epc = p;
    snprintf(epc_path, sizeof epc_path, "%s", epc_file);
  }
  uint64_t zero = 0;
  __atomic_compare_exchange_n(&emu_epc->magic, &zero, EMU_MAGIC, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  /* the EPC size of the profile of the case being run (every process of a case has the same) */
  __atomic_store_n(&emu_epc->capacity, epc_pages, __ATOMIC_RELEASE);
  t->open = emu_open;
  t->close = emu_close;
  t->ioctl = emu_ioctl;
  t->mmap = emu_mmap;
  t->munmap = emu_munmap;
  t->fd_sent = emu_fd_sent;
  t->fd_received = emu_fd_received;
  if (!installed) atexit(emu_exit);
  installed = 1;
  return 0;
}


int eb_emu_stats(struct eb_emu_stats *out) {
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_FD; i++) out->enclave_fds += fds[i].used;
  for (int i = 0; i < MAX_MAPS; i++) out->mappings += maps[i].used;
  unlock();
  out->epc_pages = __atomic_load_n(&emu_epc->pages, __ATOMIC_ACQUIRE);
  out->enclaves = __atomic_load_n(&emu_epc->enclaves, __ATOMIC_ACQUIRE);
  out->evictions = __atomic_load_n(&emu_epc->evictions, __ATOMIC_ACQUIRE);
  return 0;
}
