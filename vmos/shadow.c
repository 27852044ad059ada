// shadow.c: shadow paging for paged guests (xv6a; design.md section 4, issue 4).
// A paged guest keeps its own page tables in its guest-physical memory and loads
// them with HC_SET_PGDIR. The CPU never sees them: it runs the guest on the
// shadow (vm->pgdir), which the host fills lazily. A page fault the guest's tables
// explain is a *hidden* fault: the host copies the translation into the shadow,
// with the machine page for the guest-physical one, and the guest never knows.
// Any other fault is the guest's own and is reflected to it (sched.c).
//
// Policy for keeping shadows: one shadow per VM, behaving like an x86 TLB with
// global pages on (CR4.PGE). A guest page-directory load (its context switch)
// empties it except for translations the guest marked global (PTE_G): the guest
// promises those are the same in every address space, as x86 lets a CPU keep
// them across a CR3 load. HC_FLUSH_TLB empties it all, HC_INVLPG drops one
// entry, global or not, as the instructions do. Nothing else is kept: a guest
// may change page tables that are not loaded without telling anyone, so a
// shadow kept for another guest address space could be stale. The price is
// counted: hidden faults per guest context switch (`stats`, `make bench`).
// xv6a marks its kernel's mappings global, so a process switch costs only the
// refills of the process's own pages.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define SPTE_GLOBAL 0x200   // a software bit of the shadow entry: from a global one
#define WALK_NONE (-1)   // the guest's tables map nothing there
#define WALK_BAD  (-2)   // the guest's tables point outside its memory

// The bitmaps of shadow page-table slots (vm->sh_global, vm->sh_local).
static void bit_set(u32 *b, int i) { b[i / 32] |= 1u << (i % 32); }
static int  bit_get(u32 *b, int i) { return (b[i / 32] >> (i % 32)) & 1; }

// Read a 32-bit word of guest-physical memory (a page-table entry).
static int
gpa_read32(struct vm *vm, u32 gpa, u32 *v)
{
  u32 *page = vm_gpa_page(vm, PGROUNDDOWN(gpa));
  if (page == 0)
    return -1;
  *v = page[(gpa & (PGSIZE - 1)) / 4];
  return 0;
}

// Walk the guest's own page tables for va. On success *gpte is the effective
// entry: the guest-physical frame with P and the U and W bits that both levels
// grant. Every frame is checked against the VM's memory: a hostile guest could
// otherwise have the host map (and so give it) any machine page.
static int
guest_walk(struct vm *vm, u32 va, u32 *gpte, u32 *bad)
{
  if (va >= SWITCHER_BASE)
    return WALK_NONE;                // never the guest's, whatever its tables say
  if (vm->gcr3 == GCR3_BOOT) {       // the boot mapping, before its first pgdir
    if (va - GUEST_KERNBASE >= vm->mem_size)
      return WALK_NONE;
    *gpte = PGROUNDDOWN(va - GUEST_KERNBASE) | PTE_P | PTE_W;
    return 0;
  }
  u32 pde, pte;
  if (gpa_read32(vm, vm->gcr3 + PDX(va) * 4, &pde) < 0)
    return WALK_NONE;
  if (!(pde & PTE_P))
    return WALK_NONE;
  if (pde & PTE_PS) {                // a 4 MiB page
    u32 frame = (pde & 0xFFC00000) + (va & 0x003FF000);
    *bad = frame;
    if (frame >= vm->mem_size)
      return WALK_BAD;
    *gpte = frame | PTE_P | (pde & (PTE_U | PTE_W | PTE_G));
    return 0;
  }
  *bad = PTE_ADDR(pde);
  if (PTE_ADDR(pde) >= vm->mem_size)
    return WALK_BAD;
  if (gpa_read32(vm, PTE_ADDR(pde) + PTX(va) * 4, &pte) < 0 || !(pte & PTE_P))
    return WALK_NONE;
  *bad = PTE_ADDR(pte);
  if (PTE_ADDR(pte) >= vm->mem_size)
    return WALK_BAD;
  *gpte = PTE_ADDR(pte) | PTE_P | (pde & pte & (PTE_U | PTE_W)) | (pte & PTE_G);
  return 0;
}

// For the host's own accesses on the guest kernel's behalf (hypercall pointers,
// frames on its stack): what gva means to the guest kernel right now.
int
shadow_translate(struct vm *vm, u32 gva, int write, u32 *gpa)
{
  u32 g, bad;
  if (guest_walk(vm, gva, &g, &bad) < 0 || (write && !(g & PTE_W)))
    return -1;
  *gpa = PTE_ADDR(g) | (gva & (PGSIZE - 1));
  return 0;
}

