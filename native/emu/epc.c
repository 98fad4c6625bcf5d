/*
 * The emulated EPC, shared by every process of a run: a file (one per top-level run; a memfd
 * when no file is configured) whose first page counts the EPC pages of every live enclave and
 * whose following slots are the EPC pages that hold enclave pages, each naming its owner
 * (enclave uid, page index). Models torvalds/linux arch/x86/kernel/cpu/sgx/main.c:
 *
 * - sgx_alloc_epc_page(): a free EPC page, or, when there is none (the capacity is reached),
 *   the reclaimer's victims first. sgx_reclaim_pages() takes the oldest pages at the head of
 *   the global sgx_active_page_list, EWBs them to the enclave's backing and frees their EPC
 *   pages; sgx_mark_page_reclaimable() puts each added (and each reloaded) page at its tail.
 *   The slots' active list is that list, across processes: a victim's owner learns of the
 *   eviction when it finds its slot naming another page (so no process has to reach the
 *   victim's enclave file).
 * - The fault path (encl.c sgx_vma_fault → sgx_encl_load_page → __sgx_encl_load_page →
 *   sgx_encl_eldu): an access to an evicted page allocates an EPC page, ELDUs the page back
 *   and marks it reclaimable again.
 *
 * The emulator's simplifications, as far as it cannot be the driver: one victim per page
 * needed (not a chunk of SGX_NR_TO_SCAN), no ksgxd (no background reclaim below a watermark),
 * no accessed-bit aging (sgx_reclaimer_age moves a recently accessed page to the tail instead
 * of evicting it: here the head is always evicted), the SECS and VA pages are never evicted
 * (the driver EWBs the SECS once its last child is evicted, sgx_reclaimer_write), and the
 * fault path reclaims itself: mainline's sgx_encl_eldu allocates with reclaim=false, gets
 * -EBUSY when no page is free and the fault retries while ksgxd reclaims; the emulator has no
 * ksgxd, so the faulting thread writes the victim back and spins its EWB, the wait that retry
 * stands for. For isgx (intel/linux-sgx-driver sgx_page_cache.c sgx_swap_pages) the victims
 * come from the same global list, where the driver picks a process and an enclave round-robin
 * (sgx_isolate_tgid_ctx, sgx_isolate_encl) and the oldest pages of that enclave's load_list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu.h"

#define VA_SLOTS 512

struct emu_epc *emu_epc;
static int epc_fd = -1;
static uint32_t mapped_slots; /* slots this process's mapping of the file covers */
static char epc_path[2048];

static size_t epc_file_bytes(uint64_t nslots) { return EMU_PAGE + ((nslots * sizeof(struct emu_slot) + EMU_PAGE - 1) / EMU_PAGE) * EMU_PAGE; }

/* Maps the file as large as it now is (another process may have grown it). The old mapping
 * stays: another thread may still read the counters through it (same file, same bytes). */
static int epc_map(void) {
  uint32_t n = emu_epc ? __atomic_load_n(&emu_epc->nslots, __ATOMIC_ACQUIRE) : 0;
  struct stat st;
  if (fstat(epc_fd, &st) != 0) return -1;
  if ((off_t)epc_file_bytes(n) > st.st_size) n = 0; /* (the file is grown before nslots is raised) */
  void *p = mmap(NULL, epc_file_bytes(n), PROT_READ | PROT_WRITE, MAP_SHARED, epc_fd, 0);
  if (p == MAP_FAILED) return -1;
  mapped_slots = n;
  __atomic_store_n(&emu_epc, (struct emu_epc *)p, __ATOMIC_RELEASE);
  return 0;
}

static struct emu_slot *slot(uint32_t i) { return (struct emu_slot *)((uint8_t *)emu_epc + EMU_PAGE) + (i - 1); }

/* The lock over the slots and lists (the kernel's sgx_reclaimer_lock and node->lock in one). A
 * holder that died (SIGKILL) is noticed after a long spin and its lock taken over. */
