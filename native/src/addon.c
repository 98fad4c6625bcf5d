/*
 * eaddbench's native binding: the few system calls the SGX backend needs, with errors that
 * name the call and the errno. Everything policy-like (which device, what to time, cleanup
 * order) lives in TypeScript; this file converts arguments, calls, and reports.
 */
#define _GNU_SOURCE
#include <asm/sgx.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "addloop.h"
#include "errinfo.h"
#include "isgx_abi.h"

#define PAGE 4096u

/* A failed N-API call is a programming error here; surface it as a JS exception. */
#define NAPI_OK(env, call)                                                   \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      bool pending_ = false;                                                 \
      napi_is_exception_pending((env), &pending_);                           \
      if (!pending_) napi_throw_error((env), "EINTERNAL", "N-API call failed: " #call); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

/* Builds the Error: message "OP: ENAME (hint)" (prefix for context such as a path), code,
 * errno, syscall. Returns it so callers can add fields before throwing. */
static napi_value make_error(napi_env env, enum eb_op op, int err, const char *prefix) {
  char msg[512], body[384], nb[16];
  eb_format(body, sizeof body, op, err);
  if (prefix != NULL) snprintf(msg, sizeof msg, "%s%s", prefix, body);
  else snprintf(msg, sizeof msg, "%s", body);
  napi_value m, c, e;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, eb_errno_name(err, nb, sizeof nb), NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  set_num(env, e, "errno", err);
  set_str(env, e, "syscall", eb_op_name(op));
  return e;
}

static napi_value throw_errno(napi_env env, enum eb_op op, int err) {
  napi_throw(env, make_error(env, op, err, NULL));
  return NULL;
}

static napi_value throw_usage(napi_env env, const char *msg) {
  napi_throw_type_error(env, "EARG", msg);
  return NULL;
}

/* ---- argument helpers ---- */

static bool arg_i64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_number) return napi_get_value_int64(env, v, out) == napi_ok;
  if (t == napi_bigint) {
    bool lossless;
    return napi_get_value_bigint_int64(env, v, out, &lossless) == napi_ok;
  }
  return false;
}

static bool arg_u64(napi_env env, napi_value v, uint64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_bigint) {
    bool lossless;
    return napi_get_value_bigint_uint64(env, v, out, &lossless) == napi_ok;
  }
  if (t == napi_number) {
    double d;
    if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 9007199254740991.0) return false;
    *out = (uint64_t)d;
    return true;
  }
  return false;
}

static bool arg_int(napi_env env, napi_value v, int *out) {
  int64_t x;
  if (!arg_i64(env, v, &x) || x < INT32_MIN || x > INT32_MAX) return false;
  *out = (int)x;
  return true;
}

/* Data pointer and length of a Buffer, TypedArray, DataView or ArrayBuffer. */
static bool arg_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t n, off;
    napi_value ab;
    if (napi_get_typedarray_info(env, v, &type, &n, data, &ab, &off) != napi_ok) return false;
    size_t el = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: el = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: el = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: el = 8; break;
      default: el = 1;
    }
    *len = n * el;
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_value ab;
    size_t off;
    return napi_get_dataview_info(env, v, len, data, &ab, &off) == napi_ok;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) return napi_get_arraybuffer_info(env, v, data, len) == napi_ok;
  return false;
}

static bool is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null;
}

static napi_value make_bigint(napi_env env, uint64_t v) {
  napi_value r;
  napi_create_bigint_uint64(env, v, &r);
  return r;
}

#define GET_ARGS(n)                                                       \
  size_t argc = (n);                                                      \
  napi_value argv[(n) > 0 ? (n) : 1];                                     \
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

/* ---- files and memory ---- */

static napi_value js_open(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  char path[4096];
  size_t n;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &n) != napi_ok) return throw_usage(env, "open(path, flags?): path must be a string");
  int flags = O_RDWR | O_CLOEXEC;
  if (argc >= 2 && !is_nullish(env, argv[1]) && !arg_int(env, argv[1], &flags)) return throw_usage(env, "open: flags must be an integer");
  int fd = open(path, flags);
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

static napi_value js_close(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) return throw_usage(env, "close(fd): fd must be an integer");
  if (close(fd) != 0 && errno != EINTR) return throw_errno(env, EB_OP_CLOSE, errno);
  return NULL;
}

