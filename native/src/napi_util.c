/* N-API helpers: error objects that name the call and errno, and argument conversion. */
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


void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

/* Builds the Error: message "OP: ENAME (hint)" (prefix for context such as a path), code,
 * errno, syscall. Returns it so callers can add fields before throwing. */
napi_value make_error(napi_env env, enum eb_op op, int err, const char *prefix) {
  char msg[512], body[384], nb[16];
  eb_format(body, sizeof body, op, err);
  char emu[320] = "";
  eb_emu_take_debug_message(emu, sizeof emu);
  if (prefix != NULL) snprintf(msg, sizeof msg, "%s%s", prefix, body);
  else snprintf(msg, sizeof msg, "%s", body);
  /* The emulator's reason (the kernel's pr_debug), when an emulated call was refused. */
  if (emu[0] != '\0') snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " [%s]", emu);
  napi_value m, c, e;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, eb_errno_name(err, nb, sizeof nb), NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  set_num(env, e, "errno", err);
  set_str(env, e, "syscall", eb_op_name(op));
  if (emu[0] != '\0') set_str(env, e, "emulator", emu);
  return e;
}

napi_value throw_errno(napi_env env, enum eb_op op, int err) {
  napi_throw(env, make_error(env, op, err, NULL));
  return NULL;
}

napi_value throw_usage(napi_env env, const char *msg) {
  napi_throw_type_error(env, "EARG", msg);
  return NULL;
}

/* ---- argument helpers ---- */

bool arg_i64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_number) return napi_get_value_int64(env, v, out) == napi_ok;
  if (t == napi_bigint) {
    bool lossless;
    return napi_get_value_bigint_int64(env, v, out, &lossless) == napi_ok;
  }
  return false;
}

bool arg_u64(napi_env env, napi_value v, uint64_t *out) {
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

bool arg_int(napi_env env, napi_value v, int *out) {
  int64_t x;
  if (!arg_i64(env, v, &x) || x < INT32_MIN || x > INT32_MAX) return false;
  *out = (int)x;
  return true;
}

/* Data pointer and length of a Buffer, TypedArray, DataView or ArrayBuffer. */
bool arg_bytes(napi_env env, napi_value v, void **data, size_t *len) {
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

bool is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null;
}

napi_value make_bigint(napi_env env, uint64_t v) {
  napi_value r;
  napi_create_bigint_uint64(env, v, &r);
  return r;
}
