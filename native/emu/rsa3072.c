/*
 * SIGSTRUCT signature check as the SDM's EINIT does it: with the signature S, modulus N and the
 * two quotients Q1 = floor(S^2 / N), Q2 = floor(S * (S^2 mod N) / N) the signer supplies, the
 * check needs only multiplications and subtractions:
 *   R1 = S*S - Q1*N   must lie in [0, N)
 *   R2 = S*R1 - Q2*N  must lie in [0, N)      (so R2 = S^3 mod N)
 * and R2 must be the PKCS#1 v1.5 encoding of SHA-256(header || body). Wrong quotients, a wrong
 * exponent or a signature over other bytes all fail. Integers are little-endian in SIGSTRUCT.
 */
#include "rsa3072.h"

#include <string.h>

#include "sha256.h"

#define L 96 /* 32-bit limbs in 3072 bits */

static void load(uint32_t out[L], const uint8_t *le) {
  for (int i = 0; i < L; i++) out[i] = (uint32_t)le[4 * i] | (uint32_t)le[4 * i + 1] << 8 | (uint32_t)le[4 * i + 2] << 16 | (uint32_t)le[4 * i + 3] << 24;
}

/* r[2L] = a[L] * b[L] */
static void mul(uint32_t r[2 * L], const uint32_t a[L], const uint32_t b[L]) {
  memset(r, 0, 2 * L * sizeof r[0]);
  for (int i = 0; i < L; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < L; j++) {
      uint64_t t = (uint64_t)a[i] * b[j] + r[i + j] + carry;
      r[i + j] = (uint32_t)t;
      carry = t >> 32;
    }
    r[i + L] = (uint32_t)carry;
  }
}

/* a[2L] -= b[2L]; returns 1 when it went below zero. */
static int sub(uint32_t a[2 * L], const uint32_t b[2 * L]) {
  uint64_t borrow = 0;
  for (int i = 0; i < 2 * L; i++) {
    uint64_t t = (uint64_t)a[i] - b[i] - borrow;
    a[i] = (uint32_t)t;
    borrow = (t >> 63) & 1;
  }
  return (int)borrow;
}

/* x[2L] < n[L] */
static int below(const uint32_t x[2 * L], const uint32_t n[L]) {
  for (int i = 2 * L - 1; i >= L; i--)
    if (x[i] != 0) return 0;
  for (int i = L - 1; i >= 0; i--) {
    if (x[i] != n[i]) return x[i] < n[i];
  }
  return 0;
}

int emu_sigstruct_signature_ok(const uint8_t sig[1808]) {
  uint32_t exponent = (uint32_t)sig[512] | (uint32_t)sig[513] << 8 | (uint32_t)sig[514] << 16 | (uint32_t)sig[515] << 24;
  if (exponent != 3) return 0;
  uint32_t n[L], s[L], q1[L], q2[L], r1[L];
  uint32_t sq[2 * L], t[2 * L];
  load(n, sig + 128);
  load(s, sig + 516);
  load(q1, sig + 1040);
  load(q2, sig + 1424);
  mul(sq, s, s);
  mul(t, q1, n);
  if (sub(sq, t) || !below(sq, n)) return 0;
  memcpy(r1, sq, sizeof r1);
  mul(sq, s, r1);
  mul(t, q2, n);
  if (sub(sq, t) || !below(sq, n)) return 0;

  /* The expected encoding EM = 00 01 FF..FF 00 || DigestInfo(SHA-256) || hash, big-endian. */
  static const uint8_t digest_info[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  uint8_t signed_bytes[256], em[384];
  memcpy(signed_bytes, sig, 128);
  memcpy(signed_bytes + 128, sig + 900, 128);
  memset(em, 0xff, sizeof em);
  em[0] = 0x00;
  em[1] = 0x01;
  em[384 - 32 - 19 - 1] = 0x00;
  memcpy(em + 384 - 32 - 19, digest_info, 19);
  emu_sha256(signed_bytes, sizeof signed_bytes, em + 384 - 32);
  for (int i = 0; i < L; i++) {
    /* limb i holds big-endian bytes [384 - 4(i+1), 384 - 4i) */
    const uint8_t *p = em + 384 - 4 * (i + 1);
    uint32_t want = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (sq[i] != want) return 0;
  }
  return 1;
}
