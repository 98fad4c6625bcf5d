/*
 * The out-of-tree isgx driver (/dev/isgx, intel/linux-sgx-driver): the enclave is bound to a
 * VMA of the process that mapped the device (per-mm), so its state lives in this process's
 * memory. SGX_IOC_ENCLAVE_ADD_PAGE copies the page and queues it for one worker thread (the
 * driver's single-slot workqueue) and returns before EADD; SGX_IOC_ENCLAVE_INIT flushes the
 * queue first. ENCLS errors come back as the ioctl's positive return, as isgx passes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../src/isgx_abi.h"
#include "emu.h"

#define MAX_VMAS 256
#define SGX_INVALID_EINITTOKEN 16

struct isgx_encl {
  struct emu_encl *e; /* header + page bytes, in this process's memory */
  int dead;           /* SGX_ENCL_DEAD: the VMA is gone */
  int refs;           /* the VMA + every queued request (kref) */
  int queued;
};
struct vma {
  int used;
  uint64_t addr, len;
  struct isgx_encl *encl;
};
struct req {
  struct req *next;
  struct isgx_encl *encl;
  uint64_t offset;
  uint16_t mrmask;
  uint8_t secinfo[64];
  uint8_t data[EMU_PAGE];
};

static struct vma vmas[MAX_VMAS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER, done = PTHREAD_COND_INITIALIZER;
static struct req *head, *tail;
static int worker_started;

/* sgx_encl_release(): EREMOVE of the pages, VA pages and SECS; the EPC is returned (lock held). */
static void put_encl(struct isgx_encl *ie) {
  if (--ie->refs > 0) return;
  struct emu_encl *e = ie->e;
  uint64_t other = 1 + emu_va_pages(e->pages_added + 1), t0 = emu_now_ns();
  uint64_t held = (uint64_t)emu_epc_release(e, (int64_t)other) + other; /* resident pages (epc.c) */
  emu_spin_until(t0 + held * e->costs.eremove);
  __atomic_sub_fetch(&emu_epc->enclaves, 1, __ATOMIC_ACQ_REL);
  free(e);
  free(ie);
}

/* sgx_add_page_worker / sgx_process_add_page_req: EPC page, EADD, EEXTEND per mrmask bit; the
 * page then goes to the tail of the load list (here the shared EPC's active list, epc.c). */
static void *worker(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  uint64_t deadline = 0;
  int idle = 1;
  for (;;) {
    while (head == NULL) {
      idle = 1;
      pthread_cond_wait(&work, &lock);
    }
    /* a new drain of the queue (the first, or after it ran empty): charged from now (emu_charge) */
    if (idle) deadline = emu_now_ns();
    idle = 0;
    struct req *r = head;
    head = r->next;
    if (head == NULL) tail = NULL;
    struct isgx_encl *ie = r->encl;
    if (!ie->dead) {
      /* the worker runs without the lock held for the instructions, as the driver's does */
      pthread_mutex_unlock(&lock);
      struct emu_encl *e = ie->e;
      int64_t va = (int64_t)(emu_va_pages(e->pages_added + 2) - emu_va_pages(e->pages_added + 1));
      int64_t ev = (va > 0 ? emu_epc_alloc(va) : 0) + emu_epc_alloc_page(e, r->offset / EMU_PAGE);
      emu_measure_block(e, "EADD\0\0\0\0", r->offset, r->secinfo, 48);
      uint64_t cost = e->costs.eadd + (uint64_t)ev * e->costs.ewb;
      for (int k = 0; k < 16; k++) {
        if (!(r->mrmask & (1u << k))) continue;
        emu_measure_block(e, "EEXTEND\0", r->offset + 256u * (unsigned)k, NULL, 0);
        emu_sha256_blocks(&e->mr, r->data + 256 * k, 256);
        cost += e->costs.eextend;
      }
      e->pages_added++;
      emu_charge(&deadline, cost);
      pthread_mutex_lock(&lock);
    }
    ie->queued--;
    put_encl(ie);
    free(r);
    pthread_cond_broadcast(&done);
  }
  return NULL;
}

static struct vma *vma_at(uint64_t addr) {
  for (int i = 0; i < MAX_VMAS; i++)
    if (vmas[i].used && addr >= vmas[i].addr && addr < vmas[i].addr + vmas[i].len) return &vmas[i];
  return NULL;
}

/* sgx_get_unmapped_area (isgx): MAP_SHARED, a power-of-two length of at least two pages, and
 * the driver aligns the range to its length itself (asks for 2 × len, rounds up). */
int emu_isgx_mmap(void *addr, size_t len, int prot, int flags, void **out) {
  if ((flags & MAP_TYPE) == MAP_PRIVATE) {
    emu_debug("emulator: isgx sgx_get_unmapped_area: MAP_PRIVATE");
    return -EINVAL;
  }
  if (len < 2 * EMU_PAGE || (len & (len - 1))) {
    emu_debug("emulator: isgx sgx_get_unmapped_area: length 0x%zx is not a power of two of at least two pages", len);
    return -EINVAL;
  }
  uint64_t at = (uint64_t)(uintptr_t)addr;
  if (!(flags & MAP_FIXED)) {
    uint8_t *area = emu_next.mmap(NULL, len * 2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (area == MAP_FAILED) return -errno;
    uint64_t a = (uint64_t)(uintptr_t)area;
    at = (a + len - 1) & ~(uint64_t)(len - 1);
    if (at > a) emu_next.munmap(area, at - a);
    if (a + 2 * len > at + len) emu_next.munmap((void *)(uintptr_t)(at + len), a + 2 * len - (at + len));
  }
  pthread_mutex_lock(&lock);
  struct vma *v = NULL;
  for (int i = 0; i < MAX_VMAS && !v; i++)
    if (!vmas[i].used) v = &vmas[i];
  void *p = v ? emu_next.mmap((void *)(uintptr_t)at, len, prot, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) : MAP_FAILED;
  int ret = v == NULL ? -ENOMEM : p == MAP_FAILED ? -errno : 0;
  if (ret == 0) *v = (struct vma){1, at, len, NULL};
  pthread_mutex_unlock(&lock);
  *out = p;
  return ret;
}

/* sgx_vma_close(): the enclave is dead; queued adds are skipped; the last reference releases it. */
void emu_isgx_munmap(uint64_t addr, uint64_t len) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_VMAS; i++) {
    struct vma *v = &vmas[i];
    if (!v->used || v->addr < addr || v->addr + v->len > addr + len) continue;
    v->used = 0;
    if (v->encl) {
      v->encl->dead = 1;
      put_encl(v->encl);
    }
  }
  pthread_mutex_unlock(&lock);
}

