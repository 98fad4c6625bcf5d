/*
 * The mainline driver's ioctls (/dev/sgx_enclave, arch/x86/kernel/cpu/sgx/ioctl.c) and mmap
 * check (driver.c, encl.c), rule by rule: each check names the kernel function it mirrors and
 * returns the errno that function returns. ENCLS itself is emulated (encls.c, shared with
 * isgx.c): ECREATE/EADD/EEXTEND extend a real MRENCLAVE (SDM: one SHA-256 over 64-byte blocks),
 * EINIT verifies the SIGSTRUCT's signature and compares its ENCLAVEHASH, and every leaf spins
 * for its cost.
 */
#define _GNU_SOURCE
#include <asm/sgx.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "emu.h"
#include "encls.h"

/* sgx_ioc_enclave_create() → sgx_encl_create() */
static long ioc_create(int fd, struct emu_encl **ep, void *arg) {
  struct emu_encl *e = *ep;
  /* sgx_ioc_enclave_create: a second CREATE on the same fd */
  if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & EMU_ENCL_CREATED) {
    emu_debug("emulator: sgx_ioc_enclave_create: enclave already created");
    return -EINVAL;
  }
  struct sgx_enclave_create c;
  uint8_t secs[EMU_PAGE];
  if (emu_copy_from_user(&c, (uint64_t)(uintptr_t)arg, sizeof c) || emu_copy_from_user(secs, c.src, sizeof secs)) return -EFAULT;
  uint64_t size = emu_u64at(secs), base = emu_u64at(secs + 8);
  /* sgx_encl_create: "ECREATE would detect this too" */
  if (size == 0 || (size & (size - 1))) {
    emu_debug("emulator: sgx_encl_create: SECS.SIZE %llu is not a power of two", (unsigned long long)size);
    return -EINVAL;
  }
  uint64_t t0 = emu_now_ns();
  const char *fault = emu_ecreate_fault(secs);
  if (fault) {
    emu_debug("emulator: ECREATE faulted: %s", fault);
    return -EIO;
  }
  /* sgx_encl_create: the SECS page and the first VA page (sgx_encl_grow) come from the EPC */
  int64_t ev = emu_epc_alloc(2);
  struct emu_encl *grown = emu_resize(fd, size / EMU_PAGE);
  if (grown == NULL) {
    emu_epc_free(2);
    return -ENOMEM;
  }
  *ep = e = grown;
  e->base = base;
  e->size = size;
  e->npages = size / EMU_PAGE;
  e->ssaframesize = emu_u32at(secs + 16);
  e->miscselect = emu_u32at(secs + 20);
  e->attributes = emu_u64at(secs + 48);
  e->xfrm = emu_u64at(secs + 56);
  e->uid = emu_epc_new_uid();
  /* ECREATE starts MRENCLAVE: "ECREATE\0", u32 SSAFRAMESIZE, u64 SIZE, zeros */
  emu_sha256_init(&e->mr);
  uint8_t blk[64];
  memset(blk, 0, sizeof blk);
  memcpy(blk, "ECREATE\0", 8);
  memcpy(blk + 8, &e->ssaframesize, 4);
  memcpy(blk + 12, &size, 8);
  emu_sha256_blocks(&e->mr, blk, 64);
  __atomic_add_fetch(&emu_epc->enclaves, 1, __ATOMIC_ACQ_REL);
  __atomic_fetch_or(&e->flags, EMU_ENCL_CREATED, __ATOMIC_ACQ_REL);
  emu_spin_until(t0 + e->costs.ecreate + (uint64_t)ev * e->costs.ewb);
  return 0;
}

/* sgx_encl_add_page(): one page, EADD and (SGX_PAGE_MEASURE) 16 × EEXTEND; spins until
 * *deadline plus the page's cost (emu_charge). */
