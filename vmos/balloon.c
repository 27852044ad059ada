// balloon.c: ballooning (lab 4, issue 11 item 4): a guest's balloon driver
// gives free pages of its memory back to the host, which puts them back in its
// own allocator (kalloc) for other VMs, and takes pages back when the host has
// memory for them again. The host asks through the shared page's
// balloon_target (the monitor's `balloon N SIZE`, balloon_set_target); the
// guest decides what to give and calls HC_BALLOON (vmos/abi.h, "Ballooning";
// hcall.c dispatches here).
//
// Where a given page stands: its vm->pmap entry has no PTE_P and is marked
// PMAP_GIVEN (vm.h), so vm_gpa_page() finds no page there. Every way the guest
// could reach it afterwards then ends in a stop, not in someone else's memory:
// a paged guest's shadow is flushed when it gives, and refilling it finds no
// page (shadow_fault stops the VM); a flat guest's fixed map loses the entry,
// and its fault stops it (vm_flat_fault). The host's own reads and writes of
// guest memory (vm_copyin/out) fail there with E_FAULT.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "memlayout.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

static u32 batch[BALLOON_BATCH];     // the guest's array, copied in (one hypercall
                                     // at a time: the host runs on one CPU, IF=0)

// Does the host itself use the machine page behind this pmap entry? The shared
// page and the disk ring are pointers the host keeps into the VM's memory: a
// guest that gave one back would have the host write a page kalloc has handed
// to someone else (another VM's memory, a page table).
static int
host_uses(struct vm *vm, pte_t pte)
{
  u32 pa = PTE_ADDR(pte);
  return (vm->shared && !vm->own_shared && V2P(vm->shared) == pa) ||
         (vm->disk.ring && PGROUNDDOWN(V2P(vm->disk.ring)) == pa);
}

// Check the whole batch before anything is done, so that a refused call
// changes nothing: every address a page of the VM's memory, none twice (each
// entry is marked while the batch is checked), each one the VM holds (give)
// or gave earlier (take). 0 or an E_* code.
static int
check(struct vm *vm, int give, u32 n)
{
  int r = 0;
  u32 i;
  for (i = 0; i < n && r == 0; i++) {
    pte_t *pte = (batch[i] & (PGSIZE - 1)) ? 0 : vm_pmap_pte(vm, batch[i]);
    if (pte == 0 || (*pte & PMAP_MARK))
      r = E_INVAL;                   // not a page of its memory, or twice in the batch
    else if (give && !(*pte & PTE_P))
      r = E_INVAL;                   // it has no page there: given already
    else if (give && host_uses(vm, *pte))
      r = E_PERM;
    else if (!give && !(*pte & PMAP_GIVEN))
      r = E_INVAL;                   // a page it never gave (or took back already)
    else
      *pte |= PMAP_MARK;
  }
  u32 marked = r == 0 ? n : i - 1;
  for (u32 j = 0; j < marked; j++)
    *vm_pmap_pte(vm, batch[j]) &= ~PMAP_MARK;
  return r;
}

// The entry of a flat guest's fixed map (vm_make_flat) for guest-physical gpa.
static pte_t*
flat_pte(struct vm *vm, u32 gpa)
{
  return pt_walk(vm->pgdir, FLAT_BASE + gpa, 0);
}

static int
give(struct vm *vm, u32 n)
{
  // First no CPU mapping may lead to the pages: the shadow is rebuilt on the
  // guest's next accesses; a flat guest's map loses just these entries. (The
  // world switch back into the guest reloads CR3: no stale TLB entry.)
  if (vm->paged)
    shadow_flush(vm);
  uint free0 = kalloc_free_pages();
  for (u32 i = 0; i < n; i++) {
    if (!vm->paged) {
      pte_t *fpte = flat_pte(vm, batch[i]);
      if (fpte)
        *fpte = 0;
    }
    if (vm_gpa_free(vm, batch[i]) < 0)
      panic("balloon: VM %d's page 0x%x went between check and give", vm->id, batch[i]);
    *vm_pmap_pte(vm, batch[i]) = PMAP_GIVEN;
  }
  vm->balloon_pages += n;
  vm->st.balloon_given += n;
  vm->st.balloon_freed += kalloc_free_pages() - free0;
  return n;
}

