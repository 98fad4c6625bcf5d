/*
 * eaddbench's native binding: the few system calls the SGX backend needs, with errors that
 * name the call and the errno. Everything policy-like (which device, what to time, cleanup
 * order) lives in TypeScript; these files convert arguments, call, and report. This one
 * registers the functions and the constants compiled from the headers.
 */
#define _GNU_SOURCE
#include <asm/sgx.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <sys/mman.h>
#include <unistd.h>

#include "isgx_abi.h"
#include "napi_util.h"

/* ---- constants: compiled from <asm/sgx.h> and isgx_abi.h ---- */

static napi_value constants(napi_env env) {
  napi_value o;
  napi_create_object(env, &o);
#define C(name, v) set_num(env, o, name, (double)(v))
  C("SGX_MAGIC", SGX_MAGIC);
  C("SGX_IOC_ENCLAVE_CREATE", SGX_IOC_ENCLAVE_CREATE);
  C("SGX_IOC_ENCLAVE_ADD_PAGES", SGX_IOC_ENCLAVE_ADD_PAGES);
  C("SGX_IOC_ENCLAVE_INIT", SGX_IOC_ENCLAVE_INIT);
  C("SGX_IOC_ENCLAVE_PROVISION", SGX_IOC_ENCLAVE_PROVISION);
  C("SGX_PAGE_MEASURE", SGX_PAGE_MEASURE);
  C("sizeof_sgx_enclave_create", sizeof(struct sgx_enclave_create));
  C("sizeof_sgx_enclave_add_pages", sizeof(struct sgx_enclave_add_pages));
  C("sizeof_sgx_enclave_init", sizeof(struct sgx_enclave_init));
  C("offsetof_add_pages_src", offsetof(struct sgx_enclave_add_pages, src));
  C("offsetof_add_pages_offset", offsetof(struct sgx_enclave_add_pages, offset));
  C("offsetof_add_pages_length", offsetof(struct sgx_enclave_add_pages, length));
  C("offsetof_add_pages_secinfo", offsetof(struct sgx_enclave_add_pages, secinfo));
  C("offsetof_add_pages_flags", offsetof(struct sgx_enclave_add_pages, flags));
  C("offsetof_add_pages_count", offsetof(struct sgx_enclave_add_pages, count));
  C("ISGX_IOC_ENCLAVE_CREATE", ISGX_IOC_ENCLAVE_CREATE);
  C("ISGX_IOC_ENCLAVE_ADD_PAGE", ISGX_IOC_ENCLAVE_ADD_PAGE);
  C("ISGX_IOC_ENCLAVE_INIT", ISGX_IOC_ENCLAVE_INIT);
  C("sizeof_isgx_enclave_create", sizeof(struct isgx_enclave_create));
  C("sizeof_isgx_enclave_add_page", sizeof(struct isgx_enclave_add_page));
  C("sizeof_isgx_enclave_init", sizeof(struct isgx_enclave_init));
  C("offsetof_isgx_add_page_addr", offsetof(struct isgx_enclave_add_page, addr));
  C("offsetof_isgx_add_page_src", offsetof(struct isgx_enclave_add_page, src));
  C("offsetof_isgx_add_page_secinfo", offsetof(struct isgx_enclave_add_page, secinfo));
  C("offsetof_isgx_add_page_mrmask", offsetof(struct isgx_enclave_add_page, mrmask));
  C("offsetof_isgx_init_sigstruct", offsetof(struct isgx_enclave_init, sigstruct));
  C("offsetof_isgx_init_einittoken", offsetof(struct isgx_enclave_init, einittoken));
  C("PAGE_SIZE", sysconf(_SC_PAGESIZE));
  C("PROT_NONE", PROT_NONE);
  C("PROT_READ", PROT_READ);
  C("PROT_WRITE", PROT_WRITE);
  C("PROT_EXEC", PROT_EXEC);
  C("MAP_SHARED", MAP_SHARED);
  C("MAP_PRIVATE", MAP_PRIVATE);
  C("MAP_FIXED", MAP_FIXED);
  C("MAP_ANONYMOUS", MAP_ANONYMOUS);
  C("MAP_NORESERVE", MAP_NORESERVE);
  C("O_RDONLY", O_RDONLY);
  C("O_RDWR", O_RDWR);
  C("O_CLOEXEC", O_CLOEXEC);
  C("ENOTTY", ENOTTY);
  C("EBUSY", EBUSY);
  C("EINTR", EINTR);
  C("ENOMEM", ENOMEM);
  C("EINVAL", EINVAL);
  C("EACCES", EACCES);
  C("EPROTO", EPROTO);
#undef C
  return o;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mmap", NULL, js_mmap, NULL, NULL, NULL, napi_enumerable, NULL},
    {"munmap", NULL, js_munmap, NULL, NULL, NULL, napi_enumerable, NULL},
    {"reserveAligned", NULL, js_reserve_aligned, NULL, NULL, NULL, napi_enumerable, NULL},
    {"allocPages", NULL, js_alloc_pages, NULL, NULL, NULL, napi_enumerable, NULL},
    {"addressOf", NULL, js_address_of, NULL, NULL, NULL, napi_enumerable, NULL},
    {"touchPages", NULL, js_touch_pages, NULL, NULL, NULL, napi_enumerable, NULL},
    {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
    {"init", NULL, js_init, NULL, NULL, NULL, napi_enumerable, NULL},
    {"addPages", NULL, js_add_pages, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isgxAddPages", NULL, js_isgx_add_pages, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isgxInit", NULL, js_isgx_init, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ioctlRaw", NULL, js_ioctl_raw, NULL, NULL, NULL, napi_enumerable, NULL},
    {"noop", NULL, js_noop, NULL, NULL, NULL, napi_enumerable, NULL},
    {"socketpair", NULL, js_socketpair, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendFd", NULL, js_send_fd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recvFd", NULL, js_recv_fd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"emuEnable", NULL, js_emu_enable, NULL, NULL, NULL, napi_enumerable, NULL},
    {"emuStats", NULL, js_emu_stats, NULL, NULL, NULL, napi_enumerable, NULL},
    {"constants", NULL, NULL, NULL, NULL, constants(env), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
