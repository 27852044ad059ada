// vm.c: xv6a's page tables. The kernel's: all physical memory at KERNBASE,
// supervisor only (kvmalloc). Loading one goes through pv_lcr3: a CR3 load on
// bare QEMU, HC_SET_PGDIR under vmos (whose shadow paging follows these tables).
#include "xv6a.h"
#include "pv.h"

pde_t *kpgdir;

pte_t*
walkpgdir(pde_t *pgdir, const void *va, int alloc)
{
  pde_t *pde = &pgdir[PDX(va)];
  pte_t *pgtab;
  if (*pde & PTE_P) {
    pgtab = P2V(PTE_ADDR(*pde));
  } else {
    if (!alloc || (pgtab = (pte_t *)kalloc()) == 0)
      return 0;
    memset(pgtab, 0, PGSIZE);
    *pde = V2P(pgtab) | PTE_P | PTE_W | PTE_U;
  }
  return &pgtab[PTX(va)];
}

static int
mappages(pde_t *pgdir, uint va, uint size, uint pa, int perm)
{
  for (uint a = PGROUNDDOWN(va); a < va + size; a += PGSIZE, pa += PGSIZE) {
    pte_t *pte = walkpgdir(pgdir, (void *)a, 1);
    if (pte == 0)
      return -1;
    if (*pte & PTE_P)
      panic("remap");
    *pte = pa | perm | PTE_P;
  }
  return 0;
}

void
kvmalloc(void)
{
  if ((kpgdir = (pde_t *)kalloc()) == 0)
    panic("kvmalloc");
  memset(kpgdir, 0, PGSIZE);
  if (mappages(kpgdir, KERNBASE, physmem, 0, PTE_W) < 0)
    panic("kvmalloc: map");
  pv_lcr3(V2P(kpgdir));
}
