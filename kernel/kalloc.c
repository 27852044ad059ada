// kalloc.c: the physical page allocator: a free list of 4 KiB machine pages,
// threaded through the pages themselves (through their direct-map addresses).
// It covers every usable page above the host image, up to the top of memory,
// except ranges reserved with kalloc_reserve() (multiboot modules).
#include "types.h"
#include "defs.h"
#include "memlayout.h"
#include "mmu.h"

struct run {
  struct run *next;
};

#define MAXRESERVED 8
static struct {
  struct run *free;
  uint nfree;
  uint ntotal;
  u32 lo, hi;                     // the physical range the allocator manages
  struct { u32 start, end; } reserved[MAXRESERVED];
  int nreserved;
} kmem;

extern char end[];                // first address after the kernel image (kernel.ld)

void
kalloc_reserve(u32 pa_start, u32 pa_end)
{
  if (kmem.nreserved == MAXRESERVED)
    panic("kalloc_reserve: more than %d reserved ranges", MAXRESERVED);
  kmem.reserved[kmem.nreserved].start = PGROUNDDOWN(pa_start);
  kmem.reserved[kmem.nreserved].end = PGROUNDUP(pa_end);
  kmem.nreserved++;
}

static int
reserved(u32 pa)
{
  for (int i = 0; i < kmem.nreserved; i++)
    if (pa >= kmem.reserved[i].start && pa < kmem.reserved[i].end)
      return 1;
  return 0;
}

void
kalloc_init(u32 memtop)
{
  kmem.lo = PGROUNDUP(V2P(end));
  kmem.hi = memtop;
  for (u32 pa = kmem.hi; pa > kmem.lo; ) {   // top down, so low pages go first
    pa -= PGSIZE;
    if (!reserved(pa)) {
      kfree(P2V(pa));
      kmem.ntotal++;
    }
  }
}

void
kfree(void *page)
{
  u32 pa = V2P(page);
  if ((pa & (PGSIZE - 1)) || pa < kmem.lo || pa >= kmem.hi || reserved(pa))
    panic("kfree: 0x%x is not an allocatable page", (u32)page);
  memset(page, 0x5A, PGSIZE);     // junk, so use-after-free shows
  struct run *r = page;
  r->next = kmem.free;
  kmem.free = r;
  kmem.nfree++;
}

void*
kalloc(void)
{
  struct run *r = kmem.free;
  if (r == 0)
    return 0;
  kmem.free = r->next;
  kmem.nfree--;
  memset(r, 0, PGSIZE);
  return r;
}

uint
kalloc_free_pages(void)
{
  return kmem.nfree;
}

uint
kalloc_total_pages(void)
{
  return kmem.ntotal;
}
