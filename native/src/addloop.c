/* The ADD_PAGES / ADD_PAGE loops (see addloop.h). Semantics of `count` follow the mainline
 * sgx_ioc_enclave_add_pages(): count = bytes fully added, copied back on success and error. */
#include "addloop.h"

#include <asm/sgx.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "isgx_abi.h"
#include "sys_table.h"

#define EB_PAGE 4096u

long eb_real_ioctl(void *ctx, int fd, unsigned long request, void *arg) {
  (void)ctx;
  return eb_sys.ioctl(fd, request, arg);
}

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void record(struct eb_latencies lat, uint32_t i, uint64_t t0, uint64_t t1) {
  if (lat.lat != NULL && i < lat.cap) lat.lat[i] = (double)(t1 - t0);
  if (lat.start != NULL && i < lat.start_cap) lat.start[i] = (double)t0;
}

/* One call of a loop: issued with errno cleared, its start and duration recorded at index
 * res->calls; the call's errno is left in *saved. */
static inline long timed_issue(eb_issue_fn issue, void *ctx, int fd, unsigned long request, void *arg,
                               struct eb_latencies lat, struct eb_add_result *res, int *saved) {
  uint64_t t0 = now_ns();
  errno = 0;
  long ret = issue(ctx, fd, request, arg);
  *saved = errno;
  record(lat, res->calls, t0, now_ns());
  res->calls++;
  return ret;
}

/* A call that failed for good: its errno (EIO when it set none or returned an SGX code), and the
 * SGX code of a positive return. */
static inline int failed(long ret, int saved, struct eb_add_result *res) {
  res->err = ret < 0 ? (saved != 0 ? saved : EIO) : EIO;
  if (ret > 0) res->sgx_code = (int)ret;
  return res->err;
}

int eb_add_pages_loop(eb_issue_fn issue, void *ctx, int fd, unsigned long request, uint64_t src, uint64_t src_len,
                      uint64_t offset, uint64_t length, uint64_t secinfo, uint64_t flags, uint64_t batch,
                      struct eb_latencies lat, struct eb_add_result *res) {
  memset(res, 0, sizeof *res);
  if (length % EB_PAGE != 0 || offset % EB_PAGE != 0 || src_len < EB_PAGE || src_len % EB_PAGE != 0 ||
      batch % EB_PAGE != 0) {
    res->err = EINVAL;
    return EINVAL;
  }
  uint32_t no_progress = 0;
  while (res->bytes_done < length) {
    uint64_t pos = res->bytes_done % src_len; /* where in the reused source buffer */
    uint64_t chunk = length - res->bytes_done;
    if (batch != 0 && chunk > batch) chunk = batch;
    if (chunk > src_len - pos) chunk = src_len - pos;

    struct sgx_enclave_add_pages arg = {
      .src = src + pos,
      .offset = offset + res->bytes_done,
      .length = chunk,
      .secinfo = secinfo,
      .flags = flags,
      .count = 0,
    };
    int saved;
    long ret = timed_issue(issue, ctx, fd, request, &arg, lat, res, &saved);

    /* A count beyond the call's length or not in whole pages means the argument was not what
     * the driver wrote back: stop rather than loop on garbage. */
    if (arg.count > chunk || arg.count % EB_PAGE != 0) {
      res->bad_count = arg.count;
      res->err = EPROTO;
      return EPROTO;
    }
    res->bytes_done += arg.count;

    if (ret == 0) {
      no_progress = arg.count == 0 ? no_progress + 1 : 0;
      if (no_progress >= EB_MAX_NO_PROGRESS) {
        res->err = EPROTO;
        return EPROTO;
      }
      continue; /* short count: a signal arrived after some pages; go on from count */
    }
    if (ret < 0 && saved == EINTR) {
      res->eintr_retries++;
      no_progress = arg.count == 0 ? no_progress + 1 : 0;
      if (no_progress >= EB_MAX_NO_PROGRESS) {
        res->err = EINTR;
        return EINTR;
      }
      continue;
    }
    return failed(ret, saved, res);
  }
  return 0;
}

int eb_isgx_add_page_loop(eb_issue_fn issue, void *ctx, int fd, unsigned long request, uint64_t base,
                          uint64_t first_page, uint64_t pages, uint64_t src, uint64_t src_stride, uint64_t secinfo,
                          uint16_t mrmask, struct eb_latencies lat, struct eb_add_result *res) {
  memset(res, 0, sizeof *res);
  uint64_t i = 0;
  uint32_t no_progress = 0;
  while (i < pages) {
    struct isgx_enclave_add_page arg = {
      .addr = base + (first_page + i) * EB_PAGE,
      .src = src + i * src_stride,
      .secinfo = secinfo,
      .mrmask = mrmask,
    };
    int saved;
    long ret = timed_issue(issue, ctx, fd, request, &arg, lat, res, &saved);
    if (ret == 0) {
      i++;
      res->bytes_done += EB_PAGE;
      no_progress = 0;
      continue;
    }
    if (ret < 0 && saved == EINTR && ++no_progress < EB_MAX_NO_PROGRESS) {
      res->eintr_retries++;
      continue;
    }
    if (ret < 0 && saved == EINTR) res->eintr_retries++;
    return failed(ret, saved, res);
  }
  return 0;
}
