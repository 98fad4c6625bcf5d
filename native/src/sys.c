/* The default system-call table: libc. emuEnable (emu.c in this directory's caller) swaps it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys_table.h"

static int libc_open(const char *path, int flags) { return open(path, flags); }
static int libc_close(int fd) { return close(fd); }
static long libc_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
static void *libc_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) { return mmap(addr, len, prot, flags, fd, off); }
static int libc_munmap(void *addr, size_t len) { return munmap(addr, len); }

struct eb_sys_table eb_sys = {EB_SYS_TABLE_VERSION, libc_open, libc_close, libc_ioctl, libc_mmap, libc_munmap, NULL, NULL, NULL};