// Pages come back as the zero page (share.c): a page the guest takes back
// costs the host nothing until the guest writes it (then it gets its own copy,
// as any untouched page of a VM does).
static int
take(struct vm *vm, u32 n)
{
  for (u32 i = 0; i < n; i++) {
    u32 gpa = batch[i];
    pte_t *pte = vm_pmap_pte(vm, gpa);
    if (!vm->paged) {
      u32 va = FLAT_BASE + gpa;
      pte_t *fpte = pt_walk(vm->pgdir, va, 1);
      if (fpte == 0) {               // the host is out of memory: the rest later
        vm->balloon_pages -= i;
        vm->st.balloon_taken += i;
        vm->st.balloon_short += n - i;
        return i;
      }
      *fpte = share_zero_pa() | PTE_P | (va >= FLAT_USER ? PTE_U : 0);   // as vm_make_flat
    }
    *pte = 0;
    share_map_zero(vm, pte);         // (a paged guest's shadow fills itself on a fault)
  }
  vm->balloon_pages -= n;
  vm->st.balloon_taken += n;
  return n;
}

static int
call(struct vm *vm, u32 op, u32 gva, u32 n)
{
  if (vm->mmu == MMU_DIRECT)
    return E_PERM;                   // direct paging: its pinned tables may map the
                                     // page, and direct.c does not count read-only
                                     // mappings yet (no balloon for it, driver off)
  if (op == BALLOON_HELLO) {
    vm->balloon_driver = 1;
    return 0;
  }
  if ((op != BALLOON_GIVE && op != BALLOON_TAKE) || n == 0 || n > BALLOON_BATCH)
    return E_INVAL;
  // More than it holds (give) or has given (take) is refused before the
  // entries are even read.
  u32 held = vm->mem_size / PGSIZE - vm->balloon_pages;
  if ((op == BALLOON_GIVE && n > held) || (op == BALLOON_TAKE && n > vm->balloon_pages))
    return E_INVAL;
  if (vm_copyin(vm, batch, gva, n * sizeof(batch[0])) < 0)
    return E_FAULT;
  int r = check(vm, op == BALLOON_GIVE, n);
  if (r < 0)
    return r;
  return op == BALLOON_GIVE ? give(vm, n) : take(vm, n);
}

// HC_BALLOON (hcall.c): ebx=op, ecx=the array, edx=its length.
int
hv_balloon(struct vm *vm, u32 op, u32 gva, u32 n)
{
  int r = call(vm, op, gva, n);
  if (r < 0)
    vm->st.balloon_refused++;
  return r;
}

// The operator's `balloon N SIZE` (monitor.c checks the arguments): the guest
// reads it at its next timer tick. Kept here too, for a shared page set later.
int
balloon_set_target(struct vm *vm, u32 bytes)
{
  vm->balloon_target = bytes;
  if (vm->shared && !vm->own_shared)
    vm->shared->balloon_target = bytes;
  return 0;
}

// Did vm give guest-physical page gpa back? (vm_flat_fault: a stop, then.)
int
balloon_gave(struct vm *vm, u32 gpa)
{
  pte_t *pte = vm_pmap_pte(vm, PGROUNDDOWN(gpa));
  return pte && !(*pte & PTE_P) && (*pte & PMAP_GIVEN);
}

// Pages the running VMs have given back: machine pages the host has for
// others (monitor `mem`). A stopped VM's memory went back whole.
uint
balloon_pages_out(void)
{
  uint n = 0;
  for (int i = 0; i < nvms; i++)
    if (vms[i].state != VM_FREE && vms[i].state != VM_STOPPED)
      n += vms[i].balloon_pages;
  return n;
}
