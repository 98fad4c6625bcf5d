/* SHA-256 (FIPS 180-4) with a state that can live in shared memory: MRENCLAVE is one running
 * SHA-256 over 64-byte blocks (ECREATE starts it, EADD/EEXTEND extend it, EINIT finalizes it). */
#ifndef EMU_SHA256_H
#define EMU_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct emu_sha256 {
  uint32_t h[8];
  uint64_t bytes; /* bytes hashed so far (whole blocks only) */
};

void emu_sha256_init(struct emu_sha256 *s);
/* n must be a multiple of 64. */
void emu_sha256_blocks(struct emu_sha256 *s, const uint8_t *data, size_t n);
/* Pads and finishes a copy of s (s itself is left as it was). */
void emu_sha256_final(const struct emu_sha256 *s, uint8_t out[32]);
/* One-shot over any length. */
void emu_sha256(const uint8_t *data, size_t n, uint8_t out[32]);
#endif
