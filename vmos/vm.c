// vm.c: virtual machine objects and their memory.
// A VM's memory is machine pages from kalloc, known to the host by
// guest-physical address in vm->pmap (a page directory indexed by guest-physical
// address, never loaded into CR3). What the CPU runs the guest with is
// vm->pgdir: for a flat guest (mini) a fixed map of its memory at FLAT_BASE, for
// a paged guest (xv6a) the shadow of its own page tables (shadow.c). Its own
// view of the switcher region is mapped too (switcher.c); nothing else, so a guest reaches no host
// memory. Everything the host reads or writes in guest memory goes through
// vm_copyin/vm_copyout, which translate and check every page.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

struct vm vms[MAXVMS];
int nvms;

static const char *statenames[] = {
  [VM_FREE] "free", [VM_RUNNABLE] "runnable", [VM_BLOCKED] "blocked",
  [VM_PAUSED] "paused", [VM_STOPPED] "stopped",
};

const char*
vm_state_name(int state)
{
  return statenames[state];
}

struct vm*
vm_byid(int id)
{
  if (id < 1 || id > nvms || vms[id - 1].state == VM_FREE)
    return 0;
  return &vms[id - 1];
}

// Free every page table of a page directory (not the switcher's, which is
// shared) and, with pages, the pages they map.
void
pd_free_tables(pde_t *pd, int pages)
{
  for (int i = 0; i < NPDENTRIES; i++) {
    if (i == PDX(SWITCHER_BASE) || !(pd[i] & PTE_P))
      continue;
    pte_t *pt = P2V(PTE_ADDR(pd[i]));
    for (int j = 0; pages && j < NPTENTRIES; j++)
      if (pt[j] & PTE_P)
        kfree(P2V(PTE_ADDR(pt[j])));
    kfree(pt);
    pd[i] = 0;
  }
}

// Give back a VM's memory: its own pages to the allocator, its references to
// shared pages to share.c (the page goes back with its last), then the pmap's
// tables.
static void
pmap_free(struct vm *vm)
{
  for (int i = 0; i < NPDENTRIES; i++) {
    if (!(vm->pmap[i] & PTE_P))
      continue;
    pte_t *pt = P2V(PTE_ADDR(vm->pmap[i]));
    for (int j = 0; j < NPTENTRIES; j++) {
      if (!(pt[j] & PTE_P))
        continue;
      if (pt[j] & PTE_W)
        kfree(P2V(PTE_ADDR(pt[j])));
      else
        share_drop(vm, &pt[j]);
      pt[j] = 0;
    }
  }
  pd_free_tables(vm->pmap, 0);
}

static void
vm_free_memory(struct vm *vm)
{
  fpu_forget(vm);
  sw_vm_free(vm);
  direct_free(vm);                    // its frames are nobody's in M2P again
  if (vm->own_shared) {               // a trap-mode VM's: the host's page
    kfree(vm->own_shared);
    vm->own_shared = 0;
    vm->shared = 0;
  }
  if (vm->pmap) {
    pmap_free(vm);                    // the VM's memory itself
    kfree(vm->pmap);
    vm->pmap = 0;
  }
  shadow_free(vm);                    // a paged guest's kept shadows (shadow.c)
  if (vm->pgdir) {
    pd_free_tables(vm->pgdir, 0);     // a flat guest's tables, or the shadow's
    kfree(vm->pgdir);
    vm->pgdir = 0;
  }
}

