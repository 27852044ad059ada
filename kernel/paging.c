// paging.c: the host's page directory (design.md section 4). Every machine page is
// mapped at KERNBASE + its physical address with 4 KiB pages, supervisor only;
// the host image's text and read-only data are read-only (CR0.WP makes that
// bind the host too). Nothing is mapped below KERNBASE, so a null pointer
// faults, and the top 4 MiB stay empty for vmos's switcher region.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "memlayout.h"
#include "mmu.h"

pde_t *host_pgdir;
extern char data[];               // start of writable data (kernel.ld)

// The page-table entry for va in page directory pgdir (a direct-map
// address); with create, allocate a missing page table. 0 if there is none (or
// no memory for one). Used for the host's directory and vmos's directories.
pte_t*
pt_walk(pde_t *pgdir, u32 va, int create)
{
  pde_t *pde = &pgdir[PDX(va)];
  if (!(*pde & PTE_P)) {
    if (!create)
      return 0;
    pte_t *pt = kalloc();
    if (pt == 0)
      return 0;
    // Directory entries allow everything; the page-table entries decide.
    *pde = V2P(pt) | PTE_P | PTE_W | PTE_U;
  }
  pte_t *pt = P2V(PTE_ADDR(*pde));
  return &pt[PTX(va)];
}

pte_t*
host_pte(u32 va, int create)
{
  pte_t *pte = pt_walk(host_pgdir, va, create);
  if (pte == 0 && create)
    panic("host_pte: out of memory for page tables");
  return pte;
}

void
host_map(u32 va, u32 pa, u32 perm)
{
  *host_pte(va, 1) = PGROUNDDOWN(pa) | perm | PTE_P;
  invlpg((void *)va);
}

void
paging_init(u32 memtop)
{
  host_pgdir = kalloc();
  if (host_pgdir == 0)
    panic("paging_init: no memory for the host page directory");
  u32 ro_lo = V2P(KERNLINK), ro_hi = V2P(data);
  for (u32 pa = 0; pa < memtop; pa += PGSIZE) {
    u32 perm = (pa >= ro_lo && pa < ro_hi) ? 0 : PTE_W;
    *host_pte(KERNBASE + pa, 1) = pa | perm | PTE_P;
  }
  lcr3(V2P(host_pgdir));
  lcr0(rcr0() | CR0_WP);
}