static napi_value js_mmap(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  uint64_t addr, len, off;
  int prot, flags, fd;
  if (argc < 6 || !arg_u64(env, argv[0], &addr) || !arg_u64(env, argv[1], &len) || !arg_int(env, argv[2], &prot) ||
      !arg_int(env, argv[3], &flags) || !arg_int(env, argv[4], &fd) || !arg_u64(env, argv[5], &off))
    return throw_usage(env, "mmap(addr, length, prot, flags, fd, offset): integer arguments");
  if (len == 0 || len % PAGE != 0 || addr % PAGE != 0) return throw_errno(env, EB_OP_MMAP, EINVAL);
  void *p = mmap((void *)(uintptr_t)addr, len, prot, flags, fd, (off_t)off);
  if (p == MAP_FAILED) return throw_errno(env, EB_OP_MMAP, errno);
  return make_bigint(env, (uint64_t)(uintptr_t)p);
}

static napi_value js_munmap(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  uint64_t addr, len;
  if (argc < 2 || !arg_u64(env, argv[0], &addr) || !arg_u64(env, argv[1], &len)) return throw_usage(env, "munmap(addr, length): integers");
  if (munmap((void *)(uintptr_t)addr, len) != 0) return throw_errno(env, EB_OP_MUNMAP, errno);
  return NULL;
}

/* An address range of `size` bytes aligned to `size` (ECREATE needs BASEADDR naturally
 * aligned): reserve 2×size PROT_NONE, then give back the head and the tail, as the kernel's
 * selftest loader and the SDK do. */
static napi_value js_reserve_aligned(napi_env env, napi_callback_info info) {
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
static napi_value js_alloc_pages(napi_env env, napi_callback_info info) {
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

static napi_value js_address_of(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  void *data;
  size_t len;
  if (argc < 1 || !arg_bytes(env, argv[0], &data, &len)) return throw_usage(env, "addressOf(buffer): Buffer, TypedArray or ArrayBuffer");
  return make_bigint(env, (uint64_t)(uintptr_t)data);
}

/* Reads one byte per page so each page is faulted in (for an enclave mapping: sgx_vma_fault,
 * ELDU when evicted; reads from outside the enclave see the abort page). */
static napi_value js_touch_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  uint64_t addr, pages;
  if (argc < 2 || !arg_u64(env, argv[0], &addr) || !arg_u64(env, argv[1], &pages)) return throw_usage(env, "touchPages(addr, pages): integers");
  volatile const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < pages; i++) sum += p[i * PAGE];
  napi_value r;
  napi_create_double(env, (double)(sum & 0xff), &r);
  return r;
}

/* ---- SGX ioctls ---- */

/* An ioctl that returned a positive SGX error code (isgx passes ENCLS codes through). */
static napi_value throw_sgx_code(napi_env env, enum eb_op op, long code) {
  char prefix[96];
  const char *name = eb_sgx_code_name((int)code);
  snprintf(prefix, sizeof prefix, "SGX error %ld%s%s%s; ", code, name ? " (" : "", name ? name : "", name ? ")" : "");
  napi_value e = make_error(env, op, EIO, prefix);
  set_num(env, e, "sgxCode", (double)code);
  napi_throw(env, e);
  return NULL;
}

static napi_value ioctl_with_buf(napi_env env, napi_callback_info info, enum eb_op op, unsigned long request, size_t min) {
  GET_ARGS(2);
  int fd;
  void *data;
  size_t len;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &data, &len) || len < min)
    return throw_usage(env, "(fd, buffer): the buffer is too small for this ioctl");
  /* Both CREATE and mainline INIT take a single u64 pointer. */
  uint64_t arg = (uint64_t)(uintptr_t)data;
  long ret = ioctl(fd, request, &arg);
  if (ret < 0) return throw_errno(env, op, errno);
  if (ret > 0) return throw_sgx_code(env, op, ret);
  return NULL;
}

static napi_value js_create(napi_env env, napi_callback_info info) {
  /* One number for both drivers: _IOW(0xA4, 0, {u64 src}). */
  return ioctl_with_buf(env, info, EB_OP_CREATE, SGX_IOC_ENCLAVE_CREATE, PAGE);
}

static napi_value js_init(napi_env env, napi_callback_info info) {
  return ioctl_with_buf(env, info, EB_OP_INIT, SGX_IOC_ENCLAVE_INIT, 1808);
}

