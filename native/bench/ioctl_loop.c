/*
 * Baseline for the binding's per-call overhead: the same ioctl (SGX_IOC_ENCLAVE_ADD_PAGES on
 * the null device, which fails fast with ENOTTY) issued from a plain C loop.
 * Usage: ioctl_loop CALLS REPS [threaded]   → prints one line per rep: nanoseconds per call.
 *
 * With `threaded`, an idle second thread exists during the loop. The kernel looks up an fd
 * without touching the file's reference count only while a process has one thread, so a
 * single-threaded loop is faster than any ioctl from Node (which always has several threads);
 * the threaded loop isolates what the binding itself adds.
 */
#include <pthread.h>
#include <asm/sgx.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static void *idle(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (argc > 3) {
    pthread_t t;
    if (pthread_create(&t, NULL, idle, NULL) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    perror("open /dev/null");
    return 1;
  }
  for (int r = 0; r < reps; r++) {
    struct timespec a, b;
    long enotty = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < calls; i++) {
      if (ioctl(fd, SGX_IOC_ENCLAVE_ADD_PAGES, NULL) < 0 && errno == ENOTTY) enotty++;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (enotty != calls) {
      fprintf(stderr, "expected ENOTTY on every call, got %ld of %ld\n", enotty, calls);
      return 1;
    }
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    printf("%.3f\n", ns / (double)calls);
  }
  close(fd);
  return 0;
}