// A new VM with mem_size bytes of zeroed memory, or 0 (and why, printed).
// Zeroed lazily: each page is the host's zero page until the guest writes it.
// Its memory is known to the host by guest-physical address (vm->pmap); how the
// guest sees it is decided when its image is loaded (vm_make_flat or shadow).
struct vm*
vm_alloc(const char *name, u32 mem_size)
{
  if (nvms == MAXVMS) {
    kprintf("vmos: no room for VM '%s': at most %d VMs\n", name, MAXVMS);
    return 0;
  }
  struct vm *vm = &vms[nvms];
  memset(vm, 0, sizeof(*vm));
  vm->id = nvms + 1;
  safestrcpy(vm->name, name, sizeof(vm->name));
  vm->mem_size = PGROUNDUP(mem_size);
  vm->disk.drive = -1;
  // Memory is promised, not handed out (share.c), so VMs together may be
  // promised more than the machine has; but never one VM more than all of it,
  // which it could never have once it wrote every page.
  if (vm->mem_size / PGSIZE > kalloc_total_pages()) {
    kprintf("vmos: not enough memory for VM %d (%s): %u KiB asked, %u KiB free; one VM is "
            "never promised more than the machine's %u KiB\n", vm->id, name, mem_size / 1024,
            kalloc_free_pages() * 4, kalloc_total_pages() * 4);
    return 0;
  }
  vm->pmap = kalloc();
  vm->pgdir = kalloc();
  if (vm->pmap == 0 || vm->pgdir == 0 || sw_vm_init(vm) < 0)
    goto nomem;
  // Every page starts on the zero page, read-only (share.c): memory the
  // guest never writes costs the host only the pmap's own tables.
  for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
    pte_t *pte = pt_walk(vm->pmap, gpa, 1);
    if (pte == 0)
      goto nomem;
    share_map_zero(vm, pte);
  }
  vm->cr3 = V2P(vm->pgdir);
  vm->idt_dirty = 1;
  vm->state = VM_RUNNABLE;
  nvms++;
  return vm;

nomem:
  vm_free_memory(vm);               // first, so that "free" counts what it held
  kprintf("vmos: not enough memory for VM %d (%s): %u KiB asked, %u KiB free\n",
          vm->id, name, mem_size / 1024, kalloc_free_pages() * 4);
  return 0;
}

// The entry of vm->pmap for guest-physical page gpa, or 0. Its states:
//   PTE_P and PTE_W: a machine page of the VM's own;
//   PTE_P alone:     a machine page it may only read as it is (page sharing
//                    makes them): every mapping the CPU uses for it is
//                    read-only, and a write goes through vm_gpa_page_write;
//   no PTE_P:        no machine page (one the guest gave back to the host).
pte_t*
vm_pmap_pte(struct vm *vm, u32 gpa)
{
  if (gpa >= vm->mem_size || vm->pmap == 0)
    return 0;
  return pt_walk(vm->pmap, gpa, 0);
}

// The machine page (direct-map address) behind guest-physical gpa, or 0:
// for reading it.
void*
vm_gpa_page(struct vm *vm, u32 gpa)
{
  pte_t *pte = vm_pmap_pte(vm, gpa);
  return (pte && (*pte & PTE_P)) ? P2V(PTE_ADDR(*pte)) : 0;
}

// The same for writing it: a machine page of the VM's own, or 0 if it has
// none there. A read-only page (the zero page, or one the sharing scan made)
// becomes its own first (share_break: a copy, counted); 0 too if the host has
// no page for that copy, and then the VM has been stopped, saying so.
void*
vm_gpa_page_write(struct vm *vm, u32 gpa)
{
  pte_t *pte = vm_pmap_pte(vm, gpa);
  if (pte == 0 || !(*pte & PTE_P))
    return 0;
  if (!(*pte & PTE_W))
    return share_break(vm, PGROUNDDOWN(gpa), pte);
  return P2V(PTE_ADDR(*pte));
}

// Take guest-physical page gpa from the VM: the pmap says it has no machine
// page there any more, and the page goes back to the host's allocator. The
// caller first drops every mapping the CPU could use for it (the flat map's
// entry, shadow_flush). 0, or -1 if the VM had no page there.
int
vm_gpa_free(struct vm *vm, u32 gpa)
{
  pte_t *pte = vm_pmap_pte(vm, gpa);
  if (pte == 0 || !(*pte & PTE_P))
    return -1;
  if (*pte & PTE_W)
    kfree(P2V(PTE_ADDR(*pte)));
  else
    share_drop(vm, pte);             // shared: one reference fewer (share.c)
  *pte = 0;
  return 0;
}