/* A JS function standing in for ioctl(2): called as fake({fd, request, ...argument fields}),
 * returns {ret, errno?, count?}. Lets tests drive the C loops at the binding's boundary. */
struct js_issue_ctx {
  napi_env env;
  napi_value fn;
  bool isgx;
  bool threw;
};

static long js_issue(void *vctx, int fd, unsigned long request, void *arg) {
  struct js_issue_ctx *c = vctx;
  napi_env env = c->env;
  napi_value obj, global, result;
  napi_create_object(env, &obj);
  set_num(env, obj, "fd", fd);
  set_num(env, obj, "request", (double)request);
  if (c->isgx) {
    struct isgx_enclave_add_page *a = arg;
    napi_set_named_property(env, obj, "addr", make_bigint(env, a->addr));
    napi_set_named_property(env, obj, "src", make_bigint(env, a->src));
    set_num(env, obj, "mrmask", a->mrmask);
  } else {
    struct sgx_enclave_add_pages *a = arg;
    napi_set_named_property(env, obj, "src", make_bigint(env, a->src));
    set_num(env, obj, "offset", (double)a->offset);
    set_num(env, obj, "length", (double)a->length);
    set_num(env, obj, "flags", (double)a->flags);
  }
  napi_get_global(env, &global);
  if (napi_call_function(env, global, c->fn, 1, &obj, &result) != napi_ok) {
    c->threw = true;
    errno = ECANCELED;
    return -1;
  }
  napi_value v;
  int64_t ret = 0, err = 0;
  uint64_t count = 0;
  bool has;
  if (napi_has_named_property(env, result, "ret", &has) == napi_ok && has && napi_get_named_property(env, result, "ret", &v) == napi_ok) arg_i64(env, v, &ret);
  if (napi_has_named_property(env, result, "errno", &has) == napi_ok && has && napi_get_named_property(env, result, "errno", &v) == napi_ok) arg_i64(env, v, &err);
  if (!c->isgx && napi_has_named_property(env, result, "count", &has) == napi_ok && has && napi_get_named_property(env, result, "count", &v) == napi_ok) {
    arg_u64(env, v, &count);
    ((struct sgx_enclave_add_pages *)arg)->count = count;
  }
  errno = (int)err;
  return (long)ret;
}

static napi_value add_result(napi_env env, const struct eb_add_result *r) {
  napi_value o;
  napi_create_object(env, &o);
  set_num(env, o, "bytesDone", (double)r->bytes_done);
  set_num(env, o, "pagesDone", (double)(r->bytes_done / PAGE));
  set_num(env, o, "calls", r->calls);
  set_num(env, o, "eintrRetries", r->eintr_retries);
  return o;
}

/* Throws the loop's error with its progress attached (pagesDone, calls, eintrRetries). */
static napi_value throw_add_error(napi_env env, enum eb_op op, const struct eb_add_result *r) {
  char prefix[160] = "";
  if (r->sgx_code != 0) {
    const char *name = eb_sgx_code_name(r->sgx_code);
    snprintf(prefix, sizeof prefix, "SGX error %d%s%s%s; ", r->sgx_code, name ? " (" : "", name ? name : "", name ? ")" : "");
  } else if (r->err == EPROTO) {
    snprintf(prefix, sizeof prefix, "driver reported count %llu that does not fit the call; ", (unsigned long long)r->bad_count);
  }
  char suffix[96];
  snprintf(suffix, sizeof suffix, " after %llu pages", (unsigned long long)(r->bytes_done / PAGE));
  napi_value e = make_error(env, op, r->err, prefix[0] ? prefix : NULL);
  /* Append the progress to the message. */
  napi_value m;
  char buf[768];
  size_t n = 0;
  napi_get_named_property(env, e, "message", &m);
  napi_get_value_string_utf8(env, m, buf, sizeof buf - sizeof suffix, &n);
  strncat(buf, suffix, sizeof buf - n - 1);
  set_str(env, e, "message", buf);
  set_num(env, e, "pagesDone", (double)(r->bytes_done / PAGE));
  set_num(env, e, "calls", r->calls);
  set_num(env, e, "eintrRetries", r->eintr_retries);
  if (r->sgx_code) set_num(env, e, "sgxCode", r->sgx_code);
  napi_throw(env, e);
  return NULL;
}