long emu_isgx_vmas(void) {
  long n = 0;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_VMAS; i++) n += vmas[i].used;
  pthread_mutex_unlock(&lock);
  return n;
}

static uint64_t u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* sgx_ioc_enclave_create → sgx_validate_secs, then the VMA must be exactly the SECS range */
static long ioc_create(void *arg) {
  struct isgx_enclave_create c;
  uint8_t secs[EMU_PAGE];
  if (emu_copy_from_user(&c, (uint64_t)(uintptr_t)arg, sizeof c) || emu_copy_from_user(secs, c.src, sizeof secs)) return -EFAULT;
  uint64_t size = u64(secs), base = u64(secs + 8);
  /* sgx_validate_secs: in software, before ECREATE (MODE64BIT for a 64-bit process) */
  const char *bad = size == 0 || (size & (size - 1)) ? "SECS.SIZE not a power of two" : emu_ecreate_fault(secs);
  if (!bad && !(u64(secs + 48) & 0x4)) bad = "MODE64BIT not set for a 64-bit process";
  if (bad) {
    emu_debug("emulator: isgx sgx_validate_secs: %s", bad);
    return -EINVAL;
  }
  pthread_mutex_lock(&lock);
  struct vma *v = vma_at(base);
  if (!v || v->addr != base || v->len != size || v->encl) {
    pthread_mutex_unlock(&lock);
    emu_debug("emulator: isgx sgx_encl_create: no enclave VMA of exactly [0x%llx, +0x%llx)", (unsigned long long)base, (unsigned long long)size);
    return -EINVAL;
  }
  uint64_t t0 = emu_now_ns();
  struct isgx_encl *ie = calloc(1, sizeof *ie);
  struct emu_encl *e = calloc(1, emu_encl_bytes(size / EMU_PAGE));
  if (!ie || !e) {
    pthread_mutex_unlock(&lock);
    free(ie);
    free(e);
    return -ENOMEM;
  }
  e->driver = 2;
  e->costs = emu_costs;
  e->base = base;
  e->size = size;
  e->npages = size / EMU_PAGE;
  memcpy(&e->ssaframesize, secs + 16, 4);
  memcpy(&e->miscselect, secs + 20, 4);
  e->attributes = u64(secs + 48);
  e->xfrm = u64(secs + 56);
  e->uid = emu_epc_new_uid();
  emu_sha256_init(&e->mr);
  uint8_t blk[64] = {0};
  memcpy(blk, "ECREATE\0", 8);
  memcpy(blk + 8, &e->ssaframesize, 4);
  memcpy(blk + 12, &size, 8);
  emu_sha256_blocks(&e->mr, blk, 64);
  e->flags = EMU_ENCL_CREATED;
  ie->e = e;
  ie->refs = 1;
  v->encl = ie;
  int64_t ev = emu_epc_alloc(2);
  __atomic_add_fetch(&emu_epc->enclaves, 1, __ATOMIC_ACQ_REL);
  pthread_mutex_unlock(&lock);
  emu_spin_until(t0 + e->costs.ecreate + (uint64_t)ev * e->costs.ewb);
  return 0;
}