// A page fault at va (error code *err) while the paged guest vm ran.
// Returns 1 if the shadow now has the translation (a hidden fault), 0 if the
// fault is the guest's own (reflect it, with *err as the guest's own tables
// would have made it: P set when they map the page), -1 if the VM was stopped.
int
shadow_fault(struct vm *vm, u32 va, u32 *errp)
{
  u32 err = *errp;
  if (va >= SWITCHER_BASE) {
    // A process touching the region gets what x86 gives it there: a fault
    // for its kernel (the guest's tables map nothing there). Its kernel
    // touching it would be writing the host's pages, or a bug: stop it.
    if (err & PF_U) {
      *errp = err & ~PF_P;
      return 0;
    }
    vm_stop(vm, "page fault at 0x%x in the switcher region (%s in ring %d)", va,
            (err & PF_W) ? "write" : "read", (err & PF_U) ? 3 : 1);
    return -1;
  }
  u32 g, bad = 0;
  int r = guest_walk(vm, va, &g, &bad);
  if (r == WALK_BAD) {
    vm->st.refused_ptes++;
    vm_stop(vm, "its page table maps 0x%x to 0x%x, outside its memory (%u KiB)", va, bad,
            vm->mem_size / 1024);
    return -1;
  }
  if (r == WALK_NONE)
    return 0;
  if (((err & PF_U) && !(g & PTE_U)) || ((err & PF_W) && !(g & PTE_W))) {
    *errp = err | PF_P;              // the guest's tables map it: a protection fault
    return 0;                        // a process touching its kernel's pages, or a
  }                                  // write the guest itself forbids
  // The machine page, and what the pmap lets the CPU do with it: a page it
  // may only read as it is (shared) is mapped read-only until a write.
  u32 gpa = PTE_ADDR(g), perm = vm_gpa_perm(vm, gpa, g & (PTE_U | PTE_W));
  void *page = vm_gpa_page(vm, gpa);
  if (page == 0) {
    vm_stop(vm, "it touched guest-physical 0x%x at 0x%x, a page it gave back to the host",
            gpa, va);
    return -1;
  }
  if ((err & PF_W) && !(perm & PTE_W)) {
    if ((page = vm_gpa_page_write(vm, gpa)) == 0) {
      vm_stop(vm, "the host has no memory for its own copy of guest-physical 0x%x", gpa);
      return -1;
    }
    perm |= PTE_W;
  }
  pte_t *spte = pt_walk(vm->pgdir, va, 1);
  if (spte == 0) {
    vm_stop(vm, "the host is out of memory for its shadow page tables");
    return -1;
  }
  *spte = V2P(page) | PTE_P | perm | ((g & PTE_G) ? SPTE_GLOBAL : 0);
  bit_set((g & PTE_G) ? vm->sh_global : vm->sh_local, PDX(va));
  if (!(g & PTE_G)) {
    if (vm->sh_nlog < SHADOW_LOG)
      vm->sh_log[vm->sh_nlog++] = spte;
    else
      vm->sh_nlog = SHADOW_LOG + 1;
  }
  vm->st.hidden_faults++;
  return 1;
}

// Forget every translation (the next accesses fault and refill).
void
shadow_flush(struct vm *vm)
{
  pd_free_tables(vm->pgdir, 0);
  vm->sh_nlog = 0;
  memset(vm->sh_global, 0, sizeof(vm->sh_global));
  memset(vm->sh_local, 0, sizeof(vm->sh_local));
  vm->st.shadow_flushes++;
}

// The guest loaded a page directory: forget all but the global translations.
// Usually few local ones were made since the last load (a process's stack and
// code pages) and the log says where: clear just those. Otherwise the bitmaps
// say which shadow page tables hold which kind, so a table of only local
// entries is freed whole and a table of only global ones (the guest kernel's)
// is not even read.
void
shadow_new_pgdir(struct vm *vm)
{
  if (vm->sh_nlog <= SHADOW_LOG) {
    for (int i = 0; i < vm->sh_nlog; i++)
      *vm->sh_log[i] = 0;
    vm->sh_nlog = 0;
    memset(vm->sh_local, 0, sizeof(vm->sh_local));
    return;
  }
  vm->sh_nlog = 0;
  for (int w = 0; w < NELEM(vm->sh_local); w++) {
    for (u32 bits = vm->sh_local[w]; bits; bits &= bits - 1) {
      int i = w * 32 + __builtin_ctz(bits);
      pte_t *pt = P2V(PTE_ADDR(vm->pgdir[i]));
      if (!bit_get(vm->sh_global, i)) {
        kfree(pt);
        vm->pgdir[i] = 0;
        continue;
      }
      for (int j = 0; j < NPTENTRIES; j++)
        if (!(pt[j] & SPTE_GLOBAL))
          pt[j] = 0;
    }
    vm->sh_local[w] = 0;
  }
}

void
shadow_invlpg(struct vm *vm, u32 va)
{
  if (va >= SWITCHER_BASE)
    return;
  pte_t *spte = pt_walk(vm->pgdir, va, 0);
  if (spte)
    *spte = 0;
}
