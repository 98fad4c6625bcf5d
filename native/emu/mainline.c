/*
 * The mainline driver's ioctls (/dev/sgx_enclave, arch/x86/kernel/cpu/sgx/ioctl.c) and mmap
 * check (driver.c, encl.c), rule by rule: each check names the kernel function it mirrors and
 * returns the errno that function returns. ENCLS itself is emulated: ECREATE/EADD/EEXTEND
 * extend a real MRENCLAVE (SDM: one SHA-256 over 64-byte blocks), EINIT verifies the
 * SIGSTRUCT's signature and compares its ENCLAVEHASH, and every leaf spins for its cost.
 */
#define _GNU_SOURCE
#include <asm/sgx.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "emu.h"
#include "rsa3072.h"

/* SDM return codes of EINIT (the kernel's enum sgx_return_code has the same numbers). */
#define SGX_INVALID_SIG_STRUCT 1
#define SGX_INVALID_ATTRIBUTE 2
#define SGX_INVALID_MEASUREMENT 4
#define SGX_INVALID_SIGNATURE 8

#define ATTR_INIT 0x1ull
#define ATTR_DEBUG 0x2ull
#define ATTR_MODE64BIT 0x4ull
#define ATTR_KSS 0x80ull
/* v5.11 sgx_attributes_reserved_mask: BIT(3) | BIT(6) | GENMASK(63, 8) */
#define ATTR_RESERVED ((1ull << 3) | (1ull << 6) | ~0xffull)
/* the emulated CPU: MISCSELECT offers EXINFO only, XFRM x87|SSE|AVX (CPUID leaf 12H stand-ins) */
#define MISC_RESERVED (~0x1u)
#define XFRM_RESERVED (~0x7ull)

#define SECINFO_R 0x1ull
#define SECINFO_W 0x2ull
#define SECINFO_X 0x4ull
#define SECINFO_TYPE_MASK 0xff00ull
#define SECINFO_TCS (1ull << 8)
#define SECINFO_REG (2ull << 8)
#define SECINFO_RESERVED (~(0x7ull | 0xff00ull))
#define VA_SLOTS 512

