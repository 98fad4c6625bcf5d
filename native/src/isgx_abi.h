/*
 * The out-of-tree isgx driver's ioctl ABI (/dev/isgx).
 *
 * Mainline's ABI comes from the kernel's <asm/sgx.h>; isgx has no installed uapi header,
 * so its three structs are declared here from their published layout (intel/linux-sgx-driver
 * sgx_user.h: magic 0xA4, packed structs) and the sizes are checked at compile time, so the
 * ioctl numbers (which encode the size) cannot drift.
 */
#ifndef EADDBENCH_ISGX_ABI_H
#define EADDBENCH_ISGX_ABI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <stddef.h>

#define ISGX_MAGIC 0xA4

struct isgx_enclave_create {
  __u64 src; /* address of the 4096-byte SECS */
} __attribute__((__packed__));

struct isgx_enclave_add_page {
  __u64 addr;    /* linear address of the page inside the enclave VMA */
  __u64 src;     /* 4096 bytes of page data */
  __u64 secinfo; /* 64-byte SECINFO */
  __u16 mrmask;  /* one bit per 256-byte chunk to EEXTEND */
} __attribute__((__packed__));

struct isgx_enclave_init {
  __u64 addr;       /* enclave base */
  __u64 sigstruct;  /* 1808-byte SIGSTRUCT */
  __u64 einittoken; /* 304-byte EINITTOKEN */
} __attribute__((__packed__));

_Static_assert(sizeof(struct isgx_enclave_create) == 8, "isgx create struct is 8 bytes");
_Static_assert(sizeof(struct isgx_enclave_add_page) == 26, "isgx add_page struct is 26 bytes (packed)");
_Static_assert(offsetof(struct isgx_enclave_add_page, mrmask) == 24, "isgx mrmask at offset 24");
_Static_assert(sizeof(struct isgx_enclave_init) == 24, "isgx init struct is 24 bytes");

#define ISGX_IOC_ENCLAVE_CREATE _IOW(ISGX_MAGIC, 0x00, struct isgx_enclave_create)
#define ISGX_IOC_ENCLAVE_ADD_PAGE _IOW(ISGX_MAGIC, 0x01, struct isgx_enclave_add_page)
#define ISGX_IOC_ENCLAVE_INIT _IOW(ISGX_MAGIC, 0x02, struct isgx_enclave_init)

/* Positive return values of isgx ioctls are SGX error codes passed through from ENCLS. */
#define ISGX_POWER_LOST_ENCLAVE 0x40000000
#define ISGX_LE_ROLLBACK 0x40000001

#endif
