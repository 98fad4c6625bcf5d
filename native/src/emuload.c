/* emuEnable(libraryPath, config) / emuStats(): loads the SGX driver emulator (native/emu) and
 * lets it take over the system-call table (sys_table.h). Loaded once per process; a later call
 * only passes the new configuration (costs for enclaves opened from then on). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "napi_util.h"
#include "sys_table.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *handle;
static eb_emu_stats_fn stats_fn;
static eb_emu_install_fn install_fn;
static int (*take_debug_fn)(char *out, size_t n);

void eb_emu_take_debug_message(char *out, size_t n) {
  if (n > 0) out[0] = '\0';
  if (take_debug_fn != NULL) take_debug_fn(out, n);
}

napi_value js_emu_enable(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  char lib[4096], config[4096];
  size_t n;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], lib, sizeof lib, &n) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], config, sizeof config, &n) != napi_ok)
    return throw_usage(env, "emuEnable(libraryPath, config): strings");
  char err[512] = "";
  pthread_mutex_lock(&lock);
  if (handle != NULL) {
    if (install_fn(&eb_sys, config, err, sizeof err) != 0 && err[0] == '\0') snprintf(err, sizeof err, "emuEnable: the emulator refused its configuration");
  } else {
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
      snprintf(err, sizeof err, "emuEnable: cannot load %s: %s", lib, dlerror());
    } else {
      eb_emu_install_fn install = (eb_emu_install_fn)dlsym(h, "eb_emu_install");
      eb_emu_stats_fn stats = (eb_emu_stats_fn)dlsym(h, "eb_emu_stats");
      if (install == NULL || stats == NULL) {
        snprintf(err, sizeof err, "emuEnable: %s has no eb_emu_install/eb_emu_stats", lib);
        dlclose(h);
      } else if (install(&eb_sys, config, err, sizeof err) != 0) {
        dlclose(h);
      } else {
        handle = h;
        stats_fn = stats;
        install_fn = install;
        take_debug_fn = (int (*)(char *, size_t))dlsym(h, "eb_emu_take_debug");
      }
    }
  }
  pthread_mutex_unlock(&lock);
  if (err[0] != '\0') return throw_usage(env, err);
  return NULL;
}

napi_value js_emu_stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o;
  if (stats_fn == NULL) {
    napi_get_null(env, &o);
    return o;
  }
  struct eb_emu_stats s;
  memset(&s, 0, sizeof s);
  stats_fn(&s);
  napi_create_object(env, &o);
  set_num(env, o, "enclaveFds", (double)s.enclave_fds);
  set_num(env, o, "mappings", (double)s.mappings);
  set_num(env, o, "epcPages", (double)s.epc_pages);
  set_num(env, o, "enclaves", (double)s.enclaves);
  set_num(env, o, "evictions", (double)s.evictions);
  set_num(env, o, "eldu", (double)s.eldus);
  return o;
}
