/*
 * The system calls the binding makes on a device fd, as a table of function pointers. By default
 * they are libc's; the SGX driver emulator (native/emu, loaded by emuEnable) replaces them and
 * passes every call that is not about one of its emulated fds on to the previous entry. So the
 * binding's own code (argument conversion, the ADD loops, error reporting) runs unchanged
 * against the emulator; only the final call differs.
 */
#ifndef EADDBENCH_SYS_TABLE_H
#define EADDBENCH_SYS_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EB_SYS_TABLE_VERSION 2

struct eb_sys_table {
  int version;
  int (*open)(const char *path, int flags);
  int (*close)(int fd);
  long (*ioctl)(int fd, unsigned long request, void *arg);
  void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
  int (*munmap)(void *addr, size_t len);
  /* After a successful SCM_RIGHTS send of fd / after recvmsg delivered fd (may be NULL). */
  void (*fd_sent)(int fd);
  void (*fd_received)(int fd);
  /* Before touchPages reads [addr, addr + pages × 4 KiB): the fault an access to an enclave
   * mapping takes (the emulator ELDUs evicted pages; may be NULL). */
  void (*touch)(uint64_t addr, uint64_t pages);
};

/* The binding's table (native/src/sys.c). */
extern struct eb_sys_table eb_sys;

/* The emulator's entry point: saves the current entries as its fallbacks and installs its own.
 * config: "key=value;..." (see native/emu/emu.c). Returns 0, or -1 with a message in err. */
typedef int (*eb_emu_install_fn)(struct eb_sys_table *table, const char *config, char *err, size_t errlen);

/* Live emulated objects in this process and the shared EPC (for leak checks). */
struct eb_emu_stats {
  long enclave_fds;  /* emulated enclave fds open in this process */
  long mappings;     /* emulated enclave mappings in this process */
  long epc_pages;    /* EPC pages held by live enclaves (shared across processes) */
  long enclaves;     /* live enclaves (shared across processes) */
  long evictions;    /* EWBs so far (shared) */
  long eldus;        /* ELDUs so far (shared) */
};
typedef int (*eb_emu_stats_fn)(struct eb_emu_stats *out);

#endif