static bool arg_latencies(napi_env env, napi_value v, struct eb_latencies *lat) {
  lat->lat = NULL;
  lat->cap = 0;
  if (is_nullish(env, v)) return true;
  napi_typedarray_type type;
  size_t n, off;
  void *data;
  napi_value ab;
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  if (napi_get_typedarray_info(env, v, &type, &n, &data, &ab, &off) != napi_ok || type != napi_float64_array) return false;
  lat->lat = data;
  lat->cap = n;
  return true;
}

/* addPages(fd, src, offsetBytes, lengthBytes, secinfo, flags, batchBytes, latencies?, fake?) */
static napi_value js_add_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(9);
  int fd;
  void *src, *secinfo;
  size_t src_len, si_len;
  uint64_t offset, length, flags, batch;
  struct eb_latencies lat;
  if (argc < 7 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &src, &src_len) || !arg_u64(env, argv[2], &offset) ||
      !arg_u64(env, argv[3], &length) || !arg_bytes(env, argv[4], &secinfo, &si_len) || si_len < 64 ||
      !arg_u64(env, argv[5], &flags) || !arg_u64(env, argv[6], &batch) || !arg_latencies(env, argc > 7 ? argv[7] : NULL, &lat))
    return throw_usage(env, "addPages(fd, src, offset, length, secinfo(64 bytes), flags, batch, latencies?: Float64Array, fake?)");
  if ((uintptr_t)src % PAGE != 0) return throw_usage(env, "addPages: src must be page-aligned (use allocPages)");
  struct js_issue_ctx ctx = {env, NULL, false, false};
  eb_issue_fn issue = eb_real_ioctl;
  if (argc > 8 && !is_nullish(env, argv[8])) {
    ctx.fn = argv[8];
    issue = js_issue;
  }
  struct eb_add_result r;
  eb_add_pages_loop(issue, &ctx, fd, SGX_IOC_ENCLAVE_ADD_PAGES, (uint64_t)(uintptr_t)src, src_len & ~(uint64_t)(PAGE - 1), offset,
                    length, (uint64_t)(uintptr_t)secinfo, flags, batch, lat, &r);
  if (ctx.threw) return NULL; /* the fake's exception is pending */
  if (r.err != 0) return throw_add_error(env, EB_OP_ADD_PAGES, &r);
  return add_result(env, &r);
}

/* isgxAddPages(fd, base, firstPage, pages, src, srcStride, secinfo, mrmask, latencies?, fake?) */
static napi_value js_isgx_add_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(10);
  int fd, mrmask;
  uint64_t base, first, pages, stride;
  void *src, *secinfo;
  size_t src_len, si_len;
  struct eb_latencies lat;
  if (argc < 8 || !arg_int(env, argv[0], &fd) || !arg_u64(env, argv[1], &base) || !arg_u64(env, argv[2], &first) ||
      !arg_u64(env, argv[3], &pages) || !arg_bytes(env, argv[4], &src, &src_len) || !arg_u64(env, argv[5], &stride) ||
      !arg_bytes(env, argv[6], &secinfo, &si_len) || si_len < 64 || !arg_int(env, argv[7], &mrmask) || mrmask < 0 ||
      mrmask > 0xffff || !arg_latencies(env, argc > 8 ? argv[8] : NULL, &lat))
    return throw_usage(env, "isgxAddPages(fd, base, firstPage, pages, src, srcStride, secinfo(64 bytes), mrmask, latencies?, fake?)");
  if (src_len < PAGE || (pages > 0 && (pages - 1) * stride + PAGE > src_len)) return throw_usage(env, "isgxAddPages: src is smaller than pages × srcStride");
  struct js_issue_ctx ctx = {env, NULL, true, false};
  eb_issue_fn issue = eb_real_ioctl;
  if (argc > 9 && !is_nullish(env, argv[9])) {
    ctx.fn = argv[9];
    issue = js_issue;
  }
  struct eb_add_result r;
  eb_isgx_add_page_loop(issue, &ctx, fd, ISGX_IOC_ENCLAVE_ADD_PAGE, base, first, pages, (uint64_t)(uintptr_t)src, stride,
                        (uint64_t)(uintptr_t)secinfo, (uint16_t)mrmask, lat, &r);
  if (ctx.threw) return NULL;
  if (r.err != 0) return throw_add_error(env, EB_OP_ISGX_ADD_PAGE, &r);
  return add_result(env, &r);
}

