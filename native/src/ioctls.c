/* The SGX ioctls of both drivers: mainline from <asm/sgx.h>, isgx from isgx_abi.h; the ADD loops run in addloop.c. */
#define _GNU_SOURCE
#include <asm/sgx.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "addloop.h"
#include "isgx_abi.h"
#include "sys_table.h"

#include "napi_util.h"

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
  long ret = eb_sys.ioctl(fd, request, &arg);
  if (ret < 0) return throw_errno(env, op, errno);
  if (ret > 0) return throw_sgx_code(env, op, ret);
  return NULL;
}

napi_value js_create(napi_env env, napi_callback_info info) {
  /* One number for both drivers: _IOW(0xA4, 0, {u64 src}). */
  return ioctl_with_buf(env, info, EB_OP_CREATE, SGX_IOC_ENCLAVE_CREATE, PAGE);
}

napi_value js_init(napi_env env, napi_callback_info info) {
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

/* An optional Float64Array argument (null/undefined: none). */
static bool arg_f64s(napi_env env, napi_value v, double **out, size_t *cap) {
  *out = NULL;
  *cap = 0;
  if (v == NULL || is_nullish(env, v)) return true;
  napi_typedarray_type type;
  size_t n, off;
  void *data;
  napi_value ab;
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  if (napi_get_typedarray_info(env, v, &type, &n, &data, &ab, &off) != napi_ok || type != napi_float64_array) return false;
  *out = data;
  *cap = n;
  return true;
}

/* latencies? and starts? (per-call start times, for traces). */
static bool arg_latencies(napi_env env, napi_value v, napi_value starts, struct eb_latencies *lat) {
  return arg_f64s(env, v, &lat->lat, &lat->cap) && arg_f64s(env, starts, &lat->start, &lat->start_cap);
}

/* addPages(fd, src, offsetBytes, lengthBytes, secinfo, flags, batchBytes, latencies?, fake?, starts?) */
napi_value js_add_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(10);
  int fd;
  void *src, *secinfo;
  size_t src_len, si_len;
  uint64_t offset, length, flags, batch;
  struct eb_latencies lat;
  if (argc < 7 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &src, &src_len) || !arg_u64(env, argv[2], &offset) ||
      !arg_u64(env, argv[3], &length) || !arg_bytes(env, argv[4], &secinfo, &si_len) || si_len < 64 ||
      !arg_u64(env, argv[5], &flags) || !arg_u64(env, argv[6], &batch) || !arg_latencies(env, argc > 7 ? argv[7] : NULL, argc > 9 ? argv[9] : NULL, &lat))
    return throw_usage(env, "addPages(fd, src, offset, length, secinfo(64 bytes), flags, batch, latencies?: Float64Array, fake?, starts?: Float64Array)");
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

/* isgxAddPages(fd, base, firstPage, pages, src, srcStride, secinfo, mrmask, latencies?, fake?, starts?) */
napi_value js_isgx_add_pages(napi_env env, napi_callback_info info) {
  GET_ARGS(11);
  int fd, mrmask;
  uint64_t base, first, pages, stride;
  void *src, *secinfo;
  size_t src_len, si_len;
  struct eb_latencies lat;
  if (argc < 8 || !arg_int(env, argv[0], &fd) || !arg_u64(env, argv[1], &base) || !arg_u64(env, argv[2], &first) ||
      !arg_u64(env, argv[3], &pages) || !arg_bytes(env, argv[4], &src, &src_len) || !arg_u64(env, argv[5], &stride) ||
      !arg_bytes(env, argv[6], &secinfo, &si_len) || si_len < 64 || !arg_int(env, argv[7], &mrmask) || mrmask < 0 ||
      mrmask > 0xffff || !arg_latencies(env, argc > 8 ? argv[8] : NULL, argc > 10 ? argv[10] : NULL, &lat))
    return throw_usage(env, "isgxAddPages(fd, base, firstPage, pages, src, srcStride, secinfo(64 bytes), mrmask, latencies?, fake?, starts?: Float64Array)");
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
napi_value js_isgx_init(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int fd;
  uint64_t base;
  void *sig, *tok;
  size_t sl, tl;
  if (argc < 4 || !arg_int(env, argv[0], &fd) || !arg_u64(env, argv[1], &base) || !arg_bytes(env, argv[2], &sig, &sl) || sl < 1808 ||
      !arg_bytes(env, argv[3], &tok, &tl) || tl < 304)
    return throw_usage(env, "isgxInit(fd, base, sigstruct(1808 bytes), einittoken(304 bytes))");
  struct isgx_enclave_init arg = {base, (uint64_t)(uintptr_t)sig, (uint64_t)(uintptr_t)tok};
  long ret = eb_sys.ioctl(fd, ISGX_IOC_ENCLAVE_INIT, &arg);
  if (ret < 0) return throw_errno(env, EB_OP_ISGX_INIT, errno);
  if (ret > 0) return throw_sgx_code(env, EB_OP_ISGX_INIT, ret);
  return NULL;
}

/* ioctlRaw(fd, request[, buffer]) → return value, or -errno. No exception: the benchmark's hot
 * path, so it makes as few N-API calls as it can (the request fits in 32 bits). */
napi_value js_ioctl_raw(napi_env env, napi_callback_info info) {
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
  long ret = eb_sys.ioctl(fd, (unsigned long)req, data);
  napi_value r;
  napi_create_int32(env, ret < 0 ? -errno : (int32_t)ret, &r);
  return r;
}

napi_value js_noop(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  return NULL;
}
