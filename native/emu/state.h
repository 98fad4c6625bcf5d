/* The emulator's per-process tables (state.c), shared by the table entries (emu.c). */
#ifndef EMU_STATE_H
#define EMU_STATE_H

#include <sys/stat.h>

#include "emu.h"

#define MAX_FD 4096
#define MAX_MAPS 1024
#define MAX_REFS 1024

/*
 * This process's references to one enclave (like the kernel's references to its struct file):
 * each fd, each mapping and each ioctl in progress holds one. When the last goes, this process
 * stops holding the enclave; when no process holds it, it is released.
 */
struct eref {
  int used;
  dev_t dev;
  ino_t ino;
  struct emu_encl *hdr;
  size_t maplen;
  struct emu_encl *old; /* the mapping before ECREATE grew the file, unmapped with the last reference */
  size_t oldlen;
  int refs;
};
struct fdent {
  int used;
  dev_t dev;
  ino_t ino;
  struct eref *r;
};
struct mapent {
  int used;
  uint64_t addr, len;
  struct eref *r;
};
extern struct fdent emu_fds[MAX_FD];
extern struct mapent emu_maps[MAX_MAPS];
/* one past the highest slot of emu_maps ever used (lock held) */
extern int emu_maps_hi;

/* One lock over the tables; emu_unlock also runs the releases emu_put_ref deferred (EREMOVE
 * spins happen after the lock is let go). */
void emu_lock(void);
void emu_unlock(void);
/* The enclave behind fd (registering a new one), or NULL when fd is not an emulated enclave. */
struct fdent *emu_find_locked(int fd);
void emu_drop_fd(int fd);
void emu_put_ref(struct eref *r);
struct emu_encl *emu_map_file(int fd, size_t len);
void emu_clear_debug(void);
/* exit_files() and exit_mmap() of a process that ends: every reference it holds goes. */
void emu_exit(void);

#endif
