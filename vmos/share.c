// share.c: content-based page sharing (lab 4; VMware ESX's idea). Two ways a
// machine page comes to back more than one guest-physical page:
//  - the zero page: every page of a new VM is a read-only mapping of ONE host
//    page of zeros (vm_alloc), so memory a guest never writes costs the host
//    nothing; its first write takes a private zeroed copy;
//  - the scan (share_scan, the monitor's `share`): pages of any VMs with the
//    same contents (a hash of the page, then a full compare) become one machine
//    page mapped read-only into each, and the duplicates go back to the host.
// A shared page is read-only in every pmap that holds it (the pmap's read-only
// state, vm_pmap_pte), so every table the CPU uses maps it read-only
// (vm_gpa_perm) and a write reaches vm_gpa_page_write, which calls share_break
// here: the writer gets a private copy (or, the last user, the page itself).
// So no shared page is ever writable, by two VMs or by one. (A paged guest's
// shadow never maps the zero page: its first touch takes the copy, vm_gpa_perm,
// so that only a scanned page's copy may have to drop the whole shadow.)
// Who calls in: vm.c (alloc, the write path, freeing), monitor.c (`share`,
// `mem`), stats.c. Who is called: kalloc, the shadow's shadow_flush.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "memlayout.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

// Reference counts of shared machine pages (the zero page's aside), in a host
// table indexed by frame number: a directory of REF_DIR slots, each a page of
// REF_PER u16 counts made when the first frame of its 8 MiB is shared. Bounded
// by the direct map: MAXPHYS / 8 MiB = 128 pages (512 KiB) at most, 16 pages
// on a 128 MiB machine; a count of 0 means the frame is not shared (a private
// page, or the host's). A frame whose count is at REF_MAX takes no more pages.
#define REF_PER  (PGSIZE / sizeof(u16))                 // 2048 frames a table page
#define REF_DIR  ((MAXPHYS / PGSIZE + REF_PER - 1) / REF_PER)
#define REF_MAX  0xFFFF
static u16 *refs[REF_DIR];

// The scan's candidates: an open-addressed table of SCAN_SLOTS pages by hash,
// made afresh by each scan. Bounded: when it is full, later pages can still
// join a candidate but none becomes one (counted: share_table_full).
#define SCAN_SLOTS 8192                                 // 8192 x 16 bytes = 128 KiB
struct cand {
  u32 hash;
  u32 pa;                    // its machine page; 0: an empty slot
  u32 gpa;                   // where it is in the VM it was found in
  int vmid;
};
static struct cand table[SCAN_SLOTS];

static void *zero;           // the zero page (direct-map address)
uint share_zero_refs;        // guest pages on the zero page
uint share_frames;           // machine pages shared by the scan, the zero page aside
uint share_refs;             // guest pages on them
uint share_scans, share_merged, share_table_full;

static void
share_init(void)
{
  if (zero == 0 && (zero = kalloc()) == 0)
    panic("share: no memory for the zero page");
}

// The zero page's machine address.
u32
share_zero_pa(void)
{
  share_init();
  return V2P(zero);
}

// Guest-physical page gpa of vm (pmap entry *pte, which has no page) becomes
// a page of zeros that costs nothing until written: a new VM's every page
// (vm_alloc), or one a balloon hands back.
void
share_map_zero(struct vm *vm, pte_t *pte)
{
  *pte = share_zero_pa() | PTE_P;
  share_zero_refs++;
  vm->st.sh_pages++;
}

// The count of frame pa, or 0 if its table page could not be had (create).
static u16*
ref(u32 pa, int create)
{
  u32 f = pa / PGSIZE;
  u16 **t = &refs[f / REF_PER];
  if (*t == 0 && (!create || (*t = kalloc()) == 0))
    return 0;
  return &(*t)[f % REF_PER];
}

// A flat guest's fixed map at gpa says what the pmap says now (vm_make_flat's
// entry, with the pmap's frame and its W). A paged guest's tables the caller
// drops with shadow_flush.
static void
flat_fix(struct vm *vm, u32 gpa, pte_t pmap)
{
  if (vm->paged || vm->pgdir == 0)
    return;
  pte_t *pte = pt_walk(vm->pgdir, FLAT_BASE + gpa, 0);
  if (pte && (*pte & PTE_P))
    *pte = PTE_ADDR(pmap) | PTE_P | (*pte & PTE_U) | (pmap & PTE_W);
}