static long add_page(struct emu_encl *e, uint64_t src, uint64_t offset, const uint8_t *secinfo, uint64_t flags, uint64_t *deadline) {
  uint64_t idx = offset / EMU_PAGE;
  uint8_t *pg = emu_pages(e) + idx;
  /* sgx_encl_grow(): a VA page per 512 pages, never reclaimed */
  int64_t va = (int64_t)(emu_va_pages(e->pages_added + 2) - emu_va_pages(e->pages_added + 1));
  int64_t ev = va > 0 ? emu_epc_alloc(va) : 0;
  /* xa_insert() of the page: a page already at this offset gives -EBUSY */
  if (*pg & EMU_PG_PRESENT) {
    emu_epc_free(va);
    emu_debug("emulator: xa_insert: a page is already present at offset 0x%llx", (unsigned long long)offset);
    return -EBUSY;
  }
  /* __sgx_encl_add_page: get_user_pages(src) (-EFAULT when the source is not mapped) */
  uint8_t data[EMU_PAGE];
  if (emu_copy_from_user(data, src, sizeof data)) {
    emu_epc_free(va);
    emu_debug("emulator: __sgx_encl_add_page: source 0x%llx is not readable", (unsigned long long)src);
    return -EFAULT;
  }
  const char *fault = (emu_u64at(secinfo) & SECINFO_TYPE_MASK) == SECINFO_TCS ? emu_tcs_fault(data) : NULL;
  if (fault) {
    emu_epc_free(va);
    emu_debug("emulator: EADD faulted at offset 0x%llx: %s", (unsigned long long)offset, fault);
    return -EIO;
  }
  /* sgx_alloc_epc_page(.., reclaim = true) for the page (direct reclaim when the EPC is full),
   * EADD, then sgx_mark_page_reclaimable(): the tail of the active list (epc.c). The driver
   * allocates before the checks and frees on failure; the emulator allocates after them. */
  ev += emu_epc_alloc_page(e, idx);
  /* EADD: "EADD\0\0\0\0", u64 offset, the first 48 bytes of SECINFO */
  emu_measure_block(e, "EADD\0\0\0\0", offset, secinfo, 48);
  uint64_t sflags = emu_u64at(secinfo);
  /* sgx_encl_page_alloc: vm_max_prot_bits from SECINFO; a TCS is always RW */
  uint8_t prot = (sflags & SECINFO_TYPE_MASK) == SECINFO_TCS ? (PROT_READ | PROT_WRITE) : (uint8_t)(sflags & 7);
  __atomic_store_n(pg, (uint8_t)(EMU_PG_PRESENT | prot | ((sflags & SECINFO_TYPE_MASK) == SECINFO_TCS ? EMU_PG_TCS : 0)), __ATOMIC_RELEASE);
  e->pages_added++;
  uint64_t cost = e->costs.eadd + (uint64_t)ev * e->costs.ewb;
  /* __sgx_encl_extend(): 16 EEXTENDs of 256 bytes, all or nothing */
  if (flags & SGX_PAGE_MEASURE) {
    for (uint64_t k = 0; k < EMU_PAGE; k += 256) {
      emu_measure_block(e, "EEXTEND\0", offset + k, NULL, 0);
      emu_sha256_blocks(&e->mr, data + k, 256);
    }
    cost += 16 * e->costs.eextend;
  }
  emu_charge(deadline, cost);
  return 0;
}

/* The emulated signal_pending(): true before every emu_signal_every-th page (0: never). */
static int emu_signal_pending(void) {
  uint64_t every = __atomic_load_n(&emu_signal_every, __ATOMIC_RELAXED);
  static uint64_t reached;
  return every != 0 && __atomic_add_fetch(&reached, 1, __ATOMIC_RELAXED) % every == 0;
}

