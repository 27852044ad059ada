// vm.c: virtual machine objects and their memory.
// A VM's memory is machine pages from kalloc, mapped by the host into the VM's
// own page directory at mem_base (FLAT_BASE for a flat guest like mini): pages
// below FLAT_USER supervisor (the guest kernel's), the rest user. The switcher
// region is mapped too; nothing else, so a guest can reach no host memory.
// Everything the host reads or writes in guest memory goes through
// vm_copyin/vm_copyout, which check the range first.
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

// The page-table entry of gva in the VM's page directory, creating page tables
// on the way if asked.
static pte_t*
vm_pte(struct vm *vm, u32 gva, int create)
{
  pde_t *pde = &vm->pgdir[PDX(gva)];
  if (!(*pde & PTE_P)) {
    if (!create)
      return 0;
    pte_t *pt = kalloc();
    if (pt == 0)
      return 0;
    *pde = V2P(pt) | PTE_P | PTE_W | PTE_U;
  }
  return (pte_t *)P2V(PTE_ADDR(*pde)) + PTX(gva);
}

static void
vm_free_memory(struct vm *vm)
{
  if (vm->pgdir == 0)
    return;
  for (u32 va = vm->mem_base; va < vm->mem_base + vm->mem_size; va += PGSIZE) {
    pte_t *pte = vm_pte(vm, va, 0);
    if (pte && (*pte & PTE_P))
      kfree(P2V(PTE_ADDR(*pte)));
  }
  for (int i = 0; i < NPDENTRIES; i++)
    if (i != PDX(SWITCHER_BASE) && (vm->pgdir[i] & PTE_P))
      kfree(P2V(PTE_ADDR(vm->pgdir[i])));
  kfree(vm->pgdir);
  vm->pgdir = 0;
}

// A new VM with mem_size bytes of zeroed memory, or 0 (and why, printed).
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
  vm->mem_base = FLAT_BASE;
  vm->mem_size = PGROUNDUP(mem_size);
  vm->idt = sw_idt_alloc();
  vm->pgdir = kalloc();
  if (vm->idt < 0 || vm->pgdir == 0)
    goto nomem;
  for (u32 off = 0; off < vm->mem_size; off += PGSIZE) {
    u32 va = vm->mem_base + off;
    pte_t *pte = vm_pte(vm, va, 1);
    void *page = kalloc();
    if (pte == 0 || page == 0) {
      if (page)
        kfree(page);
      goto nomem;
    }
    *pte = V2P(page) | PTE_P | PTE_W | (va >= FLAT_USER ? PTE_U : 0);
  }
  sw_map(vm->pgdir);
  vm->cr3 = V2P(vm->pgdir);
  vm->state = VM_RUNNABLE;
  nvms++;
  return vm;

nomem:
  kprintf("vmos: not enough memory for VM %d (%s): %u KiB asked, %u KiB free\n",
          vm->id, name, mem_size / 1024, kalloc_free_pages() * 4);
  vm_free_memory(vm);
  return 0;
}

// Stop vm for good, saying why on the system console. Its memory goes back to
// the host; the other VMs are not affected.
void
vm_stop(struct vm *vm, const char *fmt, ...)
{
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
  vm->shared = 0;                 // it lived in the VM's memory
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

// Is [gva, gva+n) inside the VM's memory? (Guards against wrap-around too.)
int
vm_range_ok(struct vm *vm, u32 gva, u32 n)
{
  return gva >= vm->mem_base && n <= vm->mem_size &&
         gva - vm->mem_base <= vm->mem_size - n;
}

// The host's address of the guest page holding gva (which must be in range).
void*
vm_page(struct vm *vm, u32 gva)
{
  pte_t *pte = vm_pte(vm, PGROUNDDOWN(gva), 0);
  if (pte == 0 || !(*pte & PTE_P))
    panic("vm_page: VM %d has no page at 0x%x", vm->id, gva);
  return P2V(PTE_ADDR(*pte));
}

static int
vm_copy(struct vm *vm, u32 gva, char *host, u32 n, int out)
{
  if (vm->pgdir == 0 || !vm_range_ok(vm, gva, n))
    return -1;
  while (n > 0) {
    u32 off = gva & (PGSIZE - 1);
    u32 chunk = PGSIZE - off < n ? PGSIZE - off : n;
    char *p = (char *)vm_page(vm, gva) + off;
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

// Copy n bytes from guest address gva into the host; -1 if any byte lies
// outside the VM's memory (nothing is copied then).
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
