#ifndef EMU_RSA3072_H
#define EMU_RSA3072_H
#include <stdint.h>
/* 1 when the SIGSTRUCT's RSA-3072 (e = 3) PKCS#1 v1.5 SHA-256 signature over
 * header[0,128) || body[900,1028) verifies, using its Q1/Q2 the way EINIT does; else 0. */
int emu_sigstruct_signature_ok(const uint8_t sig[1808]);
#endif