static void epc_lock(void) {
  uint64_t spins = 0;
  for (;;) {
    int32_t zero = 0;
    if (__atomic_compare_exchange_n(&emu_epc->lock, &zero, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) break;
    __builtin_ia32_pause();
    if (++spins % 64 == 0) sched_yield();
    if (spins % (1u << 20) == 0) {
      pid_t owner = __atomic_load_n(&emu_epc->lock_pid, __ATOMIC_RELAXED);
      if (owner > 0 && kill(owner, 0) != 0 && errno == ESRCH) __atomic_store_n(&emu_epc->lock, 0, __ATOMIC_RELEASE);
    }
  }
  __atomic_store_n(&emu_epc->lock_pid, (int32_t)getpid(), __ATOMIC_RELAXED);
  if (emu_epc->nslots > mapped_slots) epc_map(); /* on failure the slots beyond stay unused here */
}

static void epc_unlock(void) { __atomic_store_n(&emu_epc->lock, 0, __ATOMIC_RELEASE); }

/* ---- the lists (lock held) ---- */

static void unlink_active(uint32_t i) {
  struct emu_slot *s = slot(i);
  if (s->prev) slot(s->prev)->next = s->next;
  else emu_epc->active_head = s->next;
  if (s->next) slot(s->next)->prev = s->prev;
  else emu_epc->active_tail = s->prev;
  s->prev = s->next = 0;
}

/* sgx_mark_page_reclaimable(): list_add_tail to the active list */
static void mark_reclaimable(uint32_t i) {
  struct emu_slot *s = slot(i);
  s->next = 0;
  s->prev = emu_epc->active_tail;
  if (s->prev) slot(s->prev)->next = i;
  else emu_epc->active_head = i;
  emu_epc->active_tail = i;
}

/* sgx_free_epc_page(): back to the free list, owned by nobody */
static void free_slot(uint32_t i) {
  struct emu_slot *s = slot(i);
  s->uid = 0;
  s->prev = 0;
  s->next = emu_epc->free_head;
  emu_epc->free_head = i;
}

/* sgx_reclaim_pages(): the oldest page of the active list is written back (EWB) and its EPC
 * page freed. 0 when the list is empty (sgx_alloc_epc_page would then return -ENOMEM; the
 * emulator lets the count go over the capacity instead). */
static int evict_oldest(void) {
  uint32_t v = emu_epc->active_head;
  if (v == 0 || v > mapped_slots) return 0;
  unlink_active(v);
  free_slot(v);
  emu_epc->pages--;
  emu_epc->evictions++;
  return 1;
}

/* Room for n more pages: evicts while the EPC would go over its capacity. */
static int64_t make_room(int64_t n) {
  int64_t ev = 0;
  while (emu_epc->pages + n > emu_epc->capacity && evict_oldest()) ev++;
  emu_epc->pages += n;
  return ev;
}

/* A slot for a page make_room counted: the free list, a never-used slot, or one more victim. */
static uint32_t take_slot(int64_t *ev) {
  for (;;) {
    uint32_t i = emu_epc->free_head;
    if (i != 0 && i <= mapped_slots) {
      emu_epc->free_head = slot(i)->next;
      return i;
    }
    if (emu_epc->fresh < mapped_slots) return ++emu_epc->fresh;
    if (!evict_oldest()) return 0; /* every slot in use is off the list: cannot happen */
    emu_epc->pages++;              /* the victim left; the page make_room counted stays */
    ++*ev;
  }
}

static int resident(struct emu_encl *e, uint64_t idx) {
  uint32_t i = emu_slot_refs(e)[idx];
  return i != 0 && i <= mapped_slots && slot(i)->uid == e->uid && slot(i)->page == idx;
}

/* Gives page idx of e an EPC page at the tail of the active list (lock held). */
static int64_t place(struct emu_encl *e, uint64_t idx) {
  int64_t ev = make_room(1);
  uint32_t i = take_slot(&ev);
  if (i == 0) return ev; /* counted, not tracked: it is never evicted */
  struct emu_slot *s = slot(i);
  s->uid = e->uid;
  s->page = (uint32_t)idx;
  mark_reclaimable(i);
  emu_slot_refs(e)[idx] = i;
  return ev;
}

/* ---- the calls both drivers make ---- */

int64_t emu_epc_alloc(int64_t n) {
  epc_lock();
  int64_t ev = make_room(n);
  epc_unlock();
  return ev;
}

void emu_epc_free(int64_t n) {
  epc_lock();
  emu_epc->pages -= n;
  epc_unlock();
}

/* sgx_encl_add_page(): sgx_alloc_epc_page(.., reclaim = true), EADD, sgx_mark_page_reclaimable() */
int64_t emu_epc_alloc_page(struct emu_encl *e, uint64_t idx) {
  epc_lock();
  int64_t ev = place(e, idx);
  epc_unlock();
  return ev;
}

/* sgx_vma_fault → sgx_encl_load_page → __sgx_encl_load_page: a resident page (its slot still
 * names it) costs nothing more; an evicted one gets an EPC page (sgx_encl_eldu →
 * sgx_alloc_epc_page, evicting the oldest when the EPC is full: an EWB), is ELDUed back and
 * goes to the tail of the active list (sgx_mark_page_reclaimable). A page never added has no
 * entry (xa_load: -EFAULT, SIGBUS; the emulator raises no signal). Spins eldu, plus ewb per
 * victim, against one deadline for the range. */
int64_t emu_eldu_pages(struct emu_encl *e, uint64_t first, uint64_t n) {
  const uint8_t *pages = emu_pages(e);
  uint64_t deadline = emu_now_ns();
  int64_t loads = 0;
  for (uint64_t idx = first; idx < first + n && idx < e->npages; idx++) {
    if (!(__atomic_load_n(&pages[idx], __ATOMIC_ACQUIRE) & EMU_PG_PRESENT)) continue;
    epc_lock();
    if (resident(e, idx)) {
      epc_unlock();
      continue;
    }
    int64_t ev = place(e, idx);
    emu_epc->eldus++;
    epc_unlock();
    loads++;
    emu_charge(&deadline, e->costs.eldu + (uint64_t)ev * e->costs.ewb);
  }
  return loads;
}

/* sgx_encl_release(): every resident page's EPC page is freed (EREMOVE; an evicted page has
 * only its backing), and `other` pages more (the SECS and the VA pages). */
int64_t emu_epc_release(struct emu_encl *e, int64_t other) {
  const uint8_t *pages = emu_pages(e);
  int64_t held = 0;
  epc_lock();
  for (uint64_t idx = 0; idx < e->npages; idx++) {
    if (!(pages[idx] & EMU_PG_PRESENT) || !resident(e, idx)) continue;
    uint32_t i = emu_slot_refs(e)[idx];
    unlink_active(i);
    free_slot(i);
    held++;
  }
  emu_epc->pages -= held + other;
  epc_unlock();
  return held;
}

uint32_t emu_epc_new_uid(void) {
  uint32_t u;
  do u = __atomic_add_fetch(&emu_epc->next_uid, 1, __ATOMIC_ACQ_REL);
  while (u == 0);
  return u;
}

uint64_t emu_va_pages(uint64_t page_cnt) { return page_cnt == 0 ? 0 : (page_cnt + VA_SLOTS - 1) / VA_SLOTS; }

/* Opens (or, without a file, creates) the shared EPC and sets its capacity for the case being
 * run (every process of a case has the same); grows the slots to hold it. */
int emu_epc_attach(const char *file, int64_t capacity, char *err, size_t errlen) {
  if ((file[0] != '\0' && strcmp(file, epc_path) != 0) || epc_fd < 0) {
    int fd = file[0] != '\0' ? open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : memfd_create("eaddbench emulated EPC", MFD_CLOEXEC);
    struct emu_epc *was = emu_epc;
    struct stat st;
    /* never shrunk: other processes of the run may be using it */
    if (fd < 0 || fstat(fd, &st) != 0 || (st.st_size < (off_t)EMU_PAGE && ftruncate(fd, EMU_PAGE) != 0)) {
      snprintf(err, errlen, "emulator: cannot open the shared EPC file %s: %s", file[0] ? file : "(memfd)", strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    int old = epc_fd;
    epc_fd = fd;
    emu_epc = NULL;
    if (epc_map() != 0) {
      snprintf(err, errlen, "emulator: cannot map the shared EPC file %s: %s", file[0] ? file : "(memfd)", strerror(errno));
      close(fd);
      epc_fd = old;
      emu_epc = was;
      return -1;
    }
    if (old >= 0) close(old);
    snprintf(epc_path, sizeof epc_path, "%s", file);
  }
  uint64_t zero = 0;
  __atomic_compare_exchange_n(&emu_epc->magic, &zero, EMU_MAGIC, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  epc_lock();
  emu_epc->capacity = capacity;
  if ((uint64_t)capacity > emu_epc->nslots) {
    uint32_t n = capacity > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)capacity;
    if (ftruncate(epc_fd, (off_t)epc_file_bytes(n)) == 0) {
      emu_epc->nslots = n;
      epc_map();
    }
  }
  epc_unlock();
  return 0;
}
