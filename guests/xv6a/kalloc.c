// kalloc.c: xv6a's physical page allocator: 4 KiB pages (kernel virtual
// addresses) from the end of the kernel to the top of memory. Pages freed
// once are on a free list; pages never handed out yet are one region,
// [fresh, fresh_end), that kalloc takes from the bottom when the list is empty.
// So boot writes nothing into free memory (xv6's kinit threads the list
// through every page): under vmos a page the guest never used stays as the
// host gave it, zero, which page sharing can leave shared and the balloon
// (balloon.c) finds cheapest to give back.
#include "xv6a.h"

struct run { struct run *next; };
static struct run *freelist;
static uint nfree;                // pages on the list
static char *fresh, *fresh_end;   // never handed out yet

void
kfree(char *v)
{
  if ((uint)v % PGSIZE || V2P(v) >= physmem)
    panic("kfree");
  memset(v, 1, PGSIZE);
  struct run *r = (struct run *)v;
  r->next = freelist;
  freelist = r;
  nfree++;
}

// More memory for the allocator: [start, end). Boot adds the memory the boot
// page table maps, then the rest above it (main.c); a range that does not
// continue the fresh region goes on the free list page by page instead.
void
kinit(void *start, void *end)
{
  char *s = (char *)PGROUNDUP((uint)start), *e = (char *)PGROUNDDOWN((uint)end);
  if (s >= e)
    return;
  if (fresh == fresh_end)
    fresh = fresh_end = s;
  if (s == fresh_end) {
    fresh_end = e;
    return;
  }
  for (char *p = s; p + PGSIZE <= e; p += PGSIZE)
    kfree(p);
}

// A page, or 0. Its contents are whatever was there: callers clear it.
char*
kalloc(void)
{
  struct run *r = freelist;
  if (r) {
    freelist = r->next;
    nfree--;
    return (char *)r;
  }
  if (fresh < fresh_end) {
    char *p = fresh;
    fresh += PGSIZE;
    return p;
  }
  return 0;
}

uint
kfreecount(void)
{
  return nfree + (fresh_end - fresh) / PGSIZE;
}
