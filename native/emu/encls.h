/* SDM definitions both emulated drivers check against (encls.c, mainline.c, isgx.c). */
#ifndef EMU_ENCLS_H
#define EMU_ENCLS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

static inline uint64_t emu_u64at(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static inline uint32_t emu_u32at(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline int emu_all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

#endif