/* isgxInit(fd, base, sigstruct, einittoken) */
static napi_value js_isgx_init(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int fd;
  uint64_t base;
  void *sig, *tok;
  size_t sl, tl;
  if (argc < 4 || !arg_int(env, argv[0], &fd) || !arg_u64(env, argv[1], &base) || !arg_bytes(env, argv[2], &sig, &sl) || sl < 1808 ||
      !arg_bytes(env, argv[3], &tok, &tl) || tl < 304)
    return throw_usage(env, "isgxInit(fd, base, sigstruct(1808 bytes), einittoken(304 bytes))");
  struct isgx_enclave_init arg = {base, (uint64_t)(uintptr_t)sig, (uint64_t)(uintptr_t)tok};
  long ret = ioctl(fd, ISGX_IOC_ENCLAVE_INIT, &arg);
  if (ret < 0) return throw_errno(env, EB_OP_ISGX_INIT, errno);
  if (ret > 0) return throw_sgx_code(env, EB_OP_ISGX_INIT, ret);
  return NULL;
}

/* ioctlRaw(fd, request[, buffer]) → return value, or -errno. No exception: the benchmark's hot
 * path, so it makes as few N-API calls as it can (the request fits in 32 bits). */
static napi_value js_ioctl_raw(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  uint32_t req = 0;
  napi_get_value_int32(env, argv[0], &fd);
  napi_get_value_uint32(env, argv[1], &req);
  void *data = NULL;
  size_t len;
  if (argc > 2) {
    napi_valuetype t = napi_undefined;
    napi_typeof(env, argv[2], &t);
    if (t == napi_object) arg_bytes(env, argv[2], &data, &len);
  }
  long ret = ioctl(fd, (unsigned long)req, data);
  napi_value r;
  napi_create_int32(env, ret < 0 ? -errno : (int32_t)ret, &r);
  return r;
}

static napi_value js_noop(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  return NULL;
}

/* ---- fd passing ---- */

static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  (void)info;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return throw_errno(env, EB_OP_SOCKETPAIR, errno);
  napi_value arr, a, b;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_int32(env, sv[0], &a);
  napi_create_int32(env, sv[1], &b);
  napi_set_element(env, arr, 0, a);
  napi_set_element(env, arr, 1, b);
  return arr;
}

/* sendFd(sock, fd, payload?): the fd as SCM_RIGHTS plus up to 256 bytes of payload (at least
 * one byte goes with it: a stream or seqpacket message cannot carry only ancillary data). */
static napi_value js_send_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int sock, fd;
  void *data = NULL;
  size_t len = 0;
  if (argc < 2 || !arg_int(env, argv[0], &sock) || !arg_int(env, argv[1], &fd) || (argc > 2 && !is_nullish(env, argv[2]) && !arg_bytes(env, argv[2], &data, &len)) || len > 256)
    return throw_usage(env, "sendFd(sock, fd, payload?: at most 256 bytes)");
  uint8_t zero = 0;
  struct iovec iov = {len > 0 ? data : &zero, len > 0 ? len : 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, EB_OP_SENDMSG, errno);
  return NULL;
}

/* recvFd(sock) → {fd, data: ArrayBuffer}; blocks. EPROTO when the message carries no fd;
 * ECONNRESET at end of stream. */
static napi_value js_recv_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int sock;
  if (argc < 1 || !arg_int(env, argv[0], &sock)) return throw_usage(env, "recvFd(sock): integer");
  uint8_t bytes[256];
  struct iovec iov = {bytes, sizeof bytes};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, EB_OP_RECVMSG, errno);
  if (n == 0) return throw_errno(env, EB_OP_RECVMSG, ECONNRESET);
  int fd = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) memcpy(&fd, CMSG_DATA(c), sizeof fd);
  }
  if (fd < 0) return throw_errno(env, EB_OP_RECVMSG, EPROTO);
  napi_value o, ab;
  void *dst;
  napi_create_object(env, &o);
  set_num(env, o, "fd", fd);
  napi_create_arraybuffer(env, (size_t)n, &dst, &ab);
  memcpy(dst, bytes, (size_t)n);
  napi_set_named_property(env, o, "data", ab);
  return o;
}

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
    {"constants", NULL, NULL, NULL, NULL, constants(env), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
