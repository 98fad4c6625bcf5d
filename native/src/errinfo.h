/* Names and hints for the errors the binding reports: "IOCTL: ERRNO (hint)". */
#ifndef EADDBENCH_ERRINFO_H
#define EADDBENCH_ERRINFO_H

#include <stddef.h>

/* The operations the binding names in its errors. */
enum eb_op {
  EB_OP_OPEN,
  EB_OP_CLOSE,
  EB_OP_MMAP,
  EB_OP_MUNMAP,
  EB_OP_SENDMSG,
  EB_OP_RECVMSG,
  EB_OP_SOCKETPAIR,
  EB_OP_CREATE,    /* SGX_IOC_ENCLAVE_CREATE (both drivers) */
  EB_OP_ADD_PAGES, /* SGX_IOC_ENCLAVE_ADD_PAGES (mainline) */
  EB_OP_INIT,      /* SGX_IOC_ENCLAVE_INIT (mainline) */
  EB_OP_ISGX_ADD_PAGE,
  EB_OP_ISGX_INIT,
  EB_OP_COUNT
};

/* The name used in messages, e.g. "SGX_IOC_ENCLAVE_ADD_PAGES". */
const char *eb_op_name(enum eb_op op);
/* "EBUSY", "ENOMEM", ...; "E<number>" written to buf for unknown values. */
const char *eb_errno_name(int err, char *buf, size_t len);
/* What this errno means for this operation, e.g. "another ioctl on this enclave is in progress". */
const char *eb_errno_hint(enum eb_op op, int err);
/* Name of a positive SGX error code returned by isgx (e.g. "SGX_INVALID_MEASUREMENT"), or NULL. */
const char *eb_sgx_code_name(int code);
/* Writes "OP: ENAME (hint)" into buf. */
void eb_format(char *buf, size_t len, enum eb_op op, int err);

#endif