// A VM's write to guest-physical gpa, whose pmap entry *pte is read-only (a
// shared page): give it a page of its own there. The last user of a scanned
// page takes the page itself; anyone else gets a copy. Then no table the CPU
// uses may still lead to the old frame for this gpa: the flat map's entry is
// rewritten, a paged guest's shadow dropped whole if it may hold such a
// mapping (PTE_MAPPED_RO: vm_gpa_perm handed one out). The page, or 0 with
// the VM stopped: the host has no page for the copy.
void*
share_break(struct vm *vm, u32 gpa, pte_t *pte)
{
  u32 pa = PTE_ADDR(*pte);
  int mapped = (*pte & PTE_MAPPED_RO) != 0;
  u16 *r = pa == V2P(zero) ? 0 : ref(pa, 0);
  char *page;
  if (pa != V2P(zero) && (r == 0 || *r == 0))
    panic("share_break: VM %d's page 0x%x is read-only but not shared", vm->id, pa);
  if (r && *r == 1) {
    *r = 0;                          // the last user: no copy needed
    share_frames--;
    share_refs--;
    page = P2V(pa);
    vm->st.sh_owned++;
  } else {
    if ((page = kalloc()) == 0) {
      vm_stop(vm, "the host is out of memory for its own copy of guest-physical 0x%x "
              "(a shared page)", gpa);
      return 0;
    }
    if (r) {
      memmove(page, P2V(pa), PGSIZE);
      (*r)--;
      share_refs--;
    } else {
      share_zero_refs--;             // (kalloc's page is zeroed already)
      vm->st.sh_zero_copies++;
    }
    vm->st.sh_copies++;
  }
  vm->st.sh_pages--;
  *pte = V2P(page) | PTE_P | PTE_W;
  flat_fix(vm, gpa, *pte);
  if (vm->paged && mapped && page != P2V(pa))
    shadow_flush(vm);
  return page;
}

// The pmap entry *pte (read-only: a shared page) lets go of its page: one
// reference fewer, and the page goes back to the host with its last.
void
share_drop(struct vm *vm, pte_t *pte)
{
  u32 pa = PTE_ADDR(*pte);
  vm->st.sh_pages--;
  if (pa == V2P(zero)) {
    share_zero_refs--;
    return;
  }
  u16 *r = ref(pa, 0);
  if (r == 0 || *r == 0)
    panic("share_drop: VM %d's page 0x%x is read-only but not shared", vm->id, pa);
  share_refs--;
  if (--*r == 0) {
    share_frames--;
    kfree(P2V(pa));
  }
}

// ---- the scan ----

static u32
page_hash(const u32 *w)
{
  u32 h = 2166136261u;               // FNV-1a, a word at a time
  for (int i = 0; i < PGSIZE / 4; i++)
    h = (h ^ w[i]) * 16777619u;
  return h;
}

static int
page_zero(const u32 *w)
{
  for (int i = 0; i < PGSIZE / 4; i++)
    if (w[i])
      return 0;
  return 1;
}

// A page the host keeps a pointer into and writes without vm_gpa_page_write:
// its shared page with the guest and its disk ring. Never shared, or the host
// would write a page other VMs read.
static int
host_holds(struct vm *vm, u32 pa)
{
  return (vm->shared && V2P(PGROUNDDOWN((u32)vm->shared)) == pa) ||
         (vm->disk.ring && V2P(PGROUNDDOWN((u32)vm->disk.ring)) == pa);
}

static int
live(struct vm *vm)
{
  return vm->state != VM_FREE && vm->state != VM_STOPPED && vm->pmap;
}

// A direct-paging VM's own tables name machine frames (direct.c): the CPU
// would not see a page move, so none of its pages is ever shared.
static int
scannable(struct vm *vm)
{
  return live(vm) && vm->mmu != MMU_DIRECT;
}

// Every page of vm becomes its own (a direct-paging VM, before direct_init):
// 0, or -1 if the host had no memory for them all.
int
share_own_all(struct vm *vm)
{
  for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
    pte_t *pte = vm_pmap_pte(vm, gpa);
    if (pte && (*pte & PTE_P) && !(*pte & PTE_W) && share_break(vm, gpa, pte) == 0)
      return -1;
  }
  return 0;
}

// Guest page gpa of vm (entry *pte) now lives on machine page pa, read-only;
// its old page is let go. changed[] notes the paged VMs to flush.
static void
move_to(struct vm *vm, u32 gpa, pte_t *pte, u32 pa, u8 *changed)
{
  if (*pte & PTE_W) {
    kfree(P2V(PTE_ADDR(*pte)));
    vm->st.sh_pages++;
  } else {
    share_drop(vm, pte);
    vm->st.sh_pages++;
  }
  *pte = pa | PTE_P;
  if (pa == V2P(zero))
    share_zero_refs++;
  else {
    (*ref(pa, 0))++;
    share_refs++;
  }
  vm->st.sh_merged++;
  share_merged++;
  flat_fix(vm, gpa, *pte);
  changed[vm - vms] = 1;
}

