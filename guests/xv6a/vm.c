// vm.c: xv6a's page tables. The kernel's: all physical memory at KERNBASE,
// supervisor only and global (PTE_G: the same in every address space, so the
// TLB, or vmos's shadow, keeps them across a page-directory load) (kvmalloc).
// Every process's directory shares the kernel's page tables, and maps its own
// memory from 0 with user pages. Loading one goes through pv_lcr3 (or
// pv_switch, with the kernel stack): a CR3 load on bare QEMU, HC_SET_PGDIR
// under vmos (whose shadow paging follows these tables); switchuvm skips the
// load when the directory is the one loaded already. sbrk is lazy (uvmtouch).
// Every entry is read and written through pv.h (pv_pte_get, pv_pte_set): under
// vmos's direct paging the CPU walks these very tables, so they hold machine
// addresses and a loaded one changes only by hypercall (pv_direct.c); a new
// table is announced (pv_pt_new) and a directory is let go before it is freed
// (pv_pgdir_free). Elsewhere those are plain loads and stores.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"

pde_t *kpgdir;

pte_t*
walkpgdir(pde_t *pgdir, const void *va, int alloc)
{
  pde_t *pde = &pgdir[PDX(va)];
  pte_t *pgtab;
  uint e = pv_pte_get(pde);
  if (e & PTE_P) {
    pgtab = P2V(PTE_ADDR(e));
  } else {
    if (!alloc || (pgtab = (pte_t *)kalloc()) == 0)
      return 0;
    memset(pgtab, 0, PGSIZE);
    pv_pt_new(pgdir, pgtab);
    pv_pte_set(pde, V2P(pgtab), PTE_P | PTE_W | PTE_U);
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
    if (pv_pte_get(pte) & PTE_P)
      panic("remap");
    pv_pte_set(pte, pa, perm | PTE_P);
  }
  return 0;
}

void
kvmalloc(void)
{
  if ((kpgdir = (pde_t *)kalloc()) == 0)
    panic("kvmalloc");
  memset(kpgdir, 0, PGSIZE);
  if (mappages(kpgdir, KERNBASE, physmem, 0, PTE_W | PTE_G) < 0)
    panic("kvmalloc: map");
  pv_lcr3(V2P(kpgdir));
}

// ---- user address spaces ----

// A page directory with the kernel's mappings: its upper quarter is kpgdir's,
// pointing at the kernel's own page tables, which every directory shares and
// none frees (xv6 gives each directory its own copy; with all of memory
// mapped that would cost a fork a page table per 4 MiB of memory).
pde_t*
setupkvm(void)
{
  pde_t *pgdir = (pde_t *)kalloc();
  if (pgdir == 0)
    return 0;
  memset(pgdir, 0, PGSIZE);
  for (int i = PDX(KERNBASE); i < 1024; i++)
    pgdir[i] = kpgdir[i];          // (raw: the same kind of entry, whatever the mode)
  return pgdir;
}

// The page directory and kernel stack loaded last (switchuvm), or 0.
static pde_t *loaded_pgdir;
static char *loaded_kstack;

// Run process p: its kernel stack for traps, its page directory. When p is
// what runs already (the same process again after a timer tick, say) nothing
// is loaded: a load costs a CR3 write and a TLB refill bare, and as a guest a
// hypercall after which the host's shadow refills every page of the process
// with a hidden fault (issue 8: about a thousand a tick for a process that
// keeps a thousand pages busy). What changed p's mappings under it calls
// flushuvm instead.
void
switchuvm(struct proc *p)
{
  if (p->pgdir == loaded_pgdir && p->kstack == loaded_kstack)
    return;
  flushuvm(p);
}

// Load p's directory even if it is loaded already: the TLB (or the host's
// shadow) forgets p's user translations, after pages were taken away.
void
flushuvm(struct proc *p)
{
  loaded_pgdir = p->pgdir;
  loaded_kstack = p->kstack;
  pv_switch((uint)p->kstack + KSTACKSIZE, V2P(p->pgdir));
}