// The permission bits a mapping of guest-physical gpa may have in a table
// the CPU uses (a flat guest's, a shadow), of the ones (PTE_W, PTE_U) the
// guest's own view would give it: no PTE_W for a page the pmap makes
// read-only. 0 if the VM has no page there (or it was stopped: no memory).
// A paged guest's shadow never maps the zero page: its first touch through
// the CPU takes its own zeroed page, so that a copy never has to drop a whole
// shadow for it (share.c). (Its kernel writes nearly every page it touches
// anyway: xv6a fills each free page.) A flat guest's map keeps it read-only.
u32
vm_gpa_perm(struct vm *vm, u32 gpa, u32 perm)
{
  pte_t *pte = vm_pmap_pte(vm, gpa);
  if (pte == 0 || !(*pte & PTE_P))
    return 0;
  if (!(*pte & PTE_W) && vm->paged && PTE_ADDR(*pte) == share_zero_pa() &&
      share_break(vm, PGROUNDDOWN(gpa), pte) == 0)
    return 0;
  if (*pte & PTE_W)
    return perm;
  *pte |= PTE_MAPPED_RO;             // a table may now map it: a copy must flush
  return perm & ~PTE_W;
}

// A flat guest (like mini) has no page tables: the host maps its memory once, at
// FLAT_BASE, the kernel's pages supervisor and from FLAT_USER up user pages.
int
vm_make_flat(struct vm *vm)
{
  vm->mem_base = FLAT_BASE;
  for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
    u32 va = FLAT_BASE + gpa;
    pte_t *pte = pt_walk(vm->pgdir, va, 1);
    if (pte == 0)
      return -1;
    *pte = V2P(vm_gpa_page(vm, gpa)) | PTE_P |
           vm_gpa_perm(vm, gpa, PTE_W | (va >= FLAT_USER ? PTE_U : 0));
  }
  return 0;
}

// A page fault of a flat guest at va that its fixed map explains: a write to
// a page the pmap makes read-only (page sharing) gets the VM's own copy, and
// the map says writable again. 1 if that was it (a hidden fault), or if it
// touched a page it gave back (then it is stopped), 0 if the fault is the
// guest's own.
int
vm_flat_fault(struct vm *vm, u32 va, u32 err)
{
  u32 gpa = va - FLAT_BASE;
  // A page it gave back (balloon.c): its map has no entry there any more. Not
  // the guest's own fault to handle: it broke its promise, and what it finds
  // there would be nothing of its own. Stopped, with the page named.
  if (gpa < vm->mem_size && !(err & PF_P) && balloon_gave(vm, gpa)) {
    vm_stop(vm, "it touched guest-physical 0x%x at 0x%x, a page it gave back to the host "
            "(balloon)", PGROUNDDOWN(gpa), va);
    return 1;
  }
  if (!(err & PF_P) || !(err & PF_W) || gpa >= vm->mem_size)
    return 0;
  pte_t *pte = pt_walk(vm->pgdir, va, 0);
  if (pte == 0 || !(*pte & PTE_P) || (*pte & PTE_W))
    return 0;
  if ((err & PF_U) && !(*pte & PTE_U))
    return 0;                        // a process at its kernel's pages
  void *page = vm_gpa_page_write(vm, PGROUNDDOWN(gpa));
  if (page == 0)
    return 0;
  *pte = V2P(page) | PTE_P | PTE_W | (*pte & PTE_U);   // (the world switch back
  vm->st.hidden_faults++;                              // reloads CR3: no stale TLB)
  return 1;
}

// Stop vm for good, saying why on the system console. Its memory goes back to
// the host; the other VMs are not affected.
void
vm_stop(struct vm *vm, const char *fmt, ...)
{
  if (vm->state == VM_STOPPED)
    return;                       // stopped already (its first reason stands)
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  kvsnprintf(vm->whybuf, sizeof(vm->whybuf), fmt, ap);
  __builtin_va_end(ap);
  cons_flush(vm);
  vm->why = vm->whybuf;
  vm->state = VM_STOPPED;
  kprintf("vmos: stopped VM %d (%s.%d): %s (eip 0x%x)\n", vm->id, vm->name, vm->id,
          vm->why, vm->tf.eip);
  cons_stopped(vm);
  vm->shared = 0;                 // it lived in the VM's memory (or is the host's)
  vm_free_memory(vm);
}

// Give back a VM that never ran (its image would not load): the last one made.
void
vm_discard(struct vm *vm)
{
  if (vm != &vms[nvms - 1])
    panic("vm_discard: VM %d is not the newest", vm->id);
  vm_free_memory(vm);
  vm->state = VM_FREE;
  nvms--;
}

