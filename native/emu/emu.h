/* The SGX driver emulator's shared state: an enclave lives in a memfd (header page, one byte
 * per ELRANGE page, then one EPC-slot reference per ELRANGE page), so its fd is a real fd that
 * dup, fork and SCM_RIGHTS carry like the real driver's file; the EPC is a shared file (header
 * page, then one slot per EPC page) accounted by every process of the run (epc.c). */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../src/sys_table.h"
#include "sha256.h"

#define EMU_MAGIC 0x554d452d58475345ull /* "ESGX-EMU" */
#define EMU_PAGE 4096u
#define EMU_HDR_BYTES EMU_PAGE

/* encl flags (atomic), after the kernel's SGX_ENCL_* bits */
#define EMU_ENCL_IOCTL 0x1u
#define EMU_ENCL_CREATED 0x2u
#define EMU_ENCL_INITIALIZED 0x4u

/* page-array byte: present, page type, max prot (vm_max_prot_bits) */
#define EMU_PG_PRESENT 0x80u
#define EMU_PG_TCS 0x40u
#define EMU_PG_PROT 0x07u /* PROT_READ | PROT_WRITE | PROT_EXEC */

/* wall-clock costs (ns) of the emulated ENCLS leaves, from a model profile */
struct emu_costs {
  uint64_t ecreate, eadd, eextend, einit, eremove, ewb, eldu;
};

struct emu_encl {
  uint64_t magic;
  uint32_t driver; /* 1 mainline */
  uint32_t flags;  /* EMU_ENCL_* (atomic) */
  int32_t procs;   /* processes holding an fd (atomic) */
  int32_t in_flight; /* fds sent over a socket and not yet received (atomic) */
  uint32_t released;
  uint32_t ssaframesize;
  uint64_t base, size, npages;
  uint64_t attributes, xfrm;
  uint32_t miscselect;
  int32_t last_einit; /* the code of the last EINIT (pr_debug in the kernel) */
  uint64_t pages_added;
  struct emu_sha256 mr; /* running MRENCLAVE */
  struct emu_costs costs;
  char profile[64];
  uint32_t uid; /* the enclave's name in the shared EPC's slots (from emu_epc.next_uid at ECREATE) */
};

/* One EPC page that holds an enclave page (an sgx_epc_page with its owner): which enclave
 * (uid, 0 when free) and which of its pages; prev/next link it in the active (reclaimable)
 * list or the free list. Indices are slot number + 1, 0 = none. */
struct emu_slot {
  uint32_t uid, page, prev, next;
};

struct emu_epc {
  uint64_t magic;
  int64_t capacity; /* pages */
  int64_t pages;    /* EPC pages held by live enclaves: SECS, VA pages and resident enclave pages */
  int64_t enclaves;
  int64_t evictions; /* EWBs so far */
  int64_t eldus;     /* ELDUs so far */
  uint32_t next_uid;
  int32_t lock, lock_pid; /* the spinlock over the slots and the lists (epc.c) */
  uint32_t nslots;        /* slots the file holds (grows to the largest capacity configured) */
  uint32_t fresh;         /* slots [fresh, nslots) were never used */
  uint32_t free_head;
  uint32_t active_head, active_tail; /* sgx_active_page_list: oldest at the head */
};

/* state of this process (state.c; emu_epc and the install in emu.c) */
extern struct eb_sys_table emu_next; /* the calls the emulator falls back to */
extern struct emu_costs emu_costs;
extern char emu_profile[64];
/* a signal is pending before every Nth page mainline ADD_PAGES reaches (0: never; config signal_every) */
extern uint64_t emu_signal_every;
extern struct emu_epc *emu_epc;

uint64_t emu_now_ns(void);
/* Busy-waits until emu_now_ns() >= until (so the caller's wall clock measures the cost). */
void emu_spin_until(uint64_t until);
/* Charges `cost` ns against a deadline that runs over a whole ioctl (or a queue drain): spins
 * until *deadline += cost. A preemption of the emulating thread (a shared machine) is absorbed
 * by the spins that follow, so n pages take the sum of their costs whenever the emulator's own
 * work fits in them. */
void emu_charge(uint64_t *deadline, uint64_t cost);
/* copy_from_user / copy_to_user: -EFAULT when the range is not readable / writable. */
int emu_copy_from_user(void *dst, uint64_t src, size_t n);
int emu_copy_to_user(uint64_t dst, const void *src, size_t n);
/* Grows the enclave file to hold `npages` pages' state and remaps it; returns the new header or NULL. */
struct emu_encl *emu_resize(int fd, uint64_t npages);
/* Bytes of an enclave's state: header, page bytes, slot references (a memfd, or isgx's heap). */
size_t emu_encl_bytes(uint64_t npages);
uint8_t *emu_pages(struct emu_encl *e);
/* Per ELRANGE page: the shared EPC slot (+1) it was last given; resident only if that slot still names it. */
uint32_t *emu_slot_refs(struct emu_encl *e);
void emu_debug(const char *fmt, ...);

/* mainline.c: the /dev/sgx_enclave ioctls and mmap check. Return 0 or -errno. */
long emu_mainline_ioctl(int fd, struct emu_encl *e, unsigned long request, void *arg);
int emu_mainline_may_map(struct emu_encl *e, uint64_t start, uint64_t len, int prot, int flags);
void emu_release_pages(struct emu_encl *e);

/* The shared EPC both drivers use (epc.c). The allocations return the EWBs they took. */
int emu_epc_attach(const char *file, int64_t capacity, char *err, size_t errlen);
int64_t emu_epc_alloc(int64_t n); /* n pages the reclaimer never takes (SECS, VA pages) */
void emu_epc_free(int64_t n);
/* Page idx of e gets an EPC page and goes to the tail of the active list. */
int64_t emu_epc_alloc_page(struct emu_encl *e, uint64_t idx);
/* The fault path: ELDU of every added page in [first, first+n) that is evicted; returns how many. */
int64_t emu_eldu_pages(struct emu_encl *e, uint64_t first, uint64_t n);
/* At release: frees e's resident pages and `other` more; returns the resident pages freed. */
int64_t emu_epc_release(struct emu_encl *e, int64_t other);
uint32_t emu_epc_new_uid(void);
uint64_t emu_va_pages(uint64_t page_cnt);

/* ENCLS pieces both drivers use (encls.c; SDM constants in encls.h) */
const char *emu_ecreate_fault(const uint8_t *secs);
const char *emu_secinfo_problem(const uint8_t *si);
const char *emu_tcs_fault(const uint8_t *tcs);
void emu_measure_block(struct emu_encl *e, const char tag[8], uint64_t off, const uint8_t *tail, size_t tail_len);
int emu_einit(struct emu_encl *e, const uint8_t *sig);
const char *emu_einit_name(int code);

/* isgx.c: the out-of-tree driver (/dev/isgx): enclaves bound to a VMA of the process. */
long emu_isgx_ioctl(unsigned long request, void *arg);
int emu_isgx_mmap(void *addr, size_t len, int prot, int flags, void **out);
void emu_isgx_munmap(uint64_t addr, uint64_t len);
long emu_isgx_vmas(void);

#endif
