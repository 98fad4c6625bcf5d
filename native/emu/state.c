/*
 * The emulator's per-process state (see emu.c for the calls it serves): an enclave is a memfd
 * whose first page is struct emu_encl, followed by one byte per ELRANGE page and one EPC-slot
 * reference per ELRANGE page (epc.c);
 * so the enclave fd is a real fd (dup, SCM_RIGHTS and fork carry it) and every process that
 * holds it sees the same enclave. Unknown fds are recognised by fstat (a regular file) and the
 * magic in their first bytes.
 *
 * Lifetime follows the kernel's struct file (torvalds/linux arch/x86/kernel/cpu/sgx/driver.c,
 * sgx_release; fs/file_table.c, the last fput): the enclave is released (EREMOVE of its pages,
 * EPC returned) when no process holds an fd or a mapping of it and no fd is in flight on a
 * socket. Also here: the helpers every rule uses (copy_from_user, the spin, pr_debug).
 */
#define _GNU_SOURCE
#include "state.h"

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
uint64_t emu_signal_every;

static struct eref erefs[MAX_REFS];
struct fdent emu_fds[MAX_FD];
struct mapent emu_maps[MAX_MAPS];
int emu_maps_hi;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread char debug_msg[320];

void emu_lock(void) { pthread_mutex_lock(&lock); }

void emu_clear_debug(void) { debug_msg[0] = '\0'; }

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

static size_t page_round(uint64_t n) { return (size_t)((n + EMU_PAGE - 1) / EMU_PAGE) * EMU_PAGE; }

uint8_t *emu_pages(struct emu_encl *e) { return (uint8_t *)e + EMU_HDR_BYTES; }

uint32_t *emu_slot_refs(struct emu_encl *e) { return (uint32_t *)((uint8_t *)e + EMU_HDR_BYTES + page_round(e->npages)); }

size_t emu_encl_bytes(uint64_t npages) { return EMU_HDR_BYTES + page_round(npages) + page_round(npages * sizeof(uint32_t)); }

struct emu_encl *emu_map_file(int fd, size_t len) {
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

void emu_unlock(void) {
  pthread_mutex_unlock(&lock);
  finish_pending();
}

/* This process dropped its last reference: the last process releases the enclave. */
void emu_put_ref(struct eref *r) {
  if (--r->refs > 0) return;
  struct dropped d = {r->hdr, r->old, r->maplen, r->oldlen};
  memset(r, 0, sizeof *r);
  if (npending < (int)(sizeof pending / sizeof pending[0])) pending[npending++] = d;
  else finish_drop(d); /* (never in practice: one call drops one or two references) */
}

/* A reference to the enclave in file fd (dev, ino, size); maps it on the first. */
static struct eref *emu_get_ref(int fd, const struct stat *st) {
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
      struct emu_encl *e = emu_map_file(fd, (size_t)st->st_size);
      if (e == NULL) return NULL;
      r->old = r->hdr, r->oldlen = r->maplen;
      r->hdr = e, r->maplen = (size_t)st->st_size;
    }
    r->refs++;
    return r;
  }
  if (free_slot == NULL) return NULL;
  struct emu_encl *e = emu_map_file(fd, (size_t)st->st_size);
  if (e == NULL) return NULL;
  __atomic_add_fetch(&e->procs, 1, __ATOMIC_ACQ_REL);
  *free_slot = (struct eref){1, st->st_dev, st->st_ino, e, (size_t)st->st_size, NULL, 0, 1};
  return free_slot;
}

void emu_drop_fd(int fd) {
  struct fdent *f = &emu_fds[fd];
  if (!f->used) return;
  f->used = 0;
  emu_put_ref(f->r);
  f->r = NULL;
}

/* The enclave behind fd, or NULL when fd is not an emulated enclave. */
struct fdent *emu_find_locked(int fd) {
  if (fd < 0 || fd >= MAX_FD) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    emu_drop_fd(fd);
    return NULL;
  }
  struct fdent *f = &emu_fds[fd];
  if (f->used && (f->dev != st.st_dev || f->ino != st.st_ino)) emu_drop_fd(fd); /* the number was reused */
  if (f->used) {
    if ((size_t)st.st_size > f->r->maplen) {
      struct eref *r = emu_get_ref(fd, &st); /* remaps */
      if (r) emu_put_ref(r);
    }
    return f;
  }
  if (!S_ISREG(st.st_mode) || st.st_size < (off_t)EMU_HDR_BYTES) return NULL;
  uint64_t magic = 0;
  if (pread(fd, &magic, sizeof magic, 0) != (ssize_t)sizeof magic || magic != EMU_MAGIC) return NULL;
  struct eref *r = emu_get_ref(fd, &st);
  if (r == NULL) return NULL;
  *f = (struct fdent){1, st.st_dev, st.st_ino, r};
  return f;
}

struct emu_encl *emu_resize(int fd, uint64_t npages) {
  size_t len = emu_encl_bytes(npages);
  if (ftruncate(fd, (off_t)len) != 0) return NULL;
  emu_lock();
  struct fdent *f = emu_find_locked(fd);
  struct emu_encl *e = f ? f->r->hdr : NULL;
  emu_unlock();
  return e;
}

/* exit_files() and exit_mmap() of a process that ends: every reference it holds goes. */
void emu_exit(void) {
  emu_isgx_munmap(0, UINT64_MAX);
  emu_lock();
  for (int i = 0; i < MAX_FD; i++) {
    emu_drop_fd(i);
    emu_unlock();
    emu_lock();
  }
  for (int i = 0; i < MAX_MAPS; i++) {
    if (!emu_maps[i].used) continue;
    emu_maps[i].used = 0;
    emu_put_ref(emu_maps[i].r);
    emu_unlock();
    emu_lock();
  }
  emu_unlock();
}


int eb_emu_stats(struct eb_emu_stats *out) {
  memset(out, 0, sizeof *out);
  emu_lock();
  for (int i = 0; i < MAX_FD; i++) out->enclave_fds += emu_fds[i].used;
  for (int i = 0; i < MAX_MAPS; i++) out->mappings += emu_maps[i].used;
  emu_unlock();
  out->epc_pages = __atomic_load_n(&emu_epc->pages, __ATOMIC_ACQUIRE);
  out->enclaves = __atomic_load_n(&emu_epc->enclaves, __ATOMIC_ACQUIRE);
  out->evictions = __atomic_load_n(&emu_epc->evictions, __ATOMIC_ACQUIRE);
  out->eldus = __atomic_load_n(&emu_epc->eldus, __ATOMIC_ACQUIRE);
  return 0;
}
