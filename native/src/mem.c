/* open/close, mmap/munmap, aligned address reservations, page-aligned buffers, page touches. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "napi_util.h"
#include "sys_table.h"

/* ---- files and memory ---- */

napi_value js_open(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  char path[4096];
  size_t n;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &n) != napi_ok) return throw_usage(env, "open(path, flags?): path must be a string");
  int flags = O_RDWR | O_CLOEXEC;
  if (argc >= 2 && !is_nullish(env, argv[1]) && !arg_int(env, argv[1], &flags)) return throw_usage(env, "open: flags must be an integer");
  int fd = eb_sys.open(path, flags);
  if (fd < 0) {
    int err = errno;
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s: ", path);
    napi_value e = make_error(env, EB_OP_OPEN, err, prefix);
    set_str(env, e, "path", path);
    napi_throw(env, e);
    return NULL;
  }
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

napi_value js_close(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) return throw_usage(env, "close(fd): fd must be an integer");
  if (eb_sys.close(fd) != 0 && errno != EINTR) return throw_errno(env, EB_OP_CLOSE, errno);
  return NULL;
}

napi_value js_mmap(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  uint64_t addr, len, off;
  int prot, flags, fd;
  if (argc < 6 || !arg_u64(env, argv[0], &addr) || !arg_u64(env, argv[1], &len) || !arg_int(env, argv[2], &prot) ||
      !arg_int(env, argv[3], &flags) || !arg_int(env, argv[4], &fd) || !arg_u64(env, argv[5], &off))
    return throw_usage(env, "mmap(addr, length, prot, flags, fd, offset): integer arguments");
  if (len == 0 || len % PAGE != 0 || addr % PAGE != 0) return throw_errno(env, EB_OP_MMAP, EINVAL);
  void *p = eb_sys.mmap((void *)(uintptr_t)addr, len, prot, flags, fd, (off_t)off);
  if (p == MAP_FAILED) return throw_errno(env, EB_OP_MMAP, errno);
  return make_bigint(env, (uint64_t)(uintptr_t)p);
}

napi_value js_munmap(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  uint64_t addr, len;
  if (argc < 2 || !arg_u64(env, argv[0], &addr) || !arg_u64(env, argv[1], &len)) return throw_usage(env, "munmap(addr, length): integers");
  if (eb_sys.munmap((void *)(uintptr_t)addr, len) != 0) return throw_errno(env, EB_OP_MUNMAP, errno);
  return NULL;
}

/* An address range of `size` bytes aligned to `size` (ECREATE needs BASEADDR naturally
 * aligned): reserve 2×size PROT_NONE, then give back the head and the tail, as the kernel's
 * selftest loader and the SDK do. */
napi_value js_reserve_aligned(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  uint64_t size;
  if (argc < 1 || !arg_u64(env, argv[0], &size)) return throw_usage(env, "reserveAligned(size): integer");
  if (size < PAGE || (size & (size - 1)) != 0) return throw_errno(env, EB_OP_MMAP, EINVAL);
  uint8_t *area = mmap(NULL, size * 2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (area == MAP_FAILED) return throw_errno(env, EB_OP_MMAP, errno);
  uintptr_t a = (uintptr_t)area;
  uintptr_t base = (a + size - 1) & ~(uintptr_t)(size - 1);
  size_t head = base - a, tail = size - head;
  if (head != 0) munmap(area, head);
  if (tail != 0) munmap((void *)(base + size), tail);
  return make_bigint(env, base);
}

static void free_pages(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

/* A page-aligned ArrayBuffer backed by its own anonymous mapping (unmapped when collected). */
napi_value js_alloc_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  uint64_t len;
  if (argc < 1 || !arg_u64(env, argv[0], &len) || len == 0) return throw_usage(env, "allocPages(bytes): positive integer");
  len = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return throw_errno(env, EB_OP_MMAP, errno);
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, len, free_pages, (void *)(uintptr_t)len, &ab) != napi_ok) {
    munmap(p, len);
    return throw_usage(env, "allocPages: external ArrayBuffers are not allowed in this runtime");
  }
  return ab;
}

napi_value js_address_of(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  void *data;
  size_t len;
  if (argc < 1 || !arg_bytes(env, argv[0], &data, &len)) return throw_usage(env, "addressOf(buffer): Buffer, TypedArray or ArrayBuffer");
  return make_bigint(env, (uint64_t)(uintptr_t)data);
}

/* Reads one byte per page so each page is faulted in (for an enclave mapping: sgx_vma_fault,
 * ELDU when evicted; reads from outside the enclave see the abort page). An emulated enclave's
 * mapping is anonymous memory that cannot fault into the emulator, so its touch hook takes
 * that fault first (native/emu/emu.c). */
napi_value js_touch_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  uint64_t addr, pages;
  if (argc < 2 || !arg_u64(env, argv[0], &addr) || !arg_u64(env, argv[1], &pages)) return throw_usage(env, "touchPages(addr, pages): integers");
  if (eb_sys.touch != NULL) eb_sys.touch(addr, pages);
  volatile const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < pages; i++) sum += p[i * PAGE];
  napi_value r;
  napi_create_double(env, (double)(sum & 0xff), &r);
  return r;
}