// Grow user memory from oldsz to newsz; returns newsz or 0.
int
allocuvm(pde_t *pgdir, uint oldsz, uint newsz)
{
  if (newsz >= KERNBASE)
    return 0;
  if (newsz < oldsz)
    return oldsz;
  for (uint a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
    char *mem = kalloc();
    if (mem == 0 || (memset(mem, 0, PGSIZE), mappages(pgdir, a, PGSIZE, V2P(mem), PTE_W | PTE_U)) < 0) {
      if (mem)
        kfree(mem);
      deallocuvm(pgdir, newsz, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Shrink user memory from oldsz to newsz; returns newsz.
int
deallocuvm(pde_t *pgdir, uint oldsz, uint newsz)
{
  if (newsz >= oldsz)
    return oldsz;
  for (uint a = PGROUNDUP(newsz); a < oldsz; a += PGSIZE) {
    pte_t *pte = walkpgdir(pgdir, (char *)a, 0);
    if (pte == 0) {                // no page table: skip to the next one
      a = (a & ~((PGSIZE << 10) - 1)) + (PGSIZE << 10) - PGSIZE;
      continue;
    }
    uint e = pv_pte_get(pte);
    if (e & PTE_P) {
      kfree(P2V(PTE_ADDR(e)));
      pv_pte_set(pte, 0, 0);
    }
  }
  return newsz;
}

// Free a page directory, its user memory and its user page tables (the
// kernel's are kpgdir's, shared: setupkvm).
void
freevm(pde_t *pgdir)
{
  if (pgdir == loaded_pgdir)       // (never while loaded, but a page reused as
    loaded_pgdir = 0;              // another directory must not look loaded)
  for (int i = 0; (i = pv_pte_next(pgdir, i, PDX(KERNBASE))) < PDX(KERNBASE); i++) {
    pte_t *pt = P2V(PTE_ADDR(pv_pte_get(&pgdir[i])));
    for (int j = 0; (j = pv_pte_next(pt, j, 1024)) < 1024; j++)
      kfree(P2V(PTE_ADDR(pv_pte_get(&pt[j]))));
  }
  if (pv_pgdir_free(pgdir))        // direct paging: the tables go when the host
    return;                        // has been told (pv_direct.c)
  for (int i = 0; i < PDX(KERNBASE); i++) {
    uint e = pv_pte_get(&pgdir[i]);
    if (e & PTE_P)
      kfree(P2V(PTE_ADDR(e)));
  }
  kfree((char *)pgdir);
}

// A copy of a process's user memory, for fork.
pde_t*
copyuvm(pde_t *pgdir, uint sz)
{
  pde_t *d = setupkvm();
  if (d == 0)
    return 0;
  for (uint a = 0; a < sz; a += PGSIZE) {
    pte_t *pte = walkpgdir(pgdir, (void *)a, 0);
    uint e = pte ? pv_pte_get(pte) : 0;
    if (!(e & PTE_P))
      continue;                    // sbrk'd, never touched: the child's is lazy too
    char *mem = kalloc();
    if (mem == 0)
      goto bad;
    memmove(mem, P2V(PTE_ADDR(e)), PGSIZE);
    if (mappages(d, a, PGSIZE, V2P(mem), e & (PTE_W | PTE_U)) < 0) {
      kfree(mem);
      goto bad;
    }
  }
  return d;
bad:
  freevm(d);
  return 0;
}

// Lazy allocation: sbrk only moves the break (growproc); a page below it gets
// memory the first time it is touched, by the process (a page fault, trap.c) or
// by a system call given a pointer into it (syscall.c). That makes a page fault
// something xv6a handles, which `make bench` times bare and as a guest, where
// the host sees each one first (a fault its shadow cannot explain is reflected).
// 0 if the page at va is there now; -1 if va is past the break or memory is out.
int
uvmtouch(pde_t *pgdir, uint sz, uint va)
{
  if (va >= sz)
    return -1;
  pte_t *pte = walkpgdir(pgdir, (void *)va, 1);
  if (pte == 0)
    return -1;
  if (pv_pte_get(pte) & PTE_P)
    return 0;
  char *mem = kalloc();
  if (mem == 0)
    return -1;
  memset(mem, 0, PGSIZE);
  pv_pte_set(pte, V2P(mem), PTE_P | PTE_W | PTE_U);   // was not present: nothing to
  pv_mmu_flush();                  // flush, but direct paging's update must be in force
  return 0;
}

// uvmtouch for every page of [va, va+n): before the kernel reads or writes there.
int
uvmtouchrange(pde_t *pgdir, uint sz, uint va, uint n)
{
  if (va + n < va)
    return -1;
  for (uint a = PGROUNDDOWN(va); a < va + n; a += PGSIZE)
    if (uvmtouch(pgdir, sz, a) < 0)
      return -1;
  return 0;
}

// The kernel address of user address va in pgdir, if it is a user page.
char*
uva2ka(pde_t *pgdir, uint va)
{
  pte_t *pte = walkpgdir(pgdir, (void *)va, 0);
  uint e = pte ? pv_pte_get(pte) : 0;
  if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  return (char *)P2V(PTE_ADDR(e)) + (va & (PGSIZE - 1));
}

// Copy len bytes to user address va in pgdir (not necessarily the current one).
int
copyout(pde_t *pgdir, uint va, const void *p, uint len)
{
  const char *buf = p;
  while (len > 0) {
    char *ka = uva2ka(pgdir, PGROUNDDOWN(va));
    if (ka == 0)
      return -1;
    uint n = PGSIZE - (va & (PGSIZE - 1));
    if (n > len)
      n = len;
    memmove(ka + (va & (PGSIZE - 1)), buf, n);
    len -= n;
    buf += n;
    va += n;
  }
  return 0;
}

// Make the page at va inaccessible to the process (the guard below its stack).
void
clearpteu(pde_t *pgdir, uint va)
{
  pte_t *pte = walkpgdir(pgdir, (void *)va, 0);
  uint e = pte ? pv_pte_get(pte) : 0;
  if (e & PTE_P)
    pv_pte_set(pte, PTE_ADDR(e), (e & 0xFFF) & ~PTE_U);
}
