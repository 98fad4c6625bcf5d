/* Error names and hints: every error the binding raises names the call and the errno. */
#include "errinfo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const OP_NAMES[EB_OP_COUNT] = {
  [EB_OP_OPEN] = "open",
  [EB_OP_CLOSE] = "close",
  [EB_OP_MMAP] = "mmap",
  [EB_OP_MUNMAP] = "munmap",
  [EB_OP_SENDMSG] = "sendmsg(SCM_RIGHTS)",
  [EB_OP_RECVMSG] = "recvmsg(SCM_RIGHTS)",
  [EB_OP_SOCKETPAIR] = "socketpair",
  [EB_OP_CREATE] = "SGX_IOC_ENCLAVE_CREATE",
  [EB_OP_ADD_PAGES] = "SGX_IOC_ENCLAVE_ADD_PAGES",
  [EB_OP_INIT] = "SGX_IOC_ENCLAVE_INIT",
  [EB_OP_ISGX_ADD_PAGE] = "SGX_IOC_ENCLAVE_ADD_PAGE",
  [EB_OP_ISGX_INIT] = "SGX_IOC_ENCLAVE_INIT(isgx)",
};

const char *eb_op_name(enum eb_op op) {
  return (op >= 0 && op < EB_OP_COUNT && OP_NAMES[op]) ? OP_NAMES[op] : "syscall";
}

#define E(x) case x: return #x
const char *eb_errno_name(int err, char *buf, size_t len) {
  switch (err) {
    E(EPERM); E(ENOENT); E(EINTR); E(EIO); E(ENXIO); E(EBADF); E(EAGAIN); E(ENOMEM);
    E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(ENODEV); E(ENOTDIR); E(EISDIR); E(EINVAL);
    E(ENFILE); E(EMFILE); E(ENOTTY); E(ENOSPC); E(EPIPE); E(ERANGE); E(ENOSYS); E(EOVERFLOW);
    E(EPROTO); E(EOPNOTSUPP); E(ECONNRESET); E(ENOTSOCK); E(EMSGSIZE); E(ENOTCONN);
    default:
      snprintf(buf, len, "E%d", err);
      return buf;
  }
}
#undef E

static int is_sgx_ioctl(enum eb_op op) {
  return op == EB_OP_CREATE || op == EB_OP_ADD_PAGES || op == EB_OP_INIT || op == EB_OP_ISGX_ADD_PAGE ||
         op == EB_OP_ISGX_INIT;
}

/*
 * Hints follow what each driver returns (mainline arch/x86/kernel/cpu/sgx/ioctl.c; isgx
 * sgx_ioctl.c): EBUSY is the per-enclave SGX_ENCL_IOCTL bit, ENOMEM is EPC with nothing left to
 * reclaim, EIO an ENCLS fault, EPERM an EINIT SGX error, EACCES a refused attribute or a noexec
 * source mapping.
 */
const char *eb_errno_hint(enum eb_op op, int err) {
  if (is_sgx_ioctl(op)) {
    switch (err) {
      case EBUSY: return "another ioctl on this enclave is in progress";
      case ENOMEM: return "EPC exhausted: nothing left to reclaim";
      case EINTR: return "interrupted by a signal before any page was added";
      case ENOTTY: return "not an SGX device: the device does not know this ioctl";
      case EINVAL:
        return op == EB_OP_CREATE ? "the driver rejected the SECS or the enclave was already created"
                                  : "invalid argument: range, alignment, SECINFO or enclave state";
      case EIO: return "an ENCLS instruction faulted";
      case EPERM: return op == EB_OP_INIT || op == EB_OP_ISGX_INIT ? "EINIT returned an SGX error (signature, measurement or launch token)" : "operation not permitted";
      case EACCES: return "attribute not allowed, or the source page is in a noexec mapping";
      case EFAULT: return "bad user address for the argument, source page or SECINFO";
      case EEXIST: return "a page is already present at this offset";
      case EBADF: return "not an open file descriptor";
      default: break;
    }
  }
  switch (err) {
    case EACCES: return "permission denied";
    case ENOENT: return "no such file or directory";
    case ENODEV: return "no such device";
    case ENOTTY: return "inappropriate ioctl for device";
    default: return strerror(err);
  }
}

const char *eb_sgx_code_name(int code) {
  /* Codes from the kernel's arch/x86/kernel/cpu/sgx/arch.h and isgx sgx_arch.h / sgx_user.h. */
  switch (code) {
    case 1: return "SGX_INVALID_SIG_STRUCT";
    case 2: return "SGX_INVALID_ATTRIBUTE";
    case 4: return "SGX_INVALID_MEASUREMENT";
    case 8: return "SGX_INVALID_SIGNATURE";
    case 11: return "SGX_NOT_TRACKED";
    case 13: return "SGX_CHILD_PRESENT";
    case 16: return "SGX_INVALID_EINITTOKEN";
    case 128: return "SGX_UNMASKED_EVENT";
    case 0x40000000: return "SGX_POWER_LOST_ENCLAVE";
    case 0x40000001: return "SGX_LE_ROLLBACK";
    default: return NULL;
  }
}

void eb_format(char *buf, size_t len, enum eb_op op, int err) {
  char tmp[16];
  snprintf(buf, len, "%s: %s (%s)", eb_op_name(op), eb_errno_name(err, tmp, sizeof tmp), eb_errno_hint(op, err));
}