// Make candidate c's page a shared one: its own pmap entry becomes read-only.
// 0 if it cannot be (its count's table page could not be had).
static int
cand_share(struct cand *c, u8 *changed)
{
  u16 *r = ref(c->pa, 1);
  if (r == 0)
    return 0;
  if (*r > 0)
    return *r < REF_MAX;             // shared already
  struct vm *vm = vm_byid(c->vmid);
  pte_t *pte = vm ? vm_pmap_pte(vm, c->gpa) : 0;
  if (pte == 0 || PTE_ADDR(*pte) != c->pa || !(*pte & PTE_W))
    panic("share: candidate 0x%x of VM %d changed during the scan", c->pa, c->vmid);
  *pte = c->pa | PTE_P;
  *r = 1;
  share_frames++;
  share_refs++;
  vm->st.sh_pages++;
  flat_fix(vm, c->gpa, *pte);
  changed[vm - vms] = 1;
  return 1;
}

// Scan every running VM's memory once and share what is the same. Prints what
// it merged when verbose. Returns the guest pages merged (machine pages freed).
int
share_scan(int verbose)
{
  static u8 changed[MAXVMS];
  share_init();
  if (!page_zero(zero))
    panic("share: the zero page is not zero any more");
  memset(table, 0, sizeof(table));
  memset(changed, 0, sizeof(changed));
  uint before = share_merged, zeros = 0, skipped = 0, full = 0, pages = 0;
  for (int i = 0; i < nvms; i++) {
    struct vm *vm = &vms[i];
    if (!scannable(vm))
      continue;
    for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
      pte_t *pte = vm_pmap_pte(vm, gpa);
      if (pte == 0 || !(*pte & PTE_P))
        continue;
      u32 pa = PTE_ADDR(*pte);
      if (pa == V2P(zero))
        continue;
      pages++;
      if (host_holds(vm, pa)) {
        skipped++;
        continue;
      }
      const u32 *w = P2V(pa);
      if ((*pte & PTE_W) && page_zero(w)) {
        move_to(vm, gpa, pte, V2P(zero), changed);
        zeros++;
        continue;
      }
      u32 h = page_hash(w), k = h % SCAN_SLOTS;
      struct cand *c = 0;
      for (int n = 0; n < SCAN_SLOTS; n++, k = (k + 1) % SCAN_SLOTS) {
        struct cand *s = &table[k];
        if (s->pa == 0 || s->pa == pa) {     // a free slot, or this very page
          c = s;
          break;
        }
        if (s->hash == h && memcmp(P2V(s->pa), w, PGSIZE) == 0) {
          c = s;
          break;
        }
      }
      if (c == 0) {                  // no match and no room
        full++;
        continue;
      }
      if (c->pa == pa)
        continue;                    // a page shared already, met again
      if (c->pa && cand_share(c, changed)) {
        move_to(vm, gpa, pte, c->pa, changed);
        continue;
      }
      *c = (struct cand){ h, pa, gpa, vm->id };  // a new candidate (or one in
    }                                            // place of one that takes no more)
  }
  for (int i = 0; i < nvms; i++)
    if (changed[i] && vms[i].paged && scannable(&vms[i]))
      shadow_flush(&vms[i]);         // no translation may still lead to a freed page
  share_scans++;
  share_table_full += full;
  uint merged = share_merged - before;
  if (verbose) {
    kprintf("share: scanned %u pages of %d VMs: merged %u (%u onto the zero page), "
            "skipped %u the host writes itself, %u found no room in the table\n", pages,
            nvms, merged, zeros, skipped, full);
    for (int i = 0; i < nvms; i++)
      if (live(&vms[i]))
        kprintf("share: VM %d (%s.%d): %u pages shared now, %u merged in all\n", vms[i].id,
                vms[i].name, vms[i].id, vms[i].st.sh_pages, vms[i].st.sh_merged);
    kprintf("share: machine pages saved %u\n", share_saved());
  }
  return merged;
}

// Machine pages that sharing saves now: guest pages on shared pages, less the
// shared pages themselves (the zero page is one, and there is always one).
uint
share_saved(void)
{
  uint r = share_refs + share_zero_refs, f = share_frames + 1;
  return r > f ? r - f : 0;
}

// The monitor's `mem`: what the running VMs were promised and what backs it.
void
share_mem(void)
{
  uint promised = 0, own = 0, onshared = 0, none = 0;
  for (int i = 0; i < nvms; i++) {
    struct vm *vm = &vms[i];
    if (!live(vm))
      continue;
    for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
      pte_t *pte = vm_pmap_pte(vm, gpa);
      promised++;
      if (pte == 0 || !(*pte & PTE_P))
        none++;
      else if (*pte & PTE_W)
        own++;
      else
        onshared++;
    }
  }
  kprintf("guest memory: %u pages promised to the running VMs, on %u machine pages "
          "(%u own, %u shared)\n", promised, own + share_frames + 1, own, share_frames + 1);
  kprintf("sharing: %u guest pages on shared pages (%u on the zero page), %u given back; "
          "machine pages saved %u (%u KiB)\n", onshared, share_zero_refs, none, share_saved(),
          share_saved() * 4);
  kprintf("sharing: %u scans merged %u pages; %u pages found the candidate table "
          "(%d slots) full\n", share_scans, share_merged, share_table_full, SCAN_SLOTS);
}
