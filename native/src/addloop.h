/*
 * The add loops, free of N-API so they can be driven by a fake ioctl: the binding passes the
 * real ioctl(2), tests pass a function that returns partial counts, EINTR, EBUSY or ENOMEM.
 */
#ifndef EADDBENCH_ADDLOOP_H
#define EADDBENCH_ADDLOOP_H

#include <stddef.h>
#include <stdint.h>

/* Issues one ioctl. Same contract as ioctl(2): returns -1 and sets errno on failure; isgx may
 * also return a positive SGX error code. */
typedef long (*eb_issue_fn)(void *ctx, int fd, unsigned long request, void *arg);

/* Consecutive calls without progress (EINTR, or 0 with count 0) before giving up. */
#define EB_MAX_NO_PROGRESS 1000

struct eb_add_result {
  uint64_t bytes_done;     /* bytes fully added (EADD and EEXTEND done, mainline) or queued (isgx) */
  uint32_t calls;          /* ioctls issued */
  uint32_t eintr_retries;  /* calls that returned EINTR and were retried */
  int err;                 /* 0, or the errno that ended the loop */
  int sgx_code;            /* isgx: a positive SGX error code, else 0 */
  uint64_t bad_count;      /* mainline: a count the driver reported that cannot be right (err = EPROTO) */
};

/* Per-call latencies (ns, CLOCK_MONOTONIC) are written to lat[0..cap) when lat is not NULL, and
 * each call's start (CLOCK_MONOTONIC ns, the clock of process.hrtime) to start[0..start_cap)
 * when start is not NULL (traces). */
struct eb_latencies {
  double *lat;
  size_t cap;
  double *start;
  size_t start_cap;
};

/*
 * Mainline SGX_IOC_ENCLAVE_ADD_PAGES over [offset, offset+length), `batch` bytes per call
 * (0 = as much as the source allows). The source buffer [src, src+src_len) is reused cyclically
 * so a large enclave needs no source buffer of its own size. Loops on `count` (a signal after at
 * least one page returns 0 with a short count) and retries EINTR (a signal before the first page).
 * Returns 0 or the errno also stored in res->err.
 */
int eb_add_pages_loop(eb_issue_fn issue, void *ctx, int fd, unsigned long request, uint64_t src, uint64_t src_len,
                      uint64_t offset, uint64_t length, uint64_t secinfo, uint64_t flags, uint64_t batch,
                      struct eb_latencies lat, struct eb_add_result *res);

/*
 * isgx SGX_IOC_ENCLAVE_ADD_PAGE, one call per page from page `first_page` of the enclave at
 * `base`; page i's data comes from src + i*src_stride (stride 0: the same page every time).
 * Retries EINTR; stops on any other error or a positive SGX code (err = EIO then).
 */
int eb_isgx_add_page_loop(eb_issue_fn issue, void *ctx, int fd, unsigned long request, uint64_t base,
                          uint64_t first_page, uint64_t pages, uint64_t src, uint64_t src_stride, uint64_t secinfo,
                          uint16_t mrmask, struct eb_latencies lat, struct eb_add_result *res);

/* The real thing: ioctl(2). */
long eb_real_ioctl(void *ctx, int fd, unsigned long request, void *arg);

#endif
