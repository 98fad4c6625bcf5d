/*
 * What both emulated drivers share (the EPC accounted across the processes of a run is in
 * epc.c): the release of an enclave and the ENCLS leaves as the SDM defines them (ECREATE's
 * and EADD's checks, the MRENCLAVE blocks, EINIT). Each piece names the kernel function
 * (torvalds/linux arch/x86/kernel/cpu/sgx/) or SDM leaf it stands in for. The ioctls that
 * call them are per driver: mainline.c, isgx.c.
 */
#define _GNU_SOURCE
#include "encls.h"

#include <sys/mman.h>

#include "emu.h"
#include "rsa3072.h"

/* sgx_encl_release() (encl.c): EREMOVE of every resident page, the VA pages and the SECS (an
 * evicted page has only its backing, which goes with the enclave); the EPC is returned. */
void emu_release_pages(struct emu_encl *e) {
  uint32_t zero = 0;
  if (!__atomic_compare_exchange_n(&e->released, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return;
  if (!(__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & EMU_ENCL_CREATED)) return;
  uint64_t other = 1 + emu_va_pages(e->pages_added + 1);
  uint64_t t0 = emu_now_ns();
  uint64_t held = (uint64_t)emu_epc_release(e, (int64_t)other) + other;
  emu_spin_until(t0 + held * e->costs.eremove);
  __atomic_sub_fetch(&emu_epc->enclaves, 1, __ATOMIC_ACQ_REL);
}

/* The SDM's ECREATE checks of the SECS: a violation faults (#GP), which sgx_encl_create turns into -EIO. */
const char *emu_ecreate_fault(const uint8_t *secs) {
  uint64_t size = emu_u64at(secs + 0), base = emu_u64at(secs + 8), attributes = emu_u64at(secs + 48), xfrm = emu_u64at(secs + 56);
  uint32_t ssa = emu_u32at(secs + 16);
  if (size < 2 * EMU_PAGE) return "SECS.SIZE below two pages";
  if (base & (size - 1)) return "SECS.BASEADDR not naturally aligned to SECS.SIZE";
  if (ssa == 0) return "SECS.SSAFRAMESIZE is 0";
  if ((xfrm & 3) != 3 || (xfrm & XFRM_RESERVED)) return "SECS.XFRM must include x87 and SSE and only supported features";
  if (attributes & ATTR_INIT) return "SECS.ATTRIBUTES.INIT set";
  if (attributes & ATTR_RESERVED) return "reserved SECS.ATTRIBUTES bits set";
  if (emu_u32at(secs + 20) & MISC_RESERVED) return "unsupported SECS.MISCSELECT bits";
  if (!emu_all_zero(secs + 24, 24) || !emu_all_zero(secs + 96, 32) || !emu_all_zero(secs + 160, 32) || !emu_all_zero(secs + 262, EMU_PAGE - 262))
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

/* sgx_validate_secinfo() (ioctl.c) */
const char *emu_secinfo_problem(const uint8_t *si) {
  uint64_t flags = emu_u64at(si), pt = flags & SECINFO_TYPE_MASK, perm = flags & 7;
  if (pt != SECINFO_REG && pt != SECINFO_TCS) return "page type is neither REG nor TCS";
  if ((perm & SECINFO_W) && !(perm & SECINFO_R)) return "W without R";
  /* "CPU will silently overwrite the permissions as zero" for a TCS: the driver refuses them */
  if (pt == SECINFO_TCS && perm) return "TCS with permissions";
  if (flags & SECINFO_RESERVED) return "reserved flag bits set";
  if (!emu_all_zero(si + 8, 56)) return "reserved bytes not zero";
  return NULL;
}

/* The SDM's EADD checks of a TCS page's contents: a violation faults (#GP), which
 * __sgx_encl_add_page turns into -EIO (the driver leaves them to the CPU; isgx's
 * sgx_validate_tcs makes the same checks in software). */
const char *emu_tcs_fault(const uint8_t *tcs) {
  if (emu_u64at(tcs + 8) & ~1ull) return "TCS.FLAGS reserved bits set";
  if ((emu_u64at(tcs + 16) | emu_u64at(tcs + 48) | emu_u64at(tcs + 56)) & (EMU_PAGE - 1)) return "TCS.OSSA, OFSBASE or OGSBASE not page-aligned";
  if ((emu_u32at(tcs + 64) & 0xfff) != 0xfff || (emu_u32at(tcs + 68) & 0xfff) != 0xfff) return "TCS.FSLIMIT or GSLIMIT not ending in 0xFFF";
  if (!emu_all_zero(tcs + 72, EMU_PAGE - 72)) return "TCS reserved bytes not zero";
  return NULL;
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
  uint64_t attr = emu_u64at(sig + 928), xfrm = emu_u64at(sig + 936), amask = emu_u64at(sig + 944), xmask = emu_u64at(sig + 952);
  uint32_t misc = emu_u32at(sig + 900), mmask = emu_u32at(sig + 904);
  if ((e->attributes & amask) != (attr & amask) || (e->xfrm & xmask) != (xfrm & xmask) || (e->miscselect & mmask) != (misc & mmask))
    return SGX_INVALID_ATTRIBUTE;
  uint8_t mr[32];
  emu_sha256_final(&e->mr, mr);
  if (memcmp(mr, sig + 960, 32) != 0) return SGX_INVALID_MEASUREMENT;
  return 0;
}