/* sgx_ioc_enclave_add_page → sgx_encl_add_page: checked and queued; EADD happens in the worker */
static long ioc_add_page(void *arg) {
  struct isgx_enclave_add_page a;
  struct req *r = malloc(sizeof *r);
  if (!r) return -ENOMEM;
  if (emu_copy_from_user(&a, (uint64_t)(uintptr_t)arg, sizeof a) || emu_copy_from_user(r->secinfo, a.secinfo, 64)) {
    free(r);
    return -EFAULT;
  }
  const char *bad = emu_secinfo_problem(r->secinfo);
  if (bad) {
    free(r);
    emu_debug("emulator: isgx sgx_validate_secinfo: %s", bad);
    return -EINVAL;
  }
  /* __sgx_encl_add_page: the page data is copied now (into the backing), EADD comes later */
  if (emu_copy_from_user(r->data, a.src, EMU_PAGE)) {
    free(r);
    return -EFAULT;
  }
  pthread_mutex_lock(&lock);
  struct vma *v = vma_at(a.addr);
  struct isgx_encl *ie = v ? v->encl : NULL;
  long ret = 0;
  /* sgx_get_encl: the address must be in an enclave VMA of this mm */
  if (!ie || ie->dead) ret = -EINVAL, emu_debug("emulator: isgx sgx_get_encl: 0x%llx is not in an enclave of this process", (unsigned long long)a.addr);
  else if (a.addr & (EMU_PAGE - 1)) ret = -EINVAL, emu_debug("emulator: isgx sgx_encl_add_page: address not page-aligned");
  else if (ie->e->flags & EMU_ENCL_INITIALIZED) ret = -EINVAL, emu_debug("emulator: isgx sgx_encl_add_page: enclave already initialized");
  uint64_t offset = ie ? a.addr - ie->e->base : 0;
  uint64_t pt = u64(r->secinfo) & 0xff00;
  if (ret == 0 && pt == 0x100) {
    /* sgx_validate_tcs: the EADD rules, in software, and the offsets inside the enclave */
    const char *tcs = emu_tcs_fault(r->data);
    if (!tcs && (u64(r->data + 16) >= ie->e->size || u64(r->data + 48) >= ie->e->size || u64(r->data + 56) >= ie->e->size)) tcs = "TCS offsets beyond the enclave";
    if (!tcs && (u64(r->data + 8) & 1)) tcs = "TCS.FLAGS.DBGOPTIN set";
    if (tcs) ret = -EINVAL, emu_debug("emulator: isgx sgx_validate_tcs: %s", tcs);
  }
  uint8_t *pg = ret == 0 ? emu_pages(ie->e) + offset / EMU_PAGE : NULL;
  if (ret == 0 && (*pg & EMU_PG_PRESENT)) ret = -EEXIST, emu_debug("emulator: isgx sgx_encl_add_page: a page is already at 0x%llx", (unsigned long long)a.addr);
  if (ret != 0) {
    pthread_mutex_unlock(&lock);
    free(r);
    return ret;
  }
  *pg = (uint8_t)(EMU_PG_PRESENT | (pt == 0x100 ? (EMU_PG_TCS | PROT_READ | PROT_WRITE) : (u64(r->secinfo) & 7)));
  r->next = NULL;
  r->encl = ie;
  r->offset = offset;
  r->mrmask = a.mrmask;
  ie->refs++;
  ie->queued++;
  if (tail) tail->next = r;
  else head = r;
  tail = r;
  if (!worker_started) {
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &at, worker, NULL) == 0) worker_started = 1;
    pthread_attr_destroy(&at);
  }
  pthread_cond_signal(&work);
  pthread_mutex_unlock(&lock);
  return 0;
}