/* sgx_ioc_enclave_add_pages() */
static long ioc_add_pages(struct emu_encl *e, void *arg) {
  uint32_t fl = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
  if (!(fl & EMU_ENCL_CREATED) || (fl & EMU_ENCL_INITIALIZED)) {
    emu_debug("emulator: sgx_ioc_enclave_add_pages: enclave %s", (fl & EMU_ENCL_CREATED) ? "already initialized" : "not created");
    return -EINVAL;
  }
  struct sgx_enclave_add_pages a;
  if (emu_copy_from_user(&a, (uint64_t)(uintptr_t)arg, sizeof a)) return -EFAULT;
  /* sgx_ioc_enclave_add_pages: offset and src page-aligned */
  if ((a.offset & (EMU_PAGE - 1)) || (a.src & (EMU_PAGE - 1))) {
    emu_debug("emulator: sgx_ioc_enclave_add_pages: offset 0x%llx or src 0x%llx not page-aligned", (unsigned long long)a.offset, (unsigned long long)a.src);
    return -EINVAL;
  }
  /* sgx_validate_offset_length(): length a non-zero multiple of PAGE_SIZE, range inside ELRANGE */
  if (a.length == 0 || (a.length & (EMU_PAGE - 1)) || a.offset + a.length < a.offset || a.offset + a.length - EMU_PAGE >= e->size) {
    emu_debug("emulator: sgx_validate_offset_length: offset 0x%llx length 0x%llx outside the 0x%llx-byte enclave or not whole pages",
              (unsigned long long)a.offset, (unsigned long long)a.length, (unsigned long long)e->size);
    return -EINVAL;
  }
  uint8_t secinfo[64];
  if (emu_copy_from_user(secinfo, a.secinfo, sizeof secinfo)) return -EFAULT;
  const char *bad = emu_secinfo_problem(secinfo);
  if (bad) {
    emu_debug("emulator: sgx_validate_secinfo: %s (flags 0x%llx)", bad, (unsigned long long)emu_u64at(secinfo));
    return -EINVAL;
  }
  long ret = 0;
  uint64_t c, deadline = emu_now_ns();
  /* The loop of sgx_ioc_enclave_add_pages() (torvalds/linux arch/x86/kernel/cpu/sgx/ioctl.c):
   * signal_pending() is checked before each page; a pending signal ends the call with count at
   * the pages added, or with -ERESTARTSYS before the first, which a handler without SA_RESTART
   * sees as EINTR. The process's real signals stay with it; the emulated ones come from the
   * configuration (signal_every=N: pending before every Nth page this process's ADD_PAGES
   * loops reach), so a test can drive the binding's resume loop. */
  for (c = 0; c < a.length; c += EMU_PAGE) {
    if (emu_signal_pending()) {
      if (c == 0) ret = -EINTR;
      emu_debug("emulator: sgx_ioc_enclave_add_pages: signal pending after %llu of %llu bytes", (unsigned long long)c, (unsigned long long)a.length);
      break;
    }
    ret = add_page(e, a.src + c, a.offset + c, secinfo, a.flags, &deadline);
    if (ret) break;
  }
  a.count = c;
  if (emu_copy_to_user((uint64_t)(uintptr_t)arg + offsetof(struct sgx_enclave_add_pages, count), &a.count, sizeof a.count)) return -EFAULT;
  return ret;
}

/* sgx_ioc_enclave_init() → sgx_encl_init() */
static long ioc_init(struct emu_encl *e, void *arg) {
  uint32_t fl = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
  if (!(fl & EMU_ENCL_CREATED) || (fl & EMU_ENCL_INITIALIZED)) {
    emu_debug("emulator: sgx_ioc_enclave_init: enclave %s", (fl & EMU_ENCL_CREATED) ? "already initialized" : "not created");
    return -EINVAL;
  }
  struct sgx_enclave_init a;
  uint8_t sig[1808];
  if (emu_copy_from_user(&a, (uint64_t)(uintptr_t)arg, sizeof a) || emu_copy_from_user(sig, a.sigstruct, sizeof sig)) return -EFAULT;
  /* sgx_ioc_enclave_init: header.vendor 0x0000 or 0x8086 */
  uint32_t vendor = emu_u32at(sig + 16);
  if (vendor != 0 && vendor != 0x8086) {
    emu_debug("emulator: sgx_ioc_enclave_init: SIGSTRUCT vendor 0x%x", vendor);
    return -EINVAL;
  }
  /* sgx_encl_init: attributes beyond attributes_mask (PROVISIONKEY needs SGX_IOC_ENCLAVE_PROVISION) */
  if (e->attributes & ~(ATTR_DEBUG | ATTR_MODE64BIT | ATTR_KSS)) {
    emu_debug("emulator: sgx_encl_init: attributes 0x%llx not allowed", (unsigned long long)e->attributes);
    return -EACCES;
  }
  /* sgx_ioc_enclave_init: reserved bits in the SIGSTRUCT body's attributes, miscselect, xfrm */
  if ((emu_u64at(sig + 928) & emu_u64at(sig + 944) & ATTR_RESERVED) || (emu_u32at(sig + 900) & emu_u32at(sig + 904) & MISC_RESERVED) ||
      (emu_u64at(sig + 936) & emu_u64at(sig + 952) & XFRM_RESERVED)) {
    emu_debug("emulator: sgx_ioc_enclave_init: reserved bits in the SIGSTRUCT body");
    return -EINVAL;
  }
  uint64_t t0 = emu_now_ns();
  int code = emu_einit(e, sig);
  emu_spin_until(t0 + e->costs.einit);
  e->last_einit = code;
  if (code != 0) {
    /* sgx_encl_init: pr_debug("EINIT returned %d\n", ret); ret = -EPERM */
    emu_debug("emulator: EINIT returned %d (%s)", code, emu_einit_name(code));
    return -EPERM;
  }
  __atomic_fetch_or(&e->flags, EMU_ENCL_INITIALIZED, __ATOMIC_ACQ_REL);
  return 0;
}