static uint64_t u64at(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static uint32_t u32at(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

/* EPC pages for an enclave; returns how many other pages had to be written back (EWB) first,
 * as sgx_alloc_epc_page's direct reclaim does when the free list is empty. */
int64_t emu_epc_alloc(int64_t n) {
  int64_t after = __atomic_add_fetch(&emu_epc->pages, n, __ATOMIC_ACQ_REL);
  int64_t over = after - emu_epc->capacity;
  int64_t ev = over <= 0 ? 0 : (over < n ? over : n);
  if (ev > 0) __atomic_add_fetch(&emu_epc->evictions, ev, __ATOMIC_ACQ_REL);
  return ev;
}
void emu_epc_free(int64_t n) { __atomic_sub_fetch(&emu_epc->pages, n, __ATOMIC_ACQ_REL); }

uint64_t emu_va_pages(uint64_t page_cnt) { return page_cnt == 0 ? 0 : (page_cnt + VA_SLOTS - 1) / VA_SLOTS; }

/* sgx_encl_release(): EREMOVE of every page, the VA pages and the SECS; the EPC is returned. */
void emu_release_pages(struct emu_encl *e) {
  uint32_t zero = 0;
  if (!__atomic_compare_exchange_n(&e->released, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return;
  if (!(__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & EMU_ENCL_CREATED)) return;
  uint64_t held = e->pages_added + 1 + emu_va_pages(e->pages_added + 1);
  emu_spin_until(emu_now_ns() + held * e->costs.eremove);
  emu_epc_free((int64_t)held);
  __atomic_sub_fetch(&emu_epc->enclaves, 1, __ATOMIC_ACQ_REL);
}

/* The SDM's ECREATE checks of the SECS: a violation faults (#GP), which sgx_encl_create turns into -EIO. */
const char *emu_ecreate_fault(const uint8_t *secs) {
  uint64_t size = u64at(secs + 0), base = u64at(secs + 8), attributes = u64at(secs + 48), xfrm = u64at(secs + 56);
  uint32_t ssa = u32at(secs + 16);
  if (size < 2 * EMU_PAGE) return "SECS.SIZE below two pages";
  if (base & (size - 1)) return "SECS.BASEADDR not naturally aligned to SECS.SIZE";
  if (ssa == 0) return "SECS.SSAFRAMESIZE is 0";
  if ((xfrm & 3) != 3 || (xfrm & XFRM_RESERVED)) return "SECS.XFRM must include x87 and SSE and only supported features";
  if (attributes & ATTR_INIT) return "SECS.ATTRIBUTES.INIT set";
  if (attributes & ATTR_RESERVED) return "reserved SECS.ATTRIBUTES bits set";
  if (u32at(secs + 20) & MISC_RESERVED) return "unsupported SECS.MISCSELECT bits";
  if (!all_zero(secs + 24, 24) || !all_zero(secs + 96, 32) || !all_zero(secs + 160, 32) || !all_zero(secs + 262, EMU_PAGE - 262))
    return "reserved SECS fields not zero";
  return NULL;
}

void emu_measure_block(struct emu_encl *e, const char tag[8], uint64_t off, const uint8_t *tail, size_t tail_len) {
  uint8_t b[64];
  memset(b, 0, sizeof b);
  memcpy(b, tag, 8);
  memcpy(b + 8, &off, 8);
  if (tail_len) memcpy(b + 16, tail, tail_len);
  emu_sha256_blocks(&e->mr, b, 64);
}

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
  uint64_t size = u64at(secs), base = u64at(secs + 8);
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
  e->ssaframesize = u32at(secs + 16);
  e->miscselect = u32at(secs + 20);
  e->attributes = u64at(secs + 48);
  e->xfrm = u64at(secs + 56);
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

/* sgx_validate_secinfo() */
const char *emu_secinfo_problem(const uint8_t *si) {
  uint64_t flags = u64at(si), pt = flags & SECINFO_TYPE_MASK, perm = flags & 7;
  if (pt != SECINFO_REG && pt != SECINFO_TCS) return "page type is neither REG nor TCS";
  if ((perm & SECINFO_W) && !(perm & SECINFO_R)) return "W without R";
  /* "CPU will silently overwrite the permissions as zero" for a TCS: the driver refuses them */
  if (pt == SECINFO_TCS && perm) return "TCS with permissions";
  if (flags & SECINFO_RESERVED) return "reserved flag bits set";
  if (!all_zero(si + 8, 56)) return "reserved bytes not zero";
  return NULL;
}

/* The SDM's EADD checks of a TCS page's contents: a violation faults (#GP), which
 * __sgx_encl_add_page turns into -EIO (the driver leaves them to the CPU; isgx's
 * sgx_validate_tcs makes the same checks in software). */
const char *emu_tcs_fault(const uint8_t *tcs) {
  if (u64at(tcs + 8) & ~1ull) return "TCS.FLAGS reserved bits set";
  if ((u64at(tcs + 16) | u64at(tcs + 48) | u64at(tcs + 56)) & (EMU_PAGE - 1)) return "TCS.OSSA, OFSBASE or OGSBASE not page-aligned";
  if ((u32at(tcs + 64) & 0xfff) != 0xfff || (u32at(tcs + 68) & 0xfff) != 0xfff) return "TCS.FSLIMIT or GSLIMIT not ending in 0xFFF";
  if (!all_zero(tcs + 72, EMU_PAGE - 72)) return "TCS reserved bytes not zero";
  return NULL;
}

/* sgx_encl_add_page(): one page, EADD and (SGX_PAGE_MEASURE) 16 × EEXTEND; spins until
 * *deadline plus the page's cost (emu_charge). */
static long add_page(struct emu_encl *e, uint64_t src, uint64_t offset, const uint8_t *secinfo, uint64_t flags, uint64_t *deadline) {
  uint64_t idx = offset / EMU_PAGE;
  uint8_t *pg = emu_pages(e) + idx;
  /* sgx_alloc_epc_page(.., reclaim = true), then sgx_encl_grow() (a VA page per 512 pages) */
  int64_t need = 1 + (int64_t)(emu_va_pages(e->pages_added + 2) - emu_va_pages(e->pages_added + 1));
  int64_t ev = emu_epc_alloc(need);
  /* xa_insert() of the page: a page already at this offset gives -EBUSY */
  if (*pg & EMU_PG_PRESENT) {
    emu_epc_free(need);
    emu_debug("emulator: xa_insert: a page is already present at offset 0x%llx", (unsigned long long)offset);
    return -EBUSY;
  }
  /* __sgx_encl_add_page: get_user_pages(src) (-EFAULT when the source is not mapped) */
  uint8_t data[EMU_PAGE];
  if (emu_copy_from_user(data, src, sizeof data)) {
    emu_epc_free(need);
    emu_debug("emulator: __sgx_encl_add_page: source 0x%llx is not readable", (unsigned long long)src);
    return -EFAULT;
  }
  const char *fault = (u64at(secinfo) & SECINFO_TYPE_MASK) == SECINFO_TCS ? emu_tcs_fault(data) : NULL;
  if (fault) {
    emu_epc_free(need);
    emu_debug("emulator: EADD faulted at offset 0x%llx: %s", (unsigned long long)offset, fault);
    return -EIO;
  }
  /* EADD: "EADD\0\0\0\0", u64 offset, the first 48 bytes of SECINFO */
  emu_measure_block(e, "EADD\0\0\0\0", offset, secinfo, 48);
  uint64_t sflags = u64at(secinfo);
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
    emu_debug("emulator: sgx_validate_secinfo: %s (flags 0x%llx)", bad, (unsigned long long)u64at(secinfo));
    return -EINVAL;
  }
  long ret = 0;
  uint64_t c, deadline = emu_now_ns();
  /* The loop of sgx_ioc_enclave_add_pages(); a pending signal (count < length, or -ERESTARTSYS
   * before the first page) is not emulated: the binding's signals stay with the process. */
  for (c = 0; c < a.length; c += EMU_PAGE) {
    ret = add_page(e, a.src + c, a.offset + c, secinfo, a.flags, &deadline);
    if (ret) break;
  }
  a.count = c;
  if (emu_copy_to_user((uint64_t)(uintptr_t)arg + offsetof(struct sgx_enclave_add_pages, count), &a.count, sizeof a.count)) return -EFAULT;
  return ret;
}

const char *emu_einit_name(int code) {
  switch (code) {
    case SGX_INVALID_SIG_STRUCT: return "SGX_INVALID_SIG_STRUCT";
    case SGX_INVALID_ATTRIBUTE: return "SGX_INVALID_ATTRIBUTE";
    case SGX_INVALID_MEASUREMENT: return "SGX_INVALID_MEASUREMENT";
    case SGX_INVALID_SIGNATURE: return "SGX_INVALID_SIGNATURE";
    default: return "?";
  }
}

/* The EINIT leaf: SIGSTRUCT header, signature, attributes, then the measurement (SDM order). */
int emu_einit(struct emu_encl *e, const uint8_t *sig) {
  static const uint8_t header1[16] = {0x06, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0};
  static const uint8_t header2[16] = {0x01, 0x01, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 0x01, 0, 0, 0};
  if (memcmp(sig, header1, 16) != 0 || memcmp(sig + 24, header2, 16) != 0) return SGX_INVALID_SIG_STRUCT;
  if (!emu_sigstruct_signature_ok(sig)) return SGX_INVALID_SIGNATURE;
  uint64_t attr = u64at(sig + 928), xfrm = u64at(sig + 936), amask = u64at(sig + 944), xmask = u64at(sig + 952);
  uint32_t misc = u32at(sig + 900), mmask = u32at(sig + 904);
  if ((e->attributes & amask) != (attr & amask) || (e->xfrm & xmask) != (xfrm & xmask) || (e->miscselect & mmask) != (misc & mmask))
    return SGX_INVALID_ATTRIBUTE;
  uint8_t mr[32];
  emu_sha256_final(&e->mr, mr);
  if (memcmp(mr, sig + 960, 32) != 0) return SGX_INVALID_MEASUREMENT;
  return 0;
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
  uint32_t vendor = u32at(sig + 16);
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
  if ((u64at(sig + 928) & u64at(sig + 944) & ATTR_RESERVED) || (u32at(sig + 900) & u32at(sig + 904) & MISC_RESERVED) ||
      (u64at(sig + 936) & u64at(sig + 952) & XFRM_RESERVED)) {
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