// A blocked VM has something to do again.
void
vm_wake(struct vm *vm)
{
  if (vm->state == VM_BLOCKED)
    vm->state = VM_RUNNABLE;
}

// Where guest address gva leads: the guest-physical address, or -1 if the
// guest's own view maps nothing there (or something outside its memory).
// write: the access is a write. Flat guests: their fixed window at FLAT_BASE;
// paged guests: their page tables, as the guest kernel would see them (shadow.c).
static int
translate(struct vm *vm, u32 gva, int write, u32 *gpa)
{
  if (vm->pmap == 0)
    return -1;
  if (!vm->paged) {
    if (gva - FLAT_BASE >= vm->mem_size)
      return -1;
    *gpa = gva - FLAT_BASE;
    return 0;
  }
  if (vm->mmu == MMU_DIRECT)
    return direct_translate(vm, gva, write, gpa);    // its own tables, machine addresses
  return shadow_translate(vm, gva, write, gpa);
}

// Is every byte of [gva, gva+n) mapped to the VM's memory? (n > 0 or not.)
int
vm_range_ok(struct vm *vm, u32 gva, u32 n)
{
  u32 gpa;
  if (n > 0 && gva + n - 1 < gva)
    return 0;                        // wraps around
  for (u32 va = PGROUNDDOWN(gva); n > 0 && va <= gva + n - 1; va += PGSIZE) {
    if (translate(vm, va, 0, &gpa) < 0)
      return 0;
    if (va == PGROUNDDOWN(gva + n - 1))
      break;
  }
  return n > 0 || translate(vm, gva, 0, &gpa) == 0;
}

// The host's address of gva's page as the CPU sees it now, through the VM's
// own page directory (a flat guest's fixed map, a paged guest's shadow), or 0
// if that has no entry for it yet. Its entries only ever lead into the VM's
// memory. The quick way: one table walk instead of the guest's (a shadow entry
// may be stale only where a TLB entry could be too).
static void*
cpu_page(struct vm *vm, u32 gva, int write)
{
  if (gva >= SWITCHER_BASE || vm->pgdir == 0 || !(vm->pgdir[PDX(gva)] & PTE_P))
    return 0;
  pte_t pte = ((pte_t *)P2V(PTE_ADDR(vm->pgdir[PDX(gva)])))[PTX(gva)];
  if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
    return 0;
  return P2V(PTE_ADDR(pte));
}

// The host's address of the guest page holding gva, or 0 (also if write and
// the guest's own tables do not let its kernel write there).
void*
vm_page(struct vm *vm, u32 gva, int write)
{
  u32 gpa;
  void *page = cpu_page(vm, gva, write);
  if (page)
    return page;
  if (translate(vm, gva, write, &gpa) < 0)
    return 0;
  if (write && vm->paged)
    shadow_gpa_write(vm, gpa);         // it may be a guest table a shadow came from
  return write ? vm_gpa_page_write(vm, PGROUNDDOWN(gpa)) : vm_gpa_page(vm, PGROUNDDOWN(gpa));
}

static int
vm_copy(struct vm *vm, u32 gva, char *host, u32 n, int out)
{
  if (n > 0 && gva + n - 1 < gva)
    return -1;
  while (n > 0) {
    u32 off = gva & (PGSIZE - 1);
    u32 chunk = PGSIZE - off < n ? PGSIZE - off : n;
    char *page = vm_page(vm, gva, out);
    if (page == 0)
      return -1;
    char *p = page + off;
    if (out)
      memmove(p, host, chunk);
    else
      memmove(host, p, chunk);
    gva += chunk;
    host += chunk;
    n -= chunk;
  }
  return 0;
}

// Copy n bytes from guest address gva into the host; -1 if any byte is not
// mapped to the VM's memory (then part of it may have been copied).
int
vm_copyin(struct vm *vm, void *dst, u32 gva, u32 n)
{
  return vm_copy(vm, gva, dst, n, 0);
}

int
vm_copyout(struct vm *vm, u32 gva, const void *src, u32 n)
{
  return vm_copy(vm, gva, (char *)src, n, 1);
}