long emu_mainline_ioctl(int fd, struct emu_encl *e, unsigned long request, void *arg) {
  /* sgx_ioctl(): test_and_set_bit(SGX_ENCL_IOCTL): a concurrent ioctl gets -EBUSY, it does not wait */
  if (__atomic_fetch_or(&e->flags, EMU_ENCL_IOCTL, __ATOMIC_ACQ_REL) & EMU_ENCL_IOCTL) {
    emu_debug("emulator: sgx_ioctl: another ioctl on this enclave is in progress");
    return -EBUSY;
  }
  long ret;
  switch (request) {
    case SGX_IOC_ENCLAVE_CREATE: ret = ioc_create(fd, &e, arg); break;
    case SGX_IOC_ENCLAVE_ADD_PAGES: ret = ioc_add_pages(e, arg); break;
    case SGX_IOC_ENCLAVE_INIT: ret = ioc_init(e, arg); break;
    /* sgx_ioc_enclave_provision → sgx_set_attribute(): no /dev/sgx_provision is emulated */
    case SGX_IOC_ENCLAVE_PROVISION: ret = -EINVAL; break;
    default: ret = -ENOTTY; break;
  }
  __atomic_fetch_and(&e->flags, ~EMU_ENCL_IOCTL, __ATOMIC_ACQ_REL);
  return ret;
}

/* sgx_get_unmapped_area() and sgx_encl_may_map() */
int emu_mainline_may_map(struct emu_encl *e, uint64_t start, uint64_t len, int prot, int flags) {
  /* sgx_get_unmapped_area: the enclave is MAP_SHARED only */
  if ((flags & MAP_TYPE) == MAP_PRIVATE) {
    emu_debug("emulator: sgx_get_unmapped_area: MAP_PRIVATE");
    return -EINVAL;
  }
  uint32_t fl = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
  if (!(fl & EMU_ENCL_CREATED)) return 0; /* no page yet: nothing constrains the mapping */
  uint64_t end = start + len;
  /* sgx_encl_may_map: "Disallow mapping outside enclave's address range" (once initialized) */
  if ((fl & EMU_ENCL_INITIALIZED) && (start < e->base || end > e->base + e->size)) {
    emu_debug("emulator: sgx_encl_may_map: [0x%llx, 0x%llx) outside ELRANGE", (unsigned long long)start, (unsigned long long)end);
    return -EACCES;
  }
  /* sgx_encl_may_map: every page already added must allow the requested protection */
  uint8_t want = (uint8_t)(prot & EMU_PG_PROT);
  uint64_t lo = start > e->base ? start : e->base, hi = end < e->base + e->size ? end : e->base + e->size;
  const uint8_t *pages = emu_pages(e);
  for (uint64_t a = lo; a < hi; a += EMU_PAGE) {
    uint8_t pg = __atomic_load_n(&pages[(a - e->base) / EMU_PAGE], __ATOMIC_ACQUIRE);
    if ((pg & EMU_PG_PRESENT) && (want & ~(pg & EMU_PG_PROT))) {
      emu_debug("emulator: sgx_encl_may_map: page at offset 0x%llx allows prot %d, mapping asks %d", (unsigned long long)(a - e->base), pg & EMU_PG_PROT, want);
      return -EACCES;
    }
  }
  return 0;
}