/* sgx_ioc_enclave_init: flush_work of the add queue, then EINIT; the code is returned as is */
static long ioc_init(void *arg) {
  struct isgx_enclave_init a;
  uint8_t sig[1808], token[304];
  if (emu_copy_from_user(&a, (uint64_t)(uintptr_t)arg, sizeof a) || emu_copy_from_user(sig, a.sigstruct, sizeof sig) ||
      emu_copy_from_user(token, a.einittoken, sizeof token))
    return -EFAULT;
  pthread_mutex_lock(&lock);
  struct vma *v = vma_at(a.addr);
  struct isgx_encl *ie = v ? v->encl : NULL;
  if (!ie || ie->dead) {
    pthread_mutex_unlock(&lock);
    emu_debug("emulator: isgx sgx_get_encl: 0x%llx is not in an enclave of this process", (unsigned long long)a.addr);
    return -EINVAL;
  }
  ie->refs++;
  while (ie->queued > 0) pthread_cond_wait(&done, &lock);
  pthread_mutex_unlock(&lock);
  uint64_t t0 = emu_now_ns();
  struct emu_encl *e = ie->e;
  long ret;
  if (e->flags & EMU_ENCL_INITIALIZED) {
    emu_debug("emulator: isgx sgx_encl_init: already initialized");
    ret = -EINVAL;
  } else {
    int code = emu_einit(e, sig);
    /* No launch enclave is emulated: a token that is not valid, for a signer other than the
     * one the driver wrote into the launch-key MSRs, is SGX_INVALID_EINITTOKEN. */
    if (code == 0) code = SGX_INVALID_EINITTOKEN;
    emu_spin_until(t0 + e->costs.einit);
    emu_debug("emulator: EINIT returned %d (%s)", code, code == SGX_INVALID_EINITTOKEN ? "SGX_INVALID_EINITTOKEN: no launch token" : emu_einit_name(code));
    ret = code;
  }
  pthread_mutex_lock(&lock);
  put_encl(ie);
  pthread_mutex_unlock(&lock);
  return ret;
}

long emu_isgx_ioctl(unsigned long request, void *arg) {
  switch (request) {
    case ISGX_IOC_ENCLAVE_CREATE: return ioc_create(arg);
    case ISGX_IOC_ENCLAVE_ADD_PAGE: return ioc_add_page(arg);
    case ISGX_IOC_ENCLAVE_INIT: return ioc_init(arg);
    default: return -ENOTTY;
  }
}
