// kalloc.c: xv6a's physical page allocator: a free list of 4 KiB pages
// (kernel virtual addresses) from the end of the kernel to the top of memory.
#include "xv6a.h"

struct run { struct run *next; };
static struct run *freelist;
static uint nfree;

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

void
kinit(void *start, void *end)
{
  for (char *p = (char *)PGROUNDUP((uint)start); p + PGSIZE <= (char *)end; p += PGSIZE)
    kfree(p);
}

char*
kalloc(void)
{
  struct run *r = freelist;
  if (r) {
    freelist = r->next;
    nfree--;
  }
  return (char *)r;
}

uint
kfreecount(void)
{
  return nfree;
}
