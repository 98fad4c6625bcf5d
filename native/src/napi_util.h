/* Shared helpers of the N-API binding: errors that name the call and errno, argument
 * conversion, and the prototypes of the JS-facing functions each source file provides. */
#ifndef EADDBENCH_NAPI_UTIL_H
#define EADDBENCH_NAPI_UTIL_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errinfo.h"

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

void set_num(napi_env env, napi_value obj, const char *key, double v);
void set_str(napi_env env, napi_value obj, const char *key, const char *s);
napi_value make_error(napi_env env, enum eb_op op, int err, const char *prefix);
napi_value throw_errno(napi_env env, enum eb_op op, int err);
napi_value throw_usage(napi_env env, const char *msg);
bool arg_i64(napi_env env, napi_value v, int64_t *out);
bool arg_u64(napi_env env, napi_value v, uint64_t *out);
bool arg_int(napi_env env, napi_value v, int *out);
bool arg_bytes(napi_env env, napi_value v, void **data, size_t *len);
bool is_nullish(napi_env env, napi_value v);
napi_value make_bigint(napi_env env, uint64_t v);
/* The emulator's message about this thread's last refused call (empty when none; emuload.c). */
void eb_emu_take_debug_message(char *out, size_t n);

/* Declares argc/argv and reads up to n arguments of the current callback. */
#define GET_ARGS(n)                                                       \
  size_t argc = (n);                                                      \
  napi_value argv[(n) > 0 ? (n) : 1];                                     \
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

/* JS-facing functions (mem.c, ioctls.c, fdpass.c). */
napi_value js_open(napi_env env, napi_callback_info info);
napi_value js_close(napi_env env, napi_callback_info info);
napi_value js_mmap(napi_env env, napi_callback_info info);
napi_value js_munmap(napi_env env, napi_callback_info info);
napi_value js_reserve_aligned(napi_env env, napi_callback_info info);
napi_value js_alloc_pages(napi_env env, napi_callback_info info);
napi_value js_address_of(napi_env env, napi_callback_info info);
napi_value js_touch_pages(napi_env env, napi_callback_info info);
napi_value js_create(napi_env env, napi_callback_info info);
napi_value js_init(napi_env env, napi_callback_info info);
napi_value js_add_pages(napi_env env, napi_callback_info info);
napi_value js_isgx_add_pages(napi_env env, napi_callback_info info);
napi_value js_isgx_init(napi_env env, napi_callback_info info);
napi_value js_ioctl_raw(napi_env env, napi_callback_info info);
napi_value js_noop(napi_env env, napi_callback_info info);
napi_value js_socketpair(napi_env env, napi_callback_info info);
napi_value js_send_fd(napi_env env, napi_callback_info info);
napi_value js_recv_fd(napi_env env, napi_callback_info info);
napi_value js_emu_enable(napi_env env, napi_callback_info info);
napi_value js_emu_stats(napi_env env, napi_callback_info info);

#endif
